//! Correlation of peer requests, responses and interaction streams.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The id that ties a peer request to its responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PeerCorrelationId(pub Uuid);

impl PeerCorrelationId {
    /// A fresh random (v4) id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// Wraps an existing UUID.
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The inner UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for PeerCorrelationId {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Uuid> for PeerCorrelationId {
    fn from(uuid: Uuid) -> Self {
        Self(uuid)
    }
}

impl From<PeerCorrelationId> for Uuid {
    fn from(id: PeerCorrelationId) -> Self {
        id.0
    }
}

impl fmt::Display for PeerCorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The state of a request this agent sent to a peer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[non_exhaustive]
pub enum OutboundPeerRequestState {
    /// Sent, no answer yet.
    #[default]
    Sent,
    /// The peer accepted it and reported progress.
    AcceptedProgress,
    /// The peer completed it.
    Completed,
    /// The peer failed it.
    Failed,
    /// No terminal answer arrived in time.
    TimedOut,
}

impl OutboundPeerRequestState {
    /// True for Completed, Failed and TimedOut.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::TimedOut)
    }
}

/// The state of a request a peer sent to this agent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[non_exhaustive]
pub enum InboundPeerRequestState {
    /// Received, not answered yet.
    #[default]
    Received,
    /// Answered.
    Replied,
}

impl InboundPeerRequestState {
    /// True for Replied.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Replied)
    }
}

/// The state of an interaction stream.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[non_exhaustive]
pub enum InteractionStreamState {
    /// Reserved, no consumer yet.
    #[default]
    Reserved,
    /// A consumer is attached.
    Attached,
    /// The stream finished normally.
    Completed,
    /// The reservation expired.
    Expired,
    /// The stream was closed before it finished.
    ClosedEarly,
}

impl InteractionStreamState {
    /// True for Completed, Expired and ClosedEarly.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Expired | Self::ClosedEarly)
    }
}
