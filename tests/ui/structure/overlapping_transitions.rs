fsm::machine!("ui/structure/overlapping_transitions.fsm");

fn main() {}
