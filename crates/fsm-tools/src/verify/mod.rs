//! The explicit-state model checker behind `fsm verify`.
//!
//! A breadth-first search from the initial state over every input instance
//! ([`eval::input_instances`]): each state is expanded by applying every
//! instance with [`eval::step_with`]. A fired transition whose state breaks
//! an invariant is a finding, and that state is not explored (the generated
//! code with invariant checks on refuses such an input); any other new
//! state is stored if the bounds allow. Ignored and rejected inputs create
//! no state.
//!
//! `states` counts the distinct states reachable by at most `max_depth`
//! fired transitions (all of them when the search is complete), the
//! initial state included; `depth` is the largest number of fired
//! transitions needed to reach one of them. Every stored state is expanded,
//! also at the depth bound, so deadlocks, guard overlaps and the
//! transitions that fire are judged on every counted state; a state one
//! step beyond the bound is only looked up, to tell whether the bound cut
//! the search (`complete`).
//!
//! A transition that fires from no counted state, or a terminal phase in
//! none, is a finding when the search is complete; when a bound cut it, it
//! is only a note ([`Report::notes`]): it may be seen beyond the bounds,
//! so the run does not fail for it. Reach goals stay findings: they ask
//! for a state within the bounds.
//!
//! Memory: the state store grows with the states (`store_bytes`); the input
//! instances are built once, before the search, and their number is
//! bounded by [`eval::MAX_TOTAL_INSTANCES`] (counted from the domains
//! before any is built; `instance_bytes` estimates what they take).

mod emit;
mod store;

pub use emit::{emit_coverage, emit_tests};

use crate::eval::{self, EvalError, InputValue, Raw, Rejected, View};
use fsm_core::model::{InputId, Model, PhaseId, TransitionId};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;
use store::Store;

/// `max_states` when neither the spec nor the options set it.
pub const DEFAULT_MAX_STATES: u64 = 1_000_000;

/// How often (in expanded states) the progress callback is called.
const PROGRESS_EVERY: u64 = 4096;

/// Overrides of the spec's bounds, and a progress callback.
#[derive(Default)]
pub struct Options<'a> {
    /// Replaces the spec's `max_depth`.
    pub max_depth: Option<u64>,
    /// Replaces the spec's `max_states`.
    pub max_states: Option<u64>,
    /// Called every few thousand expanded states.
    pub progress: Option<&'a mut dyn FnMut(&Progress)>,
}

/// Where a running search is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub states: u64,
    pub expanded: u64,
    pub transitions: u64,
    pub depth: u64,
}

/// The result of checking one machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub machine: String,
    /// Distinct states reached (see the module docs).
    pub states: u64,
    /// Fired transitions explored: (state, input instance) pairs whose
    /// input fired a transition, from every counted state.
    pub transitions: u64,
    /// Breadth-first levels below the initial state.
    pub depth: u64,
    /// Whether every reachable state was counted (no bound cut the search).
    pub complete: bool,
    /// The bounds in effect.
    pub max_depth: Option<u64>,
    pub max_states: u64,
    pub max_collection: u64,
    /// Input instances per state.
    pub instances: u64,
    /// Memory of the state store (arena, offsets and hash table, plus the
    /// parent links for traces) divided by `states`.
    pub bytes_per_state: u64,
    /// Memory of the state store, as above, in all.
    pub store_bytes: u64,
    /// An estimate of the memory of the other tables the search holds for
    /// its whole run: the input instances (see `Value::heap_bytes`) and the
    /// candidates of each input per phase. It does not grow with the
    /// states, so for a large instance table it can far exceed
    /// `store_bytes`.
    pub instance_bytes: u64,
    /// Wall-clock time of the search; `None` to keep output deterministic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
    pub findings: Vec<Finding>,
    /// What the search did not see, but only within its bounds: when a
    /// bound cut it (`complete` is false), a transition that did not fire
    /// or a terminal phase it did not reach is a note (of kind
    /// `dead_transition` or `unreachable_terminal`), not a finding, as it
    /// may be seen beyond the bounds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Finding>,
    /// Every `reach` goal of the spec, in declaration order, with the
    /// shortest trace to a state that meets it (its witness).
    pub goals: Vec<Goal>,
    /// Every `always_possible` property of the spec, in declaration order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    /// Every `bound` of the spec, in declaration order, with the number of
    /// distinct states it left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bounds: Vec<BoundCut>,
    /// Per transition that fires and per `ignore` taken, the shortest
    /// inputs that exercise it.
    #[serde(skip)]
    pub coverage: Vec<Covered>,
}

