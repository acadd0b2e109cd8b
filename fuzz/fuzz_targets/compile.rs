//! The front end on arbitrary bytes: `compile` never panics, every
//! diagnostic has a primary label and every label lies inside the file, a
//! model exists only without errors, and every renderer (text, coloured
//! text, short lines, JSON) runs without panicking and stays bounded.

#![no_main]

use fsm_core::render::{self, MAX_DIAGNOSTICS};
use libfuzzer_sys::fuzz_target;

/// A generous bound on one renderer's output: each of the at most
/// `MAX_DIAGNOSTICS` diagnostics shown prints a few windowed source lines,
/// its message, notes and help; 16 KiB apiece is far above any real one.
const MAX_RENDERED: usize = (MAX_DIAGNOSTICS + 1) * 16 * 1024;

fuzz_target!(|data: &[u8]| {
    let c = fsm_core::compile("fuzz.fsm", data);
    let len = c.source.text().len() as u32;
    for d in &c.diagnostics {
        for label in &d.labels {
            assert!(
                label.span.start <= label.span.end && label.span.end <= len,
                "{} label {:?} outside a file of {len} bytes",
                d.code,
                label.span
            );
        }
        assert!(
            d.labels.iter().any(|l| l.primary),
            "{} has no primary label",
            d.code
        );
    }
    if c.has_errors() {
        assert!(c.model.is_none(), "a model escaped with errors");
    }

    let plain = render::render(&c.source, &c.diagnostics, false);
    assert!(plain.len() < MAX_RENDERED, "render: {} bytes", plain.len());
    let colored = render::render(&c.source, &c.diagnostics, true);
    assert!(
        colored.len() < 2 * MAX_RENDERED,
        "render (colour): {} bytes",
        colored.len()
    );
    let short = render::short_report(&c.source, &c.diagnostics);
    assert!(
        short.len() < MAX_RENDERED,
        "short_report: {} bytes",
        short.len()
    );
    let json = render::to_json(&c.source, &c.diagnostics);
    assert!(
        json.len() <= MAX_DIAGNOSTICS + 1,
        "to_json: {} objects",
        json.len()
    );
    let json = serde_json::to_string(&json).expect("diagnostics serialize");
    assert!(json.len() < MAX_RENDERED, "to_json: {} bytes", json.len());
});
