//! Runtime support for state machines generated from `.fsm` specs.
//!
//! Generated code implements [`Machine`] and uses the types here: the
//! result of an accepted input ([`Step`]), the reasons an input is refused
//! ([`Rejection`]), the errors of [`Machine::restore`] ([`RestoreError`]),
//! the introspection tables ([`MachineInfo`]), a keyed [`Registry`] and a
//! thread-safe [`Shared`] authority. Handwritten handle traits are
//! implemented by [`implement`], whose generated code drives inputs through
//! an [`Authority`] and converts results with [`FromDrive`] and
//! [`FromQuery`].

mod authority;
mod registry;
mod shared;
#[cfg(feature = "trace")]
pub mod trace;

pub use authority::{Authority, DriveError, FromDrive, FromQuery, KeyedAuthority};
pub use fsm_macros::{implement, machine};
pub use registry::{Applied, Registry};
pub use shared::Shared;

use std::fmt;

/// A machine generated from a spec.
pub trait Machine: Sized {
    /// The phase enum.
    type Phase: Copy + Eq + fmt::Debug + 'static;
    /// The input enum.
    type Input: fmt::Debug;
    /// The effect enum.
    type Effect: fmt::Debug;
    /// The serializable snapshot of the whole state.
    type Snapshot;

    /// The key type of a keyed machine (`key name: Type`); `()` otherwise.
    type Key: Clone + Ord + fmt::Debug;

    /// The static description of the machine.
    const INFO: &'static MachineInfo;

    /// A machine in its initial state, for `key`.
    fn create(key: Self::Key) -> Self;

    /// The machine's key (`()` for an unkeyed machine).
    fn key(&self) -> &Self::Key;

    /// The current phase.
    fn phase(&self) -> Self::Phase;

    /// Applies one input. On `Err` the machine is exactly as it was.
    fn apply(&mut self, input: Self::Input) -> Result<Step<Self::Phase, Self::Effect>, Rejection>;

    /// A copy of the whole state.
    fn snapshot(&self) -> Self::Snapshot;

    /// Rebuilds a machine from a snapshot under [`RestorePolicy::Strict`]:
    /// refuses a snapshot of another schema or behaviour version, an
    /// inconsistent one, or one that violates an invariant.
    fn restore(snapshot: Self::Snapshot) -> Result<Self, RestoreError> {
        Self::restore_with(snapshot, RestorePolicy::Strict)
    }

    /// Rebuilds a machine from a snapshot under the caller's policy: the
    /// schema must always match; [`RestorePolicy::Strict`] also requires the
    /// behaviour version to match, [`RestorePolicy::Schema`] does not.
    fn restore_with(snapshot: Self::Snapshot, policy: RestorePolicy) -> Result<Self, RestoreError>;

    /// Checks every invariant of the spec against the current state.
    fn check_invariants(&self) -> Result<(), InvariantViolation>;

    /// Whether the current phase is terminal (nothing leaves it).
    fn is_terminal(&self) -> bool {
        false
    }
}

/// What an accepted input did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step<P, E> {
    /// The transition taken, or `None` when the input was explicitly ignored
    /// in this phase (accepted, nothing changed).
    pub transition: Option<&'static str>,
    pub from: P,
    pub to: P,
    /// The effects emitted, in emission order.
    pub effects: Vec<E>,
}

impl<P: PartialEq, E> Step<P, E> {
    /// Whether the input was explicitly ignored.
    pub fn is_ignored(&self) -> bool {
        self.transition.is_none()
    }

    /// Whether the phase changed.
    pub fn phase_changed(&self) -> bool {
        self.from != self.to
    }
}

/// Why an input was refused. The machine is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{machine}: input `{input}` rejected in phase `{phase}`: {kind}")]
pub struct Rejection {
    pub machine: &'static str,
    pub phase: &'static str,
    pub input: &'static str,
    pub kind: RejectionKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectionKind {
    /// No transition on this input leaves the current phase.
    NoMatchingTransition,
    /// Transitions exist but a guard failed: the first failing guard of the
    /// first candidate transition.
    GuardRejected {
        transition: &'static str,
        guard: &'static str,
    },
    /// Integer arithmetic overflowed (or divided by zero) while evaluating
    /// the transition; nothing was changed.
    ArithmeticOverflow { transition: &'static str },
    /// With runtime invariant checks on: the transition would have broken an
    /// invariant, so it was refused.
    InvariantViolated {
        transition: &'static str,
        invariant: &'static str,
    },
}

impl RejectionKind {
    /// Whether the input is out of scope for the phase (a caller error), as
    /// opposed to recognised but refused by a guard.
    pub fn is_no_matching(&self) -> bool {
        matches!(self, RejectionKind::NoMatchingTransition)
    }

    /// The guard that refused the input, if any.
    pub fn guard(&self) -> Option<&'static str> {
        match self {
            RejectionKind::GuardRejected { guard, .. } => Some(guard),
            _ => None,
        }
    }
}

impl fmt::Display for RejectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectionKind::NoMatchingTransition => f.write_str("no matching transition"),
            RejectionKind::GuardRejected { transition, guard } => {
                write!(
                    f,
                    "guard `{guard}` of transition `{transition}` rejected it"
                )
            }
            RejectionKind::ArithmeticOverflow { transition } => {
                write!(f, "arithmetic overflow in transition `{transition}`")
            }
            RejectionKind::InvariantViolated {
                transition,
                invariant,
            } => write!(
                f,
                "transition `{transition}` would violate invariant `{invariant}`"
            ),
        }
    }
}

