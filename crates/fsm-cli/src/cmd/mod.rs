//! One module per subcommand: each has a clap `Args` struct and a `run`
//! returning the outcome that becomes the exit code.

pub mod check;
pub mod expand;
pub mod fmt;
