//! Tools that read a checked [`fsm_core::Model`]: the explicit-state model
//! checker ([`verify`]) and its evaluator ([`eval`]), the exports to TLA+,
//! Promela and JSON ([`export`]), diagrams ([`graph`]) and documentation
//! pages ([`doc`]), and traces of inputs
//! ([`trace`]), read and written as JSON lines. Like `fsm-core`, this crate does no I/O of its own.

pub mod doc;
pub mod eval;
pub mod export;
pub mod graph;
pub mod trace;
pub mod verify;
