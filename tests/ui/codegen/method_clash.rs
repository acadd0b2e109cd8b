fsm::machine!("ui/codegen/method_clash.fsm");

fn main() {}
