//! `PeerInteractionHandle` through the seed's trait: outbound requests and
//! their answers, inbound requests and our replies, exactly-once cleanup.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Mutex, OnceLock};

use agent_core::SessionRuntimeBindings;
use agent_core::handles::{
    DslRejectionKind, DslTransitionError, PeerInteractionCleanupObserver, PeerInteractionHandle,
    PeerTerminalDisposition,
};
use agent_core::peer_correlation::{
    InboundPeerRequestState, OutboundPeerRequestState, PeerCorrelationId,
};
use agent_core::types::SessionId;

fn handle() -> Arc<dyn PeerInteractionHandle> {
    SessionRuntimeBindings::new(SessionId::new()).peer_interaction()
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

impl PeerInteractionCleanupObserver for Recorder {
    fn on_peer_interaction_cleanup(&self, corr_id: PeerCorrelationId) {
        self.seen.lock().unwrap().push(corr_id);
    }
}

fn observed(h: &Arc<dyn PeerInteractionHandle>) -> Arc<Recorder> {
    let recorder = Arc::new(Recorder::default());
    h.install_cleanup_observer(recorder.clone());
    recorder
}

/// Both queries of one id.
fn states(
    h: &Arc<dyn PeerInteractionHandle>,
    id: PeerCorrelationId,
) -> (
    Option<OutboundPeerRequestState>,
    Option<InboundPeerRequestState>,
) {
    (h.outbound_state(id), h.inbound_state(id))
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
fn a_request_answered_with_progress_then_completion_is_cleaned_up_once() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    assert_eq!(states(&h, id), (None, None));
    h.request_sent(id, "analyst".into()).unwrap();
    assert_eq!(h.outbound_state(id), Some(OutboundPeerRequestState::Sent));
    h.response_progress(id).unwrap();
    assert_eq!(
        h.outbound_state(id),
        Some(OutboundPeerRequestState::AcceptedProgress)
    );
    h.response_progress(id).unwrap();
    assert_eq!(
        h.outbound_state(id),
        Some(OutboundPeerRequestState::AcceptedProgress),
        "progress may repeat"
    );
    assert!(recorder.seen().is_empty(), "progress cleans nothing up");
    h.response_terminal(id, PeerTerminalDisposition::Completed)
        .unwrap();
    assert_eq!(states(&h, id), (None, None), "a closed request is dropped");
    assert_eq!(recorder.seen(), vec![id]);
}

#[test]
fn a_failed_answer_closes_a_request_that_saw_no_progress() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.request_sent(id, "analyst".into()).unwrap();
    h.response_terminal(id, PeerTerminalDisposition::Failed)
        .unwrap();
    assert_eq!(states(&h, id), (None, None));
    assert_eq!(recorder.seen(), vec![id]);
}

#[test]
fn a_timeout_closes_the_request_and_cleans_it_up() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.request_sent(id, "analyst".into()).unwrap();
    h.response_progress(id).unwrap();
    h.request_timed_out(id).unwrap();
    assert_eq!(states(&h, id), (None, None));
    assert_eq!(recorder.seen(), vec![id]);
}

#[test]
fn a_second_terminal_answer_is_refused_and_cleans_nothing_up() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.request_sent(id, "analyst".into()).unwrap();
    h.response_terminal(id, PeerTerminalDisposition::Completed)
        .unwrap();
    let err = h
        .response_terminal(id, PeerTerminalDisposition::Failed)
        .unwrap_err();
    assert_guard(
        &err,
        "PeerInteractionHandle::response_terminal",
        "awaiting_answer",
    );
    assert_eq!(states(&h, id), (None, None));
    assert_eq!(recorder.seen(), vec![id], "cleanup stays exactly-once");
}

#[test]
fn a_timeout_that_loses_the_race_to_the_answer_is_refused() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.request_sent(id, "analyst".into()).unwrap();
    h.response_terminal(id, PeerTerminalDisposition::Completed)
        .unwrap();
    let err = h.request_timed_out(id).unwrap_err();
    assert_guard(
        &err,
        "PeerInteractionHandle::request_timed_out",
        "awaiting_answer",
    );
    // And the other way round: a late answer after the timeout.
    let other = PeerCorrelationId::new();
    h.request_sent(other, "analyst".into()).unwrap();
    h.request_timed_out(other).unwrap();
    let err = h
        .response_terminal(other, PeerTerminalDisposition::Completed)
        .unwrap_err();
    assert_guard(
        &err,
        "PeerInteractionHandle::response_terminal",
        "awaiting_answer",
    );
    assert_eq!(states(&h, other), (None, None));
    assert_eq!(recorder.seen(), vec![id, other]);
}

