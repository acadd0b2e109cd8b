//! Code written against the seed's paths and signatures compiles unchanged.
//!
//! Every public path the seed names is imported here, and every handle
//! method is called through a trait object with arguments of the seed's
//! types. The drivers are never run (nothing here implements the traits);
//! the test is that this file compiles.

use std::collections::BTreeSet;
use std::sync::Arc;

use agent_core::LoopState;
use agent_core::comms::{InputSource, PeerId};
use agent_core::connection::{AuthBindingRef, BindingId, ProfileId, RealmId};
use agent_core::event::AgentErrorClass;
use agent_core::handles::{
    AUTH_LEASE_TTL_REFRESH_WINDOW_SECS, AuthLeaseHandle, AuthLeasePhase, AuthLeaseSnapshot,
    AuthLeaseTransition, CommsDrainHandle, DefaultSessionClaimRegistry, DrainExitReason, DrainMode,
    DslRejectionKind, DslTransitionError, ExternalToolSurfaceEffect, ExternalToolSurfaceHandle,
    ExternalToolSurfaceInput, ExternalToolSurfaceTransition, InteractionStreamCleanupObserver,
    InteractionStreamHandle, LeaseKey, McpServerLifecycleHandle, ModelRoutingHandle,
    PeerCommsHandle, PeerConversationProjection, PeerInteractionCleanupObserver,
    PeerInteractionHandle, PeerResponseProgressProjectionPhase, PeerResponseTerminalCorrelationId,
    PeerResponseTerminalDisplayIdentity, PeerResponseTerminalFact, PeerResponseTerminalFactError,
    PeerResponseTerminalProjectionStatus, PeerResponseTerminalRenderPayload,
    PeerResponseTerminalRouteIdentity, PeerResponseTerminalSource,
    PeerResponseTerminalTransportIdentity, PeerTerminalDisposition, RealtimeProductTurnHandle,
    RealtimeProductTurnPhase, RealtimeProjectionFreshness, RealtimeProjectionFreshnessObserver,
    RealtimeReconnectPolicy, SessionAdmissionHandle, SessionClaim, SessionClaimError,
    SessionClaimHandle, SessionContextAdvancedObserver, SessionContextHandle,
    SurfaceDiagnosticSnapshot, SurfaceSnapshot, TurnStateHandle, TurnStateSnapshot,
    peer_response_terminal_context_key,
};
use agent_core::interaction::{
    PeerIngressAdmission, PeerIngressEnvelopeFacts, PeerIngressPlainEventFacts,
    SendResponseCallProjection,
};
use agent_core::lifecycle::run_primitive::ModelId;
use agent_core::lifecycle::{InputId, RunId};
use agent_core::ops::{AsyncOpRef, OperationId};
use agent_core::peer_correlation::{
    InboundPeerRequestState, InteractionStreamState, OutboundPeerRequestState, PeerCorrelationId,
};
use agent_core::retry::LlmRetrySchedule;
use agent_core::tool_scope::{
    ExternalToolSurfaceBaseState, ExternalToolSurfaceDeltaOperation, ExternalToolSurfaceDeltaPhase,
    ExternalToolSurfaceFailureCause, ExternalToolSurfaceGlobalPhase, ExternalToolSurfacePendingOp,
    ExternalToolSurfaceStagedOp,
};
use agent_core::turn_execution_authority::{
    ContentShape, TurnFailureReason, TurnPhase, TurnPrimitiveKind, TurnTerminalCauseKind,
    TurnTerminalOutcome,
};
use agent_core::types::SessionId;

type R<T = ()> = Result<T, DslTransitionError>;

