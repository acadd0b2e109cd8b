//! `fsm verify` against SPIN on the models of the `verify` bench and on
//! `tool_surface` with its spec's own bounds: one criterion group per model,
//! measuring `fsm_tools::verify::verify` run in-process and SPIN's
//! breadth-first search (`./pan`, compiled once per model before measuring,
//! run as a process), both with the model's state count as throughput so
//! the two states/second come from the same run.
//!
//! Before measuring, each model prints its states (both sides must agree),
//! the bytes per state of `fsm verify` (`Report::bytes_per_state`: state
//! store, hash table and parent links) and those of SPIN, from pan's "Stats
//! on memory usage" lines divided by the states: "actual memory usage for
//! states" (what pan allocated for them, in large blocks, so it overstates
//! small searches), "equivalent memory usage for states" (states × (state
//! vector + overhead)) and "memory used for hash table". Without `spin` or
//! `gcc` on the path, only `fsm verify` is measured.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fsm_tools::export;
use fsm_tools::verify::{self, Options, Report};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

#[path = "support/models.rs"]
mod models;

/// The C compiler flags of pan: breadth-first, no partial-order reduction,
/// safety properties only (as `cargo xtask spin`), optimized as SPIN
/// recommends for performance measurements.
const GCC_FLAGS: &[&str] = &[
    "-O2",
    "-w",
    "-DBFS",
    "-DNOREDUCE",
    "-DSAFETY",
    "-DVECTORSZ=8192",
    "-DMEMLIM=8192",
];

/// One full run of the checker on `model`.
fn run(model: &fsm_core::Model, max_depth: Option<u64>) -> Report {
    let mut options = Options {
        max_depth,
        ..Options::default()
    };
    match verify::verify(model, &mut options) {
        Ok(report) => report,
        Err(e) => panic!("cannot verify `{}`: {e}", model.name),
    }
}

/// A compiled SPIN verifier and how to run it.
struct Pan {
    dir: PathBuf,
    args: Vec<String>,
}

impl Pan {
    /// Runs the search once, returning pan's output.
    fn search(&self) -> Result<String, String> {
        run_in(&self.dir, "./pan", &self.args)
    }
}

/// What pan reports about one search.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PanStats {
    states: u64,
    errors: u64,
    /// "actual memory usage for states", in megabytes.
    state_memory_mb: Option<f64>,
    /// "equivalent memory usage for states", in megabytes.
    equivalent_mb: Option<f64>,
    /// "memory used for hash table", in megabytes.
    hash_table_mb: Option<f64>,
}

/// Exports `model` to Promela in `dir`, compiles its verifier and returns
/// how to run it with the same depth bound as `report`'s search.
fn build_pan(model: &fsm_core::Model, report: &Report, dir: &Path) -> Result<Pan, String> {
    let promela = export::promela(model).map_err(|e| format!("cannot export: {e}"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let pml = format!("{}.pml", model.name);
    std::fs::write(dir.join(&pml), promela).map_err(|e| format!("cannot write the model: {e}"))?;
    run_in(dir, "spin", &["-a".to_owned(), pml])?;
    let mut gcc: Vec<String> = GCC_FLAGS.iter().map(|f| (*f).to_owned()).collect();
    gcc.extend(["-o", "pan", "pan.c"].map(str::to_owned));
    run_in(dir, "gcc", &gcc)?;
    // A complete search is not cut by a larger bound.
    let depth = report.max_depth.unwrap_or(report.depth + 1);
    Ok(Pan {
        dir: dir.to_owned(),
        args: vec![
            format!("-m{depth}"),
            "-c0".to_owned(),
            "-E".to_owned(),
            format!("-w{}", hash_bits(report.states)),
        ],
    })
}

/// The size of pan's hash table (`-w`, a power of two of slots): the
/// smallest holding the states at most half full, about as loaded as the
/// table of `fsm verify`.
fn hash_bits(states: u64) -> u32 {
    let wanted = states.saturating_mul(2).max(1 << 10);
    let bits = u64::BITS - (wanted - 1).leading_zeros();
    bits.min(32)
}

/// Reads the stored states, the error count and the memory lines from
/// pan's output.
fn parse_pan(output: &str) -> Result<PanStats, String> {
    let mut states = None;
    let mut errors = None;
    let mut state_memory_mb = None;
    let mut equivalent_mb = None;
    let mut hash_table_mb = None;
    for line in output.lines() {
        let line = line.trim();
        if let Some(n) = line.strip_suffix("states, stored") {
            states = n.trim().parse::<u64>().ok();
        } else if let Some(mb) = megabytes(line, "actual memory usage for states") {
            state_memory_mb = Some(mb);
        } else if let Some(mb) = megabytes(line, "equivalent memory usage for states") {
            equivalent_mb = Some(mb);
        } else if let Some(mb) = megabytes(line, "memory used for hash table") {
            hash_table_mb = Some(mb);
        }
        if let Some(pos) = line.find("errors: ") {
            errors = line
                .get(pos + "errors: ".len()..)
                .and_then(|rest| rest.trim().parse::<u64>().ok());
        }
    }
    match (states, errors) {
        (Some(states), Some(errors)) => Ok(PanStats {
            states,
            errors,
            state_memory_mb,
            equivalent_mb,
            hash_table_mb,
        }),
        _ => Err(format!("cannot read pan's output:\n{output}")),
    }
}

/// The number of megabytes of a pan memory line `<number> <label> …`.
fn megabytes(line: &str, label: &str) -> Option<f64> {
    let (number, rest) = line.split_once(char::is_whitespace)?;
    if rest.trim_start().starts_with(label) {
        number.parse().ok()
    } else {
        None
    }
}

/// Runs `program` in `dir`, returning stdout and stderr together.
fn run_in(dir: &Path, program: &str, args: &[String]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "`{program} {}` failed ({}):\n{text}",
            args.join(" "),
            out.status
        ))
    }
}

