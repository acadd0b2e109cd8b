//! `#[fsm::implement]` on a keyed machine: every bound method takes the key
//! first, inputs reach the instance of that key (created on demand, dropped
//! once terminal) and queries read it or answer `None`.

use fsm::{DriveError, FromDrive, KeyedAuthority, Registry, Shared, Step};

fsm::machine!("specs/locker.fsm");

/// The locker number as the handwritten side types it.
#[derive(Debug, Clone, Copy)]
struct Number(u32);

impl From<Number> for u32 {
    fn from(n: Number) -> u32 {
        n.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Refused {
    context: &'static str,
    guard: Option<&'static str>,
}

trait LockerHandle {
    fn take(&self, number: Number, owner: u64) -> Result<(), Refused>;
    fn give_back(&self, number: Number) -> Result<(), Refused>;
    fn remove(&self, number: Number) -> Result<(), Refused>;
    fn phase_of(&self, number: Number) -> Option<LockerPhase>;
    fn owner_of(&self, number: Number) -> Option<u64>;
}

impl FromDrive<Locker> for Result<(), Refused> {
    fn from_drive(
        _: &'static str,
        result: Result<Step<LockerPhase, LockerEffect>, DriveError>,
    ) -> Self {
        result.map(|_| ()).map_err(|e| Refused {
            context: e.context,
            guard: e.rejection.kind.guard(),
        })
    }
}

struct Lockers(Shared<Registry<Locker>>);

impl KeyedAuthority<Locker> for Lockers {
    fn drive_key(
        &self,
        context: &'static str,
        key: u32,
        input: LockerInput,
    ) -> Result<Step<LockerPhase, LockerEffect>, DriveError> {
        self.0.drive_key(context, key, input)
    }

    fn read_key<R>(&self, key: &u32, f: impl FnOnce(&Locker) -> R) -> Option<R> {
        self.0.read_key(key, f)
    }
}

#[fsm::implement("specs/locker.fsm", LockerHandle)]
impl LockerHandle for Lockers {
    fn take(&self, number: Number, owner: u64) -> Result<(), Refused>;
    fn give_back(&self, number: Number) -> Result<(), Refused>;
    fn remove(&self, number: Number) -> Result<(), Refused>;
    fn phase_of(&self, number: Number) -> Option<LockerPhase>;
    fn owner_of(&self, number: Number) -> Option<u64>;
}

fn lockers() -> Lockers {
    Lockers(Shared::new("Locker", Registry::new()))
}

#[test]
fn inputs_reach_the_instance_of_their_key() {
    let l = lockers();
    assert_eq!(l.phase_of(Number(1)), None);
    l.take(Number(1), 7).unwrap();
    l.take(Number(2), 9).unwrap();
    assert_eq!(l.phase_of(Number(1)), Some(LockerPhase::Taken));
    assert_eq!(l.owner_of(Number(1)), Some(7));
    assert_eq!(l.owner_of(Number(2)), Some(9));
    l.give_back(Number(1)).unwrap();
    assert_eq!(l.phase_of(Number(1)), Some(LockerPhase::Free));
    assert_eq!(l.phase_of(Number(2)), Some(LockerPhase::Taken));
}

#[test]
fn a_rejected_first_input_creates_no_instance_and_names_the_method() {
    let l = lockers();
    let err = l.give_back(Number(3)).unwrap_err();
    assert_eq!(err.context, "LockerHandle::give_back");
    assert_eq!(err.guard, None);
    assert_eq!(l.phase_of(Number(3)), None);
}

#[test]
fn a_failed_guard_is_named() {
    let l = lockers();
    l.take(Number(4), 0).unwrap();
    let err = l.give_back(Number(4)).unwrap_err();
    assert_eq!(err.guard, Some("held"));
    assert_eq!(l.phase_of(Number(4)), Some(LockerPhase::Taken));
}

#[test]
fn an_instance_in_a_terminal_phase_is_dropped() {
    let l = lockers();
    l.take(Number(5), 1).unwrap();
    l.give_back(Number(5)).unwrap();
    l.remove(Number(5)).unwrap();
    assert_eq!(l.phase_of(Number(5)), None);
    assert!(l.0.read(|r| r.is_empty()));
    // A later input starts a fresh instance.
    l.take(Number(5), 2).unwrap();
    assert_eq!(l.owner_of(Number(5)), Some(2));
}
