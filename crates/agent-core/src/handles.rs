//! The handle traits through which the runtime drives its state machines,
//! and the snapshot, projection and error types they exchange.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::LoopState;
use crate::comms::InputSource;
use crate::interaction::{
    PeerIngressAdmission, PeerIngressEnvelopeFacts, PeerIngressPlainEventFacts,
};
use crate::lifecycle::run_primitive::ModelId;
use crate::lifecycle::{InputId, RunId};
use crate::ops::{AsyncOpRef, OperationId};
use crate::peer_correlation::{
    InboundPeerRequestState, InteractionStreamState, OutboundPeerRequestState, PeerCorrelationId,
};
use crate::retry::LlmRetrySchedule;
use crate::tool_scope::{
    ExternalToolSurfaceBaseState, ExternalToolSurfaceDeltaOperation, ExternalToolSurfaceDeltaPhase,
    ExternalToolSurfaceFailureCause, ExternalToolSurfaceGlobalPhase, ExternalToolSurfacePendingOp,
    ExternalToolSurfaceStagedOp,
};
use crate::turn_execution_authority::{
    ContentShape, TurnFailureReason, TurnPhase, TurnPrimitiveKind, TurnTerminalCauseKind,
    TurnTerminalOutcome,
};
use crate::types::SessionId;

/// How a comms drain task runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrainMode {
    /// A drain that exits after an idle timeout.
    Timed,
    /// Live ingress while a runtime-backed session is attached.
    AttachedSession,
    /// A long-lived drain without idle timeout, respawned on failure.
    PersistentHost,
}

/// Why a comms drain task exited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrainExitReason {
    /// The idle timeout elapsed.
    IdleTimeout,
    /// The drain was dismissed.
    Dismissed,
    /// The drain failed.
    Failed,
    /// The drain was aborted.
    Aborted,
    /// The session shut down.
    SessionShutdown,
}

/// Records the session's baseline model routing.
pub trait ModelRoutingHandle: Send + Sync {
    /// Sets the baseline model and whether it supports realtime.
    fn set_baseline(
        &self,
        baseline_model: ModelId,
        realtime_capable: bool,
    ) -> Result<(), DslTransitionError>;
}

impl DrainExitReason {
    /// The wire label, the variant name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IdleTimeout => "IdleTimeout",
            Self::Dismissed => "Dismissed",
            Self::Failed => "Failed",
            Self::Aborted => "Aborted",
            Self::SessionShutdown => "SessionShutdown",
        }
    }
}

/// The lifecycle phase of one credential lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthLeasePhase {
    /// The credential is valid.
    Valid,
    /// The credential is about to expire.
    Expiring,
    /// A refresh is in progress.
    Refreshing,
    /// The user must authenticate again.
    ReauthRequired,
    /// The lease was released.
    Released,
}

/// Why a state machine rejected an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DslRejectionKind {
    /// No transition exists for the input in the current phase.
    NoMatchingTransition,
    /// A transition exists but a guard refused it.
    GuardRejected,
}

/// A state machine refused an input; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DSL transition rejected in {context}: {reason}")]
pub struct DslTransitionError {
    /// The refusing operation, as `"<Trait>::<method>"`.
    pub context: &'static str,
    /// Why the input was refused.
    pub kind: DslRejectionKind,
    /// A human-readable explanation.
    pub reason: String,
}

impl DslTransitionError {
    /// A [`DslRejectionKind::NoMatchingTransition`] error.
    pub fn new(context: &'static str, reason: impl Into<String>) -> Self {
        Self::no_matching(context, reason)
    }

    /// A [`DslRejectionKind::NoMatchingTransition`] error.
    pub fn no_matching(context: &'static str, reason: impl Into<String>) -> Self {
        Self {
            context,
            kind: DslRejectionKind::NoMatchingTransition,
            reason: reason.into(),
        }
    }

    /// A [`DslRejectionKind::GuardRejected`] error.
    pub fn guard_rejected(context: &'static str, reason: impl Into<String>) -> Self {
        Self {
            context,
            kind: DslRejectionKind::GuardRejected,
            reason: reason.into(),
        }
    }

    /// True when a guard refused the input.
    pub fn is_guard_rejected(&self) -> bool {
        self.kind == DslRejectionKind::GuardRejected
    }
}

/// The phase a progress response from a peer reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerResponseProgressProjectionPhase {
    /// The peer accepted the request.
    Accepted,
    /// The peer is working on it.
    InProgress,
    /// The peer sent part of the result.
    PartialResult,
}

impl PeerResponseProgressProjectionPhase {
    fn label(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::InProgress => "in_progress",
            Self::PartialResult => "partial_result",
        }
    }
}

/// The status a terminal response from a peer reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerResponseTerminalProjectionStatus {
    /// The request completed.
    Completed,
    /// The request failed.
    Failed,
    /// The request was cancelled.
    Cancelled,
}

