fsm::machine!("ui/pass/basic.fsm", "ui/pass/basic.fsm");

fn main() {}
