//! The model checker against a plain breadth-first search over the public
//! evaluator (state counts, depths, fired transitions), and its traces
//! replayed through the evaluator.

use fsm_core::Model;
use fsm_tools::eval::{self, Outcome, Rejected};
use fsm_tools::verify::{self, FindingKind, Options};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(relative: &str) -> Model {
    let bytes = std::fs::read(root().join(relative)).expect("read the spec");
    let c = fsm_core::compile(relative, &bytes);
    c.model
        .unwrap_or_else(|| panic!("{relative} does not compile: {:?}", c.diagnostics))
}

fn specs() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["machines", "tests/specs"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("read the folder") {
            let path = entry.expect("an entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let wanted = dir == "machines" || name.starts_with("verify_");
            if wanted && name.ends_with(".fsm") {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    out
}

/// (states, transitions, depth) by a naive search: states in a hash map,
/// invariants checked by `step` itself.
fn reference(model: &Model, max_depth: u64) -> (u64, u64, u64) {
    let key = eval::key_value(model).expect("a key");
    let instances = eval::input_instances(model).expect("instances");
    let init = eval::initial(model, key).expect("the initial state");
    let mut seen = HashMap::from([(init.clone(), 0u64)]);
    let mut queue = VecDeque::from([init]);
    let (mut transitions, mut depth) = (0, 0);
    while let Some(state) = queue.pop_front() {
        let d = seen[&state];
        depth = depth.max(d);
        for i in &instances {
            let outcome = eval::step(model, &state, i).expect("a step");
            let next = match outcome {
                Outcome::Fired { state: next, .. } => next,
                Outcome::Rejected(Rejected::InvariantViolated { .. }) => {
                    transitions += 1;
                    continue;
                }
                _ => continue,
            };
            transitions += 1;
            let within = model
                .verify
                .bounds
                .iter()
                .all(|b| eval::holds(model, &next, &b.expr).expect("a bound"));
            if d < max_depth && within && !seen.contains_key(&next) {
                seen.insert(next.clone(), d + 1);
                queue.push_back(next);
            }
        }
    }
    (seen.len() as u64, transitions, depth)
}

#[test]
fn counts_match_a_plain_search_on_every_spec() {
    for spec in specs() {
        let model = load(&spec);
        let depth = model.verify.max_depth.unwrap_or(6).min(5);
        let report = verify::verify(
            &model,
            &mut Options {
                max_depth: Some(depth),
                ..Options::default()
            },
        )
        .expect("verify");
        let (states, transitions, levels) = reference(&model, depth);
        assert_eq!(
            (report.states, report.transitions, report.depth),
            (states, transitions, levels),
            "{spec}"
        );
    }
}

#[test]
fn every_trace_replays_to_what_its_finding_says() {
    for spec in specs() {
        let model = load(&spec);
        let report = verify::verify(&model, &mut Options::default()).expect("verify");
        let key = eval::key_value(&model).expect("a key");
        for finding in &report.findings {
            let Some(trace) = &finding.trace else {
                continue;
            };
            assert_eq!(trace.len(), finding.inputs.len());
            let mut state = eval::initial(&model, key.clone()).expect("initial");
            let (last, prefix) = match &finding.kind {
                FindingKind::Deadlock { .. } | FindingKind::TrapState { .. } => {
                    (None, &finding.inputs[..])
                }
                _ => match finding.inputs.split_last() {
                    Some((last, prefix)) => (Some(last), prefix),
                    None => (None, &finding.inputs[..]),
                },
            };
            for input in prefix {
                match eval::step(&model, &state, input).expect("a step") {
                    Outcome::Fired { state: next, .. } => state = next,
                    other => panic!("{spec}: a trace step was not accepted: {other:?}"),
                }
            }
            match &finding.kind {
                FindingKind::InvariantViolated { invariant } => {
                    let last = last.expect("a last input");
                    match eval::step(&model, &state, last).expect("a step") {
                        Outcome::Rejected(Rejected::InvariantViolated { invariant: i, .. }) => {
                            // The first failing invariant may come before.
                            let index = model.invariants.iter().position(|x| x.name == *invariant);
                            let first = model.invariants.iter().position(|x| x.name == i);
                            assert!(first <= index, "{spec}: {i} after {invariant}");
                        }
                        other => panic!("{spec}: the last input did not break it: {other:?}"),
                    }
                }
                FindingKind::Deadlock { .. } => {
                    for i in eval::input_instances(&model).expect("instances") {
                        let out = eval::step_with(&model, &state, &i, false).expect("a step");
                        assert!(
                            !matches!(out, Outcome::Fired { .. }),
                            "{spec}: a transition fires"
                        );
                    }
                }
                FindingKind::GuardOverlap { transitions, .. } => {
                    let enabled =
                        eval::enabled_candidates(&model, &state, last.expect("a last input"))
                            .expect("guards");
                    let names: Vec<&str> = enabled
                        .iter()
                        .filter_map(|t| model.transition(*t).map(|t| t.name.as_str()))
                        .collect();
                    assert_eq!(names, *transitions, "{spec}");
                }
                FindingKind::ArithmeticOverflow { transition, .. } => {
                    match eval::step(&model, &state, last.expect("a last input")).expect("a step") {
                        Outcome::Rejected(Rejected::ArithmeticOverflow { transition: t }) => {
                            let name = model.transition(t).map(|t| t.name.as_str());
                            assert_eq!(name, Some(transition.as_str()), "{spec}");
                        }
                        other => panic!("{spec}: the last input did not overflow: {other:?}"),
                    }
                }
                FindingKind::TrapState { property, .. } => {
                    // The trace ends in a state from which no state meeting
                    // the property is reachable: search from it.
                    let goal = &model
                        .verify
                        .always_possible
                        .iter()
                        .find(|p| p.name == *property)
                        .expect("the property")
                        .expr;
                    let instances = eval::input_instances(&model).expect("instances");
                    let mut seen = vec![state.clone()];
                    let mut queue = vec![state.clone()];
                    while let Some(s) = queue.pop() {
                        assert!(!eval::holds(&model, &s, goal).expect("holds"), "{spec}");
                        for i in &instances {
                            if let Outcome::Fired { state: next, .. } =
                                eval::step(&model, &s, i).expect("a step")
                                && !seen.contains(&next)
                                && model
                                    .verify
                                    .bounds
                                    .iter()
                                    .all(|b| eval::holds(&model, &next, &b.expr).expect("holds"))
                            {
                                seen.push(next.clone());
                                queue.push(next);
                            }
                        }
                    }
                }
                _ => panic!("{spec}: a finding of this kind has no trace"),
            }
        }
    }
}

#[test]
fn the_planted_bug_is_found_with_the_shortest_trace() {
    let model = load("tests/specs/verify_planted_bug.fsm");
    let report = verify::verify(&model, &mut Options::default()).expect("verify");
    assert!(report.complete);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(
        f.kind,
        FindingKind::InvariantViolated {
            invariant: "at_most_two_openings".into()
        }
    );
    assert_eq!(
        f.trace.as_deref(),
        Some(
            &[
                "Unlock".to_owned(),
                "Unlock".to_owned(),
                "Unlock".to_owned()
            ][..]
        )
    );
}

#[test]
fn max_states_cuts_the_search_and_progress_is_reported() {
    let model = load("machines/tool_surface.fsm");
    let mut calls = 0;
    let mut count = |_: &verify::Progress| calls += 1;
    let report = verify::verify(
        &model,
        &mut Options {
            max_states: Some(10_000),
            progress: Some(&mut count),
            ..Options::default()
        },
    )
    .expect("verify");
    assert_eq!(report.states, 10_000);
    assert!(!report.complete);
    assert!(calls > 0);
    assert!(report.bytes_per_state > 0 && report.bytes_per_state < 200);
}

fn compile(name: &str, text: &str) -> Model {
    let c = fsm_core::compile(name, text.as_bytes());
    c.model
        .unwrap_or_else(|| panic!("{name} does not compile: {:?}", c.diagnostics))
}

/// Four inputs of one `Set<u64>` each, whose domain (every set of at most
/// two of `values` numbers) is `1 + values + values·(values-1)/2`.
fn four_sets(values: u32) -> String {
    format!(
        "machine Sets {{
            phases {{ A }}
            initial A
            state {{ n: u64 = 0 }}
            input Add(xs: Set<u64>)
            input Remove(xs: Set<u64>)
            input Keep(xs: Set<u64>)
            input Drop(xs: Set<u64>)
            transition add on Add from A -> stay {{ n = 1 }}
            transition remove on Remove from A -> stay {{ n = 2 }}
            transition keep on Keep from A -> stay {{ n = 3 }}
            transition drop on Drop from A -> stay {{ n = 0 }}
            verify {{
                domain u64 = 0..{values}
                max_collection 2
            }}
        }}"
    )
}

#[test]
fn input_instances_over_the_total_bound_are_an_error_before_any_is_built() {
    // 1 400 numbers: 980 701 sets per input, about 3.9 million instances
    // in all, which built up front took gigabytes.
    let model = compile("sets.fsm", &four_sets(1_400));
    let err = verify::verify(
        &model,
        &mut Options {
            max_states: Some(10),
            ..Options::default()
        },
    )
    .expect_err("over the bound");
    let message = err.message;
    assert!(
        message.contains("input `Add` has 980701 instances")
            && message.contains("`xs: Set<u64>` has 980701 values")
            && message.contains(&format!("more than {}", eval::MAX_TOTAL_INSTANCES))
            && message.contains("narrow its domains in `verify { domain … }`"),
        "{message}"
    );
    // The exports that enumerate instances refuse it the same way.
    let err = fsm_tools::export::promela(&model).expect_err("over the bound");
    assert!(err.message.contains("input `Add`"), "{err}");
}

#[test]
fn input_instances_within_the_bound_are_counted_and_their_memory_reported() {
    // 300 numbers: 45 151 sets per input, 180 604 in all.
    let model = compile("sets.fsm", &four_sets(300));
    let report = verify::verify(
        &model,
        &mut Options {
            max_states: Some(10),
            ..Options::default()
        },
    )
    .expect("within the bound");
    assert_eq!(report.instances, 4 * 45_151);
    assert!(report.instances <= eval::MAX_TOTAL_INSTANCES as u64);
    // The instance table dwarfs the four states' store, and the report
    // says so rather than only bytes per state.
    assert_eq!(report.states, 4);
    assert!(
        report.instance_bytes > 1000 * report.store_bytes,
        "{} vs {}",
        report.instance_bytes,
        report.store_bytes
    );
    assert!(report.instance_bytes > report.instances * 64);
}

#[test]
fn a_search_cut_by_max_states_notes_unseen_transitions_instead_of_failing() {
    let model = compile(
        "ring.fsm",
        "machine Ring {
            phases { A, B, C, D, Off }
            initial A
            terminal Off
            input Next
            input Stop
            transition ab on Next from A -> B
            transition bc on Next from B -> C
            transition cd on Next from C -> D
            transition da on Next from D -> A
            transition stop on Stop from D -> Off
        }",
    );
    let full = verify::verify(&model, &mut Options::default()).expect("verify");
    assert!(full.complete);
    assert!(
        full.findings.is_empty() && full.notes.is_empty(),
        "{full:?}"
    );

    let cut = verify::verify(
        &model,
        &mut Options {
            max_states: Some(2),
            ..Options::default()
        },
    )
    .expect("verify");
    assert!(!cut.complete);
    assert!(cut.findings.is_empty(), "{:?}", cut.findings);
    let noted: Vec<(FindingKind, &str)> = cut
        .notes
        .iter()
        .map(|n| (n.kind.clone(), n.message.as_str()))
        .collect();
    let dead = |t: &str| FindingKind::DeadTransition {
        transition: t.to_owned(),
    };
    assert_eq!(
        noted.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        [
            dead("cd"),
            dead("da"),
            dead("stop"),
            FindingKind::UnreachableTerminal {
                phase: "Off".to_owned()
            }
        ]
    );
    assert!(noted.iter().all(|(_, m)| m.contains("within the bounds")));
}

