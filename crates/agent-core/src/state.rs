//! The coarse state of the agent loop.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where the agent loop is: calling the model, waiting, draining or done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoopState {
    /// Waiting for a model response.
    #[default]
    CallingLlm,
    /// Waiting for asynchronous operations to finish.
    WaitingForOps,
    /// Draining queued events at a boundary.
    DrainingEvents,
    /// A cancellation is in progress.
    Cancelling,
    /// Recovering from a retryable error.
    ErrorRecovery,
    /// The loop has finished.
    Completed,
}

impl LoopState {
    /// True only for [`LoopState::Completed`].
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed)
    }

    /// True while the loop waits on the model or on operations.
    pub fn is_waiting(&self) -> bool {
        matches!(self, Self::CallingLlm | Self::WaitingForOps)
    }

    fn as_str(&self) -> &'static str {
        match self {
            Self::CallingLlm => "calling_llm",
            Self::WaitingForOps => "waiting_for_ops",
            Self::DrainingEvents => "draining_events",
            Self::Cancelling => "cancelling",
            Self::ErrorRecovery => "error_recovery",
            Self::Completed => "completed",
        }
    }
}

impl fmt::Display for LoopState {
    /// Writes the same snake_case text as serde.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
