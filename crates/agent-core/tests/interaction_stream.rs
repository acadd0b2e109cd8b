//! `InteractionStreamHandle` through the seed's trait: reservation,
//! attachment, the three ends, and the races between them.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Mutex, OnceLock};

use agent_core::SessionRuntimeBindings;
use agent_core::handles::{
    DslRejectionKind, DslTransitionError, InteractionStreamCleanupObserver, InteractionStreamHandle,
};
use agent_core::peer_correlation::{InteractionStreamState, PeerCorrelationId};
use agent_core::types::SessionId;

fn handle() -> Arc<dyn InteractionStreamHandle> {
    SessionRuntimeBindings::new(SessionId::new()).interaction_stream()
}

/// Records every cleanup it is told of.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<PeerCorrelationId>>,
}

impl Recorder {
    fn seen(&self) -> Vec<PeerCorrelationId> {
        self.seen.lock().unwrap().clone()
    }
}

impl InteractionStreamCleanupObserver for Recorder {
    fn on_interaction_stream_cleanup(&self, corr_id: PeerCorrelationId) {
        self.seen.lock().unwrap().push(corr_id);
    }
}

fn observed(h: &Arc<dyn InteractionStreamHandle>) -> Arc<Recorder> {
    let recorder = Arc::new(Recorder::default());
    h.install_cleanup_observer(recorder.clone());
    recorder
}

fn assert_guard(err: &DslTransitionError, context: &str, guard: &str) {
    assert_eq!(err.kind, DslRejectionKind::GuardRejected, "{err}");
    assert_eq!(err.context, context);
    assert!(
        err.reason.contains(&format!("guard `{guard}`")),
        "the reason names `{guard}`: {}",
        err.reason
    );
}

#[test]
fn a_stream_is_reserved_attached_and_completed_then_dropped() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    assert_eq!(h.state(id), None);
    h.reserved(id).unwrap();
    assert_eq!(h.state(id), Some(InteractionStreamState::Reserved));
    h.attached(id).unwrap();
    assert_eq!(h.state(id), Some(InteractionStreamState::Attached));
    assert!(recorder.seen().is_empty());
    h.completed(id).unwrap();
    assert_eq!(h.state(id), None, "an ended stream is dropped");
    assert_eq!(recorder.seen(), vec![id]);
}

#[test]
fn an_expired_reservation_is_cleaned_up_and_a_late_attach_is_not_reserved() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.reserved(id).unwrap();
    h.expired(id).unwrap();
    assert_eq!(h.state(id), None);
    let err = h.attached(id).unwrap_err();
    assert_guard(&err, "InteractionStreamHandle::attached", "reserved");
    assert_eq!(h.state(id), None, "the refused attach created nothing");
    assert_eq!(recorder.seen(), vec![id]);
}

#[test]
fn a_second_attach_is_refused_as_already_attached() {
    let h = handle();
    let id = PeerCorrelationId::new();
    h.reserved(id).unwrap();
    h.attached(id).unwrap();
    let err = h.attached(id).unwrap_err();
    assert_guard(&err, "InteractionStreamHandle::attached", "not_attached");
    assert_eq!(h.state(id), Some(InteractionStreamState::Attached));
}

#[test]
fn completion_and_early_close_race_and_the_loser_is_refused() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.reserved(id).unwrap();
    h.attached(id).unwrap();
    h.closed_early(id).unwrap();
    let err = h.completed(id).unwrap_err();
    assert_guard(&err, "InteractionStreamHandle::completed", "attached");
    assert_eq!(h.state(id), None);
    assert_eq!(recorder.seen(), vec![id], "cleanup stays exactly-once");
}

#[test]
fn an_attached_stream_does_not_expire_and_a_waiting_one_does_not_complete() {
    let h = handle();
    let id = PeerCorrelationId::new();
    h.reserved(id).unwrap();
    let err = h.completed(id).unwrap_err();
    assert_guard(&err, "InteractionStreamHandle::completed", "attached");
    let err = h.closed_early(id).unwrap_err();
    assert_guard(&err, "InteractionStreamHandle::closed_early", "attached");
    assert_eq!(h.state(id), Some(InteractionStreamState::Reserved));
    h.attached(id).unwrap();
    let err = h.expired(id).unwrap_err();
    assert_guard(&err, "InteractionStreamHandle::expired", "reserved");
    assert_eq!(h.state(id), Some(InteractionStreamState::Attached));
}

