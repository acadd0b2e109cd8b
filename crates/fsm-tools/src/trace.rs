//! Traces: the inputs sent to one machine instance and what each did, as
//! JSON lines (the format of `docs/simulation.md`, shared by `fsm sim`,
//! `fsm replay` and the runtime's recorder `fsm::trace::TraceWriter`).
//!
//! ```text
//! {"fsm_trace":1,"machine":"Door"}
//! {"input":"Push","step":{"effects":[],"from":"Closed","to":"Open","transition":"open"}}
//! {"input":{"Lock":{"code":3}},"rejected":{"kind":"no_matching_transition"}}
//! ```
//!
//! Reading ([`parse`]) checks every line against the model: inputs and the
//! key are read back into [`Value`]s by their declared types (integers in
//! range, enum variants and phases by name, extern values as strings), so a
//! trace that reads can be replayed with [`eval::step`]. What a line records
//! (its `step` or `rejected`) is kept as written and compared with what the
//! evaluator does ([`compare`]).
//!
//! The module also reads inputs and values as a person types them, in spec
//! syntax ([`parse_input`], [`parse_value`]): `Lock(3)`, `Lock(code: 3)`,
//! `Start(7, Priority::High)`, `Tag("x")`, `Set(some([1, 2]))`.
//!
//! Like the rest of the crate it does no I/O: it reads and writes text.

use crate::eval::{self, InputValue, Outcome, Rejected, State, Value};
use fsm_core::lexer::{self, Keyword, Token, TokenKind};
use fsm_core::model::{EffectId, InputId, Model, Signature, Ty};
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The version of the format this module reads and writes (the header's
/// `fsm_trace`).
pub const FORMAT_VERSION: u64 = 1;

/// How deeply values may nest in a trace or a typed input.
const MAX_NESTING: usize = 64;

/// A trace read from a file or built by a tool.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The machine's name, as the header gives it.
    pub machine: String,
    /// The key of a keyed machine.
    pub key: Option<Value>,
    pub entries: Vec<Entry>,
}

/// One input of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The line of the file it was read from (1-based; 0 for an entry
    /// that was not read from a file).
    pub line: usize,
    pub input: InputValue,
    /// What the line records the machine did, if anything.
    pub recorded: Option<Recorded>,
}

/// What one input did, as a trace records it: the serde form of
/// `fsm::Step` or `fsm::Rejection`.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// Accepted: a transition fired, or the input was ignored
    /// (`transition` is `None`).
    Step {
        transition: Option<String>,
        from: String,
        to: String,
        /// Each effect as the generated effect enum serializes.
        effects: Vec<Json>,
    },
    /// Refused; the state is unchanged.
    Rejected(Rejection),
}

/// A recorded rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub kind: RejectionKind,
    /// The transition concerned (every kind but `no_matching_transition`).
    pub transition: Option<String>,
    /// The guard that failed (`guard_rejected`).
    pub guard: Option<String>,
    /// The invariant the transition would break (`invariant_violated`).
    pub invariant: Option<String>,
}

/// The kinds of rejection, named as in the trace format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionKind {
    NoMatchingTransition,
    GuardRejected,
    ArithmeticOverflow,
    InvariantViolated,
}

impl RejectionKind {
    pub const ALL: [RejectionKind; 4] = [
        RejectionKind::NoMatchingTransition,
        RejectionKind::GuardRejected,
        RejectionKind::ArithmeticOverflow,
        RejectionKind::InvariantViolated,
    ];

    /// The name the format uses: `guard_rejected`, ….
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectionKind::NoMatchingTransition => "no_matching_transition",
            RejectionKind::GuardRejected => "guard_rejected",
            RejectionKind::ArithmeticOverflow => "arithmetic_overflow",
            RejectionKind::InvariantViolated => "invariant_violated",
        }
    }

    pub fn from_name(name: &str) -> Option<RejectionKind> {
        RejectionKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A line of a trace that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceError {
    /// The 1-based line (0 when the trace has no line at all).
    pub line: usize,
    pub message: String,
}

impl TraceError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        TraceError {
            line,
            message: message.into(),
        }
    }

    /// `FILE:LINE: message` (`FILE: message` for the whole file).
    pub fn located(&self, file: &str) -> String {
        if self.line == 0 {
            format!("{file}: {}", self.message)
        } else {
            format!("{file}:{}: {}", self.line, self.message)
        }
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for TraceError {}

// ---------------------------------------------------------------- reading

/// Reads a trace of `model`'s machine. Blank lines are skipped; the first
/// other line is the header. Stops at the first line that cannot be read.
pub fn parse(model: &Model, text: &str) -> Result<Trace, TraceError> {
    let mut header: Option<(String, Option<Value>)> = None;
    let mut entries = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let json: Json = serde_json::from_str(line)
            .map_err(|e| TraceError::new(n, format!("not valid JSON: {}", json_error(&e))))?;
        let Json::Object(object) = json else {
            return Err(TraceError::new(
                n,
                format!("expected a JSON object, found {}", json_kind(&json)),
            ));
        };
        if header.is_none() {
            header = Some(parse_header(model, &object).map_err(|m| TraceError::new(n, m))?);
        } else {
            let (input, recorded) =
                parse_entry(model, &object).map_err(|m| TraceError::new(n, m))?;
            entries.push(Entry {
                line: n,
                input,
                recorded,
            });
        }
    }
    let Some((machine, key)) = header else {
        return Err(TraceError::new(
            0,
            "the trace is empty: it needs a header line such as {\"fsm_trace\": 1, \"machine\": \"…\"}",
        ));
    };
    Ok(Trace {
        machine,
        key,
        entries,
    })
}

