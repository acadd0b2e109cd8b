//! Unit tests of the evaluator against the semantics of the language
//! reference.

use super::*;
use fsm_core::model::{InputId, ParamId};

fn model(spec: &str) -> Model {
    let c = fsm_core::compile("t.fsm", spec.as_bytes());
    match c.model {
        Some(m) => m,
        None => panic!("spec does not compile: {:?}", c.diagnostics),
    }
}

fn input(m: &Model, name: &str, args: Vec<Value>) -> InputValue {
    InputValue {
        input: m.input_by_name(name).expect("input exists"),
        args,
    }
}

fn fired(outcome: Outcome) -> (String, State, Vec<(EffectId, Vec<Value>)>) {
    match outcome {
        Outcome::Fired {
            transition,
            state,
            effects,
        } => (format!("{transition:?}"), state, effects),
        other => panic!("expected a fired transition, got {other:?}"),
    }
}

const COUNTER: &str = "machine C {
    phases { Idle, Busy, Done }
    initial Idle
    terminal Done
    state { n: u8 = 250  log: List<u8> = [] }
    input Add(k: u8)
    input Finish
    input Poke
    effect Was(n: u8)
    transition add_small on Add from Idle | Busy -> Busy
        guard small: k < 5
        guard room: n < 255
    {
        emit Was(n)
        n += k
        log.push(n)
        emit Was(n)
    }
    transition add_big on Add from Idle | Busy -> stay
        guard big: k >= 5
    { n = n * 2 }
    transition finish on Finish from Busy -> Done
    ignore Finish in Idle
    invariant not_full: n != 254
    verify { domain u8 = 0..10 }
}";

#[test]
fn selection_fires_the_candidate_whose_guards_hold() {
    let m = model(COUNTER);
    let s = initial(&m, None).unwrap();
    let (_, after, effects) = fired(step(&m, &s, &input(&m, "Add", vec![Value::Int(1)])).unwrap());
    assert_eq!(m.phase_name(after.phase), "Busy");
    assert_eq!(after.fields[0], Value::Int(251));
    assert_eq!(after.fields[1], Value::List(vec![Value::Int(251)]));
    // Each emit sees the state where it stands.
    let was: Vec<&Value> = effects.iter().map(|(_, a)| &a[0]).collect();
    assert_eq!(was, [&Value::Int(250), &Value::Int(251)]);
}

#[test]
fn a_guard_rejection_names_the_first_failing_guard_of_the_first_candidate() {
    let m = model(COUNTER);
    let mut s = initial(&m, None).unwrap();
    s.fields[0] = Value::Int(255);
    let out = step(&m, &s, &input(&m, "Add", vec![Value::Int(1)])).unwrap();
    let add_small = m.transition_by_name("add_small").unwrap();
    assert_eq!(
        out,
        Outcome::Rejected(Rejected::GuardRejected {
            transition: add_small,
            guard: "room".into()
        })
    );
}

#[test]
fn overflow_rejects_the_input_and_names_the_transition() {
    let m = model(COUNTER);
    let s = initial(&m, None).unwrap();
    let add_big = m.transition_by_name("add_big").unwrap();
    assert_eq!(
        step(&m, &s, &input(&m, "Add", vec![Value::Int(7)])).unwrap(),
        Outcome::Rejected(Rejected::ArithmeticOverflow {
            transition: add_big
        })
    );
}

#[test]
fn ignored_and_unmatched_inputs_change_nothing() {
    let m = model(COUNTER);
    let s = initial(&m, None).unwrap();
    assert_eq!(
        step(&m, &s, &input(&m, "Finish", vec![])).unwrap(),
        Outcome::Ignored
    );
    assert_eq!(
        step(&m, &s, &input(&m, "Poke", vec![])).unwrap(),
        Outcome::Rejected(Rejected::NoMatchingTransition)
    );
}

#[test]
fn a_transition_that_breaks_an_invariant_is_refused_with_checks_on() {
    let m = model(COUNTER);
    let mut s = initial(&m, None).unwrap();
    s.fields[0] = Value::Int(252);
    let i = input(&m, "Add", vec![Value::Int(2)]);
    let add_small = m.transition_by_name("add_small").unwrap();
    assert_eq!(
        step(&m, &s, &i).unwrap(),
        Outcome::Rejected(Rejected::InvariantViolated {
            transition: add_small,
            invariant: "not_full".into()
        })
    );
    let (_, after, _) = fired(step_with(&m, &s, &i, false).unwrap());
    assert_eq!(
        first_failing_invariant(&m, &after).unwrap().as_deref(),
        Some("not_full")
    );
}

#[test]
fn short_circuits_and_quantifier_order_follow_the_generated_code() {
    let m = model(
        "machine Q {
            phases { A, B }
            initial A
            state { zero: u32 = 0  hits: u32 = 0 }
            const DIVISORS: List<u32> = [1, 0]
            input Go
            transition go on Go from A -> B
                guard lazy: zero == 0 || 10 / zero > 1
                guard written_order: any x in DIVISORS: 10 / x > 1
            { hits += 1 }
        }",
    );
    let s = initial(&m, None).unwrap();
    let (_, after, _) = fired(step(&m, &s, &input(&m, "Go", vec![])).unwrap());
    assert_eq!(after.fields[1], Value::Int(1));
}