impl PeerResponseTerminalProjectionStatus {
    fn label(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Why the facts of a terminal peer response are invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerResponseTerminalFactError {
    /// The transport identity is blank.
    #[error("transport identity cannot be empty")]
    EmptyTransportIdentity,
    /// The route identity is blank.
    #[error("route identity cannot be empty")]
    EmptyRouteIdentity,
    /// The route identity holds a control character.
    #[error("route identity cannot contain control characters")]
    InvalidRouteIdentity,
    /// No display identity was given.
    #[error("display identity is required")]
    MissingDisplayIdentity,
    /// The display identity is blank.
    #[error("display identity cannot be empty")]
    EmptyDisplayIdentity,
    /// The display identity holds a control character.
    #[error("display identity cannot contain control characters")]
    InvalidDisplayIdentity,
    /// The correlation id is blank.
    #[error("correlation id cannot be empty")]
    EmptyCorrelationId,
    /// The correlation id is not a UUID.
    #[error("correlation id must be a UUID: {input}")]
    InvalidCorrelationId {
        /// The rejected text.
        input: String,
    },
}

/// The transport-level identity of a responding peer; not blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerResponseTerminalTransportIdentity(String);

impl PeerResponseTerminalTransportIdentity {
    /// Validates a transport identity.
    pub fn parse(raw: impl Into<String>) -> Result<Self, PeerResponseTerminalFactError> {
        let raw = raw.into();
        if raw.trim().is_empty() {
            return Err(PeerResponseTerminalFactError::EmptyTransportIdentity);
        }
        Ok(Self(raw))
    }

    /// The identity text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PeerResponseTerminalTransportIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The route identity of a responding peer; not blank, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerResponseTerminalRouteIdentity(String);

impl PeerResponseTerminalRouteIdentity {
    /// Validates a route identity.
    pub fn parse(raw: impl Into<String>) -> Result<Self, PeerResponseTerminalFactError> {
        let raw = raw.into();
        if raw.trim().is_empty() {
            return Err(PeerResponseTerminalFactError::EmptyRouteIdentity);
        }
        if raw.chars().any(char::is_control) {
            return Err(PeerResponseTerminalFactError::InvalidRouteIdentity);
        }
        Ok(Self(raw))
    }

    /// The identity text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PeerResponseTerminalRouteIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The name a responding peer is shown by; not blank, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerResponseTerminalDisplayIdentity(String);

impl PeerResponseTerminalDisplayIdentity {
    /// Validates a display identity.
    pub fn parse(raw: impl Into<String>) -> Result<Self, PeerResponseTerminalFactError> {
        let raw = raw.into();
        if raw.trim().is_empty() {
            return Err(PeerResponseTerminalFactError::EmptyDisplayIdentity);
        }
        if raw.chars().any(char::is_control) {
            return Err(PeerResponseTerminalFactError::InvalidDisplayIdentity);
        }
        Ok(Self(raw))
    }

    /// The identity text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PeerResponseTerminalDisplayIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The correlation id a terminal response answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerResponseTerminalCorrelationId(PeerCorrelationId);

impl PeerResponseTerminalCorrelationId {
    /// Parses any form that [`uuid::Uuid::parse_str`] accepts.
    pub fn parse(raw: impl AsRef<str>) -> Result<Self, PeerResponseTerminalFactError> {
        let raw = raw.as_ref();
        if raw.trim().is_empty() {
            return Err(PeerResponseTerminalFactError::EmptyCorrelationId);
        }
        uuid::Uuid::parse_str(raw)
            .map(|uuid| Self(PeerCorrelationId::from_uuid(uuid)))
            .map_err(|_| PeerResponseTerminalFactError::InvalidCorrelationId {
                input: raw.to_string(),
            })
    }

    /// Wraps a correlation id.
    pub const fn from_peer_correlation_id(correlation_id: PeerCorrelationId) -> Self {
        Self(correlation_id)
    }

    /// The inner correlation id.
    pub const fn as_peer_correlation_id(self) -> PeerCorrelationId {
        self.0
    }
}

impl std::fmt::Display for PeerResponseTerminalCorrelationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The payload shown with a terminal response, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerResponseTerminalRenderPayload(Option<serde_json::Value>);

impl PeerResponseTerminalRenderPayload {
    /// Wraps a payload.
    pub fn new(payload: Option<serde_json::Value>) -> Self {
        Self(payload)
    }

    /// The payload, if any.
    pub fn as_ref(&self) -> Option<&serde_json::Value> {
        self.0.as_ref()
    }
}

impl From<Option<serde_json::Value>> for PeerResponseTerminalRenderPayload {
    fn from(payload: Option<serde_json::Value>) -> Self {
        Self::new(payload)
    }
}

/// The identities of the peer that sent a terminal response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerResponseTerminalSource {
    /// The transport-level identity, if known.
    pub transport_identity: Option<PeerResponseTerminalTransportIdentity>,
    /// The route identity.
    pub route_identity: PeerResponseTerminalRouteIdentity,
    /// The display identity.
    pub display_identity: PeerResponseTerminalDisplayIdentity,
}

impl PeerResponseTerminalSource {
    /// Builds a source from validated identities.
    pub fn new(
        transport_identity: Option<PeerResponseTerminalTransportIdentity>,
        route_identity: PeerResponseTerminalRouteIdentity,
        display_identity: PeerResponseTerminalDisplayIdentity,
    ) -> Self {
        Self {
            transport_identity,
            route_identity,
            display_identity,
        }
    }

    /// Validates and builds a source.
    pub fn parse(
        transport_identity: Option<impl Into<String>>,
        route_identity: impl Into<String>,
        display_identity: impl Into<String>,
    ) -> Result<Self, PeerResponseTerminalFactError> {
        Ok(Self::new(
            transport_identity
                .map(PeerResponseTerminalTransportIdentity::parse)
                .transpose()?,
            PeerResponseTerminalRouteIdentity::parse(route_identity)?,
            PeerResponseTerminalDisplayIdentity::parse(display_identity)?,
        ))
    }
}

/// A terminal response from a peer, ready to be shown to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerResponseTerminalFact {
    /// Who responded.
    pub source: PeerResponseTerminalSource,
    /// The request answered.
    pub correlation_id: PeerResponseTerminalCorrelationId,
    /// How the request ended.
    pub status: PeerResponseTerminalProjectionStatus,
    /// The payload to show.
    pub render_payload: PeerResponseTerminalRenderPayload,
}

impl PeerResponseTerminalFact {
    /// Builds a fact.
    pub fn new(
        source: PeerResponseTerminalSource,
        correlation_id: PeerResponseTerminalCorrelationId,
        status: PeerResponseTerminalProjectionStatus,
        render_payload: PeerResponseTerminalRenderPayload,
    ) -> Self {
        Self {
            source,
            correlation_id,
            status,
            render_payload,
        }
    }

    /// The system notice shown to the model.
    pub fn prompt_text(&self) -> String {
        format!(
            "[SYSTEM NOTICE][PEER_RESPONSE_TERMINAL] Correlated peer response from {}. Request ID: {}. Status: {}. Result: {}.",
            self.source.display_identity,
            self.correlation_id,
            self.status.label(),
            format_peer_projection_payload(self.render_payload.as_ref())
        )
    }

    /// The key that identifies this response in the context.
    pub fn context_key(&self) -> String {
        peer_response_terminal_context_key(&self.source.route_identity, self.correlation_id)
    }
}

/// Peer traffic as it is shown to the model.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerConversationProjection {
    /// A plain message.
    Message {
        /// The sending peer.
        peer_id: String,
    },
    /// A correlated request the model must answer with `send_response`.
    Request {
        /// The requesting peer.
        peer_id: crate::comms::PeerId,
        /// The requesting peer's display name.
        display_name: Option<String>,
        /// The request's id.
        request_id: String,
        /// The request's intent.
        intent: String,
        /// The request's parameters.
        payload: Option<serde_json::Value>,
    },
    /// Progress on a request this agent sent.
    ResponseProgress {
        /// The responding peer.
        peer_id: String,
        /// The request's id.
        request_id: String,
        /// The reported phase.
        phase: PeerResponseProgressProjectionPhase,
        /// The progress payload.
        payload: Option<serde_json::Value>,
    },
    /// The terminal response to a request this agent sent.
    ResponseTerminal {
        /// The response.
        fact: PeerResponseTerminalFact,
    },
}

impl PeerConversationProjection {
    /// A terminal-response projection.
    pub fn response_terminal(fact: PeerResponseTerminalFact) -> Self {
        Self::ResponseTerminal { fact }
    }

    /// The header placed before a message block, for messages.
    pub fn block_prefix_text(&self) -> Option<String> {
        match self {
            Self::Message { peer_id } => Some(format!("[COMMS MESSAGE from {peer_id}]")),
            Self::Request { .. }
            | Self::ResponseProgress { .. }
            | Self::ResponseTerminal { .. } => None,
        }
    }

    /// The text shown to the model; empty for messages.
    pub fn prompt_text(&self) -> String {
        match self {
            Self::Message { .. } => String::new(),
            Self::Request {
                peer_id,
                display_name,
                request_id,
                intent,
                payload,
            } => {
                let display_suffix = display_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(|name| format!(" (display_name: {name})"))
                    .unwrap_or_default();
                let response_call = crate::interaction::SendResponseCallProjection::new(
                    *peer_id,
                    display_name.as_deref(),
                    request_id.clone(),
                );
                format!(
                    "[SYSTEM NOTICE][PEER_REQUEST] Correlated peer request from peer_id {peer_id}{display_suffix}. Intent: {intent}. Request ID: {request_id}. Params: {}. This is not a normal user request and not a prompt for direct user-facing output. {} Do not use send_message for this reply.",
                    format_peer_projection_payload(payload.as_ref()),
                    response_call.instruction_text()
                )
            }
            Self::ResponseProgress {
                peer_id,
                request_id,
                phase,
                payload,
            } => format!(
                "[SYSTEM NOTICE][PEER_RESPONSE_PROGRESS] Correlated peer response progress from {peer_id}. Request ID: {request_id}. Phase: {}. Payload: {}.",
                phase.label(),
                format_peer_projection_payload(payload.as_ref())
            ),
            Self::ResponseTerminal { fact } => fact.prompt_text(),
        }
    }

    /// The context key, for terminal responses.
    pub fn context_key(&self) -> Option<String> {
        match self {
            Self::ResponseTerminal { fact } => Some(fact.context_key()),
            Self::Message { .. } | Self::Request { .. } | Self::ResponseProgress { .. } => None,
        }
    }
}

/// The context key of a terminal response: `peer_response_terminal:{route}:{id}`.
pub fn peer_response_terminal_context_key(
    route_identity: &PeerResponseTerminalRouteIdentity,
    correlation_id: PeerResponseTerminalCorrelationId,
) -> String {
    format!("peer_response_terminal:{route_identity}:{correlation_id}")
}

fn format_peer_projection_payload(payload: Option<&serde_json::Value>) -> String {
    serde_json::to_string_pretty(payload.unwrap_or(&serde_json::Value::Null))
        .unwrap_or_else(|_| "null".to_string())
}

/// A point-in-time view of the turn state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnStateSnapshot {
    /// The run in progress, if any.
    pub active_run_id: Option<RunId>,
    /// The coarse loop state.
    pub loop_state: LoopState,
    /// The turn phase.
    pub turn_phase: TurnPhase,
    /// The primitive the run executes.
    pub primitive_kind: Option<TurnPrimitiveKind>,
    /// The shape of the admitted content.
    pub admitted_content_shape: Option<ContentShape>,
    /// Whether image input is enabled.
    pub vision_enabled: bool,
    /// Whether tools may return images.
    pub image_tool_results_enabled: bool,
    /// Tool calls returned by the model and not yet registered.
    pub tool_calls_pending: u64,
    /// The registered asynchronous operations.
    pub pending_op_refs: BTreeSet<AsyncOpRef>,
    /// The operations the turn waits for.
    pub barrier_operation_ids: BTreeSet<OperationId>,
    /// Whether the turn waits for any operation.
    pub has_barrier_ops: bool,
    /// Whether the wait has finished.
    pub barrier_satisfied: bool,
    /// Boundaries applied in this run.
    pub boundary_count: u64,
    /// Whether a cancel at the next boundary was requested.
    pub cancel_after_boundary: bool,
    /// How the turn ended, once it has.
    pub terminal_outcome: Option<TurnTerminalOutcome>,
    /// Why the turn ended, once it has.
    pub terminal_cause_kind: Option<TurnTerminalCauseKind>,
    /// Structured-output extraction attempts so far.
    pub extraction_attempts: u64,
    /// The most extraction retries allowed.
    pub max_extraction_retries: u64,
    /// The last scheduled model retry's number.
    pub llm_retry_attempt: u32,
    /// The last retry plan's retry limit.
    pub llm_retry_max_retries: u32,
    /// The last retry plan's delay, in milliseconds.
    pub llm_retry_selected_delay_ms: u64,
}

/// Drives the turn state machine of one session.
pub trait TurnStateHandle: Send + Sync {
    /// Starts a conversation run.
    fn start_conversation_run(
        &self,
        run_id: RunId,
        primitive_kind: TurnPrimitiveKind,
        admitted_content_shape: ContentShape,
        vision_enabled: bool,
        image_tool_results_enabled: bool,
        max_extraction_retries: u64,
    ) -> Result<(), DslTransitionError>;
    /// Starts a run that appends to the conversation without a model call.
    fn start_immediate_append(&self, run_id: RunId) -> Result<(), DslTransitionError>;
    /// Starts a run that appends to the context without a model call.
    fn start_immediate_context(&self, run_id: RunId) -> Result<(), DslTransitionError>;
    /// The run's primitive was applied.
    fn primitive_applied(&self) -> Result<(), DslTransitionError>;
    /// The model returned tool calls.
    fn llm_returned_tool_calls(&self, tool_count: u64) -> Result<(), DslTransitionError>;
    /// The model returned a final answer.
    fn llm_returned_terminal(&self) -> Result<(), DslTransitionError>;
    /// Registers the operations started for the tool calls.
    fn register_pending_ops(
        &self,
        op_refs: BTreeSet<AsyncOpRef>,
        barrier_operation_ids: BTreeSet<OperationId>,
    ) -> Result<(), DslTransitionError>;
    /// The tool calls were resolved.
    fn tool_calls_resolved(&self) -> Result<(), DslTransitionError>;
    /// The operations the turn waits for have finished.
    fn ops_barrier_satisfied(
        &self,
        operation_ids: BTreeSet<OperationId>,
    ) -> Result<(), DslTransitionError>;
    /// Applies a boundary and calls the model again.
    fn boundary_continue(&self) -> Result<(), DslTransitionError>;
    /// Applies a boundary and completes the turn.
    fn boundary_complete(&self) -> Result<(), DslTransitionError>;
    /// Enters structured-output extraction.
    fn enter_extraction(&self, max_retries: u32) -> Result<(), DslTransitionError>;
    /// Starts an extraction model call.
    fn extraction_start(&self) -> Result<(), DslTransitionError>;
    /// The extracted output validated.
    fn extraction_validation_passed(&self) -> Result<(), DslTransitionError>;
    /// The extracted output did not validate.
    fn extraction_validation_failed(&self, error: String) -> Result<(), DslTransitionError>;
    /// Extraction failed.
    fn extraction_failed(&self, error: String) -> Result<(), DslTransitionError>;
    /// A model call failed and will be retried.
    fn recoverable_failure(&self, retry: LlmRetrySchedule) -> Result<(), DslTransitionError>;
    /// The turn failed.
    fn fatal_failure(&self, reason: TurnFailureReason) -> Result<(), DslTransitionError>;
    /// The scheduled retry is due.
    fn retry_requested(&self, retry_attempt: u32) -> Result<(), DslTransitionError>;
    /// Cancels the turn now.
    fn cancel_now(&self) -> Result<(), DslTransitionError>;
    /// Requests a cancel at the next boundary.
    fn request_cancel_after_boundary(&self) -> Result<(), DslTransitionError>;
    /// The cancellation took effect.
    fn cancellation_observed(&self) -> Result<(), DslTransitionError>;
    /// Acknowledges a terminal turn and returns it to ready.
    fn acknowledge_terminal(&self, outcome: TurnTerminalOutcome) -> Result<(), DslTransitionError>;
    /// The turn limit was reached.
    fn turn_limit_reached(&self) -> Result<(), DslTransitionError>;
    /// A budget ran out.
    fn budget_exhausted(&self) -> Result<(), DslTransitionError>;
    /// The time budget ran out.
    fn time_budget_exceeded(&self) -> Result<(), DslTransitionError>;
    /// Cancels a ready turn that has no run.
    fn force_cancel_no_run(&self) -> Result<(), DslTransitionError>;
    /// The run completed.
    fn run_completed(&self, run_id: RunId) -> Result<(), DslTransitionError>;
    /// The run failed.
    fn run_failed(
        &self,
        run_id: RunId,
        reason: TurnFailureReason,
    ) -> Result<(), DslTransitionError>;
    /// The run was cancelled.
    fn run_cancelled(&self, run_id: RunId) -> Result<(), DslTransitionError>;
    /// The current turn state.
    fn snapshot(&self) -> TurnStateSnapshot;
}

/// Drives the lifecycle of the comms drain task.
pub trait CommsDrainHandle: Send + Sync {
    /// Asks for the drain to be running.
    fn ensure_drain_running(&self) -> Result<(), DslTransitionError>;
    /// The drain task was spawned in `mode`.
    fn spawn_drain(&self, mode: DrainMode) -> Result<(), DslTransitionError>;
    /// Stops the drain.
    fn stop_drain(&self) -> Result<(), DslTransitionError>;
    /// The drain exited and need not be respawned.
    fn drain_exited_clean(&self) -> Result<(), DslTransitionError>;
    /// The drain exited and may be respawned.
    fn drain_exited_respawnable(&self) -> Result<(), DslTransitionError>;
    /// Reports why the drain exited.
    fn notify_drain_exited(&self, reason: DrainExitReason) -> Result<(), DslTransitionError>;
}

/// A point-in-time view of one external tool surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurfaceSnapshot {
    /// The surface.
    pub surface_id: String,
    /// Its lifecycle state, if it has one.
    pub base_state: Option<ExternalToolSurfaceBaseState>,
    /// The operation running in the background.
    pub pending_op: ExternalToolSurfacePendingOp,
    /// The operation staged for the next boundary.
    pub staged_op: ExternalToolSurfaceStagedOp,
    /// The staged operation's sequence.
    pub staged_intent_sequence: Option<u64>,
    /// The background operation's task sequence.
    pub pending_task_sequence: Option<u64>,
    /// The staged sequence the background operation came from.
    pub pending_lineage_sequence: Option<u64>,
    /// Tool calls in flight.
    pub inflight_calls: u64,
    /// The operation of the last delta emitted.
    pub last_delta_operation: Option<ExternalToolSurfaceDeltaOperation>,
    /// The phase of the last delta emitted.
    pub last_delta_phase: Option<ExternalToolSurfaceDeltaPhase>,
    /// When the removal started draining, while removing.
    pub removal_draining_since_ms: Option<u64>,
    /// When the removal will be forced, while removing.
    pub removal_timeout_at_ms: Option<u64>,
    /// The turn the removal was applied at, while removing.
    pub removal_applied_at_turn: Option<u64>,
}

