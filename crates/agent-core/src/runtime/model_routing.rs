//! [`ModelRoutingHandle`], backed by the machine of
//! `machines/model_routing.fsm`.
//!
//! The handle is the machine behind a lock; its one method is written by
//! `#[fsm::implement]`. The routing status effect is dropped here: the
//! trait reports only whether the setting was accepted.

use std::sync::Arc;

use fsm::{Authority, DriveError, Shared, Step};

use crate::handles::{DslTransitionError, ModelRoutingHandle};
use crate::lifecycle::run_primitive::ModelId;
use crate::runtime::contract_conversions;
use crate::types::SessionId;

#[allow(dead_code)]
mod spec {
    fsm::machine!("../../machines/model_routing.fsm");
}

use spec::{ModelRouting, ModelRoutingEffect, ModelRoutingInput, ModelRoutingPhase};

/// This flow's part of a session.
pub(crate) struct Parts {
    routing: Arc<ModelRoutingRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Parts {
            routing: Arc::new(ModelRoutingRuntime::new()),
        }
    }
}

impl crate::runtime::SessionRuntimeBindings {
    /// The session's baseline model routing. Every call returns a handle to
    /// the same routing state.
    pub fn model_routing(&self) -> Arc<dyn ModelRoutingHandle> {
        self.model_routing.routing.clone()
    }
}

/// The session's model routing: one machine behind one lock.
pub(crate) struct ModelRoutingRuntime {
    machine: Shared<ModelRouting>,
}

impl ModelRoutingRuntime {
    fn new() -> Self {
        Self {
            machine: Shared::new("ModelRouting", ModelRouting::new()),
        }
    }
}

impl Authority<ModelRouting> for ModelRoutingRuntime {
    fn drive(
        &self,
        context: &'static str,
        input: ModelRoutingInput,
    ) -> Result<Step<ModelRoutingPhase, ModelRoutingEffect>, DriveError> {
        self.machine.drive(context, input)
    }

    fn read<R>(&self, f: impl FnOnce(&ModelRouting) -> R) -> R {
        Authority::<ModelRouting>::read(&self.machine, f)
    }
}

contract_conversions!(ModelRouting);

#[fsm::implement("../../machines/model_routing.fsm", ModelRoutingHandle)]
impl ModelRoutingHandle for ModelRoutingRuntime {
    fn set_baseline(
        &self,
        baseline_model: ModelId,
        realtime_capable: bool,
    ) -> Result<(), DslTransitionError>;
}

/// The spec records a model by its name.
impl From<ModelId> for String {
    fn from(model: ModelId) -> Self {
        model.as_str().to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::handles::DslRejectionKind;

    fn state(h: &ModelRoutingRuntime) -> (ModelRoutingPhase, Option<String>, Option<bool>, u64) {
        Authority::<ModelRouting>::read(h, |m| {
            (
                fsm::Machine::phase(m),
                m.baseline_model().clone(),
                m.baseline_realtime(),
                m.topology_epoch(),
            )
        })
    }

    #[test]
    fn a_session_starts_unrouted() {
        let h = ModelRoutingRuntime::new();
        assert_eq!(state(&h), (ModelRoutingPhase::Unrouted, None, None, 0));
    }

    #[test]
    fn every_setting_is_recorded_with_a_new_epoch() {
        let h = ModelRoutingRuntime::new();
        h.set_baseline(ModelId::new("small"), false).unwrap();
        assert_eq!(
            state(&h),
            (
                ModelRoutingPhase::Routed,
                Some("small".to_owned()),
                Some(false),
                1
            )
        );
        h.set_baseline(ModelId::new("large"), true).unwrap();
        h.set_baseline(ModelId::new("large"), true).unwrap();
        assert_eq!(
            state(&h),
            (
                ModelRoutingPhase::Routed,
                Some("large".to_owned()),
                Some(true),
                3
            )
        );
    }

    #[test]
    fn the_status_effect_reports_the_new_epoch() {
        let h = ModelRoutingRuntime::new();
        let step = Authority::<ModelRouting>::drive(
            &h,
            "test",
            ModelRoutingInput::SetBaseline {
                model: "small".to_owned(),
                realtime_capable: true,
            },
        )
        .unwrap();
        assert_eq!(
            step.effects,
            vec![ModelRoutingEffect::ModelRoutingStatusChanged { topology_epoch: 1 }]
        );
    }

    #[test]
    fn an_empty_model_name_is_refused_and_changes_nothing() {
        let h = ModelRoutingRuntime::new();
        h.set_baseline(ModelId::new("small"), true).unwrap();
        let before = state(&h);
        let err = h.set_baseline(ModelId::new(""), false).unwrap_err();
        assert_eq!(err.kind, DslRejectionKind::GuardRejected);
        assert_eq!(err.context, "ModelRoutingHandle::set_baseline");
        assert!(err.reason.contains("`names_a_model`"), "{}", err.reason);
        assert_eq!(state(&h), before);
    }
}