/// What a coverage case exercises (`fsm verify --emit-tests coverage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoveredKind {
    /// The transition fires on the last input.
    Transition(TransitionId),
    /// An `ignore` of this input in this phase takes the last input.
    Ignore(InputId, PhaseId),
}

/// The shortest input sequence whose last input exercises `what`.
#[derive(Debug, Clone, PartialEq)]
pub struct Covered {
    pub what: CoveredKind,
    pub inputs: Vec<InputValue>,
}

/// An `always_possible` property and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Property {
    pub name: String,
    pub holds: bool,
    /// Reachable states from which no state meeting it can be reached.
    pub trap_states: u64,
}

/// A `bound` of the spec and what it cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoundCut {
    /// The bound's expression, as the spec would print it.
    pub bound: String,
    /// Distinct states the bound left out (each counted under the first
    /// bound it breaks).
    pub cut: u64,
}

/// A `reach` goal and its witness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goal {
    pub name: String,
    pub reached: bool,
    /// The shortest sequence of inputs to a state that meets the goal, one
    /// `Input(arg, …)` per line (empty when the initial state meets it);
    /// `None` when the goal is not reached.
    pub trace: Option<Vec<String>>,
    /// The trace as input values.
    #[serde(skip)]
    pub inputs: Vec<InputValue>,
}

impl Report {
    /// The report without its timing, so it is the same on every run.
    pub fn without_time(mut self) -> Self {
        self.elapsed_ms = None;
        self
    }
}

/// One thing the checker found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    #[serde(flatten)]
    pub kind: FindingKind,
    pub message: String,
    /// The shortest sequence of inputs that shows it, one `Input(arg, …)`
    /// per line; `None` for findings about the whole state space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<String>>,
    /// The trace as input values.
    #[serde(skip)]
    pub inputs: Vec<InputValue>,
}

/// The kinds of findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    /// A reachable state breaks the invariant (the trace ends with the
    /// input that breaks it).
    InvariantViolated { invariant: String },
    /// A reachable state in this non-terminal phase fires no transition
    /// for any input instance.
    Deadlock { phase: String },
    /// The transition fires from no counted state (a note rather than a
    /// finding when the search is incomplete).
    DeadTransition { transition: String },
    /// The guards of several candidates for the input all hold in one
    /// reachable state (the trace ends with that input).
    GuardOverlap {
        input: String,
        transitions: Vec<String>,
    },
    /// No counted state satisfies the reach goal.
    UnreachedGoal { reach: String },
    /// The terminal phase is in no counted state (a note rather than a
    /// finding when the search is incomplete).
    UnreachableTerminal { phase: String },
    /// Checked arithmetic of the transition overflows its integer type in
    /// `states` counted states, so the generated code refuses the input
    /// there (the trace ends with the first such input). Not reported for
    /// the transitions of the spec's `allow_overflow`.
    ArithmeticOverflow { transition: String, states: u64 },
    /// The `always_possible` property does not hold: from `states`
    /// reachable states no state meeting it is reachable (the trace leads
    /// to the first such trap state found, at the least depth).
    TrapState { property: String, states: u64 },
}

