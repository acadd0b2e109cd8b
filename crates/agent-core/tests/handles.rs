//! The texts and value behaviour the seed's handle module defines itself.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use agent_core::handles::{
    AUTH_LEASE_TTL_REFRESH_WINDOW_SECS, AuthLeaseTransition, DefaultSessionClaimRegistry,
    DrainExitReason, DslRejectionKind, DslTransitionError, PeerConversationProjection,
    PeerResponseProgressProjectionPhase, PeerResponseTerminalCorrelationId,
    PeerResponseTerminalDisplayIdentity, PeerResponseTerminalFact, PeerResponseTerminalFactError,
    PeerResponseTerminalProjectionStatus, PeerResponseTerminalRenderPayload,
    PeerResponseTerminalRouteIdentity, PeerResponseTerminalSource,
    PeerResponseTerminalTransportIdentity, RealtimeProductTurnPhase, RealtimeProjectionFreshness,
    RealtimeReconnectPolicy, SessionClaimError, SessionClaimHandle,
};
use agent_core::peer_correlation::PeerCorrelationId;
use agent_core::types::SessionId;
use serde_json::json;

const CORRELATION: &str = "018f6f79-7a82-7c4e-a552-a3b86f9630f1";

#[test]
fn dsl_transition_error_constructors_and_display() {
    let plain = DslTransitionError::new("TurnStateHandle::cancel_now", "no run");
    assert_eq!(plain.kind, DslRejectionKind::NoMatchingTransition);
    assert!(!plain.is_guard_rejected());
    assert_eq!(
        plain.to_string(),
        "DSL transition rejected in TurnStateHandle::cancel_now: no run"
    );
    assert_eq!(
        DslTransitionError::no_matching("A::b", String::from("r")),
        DslTransitionError::new("A::b", "r")
    );
    let guarded = DslTransitionError::guard_rejected("A::b", "guard `x` failed");
    assert_eq!(guarded.kind, DslRejectionKind::GuardRejected);
    assert!(guarded.is_guard_rejected());
    assert_eq!(guarded.context, "A::b");
    assert_eq!(guarded.reason, "guard `x` failed");
}

#[test]
fn drain_exit_reason_labels() {
    let cases = [
        (DrainExitReason::IdleTimeout, "IdleTimeout"),
        (DrainExitReason::Dismissed, "Dismissed"),
        (DrainExitReason::Failed, "Failed"),
        (DrainExitReason::Aborted, "Aborted"),
        (DrainExitReason::SessionShutdown, "SessionShutdown"),
    ];
    for (reason, label) in cases {
        assert_eq!(reason.as_str(), label);
    }
}

