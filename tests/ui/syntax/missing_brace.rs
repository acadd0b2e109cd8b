fsm::machine!("ui/syntax/missing_brace.fsm");

fn main() {}
