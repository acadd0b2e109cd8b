//! [`RealtimeProductTurnHandle`], backed by the machine of
//! `machines/realtime_turn.fsm`: the realtime provider's turn phase, the
//! freshness of its projection of the session, and the reconnect policy.
//!
//! Every report from the realtime bridge answers `Ok(true)` when it changed
//! the machine and `Ok(false)` when the spec takes it as a no-op (a
//! duplicate, or a report that no longer applies). The freshness observer
//! hears of every `RealtimeProjectionFreshnessChanged` effect, after the
//! lock is released.

use super::session_context::{ObserverSlot, drive_sampled};
use crate::handles::{
    DslTransitionError, RealtimeProductTurnHandle, RealtimeProductTurnPhase,
    RealtimeProjectionFreshness, RealtimeProjectionFreshnessObserver, RealtimeReconnectPolicy,
};
use crate::runtime::contract_conversions;
use crate::types::SessionId;
use fsm::{DriveError, FromQuery, PoisonedError, Shared, Step};
use std::sync::Arc;

fsm::machine!("../../machines/realtime_turn.fsm");

contract_conversions!(RealtimeTurn; u64);

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

/// A poisoned lock reads as the contract's default (`Idle`).
impl FromQuery<RealtimeTurn, RealtimeTurnPhase> for RealtimeProductTurnPhase {
    fn from_query(_: &'static str, result: Result<RealtimeTurnPhase, PoisonedError>) -> Self {
        result.map(Into::into).unwrap_or_default()
    }
}

/// A poisoned lock reads as the contract's default (`Clean`).
impl FromQuery<RealtimeTurn, ProjectionFreshness> for RealtimeProjectionFreshness {
    fn from_query(_: &'static str, result: Result<ProjectionFreshness, PoisonedError>) -> Self {
        result.map(Into::into).unwrap_or_default()
    }
}

/// A poisoned lock reads as the contract's default (`CleanExit`).
impl FromQuery<RealtimeTurn, ReconnectPolicy> for RealtimeReconnectPolicy {
    fn from_query(_: &'static str, result: Result<ReconnectPolicy, PoisonedError>) -> Self {
        result.map(Into::into).unwrap_or_default()
    }
}

/// The session's realtime turn: the machine behind its lock and the
/// observer told of freshness changes.
pub struct RealtimeTurnRuntime {
    machine: Shared<RealtimeTurn>,
    observer: ObserverSlot<dyn RealtimeProjectionFreshnessObserver>,
}

impl RealtimeTurnRuntime {
    /// No turn in flight, a clean projection at frontier 0, policy
    /// `CleanExit`, no observer.
    pub fn new() -> Self {
        Self {
            machine: Shared::new("RealtimeTurn", RealtimeTurn::new()),
            observer: ObserverSlot::new(),
        }
    }
}

impl Default for RealtimeTurnRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl fsm::Authority<RealtimeTurn> for RealtimeTurnRuntime {
    fn drive(
        &self,
        context: &'static str,
        input: RealtimeTurnInput,
    ) -> Result<Step<RealtimeTurnPhase, RealtimeTurnEffect>, DriveError> {
        let (result, observer) = drive_sampled(&self.machine, &self.observer, context, input);
        if let (Ok(step), Some(observer)) = (&result, observer) {
            for effect in &step.effects {
                if let RealtimeTurnEffect::RealtimeProjectionFreshnessChanged {
                    new_freshness,
                    frontier_ms,
                } = effect
                {
                    observer.on_realtime_projection_freshness_changed(
                        (*new_freshness).into(),
                        *frontier_ms,
                    );
                }
            }
        }
        result
    }

    fn read<R>(&self, f: impl FnOnce(&RealtimeTurn) -> R) -> Result<R, PoisonedError> {
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
        let read = self.machine.read(|m| {
            self.observer.install(&observer);
            (m.freshness().into(), m.frontier_ms())
        });
        read.unwrap_or_else(|_| {
            self.observer.install(&observer);
            Default::default()
        })
    }
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<RealtimeTurnRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Self {
            handle: Arc::new(RealtimeTurnRuntime::new()),
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
