//! The session context watermark of a session, through
//! `SessionContextHandle` only.

use std::sync::{Arc, Mutex, OnceLock};

use agent_core::SessionRuntimeBindings;
use agent_core::handles::{SessionContextAdvancedObserver, SessionContextHandle};
use agent_core::types::SessionId;

fn context() -> Arc<dyn SessionContextHandle> {
    SessionRuntimeBindings::new(SessionId::new()).session_context()
}

/// Records every notification.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<u64>>,
}

impl Recorder {
    fn seen(&self) -> Vec<u64> {
        self.seen.lock().unwrap().clone()
    }
}

impl SessionContextAdvancedObserver for Recorder {
    fn on_session_context_advanced(&self, updated_at_ms: u64) {
        self.seen.lock().unwrap().push(updated_at_ms);
    }
}

#[test]
fn the_watermark_advances_to_newer_changes() {
    let c = context();
    assert_eq!(c.current_watermark_ms(), 0);
    assert_eq!(c.context_advanced(10), Ok(true));
    assert_eq!(c.current_watermark_ms(), 10);
    assert_eq!(c.context_advanced(11), Ok(true));
    assert_eq!(c.context_advanced(1_000), Ok(true));
    assert_eq!(c.current_watermark_ms(), 1_000);
}

#[test]
fn duplicate_and_late_changes_are_accepted_no_ops() {
    let c = context();
    assert_eq!(
        c.context_advanced(0),
        Ok(false),
        "0 is not newer than the start"
    );
    assert_eq!(c.current_watermark_ms(), 0);
    c.context_advanced(50).unwrap();
    for stale in [50, 49, 1, 0] {
        assert_eq!(c.context_advanced(stale), Ok(false), "{stale}");
        assert_eq!(c.current_watermark_ms(), 50);
    }
    assert_eq!(c.context_advanced(u64::MAX), Ok(true));
    assert_eq!(c.context_advanced(u64::MAX), Ok(false));
    assert_eq!(c.current_watermark_ms(), u64::MAX);
}

#[test]
fn the_observer_hears_of_every_advance_and_nothing_else() {
    let c = context();
    let recorder = Arc::new(Recorder::default());
    c.install_observer(recorder.clone());
    for ms in [5, 5, 3, 8, 7, 9] {
        c.context_advanced(ms).unwrap();
    }
    assert_eq!(recorder.seen(), vec![5, 8, 9]);
}

#[test]
fn the_last_installed_observer_wins() {
    let c = context();
    let first = Arc::new(Recorder::default());
    let second = Arc::new(Recorder::default());
    c.install_observer(first.clone());
    c.context_advanced(1).unwrap();
    c.install_observer(second.clone());
    c.context_advanced(2).unwrap();
    assert_eq!(first.seen(), vec![1]);
    assert_eq!(second.seen(), vec![2]);
}

#[test]
fn a_dropped_observer_is_skipped() {
    let c = context();
    let recorder = Arc::new(Recorder::default());
    c.install_observer(recorder.clone());
    c.context_advanced(1).unwrap();
    let weak = Arc::downgrade(&recorder);
    drop(recorder);
    assert!(
        weak.upgrade().is_none(),
        "the handle holds no strong reference"
    );
    assert_eq!(c.context_advanced(2), Ok(true));
    assert_eq!(c.current_watermark_ms(), 2);
}

/// A notification, the watermark read from inside it, and what reporting
/// it again answered.
type Nested = (u64, u64, Result<bool, String>);

/// Calls back into the handle from the notification.
struct Reentrant {
    handle: OnceLock<Arc<dyn SessionContextHandle>>,
    seen: Mutex<Vec<Nested>>,
}

impl SessionContextAdvancedObserver for Reentrant {
    fn on_session_context_advanced(&self, updated_at_ms: u64) {
        let Some(handle) = self.handle.get() else {
            return;
        };
        let watermark = handle.current_watermark_ms();
        let again = handle
            .context_advanced(updated_at_ms)
            .map_err(|e| e.to_string());
        self.seen
            .lock()
            .unwrap()
            .push((updated_at_ms, watermark, again));
    }
}

#[test]
fn the_observer_runs_after_the_lock_is_released() {
    let c = context();
    let observer = Arc::new(Reentrant {
        handle: OnceLock::new(),
        seen: Mutex::new(Vec::new()),
    });
    assert!(observer.handle.set(c.clone()).is_ok());
    c.install_observer(observer.clone());
    // With the lock still held, the callback would deadlock here.
    assert_eq!(c.context_advanced(42), Ok(true));
    assert_eq!(
        *observer.seen.lock().unwrap(),
        vec![(42, 42, Ok(false))],
        "the callback sees the advance committed, and its own report is a duplicate"
    );
}

#[test]
fn install_with_baseline_returns_the_current_watermark() {
    let c = context();
    c.context_advanced(30).unwrap();
    let recorder = Arc::new(Recorder::default());
    assert_eq!(c.install_observer_with_baseline(recorder.clone()), 30);
    c.context_advanced(20).unwrap();
    c.context_advanced(31).unwrap();
    assert_eq!(recorder.seen(), vec![31]);
}

/// Concurrent advances reach the observer in watermark order: it hears of
/// advances only, each at most once, never a lower watermark after a
/// higher one (an advance superseded by a newer one already delivered is
/// dropped), and always of the last one.
#[test]
fn concurrent_reports_notify_advances_in_order() {
    let c = context();
    let recorder = Arc::new(Recorder::default());
    c.install_observer(recorder.clone());
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || {
                let mut advanced = Vec::new();
                for i in 0..200u64 {
                    let ms = i * 4 + t;
                    if c.context_advanced(ms).unwrap() {
                        advanced.push(ms);
                    }
                }
                advanced
            })
        })
        .collect();
    let mut advanced: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    advanced.sort_unstable();
    let seen = recorder.seen();
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "announced in order, each once: {seen:?}"
    );
    assert!(
        seen.iter().all(|ms| advanced.binary_search(ms).is_ok()),
        "only advances are announced"
    );
    assert_eq!(c.current_watermark_ms(), advanced.last().copied().unwrap());
    assert_eq!(c.current_watermark_ms(), 199 * 4 + 3);
    assert_eq!(
        seen.last().copied(),
        Some(199 * 4 + 3),
        "the last advance arrives"
    );
}
