//! The texts and serde formats of the contract's value types.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::time::Duration;

use agent_core::LoopState;
use agent_core::comms::{InputSource, PeerId, PeerIdError, PeerLifecycleKind};
use agent_core::connection::{AuthBindingRef, BindingId, IdentityError, ProfileId, RealmId};
use agent_core::event::AgentErrorClass;
use agent_core::handles::{LeaseKey, PeerConversationProjection};
use agent_core::interaction::{
    PeerIngressAuthDecision, PeerIngressAuthExemption, PeerIngressClassification, PeerIngressKind,
    PeerInputClass, ResponseStatus, SendResponseCallProjection,
};
use agent_core::lifecycle::run_primitive::ModelId;
use agent_core::lifecycle::{InputId, RunId, WaitRequestId};
use agent_core::ops::{AsyncOpRef, OperationId, WaitPolicy};
use agent_core::peer_correlation::{
    InboundPeerRequestState, InteractionStreamState, OutboundPeerRequestState, PeerCorrelationId,
};
use agent_core::retry::{LlmRetryFailure, LlmRetryFailureKind, LlmRetryPlan, LlmRetrySchedule};
use agent_core::tool_scope::ExternalToolSurfaceFailureCause;
use agent_core::turn_execution_authority::{
    ContentShape, TurnFailureReason, TurnPhase, TurnTerminalCauseKind, TurnTerminalOutcome,
};
use agent_core::types::SessionId;
use serde_json::json;
use uuid::Uuid;

const PEER: &str = "11111111-1111-4111-8111-111111111111";

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serialize")
}

fn peer() -> PeerId {
    PeerId::parse(PEER).expect("peer id")
}

// ---- LoopState ----

#[test]
fn loop_state_texts_defaults_and_predicates() {
    let cases = [
        (LoopState::CallingLlm, "calling_llm"),
        (LoopState::WaitingForOps, "waiting_for_ops"),
        (LoopState::DrainingEvents, "draining_events"),
        (LoopState::Cancelling, "cancelling"),
        (LoopState::ErrorRecovery, "error_recovery"),
        (LoopState::Completed, "completed"),
    ];
    for (state, text) in cases {
        assert_eq!(state.to_string(), text);
        assert_eq!(to_json(&state), format!("\"{text}\""));
        let back: LoopState = serde_json::from_str(&format!("\"{text}\"")).expect("parse");
        assert_eq!(back, state);
        assert_eq!(state.is_terminal(), state == LoopState::Completed);
        assert_eq!(
            state.is_waiting(),
            matches!(state, LoopState::CallingLlm | LoopState::WaitingForOps)
        );
    }
    assert_eq!(LoopState::default(), LoopState::CallingLlm);
}

// ---- comms ----

#[test]
fn input_source_serializes_lowercase() {
    let cases = [
        (InputSource::Tcp, "tcp"),
        (InputSource::Uds, "uds"),
        (InputSource::Stdin, "stdin"),
        (InputSource::Webhook, "webhook"),
        (InputSource::Rpc, "rpc"),
    ];
    for (source, text) in cases {
        assert_eq!(to_json(&source), format!("\"{text}\""));
        let back: InputSource = serde_json::from_str(&format!("\"{text}\"")).expect("parse");
        assert_eq!(back, source);
    }
}

#[test]
fn peer_id_displays_serializes_and_parses() {
    let id = peer();
    assert_eq!(id.to_string(), PEER);
    assert_eq!(id.as_str(), PEER);
    assert_eq!(to_json(&id), format!("\"{PEER}\""));
    assert_eq!(
        serde_json::from_str::<PeerId>(&format!("\"{PEER}\"")).expect("parse"),
        id
    );
    assert_eq!(*id.as_uuid(), Uuid::parse_str(PEER).expect("uuid"));
    assert_eq!(PeerId::from_uuid(*id.as_uuid()), id);
    assert_eq!(PeerId::new().as_uuid().get_version_num(), 7);
    assert_eq!(PeerId::default().as_uuid().get_version_num(), 7);
}