fn drive_turn(
    handle: &dyn TurnStateHandle,
    retry: LlmRetrySchedule,
    reason: TurnFailureReason,
) -> R<TurnStateSnapshot> {
    let run = RunId::new();
    handle.start_conversation_run(
        run.clone(),
        TurnPrimitiveKind::ConversationTurn,
        ContentShape::Conversation,
        false,
        false,
        2,
    )?;
    handle.start_immediate_append(run.clone())?;
    handle.start_immediate_context(run.clone())?;
    handle.primitive_applied()?;
    handle.llm_returned_tool_calls(1)?;
    handle.llm_returned_terminal()?;
    let op = OperationId::new();
    let refs: BTreeSet<AsyncOpRef> = [AsyncOpRef::barrier(op.clone())].into_iter().collect();
    let barrier: BTreeSet<OperationId> = [op].into_iter().collect();
    handle.register_pending_ops(refs, barrier.clone())?;
    handle.tool_calls_resolved()?;
    handle.ops_barrier_satisfied(barrier)?;
    handle.boundary_continue()?;
    handle.boundary_complete()?;
    handle.enter_extraction(3_u32)?;
    handle.extraction_start()?;
    handle.extraction_validation_passed()?;
    handle.extraction_validation_failed(String::from("bad"))?;
    handle.extraction_failed(String::from("bad"))?;
    handle.recoverable_failure(retry)?;
    handle.fatal_failure(reason.clone())?;
    handle.retry_requested(1_u32)?;
    handle.cancel_now()?;
    handle.request_cancel_after_boundary()?;
    handle.cancellation_observed()?;
    handle.acknowledge_terminal(TurnTerminalOutcome::Completed)?;
    handle.turn_limit_reached()?;
    handle.budget_exhausted()?;
    handle.time_budget_exceeded()?;
    handle.force_cancel_no_run()?;
    handle.run_completed(run.clone())?;
    handle.run_failed(run.clone(), reason)?;
    handle.run_cancelled(run)?;
    let snapshot = handle.snapshot();
    let TurnStateSnapshot {
        active_run_id,
        loop_state,
        turn_phase,
        primitive_kind,
        admitted_content_shape,
        vision_enabled,
        image_tool_results_enabled,
        tool_calls_pending,
        pending_op_refs,
        barrier_operation_ids,
        has_barrier_ops,
        barrier_satisfied,
        boundary_count,
        cancel_after_boundary,
        terminal_outcome,
        terminal_cause_kind,
        extraction_attempts,
        max_extraction_retries,
        llm_retry_attempt,
        llm_retry_max_retries,
        llm_retry_selected_delay_ms,
    } = snapshot.clone();
    let _: (Option<RunId>, LoopState, TurnPhase) = (active_run_id, loop_state, turn_phase);
    let _: (Option<TurnPrimitiveKind>, Option<ContentShape>) =
        (primitive_kind, admitted_content_shape);
    let _: (bool, bool, u64) = (
        vision_enabled,
        image_tool_results_enabled,
        tool_calls_pending,
    );
    let _: (BTreeSet<AsyncOpRef>, BTreeSet<OperationId>) = (pending_op_refs, barrier_operation_ids);
    let _: (bool, bool, u64, bool) = (
        has_barrier_ops,
        barrier_satisfied,
        boundary_count,
        cancel_after_boundary,
    );
    let _: (Option<TurnTerminalOutcome>, Option<TurnTerminalCauseKind>) =
        (terminal_outcome, terminal_cause_kind);
    let _: (u64, u64, u32, u32, u64) = (
        extraction_attempts,
        max_extraction_retries,
        llm_retry_attempt,
        llm_retry_max_retries,
        llm_retry_selected_delay_ms,
    );
    Ok(snapshot)
}

fn drive_drain(handle: &dyn CommsDrainHandle) -> R {
    handle.ensure_drain_running()?;
    handle.spawn_drain(DrainMode::PersistentHost)?;
    handle.stop_drain()?;
    handle.drain_exited_clean()?;
    handle.drain_exited_respawnable()?;
    handle.notify_drain_exited(DrainExitReason::Failed)
}

