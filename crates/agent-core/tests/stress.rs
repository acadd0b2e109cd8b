//! Many threads on one session through `SessionRuntimeBindings`, for a few
//! seconds each, under a watchdog: the single refresh slot holds, lease
//! generations have no gaps, observers see watermarks and frontiers in
//! order, and a panicking observer never unwinds into a caller.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agent_core::SessionRuntimeBindings;
use agent_core::connection::{BindingId, RealmId};
use agent_core::handles::{
    LeaseKey, RealtimeProjectionFreshness, RealtimeProjectionFreshnessObserver,
    SessionContextAdvancedObserver,
};
use agent_core::types::SessionId;

const THREADS: usize = 8;
const RUN_FOR: Duration = Duration::from_millis(1500);

/// Runs `test`, aborting the process if it has not finished in a minute (a
/// deadlock must fail the run, not hang it).
fn with_watchdog(name: &'static str, test: impl FnOnce()) {
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(60)).is_err() {
            eprintln!("watchdog: `{name}` did not finish within 60 s");
            std::process::abort();
        }
    });
    test();
    done.send(()).unwrap();
    watchdog.join().unwrap();
}

/// Runs `work(thread, iteration)` on [`THREADS`] threads for [`RUN_FOR`].
fn hammer(work: impl Fn(usize, u64) + Send + Sync + 'static) {
    let work = Arc::new(work);
    let deadline = Instant::now() + RUN_FOR;
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let work = Arc::clone(&work);
            std::thread::spawn(move || {
                let mut i = 0;
                while Instant::now() < deadline {
                    work(t, i);
                    i += 1;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn key() -> LeaseKey {
    LeaseKey::new(
        RealmId::parse("realm").unwrap(),
        BindingId::parse("b").unwrap(),
        None,
    )
}

#[test]
fn one_refresh_at_a_time_and_generations_without_gaps() {
    with_watchdog("refresh", || {
        let session = SessionRuntimeBindings::new(SessionId::new());
        let leases = session.auth_lease();
        let k = key();
        let first = leases.acquire_lease(&k, 10).unwrap().generation;
        let holders = Arc::new(AtomicU64::new(0));
        let published = Arc::new(Mutex::new(vec![first]));
        {
            let (holders, published) = (Arc::clone(&holders), Arc::clone(&published));
            hammer(move |_, i| {
                if leases.begin_refresh(&k).is_err() {
                    return;
                }
                // This thread holds the refresh slot: nobody else may.
                assert_eq!(holders.fetch_add(1, Ordering::SeqCst), 0, "two refreshers");
                std::thread::yield_now();
                holders.fetch_sub(1, Ordering::SeqCst);
                if i.is_multiple_of(3) {
                    leases.refresh_failed(&k, false).unwrap();
                } else {
                    let done = leases.complete_refresh(&k, 100 + i, i).unwrap();
                    published.lock().unwrap().push(done.generation);
                }
            });
        }
        let mut generations = published.lock().unwrap().clone();
        generations.sort_unstable();
        let n = u64::try_from(generations.len()).unwrap();
        assert!(n > 10, "the threads refreshed ({n} publications)");
        assert_eq!(
            generations,
            (1..=n).collect::<Vec<_>>(),
            "gap-free generations"
        );
        assert_eq!(session.auth_lease().snapshot(&key()).generation, n);
    });
}

/// Records what it is told, checking the order.
#[derive(Default)]
struct Watermarks {
    seen: Mutex<Vec<u64>>,
}

impl SessionContextAdvancedObserver for Watermarks {
    fn on_session_context_advanced(&self, updated_at_ms: u64) {
        self.seen.lock().unwrap().push(updated_at_ms);
    }
}

#[test]
fn watermark_observers_never_see_the_watermark_go_back() {
    with_watchdog("watermark", || {
        let session = SessionRuntimeBindings::new(SessionId::new());
        let context = session.session_context();
        let observer = Arc::new(Watermarks::default());
        assert_eq!(context.install_observer_with_baseline(observer.clone()), 0);
        let clock = Arc::new(AtomicU64::new(0));
        {
            let (context, clock) = (context.clone(), Arc::clone(&clock));
            hammer(move |_, _| {
                let at = clock.fetch_add(1, Ordering::Relaxed) + 1;
                context.context_advanced(at).unwrap();
            });
        }
        let seen = observer.seen.lock().unwrap().clone();
        assert!(seen.len() > 100, "{} notifications", seen.len());
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "the watermark went back"
        );
        // The newest fact always arrives: the observer ends where the
        // machine ends.
        assert_eq!(seen.last().copied(), Some(context.current_watermark_ms()));
    });
}

#[test]
fn a_baseline_and_the_notifications_after_it_cover_every_advance() {
    with_watchdog("baseline", || {
        for round in 0..20u64 {
            let session = SessionRuntimeBindings::new(SessionId::new());
            let context = session.session_context();
            let advancer = {
                let context = context.clone();
                std::thread::spawn(move || {
                    for at in 1..=2000 {
                        context.context_advanced(at).unwrap();
                    }
                })
            };
            std::thread::sleep(Duration::from_micros(200 * round));
            let observer = Arc::new(Watermarks::default());
            let baseline = context.install_observer_with_baseline(observer.clone());
            advancer.join().unwrap();
            // One advancer: nothing is superseded, so every advance after
            // the baseline is delivered once, and none before it.
            let seen = observer.seen.lock().unwrap().clone();
            assert_eq!(
                seen,
                (baseline + 1..=2000).collect::<Vec<_>>(),
                "round {round}: baseline {baseline}"
            );
        }
    });
}

#[derive(Default)]
struct Frontiers {
    seen: Mutex<Vec<(RealtimeProjectionFreshness, u64)>>,
}

impl RealtimeProjectionFreshnessObserver for Frontiers {
    fn on_realtime_projection_freshness_changed(
        &self,
        freshness: RealtimeProjectionFreshness,
        frontier_ms: u64,
    ) {
        self.seen.lock().unwrap().push((freshness, frontier_ms));
    }
}

#[test]
fn freshness_observers_see_the_frontier_in_order() {
    with_watchdog("freshness", || {
        let session = SessionRuntimeBindings::new(SessionId::new());
        let realtime = session.realtime_product_turn();
        let observer = Arc::new(Frontiers::default());
        realtime.install_projection_freshness_observer(observer.clone());
        let clock = Arc::new(AtomicU64::new(0));
        {
            let (realtime, clock) = (realtime.clone(), Arc::clone(&clock));
            hammer(move |t, i| {
                let at = clock.fetch_add(1, Ordering::Relaxed) + 1;
                match (t + usize::try_from(i % 4).unwrap()) % 4 {
                    0 => drop(realtime.projection_advance_observed(at)),
                    1 => drop(realtime.projection_refreshed(realtime.projection_frontier_ms())),
                    2 => drop(realtime.turn_in_flight()),
                    _ => {
                        drop(realtime.classify_turn_terminated());
                        drop(realtime.turn_terminal());
                    }
                }
            });
        }
        let seen = observer.seen.lock().unwrap().clone();
        assert!(seen.len() > 100, "{} notifications", seen.len());
        assert!(
            seen.windows(2).all(|w| w[0].1 <= w[1].1),
            "the frontier went back"
        );
        assert_eq!(
            seen.last().copied(),
            Some((
                realtime.projection_freshness(),
                realtime.projection_frontier_ms()
            ))
        );
    });
}

/// Panics on every third notification.
#[derive(Default)]
struct Flaky {
    calls: AtomicU64,
}

impl SessionContextAdvancedObserver for Flaky {
    fn on_session_context_advanced(&self, _: u64) {
        if self.calls.fetch_add(1, Ordering::SeqCst).is_multiple_of(3) {
            panic!("observer failure on purpose");
        }
    }
}

#[test]
fn a_panicking_observer_is_contained_and_reported() {
    with_watchdog("panics", || {
        let session = SessionRuntimeBindings::new(SessionId::new());
        let reported = Arc::new(Mutex::new(Vec::new()));
        {
            let reported = Arc::clone(&reported);
            session.on_observer_panic(move |p| reported.lock().unwrap().push(p.clone()));
        }
        let context = session.session_context();
        let observer = Arc::new(Flaky::default());
        context.install_observer(observer.clone());
        for at in 1..=30 {
            // The transition committed; the caller hears of no panic.
            assert_eq!(context.context_advanced(at), Ok(true));
        }
        assert_eq!(context.current_watermark_ms(), 30);
        assert_eq!(
            observer.calls.load(Ordering::SeqCst),
            30,
            "every advance delivered"
        );
        assert_eq!(session.observer_panics(), 10);
        let reported = reported.lock().unwrap().clone();
        assert_eq!(reported.len(), 10);
        assert_eq!(reported[0].observer, "SessionContextAdvancedObserver");
        assert_eq!(reported[0].message, "observer failure on purpose");
    });
}
