//! `fsm check`: compiles every spec, reports its diagnostics and a summary.

use crate::files;
use crate::output::{self, Outcome, count};
use fsm_core::Compilation;
use fsm_core::ast::ItemKind;
use fsm_core::render;
use std::path::PathBuf;

/// Check specs and report every error and warning.
///
/// Exits with 0 when no spec has errors (warnings allowed, unless
/// `--deny-warnings`), 1 when one has, and 2 when a path cannot be used or
/// a file cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files, or folders searched recursively for `*.fsm` files
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// How to report diagnostics: `human` prints rustc-style reports on
    /// stderr; `short` prints one `path:line:col: error[CODE]: message` line
    /// each on stderr; `json` prints one JSON object per diagnostic, one per
    /// line (NDJSON), on stdout. At most 200 diagnostics of a file are
    /// shown, then a note (in JSON, an object with `omitted`) says how many
    /// more there are; the summary, always on stderr, counts them all.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Treat warnings as errors: exit with 1 when a spec has a warning
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Short,
    Json,
}

pub fn run(args: &Args, color: bool) -> Outcome {
    let collected = files::collect(&args.paths);
    let mut outcome = Outcome::Clean;
    for message in &collected.errors {
        output::error(message, color);
        outcome = Outcome::Trouble;
    }
    let mut totals = Totals::default();
    for path in &collected.files {
        let name = path.display().to_string();
        let bytes = match files::read(path) {
            Ok(bytes) => bytes,
            Err(message) => {
                output::error(&message, color);
                outcome = Outcome::Trouble;
                continue;
            }
        };
        let compilation = fsm_core::compile(&name, &bytes);
        report(&compilation, args.format, color);
        totals.add(&compilation);
    }
    if totals.files > 0 {
        output::eprint(&format!("{}\n", totals.summary()));
    }
    if totals.errors > 0 || (args.deny_warnings && totals.warnings > 0) {
        outcome = outcome.max(Outcome::SpecErrors);
    }
    outcome
}

fn report(compilation: &Compilation, format: Format, color: bool) {
    let source = &compilation.source;
    let diags = &compilation.diagnostics;
    if diags.is_empty() {
        return;
    }
    match format {
        Format::Human => output::eprint(&render::render(source, diags, color)),
        Format::Short => output::eprint(&render::short_report(source, diags)),
        Format::Json => {
            let mut text = String::new();
            for value in render::to_json(source, diags) {
                text.push_str(&value.to_string());
                text.push('\n');
            }
            output::print(&text);
        }
    }
}

/// What the summary line counts, over every file read.
#[derive(Debug, Default)]
struct Totals {
    files: usize,
    machines: usize,
    phases: usize,
    inputs: usize,
    transitions: usize,
    errors: usize,
    warnings: usize,
}

impl Totals {
    fn add(&mut self, compilation: &Compilation) {
        self.files += 1;
        self.errors += compilation.error_count();
        self.warnings += compilation.warning_count();
        if let Some(model) = &compilation.model {
            self.machines += 1;
            self.phases += model.phases.len();
            self.inputs += model.inputs.len();
            self.transitions += model.transitions.len();
            return;
        }
        // A spec with errors has no model: count what was parsed.
        let Some(file) = &compilation.ast else {
            return;
        };
        for machine in &file.machines {
            self.machines += 1;
            for item in &machine.items {
                match &item.kind {
                    ItemKind::Phases(phases) => self.phases += phases.len(),
                    ItemKind::Input(_) => self.inputs += 1,
                    ItemKind::Transition(_) => self.transitions += 1,
                    _ => {}
                }
            }
        }
    }

    fn summary(&self) -> String {
        format!(
            "checked {}: {}, {}, {}; {}, {}",
            count(self.machines, "machine", "machines"),
            count(self.phases, "phase", "phases"),
            count(self.inputs, "input", "inputs"),
            count(self.transitions, "transition", "transitions"),
            count(self.errors, "error", "errors"),
            count(self.warnings, "warning", "warnings"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_with_plurals() {
        let totals = Totals {
            files: 1,
            machines: 1,
            phases: 5,
            inputs: 1,
            transitions: 7,
            errors: 0,
            warnings: 2,
        };
        assert_eq!(
            totals.summary(),
            "checked 1 machine: 5 phases, 1 input, 7 transitions; 0 errors, 2 warnings"
        );
    }
}