#[test]
fn an_answer_for_an_unknown_id_is_refused_and_leaves_no_trace() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    let err = h.response_progress(id).unwrap_err();
    assert_guard(
        &err,
        "PeerInteractionHandle::response_progress",
        "awaiting_answer",
    );
    assert!(err.to_string().starts_with(
        "DSL transition rejected in PeerInteractionHandle::response_progress: guard `awaiting_answer`"
    ));
    assert_eq!(states(&h, id), (None, None));
    // The refused input created no instance: the id is still fresh.
    h.request_sent(id, "analyst".into()).unwrap();
    assert_eq!(h.outbound_state(id), Some(OutboundPeerRequestState::Sent));
    assert!(recorder.seen().is_empty());
}

#[test]
fn sending_again_under_an_open_id_is_a_caller_error() {
    let h = handle();
    let id = PeerCorrelationId::new();
    h.request_sent(id, "analyst".into()).unwrap();
    h.response_progress(id).unwrap();
    let err = h.request_sent(id, "critic".into()).unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition, "{err}");
    assert_eq!(err.context, "PeerInteractionHandle::request_sent");
    assert!(
        err.reason.contains("AcceptedProgress"),
        "the reason names the phase: {}",
        err.reason
    );
    assert_eq!(
        states(&h, id),
        (Some(OutboundPeerRequestState::AcceptedProgress), None)
    );
}

#[test]
fn a_closed_id_can_be_used_again_and_is_cleaned_up_again() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.request_sent(id, "analyst".into()).unwrap();
    h.request_timed_out(id).unwrap();
    h.request_sent(id, "analyst".into()).unwrap();
    assert_eq!(h.outbound_state(id), Some(OutboundPeerRequestState::Sent));
    h.response_terminal(id, PeerTerminalDisposition::Completed)
        .unwrap();
    assert_eq!(recorder.seen(), vec![id, id]);
}

#[test]
fn an_inbound_request_is_open_until_replied_and_cleans_nothing_up() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.request_received(id).unwrap();
    assert_eq!(
        states(&h, id),
        (None, Some(InboundPeerRequestState::Received))
    );
    h.response_replied(id).unwrap();
    assert_eq!(states(&h, id), (None, None));
    assert!(recorder.seen().is_empty(), "replies never clean up");
}

#[test]
fn a_duplicate_inbound_request_is_refused() {
    let h = handle();
    let id = PeerCorrelationId::new();
    h.request_received(id).unwrap();
    let err = h.request_received(id).unwrap_err();
    assert_guard(
        &err,
        "PeerInteractionHandle::request_received",
        "no_reply_owed",
    );
    assert_eq!(
        states(&h, id),
        (None, Some(InboundPeerRequestState::Received))
    );
}

#[test]
fn a_reply_without_a_request_or_a_second_reply_is_refused() {
    let h = handle();
    let id = PeerCorrelationId::new();
    let err = h.response_replied(id).unwrap_err();
    assert_guard(
        &err,
        "PeerInteractionHandle::response_replied",
        "reply_owed",
    );
    assert_eq!(states(&h, id), (None, None));
    h.request_received(id).unwrap();
    h.response_replied(id).unwrap();
    let err = h.response_replied(id).unwrap_err();
    assert_guard(
        &err,
        "PeerInteractionHandle::response_replied",
        "reply_owed",
    );
    assert_eq!(states(&h, id), (None, None));
}

#[test]
fn one_id_carries_both_directions_independently() {
    let h = handle();
    let recorder = observed(&h);
    let id = PeerCorrelationId::new();
    h.request_sent(id, "analyst".into()).unwrap();
    h.request_received(id).unwrap();
    assert_eq!(
        states(&h, id),
        (
            Some(OutboundPeerRequestState::Sent),
            Some(InboundPeerRequestState::Received)
        )
    );
    // Our request closes first: the peer's still awaits our reply.
    h.response_terminal(id, PeerTerminalDisposition::Completed)
        .unwrap();
    assert_eq!(
        states(&h, id),
        (None, Some(InboundPeerRequestState::Received))
    );
    assert_eq!(recorder.seen(), vec![id]);
    // A new request of ours under the same id while the reply is owed.
    h.request_sent(id, "analyst".into()).unwrap();
    // The reply closes first this time: ours is still out.
    h.response_replied(id).unwrap();
    assert_eq!(states(&h, id), (Some(OutboundPeerRequestState::Sent), None));
    h.response_progress(id).unwrap();
    h.request_timed_out(id).unwrap();
    assert_eq!(states(&h, id), (None, None));
    assert_eq!(recorder.seen(), vec![id, id]);
}

