//! Peer ingress facts, their classification, and the `send_response` call
//! that answers a correlated peer request.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::comms::{PeerId, PeerLifecycleKind, SUPERVISOR_BRIDGE_INTENT};

/// The `send_response` tool call that answers one correlated peer request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendResponseCallProjection {
    /// The requesting peer.
    pub peer_id: PeerId,
    /// The requesting peer's display name, trimmed and non-empty.
    pub display_name: Option<String>,
    /// The id of the request being answered.
    pub in_reply_to: String,
}

impl SendResponseCallProjection {
    /// The tool's name.
    pub const TOOL_NAME: &'static str = "send_response";
    /// The argument holding the peer id.
    pub const PEER_ID_FIELD: &'static str = "peer_id";
    /// The argument holding the display name.
    pub const DISPLAY_NAME_FIELD: &'static str = "display_name";
    /// The argument holding the request id.
    pub const IN_REPLY_TO_FIELD: &'static str = "in_reply_to";
    /// The argument holding the response status.
    pub const STATUS_FIELD: &'static str = "status";
    /// The argument holding the typed result payload.
    pub const RESULT_FIELD: &'static str = "result";

    /// Builds the call; a display name that is blank after trimming is dropped.
    pub fn new(
        peer_id: PeerId,
        display_name: Option<&str>,
        in_reply_to: impl Into<String>,
    ) -> Self {
        let display_name = display_name
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        Self {
            peer_id,
            display_name,
            in_reply_to: in_reply_to.into(),
        }
    }

    /// The arguments of a successful reply, as a JSON object.
    pub fn completed_example_args(&self) -> Value {
        let mut args = serde_json::Map::new();
        args.insert(
            Self::PEER_ID_FIELD.to_owned(),
            Value::String(self.peer_id.to_string()),
        );
        if let Some(name) = &self.display_name {
            args.insert(
                Self::DISPLAY_NAME_FIELD.to_owned(),
                Value::String(name.clone()),
            );
        }
        args.insert(
            Self::IN_REPLY_TO_FIELD.to_owned(),
            Value::String(self.in_reply_to.clone()),
        );
        args.insert(
            Self::STATUS_FIELD.to_owned(),
            Value::String("completed".to_owned()),
        );
        Value::Object(args)
    }

    /// The instruction telling the model how to answer the request.
    pub fn instruction_text(&self) -> String {
        let args = serde_json::to_string(&self.completed_example_args())
            .unwrap_or_else(|_| "{}".to_owned());
        format!(
            "Reply with {} with arguments {args}. Use status=\"failed\" instead of \"completed\" when the request cannot be fulfilled, and include result only when the request contract provides a typed result payload.",
            Self::TOOL_NAME
        )
    }
}

/// The facts of one envelope received from a peer.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerIngressEnvelopeFacts {
    /// The envelope's item id.
    pub item_id: String,
    /// The sending peer's name.
    pub from_peer: String,
    /// The sending peer's id.
    pub from_peer_id: PeerId,
    /// What the envelope carries.
    pub kind: PeerIngressEnvelopeKind,
}

/// What a peer envelope carries.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerIngressEnvelopeKind {
    /// A plain message.
    Message {
        /// The message text.
        body: String,
    },
    /// A correlated request.
    Request {
        /// The request's intent.
        intent: String,
        /// The request's parameters.
        params: Value,
    },
    /// A peer lifecycle notice.
    Lifecycle {
        /// Which lifecycle change.
        kind: PeerLifecycleKind,
        /// The notice's parameters.
        params: Value,
    },
    /// A response to an earlier request.
    Response {
        /// The id of the request answered.
        in_reply_to: String,
        /// The response status.
        status: ResponseStatus,
        /// The response payload.
        result: Value,
    },
    /// An acknowledgement of an earlier request.
    Ack {
        /// The id of the request acknowledged.
        in_reply_to: String,
    },
}

/// The facts of one plain (non-peer) event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerIngressPlainEventFacts {
    /// The name of the event's source.
    pub source_name: String,
    /// The event text.
    pub body: String,
}

/// The outcome of admitting one ingress item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerIngressAdmission {
    /// How the item was classified.
    pub classification: PeerIngressClassification,
    /// The peer a lifecycle item is about.
    pub lifecycle_peer: Option<String>,
    /// The request id the item belongs to.
    pub request_id: Option<String>,
    /// The text shown to the model.
    pub rendered_text: String,
}

