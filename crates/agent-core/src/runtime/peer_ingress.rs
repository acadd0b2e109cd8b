//! [`PeerCommsHandle`]: the classification of peer ingress, one machine per
//! session (`machines/peer_ingress.fsm`).
//!
//! The machine decides the classification: each `Classify*` input is the
//! facts of one item, and the transition that takes it emits the
//! `Classified` effect. What is written here is the conversion of the facts
//! into that input, of the effect into the contract's
//! [`PeerIngressAdmission`], and the text shown to the model, rendered from
//! the facts once the classification is known.

use std::collections::BTreeSet;
use std::sync::Arc;

use fsm::{Authority, DriveError, Shared, Step};
use serde_json::Value;

use super::{contract_conversions, dsl_error};
use crate::handles::{DslTransitionError, PeerCommsHandle};
use crate::interaction::{
    PeerIngressAdmission, PeerIngressAuthDecision, PeerIngressAuthExemption,
    PeerIngressClassification, PeerIngressEnvelopeFacts, PeerIngressEnvelopeKind, PeerIngressKind,
    PeerIngressPlainEventFacts, PeerInputClass, ResponseStatus, SendResponseCallProjection,
    TerminalDisposition, TerminalityClass,
};
use crate::runtime::SessionRuntimeBindings;
use crate::types::SessionId;

fsm::machine!("../../machines/peer_ingress.fsm");

contract_conversions!(PeerIngress);

impl From<InputClass> for PeerInputClass {
    fn from(class: InputClass) -> Self {
        match class {
            InputClass::ActionableMessage => PeerInputClass::ActionableMessage,
            InputClass::ActionableRequest => PeerInputClass::ActionableRequest,
            InputClass::ResponseProgress => PeerInputClass::ResponseProgress,
            InputClass::ResponseTerminal => PeerInputClass::ResponseTerminal,
            InputClass::PeerLifecycleAdded => PeerInputClass::PeerLifecycleAdded,
            InputClass::PeerLifecycleRetired => PeerInputClass::PeerLifecycleRetired,
            InputClass::PeerLifecycleUnwired => PeerInputClass::PeerLifecycleUnwired,
            InputClass::SilentRequest => PeerInputClass::SilentRequest,
            InputClass::Ack => PeerInputClass::Ack,
            InputClass::PlainEvent => PeerInputClass::PlainEvent,
        }
    }
}

impl From<IngressKind> for PeerIngressKind {
    fn from(kind: IngressKind) -> Self {
        match kind {
            IngressKind::Message => PeerIngressKind::Message,
            IngressKind::Request => PeerIngressKind::Request,
            IngressKind::Response => PeerIngressKind::Response,
            IngressKind::Ack => PeerIngressKind::Ack,
            IngressKind::PlainEvent => PeerIngressKind::PlainEvent,
        }
    }
}

impl From<AuthDecision> for PeerIngressAuthDecision {
    fn from(auth: AuthDecision) -> Self {
        match auth {
            AuthDecision::Required => PeerIngressAuthDecision::Required,
            AuthDecision::ExemptSupervisorBridge => {
                PeerIngressAuthDecision::Exempt(PeerIngressAuthExemption::SupervisorBridge)
            }
        }
    }
}

impl From<Terminality> for TerminalityClass {
    fn from(terminality: Terminality) -> Self {
        match terminality {
            Terminality::Progress => TerminalityClass::Progress,
            Terminality::TerminalCompleted => TerminalityClass::Terminal {
                disposition: TerminalDisposition::Completed,
            },
            Terminality::TerminalFailed => TerminalityClass::Terminal {
                disposition: TerminalDisposition::Failed,
            },
        }
    }
}