#[test]
fn ids_do_not_affect_each_other() {
    let h = handle();
    let recorder = observed(&h);
    let a = PeerCorrelationId::new();
    let b = PeerCorrelationId::new();
    h.request_sent(a, "analyst".into()).unwrap();
    h.request_sent(b, "critic".into()).unwrap();
    h.response_progress(b).unwrap();
    h.response_terminal(a, PeerTerminalDisposition::Failed)
        .unwrap();
    assert_eq!(h.outbound_state(a), None);
    assert_eq!(
        h.outbound_state(b),
        Some(OutboundPeerRequestState::AcceptedProgress)
    );
    assert_eq!(recorder.seen(), vec![a]);
}

#[test]
fn sessions_do_not_share_requests() {
    let first = handle();
    let second = handle();
    let id = PeerCorrelationId::new();
    first.request_sent(id, "analyst".into()).unwrap();
    assert_eq!(second.outbound_state(id), None);
    let err = second.request_timed_out(id).unwrap_err();
    assert_guard(
        &err,
        "PeerInteractionHandle::request_timed_out",
        "awaiting_answer",
    );
    assert_eq!(
        first.outbound_state(id),
        Some(OutboundPeerRequestState::Sent)
    );
}

/// Calls back into the handle from the notification.
struct Reentrant {
    handle: OnceLock<Arc<dyn PeerInteractionHandle>>,
    seen: Mutex<Vec<(PeerCorrelationId, Option<OutboundPeerRequestState>, bool)>>,
}

impl PeerInteractionCleanupObserver for Reentrant {
    fn on_peer_interaction_cleanup(&self, corr_id: PeerCorrelationId) {
        let Some(handle) = self.handle.get() else {
            return;
        };
        let state = handle.outbound_state(corr_id);
        let again = handle.request_timed_out(corr_id).is_ok();
        self.seen.lock().unwrap().push((corr_id, state, again));
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
    h.request_sent(id, "analyst".into()).unwrap();
    // With the lock still held, the callback would deadlock here.
    h.response_terminal(id, PeerTerminalDisposition::Completed)
        .unwrap();
    assert_eq!(
        *observer.seen.lock().unwrap(),
        vec![(id, None, false)],
        "the callback sees the request closed, and its own timeout is refused"
    );
}

#[test]
fn the_last_installed_observer_wins_and_a_dropped_one_is_skipped() {
    let h = handle();
    let first = observed(&h);
    let second = observed(&h);
    let a = PeerCorrelationId::new();
    h.request_sent(a, "analyst".into()).unwrap();
    h.request_timed_out(a).unwrap();
    assert!(first.seen().is_empty());
    assert_eq!(second.seen(), vec![a]);

    let weak = Arc::downgrade(&second);
    drop(second);
    assert!(
        weak.upgrade().is_none(),
        "the handle holds no strong reference"
    );
    let b = PeerCorrelationId::new();
    h.request_sent(b, "analyst".into()).unwrap();
    h.request_timed_out(b).unwrap();
    assert_eq!(h.outbound_state(b), None);
    assert!(first.seen().is_empty());
}

#[test]
fn racing_closes_of_one_request_clean_it_up_exactly_once() {
    let h = handle();
    let recorder = observed(&h);
    let ids: Vec<PeerCorrelationId> = (0..32).map(|_| PeerCorrelationId::new()).collect();
    for id in &ids {
        h.request_sent(*id, "analyst".into()).unwrap();
    }
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let h = h.clone();
            let ids = ids.clone();
            std::thread::spawn(move || {
                ids.iter()
                    .filter(|id| match t % 3 {
                        0 => h.request_timed_out(**id).is_ok(),
                        1 => h
                            .response_terminal(**id, PeerTerminalDisposition::Completed)
                            .is_ok(),
                        _ => h
                            .response_terminal(**id, PeerTerminalDisposition::Failed)
                            .is_ok(),
                    })
                    .count()
            })
        })
        .collect();
    let accepted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(accepted, ids.len(), "exactly one close per request wins");
    let mut seen = recorder.seen();
    seen.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected);
    assert!(ids.iter().all(|id| h.outbound_state(*id).is_none()));
}