/// serde_json's message without its `at line 1 column N` (every line is
/// read alone), with the column kept.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    format!("{text} (column {})", e.column())
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// A JSON value for a message, cut when long.
fn json_snippet(json: &Json) -> String {
    let text = json.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Refuses the keys of `object` that are not in `allowed`.
fn known_keys(object: &Map<String, Json>, what: &str, allowed: &[&str]) -> Result<(), String> {
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            let list: Vec<String> = allowed.iter().map(|k| format!("`{k}`")).collect();
            return Err(format!(
                "unknown key `{key}` in {what} (expected {})",
                list.join(", ")
            ));
        }
    }
    Ok(())
}

fn parse_header(
    model: &Model,
    object: &Map<String, Json>,
) -> Result<(String, Option<Value>), String> {
    known_keys(object, "the header", &["fsm_trace", "machine", "key"])?;
    match object.get("fsm_trace") {
        None => {
            return Err(
                "the first line must be the header {\"fsm_trace\": 1, \"machine\": \"…\"}; it has no `fsm_trace`"
                    .to_owned(),
            );
        }
        Some(v) if v.as_u64() == Some(FORMAT_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "unsupported trace format `fsm_trace: {}` (this fsm reads version {FORMAT_VERSION})",
                json_snippet(v)
            ));
        }
    }
    let machine = match object.get("machine") {
        Some(Json::String(s)) => s.clone(),
        Some(other) => {
            return Err(format!(
                "`machine` must be a string, found {}",
                json_kind(other)
            ));
        }
        None => return Err("the header has no `machine`".to_owned()),
    };
    if machine != model.name {
        return Err(format!(
            "the trace is of machine `{machine}`, but the spec's machine is `{}`",
            model.name
        ));
    }
    let key = match (&model.key, object.get("key")) {
        (Some(k), Some(json)) => Some(
            value_from_json(model, json, &k.ty, 0)
                .map_err(|e| format!("the key `{}: {}`: {e}", k.name, model.ty_name(&k.ty)))?,
        ),
        (Some(k), None) => {
            return Err(format!(
                "machine `{}` is keyed by `{}: {}`; the header needs its `key`",
                model.name,
                k.name,
                model.ty_name(&k.ty)
            ));
        }
        (None, Some(_)) => {
            return Err(format!(
                "machine `{}` has no key, but the header gives one",
                model.name
            ));
        }
        (None, None) => None,
    };
    Ok((machine, key))
}

fn parse_entry(
    model: &Model,
    object: &Map<String, Json>,
) -> Result<(InputValue, Option<Recorded>), String> {
    known_keys(object, "an input line", &["input", "step", "rejected"])?;
    let input = match object.get("input") {
        Some(json) => input_from_json(model, json)?,
        None => return Err("an input line needs an `input`".to_owned()),
    };
    let recorded = match (object.get("step"), object.get("rejected")) {
        (Some(_), Some(_)) => {
            return Err("a line records either a `step` or a `rejected`, not both".to_owned());
        }
        (Some(step), None) => Some(parse_step(step)?),
        (None, Some(rejected)) => Some(Recorded::Rejected(parse_rejection(rejected)?)),
        (None, None) => None,
    };
    Ok((input, recorded))
}

fn string_field(object: &Map<String, Json>, what: &str, key: &str) -> Result<String, String> {
    match object.get(key) {
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "`{key}` of {what} must be a string, found {}",
            json_kind(other)
        )),
        None => Err(format!("{what} needs `{key}`")),
    }
}

fn optional_string(
    object: &Map<String, Json>,
    what: &str,
    key: &str,
) -> Result<Option<String>, String> {
    match object.get(key) {
        None => Ok(None),
        Some(_) => string_field(object, what, key).map(Some),
    }
}

fn parse_step(json: &Json) -> Result<Recorded, String> {
    let Json::Object(object) = json else {
        return Err(format!(
            "`step` must be an object, found {}",
            json_kind(json)
        ));
    };
    let what = "`step`";
    known_keys(object, what, &["transition", "from", "to", "effects"])?;
    let transition = match object.get("transition") {
        Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(format!(
                "`transition` of `step` must be a string or null (ignored), found {}",
                json_kind(other)
            ));
        }
        None => return Err("`step` needs `transition` (null when the input was ignored)".into()),
    };
    let from = string_field(object, what, "from")?;
    let to = string_field(object, what, "to")?;
    let effects = match object.get("effects") {
        Some(Json::Array(items)) => items.clone(),
        Some(other) => {
            return Err(format!(
                "`effects` of `step` must be an array, found {}",
                json_kind(other)
            ));
        }
        None => return Err("`step` needs `effects` ([] for none)".into()),
    };
    Ok(Recorded::Step {
        transition,
        from,
        to,
        effects,
    })
}

