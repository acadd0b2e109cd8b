//! `SessionRuntimeBindings`: one session's thirteen handles, usable at once
//! (the session is initialized, registered and attached), each accessor
//! sharing its flow's state, sessions independent of each other.

use agent_core::SessionRuntimeBindings;
use agent_core::connection::{BindingId, RealmId};
use agent_core::handles::{
    AuthLeaseHandle, CommsDrainHandle, ExternalToolSurfaceHandle, InteractionStreamHandle,
    LeaseKey, McpServerLifecycleHandle, ModelRoutingHandle, PeerCommsHandle, PeerInteractionHandle,
    RealtimeProductTurnHandle, RealtimeProductTurnPhase, SessionAdmissionHandle,
    SessionClaimHandle, SessionContextHandle, TurnStateHandle,
};
use agent_core::interaction::PeerIngressPlainEventFacts;
use agent_core::lifecycle::RunId;
use agent_core::lifecycle::run_primitive::ModelId;
use agent_core::peer_correlation::{OutboundPeerRequestState, PeerCorrelationId};
use agent_core::turn_execution_authority::{ContentShape, TurnPhase, TurnPrimitiveKind};
use agent_core::types::SessionId;
use std::sync::Arc;

fn start(turn: &dyn TurnStateHandle, run: RunId) {
    turn.start_conversation_run(
        run,
        TurnPrimitiveKind::ConversationTurn,
        ContentShape::Conversation,
        false,
        false,
        0,
    )
    .unwrap();
}

#[test]
fn every_handle_takes_inputs_on_a_new_session() {
    let s = SessionRuntimeBindings::new(SessionId::new());

    let turn: Arc<dyn TurnStateHandle> = s.turn_state();
    start(turn.as_ref(), RunId::new());
    assert_eq!(turn.snapshot().turn_phase, TurnPhase::ApplyingPrimitive);

    let drain: Arc<dyn CommsDrainHandle> = s.comms_drain();
    drain.ensure_drain_running().unwrap();

    let surfaces: Arc<dyn ExternalToolSurfaceHandle> = s.external_tool_surface();
    surfaces.stage_add("docs".into(), 1).unwrap();
    assert!(surfaces.has_pending_or_staged());

    let peers: Arc<dyn PeerCommsHandle> = s.peer_comms();
    peers
        .classify_plain_event(PeerIngressPlainEventFacts {
            source_name: "webhook".into(),
            body: "deploy finished".into(),
        })
        .unwrap();

    let admission: Arc<dyn SessionAdmissionHandle> = s.session_admission();
    admission
        .accept_without_wake(&agent_core::lifecycle::InputId::new())
        .unwrap();

    let routing: Arc<dyn ModelRoutingHandle> = s.model_routing();
    routing.set_baseline(ModelId::new("model-a"), true).unwrap();

    let leases: Arc<dyn AuthLeaseHandle> = s.auth_lease();
    let key = LeaseKey::new(
        RealmId::parse("realm").unwrap(),
        BindingId::parse("binding").unwrap(),
        None,
    );
    let published = leases.acquire_lease(&key, 1_000).unwrap();
    assert_eq!(published.generation, 1);

    let servers: Arc<dyn McpServerLifecycleHandle> = s.mcp_server_lifecycle();
    servers.apply_connect_pending("fs").unwrap();
    assert!(servers.pending_server_ids().contains("fs"));

    let interactions: Arc<dyn PeerInteractionHandle> = s.peer_interaction();
    let corr = PeerCorrelationId::new();
    interactions.request_sent(corr, "peer-b".into()).unwrap();
    assert_eq!(
        interactions.outbound_state(corr),
        Some(OutboundPeerRequestState::Sent)
    );

    let context: Arc<dyn SessionContextHandle> = s.session_context();
    assert_eq!(context.context_advanced(5), Ok(true));
    assert_eq!(context.current_watermark_ms(), 5);

    let claims: Arc<dyn SessionClaimHandle> = s.session_claim();
    let claim = claims.try_acquire(s.session_id()).unwrap();
    assert_eq!(claim.session_id(), s.session_id());
    drop(claim);

    let streams: Arc<dyn InteractionStreamHandle> = s.interaction_stream();
    let stream = PeerCorrelationId::new();
    streams.reserved(stream).unwrap();
    assert!(streams.state(stream).is_some());

    let realtime: Arc<dyn RealtimeProductTurnHandle> = s.realtime_product_turn();
    assert_eq!(realtime.turn_in_flight(), Ok(true));
    assert_eq!(
        realtime.current_phase(),
        RealtimeProductTurnPhase::AwaitingProgress
    );
}

#[test]
fn accessors_share_the_session_state() {
    let s = SessionRuntimeBindings::new(SessionId::new());
    start(s.turn_state().as_ref(), RunId::new());
    assert_eq!(
        s.turn_state().snapshot().turn_phase,
        TurnPhase::ApplyingPrimitive
    );
    s.external_tool_surface()
        .stage_add("docs".into(), 1)
        .unwrap();
    assert!(s.external_tool_surface().has_pending_or_staged());
    s.session_context().context_advanced(9).unwrap();
    assert_eq!(s.session_context().current_watermark_ms(), 9);
}

#[test]
fn sessions_are_independent() {
    let a = SessionRuntimeBindings::new(SessionId::new());
    let b = SessionRuntimeBindings::new(SessionId::new());
    start(a.turn_state().as_ref(), RunId::new());
    assert_eq!(b.turn_state().snapshot().turn_phase, TurnPhase::Ready);
    a.session_context().context_advanced(3).unwrap();
    assert_eq!(b.session_context().current_watermark_ms(), 0);
    assert_ne!(a.session_id(), b.session_id());
}

#[test]
fn a_session_identity_is_claimed_once_process_wide() {
    let id = SessionId::new();
    let a = SessionRuntimeBindings::new(id.clone());
    let b = SessionRuntimeBindings::new(id.clone());
    let claim = a.session_claim().try_acquire(&id).unwrap();
    assert!(b.session_claim().try_acquire(&id).is_err());
    drop(claim);
    assert!(b.session_claim().try_acquire(&id).is_ok());
}
