//! The simulator behind a machine's page: sessions held here, stepped
//! with [`crate::eval::step`], answered as JSON for the page's script,
//! and their traces in the JSON-lines trace format.

use crate::eval::{
    self, InputValue, Outcome, Rejected, State, input_json, render_input, render_value,
};
use fsm_core::model::{InputId, Model};
use serde_json::{Value as Json, json};
use std::collections::HashMap;

/// The most sessions kept; the least recently used goes first.
pub const MAX_SESSIONS: usize = 64;
/// The most inputs one session's trace holds.
pub const MAX_STEPS: usize = 10_000;
/// The most instances of one input the page lists.
pub const MAX_LISTED: usize = 500;

/// One page's simulation.
#[derive(Debug, Clone)]
struct Session {
    slug: String,
    /// The schema and behaviour versions of the spec it was started on: a
    /// changed spec ends it.
    version: (u64, u64),
    initial: State,
    steps: Vec<Taken>,
    used: u64,
}

/// One input sent, and what it did.
#[derive(Debug, Clone)]
struct Taken {
    input: InputValue,
    before: State,
    outcome: Outcome,
}

impl Session {
    fn current(&self) -> &State {
        match self.steps.last() {
            Some(Taken {
                outcome: Outcome::Fired { state, .. },
                ..
            }) => state,
            Some(t) => &t.before,
            None => &self.initial,
        }
    }
}

/// A refusal of the API: an HTTP status and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

fn err(status: u16, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        message: message.into(),
    }
}

/// Every live session.
#[derive(Debug, Default)]
pub struct Sessions {
    seed: u64,
    next: u64,
    map: HashMap<String, Session>,
}

impl Sessions {
    /// `seed` makes ids differ from one server to the next.
    pub fn new(seed: u64) -> Self {
        Sessions {
            seed,
            next: 0,
            map: HashMap::new(),
        }
    }

