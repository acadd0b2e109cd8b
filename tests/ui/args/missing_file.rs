fsm::machine!("ui/args/no_such_spec.fsm");

fn main() {}
