//! The credential lease flow, through `AuthLeaseHandle`: publication and
//! its generation, the single-flight refresh, failures, re-authentication,
//! release, and the runtime's overrides of `release_credential_lifecycle`
//! and `restore_auth_lifecycle_snapshot` (flows 7.3, 7.4); plus the
//! concrete handle's ticketed refresh and sign-in flows.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Barrier};

use agent_core::SessionRuntimeBindings;
use agent_core::connection::{BindingId, ProfileId, RealmId};
use agent_core::handles::{
    AuthLeaseHandle, AuthLeasePhase, AuthLeaseSnapshot, DslRejectionKind, DslTransitionError,
    LeaseKey,
};
use agent_core::types::SessionId;

fn leases() -> Arc<dyn AuthLeaseHandle> {
    SessionRuntimeBindings::new(SessionId::new()).auth_lease()
}

fn key(binding: &str) -> LeaseKey {
    LeaseKey::new(
        RealmId::parse("realm").unwrap(),
        BindingId::parse(binding).unwrap(),
        None,
    )
}

fn now_ms() -> u64 {
    u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

const EMPTY: AuthLeaseSnapshot = AuthLeaseSnapshot {
    phase: None,
    expires_at: None,
    credential_present: false,
    generation: 0,
    credential_published_at_millis: None,
};

/// Asserts a refusal of `kind` with `context` (and, for a guard, the
/// guard's name) that left the lease as it was.
fn assert_refused(
    h: &dyn AuthLeaseHandle,
    k: &LeaseKey,
    result: Result<(), DslTransitionError>,
    kind: DslRejectionKind,
    context: &str,
    guard: Option<&str>,
    before: &AuthLeaseSnapshot,
) {
    let err = result.expect_err("the input is refused");
    assert_eq!(err.kind, kind, "{err}");
    assert_eq!(err.context, context);
    if let Some(guard) = guard {
        assert!(
            err.reason.contains(&format!("guard `{guard}`")),
            "expected guard `{guard}`: {}",
            err.reason
        );
    }
    assert_eq!(&h.snapshot(k), before);
}

#[test]
fn an_unknown_key_reads_as_no_lease() {
    let h = leases();
    assert_eq!(h.snapshot(&key("b")), EMPTY);
}

#[test]
fn acquiring_publishes_generation_one_stamped_with_the_wall_clock() {
    let h = leases();
    let k = key("b");
    let before = now_ms();
    let published = h.acquire_lease(&k, 1_000).unwrap();
    let after = now_ms();
    assert_eq!(published.generation, 1);
    let at = published.credential_published_at_millis.unwrap();
    assert!(before <= at && at <= after, "{before} <= {at} <= {after}");
    assert_eq!(
        h.snapshot(&k),
        AuthLeaseSnapshot {
            phase: Some(AuthLeasePhase::Valid),
            expires_at: Some(1_000),
            credential_present: true,
            generation: 1,
            credential_published_at_millis: Some(at),
        }
    );
}

#[test]
fn the_maximal_expiry_means_the_credential_does_not_expire() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, u64::MAX).unwrap();
    assert_eq!(h.snapshot(&k).expires_at, None);
    h.begin_refresh(&k).unwrap();
    h.complete_refresh(&k, 50, 10).unwrap();
    assert_eq!(h.snapshot(&k).expires_at, Some(50));
    h.begin_refresh(&k).unwrap();
    h.complete_refresh(&k, u64::MAX, 11).unwrap();
    assert_eq!(h.snapshot(&k).expires_at, None);
}