/// A point-in-time view of every external tool surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurfaceDiagnosticSnapshot {
    /// Whether surfaces are operating.
    pub surface_phase: ExternalToolSurfaceGlobalPhase,
    /// Every surface ever seen.
    pub known_surfaces: BTreeSet<String>,
    /// The surfaces whose tools the model sees.
    pub visible_surfaces: BTreeSet<String>,
    /// The epoch of the visible set.
    pub snapshot_epoch: u64,
    /// The last epoch published.
    pub snapshot_aligned_epoch: u64,
    /// Whether any surface has a pending or staged operation.
    pub has_pending_or_staged: bool,
    /// One snapshot per known surface, by id.
    pub entries: Vec<SurfaceSnapshot>,
}

/// An input to the external tool surface machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalToolSurfaceInput {
    /// Stages adding a surface.
    StageAdd {
        /// The surface.
        surface_id: String,
        /// The current time, in milliseconds.
        now_ms: u64,
    },
    /// Stages removing a surface.
    StageRemove {
        /// The surface.
        surface_id: String,
        /// The current time, in milliseconds.
        now_ms: u64,
    },
    /// Stages reloading a surface.
    StageReload {
        /// The surface.
        surface_id: String,
        /// The current time, in milliseconds.
        now_ms: u64,
    },
    /// Applies a staged operation at a boundary.
    ApplyBoundary {
        /// The surface.
        surface_id: String,
        /// The current time, in milliseconds.
        now_ms: u64,
        /// The staged operation's sequence.
        staged_intent_sequence: u64,
        /// The turn the boundary belongs to.
        applied_at_turn: u64,
    },
    /// A background operation succeeded.
    MarkPendingSucceeded {
        /// The surface.
        surface_id: String,
        /// The operation's task sequence.
        pending_task_sequence: u64,
        /// The staged sequence it came from.
        staged_intent_sequence: u64,
    },
    /// A background operation failed.
    MarkPendingFailed {
        /// The surface.
        surface_id: String,
        /// The operation's task sequence.
        pending_task_sequence: u64,
        /// The staged sequence it came from.
        staged_intent_sequence: u64,
        /// Why it failed.
        cause: ExternalToolSurfaceFailureCause,
    },
    /// A tool call on the surface started.
    CallStarted {
        /// The surface.
        surface_id: String,
    },
    /// A tool call on the surface finished.
    CallFinished {
        /// The surface.
        surface_id: String,
    },
    /// Finishes a removal after the calls drained.
    FinalizeRemovalClean {
        /// The surface.
        surface_id: String,
    },
    /// Finishes a removal after its timeout.
    FinalizeRemovalForced {
        /// The surface.
        surface_id: String,
    },
    /// The visible set of an epoch was published.
    SnapshotAligned {
        /// The epoch published.
        epoch: u64,
    },
    /// Shuts the surfaces down.
    Shutdown,
}

