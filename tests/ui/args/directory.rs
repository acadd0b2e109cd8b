fsm::machine!("ui/args");

fn main() {}
