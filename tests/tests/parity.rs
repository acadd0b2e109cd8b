//! The generated code and the evaluator of `fsm_tools::eval` (which the
//! model checker runs) agree: random input traces, seeded and
//! deterministic, are replayed through both, comparing after every input
//! whether it was accepted, ignored or rejected (and why), the effects,
//! and the snapshot, all as the JSON serde gives the generated types.
//!
//! Each bundled machine is one line of `every_bundled_machine_agrees`.

use fsm::{Machine, RejectionKind};
use fsm_core::Model;
use fsm_tests::bundled;
use fsm_tools::eval::{self, InputValue, Outcome, Rejected, State};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Random traces per machine, and inputs per trace.
const TRACES: usize = 300;
const LENGTH: usize = 24;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The model of the spec at `path`, relative to the repository.
fn model(path: &str) -> Model {
    let bytes = std::fs::read(fsm_tests::repo_root().join(path)).expect("read the spec");
    fsm_core::compile(path, &bytes)
        .model
        .unwrap_or_else(|| panic!("`{path}` does not compile"))
}

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializes")
}

/// The rejection the evaluator predicts, in the generated code's terms.
fn expected_kind(model: &Model, r: &Rejected) -> Value {
    let name = |t: fsm_core::model::TransitionId| {
        model
            .transition(t)
            .map_or("?", |t| t.name.as_str())
            .to_owned()
    };
    match r {
        Rejected::NoMatchingTransition => serde_json::json!("no matching transition"),
        Rejected::GuardRejected { transition, guard } => {
            serde_json::json!({"guard rejected": [name(*transition), guard]})
        }
        Rejected::ArithmeticOverflow { transition } => {
            serde_json::json!({"overflow": name(*transition)})
        }
        Rejected::InvariantViolated {
            transition,
            invariant,
        } => serde_json::json!({"invariant": [name(*transition), invariant]}),
    }
}

fn actual_kind(kind: &RejectionKind) -> Value {
    match kind {
        RejectionKind::NoMatchingTransition => serde_json::json!("no matching transition"),
        RejectionKind::GuardRejected { transition, guard } => {
            serde_json::json!({"guard rejected": [transition, guard]})
        }
        RejectionKind::ArithmeticOverflow { transition } => {
            serde_json::json!({"overflow": transition})
        }
        RejectionKind::InvariantViolated {
            transition,
            invariant,
        } => serde_json::json!({"invariant": [transition, invariant]}),
    }
}

/// Picks the next input: mostly one of a few random instances that the
/// evaluator says fires, so traces go deep; otherwise (and when none of
/// them fires) any instance, so rejections are compared too.
fn pick<'a>(
    model: &Model,
    state: &State,
    instances: &'a [InputValue],
    rng: &mut Rng,
) -> &'a InputValue {
    if rng.below(4) > 0 {
        for _ in 0..12 {
            let candidate = &instances[rng.below(instances.len())];
            if matches!(
                eval::step(model, state, candidate),
                Ok(Outcome::Fired { .. } | Outcome::Rejected(Rejected::InvariantViolated { .. }))
            ) {
                return candidate;
            }
        }
    }
    &instances[rng.below(instances.len())]
}

/// Replays random traces through machine `M` (compiled from
/// `machines/<stem>.fsm`) and the evaluator.
fn agrees<M>(stem: &str)
where
    M: Machine,
    M::Key: DeserializeOwned,
    M::Input: DeserializeOwned,
    M::Effect: Serialize,
    M::Snapshot: Serialize,
{
    agrees_at::<M>(&format!("machines/{stem}.fsm"));
}