fn drive_surface(handle: &dyn ExternalToolSurfaceHandle) -> R<SurfaceDiagnosticSnapshot> {
    let id = || String::from("alpha");
    let ExternalToolSurfaceTransition { phase, effects } =
        handle.apply_surface_input(ExternalToolSurfaceInput::Shutdown)?;
    let _: ExternalToolSurfaceGlobalPhase = phase;
    let _: Vec<ExternalToolSurfaceEffect> = effects;
    handle.register(id())?;
    handle.stage_add(id(), 1)?;
    handle.stage_remove(id(), 1)?;
    handle.stage_reload(id(), 1)?;
    handle.apply_boundary(id(), 1, 2, 3)?;
    handle.mark_pending_succeeded(id(), 1, 2)?;
    handle.mark_pending_failed(id(), 1, 2, ExternalToolSurfaceFailureCause::PendingFailed)?;
    handle.call_started(id())?;
    handle.call_finished(id())?;
    handle.finalize_removal_clean(id())?;
    handle.finalize_removal_forced(id())?;
    handle.snapshot_aligned(4)?;
    handle.shutdown_surface()?;
    if let Some(SurfaceSnapshot {
        surface_id,
        base_state,
        pending_op,
        staged_op,
        staged_intent_sequence,
        pending_task_sequence,
        pending_lineage_sequence,
        inflight_calls,
        last_delta_operation,
        last_delta_phase,
        removal_draining_since_ms,
        removal_timeout_at_ms,
        removal_applied_at_turn,
    }) = handle.surface_snapshot("alpha")
    {
        let _: String = surface_id;
        let _: Option<ExternalToolSurfaceBaseState> = base_state;
        let _: (ExternalToolSurfacePendingOp, ExternalToolSurfaceStagedOp) =
            (pending_op, staged_op);
        let _: [Option<u64>; 6] = [
            staged_intent_sequence,
            pending_task_sequence,
            pending_lineage_sequence,
            removal_draining_since_ms,
            removal_timeout_at_ms,
            removal_applied_at_turn,
        ];
        let _: u64 = inflight_calls;
        let _: Option<ExternalToolSurfaceDeltaOperation> = last_delta_operation;
        let _: Option<ExternalToolSurfaceDeltaPhase> = last_delta_phase;
    }
    let _: [BTreeSet<String>; 3] = [
        handle.visible_surfaces(),
        handle.removing_surfaces(),
        handle.pending_surfaces(),
    ];
    let _: bool = handle.has_pending_or_staged();
    let _: (u64, u64) = (handle.snapshot_epoch(), handle.snapshot_aligned_epoch());
    let diagnostic = handle.diagnostic_snapshot();
    let SurfaceDiagnosticSnapshot {
        surface_phase,
        known_surfaces,
        visible_surfaces,
        snapshot_epoch,
        snapshot_aligned_epoch,
        has_pending_or_staged,
        entries,
    } = diagnostic.clone();
    let _: ExternalToolSurfaceGlobalPhase = surface_phase;
    let _: (BTreeSet<String>, BTreeSet<String>) = (known_surfaces, visible_surfaces);
    let _: (u64, u64, bool) = (
        snapshot_epoch,
        snapshot_aligned_epoch,
        has_pending_or_staged,
    );
    let _: Vec<SurfaceSnapshot> = entries;
    Ok(diagnostic)
}

fn drive_peer_comms(
    handle: &dyn PeerCommsHandle,
    envelope: PeerIngressEnvelopeFacts,
    event: PeerIngressPlainEventFacts,
) -> R<(PeerIngressAdmission, PeerIngressAdmission)> {
    handle.set_peer_ingress_context(true)?;
    Ok((
        handle.classify_external_envelope(envelope)?,
        handle.classify_plain_event(event)?,
    ))
}

fn drive_admission(handle: &dyn SessionAdmissionHandle) -> R {
    let input = InputId::new();
    let run = RunId::new();
    handle.ingest("runtime", "work", InputSource::Rpc)?;
    handle.accept_with_completion(&input, true, false, true)?;
    handle.accept_without_wake(&input)?;
    handle.prepare(&run)?;
    handle.commit(&input, &run)?;
    handle.recycle()
}

fn drive_model_routing(handle: &dyn ModelRoutingHandle) -> R {
    handle.set_baseline(ModelId::new("model"), true)
}

fn drive_auth_lease(
    handle: &dyn AuthLeaseHandle,
    binding: &AuthBindingRef,
) -> R<AuthLeaseSnapshot> {
    let key = LeaseKey::from_auth_binding(binding);
    let AuthLeaseTransition {
        generation,
        credential_published_at_millis,
    } = handle.acquire_lease(&key, AUTH_LEASE_TTL_REFRESH_WINDOW_SECS)?;
    let _: (u64, Option<u64>) = (generation, credential_published_at_millis);
    handle.mark_expiring(&key)?;
    handle.begin_refresh(&key)?;
    let _: AuthLeaseTransition = handle.complete_refresh(&key, 10, 5)?;
    handle.refresh_failed(&key, false)?;
    handle.mark_reauth_required(&key)?;
    handle.release_lease(&key)?;
    handle.release_credential_lifecycle(&key)?;
    let snapshot = handle.snapshot(&key);
    handle.restore_auth_lifecycle_snapshot(&key, &snapshot, Some(10))?;
    let AuthLeaseSnapshot {
        phase,
        expires_at,
        credential_present,
        generation,
        credential_published_at_millis,
    } = snapshot.clone();
    let _: Option<AuthLeasePhase> = phase;
    let _: (Option<u64>, bool, u64, Option<u64>) = (
        expires_at,
        credential_present,
        generation,
        credential_published_at_millis,
    );
    let _: &dyn std::any::Any = handle;
    Ok(snapshot)
}

