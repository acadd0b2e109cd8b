//! Asynchronous operations a turn can wait on.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The identity of one asynchronous operation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OperationId(pub Uuid);

impl OperationId {
    /// A fresh time-ordered (v7) id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for OperationId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// An operation together with how a turn waits on it.
///
/// Ordered by `operation_id`, then `wait_policy`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AsyncOpRef {
    /// The operation.
    pub operation_id: OperationId,
    /// Whether the turn waits for it.
    pub wait_policy: WaitPolicy,
}

impl AsyncOpRef {
    /// An operation the turn waits for.
    pub fn barrier(operation_id: OperationId) -> Self {
        Self {
            operation_id,
            wait_policy: WaitPolicy::Barrier,
        }
    }

    /// An operation the turn does not wait for.
    pub fn detached(operation_id: OperationId) -> Self {
        Self {
            operation_id,
            wait_policy: WaitPolicy::Detached,
        }
    }
}

/// Whether a turn waits for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitPolicy {
    /// The turn waits for the operation.
    Barrier,
    /// The turn goes on without it.
    Detached,
}

impl WaitPolicy {
    /// [`WaitPolicy::Barrier`].
    pub fn barrier() -> Self {
        Self::Barrier
    }

    /// [`WaitPolicy::Detached`].
    pub fn detached() -> Self {
        Self::Detached
    }
}
