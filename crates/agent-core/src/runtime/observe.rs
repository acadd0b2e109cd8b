//! Observer slots and how notifications reach observers.
//!
//! Every observer of the session is called after the machine's lock is
//! released (an observer may call back into any handle), from a slot that
//! holds it weakly and was sampled in the critical section that applied the
//! input. On top of that:
//!
//! - **Panics are contained.** An observer that panics does not unwind into
//!   the caller, whose transition has already committed: the panic is
//!   caught, reported to the session's hook
//!   ([`SessionRuntimeBindings::on_observer_panic`]) and counted
//!   ([`SessionRuntimeBindings::observer_panics`]), and the session keeps
//!   serving. Later notifications reach the observer as usual.
//! - **Facts about the current state are delivered in order.** The
//!   context watermark and the projection freshness describe the machine's
//!   latest state. Each notification carries the sequence number of the
//!   transition that produced it, taken under the machine's lock, and an
//!   observer is never told an older fact after a newer one: a fact that
//!   arrives after a newer one was delivered (or is waiting to be) is
//!   dropped, as the newer one supersedes it. Deliveries to one slot never
//!   overlap: a thread that finds a delivery in progress leaves its fact to
//!   the delivering thread, which delivers the newest waiting fact once
//!   the current call returns (an observer that calls back into its own
//!   handle is told of the nested change right after it returns).
//! - **Events are delivered each, once.** Peer-interaction and
//!   interaction-stream cleanups concern distinct correlation ids: every
//!   one is delivered, on the thread that caused it, in the order of its
//!   step's effects.
//!
//! [`SessionRuntimeBindings::on_observer_panic`]: super::SessionRuntimeBindings::on_observer_panic
//! [`SessionRuntimeBindings::observer_panics`]: super::SessionRuntimeBindings::observer_panics

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// An observer's panic, caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObserverPanic {
    /// Which observer panicked, e.g. `"SessionContextAdvancedObserver"`.
    pub observer: &'static str,
    /// The panic's message, when it was a string.
    pub message: String,
}

/// What a session does with its observers' panics.
pub(crate) type PanicHook = Arc<dyn Fn(&ObserverPanic) + Send + Sync>;

/// A session's observer panics: how many were caught and who is told.
#[derive(Default)]
pub(crate) struct PanicReports {
    hook: Mutex<Option<PanicHook>>,
    count: AtomicU64,
}

impl PanicReports {
    pub(crate) fn set_hook(&self, hook: PanicHook) {
        *lock(&self.hook) = Some(hook);
    }

    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Runs `call`, catching and reporting a panic.
    fn contain(&self, observer: &'static str, call: impl FnOnce()) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(call)) {
            self.count.fetch_add(1, Ordering::Relaxed);
            let report = ObserverPanic {
                observer,
                message: panic_message(payload.as_ref()),
            };
            let hook = lock(&self.hook).clone();
            if let Some(hook) = hook {
                // A panicking hook is contained too: nothing unwinds into
                // the caller.
                let _ = catch_unwind(AssertUnwindSafe(|| hook(&report)));
            }
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "observer panicked".to_owned()
    }
}

/// Slots and delivery state are plain data: a panic elsewhere never leaves
/// them inconsistent, so a poisoned lock is taken over.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An observer held for a notification: sampled under the machine's lock.
pub(crate) struct Sampled<O: ?Sized> {
    observer: Option<Weak<O>>,
    seq: u64,
}

/// One observer slot: the observer (weakly held; installing replaces it)
/// and the delivery of its notifications.
pub(crate) struct ObserverSlot<O: ?Sized, F> {
    name: &'static str,
    observer: Mutex<Option<Weak<O>>>,
    next_seq: AtomicU64,
    delivery: Mutex<Delivery<O, F>>,
    panics: Arc<PanicReports>,
}

struct Delivery<O: ?Sized, F> {
    /// The newest sequence number delivered or waiting.
    newest: u64,
    /// A thread is delivering.
    busy: bool,
    waiting: Option<(Arc<O>, F)>,
}

impl<O: ?Sized, F> ObserverSlot<O, F> {
    /// `name` names the observer trait in panic reports.
    pub(crate) fn new(name: &'static str, panics: Arc<PanicReports>) -> Self {
        Self {
            name,
            observer: Mutex::new(None),
            next_seq: AtomicU64::new(1),
            delivery: Mutex::new(Delivery {
                newest: 0,
                busy: false,
                waiting: None,
            }),
            panics,
        }
    }

    /// Replaces the observer; only a weak reference is kept.
    pub(crate) fn install(&self, observer: &Arc<O>) {
        *lock(&self.observer) = Some(Arc::downgrade(observer));
    }

    /// The observer for a step being applied, with the step's sequence
    /// number. Call it inside the machine's critical section, so sequence
    /// numbers follow the order in which steps were applied.
    pub(crate) fn sample(&self) -> Sampled<O> {
        Sampled {
            observer: lock(&self.observer).clone(),
            seq: self.next_seq.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Delivers `fact` about the machine's current state, unless a newer
    /// fact was delivered or waits: in order, stale facts dropped, one
    /// delivery at a time. Call it after the machine's lock is released.
    pub(crate) fn deliver_latest(&self, sampled: Sampled<O>, fact: F, call: impl Fn(&O, &F)) {
        let Some(observer) = sampled.observer.and_then(|weak| weak.upgrade()) else {
            return;
        };
        let mut delivery = lock(&self.delivery);
        if sampled.seq <= delivery.newest {
            return;
        }
        delivery.newest = sampled.seq;
        delivery.waiting = Some((observer, fact));
        if delivery.busy {
            return;
        }
        delivery.busy = true;
        while let Some((observer, fact)) = delivery.waiting.take() {
            drop(delivery);
            self.panics.contain(self.name, || call(&observer, &fact));
            delivery = lock(&self.delivery);
        }
        delivery.busy = false;
    }

    /// Delivers one event to the sampled observer, on this thread.
    pub(crate) fn deliver_each(&self, sampled: &Sampled<O>, call: impl FnOnce(&O)) {
        if let Some(observer) = sampled.observer.as_ref().and_then(Weak::upgrade) {
            self.panics.contain(self.name, || call(&observer));
        }
    }
}
