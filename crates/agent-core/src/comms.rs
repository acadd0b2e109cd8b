//! Peer identities, input sources and peer lifecycle names.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The request intent that marks a supervisor bridge request.
pub const SUPERVISOR_BRIDGE_INTENT: &str = "supervisor.bridge";

/// The UUID v5 namespace for peer ids derived from ed25519 public keys.
const PEER_ID_KEY_NAMESPACE: Uuid = Uuid::from_u128(0x6d65_6572_6b61_7450_6565_7249_6430_0001);

/// The transport an input arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputSource {
    /// A TCP connection.
    Tcp,
    /// A Unix domain socket.
    Uds,
    /// Standard input.
    Stdin,
    /// An HTTP webhook.
    Webhook,
    /// An RPC call.
    Rpc,
}

/// The identity of a peer, a UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PeerId(pub Uuid);

impl PeerId {
    /// A fresh time-ordered (v7) peer id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Wraps an existing UUID.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// Parses any form that [`Uuid::parse_str`] accepts.
    pub fn parse(input: &str) -> Result<Self, PeerIdError> {
        Uuid::parse_str(input)
            .map(Self)
            .map_err(|source| PeerIdError::Invalid {
                input: input.to_owned(),
                source,
            })
    }

    /// The peer id derived (UUID v5) from an ed25519 public key.
    pub fn from_ed25519_pubkey(public_key: &[u8; 32]) -> Self {
        Self(Uuid::new_v5(&PEER_ID_KEY_NAMESPACE, public_key))
    }

    /// The lowercase hyphenated form.
    pub fn as_str(&self) -> String {
        self.0.to_string()
    }

    /// The inner UUID.
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl Default for PeerId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Why a peer id could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerIdError {
    /// The text is not a UUID.
    #[error("invalid peer id {input:?}: {source}")]
    Invalid {
        /// The rejected text.
        input: String,
        /// The UUID parser's error.
        source: uuid::Error,
    },
}

/// A change in the set of peers wired to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PeerLifecycleKind {
    /// A peer was added (`mob.peer_added`).
    #[serde(rename = "mob.peer_added")]
    PeerAdded,
    /// A peer was retired (`mob.peer_retired`).
    #[serde(rename = "mob.peer_retired")]
    PeerRetired,
    /// A peer was unwired (`mob.peer_unwired`).
    #[serde(rename = "mob.peer_unwired")]
    PeerUnwired,
}

impl PeerLifecycleKind {
    /// The intent name, such as `mob.peer_added`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PeerAdded => "mob.peer_added",
            Self::PeerRetired => "mob.peer_retired",
            Self::PeerUnwired => "mob.peer_unwired",
        }
    }
}

impl fmt::Display for PeerLifecycleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
