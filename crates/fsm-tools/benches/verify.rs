//! `fsm verify` throughput: states explored per second on the largest
//! bundled machine and on a spec that scales with a size, and the bytes
//! each stored state takes (printed once per model).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fsm_tools::verify::{self, Options, Report};
use std::hint::black_box;

#[path = "support/models.rs"]
mod models;

/// One full run of the checker on `model`.
pub fn run(model: &fsm_core::Model, max_depth: Option<u64>) -> Report {
    let mut options = Options {
        max_depth,
        ..Options::default()
    };
    match verify::verify(model, &mut options) {
        Ok(report) => report,
        Err(e) => panic!("cannot verify `{}`: {e}", model.name),
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    for (name, text, max_depth) in models::models() {
        let Some(model) = fsm_core::compile(&name, text.as_bytes()).model else {
            panic!("`{name}` does not compile");
        };
        let report = run(&model, max_depth);
        eprintln!(
            "{name}: {} states, {} transitions, {} bytes/state",
            report.states, report.transitions, report.bytes_per_state
        );
        group.throughput(Throughput::Elements(report.states));
        group.bench_function(&name, |b| b.iter(|| black_box(run(&model, max_depth))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
