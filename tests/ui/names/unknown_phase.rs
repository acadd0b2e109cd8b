fsm::machine!("ui/names/unknown_phase.fsm");

fn main() {}