/// An effect of an external tool surface transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalToolSurfaceEffect {
    /// Run an add or reload in the background.
    ScheduleSurfaceCompletion {
        /// The surface.
        surface_id: String,
        /// The operation.
        operation: ExternalToolSurfaceDeltaOperation,
        /// The task sequence to report back.
        pending_task_sequence: u64,
        /// The staged sequence to report back.
        staged_intent_sequence: u64,
        /// The turn the boundary belongs to.
        applied_at_turn: u64,
    },
    /// Publish the visible set.
    RefreshVisibleSurfaceSet {
        /// The epoch to publish.
        snapshot_epoch: u64,
    },
    /// Report a change of a surface.
    EmitExternalToolDelta {
        /// The surface.
        surface_id: String,
        /// The operation.
        operation: ExternalToolSurfaceDeltaOperation,
        /// The phase.
        phase: ExternalToolSurfaceDeltaPhase,
        /// Why it failed, for failures.
        cause: Option<ExternalToolSurfaceFailureCause>,
    },
    /// Close the surface's connection.
    CloseSurfaceConnection {
        /// The surface.
        surface_id: String,
    },
    /// Reject a tool call on the surface.
    RejectSurfaceCall {
        /// The surface.
        surface_id: String,
        /// Why the call is rejected.
        cause: ExternalToolSurfaceFailureCause,
    },
}

