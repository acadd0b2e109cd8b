//! `PeerCommsHandle` through the seed's trait: every row of the peer
//! ingress decision table, the rendered texts, and the silent intents.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;

use agent_core::SessionRuntimeBindings;
use agent_core::comms::{PeerId, PeerLifecycleKind};
use agent_core::handles::{DslRejectionKind, PeerCommsHandle};
use agent_core::interaction::{
    PeerIngressAdmission, PeerIngressAuthDecision, PeerIngressAuthExemption,
    PeerIngressClassification, PeerIngressEnvelopeFacts, PeerIngressEnvelopeKind, PeerIngressKind,
    PeerIngressPlainEventFacts, PeerInputClass, ResponseStatus, SendResponseCallProjection,
    TerminalDisposition, TerminalityClass,
};
use agent_core::types::SessionId;
use serde_json::{Value, json};

const PEER_ID: &str = "018f6f79-7a82-7c4e-a552-a3b86f9630f1";

fn session() -> SessionRuntimeBindings {
    SessionRuntimeBindings::new(SessionId::new())
}

fn comms() -> Arc<dyn PeerCommsHandle> {
    session().peer_comms()
}

fn peer_id() -> PeerId {
    PeerId::parse(PEER_ID).unwrap()
}

fn facts(kind: PeerIngressEnvelopeKind) -> PeerIngressEnvelopeFacts {
    PeerIngressEnvelopeFacts {
        item_id: "item-7".into(),
        from_peer: "Analyst".into(),
        from_peer_id: peer_id(),
        kind,
    }
}

fn request(intent: &str, params: Value) -> PeerIngressEnvelopeFacts {
    facts(PeerIngressEnvelopeKind::Request {
        intent: intent.into(),
        params,
    })
}

fn classify(c: &Arc<dyn PeerCommsHandle>, f: PeerIngressEnvelopeFacts) -> PeerIngressAdmission {
    c.classify_external_envelope(f).unwrap()
}

fn exempt() -> PeerIngressAuthDecision {
    PeerIngressAuthDecision::Exempt(PeerIngressAuthExemption::SupervisorBridge)
}

#[test]
fn a_message_is_actionable_and_rendered_with_its_sender() {
    let c = comms();
    let admission = classify(
        &c,
        facts(PeerIngressEnvelopeKind::Message {
            body: "hello there".into(),
        }),
    );
    assert_eq!(
        admission,
        PeerIngressAdmission {
            classification: PeerIngressClassification::required(
                PeerInputClass::ActionableMessage,
                PeerIngressKind::Message
            ),
            lifecycle_peer: None,
            request_id: None,
            rendered_text: "[COMMS MESSAGE from Analyst]\nhello there".into(),
        }
    );
}

#[test]
fn an_ordinary_request_is_actionable_and_carries_its_id_and_instructions() {
    let c = comms();
    let admission = classify(&c, request("review.code", json!({"file": "a.rs"})));
    assert_eq!(
        admission.classification,
        PeerIngressClassification::required(
            PeerInputClass::ActionableRequest,
            PeerIngressKind::Request
        )
    );
    assert_eq!(admission.request_id.as_deref(), Some("item-7"));
    assert_eq!(admission.lifecycle_peer, None);
    let instruction =
        SendResponseCallProjection::new(peer_id(), Some("Analyst"), "item-7").instruction_text();
    assert_eq!(
        admission.rendered_text,
        format!(
            "[COMMS REQUEST from peer_id {PEER_ID} (display_name: Analyst) (id: item-7)]\nIntent: review.code\nParams: {{\n  \"file\": \"a.rs\"\n}}\n\nThis is a correlated peer request. {instruction} Do not answer this request with send_message."
        )
    );
    // Empty params are left out.
    let admission = classify(&c, request("review.code", json!({})));
    assert!(
        admission
            .rendered_text
            .contains("Intent: review.code\n\nThis is a correlated peer request."),
        "{}",
        admission.rendered_text
    );
}

