//! The spec version stored in snapshots: a 64-bit FNV-1a hash of the
//! model's meaning.
//!
//! The model is serialized to JSON without what does not change behaviour:
//! source positions (`span`), doc comments (`docs`), the `verify` settings,
//! and `null` entries (so an optional field added to the model later does
//! not change the version of specs that do not use it). Object keys are
//! written sorted, so the text does not depend on serializer settings.

use crate::model::Model;
use serde_json::Value;
use std::fmt::Write;

/// The spec version of `model`.
pub fn spec_version(model: &Model) -> u64 {
    fnv1a(version_json(model).as_bytes())
}

/// The canonical JSON text the version is the hash of.
pub fn version_json(model: &Model) -> String {
    let mut value = serde_json::to_value(model).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("verify");
        map.remove("bindings");
    }
    let mut out = String::new();
    write_canonical(&value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map
                .iter()
                .filter(|(k, v)| !matches!(k.as_str(), "span" | "docs") && !v.is_null())
                .collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push_str(&Value::String(s.to_owned()).to_string());
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        let c = crate::compile("v.fsm", text.as_bytes());
        match c.model {
            Some(m) => m,
            None => panic!("spec has errors: {:?}", c.diagnostics),
        }
    }

    const SPEC: &str = "machine M {\n    phases { A, B }\n    initial A\n    input Go\n    transition go on Go from A -> B\n}\n";

    #[test]
    fn fnv1a_matches_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn layout_comments_docs_and_verify_do_not_change_the_version() {
        let base = spec_version(&model(SPEC));
        let moved = SPEC.replace("machine M {\n", "// a comment\n/// docs\nmachine M {\n\n\n");
        assert_eq!(spec_version(&model(&moved)), base);
        let verify = SPEC.replace("initial A\n", "initial A\n    verify { max_depth 3 }\n");
        assert_eq!(spec_version(&model(&verify)), base);
    }

    #[test]
    fn behaviour_changes_the_version() {
        let base = spec_version(&model(SPEC));
        let other = SPEC.replace("-> B", "-> stay");
        assert_ne!(spec_version(&model(&other)), base);
        let renamed = SPEC
            .replace("phases { A, B }", "phases { A, C }")
            .replace("-> B", "-> C");
        assert_ne!(spec_version(&model(&renamed)), base);
    }

    #[test]
    fn canonical_json_has_no_spans_and_sorted_keys() {
        let json = version_json(&model(SPEC));
        assert!(!json.contains("\"span\""));
        assert!(json.starts_with("{\"consts\":"), "{json}");
    }
}