/// The depth of the shallowest state meeting `goal`, by a plain search.
fn shallowest(model: &Model, goal: &fsm_core::model::TExpr, max_depth: u64) -> Option<u64> {
    let key = eval::key_value(model).expect("a key");
    let instances = eval::input_instances(model).expect("instances");
    let init = eval::initial(model, key).expect("the initial state");
    let mut seen = HashMap::from([(init.clone(), 0u64)]);
    let mut queue = VecDeque::from([init]);
    while let Some(state) = queue.pop_front() {
        let d = seen[&state];
        if eval::holds(model, &state, goal).expect("the goal evaluates") {
            return Some(d);
        }
        if d >= max_depth {
            continue;
        }
        for i in &instances {
            if let Outcome::Fired { state: next, .. } =
                eval::step(model, &state, i).expect("a step")
                && !seen.contains_key(&next)
            {
                seen.insert(next.clone(), d + 1);
                queue.push_back(next);
            }
        }
    }
    None
}

#[test]
fn every_reached_goal_has_a_shortest_witness_that_replays() {
    let mut witnesses = 0;
    for spec in specs() {
        let model = load(&spec);
        let report = verify::verify(
            &model,
            &mut Options {
                max_depth: Some(4),
                ..Options::default()
            },
        )
        .expect("verifies");
        assert_eq!(report.goals.len(), model.verify.reach.len(), "{spec}");
        for (goal, def) in report.goals.iter().zip(&model.verify.reach) {
            assert_eq!(goal.name, def.name);
            let shortest = shallowest(&model, &def.expr, 4);
            assert_eq!(goal.reached, shortest.is_some(), "{spec}: {}", goal.name);
            let Some(trace) = &goal.trace else {
                continue;
            };
            assert_eq!(trace.len(), goal.inputs.len());
            assert_eq!(Some(trace.len() as u64), shortest, "{spec}: {}", goal.name);
            // Replayed, every input fires and the last state meets the goal.
            let key = eval::key_value(&model).expect("a key");
            let mut state = eval::initial(&model, key).expect("the initial state");
            for input in &goal.inputs {
                match eval::step(&model, &state, input).expect("a step") {
                    Outcome::Fired { state: next, .. } => state = next,
                    other => panic!("{spec}: {} does not fire: {other:?}", goal.name),
                }
            }
            assert!(eval::holds(&model, &state, &def.expr).expect("evaluates"));
            witnesses += 1;
        }
    }
    assert!(witnesses > 10, "{witnesses} witnesses checked");
}

