//! [`SessionContextHandle`], backed by the machine of
//! `machines/session_context.fsm`, and the observer slot that it and the
//! realtime turn share.
//!
//! Observers are told of accepted transitions only, one call per matching
//! effect in emission order, after the machine's lock is released: an
//! observer may call back into any handle of the session. The slot holds a
//! weak reference, sampled in the critical section that applied the
//! input; an observer whose last strong reference was dropped is skipped.

use crate::handles::{DslTransitionError, SessionContextAdvancedObserver, SessionContextHandle};
use crate::runtime::contract_conversions;
use crate::types::SessionId;
use fsm::{DriveError, DriveErrorKind, Machine, PoisonedError, Shared, Step};
use std::sync::{Arc, Mutex, PoisonError, Weak};

fsm::machine!("../../machines/session_context.fsm");

contract_conversions!(SessionContext; u64);

/// One observer, held weakly; installing replaces the previous one.
pub(super) struct ObserverSlot<O: ?Sized> {
    slot: Mutex<Option<Weak<O>>>,
}

impl<O: ?Sized> ObserverSlot<O> {
    pub(super) fn new() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }

    /// Replaces the observer. The slot keeps only a weak reference.
    pub(super) fn install(&self, observer: &Arc<O>) {
        *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::downgrade(observer));
    }

    /// The current observer, if one was installed.
    pub(super) fn sample(&self) -> Option<Weak<O>> {
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// What [`fsm::Authority::drive`] returns for a machine `M`.
pub(super) type Driven<M> = Result<Step<<M as Machine>::Phase, <M as Machine>::Effect>, DriveError>;

/// Applies `input` under the machine's lock and samples `slot` in the same
/// critical section. The observer is returned only for an accepted input;
/// it is to be called once the lock is released, which it is on return.
pub(super) fn drive_sampled<M: Machine, O: ?Sized>(
    machine: &Shared<M>,
    slot: &ObserverSlot<O>,
    context: &'static str,
    input: M::Input,
) -> (Driven<M>, Option<Arc<O>>) {
    match machine.with(|m| (m.apply(input), slot.sample())) {
        Ok((Ok(step), observer)) => (Ok(step), observer.and_then(|w| w.upgrade())),
        Ok((Err(rejection), _)) => (
            Err(DriveError {
                context,
                kind: DriveErrorKind::Rejected(rejection),
            }),
            None,
        ),
        Err(poisoned) => (
            Err(DriveError {
                context,
                kind: DriveErrorKind::Poisoned(poisoned),
            }),
            None,
        ),
    }
}

/// The session's context watermark: the machine behind its lock and the
/// observer told of every advance.
pub struct SessionContextRuntime {
    machine: Shared<SessionContext>,
    observer: ObserverSlot<dyn SessionContextAdvancedObserver>,
}

impl SessionContextRuntime {
    /// A watermark at 0, without observer.
    pub fn new() -> Self {
        Self {
            machine: Shared::new("SessionContext", SessionContext::new()),
            observer: ObserverSlot::new(),
        }
    }
}

impl Default for SessionContextRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl fsm::Authority<SessionContext> for SessionContextRuntime {
    fn drive(
        &self,
        context: &'static str,
        input: SessionContextInput,
    ) -> Result<Step<SessionContextPhase, SessionContextEffect>, DriveError> {
        let (result, observer) = drive_sampled(&self.machine, &self.observer, context, input);
        if let (Ok(step), Some(observer)) = (&result, observer) {
            for effect in &step.effects {
                match effect {
                    SessionContextEffect::SessionContextAdvanced { updated_at_ms } => {
                        observer.on_session_context_advanced(*updated_at_ms);
                    }
                }
            }
        }
        result
    }

    fn read<R>(&self, f: impl FnOnce(&SessionContext) -> R) -> Result<R, PoisonedError> {
        self.machine.read(f)
    }
}

#[fsm::implement("../../machines/session_context.fsm", SessionContextHandle)]
impl SessionContextHandle for SessionContextRuntime {
    fn context_advanced(&self, updated_at_ms: u64) -> Result<bool, DslTransitionError>;
    fn current_watermark_ms(&self) -> u64;

    fn install_observer(&self, observer: Arc<dyn SessionContextAdvancedObserver>) {
        self.observer.install(&observer);
    }
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<SessionContextRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Self {
            handle: Arc::new(SessionContextRuntime::new()),
        }
    }
}

impl crate::runtime::SessionRuntimeBindings {
    /// The watermark of the session's canonical context. Reports that are
    /// not newer than the watermark answer `Ok(false)`; the installed
    /// observer hears of every advance, after the lock is released.
    pub fn session_context(&self) -> Arc<dyn SessionContextHandle> {
        self.session_context.handle.clone()
    }
}
