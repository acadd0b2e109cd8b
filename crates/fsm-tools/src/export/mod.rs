//! Exports of a checked [`Model`] to other tools: a TLA+ module and its TLC
//! configuration ([`tla`]), a Promela model for SPIN ([`promela`]) and the
//! model as JSON ([`json`]).
//!
//! Every export follows the one semantics of the language reference: each
//! *input instance* (an input with concrete parameter values taken from the
//! spec's `verify { domain … }` settings) is one atomic step; candidates are
//! selected by phase and tried in declaration order, their guards in written
//! order; the statements run in order; checked arithmetic that overflows
//! rejects the input and leaves the state as it was; ignored and rejected
//! inputs change nothing.

mod domain;
mod json;
mod promela;
mod tla;

pub use json::{FORMAT_VERSION, json};
pub use promela::promela;
pub use tla::{Tla, tla};

use fsm_core::Model;
use std::fmt;

/// The formats `fsm export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tla,
    Promela,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Tla, Format::Promela, Format::Json];

    /// The name used on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Tla => "tla",
            Format::Promela => "promela",
            Format::Json => "json",
        }
    }

    /// The extension of the exported file (TLA+ also writes a `.cfg`).
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Tla => "tla",
            Format::Promela => "pml",
            Format::Json => "json",
        }
    }
}

/// Why a model cannot be exported: a construct the target language cannot
/// represent with the spec's settings (for example a parameter type without
/// a `verify { domain … }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    pub message: String,
}

impl ExportError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ExportError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExportError {}

/// One exported file: its name (derived from the machine's name) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub text: String,
}

/// The files of one export: one for Promela and JSON, the module and its
/// configuration for TLA+.
pub fn export(model: &Model, format: Format) -> Result<Vec<File>, ExportError> {
    let base = &model.name;
    Ok(match format {
        Format::Json => vec![File {
            name: format!("{base}.json"),
            text: json(model)?,
        }],
        Format::Promela => vec![File {
            name: format!("{base}.pml"),
            text: promela(model)?,
        }],
        Format::Tla => {
            let out = tla(model)?;
            vec![
                File {
                    name: format!("{base}.tla"),
                    text: out.module,
                },
                File {
                    name: format!("{base}.cfg"),
                    text: out.cfg,
                },
            ]
        }
    })
}
