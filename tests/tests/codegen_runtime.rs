//! The generated code at run time, through the `machine!` macro: every
//! transition of the test machine fires, rejections leave no trace and say
//! why, snapshots round-trip and bad ones are refused, keyed machines live
//! in a registry, and a shared machine loses no update under contention.

#![deny(warnings)]

use fsm::{Machine, RejectionKind, RestoreError, RestorePolicy, Shared};
use std::sync::Arc;

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

    /// The extern key type of `auth_lease.fsm`.
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct LeaseKey(pub String);
}

mod auth {
    fsm::machine!("../machines/auth_lease.fsm");
}

use auth::{AuthLease, AuthLeaseEffect, AuthLeasePhase, AuthLeaseRegistry, RefreshFailure};
use handles::LeaseKey;
use workbench::{
    Priority, Workbench, WorkbenchEffect, WorkbenchInput, WorkbenchPhase, WorkbenchSnapshot,
};

/// A busy workbench: started job 7, tagged `a`.
fn busy() -> Workbench {
    let mut m = Workbench::new();
    m.start(7, Priority::High).unwrap();
    m.tag("a".into()).unwrap();
    m
}

/// Applies `input`, expects a rejection, and checks that nothing changed.
fn rejected(m: &mut Workbench, input: WorkbenchInput) -> RejectionKind {
    let before = m.snapshot();
    let clone = m.clone();
    let err = m.apply(input).expect_err("input should be rejected");
    assert_eq!(m.snapshot(), before, "a rejection changed the snapshot");
    assert_eq!(*m, clone, "a rejection changed the machine");
    assert_eq!(err.machine, "Workbench");
    err.kind
}

#[test]
fn start_fires_and_emits_with_the_updated_count() {
    let mut m = Workbench::new();
    assert_eq!(m.phase(), WorkbenchPhase::Idle);
    let step = m.start(7, Priority::High).unwrap();
    assert_eq!(step.transition, Some("start"));
    assert_eq!(step.from, WorkbenchPhase::Idle);
    assert_eq!(step.to, WorkbenchPhase::Busy);
    assert_eq!(
        step.effects,
        vec![WorkbenchEffect::Started { job: 7, count: 1 }]
    );
    assert_eq!(m.started(), 1);
    assert_eq!(m.history(), &vec![7]);
    assert_eq!(m.last(), Some(7));
    assert_eq!(m.priority(), Priority::High);
    assert!(m.urgent());
    assert!(m.busy_or_paused());
}

#[test]
fn every_transition_fires() {
    let mut fired = std::collections::BTreeSet::new();
    let mut m = Workbench::new();
    let mut go = |m: &mut Workbench, input: WorkbenchInput| {
        let step = m
            .apply(input.clone())
            .unwrap_or_else(|e| panic!("{input:?}: {e}"));
        if let Some(t) = step.transition {
            fired.insert(t);
        }
        step
    };
    go(&mut m, WorkbenchInput::Flip);
    assert_eq!(m.phase(), WorkbenchPhase::Idle);
    go(
        &mut m,
        WorkbenchInput::Start {
            job: 1,
            urgency: Priority::Low,
        },
    );
    go(&mut m, WorkbenchInput::Tick);
    go(&mut m, WorkbenchInput::Spend { amount: 10 });
    go(&mut m, WorkbenchInput::Adjust { delta: 5 });
    go(&mut m, WorkbenchInput::Adjust { delta: -20 });
    go(&mut m, WorkbenchInput::Tag { name: "x".into() });
    go(
        &mut m,
        WorkbenchInput::Own {
            name: "x".into(),
            owner: 3,
        },
    );
    go(&mut m, WorkbenchInput::Tag { name: "y".into() });
    go(&mut m, WorkbenchInput::Untag { name: "y".into() });
    go(&mut m, WorkbenchInput::Pause);
    go(&mut m, WorkbenchInput::Resume { force: true });
    go(&mut m, WorkbenchInput::Pause);
    go(&mut m, WorkbenchInput::Resume { force: false });
    go(&mut m, WorkbenchInput::Rename { text: "job".into() });
    go(
        &mut m,
        WorkbenchInput::SetMode {
            to: modes::Mode::Automatic,
        },
    );
    go(&mut m, WorkbenchInput::Finish);
    assert_eq!(m.phase(), WorkbenchPhase::Done);
    let mut other = busy();
    let overdraw = other.apply(WorkbenchInput::Overdraw);
    if fsm::CHECK_INVARIANTS {
        // The only way to fire it is with the checks off; here it is
        // refused by the invariant instead.
        assert!(matches!(
            overdraw.unwrap_err().kind,
            RejectionKind::InvariantViolated {
                transition: "overdraw",
                invariant: "balance_floor"
            }
        ));
        fired.insert("overdraw");
    } else {
        overdraw.unwrap();
        fired.insert("overdraw");
    }
    let all: std::collections::BTreeSet<&str> =
        Workbench::INFO.transitions.iter().map(|t| t.name).collect();
    let missing: Vec<_> = all.difference(&fired).collect();
    assert!(missing.is_empty(), "transitions never fired: {missing:?}");
}