#[test]
fn a_refresh_cycle_publishes_a_new_generation() {
    let h = leases();
    let k = key("b");
    let first = h.acquire_lease(&k, 100).unwrap();
    h.mark_expiring(&k).unwrap();
    assert_eq!(h.snapshot(&k).phase, Some(AuthLeasePhase::Expiring));
    h.begin_refresh(&k).unwrap();
    assert_eq!(h.snapshot(&k).phase, Some(AuthLeasePhase::Refreshing));
    // The old credential stays published while it refreshes.
    assert_eq!(h.snapshot(&k).expires_at, Some(100));
    let second = h.complete_refresh(&k, 200, 150).unwrap();
    assert_eq!(second.generation, 2);
    assert!(
        second.credential_published_at_millis.unwrap()
            >= first.credential_published_at_millis.unwrap()
    );
    assert_eq!(
        h.snapshot(&k),
        AuthLeaseSnapshot {
            phase: Some(AuthLeasePhase::Valid),
            expires_at: Some(200),
            credential_present: true,
            generation: 2,
            credential_published_at_millis: second.credential_published_at_millis,
        }
    );
}

#[test]
fn refreshing_is_single_flight() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.begin_refresh(&k).unwrap();
    let before = h.snapshot(&k);
    assert_refused(
        &*h,
        &k,
        h.begin_refresh(&k),
        DslRejectionKind::NoMatchingTransition,
        "AuthLeaseHandle::begin_refresh",
        None,
        &before,
    );
    assert_refused(
        &*h,
        &k,
        h.mark_expiring(&k),
        DslRejectionKind::NoMatchingTransition,
        "AuthLeaseHandle::mark_expiring",
        None,
        &before,
    );
}

#[test]
fn concurrent_refreshers_get_exactly_one_slot() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.mark_expiring(&k).unwrap();
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (h, k, barrier) = (Arc::clone(&h), k.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                h.begin_refresh(&k).is_ok()
            })
        })
        .collect();
    let winners = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|won| *won)
        .count();
    assert_eq!(winners, 1);
    assert_eq!(h.snapshot(&k).phase, Some(AuthLeasePhase::Refreshing));
}

#[test]
fn a_transient_failure_falls_back_to_expiring_and_keeps_the_credential() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.begin_refresh(&k).unwrap();
    let before = h.snapshot(&k);
    h.refresh_failed(&k, false).unwrap();
    let after = h.snapshot(&k);
    assert_eq!(after.phase, Some(AuthLeasePhase::Expiring));
    assert_eq!(
        (
            after.expires_at,
            after.credential_present,
            after.generation,
            after.credential_published_at_millis
        ),
        (
            before.expires_at,
            true,
            before.generation,
            before.credential_published_at_millis
        )
    );
    // The next refresher tries again.
    h.begin_refresh(&k).unwrap();
}

#[test]
fn a_permanent_failure_requires_sign_in_which_acquire_provides() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.begin_refresh(&k).unwrap();
    h.refresh_failed(&k, true).unwrap();
    let parked = h.snapshot(&k);
    assert_eq!(parked.phase, Some(AuthLeasePhase::ReauthRequired));
    assert!(parked.credential_present);
    assert_eq!(parked.generation, 1);
    for (result, context) in [
        (
            h.mark_reauth_required(&k),
            "AuthLeaseHandle::mark_reauth_required",
        ),
        (h.begin_refresh(&k), "AuthLeaseHandle::begin_refresh"),
        (h.mark_expiring(&k), "AuthLeaseHandle::mark_expiring"),
        (
            h.refresh_failed(&k, true),
            "AuthLeaseHandle::refresh_failed",
        ),
    ] {
        assert_refused(
            &*h,
            &k,
            result,
            DslRejectionKind::NoMatchingTransition,
            context,
            None,
            &parked,
        );
    }
    let signed_in = h.acquire_lease(&k, 300).unwrap();
    assert_eq!(signed_in.generation, 2);
    assert_eq!(h.snapshot(&k).phase, Some(AuthLeasePhase::Valid));
}

#[test]
fn mark_reauth_required_parks_a_live_lease() {
    let h = leases();
    for (k, prepare) in [
        (key("valid"), 0),
        (key("expiring"), 1),
        (key("refreshing"), 2),
    ] {
        h.acquire_lease(&k, 100).unwrap();
        if prepare >= 1 {
            h.mark_expiring(&k).unwrap();
        }
        if prepare >= 2 {
            h.begin_refresh(&k).unwrap();
        }
        h.mark_reauth_required(&k).unwrap();
        let s = h.snapshot(&k);
        assert_eq!(s.phase, Some(AuthLeasePhase::ReauthRequired));
        assert_eq!((s.expires_at, s.credential_present), (Some(100), true));
    }
}