/// The result of one accepted surface input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalToolSurfaceTransition {
    /// The global phase after the transition.
    pub phase: ExternalToolSurfaceGlobalPhase,
    /// The effects, in emission order.
    pub effects: Vec<ExternalToolSurfaceEffect>,
}

/// Drives the lifecycle of external tool surfaces.
pub trait ExternalToolSurfaceHandle: Send + Sync {
    /// Applies one input and returns its effects.
    fn apply_surface_input(
        &self,
        input: ExternalToolSurfaceInput,
    ) -> Result<ExternalToolSurfaceTransition, DslTransitionError>;
    /// Makes a surface known.
    fn register(&self, surface_id: String) -> Result<(), DslTransitionError>;
    /// Stages adding a surface.
    fn stage_add(&self, surface_id: String, now_ms: u64) -> Result<(), DslTransitionError>;
    /// Stages removing a surface.
    fn stage_remove(&self, surface_id: String, now_ms: u64) -> Result<(), DslTransitionError>;
    /// Stages reloading a surface.
    fn stage_reload(&self, surface_id: String, now_ms: u64) -> Result<(), DslTransitionError>;
    /// Applies a staged operation at a boundary.
    fn apply_boundary(
        &self,
        surface_id: String,
        now_ms: u64,
        staged_intent_sequence: u64,
        applied_at_turn: u64,
    ) -> Result<(), DslTransitionError>;
    /// A background operation succeeded.
    fn mark_pending_succeeded(
        &self,
        surface_id: String,
        pending_task_sequence: u64,
        staged_intent_sequence: u64,
    ) -> Result<(), DslTransitionError>;
    /// A background operation failed.
    fn mark_pending_failed(
        &self,
        surface_id: String,
        pending_task_sequence: u64,
        staged_intent_sequence: u64,
        cause: ExternalToolSurfaceFailureCause,
    ) -> Result<(), DslTransitionError>;
    /// A tool call on the surface started.
    fn call_started(&self, surface_id: String) -> Result<(), DslTransitionError>;
    /// A tool call on the surface finished.
    fn call_finished(&self, surface_id: String) -> Result<(), DslTransitionError>;
    /// Finishes a removal after the calls drained.
    fn finalize_removal_clean(&self, surface_id: String) -> Result<(), DslTransitionError>;
    /// Finishes a removal after its timeout.
    fn finalize_removal_forced(&self, surface_id: String) -> Result<(), DslTransitionError>;
    /// The visible set of `epoch` was published.
    fn snapshot_aligned(&self, epoch: u64) -> Result<(), DslTransitionError>;
    /// Shuts the surfaces down.
    fn shutdown_surface(&self) -> Result<(), DslTransitionError>;
    /// One surface's state, if it is known.
    fn surface_snapshot(&self, surface_id: &str) -> Option<SurfaceSnapshot>;
    /// Every surface's state.
    fn diagnostic_snapshot(&self) -> SurfaceDiagnosticSnapshot;
    /// The surfaces whose tools the model sees.
    fn visible_surfaces(&self) -> BTreeSet<String>;
    /// The surfaces being removed.
    fn removing_surfaces(&self) -> BTreeSet<String>;
    /// The surfaces with a background operation.
    fn pending_surfaces(&self) -> BTreeSet<String>;
    /// Whether any surface has a pending or staged operation.
    fn has_pending_or_staged(&self) -> bool;
    /// The epoch of the visible set.
    fn snapshot_epoch(&self) -> u64;
    /// The last epoch published.
    fn snapshot_aligned_epoch(&self) -> u64;
}

/// Classifies peer ingress.
pub trait PeerCommsHandle: Send + Sync {
    /// Classifies an envelope received from a peer.
    fn classify_external_envelope(
        &self,
        facts: PeerIngressEnvelopeFacts,
    ) -> Result<PeerIngressAdmission, DslTransitionError>;
    /// Classifies a plain event.
    fn classify_plain_event(
        &self,
        facts: PeerIngressPlainEventFacts,
    ) -> Result<PeerIngressAdmission, DslTransitionError>;
    /// Sets the peer ingress context.
    fn set_peer_ingress_context(&self, keep_alive: bool) -> Result<(), DslTransitionError>;
}

/// Admits inputs into a session and binds runs to them.
pub trait SessionAdmissionHandle: Send + Sync {
    /// An input arrived from `origin`.
    fn ingest(
        &self,
        runtime_id: &str,
        work_id: &str,
        origin: InputSource,
    ) -> Result<(), DslTransitionError>;
    /// Accepts an input and decides how to wake the loop.
    fn accept_with_completion(
        &self,
        input_id: &InputId,
        request_immediate_processing: bool,
        interrupt_yielding: bool,
        wake_if_idle: bool,
    ) -> Result<(), DslTransitionError>;
    /// Accepts an input without waking the loop.
    fn accept_without_wake(&self, input_id: &InputId) -> Result<(), DslTransitionError>;
    /// Prepares a run.
    fn prepare(&self, run_id: &RunId) -> Result<(), DslTransitionError>;
    /// Commits a finished run.
    fn commit(&self, input_id: &InputId, run_id: &RunId) -> Result<(), DslTransitionError>;
    /// Recycles the session.
    fn recycle(&self) -> Result<(), DslTransitionError>;
}

/// The key of a credential lease: realm, binding and optional profile.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LeaseKey {
    /// The realm.
    pub realm: crate::connection::RealmId,
    /// The binding within the realm.
    pub binding: crate::connection::BindingId,
    /// The profile within the binding, if any.
    pub profile: Option<crate::connection::ProfileId>,
}

