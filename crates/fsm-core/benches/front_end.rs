//! Parse + check cost: every bundled spec, and generated specs of growing
//! size (up to 200 phases and 1000 transitions) to show how the cost scales;
//! and the cost of reporting on hostile input (200 000 diagnostics on one
//! 2.6 MB line), next to the cost of compiling it as a baseline measured in
//! the same run.
//!
//! Run with `cargo bench -p fsm-core --bench front_end`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

/// A spec with `phases` phases in a ring, `transitions` transitions spread
/// over `phases / 2` inputs, each with a guard, an update and an emit.
pub fn generated_spec(phases: usize, transitions: usize) -> String {
    let inputs = (phases / 2).max(1);
    let mut s = String::new();
    writeln!(s, "/// Generated benchmark machine.\nmachine Big {{").unwrap();
    s.push_str("    phases {\n");
    for p in 0..phases {
        writeln!(s, "        P{p},").unwrap();
    }
    s.push_str("    }\n    initial P0\n");
    s.push_str("    state {\n        count: u64 = 0\n        seen: Set<u64> = []\n    }\n");
    for i in 0..inputs {
        writeln!(s, "    input I{i}(n: u64)").unwrap();
    }
    s.push_str("    effect Moved(count: u64)\n");
    for t in 0..transitions {
        let input = t % inputs;
        // Each (input, source) pair is used once, so nothing overlaps, and
        // the sources cover every phase.
        let from = (2 * input + t / inputs) % phases;
        let to = (from + 1 + t % 3) % phases;
        writeln!(
            s,
            "    transition t{t} on I{input} from P{from} -> P{to}\n        \
             guard small{t}: n < 1000 && !seen.contains(n)\n    {{\n        \
             count += 1\n        seen.insert(n)\n        emit Moved(count)\n    }}"
        )
        .unwrap();
    }
    s.push_str("    invariant bounded: count <= 1_000_000\n}\n");
    s
}

fn bundled(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../machines");
    let mut specs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "fsm"))
                .filter_map(|p| {
                    let name = p.file_name()?.to_string_lossy().into_owned();
                    Some((name, std::fs::read(&p).ok()?))
                })
                .collect()
        })
        .unwrap_or_default();
    specs.sort();
    let mut group = c.benchmark_group("bundled");
    for (name, bytes) in &specs {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), bytes, |b, bytes| {
            b.iter(|| fsm_core::compile(black_box(name), black_box(bytes)))
        });
    }
    let all: usize = specs.iter().map(|(_, b)| b.len()).sum();
    group.throughput(Throughput::Bytes(all as u64));
    group.bench_function("all", |b| {
        b.iter(|| {
            for (name, bytes) in &specs {
                black_box(fsm_core::compile(name, bytes));
            }
        })
    });
    group.finish();
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("generated");
    group.sample_size(20);
    for (phases, transitions) in [(25, 125), (50, 250), (100, 500), (200, 1000)] {
        let spec = generated_spec(phases, transitions);
        let check = fsm_core::compile("big.fsm", spec.as_bytes());
        assert!(
            !check.has_errors(),
            "generated spec must be valid: {:?}",
            check.diagnostics.first()
        );
        group.throughput(Throughput::Elements(transitions as u64));
        group.bench_with_input(
            BenchmarkId::new("transitions", transitions),
            &spec,
            |b, spec| b.iter(|| fsm_core::compile("big.fsm", black_box(spec.as_bytes()))),
        );
    }
    group.finish();
}

/// One 2.6 MB line declaring the same phase 200 000 times: 199 999
/// duplicate-phase errors, every one on that line.
fn hostile_spec() -> String {
    let phases = "Abcdefghijk, ".repeat(200_000);
    format!("machine M {{ phases {{ {phases}}} initial Abcdefghijk }}\n")
}

/// Reporting costs about as much as compiling, not seconds more: positions
/// come from the line index and excerpts are windows, and only the first
/// `MAX_DIAGNOSTICS` are rendered.
fn hostile(c: &mut Criterion) {
    let spec = hostile_spec();
    let compilation = fsm_core::compile("big.fsm", spec.as_bytes());
    assert!(compilation.diagnostics.len() > 100_000);
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(spec.len() as u64));
    group.bench_function("compile (baseline)", |b| {
        b.iter(|| fsm_core::compile("big.fsm", black_box(spec.as_bytes())))
    });
    let (source, diags) = (&compilation.source, &compilation.diagnostics);
    group.bench_function("json", |b| {
        b.iter(|| fsm_core::render::to_json(black_box(source), black_box(diags)))
    });
    group.bench_function("short", |b| {
        b.iter(|| fsm_core::render::short_report(black_box(source), black_box(diags)))
    });
    group.bench_function("human", |b| {
        b.iter(|| fsm_core::render::render(black_box(source), black_box(diags), false))
    });
    group.finish();
}

criterion_group!(benches, bundled, scaling, hostile);
criterion_main!(benches);