#[test]
fn terminal_fact_error_messages() {
    use PeerResponseTerminalFactError as E;
    let cases = [
        (
            E::EmptyTransportIdentity,
            "transport identity cannot be empty",
        ),
        (E::EmptyRouteIdentity, "route identity cannot be empty"),
        (
            E::InvalidRouteIdentity,
            "route identity cannot contain control characters",
        ),
        (E::MissingDisplayIdentity, "display identity is required"),
        (E::EmptyDisplayIdentity, "display identity cannot be empty"),
        (
            E::InvalidDisplayIdentity,
            "display identity cannot contain control characters",
        ),
        (E::EmptyCorrelationId, "correlation id cannot be empty"),
        (
            E::InvalidCorrelationId {
                input: String::from("nope"),
            },
            "correlation id must be a UUID: nope",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn terminal_identities_validate() {
    use PeerResponseTerminalFactError as E;
    assert_eq!(
        PeerResponseTerminalTransportIdentity::parse("  "),
        Err(E::EmptyTransportIdentity)
    );
    // Transport identities may hold control characters; the others may not.
    assert_eq!(
        PeerResponseTerminalTransportIdentity::parse("a\tb")
            .expect("transport")
            .as_str(),
        "a\tb"
    );
    assert_eq!(
        PeerResponseTerminalRouteIdentity::parse(""),
        Err(E::EmptyRouteIdentity)
    );
    assert_eq!(
        PeerResponseTerminalRouteIdentity::parse("a\nb"),
        Err(E::InvalidRouteIdentity)
    );
    assert_eq!(
        PeerResponseTerminalDisplayIdentity::parse("\t"),
        Err(E::EmptyDisplayIdentity)
    );
    assert_eq!(
        PeerResponseTerminalDisplayIdentity::parse("A\u{7}"),
        Err(E::InvalidDisplayIdentity)
    );
    // Valid identities keep their text, surrounding spaces included.
    let display = PeerResponseTerminalDisplayIdentity::parse(" Analyst ").expect("display");
    assert_eq!(display.as_str(), " Analyst ");
    assert_eq!(display.to_string(), " Analyst ");
    assert_eq!(
        PeerResponseTerminalSource::parse(None::<String>, "route", ""),
        Err(E::EmptyDisplayIdentity)
    );
    assert_eq!(
        PeerResponseTerminalSource::parse(Some(""), "route", "Analyst"),
        Err(E::EmptyTransportIdentity)
    );
    let source =
        PeerResponseTerminalSource::parse(None::<&str>, "route", "Analyst").expect("source");
    assert_eq!(source.transport_identity, None);
    assert_eq!(source.route_identity.as_str(), "route");
}

#[test]
fn correlation_id_parsing_normalizes_uuid_forms() {
    let forms = [
        CORRELATION.to_owned(),
        CORRELATION.to_uppercase(),
        format!("{{{CORRELATION}}}"),
        CORRELATION.replace('-', ""),
        format!("urn:uuid:{CORRELATION}"),
    ];
    for form in forms {
        let id = PeerResponseTerminalCorrelationId::parse(&form).expect("correlation id");
        assert_eq!(id.to_string(), CORRELATION, "from {form:?}");
    }
    assert_eq!(
        PeerResponseTerminalCorrelationId::parse(format!(" {CORRELATION}")),
        Err(PeerResponseTerminalFactError::InvalidCorrelationId {
            input: format!(" {CORRELATION}")
        })
    );
    assert_eq!(
        PeerResponseTerminalCorrelationId::parse(" "),
        Err(PeerResponseTerminalFactError::EmptyCorrelationId)
    );
    let inner = PeerCorrelationId::new();
    let wrapped = PeerResponseTerminalCorrelationId::from_peer_correlation_id(inner);
    assert_eq!(wrapped.as_peer_correlation_id(), inner);
}

fn terminal(
    status: PeerResponseTerminalProjectionStatus,
    payload: Option<serde_json::Value>,
) -> PeerConversationProjection {
    let source =
        PeerResponseTerminalSource::parse(Some("transport"), "peer-a", "Analyst").expect("source");
    let correlation_id = PeerResponseTerminalCorrelationId::parse(CORRELATION).expect("id");
    PeerConversationProjection::response_terminal(PeerResponseTerminalFact::new(
        source,
        correlation_id,
        status,
        PeerResponseTerminalRenderPayload::from(payload),
    ))
}

#[test]
fn terminal_projection_texts_per_status() {
    let cases = [
        (PeerResponseTerminalProjectionStatus::Completed, "completed"),
        (PeerResponseTerminalProjectionStatus::Failed, "failed"),
        (PeerResponseTerminalProjectionStatus::Cancelled, "cancelled"),
    ];
    for (status, label) in cases {
        let projection = terminal(status, None);
        assert_eq!(
            projection.prompt_text(),
            format!(
                "[SYSTEM NOTICE][PEER_RESPONSE_TERMINAL] Correlated peer response from Analyst. Request ID: {CORRELATION}. Status: {label}. Result: null."
            )
        );
        assert_eq!(
            projection.context_key(),
            Some(format!("peer_response_terminal:peer-a:{CORRELATION}"))
        );
        assert_eq!(projection.block_prefix_text(), None);
    }
    let nested = terminal(
        PeerResponseTerminalProjectionStatus::Failed,
        Some(json!({ "error": { "code": 7 } })),
    );
    assert!(
        nested
            .prompt_text()
            .ends_with("Result: {\n  \"error\": {\n    \"code\": 7\n  }\n}.")
    );
}

#[test]
fn progress_projection_texts_per_phase() {
    let cases = [
        (PeerResponseProgressProjectionPhase::Accepted, "accepted"),
        (
            PeerResponseProgressProjectionPhase::InProgress,
            "in_progress",
        ),
        (
            PeerResponseProgressProjectionPhase::PartialResult,
            "partial_result",
        ),
    ];
    for (phase, label) in cases {
        let projection = PeerConversationProjection::ResponseProgress {
            peer_id: "operator-rt".into(),
            request_id: "req-1".into(),
            phase,
            payload: None,
        };
        assert_eq!(
            projection.prompt_text(),
            format!(
                "[SYSTEM NOTICE][PEER_RESPONSE_PROGRESS] Correlated peer response progress from operator-rt. Request ID: req-1. Phase: {label}. Payload: null."
            )
        );
        assert_eq!(
            serde_json::to_string(&phase).expect("serialize"),
            format!("\"{label}\"")
        );
    }
}

#[test]
fn projection_status_serializes_snake_case() {
    let cases = [
        (PeerResponseTerminalProjectionStatus::Completed, "completed"),
        (PeerResponseTerminalProjectionStatus::Failed, "failed"),
        (PeerResponseTerminalProjectionStatus::Cancelled, "cancelled"),
    ];
    for (status, text) in cases {
        assert_eq!(
            serde_json::to_string(&status).expect("serialize"),
            format!("\"{text}\"")
        );
        let back: PeerResponseTerminalProjectionStatus =
            serde_json::from_str(&format!("\"{text}\"")).expect("parse");
        assert_eq!(back, status);
    }
}

#[test]
fn message_projection_has_a_prefix_and_no_prompt() {
    let projection = PeerConversationProjection::Message {
        peer_id: "peer-a".into(),
    };
    assert_eq!(
        projection.block_prefix_text().as_deref(),
        Some("[COMMS MESSAGE from peer-a]")
    );
    assert_eq!(projection.prompt_text(), "");
    assert_eq!(projection.context_key(), None);
}

#[test]
fn session_claims_are_exclusive_until_dropped() {
    let registry = Arc::new(DefaultSessionClaimRegistry::new());
    let id = SessionId::new();
    let claim = Arc::clone(&registry).try_acquire(&id).expect("first claim");
    assert_eq!(claim.session_id(), &id);
    assert!(format!("{claim:?}").starts_with("SessionClaim { session_id: "));

    let err = Arc::clone(&registry)
        .try_acquire(&id)
        .expect_err("second claim");
    assert_eq!(err, SessionClaimError::SessionIdentityInUse(id.clone()));
    assert_eq!(
        err.to_string(),
        format!("session identity already claimed: {id}")
    );

    let other = Arc::clone(&registry)
        .try_acquire(&SessionId::new())
        .expect("another session");
    drop(claim);
    let again = Arc::clone(&registry).try_acquire(&id).expect("released");
    drop(again);
    drop(other);
    registry.release(&id);
}

#[test]
fn global_registry_is_one_instance() {
    let a = DefaultSessionClaimRegistry::global();
    let b = DefaultSessionClaimRegistry::global();
    assert!(Arc::ptr_eq(&a, &b));
    let id = SessionId::new();
    let claim = Arc::clone(&a).try_acquire(&id).expect("claim");
    assert!(Arc::clone(&b).try_acquire(&id).is_err());
    drop(claim);
}

#[test]
fn realtime_defaults_and_lease_constants() {
    assert_eq!(
        RealtimeProjectionFreshness::default(),
        RealtimeProjectionFreshness::Clean
    );
    assert_eq!(
        RealtimeReconnectPolicy::default(),
        RealtimeReconnectPolicy::CleanExit
    );
    assert_eq!(
        RealtimeProductTurnPhase::default(),
        RealtimeProductTurnPhase::Idle
    );
    assert_eq!(AUTH_LEASE_TTL_REFRESH_WINDOW_SECS, 60);
    assert_eq!(
        AuthLeaseTransition::new(3, Some(9)),
        AuthLeaseTransition {
            generation: 3,
            credential_published_at_millis: Some(9)
        }
    );
}
