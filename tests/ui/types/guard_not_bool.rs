fsm::machine!("ui/types/guard_not_bool.fsm");

fn main() {}
