//! An evaluator of checked models: the semantics of the generated Rust
//! (docs/language.md, "Semantics") over dynamic [`Value`]s.
//!
//! [`step`] behaves like the generated `apply` with invariant checks on (a
//! debug build, or the `fsm` crate's `invariants` feature): candidates are
//! tried in declaration order, guards in written order against the state
//! before the transition, statements run in order on a copy of the state,
//! checked arithmetic rejects the whole input, and a transition that would
//! break an invariant is refused. The model checker and the parity test
//! build on it.
//!
//! Extern values are abstract: an extern value is the string the spec's
//! `verify { domain … }` gives it, and it serializes as that string (as a
//! `String` newtype would).

mod domain;
mod expr;
mod json;

pub use domain::{
    MAX_INSTANCES, MAX_TOTAL_INSTANCES, domain_size, domain_values, input_instances, key_value,
    max_collection,
};
pub use json::{
    SnapshotVersions, effect_json, input_json, render_input, render_value, snapshot_json,
    snapshot_json_with_versions, to_json, version_field_names,
};

pub(crate) use expr::View;
use expr::{Cx, Fail};
use fsm_core::model::{
    AssignOp, EffectId, EnumId, ExternId, FieldId, InputId, Model, PhaseId, TExpr, TStmt,
    TStmtKind, Transition, TransitionId, Ty, VariantId,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A value of a spec type. The ordering is the ordering of the generated
/// Rust types: integers by value, strings bytewise, enum variants and phases
/// in declaration order, `None` before `Some`, collections
/// lexicographically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Bool(bool),
    Int(i128),
    Str(String),
    Phase(PhaseId),
    Enum(EnumId, VariantId),
    None,
    Some(Box<Value>),
    Set(BTreeSet<Value>),
    Map(BTreeMap<Value, Value>),
    List(Vec<Value>),
    /// An abstract value of an extern type, named by a domain string.
    Extern(ExternId, String),
}

impl Value {
    /// An estimate of the heap memory the value holds: its strings, its
    /// elements, and for sets and maps their B-tree nodes (taken as full,
    /// eleven entries each); allocator overhead is not counted.
    pub fn heap_bytes(&self) -> usize {
        const NODE: usize = 11;
        let slot = std::mem::size_of::<Value>();
        let nodes = |len: usize, entry: usize| len.div_ceil(NODE) * (NODE * entry + 16);
        match self {
            Value::Bool(_) | Value::Int(_) | Value::Phase(_) | Value::Enum(..) | Value::None => 0,
            Value::Str(s) | Value::Extern(_, s) => s.capacity(),
            Value::Some(v) => slot + v.heap_bytes(),
            Value::Set(s) => nodes(s.len(), slot) + s.iter().map(Value::heap_bytes).sum::<usize>(),
            Value::Map(m) => {
                nodes(m.len(), 2 * slot)
                    + m.iter()
                        .map(|(k, v)| k.heap_bytes() + v.heap_bytes())
                        .sum::<usize>()
            }
            Value::List(l) => l.capacity() * slot + l.iter().map(Value::heap_bytes).sum::<usize>(),
        }
    }
}

impl InputValue {
    /// An estimate of the memory the instance takes (itself and its
    /// arguments, see [`Value::heap_bytes`]).
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<InputValue>()
            + self.args.capacity() * std::mem::size_of::<Value>()
            + self.args.iter().map(Value::heap_bytes).sum::<usize>()
    }
}

/// The state of one machine instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct State {
    pub phase: PhaseId,
    /// The key of a keyed machine.
    pub key: Option<Value>,
    /// One value per `Model::fields` entry.
    pub fields: Vec<Value>,
}

/// One input with its arguments (one per parameter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InputValue {
    pub input: InputId,
    pub args: Vec<Value>,
}

/// What one input does to a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A transition fired: the state after it and the effects it emitted,
    /// in emission order.
    Fired {
        transition: TransitionId,
        state: State,
        effects: Vec<(EffectId, Vec<Value>)>,
    },
    /// An `ignore` covers the input in this phase: nothing changes.
    Ignored,
    /// The input is refused and the state stays as it was.
    Rejected(Rejected),
}