fn parse_rejection(json: &Json) -> Result<Rejection, String> {
    let Json::Object(object) = json else {
        return Err(format!(
            "`rejected` must be an object, found {}",
            json_kind(json)
        ));
    };
    let what = "`rejected`";
    known_keys(object, what, &["kind", "transition", "guard", "invariant"])?;
    let name = string_field(object, what, "kind")?;
    let Some(kind) = RejectionKind::from_name(&name) else {
        let kinds: Vec<&str> = RejectionKind::ALL.iter().map(|k| k.as_str()).collect();
        return Err(format!(
            "unknown rejection kind `{name}` (expected one of {})",
            kinds.join(", ")
        ));
    };
    let transition = optional_string(object, what, "transition")?;
    let guard = optional_string(object, what, "guard")?;
    let invariant = optional_string(object, what, "invariant")?;
    let needs = |present: bool, key: &str, wanted: bool| -> Result<(), String> {
        match (present, wanted) {
            (false, true) => Err(format!("a `{name}` rejection needs `{key}`")),
            (true, false) => Err(format!("a `{name}` rejection has no `{key}`")),
            _ => Ok(()),
        }
    };
    needs(
        transition.is_some(),
        "transition",
        kind != RejectionKind::NoMatchingTransition,
    )?;
    needs(
        guard.is_some(),
        "guard",
        kind == RejectionKind::GuardRejected,
    )?;
    needs(
        invariant.is_some(),
        "invariant",
        kind == RejectionKind::InvariantViolated,
    )?;
    Ok(Rejection {
        kind,
        transition,
        guard,
        invariant,
    })
}

/// An input as the generated input enum serializes it (see
/// [`eval::input_json`]), read back by the input's signature.
pub fn input_from_json(model: &Model, json: &Json) -> Result<InputValue, String> {
    let (index, args) = signature_from_json(model, &model.inputs, "input", json)?;
    Ok(InputValue {
        input: InputId(u32::try_from(index).unwrap_or(u32::MAX)),
        args,
    })
}

/// An effect as the generated effect enum serializes it (see
/// [`eval::effect_json`]), read back by the effect's signature.
pub fn effect_from_json(model: &Model, json: &Json) -> Result<(EffectId, Vec<Value>), String> {
    let (index, args) = signature_from_json(model, &model.effects, "effect", json)?;
    Ok((EffectId(u32::try_from(index).unwrap_or(u32::MAX)), args))
}

/// `Name(p: T, …)` for messages.
pub fn signature_text(model: &Model, sig: &Signature) -> String {
    if sig.params.is_empty() {
        return sig.name.clone();
    }
    let params: Vec<String> = sig
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, model.ty_name(&p.ty)))
        .collect();
    format!("{}({})", sig.name, params.join(", "))
}

fn unknown_name(model: &Model, sigs: &[Signature], what: &str, name: &str) -> String {
    let names: Vec<&str> = sigs.iter().map(|s| s.name.as_str()).collect();
    let listed = if names.is_empty() {
        format!("it has no {what}s")
    } else {
        format!("its {what}s: {}", names.join(", "))
    };
    format!("machine `{}` has no {what} `{name}` ({listed})", model.name)
}

fn signature_from_json(
    model: &Model,
    sigs: &[Signature],
    what: &str,
    json: &Json,
) -> Result<(usize, Vec<Value>), String> {
    let find = |name: &str| {
        sigs.iter()
            .position(|s| s.name == name)
            .ok_or_else(|| unknown_name(model, sigs, what, name))
    };
    match json {
        Json::String(name) => {
            let index = find(name)?;
            let sig = &sigs[index];
            if !sig.params.is_empty() {
                return Err(format!(
                    "{what} `{name}` takes parameters: {}, written {{\"{name}\": {{\"{}\": …}}}}",
                    signature_text(model, sig),
                    sig.params.first().map_or("", |p| p.name.as_str())
                ));
            }
            Ok((index, Vec::new()))
        }
        Json::Object(outer) if outer.len() == 1 => {
            let Some((name, fields)) = outer.iter().next() else {
                return Err(format!("an empty object is no {what}"));
            };
            let index = find(name)?;
            let sig = &sigs[index];
            if sig.params.is_empty() {
                return Err(format!(
                    "{what} `{name}` takes no parameters; it is written \"{name}\""
                ));
            }
            let Json::Object(fields) = fields else {
                return Err(format!(
                    "the parameters of {what} `{name}` must be an object, found {} ({})",
                    json_kind(fields),
                    signature_text(model, sig)
                ));
            };
            for key in fields.keys() {
                if !sig.params.iter().any(|p| &p.name == key) {
                    return Err(format!(
                        "{what} `{name}` has no parameter `{key}` ({})",
                        signature_text(model, sig)
                    ));
                }
            }
            let mut args = Vec::with_capacity(sig.params.len());
            for p in &sig.params {
                let Some(v) = fields.get(&p.name) else {
                    return Err(format!(
                        "{what} `{name}` lacks parameter `{}` ({})",
                        p.name,
                        signature_text(model, sig)
                    ));
                };
                let value = value_from_json(model, v, &p.ty, 0).map_err(|e| {
                    format!(
                        "parameter `{}: {}` of {what} `{name}`: {e}",
                        p.name,
                        model.ty_name(&p.ty)
                    )
                })?;
                args.push(value);
            }
            Ok((index, args))
        }
        other => Err(format!(
            "{what} must be \"Name\" or {{\"Name\": {{parameters}}}}, found {}",
            json_snippet(other)
        )),
    }
}

