//! One session's handles.

use super::observe::{ObserverPanic, PanicReports};
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
    observer_panics: Arc<PanicReports>,
}

impl SessionRuntimeBindings {
    /// A new session `session_id`, initialized, registered and attached.
    pub fn new(session_id: SessionId) -> Self {
        let panics = Arc::new(PanicReports::default());
        Self {
            turn: turn::Parts::new(&session_id),
            tool_surface: tool_surface::Parts::new(&session_id),
            auth_lease: auth_lease::Parts::new(&session_id),
            model_routing: model_routing::Parts::new(&session_id),
            peer_interaction: peer_interaction::Parts::new(&session_id, &panics),
            interaction_stream: interaction_stream::Parts::new(&session_id, &panics),
            peer_ingress: peer_ingress::Parts::new(&session_id),
            comms_drain: comms_drain::Parts::new(&session_id),
            mcp_server: mcp_server::Parts::new(&session_id),
            session_context: session_context::Parts::new(&session_id, &panics),
            realtime_turn: realtime_turn::Parts::new(&session_id, &panics),
            observer_panics: panics,
            session_id,
        }
    }

    /// Sets who is told when an observer of this session panics (one hook
    /// per session; the last set wins). Observer panics never unwind into
    /// the handle method that caused the notification: its transition has
    /// committed, so the panic is caught, counted, passed to this hook, and
    /// the session keeps serving (std's panic hook has already printed the
    /// message). A panicking hook is caught too.
    pub fn on_observer_panic(&self, hook: impl Fn(&ObserverPanic) + Send + Sync + 'static) {
        self.observer_panics.set_hook(Arc::new(hook));
    }

    /// How many observer panics this session caught.
    pub fn observer_panics(&self) -> u64 {
        self.observer_panics.count()
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
