// A spec warning is a compiler warning at the macro call, naming the
// spec's `path:line:col`. (The build fails on purpose, below, so that
// trybuild records the warnings.)
fsm::machine!("ui/hygiene/unused_input.fsm");

fn main() {
    let _ = Lamp::new();
}

compile_error!("the build fails here");
