//! Every bundled machine of `machines/`, compiled through `fsm::machine!`
//! with stand-ins for the contract types the specs name (`extern` types and
//! enums bound to Rust enums). Stand-in externs are `String` newtypes, so an
//! abstract value of a `verify` domain (`"r1"`) is also its serde form.
//!
//! The specs name their types as `crate::<module>::<Type>`; the crate root
//! re-exports the stand-in modules below under those names.

use serde::{Deserialize, Serialize};

macro_rules! extern_stand_ins {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("Stand-in for the contract's `", stringify!($name), "`.")]
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub String);

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    )*};
}

macro_rules! enum_stand_ins {
    ($($name:ident { $($variant:ident),* $(,)? })*) => {$(
        #[doc = concat!("Stand-in for the contract's `", stringify!($name), "`.")]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        pub enum $name {
            $($variant,)*
        }
    )*};
}

/// `crate::handles`.
pub mod handles {
    use super::*;
    extern_stand_ins!(LeaseKey);
}

/// `crate::lifecycle`.
pub mod lifecycle {
    use super::*;
    extern_stand_ins!(RunId, InputId);
}

/// `crate::ops`.
pub mod ops {
    use super::*;
    extern_stand_ins!(OperationId);
}

/// `crate::peer_correlation`.
pub mod peer_correlation {
    use super::*;
    extern_stand_ins!(PeerCorrelationId);
    enum_stand_ins! {
        InteractionStreamState { Reserved, Attached, Completed, Expired, ClosedEarly }
        OutboundPeerRequestState { Sent, AcceptedProgress, Completed, Failed, TimedOut }
        InboundPeerRequestState { Received, Replied }
    }
}

/// `crate::comms`.
pub mod comms {
    use super::*;
    enum_stand_ins! {
        PeerLifecycleKind { PeerAdded, PeerRetired, PeerUnwired }
        InputSource { Tcp, Uds, Stdin, Webhook, Rpc }
    }
}

/// `crate::interaction`.
pub mod interaction {
    use super::*;
    enum_stand_ins! {
        ResponseStatus { Accepted, Completed, Failed }
    }
}

/// `crate::tool_scope`.
pub mod tool_scope {
    use super::*;
    enum_stand_ins! {
        ExternalToolSurfaceFailureCause { PendingFailed, SurfaceDraining, SurfaceUnavailable }
    }
}

/// `crate::turn_execution_authority`.
pub mod turn_execution_authority {
    use super::*;
    enum_stand_ins! {
        TurnTerminalCauseKind {
            Unknown, HookDenied, HookFailure, LlmFailure, ToolFailure,
            StructuredOutputValidationFailed, BudgetExhausted, TimeBudgetExceeded,
            RetryExhausted, TurnLimitReached, RuntimeApplyFailure, FatalFailure,
        }
    }
}

macro_rules! bundled {
    ($($stem:ident => $path:literal),* $(,)?) => {
        $(
            #[doc = concat!("`", $path, "`.")]
            pub mod $stem {
                fsm::machine!($path);
            }
        )*

        /// The file stems of the machines compiled here, sorted.
        pub const STEMS: &[&str] = &[$(stringify!($stem)),*];
    };
}

bundled!(
    auth_lease => "../machines/auth_lease.fsm",
    comms_drain => "../machines/comms_drain.fsm",
    interaction_stream => "../machines/interaction_stream.fsm",
    mcp_server => "../machines/mcp_server.fsm",
    model_routing => "../machines/model_routing.fsm",
    peer_ingress => "../machines/peer_ingress.fsm",
    peer_interaction => "../machines/peer_interaction.fsm",
    realtime_turn => "../machines/realtime_turn.fsm",
    session_context => "../machines/session_context.fsm",
    tool_surface => "../machines/tool_surface.fsm",
    turn => "../machines/turn.fsm",
);