impl LeaseKey {
    /// Builds a key.
    pub fn new(
        realm: crate::connection::RealmId,
        binding: crate::connection::BindingId,
        profile: Option<crate::connection::ProfileId>,
    ) -> Self {
        Self {
            realm,
            binding,
            profile,
        }
    }

    /// The key of an auth binding.
    pub fn from_auth_binding(auth_binding: &crate::connection::AuthBindingRef) -> Self {
        Self {
            realm: auth_binding.realm.clone(),
            binding: auth_binding.binding.clone(),
            profile: auth_binding.profile.clone(),
        }
    }
}

impl std::fmt::Display for LeaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.profile {
            Some(profile) => write!(f, "{}:{}:{}", self.realm, self.binding, profile),
            None => write!(f, "{}:{}", self.realm, self.binding),
        }
    }
}

/// A point-in-time view of one credential lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthLeaseSnapshot {
    /// The phase, if a lease exists.
    pub phase: Option<AuthLeasePhase>,
    /// When the credential expires, in epoch seconds.
    pub expires_at: Option<u64>,
    /// Whether a credential is held.
    pub credential_present: bool,
    /// The credential-publication version.
    pub generation: u64,
    /// When the credential was published, in epoch milliseconds.
    pub credential_published_at_millis: Option<u64>,
}

/// The credential publication an accepted lease transition produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthLeaseTransition {
    /// The new credential-publication version.
    pub generation: u64,
    /// When it was published, in epoch milliseconds.
    pub credential_published_at_millis: Option<u64>,
}

impl AuthLeaseTransition {
    /// Builds a transition.
    pub fn new(generation: u64, credential_published_at_millis: Option<u64>) -> Self {
        Self {
            generation,
            credential_published_at_millis,
        }
    }
}

/// Seconds before expiry at which a valid lease may be marked expiring.
pub const AUTH_LEASE_TTL_REFRESH_WINDOW_SECS: u64 = 60;

