//! The baseline model routing flow, through `ModelRoutingHandle`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use agent_core::SessionRuntimeBindings;
use agent_core::handles::{DslRejectionKind, DslTransitionError, ModelRoutingHandle};
use agent_core::lifecycle::run_primitive::ModelId;
use agent_core::types::SessionId;

fn routing() -> Arc<dyn ModelRoutingHandle> {
    SessionRuntimeBindings::new(SessionId::new()).model_routing()
}

fn assert_unnamed(result: Result<(), DslTransitionError>) {
    let err = result.expect_err("an empty model name is refused");
    assert_eq!(err.kind, DslRejectionKind::GuardRejected);
    assert_eq!(err.context, "ModelRoutingHandle::set_baseline");
    assert!(
        err.reason.contains("guard `names_a_model`"),
        "{}",
        err.reason
    );
}

#[test]
fn a_new_session_accepts_a_baseline() {
    let h = routing();
    h.set_baseline(ModelId::new("small-model"), false).unwrap();
}

#[test]
fn the_baseline_can_be_changed_and_set_again() {
    let h = routing();
    h.set_baseline(ModelId::new("small-model"), false).unwrap();
    h.set_baseline(ModelId::new("realtime-model"), true)
        .unwrap();
    // The same baseline again is accepted: it starts a new epoch.
    h.set_baseline(ModelId::new("realtime-model"), true)
        .unwrap();
}

#[test]
fn a_baseline_must_name_a_model_before_and_after_routing() {
    let h = routing();
    assert_unnamed(h.set_baseline(ModelId::new(""), true));
    h.set_baseline(ModelId::new("small-model"), false).unwrap();
    assert_unnamed(h.set_baseline(ModelId::new(""), false));
    // A refusal blocks nothing.
    h.set_baseline(ModelId::new("large-model"), true).unwrap();
}

#[test]
fn settings_from_many_threads_are_all_taken() {
    let session = SessionRuntimeBindings::new(SessionId::new());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let h = session.model_routing();
            std::thread::spawn(move || {
                for i in 0..25 {
                    h.set_baseline(ModelId::new(format!("model-{t}-{i}")), i % 2 == 0)
                        .unwrap();
                    assert_unnamed(h.set_baseline(ModelId::new(""), false));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
