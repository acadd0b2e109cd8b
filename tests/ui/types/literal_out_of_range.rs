fsm::machine!("ui/types/literal_out_of_range.fsm");

fn main() {}