/// A value as serde gives the generated Rust value of type `ty` (the
/// inverse of [`eval::to_json`]), checked against the type.
pub fn value_from_json(model: &Model, json: &Json, ty: &Ty, depth: usize) -> Result<Value, String> {
    if depth > MAX_NESTING {
        return Err("the value nests too deeply".to_owned());
    }
    let expected = || {
        format!(
            "expected {}, found {}",
            type_phrase(model, ty),
            json_snippet(json)
        )
    };
    Ok(match (ty, json) {
        (Ty::Bool, Json::Bool(b)) => Value::Bool(*b),
        (Ty::Int(it), Json::Number(n)) => {
            let v = n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .ok_or_else(expected)?;
            int_in_range(v, *it)?
        }
        // Integers beyond 64 bits are written as strings.
        (Ty::Int(it), Json::String(s)) => {
            let v: i128 = s.parse().map_err(|_| expected())?;
            int_in_range(v, *it)?
        }
        (Ty::String, Json::String(s)) => Value::Str(s.clone()),
        (Ty::Extern(e), Json::String(s)) => Value::Extern(*e, s.clone()),
        (Ty::Enum(e), Json::String(s)) => enum_value(model, *e, s)?,
        (Ty::Phase, Json::String(s)) => phase_value(model, s)?,
        (Ty::Option(_), Json::Null) => Value::None,
        (Ty::Option(t), other) => {
            Value::Some(Box::new(value_from_json(model, other, t, depth + 1)?))
        }
        (Ty::Set(t), Json::Array(items)) => {
            let mut set = BTreeSet::new();
            for item in items {
                set.insert(value_from_json(model, item, t, depth + 1)?);
            }
            Value::Set(set)
        }
        (Ty::List(t), Json::Array(items)) => {
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                list.push(value_from_json(model, item, t, depth + 1)?);
            }
            Value::List(list)
        }
        (Ty::Map(kt, vt), Json::Object(entries)) => {
            let mut map = BTreeMap::new();
            for (k, v) in entries {
                let key = key_from_text(model, k, kt)?;
                map.insert(key, value_from_json(model, v, vt, depth + 1)?);
            }
            Value::Map(map)
        }
        _ => return Err(expected()),
    })
}

/// A map key as serde_json writes it (always a string).
fn key_from_text(model: &Model, text: &str, ty: &Ty) -> Result<Value, String> {
    Ok(match ty {
        Ty::String => Value::Str(text.to_owned()),
        Ty::Extern(e) => Value::Extern(*e, text.to_owned()),
        Ty::Int(it) => {
            let v: i128 = text
                .parse()
                .map_err(|_| format!("expected {} as a map key, found \"{text}\"", it.name()))?;
            int_in_range(v, *it)?
        }
        Ty::Bool => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("expected a bool as a map key, found \"{text}\"")),
        },
        Ty::Enum(e) => enum_value(model, *e, text)?,
        Ty::Phase => phase_value(model, text)?,
        other => {
            return Err(format!(
                "a map key of type `{}` cannot be read from JSON",
                model.ty_name(other)
            ));
        }
    })
}

fn int_in_range(v: i128, it: fsm_core::model::IntTy) -> Result<Value, String> {
    if it.contains(v) {
        Ok(Value::Int(v))
    } else {
        Err(format!(
            "{v} is out of range for {} ({}..={})",
            it.name(),
            it.min_value(),
            it.max_value()
        ))
    }
}

fn enum_value(model: &Model, e: fsm_core::model::EnumId, name: &str) -> Result<Value, String> {
    let Some(def) = model.enum_def(e) else {
        return Err("an enum that is not in the model".to_owned());
    };
    match def.variants.iter().position(|v| v.name == name) {
        Some(i) => Ok(Value::Enum(
            e,
            fsm_core::model::VariantId(u32::try_from(i).unwrap_or(u32::MAX)),
        )),
        None => {
            let names: Vec<&str> = def.variants.iter().map(|v| v.name.as_str()).collect();
            Err(format!(
                "enum `{}` has no variant `{name}` (its variants: {})",
                def.name,
                names.join(", ")
            ))
        }
    }
}

fn phase_value(model: &Model, name: &str) -> Result<Value, String> {
    match model.phase_by_name(name) {
        Some(p) => Ok(Value::Phase(p)),
        None => {
            let names: Vec<&str> = model.phases.iter().map(|p| p.name.as_str()).collect();
            Err(format!(
                "machine `{}` has no phase `{name}` (its phases: {})",
                model.name,
                names.join(", ")
            ))
        }
    }
}

/// A type in a message: `` `u32` ``, `` `Option<Kind>` ``.
fn type_phrase(model: &Model, ty: &Ty) -> String {
    format!("`{}`", model.ty_name(ty))
}

// ---------------------------------------------------------------- what happened

