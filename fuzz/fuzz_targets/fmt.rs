//! The formatter on inputs that compile without errors: `fmt::format`
//! accepts them, is a fixed point (formatting its output changes nothing)
//! and never changes what the spec means (the checked model, spans aside,
//! is the same before and after), as `tests/tests/fmt_roundtrip.rs` checks
//! on every spec of the repository.

#![no_main]

use fsm_core::{SourceFile, compile, fmt};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const NAME: &str = "fuzz.fsm";

/// The model as JSON with every span removed.
fn meaning(text: &str) -> Option<Value> {
    let c = compile(NAME, text.as_bytes());
    let mut v = serde_json::to_value(c.model?).expect("model serializes");
    strip_spans(&mut v);
    Some(v)
}

fn strip_spans(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip_spans);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A byte order mark is dropped by `compile` but not by `fmt`.
    if text.starts_with('\u{feff}') {
        return;
    }
    let Some(before) = meaning(text) else {
        return;
    };
    let once = fmt::format(&SourceFile::new(NAME, text))
        .unwrap_or_else(|d| panic!("a spec that compiles is refused by fmt: {d:?}"));
    let twice = fmt::format(&SourceFile::new(NAME, once.as_str()))
        .unwrap_or_else(|d| panic!("formatted output does not parse: {d:?}\n{once}"));
    assert_eq!(once, twice, "fmt is not idempotent");
    let after = meaning(&once);
    assert!(
        after.is_some(),
        "formatted output does not compile:\n{once}"
    );
    assert_eq!(
        Some(before),
        after,
        "fmt changed the checked model:\n{once}"
    );
});