/// Why an input was refused; mirrors `fsm::RejectionKind`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rejected {
    NoMatchingTransition,
    /// The first failing guard of the first candidate.
    GuardRejected {
        transition: TransitionId,
        guard: String,
    },
    ArithmeticOverflow {
        transition: TransitionId,
    },
    /// The transition would have broken this invariant (the first failing
    /// one in declaration order).
    InvariantViolated {
        transition: TransitionId,
        invariant: String,
    },
}

/// Something the evaluator cannot do with this model: a parameter without
/// a domain, or a model that breaks its own guarantees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

impl EvalError {
    pub fn new(message: impl Into<String>) -> Self {
        EvalError {
            message: message.into(),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// The value of a constant expression of type `ty` (a literal, `none`,
/// `some(…)`, `[…]`, a variant, a phase, a constant): what a field's
/// initial value, a constant or a domain value is. A string literal where
/// an extern is expected is that extern's abstract value.
pub fn constant(model: &Model, e: &TExpr, ty: &Ty) -> Result<Value, EvalError> {
    expr::constant(model, e)
        .map(|v| domain::coerce(v, ty))
        .map_err(|f| EvalError::new(f.message()))
}

/// The initial state: the initial phase and every field's initial value.
/// A keyed machine needs its `key`; an unkeyed one ignores it.
pub fn initial(model: &Model, key: Option<Value>) -> Result<State, EvalError> {
    let key = match (&model.key, key) {
        (Some(k), None) => {
            return Err(EvalError::new(format!(
                "machine `{}` is keyed by `{}` and needs a key value",
                model.name, k.name
            )));
        }
        (Some(_), Some(v)) => Some(v),
        (None, _) => None,
    };
    let mut fields = Vec::with_capacity(model.fields.len());
    for f in &model.fields {
        let v = expr::constant(model, &f.init).map_err(|e| {
            EvalError::new(format!(
                "cannot evaluate the initial value of field `{}`: {}",
                f.name,
                e.message()
            ))
        })?;
        fields.push(v);
    }
    Ok(State {
        phase: model.initial,
        key,
        fields,
    })
}

/// Applies `input` to `state` as the generated `apply` does with invariant
/// checks on.
pub fn step(model: &Model, state: &State, input: &InputValue) -> Result<Outcome, EvalError> {
    step_with(model, state, input, true)
}

/// Applies `input` to `state`; with `check_invariants` false a transition
/// that breaks an invariant still fires (as in a release build without
/// `invariant always`), so the caller can inspect the state it reaches.
pub fn step_with(
    model: &Model,
    state: &State,
    input: &InputValue,
    check_invariants: bool,
) -> Result<Outcome, EvalError> {
    let candidates: Vec<TransitionId> = model
        .candidates(input.input, state.phase)
        .map(|(id, _)| id)
        .collect();
    step_among(model, state, input, &candidates, check_invariants)
}

/// [`step_with`] given the candidates, which must be
/// `model.candidates(input.input, state.phase)` (callers that step often
/// compute them once per input and phase).
pub fn step_among(
    model: &Model,
    state: &State,
    input: &InputValue,
    candidates: &[TransitionId],
    check_invariants: bool,
) -> Result<Outcome, EvalError> {
    Ok(match step_raw(model, state, input, candidates)? {
        Raw::Ignored => Outcome::Ignored,
        Raw::Rejected(r) => Outcome::Rejected(r),
        Raw::Fired(f) => {
            let t = model
                .transition(f.transition)
                .ok_or_else(|| EvalError::new("a transition that is not in the model"))?;
            // The generated code skips the check when nothing can have
            // changed: a `stay` transition whose block writes no field.
            if check_invariants
                && !model.invariants.is_empty()
                && (t.target.is_some() || writes_any(&t.body))
                && let Some(invariant) = first_failing_invariant_in(model, f.view(state))?
            {
                return Ok(Outcome::Rejected(Rejected::InvariantViolated {
                    transition: f.transition,
                    invariant,
                }));
            }
            let Fired {
                transition,
                phase,
                changes,
                effects,
            } = f;
            let fields = state
                .fields
                .iter()
                .zip(changes.into_iter().chain(std::iter::repeat(None)))
                .map(|(old, new)| new.unwrap_or_else(|| old.clone()))
                .collect();
            Outcome::Fired {
                transition,
                state: State {
                    phase,
                    key: state.key.clone(),
                    fields,
                },
                effects,
            }
        }
    })
}

/// A fired transition before its changes are applied to a copy of the
/// state.
pub(crate) struct Fired {
    pub transition: TransitionId,
    /// The phase after the transition.
    pub phase: PhaseId,
    /// Per field: its new value, when the block wrote it.
    pub changes: Vec<Option<Value>>,
    pub effects: Vec<(EffectId, Vec<Value>)>,
}

impl Fired {
    /// The state after the transition, as expressions read it.
    pub fn view<'a>(&'a self, before: &'a State) -> View<'a> {
        View {
            phase: self.phase,
            key: before.key.as_ref(),
            base: &before.fields,
            overlay: &self.changes,
        }
    }
}

/// What [`step_raw`] finds.
pub(crate) enum Raw {
    Fired(Fired),
    Ignored,
    Rejected(Rejected),
}

/// Selection and the block of the chosen transition, without the
/// invariant check.
pub(crate) fn step_raw(
    model: &Model,
    state: &State,
    input: &InputValue,
    candidates: &[TransitionId],
) -> Result<Raw, EvalError> {
    let Some(sig) = model.input(input.input) else {
        return Err(EvalError::new("an input that is not in the model"));
    };
    if sig.params.len() != input.args.len() {
        return Err(EvalError::new(format!(
            "input `{}` takes {} arguments, got {}",
            sig.name,
            sig.params.len(),
            input.args.len()
        )));
    }
    if candidates.is_empty() {
        return Ok(if model.is_ignored(input.input, state.phase) {
            Raw::Ignored
        } else {
            Raw::Rejected(Rejected::NoMatchingTransition)
        });
    }
    let mut first_failure: Option<(TransitionId, String)> = None;
    for &tid in candidates {
        let Some(t) = model.transition(tid) else {
            return Err(EvalError::new("a candidate that is not in the model"));
        };
        let cx = Cx::new(model, View::of(state), &input.args, None);
        match first_failing_guard(&cx, t) {
            Ok(None) => return fire(model, state, input, tid, t),
            Ok(Some(guard)) => {
                if first_failure.is_none() {
                    first_failure = Some((tid, guard));
                }
            }
            Err(Fail::Overflow) => {
                return Ok(Raw::Rejected(Rejected::ArithmeticOverflow {
                    transition: tid,
                }));
            }
            Err(Fail::Error(e)) => return Err(e),
        }
    }
    match first_failure {
        Some((transition, guard)) => {
            Ok(Raw::Rejected(Rejected::GuardRejected { transition, guard }))
        }
        None => Err(EvalError::new("a candidate neither fired nor failed")),
    }
}

/// The candidates for `input` in the state's phase whose guards all hold
/// (a guard whose evaluation overflows does not hold). More than one means
/// the guards overlap in this state.
pub fn enabled_candidates(
    model: &Model,
    state: &State,
    input: &InputValue,
) -> Result<Vec<TransitionId>, EvalError> {
    let mut out = Vec::new();
    for (tid, t) in model.candidates(input.input, state.phase) {
        let cx = Cx::new(model, View::of(state), &input.args, None);
        match first_failing_guard(&cx, t) {
            Ok(None) => out.push(tid),
            Ok(Some(_)) | Err(Fail::Overflow) => {}
            Err(Fail::Error(e)) => return Err(e),
        }
    }
    Ok(out)
}

/// The name of the first guard of `t` that does not hold, evaluating the
/// guards in written order and stopping there.
fn first_failing_guard<'a>(cx: &Cx<'a>, t: &'a Transition) -> Result<Option<String>, Fail> {
    for g in &t.guards {
        if !cx.eval_bool(&g.expr)? {
            return Ok(Some(g.name.clone()));
        }
    }
    Ok(None)
}

fn fire(
    model: &Model,
    state: &State,
    input: &InputValue,
    tid: TransitionId,
    t: &Transition,
) -> Result<Raw, EvalError> {
    let target = t.target_from(state.phase);
    let mut run = Run {
        model,
        state,
        params: &input.args,
        target,
        changes: vec![None; state.fields.len()],
        effects: Vec::new(),
    };
    match run.block(&t.body, 0) {
        Ok(()) => {}
        Err(Fail::Overflow) => {
            return Ok(Raw::Rejected(Rejected::ArithmeticOverflow {
                transition: tid,
            }));
        }
        Err(Fail::Error(e)) => return Err(e),
    }
    Ok(Raw::Fired(Fired {
        transition: tid,
        phase: target,
        changes: run.changes,
        effects: run.effects,
    }))
}

/// Whether a block has any statement that writes a field (taken or not).
fn writes_any(body: &[TStmt]) -> bool {
    let mut writes = false;
    for s in body {
        s.walk(&mut |s| {
            writes |= !matches!(s.kind, TStmtKind::Emit { .. } | TStmtKind::If { .. });
        });
    }
    writes
}

/// A transition's block: it reads the state before it with the fields it
/// wrote so far in place.
struct Run<'a> {
    model: &'a Model,
    state: &'a State,
    params: &'a [Value],
    target: PhaseId,
    changes: Vec<Option<Value>>,
    effects: Vec<(EffectId, Vec<Value>)>,
}

/// How deeply `if` statements may nest in a block.
const MAX_BLOCK_DEPTH: usize = 256;

impl Run<'_> {
    fn cx(&self) -> Cx<'_> {
        Cx::new(
            self.model,
            View {
                // Inside the block `phase` is the source phase.
                phase: self.state.phase,
                key: self.state.key.as_ref(),
                base: &self.state.fields,
                overlay: &self.changes,
            },
            self.params,
            Some(self.target),
        )
    }

    fn eval(&self, e: &fsm_core::model::TExpr) -> Result<Value, Fail> {
        self.cx().eval(e).map(std::borrow::Cow::into_owned)
    }

    /// Field `f`, to be written (copied from the state on first write).
    fn field(&mut self, f: FieldId) -> Result<&mut Value, Fail> {
        let base = self
            .state
            .fields
            .get(f.index())
            .ok_or_else(|| Fail::error("a statement writes an unknown field"))?;
        let slot = self
            .changes
            .get_mut(f.index())
            .ok_or_else(|| Fail::error("a statement writes an unknown field"))?;
        Ok(slot.get_or_insert_with(|| base.clone()))
    }

    fn block(&mut self, body: &[TStmt], depth: usize) -> Result<(), Fail> {
        if depth > MAX_BLOCK_DEPTH {
            return Err(Fail::error("statements nest too deeply"));
        }
        for s in body {
            self.stmt(s, depth)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &TStmt, depth: usize) -> Result<(), Fail> {
        match &s.kind {
            TStmtKind::Assign { field, op, value } => {
                let v = self.eval(value)?;
                let ty = self
                    .model
                    .field(*field)
                    .map(|f| &f.ty)
                    .ok_or_else(|| Fail::error("an assignment to an unknown field"))?;
                let place = self.field(*field)?;
                match op {
                    AssignOp::Set => *place = v,
                    AssignOp::Add | AssignOp::Sub => {
                        let (Value::Int(a), Value::Int(b), Ty::Int(it)) = (&*place, &v, ty) else {
                            return Err(Fail::error("`+=` or `-=` on a non-integer"));
                        };
                        let r = if *op == AssignOp::Add {
                            a.checked_add(*b)
                        } else {
                            a.checked_sub(*b)
                        };
                        match r {
                            Some(r) if it.contains(r) => *place = Value::Int(r),
                            _ => return Err(Fail::Overflow),
                        }
                    }
                }
            }
            TStmtKind::Insert { field, key, value } => {
                let k = self.eval(key)?;
                let v = match value {
                    Some(v) => Some(self.eval(v)?),
                    None => None,
                };
                match (self.field(*field)?, v) {
                    (Value::Set(set), None) => {
                        set.insert(k);
                    }
                    (Value::Map(map), Some(v)) => {
                        map.insert(k, v);
                    }
                    _ => return Err(Fail::error("`insert` on a value of the wrong type")),
                }
            }
            TStmtKind::Remove { field, key } => {
                let k = self.eval(key)?;
                match self.field(*field)? {
                    Value::Set(set) => {
                        set.remove(&k);
                    }
                    Value::Map(map) => {
                        map.remove(&k);
                    }
                    _ => return Err(Fail::error("`remove` on a value of the wrong type")),
                }
            }
            TStmtKind::Push { field, value } => {
                let v = self.eval(value)?;
                match self.field(*field)? {
                    Value::List(list) => list.push(v),
                    _ => return Err(Fail::error("`push` on a value of the wrong type")),
                }
            }
            TStmtKind::Clear { field } => match self.field(*field)? {
                Value::Set(set) => set.clear(),
                Value::Map(map) => map.clear(),
                Value::List(list) => list.clear(),
                _ => return Err(Fail::error("`clear` on a value of the wrong type")),
            },
            TStmtKind::Emit { effect, args } => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(a)?);
                }
                self.effects.push((*effect, values));
            }
            TStmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                if self.cx().eval_bool(cond)? {
                    self.block(then, depth + 1)?;
                } else {
                    self.block(otherwise, depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// The derived values of `state`, in `Model::derived` order; `None` for
/// one whose evaluation overflows.
pub fn derived(model: &Model, state: &State) -> Result<Vec<Option<Value>>, EvalError> {
    let cx = Cx::new(model, View::of(state), &[], None);
    let mut out = Vec::with_capacity(model.derived.len());
    for d in &model.derived {
        match cx.eval(&d.expr) {
            Ok(v) => out.push(Some(v.into_owned())),
            Err(Fail::Overflow) => out.push(None),
            Err(Fail::Error(e)) => return Err(e),
        }
    }
    Ok(out)
}

/// Whether invariant number `index` of `Model::invariants` holds in
/// `state` (an overflow while evaluating it counts as not holding).
pub fn invariant_holds(model: &Model, state: &State, index: usize) -> Result<bool, EvalError> {
    invariant_holds_in(model, View::of(state), index)
}

pub(crate) fn invariant_holds_in(
    model: &Model,
    view: View<'_>,
    index: usize,
) -> Result<bool, EvalError> {
    let Some(inv) = model.invariants.get(index) else {
        return Err(EvalError::new("an invariant that is not in the model"));
    };
    holds_in(model, view, &inv.expr)
}

/// The name of the first invariant (in declaration order) that does not
/// hold in `state`.
pub fn first_failing_invariant(model: &Model, state: &State) -> Result<Option<String>, EvalError> {
    first_failing_invariant_in(model, View::of(state))
}

fn first_failing_invariant_in(model: &Model, view: View<'_>) -> Result<Option<String>, EvalError> {
    for inv in &model.invariants {
        if !holds_in(model, view, &inv.expr)? {
            return Ok(Some(inv.name.clone()));
        }
    }
    Ok(None)
}

/// Whether a boolean expression over the state (a reach goal, an
/// invariant) holds; an overflow counts as not holding.
pub fn holds(model: &Model, state: &State, expr: &TExpr) -> Result<bool, EvalError> {
    holds_in(model, View::of(state), expr)
}

pub(crate) fn holds_in(model: &Model, view: View<'_>, expr: &TExpr) -> Result<bool, EvalError> {
    let cx = Cx::new(model, view, &[], None);
    match cx.eval_bool(expr) {
        Ok(b) => Ok(b),
        Err(Fail::Overflow) => Ok(false),
        Err(Fail::Error(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests;
