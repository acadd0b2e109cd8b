fsm::machine!("ui/structure/no_initial.fsm");

fn main() {}
