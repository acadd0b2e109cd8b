//! Colour choice, printing that never panics on a closed stream, and the
//! outcome of a command that becomes its exit code.

use std::io::{self, IsTerminal, Write};

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether diagnostics on stderr get ANSI colours. `auto` follows the
    /// `NO_COLOR` convention (set and not empty: no colour) and otherwise
    /// colours only a terminal.
    pub fn resolve(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && io::stderr().is_terminal()
            }
        }
    }
}

/// How a command ended, ordered from best to worst; the exit code is that of
/// the worst thing that happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Exit 0: nothing wrong (warnings allowed).
    Clean,
    /// Exit 1: `fsm diff` found schema or behaviour changes.
    Differs,
    /// Exit 1: a spec has errors (or, for `fmt --check`, is not formatted).
    SpecErrors,
    /// Exit 2: a path could not be used or a file could not be read or
    /// written.
    Trouble,
}

impl Outcome {
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Differs | Outcome::SpecErrors => 1,
            Outcome::Trouble => 2,
        }
    }
}

/// Writes to stderr; a closed or failing stderr is ignored.
pub fn eprint(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Writes to stdout; a closed or failing stdout is ignored.
pub fn print(text: &str) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Prints `error: message` on stderr, for trouble that is not in a spec.
pub fn error(message: &str, color: bool) {
    if color {
        eprint(&format!(
            "\u{1b}[1;31merror\u{1b}[0m\u{1b}[1m: {message}\u{1b}[0m\n"
        ));
    } else {
        eprint(&format!("error: {message}\n"));
    }
}

/// `1 error`, `2 errors`.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("{n} {singular}")
    } else {
        format!("{n} {plural}")
    }
}
