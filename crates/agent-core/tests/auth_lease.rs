//! The credential lease flow, through `AuthLeaseHandle`: publication and
//! its generation, the single-flight refresh, failures, re-authentication,
//! release, and the seed's default `release_credential_lifecycle` and
//! `restore_auth_lifecycle_snapshot`.

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
fn release_credential_lifecycle_releases_the_lease_by_default() {
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
fn restoring_a_snapshot_republishes_and_replays_its_phase() {
    let h = leases();
    for (i, phase) in [
        AuthLeasePhase::Valid,
        AuthLeasePhase::Expiring,
        AuthLeasePhase::Refreshing,
        AuthLeasePhase::ReauthRequired,
    ]
    .into_iter()
    .enumerate()
    {
        let k = key(&format!("b{i}"));
        h.acquire_lease(&k, 10).unwrap();
        let saved = AuthLeaseSnapshot {
            phase: Some(phase),
            expires_at: Some(900),
            credential_present: true,
            generation: 7,
            credential_published_at_millis: Some(1),
        };
        h.restore_auth_lifecycle_snapshot(&k, &saved, Some(900))
            .unwrap();
        let s = h.snapshot(&k);
        assert_eq!(s.phase, Some(phase));
        assert_eq!(s.expires_at, Some(900));
        assert!(s.credential_present);
        // The seed's default re-acquires: a new publication.
        assert_eq!(s.generation, 2);
        assert_ne!(s.credential_published_at_millis, Some(1));
    }
}

#[test]
fn restoring_an_empty_or_incomplete_snapshot_changes_nothing() {
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
    for (saved, expires_at) in [
        (EMPTY, Some(50)),
        (
            AuthLeaseSnapshot {
                credential_present: false,
                ..present.clone()
            },
            Some(50),
        ),
        (
            AuthLeaseSnapshot {
                phase: None,
                ..present.clone()
            },
            Some(50),
        ),
        (
            AuthLeaseSnapshot {
                phase: Some(AuthLeasePhase::Released),
                ..present.clone()
            },
            Some(50),
        ),
        (present.clone(), None),
    ] {
        h.restore_auth_lifecycle_snapshot(&k, &saved, expires_at)
            .unwrap();
        assert_eq!(h.snapshot(&k), before, "{saved:?}");
    }
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