#[test]
fn signed_remainder_of_the_minimum_by_minus_one_overflows() {
    let m = model(
        "machine R {
            phases { A }
            initial A
            state { v: i8 = -128  w: i8 = 0 }
            input Go(d: i8)
            transition go on Go from A -> stay { w = v % d }
        }",
    );
    let s = initial(&m, None).unwrap();
    let go = m.transition_by_name("go").unwrap();
    for d in [-1, 0] {
        assert_eq!(
            step(&m, &s, &input(&m, "Go", vec![Value::Int(d)])).unwrap(),
            Outcome::Rejected(Rejected::ArithmeticOverflow { transition: go }),
            "d = {d}"
        );
    }
    let (_, after, _) = fired(step(&m, &s, &input(&m, "Go", vec![Value::Int(1)])).unwrap());
    assert_eq!(after.fields[1], Value::Int(0));
}

#[test]
fn target_is_the_phase_after_and_phase_the_phase_before() {
    let m = model(
        "machine T {
            phases { A, B }
            initial A
            input Go
            effect Moved(was: Phase, now: Phase)
            transition go on Go from A -> B { emit Moved(phase, target) }
        }",
    );
    let s = initial(&m, None).unwrap();
    let (_, _, effects) = fired(step(&m, &s, &input(&m, "Go", vec![])).unwrap());
    let a = m.phase_by_name("A").unwrap();
    let b = m.phase_by_name("B").unwrap();
    assert_eq!(effects[0].1, vec![Value::Phase(a), Value::Phase(b)]);
    let json = effect_json(&m, effects[0].0, &effects[0].1);
    assert_eq!(json, serde_json::json!({"Moved": {"was": "A", "now": "B"}}));
}

#[test]
fn input_instances_range_over_domains_and_sub_collections() {
    let m = model(
        "machine D {
            extern Id = crate::Id
            phases { A }
            initial A
            input Pick(ids: Set<Id>, flag: bool, n: Option<u16>)
            input Plain
            verify {
                domain Id = [\"a\", \"b\", \"c\"]
                domain u16 = 1..3
                max_collection 2
            }
        }",
    );
    let all = input_instances(&m).unwrap();
    // Sets of at most 2 of 3 ids: 1 + 3 + 3; flags: 2; options: 1 + 2.
    assert_eq!(all.len(), 7 * 2 * 3 + 1);
    assert_eq!(all.last().map(|i| i.input), Some(InputId(1)));
    let first = &all[7 * 2 * 3 - 1];
    assert_eq!(render_input(&m, first), "Pick([\"c\"], true, some(2))");
    assert_eq!(
        input_json(&m, first),
        serde_json::json!({"Pick": {"ids": ["c"], "flag": true, "n": 2}})
    );
}

#[test]
fn a_parameter_without_a_domain_is_an_error_naming_it() {
    let m = model(
        "machine D {
            phases { A }
            initial A
            input Set(limit: u64)
            transition set on Set from A -> stay
        }",
    );
    let err = input_instances(&m).unwrap_err();
    assert!(
        err.message.contains("parameter `limit` of input `Set`") && err.message.contains("`u64`"),
        "{err}"
    );
}

#[test]
fn version_fields_step_aside_for_spec_names() {
    let m = model(
        "machine V {
            phases { A }
            initial A
            state { schema: u32 = 1  behaviour: bool = true }
        }",
    );
    let json = snapshot_json(&m, &initial(&m, None).unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "spec_schema": fsm_core::versions::schema_version(&m).to_string(),
            "spec_behaviour": fsm_core::versions::behaviour_version(&m),
            "phase": "A",
            "schema": 1,
            "behaviour": true,
        })
    );
}

#[test]
fn snapshots_hold_the_versions_the_key_fields_and_derived_values() {
    let m = model(
        "machine K {
            key id: String
            phases { A }
            initial A
            state { n: u32 = 4  seen: Map<String, bool> = [] }
            derive double: u32 = n * 2
            derive empty: bool = seen.is_empty()
        }",
    );
    let s = initial(&m, Some(Value::Str("k1".into()))).unwrap();
    let json = snapshot_json(&m, &s).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "schema": fsm_core::versions::schema_version(&m).to_string(),
            "behaviour": fsm_core::versions::behaviour_version(&m),
            "id": "k1",
            "phase": "A",
            "n": 4,
            "seen": {},
            "double": 8,
            "empty": true,
        })
    );
}

#[test]
fn domain_sizes_are_counted_as_the_values_are_built() {
    let m = model(
        "machine D {
            extern Id = crate::Id
            enum Color { Red, Green, Blue }
            phases { A, B }
            initial A
            input Pick(
                ids: Set<Id>,
                flag: bool,
                n: Option<u16>,
                list: List<Color>,
                map: Map<Color, Option<bool>>,
                nested: Set<Option<u16>>,
                phase: Phase,
                own: u8
            )
            verify {
                domain Id = [\"a\", \"b\", \"c\", \"a\"]
                domain u16 = 1..5
                domain Pick.own = 3..9
                max_collection 3
            }
        }",
    );
    let input = &m.inputs[0];
    for (j, p) in input.params.iter().enumerate() {
        let param = Some((InputId(0), ParamId(u32::try_from(j).unwrap())));
        let built = domain_values(&m, &p.ty, param).unwrap().len();
        let counted = domain_size(&m, &p.ty, param).unwrap();
        assert_eq!(counted, built as u128, "parameter `{}`", p.name);
    }
}
