//! The realtime product turn of a session, through
//! `RealtimeProductTurnHandle` only.

use std::sync::{Arc, Mutex, OnceLock};

use agent_core::SessionRuntimeBindings;
use agent_core::handles::{
    DslTransitionError, RealtimeProductTurnHandle, RealtimeProductTurnPhase as P,
    RealtimeProjectionFreshness as F, RealtimeProjectionFreshnessObserver,
    RealtimeReconnectPolicy as R,
};
use agent_core::types::SessionId;

fn realtime() -> Arc<dyn RealtimeProductTurnHandle> {
    SessionRuntimeBindings::new(SessionId::new()).realtime_product_turn()
}

/// Everything the queries report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct View {
    phase: P,
    freshness: F,
    frontier_ms: u64,
    policy: R,
    in_flight: bool,
    preempt: bool,
    stale_immediate: bool,
}

fn view(h: &dyn RealtimeProductTurnHandle) -> View {
    View {
        phase: h.current_phase(),
        freshness: h.projection_freshness(),
        frontier_ms: h.projection_frontier_ms(),
        policy: h.reconnect_policy_on_clean_close(),
        in_flight: h.is_in_flight(),
        preempt: h.should_preempt_on_input(),
        stale_immediate: h.is_projection_stale_immediate(),
    }
}

/// Asserts a no-op report: `Ok(false)` and every query unchanged.
fn assert_noop(
    h: &dyn RealtimeProductTurnHandle,
    call: impl FnOnce(&dyn RealtimeProductTurnHandle) -> Result<bool, DslTransitionError>,
) {
    let before = view(h);
    assert_eq!(call(h), Ok(false));
    assert_eq!(view(h), before);
}

/// A handle in `phase`, reached by the bridge's ordinary reports.
fn in_phase(phase: P) -> Arc<dyn RealtimeProductTurnHandle> {
    let h = realtime();
    match phase {
        P::Idle => {}
        P::AwaitingProgress => {
            h.turn_in_flight().unwrap();
        }
        P::Committed => {
            h.turn_in_flight().unwrap();
            h.turn_committed().unwrap();
        }
        P::OutputStarted => {
            h.turn_in_flight().unwrap();
            h.output_started().unwrap();
        }
        P::Preemptible => {
            h.turn_in_flight().unwrap();
            h.turn_committed().unwrap();
            h.output_started().unwrap();
        }
    }
    assert_eq!(h.current_phase(), phase);
    h
}

const PHASES: [P; 5] = [
    P::Idle,
    P::AwaitingProgress,
    P::Committed,
    P::OutputStarted,
    P::Preemptible,
];

#[test]
fn a_turn_commits_starts_output_and_becomes_preemptible() {
    let h = realtime();
    let start = view(&*h);
    assert_eq!(start.phase, P::Idle);
    assert!(!start.in_flight && !start.preempt);
    assert_eq!(h.turn_in_flight(), Ok(true));
    assert_eq!(h.current_phase(), P::AwaitingProgress);
    assert!(h.is_in_flight());
    assert_eq!(h.turn_committed(), Ok(true));
    assert_eq!(h.current_phase(), P::Committed);
    assert!(!h.should_preempt_on_input());
    assert_eq!(h.output_started(), Ok(true));
    assert_eq!(h.current_phase(), P::Preemptible);
    assert!(h.should_preempt_on_input());
    assert_eq!(h.turn_interrupted(), Ok(true));
    assert_eq!(
        h.current_phase(),
        P::Committed,
        "the committed milestone stands"
    );
    assert_eq!(h.turn_terminal(), Ok(true));
    assert_eq!(view(&*h), start);
}

#[test]
fn output_may_come_before_the_commit() {
    let h = realtime();
    h.turn_in_flight().unwrap();
    assert_eq!(h.output_started(), Ok(true));
    assert_eq!(h.current_phase(), P::OutputStarted);
    assert!(!h.should_preempt_on_input());
    assert_eq!(h.turn_interrupted(), Ok(true));
    assert_eq!(h.current_phase(), P::AwaitingProgress);
    h.output_started().unwrap();
    assert_eq!(h.turn_committed(), Ok(true));
    assert_eq!(h.current_phase(), P::Preemptible);
    assert_eq!(h.turn_terminal(), Ok(true));
    assert_eq!(h.current_phase(), P::Idle);
}

#[test]
fn duplicate_and_late_turn_reports_are_no_ops() {
    for phase in [
        P::AwaitingProgress,
        P::Committed,
        P::OutputStarted,
        P::Preemptible,
    ] {
        assert_noop(&*in_phase(phase), |h| h.turn_in_flight());
    }
    for phase in [P::Idle, P::Committed, P::Preemptible] {
        assert_noop(&*in_phase(phase), |h| h.turn_committed());
    }
    for phase in [P::Idle, P::OutputStarted, P::Preemptible] {
        assert_noop(&*in_phase(phase), |h| h.output_started());
    }
    for phase in [P::Idle, P::AwaitingProgress, P::Committed] {
        assert_noop(&*in_phase(phase), |h| h.turn_interrupted());
    }
    assert_noop(&*in_phase(P::Idle), |h| h.turn_terminal());
}