    /// Starts a session on `model` in its initial state.
    pub fn start(&mut self, slug: &str, model: &Model) -> Result<Json, ApiError> {
        let key = eval::key_value(model).map_err(|e| err(422, e.message))?;
        let initial = eval::initial(model, key).map_err(|e| err(422, e.message))?;
        self.next += 1;
        let id = format!("{:x}-{:x}", self.seed, self.next);
        if self.map.len() >= MAX_SESSIONS
            && let Some(oldest) = self
                .map
                .iter()
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone())
        {
            self.map.remove(&oldest);
        }
        self.map.insert(
            id.clone(),
            Session {
                slug: slug.to_owned(),
                version: spec_versions(model),
                initial,
                steps: Vec::new(),
                used: self.next,
            },
        );
        self.view(&id, model)
    }

    fn get(&mut self, id: &str, slug: &str, model: &Model) -> Result<&mut Session, ApiError> {
        self.next += 1;
        let now = self.next;
        let session = self
            .map
            .get_mut(id)
            .filter(|s| s.slug == slug)
            .ok_or_else(|| err(404, "no such simulation session; reload the page"))?;
        if session.version != spec_versions(model) {
            return Err(err(
                409,
                "the spec changed since this simulation started; reload the page",
            ));
        }
        session.used = now;
        Ok(session)
    }

    /// Sends the input whose JSON form (as the generated input enum
    /// serializes) is `input`.
    pub fn step(
        &mut self,
        id: &str,
        slug: &str,
        model: &Model,
        input: &Json,
    ) -> Result<Json, ApiError> {
        let session = self.get(id, slug, model)?;
        if session.steps.len() >= MAX_STEPS {
            return Err(err(
                422,
                format!("the trace holds its limit of {MAX_STEPS} inputs; undo or reset"),
            ));
        }
        let value = find_input(model, input)?;
        let before = session.current().clone();
        let outcome = eval::step(model, &before, &value).map_err(|e| err(422, e.message))?;
        session.steps.push(Taken {
            input: value,
            before,
            outcome,
        });
        self.view(id, model)
    }

    /// Takes the last input back.
    pub fn undo(&mut self, id: &str, slug: &str, model: &Model) -> Result<Json, ApiError> {
        self.get(id, slug, model)?.steps.pop();
        self.view(id, model)
    }

    /// Back to the initial state, trace emptied.
    pub fn reset(&mut self, id: &str, slug: &str, model: &Model) -> Result<Json, ApiError> {
        self.get(id, slug, model)?.steps.clear();
        self.view(id, model)
    }

    /// The session's trace in the JSON-lines trace format.
    pub fn trace(&mut self, id: &str, slug: &str, model: &Model) -> Result<String, ApiError> {
        let session = self.get(id, slug, model)?;
        let mut out = crate::trace::header_json(model, session.initial.key.as_ref()).to_string();
        out.push('\n');
        for taken in &session.steps {
            let recorded = crate::trace::recorded(model, &taken.before, &taken.outcome);
            out.push_str(
                &crate::trace::entry_json(model, &taken.input, Some(&recorded)).to_string(),
            );
            out.push('\n');
        }
        Ok(out)
    }

    /// What the page shows of a session: see `docs/viewer.md`.
    fn view(&self, id: &str, model: &Model) -> Result<Json, ApiError> {
        let session = self
            .map
            .get(id)
            .ok_or_else(|| err(404, "no such simulation session; reload the page"))?;
        let state = session.current();
        let mut rows = Vec::new();
        for (f, v) in model.fields.iter().zip(&state.fields) {
            rows.push(json!({"name": f.name, "value": render_value(model, v)}));
        }
        let derived = eval::derived(model, state).map_err(|e| err(422, e.message))?;
        for (d, v) in model.derived.iter().zip(derived) {
            let value = v.map_or_else(|| "overflow".to_owned(), |v| render_value(model, &v));
            rows.push(json!({"name": d.name, "value": value, "derived": true}));
        }
        let (inputs, inputs_error) = match inputs_view(model, state) {
            Ok(list) => (list, Json::Null),
            Err(message) => (Vec::new(), Json::String(message)),
        };
        let trace: Vec<Json> = session.steps.iter().map(|t| taken_view(model, t)).collect();
        Ok(json!({
            "session": id,
            "machine": model.name,
            "phase": model.phase_name(state.phase),
            "key": state.key.as_ref().map(|k| render_value(model, k)),
            "state": rows,
            "inputs": inputs,
            "inputs_error": inputs_error,
            "last": session.steps.last().map(|t| taken_view(model, t)),
            "trace": trace,
        }))
    }
}

/// The instance of `model` whose JSON form is `input`.
fn find_input(model: &Model, input: &Json) -> Result<InputValue, ApiError> {
    let name = match input {
        Json::String(s) => s.as_str(),
        Json::Object(o) if o.len() == 1 => o.keys().next().map_or("", String::as_str),
        _ => {
            return Err(err(
                400,
                "`input` is an input as its JSON form: \"Name\" or {\"Name\": {…}}",
            ));
        }
    };
    let id = model.input_by_name(name).ok_or_else(|| {
        err(
            400,
            format!("machine `{}` has no input `{name}`", model.name),
        )
    })?;
    let instances = eval::input_instances(model).map_err(|e| err(422, e.message))?;
    instances
        .into_iter()
        .filter(|i| i.input == id)
        .find(|i| input_json(model, i) == *input)
        .ok_or_else(|| {
            err(
                400,
                format!("{input} is not an instance of `{name}` within the spec's verify domains"),
            )
        })
}

