//! `fsm fmt` over every spec in the repository: the canonical layout is a
//! fixed point, and formatting never changes what a spec means.

use fsm_core::{SourceFile, compile, fmt};
use serde_json::Value;

/// The model as JSON with every span removed, so that two layouts of the
/// same spec compare equal.
fn meaning(name: &str, text: &str) -> Option<Value> {
    let c = compile(name, text.as_bytes());
    let mut v = serde_json::to_value(c.model?).ok()?;
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

/// Comments of a text, in order, whitespace-trimmed.
fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find("//").map(|i| l[i..].trim().to_owned()))
        .collect()
}

#[test]
fn fmt_is_idempotent_and_preserves_meaning_on_every_spec() {
    let root = fsm_tests::repo_root();
    let mut formatted_count = 0;
    let mut inputs: Vec<(String, String)> = fsm_tests::all_specs()
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(root.join(&p)).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect();
    let lang = std::fs::read_to_string(root.join("docs/language.md")).expect("docs/language.md");
    for (i, block) in fsm_tests::fsm_blocks(&lang).into_iter().enumerate() {
        inputs.push((format!("docs/language.md#{i}"), block));
    }
    for (name, text) in &inputs {
        let Ok(once) = fmt::format(&SourceFile::new(name.as_str(), text.as_str())) else {
            // Files with syntax errors are refused by fmt; the failing-case
            // corpus covers them.
            continue;
        };
        formatted_count += 1;
        let twice = fmt::format(&SourceFile::new(name.as_str(), once.as_str()))
            .unwrap_or_else(|d| panic!("{name}: formatted output does not parse: {d:?}"));
        assert_eq!(once, twice, "{name}: fmt is not idempotent");
        assert_eq!(
            meaning(name, text),
            meaning(name, &once),
            "{name}: fmt changed the checked model"
        );
        assert_eq!(
            comments(text),
            comments(&once),
            "{name}: fmt lost or moved a comment"
        );
    }
    assert!(
        formatted_count >= 10,
        "only {formatted_count} specs were formatted"
    );
}

#[test]
fn bundled_machines_are_formatted() {
    let root = fsm_tests::repo_root();
    let mut unformatted = Vec::new();
    for p in fsm_tests::all_specs() {
        if !p.starts_with("machines") {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&p)).expect("read spec");
        let name = p.display().to_string();
        match fmt::format(&SourceFile::new(name.as_str(), text.as_str())) {
            Ok(out) if out == text => {}
            _ => unformatted.push(name),
        }
    }
    assert!(
        unformatted.is_empty(),
        "run `fsm fmt machines`: {unformatted:?}"
    );
}