#[test]
fn a_supervisor_bridge_request_is_exempt_from_auth() {
    let c = comms();
    let admission = classify(&c, request("supervisor.bridge", Value::Null));
    assert_eq!(
        admission.classification.class,
        PeerInputClass::ActionableRequest
    );
    assert_eq!(admission.classification.kind, PeerIngressKind::Request);
    assert_eq!(admission.classification.auth, exempt());
    assert_eq!(admission.request_id.as_deref(), Some("item-7"));
}

#[test]
fn lifecycle_requests_name_their_subject_and_render_nothing() {
    let c = comms();
    let cases = [
        (
            "mob.peer_added",
            json!({"peer": "Critic"}),
            PeerLifecycleKind::PeerAdded,
            "Critic",
        ),
        (
            "mob.peer_retired",
            json!({"peer": ""}),
            PeerLifecycleKind::PeerRetired,
            "Analyst",
        ),
        (
            "mob.peer_unwired",
            json!({"peer": 7}),
            PeerLifecycleKind::PeerUnwired,
            "Analyst",
        ),
        (
            "mob.peer_added",
            Value::Null,
            PeerLifecycleKind::PeerAdded,
            "Analyst",
        ),
    ];
    for (intent, params, kind, subject) in cases {
        let admission = classify(&c, request(intent, params));
        assert_eq!(
            admission,
            PeerIngressAdmission {
                classification: PeerIngressClassification::lifecycle(kind),
                lifecycle_peer: Some(subject.into()),
                request_id: Some("item-7".into()),
                rendered_text: String::new(),
            },
            "{intent}"
        );
    }
}

#[test]
fn lifecycle_notices_are_classified_like_lifecycle_requests_without_an_id() {
    let c = comms();
    for kind in [
        PeerLifecycleKind::PeerAdded,
        PeerLifecycleKind::PeerRetired,
        PeerLifecycleKind::PeerUnwired,
    ] {
        let admission = classify(
            &c,
            facts(PeerIngressEnvelopeKind::Lifecycle {
                kind,
                params: json!({"peer": "Critic"}),
            }),
        );
        assert_eq!(
            admission,
            PeerIngressAdmission {
                classification: PeerIngressClassification::lifecycle(kind),
                lifecycle_peer: Some("Critic".into()),
                request_id: None,
                rendered_text: String::new(),
            }
        );
    }
    let admission = classify(
        &c,
        facts(PeerIngressEnvelopeKind::Lifecycle {
            kind: PeerLifecycleKind::PeerRetired,
            params: json!({}),
        }),
    );
    assert_eq!(admission.lifecycle_peer.as_deref(), Some("Analyst"));
}

#[test]
fn responses_are_progress_or_terminal_by_status() {
    let c = comms();
    let response = |status, result| {
        facts(PeerIngressEnvelopeKind::Response {
            in_reply_to: "req-1".into(),
            status,
            result,
        })
    };
    let progress = classify(&c, response(ResponseStatus::Accepted, Value::Null));
    assert_eq!(
        progress.classification.class,
        PeerInputClass::ResponseProgress
    );
    assert_eq!(
        progress.classification.response_terminality,
        Some(TerminalityClass::Progress)
    );
    assert_eq!(progress.request_id.as_deref(), Some("req-1"));
    assert_eq!(
        progress.rendered_text,
        "[COMMS RESPONSE from Analyst (to request: req-1)]\nStatus: accepted"
    );

    let completed = classify(
        &c,
        response(ResponseStatus::Completed, json!({"token": "birch"})),
    );
    assert_eq!(
        completed.classification,
        PeerIngressClassification {
            class: PeerInputClass::ResponseTerminal,
            kind: PeerIngressKind::Response,
            auth: PeerIngressAuthDecision::Required,
            lifecycle_kind: None,
            response_terminality: Some(TerminalityClass::Terminal {
                disposition: TerminalDisposition::Completed
            }),
        }
    );
    assert_eq!(
        completed.rendered_text,
        "[COMMS RESPONSE from Analyst (to request: req-1)]\nStatus: completed\nResult: {\n  \"token\": \"birch\"\n}"
    );

    let failed = classify(&c, response(ResponseStatus::Failed, json!({})));
    assert_eq!(
        failed.classification.response_terminality,
        Some(TerminalityClass::Terminal {
            disposition: TerminalDisposition::Failed
        })
    );
    assert_eq!(
        failed.classification.class,
        PeerInputClass::ResponseTerminal
    );
    assert!(failed.rendered_text.ends_with("Status: failed"));
}

