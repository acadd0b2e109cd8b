//! The classification table of `machines/peer_ingress.fsm`, checked over
//! every item of its `verify` domains and every silent set: each
//! classification is exactly one `Classified` effect, and what the spec's
//! header promises of them holds. The machine keeps no record of what it
//! classified, so these properties of its effects are checked here rather
//! than as invariants over ghost fields.

use fsm_core::model::Model;
use fsm_tools::eval::{self, Outcome, State};
use serde_json::Value as Json;

fn model() -> Model {
    let text = include_str!("../../machines/peer_ingress.fsm");
    fsm_core::compile("peer_ingress.fsm", text.as_bytes())
        .model
        .expect("the bundled spec compiles")
}

/// The initial state and one state per silent set of the domains.
fn states(model: &Model, inputs: &[eval::InputValue]) -> Vec<State> {
    let initial = eval::initial(model, None).unwrap();
    let mut out = vec![initial.clone()];
    for input in inputs {
        if model.input(input.input).unwrap().name == "SetSilentIntents"
            && let Outcome::Fired { state, .. } = eval::step(model, &initial, input).unwrap()
        {
            out.push(state);
        }
    }
    out
}

/// The classification of one item: the effect's fields as JSON.
fn classify(
    model: &Model,
    state: &State,
    input: &eval::InputValue,
) -> serde_json::Map<String, Json> {
    let name = &model.input(input.input).unwrap().name;
    let Outcome::Fired { effects, .. } = eval::step(model, state, input).unwrap() else {
        panic!("{name} is always classified");
    };
    assert_eq!(effects.len(), 1, "{name}: one classification per item");
    let (effect, args) = &effects[0];
    let json = eval::effect_json(model, *effect, args);
    match json.get("Classified") {
        Some(Json::Object(fields)) => fields.clone(),
        _ => panic!("{name}: {json}"),
    }
}

#[test]
fn every_classification_keeps_the_tables_promises() {
    let model = model();
    let inputs = eval::input_instances(&model).unwrap();
    let mut checked = 0;
    let mut seen = std::collections::BTreeSet::new();
    for state in states(&model, &inputs) {
        for input in &inputs {
            if !model
                .input(input.input)
                .unwrap()
                .name
                .starts_with("Classify")
            {
                continue;
            }
            let c = classify(&model, &state, input);
            let class = c["class"].as_str().unwrap();
            let kind = c["kind"].as_str().unwrap();
            let auth = c["auth"].as_str().unwrap();
            let item = eval::render_input(&model, input);
            // A lifecycle class names its lifecycle kind, and only it does.
            let lifecycle = match class {
                "PeerLifecycleAdded" => Json::from("PeerAdded"),
                "PeerLifecycleRetired" => Json::from("PeerRetired"),
                "PeerLifecycleUnwired" => Json::from("PeerUnwired"),
                _ => Json::Null,
            };
            assert_eq!(c["lifecycle_kind"], lifecycle, "{item}: {c:?}");
            // Exactly the responses carry a terminality; exactly the
            // progress responses are classified as progress.
            assert_eq!(
                c["terminality"].is_null(),
                kind != "Response",
                "{item}: {c:?}"
            );
            assert_eq!(
                c["terminality"] == "Progress",
                class == "ResponseProgress",
                "{item}: {c:?}"
            );
            // Only requests are exempt from peer auth.
            assert!(
                auth != "ExemptSupervisorBridge"
                    || matches!(class, "ActionableRequest" | "SilentRequest"),
                "{item}: {c:?}"
            );
            seen.insert(format!("{class}/{auth}"));
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} classifications checked");
    for row in [
        "PeerLifecycleAdded/Required",
        "ResponseProgress/Required",
        "ResponseTerminal/Required",
        "SilentRequest/ExemptSupervisorBridge",
        "ActionableRequest/ExemptSupervisorBridge",
        "SilentRequest/Required",
    ] {
        assert!(seen.contains(row), "{row} never classified: {seen:?}");
    }
}
