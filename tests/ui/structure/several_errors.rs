fsm::machine!("ui/structure/several_errors.fsm");

fn main() {}
