fsm::machine!("ui/names/duplicate_phase.fsm");

fn main() {}
