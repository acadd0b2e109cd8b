// One typo in a spec used by `machine!` and `#[fsm::implement]`: one compile
// error (the spec's), and nothing from the code that uses the machine.
use fsm::{Authority, DriveError, FromDrive, Shared, Step};

fsm::machine!("ui/hygiene/typo.fsm");

struct Handle(Shared<Door>);

impl Authority<Door> for Handle {
    fn drive(
        &self,
        context: &'static str,
        input: DoorInput,
    ) -> Result<Step<DoorPhase, DoorEffect>, DriveError> {
        self.0.drive(context, input)
    }

    fn read<R>(&self, f: impl FnOnce(&Door) -> R) -> R {
        Authority::<Door>::read(&self.0, f)
    }
}

struct Moved(bool);

impl FromDrive<Door> for Moved {
    fn from_drive(
        _context: &'static str,
        outcome: Result<Step<DoorPhase, DoorEffect>, DriveError>,
    ) -> Self {
        Moved(outcome.is_ok())
    }
}

trait DoorHandle {
    fn push(&self) -> Moved;
    fn pull(&self) -> Result<Step<DoorPhase, DoorEffect>, DriveError>;
    fn phase(&self) -> DoorPhase;
}

#[fsm::implement("ui/hygiene/typo.fsm", DoorHandle)]
impl DoorHandle for Handle {
    fn push(&self) -> Moved;
    fn pull(&self) -> Result<Step<DoorPhase, DoorEffect>, DriveError>;
    fn phase(&self) -> DoorPhase;
}

fn main() {
    let handle = Handle(Shared::new("door", Door::new()));
    let _ = handle.push();
    let mut door = Door::new();
    let _ = door.pull();
    assert_eq!(door.phase(), DoorPhase::Closed);
    let _ = Door::INFO.name;
}
