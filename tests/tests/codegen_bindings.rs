//! `#[fsm::implement]`: a handwritten trait implemented from the spec's
//! `impl DoorHandle` block, called through `&dyn DoorHandle`.

use fsm::{Authority, DriveError, FromDrive, FromQuery, Shared, Step};

fsm::machine!("specs/door.fsm");

/// A PIN as the handwritten side types it.
#[derive(Debug, Clone, Copy)]
struct Pin(u32);

impl From<Pin> for u32 {
    fn from(pin: Pin) -> u32 {
        pin.0
    }
}

/// A request whose fields feed `Unlock`'s parameters.
struct UnlockRequest {
    pin: Pin,
    options: UnlockOptions,
}

struct UnlockOptions {
    force: bool,
}

/// The handwritten error type of the trait.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DoorError {
    Refused {
        context: &'static str,
        guard: Option<&'static str>,
    },
}

/// The handwritten snapshot type of the trait.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DoorState {
    phase: &'static str,
    opened: u32,
}

trait DoorHandle: Send + Sync {
    fn push(&self) -> Result<(), DoorError>;
    fn pull(&self) -> Result<(), DoorError>;
    fn lock(&self, pin: Pin) -> Result<(), DoorError>;
    fn unlock(&self, pin: Pin, force: bool) -> Result<bool, DoorError>;
    fn unlock_with(&self, request: UnlockRequest) -> Result<bool, DoorError>;
    fn snapshot(&self) -> DoorState;
    fn current_phase(&self) -> DoorPhase;
    fn times_opened(&self) -> Result<u32, DoorError>;
    fn label(&self) -> String;
    fn is_open(&self) -> bool;
}

impl FromDrive<Door> for Result<(), DoorError> {
    fn from_drive(
        _: &'static str,
        result: Result<Step<DoorPhase, DoorEffect>, DriveError>,
    ) -> Self {
        <Result<bool, DoorError> as FromDrive<Door>>::from_drive("", result).map(|_| ())
    }
}

/// `true` when the phase changed.
impl FromDrive<Door> for Result<bool, DoorError> {
    fn from_drive(
        _: &'static str,
        result: Result<Step<DoorPhase, DoorEffect>, DriveError>,
    ) -> Self {
        match result {
            Ok(step) => Ok(step.phase_changed()),
            Err(err) => Err(DoorError::Refused {
                context: err.context,
                guard: err.rejection.kind.guard(),
            }),
        }
    }
}

impl FromQuery<Door, DoorSnapshot> for DoorState {
    fn from_query(_: &'static str, s: DoorSnapshot) -> Self {
        DoorState {
            phase: s.phase.as_str(),
            opened: s.opened,
        }
    }
}

/// Queries of a fallible-looking signature always succeed.
impl<T> FromQuery<Door, T> for Result<T, DoorError> {
    fn from_query(_: &'static str, value: T) -> Self {
        Ok(value)
    }
}

/// The handle: the machine behind a lock, and a count of accepted inputs
/// taken after the lock is released.
struct Handle {
    door: Shared<Door>,
    accepted: std::sync::atomic::AtomicUsize,
}

impl Authority<Door> for Handle {
    fn drive(
        &self,
        context: &'static str,
        input: DoorInput,
    ) -> Result<Step<DoorPhase, DoorEffect>, DriveError> {
        let result = self.door.drive(context, input);
        if result.is_ok() {
            self.accepted
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        result
    }

    fn read<R>(&self, f: impl FnOnce(&Door) -> R) -> R {
        Authority::<Door>::read(&self.door, f)
    }
}

#[fsm::implement("specs/door.fsm", DoorHandle)]
impl DoorHandle for Handle {
    fn push(&self) -> Result<(), DoorError>;
    fn pull(&self) -> Result<(), DoorError>;
    fn lock(&self, pin: Pin) -> Result<(), DoorError>;
    fn unlock(&self, pin: Pin, force: bool) -> Result<bool, DoorError>;
    fn unlock_with(&self, request: UnlockRequest) -> Result<bool, DoorError>;
    fn snapshot(&self) -> DoorState;
    fn current_phase(&self) -> DoorPhase;
    fn times_opened(&self) -> Result<u32, DoorError>;
    fn label(&self) -> String;
    fn is_open(&self) -> bool;
}

fn handle() -> Handle {
    Handle {
        door: Shared::new("Door", Door::new()),
        accepted: std::sync::atomic::AtomicUsize::new(0),
    }
}

#[test]
fn calls_through_the_trait_drive_inputs() {
    let h = handle();
    let door: &dyn DoorHandle = &h;
    assert_eq!(door.current_phase(), DoorPhase::Closed);
    assert!(!door.is_open());
    door.push().unwrap();
    assert!(door.is_open());
    assert_eq!(door.times_opened(), Ok(1));
    door.pull().unwrap();
    door.lock(Pin(42)).unwrap();
    assert_eq!(door.current_phase(), DoorPhase::Locked);
    assert_eq!(door.unlock(Pin(42), false), Ok(true));
    door.lock(Pin(5)).unwrap();
    let wrong = UnlockRequest {
        pin: Pin(6),
        options: UnlockOptions { force: false },
    };
    assert!(door.unlock_with(wrong).is_err());
    let request = UnlockRequest {
        pin: Pin(6),
        options: UnlockOptions { force: true },
    };
    assert_eq!(door.unlock_with(request), Ok(true));
    assert_eq!(
        door.snapshot(),
        DoorState {
            phase: "Closed",
            opened: 1
        }
    );
    assert_eq!(door.label(), "front");
    assert_eq!(h.accepted.load(std::sync::atomic::Ordering::Relaxed), 6);
}

#[test]
fn rejections_come_back_converted_and_change_nothing() {
    let h = handle();
    let door: &dyn DoorHandle = &h;
    assert_eq!(
        door.pull(),
        Err(DoorError::Refused {
            context: "DoorHandle::pull",
            guard: None
        })
    );
    door.lock(Pin(7)).unwrap();
    let before = door.snapshot();
    assert_eq!(
        door.unlock(Pin(8), false),
        Err(DoorError::Refused {
            context: "DoorHandle::unlock",
            guard: Some("matches")
        })
    );
    assert_eq!(door.snapshot(), before);
    assert_eq!(door.current_phase(), DoorPhase::Locked);
    assert_eq!(h.accepted.load(std::sync::atomic::Ordering::Relaxed), 1);
}

#[test]
fn drive_errors_name_their_context() {
    let shared = Shared::new("Door", Door::new());
    let err = Authority::<Door>::drive(&shared, "Door::pull", DoorInput::Pull).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Door::pull: Door: input `Pull` rejected in phase `Closed`"),
        "{err}"
    );
}

#[test]
fn a_panicking_lock_holder_leaves_the_machine_in_service() {
    let h = std::sync::Arc::new(handle());
    let h2 = std::sync::Arc::clone(&h);
    let joined = std::thread::spawn(move || h2.door.with(|_| panic!("poison"))).join();
    assert!(joined.is_err());
    let door: &dyn DoorHandle = &*h;
    assert_eq!(door.current_phase(), DoorPhase::Closed);
    door.push().unwrap();
    assert_eq!(door.times_opened(), Ok(1));
    assert!(door.is_open());
    assert_eq!(door.snapshot().phase, "Open");
}
