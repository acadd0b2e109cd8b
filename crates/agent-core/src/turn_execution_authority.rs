//! Phases, content shapes and terminal outcomes of a turn.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::event::AgentErrorClass;

/// The phase of one turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnPhase {
    /// No run is in progress.
    Ready,
    /// A run primitive is being applied.
    ApplyingPrimitive,
    /// Waiting for the model.
    CallingLlm,
    /// Waiting for operations.
    WaitingForOps,
    /// At a boundary between model calls.
    DrainingBoundary,
    /// Extracting structured output.
    Extracting,
    /// Recovering from a retryable failure.
    ErrorRecovery,
    /// Cancelling.
    Cancelling,
    /// The turn completed.
    Completed,
    /// The turn failed.
    Failed,
    /// The turn was cancelled.
    Cancelled,
}

impl TurnPhase {
    /// True for Completed, Failed and Cancelled.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// True for Extracting.
    pub fn is_extracting(self) -> bool {
        matches!(self, Self::Extracting)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Ready => "Ready",
            Self::ApplyingPrimitive => "ApplyingPrimitive",
            Self::CallingLlm => "CallingLlm",
            Self::WaitingForOps => "WaitingForOps",
            Self::DrainingBoundary => "DrainingBoundary",
            Self::Extracting => "Extracting",
            Self::ErrorRecovery => "ErrorRecovery",
            Self::Cancelling => "Cancelling",
            Self::Completed => "Completed",
            Self::Failed => "Failed",
            Self::Cancelled => "Cancelled",
        }
    }
}

impl fmt::Display for TurnPhase {
    /// Writes the variant name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of primitive a turn runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnPrimitiveKind {
    /// No primitive.
    None,
    /// A full conversation turn with model calls.
    ConversationTurn,
    /// An append to the conversation without a model call.
    ImmediateAppend,
    /// An append to the context without a model call.
    ImmediateContextAppend,
}

/// What an admitted input contributes to a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContentShape {
    /// Conversation content only.
    Conversation,
    /// Conversation and context content.
    ConversationAndContext,
    /// Context content only.
    Context,
    /// No content.
    Empty,
    /// An immediate conversation append.
    ImmediateAppend,
    /// An immediate context append.
    ImmediateContext,
}

impl ContentShape {
    /// The type's name in schemas.
    pub const SCHEMA_TYPE_NAME: &'static str = "ContentShape";

    /// Every shape, in declaration order.
    pub const ALL: [Self; 6] = [
        Self::Conversation,
        Self::ConversationAndContext,
        Self::Context,
        Self::Empty,
        Self::ImmediateAppend,
        Self::ImmediateContext,
    ];

    /// Every shape's schema variant name, in declaration order.
    pub const SCHEMA_VARIANTS: [&'static str; 6] = [
        "Conversation",
        "ConversationAndContext",
        "Context",
        "Empty",
        "ImmediateAppend",
        "ImmediateContext",
    ];

    /// The shape's text, such as `conversation+context`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Conversation => "conversation",
            Self::ConversationAndContext => "conversation+context",
            Self::Context => "context",
            Self::Empty => "empty",
            Self::ImmediateAppend => "immediate_append",
            Self::ImmediateContext => "immediate_context",
        }
    }

    /// The shape's variant name in schemas.
    pub const fn schema_variant(self) -> &'static str {
        match self {
            Self::Conversation => "Conversation",
            Self::ConversationAndContext => "ConversationAndContext",
            Self::Context => "Context",
            Self::Empty => "Empty",
            Self::ImmediateAppend => "ImmediateAppend",
            Self::ImmediateContext => "ImmediateContext",
        }
    }

    /// The shape of staged content with or without conversation and context.
    pub const fn from_staged_presence(has_conversation: bool, has_context: bool) -> Self {
        match (has_conversation, has_context) {
            (true, true) => Self::ConversationAndContext,
            (true, false) => Self::Conversation,
            (false, true) => Self::Context,
            (false, false) => Self::Empty,
        }
    }

    /// The shape whose schema variant name is `name`.
    pub fn from_schema_variant(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|shape| shape.schema_variant() == name)
    }
}

