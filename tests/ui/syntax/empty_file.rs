fsm::machine!("ui/syntax/empty_file.fsm");

fn main() {}
