//! The comms drain handle of a session, through `CommsDrainHandle` only.
//!
//! The trait has no query, so what a rejected call left unchanged is shown
//! by how the next calls are answered.

use std::sync::Arc;

use agent_core::SessionRuntimeBindings;
use agent_core::handles::{
    CommsDrainHandle, DrainExitReason, DrainMode, DslRejectionKind, DslTransitionError,
};
use agent_core::types::SessionId;

fn drain() -> Arc<dyn CommsDrainHandle> {
    SessionRuntimeBindings::new(SessionId::new()).comms_drain()
}

fn assert_no_matching(result: Result<(), DslTransitionError>, context: &str) {
    let err = result.expect_err("the input has no transition from this phase");
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition, "{err}");
    assert_eq!(err.context, context);
}

/// Running: a second spawn is refused, a stop is taken.
fn assert_running(d: &dyn CommsDrainHandle) {
    assert_no_matching(
        d.spawn_drain(DrainMode::Timed),
        "CommsDrainHandle::spawn_drain",
    );
    d.stop_drain().expect("a running drain stops");
}

#[test]
fn an_attached_session_asks_for_a_drain_and_the_host_spawns_it() {
    let d = drain();
    d.ensure_drain_running()
        .expect("a new session has no drain");
    d.spawn_drain(DrainMode::AttachedSession)
        .expect("the host spawned the drain");
    d.ensure_drain_running()
        .expect("asking again while it runs is accepted");
    assert_running(&*d);
    d.drain_exited_clean().expect("the stopped drain exits");
    d.notify_drain_exited(DrainExitReason::Aborted)
        .expect("the exit is reported");
    d.spawn_drain(DrainMode::AttachedSession)
        .expect("a drain that exited can be spawned again");
}

#[test]
fn a_second_spawn_while_running_is_refused_and_keeps_the_first_mode() {
    let d = drain();
    d.spawn_drain(DrainMode::PersistentHost).unwrap();
    let err = d.spawn_drain(DrainMode::Timed).unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition);
    assert_eq!(err.context, "CommsDrainHandle::spawn_drain");
    assert!(err.reason.contains("Running"), "{}", err.reason);
    assert!(err.reason.contains("SpawnDrain"), "{}", err.reason);
    // Still the persistent drain: only it may exit respawnable.
    d.drain_exited_respawnable()
        .expect("the first spawn's mode was kept");
}

#[test]
fn a_respawnable_exit_of_a_drain_that_is_not_persistent_ends_it() {
    for mode in [DrainMode::Timed, DrainMode::AttachedSession] {
        let d = drain();
        d.spawn_drain(mode).unwrap();
        // An exit is a fact: taken, and classified as a clean exit.
        d.drain_exited_respawnable()
            .expect("an exit report is never refused");
        // The drain is gone, so asking for one leads to a new spawn.
        d.ensure_drain_running().unwrap();
        d.spawn_drain(mode)
            .expect("no drain runs any more: a new one may be spawned");
        assert_running(&*d);
    }
}

#[test]
fn no_exit_report_leaves_the_record_claiming_a_running_drain() {
    // Whatever the host reports after a drain's task ended, the session
    // can get a drain again: a report never wedges it in `Running`.
    for mode in [
        DrainMode::Timed,
        DrainMode::AttachedSession,
        DrainMode::PersistentHost,
    ] {
        for clean in [true, false] {
            for stopped_first in [true, false] {
                let d = drain();
                d.spawn_drain(mode).unwrap();
                if stopped_first {
                    d.stop_drain().unwrap();
                }
                let report = if clean {
                    d.drain_exited_clean()
                } else {
                    d.drain_exited_respawnable()
                };
                report.expect("an exit report is never refused");
                d.notify_drain_exited(DrainExitReason::Failed).unwrap();
                d.ensure_drain_running().unwrap();
                d.spawn_drain(mode).unwrap_or_else(|e| {
                    panic!("{mode:?} clean={clean} stopped={stopped_first}: {e}")
                });
            }
        }
    }
}

#[test]
fn a_failed_persistent_drain_waits_to_be_respawned() {
    let d = drain();
    d.spawn_drain(DrainMode::PersistentHost).unwrap();
    d.notify_drain_exited(DrainExitReason::Failed).unwrap();
    d.drain_exited_respawnable().unwrap();
    d.drain_exited_respawnable()
        .expect("a duplicate exit report is accepted");
    d.ensure_drain_running()
        .expect("asking for the drain asks for the respawn");
    d.spawn_drain(DrainMode::PersistentHost)
        .expect("the respawn is reported");
    assert_running(&*d);
}

#[test]
fn a_stopped_drain_is_not_respawned() {
    let d = drain();
    d.spawn_drain(DrainMode::PersistentHost).unwrap();
    d.stop_drain().unwrap();
    d.stop_drain().expect("stopping again is accepted");
    d.drain_exited_respawnable()
        .expect("the stopped drain's exit is taken");
    // It ended as a clean exit does: a late report changes nothing.
    d.drain_exited_respawnable()
        .expect("a report for a drain already gone is accepted");
    d.drain_exited_clean()
        .expect("a duplicate clean exit is accepted");
}

#[test]
fn stopping_a_drain_that_waits_for_respawn_gives_it_up() {
    let d = drain();
    d.spawn_drain(DrainMode::PersistentHost).unwrap();
    d.drain_exited_respawnable().unwrap();
    d.stop_drain().unwrap();
    d.drain_exited_respawnable()
        .expect("a report for a drain given up is accepted");
    d.spawn_drain(DrainMode::Timed)
        .expect("a new drain may be spawned");
}

#[test]
fn exit_reports_without_a_drain() {
    let d = drain();
    d.stop_drain().expect("nothing to stop is accepted");
    d.drain_exited_clean()
        .expect("a late clean exit is accepted");
    for reason in [
        DrainExitReason::IdleTimeout,
        DrainExitReason::Dismissed,
        DrainExitReason::Failed,
        DrainExitReason::Aborted,
        DrainExitReason::SessionShutdown,
    ] {
        d.notify_drain_exited(reason)
            .expect("an exit notice is accepted in any phase");
    }
    d.drain_exited_respawnable()
        .expect("a late respawnable exit is accepted");
    // Nothing waits to be respawned: a drain can be spawned.
    d.spawn_drain(DrainMode::Timed).unwrap();
}

#[test]
fn sessions_have_their_own_drain() {
    let a = drain();
    let b = drain();
    a.spawn_drain(DrainMode::Timed).unwrap();
    b.spawn_drain(DrainMode::Timed)
        .expect("another session's drain is independent");
}
