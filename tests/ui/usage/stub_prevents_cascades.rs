fsm::machine!("ui/usage/broken.fsm");

// The spec has an error; the stub `Broken` keeps this from adding its own.
fn take(_: Broken) {}

fn main() {}