/// What `outcome` of an input applied to `before` records.
pub fn recorded(model: &Model, before: &State, outcome: &Outcome) -> Recorded {
    let phase = |p| model.phase_name(p).to_owned();
    let transition = |t| model.transition(t).map(|t| t.name.clone());
    match outcome {
        Outcome::Fired {
            transition: t,
            state,
            effects,
        } => Recorded::Step {
            transition: transition(*t),
            from: phase(before.phase),
            to: phase(state.phase),
            effects: effects
                .iter()
                .map(|(e, args)| eval::effect_json(model, *e, args))
                .collect(),
        },
        Outcome::Ignored => Recorded::Step {
            transition: None,
            from: phase(before.phase),
            to: phase(before.phase),
            effects: Vec::new(),
        },
        Outcome::Rejected(r) => Recorded::Rejected(match r {
            Rejected::NoMatchingTransition => Rejection {
                kind: RejectionKind::NoMatchingTransition,
                transition: None,
                guard: None,
                invariant: None,
            },
            Rejected::GuardRejected {
                transition: t,
                guard,
            } => Rejection {
                kind: RejectionKind::GuardRejected,
                transition: transition(*t),
                guard: Some(guard.clone()),
                invariant: None,
            },
            Rejected::ArithmeticOverflow { transition: t } => Rejection {
                kind: RejectionKind::ArithmeticOverflow,
                transition: transition(*t),
                guard: None,
                invariant: None,
            },
            Rejected::InvariantViolated {
                transition: t,
                invariant,
            } => Rejection {
                kind: RejectionKind::InvariantViolated,
                transition: transition(*t),
                guard: None,
                invariant: Some(invariant.clone()),
            },
        }),
    }
}

/// How what the spec does differs from what a trace records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// What differs: `the transition`, `the effects`, ….
    pub what: String,
    /// What the spec does, described ([`describe`]).
    pub expected: String,
    /// What the trace records, described.
    pub recorded: String,
}

/// `None` when `recorded` is what the spec does (`expected`); otherwise
/// the first thing that differs. Effects are compared as the JSON serde
/// gives them, in order.
pub fn compare(model: &Model, expected: &Recorded, recorded: &Recorded) -> Option<Divergence> {
    if expected == recorded {
        return None;
    }
    let what = match (expected, recorded) {
        (Recorded::Step { .. }, Recorded::Rejected(_)) => {
            "the spec accepts the input, the trace records a rejection"
        }
        (Recorded::Rejected(_), Recorded::Step { .. }) => {
            "the spec rejects the input, the trace records a step"
        }
        (
            Recorded::Step {
                transition: t1,
                from: f1,
                to: o1,
                ..
            },
            Recorded::Step {
                transition: t2,
                from: f2,
                to: o2,
                ..
            },
        ) => {
            if t1 != t2 {
                "the transition"
            } else if f1 != f2 {
                "the phase before the input"
            } else if o1 != o2 {
                "the phase after the input"
            } else {
                "the effects"
            }
        }
        (Recorded::Rejected(a), Recorded::Rejected(b)) => {
            if a.kind != b.kind {
                "the kind of rejection"
            } else if a.transition != b.transition {
                "the rejecting transition"
            } else if a.guard != b.guard {
                "the failing guard"
            } else {
                "the broken invariant"
            }
        }
    };
    Some(Divergence {
        what: what.to_owned(),
        expected: describe(model, expected),
        recorded: describe(model, recorded),
    })
}

/// What an input did, in words: `transition open: Closed -> Open, effects
/// Opened(1)`, `ignored in Closed`, `rejected (guard_rejected): guard
/// matches of transition unlock`.
pub fn describe(model: &Model, recorded: &Recorded) -> String {
    match recorded {
        Recorded::Step {
            transition: None,
            from,
            to,
            effects,
        } if from == to && effects.is_empty() => format!("ignored in {from}"),
        Recorded::Step {
            transition,
            from,
            to,
            effects,
        } => {
            let name = transition.as_deref().unwrap_or("(none: ignored)");
            let effects = if effects.is_empty() {
                "no effects".to_owned()
            } else {
                let list: Vec<String> = effects.iter().map(|e| effect_text(model, e)).collect();
                format!("effects {}", list.join(", "))
            };
            format!("transition {name}: {from} -> {to}, {effects}")
        }
        Recorded::Rejected(r) => describe_rejection(r),
    }
}

/// A rejection in words, with its kind as the format names it.
pub fn describe_rejection(r: &Rejection) -> String {
    let t = r.transition.as_deref().unwrap_or("?");
    let kind = r.kind.as_str();
    match r.kind {
        RejectionKind::NoMatchingTransition => format!("rejected ({kind})"),
        RejectionKind::GuardRejected => format!(
            "rejected ({kind}): guard {} of transition {t}",
            r.guard.as_deref().unwrap_or("?")
        ),
        RejectionKind::ArithmeticOverflow => format!("rejected ({kind}) in transition {t}"),
        RejectionKind::InvariantViolated => format!(
            "rejected ({kind}): transition {t} would break invariant {}",
            r.invariant.as_deref().unwrap_or("?")
        ),
    }
}

