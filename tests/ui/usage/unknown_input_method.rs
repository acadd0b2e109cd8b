fsm::machine!("ui/usage/door.fsm");

fn main() {
    let mut door = Door::new();
    let _ = door.slam();
}