/// Whether `tool` runs with `args`.
fn works(tool: &str, args: &[&str]) -> bool {
    Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Bytes per state of `megabytes` (pan's unit is 2^20 bytes).
fn per_state(megabytes: Option<f64>, states: u64) -> String {
    match megabytes {
        Some(mb) if states > 0 => format!("{:.1}", mb * 1_048_576.0 / states as f64),
        _ => "?".to_owned(),
    }
}

/// The models of the `verify` bench, then the largest bundled machine
/// with its spec's own bounds.
fn all_models() -> Vec<(String, String, Option<u64>)> {
    let mut out = models::models();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../machines/tool_surface.fsm");
    if let Ok(text) = std::fs::read_to_string(path) {
        out.push(("tool_surface (spec bounds)".to_owned(), text, None));
    }
    out
}

fn bench(c: &mut Criterion) {
    let spin = works("spin", &["-V"]) && works("gcc", &["--version"]);
    if !spin {
        eprintln!("spin or gcc is not installed: measuring `fsm verify` alone");
    }
    let work = std::env::temp_dir().join(format!("fsm-bench-spin-{}", std::process::id()));
    for (index, (name, text, max_depth)) in all_models().into_iter().enumerate() {
        let Some(model) = fsm_core::compile(&name, text.as_bytes()).model else {
            panic!("`{name}` does not compile");
        };
        let report = run(&model, max_depth);
        let pan = if spin {
            let pan = build_pan(&model, &report, &work.join(index.to_string()))
                .unwrap_or_else(|e| panic!("`{name}`: {e}"));
            let output = pan.search().unwrap_or_else(|e| panic!("`{name}`: {e}"));
            let stats = parse_pan(&output).unwrap_or_else(|e| panic!("`{name}`: {e}"));
            assert_eq!(stats.errors, 0, "`{name}`: pan found errors:\n{output}");
            assert_eq!(
                stats.states, report.states,
                "`{name}`: `fsm verify` and SPIN store different numbers of states"
            );
            eprintln!(
                "{name}: {} states (fsm verify = SPIN), depth {}, {} input instances, {} fired \
                 transitions; bytes/state: fsm verify {}; SPIN {} (actual memory usage for \
                 states), {} (equivalent memory usage for states), + {} (hash table, {})",
                report.states,
                report.depth,
                report.instances,
                report.transitions,
                report.bytes_per_state,
                per_state(stats.state_memory_mb, stats.states),
                per_state(stats.equivalent_mb, stats.states),
                per_state(stats.hash_table_mb, stats.states),
                pan.args.last().map_or("", String::as_str),
            );
            Some(pan)
        } else {
            eprintln!(
                "{name}: {} states, depth {}; bytes/state: fsm verify {}",
                report.states, report.depth, report.bytes_per_state
            );
            None
        };

        let mut group = c.benchmark_group(&name);
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(3));
        group.throughput(Throughput::Elements(report.states));
        group.bench_function("fsm verify", |b| {
            b.iter(|| black_box(run(&model, max_depth)))
        });
        if let Some(pan) = &pan {
            group.bench_function("spin", |b| {
                b.iter(|| match pan.search() {
                    Ok(output) => black_box(output),
                    Err(e) => panic!("`{name}`: {e}"),
                })
            });
        }
        group.finish();
    }
    let _ = std::fs::remove_dir_all(&work);
}

criterion_group!(benches, bench);
criterion_main!(benches);