#[test]
fn inputs_on_a_key_without_a_lease_are_refused_and_create_nothing() {
    let h = leases();
    let k = key("b");
    for (result, context) in [
        (h.mark_expiring(&k), "AuthLeaseHandle::mark_expiring"),
        (h.begin_refresh(&k), "AuthLeaseHandle::begin_refresh"),
        (
            h.mark_reauth_required(&k),
            "AuthLeaseHandle::mark_reauth_required",
        ),
    ] {
        assert_refused(
            &*h,
            &k,
            result,
            DslRejectionKind::GuardRejected,
            context,
            Some("holds_credential"),
            &EMPTY,
        );
    }
    assert_refused(
        &*h,
        &k,
        h.refresh_failed(&k, false),
        DslRejectionKind::NoMatchingTransition,
        "AuthLeaseHandle::refresh_failed",
        None,
        &EMPTY,
    );
    let err = h.complete_refresh(&k, 10, 10).unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition);
    assert_eq!(err.context, "AuthLeaseHandle::complete_refresh");
    assert_eq!(h.snapshot(&k), EMPTY);
}

#[test]
fn out_of_order_lifecycle_inputs_are_caller_errors() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    let valid = h.snapshot(&k);
    let err = h.complete_refresh(&k, 200, 1).unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition);
    assert_eq!(err.context, "AuthLeaseHandle::complete_refresh");
    assert_eq!(h.snapshot(&k), valid);
    assert_refused(
        &*h,
        &k,
        h.refresh_failed(&k, false),
        DslRejectionKind::NoMatchingTransition,
        "AuthLeaseHandle::refresh_failed",
        None,
        &valid,
    );
    h.mark_expiring(&k).unwrap();
    let expiring = h.snapshot(&k);
    assert_refused(
        &*h,
        &k,
        h.mark_expiring(&k),
        DslRejectionKind::NoMatchingTransition,
        "AuthLeaseHandle::mark_expiring",
        None,
        &expiring,
    );
}

#[test]
fn an_early_refresh_starts_from_valid() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.begin_refresh(&k).unwrap();
    assert_eq!(h.snapshot(&k).phase, Some(AuthLeasePhase::Refreshing));
}

#[test]
fn signing_in_during_a_refresh_overrides_it() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.begin_refresh(&k).unwrap();
    let published = h.acquire_lease(&k, 500).unwrap();
    assert_eq!(published.generation, 2);
    let s = h.snapshot(&k);
    assert_eq!(s.phase, Some(AuthLeasePhase::Valid));
    assert_eq!(s.expires_at, Some(500));
    // The overridden refresher's report comes too late.
    let err = h.complete_refresh(&k, 200, 1).unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition);
    assert_eq!(h.snapshot(&k), s);
}

#[test]
fn release_forgets_the_lease_but_not_its_generation() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.begin_refresh(&k).unwrap();
    h.complete_refresh(&k, 100, 5).unwrap();
    h.release_lease(&k).unwrap();
    assert_eq!(
        h.snapshot(&k),
        AuthLeaseSnapshot {
            generation: 2,
            ..EMPTY
        }
    );
    // Released means gone: lifecycle inputs find no credential.
    assert_refused(
        &*h,
        &k,
        h.mark_expiring(&k),
        DslRejectionKind::GuardRejected,
        "AuthLeaseHandle::mark_expiring",
        Some("holds_credential"),
        &AuthLeaseSnapshot {
            generation: 2,
            ..EMPTY
        },
    );
    // The same credential again is still a newer publication.
    let again = h.acquire_lease(&k, 100).unwrap();
    assert_eq!(again.generation, 3);
    assert_eq!(h.snapshot(&k).generation, 3);
    // Releasing twice is fine.
    h.release_lease(&k).unwrap();
    h.release_lease(&k).unwrap();
    assert_eq!(h.snapshot(&k).generation, 3);
}