/// The `Classify*` input carrying the facts of an envelope. A `peer`
/// parameter counts only when it is a string; the machine decides whether
/// it names the subject.
fn envelope_input(facts: &PeerIngressEnvelopeFacts) -> PeerIngressInput {
    let peer_param = |params: &Value| {
        params
            .get("peer")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match &facts.kind {
        PeerIngressEnvelopeKind::Message { .. } => PeerIngressInput::ClassifyMessage,
        PeerIngressEnvelopeKind::Request { intent, params } => PeerIngressInput::ClassifyRequest {
            intent: intent.clone(),
            item_id: facts.item_id.clone(),
            from_peer: facts.from_peer.clone(),
            peer_param: peer_param(params),
        },
        PeerIngressEnvelopeKind::Lifecycle { kind, params } => {
            PeerIngressInput::ClassifyLifecycle {
                lifecycle: *kind,
                from_peer: facts.from_peer.clone(),
                peer_param: peer_param(params),
            }
        }
        PeerIngressEnvelopeKind::Response {
            in_reply_to,
            status,
            ..
        } => PeerIngressInput::ClassifyResponse {
            status: *status,
            in_reply_to: in_reply_to.clone(),
        },
        PeerIngressEnvelopeKind::Ack { in_reply_to } => PeerIngressInput::ClassifyAck {
            in_reply_to: in_reply_to.clone(),
        },
    }
}

/// `"\n{label}: "` and the pretty JSON of `value`, or nothing when `value`
/// is null or an empty object.
fn json_suffix(label: &str, value: &Value) -> String {
    let empty = match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        _ => false,
    };
    if empty {
        return String::new();
    }
    let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    format!("\n{label}: {pretty}")
}

/// The text shown to the model for an admitted envelope. Lifecycle items
/// (requests with a lifecycle intent included, as classified) show none.
fn envelope_text(facts: &PeerIngressEnvelopeFacts, class: PeerInputClass) -> String {
    let from = &facts.from_peer;
    let lifecycle = matches!(
        class,
        PeerInputClass::PeerLifecycleAdded
            | PeerInputClass::PeerLifecycleRetired
            | PeerInputClass::PeerLifecycleUnwired
    );
    match &facts.kind {
        PeerIngressEnvelopeKind::Message { body } => format!("[COMMS MESSAGE from {from}]\n{body}"),
        PeerIngressEnvelopeKind::Request { .. } | PeerIngressEnvelopeKind::Lifecycle { .. }
            if lifecycle =>
        {
            String::new()
        }
        PeerIngressEnvelopeKind::Request { intent, params } => {
            let call =
                SendResponseCallProjection::new(facts.from_peer_id, Some(from), &facts.item_id);
            let display_name = call
                .display_name
                .as_deref()
                .map(|name| format!(" (display_name: {name})"))
                .unwrap_or_default();
            format!(
                "[COMMS REQUEST from peer_id {}{display_name} (id: {})]\nIntent: {intent}{}\n\nThis is a correlated peer request. {} Do not answer this request with send_message.",
                facts.from_peer_id,
                facts.item_id,
                json_suffix("Params", params),
                call.instruction_text(),
            )
        }
        PeerIngressEnvelopeKind::Lifecycle { .. } => String::new(),
        PeerIngressEnvelopeKind::Response {
            in_reply_to,
            status,
            result,
        } => {
            let status = match status {
                ResponseStatus::Accepted => "accepted",
                ResponseStatus::Completed => "completed",
                ResponseStatus::Failed => "failed",
            };
            format!(
                "[COMMS RESPONSE from {from} (to request: {in_reply_to})]\nStatus: {status}{}",
                json_suffix("Result", result)
            )
        }
        PeerIngressEnvelopeKind::Ack { in_reply_to } => {
            format!("[COMMS ACK from {from} (to request: {in_reply_to})]")
        }
    }
}

/// The text shown to the model for a plain event.
fn plain_event_text(facts: &PeerIngressPlainEventFacts) -> String {
    let body = facts.body.trim();
    if body.is_empty() {
        format!("[EVENT via {}]", facts.source_name)
    } else {
        format!("[EVENT via {}] {body}", facts.source_name)
    }
}

/// One classification, as the machine emitted it.
struct Classified {
    classification: PeerIngressClassification,
    lifecycle_peer: Option<String>,
    request_id: Option<String>,
}

/// Every `Classify*` input the handle drives is handled by transitions
/// only (no `ignore`), each of which emits `Classified` whichever way its
/// `if`s go: a classification the handle accepted always has a class.
const _: () = {
    let info = <PeerIngress as fsm::Machine>::INFO;
    assert!(info.always_emits("ClassifyMessage", "Classified"));
    assert!(info.always_emits("ClassifyRequest", "Classified"));
    assert!(info.always_emits("ClassifyLifecycle", "Classified"));
    assert!(info.always_emits("ClassifyResponse", "Classified"));
    assert!(info.always_emits("ClassifyAck", "Classified"));
    assert!(info.always_emits("ClassifyPlainEvent", "Classified"));
};

/// [`PeerCommsHandle`] over the session's classification machine.
pub(crate) struct PeerCommsRuntime {
    machine: Shared<PeerIngress>,
}