#[test]
fn no_report_is_ever_refused() {
    type Call = fn(&dyn RealtimeProductTurnHandle) -> Result<bool, DslTransitionError>;
    let calls: [Call; 11] = [
        |h| h.turn_in_flight(),
        |h| h.turn_committed(),
        |h| h.output_started(),
        |h| h.turn_interrupted(),
        |h| h.turn_terminal(),
        |h| h.projection_advance_observed(5),
        |h| h.projection_refreshed(5),
        |h| h.projection_reset(5),
        |h| h.classify_client_input_submitted(),
        |h| h.classify_mid_turn_activity(),
        |h| h.classify_turn_terminated(),
    ];
    for phase in PHASES {
        for (i, call) in calls.iter().enumerate() {
            let h = in_phase(phase);
            h.projection_advance_observed(3).unwrap();
            h.classify_client_input_submitted().unwrap();
            assert!(call(&*h).is_ok(), "call {i} in {phase:?}");
        }
    }
}

#[test]
fn advances_make_the_projection_stale_deferred_in_a_turn_immediate_otherwise() {
    let h = realtime();
    assert_eq!(h.projection_advance_observed(10), Ok(true));
    assert_eq!(h.projection_freshness(), F::StaleImmediate);
    assert!(h.is_projection_stale_immediate());
    assert_eq!(h.projection_frontier_ms(), 10);
    assert_noop(&*h, |h| h.projection_advance_observed(10));
    assert_noop(&*h, |h| h.projection_advance_observed(9));

    h.turn_in_flight().unwrap();
    assert_eq!(h.projection_advance_observed(12), Ok(true));
    assert_eq!(
        h.projection_freshness(),
        F::StaleDeferred,
        "a turn in flight is not disturbed"
    );
    assert_eq!(h.projection_frontier_ms(), 12);

    // The end of the logical turn makes the deferred refresh immediate.
    assert_eq!(h.classify_turn_terminated(), Ok(true));
    assert_eq!(h.projection_freshness(), F::StaleImmediate);
    assert_eq!(h.turn_terminal(), Ok(true));
    assert_eq!(
        h.projection_freshness(),
        F::StaleImmediate,
        "the turn's end leaves freshness alone"
    );
}

#[test]
fn a_refresh_cleans_only_up_to_what_it_observed() {
    let h = realtime();
    assert_noop(&*h, |h| h.projection_refreshed(0));
    h.projection_advance_observed(20).unwrap();
    // It read the context before the advance landed: still owed.
    assert_noop(&*h, |h| h.projection_refreshed(19));
    assert_eq!(h.projection_refreshed(20), Ok(true));
    assert_eq!(h.projection_freshness(), F::Clean);
    assert_eq!(h.projection_frontier_ms(), 20);
    assert_noop(&*h, |h| h.projection_refreshed(20));
    assert_eq!(
        h.projection_refreshed(25),
        Ok(true),
        "a newer observation moves the frontier"
    );
    assert_eq!(h.projection_frontier_ms(), 25);
    assert_eq!(h.projection_freshness(), F::Clean);
}

#[test]
fn a_reset_cleans_and_never_lowers_the_frontier() {
    let h = realtime();
    h.projection_advance_observed(40).unwrap();
    assert_eq!(h.projection_reset(5), Ok(true));
    assert_eq!(h.projection_freshness(), F::Clean);
    assert_eq!(h.projection_frontier_ms(), 40);
    assert_noop(&*h, |h| h.projection_reset(40));
    assert_noop(&*h, |h| h.projection_reset(1));
    assert_eq!(h.projection_reset(41), Ok(true));
    assert_eq!(h.projection_frontier_ms(), 41);
    assert_noop(&*h, |h| h.projection_advance_observed(41));
}

#[test]
fn activity_requires_reattach_until_the_logical_turn_ends() {
    let h = realtime();
    assert_eq!(h.reconnect_policy_on_clean_close(), R::CleanExit);
    assert_noop(&*h, |h| h.classify_turn_terminated());
    assert_eq!(h.classify_client_input_submitted(), Ok(true));
    assert_eq!(h.reconnect_policy_on_clean_close(), R::ReattachAndRecover);
    assert_noop(&*h, |h| h.classify_client_input_submitted());
    assert_noop(&*h, |h| h.classify_mid_turn_activity());
    assert_eq!(h.classify_turn_terminated(), Ok(true));
    assert_eq!(h.reconnect_policy_on_clean_close(), R::CleanExit);
    assert_noop(&*h, |h| h.classify_turn_terminated());
    assert_eq!(h.classify_mid_turn_activity(), Ok(true));
    assert_eq!(h.reconnect_policy_on_clean_close(), R::ReattachAndRecover);
}

/// Records every freshness notification.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<(F, u64)>>,
}