#[test]
fn releasing_a_key_never_acquired_is_accepted_and_leaves_nothing() {
    let h = leases();
    let k = key("b");
    h.release_lease(&k).unwrap();
    assert_eq!(h.snapshot(&k), EMPTY);
}

#[test]
fn release_credential_lifecycle_releases_a_lease_without_sign_in_flow() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.mark_expiring(&k).unwrap();
    h.release_credential_lifecycle(&k).unwrap();
    assert_eq!(
        h.snapshot(&k),
        AuthLeaseSnapshot {
            generation: 1,
            ..EMPTY
        }
    );
}

#[test]
fn release_credential_lifecycle_keeps_a_lease_with_a_sign_in_flow() {
    let session = SessionRuntimeBindings::new(SessionId::new());
    let (h, concrete) = (session.auth_lease(), session.auth_leases());
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    concrete.sign_in_flow_started(&k).unwrap();
    h.release_credential_lifecycle(&k).unwrap();
    assert_eq!(
        h.snapshot(&k),
        AuthLeaseSnapshot {
            phase: Some(AuthLeasePhase::ReauthRequired),
            generation: 1,
            ..EMPTY
        }
    );
    // Signing in again completes on the kept lease.
    concrete.sign_in_flow_ended(&k).unwrap();
    assert_eq!(h.acquire_lease(&k, 200).unwrap().generation, 2);
    h.release_credential_lifecycle(&k).unwrap();
    assert_eq!(h.snapshot(&k).phase, None);
}

#[test]
fn a_snapshot_restored_after_a_restart_reads_as_it_was_saved() {
    let first = leases();
    let k = key("b");
    for _ in 0..3 {
        first.acquire_lease(&k, 900).unwrap();
    }
    for (phase, step) in [
        (AuthLeasePhase::Valid, None),
        (AuthLeasePhase::Expiring, Some("expiring")),
        (AuthLeasePhase::Refreshing, Some("refreshing")),
        (AuthLeasePhase::ReauthRequired, Some("reauth")),
    ] {
        match step {
            Some("expiring") => first.mark_expiring(&k).unwrap(),
            Some("refreshing") => first.begin_refresh(&k).unwrap(),
            Some("reauth") => first.mark_reauth_required(&k).unwrap(),
            _ => {}
        }
        let saved = first.snapshot(&k);
        assert_eq!(saved.phase, Some(phase));
        let restarted = leases();
        restarted
            .restore_auth_lifecycle_snapshot(&k, &saved, saved.expires_at)
            .unwrap();
        // Consumers compare generation and publication time with their
        // stored markers: both come back exactly.
        assert_eq!(restarted.snapshot(&k), saved);
        assert_eq!(saved.generation, 3);
    }
}

#[test]
fn restoring_never_lowers_the_generation_and_never_publishes() {
    let h = leases();
    let k = key("b");
    for _ in 0..5 {
        h.acquire_lease(&k, 10).unwrap();
    }
    let older = AuthLeaseSnapshot {
        phase: Some(AuthLeasePhase::Expiring),
        expires_at: Some(900),
        credential_present: true,
        generation: 2,
        credential_published_at_millis: Some(1),
    };
    h.restore_auth_lifecycle_snapshot(&k, &older, Some(900))
        .unwrap();
    assert_eq!(
        h.snapshot(&k),
        AuthLeaseSnapshot {
            generation: 5,
            ..older.clone()
        }
    );
    let newer = AuthLeaseSnapshot {
        generation: 9,
        credential_published_at_millis: None,
        ..older
    };
    h.restore_auth_lifecycle_snapshot(&k, &newer, Some(u64::MAX))
        .unwrap();
    let s = h.snapshot(&k);
    assert_eq!(s.generation, 9);
    assert_eq!(s.expires_at, None, "u64::MAX is no expiry");
    assert_eq!(s.credential_published_at_millis, None);
    // The next publication counts on from the restored generation.
    assert_eq!(h.acquire_lease(&k, 10).unwrap().generation, 10);
}

