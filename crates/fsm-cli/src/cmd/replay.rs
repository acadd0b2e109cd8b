//! `fsm replay`: checks a recorded trace against the spec, input by input,
//! with the evaluator (`fsm_tools::eval`).

use crate::files;
use crate::output::{self, Outcome};
use fsm_tools::eval::{self, Outcome as Step};
use fsm_tools::trace;
use serde_json::json;
use std::path::PathBuf;

/// Check a recorded trace (JSON lines, see docs/simulation.md) against a
/// spec: replay every input from the initial state (with the header's key)
/// and compare what each line records with what the spec does.
///
/// Exits with 0 when every recorded line agrees, 1 at the first
/// divergence (or when the spec has errors), and 2 when a file cannot be
/// read or the trace is malformed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file
    #[arg(value_name = "SPEC")]
    spec: PathBuf,

    /// The trace, as JSON lines
    #[arg(value_name = "TRACE")]
    trace: PathBuf,

    /// The machine the trace is of: a check that the spec defines it
    #[arg(long, value_name = "NAME")]
    machine: Option<String>,

    /// `human` prints a summary or the divergence; `json` one JSON object
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

pub fn run(args: &Args, color: bool) -> Outcome {
    let model = match files::compile_machine(&args.spec, args.machine.as_deref(), color) {
        Ok(model) => model,
        Err(outcome) => return outcome,
    };
    let name = args.trace.display().to_string();
    let text = match files::read_text(&args.trace, super::sim::MAX_TRACE) {
        Ok(text) => text,
        Err(message) => {
            output::error(&message, color);
            return Outcome::Trouble;
        }
    };
    let parsed = match trace::parse(&model, &text) {
        Ok(parsed) => parsed,
        Err(err) => {
            output::error(&err.located(&name), color);
            return Outcome::Trouble;
        }
    };
    let mut state = match eval::initial(&model, parsed.key.clone()) {
        Ok(state) => state,
        Err(err) => {
            output::error(&format!("cannot replay `{name}`: {err}"), color);
            return Outcome::SpecErrors;
        }
    };
    let total = parsed.entries.len();
    let unrecorded = parsed
        .entries
        .iter()
        .filter(|e| e.recorded.is_none())
        .count();
    for (index, entry) in parsed.entries.iter().enumerate() {
        let outcome = match eval::step(&model, &state, &entry.input) {
            Ok(outcome) => outcome,
            Err(err) => {
                output::error(
                    &format!("{name}:{}: cannot replay the input: {err}", entry.line),
                    color,
                );
                return Outcome::SpecErrors;
            }
        };
        let expected = trace::recorded(&model, &state, &outcome);
        if let Some(recorded) = &entry.recorded
            && let Some(d) = trace::compare(&model, &expected, recorded)
        {
            let input = eval::render_input(&model, &entry.input);
            match args.format {
                Format::Human => output::print(&format!(
                    "{name}:{}: input {} ({input}) diverges: {}\n  spec:  {}\n  trace: {}\n{} before it agreed\n",
                    entry.line,
                    index + 1,
                    d.what,
                    d.expected,
                    d.recorded,
                    output::count(index, "input", "inputs"),
                )),
                Format::Json => output::print(&format!(
                    "{}\n",
                    json!({
                        "trace": name,
                        "machine": model.name,
                        "inputs": total,
                        "agree": false,
                        "divergence": {
                            "line": entry.line,
                            "index": index,
                            "input": eval::input_json(&model, &entry.input),
                            "what": d.what,
                            "expected": trace::recorded_json(&expected),
                            "recorded": trace::recorded_json(recorded),
                        },
                    })
                )),
            }
            return Outcome::SpecErrors;
        }
        if let Step::Fired { state: next, .. } = outcome {
            state = next;
        }
    }
    match args.format {
        Format::Human => {
            let note = if unrecorded == 0 {
                String::new()
            } else {
                format!(
                    " ({} without a recorded outcome, replayed only)",
                    output::count(unrecorded, "line", "lines")
                )
            };
            output::print(&format!(
                "{}, all agree{note}\n",
                output::count(total, "input", "inputs")
            ));
        }
        Format::Json => output::print(&format!(
            "{}\n",
            json!({
                "trace": name,
                "machine": model.name,
                "inputs": total,
                "unrecorded": unrecorded,
                "agree": true,
                "phase": model.phase_name(state.phase),
            })
        )),
    }
    Outcome::Clean
}