/// Checks `model` within its `verify` bounds (or the overrides).
pub fn verify(model: &Model, options: &mut Options<'_>) -> Result<Report, EvalError> {
    let started = Instant::now();
    let max_depth = options.max_depth.or(model.verify.max_depth);
    let max_states = options
        .max_states
        .or(model.verify.max_states)
        .unwrap_or(DEFAULT_MAX_STATES);
    let key = eval::key_value(model)?;
    let instances = eval::input_instances(model)?;
    let init = eval::initial(model, key.clone())?;

    // Per input, the phases where it has candidates, sorted, with them (an
    // input with none in a phase is ignored or rejected there without
    // evaluating anything). Sparse: its size is the transitions' sources.
    let candidates: Vec<Vec<(PhaseId, Vec<TransitionId>)>> = (0..model.inputs.len())
        .map(|i| model.candidates_by_phase(InputId(u32::try_from(i).unwrap_or(u32::MAX))))
        .collect();

    let mut search = Search {
        model,
        instances: &instances,
        store: Store::new(),
        parents: Vec::new(),
        via: Vec::new(),
        fired: vec![false; model.transitions.len()],
        phase_seen: vec![false; model.phases.len()],
        reached: vec![None; model.verify.reach.len()],
        good: vec![Vec::new(); model.verify.always_possible.len()],
        edges: Vec::new(),
        open_states: Vec::new(),
        cut: Store::new(),
        bound_cut: vec![0; model.verify.bounds.len()],
        first_fire: Vec::new(),
        first_ignore: BTreeMap::new(),
        pair_seen: vec![false; model.inputs.len() * model.phases.len()],
        violated: BTreeMap::new(),
        deadlocks: BTreeMap::new(),
        overlaps: BTreeMap::new(),
        overflows: BTreeMap::new(),
        transitions: 0,
        complete: true,
    };

    let mut bytes = Vec::new();
    store::encode(model, View::of(&init), &mut bytes);
    let _ = search.store.insert(&bytes);
    search.parents.push(u32::MAX);
    search.via.push(u32::MAX);
    for (i, inv) in model.invariants.iter().enumerate() {
        if !eval::invariant_holds(model, &init, i)? {
            search.violated.insert(i, (inv.name.clone(), 0, None));
        }
    }
    search.on_new_state(View::of(&init), 0)?;

    let mut depth: u64 = 0;
    let mut level_end = 1usize;
    let mut next = 0usize;
    let mut expanded: u64 = 0;
    let mut scratch = Vec::new();
    let mut current = Vec::new();
    while next < search.store.len() {
        if next == level_end {
            depth += 1;
            level_end = search.store.len();
        }
        let id = next;
        next += 1;
        current.clear();
        current.extend_from_slice(search.store.get(id));
        let Some(state) = store::decode(model, &current, &key) else {
            return Err(EvalError::new("a stored state does not decode"));
        };
        let at_limit = max_depth.is_some_and(|m| depth >= m);
        let mut fired_any = false;
        let mut overflowed_here: Vec<TransitionId> = Vec::new();
        for (ii, inst) in instances.iter().enumerate() {
            let cands = candidates
                .get(inst.input.index())
                .and_then(|c| {
                    let i = c.binary_search_by_key(&state.phase, |(p, _)| *p).ok()?;
                    c.get(i)
                })
                .map_or(&[][..], |(_, c)| c.as_slice());
            if cands.is_empty() {
                // Each (input, phase) is looked at once: the first state
                // where it occurs is one at the least depth.
                let pair = inst.input.index() * model.phases.len() + state.phase.index();
                if let Some(seen) = search.pair_seen.get_mut(pair)
                    && !*seen
                {
                    *seen = true;
                    if model.is_ignored(inst.input, state.phase) {
                        search
                            .first_ignore
                            .insert((inst.input, state.phase), (id, ii));
                    }
                }
                continue;
            }
            let fired = match eval::step_raw(model, &state, inst, cands)? {
                Raw::Fired(fired) => fired,
                Raw::Rejected(Rejected::ArithmeticOverflow { transition }) => {
                    let first = search.overflows.entry(transition).or_insert((id, ii, 0));
                    // States are expanded once each: count each state once.
                    if !overflowed_here.contains(&transition) {
                        overflowed_here.push(transition);
                        first.2 += 1;
                    }
                    continue;
                }
                _ => continue,
            };
            let transition = fired.transition;
            fired_any = true;
            search.transitions += 1;
            if let Some(f) = search.fired.get_mut(transition.index())
                && !*f
            {
                *f = true;
                search.first_fire.push((transition, id, ii));
            }
            if cands.len() > 1 {
                let enabled = eval::enabled_candidates(model, &state, inst)?;
                if enabled.len() > 1 {
                    search
                        .overlaps
                        .entry((inst.input.index(), enabled))
                        .or_insert((id, ii));
                }
            }
            let after = fired.view(&state);
            store::encode(model, after, &mut scratch);
            if scratch == current {
                continue;
            }
            if let Some(known) = search.store.find(&scratch) {
                search.edge(id, known);
                continue;
            }
            if at_limit {
                // A state beyond the depth bound: not counted, not judged.
                search.complete = false;
                search.open(id);
                continue;
            }
            // A new state: it is kept only if every invariant holds.
            let mut broken = false;
            for (i, inv) in model.invariants.iter().enumerate() {
                if !eval::invariant_holds_in(model, after, i)? {
                    broken = true;
                    search
                        .violated
                        .entry(i)
                        .or_insert((inv.name.clone(), id, Some(ii)));
                }
            }
            if broken {
                continue;
            }
            // A state outside a `bound` is left out of the state space the
            // spec states; each one is counted once, under the first bound
            // it breaks.
            if let Some(b) = search.broken_bound(after)? {
                if let Ok((_, true)) = search.cut.insert(&scratch)
                    && let Some(n) = search.bound_cut.get_mut(b)
                {
                    *n += 1;
                }
                continue;
            }
            if search.store.len() as u64 >= max_states {
                search.complete = false;
                search.open(id);
                continue;
            }
            match search.store.insert(&scratch) {
                Ok((new_id, true)) => {
                    search.parents.push(u32::try_from(id).unwrap_or(u32::MAX));
                    search.via.push(u32::try_from(ii).unwrap_or(u32::MAX));
                    search.on_new_state(after, new_id)?;
                    search.edge(id, new_id);
                }
                Ok((known, false)) => search.edge(id, known),
                Err(_) => {
                    search.complete = false;
                    search.open(id);
                }
            }
        }
        let terminal = model.phase(state.phase).is_some_and(|p| p.terminal);
        if !fired_any && !terminal {
            search.deadlocks.entry(state.phase).or_insert(id);
        }
        expanded += 1;
        if expanded.is_multiple_of(PROGRESS_EVERY)
            && let Some(progress) = options.progress.as_mut()
        {
            progress(&Progress {
                states: search.store.len() as u64,
                expanded,
                transitions: search.transitions,
                depth,
            });
        }
    }
    let states = search.store.len() as u64;
    let memory = search.store.bytes() + search.parents.len() * 4 + search.via.len() * 4;
    let tables = instances.iter().map(InputValue::bytes).sum::<usize>()
        + candidates
            .iter()
            .flatten()
            .map(|(_, c)| {
                std::mem::size_of::<(PhaseId, Vec<TransitionId>)>()
                    + c.capacity() * std::mem::size_of::<TransitionId>()
            })
            .sum::<usize>();
    let (mut findings, notes) = search.findings();
    let goals = search.goals();
    let properties = search.properties(&mut findings);
    let coverage = search.coverage();
    let printer = fsm_core::pretty::Printer::new(model);
    let bounds = model
        .verify
        .bounds
        .iter()
        .zip(&search.bound_cut)
        .map(|(b, cut)| BoundCut {
            bound: printer.expr(&b.expr, &[]),
            cut: *cut,
        })
        .collect();
    let memory = memory
        + search.edges.len() * std::mem::size_of::<(u32, u32)>()
        + search.cut.bytes()
        + search.good.iter().map(Vec::len).sum::<usize>();
    Ok(Report {
        machine: model.name.clone(),
        states,
        transitions: search.transitions,
        depth,
        complete: search.complete,
        max_depth,
        max_states,
        max_collection: eval::max_collection(model),
        instances: instances.len() as u64,
        bytes_per_state: (memory as u64).div_ceil(states.max(1)),
        store_bytes: memory as u64,
        instance_bytes: tables as u64,
        elapsed_ms: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
        findings,
        notes,
        goals,
        properties,
        bounds,
        coverage,
    })
}

