//! [`PeerInteractionHandle`]: the requests exchanged with peers, one
//! machine per correlation id (`machines/peer_interaction.fsm`).
//!
//! The instances live in one registry behind one lock, together with the
//! cleanup observer's slot. The slot is sampled inside the critical section
//! that applied the input, and the observer is called once the lock is
//! released, once per `Cleanup` effect of the step.

use std::sync::Arc;

use fsm::{DriveError, KeyedAuthority, Step};

use super::observe::PanicReports;
use super::{ObservedRegistry, contract_conversions};
use crate::handles::{
    DslTransitionError, PeerInteractionCleanupObserver, PeerInteractionHandle,
    PeerTerminalDisposition,
};
use crate::peer_correlation::{
    InboundPeerRequestState, OutboundPeerRequestState, PeerCorrelationId,
};
use crate::runtime::SessionRuntimeBindings;
use crate::types::SessionId;

fsm::machine!("../../machines/peer_interaction.fsm");

contract_conversions!(PeerInteraction);

impl From<PeerTerminalDisposition> for Disposition {
    fn from(disposition: PeerTerminalDisposition) -> Self {
        match disposition {
            PeerTerminalDisposition::Completed => Disposition::Completed,
            PeerTerminalDisposition::Failed => Disposition::Failed,
        }
    }
}

/// The outbound request's state as the contract reports it: the open
/// phases only (an id whose request is closed reports none).
impl From<PeerInteractionPhase> for Option<OutboundPeerRequestState> {
    fn from(phase: PeerInteractionPhase) -> Self {
        match phase {
            PeerInteractionPhase::Sent => Some(OutboundPeerRequestState::Sent),
            PeerInteractionPhase::AcceptedProgress => {
                Some(OutboundPeerRequestState::AcceptedProgress)
            }
            PeerInteractionPhase::Idle | PeerInteractionPhase::Closed => None,
        }
    }
}

/// `outbound_state`: read from the phase of the id's instance, if any.
impl fsm::FromQuery<PeerInteraction, Option<PeerInteractionPhase>>
    for Option<OutboundPeerRequestState>
{
    fn from_query(_context: &'static str, phase: Option<PeerInteractionPhase>) -> Self {
        phase.and_then(Into::into)
    }
}

/// `inbound_state`: the id's owed reply, if any.
impl fsm::FromQuery<PeerInteraction, Option<Option<InboundPeerRequestState>>>
    for Option<InboundPeerRequestState>
{
    fn from_query(_context: &'static str, state: Option<Option<InboundPeerRequestState>>) -> Self {
        state.flatten()
    }
}

/// [`PeerInteractionHandle`] over the session's registry.
pub(crate) struct PeerInteractionRuntime {
    registry: ObservedRegistry<PeerInteraction, dyn PeerInteractionCleanupObserver>,
}

impl PeerInteractionRuntime {
    fn new(panics: Arc<PanicReports>) -> Self {
        Self {
            registry: ObservedRegistry::new(
                "PeerInteraction",
                "PeerInteractionCleanupObserver",
                panics,
            ),
        }
    }
}

impl KeyedAuthority<PeerInteraction> for PeerInteractionRuntime {
    fn drive_key(
        &self,
        context: &'static str,
        key: PeerCorrelationId,
        input: PeerInteractionInput,
    ) -> Result<Step<PeerInteractionPhase, PeerInteractionEffect>, DriveError> {
        self.registry.drive(
            context,
            key,
            input,
            |effect| *effect == PeerInteractionEffect::Cleanup,
            |observer, key| observer.on_peer_interaction_cleanup(*key),
        )
    }

    fn read_key<R>(
        &self,
        key: &PeerCorrelationId,
        f: impl FnOnce(&PeerInteraction) -> R,
    ) -> Option<R> {
        self.registry.read(key, f)
    }
}

#[fsm::implement("../../machines/peer_interaction.fsm", PeerInteractionHandle)]
impl PeerInteractionHandle for PeerInteractionRuntime {
    fn request_sent(
        &self,
        corr_id: PeerCorrelationId,
        to: String,
    ) -> Result<(), DslTransitionError>;
    fn response_progress(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    fn response_terminal(
        &self,
        corr_id: PeerCorrelationId,
        disposition: PeerTerminalDisposition,
    ) -> Result<(), DslTransitionError>;
    fn request_timed_out(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    fn request_received(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    fn response_replied(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    fn outbound_state(&self, corr_id: PeerCorrelationId) -> Option<OutboundPeerRequestState>;
    fn inbound_state(&self, corr_id: PeerCorrelationId) -> Option<InboundPeerRequestState>;

    /// Replaces the observer; only a weak reference is kept, so a dropped
    /// observer is skipped silently.
    fn install_cleanup_observer(&self, observer: Arc<dyn PeerInteractionCleanupObserver>) {
        self.registry.install(&observer);
    }
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<PeerInteractionRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId, panics: &Arc<PanicReports>) -> Self {
        Parts {
            handle: Arc::new(PeerInteractionRuntime::new(Arc::clone(panics))),
        }
    }
}

impl SessionRuntimeBindings {
    /// Request/response correlation with peers, both directions: one
    /// machine per correlation id, dropped once nothing is open under it.
    pub fn peer_interaction(&self) -> Arc<dyn PeerInteractionHandle> {
        self.peer_interaction.handle.clone()
    }
}
