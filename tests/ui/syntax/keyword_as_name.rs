fsm::machine!("ui/syntax/keyword_as_name.fsm");

fn main() {}