/// The inputs as the page offers them: every input, whether the current
/// phase has a transition for it, and its instances with what each would
/// do now.
fn inputs_view(model: &Model, state: &State) -> Result<Vec<Json>, String> {
    let instances = eval::input_instances(model).map_err(|e| e.message)?;
    let mut by_input: Vec<Vec<&InputValue>> = vec![Vec::new(); model.inputs.len()];
    for i in &instances {
        if let Some(list) = by_input.get_mut(i.input.index()) {
            list.push(i);
        }
    }
    let mut out = Vec::new();
    for (index, (sig, list)) in model.inputs.iter().zip(&by_input).enumerate() {
        let id = InputId(u32::try_from(index).unwrap_or(u32::MAX));
        let here = if model.candidates(id, state.phase).next().is_some() {
            "transition"
        } else if model.is_ignored(id, state.phase) {
            "ignored"
        } else {
            "none"
        };
        let mut listed = Vec::new();
        for instance in list.iter().take(MAX_LISTED) {
            let would = match eval::step(model, state, instance) {
                Ok(Outcome::Fired { transition, .. }) => {
                    let name = model
                        .transition(transition)
                        .map_or("?", |t| t.name.as_str());
                    format!("fires {name}")
                }
                Ok(Outcome::Ignored) => "ignored".to_owned(),
                Ok(Outcome::Rejected(r)) => format!("rejected: {}", rejection_text(model, &r)),
                Err(e) => format!("cannot be evaluated: {}", e.message),
            };
            listed.push(json!({
                "label": render_input(model, instance),
                "input": input_json(model, instance),
                "would": would,
                "fires": would.starts_with("fires"),
            }));
        }
        out.push(json!({
            "name": sig.name,
            "here": here,
            "total": list.len(),
            "instances": listed,
        }));
    }
    Ok(out)
}

fn transition_name(model: &Model, r: &Rejected) -> Option<String> {
    let id = match r {
        Rejected::NoMatchingTransition => return None,
        Rejected::GuardRejected { transition, .. }
        | Rejected::ArithmeticOverflow { transition }
        | Rejected::InvariantViolated { transition, .. } => *transition,
    };
    model.transition(id).map(|t| t.name.clone())
}

fn rejection_text(model: &Model, r: &Rejected) -> String {
    let t = transition_name(model, r).unwrap_or_default();
    match r {
        Rejected::NoMatchingTransition => "no matching transition".to_owned(),
        Rejected::GuardRejected { guard, .. } => format!("guard `{guard}` of `{t}`"),
        Rejected::ArithmeticOverflow { .. } => format!("arithmetic overflow in `{t}`"),
        Rejected::InvariantViolated { invariant, .. } => {
            format!("`{t}` would break invariant `{invariant}`")
        }
    }
}

/// One taken input as the page lists it.
fn taken_view(model: &Model, t: &Taken) -> Json {
    let from = model.phase_name(t.before.phase);
    let input = render_input(model, &t.input);
    match &t.outcome {
        Outcome::Fired {
            transition,
            state,
            effects,
        } => {
            let effects: Vec<String> = effects
                .iter()
                .map(|(e, args)| {
                    let name = model.effect(*e).map_or("?", |s| s.name.as_str());
                    if args.is_empty() {
                        name.to_owned()
                    } else {
                        let args: Vec<String> =
                            args.iter().map(|a| render_value(model, a)).collect();
                        format!("{name}({})", args.join(", "))
                    }
                })
                .collect();
            json!({
                "input": input,
                "transition": model.transition(*transition).map(|t| t.name.clone()),
                "from": from,
                "to": model.phase_name(state.phase),
                "effects": effects,
            })
        }
        Outcome::Ignored => json!({
            "input": input, "transition": null, "from": from, "to": from,
            "effects": [], "ignored": true,
        }),
        Outcome::Rejected(r) => {
            // The `rejected` object of the trace format, and a sentence.
            let mut rejected =
                crate::trace::recorded_json(&crate::trace::recorded(model, &t.before, &t.outcome))
                    ["rejected"]
                    .take();
            if let Json::Object(o) = &mut rejected {
                o.insert("text".to_owned(), json!(rejection_text(model, r)));
            }
            json!({"input": input, "from": from, "to": from, "rejected": rejected})
        }
    }
}

/// The schema and behaviour versions of `model`.
fn spec_versions(model: &fsm_core::Model) -> (u64, u64) {
    (
        fsm_core::versions::schema_version(model).0,
        fsm_core::versions::behaviour_version(model),
    )
}