/// An invariant that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{machine}: invariant `{invariant}` does not hold")]
pub struct InvariantViolation {
    pub machine: &'static str,
    pub invariant: &'static str,
}

/// What [`Machine::restore_with`] requires of a snapshot besides its
/// consistency and the invariants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestorePolicy {
    /// The schema and the behaviour version must both be the machine's
    /// (what [`Machine::restore`] uses).
    #[default]
    Strict,
    /// The schema must be the machine's; the behaviour version may differ
    /// (the spec's transitions, guards or invariants changed, the shape of
    /// the state did not).
    Schema,
}

/// Why a snapshot could not be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// The snapshot holds another shape of state.
    #[error("{machine}: snapshot is of schema {found}, expected {expected}")]
    Schema {
        machine: &'static str,
        expected: &'static str,
        found: String,
    },
    /// Same schema, but taken with another behaviour version, under
    /// [`RestorePolicy::Strict`].
    #[error(
        "{machine}: snapshot is of behaviour version {found:016x}, expected {expected:016x} (restore with RestorePolicy::Schema to accept it)"
    )]
    Behaviour {
        machine: &'static str,
        expected: u64,
        found: u64,
    },
    #[error(transparent)]
    Invariant(#[from] InvariantViolation),
    #[error("{machine}: inconsistent snapshot: {reason}")]
    Inconsistent {
        machine: &'static str,
        reason: String,
    },
}

/// Whether generated machines check their invariants after every accepted
/// input: in debug builds, or with this crate's `invariants` feature.
/// A transition that would break an invariant is then refused
/// ([`RejectionKind::InvariantViolated`]) and leaves no trace.
pub const CHECK_INVARIANTS: bool = cfg!(any(debug_assertions, feature = "invariants"));

/// Static description of a machine (G4): what tests, docs and tools read.
#[derive(Debug)]
pub struct MachineInfo {
    pub name: &'static str,
    /// The schema id (16 hex digits): a hash of the key, phases, fields and
    /// the enums they use; stored in snapshots.
    pub schema: &'static str,
    /// The behaviour version: a hash of the spec's whole meaning; stored in
    /// snapshots.
    pub behaviour: u64,
    pub phases: &'static [&'static str],
    pub initial: &'static str,
    pub terminal: &'static [&'static str],
    pub inputs: &'static [&'static str],
    pub effects: &'static [&'static str],
    pub transitions: &'static [TransitionInfo],
    /// The inputs an `ignore` accepts in some phase.
    pub ignored_inputs: &'static [&'static str],
    pub invariants: &'static [&'static str],
}

/// One transition of the table.
#[derive(Debug)]
pub struct TransitionInfo {
    pub name: &'static str,
    pub input: &'static str,
    pub sources: &'static [&'static str],
    /// `None` for `stay`.
    pub target: Option<&'static str>,
    pub guards: &'static [&'static str],
    /// Every effect the transition may emit, in order of first appearance.
    pub effects: &'static [&'static str],
    /// The effects it emits whichever way its `if`s go (a subset of
    /// `effects`, in the same order).
    pub always_emits: &'static [&'static str],
    /// Every state field the transition may write, in declaration order.
    pub writes: &'static [&'static str],
}

impl TransitionInfo {
    /// Whether taking the transition changes nothing: it stays, writes no
    /// field and emits no effect. Such a transition documents an accepted
    /// no-op (a duplicate or stale input), which handles may report
    /// differently from a change.
    pub fn is_noop(&self) -> bool {
        self.target.is_none() && self.writes.is_empty() && self.effects.is_empty()
    }
}

impl MachineInfo {
    pub fn transition(&self, name: &str) -> Option<&TransitionInfo> {
        self.transitions.iter().find(|t| t.name == name)
    }

    /// Whether every accepted step of `input` emits `effect`: the input has
    /// at least one transition, no `ignore`, and each of its transitions
    /// emits the effect whichever way its `if`s go. A `const fn`, so that a
    /// crate whose code relies on the effect can assert it at compile time:
    ///
    /// ```ignore
    /// const _: () = assert!(Lease::INFO.always_emits("Acquire", "Published"));
    /// ```
    pub const fn always_emits(&self, input: &str, effect: &str) -> bool {
        if contains(self.ignored_inputs, input) {
            return false;
        }
        let mut found = false;
        let mut i = 0;
        while i < self.transitions.len() {
            let t = &self.transitions[i];
            if str_eq(t.input, input) {
                if !contains(t.always_emits, effect) {
                    return false;
                }
                found = true;
            }
            i += 1;
        }
        found
    }
}

const fn contains(list: &[&str], item: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if str_eq(list[i], item) {
            return true;
        }
        i += 1;
    }
    false
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Support for generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use serde;

    /// A collection's length as the spec's `u64` (saturating on targets
    /// where `usize` is wider).
    #[inline]
    pub fn len(n: usize) -> u64 {
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// Deserializes a snapshot field that must be present: serde reads a
    /// missing `Option` field as `None` unless the field names its own
    /// deserializer, which makes absence an error (`missing field`).
    pub fn required<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: serde::Deserialize<'de>,
    {
        T::deserialize(deserializer)
    }
}
