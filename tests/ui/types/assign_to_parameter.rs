fsm::machine!("ui/types/assign_to_parameter.fsm");

fn main() {}
