fsm::machine!("ui/names/unknown_field.fsm");

fn main() {}