#[test]
fn rolling_back_to_an_empty_snapshot_deletes_the_lease() {
    let h = leases();
    let k = key("b");
    for _ in 0..4 {
        h.acquire_lease(&k, 10).unwrap();
    }
    let empty_at_2 = AuthLeaseSnapshot {
        generation: 2,
        ..EMPTY
    };
    h.restore_auth_lifecycle_snapshot(&k, &empty_at_2, None)
        .unwrap();
    assert_eq!(h.snapshot(&k), empty_at_2);
    h.restore_auth_lifecycle_snapshot(&k, &EMPTY, Some(5))
        .unwrap();
    assert_eq!(h.snapshot(&k), EMPTY);
    // A snapshot in `Released`, or without a phase, is empty too.
    h.acquire_lease(&k, 10).unwrap();
    for saved in [
        AuthLeaseSnapshot {
            phase: Some(AuthLeasePhase::Released),
            credential_present: true,
            generation: 3,
            ..EMPTY
        },
        AuthLeaseSnapshot {
            credential_present: true,
            generation: 3,
            ..EMPTY
        },
    ] {
        h.restore_auth_lifecycle_snapshot(&k, &saved, Some(5))
            .unwrap();
        assert_eq!(
            h.snapshot(&k),
            AuthLeaseSnapshot {
                generation: 3,
                ..EMPTY
            }
        );
    }
}

#[test]
fn a_present_snapshot_without_expiry_changes_nothing() {
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 10).unwrap();
    h.mark_expiring(&k).unwrap();
    let before = h.snapshot(&k);
    let present = AuthLeaseSnapshot {
        phase: Some(AuthLeasePhase::Valid),
        expires_at: Some(50),
        credential_present: true,
        generation: 3,
        credential_published_at_millis: None,
    };
    h.restore_auth_lifecycle_snapshot(&k, &present, None)
        .unwrap();
    assert_eq!(h.snapshot(&k), before);
}

#[test]
fn a_restored_refresh_keeps_the_single_refresh_slot() {
    let h = leases();
    let k = key("b");
    let saved = AuthLeaseSnapshot {
        phase: Some(AuthLeasePhase::Refreshing),
        expires_at: Some(900),
        credential_present: true,
        generation: 4,
        credential_published_at_millis: Some(7),
    };
    h.restore_auth_lifecycle_snapshot(&k, &saved, Some(900))
        .unwrap();
    let before = h.snapshot(&k);
    assert_refused(
        &*h,
        &k,
        h.begin_refresh(&k),
        DslRejectionKind::NoMatchingTransition,
        "AuthLeaseHandle::begin_refresh",
        None,
        &before,
    );
    let done = h.complete_refresh(&k, 1000, 5).unwrap();
    assert_eq!(done.generation, 5);
}

#[test]
fn begin_refresh_racing_a_restore_never_sees_a_half_restored_lease() {
    for round in 0..200 {
        let h = leases();
        let k = key("b");
        h.acquire_lease(&k, 10).unwrap();
        let saved = AuthLeaseSnapshot {
            phase: Some(AuthLeasePhase::Expiring),
            expires_at: Some(900),
            credential_present: true,
            generation: 40,
            credential_published_at_millis: Some(123),
        };
        let gate = Arc::new(Barrier::new(2));
        let refresher = {
            let (h, k, gate) = (Arc::clone(&h), k.clone(), Arc::clone(&gate));
            std::thread::spawn(move || {
                gate.wait();
                let took = h.begin_refresh(&k).is_ok();
                (took, h.snapshot(&k))
            })
        };
        gate.wait();
        h.restore_auth_lifecycle_snapshot(&k, &saved, Some(900))
            .unwrap();
        let (took, seen) = refresher.join().unwrap();
        assert!(
            took,
            "round {round}: Valid and Expiring both allow a refresh"
        );
        // Whatever the order, the refresher saw the lease either before
        // the restore (generation 1, expiry 10) or after it (generation 40,
        // expiry 900, published at 123), never a mix.
        let restored = (Some(900), 40, Some(123));
        let original = (Some(10), 1, seen.credential_published_at_millis);
        let got = (
            seen.expires_at,
            seen.generation,
            seen.credential_published_at_millis,
        );
        assert!(
            got == restored || (got == original && got.2 != Some(123)),
            "round {round}: {seen:?}"
        );
        // At most one refresh slot: the restore (Expiring) either ran
        // before the refresh took it or replaced a lease in `Refreshing`
        // with the snapshot's phase.
        let phase = h.snapshot(&k).phase;
        assert!(
            phase == Some(AuthLeasePhase::Refreshing) || phase == Some(AuthLeasePhase::Expiring),
            "round {round}: {phase:?}"
        );
    }
}

