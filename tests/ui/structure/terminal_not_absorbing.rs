fsm::machine!("ui/structure/terminal_not_absorbing.fsm");

fn main() {}
