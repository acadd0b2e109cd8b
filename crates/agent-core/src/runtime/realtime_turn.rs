//! [`RealtimeProductTurnHandle`], backed by the machine of
//! `machines/realtime_turn.fsm`: the realtime provider's turn phase, the
//! freshness of its projection of the session, and the reconnect policy.
//!
//! Every report from the realtime bridge answers `Ok(true)` when it changed
//! the machine and `Ok(false)` when the spec takes it as a no-op (a
//! duplicate, or a report that no longer applies). The freshness observer
//! hears of `RealtimeProjectionFreshnessChanged` effects after the lock is
//! released, in the order of the steps that emitted them: a freshness
//! superseded by a newer one already delivered is not delivered (see
//! [`super::observe`]).

use super::observe::{ObserverSlot, PanicReports};
use super::session_context::{Driven, drive_sampled};
use crate::handles::{
    DslTransitionError, RealtimeProductTurnHandle, RealtimeProductTurnPhase,
    RealtimeProjectionFreshness, RealtimeProjectionFreshnessObserver, RealtimeReconnectPolicy,
};
use crate::runtime::contract_conversions;
use crate::types::SessionId;
use fsm::{FromQuery, Shared};
use std::sync::Arc;

fsm::machine!("../../machines/realtime_turn.fsm");

contract_conversions!(RealtimeTurn);

impl From<RealtimeTurnPhase> for RealtimeProductTurnPhase {
    fn from(phase: RealtimeTurnPhase) -> Self {
        match phase {
            RealtimeTurnPhase::Idle => Self::Idle,
            RealtimeTurnPhase::AwaitingProgress => Self::AwaitingProgress,
            RealtimeTurnPhase::Committed => Self::Committed,
            RealtimeTurnPhase::OutputStarted => Self::OutputStarted,
            RealtimeTurnPhase::Preemptible => Self::Preemptible,
        }
    }
}

impl From<ProjectionFreshness> for RealtimeProjectionFreshness {
    fn from(freshness: ProjectionFreshness) -> Self {
        match freshness {
            ProjectionFreshness::Clean => Self::Clean,
            ProjectionFreshness::StaleDeferred => Self::StaleDeferred,
            ProjectionFreshness::StaleImmediate => Self::StaleImmediate,
        }
    }
}

impl From<ReconnectPolicy> for RealtimeReconnectPolicy {
    fn from(policy: ReconnectPolicy) -> Self {
        match policy {
            ReconnectPolicy::CleanExit => Self::CleanExit,
            ReconnectPolicy::ReattachAndRecover => Self::ReattachAndRecover,
        }
    }
}

impl FromQuery<RealtimeTurn, RealtimeTurnPhase> for RealtimeProductTurnPhase {
    fn from_query(_: &'static str, value: RealtimeTurnPhase) -> Self {
        value.into()
    }
}

impl FromQuery<RealtimeTurn, ProjectionFreshness> for RealtimeProjectionFreshness {
    fn from_query(_: &'static str, value: ProjectionFreshness) -> Self {
        value.into()
    }
}

impl FromQuery<RealtimeTurn, ReconnectPolicy> for RealtimeReconnectPolicy {
    fn from_query(_: &'static str, value: ReconnectPolicy) -> Self {
        value.into()
    }
}

/// The session's realtime turn: the machine behind its lock and the
/// observer told of freshness changes.
pub struct RealtimeTurnRuntime {
    machine: Shared<RealtimeTurn>,
    observer: ObserverSlot<dyn RealtimeProjectionFreshnessObserver, (ProjectionFreshness, u64)>,
}

impl RealtimeTurnRuntime {
    /// No turn in flight, a clean projection at frontier 0, policy
    /// `CleanExit`, no observer.
    pub(crate) fn new(panics: Arc<PanicReports>) -> Self {
        Self {
            machine: Shared::new("RealtimeTurn", RealtimeTurn::new()),
            observer: ObserverSlot::new("RealtimeProjectionFreshnessObserver", panics),
        }
    }
}