/// The search's bookkeeping.
struct Search<'a> {
    model: &'a Model,
    instances: &'a [InputValue],
    store: Store,
    /// Per state: the state it was first reached from (`u32::MAX` for the
    /// initial state) and the input instance that reached it.
    parents: Vec<u32>,
    via: Vec<u32>,
    fired: Vec<bool>,
    phase_seen: Vec<bool>,
    /// Per reach goal: the first state (so one at the least depth) that
    /// meets it.
    reached: Vec<Option<usize>>,
    /// Per invariant: its name, the state the breaking input was applied
    /// to and that input (`None`: the state itself breaks it).
    violated: BTreeMap<usize, (String, usize, Option<usize>)>,
    /// Per phase: the first deadlocked state.
    deadlocks: BTreeMap<PhaseId, usize>,
    /// Per (input, transitions whose guards all hold): the first state and
    /// input instance.
    overlaps: BTreeMap<(usize, Vec<TransitionId>), (usize, usize)>,
    /// Per transition whose arithmetic overflowed: the first state and
    /// input instance, and the number of states where it did.
    overflows: BTreeMap<TransitionId, (usize, usize, u64)>,
    /// Per `always_possible` property: whether each stored state meets it.
    good: Vec<Vec<bool>>,
    /// Every transition between stored states (source, target), kept only
    /// when the spec has `always_possible` properties.
    edges: Vec<(u32, u32)>,
    /// Per stored state: whether a bound other than a `bound` cut one of
    /// its successors (kept only with `always_possible` properties).
    open_states: Vec<bool>,
    /// The distinct states left out by a `bound`, and how many each bound
    /// left out.
    cut: Store,
    bound_cut: Vec<u64>,
    /// Per transition, in the order they first fired: the first state it
    /// fired from and the input instance (so one at the least depth).
    first_fire: Vec<(TransitionId, usize, usize)>,
    /// Per (input, phase) an `ignore` covers: the first state and instance.
    first_ignore: BTreeMap<(InputId, PhaseId), (usize, usize)>,
    /// Per (input, phase), input-major: whether a state in the phase met
    /// an instance of the input without candidates.
    pair_seen: Vec<bool>,
    transitions: u64,
    complete: bool,
}

