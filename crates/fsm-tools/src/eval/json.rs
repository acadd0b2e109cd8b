//! Values as the JSON serde gives the generated types (for the parity test
//! and `--emit-test`), and as spec-like text (for traces).

use super::{EvalError, InputValue, State, Value, derived};
use fsm_core::model::{EffectId, Model, Ty};
use serde_json::{Map, Value as Json};

/// `v` as `serde_json::to_value` gives the generated Rust value of type
/// `ty`: enums and phases as their variant names, `None` as `null`, `Some`
/// as its content, sets and lists as arrays, maps as objects (keys as
/// strings), externs as their abstract string.
pub fn to_json(model: &Model, v: &Value, ty: &Ty) -> Json {
    match (v, ty) {
        (Value::Bool(b), _) => Json::Bool(*b),
        (Value::Int(n), _) => int_json(*n),
        (Value::Str(s), _) | (Value::Extern(_, s), _) => Json::String(s.clone()),
        (Value::Phase(p), _) => Json::String(model.phase_name(*p).to_owned()),
        (Value::Enum(e, var), _) => Json::String(model.variant_name(*e, *var).to_owned()),
        (Value::None, _) => Json::Null,
        (Value::Some(inner), Ty::Option(t)) => to_json(model, inner, t),
        (Value::Some(inner), _) => to_json(model, inner, ty),
        (Value::Set(s), Ty::Set(t)) => {
            Json::Array(s.iter().map(|x| to_json(model, x, t)).collect())
        }
        (Value::List(l), Ty::List(t)) => {
            Json::Array(l.iter().map(|x| to_json(model, x, t)).collect())
        }
        (Value::Set(s), _) => Json::Array(s.iter().map(|x| to_json(model, x, ty)).collect()),
        (Value::List(l), _) => Json::Array(l.iter().map(|x| to_json(model, x, ty)).collect()),
        (Value::Map(m), Ty::Map(kt, vt)) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(key_text(model, k, kt), to_json(model, v, vt));
            }
            Json::Object(out)
        }
        (Value::Map(m), _) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(key_text(model, k, ty), to_json(model, v, ty));
            }
            Json::Object(out)
        }
    }
}

fn int_json(n: i128) -> Json {
    if let Ok(n) = i64::try_from(n) {
        Json::from(n)
    } else if let Ok(n) = u64::try_from(n) {
        Json::from(n)
    } else {
        Json::String(n.to_string())
    }
}

