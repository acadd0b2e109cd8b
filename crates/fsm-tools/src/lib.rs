//! Tools that read a checked [`fsm_core::Model`]: the explicit-state model
//! checker ([`verify`]) and its evaluator ([`eval`]), the exports to TLA+,
//! Promela and JSON ([`export`]), diagrams ([`graph`]), documentation
//! pages ([`doc`]), traces of inputs ([`trace`], read and written as JSON
//! lines) and the viewer behind `fsm view` ([`view`], which serves no
//! socket: its caller does). Like `fsm-core`, this crate does no I/O of
//! its own.

pub mod diff;
pub mod doc;
pub mod eval;
pub mod export;
pub mod graph;
pub mod trace;
pub mod verify;
pub mod view;
