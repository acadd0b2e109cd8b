fsm::machine!("ui/types/mismatched_comparison.fsm");

fn main() {}
