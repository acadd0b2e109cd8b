//! Run and input identities, and the primitives a run executes.

mod identifiers;
pub mod run_primitive;

pub use identifiers::{InputId, RunId, WaitRequestId};
