fsm::machine!();

fn main() {}
