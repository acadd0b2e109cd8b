fsm::machine!("ui/names/unknown_input.fsm");

fn main() {}