impl Recorder {
    fn take(&self) -> Vec<(F, u64)> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl RealtimeProjectionFreshnessObserver for Recorder {
    fn on_realtime_projection_freshness_changed(&self, new_freshness: F, frontier_ms: u64) {
        self.seen.lock().unwrap().push((new_freshness, frontier_ms));
    }
}

#[test]
fn the_freshness_observer_hears_of_every_change_and_every_turn_end() {
    let h = realtime();
    let recorder = Arc::new(Recorder::default());
    h.install_projection_freshness_observer(recorder.clone());
    h.projection_advance_observed(10).unwrap();
    h.projection_advance_observed(10).unwrap();
    assert_eq!(recorder.take(), vec![(F::StaleImmediate, 10)]);
    h.turn_in_flight().unwrap();
    h.classify_client_input_submitted().unwrap();
    h.projection_advance_observed(11).unwrap();
    assert_eq!(recorder.take(), vec![(F::StaleDeferred, 11)]);
    h.projection_refreshed(10).unwrap();
    assert_eq!(
        recorder.take(),
        vec![],
        "a stale observation changes nothing"
    );
    h.classify_turn_terminated().unwrap();
    assert_eq!(recorder.take(), vec![(F::StaleImmediate, 11)]);
    h.turn_terminal().unwrap();
    h.classify_client_input_submitted().unwrap();
    h.classify_turn_terminated().unwrap();
    assert_eq!(
        recorder.take(),
        vec![(F::StaleImmediate, 11)],
        "every accepted termination wakes the observer, freshness changed or not"
    );
    assert_eq!(h.classify_turn_terminated(), Ok(false));
    assert_eq!(
        recorder.take(),
        vec![],
        "a refused termination tells nobody"
    );
    h.projection_refreshed(11).unwrap();
    h.projection_reset(15).unwrap();
    h.projection_reset(15).unwrap();
    assert_eq!(recorder.take(), vec![(F::Clean, 11), (F::Clean, 15)]);
}

#[test]
fn observers_are_replaced_and_held_weakly() {
    let h = realtime();
    let first = Arc::new(Recorder::default());
    let second = Arc::new(Recorder::default());
    h.install_projection_freshness_observer(first.clone());
    h.install_projection_freshness_observer(second.clone());
    h.projection_advance_observed(1).unwrap();
    assert_eq!(first.take(), vec![]);
    assert_eq!(second.take(), vec![(F::StaleImmediate, 1)]);
    let weak = Arc::downgrade(&second);
    drop(second);
    assert!(
        weak.upgrade().is_none(),
        "the handle holds no strong reference"
    );
    assert_eq!(h.projection_refreshed(1), Ok(true));
    assert_eq!(first.take(), vec![]);
}

#[test]
fn install_with_snapshot_returns_freshness_and_frontier() {
    let h = realtime();
    h.projection_advance_observed(7).unwrap();
    let recorder = Arc::new(Recorder::default());
    assert_eq!(
        h.install_projection_freshness_observer_with_snapshot(recorder.clone()),
        (F::StaleImmediate, 7)
    );
    h.projection_refreshed(7).unwrap();
    assert_eq!(recorder.take(), vec![(F::Clean, 7)]);
}

/// A notification, and what the nested refresh answered.
type Nested = (F, u64, Result<bool, String>);

/// Refreshes from inside the notification, as a drain site does when the
/// projection must be refreshed now.
struct RefreshNow {
    handle: OnceLock<Arc<dyn RealtimeProductTurnHandle>>,
    seen: Mutex<Vec<Nested>>,
}

impl RealtimeProjectionFreshnessObserver for RefreshNow {
    fn on_realtime_projection_freshness_changed(&self, new_freshness: F, frontier_ms: u64) {
        let Some(handle) = self.handle.get() else {
            return;
        };
        let refreshed = if handle.is_projection_stale_immediate() {
            handle
                .projection_refreshed(frontier_ms)
                .map_err(|e| e.to_string())
        } else {
            Ok(false)
        };
        self.seen
            .lock()
            .unwrap()
            .push((new_freshness, frontier_ms, refreshed));
    }
}

#[test]
fn the_observer_runs_after_the_lock_is_released() {
    let h = realtime();
    let observer = Arc::new(RefreshNow {
        handle: OnceLock::new(),
        seen: Mutex::new(Vec::new()),
    });
    assert!(observer.handle.set(h.clone()).is_ok());
    h.install_projection_freshness_observer(observer.clone());
    // With the lock still held, the refresh in the callback would deadlock.
    assert_eq!(h.projection_advance_observed(9), Ok(true));
    assert_eq!(h.projection_freshness(), F::Clean);
    assert_eq!(h.projection_frontier_ms(), 9);
    assert_eq!(
        *observer.seen.lock().unwrap(),
        vec![(F::StaleImmediate, 9, Ok(true)), (F::Clean, 9, Ok(false))],
        "the nested refresh is announced right after the outer callback, in order"
    );
}
