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
mod peer_ingress;
mod peer_interaction;
mod realtime_turn;
mod session_context;
mod tool_surface;
mod turn;

pub use bindings::SessionRuntimeBindings;

use crate::handles::DslTransitionError;
use fsm::{DriveError, DriveErrorKind, Machine, RejectionKind, Step};

/// The contract's error for an input a machine did not take.
///
/// - no transition from the current phase: `NoMatchingTransition`, a caller
///   error;
/// - a transition exists but a named guard failed: `GuardRejected`, the
///   reason names the guard and its transition;
/// - checked arithmetic overflowed or an invariant would break: also
///   `GuardRejected` (the input was recognised and dropped);
/// - the machine's lock was poisoned: `NoMatchingTransition`, nothing was
///   applied.
pub(crate) fn dsl_error(err: &DriveError) -> DslTransitionError {
    let context = err.context;
    match &err.kind {
        DriveErrorKind::Rejected(r) => match &r.kind {
            RejectionKind::NoMatchingTransition => DslTransitionError::no_matching(
                context,
                format!(
                    "no matching transition from phase {} for {} in {}",
                    r.phase, r.input, r.machine
                ),
            ),
            RejectionKind::GuardRejected { transition, guard } => {
                DslTransitionError::guard_rejected(
                    context,
                    format!(
                        "guard `{guard}` of transition `{transition}` rejected {} in phase {} of {}",
                        r.input, r.phase, r.machine
                    ),
                )
            }
            other => DslTransitionError::guard_rejected(
                context,
                format!(
                    "{} rejected in phase {} of {}: {other}",
                    r.input, r.phase, r.machine
                ),
            ),
        },
        DriveErrorKind::Poisoned(p) => DslTransitionError::no_matching(context, p.to_string()),
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
/// machine, see [`changed`]), and of query results into plain values (a
/// poisoned lock reads as the type's default).
macro_rules! contract_conversions {
    ($machine:ty; $($query:ty),* $(,)?) => {
        impl ::fsm::FromDrive<$machine> for Result<(), $crate::handles::DslTransitionError> {
            fn from_drive(
                _context: &'static str,
                result: Result<
                    ::fsm::Step<<$machine as ::fsm::Machine>::Phase, <$machine as ::fsm::Machine>::Effect>,
                    ::fsm::DriveError,
                >,
            ) -> Self {
                result.map(|_| ()).map_err(|e| $crate::runtime::dsl_error(&e))
            }
        }

        impl ::fsm::FromDrive<$machine> for Result<bool, $crate::handles::DslTransitionError> {
            fn from_drive(
                _context: &'static str,
                result: Result<
                    ::fsm::Step<<$machine as ::fsm::Machine>::Phase, <$machine as ::fsm::Machine>::Effect>,
                    ::fsm::DriveError,
                >,
            ) -> Self {
                match result {
                    Ok(step) => Ok($crate::runtime::changed::<$machine>(&step)),
                    Err(e) => Err($crate::runtime::dsl_error(&e)),
                }
            }
        }

        $(
            impl ::fsm::FromQuery<$machine, $query> for $query {
                fn from_query(
                    _context: &'static str,
                    result: Result<$query, ::fsm::PoisonedError>,
                ) -> Self {
                    result.unwrap_or_default()
                }
            }
        )*
    };
}
pub(crate) use contract_conversions;

/// The instances of a keyed machine and one observer's slot, behind one
/// lock: what the handles of correlated peer traffic hold.
///
/// [`drive`](Self::drive) samples the slot in the critical section that
/// applied the input, and calls the observer once the lock is released,
/// once per effect the handle observes, so an observer may call back into
/// the handle.
pub(crate) struct ObservedRegistry<M: fsm::Machine, O: ?Sized> {
    inner: fsm::Shared<(fsm::Registry<M>, Option<std::sync::Weak<O>>)>,
}

impl<M: fsm::Machine, O: ?Sized> ObservedRegistry<M, O> {
    pub(crate) fn new(name: &'static str) -> Self {
        Self {
            inner: fsm::Shared::new(name, (fsm::Registry::new(), None)),
        }
    }

    /// Replaces the observer (the last install wins). The slot holds a weak
    /// reference: a dropped observer is skipped. A poisoned lock applies no
    /// input and so calls no observer: losing the install there changes
    /// nothing.
    pub(crate) fn install(&self, observer: &std::sync::Arc<O>) {
        let _ = self
            .inner
            .with(|(_, slot)| *slot = Some(std::sync::Arc::downgrade(observer)));
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
        let outcome = self.inner.with(|(registry, slot)| {
            let applied = registry.apply_retiring(key.clone(), input);
            let observer = match &applied {
                Ok(step) if step.effects.iter().any(&observed) => slot.clone(),
                _ => None,
            };
            (applied, observer)
        });
        let kind = match outcome {
            Ok((Ok(step), observer)) => {
                // The lock is released: the observer may call back in.
                if let Some(observer) = observer.and_then(|weak| weak.upgrade()) {
                    for _ in step.effects.iter().filter(|e| observed(e)) {
                        notify(&observer, &key);
                    }
                }
                return Ok(step);
            }
            Ok((Err(rejection), _)) => DriveErrorKind::Rejected(rejection),
            Err(poisoned) => DriveErrorKind::Poisoned(poisoned),
        };
        Err(DriveError { context, kind })
    }

    /// Runs `f` on the instance of `key`; `None` when there is none.
    pub(crate) fn read<R>(
        &self,
        key: &M::Key,
        f: impl FnOnce(&M) -> R,
    ) -> Result<Option<R>, fsm::PoisonedError> {
        self.inner.read(|(registry, _)| registry.get(key).map(f))
    }
}
