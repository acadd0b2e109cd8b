//! One session's handles.

use super::{
    auth_lease, comms_drain, interaction_stream, mcp_server, model_routing, peer_ingress,
    peer_interaction, realtime_turn, session_context, tool_surface, turn,
};
use crate::handles::{DefaultSessionClaimRegistry, SessionClaimHandle};
use crate::types::SessionId;
use std::sync::Arc;

/// The handles of one in-memory session, every one backed by a machine
/// generated from `machines/`.
///
/// [`SessionRuntimeBindings::new`] returns the session as a runtime has it
/// once it is bound: initialized, registered and attached, so every handle
/// takes inputs at once (turns can start, surfaces can be staged, drains
/// ensured, peer input classified). Each accessor returns a shared handle to
/// the same session state: call it as often as needed.
///
/// The turn and session admission share one machine (they share the bound
/// run and the host lifecycle); every other flow has its own, behind its
/// own lock. Session claims use the process-wide
/// [`DefaultSessionClaimRegistry::global`].
pub struct SessionRuntimeBindings {
    session_id: SessionId,
    pub(super) turn: turn::Parts,
    pub(super) tool_surface: tool_surface::Parts,
    pub(super) auth_lease: auth_lease::Parts,
    pub(super) model_routing: model_routing::Parts,
    pub(super) peer_interaction: peer_interaction::Parts,
    pub(super) interaction_stream: interaction_stream::Parts,
    pub(super) peer_ingress: peer_ingress::Parts,
    pub(super) comms_drain: comms_drain::Parts,
    pub(super) mcp_server: mcp_server::Parts,
    pub(super) session_context: session_context::Parts,
    pub(super) realtime_turn: realtime_turn::Parts,
}

impl SessionRuntimeBindings {
    /// A new session `session_id`, initialized, registered and attached.
    pub fn new(session_id: SessionId) -> Self {
        Self {
            turn: turn::Parts::new(&session_id),
            tool_surface: tool_surface::Parts::new(&session_id),
            auth_lease: auth_lease::Parts::new(&session_id),
            model_routing: model_routing::Parts::new(&session_id),
            peer_interaction: peer_interaction::Parts::new(&session_id),
            interaction_stream: interaction_stream::Parts::new(&session_id),
            peer_ingress: peer_ingress::Parts::new(&session_id),
            comms_drain: comms_drain::Parts::new(&session_id),
            mcp_server: mcp_server::Parts::new(&session_id),
            session_context: session_context::Parts::new(&session_id),
            realtime_turn: realtime_turn::Parts::new(&session_id),
            session_id,
        }
    }

    /// The session these handles belong to.
    pub fn session_id(&self) -> &SessionId {
        &self.session_id
    }

    /// Exclusive claims of session identities, process-wide.
    pub fn session_claim(&self) -> Arc<dyn SessionClaimHandle> {
        DefaultSessionClaimRegistry::global()
    }
}

impl std::fmt::Debug for SessionRuntimeBindings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRuntimeBindings")
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}