impl fmt::Display for ContentShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnTerminalOutcome {
    /// No outcome.
    None,
    /// The turn completed.
    Completed,
    /// The turn failed.
    Failed,
    /// The turn was cancelled.
    Cancelled,
    /// A budget ran out.
    BudgetExhausted,
    /// The time budget ran out.
    TimeBudgetExceeded,
    /// Structured output did not validate.
    StructuredOutputValidationFailed,
}

/// Why a turn ended the way it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnTerminalCauseKind {
    /// The cause is not known.
    Unknown,
    /// A hook denied the turn.
    HookDenied,
    /// A hook failed.
    HookFailure,
    /// The model call failed.
    LlmFailure,
    /// A tool failed.
    ToolFailure,
    /// Structured output did not validate.
    StructuredOutputValidationFailed,
    /// A budget ran out.
    BudgetExhausted,
    /// The time budget ran out.
    TimeBudgetExceeded,
    /// Retries ran out.
    RetryExhausted,
    /// The turn limit was reached.
    TurnLimitReached,
    /// Applying the run failed.
    RuntimeApplyFailure,
    /// A fatal failure.
    FatalFailure,
}

impl TurnTerminalCauseKind {
    /// The error class this cause reports as.
    pub fn agent_error_class(self) -> AgentErrorClass {
        match self {
            Self::Unknown | Self::RuntimeApplyFailure => AgentErrorClass::Internal,
            Self::HookDenied | Self::HookFailure => AgentErrorClass::Hook,
            Self::LlmFailure | Self::RetryExhausted => AgentErrorClass::Llm,
            Self::ToolFailure => AgentErrorClass::Tool,
            Self::StructuredOutputValidationFailed => AgentErrorClass::StructuredOutput,
            Self::BudgetExhausted | Self::TimeBudgetExceeded => AgentErrorClass::Budget,
            Self::TurnLimitReached => AgentErrorClass::MaxTurns,
            Self::FatalFailure => AgentErrorClass::Terminal,
        }
    }

    /// The message used when a terminal turn carries no message of its own.
    pub fn default_message(self, _outcome: TurnTerminalOutcome) -> &'static str {
        match self {
            Self::Unknown => "unknown terminal cause",
            Self::HookDenied => "hook denied terminal turn",
            Self::HookFailure => "hook failure terminal turn",
            Self::LlmFailure => "LLM failure terminal turn",
            Self::ToolFailure => "tool failure terminal turn",
            Self::StructuredOutputValidationFailed => "structured output validation failed",
            Self::BudgetExhausted => "budget exhausted",
            Self::TimeBudgetExceeded => "time budget exceeded",
            Self::RetryExhausted => "retry exhausted",
            Self::TurnLimitReached => "turn limit reached",
            Self::RuntimeApplyFailure => "runtime apply failure",
            Self::FatalFailure => "fatal turn failure",
        }
    }

    /// True for every cause except Unknown.
    pub fn is_specific_failure_cause(self) -> bool {
        !matches!(self, Self::Unknown)
    }

    /// The cause that an error of `class` ends a turn with.
    pub fn from_error_class(class: AgentErrorClass) -> Self {
        match class {
            AgentErrorClass::Hook => Self::HookFailure,
            AgentErrorClass::Llm => Self::LlmFailure,
            AgentErrorClass::Tool => Self::ToolFailure,
            AgentErrorClass::StructuredOutput | AgentErrorClass::InvalidOutputSchema => {
                Self::StructuredOutputValidationFailed
            }
            AgentErrorClass::Budget => Self::BudgetExhausted,
            AgentErrorClass::MaxTurns => Self::TurnLimitReached,
            _ => Self::FatalFailure,
        }
    }
}

/// Why a turn or run failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnFailureReason {
    /// The error class.
    pub class: AgentErrorClass,
    /// The terminal cause.
    pub cause_kind: TurnTerminalCauseKind,
    /// A human-readable description.
    pub message: String,
}

impl TurnFailureReason {
    /// A failure whose cause follows from its class.
    pub fn new(class: AgentErrorClass, message: impl Into<String>) -> Self {
        Self::with_cause(
            TurnTerminalCauseKind::from_error_class(class),
            class,
            message,
        )
    }

    /// A failure with an explicit cause.
    pub fn with_cause(
        cause_kind: TurnTerminalCauseKind,
        class: AgentErrorClass,
        message: impl Into<String>,
    ) -> Self {
        Self {
            class,
            cause_kind,
            message: message.into(),
        }
    }
}
