//! Classes of agent errors.

use serde::{Deserialize, Serialize};

/// The class of an agent error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentErrorClass {
    /// The model call failed.
    Llm,
    /// The session store failed.
    Store,
    /// A tool failed.
    Tool,
    /// An MCP server failed.
    Mcp,
    /// The session does not exist.
    SessionNotFound,
    /// A budget ran out.
    Budget,
    /// The model hit its output token limit.
    MaxTokens,
    /// The provider filtered the content.
    ContentFiltered,
    /// The turn limit was reached.
    MaxTurns,
    /// The work was cancelled.
    Cancelled,
    /// The request is not valid in the current state.
    InvalidState,
    /// The operation does not exist.
    OperationNotFound,
    /// Nesting went too deep.
    DepthLimit,
    /// Too much ran at once.
    ConcurrencyLimit,
    /// The configuration is invalid.
    Config,
    /// An internal error.
    Internal,
    /// Building the agent failed.
    Build,
    /// Authentication failed.
    Auth,
    /// A callback has not answered yet.
    CallbackPending,
    /// Structured output did not validate.
    StructuredOutput,
    /// The output schema is invalid.
    InvalidOutputSchema,
    /// A hook failed or denied.
    Hook,
    /// A terminal failure.
    Terminal,
    /// There is no pending boundary.
    NoPendingBoundary,
}