/// A map key as serde_json writes it: strings as they are, other scalars
/// as their text.
fn key_text(model: &Model, k: &Value, ty: &Ty) -> String {
    match to_json(model, k, ty) {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

/// An input as the generated input enum serializes: `"Name"` without
/// parameters, `{"Name": {"param": value, …}}` with.
pub fn input_json(model: &Model, input: &InputValue) -> Json {
    let Some(sig) = model.input(input.input) else {
        return Json::Null;
    };
    signature_json(model, &sig.name, &sig.params, &input.args)
}

/// An effect as the generated effect enum serializes.
pub fn effect_json(model: &Model, effect: EffectId, args: &[Value]) -> Json {
    let Some(sig) = model.effect(effect) else {
        return Json::Null;
    };
    signature_json(model, &sig.name, &sig.params, args)
}

fn signature_json(
    model: &Model,
    name: &str,
    params: &[fsm_core::model::Param],
    args: &[Value],
) -> Json {
    if params.is_empty() {
        return Json::String(name.to_owned());
    }
    let mut fields = Map::new();
    for (p, a) in params.iter().zip(args) {
        fields.insert(p.name.clone(), to_json(model, a, &p.ty));
    }
    let mut outer = Map::new();
    outer.insert(name.to_owned(), Json::Object(fields));
    Json::Object(outer)
}

/// The versions a snapshot carries: the schema id and the behaviour
/// version of the spec (computing them hashes the model, which callers that
/// take many snapshots do once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotVersions {
    pub schema: fsm_core::versions::SchemaId,
    pub behaviour: u64,
}

impl SnapshotVersions {
    pub fn of(model: &Model) -> SnapshotVersions {
        SnapshotVersions {
            schema: fsm_core::versions::schema_version(model),
            behaviour: fsm_core::versions::behaviour_version(model),
        }
    }
}

/// The names of the snapshot's schema and behaviour fields: `schema` and
/// `behaviour`, or `spec_schema` and `spec_behaviour` when a name of the
/// spec takes them (as the generated snapshot type names them).
pub fn version_field_names(model: &Model) -> (&'static str, &'static str) {
    let taken = |n: &str| {
        model.fields.iter().any(|f| f.name == n)
            || model.derived.iter().any(|d| d.name == n)
            || model.key.as_ref().is_some_and(|k| k.name == n)
    };
    (
        if taken("schema") {
            "spec_schema"
        } else {
            "schema"
        },
        if taken("behaviour") {
            "spec_behaviour"
        } else {
            "behaviour"
        },
    )
}

/// The snapshot of `state` as the generated snapshot type serializes:
/// the schema id, the behaviour version, the key, the phase, every field
/// and every derived value (`null` for a derived value whose evaluation
/// overflows, which the generated snapshot holds as an `Option`).
pub fn snapshot_json(model: &Model, state: &State) -> Result<Json, EvalError> {
    snapshot_json_with_versions(model, state, SnapshotVersions::of(model))
}

/// [`snapshot_json`] with the versions given.
pub fn snapshot_json_with_versions(
    model: &Model,
    state: &State,
    versions: SnapshotVersions,
) -> Result<Json, EvalError> {
    let mut out = Map::new();
    let (schema_field, behaviour_field) = version_field_names(model);
    out.insert(
        schema_field.to_owned(),
        Json::String(versions.schema.to_string()),
    );
    out.insert(behaviour_field.to_owned(), Json::from(versions.behaviour));
    if let (Some(k), Some(v)) = (&model.key, &state.key) {
        out.insert(k.name.clone(), to_json(model, v, &k.ty));
    }
    out.insert(
        "phase".to_owned(),
        Json::String(model.phase_name(state.phase).to_owned()),
    );
    for (f, v) in model.fields.iter().zip(&state.fields) {
        out.insert(f.name.clone(), to_json(model, v, &f.ty));
    }
    let values = derived(model, state)?;
    for (d, v) in model.derived.iter().zip(values) {
        let json = match v {
            Some(v) => to_json(model, &v, &d.ty),
            None => Json::Null,
        };
        out.insert(d.name.clone(), json);
    }
    Ok(Json::Object(out))
}

/// A value in spec syntax: `true`, `3`, `"text"`, `Phase`,
/// `Enum::Variant`, `none`, `some(x)`, `[a, b]`, `[k: v]`; an extern
/// value as its abstract string.
pub fn render_value(model: &Model, v: &Value) -> String {
    let mut out = String::new();
    write_value(model, v, &mut out);
    out
}

fn write_value(model: &Model, v: &Value, out: &mut String) {
    let list = |out: &mut String, items: &mut dyn Iterator<Item = &Value>| {
        out.push('[');
        for (i, x) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_value(model, x, out);
        }
        out.push(']');
    };
    match v {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Str(s) | Value::Extern(_, s) => out.push_str(&format!("{s:?}")),
        Value::Phase(p) => out.push_str(model.phase_name(*p)),
        Value::Enum(e, var) => {
            let name = model.enum_def(*e).map_or("?", |d| d.name.as_str());
            out.push_str(name);
            out.push_str("::");
            out.push_str(model.variant_name(*e, *var));
        }
        Value::None => out.push_str("none"),
        Value::Some(inner) => {
            out.push_str("some(");
            write_value(model, inner, out);
            out.push(')');
        }
        Value::Set(s) => list(out, &mut s.iter()),
        Value::List(l) => list(out, &mut l.iter()),
        Value::Map(m) => {
            out.push('[');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(model, k, out);
                out.push_str(": ");
                write_value(model, v, out);
            }
            out.push(']');
        }
    }
}

/// An input in spec syntax: `Name` or `Name(arg, …)`.
pub fn render_input(model: &Model, input: &InputValue) -> String {
    let name = model.input(input.input).map_or("?", |i| i.name.as_str());
    if input.args.is_empty() {
        return name.to_owned();
    }
    let args: Vec<String> = input.args.iter().map(|a| render_value(model, a)).collect();
    format!("{name}({})", args.join(", "))
}
