fsm::machine!("ui/usage/missing_extern.fsm");

fn main() {}