fn drive_mcp(handle: &dyn McpServerLifecycleHandle) -> R<BTreeSet<String>> {
    handle.apply_connect_pending("s")?;
    handle.apply_connected("s")?;
    handle.apply_failed("s", "boom")?;
    handle.apply_disconnected("s")?;
    handle.apply_reload("s")?;
    Ok(handle.pending_server_ids())
}

fn drive_peer_interaction(
    handle: &dyn PeerInteractionHandle,
    observer: Arc<dyn PeerInteractionCleanupObserver>,
) -> R {
    let corr = PeerCorrelationId::new();
    handle.request_sent(corr, String::from("peer"))?;
    handle.response_progress(corr)?;
    handle.response_terminal(corr, PeerTerminalDisposition::Completed)?;
    handle.request_timed_out(corr)?;
    handle.request_received(corr)?;
    handle.response_replied(corr)?;
    let _: Option<OutboundPeerRequestState> = handle.outbound_state(corr);
    let _: Option<InboundPeerRequestState> = handle.inbound_state(corr);
    observer.on_peer_interaction_cleanup(corr);
    handle.install_cleanup_observer(observer);
    Ok(())
}

fn drive_session_context(
    handle: &dyn SessionContextHandle,
    observer: Arc<dyn SessionContextAdvancedObserver>,
) -> R<bool> {
    let advanced = handle.context_advanced(5)?;
    let _: u64 = handle.current_watermark_ms();
    observer.on_session_context_advanced(5);
    handle.install_observer(Arc::clone(&observer));
    let _: u64 = handle.install_observer_with_baseline(observer);
    Ok(advanced)
}

fn drive_session_claim(
    registry: Arc<dyn SessionClaimHandle>,
    id: &SessionId,
) -> Result<SessionClaim, SessionClaimError> {
    registry.release(id);
    let claim = Arc::clone(&registry).try_acquire(id)?;
    let _: &SessionId = claim.session_id();
    let _ = SessionClaim::new(id.clone(), registry);
    Ok(claim)
}

fn drive_stream(
    handle: &dyn InteractionStreamHandle,
    observer: Arc<dyn InteractionStreamCleanupObserver>,
) -> R {
    let corr = PeerCorrelationId::new();
    handle.reserved(corr)?;
    handle.attached(corr)?;
    handle.completed(corr)?;
    handle.expired(corr)?;
    handle.closed_early(corr)?;
    let _: Option<InteractionStreamState> = handle.state(corr);
    observer.on_interaction_stream_cleanup(corr);
    handle.install_cleanup_observer(observer);
    Ok(())
}

fn drive_realtime(
    handle: &dyn RealtimeProductTurnHandle,
    observer: Arc<dyn RealtimeProjectionFreshnessObserver>,
) -> R<bool> {
    let _: [bool; 5] = [
        handle.turn_in_flight()?,
        handle.turn_committed()?,
        handle.output_started()?,
        handle.turn_interrupted()?,
        handle.turn_terminal()?,
    ];
    let _: RealtimeProductTurnPhase = handle.current_phase();
    let _: (bool, bool, bool) = (
        handle.is_in_flight(),
        handle.should_preempt_on_input(),
        handle.is_projection_stale_immediate(),
    );
    let _: [bool; 3] = [
        handle.projection_advance_observed(1)?,
        handle.projection_refreshed(1)?,
        handle.projection_reset(1)?,
    ];
    let _: RealtimeProjectionFreshness = handle.projection_freshness();
    let _: u64 = handle.projection_frontier_ms();
    observer.on_realtime_projection_freshness_changed(RealtimeProjectionFreshness::Clean, 1);
    handle.install_projection_freshness_observer(Arc::clone(&observer));
    let _: (RealtimeProjectionFreshness, u64) =
        handle.install_projection_freshness_observer_with_snapshot(observer);
    let _: [bool; 3] = [
        handle.classify_client_input_submitted()?,
        handle.classify_mid_turn_activity()?,
        handle.classify_turn_terminated()?,
    ];
    let _: RealtimeReconnectPolicy = handle.reconnect_policy_on_clean_close();
    Ok(true)
}