impl fsm::Authority<RealtimeTurn> for RealtimeTurnRuntime {
    fn drive(&self, context: &'static str, input: RealtimeTurnInput) -> Driven<RealtimeTurn> {
        let (step, sampled) = drive_sampled(&self.machine, &self.observer, context, input)?;
        // The freshness the step left, if it announced one (the last
        // announcement of a step is its final word).
        let announced = step.effects.iter().rev().find_map(|effect| match effect {
            RealtimeTurnEffect::RealtimeProjectionFreshnessChanged {
                new_freshness,
                frontier_ms,
            } => Some((*new_freshness, *frontier_ms)),
            _ => None,
        });
        if let Some(fact) = announced {
            self.observer
                .deliver_latest(sampled, fact, |observer, (freshness, frontier)| {
                    observer
                        .on_realtime_projection_freshness_changed((*freshness).into(), *frontier);
                });
        }
        Ok(step)
    }

    fn read<R>(&self, f: impl FnOnce(&RealtimeTurn) -> R) -> R {
        self.machine.read(f)
    }
}

#[fsm::implement("../../machines/realtime_turn.fsm", RealtimeProductTurnHandle)]
impl RealtimeProductTurnHandle for RealtimeTurnRuntime {
    fn turn_in_flight(&self) -> Result<bool, DslTransitionError>;
    fn turn_committed(&self) -> Result<bool, DslTransitionError>;
    fn output_started(&self) -> Result<bool, DslTransitionError>;
    fn turn_interrupted(&self) -> Result<bool, DslTransitionError>;
    fn turn_terminal(&self) -> Result<bool, DslTransitionError>;
    fn current_phase(&self) -> RealtimeProductTurnPhase;
    fn projection_advance_observed(&self, advanced_at_ms: u64) -> Result<bool, DslTransitionError>;
    fn projection_refreshed(&self, observed_ms: u64) -> Result<bool, DslTransitionError>;
    fn projection_reset(&self, baseline_ms: u64) -> Result<bool, DslTransitionError>;
    fn projection_freshness(&self) -> RealtimeProjectionFreshness;
    fn projection_frontier_ms(&self) -> u64;
    fn classify_client_input_submitted(&self) -> Result<bool, DslTransitionError>;
    fn classify_mid_turn_activity(&self) -> Result<bool, DslTransitionError>;
    fn classify_turn_terminated(&self) -> Result<bool, DslTransitionError>;
    fn reconnect_policy_on_clean_close(&self) -> RealtimeReconnectPolicy;

    fn install_projection_freshness_observer(
        &self,
        observer: Arc<dyn RealtimeProjectionFreshnessObserver>,
    ) {
        self.observer.install(&observer);
    }

    /// Installs the observer and reads freshness and frontier under the
    /// machine's lock, so every later change is either in the returned
    /// snapshot or delivered to the observer, never both and never neither.
    fn install_projection_freshness_observer_with_snapshot(
        &self,
        observer: Arc<dyn RealtimeProjectionFreshnessObserver>,
    ) -> (RealtimeProjectionFreshness, u64) {
        self.machine.read(|m| {
            self.observer.install(&observer);
            (m.freshness().into(), m.frontier_ms())
        })
    }
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<RealtimeTurnRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId, panics: &Arc<PanicReports>) -> Self {
        Self {
            handle: Arc::new(RealtimeTurnRuntime::new(Arc::clone(panics))),
        }
    }
}

impl crate::runtime::SessionRuntimeBindings {
    /// The realtime provider turn, the freshness of the provider's
    /// projection and the reconnect policy. Duplicate and out-of-date
    /// reports answer `Ok(false)`; the installed freshness observer hears
    /// of every freshness change, after the lock is released.
    pub fn realtime_product_turn(&self) -> Arc<dyn RealtimeProductTurnHandle> {
        self.realtime_turn.handle.clone()
    }
}
