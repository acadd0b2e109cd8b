//! A thread-safe authority over one value: one lock per operation.
//!
//! A panic while the lock is held does not take the value out of service.
//! The lock's poison flag is cleared and the value served as it was left:
//! generated machines change their state atomically (a transition is
//! computed aside and committed in one assignment), so a `Shared<M>` whose
//! holder panicked still holds a consistent machine. Closures passed to
//! [`Shared::with`] that write in several steps must keep the value
//! consistent at every point where they can panic.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// A value behind a mutex, for handle traits with `&self` methods that must
/// be `Send + Sync`. Every call holds the lock for exactly the duration of
/// the closure.
#[derive(Debug, Default)]
pub struct Shared<T> {
    name: &'static str,
    inner: Mutex<T>,
}

impl<T> Shared<T> {
    /// `name` says what the value is, for diagnostics (`Debug`).
    pub fn new(name: &'static str, value: T) -> Self {
        Self {
            name,
            inner: Mutex::new(value),
        }
    }

    /// The name given to [`Shared::new`].
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The lock, recovered when a panicking holder poisoned it.
    fn lock(&self) -> MutexGuard<'_, T> {
        match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => {
                self.inner.clear_poison();
                poisoned.into_inner()
            }
        }
    }

    /// Runs `f` with exclusive access.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.lock())
    }

    /// Runs `f` with shared access.
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.lock())
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.inner
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn no_update_is_lost_under_contention() {
        let shared = Arc::new(Shared::new("counter", 0u64));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let s = Arc::clone(&shared);
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        s.with(|n| *n += 1);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(shared.read(|n| *n), 8000);
    }

    #[test]
    fn a_panicking_holder_leaves_the_value_in_service() {
        let shared = Arc::new(Shared::new("m", 1u8));
        let s = Arc::clone(&shared);
        let joined = std::thread::spawn(move || {
            s.with(|n| {
                *n = 2;
                panic!("boom")
            })
        })
        .join();
        assert!(joined.is_err());
        assert_eq!(shared.with(|n| *n), 2);
        shared.with(|n| *n += 1);
        assert_eq!(shared.read(|n| *n), 3);
        assert!(!shared.inner.is_poisoned());
    }
}