/// A recorded effect in spec syntax when it reads as one of the model's
/// effects, else as its JSON.
pub fn effect_text(model: &Model, json: &Json) -> String {
    match effect_from_json(model, json) {
        Ok((effect, args)) => {
            let name = model.effect(effect).map_or("?", |e| e.name.as_str());
            render_call(model, name, &args)
        }
        Err(_) => json.to_string(),
    }
}

/// `Name` or `Name(arg, …)` in spec syntax.
pub fn render_call(model: &Model, name: &str, args: &[Value]) -> String {
    if args.is_empty() {
        return name.to_owned();
    }
    let args: Vec<String> = args.iter().map(|a| eval::render_value(model, a)).collect();
    format!("{name}({})", args.join(", "))
}

// ---------------------------------------------------------------- writing

/// The header line's object.
pub fn header_json(model: &Model, key: Option<&Value>) -> Json {
    let mut out = Map::new();
    out.insert("fsm_trace".to_owned(), Json::from(FORMAT_VERSION));
    out.insert("machine".to_owned(), Json::String(model.name.clone()));
    if let (Some(k), Some(v)) = (&model.key, key) {
        out.insert("key".to_owned(), eval::to_json(model, v, &k.ty));
    }
    Json::Object(out)
}

/// An input line's object.
pub fn entry_json(model: &Model, input: &InputValue, recorded: Option<&Recorded>) -> Json {
    let mut out = Map::new();
    out.insert("input".to_owned(), eval::input_json(model, input));
    if let Some(recorded) = recorded {
        let (key, value) = recorded_parts(recorded);
        out.insert(key.to_owned(), value);
    }
    Json::Object(out)
}

/// A recorded outcome as the format writes it: `{"step": …}` or
/// `{"rejected": …}`.
pub fn recorded_json(recorded: &Recorded) -> Json {
    let (key, value) = recorded_parts(recorded);
    let mut out = Map::new();
    out.insert(key.to_owned(), value);
    Json::Object(out)
}

fn recorded_parts(recorded: &Recorded) -> (&'static str, Json) {
    match recorded {
        Recorded::Step {
            transition,
            from,
            to,
            effects,
        } => {
            let mut step = Map::new();
            step.insert(
                "transition".to_owned(),
                transition.clone().map_or(Json::Null, Json::String),
            );
            step.insert("from".to_owned(), Json::String(from.clone()));
            step.insert("to".to_owned(), Json::String(to.clone()));
            step.insert("effects".to_owned(), Json::Array(effects.clone()));
            ("step", Json::Object(step))
        }
        Recorded::Rejected(r) => {
            let mut out = Map::new();
            out.insert("kind".to_owned(), Json::from(r.kind.as_str()));
            for (key, value) in [
                ("transition", &r.transition),
                ("guard", &r.guard),
                ("invariant", &r.invariant),
            ] {
                if let Some(v) = value {
                    out.insert(key.to_owned(), Json::String(v.clone()));
                }
            }
            ("rejected", Json::Object(out))
        }
    }
}

