//! How every tool grows with the size of a spec, on the two specs of
//! `support/scale.rs` with n = 1 000, 5 000, 20 000 and 80 000: `scale`,
//! n inputs of one transition each (at 80 000 about 4 MB, just under
//! `fsm_core::MAX_SOURCE_LEN`), and `ring`, one input with n transitions,
//! each from its own one of n phases. One criterion benchmark per tool and
//! size, with n as throughput, so the elements per second stay about flat
//! when a tool is linear.
//!
//! Sample counts are the smallest criterion accepts, so the whole bench
//! runs in a few minutes: `cargo bench -p fsm-tools --bench scale`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fsm_core::Model;
use fsm_tools::verify::{self, Options};
use fsm_tools::{doc, export, graph};
use std::hint::black_box;
use std::time::Duration;

#[path = "support/scale.rs"]
mod scale;

const SIZES: [usize; 4] = [1_000, 5_000, 20_000, 80_000];

fn model(text: &str) -> Model {
    let compilation = fsm_core::compile("scale.fsm", text.as_bytes());
    match compilation.model {
        Some(model) => model,
        None => panic!("the spec has errors: {:?}", compilation.diagnostics),
    }
}

fn bench(c: &mut Criterion) {
    shape(c, "scale", scale::spec);
    shape(c, "ring", scale::ring);
}

/// Every tool on the specs `spec` writes for each size, as group `name`.
fn shape(c: &mut Criterion, name: &str, spec: fn(usize) -> String) {
    let specs: Vec<(usize, String)> = SIZES.iter().map(|&n| (n, spec(n))).collect();
    for (n, text) in &specs {
        assert!(
            text.len() <= fsm_core::MAX_SOURCE_LEN,
            "the {name} spec of size {n} is {} bytes, over the source limit",
            text.len()
        );
    }
    let models: Vec<(usize, Model)> = specs.iter().map(|(n, t)| (*n, model(t))).collect();

    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(100));
    group.measurement_time(Duration::from_secs(1));
    for ((n, text), (_, m)) in specs.iter().zip(&models) {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::new("compile", n), text, |b, t| {
            b.iter(|| black_box(fsm_core::compile("scale.fsm", t.as_bytes())))
        });
        group.bench_with_input(BenchmarkId::new("codegen", n), m, |b, m| {
            b.iter(|| black_box(fsm_core::codegen::generate(m)))
        });
        group.bench_with_input(BenchmarkId::new("doc", n), m, |b, m| {
            b.iter(|| black_box(doc::page(m, None)))
        });
        group.bench_with_input(BenchmarkId::new("promela", n), m, |b, m| {
            b.iter(|| black_box(export::promela(m)))
        });
        group.bench_with_input(BenchmarkId::new("tla", n), m, |b, m| {
            b.iter(|| black_box(export::tla(m)))
        });
        group.bench_with_input(BenchmarkId::new("json", n), m, |b, m| {
            b.iter(|| black_box(export::json(m)))
        });
        group.bench_with_input(BenchmarkId::new("graph", n), m, |b, m| {
            b.iter(|| black_box((graph::mermaid(m), graph::dot(m))))
        });
        group.bench_with_input(BenchmarkId::new("verify", n), m, |b, m| {
            b.iter(|| black_box(verify::verify(m, &mut Options::default())))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
