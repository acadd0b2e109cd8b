fsm::machine!("");

fn main() {}