#[test]
fn statements_run_in_order_and_emits_see_the_state_where_they_stand() {
    let mut m = busy();
    m.rename("first".into()).unwrap();
    let step = m.rename("second".into()).unwrap();
    assert_eq!(
        step.effects,
        vec![
            WorkbenchEffect::Renamed {
                before: "first".into(),
                after: "second".into()
            },
            WorkbenchEffect::Moved {
                to: WorkbenchPhase::Busy
            },
        ]
    );
    assert_eq!(m.label(), "second");
    let step = m.tag("b".into()).unwrap();
    assert_eq!(
        step.effects,
        vec![WorkbenchEffect::Tagged {
            name: "b".into(),
            total: 2
        }]
    );
    assert_eq!(m.tag_count(), 2);
}

#[test]
fn if_else_chains_pick_one_branch() {
    let mut m = busy();
    m.pause().unwrap();
    m.resume(true).unwrap();
    assert_eq!(m.note().as_deref(), Some("resumed"));
    m.pause().unwrap();
    m.resume(true).unwrap();
    assert_eq!(m.note(), &None);
    m.rename("lbl".into()).unwrap();
    m.pause().unwrap();
    m.resume(true).unwrap();
    assert_eq!(m.note().as_deref(), Some("lbl"));
}

#[test]
fn a_failing_guard_is_named_and_leaves_no_trace() {
    let mut m = busy();
    let kind = rejected(&mut m, WorkbenchInput::Spend { amount: 251 });
    assert_eq!(
        kind,
        RejectionKind::GuardRejected {
            transition: "spend",
            guard: "affordable"
        }
    );
    let kind = rejected(&mut m, WorkbenchInput::Tag { name: "a".into() });
    assert_eq!(kind.guard(), Some("new_tag"));
}

#[test]
fn guards_are_checked_in_written_order() {
    let mut m = busy();
    m.spend(250).unwrap();
    assert_eq!(m.budget(), 0);
    // Both `has_budget` and `affordable` (1 <= 0) fail: the first is named.
    let kind = rejected(&mut m, WorkbenchInput::Spend { amount: 1 });
    assert_eq!(kind.guard(), Some("has_budget"));
}

#[test]
fn no_candidate_is_no_matching_transition_and_a_failed_guard_is_not() {
    let mut m = Workbench::new();
    let kind = rejected(&mut m, WorkbenchInput::Tick);
    assert_eq!(kind, RejectionKind::NoMatchingTransition);
    assert!(kind.is_no_matching());
    let mut m = busy();
    // Two candidates (`adjust_up`, `adjust_down`); neither guard holds for
    // zero: the first failing guard of the first candidate is named.
    let kind = rejected(&mut m, WorkbenchInput::Adjust { delta: 0 });
    assert_eq!(
        kind,
        RejectionKind::GuardRejected {
            transition: "adjust_up",
            guard: "positive"
        }
    );
    // The second candidate's own guard can also fail; the message still
    // names the first candidate's.
    let kind = rejected(&mut m, WorkbenchInput::Adjust { delta: -60 });
    assert_eq!(kind.guard(), Some("positive"));
    let mut done = busy();
    done.finish().unwrap();
    let kind = rejected(&mut done, WorkbenchInput::Tag { name: "z".into() });
    assert_eq!(kind, RejectionKind::NoMatchingTransition);
}