/// Replays random traces through machine `M`, compiled from the spec at
/// `path` (relative to the repository), and the evaluator.
fn agrees_at<M>(stem: &str)
where
    M: Machine,
    M::Key: DeserializeOwned,
    M::Input: DeserializeOwned,
    M::Effect: Serialize,
    M::Snapshot: Serialize,
{
    let model = model(stem);
    let instances = eval::input_instances(&model).expect("input instances");
    assert!(!instances.is_empty(), "{stem} has no input instances");
    let key = eval::key_value(&model).expect("a key");
    let key_json = match (&key, &model.key) {
        (Some(k), Some(def)) => eval::to_json(&model, k, &def.ty),
        _ => Value::Null,
    };
    let versions = eval::SnapshotVersions::of(&model);
    let snapshot = |state: &State| {
        eval::snapshot_json_with_versions(&model, state, versions).expect("a snapshot")
    };
    let mut rng = Rng(0x5EED ^ stem.len() as u64);
    let mut fired = 0usize;
    for trace in 0..TRACES {
        let mut machine =
            M::create(serde_json::from_value(key_json.clone()).expect("the key deserializes"));
        let mut state = eval::initial(&model, key.clone()).expect("the initial state");
        assert_eq!(
            json(&machine.snapshot()),
            eval::snapshot_json(&model, &state).expect("a snapshot"),
            "{stem}: initial snapshot"
        );
        let mut history = Vec::new();
        for _ in 0..LENGTH {
            let input = pick(&model, &state, &instances, &mut rng);
            let input_json = eval::input_json(&model, input);
            history.push(eval::render_input(&model, input));
            let at = || format!("{stem}, trace {trace}: {}", history.join(", "));
            let generated: M::Input =
                serde_json::from_value(input_json.clone()).expect("the input deserializes");
            let expected = eval::step(&model, &state, input).expect("the evaluator steps");
            match (machine.apply(generated), expected) {
                (
                    Ok(step),
                    Outcome::Fired {
                        transition,
                        state: next,
                        effects,
                    },
                ) => {
                    let name = model.transition(transition).map(|t| t.name.as_str());
                    assert_eq!(step.transition, name, "{}", at());
                    let effects: Vec<Value> = effects
                        .iter()
                        .map(|(e, args)| eval::effect_json(&model, *e, args))
                        .collect();
                    assert_eq!(json(&step.effects), Value::Array(effects), "{}", at());
                    state = next;
                    fired += 1;
                }
                (Ok(step), Outcome::Ignored) => {
                    assert_eq!(step.transition, None, "{}", at());
                    assert!(step.effects.is_empty(), "{}", at());
                }
                (Err(rejection), Outcome::Rejected(r)) => {
                    assert_eq!(
                        actual_kind(&rejection.kind),
                        expected_kind(&model, &r),
                        "{}",
                        at()
                    );
                }
                (actual, expected) => panic!(
                    "{}: the generated code gave {:?}, the evaluator {expected:?}",
                    at(),
                    actual.map(|s| s.transition)
                ),
            }
            assert_eq!(json(&machine.snapshot()), snapshot(&state), "{}", at());
        }
    }
    assert!(
        fired > TRACES,
        "{stem}: the traces hardly move ({fired} transitions)"
    );
}

#[test]
fn every_bundled_machine_agrees() {
    agrees::<bundled::auth_lease::AuthLease>("auth_lease");
    agrees::<bundled::comms_drain::CommsDrain>("comms_drain");
    agrees::<bundled::interaction_stream::InteractionStream>("interaction_stream");
    agrees::<bundled::mcp_server::McpServers>("mcp_server");
    agrees::<bundled::model_routing::ModelRouting>("model_routing");
    agrees::<bundled::peer_ingress::PeerIngress>("peer_ingress");
    agrees::<bundled::peer_interaction::PeerInteraction>("peer_interaction");
    agrees::<bundled::realtime_turn::RealtimeTurn>("realtime_turn");
    agrees::<bundled::session_context::SessionContext>("session_context");
    agrees::<bundled::tool_surface::ToolSurface>("tool_surface");
    agrees::<bundled::turn::Turn>("turn");
}

#[test]
fn every_bundled_machine_is_checked_for_parity() {
    let source = include_str!("parity.rs");
    for stem in bundled::STEMS {
        assert!(
            source.contains(&format!("(\"{stem}\");")),
            "add `{stem}` to `every_bundled_machine_agrees` \
             (CONTRIBUTING.md, recipe \"adding or changing a bundled machine\")"
        );
    }
}

mod keyed_list {
    fsm::machine!("specs/keyed_list.fsm");
}

mod version_names {
    fsm::machine!("specs/version_names.fsm");
}

/// Test specs that use what no bundled machine does (the key in
/// expressions, lists and `push`; fields named `schema` and `behaviour`).
#[test]
fn test_specs_agree() {
    agrees_at::<keyed_list::Queue>("tests/specs/keyed_list.fsm");
    agrees_at::<version_names::VersionNames>("tests/specs/version_names.fsm");
}
