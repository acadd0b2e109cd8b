fsm::machine!(42);

fn main() {}
