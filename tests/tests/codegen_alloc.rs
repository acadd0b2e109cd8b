//! `apply` allocates nothing beyond the effects it returns (G9): counted
//! with a global allocator that tallies allocations per thread.

#![deny(warnings)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to `System`; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocations `f` makes on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    let after = ALLOCATIONS.with(Cell::get);
    (after - before, r)
}

mod modes {
    use serde::{Deserialize, Serialize};

    /// The Rust enum `workbench.fsm` binds its `Mode` to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Mode {
        Manual,
        Automatic,
    }
}

mod workbench {
    fsm::machine!("specs/workbench.fsm");
}

mod handles {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct LeaseKey(pub u64);
}

mod auth {
    fsm::machine!("../machines/auth_lease.fsm");
}

use workbench::{Priority, Workbench};

fn busy() -> Workbench {
    let mut m = Workbench::new();
    m.start(1, Priority::Normal).unwrap();
    m
}

#[test]
fn a_transition_without_effects_allocates_nothing() {
    let mut m = busy();
    let (n, step) = allocations(|| m.tick());
    assert!(step.unwrap().effects.is_empty());
    assert_eq!(n, 0, "`tick` allocated");
    // Checked arithmetic on a staged copy, no effect.
    let (n, step) = allocations(|| m.adjust(3));
    step.unwrap();
    assert_eq!(n, 0, "`adjust` allocated");
    let (n, step) = allocations(|| m.pause());
    step.unwrap();
    assert_eq!(n, 0, "`pause` allocated");
}

#[test]
fn rejections_and_ignores_allocate_nothing() {
    let mut m = busy();
    let (n, r) = allocations(|| m.adjust(0));
    assert!(r.is_err());
    assert_eq!(n, 0, "a guard rejection allocated");
    let (n, r) = allocations(|| m.flip());
    assert!(r.is_err());
    assert_eq!(n, 0, "a no-matching rejection allocated");
    let (n, r) = allocations(|| m.noop());
    assert!(r.unwrap().is_ignored());
    assert_eq!(n, 0, "an ignored input allocated");
    m.adjust(i16::MAX).unwrap();
    let (n, r) = allocations(|| m.adjust(1));
    assert!(r.is_err());
    assert_eq!(n, 0, "an overflow rejection allocated");
}

#[test]
fn emitted_effects_take_one_allocation() {
    let mut lease = auth::AuthLease::new(handles::LeaseKey(1));
    lease.acquire(Some(10)).unwrap();
    let (n, step) = allocations(|| lease.begin_refresh());
    assert_eq!(step.unwrap().effects.len(), 2);
    assert_eq!(n, 1, "two effects, one vector");
}