#[test]
fn an_ack_refers_to_the_acknowledged_request() {
    let c = comms();
    let admission = classify(
        &c,
        facts(PeerIngressEnvelopeKind::Ack {
            in_reply_to: "req-2".into(),
        }),
    );
    assert_eq!(
        admission,
        PeerIngressAdmission {
            classification: PeerIngressClassification::required(
                PeerInputClass::Ack,
                PeerIngressKind::Ack
            ),
            lifecycle_peer: None,
            request_id: Some("req-2".into()),
            rendered_text: "[COMMS ACK from Analyst (to request: req-2)]".into(),
        }
    );
}

#[test]
fn a_plain_event_is_rendered_with_its_trimmed_body() {
    let c = comms();
    let admission = c
        .classify_plain_event(PeerIngressPlainEventFacts {
            source_name: "webhook".into(),
            body: "  build failed \n".into(),
        })
        .unwrap();
    assert_eq!(
        admission,
        PeerIngressAdmission {
            classification: PeerIngressClassification::required(
                PeerInputClass::PlainEvent,
                PeerIngressKind::PlainEvent
            ),
            lifecycle_peer: None,
            request_id: None,
            rendered_text: "[EVENT via webhook] build failed".into(),
        }
    );
    let blank = c
        .classify_plain_event(PeerIngressPlainEventFacts {
            source_name: "cron".into(),
            body: " \t".into(),
        })
        .unwrap();
    assert_eq!(blank.rendered_text, "[EVENT via cron]");
}

#[test]
fn the_ingress_context_is_accepted_and_changes_no_classification() {
    let c = comms();
    let before = classify(&c, request("review.code", Value::Null));
    assert_eq!(c.set_peer_ingress_context(true), Ok(()));
    assert_eq!(c.set_peer_ingress_context(false), Ok(()));
    assert_eq!(classify(&c, request("review.code", Value::Null)), before);
}

#[test]
fn silent_intents_are_admitted_without_waking_and_keep_the_bridge_exemption() {
    let s = session();
    let c = s.peer_comms();
    let intents: BTreeSet<String> = ["status.ping", "supervisor.bridge"]
        .map(String::from)
        .into();
    s.set_peer_silent_intents(intents).unwrap();
    let silent = classify(&c, request("status.ping", Value::Null));
    assert_eq!(
        silent.classification,
        PeerIngressClassification::required(
            PeerInputClass::SilentRequest,
            PeerIngressKind::Request
        )
    );
    assert_eq!(silent.request_id.as_deref(), Some("item-7"));
    let bridge = classify(&c, request("supervisor.bridge", Value::Null));
    assert_eq!(bridge.classification.class, PeerInputClass::SilentRequest);
    assert_eq!(bridge.classification.auth, exempt());
    // Lifecycle intents cannot be silenced; the previous set stays.
    let err = s
        .set_peer_silent_intents(["mob.peer_added".to_owned()].into())
        .unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::GuardRejected, "{err}");
    assert_eq!(
        err.context,
        "SessionRuntimeBindings::set_peer_silent_intents"
    );
    assert!(
        err.reason.contains("guard `names_no_lifecycle_intent`"),
        "{}",
        err.reason
    );
    let still = classify(&c, request("status.ping", Value::Null));
    assert_eq!(still.classification.class, PeerInputClass::SilentRequest);
    // A new set replaces the old one.
    s.set_peer_silent_intents(BTreeSet::new()).unwrap();
    let woken = classify(&c, request("status.ping", Value::Null));
    assert_eq!(
        woken.classification.class,
        PeerInputClass::ActionableRequest
    );
}
