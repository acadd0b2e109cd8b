mod door {
    fsm::machine!("ui/usage/door.fsm");
}

fn main() {
    let mut door = door::Door::new();
    door.opened = 5;
}