/// Drives the credential lease of each [`LeaseKey`].
pub trait AuthLeaseHandle: Send + Sync + std::any::Any {
    /// Publishes a credential that expires at `expires_at`.
    fn acquire_lease(
        &self,
        lease_key: &LeaseKey,
        expires_at: u64,
    ) -> Result<AuthLeaseTransition, DslTransitionError>;
    /// Marks the lease as expiring.
    fn mark_expiring(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;
    /// Starts a refresh.
    fn begin_refresh(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;
    /// Publishes a refreshed credential.
    fn complete_refresh(
        &self,
        lease_key: &LeaseKey,
        new_expires_at: u64,
        now: u64,
    ) -> Result<AuthLeaseTransition, DslTransitionError>;
    /// A refresh failed, permanently or not.
    fn refresh_failed(
        &self,
        lease_key: &LeaseKey,
        permanent: bool,
    ) -> Result<(), DslTransitionError>;
    /// Requires the user to authenticate again.
    fn mark_reauth_required(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;
    /// Releases the lease.
    fn release_lease(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;
    /// Releases the credential lifecycle; by default the lease.
    fn release_credential_lifecycle(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError> {
        self.release_lease(lease_key)
    }

    /// Restores a lease from a snapshot.
    fn restore_auth_lifecycle_snapshot(
        &self,
        lease_key: &LeaseKey,
        snapshot: &AuthLeaseSnapshot,
        expires_at: Option<u64>,
    ) -> Result<(), DslTransitionError> {
        if !snapshot.credential_present {
            return Ok(());
        }
        let Some(phase) = snapshot.phase else {
            return Ok(());
        };
        if phase == AuthLeasePhase::Released {
            return Ok(());
        }
        let Some(expires_at) = expires_at else {
            return Ok(());
        };
        self.acquire_lease(lease_key, expires_at)?;
        match phase {
            AuthLeasePhase::Valid => Ok(()),
            AuthLeasePhase::Expiring => self.mark_expiring(lease_key),
            AuthLeasePhase::Refreshing => self.begin_refresh(lease_key),
            AuthLeasePhase::ReauthRequired => self.mark_reauth_required(lease_key),
            AuthLeasePhase::Released => Ok(()),
        }
    }

    /// The lease's current state.
    fn snapshot(&self, lease_key: &LeaseKey) -> AuthLeaseSnapshot;
}

/// Tracks the connection state of MCP servers.
pub trait McpServerLifecycleHandle: Send + Sync {
    /// A server is connecting.
    fn apply_connect_pending(&self, server_id: &str) -> Result<(), DslTransitionError>;
    /// A server connected.
    fn apply_connected(&self, server_id: &str) -> Result<(), DslTransitionError>;
    /// A server failed.
    fn apply_failed(&self, server_id: &str, error: &str) -> Result<(), DslTransitionError>;
    /// A server disconnected.
    fn apply_disconnected(&self, server_id: &str) -> Result<(), DslTransitionError>;
    /// A server is reloading.
    fn apply_reload(&self, server_id: &str) -> Result<(), DslTransitionError>;
    /// The servers still connecting.
    fn pending_server_ids(&self) -> BTreeSet<String>;
}

/// How a request to a peer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerTerminalDisposition {
    /// The request completed.
    Completed,
    /// The request failed.
    Failed,
}

/// Correlates requests with their responses, both directions.
pub trait PeerInteractionHandle: Send + Sync {
    /// A request was sent to peer `to`.
    fn request_sent(
        &self,
        corr_id: PeerCorrelationId,
        to: String,
    ) -> Result<(), DslTransitionError>;
    /// A progress response arrived.
    fn response_progress(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// A terminal response arrived.
    fn response_terminal(
        &self,
        corr_id: PeerCorrelationId,
        disposition: PeerTerminalDisposition,
    ) -> Result<(), DslTransitionError>;
    /// A sent request timed out.
    fn request_timed_out(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// A request arrived from a peer.
    fn request_received(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// The reply to a received request was sent.
    fn response_replied(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// The state of a sent request that is still open.
    fn outbound_state(&self, corr_id: PeerCorrelationId) -> Option<OutboundPeerRequestState>;
    /// The state of a received request that is still open.
    fn inbound_state(&self, corr_id: PeerCorrelationId) -> Option<InboundPeerRequestState>;
    /// Installs the observer told when a sent request closes.
    fn install_cleanup_observer(&self, observer: Arc<dyn PeerInteractionCleanupObserver>);
}

/// Told when a sent request closes.
pub trait PeerInteractionCleanupObserver: Send + Sync {
    /// The request `corr_id` closed.
    fn on_peer_interaction_cleanup(&self, corr_id: PeerCorrelationId);
}

/// Tracks the watermark of the session's canonical context.
pub trait SessionContextHandle: Send + Sync {
    /// The context changed at `updated_at_ms`; true when the watermark advanced.
    fn context_advanced(&self, updated_at_ms: u64) -> Result<bool, DslTransitionError>;
    /// The current watermark.
    fn current_watermark_ms(&self) -> u64;
    /// Installs the observer told when the watermark advances.
    fn install_observer(&self, observer: Arc<dyn SessionContextAdvancedObserver>);
    /// Installs the observer and returns the current watermark.
    fn install_observer_with_baseline(
        &self,
        observer: Arc<dyn SessionContextAdvancedObserver>,
    ) -> u64 {
        self.install_observer(observer);
        self.current_watermark_ms()
    }
}

/// Told when the context watermark advances.
pub trait SessionContextAdvancedObserver: Send + Sync {
    /// The watermark advanced to `updated_at_ms`.
    fn on_session_context_advanced(&self, updated_at_ms: u64);
}

/// Why a session could not be claimed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionClaimError {
    /// The session is already claimed.
    #[error("session identity already claimed: {0}")]
    SessionIdentityInUse(SessionId),
}

/// An exclusive claim on a session id, released on drop.
pub struct SessionClaim {
    session_id: SessionId,
    handle: Arc<dyn SessionClaimHandle>,
}

impl SessionClaim {
    /// Builds a claim that `handle` releases on drop.
    pub fn new(session_id: SessionId, handle: Arc<dyn SessionClaimHandle>) -> Self {
        Self { session_id, handle }
    }

    /// The claimed session.
    pub fn session_id(&self) -> &SessionId {
        &self.session_id
    }
}

impl Drop for SessionClaim {
    fn drop(&mut self) {
        self.handle.release(&self.session_id);
    }
}

impl std::fmt::Debug for SessionClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionClaim")
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

/// A registry of claimed session ids.
pub trait SessionClaimHandle: Send + Sync {
    /// Claims a session id unless it is claimed already.
    fn try_acquire(
        self: Arc<Self>,
        session_id: &SessionId,
    ) -> Result<SessionClaim, SessionClaimError>;
    /// Releases a claim; unknown ids are ignored.
    fn release(&self, session_id: &SessionId);
}

/// A claim registry backed by a set under a mutex.
pub struct DefaultSessionClaimRegistry {
    claims: std::sync::Mutex<std::collections::HashSet<SessionId>>,
}

impl DefaultSessionClaimRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self {
            claims: std::sync::Mutex::new(std::collections::HashSet::new()),
        }
    }

    /// The process-wide registry.
    pub fn global() -> Arc<Self> {
        use std::sync::OnceLock;
        static GLOBAL: OnceLock<Arc<DefaultSessionClaimRegistry>> = OnceLock::new();
        Arc::clone(GLOBAL.get_or_init(|| Arc::new(DefaultSessionClaimRegistry::new())))
    }
}

impl Default for DefaultSessionClaimRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionClaimHandle for DefaultSessionClaimRegistry {
    fn try_acquire(
        self: Arc<Self>,
        session_id: &SessionId,
    ) -> Result<SessionClaim, SessionClaimError> {
        let mut claims = self
            .claims
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !claims.insert(session_id.clone()) {
            return Err(SessionClaimError::SessionIdentityInUse(session_id.clone()));
        }
        drop(claims);
        Ok(SessionClaim::new(
            session_id.clone(),
            self as Arc<dyn SessionClaimHandle>,
        ))
    }

    fn release(&self, session_id: &SessionId) {
        let mut claims = self
            .claims
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        claims.remove(session_id);
    }
}

/// Drives the lifecycle of reply streams.
pub trait InteractionStreamHandle: Send + Sync {
    /// A stream was reserved.
    fn reserved(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// A consumer attached to the stream.
    fn attached(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// The stream completed.
    fn completed(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// The reservation expired.
    fn expired(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// The stream closed before it completed.
    fn closed_early(&self, corr_id: PeerCorrelationId) -> Result<(), DslTransitionError>;
    /// The state of an open stream.
    fn state(&self, corr_id: PeerCorrelationId) -> Option<InteractionStreamState>;
    /// Installs the observer told when a stream closes.
    fn install_cleanup_observer(&self, observer: Arc<dyn InteractionStreamCleanupObserver>);
}

/// Told when a reply stream closes.
pub trait InteractionStreamCleanupObserver: Send + Sync {
    /// The stream `corr_id` closed.
    fn on_interaction_stream_cleanup(&self, corr_id: PeerCorrelationId);
}

/// How fresh the realtime provider's view of the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum RealtimeProjectionFreshness {
    /// Up to date.
    #[default]
    Clean,
    /// Stale; refresh when the turn ends.
    StaleDeferred,
    /// Stale; refresh now.
    StaleImmediate,
}

/// What to do when the realtime connection closes cleanly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum RealtimeReconnectPolicy {
    /// Exit.
    #[default]
    CleanExit,
    /// Reattach and recover the turn.
    ReattachAndRecover,
}

/// Told when the realtime projection's freshness changes.
pub trait RealtimeProjectionFreshnessObserver: Send + Sync {
    /// The freshness changed at frontier `frontier_ms`.
    fn on_realtime_projection_freshness_changed(
        &self,
        new_freshness: RealtimeProjectionFreshness,
        frontier_ms: u64,
    );
}

/// The phase of a realtime provider turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum RealtimeProductTurnPhase {
    /// No turn is in flight.
    #[default]
    Idle,
    /// A turn is in flight, nothing committed.
    AwaitingProgress,
    /// The turn is committed.
    Committed,
    /// Output has started.
    OutputStarted,
    /// Committed with output started; new input may preempt it.
    Preemptible,
}

/// Drives a realtime provider turn, projection freshness and reconnect policy.
pub trait RealtimeProductTurnHandle: Send + Sync {
    /// A turn is in flight.
    fn turn_in_flight(&self) -> Result<bool, DslTransitionError>;
    /// The turn was committed.
    fn turn_committed(&self) -> Result<bool, DslTransitionError>;
    /// Output started.
    fn output_started(&self) -> Result<bool, DslTransitionError>;
    /// The turn was interrupted.
    fn turn_interrupted(&self) -> Result<bool, DslTransitionError>;
    /// The turn ended.
    fn turn_terminal(&self) -> Result<bool, DslTransitionError>;
    /// The current turn phase.
    fn current_phase(&self) -> RealtimeProductTurnPhase;
    /// True while a turn is in flight.
    fn is_in_flight(&self) -> bool {
        self.current_phase() != RealtimeProductTurnPhase::Idle
    }

    /// True when new input should preempt the turn.
    fn should_preempt_on_input(&self) -> bool {
        self.current_phase() == RealtimeProductTurnPhase::Preemptible
    }

    /// The session context advanced at `advanced_at_ms`.
    fn projection_advance_observed(&self, advanced_at_ms: u64) -> Result<bool, DslTransitionError>;
    /// The projection was refreshed up to `observed_ms`.
    fn projection_refreshed(&self, observed_ms: u64) -> Result<bool, DslTransitionError>;
    /// The projection was reset at `baseline_ms`.
    fn projection_reset(&self, baseline_ms: u64) -> Result<bool, DslTransitionError>;
    /// The projection's freshness.
    fn projection_freshness(&self) -> RealtimeProjectionFreshness;
    /// The projection's frontier.
    fn projection_frontier_ms(&self) -> u64;
    /// True when the projection must be refreshed now.
    fn is_projection_stale_immediate(&self) -> bool {
        self.projection_freshness() == RealtimeProjectionFreshness::StaleImmediate
    }

    /// Installs the observer told when freshness changes.
    fn install_projection_freshness_observer(
        &self,
        observer: Arc<dyn RealtimeProjectionFreshnessObserver>,
    );
    /// Installs the observer and returns the freshness and frontier.
    fn install_projection_freshness_observer_with_snapshot(
        &self,
        observer: Arc<dyn RealtimeProjectionFreshnessObserver>,
    ) -> (RealtimeProjectionFreshness, u64) {
        self.install_projection_freshness_observer(observer);
        (self.projection_freshness(), self.projection_frontier_ms())
    }

    /// Client input was submitted.
    fn classify_client_input_submitted(&self) -> Result<bool, DslTransitionError>;
    /// Activity happened mid-turn.
    fn classify_mid_turn_activity(&self) -> Result<bool, DslTransitionError>;
    /// The logical turn ended.
    fn classify_turn_terminated(&self) -> Result<bool, DslTransitionError>;
    /// The policy for a clean close.
    fn reconnect_policy_on_clean_close(&self) -> RealtimeReconnectPolicy;
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]
mod tests {
    use super::{
        ExternalToolSurfaceEffect, ExternalToolSurfaceFailureCause, ExternalToolSurfaceInput,
        PeerConversationProjection, PeerResponseProgressProjectionPhase,
        PeerResponseTerminalCorrelationId, PeerResponseTerminalDisplayIdentity,
        PeerResponseTerminalFact, PeerResponseTerminalProjectionStatus,
        PeerResponseTerminalRenderPayload, PeerResponseTerminalRouteIdentity,
        PeerResponseTerminalSource, PeerResponseTerminalTransportIdentity,
        peer_response_terminal_context_key,
    };
    use crate::tool_scope::{ExternalToolSurfaceDeltaOperation, ExternalToolSurfaceDeltaPhase};

    #[test]
    fn external_tool_surface_pending_failure_cause_projects_external_code() {
        let input = ExternalToolSurfaceInput::MarkPendingFailed {
            surface_id: "alpha".to_owned(),
            pending_task_sequence: 7,
            staged_intent_sequence: 11,
            cause: ExternalToolSurfaceFailureCause::PendingFailed,
        };
        let ExternalToolSurfaceInput::MarkPendingFailed { cause, .. } = input else {
            panic!("constructed MarkPendingFailed input");
        };
        assert_eq!(cause, ExternalToolSurfaceFailureCause::PendingFailed);
        assert_eq!(cause.as_str(), "pending_failed");
        assert_eq!(
            serde_json::to_value(cause).expect("serialize failure cause"),
            serde_json::json!("pending_failed")
        );
        let effect = ExternalToolSurfaceEffect::EmitExternalToolDelta {
            surface_id: "alpha".to_owned(),
            operation: ExternalToolSurfaceDeltaOperation::Add,
            phase: ExternalToolSurfaceDeltaPhase::Failed,
            cause: Some(cause),
        };
        assert!(matches!(
            effect,
            ExternalToolSurfaceEffect::EmitExternalToolDelta {
                cause: Some(ExternalToolSurfaceFailureCause::PendingFailed),
                ..
            }
        ));
    }

    #[test]
    fn peer_terminal_projection_owns_prompt_and_context_key() {
        let route_identity =
            PeerResponseTerminalRouteIdentity::parse("analyst-rt").expect("route identity");
        let correlation_id =
            PeerResponseTerminalCorrelationId::parse("018f6f79-7a82-7c4e-a552-a3b86f9630f1")
                .expect("correlation id");
        let projection = PeerConversationProjection::ResponseTerminal {
            fact: PeerResponseTerminalFact::new(
                PeerResponseTerminalSource::new(
                    Some(
                        PeerResponseTerminalTransportIdentity::parse("transport-runtime-1")
                            .expect("transport identity"),
                    ),
                    route_identity,
                    PeerResponseTerminalDisplayIdentity::parse("Analyst")
                        .expect("display identity"),
                ),
                correlation_id,
                PeerResponseTerminalProjectionStatus::Completed,
                PeerResponseTerminalRenderPayload::new(Some(serde_json::json!({
                "request_intent": "checksum_token",
                "request_subject": "alpha beta gamma",
                "token": "birch seventeen"
                }))),
            ),
        };
        assert_eq!(
            projection.context_key().as_deref(),
            Some("peer_response_terminal:analyst-rt:018f6f79-7a82-7c4e-a552-a3b86f9630f1")
        );
        assert_eq!(
            projection.prompt_text(),
            "[SYSTEM NOTICE][PEER_RESPONSE_TERMINAL] Correlated peer response from Analyst. Request ID: 018f6f79-7a82-7c4e-a552-a3b86f9630f1. Status: completed. Result: {\n  \"request_intent\": \"checksum_token\",\n  \"request_subject\": \"alpha beta gamma\",\n  \"token\": \"birch seventeen\"\n}."
        );
    }

    #[test]
    fn peer_progress_projection_formats_phase_from_shared_seam() {
        let projection = PeerConversationProjection::ResponseProgress {
            peer_id: "operator-rt".into(),
            request_id: "req-789".into(),
            phase: PeerResponseProgressProjectionPhase::PartialResult,
            payload: Some(serde_json::json!({ "chunk": "alpha" })),
        };
        assert_eq!(projection.context_key(), None);
        assert_eq!(
            projection.prompt_text(),
            "[SYSTEM NOTICE][PEER_RESPONSE_PROGRESS] Correlated peer response progress from operator-rt. Request ID: req-789. Phase: partial_result. Payload: {\n  \"chunk\": \"alpha\"\n}."
        );
    }

    #[test]
    fn peer_terminal_context_key_helper_stays_canonical() {
        let route_identity =
            PeerResponseTerminalRouteIdentity::parse("peer-a").expect("route identity");
        let correlation_id =
            PeerResponseTerminalCorrelationId::parse("018f6f79-7a82-7c4e-a552-a3b86f9630f1")
                .expect("correlation id");
        assert_eq!(
            peer_response_terminal_context_key(&route_identity, correlation_id),
            "peer_response_terminal:peer-a:018f6f79-7a82-7c4e-a552-a3b86f9630f1"
        );
    }
}
