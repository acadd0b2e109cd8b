//! Recording what a machine does as a trace: JSON lines that
//! `fsm replay SPEC TRACE` checks against the spec (the format is described
//! in `docs/simulation.md`). Behind the `trace` feature.
//!
//! ```text
//! let mut machine = Door::new();
//! let mut trace = fsm::trace::TraceWriter::new(File::create("door.jsonl")?, &machine)?;
//! let step = trace.apply(&mut machine, DoorInput::Push)?;
//! ```

use crate::{Machine, Rejection, RejectionKind, Step};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// The version of the trace format written (the header's `fsm_trace`).
pub const FORMAT_VERSION: u64 = 1;

/// What [`Machine::apply`] returns for `M`.
pub type Applied<M> = Result<Step<<M as Machine>::Phase, <M as Machine>::Effect>, Rejection>;

/// Writes a trace: a header for one machine instance, then one line per
/// input with its result.
#[derive(Debug)]
pub struct TraceWriter<W: Write> {
    out: W,
}

impl<W: Write> TraceWriter<W> {
    /// Starts the trace of `machine` (in the state it is in, normally just
    /// created) by writing the header: the machine's name and, for a keyed
    /// machine, its key as serde serializes it.
    pub fn new<M: Machine>(out: W, machine: &M) -> io::Result<Self>
    where
        M::Key: Serialize,
    {
        let mut header = Map::new();
        header.insert("fsm_trace".to_owned(), json!(FORMAT_VERSION));
        header.insert("machine".to_owned(), json!(M::INFO.name));
        // An unkeyed machine's key is `()`, which serializes as `null`.
        let key = serde_json::to_value(machine.key()).map_err(io::Error::other)?;
        if !key.is_null() {
            header.insert("key".to_owned(), key);
        }
        let mut writer = TraceWriter { out };
        writer.line(&Value::Object(header))?;
        Ok(writer)
    }

    /// Applies `input` to `machine` and records the input with its result.
    /// The outer `Result` is the write; the inner one is `apply`'s.
    pub fn apply<M: Machine>(&mut self, machine: &mut M, input: M::Input) -> io::Result<Applied<M>>
    where
        M::Input: Serialize,
        M::Phase: Serialize,
        M::Effect: Serialize,
    {
        // Serialized before `apply` takes it.
        let json = serde_json::to_value(&input).map_err(io::Error::other)?;
        let result = machine.apply(input);
        self.record_value(json, &result)?;
        Ok(result)
    }

    /// Records one input and what `apply` returned for it, for callers
    /// that apply inputs themselves (through a `Registry` or `Shared`):
    /// serialize the input before applying it.
    pub fn record<I, P, E>(
        &mut self,
        input: &I,
        result: &Result<Step<P, E>, Rejection>,
    ) -> io::Result<()>
    where
        I: Serialize,
        P: Serialize,
        E: Serialize,
    {
        let input = serde_json::to_value(input).map_err(io::Error::other)?;
        self.record_value(input, result)
    }

    fn record_value<P: Serialize, E: Serialize>(
        &mut self,
        input: Value,
        result: &Result<Step<P, E>, Rejection>,
    ) -> io::Result<()> {
        let mut line = Map::new();
        line.insert("input".to_owned(), input);
        match result {
            Ok(step) => {
                let effects = serde_json::to_value(&step.effects).map_err(io::Error::other)?;
                line.insert(
                    "step".to_owned(),
                    json!({
                        "transition": step.transition,
                        "from": serde_json::to_value(&step.from).map_err(io::Error::other)?,
                        "to": serde_json::to_value(&step.to).map_err(io::Error::other)?,
                        "effects": effects,
                    }),
                );
            }
            Err(rejection) => {
                line.insert("rejected".to_owned(), rejection_json(&rejection.kind));
            }
        }
        self.line(&Value::Object(line))
    }

    fn line(&mut self, value: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn rejection_json(kind: &RejectionKind) -> Value {
    match kind {
        RejectionKind::NoMatchingTransition => json!({"kind": "no_matching_transition"}),
        RejectionKind::GuardRejected { transition, guard } => {
            json!({"kind": "guard_rejected", "transition": transition, "guard": guard})
        }
        RejectionKind::ArithmeticOverflow { transition } => {
            json!({"kind": "arithmetic_overflow", "transition": transition})
        }
        RejectionKind::InvariantViolated {
            transition,
            invariant,
        } => {
            json!({"kind": "invariant_violated", "transition": transition, "invariant": invariant})
        }
    }
}
