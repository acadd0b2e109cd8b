//! One module per subcommand: each has a clap `Args` struct and a `run`
//! returning the outcome that becomes the exit code.

pub mod check;
pub mod diff;
pub mod doc;
pub mod expand;
pub mod explain;
pub mod export;
pub mod fmt;
pub mod graph;
pub mod lsp;
pub mod replay;
pub mod sim;
pub mod verify;
pub mod view;
