fsm::machine!(auth_lease);

fn main() {}