fn build_projections() -> Result<Vec<PeerConversationProjection>, PeerResponseTerminalFactError> {
    let route = PeerResponseTerminalRouteIdentity::parse("route")?;
    let correlation =
        PeerResponseTerminalCorrelationId::parse(PeerCorrelationId::new().to_string())?;
    let _: PeerCorrelationId = correlation.as_peer_correlation_id();
    let _ = PeerResponseTerminalCorrelationId::from_peer_correlation_id(PeerCorrelationId::new());
    let _: String = peer_response_terminal_context_key(&route, correlation);
    let source = PeerResponseTerminalSource::new(
        Some(PeerResponseTerminalTransportIdentity::parse("transport")?),
        route,
        PeerResponseTerminalDisplayIdentity::parse("Display")?,
    );
    let _ = PeerResponseTerminalSource::parse(Some("transport"), "route", "Display")?;
    let payload: PeerResponseTerminalRenderPayload = None.into();
    let _: Option<&serde_json::Value> = payload.as_ref();
    let fact = PeerResponseTerminalFact::new(
        source,
        correlation,
        PeerResponseTerminalProjectionStatus::Cancelled,
        PeerResponseTerminalRenderPayload::new(Some(serde_json::json!({ "k": 1 }))),
    );
    let _: (String, String) = (fact.prompt_text(), fact.context_key());
    let call = SendResponseCallProjection::new(PeerId::new(), Some("name"), "req");
    let _: String = call.instruction_text();
    Ok(vec![
        PeerConversationProjection::response_terminal(fact),
        PeerConversationProjection::Message {
            peer_id: String::from("peer"),
        },
        PeerConversationProjection::Request {
            peer_id: PeerId::new(),
            display_name: None,
            request_id: String::from("req"),
            intent: String::from("intent"),
            payload: None,
        },
        PeerConversationProjection::ResponseProgress {
            peer_id: String::from("peer"),
            request_id: String::from("req"),
            phase: PeerResponseProgressProjectionPhase::InProgress,
            payload: None,
        },
    ])
}

#[test]
fn seed_paths_and_signatures_compile() {
    let _ = drive_turn as fn(_, _, _) -> _;
    let _ = drive_drain as fn(_) -> _;
    let _ = drive_surface as fn(_) -> _;
    let _ = drive_peer_comms as fn(_, _, _) -> _;
    let _ = drive_admission as fn(_) -> _;
    let _ = drive_model_routing as fn(_) -> _;
    let _ = drive_auth_lease as fn(_, _) -> _;
    let _ = drive_mcp as fn(_) -> _;
    let _ = drive_peer_interaction as fn(_, _) -> _;
    let _ = drive_session_context as fn(_, _) -> _;
    let _ = drive_stream as fn(_, _) -> _;
    let _ = drive_realtime as fn(_, _) -> _;

    // The parts that need no handle implementation run for real.
    assert_eq!(build_projections().map(|p| p.len()), Ok(4));
    let registry: Arc<dyn SessionClaimHandle> = Arc::new(DefaultSessionClaimRegistry::new());
    let id = SessionId::new();
    let claim = drive_session_claim(registry, &id);
    assert!(claim.is_ok());
    let _: Arc<DefaultSessionClaimRegistry> = DefaultSessionClaimRegistry::global();

    let error = DslTransitionError::guard_rejected("Trait::method", "why");
    assert_eq!(error.kind, DslRejectionKind::GuardRejected);
    let _: (RealmId, BindingId, Option<ProfileId>) = (
        RealmId::parse("r").expect("realm"),
        BindingId::parse("b").expect("binding"),
        None,
    );
    let _: AgentErrorClass = TurnTerminalCauseKind::Unknown.agent_error_class();
}