#[test]
fn peer_id_parse_error_names_the_input() {
    let source = Uuid::parse_str("not-a-uuid").expect_err("invalid uuid");
    let err = PeerId::parse("not-a-uuid").expect_err("invalid peer id");
    assert_eq!(
        err.to_string(),
        format!("invalid peer id \"not-a-uuid\": {source}")
    );
    let PeerIdError::Invalid { input, .. } = &err;
    assert_eq!(input, "not-a-uuid");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn peer_id_from_ed25519_pubkey_is_a_stable_v5() {
    let key = [7u8; 32];
    let a = PeerId::from_ed25519_pubkey(&key);
    let b = PeerId::from_ed25519_pubkey(&key);
    assert_eq!(a, b);
    assert_eq!(a.as_uuid().get_version_num(), 5);
    let namespace = Uuid::from_u128(0x6d65_6572_6b61_7450_6565_7249_6430_0001);
    assert_eq!(*a.as_uuid(), Uuid::new_v5(&namespace, &key));
    assert_ne!(a, PeerId::from_ed25519_pubkey(&[8u8; 32]));
}

#[test]
fn peer_lifecycle_kind_names() {
    let cases = [
        (PeerLifecycleKind::PeerAdded, "mob.peer_added"),
        (PeerLifecycleKind::PeerRetired, "mob.peer_retired"),
        (PeerLifecycleKind::PeerUnwired, "mob.peer_unwired"),
    ];
    for (kind, text) in cases {
        assert_eq!(kind.as_str(), text);
        assert_eq!(kind.to_string(), text);
        assert_eq!(to_json(&kind), format!("\"{text}\""));
        let back: PeerLifecycleKind = serde_json::from_str(&format!("\"{text}\"")).expect("parse");
        assert_eq!(back, kind);
    }
    assert_eq!(
        agent_core::comms::SUPERVISOR_BRIDGE_INTENT,
        "supervisor.bridge"
    );
}

// ---- interaction ----

#[test]
fn send_response_call_constants() {
    assert_eq!(SendResponseCallProjection::TOOL_NAME, "send_response");
    assert_eq!(SendResponseCallProjection::PEER_ID_FIELD, "peer_id");
    assert_eq!(
        SendResponseCallProjection::DISPLAY_NAME_FIELD,
        "display_name"
    );
    assert_eq!(SendResponseCallProjection::IN_REPLY_TO_FIELD, "in_reply_to");
    assert_eq!(SendResponseCallProjection::STATUS_FIELD, "status");
    assert_eq!(SendResponseCallProjection::RESULT_FIELD, "result");
}

#[test]
fn send_response_call_trims_display_name_but_not_request_id() {
    let call = SendResponseCallProjection::new(peer(), Some(" Analyst "), " req-1 ");
    assert_eq!(call.display_name.as_deref(), Some("Analyst"));
    assert_eq!(call.in_reply_to, " req-1 ");
    assert_eq!(
        SendResponseCallProjection::new(peer(), Some("   "), "r").display_name,
        None
    );
    assert_eq!(
        SendResponseCallProjection::new(peer(), None, "r").display_name,
        None
    );
}

#[test]
fn send_response_call_instruction_text() {
    let call = SendResponseCallProjection::new(peer(), Some(" Analyst "), "req-123");
    assert_eq!(
        call.completed_example_args(),
        json!({
            "display_name": "Analyst",
            "in_reply_to": "req-123",
            "peer_id": PEER,
            "status": "completed",
        })
    );
    assert_eq!(
        call.instruction_text(),
        "Reply with send_response with arguments {\"display_name\":\"Analyst\",\"in_reply_to\":\"req-123\",\"peer_id\":\"11111111-1111-4111-8111-111111111111\",\"status\":\"completed\"}. Use status=\"failed\" instead of \"completed\" when the request cannot be fulfilled, and include result only when the request contract provides a typed result payload."
    );
    let anonymous = SendResponseCallProjection::new(peer(), None, "req-123");
    assert_eq!(
        anonymous.instruction_text(),
        "Reply with send_response with arguments {\"in_reply_to\":\"req-123\",\"peer_id\":\"11111111-1111-4111-8111-111111111111\",\"status\":\"completed\"}. Use status=\"failed\" instead of \"completed\" when the request cannot be fulfilled, and include result only when the request contract provides a typed result payload."
    );
}

#[test]
fn peer_request_projection_prompt_text() {
    let projection = PeerConversationProjection::Request {
        peer_id: peer(),
        display_name: Some(" Analyst ".to_owned()),
        request_id: "req-123".to_owned(),
        intent: "checksum_token".to_owned(),
        payload: Some(json!({ "subject": "alpha beta gamma" })),
    };
    assert_eq!(
        projection.prompt_text(),
        "[SYSTEM NOTICE][PEER_REQUEST] Correlated peer request from peer_id 11111111-1111-4111-8111-111111111111 (display_name: Analyst). Intent: checksum_token. Request ID: req-123. Params: {\n  \"subject\": \"alpha beta gamma\"\n}. This is not a normal user request and not a prompt for direct user-facing output. Reply with send_response with arguments {\"display_name\":\"Analyst\",\"in_reply_to\":\"req-123\",\"peer_id\":\"11111111-1111-4111-8111-111111111111\",\"status\":\"completed\"}. Use status=\"failed\" instead of \"completed\" when the request cannot be fulfilled, and include result only when the request contract provides a typed result payload. Do not use send_message for this reply."
    );
    assert_eq!(projection.context_key(), None);
    assert_eq!(projection.block_prefix_text(), None);

    let bare = PeerConversationProjection::Request {
        peer_id: peer(),
        display_name: None,
        request_id: "req-123".to_owned(),
        intent: "checksum_token".to_owned(),
        payload: None,
    };
    let text = bare.prompt_text();
    assert!(text.starts_with(
        "[SYSTEM NOTICE][PEER_REQUEST] Correlated peer request from peer_id 11111111-1111-4111-8111-111111111111. Intent: checksum_token. Request ID: req-123. Params: null. "
    ));
    assert!(text.contains("{\"in_reply_to\":\"req-123\",\"peer_id\""));
}

#[test]
fn response_status_serializes_snake_case() {
    let cases = [
        (ResponseStatus::Accepted, "accepted"),
        (ResponseStatus::Completed, "completed"),
        (ResponseStatus::Failed, "failed"),
    ];
    for (status, text) in cases {
        assert_eq!(to_json(&status), format!("\"{text}\""));
    }
}

#[test]
fn ingress_classification_constructors() {
    let required = PeerIngressClassification::required(PeerInputClass::Ack, PeerIngressKind::Ack);
    assert_eq!(required.class, PeerInputClass::Ack);
    assert_eq!(required.kind, PeerIngressKind::Ack);
    assert_eq!(required.auth, PeerIngressAuthDecision::Required);
    assert_eq!(required.lifecycle_kind, None);
    assert_eq!(required.response_terminality, None);

    let cases = [
        (
            PeerLifecycleKind::PeerAdded,
            PeerInputClass::PeerLifecycleAdded,
        ),
        (
            PeerLifecycleKind::PeerRetired,
            PeerInputClass::PeerLifecycleRetired,
        ),
        (
            PeerLifecycleKind::PeerUnwired,
            PeerInputClass::PeerLifecycleUnwired,
        ),
    ];
    for (kind, class) in cases {
        let lifecycle = PeerIngressClassification::lifecycle(kind);
        assert_eq!(lifecycle.class, class);
        assert_eq!(lifecycle.kind, PeerIngressKind::Request);
        assert_eq!(lifecycle.auth, PeerIngressAuthDecision::Required);
        assert_eq!(lifecycle.lifecycle_kind, Some(kind));
        assert_eq!(lifecycle.response_terminality, None);
    }
}

#[test]
fn ingress_class_actionability_and_auth_exemption() {
    use PeerInputClass::*;
    let actionable = [
        ActionableMessage,
        ActionableRequest,
        ResponseProgress,
        ResponseTerminal,
        PlainEvent,
        PeerLifecycleKickoffFailed,
        PeerLifecycleKickoffCancelled,
    ];
    let silent = [
        PeerLifecycleAdded,
        PeerLifecycleRetired,
        PeerLifecycleUnwired,
        SilentRequest,
        Ack,
    ];
    assert!(actionable.iter().all(|class| class.is_actionable()));
    assert!(silent.iter().all(|class| !class.is_actionable()));

    let exemption = PeerIngressAuthExemption::SupervisorBridge;
    assert_eq!(exemption.intent(), "supervisor.bridge");
    assert!(exemption.matches_intent("supervisor.bridge"));
    assert!(!exemption.matches_intent("supervisor.bridge "));
    assert!(PeerIngressAuthDecision::Exempt(exemption).is_exempt());
    assert!(!PeerIngressAuthDecision::Required.is_exempt());
}

// ---- lifecycle ----

#[test]
fn model_id_is_a_plain_string() {
    let model = ModelId::new("gpt-x 1");
    assert_eq!(model.as_str(), "gpt-x 1");
    assert_eq!(model.to_string(), "gpt-x 1");
    assert_eq!(to_json(&model), "\"gpt-x 1\"");
    assert_eq!(
        serde_json::from_str::<ModelId>("\"m\"").expect("parse"),
        ModelId::new("m")
    );
}

#[test]
fn run_and_input_ids_display_and_serialize_as_uuids() {
    assert_eq!(
        RunId::from_uuid(Uuid::nil()).to_string(),
        "00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(
        InputId::from_uuid(Uuid::nil()).to_string(),
        "00000000-0000-0000-0000-000000000000"
    );
    let uuid = Uuid::parse_str(PEER).expect("uuid");
    assert_eq!(to_json(&RunId::from_uuid(uuid)), format!("\"{PEER}\""));
    assert_eq!(to_json(&InputId(uuid)), format!("\"{PEER}\""));
    assert_eq!(to_json(&WaitRequestId(uuid)), format!("\"{PEER}\""));
    assert_eq!(
        serde_json::from_str::<RunId>(&format!("\"{PEER}\"")).expect("parse"),
        RunId(uuid)
    );
    assert_eq!(RunId::new().0.get_version_num(), 7);
    assert_eq!(InputId::default().0.get_version_num(), 7);
    assert_eq!(WaitRequestId::new().0.get_version_num(), 7);
}

// ---- ops ----

#[test]
fn async_op_ref_json_shape_and_order() {
    let uuid = Uuid::parse_str(PEER).expect("uuid");
    let op = AsyncOpRef::barrier(OperationId(uuid));
    assert_eq!(
        to_json(&op),
        format!("{{\"operation_id\":\"{PEER}\",\"wait_policy\":\"barrier\"}}")
    );
    assert_eq!(
        to_json(&AsyncOpRef::detached(OperationId(uuid))),
        format!("{{\"operation_id\":\"{PEER}\",\"wait_policy\":\"detached\"}}")
    );
    assert_eq!(to_json(&WaitPolicy::barrier()), "\"barrier\"");
    assert_eq!(to_json(&WaitPolicy::detached()), "\"detached\"");
    assert_eq!(OperationId(uuid).to_string(), PEER);
    assert_eq!(OperationId::new().0.get_version_num(), 7);

    // Ordered by operation id first, then wait policy.
    let low = OperationId(Uuid::from_u128(1));
    let high = OperationId(Uuid::from_u128(2));
    let set: BTreeSet<AsyncOpRef> = [
        AsyncOpRef::barrier(high.clone()),
        AsyncOpRef::detached(low.clone()),
        AsyncOpRef::barrier(low.clone()),
    ]
    .into_iter()
    .collect();
    let order: Vec<_> = set.into_iter().collect();
    assert_eq!(
        order,
        vec![
            AsyncOpRef::barrier(low.clone()),
            AsyncOpRef::detached(low),
            AsyncOpRef::barrier(high),
        ]
    );
}

// ---- peer_correlation ----

#[test]
fn peer_correlation_id_is_transparent_and_normalized() {
    let canonical = "018f6f79-7a82-7c4e-a552-a3b86f9630f1";
    let uuid = Uuid::parse_str(canonical).expect("uuid");
    let id = PeerCorrelationId::from_uuid(uuid);
    assert_eq!(id.to_string(), canonical);
    assert_eq!(to_json(&id), format!("\"{canonical}\""));
    assert_eq!(id.as_uuid(), uuid);
    assert_eq!(PeerCorrelationId::from(uuid), id);
    assert_eq!(Uuid::from(id), uuid);
    assert_eq!(PeerCorrelationId::new().as_uuid().get_version_num(), 4);
    assert_eq!(PeerCorrelationId::default().as_uuid().get_version_num(), 4);
}

#[test]
fn peer_request_states_serialize_by_variant_name() {
    assert_eq!(
        OutboundPeerRequestState::default(),
        OutboundPeerRequestState::Sent
    );
    assert_eq!(
        to_json(&OutboundPeerRequestState::AcceptedProgress),
        "\"AcceptedProgress\""
    );
    assert_eq!(to_json(&OutboundPeerRequestState::TimedOut), "\"TimedOut\"");
    assert!(!OutboundPeerRequestState::Sent.is_terminal());
    assert!(!OutboundPeerRequestState::AcceptedProgress.is_terminal());
    assert!(OutboundPeerRequestState::Completed.is_terminal());
    assert!(OutboundPeerRequestState::Failed.is_terminal());
    assert!(OutboundPeerRequestState::TimedOut.is_terminal());

    assert_eq!(
        InboundPeerRequestState::default(),
        InboundPeerRequestState::Received
    );
    assert_eq!(to_json(&InboundPeerRequestState::Replied), "\"Replied\"");
    assert!(!InboundPeerRequestState::Received.is_terminal());
    assert!(InboundPeerRequestState::Replied.is_terminal());

    assert_eq!(
        InteractionStreamState::default(),
        InteractionStreamState::Reserved
    );
    assert_eq!(
        to_json(&InteractionStreamState::ClosedEarly),
        "\"ClosedEarly\""
    );
    assert!(!InteractionStreamState::Reserved.is_terminal());
    assert!(!InteractionStreamState::Attached.is_terminal());
    assert!(InteractionStreamState::Completed.is_terminal());
    assert!(InteractionStreamState::Expired.is_terminal());
    assert!(InteractionStreamState::ClosedEarly.is_terminal());
}

// ---- retry ----

fn schedule(retry_after_ms: Option<u64>, hint: Option<u64>) -> LlmRetrySchedule {
    LlmRetrySchedule {
        failure: LlmRetryFailure {
            provider: "openai".to_owned(),
            kind: LlmRetryFailureKind::RateLimited,
            retry_after_ms,
            duration_ms: None,
            message: "slow down".to_owned(),
        },
        plan: LlmRetryPlan {
            attempt: 1,
            max_retries: 3,
            computed_delay_ms: 500,
            selected_delay_ms: 1000,
            retry_after_hint_ms: hint,
            rate_limit_floor_applied: true,
            budget_capped: false,
        },
    }
}

#[test]
fn retry_schedule_json_skips_absent_hints() {
    let bare = schedule(None, None);
    assert_eq!(
        serde_json::to_value(&bare).expect("serialize"),
        json!({
            "failure": {
                "provider": "openai",
                "kind": "rate_limited",
                "message": "slow down",
            },
            "plan": {
                "attempt": 1,
                "max_retries": 3,
                "computed_delay_ms": 500,
                "selected_delay_ms": 1000,
                "rate_limit_floor_applied": true,
                "budget_capped": false,
            },
        })
    );
    let back: LlmRetrySchedule = serde_json::from_value(json!({
        "failure": {"provider": "openai", "kind": "rate_limited", "message": "slow down"},
        "plan": {
            "attempt": 1, "max_retries": 3, "computed_delay_ms": 500,
            "selected_delay_ms": 1000, "rate_limit_floor_applied": true, "budget_capped": false
        },
    }))
    .expect("deserialize");
    assert_eq!(back, bare);

    let hinted = schedule(Some(900), Some(900));
    let value = serde_json::to_value(&hinted).expect("serialize");
    assert_eq!(value["failure"]["retry_after_ms"], json!(900));
    assert_eq!(value["plan"]["retry_after_hint_ms"], json!(900));
    assert_eq!(hinted.plan.selected_delay(), Duration::from_millis(1000));
}

#[test]
fn retry_failure_kinds_serialize_snake_case() {
    let cases = [
        (LlmRetryFailureKind::RateLimited, "rate_limited"),
        (LlmRetryFailureKind::NetworkTimeout, "network_timeout"),
        (LlmRetryFailureKind::CallTimeout, "call_timeout"),
        (
            LlmRetryFailureKind::RetryableProviderError,
            "retryable_provider_error",
        ),
    ];
    for (kind, text) in cases {
        assert_eq!(to_json(&kind), format!("\"{text}\""));
    }
}

// ---- tool_scope ----

#[test]
fn surface_failure_cause_codes() {
    let cases = [
        (
            ExternalToolSurfaceFailureCause::PendingFailed,
            "pending_failed",
        ),
        (
            ExternalToolSurfaceFailureCause::SurfaceDraining,
            "surface_draining",
        ),
        (
            ExternalToolSurfaceFailureCause::SurfaceUnavailable,
            "surface_unavailable",
        ),
    ];
    for (cause, text) in cases {
        assert_eq!(cause.as_str(), text);
        assert_eq!(cause.to_string(), text);
        assert_eq!(to_json(&cause), format!("\"{text}\""));
        let back: ExternalToolSurfaceFailureCause =
            serde_json::from_str(&format!("\"{text}\"")).expect("parse");
        assert_eq!(back, cause);
    }
}

// ---- turn_execution_authority ----

#[test]
fn turn_phase_displays_variant_names() {
    use TurnPhase::*;
    let all = [
        (Ready, "Ready"),
        (ApplyingPrimitive, "ApplyingPrimitive"),
        (CallingLlm, "CallingLlm"),
        (WaitingForOps, "WaitingForOps"),
        (DrainingBoundary, "DrainingBoundary"),
        (Extracting, "Extracting"),
        (ErrorRecovery, "ErrorRecovery"),
        (Cancelling, "Cancelling"),
        (Completed, "Completed"),
        (Failed, "Failed"),
        (Cancelled, "Cancelled"),
    ];
    for (phase, text) in all {
        assert_eq!(phase.to_string(), text);
        assert_eq!(
            phase.is_terminal(),
            matches!(phase, Completed | Failed | Cancelled)
        );
        assert_eq!(phase.is_extracting(), phase == Extracting);
    }
}

#[test]
fn content_shape_texts_and_schema_names() {
    let table = [
        (ContentShape::Conversation, "conversation", "Conversation"),
        (
            ContentShape::ConversationAndContext,
            "conversation+context",
            "ConversationAndContext",
        ),
        (ContentShape::Context, "context", "Context"),
        (ContentShape::Empty, "empty", "Empty"),
        (
            ContentShape::ImmediateAppend,
            "immediate_append",
            "ImmediateAppend",
        ),
        (
            ContentShape::ImmediateContext,
            "immediate_context",
            "ImmediateContext",
        ),
    ];
    assert_eq!(ContentShape::SCHEMA_TYPE_NAME, "ContentShape");
    for (index, (shape, text, variant)) in table.into_iter().enumerate() {
        assert_eq!(shape.as_str(), text);
        assert_eq!(shape.to_string(), text);
        assert_eq!(shape.schema_variant(), variant);
        assert_eq!(ContentShape::ALL[index], shape);
        assert_eq!(ContentShape::SCHEMA_VARIANTS[index], variant);
        assert_eq!(ContentShape::from_schema_variant(variant), Some(shape));
    }
    assert_eq!(ContentShape::from_schema_variant("conversation"), None);
    assert_eq!(
        ContentShape::from_staged_presence(true, true),
        ContentShape::ConversationAndContext
    );
    assert_eq!(
        ContentShape::from_staged_presence(true, false),
        ContentShape::Conversation
    );
    assert_eq!(
        ContentShape::from_staged_presence(false, true),
        ContentShape::Context
    );
    assert_eq!(
        ContentShape::from_staged_presence(false, false),
        ContentShape::Empty
    );
}

#[test]
fn terminal_outcomes_serialize_snake_case() {
    let cases = [
        (TurnTerminalOutcome::None, "none"),
        (TurnTerminalOutcome::Completed, "completed"),
        (TurnTerminalOutcome::Failed, "failed"),
        (TurnTerminalOutcome::Cancelled, "cancelled"),
        (TurnTerminalOutcome::BudgetExhausted, "budget_exhausted"),
        (
            TurnTerminalOutcome::TimeBudgetExceeded,
            "time_budget_exceeded",
        ),
        (
            TurnTerminalOutcome::StructuredOutputValidationFailed,
            "structured_output_validation_failed",
        ),
    ];
    for (outcome, text) in cases {
        assert_eq!(to_json(&outcome), format!("\"{text}\""));
    }
}

#[test]
fn terminal_cause_classes_messages_and_serde() {
    use AgentErrorClass as C;
    use TurnTerminalCauseKind as K;
    let table = [
        (K::Unknown, C::Internal, "unknown terminal cause", "unknown"),
        (
            K::HookDenied,
            C::Hook,
            "hook denied terminal turn",
            "hook_denied",
        ),
        (
            K::HookFailure,
            C::Hook,
            "hook failure terminal turn",
            "hook_failure",
        ),
        (
            K::LlmFailure,
            C::Llm,
            "LLM failure terminal turn",
            "llm_failure",
        ),
        (
            K::ToolFailure,
            C::Tool,
            "tool failure terminal turn",
            "tool_failure",
        ),
        (
            K::StructuredOutputValidationFailed,
            C::StructuredOutput,
            "structured output validation failed",
            "structured_output_validation_failed",
        ),
        (
            K::BudgetExhausted,
            C::Budget,
            "budget exhausted",
            "budget_exhausted",
        ),
        (
            K::TimeBudgetExceeded,
            C::Budget,
            "time budget exceeded",
            "time_budget_exceeded",
        ),
        (
            K::RetryExhausted,
            C::Llm,
            "retry exhausted",
            "retry_exhausted",
        ),
        (
            K::TurnLimitReached,
            C::MaxTurns,
            "turn limit reached",
            "turn_limit_reached",
        ),
        (
            K::RuntimeApplyFailure,
            C::Internal,
            "runtime apply failure",
            "runtime_apply_failure",
        ),
        (
            K::FatalFailure,
            C::Terminal,
            "fatal turn failure",
            "fatal_failure",
        ),
    ];
    for (cause, class, message, text) in table {
        assert_eq!(cause.agent_error_class(), class);
        assert_eq!(cause.default_message(TurnTerminalOutcome::Failed), message);
        assert_eq!(cause.is_specific_failure_cause(), cause != K::Unknown);
        assert_eq!(to_json(&cause), format!("\"{text}\""));
    }
}

#[test]
fn terminal_cause_from_error_class() {
    use AgentErrorClass as C;
    use TurnTerminalCauseKind as K;
    assert_eq!(K::from_error_class(C::Hook), K::HookFailure);
    assert_eq!(K::from_error_class(C::Llm), K::LlmFailure);
    assert_eq!(K::from_error_class(C::Tool), K::ToolFailure);
    assert_eq!(
        K::from_error_class(C::StructuredOutput),
        K::StructuredOutputValidationFailed
    );
    assert_eq!(
        K::from_error_class(C::InvalidOutputSchema),
        K::StructuredOutputValidationFailed
    );
    assert_eq!(K::from_error_class(C::Budget), K::BudgetExhausted);
    assert_eq!(K::from_error_class(C::MaxTurns), K::TurnLimitReached);
    for other in [
        C::Store,
        C::Internal,
        C::Terminal,
        C::Auth,
        C::NoPendingBoundary,
    ] {
        assert_eq!(K::from_error_class(other), K::FatalFailure);
    }
}

#[test]
fn turn_failure_reason_constructors() {
    let reason = TurnFailureReason::new(AgentErrorClass::Tool, "tool broke");
    assert_eq!(reason.class, AgentErrorClass::Tool);
    assert_eq!(reason.cause_kind, TurnTerminalCauseKind::ToolFailure);
    assert_eq!(reason.message, "tool broke");
    let explicit = TurnFailureReason::with_cause(
        TurnTerminalCauseKind::RetryExhausted,
        AgentErrorClass::Llm,
        String::from("gave up"),
    );
    assert_eq!(explicit.cause_kind, TurnTerminalCauseKind::RetryExhausted);
    assert_eq!(explicit.class, AgentErrorClass::Llm);
    assert_eq!(explicit.message, "gave up");
}

// ---- event ----

#[test]
fn agent_error_classes_serialize_snake_case() {
    let cases = [
        (AgentErrorClass::Llm, "llm"),
        (AgentErrorClass::SessionNotFound, "session_not_found"),
        (AgentErrorClass::MaxTokens, "max_tokens"),
        (AgentErrorClass::ContentFiltered, "content_filtered"),
        (AgentErrorClass::OperationNotFound, "operation_not_found"),
        (AgentErrorClass::CallbackPending, "callback_pending"),
        (
            AgentErrorClass::InvalidOutputSchema,
            "invalid_output_schema",
        ),
        (AgentErrorClass::NoPendingBoundary, "no_pending_boundary"),
    ];
    for (class, text) in cases {
        assert_eq!(to_json(&class), format!("\"{text}\""));
        let back: AgentErrorClass = serde_json::from_str(&format!("\"{text}\"")).expect("parse");
        assert_eq!(back, class);
    }
}

// ---- types ----

#[test]
fn session_id_displays_parses_and_serializes() {
    let id = SessionId::parse(PEER).expect("session id");
    assert_eq!(id.to_string(), PEER);
    assert_eq!(to_json(&id), format!("\"{PEER}\""));
    assert_eq!(
        SessionId::parse("{11111111-1111-4111-8111-111111111111}").expect("braced"),
        id
    );
    assert!(SessionId::parse("session-1").is_err());
    assert_eq!(
        SessionId::from_uuid(Uuid::nil()).to_string(),
        "00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(SessionId::new().0.get_version_num(), 7);
}

// ---- connection ----

#[test]
fn slug_ids_accept_the_slug_alphabet() {
    assert_eq!(RealmId::parse("dev").expect("realm").as_str(), "dev");
    assert_eq!(
        BindingId::parse("openai_default.v1")
            .expect("binding")
            .to_string(),
        "openai_default.v1"
    );
    assert_eq!(
        ProfileId::parse("a-b_c.d9").expect("profile").as_str(),
        "a-b_c.d9"
    );
    assert_eq!(RealmId::parse(""), Err(IdentityError::Empty));
    assert_eq!(
        BindingId::parse("bad space"),
        Err(IdentityError::InvalidChar(' '))
    );
    assert_eq!(
        ProfileId::parse("bad:colon"),
        Err(IdentityError::InvalidChar(':'))
    );
    assert_eq!(RealmId::parse("é"), Err(IdentityError::InvalidChar('é')));
    assert_eq!(RealmId::try_from(String::from("x")), RealmId::parse("x"));
    assert_eq!(String::from(RealmId::parse("x").expect("realm")), "x");
}

#[test]
fn identity_error_messages() {
    assert_eq!(IdentityError::Empty.to_string(), "identity slug is empty");
    assert_eq!(
        IdentityError::InvalidChar(':').to_string(),
        "identity slug contains invalid character ':'; must be ASCII alphanumeric or one of '-', '_', '.'"
    );
}

#[test]
fn slug_ids_serialize_as_strings_and_validate_on_input() {
    let realm = RealmId::parse("dev").expect("realm");
    assert_eq!(to_json(&realm), "\"dev\"");
    assert_eq!(
        serde_json::from_str::<RealmId>("\"dev\"").expect("parse"),
        realm
    );
    let err = serde_json::from_str::<BindingId>("\"bad space\"").expect_err("invalid");
    assert!(
        err.to_string()
            .contains("identity slug contains invalid character ' '")
    );
    assert!(serde_json::from_str::<ProfileId>("\"\"").is_err());
}

#[test]
fn auth_binding_ref_json_and_env_default() {
    let binding = AuthBindingRef {
        realm: RealmId::parse("env_default").expect("realm"),
        binding: BindingId::parse("default").expect("binding"),
        profile: None,
    };
    // Structs serialize in field order; an absent profile is skipped.
    assert_eq!(
        to_json(&binding),
        "{\"realm\":\"env_default\",\"binding\":\"default\"}"
    );
    assert!(binding.is_env_default());
    let back: AuthBindingRef =
        serde_json::from_str("{\"realm\":\"env_default\",\"binding\":\"default\"}").expect("parse");
    assert_eq!(back, binding);

    let with_profile = AuthBindingRef {
        profile: Some(ProfileId::parse("work").expect("profile")),
        ..binding.clone()
    };
    assert_eq!(
        to_json(&with_profile),
        "{\"realm\":\"env_default\",\"binding\":\"default\",\"profile\":\"work\"}"
    );
    assert!(!with_profile.is_env_default());
    let other_realm = AuthBindingRef {
        realm: RealmId::parse("dev").expect("realm"),
        ..binding
    };
    assert!(!other_realm.is_env_default());
}

#[test]
fn lease_key_display_follows_the_slugs() {
    let binding = AuthBindingRef {
        realm: RealmId::parse("dev").expect("realm"),
        binding: BindingId::parse("openai").expect("binding"),
        profile: None,
    };
    let key = LeaseKey::from_auth_binding(&binding);
    assert_eq!(key.to_string(), "dev:openai");
    let profiled = LeaseKey::new(
        binding.realm.clone(),
        binding.binding.clone(),
        Some(ProfileId::parse("work").expect("profile")),
    );
    assert_eq!(profiled.to_string(), "dev:openai:work");
    assert!(key < profiled);
}
