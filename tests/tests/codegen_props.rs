//! Random input sequences through generated machines: the invariants hold
//! after every accepted input, a rejected input leaves the machine exactly
//! as it was, and every state round-trips through its snapshot.

#![deny(warnings)]

use fsm::Machine;
use proptest::prelude::*;

mod modes {
    use serde::{Deserialize, Serialize};

    /// The Rust enum `workbench.fsm` binds its `Mode` to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Mode {
        Manual,
        Automatic,
    }
}

mod workbench {
    fsm::machine!("specs/workbench.fsm");
}

mod handles {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct LeaseKey(pub String);
}

mod auth {
    fsm::machine!("../machines/auth_lease.fsm");
}

use auth::{AuthLease, AuthLeaseInput, AuthLeasePhase, RefreshFailure};
use workbench::{Priority, Workbench, WorkbenchInput};

fn name() -> impl Strategy<Value = String> {
    prop_oneof![Just("a"), Just("b"), Just("none")].prop_map(str::to_owned)
}

fn priority() -> impl Strategy<Value = Priority> {
    prop_oneof![
        Just(Priority::Low),
        Just(Priority::Normal),
        Just(Priority::High)
    ]
}

/// Small values most of the time, the extremes sometimes, so that guards
/// both hold and fail and arithmetic overflows now and then.
fn small_u64() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 0u64..4, 1 => Just(u64::MAX), 1 => any::<u64>()]
}

fn delta() -> impl Strategy<Value = i16> {
    prop_oneof![4 => -30i16..30, 1 => Just(i16::MIN), 1 => Just(i16::MAX)]
}

fn workbench_input() -> impl Strategy<Value = WorkbenchInput> {
    prop_oneof![
        (small_u64(), priority()).prop_map(|(job, urgency)| WorkbenchInput::Start { job, urgency }),
        Just(WorkbenchInput::Tick),
        any::<u8>().prop_map(|amount| WorkbenchInput::Spend { amount }),
        delta().prop_map(|delta| WorkbenchInput::Adjust { delta }),
        name().prop_map(|name| WorkbenchInput::Tag { name }),
        name().prop_map(|name| WorkbenchInput::Untag { name }),
        (name(), small_u64()).prop_map(|(name, owner)| WorkbenchInput::Own { name, owner }),
        Just(WorkbenchInput::Pause),
        any::<bool>().prop_map(|force| WorkbenchInput::Resume { force }),
        Just(WorkbenchInput::Finish),
        name().prop_map(|text| WorkbenchInput::Rename { text }),
        Just(WorkbenchInput::Flip),
        Just(WorkbenchInput::Overdraw),
        Just(WorkbenchInput::Noop),
        prop_oneof![Just(modes::Mode::Manual), Just(modes::Mode::Automatic)]
            .prop_map(|to| WorkbenchInput::SetMode { to }),
    ]
}

fn option_u64() -> impl Strategy<Value = Option<u64>> {
    prop_oneof![Just(None), small_u64().prop_map(Some)]
}

fn auth_input() -> impl Strategy<Value = AuthLeaseInput> {
    prop_oneof![
        option_u64().prop_map(|expires_at_ts| AuthLeaseInput::Acquire { expires_at_ts }),
        Just(AuthLeaseInput::MarkExpiring),
        Just(AuthLeaseInput::BeginRefresh),
        (option_u64(), small_u64()).prop_map(|(new_expires_at, now)| {
            AuthLeaseInput::CompleteRefresh {
                new_expires_at,
                now,
            }
        }),
        prop_oneof![
            Just(RefreshFailure::Transient),
            Just(RefreshFailure::Permanent)
        ]
        .prop_map(|disposition| AuthLeaseInput::RefreshFailed { disposition }),
        Just(AuthLeaseInput::MarkReauthRequired),
        Just(AuthLeaseInput::ReleaseCredentialLifecycle),
        Just(AuthLeaseInput::SignInFlowStarted),
        Just(AuthLeaseInput::SignInFlowEnded),
        (option_u64(), small_u64(), small_u64(), small_u64()).prop_map(
            |(new_expires_at, now, ticket, generation)| AuthLeaseInput::CompleteTicketedRefresh {
                new_expires_at,
                now,
                ticket,
                generation,
            }
        ),
        (
            prop_oneof![
                Just(AuthLeasePhase::Valid),
                Just(AuthLeasePhase::Refreshing),
                Just(AuthLeasePhase::Released),
            ],
            option_u64()
        )
            .prop_map(|(to, expires_at_ts)| AuthLeaseInput::RestoreCredential {
                to,
                expires_at_ts
            }),
        Just(AuthLeaseInput::Release),
    ]
}

/// Runs `inputs` through `machine`, checking the properties after each.
fn run<M>(mut machine: M, inputs: Vec<M::Input>) -> Result<(), TestCaseError>
where
    M: Machine + Clone + PartialEq + std::fmt::Debug,
    M::Input: Clone,
    M::Snapshot: Clone + PartialEq + std::fmt::Debug,
{
    prop_assert!(machine.check_invariants().is_ok());
    for input in inputs {
        let before = machine.clone();
        let snapshot = machine.snapshot();
        match machine.apply(input.clone()) {
            Ok(step) => {
                prop_assert_eq!(step.from, before.phase());
                prop_assert_eq!(step.to, machine.phase());
                if step.is_ignored() {
                    prop_assert_eq!(&machine, &before, "an ignored input changed the machine");
                }
                if let Err(violation) = machine.check_invariants() {
                    return Err(TestCaseError::fail(format!(
                        "{violation} after {input:?} from {before:?}"
                    )));
                }
            }
            Err(rejection) => {
                prop_assert_eq!(
                    &machine.snapshot(),
                    &snapshot,
                    "rejection {} changed the snapshot",
                    rejection
                );
                prop_assert_eq!(&machine, &before);
            }
        }
        match M::restore(machine.snapshot()) {
            Ok(restored) => prop_assert_eq!(&restored, &machine),
            Err(err) => return Err(TestCaseError::fail(format!("restore refused: {err}"))),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn workbench_random_sequences(inputs in prop::collection::vec(workbench_input(), 0..40)) {
        // `Overdraw` breaks an invariant on purpose (to test that runtime
        // checks refuse it); without the checks it is left out.
        let inputs = inputs
            .into_iter()
            .filter(|i| fsm::CHECK_INVARIANTS || *i != WorkbenchInput::Overdraw)
            .collect();
        run(Workbench::new(), inputs)?;
    }

    #[test]
    fn auth_lease_random_sequences(inputs in prop::collection::vec(auth_input(), 0..40)) {
        run(AuthLease::new(handles::LeaseKey("k".into())), inputs)?;
    }
}
