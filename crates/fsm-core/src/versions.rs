//! The two versions a snapshot carries.
//!
//! - The **schema** version says what a snapshot holds: the key (name and
//!   type), the phases (names, in order), the fields (names and types, in
//!   order) and the enums reachable from the key's and the fields' types
//!   (names and variants, in order). Its printable form, [`SchemaId`], is
//!   16 lowercase hex digits.
//! - The **behaviour** version says what the machine does with it: a hash
//!   of the whole checked model without source positions, doc comments, the
//!   `verify` settings and the `impl` bindings. A change that leaves the
//!   schema alone (a guard, a transition, an invariant) changes only this.
//!
//! Both are 64-bit FNV-1a hashes of a canonical text, so they do not depend
//! on layout, comments or serializer settings.

use crate::model::{Model, Ty};
use serde_json::Value;
use std::fmt::{self, Write};

/// A schema version: 64 bits, printed as 16 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchemaId(pub u64);

impl SchemaId {
    /// Reads the printed form: exactly 16 hex digits.
    pub fn parse(text: &str) -> Option<SchemaId> {
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(SchemaId)
    }
}

impl fmt::Display for SchemaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The shape a schema version is the hash of, with types as written in
/// spec syntax (`Map<String, u32>`, an extern by its spec name).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaShape {
    /// `(name, type)` of the key.
    pub key: Option<(String, String)>,
    /// Phase names, in order.
    pub phases: Vec<String>,
    /// `(name, type)` of each field, in order.
    pub fields: Vec<(String, String)>,
    /// `(name, variants)` of each enum reachable from the key's and the
    /// fields' types; sorted by name.
    pub enums: Vec<(String, Vec<String>)>,
}

impl SchemaShape {
    /// The shape of a checked model.
    pub fn of(model: &Model) -> SchemaShape {
        let mut reached = std::collections::BTreeSet::new();
        let mut reach = |ty: &Ty| collect_enums(ty, &mut reached);
        if let Some(k) = &model.key {
            reach(&k.ty);
        }
        for f in &model.fields {
            reach(&f.ty);
        }
        let mut enums: Vec<(String, Vec<String>)> = reached
            .into_iter()
            .filter_map(|id| model.enums.get(id))
            .map(|e| {
                let variants = e.variants.iter().map(|v| v.name.clone()).collect();
                (e.name.clone(), variants)
            })
            .collect();
        enums.sort_by(|a, b| a.0.cmp(&b.0));
        SchemaShape {
            key: model
                .key
                .as_ref()
                .map(|k| (k.name.clone(), model.ty_name(&k.ty))),
            phases: model.phases.iter().map(|p| p.name.clone()).collect(),
            fields: model
                .fields
                .iter()
                .map(|f| (f.name.clone(), model.ty_name(&f.ty)))
                .collect(),
            enums,
        }
    }

    /// The canonical text the id is the hash of: one line per item.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        if let Some((name, ty)) = &self.key {
            let _ = writeln!(out, "key {name}: {ty}");
        }
        let _ = writeln!(out, "phases {}", self.phases.join(", "));
        for (name, ty) in &self.fields {
            let _ = writeln!(out, "field {name}: {ty}");
        }
        for (name, variants) in &self.enums {
            let _ = writeln!(out, "enum {name} {{ {} }}", variants.join(", "));
        }
        out
    }

    /// The id of this shape.
    pub fn id(&self) -> SchemaId {
        SchemaId(fnv1a(self.canonical().as_bytes()))
    }
}

fn collect_enums(ty: &Ty, out: &mut std::collections::BTreeSet<usize>) {
    match ty {
        Ty::Enum(e) => {
            out.insert(e.index());
        }
        Ty::Option(t) | Ty::Set(t) | Ty::List(t) => collect_enums(t, out),
        Ty::Map(k, v) => {
            collect_enums(k, out);
            collect_enums(v, out);
        }
        Ty::Bool | Ty::Int(_) | Ty::String | Ty::Phase | Ty::Extern(_) => {}
    }
}

/// The schema version of `model`.
pub fn schema_version(model: &Model) -> SchemaId {
    SchemaShape::of(model).id()
}

/// The behaviour version of `model`.
pub fn behaviour_version(model: &Model) -> u64 {
    fnv1a(behaviour_json(model).as_bytes())
}

/// The canonical JSON text the behaviour version is the hash of: the model
/// without `verify`, `bindings`, spans, docs and `null` entries (so an
/// optional part added to the model later does not change the version of
/// specs that do not use it), object keys sorted.
pub fn behaviour_json(model: &Model) -> String {
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

    const SPEC: &str = "machine M {\n    enum Level { Low, High }\n    enum Unused { X }\n    phases { A, B }\n    initial A\n    state { n: u32 = 0  level: Level = Level::Low }\n    input Go\n    transition go on Go from A -> B\n}\n";

    #[test]
    fn fnv1a_matches_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn schema_id_prints_and_parses_16_hex_digits() {
        let id = schema_version(&model(SPEC));
        let text = id.to_string();
        assert_eq!(text.len(), 16);
        assert_eq!(SchemaId::parse(&text), Some(id));
        assert_eq!(SchemaId::parse("12"), None);
        assert_eq!(SchemaId::parse("zzzzzzzzzzzzzzzz"), None);
        assert_eq!(SchemaId::parse("+123456789abcdef"), None);
    }

    #[test]
    fn the_shape_lists_key_phases_fields_and_reachable_enums() {
        let shape = SchemaShape::of(&model(SPEC));
        assert_eq!(
            shape.canonical(),
            "phases A, B\nfield n: u32\nfield level: Level\nenum Level { Low, High }\n"
        );
    }

    #[test]
    fn layout_comments_docs_and_verify_change_neither_version() {
        let base = model(SPEC);
        let moved = SPEC.replace("machine M {\n", "// a comment\n/// docs\nmachine M {\n\n\n");
        let verify = SPEC.replace("initial A\n", "initial A\n    verify { max_depth 3 }\n");
        for text in [moved, verify] {
            let m = model(&text);
            assert_eq!(schema_version(&m), schema_version(&base));
            assert_eq!(behaviour_version(&m), behaviour_version(&base));
        }
    }

    #[test]
    fn a_behaviour_change_keeps_the_schema() {
        let base = model(SPEC);
        let other = model(&SPEC.replace("-> B", "-> stay"));
        assert_eq!(schema_version(&other), schema_version(&base));
        assert_ne!(behaviour_version(&other), behaviour_version(&base));
        // An enum no field reaches is not part of the schema.
        let unused = model(&SPEC.replace("enum Unused { X }", "enum Unused { X, Y }"));
        assert_eq!(schema_version(&unused), schema_version(&base));
    }

    #[test]
    fn a_shape_change_changes_the_schema() {
        let base = schema_version(&model(SPEC));
        let renamed = SPEC
            .replace("phases { A, B }", "phases { A, C }")
            .replace("-> B", "-> C");
        let reordered = SPEC.replace("phases { A, B }", "phases { B, A }");
        let retyped = SPEC.replace("n: u32", "n: u64");
        let variant = SPEC.replace("{ Low, High }", "{ Low, Mid, High }");
        for text in [renamed, reordered, retyped, variant] {
            assert_ne!(schema_version(&model(&text)), base, "{text}");
        }
    }

    #[test]
    fn canonical_json_has_no_spans_and_sorted_keys() {
        let json = behaviour_json(&model(SPEC));
        assert!(!json.contains("\"span\""));
        assert!(json.starts_with("{\"consts\":"), "{json}");
    }
}