#[test]
fn rejections_say_machine_phase_and_input() {
    let mut m = Workbench::new();
    let err = m.tick().unwrap_err();
    assert_eq!(
        (err.machine, err.phase, err.input),
        ("Workbench", "Idle", "Tick")
    );
    assert_eq!(
        err.to_string(),
        "Workbench: input `Tick` rejected in phase `Idle`: no matching transition"
    );
}

#[test]
fn ignored_inputs_are_accepted_and_change_nothing() {
    let mut m = busy();
    let before = m.snapshot();
    let step = m.noop().unwrap();
    assert!(step.is_ignored());
    assert_eq!(step.from, WorkbenchPhase::Busy);
    assert_eq!(step.to, WorkbenchPhase::Busy);
    assert!(step.effects.is_empty());
    assert_eq!(m.snapshot(), before);
    m.pause().unwrap();
    assert!(m.pause().unwrap().is_ignored());
    let mut done = busy();
    done.finish().unwrap();
    assert!(done.noop().unwrap().is_ignored());
}

#[test]
fn overflow_in_a_guard_rejects_naming_its_transition() {
    let mut m = busy();
    m.adjust(-50).unwrap();
    // `adjust_up` does not hold; `balance + delta` in `adjust_down`'s guard
    // `not_too_low` overflows i16.
    let kind = rejected(&mut m, WorkbenchInput::Adjust { delta: i16::MIN });
    assert_eq!(
        kind,
        RejectionKind::ArithmeticOverflow {
            transition: "adjust_down"
        }
    );
}

#[test]
fn overflow_in_a_statement_rejects_and_leaves_the_state_unchanged() {
    let mut m = busy();
    m.adjust(i16::MAX).unwrap();
    // `balance += delta` overflows in the block.
    let kind = rejected(&mut m, WorkbenchInput::Adjust { delta: 1 });
    assert_eq!(
        kind,
        RejectionKind::ArithmeticOverflow {
            transition: "adjust_up"
        }
    );
    assert_eq!(m.balance(), i16::MAX);
    // Overflow while computing a map value.
    m.own("a".into(), u64::MAX).unwrap();
    let kind = rejected(
        &mut m,
        WorkbenchInput::Own {
            name: "a".into(),
            owner: 1,
        },
    );
    assert_eq!(
        kind,
        RejectionKind::ArithmeticOverflow { transition: "own" }
    );
    assert_eq!(m.owners().get("a"), Some(&u64::MAX));
}

#[test]
fn overflow_after_a_collection_was_written_leaves_the_collection_as_it_was() {
    let mut snapshot = busy().snapshot();
    snapshot.tagged_total = u64::MAX;
    let mut m = Workbench::restore(snapshot).unwrap();
    // `tags.insert(name)` runs, then `tagged_total += 1` overflows.
    let kind = rejected(&mut m, WorkbenchInput::Tag { name: "new".into() });
    assert_eq!(
        kind,
        RejectionKind::ArithmeticOverflow { transition: "tag" }
    );
    assert!(!m.tags().contains("new"));
}

#[test]
fn overflow_in_a_derived_value_reads_as_none() {
    let mut snapshot = Workbench::new().snapshot();
    snapshot.started = u32::MAX;
    snapshot.doubled = None;
    // The invariant `doubled_fits` reads the overflowing derived value.
    let err = Workbench::restore(snapshot).unwrap_err();
    assert!(matches!(
        err,
        RestoreError::Invariant(fsm::InvariantViolation {
            invariant: "doubled_fits",
            ..
        })
    ));
    let m = busy();
    assert_eq!(m.doubled(), Some(2));
}

#[test]
fn a_transition_that_would_break_an_invariant_is_refused_when_checks_are_on() {
    let mut m = busy();
    let result = m.apply(WorkbenchInput::Overdraw);
    if fsm::CHECK_INVARIANTS {
        let err = result.unwrap_err();
        assert_eq!(
            err.kind,
            RejectionKind::InvariantViolated {
                transition: "overdraw",
                invariant: "balance_floor"
            }
        );
        assert_eq!(m.balance(), 0);
        assert!(m.check_invariants().is_ok());
    } else {
        result.unwrap();
        assert_eq!(m.balance(), -100);
    }
}

