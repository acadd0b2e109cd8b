//! A thread-safe authority over one value: one lock per operation, and a
//! poisoned lock reported as an error instead of a panic.

use std::sync::{Mutex, MutexGuard};

/// The lock was poisoned: a thread panicked while holding it, so the value
/// may be half-updated and is no longer served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the state of `{machine}` is unavailable: a thread panicked while holding its lock")]
pub struct PoisonedError {
    pub machine: &'static str,
}

/// A value behind a mutex, for handle traits with `&self` methods that must
/// be `Send + Sync`. Every call holds the lock for exactly the duration of
/// the closure.
#[derive(Debug, Default)]
pub struct Shared<T> {
    name: &'static str,
    inner: Mutex<T>,
}

impl<T> Shared<T> {
    /// `name` appears in [`PoisonedError`].
    pub fn new(name: &'static str, value: T) -> Self {
        Self {
            name,
            inner: Mutex::new(value),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, T>, PoisonedError> {
        self.inner
            .lock()
            .map_err(|_| PoisonedError { machine: self.name })
    }

    /// Runs `f` with exclusive access. A panic inside `f` poisons the lock
    /// and later calls get [`PoisonedError`].
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, PoisonedError> {
        let mut guard = self.lock()?;
        Ok(f(&mut guard))
    }

    /// Runs `f` with shared access.
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, PoisonedError> {
        let guard = self.lock()?;
        Ok(f(&guard))
    }

    pub fn into_inner(self) -> Result<T, PoisonedError> {
        let name = self.name;
        self.inner
            .into_inner()
            .map_err(|_| PoisonedError { machine: name })
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
                        s.with(|n| *n += 1).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(shared.read(|n| *n).unwrap(), 8000);
    }

    #[test]
    fn poisoning_is_an_error_not_a_panic() {
        let shared = Arc::new(Shared::new("m", 1u8));
        let s = Arc::clone(&shared);
        let _ = std::thread::spawn(move || {
            s.with(|_| panic!("boom")).ok();
        })
        .join();
        assert_eq!(shared.with(|n| *n), Err(PoisonedError { machine: "m" }));
    }
}