/// How one ingress item was classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerIngressClassification {
    /// The routing class.
    pub class: PeerInputClass,
    /// The wire kind.
    pub kind: PeerIngressKind,
    /// Whether peer auth is required.
    pub auth: PeerIngressAuthDecision,
    /// The lifecycle change, for lifecycle items.
    pub lifecycle_kind: Option<PeerLifecycleKind>,
    /// Progress or terminal, for responses.
    pub response_terminality: Option<TerminalityClass>,
}

impl PeerIngressClassification {
    /// A classification that requires auth and carries no extras.
    pub const fn required(class: PeerInputClass, kind: PeerIngressKind) -> Self {
        Self {
            class,
            kind,
            auth: PeerIngressAuthDecision::Required,
            lifecycle_kind: None,
            response_terminality: None,
        }
    }

    /// The classification of a peer lifecycle change.
    pub const fn lifecycle(kind: PeerLifecycleKind) -> Self {
        let class = match kind {
            PeerLifecycleKind::PeerAdded => PeerInputClass::PeerLifecycleAdded,
            PeerLifecycleKind::PeerRetired => PeerInputClass::PeerLifecycleRetired,
            PeerLifecycleKind::PeerUnwired => PeerInputClass::PeerLifecycleUnwired,
        };
        Self {
            class,
            kind: PeerIngressKind::Request,
            auth: PeerIngressAuthDecision::Required,
            lifecycle_kind: Some(kind),
            response_terminality: None,
        }
    }
}

/// The routing class of an ingress item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerInputClass {
    /// A message the agent acts on.
    ActionableMessage,
    /// A request the agent acts on.
    ActionableRequest,
    /// A non-terminal response.
    ResponseProgress,
    /// A terminal response.
    ResponseTerminal,
    /// A peer was added.
    PeerLifecycleAdded,
    /// A peer was retired.
    PeerLifecycleRetired,
    /// A peer was unwired.
    PeerLifecycleUnwired,
    /// A peer's kickoff failed.
    PeerLifecycleKickoffFailed,
    /// A peer's kickoff was cancelled.
    PeerLifecycleKickoffCancelled,
    /// A request handled without waking the agent.
    SilentRequest,
    /// An acknowledgement.
    Ack,
    /// A plain event.
    PlainEvent,
}

impl PeerInputClass {
    /// True for the classes the agent acts on.
    pub fn is_actionable(self) -> bool {
        matches!(
            self,
            Self::ActionableMessage
                | Self::ActionableRequest
                | Self::ResponseProgress
                | Self::ResponseTerminal
                | Self::PlainEvent
                | Self::PeerLifecycleKickoffFailed
                | Self::PeerLifecycleKickoffCancelled
        )
    }
}

/// The wire kind of an ingress item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerIngressKind {
    /// A message.
    Message,
    /// A request.
    Request,
    /// A response.
    Response,
    /// An acknowledgement.
    Ack,
    /// A plain event.
    PlainEvent,
}

/// Whether an ingress item needs peer auth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerIngressAuthDecision {
    /// Peer auth is required.
    Required,
    /// Peer auth is waived for this reason.
    Exempt(PeerIngressAuthExemption),
}

impl PeerIngressAuthDecision {
    /// True when auth is waived.
    pub const fn is_exempt(self) -> bool {
        matches!(self, Self::Exempt(_))
    }
}

/// A reason to waive peer auth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeerIngressAuthExemption {
    /// A supervisor bridge request (`supervisor.bridge`).
    SupervisorBridge,
}

impl PeerIngressAuthExemption {
    /// The request intent this exemption applies to.
    pub const fn intent(self) -> &'static str {
        match self {
            Self::SupervisorBridge => SUPERVISOR_BRIDGE_INTENT,
        }
    }

    /// True when `intent` is this exemption's intent.
    pub fn matches_intent(self, intent: &str) -> bool {
        self.intent() == intent
    }
}

/// Whether a response is progress or terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TerminalityClass {
    /// More responses follow.
    Progress,
    /// The last response.
    Terminal {
        /// How the request ended.
        disposition: TerminalDisposition,
    },
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TerminalDisposition {
    /// The request succeeded.
    Completed,
    /// The request failed.
    Failed,
}

/// The status a peer response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// The request was accepted; more follows.
    Accepted,
    /// The request completed.
    Completed,
    /// The request failed.
    Failed,
}