#[test]
fn target_is_the_phase_after_the_transition() {
    let mut m = Workbench::new();
    m.start(1, Priority::Low).unwrap();
    m.pause().unwrap();
    let step = m.resume(false).unwrap();
    assert_eq!(step.transition, Some("resume_gently"));
    assert_eq!(
        step.effects,
        vec![WorkbenchEffect::Moved {
            to: WorkbenchPhase::Busy
        }]
    );
    // On `stay`, `target` is the current phase.
    let mut idle = Workbench::new();
    let step = idle.rename("x".into()).unwrap();
    assert_eq!(
        step.effects[1],
        WorkbenchEffect::Moved {
            to: WorkbenchPhase::Idle
        }
    );
}

#[test]
fn constants_are_inlined_and_exposed() {
    assert_eq!(Workbench::MAX_TICKS, 1_000_000);
    let mut snapshot = busy().snapshot();
    snapshot.ticks = Workbench::MAX_TICKS;
    let mut m = Workbench::restore(snapshot).unwrap();
    assert_eq!(m.tick().unwrap_err().kind.guard(), Some("below_limit"));
}

#[test]
fn a_bound_enum_is_the_rust_enum() {
    let mut m = Workbench::new();
    let mode: modes::Mode = m.mode();
    assert_eq!(mode, modes::Mode::Manual);
    assert!(!m.automatic());
    m.set_mode(modes::Mode::Automatic).unwrap();
    assert!(m.automatic());
    assert_eq!(
        m.set_mode(modes::Mode::Automatic).unwrap_err().kind.guard(),
        Some("changes")
    );
    let json = serde_json::to_value(m.snapshot()).unwrap();
    assert_eq!(json["mode"], serde_json::json!("Automatic"));
}

#[test]
fn map_keys_as_a_set() {
    let mut m = busy();
    m.tag("b".into()).unwrap();
    m.own("b".into(), 1).unwrap();
    m.own("a".into(), 1).unwrap();
    assert_eq!(
        m.owner_names(),
        ["a".to_owned(), "b".to_owned()].into_iter().collect()
    );
    assert_eq!(m.owned_count(), 2);
}