/// Every transition that fires has a coverage case, and each case's inputs
/// are accepted up to the last one, which fires that transition (or is
/// ignored, for an `ignore` case); the cases are shortest (no longer than
/// the depth of the search).
#[test]
fn coverage_cases_fire_what_they_name() {
    use fsm_tools::verify::CoveredKind;
    for spec in specs() {
        let model = load(&spec);
        let report = verify::verify(&model, &mut Options::default()).expect("verify");
        let key = eval::key_value(&model).expect("a key");
        let fired = report
            .coverage
            .iter()
            .filter(|c| matches!(c.what, CoveredKind::Transition(_)))
            .count();
        let dead = report
            .findings
            .iter()
            .chain(&report.notes)
            .filter(|f| matches!(f.kind, FindingKind::DeadTransition { .. }))
            .count();
        assert_eq!(fired + dead, model.transitions.len(), "{spec}");
        for case in &report.coverage {
            assert!(case.inputs.len() as u64 <= report.depth + 1, "{spec}");
            let (last, prefix) = case.inputs.split_last().expect("at least one input");
            let mut state = eval::initial(&model, key.clone()).expect("initial");
            for input in prefix {
                match eval::step(&model, &state, input).expect("a step") {
                    Outcome::Fired { state: next, .. } => state = next,
                    other => panic!("{spec}: a path step was not taken: {other:?}"),
                }
            }
            match (case.what, eval::step(&model, &state, last).expect("a step")) {
                (CoveredKind::Transition(t), Outcome::Fired { transition, .. }) => {
                    assert_eq!(t, transition, "{spec}");
                }
                (CoveredKind::Ignore(..), Outcome::Ignored) => {}
                (what, other) => panic!("{spec}: {what:?} but {other:?}"),
            }
        }
    }
}
