//! `fsm verify`: model-checks every machine within its `verify` bounds and
//! reports the findings, each with the shortest input trace.

use crate::files::{self, io_message};
use crate::output::{self, Outcome, count};
use fsm_core::render;
use fsm_tools::verify::{self, Options, Progress, Report};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Model-check specs: explore every reachable state within the spec's
/// `verify` bounds and report broken invariants, deadlocks, transitions
/// that never fire, overlapping guards, unreached goals and unreachable
/// terminal phases.
///
/// Exits with 0 when no machine has a finding, 1 when one has (or a spec
/// has errors or cannot be checked), and 2 when a path cannot be used or a
/// file cannot be read or written.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files, or folders searched recursively for `*.fsm` files
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// `human` prints a summary line and the findings of each machine on
    /// stdout; `json` prints one JSON report per machine, one per line
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Explore at most this many inputs deep (overrides the spec's
    /// `max_depth`)
    #[arg(long, value_name = "N")]
    max_depth: Option<u64>,

    /// Stop after this many states (overrides the spec's `max_states`)
    #[arg(long, value_name = "N")]
    max_states: Option<u64>,

    /// Write Rust tests that replay each finding's trace against the
    /// generated code to this file
    #[arg(long, value_name = "FILE")]
    emit_test: Option<PathBuf>,

    /// `--emit-tests coverage FILE`: write a Rust regression suite to FILE,
    /// one test per transition that fires and per `ignore` taken: the
    /// shortest inputs that exercise it, then the expected step, effects
    /// and snapshot
    #[arg(long, num_args = 2, value_names = ["KIND", "FILE"])]
    emit_tests: Option<Vec<String>>,

    /// Leave the time out of the output, so it is the same on every run
    #[arg(long)]
    no_time: bool,

    /// Print only the witness of this `reach` goal: the shortest inputs to
    /// a state that meets it (exit 1 when it is not reached, 2 when no
    /// spec has such a goal)
    #[arg(long, value_name = "GOAL")]
    witness: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

pub fn run(args: &Args, color: bool) -> Outcome {
    let collected = files::collect(&args.paths);
    let mut outcome = Outcome::Clean;
    for message in &collected.errors {
        output::error(message, color);
        outcome = Outcome::Trouble;
    }
    let mut tests = Vec::new();
    let mut coverage = Vec::new();
    let coverage_file = match args.emit_tests.as_deref() {
        None => None,
        Some([kind, file]) if kind == "coverage" => Some(PathBuf::from(file)),
        Some(other) => {
            output::error(
                &format!(
                    "`--emit-tests {}`: the one kind of suite is `coverage` (`--emit-tests coverage FILE`)",
                    other.join(" ")
                ),
                color,
            );
            return Outcome::Trouble;
        }
    };
    let mut witnessed = false;
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
        if compilation.has_errors() {
            output::eprint(&render::render(
                &compilation.source,
                &compilation.diagnostics,
                color,
            ));
        }
        let Some(model) = &compilation.model else {
            outcome = outcome.max(Outcome::SpecErrors);
            continue;
        };
        let report = match check(model, args) {
            Ok(report) => report,
            Err(err) => {
                output::error(&format!("cannot verify `{name}`: {err}"), color);
                outcome = outcome.max(Outcome::SpecErrors);
                continue;
            }
        };
        let report = if args.no_time {
            report.without_time()
        } else {
            report
        };
        // Like the time, the peak memory differs from run to run.
        let peak = if args.no_time { None } else { peak_rss() };
        if let Some(goal) = &args.witness {
            let Some(found) = report.goals.iter().find(|g| &g.name == goal) else {
                continue;
            };
            witnessed = true;
            match args.format {
                Format::Human => output::print(&witness(&report.machine, &name, found)),
                Format::Json => output::print(&format!(
                    "{}\n",
                    serde_json::json!({
                        "path": name,
                        "machine": report.machine,
                        "goal": found,
                    })
                )),
            }
            if !found.reached {
                outcome = outcome.max(Outcome::SpecErrors);
            }
            continue;
        }
        match args.format {
            Format::Human => output::print(&human(&name, &report, peak)),
            Format::Json => output::print(&format!("{}\n", json_line(&name, &report, peak))),
        }
        if !report.findings.is_empty() {
            outcome = outcome.max(Outcome::SpecErrors);
        }
        if args.emit_test.is_some()
            && let Some(module) = verify::emit_tests(model, &spec_path(path), &report)
        {
            tests.push(module);
        }
        if coverage_file.is_some()
            && let Some(module) = verify::emit_coverage(model, &spec_path(path), &report)
        {
            coverage.push(module);
        }
    }
    if let Some(goal) = &args.witness
        && !witnessed
        && outcome != Outcome::Trouble
    {
        output::error(&format!("no spec has a reach goal named `{goal}`"), color);
        outcome = Outcome::Trouble;
    }
    if let Some(file) = &coverage_file {
        let text = format!(
            "//! Generated by `fsm verify --emit-tests coverage`: one test per transition\n\
             //! and per `ignore`, each the shortest inputs that exercise it, then the\n\
             //! step, effects and snapshot the spec says follow. Needs the `fsm` and\n\
             //! `serde_json` crates.\n{}",
            coverage
                .iter()
                .map(|m| format!("\n{m}"))
                .collect::<String>()
        );
        if let Err(err) = write_creating(file, &text) {
            output::error(
                &format!("cannot write `{}`: {}", file.display(), io_message(&err)),
                color,
            );
            outcome = Outcome::Trouble;
        }
    }
    if let Some(file) = &args.emit_test {
        if tests.is_empty() {
            output::eprint(&format!(
                "no finding has a trace to replay; `{}` not written\n",
                file.display()
            ));
        } else if let Err(err) = std::fs::write(file, test_file(&tests)) {
            output::error(
                &format!("cannot write `{}`: {}", file.display(), io_message(&err)),
                color,
            );
            outcome = Outcome::Trouble;
        }
    }
    outcome
}

