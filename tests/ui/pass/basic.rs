use fsm::Machine;

fsm::machine!("ui/pass/basic.fsm");

fn main() {
    let mut door = Door::new();
    let step = door.open().unwrap();
    assert_eq!(step.effects, vec![DoorEffect::Opened { count: 1 }]);
    door.close().unwrap();
    assert!(door.close().unwrap().is_ignored());
    assert_eq!(door.lock(0).unwrap_err().kind.guard(), Some("real_code"));
    door.lock(7).unwrap();
    assert_eq!(door.phase(), DoorPhase::Locked);
    let snapshot = door.snapshot();
    assert_eq!(Door::restore(snapshot).unwrap(), door);
    assert_eq!(Door::INFO.transitions.len(), 3);
}