impl Search<'_> {
    fn tracks_edges(&self) -> bool {
        !self.good.is_empty()
    }

    fn edge(&mut self, from: usize, to: usize) {
        if self.tracks_edges() && from != to {
            self.edges.push((
                u32::try_from(from).unwrap_or(u32::MAX),
                u32::try_from(to).unwrap_or(u32::MAX),
            ));
        }
    }

    fn open(&mut self, id: usize) {
        if let Some(o) = self.open_states.get_mut(id) {
            *o = true;
        }
    }

    /// The first `bound` that `state` breaks.
    fn broken_bound(&self, state: View<'_>) -> Result<Option<usize>, EvalError> {
        for (i, b) in self.model.verify.bounds.iter().enumerate() {
            if !eval::holds_in(self.model, state, &b.expr)? {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    fn on_new_state(&mut self, state: View<'_>, id: usize) -> Result<(), EvalError> {
        if let Some(seen) = self.phase_seen.get_mut(state.phase.index()) {
            *seen = true;
        }
        if self.tracks_edges() {
            self.open_states.push(false);
            for (i, p) in self.model.verify.always_possible.iter().enumerate() {
                let meets = eval::holds_in(self.model, state, &p.expr)?;
                if let Some(g) = self.good.get_mut(i) {
                    g.push(meets);
                }
            }
        }
        for (i, goal) in self.model.verify.reach.iter().enumerate() {
            if self.reached.get(i) == Some(&None)
                && eval::holds_in(self.model, state, &goal.expr)?
                && let Some(r) = self.reached.get_mut(i)
            {
                *r = Some(id);
            }
        }
        Ok(())
    }

    /// Every reach goal with its witness.
    fn goals(&self) -> Vec<Goal> {
        self.model
            .verify
            .reach
            .iter()
            .zip(&self.reached)
            .map(|(goal, reached)| {
                let (trace, inputs) = match reached {
                    Some(state) => {
                        let (lines, inputs) = self.trace(*state, None);
                        (Some(lines), inputs)
                    }
                    None => (None, Vec::new()),
                };
                Goal {
                    name: goal.name.clone(),
                    reached: reached.is_some(),
                    trace,
                    inputs,
                }
            })
            .collect()
    }

    /// Every `always_possible` property with its verdict; a property that
    /// does not hold adds a `trap_state` finding to `findings`.
    ///
    /// A state can get to a state meeting the property when one is
    /// reachable from it over the stored transitions, or when it reaches a
    /// state whose successors a search bound cut (what lies beyond is not
    /// known, so it is not held against the spec). The states that cannot
    /// are its traps; the trace leads to the one found first, so one at the
    /// least depth.
    fn properties(&self, findings: &mut Vec<Finding>) -> Vec<Property> {
        if !self.tracks_edges() {
            return Vec::new();
        }
        let n = self.store.len();
        // The transitions reversed, as adjacency lists in one array.
        let mut start = vec![0usize; n + 1];
        for &(_, to) in &self.edges {
            if let Some(s) = start.get_mut(to as usize + 1) {
                *s += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut preds = vec![0u32; self.edges.len()];
        for &(from, to) in &self.edges {
            if let Some(at) = fill.get_mut(to as usize) {
                if let Some(p) = preds.get_mut(*at) {
                    *p = from;
                }
                *at += 1;
            }
        }
        let mut out = Vec::new();
        for (p, good) in self.model.verify.always_possible.iter().zip(&self.good) {
            let mut can = vec![false; n];
            let mut queue: Vec<usize> = Vec::new();
            for (i, c) in can.iter_mut().enumerate() {
                if good.get(i) == Some(&true) || self.open_states.get(i) == Some(&true) {
                    *c = true;
                    queue.push(i);
                }
            }
            while let Some(s) = queue.pop() {
                let (Some(&lo), Some(&hi)) = (start.get(s), start.get(s + 1)) else {
                    continue;
                };
                for &q in preds.get(lo..hi).unwrap_or(&[]) {
                    if let Some(c) = can.get_mut(q as usize)
                        && !*c
                    {
                        *c = true;
                        queue.push(q as usize);
                    }
                }
            }
            let traps = can.iter().filter(|c| !**c).count() as u64;
            if let Some(first) = can.iter().position(|c| !*c) {
                let bounded = if self.model.verify.bounds.is_empty() {
                    ""
                } else {
                    " within the `bound`s"
                };
                findings.push(self.with_trace(
                    FindingKind::TrapState {
                        property: p.name.clone(),
                        states: traps,
                    },
                    format!(
                        "`always_possible {}` does not hold: from {traps} reachable state{} no \
                         state meeting it can be reached{bounded} (the trace leads to one)",
                        p.name,
                        if traps == 1 { "" } else { "s" }
                    ),
                    first,
                    None,
                ));
            }
            out.push(Property {
                name: p.name.clone(),
                holds: traps == 0,
                trap_states: traps,
            });
        }
        out
    }

    /// The shortest input sequence that fires each transition, then that
    /// takes each `ignore`, in declaration order.
    fn coverage(&self) -> Vec<Covered> {
        let mut fires = self.first_fire.clone();
        fires.sort_by_key(|(t, _, _)| *t);
        let mut out: Vec<Covered> = fires
            .iter()
            .map(|(t, state, inst)| Covered {
                what: CoveredKind::Transition(*t),
                inputs: self.trace(*state, Some(*inst)).1,
            })
            .collect();
        for ((input, phase), (state, inst)) in &self.first_ignore {
            out.push(Covered {
                what: CoveredKind::Ignore(*input, *phase),
                inputs: self.trace(*state, Some(*inst)).1,
            });
        }
        out
    }

    /// The instance numbers leading to state `id`, from the initial state.
    fn path(&self, mut id: usize) -> Vec<usize> {
        let mut out = Vec::new();
        while let (Some(&parent), Some(&via)) = (self.parents.get(id), self.via.get(id)) {
            if parent == u32::MAX {
                break;
            }
            out.push(via as usize);
            id = parent as usize;
        }
        out.reverse();
        out
    }

    fn trace(&self, state: usize, last: Option<usize>) -> (Vec<String>, Vec<InputValue>) {
        let mut steps = self.path(state);
        steps.extend(last);
        let inputs: Vec<InputValue> = steps
            .iter()
            .filter_map(|i| self.instances.get(*i).cloned())
            .collect();
        let lines = inputs
            .iter()
            .map(|i| eval::render_input(self.model, i))
            .collect();
        (lines, inputs)
    }

    fn with_trace(
        &self,
        kind: FindingKind,
        message: String,
        state: usize,
        last: Option<usize>,
    ) -> Finding {
        let (lines, inputs) = self.trace(state, last);
        Finding {
            kind,
            message,
            trace: Some(lines),
            inputs,
        }
    }

    /// The findings, and the notes of an incomplete search (see
    /// [`Report::notes`]).
    fn findings(&self) -> (Vec<Finding>, Vec<Finding>) {
        let m = self.model;
        let mut notes = Vec::new();
        let bounded = if self.complete {
            ""
        } else {
            " within the bounds"
        };
        let mut out = Vec::new();
        for (name, state, last) in self.violated.values() {
            let message = match last {
                None if *state == 0 => format!("the initial state breaks invariant `{name}`"),
                _ => format!("invariant `{name}` is broken"),
            };
            out.push(self.with_trace(
                FindingKind::InvariantViolated {
                    invariant: name.clone(),
                },
                message,
                *state,
                *last,
            ));
        }
        for (transition, (state, instance, states)) in &self.overflows {
            if m.verify.allow_overflow.contains(transition) {
                continue;
            }
            let name = m.transition(*transition).map_or("?", |t| t.name.as_str());
            out.push(self.with_trace(
                FindingKind::ArithmeticOverflow {
                    transition: name.to_owned(),
                    states: *states,
                },
                format!(
                    "transition `{name}` overflows an integer in {states} state{} (the input is refused there)",
                    if *states == 1 { "" } else { "s" }
                ),
                *state,
                Some(*instance),
            ));
        }
        for (phase, state) in &self.deadlocks {
            let name = m.phase_name(*phase).to_owned();
            out.push(self.with_trace(
                FindingKind::Deadlock {
                    phase: name.clone(),
                },
                format!("a state in non-terminal phase `{name}` fires no transition for any input"),
                *state,
                None,
            ));
        }
        for ((input, transitions), (state, inst)) in &self.overlaps {
            let input = m
                .inputs
                .get(*input)
                .map_or("?", |i| i.name.as_str())
                .to_owned();
            let names: Vec<String> = transitions
                .iter()
                .filter_map(|t| m.transition(*t).map(|t| t.name.clone()))
                .collect();
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            out.push(self.with_trace(
                FindingKind::GuardOverlap {
                    input: input.clone(),
                    transitions: names,
                },
                format!(
                    "the guards of {} all hold for input `{input}` in one state",
                    quoted.join(" and ")
                ),
                *state,
                Some(*inst),
            ));
        }
        for (t, fired) in m.transitions.iter().zip(&self.fired) {
            if !fired {
                let (list, message) = if self.complete {
                    (&mut out, format!("transition `{}` never fires", t.name))
                } else {
                    (
                        &mut notes,
                        format!(
                            "transition `{}` does not fire within the bounds (it may beyond them)",
                            t.name
                        ),
                    )
                };
                list.push(Finding {
                    kind: FindingKind::DeadTransition {
                        transition: t.name.clone(),
                    },
                    message,
                    trace: None,
                    inputs: Vec::new(),
                });
            }
        }
        for (goal, reached) in m.verify.reach.iter().zip(&self.reached) {
            if reached.is_none() {
                out.push(Finding {
                    kind: FindingKind::UnreachedGoal {
                        reach: goal.name.clone(),
                    },
                    message: format!("reach goal `{}` is not reached{bounded}", goal.name),
                    trace: None,
                    inputs: Vec::new(),
                });
            }
        }
        for (p, seen) in m.phases.iter().zip(&self.phase_seen) {
            if p.terminal && !seen {
                let (list, message) = if self.complete {
                    (
                        &mut out,
                        format!("terminal phase `{}` is never reached", p.name),
                    )
                } else {
                    (
                        &mut notes,
                        format!(
                            "terminal phase `{}` is not reached within the bounds (it may be beyond them)",
                            p.name
                        ),
                    )
                };
                list.push(Finding {
                    kind: FindingKind::UnreachableTerminal {
                        phase: p.name.clone(),
                    },
                    message,
                    trace: None,
                    inputs: Vec::new(),
                });
            }
        }
        (out, notes)
    }
}

/// The value the search used for the key, for display.
pub fn key_text(model: &Model) -> Option<String> {
    match eval::key_value(model) {
        Ok(Some(v)) => Some(eval::render_value(model, &v)),
        _ => None,
    }
}