/// The whole trace as JSON lines, each ending with a newline.
pub fn to_jsonl(model: &Model, trace: &Trace) -> String {
    let mut out = header_json(model, trace.key.as_ref()).to_string();
    out.push('\n');
    for e in &trace.entries {
        out.push_str(&entry_json(model, &e.input, e.recorded.as_ref()).to_string());
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------- typed text

/// Reads an input as a person types it, in spec syntax: `Name`,
/// `Name(arg, …)` or `Name(param: arg, …)`. Arguments are literals
/// (`3`, `-1`, `true`, `"text"`), enum variants (`Kind::A` or `A`),
/// phases, `none` / `some(x)`, collections (`[a, b]`, `[k: v]`), the
/// spec's constants, and extern values as strings (the values of
/// `verify { domain … }`). Errors say what is wrong and give the input's
/// parameters.
pub fn parse_input(model: &Model, text: &str) -> Result<InputValue, String> {
    let mut p = Tokens::new(text)?;
    let name = match p.peek() {
        TokenKind::Ident => p.text_of(p.pos),
        TokenKind::Eof => return Err("expected an input name".to_owned()),
        _ => {
            return Err(format!(
                "expected an input name, found {}",
                p.describe(p.pos)
            ));
        }
    };
    let Some(index) = model.inputs.iter().position(|s| s.name == name) else {
        return Err(unknown_name(model, &model.inputs, "input", name));
    };
    let id = InputId(u32::try_from(index).unwrap_or(u32::MAX));
    let sig = &model.inputs[index];
    let shape = signature_text(model, sig);
    p.pos += 1;
    let mut args: Vec<Option<Value>> = vec![None; sig.params.len()];
    match p.peek() {
        TokenKind::Eof => {}
        TokenKind::LParen => {
            p.pos += 1;
            let named = matches!(p.peek(), TokenKind::Ident)
                && matches!(p.kind_at(p.pos + 1), TokenKind::Colon);
            let mut position = 0usize;
            while !matches!(p.peek(), TokenKind::RParen) {
                let param = if named {
                    if !matches!(p.peek(), TokenKind::Ident)
                        || !matches!(p.kind_at(p.pos + 1), TokenKind::Colon)
                    {
                        return Err(format!(
                            "expected `parameter: value`, found {} (once one argument is named, all are; `{shape}`)",
                            p.describe(p.pos)
                        ));
                    }
                    let pname = p.text_of(p.pos);
                    let Some(j) = sig.params.iter().position(|q| q.name == pname) else {
                        return Err(format!(
                            "input `{name}` has no parameter `{pname}` (`{shape}`)"
                        ));
                    };
                    if args.get(j).is_some_and(Option::is_some) {
                        return Err(format!("parameter `{pname}` is given twice (`{shape}`)"));
                    }
                    p.pos += 2;
                    j
                } else {
                    position
                };
                let Some(param_def) = sig.params.get(param) else {
                    let n = sig.params.len();
                    return Err(format!(
                        "input `{name}` takes {n} argument{}, got more (`{shape}`)",
                        if n == 1 { "" } else { "s" }
                    ));
                };
                let value = p.value(model, &param_def.ty, 0).map_err(|e| {
                    format!(
                        "parameter `{}` of `{name}`: {e} (`{shape}`)",
                        param_def.name
                    )
                })?;
                if let Some(slot) = args.get_mut(param) {
                    *slot = Some(value);
                }
                position += 1;
                match p.peek() {
                    TokenKind::Comma => p.pos += 1,
                    TokenKind::RParen => {}
                    _ => {
                        return Err(format!(
                            "expected `,` or `)` after the argument, found {} (`{shape}`)",
                            p.describe(p.pos)
                        ));
                    }
                }
            }
            p.pos += 1;
            if !matches!(p.peek(), TokenKind::Eof) {
                return Err(format!("unexpected {} after the input", p.describe(p.pos)));
            }
        }
        _ => {
            return Err(format!(
                "expected `(` or the end after `{name}`, found {}",
                p.describe(p.pos)
            ));
        }
    }
    let mut values = Vec::with_capacity(args.len());
    for (param, arg) in sig.params.iter().zip(args) {
        match arg {
            Some(v) => values.push(v),
            None => {
                return Err(format!(
                    "input `{name}` needs a value for `{}` (`{shape}`)",
                    param.name
                ));
            }
        }
    }
    Ok(InputValue {
        input: id,
        args: values,
    })
}

/// Reads a value of type `ty` written in spec syntax (as the arguments
/// of [`parse_input`]). For `String` and extern types, text that is not a
/// string literal is taken as it is (`--key front` for `--key "front"`).
pub fn parse_value(model: &Model, text: &str, ty: &Ty) -> Result<Value, String> {
    let trimmed = text.trim();
    if matches!(ty, Ty::String | Ty::Extern(_)) && !trimmed.starts_with('"') {
        return Ok(match ty {
            Ty::Extern(e) => Value::Extern(*e, trimmed.to_owned()),
            _ => Value::Str(trimmed.to_owned()),
        });
    }
    let mut p = Tokens::new(text)?;
    let v = p.value(model, ty, 0)?;
    if !matches!(p.peek(), TokenKind::Eof) {
        return Err(format!("unexpected {} after the value", p.describe(p.pos)));
    }
    Ok(v)
}

/// The tokens of one line of typed text.
struct Tokens<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Result<Self, String> {
        if text.len() > u32::MAX as usize / 2 {
            return Err("the text is too long".to_owned());
        }
        let (tokens, diags) = lexer::lex(text);
        if let Some(d) = diags.first() {
            return Err(d.message.clone());
        }
        let tokens = tokens.into_iter().filter(|t| !t.kind.is_trivia()).collect();
        Ok(Tokens {
            text,
            tokens,
            pos: 0,
        })
    }

    fn kind_at(&self, i: usize) -> &TokenKind {
        self.tokens.get(i).map_or(&TokenKind::Eof, |t| &t.kind)
    }

    fn peek(&self) -> &TokenKind {
        self.kind_at(self.pos)
    }

    fn text_of(&self, i: usize) -> &'a str {
        self.tokens
            .get(i)
            .and_then(|t| self.text.get(t.span.start as usize..t.span.end as usize))
            .unwrap_or("")
    }

    /// A token for a message: `` `x` `` or `the end`.
    fn describe(&self, i: usize) -> String {
        match self.kind_at(i) {
            TokenKind::Eof => "the end".to_owned(),
            _ => format!("`{}`", self.text_of(i)),
        }
    }

    fn expect(&mut self, kind: TokenKind, text: &str) -> Result<(), String> {
        if *self.peek() == kind {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!(
                "expected `{text}`, found {}",
                self.describe(self.pos)
            ))
        }
    }

    fn value(&mut self, model: &Model, ty: &Ty, depth: usize) -> Result<Value, String> {
        if depth > MAX_NESTING {
            return Err("the value nests too deeply".to_owned());
        }
        let at = self.pos;
        // A constant of the spec stands for its value.
        if matches!(self.peek(), TokenKind::Ident)
            && !matches!(self.kind_at(at + 1), TokenKind::ColonColon)
            && let Some(c) = model.consts.iter().find(|c| c.name == self.text_of(at))
            && !is_variant(model, ty, &c.name)
        {
            if &c.ty != ty {
                return Err(format!(
                    "constant `{}` is {}, not {}",
                    c.name,
                    type_phrase(model, &c.ty),
                    type_phrase(model, ty)
                ));
            }
            self.pos += 1;
            return eval::constant(model, &c.value, &c.ty).map_err(|e| e.message);
        }
        let value = match (ty, self.peek().clone()) {
            (Ty::Bool, TokenKind::Keyword(Keyword::True)) => Value::Bool(true),
            (Ty::Bool, TokenKind::Keyword(Keyword::False)) => Value::Bool(false),
            (Ty::Int(it), TokenKind::Int(n)) => {
                let v = i128::try_from(n)
                    .map_err(|_| format!("{n} is out of range for {}", it.name()))?;
                int_in_range(v, *it)?
            }
            (Ty::Int(it), TokenKind::Minus) => {
                self.pos += 1;
                let TokenKind::Int(n) = self.peek().clone() else {
                    return Err(self.mismatch(model, ty, self.pos));
                };
                let v = i128::try_from(n)
                    .map(|v| -v)
                    .map_err(|_| format!("-{n} is out of range for {}", it.name()))?;
                int_in_range(v, *it)?
            }
            (Ty::String, TokenKind::Str(s)) => Value::Str(s),
            (Ty::Extern(e), TokenKind::Str(s)) => Value::Extern(*e, s),
            (Ty::Enum(e), TokenKind::Ident) => {
                let enum_name = model.enum_def(*e).map_or("", |d| d.name.as_str());
                let mut name = self.text_of(self.pos);
                if matches!(self.kind_at(self.pos + 1), TokenKind::ColonColon) {
                    if name != enum_name {
                        return Err(format!(
                            "expected a variant of `{enum_name}`, found `{name}::…`"
                        ));
                    }
                    self.pos += 2;
                    if !matches!(self.peek(), TokenKind::Ident) {
                        return Err(format!(
                            "expected a variant name after `{enum_name}::`, found {}",
                            self.describe(self.pos)
                        ));
                    }
                    name = self.text_of(self.pos);
                }
                enum_value(model, *e, name)?
            }
            (Ty::Phase, TokenKind::Ident) => {
                if self.text_of(self.pos) == "Phase"
                    && matches!(self.kind_at(self.pos + 1), TokenKind::ColonColon)
                {
                    self.pos += 2;
                    if !matches!(self.peek(), TokenKind::Ident) {
                        return Err(format!(
                            "expected a phase name after `Phase::`, found {}",
                            self.describe(self.pos)
                        ));
                    }
                }
                phase_value(model, self.text_of(self.pos))?
            }
            (Ty::Option(_), TokenKind::Keyword(Keyword::None)) => Value::None,
            (Ty::Option(t), TokenKind::Keyword(Keyword::Some)) => {
                self.pos += 1;
                self.expect(TokenKind::LParen, "(")?;
                let inner = self.value(model, t, depth + 1)?;
                if !matches!(self.peek(), TokenKind::RParen) {
                    return Err(format!(
                        "expected `)` after `some(…`, found {}",
                        self.describe(self.pos)
                    ));
                }
                Value::Some(Box::new(inner))
            }
            (Ty::Set(_) | Ty::List(_) | Ty::Map(..), TokenKind::LBracket) => {
                return self.collection(model, ty, depth);
            }
            _ => return Err(self.mismatch(model, ty, at)),
        };
        self.pos += 1;
        Ok(value)
    }

    fn mismatch(&self, model: &Model, ty: &Ty, at: usize) -> String {
        format!(
            "expected {}, found {}",
            type_phrase(model, ty),
            self.describe(at)
        )
    }

    /// `[a, b]` or `[k: v, …]`, the cursor on `[`.
    fn collection(&mut self, model: &Model, ty: &Ty, depth: usize) -> Result<Value, String> {
        self.pos += 1;
        let mut list = Vec::new();
        let mut map = BTreeMap::new();
        while !matches!(self.peek(), TokenKind::RBracket) {
            match ty {
                Ty::Map(kt, vt) => {
                    let k = self.value(model, kt, depth + 1)?;
                    self.expect(TokenKind::Colon, ":")?;
                    let v = self.value(model, vt, depth + 1)?;
                    map.insert(k, v);
                }
                Ty::Set(t) | Ty::List(t) => list.push(self.value(model, t, depth + 1)?),
                _ => return Err("not a collection".to_owned()),
            }
            match self.peek() {
                TokenKind::Comma => self.pos += 1,
                TokenKind::RBracket => {}
                _ => {
                    return Err(format!(
                        "expected `,` or `]`, found {}",
                        self.describe(self.pos)
                    ));
                }
            }
        }
        self.pos += 1;
        Ok(match ty {
            Ty::Map(..) => Value::Map(map),
            Ty::Set(_) => Value::Set(list.into_iter().collect()),
            _ => Value::List(list),
        })
    }
}

/// Whether `name` is a variant of `ty` (an enum or the phases), which
/// wins over a constant of the same name.
fn is_variant(model: &Model, ty: &Ty, name: &str) -> bool {
    match ty {
        Ty::Enum(e) => model
            .enum_def(*e)
            .is_some_and(|d| d.variants.iter().any(|v| v.name == name)),
        Ty::Phase => model.phase_by_name(name).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
