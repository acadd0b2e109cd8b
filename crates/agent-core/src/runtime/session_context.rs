//! [`SessionContextHandle`], backed by the machine of
//! `machines/session_context.fsm`.
//!
//! The observer is told of accepted advances only, after the machine's
//! lock is released (an observer may call back into any handle of the
//! session), in watermark order: an advance superseded by a newer one that
//! was already delivered is not delivered (see [`super::observe`]).

use super::observe::{ObserverSlot, PanicReports, Sampled};
use crate::handles::{DslTransitionError, SessionContextAdvancedObserver, SessionContextHandle};
use crate::runtime::contract_conversions;
use crate::types::SessionId;
use fsm::{DriveError, Machine, Shared, Step};
use std::sync::Arc;

fsm::machine!("../../machines/session_context.fsm");

contract_conversions!(SessionContext);

/// What [`fsm::Authority::drive`] returns for a machine `M`.
pub(super) type Driven<M> = Result<Step<<M as Machine>::Phase, <M as Machine>::Effect>, DriveError>;

/// An accepted step and the observer sampled with it.
pub(super) type SampledStep<M, O> = (
    Step<<M as Machine>::Phase, <M as Machine>::Effect>,
    Sampled<O>,
);

/// Applies `input` under the machine's lock and samples `slot` in the same
/// critical section, for an accepted input only. The sampled observer is to
/// be told once the lock is released, which it is on return.
pub(super) fn drive_sampled<M: Machine, O: ?Sized, F>(
    machine: &Shared<M>,
    slot: &ObserverSlot<O, F>,
    context: &'static str,
    input: M::Input,
) -> Result<SampledStep<M, O>, DriveError> {
    machine
        .with(|m| m.apply(input).map(|step| (step, slot.sample())))
        .map_err(|rejection| DriveError { context, rejection })
}

/// The session's context watermark: the machine behind its lock and the
/// observer told of every advance.
pub struct SessionContextRuntime {
    machine: Shared<SessionContext>,
    observer: ObserverSlot<dyn SessionContextAdvancedObserver, u64>,
}

impl SessionContextRuntime {
    /// A watermark at 0, without observer.
    pub(crate) fn new(panics: Arc<PanicReports>) -> Self {
        Self {
            machine: Shared::new("SessionContext", SessionContext::new()),
            observer: ObserverSlot::new("SessionContextAdvancedObserver", panics),
        }
    }
}

impl fsm::Authority<SessionContext> for SessionContextRuntime {
    fn drive(&self, context: &'static str, input: SessionContextInput) -> Driven<SessionContext> {
        let (step, sampled) = drive_sampled(&self.machine, &self.observer, context, input)?;
        // One advance per step at most; a step that did not advance (a
        // report not newer than the watermark) tells nobody.
        let mut advanced = step.effects.iter().map(|effect| match effect {
            SessionContextEffect::SessionContextAdvanced { updated_at_ms } => *updated_at_ms,
        });
        let advanced = advanced.next_back();
        if let Some(updated_at_ms) = advanced {
            self.observer
                .deliver_latest(sampled, updated_at_ms, |observer, ms| {
                    observer.on_session_context_advanced(*ms);
                });
        }
        Ok(step)
    }

    fn read<R>(&self, f: impl FnOnce(&SessionContext) -> R) -> R {
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

    /// Installs the observer and reads the watermark in one critical
    /// section of the machine's lock, so every later advance is either in
    /// the returned baseline or delivered to the observer (or superseded by
    /// a newer advance that is), never both and never neither.
    fn install_observer_with_baseline(
        &self,
        observer: Arc<dyn SessionContextAdvancedObserver>,
    ) -> u64 {
        self.machine.read(|m| {
            self.observer.install(&observer);
            m.watermark_ms()
        })
    }
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<SessionContextRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId, panics: &Arc<PanicReports>) -> Self {
        Self {
            handle: Arc::new(SessionContextRuntime::new(Arc::clone(panics))),
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
