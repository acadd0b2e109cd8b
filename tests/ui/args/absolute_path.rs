fsm::machine!("/etc/machines/auth_lease.fsm");

fn main() {}
