//! [`InteractionStreamHandle`]: the reply streams of correlated peer
//! requests, one machine per correlation id
//! (`machines/interaction_stream.fsm`).
//!
//! The instances live in one registry behind one lock, together with the
//! cleanup observer's slot. The slot is sampled inside the critical section
//! that applied the input, and the observer is called once the lock is
//! released, once per `Cleanup` effect of the step.

use std::sync::{Arc, Weak};

use fsm::{DriveError, DriveErrorKind, KeyedAuthority, PoisonedError, Registry, Shared, Step};

use super::contract_conversions;
use crate::handles::{
    DslTransitionError, InteractionStreamCleanupObserver, InteractionStreamHandle,
};
use crate::peer_correlation::{InteractionStreamState, PeerCorrelationId};
use crate::runtime::SessionRuntimeBindings;
use crate::types::SessionId;

fsm::machine!("../../machines/interaction_stream.fsm");

contract_conversions!(InteractionStream;);

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

/// The registry of one session's streams and the cleanup observer's slot,
/// guarded together.
struct Inner {
    streams: Registry<InteractionStream>,
    observer: Option<Weak<dyn InteractionStreamCleanupObserver>>,
}

/// [`InteractionStreamHandle`] over the session's registry.
pub(crate) struct InteractionStreamRuntime {
    inner: Shared<Inner>,
}

impl InteractionStreamRuntime {
    fn new() -> Self {
        Self {
            inner: Shared::new(
                "InteractionStream",
                Inner {
                    streams: Registry::new(),
                    observer: None,
                },
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
        let outcome = self.inner.with(|inner| {
            let applied = inner.streams.apply_retiring(key, input);
            // Sampled in the critical section that applied the input.
            let observer = match &applied {
                Ok(step) if step.effects.contains(&InteractionStreamEffect::Cleanup) => {
                    inner.observer.clone()
                }
                _ => None,
            };
            (applied, observer)
        });
        let kind = match outcome {
            Ok((Ok(step), observer)) => {
                // The lock is released: the observer may call back in.
                if let Some(observer) = observer.and_then(|weak| weak.upgrade()) {
                    for effect in &step.effects {
                        if *effect == InteractionStreamEffect::Cleanup {
                            observer.on_interaction_stream_cleanup(key);
                        }
                    }
                }
                return Ok(step);
            }
            Ok((Err(rejection), _)) => DriveErrorKind::Rejected(rejection),
            Err(poisoned) => DriveErrorKind::Poisoned(poisoned),
        };
        Err(DriveError { context, kind })
    }

    fn read_key<R>(
        &self,
        key: &PeerCorrelationId,
        f: impl FnOnce(&InteractionStream) -> R,
    ) -> Result<Option<R>, PoisonedError> {
        self.inner.read(|inner| inner.streams.get(key).map(f))
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
            .ok()
            .flatten()
            .and_then(Into::into)
    }

    /// Replaces the observer; only a weak reference is kept, so a dropped
    /// observer is skipped silently.
    fn install_cleanup_observer(&self, observer: Arc<dyn InteractionStreamCleanupObserver>) {
        // A poisoned registry applies no input and so calls no observer:
        // losing the install there changes nothing.
        let _ = self
            .inner
            .with(|inner| inner.observer = Some(Arc::downgrade(&observer)));
    }
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<InteractionStreamRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Parts {
            handle: Arc::new(InteractionStreamRuntime::new()),
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
