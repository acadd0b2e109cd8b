// `#[fsm::implement]` on a spec with errors leaves their report to
// `machine!`; but when the machine in scope was not generated from that spec,
// the impl cannot build quietly with bodies that never run: it is an error.
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

trait LampHandle {
    fn switch(&self, level: u8) -> Result<Step<LampPhase, LampEffect>, DriveError>;
    fn reset(&self) -> Result<Step<LampPhase, LampEffect>, DriveError>;
}

#[fsm::implement("ui/hygiene/broken_lamp.fsm", LampHandle)]
impl LampHandle for Handle {
    fn switch(&self, level: u8) -> Result<Step<LampPhase, LampEffect>, DriveError>;
    fn reset(&self) -> Result<Step<LampPhase, LampEffect>, DriveError>;
}

fn main() {}