/// Runs the checker, with a progress line on stderr when it is a terminal.
fn check(model: &fsm_core::Model, args: &Args) -> Result<Report, String> {
    let show = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut last = started;
    let mut shown = false;
    let mut progress = |p: &Progress| {
        let now = Instant::now();
        if now.duration_since(last) >= Duration::from_secs(1) {
            last = now;
            shown = true;
            output::eprint(&format!(
                "\r\u{1b}[2K{}: {} states, {} transitions, depth {}, {:.0} s",
                model.name,
                p.states,
                p.transitions,
                p.depth,
                now.duration_since(started).as_secs_f64()
            ));
        }
    };
    let result = {
        let mut options = Options {
            max_depth: args.max_depth,
            max_states: args.max_states,
            progress: if show { Some(&mut progress) } else { None },
        };
        verify::verify(model, &mut options).map_err(|e| e.to_string())
    };
    if shown {
        output::eprint("\r\u{1b}[2K");
    }
    result
}

/// The path `fsm::machine!` is given in an emitted test: the path as given
/// on the command line, with `/` separators.
fn spec_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn test_file(modules: &[String]) -> String {
    let mut out = String::from(
        "//! Generated by `fsm verify --emit-test`: each test replays the shortest\n\
         //! input trace of a finding against the generated machine and fails while\n\
         //! the finding holds. Needs the `fsm` and `serde_json` crates; the specs'\n\
         //! extern types must exist at their paths and deserialize from the\n\
         //! strings of their domains.\n",
    );
    for m in modules {
        out.push('\n');
        out.push_str(m);
    }
    out
}

/// The peak resident memory of this process so far, in bytes (`VmHWM` of
/// `/proc/self/status`; `None` where there is no such file).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim();
    kb.parse::<u64>().ok().map(|kb| kb * 1024)
}