impl PeerCommsRuntime {
    fn new() -> Self {
        Self {
            machine: Shared::new("PeerIngress", PeerIngress::new()),
        }
    }

    /// Drives one `Classify*` input and reads the classification off the
    /// step's `Classified` effect. Every accepted step of a `Classify*`
    /// input emits exactly that effect (asserted at compile time below from
    /// the spec's table), so the error for a missing one is never returned.
    fn classify(
        &self,
        context: &'static str,
        input: PeerIngressInput,
    ) -> Result<Classified, DslTransitionError> {
        let step =
            Authority::<PeerIngress>::drive(self, context, input).map_err(|err| dsl_error(&err))?;
        let transition = step.transition.unwrap_or("none");
        step.effects
            .into_iter()
            .next()
            .map(
                |PeerIngressEffect::Classified {
                     class,
                     kind,
                     auth,
                     lifecycle_kind,
                     lifecycle_peer,
                     request_id,
                     terminality,
                 }| Classified {
                    classification: PeerIngressClassification {
                        class: class.into(),
                        kind: kind.into(),
                        auth: auth.into(),
                        lifecycle_kind,
                        response_terminality: terminality.map(Into::into),
                    },
                    lifecycle_peer,
                    request_id,
                },
            )
            .ok_or_else(|| {
                DslTransitionError::guard_rejected(
                    context,
                    format!("transition `{transition}` of `PeerIngress` emitted no `Classified`"),
                )
            })
    }

    /// Replaces the session's silent request intents.
    fn set_silent_intents(&self, intents: BTreeSet<String>) -> Result<(), DslTransitionError> {
        Authority::<PeerIngress>::drive(
            self,
            "SessionRuntimeBindings::set_peer_silent_intents",
            PeerIngressInput::SetSilentIntents { intents },
        )
        .map(|_| ())
        .map_err(|err| dsl_error(&err))
    }
}

impl Authority<PeerIngress> for PeerCommsRuntime {
    fn drive(
        &self,
        context: &'static str,
        input: PeerIngressInput,
    ) -> Result<Step<PeerIngressPhase, PeerIngressEffect>, DriveError> {
        self.machine.drive(context, input)
    }

    fn read<R>(&self, f: impl FnOnce(&PeerIngress) -> R) -> R {
        Authority::<PeerIngress>::read(&self.machine, f)
    }
}

#[fsm::implement("../../machines/peer_ingress.fsm", PeerCommsHandle)]
impl PeerCommsHandle for PeerCommsRuntime {
    fn set_peer_ingress_context(&self, keep_alive: bool) -> Result<(), DslTransitionError>;

    fn classify_external_envelope(
        &self,
        facts: PeerIngressEnvelopeFacts,
    ) -> Result<PeerIngressAdmission, DslTransitionError> {
        let classified = self.classify(
            "PeerCommsHandle::classify_external_envelope",
            envelope_input(&facts),
        )?;
        let rendered_text = envelope_text(&facts, classified.classification.class);
        Ok(PeerIngressAdmission {
            classification: classified.classification,
            lifecycle_peer: classified.lifecycle_peer,
            request_id: classified.request_id,
            rendered_text,
        })
    }

    fn classify_plain_event(
        &self,
        facts: PeerIngressPlainEventFacts,
    ) -> Result<PeerIngressAdmission, DslTransitionError> {
        let classified = self.classify(
            "PeerCommsHandle::classify_plain_event",
            PeerIngressInput::ClassifyPlainEvent,
        )?;
        Ok(PeerIngressAdmission {
            classification: classified.classification,
            lifecycle_peer: classified.lifecycle_peer,
            request_id: classified.request_id,
            rendered_text: plain_event_text(&facts),
        })
    }
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<PeerCommsRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Parts {
            handle: Arc::new(PeerCommsRuntime::new()),
        }
    }
}

impl SessionRuntimeBindings {
    /// Classification of the session's peer ingress and plain events.
    pub fn peer_comms(&self) -> Arc<dyn PeerCommsHandle> {
        self.peer_ingress.handle.clone()
    }

    /// Replaces the request intents the session admits silently (without
    /// waking the agent); it starts with none. A set naming a peer
    /// lifecycle intent is refused (`GuardRejected`, guard
    /// `names_no_lifecycle_intent`): lifecycle requests always take the
    /// lifecycle path.
    pub fn set_peer_silent_intents(
        &self,
        intents: BTreeSet<String>,
    ) -> Result<(), DslTransitionError> {
        self.peer_ingress.handle.set_silent_intents(intents)
    }
}
