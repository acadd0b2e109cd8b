//! The contract of the agent runtime.
//!
//! [`handles`] holds the handle traits through which the runtime drives its
//! state machines (turns, tool surfaces, peer interactions, auth leases and
//! more), together with the snapshot, projection and error types they
//! exchange. The sibling modules hold the identifiers and value types those
//! traits name. [`runtime`] implements every handle with machines generated
//! from the specs in `machines/`; [`SessionRuntimeBindings`] hands out one
//! session's handles.

#![warn(missing_docs)]

pub mod comms;
pub mod connection;
pub mod event;
pub mod handles;
pub mod interaction;
pub mod lifecycle;
pub mod ops;
pub mod peer_correlation;
pub mod retry;
pub mod runtime;
mod state;
pub mod tool_scope;
pub mod turn_execution_authority;
pub mod types;

pub use runtime::SessionRuntimeBindings;
pub use state::LoopState;
