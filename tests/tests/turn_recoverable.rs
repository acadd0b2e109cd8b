//! The turn of `machines/turn.fsm` never wedges a session: from every state
//! reachable within the spec's `verify` bounds, the turn handle's own inputs
//! lead back to a free host (no run bound) within a few steps. A runtime
//! loop that does not use session admission's `Commit` (a direct run, or a
//! loop that relies on `run_*` to commit, or one that moves on to a new run
//! id) must never leave the host running a run for good.
//!
//! A variant of the spec that re-introduces the old wedge (a prepared run
//! left bound by `run_*`) fails the same check, with the path to the trap.

use std::collections::{HashMap, HashSet, VecDeque};

use fsm_core::model::{BindingTarget, Model};
use fsm_tools::eval::{self, InputValue, Outcome, State, Value};

const TURN: &str = include_str!("../../machines/turn.fsm");

/// How many states of the bounded space are checked, at most.
const MAX_STATES: usize = 200_000;
/// How far the search for a free host may go from a state.
const RECOVERY_STEPS: usize = 3;
/// How deep the space is explored with every input.
const DEPTH: usize = 7;

fn compile(text: &str) -> Model {
    let compilation = fsm_core::compile("turn.fsm", text.as_bytes());
    compilation
        .model
        .unwrap_or_else(|| panic!("the spec compiles: {:?}", compilation.diagnostics))
}

/// The instances of the inputs `TurnStateHandle` binds.
fn turn_inputs(model: &Model, all: &[InputValue]) -> Vec<InputValue> {
    let bound: HashSet<_> = model
        .bindings
        .iter()
        .filter(|b| b.trait_name == "TurnStateHandle")
        .flat_map(|b| &b.methods)
        .filter_map(|m| match m.target {
            BindingTarget::Input(id) => Some(id),
            _ => None,
        })
        .collect();
    assert!(!bound.is_empty());
    all.iter()
        .filter(|i| bound.contains(&i.input))
        .cloned()
        .collect()
}

fn successor(model: &Model, state: &State, input: &InputValue) -> Option<State> {
    match eval::step(model, state, input).expect("the evaluator runs the spec") {
        Outcome::Fired { state, .. } => Some(state),
        Outcome::Ignored | Outcome::Rejected(_) => None,
    }
}

fn free(model: &Model, state: &State) -> bool {
    let field = model
        .field_by_name("current_run_id")
        .expect("the turn binds runs");
    state.fields[field.0 as usize] == Value::None
}

/// A state from which the turn's own inputs cannot free the host within
/// [`RECOVERY_STEPS`], with the inputs that reach it.
fn trap(text: &str) -> Option<(State, Vec<String>)> {
    let model = compile(text);
    let all = eval::input_instances(&model).expect("the verify domains give every input");
    let own = turn_inputs(&model, &all);
    let initial = eval::initial(&model, None).expect("an initial state");
    let mut parent: HashMap<State, Option<(State, String)>> = HashMap::new();
    parent.insert(initial.clone(), None);
    let mut queue = VecDeque::from([(initial, 0usize)]);
    while let Some((state, depth)) = queue.pop_front() {
        if !recovers(&model, &own, &state) {
            let mut path = Vec::new();
            let mut at = state.clone();
            while let Some(Some((prev, input))) = parent.get(&at) {
                path.push(input.clone());
                at = prev.clone();
            }
            path.reverse();
            return Some((state, path));
        }
        if depth == DEPTH || parent.len() >= MAX_STATES {
            continue;
        }
        for input in &all {
            if let Some(next) = successor(&model, &state, input)
                && !parent.contains_key(&next)
            {
                let name = model
                    .input(input.input)
                    .map_or("?", |i| i.name.as_str())
                    .to_owned();
                parent.insert(next.clone(), Some((state.clone(), name)));
                queue.push_back((next, depth + 1));
            }
        }
    }
    None
}

/// Whether `own` inputs lead from `state` to a free host.
fn recovers(model: &Model, own: &[InputValue], state: &State) -> bool {
    let mut frontier = vec![state.clone()];
    let mut seen: HashSet<State> = frontier.iter().cloned().collect();
    for _ in 0..=RECOVERY_STEPS {
        if frontier.iter().any(|s| free(model, s)) {
            return true;
        }
        let mut next = Vec::new();
        for s in &frontier {
            for input in own {
                if let Some(t) = successor(model, s, input)
                    && seen.insert(t.clone())
                {
                    next.push(t);
                }
            }
        }
        frontier = next;
    }
    false
}

#[test]
fn the_turn_alone_always_frees_the_host() {
    if let Some((state, path)) = trap(TURN) {
        panic!("a trap state after {path:?}: {state:?}");
    }
}

#[test]
fn a_turn_whose_runs_end_without_committing_is_caught() {
    // The wedge this spec once had, in its simplest form: `run_*` leave
    // the run bound for an admission `Commit` that a runtime loop may
    // never send.
    let planted = TURN.replace("        do unbind_run\n", "");
    assert_ne!(planted, TURN, "the planted variant differs");
    let (state, path) = trap(&planted).expect("the planted wedge is found");
    assert!(
        path.iter().any(|input| input.starts_with("Start")),
        "a run was bound on the way: {path:?}"
    );
    let model = compile(&planted);
    assert!(!free(&model, &state));
}
