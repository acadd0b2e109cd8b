mod modes {
    #[derive(
        Debug,
        Clone,
        Copy,
        PartialEq,
        Eq,
        PartialOrd,
        Ord,
        Hash,
        serde::Serialize,
        serde::Deserialize,
    )]
    pub enum Mode {
        Off,
        On,
        Dimmed,
    }
}

fsm::machine!("ui/codegen/bound_enum_missing_variant.fsm");

fn main() {}
