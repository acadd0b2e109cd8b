fsm::machine!("ui/syntax/unexpected_token.fsm");

fn main() {}
