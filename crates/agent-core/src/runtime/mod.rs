//! The handles of [`crate::handles`], implemented by machines generated from
//! the specs in the repository's `machines/` folder.
//!
//! Each submodule compiles one spec with [`fsm::machine!`] and implements
//! the handle traits bound in the spec's `impl` blocks with
//! [`fsm::implement`]. What is written by hand here is limited to type
//! conversions between the contract's types and the spec's, locking (a
//! [`fsm::Shared`] authority per machine), and calling observers after the
//! lock is released. [`SessionRuntimeBindings`] builds one session's
//! handles.

mod auth_lease;
mod bindings;
mod comms_drain;
mod interaction_stream;
mod mcp_server;
mod model_routing;
mod observe;
mod peer_ingress;
mod peer_interaction;
mod realtime_turn;
mod session_context;
mod tool_surface;
mod turn;

pub use auth_lease::AuthLeaseRuntime;
pub use bindings::SessionRuntimeBindings;
pub use observe::ObserverPanic;

use crate::handles::DslTransitionError;
use fsm::{DriveError, Machine, RejectionKind, Step};

/// The contract's error for an input a machine did not take.
///
/// - no transition from the current phase: `NoMatchingTransition`, a caller
///   error;
/// - a transition exists but a named guard failed: `GuardRejected`, the
///   reason names the guard and its transition;
/// - checked arithmetic overflowed or an invariant would break: also
///   `GuardRejected` (the input was recognised and dropped).
pub(crate) fn dsl_error(err: &DriveError) -> DslTransitionError {
    let context = err.context;
    let r = &err.rejection;
    match &r.kind {
        RejectionKind::NoMatchingTransition => DslTransitionError::no_matching(
            context,
            format!(
                "no matching transition from phase {} for {} in {}",
                r.phase, r.input, r.machine
            ),
        ),
        RejectionKind::GuardRejected { transition, guard } => DslTransitionError::guard_rejected(
            context,
            format!(
                "guard `{guard}` of transition `{transition}` rejected {} in phase {} of {}",
                r.input, r.phase, r.machine
            ),
        ),
        other => DslTransitionError::guard_rejected(
            context,
            format!(
                "{} rejected in phase {} of {}: {other}",
                r.input, r.phase, r.machine
            ),
        ),
    }
}

/// Whether an accepted input changed the machine: `false` when the spec
/// ignores it in this phase or takes a transition documented as a no-op
/// (it stays, writes nothing and emits nothing).
pub(crate) fn changed<M: Machine>(step: &Step<M::Phase, M::Effect>) -> bool {
    match step.transition {
        None => false,
        Some(name) => !M::INFO.transition(name).is_some_and(|t| t.is_noop()),
    }
}

/// The standard conversions of a machine's drive results into the
/// contract's return types: `Result<(), DslTransitionError>` and
/// `Result<bool, DslTransitionError>` (`true` when the input changed the
/// machine, see [`changed`]).
macro_rules! contract_conversions {
    ($machine:ty) => {
        impl ::fsm::FromDrive<$machine> for Result<(), $crate::handles::DslTransitionError> {
            fn from_drive(
                _context: &'static str,
                result: Result<
                    ::fsm::Step<
                        <$machine as ::fsm::Machine>::Phase,
                        <$machine as ::fsm::Machine>::Effect,
                    >,
                    ::fsm::DriveError,
                >,
            ) -> Self {
                result
                    .map(|_| ())
                    .map_err(|e| $crate::runtime::dsl_error(&e))
            }
        }

        impl ::fsm::FromDrive<$machine> for Result<bool, $crate::handles::DslTransitionError> {
            fn from_drive(
                _context: &'static str,
                result: Result<
                    ::fsm::Step<
                        <$machine as ::fsm::Machine>::Phase,
                        <$machine as ::fsm::Machine>::Effect,
                    >,
                    ::fsm::DriveError,
                >,
            ) -> Self {
                match result {
                    Ok(step) => Ok($crate::runtime::changed::<$machine>(&step)),
                    Err(e) => Err($crate::runtime::dsl_error(&e)),
                }
            }
        }
    };
}
pub(crate) use contract_conversions;

/// The instances of a keyed machine and one observer's slot: what the
/// handles of correlated peer traffic hold.
///
/// [`drive`](Self::drive) samples the slot in the critical section that
/// applied the input, and calls the observer once the lock is released,
/// once per effect the handle observes (each delivered, panics contained:
/// see [`observe`]), so an observer may call back into the handle.
pub(crate) struct ObservedRegistry<M: fsm::Machine, O: ?Sized> {
    registry: fsm::Shared<fsm::Registry<M>>,
    slot: observe::ObserverSlot<O, ()>,
}

impl<M: fsm::Machine, O: ?Sized> ObservedRegistry<M, O> {
    /// `observer` names the observer trait in panic reports.
    pub(crate) fn new(
        name: &'static str,
        observer: &'static str,
        panics: std::sync::Arc<observe::PanicReports>,
    ) -> Self {
        Self {
            registry: fsm::Shared::new(name, fsm::Registry::new()),
            slot: observe::ObserverSlot::new(observer, panics),
        }
    }

    /// Replaces the observer (the last install wins). The slot holds a weak
    /// reference: a dropped observer is skipped.
    pub(crate) fn install(&self, observer: &std::sync::Arc<O>) {
        self.slot.install(observer);
    }

    /// Applies `input` to the instance of `key` (retiring it when it ends),
    /// then calls `notify` for every effect `observed` picks.
    pub(crate) fn drive(
        &self,
        context: &'static str,
        key: M::Key,
        input: M::Input,
        observed: impl Fn(&M::Effect) -> bool,
        notify: impl Fn(&O, &M::Key),
    ) -> Result<Step<M::Phase, M::Effect>, DriveError> {
        let (applied, sampled) = self.registry.with(|registry| {
            let applied = registry.apply_retiring(key.clone(), input);
            let sampled = match &applied {
                Ok(step) if step.effects.iter().any(&observed) => Some(self.slot.sample()),
                _ => None,
            };
            (applied, sampled)
        });
        let step = applied.map_err(|rejection| DriveError { context, rejection })?;
        // The lock is released: the observer may call back in.
        if let Some(sampled) = sampled {
            for _ in step.effects.iter().filter(|e| observed(e)) {
                self.slot
                    .deliver_each(&sampled, |observer| notify(observer, &key));
            }
        }
        Ok(step)
    }

    /// Runs `f` on the instance of `key`; `None` when there is none.
    pub(crate) fn read<R>(&self, key: &M::Key, f: impl FnOnce(&M) -> R) -> Option<R> {
        self.registry.read(|registry| registry.get(key).map(f))
    }
}
