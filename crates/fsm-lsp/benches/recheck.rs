//! The cost of one edit of the largest bundled spec (`machines/turn.fsm`):
//! a full `didChange` → `publishDiagnostics` cycle of the server (compile,
//! index, map diagnostics to LSP ranges), against `fsm_core::compile` alone
//! as the baseline measured in the same run.

use criterion::{Criterion, criterion_group, criterion_main};
use fsm_lsp::Server;
use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::json;
use std::hint::black_box;

const URI: &str = "file:///machines/turn.fsm";

fn spec() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../machines/turn.fsm");
    std::fs::read_to_string(path).expect("machines/turn.fsm")
}

fn recheck(c: &mut Criterion) {
    let text = spec();
    // Two versions that differ by one edit, so every change is real.
    let edited = text.replacen("machine ", "machine  ", 1);
    let mut server = Server::default();
    let init = Request::new(
        RequestId::from(1),
        "initialize".into(),
        json!({"capabilities": {}}),
    );
    server.handle(Message::Request(init));
    let open =
        json!({"textDocument": {"uri": URI, "languageId": "fsm", "version": 1, "text": text}});
    server.handle(Message::Notification(Notification::new(
        "textDocument/didOpen".into(),
        open,
    )));
    let mut group = c.benchmark_group("turn.fsm");
    group.bench_function("compile (baseline)", |b| {
        b.iter(|| fsm_core::compile("turn.fsm", black_box(text.as_bytes())))
    });
    let mut version = 1;
    group.bench_function("didChange -> publishDiagnostics", |b| {
        b.iter(|| {
            version += 1;
            let body = if version % 2 == 0 { &edited } else { &text };
            let change = Notification::new(
                "textDocument/didChange".into(),
                json!({"textDocument": {"uri": URI, "version": version},
                       "contentChanges": [{"text": body}]}),
            );
            let (out, _) = server.handle(Message::Notification(change));
            assert_eq!(out.len(), 1, "one publishDiagnostics");
            black_box(out)
        })
    });
    group.finish();
}

criterion_group!(benches, recheck);
criterion_main!(benches);
