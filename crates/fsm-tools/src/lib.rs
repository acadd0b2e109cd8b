//! Tools that read a checked [`fsm_core::Model`]: the explicit-state model
//! checker ([`verify`]) and its evaluator ([`eval`]), the exports to TLA+,
//! Promela and JSON ([`export`]), diagrams ([`graph`]) and documentation
//! pages ([`doc`]). Like `fsm-core`, this crate does no I/O of its own.

pub mod diff;
pub mod doc;
pub mod eval;
pub mod export;
pub mod graph;
pub mod verify;