#[test]
fn keyword_names_are_raw_identifiers() {
    let mut m = busy();
    assert!(!m.r#type());
    m.tick().unwrap();
    assert!(m.r#type());
    assert!(m.snapshot().r#type);
    let json = serde_json::to_value(m.snapshot()).unwrap();
    assert_eq!(json["type"], serde_json::json!(true));
}

#[test]
fn quantifiers_and_map_reads() {
    let mut m = busy();
    assert!(!m.all_owned());
    assert!(!m.any_big());
    m.own("a".into(), 101).unwrap();
    assert!(m.all_owned());
    assert!(m.any_big());
    m.untag("a".into()).unwrap();
    assert!(m.owners().is_empty(), "untag removes the owner too");
    assert!(m.all_owned(), "vacuously true over no tags");
}

#[test]
fn snapshot_round_trips_directly_and_through_json() {
    let mut m = busy();
    m.own("a".into(), 5).unwrap();
    m.rename("named".into()).unwrap();
    let snapshot = m.snapshot();
    assert_eq!(snapshot.schema, Workbench::INFO.schema);
    assert_eq!(snapshot.behaviour, Workbench::INFO.behaviour);
    assert_eq!(snapshot.tag_count, 1);
    let restored = Workbench::restore(snapshot.clone()).unwrap();
    assert_eq!(restored, m);
    let json = serde_json::to_string(&snapshot).unwrap();
    let back: WorkbenchSnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snapshot);
    assert_eq!(Workbench::restore(back).unwrap(), m);
}

#[test]
fn restore_refuses_another_schema_under_every_policy() {
    let mut snapshot = busy().snapshot();
    snapshot.schema = "0123456789abcdef".into();
    for policy in [RestorePolicy::Strict, RestorePolicy::Schema] {
        let err = Workbench::restore_with(snapshot.clone(), policy).unwrap_err();
        assert_eq!(
            err,
            RestoreError::Schema {
                machine: "Workbench",
                expected: Workbench::INFO.schema,
                found: "0123456789abcdef".into(),
            }
        );
    }
}

#[test]
fn the_schema_policy_accepts_another_behaviour_version_strict_refuses_it() {
    let m = busy();
    let mut snapshot = m.snapshot();
    snapshot.behaviour ^= 1;
    let err = Workbench::restore(snapshot.clone()).unwrap_err();
    assert_eq!(
        err,
        RestoreError::Behaviour {
            machine: "Workbench",
            expected: Workbench::INFO.behaviour,
            found: Workbench::INFO.behaviour ^ 1,
        }
    );
    assert_eq!(
        Workbench::restore_with(snapshot.clone(), RestorePolicy::Strict),
        Err(err)
    );
    assert_eq!(
        Workbench::restore_with(snapshot, RestorePolicy::Schema).unwrap(),
        m
    );
}

#[test]
fn restore_refuses_an_inconsistent_derived_value() {
    let mut snapshot = busy().snapshot();
    snapshot.tag_count = 9;
    let err = Workbench::restore(snapshot).unwrap_err();
    let RestoreError::Inconsistent { machine, reason } = err else {
        panic!("expected Inconsistent, got {err:?}");
    };
    assert_eq!(machine, "Workbench");
    assert!(reason.contains("`tag_count`"), "{reason}");
}

#[test]
fn restore_refuses_a_violated_invariant() {
    let mut snapshot = busy().snapshot();
    snapshot.owners.insert("untagged".into(), 1);
    // Derived values consistent with the bad state: only the invariant
    // fails.
    snapshot.owner_names.insert("untagged".into());
    snapshot.owned_count = 1;
    let err = Workbench::restore(snapshot).unwrap_err();
    assert_eq!(
        err,
        RestoreError::Invariant(fsm::InvariantViolation {
            machine: "Workbench",
            invariant: "owners_are_tagged",
        })
    );
}

#[test]
fn introspection_tables_describe_the_spec() {
    let info = Workbench::INFO;
    assert_eq!(info.name, "Workbench");
    assert_eq!(info.phases, ["Idle", "Busy", "Paused", "Done"]);
    assert_eq!(info.initial, "Idle");
    assert_eq!(info.terminal, ["Done"]);
    assert_eq!(info.inputs.len(), 15);
    assert_eq!(info.invariants[0], "balance_floor");
    let start = info.transition("start").unwrap();
    assert_eq!(start.input, "Start");
    assert_eq!(start.sources, ["Idle", "Paused"]);
    assert_eq!(start.target, Some("Busy"));
    assert_eq!(start.guards, ["has_budget", "fresh"]);
    assert_eq!(start.effects, ["Started"]);
    assert_eq!(info.transition("tick").unwrap().target, None);
    assert!(std::ptr::eq(<Workbench as Machine>::INFO, Workbench::INFO));
    let model = fsm_model("specs/workbench.fsm");
    assert_eq!(
        info.schema,
        fsm_core::versions::schema_version(&model).to_string()
    );
    assert_eq!(
        info.behaviour,
        fsm_core::versions::behaviour_version(&model)
    );
    assert_eq!(WorkbenchPhase::ALL.len(), 4);
    assert_eq!(WorkbenchPhase::Paused.as_str(), "Paused");
    assert_eq!(WorkbenchPhase::Paused.to_string(), "Paused");
    assert_eq!(Priority::High.as_str(), "High");
    assert_eq!(WorkbenchInput::Tick.name(), "Tick");
}

/// The model `fsm_core` checks for a spec of the tests folder.
fn fsm_model(path: &str) -> fsm_core::Model {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(dir.join(path)).unwrap();
    fsm_core::compile(path, &bytes).model.unwrap()
}

// ------------------------------------------------------------ auth lease

fn key(name: &str) -> LeaseKey {
    LeaseKey(name.to_owned())
}

#[test]
fn auth_lease_refresh_cycle() {
    let mut lease = AuthLease::new(key("k"));
    assert_eq!(lease.lease(), &key("k"));
    let step = lease.acquire(Some(100)).unwrap();
    assert_eq!(
        step.effects,
        vec![
            AuthLeaseEffect::CredentialPublished {
                expires_at: Some(100),
                generation: 0,
                published_at_ms: None,
            },
            AuthLeaseEffect::EmitLifecycleEvent {
                new_state: AuthLeasePhase::Valid
            },
        ]
    );
    assert!(lease.usable());
    lease.mark_expiring().unwrap();
    lease.begin_refresh().unwrap();
    // Single flight: a second refresh is not a transition.
    let err = lease.begin_refresh().unwrap_err();
    assert!(err.kind.is_no_matching());
    lease.refresh_failed(RefreshFailure::Transient).unwrap();
    assert_eq!(lease.phase(), AuthLeasePhase::Expiring);
    assert_eq!(lease.refresh_attempt(), 1);
    lease.begin_refresh().unwrap();
    lease.complete_refresh(Some(200), 150).unwrap();
    assert_eq!(lease.phase(), AuthLeasePhase::Valid);
    assert_eq!(lease.expires_at(), Some(200));
    assert_eq!(lease.last_refresh(), Some(150));
    assert_eq!(lease.refresh_attempt(), 0);
    lease.release().unwrap();
    assert!(lease.release().unwrap().is_ignored());
    assert!(lease.acquire(None).unwrap_err().kind.is_no_matching());
    lease.check_invariants().unwrap();
}

#[test]
fn auth_lease_guard_names_the_missing_credential() {
    let mut lease = AuthLease::new(key("k"));
    let err = lease.mark_expiring().unwrap_err();
    assert_eq!(
        err.kind,
        RejectionKind::GuardRejected {
            transition: "mark_expiring",
            guard: "holds_credential"
        }
    );
}

#[test]
fn auth_lease_snapshot_carries_the_key() {
    let mut lease = AuthLease::new(key("realm:binding"));
    lease.acquire(Some(5)).unwrap();
    let json = serde_json::to_string(&lease.snapshot()).unwrap();
    assert!(json.contains("realm:binding"), "{json}");
    let back = serde_json::from_str(&json).unwrap();
    assert_eq!(AuthLease::restore(back).unwrap(), lease);
}

#[test]
fn keyed_machines_live_in_a_registry() {
    let mut registry = AuthLeaseRegistry::new();
    registry
        .apply(
            key("a"),
            auth::AuthLeaseInput::Acquire {
                expires_at_ts: None,
            },
        )
        .unwrap();
    registry
        .apply(
            key("b"),
            auth::AuthLeaseInput::Acquire {
                expires_at_ts: Some(1),
            },
        )
        .unwrap();
    // A rejected input on a new key creates nothing.
    assert!(
        registry
            .apply(key("c"), auth::AuthLeaseInput::BeginRefresh)
            .is_err()
    );
    assert_eq!(registry.len(), 2);
    registry
        .apply(key("a"), auth::AuthLeaseInput::BeginRefresh)
        .unwrap();
    assert_eq!(
        registry.get(&key("a")).unwrap().phase(),
        AuthLeasePhase::Refreshing
    );
    assert_eq!(
        registry.get(&key("b")).unwrap().phase(),
        AuthLeasePhase::Valid
    );
    let keys: Vec<_> = registry
        .iter()
        .map(|(k, m)| (k.clone(), m.lease().clone()))
        .collect();
    assert_eq!(keys, vec![(key("a"), key("a")), (key("b"), key("b"))]);
    assert_eq!(<AuthLease as Machine>::create(key("z")).key(), &key("z"));
}

#[test]
fn shared_machine_loses_no_update_under_eight_threads() {
    let shared = Arc::new(Shared::new("Workbench", busy()));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let s = Arc::clone(&shared);
            std::thread::spawn(move || {
                for _ in 0..500 {
                    s.with(|m| m.tick()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(shared.read(|m| m.ticks()), 4000);
}

#[test]
fn machines_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Workbench>();
    check::<Shared<AuthLease>>();
}
