// A return type without `FromDrive` or `FromQuery`: rustc's error is at
// the method's return type.
use fsm::{Authority, DriveError, Shared, Step};

fsm::machine!("ui/bindings/lamp.fsm");

struct Handle(Shared<Lamp>);

impl Authority<Lamp> for Handle {
    fn drive(
        &self,
        context: &'static str,
        input: LampInput,
    ) -> Result<Step<LampPhase, LampEffect>, DriveError> {
        self.0.drive(context, input)
    }

    fn read<R>(&self, f: impl FnOnce(&Lamp) -> R) -> R {
        Authority::<Lamp>::read(&self.0, f)
    }
}

/// Neither `FromDrive<Lamp>` nor `FromQuery<Lamp, u8>` is implemented.
struct Outcome;
struct Level;

trait LampHandle {
    fn switch(&self, level: u8) -> Result<Step<LampPhase, LampEffect>, DriveError>;
    fn reset(&self) -> Outcome;
    fn level(&self) -> Level;
}

#[fsm::implement("ui/bindings/lamp.fsm", LampHandle)]
impl LampHandle for Handle {
    fn switch(&self, level: u8) -> Result<Step<LampPhase, LampEffect>, DriveError>;
    fn reset(&self) -> Outcome;
    fn level(&self) -> Level;
}

fn main() {}
