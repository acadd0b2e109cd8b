//! [`InteractionStreamHandle`]: the reply streams of correlated peer
//! requests, one machine per correlation id
//! (`machines/interaction_stream.fsm`).
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
    DslTransitionError, InteractionStreamCleanupObserver, InteractionStreamHandle,
};
use crate::peer_correlation::{InteractionStreamState, PeerCorrelationId};
use crate::runtime::SessionRuntimeBindings;
use crate::types::SessionId;

fsm::machine!("../../machines/interaction_stream.fsm");

contract_conversions!(InteractionStream);

/// The stream's state as the contract reports it; a fresh instance (no
/// stream under the id) reports none.
impl From<InteractionStreamPhase> for Option<InteractionStreamState> {
    fn from(phase: InteractionStreamPhase) -> Self {
        match phase {
            InteractionStreamPhase::Unreserved => None,
            InteractionStreamPhase::Reserved => Some(InteractionStreamState::Reserved),
            InteractionStreamPhase::Attached => Some(InteractionStreamState::Attached),
            InteractionStreamPhase::Completed => Some(InteractionStreamState::Completed),
            InteractionStreamPhase::Expired => Some(InteractionStreamState::Expired),
            InteractionStreamPhase::ClosedEarly => Some(InteractionStreamState::ClosedEarly),
        }
    }
}

/// [`InteractionStreamHandle`] over the session's registry.
pub(crate) struct InteractionStreamRuntime {
    registry: ObservedRegistry<InteractionStream, dyn InteractionStreamCleanupObserver>,
}

impl InteractionStreamRuntime {
    fn new(panics: Arc<PanicReports>) -> Self {
        Self {
            registry: ObservedRegistry::new(
                "InteractionStream",
                "InteractionStreamCleanupObserver",
                panics,
            ),
        }
    }
}

impl KeyedAuthority<InteractionStream> for InteractionStreamRuntime {
    fn drive_key(
        &self,
        context: &'static str,
        key: PeerCorrelationId,
        input: InteractionStreamInput,
    ) -> Result<Step<InteractionStreamPhase, InteractionStreamEffect>, DriveError> {
        self.registry.drive(
            context,
            key,
            input,
            |effect| *effect == InteractionStreamEffect::Cleanup,
            |observer, key| observer.on_interaction_stream_cleanup(*key),
        )
    }

    fn read_key<R>(
        &self,
        key: &PeerCorrelationId,
        f: impl FnOnce(&InteractionStream) -> R,
    ) -> Option<R> {
        self.registry.read(key, f)
    }
}

#[fsm::implement("../../machines/interaction_stream.fsm", InteractionStreamHandle)]
impl InteractionStreamHandle for InteractionStreamRuntime {
    fn reserved(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    fn attached(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    fn completed(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    fn expired(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    fn closed_early(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;

    /// The phase of the id's instance (`state` is a keyword of the spec
    /// language, so this query cannot be bound there).
    fn state(&self, corr_id: PeerCorrelationId) -> Option<InteractionStreamState> {
        KeyedAuthority::<InteractionStream>::read_key(self, &corr_id, InteractionStream::phase)
            .and_then(Into::into)
    }

    /// Replaces the observer; only a weak reference is kept, so a dropped
    /// observer is skipped silently.
    fn install_cleanup_observer(&self, observer: Arc<dyn InteractionStreamCleanupObserver>) {
        self.registry.install(&observer);
    }
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<InteractionStreamRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId, panics: &Arc<PanicReports>) -> Self {
        Parts {
            handle: Arc::new(InteractionStreamRuntime::new(Arc::clone(panics))),
        }
    }
}

impl SessionRuntimeBindings {
    /// The reply streams of correlated peer requests: one machine per
    /// correlation id, dropped once its stream ended.
    pub fn interaction_stream(&self) -> Arc<dyn InteractionStreamHandle> {
        self.interaction_stream.handle.clone()
    }
}