/// A byte count for people: `376 B`, `1.2 KB`, `3.9 GB`.
fn bytes_text(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// One JSON object per machine: the spec path, then the report, then the
/// process's peak resident memory so far when it is measured.
fn json_line(path: &str, report: &Report, peak: Option<u64>) -> String {
    let mut body = serde_json::to_string(report).unwrap_or_else(|_| "{}".to_owned());
    if let Some(peak) = peak
        && body.ends_with('}')
        && body.len() > 2
    {
        body.pop();
        body.push_str(&format!(",\"peak_rss_bytes\":{peak}}}"));
    }
    let path = serde_json::Value::String(path.to_owned()).to_string();
    match body.strip_prefix('{') {
        Some(rest) if rest != "}" => format!("{{\"path\":{path},{rest}"),
        _ => format!("{{\"path\":{path}}}"),
    }
}

/// The summary line of a machine and its findings with their traces.
fn human(path: &str, r: &Report, peak: Option<u64>) -> String {
    let mut out = format!(
        "{} ({path}): {}, {}, depth {}",
        r.machine,
        count(r.states as usize, "state", "states"),
        count(r.transitions as usize, "transition", "transitions"),
        r.depth
    );
    if !r.complete {
        match r.max_depth {
            Some(d) if r.depth >= d => out.push_str(&format!(" (cut by max_depth {d})")),
            _ => out.push_str(&format!(" (cut by max_states {})", r.max_states)),
        }
    } else if !r.bounds.is_empty() {
        out.push_str(" (complete within its bounds)");
    } else {
        out.push_str(" (complete)");
    }
    if let Some(ms) = r.elapsed_ms {
        out.push_str(&format!(", {:.2} s", ms as f64 / 1000.0));
    }
    let mut memory = format!(
        "state store {}, input instances {}",
        bytes_text(r.store_bytes),
        bytes_text(r.instance_bytes)
    );
    if let Some(peak) = peak {
        memory.push_str(&format!(", process peak RSS {}", bytes_text(peak)));
    }
    out.push_str(&format!(
        ", {} bytes/state ({memory}); {}",
        r.bytes_per_state,
        count(r.findings.len(), "finding", "findings")
    ));
    if !r.notes.is_empty() {
        out.push_str(&format!(", {}", count(r.notes.len(), "note", "notes")));
    }
    out.push('\n');
    let kind_of = |f: &verify::Finding| {
        serde_json::to_value(&f.kind)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_default()
    };
    for f in &r.findings {
        let kind = kind_of(f);
        out.push_str(&format!("  {kind}: {}\n", f.message));
        if let Some(trace) = &f.trace {
            if trace.is_empty() {
                out.push_str("    in the initial state\n");
            }
            for (i, step) in trace.iter().enumerate() {
                out.push_str(&format!("    {:>3}. {step}\n", i + 1));
            }
        }
    }
    for n in &r.notes {
        out.push_str(&format!("  note ({}): {}\n", kind_of(n), n.message));
    }
    for b in &r.bounds {
        out.push_str(&format!(
            "  bound `{}`: {} left out\n",
            b.bound,
            count(b.cut as usize, "state", "states")
        ));
    }
    for p in r.properties.iter().filter(|p| p.holds) {
        out.push_str(&format!("  always_possible `{}`: holds\n", p.name));
    }
    for g in r.goals.iter().filter(|g| g.reached) {
        push_goal(&mut out, g);
    }
    out
}

/// A reached goal and its witness, indented under its machine.
fn push_goal(out: &mut String, g: &verify::Goal) {
    let steps = g.trace.as_deref().unwrap_or_default();
    out.push_str(&format!(
        "  reach `{}`: reached after {}\n",
        g.name,
        count(steps.len(), "input", "inputs")
    ));
    for (i, step) in steps.iter().enumerate() {
        out.push_str(&format!("    {:>3}. {step}\n", i + 1));
    }
}

/// `--witness`: one goal of one machine.
fn witness(machine: &str, path: &str, g: &verify::Goal) -> String {
    let mut out = format!("{machine} ({path}):\n");
    if g.reached {
        push_goal(&mut out, g);
    } else {
        out.push_str(&format!(
            "  reach `{}`: not reached within the bounds\n",
            g.name
        ));
    }
    out
}

/// Writes `text` to `file`, creating its folder when missing.
fn write_creating(file: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(file, text)
}