#[test]
fn reserving_an_open_stream_again_is_a_caller_error() {
    let h = handle();
    let id = PeerCorrelationId::new();
    h.reserved(id).unwrap();
    let err = h.reserved(id).unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition, "{err}");
    assert_eq!(err.context, "InteractionStreamHandle::reserved");
    assert_eq!(h.state(id), Some(InteractionStreamState::Reserved));
    h.attached(id).unwrap();
    let err = h.reserved(id).unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition, "{err}");
    assert_eq!(h.state(id), Some(InteractionStreamState::Attached));
}

#[test]
fn an_ended_id_may_be_reserved_again() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.reserved(id).unwrap();
    h.expired(id).unwrap();
    h.reserved(id).unwrap();
    assert_eq!(h.state(id), Some(InteractionStreamState::Reserved));
    h.attached(id).unwrap();
    h.completed(id).unwrap();
    assert_eq!(recorder.seen(), vec![id, id]);
}

#[test]
fn streams_of_different_ids_are_independent() {
    let h = handle();
    let a = PeerCorrelationId::new();
    let b = PeerCorrelationId::new();
    h.reserved(a).unwrap();
    h.reserved(b).unwrap();
    h.attached(b).unwrap();
    h.expired(a).unwrap();
    assert_eq!(h.state(a), None);
    assert_eq!(h.state(b), Some(InteractionStreamState::Attached));
}

/// Calls back into the handle from the notification.
struct Reentrant {
    handle: OnceLock<Arc<dyn InteractionStreamHandle>>,
    seen: Mutex<Vec<(Option<InteractionStreamState>, bool)>>,
}

impl InteractionStreamCleanupObserver for Reentrant {
    fn on_interaction_stream_cleanup(&self, corr_id: PeerCorrelationId) {
        let Some(handle) = self.handle.get() else {
            return;
        };
        let state = handle.state(corr_id);
        let again = handle.reserved(corr_id).is_ok();
        self.seen.lock().unwrap().push((state, again));
    }
}

#[test]
fn the_observer_runs_after_the_lock_is_released() {
    let h = handle();
    let observer = Arc::new(Reentrant {
        handle: OnceLock::new(),
        seen: Mutex::new(Vec::new()),
    });
    assert!(observer.handle.set(h.clone()).is_ok());
    h.install_cleanup_observer(observer.clone());
    let id = PeerCorrelationId::new();
    h.reserved(id).unwrap();
    h.attached(id).unwrap();
    // With the lock still held, the callback would deadlock here.
    h.completed(id).unwrap();
    assert_eq!(
        *observer.seen.lock().unwrap(),
        vec![(None, true)],
        "the callback sees the stream gone and may reserve the id again"
    );
    assert_eq!(h.state(id), Some(InteractionStreamState::Reserved));
}

#[test]
fn the_last_installed_observer_wins_and_a_dropped_one_is_skipped() {
    let h = handle();
    let first = observed(&h);
    let second = observed(&h);
    let a = PeerCorrelationId::new();
    h.reserved(a).unwrap();
    h.expired(a).unwrap();
    assert!(first.seen().is_empty());
    assert_eq!(second.seen(), vec![a]);
    drop(second);
    let b = PeerCorrelationId::new();
    h.reserved(b).unwrap();
    h.expired(b).unwrap();
    assert_eq!(h.state(b), None);
    assert!(first.seen().is_empty());
}

#[test]
fn racing_ends_of_one_stream_clean_it_up_exactly_once() {
    let h = handle();
    let recorder = observed(&h);
    let ids: Vec<PeerCorrelationId> = (0..32).map(|_| PeerCorrelationId::new()).collect();
    for id in &ids {
        h.reserved(*id).unwrap();
        h.attached(*id).unwrap();
    }
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let h = h.clone();
            let ids = ids.clone();
            std::thread::spawn(move || {
                ids.iter()
                    .filter(|id| {
                        if t % 2 == 0 {
                            h.completed(**id).is_ok()
                        } else {
                            h.closed_early(**id).is_ok()
                        }
                    })
                    .count()
            })
        })
        .collect();
    let accepted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(accepted, ids.len(), "exactly one end per stream wins");
    let mut seen = recorder.seen();
    seen.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected);
}