#[test]
fn a_refresh_that_began_before_a_newer_sign_in_cannot_overwrite_it() {
    let session = SessionRuntimeBindings::new(SessionId::new());
    let (h, leases) = (session.auth_lease(), session.auth_leases());
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    let a = leases.begin_refresh_ticketed(&k).unwrap();
    // The user signs in again: allowed to override a refresh in progress.
    assert_eq!(h.acquire_lease(&k, 500).unwrap().generation, 2);
    let b = leases.begin_refresh_ticketed(&k).unwrap();
    assert_eq!((a, b), (1, 2));
    let before = h.snapshot(&k);
    let err = leases
        .complete_refresh_ticketed(&k, a, 200, 10)
        .unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::GuardRejected);
    assert!(err.reason.contains("ticket_current"), "{err}");
    assert_eq!(h.snapshot(&k), before);
    let published = leases.complete_refresh_ticketed(&k, b, 900, 11).unwrap();
    assert_eq!(published.generation, 3);
    assert_eq!(h.snapshot(&k).expires_at, Some(900));
}

#[test]
fn the_seed_methods_alone_let_a_stale_refresh_win() {
    // The hazard the ticketed variant closes, documented: without tickets
    // the refresh begun before the newer sign-in completes over it.
    let h = leases();
    let k = key("b");
    h.acquire_lease(&k, 100).unwrap();
    h.begin_refresh(&k).unwrap();
    h.acquire_lease(&k, 500).unwrap();
    h.begin_refresh(&k).unwrap();
    h.complete_refresh(&k, 200, 10).unwrap();
    assert_eq!(h.snapshot(&k).expires_at, Some(200));
    assert!(h.complete_refresh(&k, 900, 11).is_err());
}

#[test]
fn keys_are_independent_and_a_profile_makes_a_different_key() {
    let h = leases();
    let plain = key("b");
    let profiled = LeaseKey::new(
        RealmId::parse("realm").unwrap(),
        BindingId::parse("b").unwrap(),
        Some(ProfileId::parse("work").unwrap()),
    );
    h.acquire_lease(&plain, 100).unwrap();
    h.acquire_lease(&plain, 100).unwrap();
    let other = h.acquire_lease(&profiled, 200).unwrap();
    assert_eq!(other.generation, 1);
    h.mark_expiring(&profiled).unwrap();
    assert_eq!(h.snapshot(&plain).phase, Some(AuthLeasePhase::Valid));
    assert_eq!(h.snapshot(&plain).generation, 2);
    h.release_lease(&plain).unwrap();
    assert_eq!(h.snapshot(&profiled).phase, Some(AuthLeasePhase::Expiring));
}

#[test]
fn concurrent_publications_get_distinct_generations() {
    let h = leases();
    let k = key("b");
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (h, k) = (Arc::clone(&h), k.clone());
            std::thread::spawn(move || {
                (0..25)
                    .map(|_| h.acquire_lease(&k, 100).unwrap().generation)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut generations: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    generations.sort_unstable();
    assert_eq!(generations, (1..=200).collect::<Vec<_>>());
    assert_eq!(h.snapshot(&k).generation, 200);
}

#[test]
fn handles_of_one_session_share_the_leases_and_sessions_are_apart() {
    let session = SessionRuntimeBindings::new(SessionId::new());
    let k = key("b");
    session.auth_lease().acquire_lease(&k, 100).unwrap();
    assert_eq!(session.auth_lease().snapshot(&k).generation, 1);
    assert_eq!(leases().snapshot(&k), EMPTY);
}
