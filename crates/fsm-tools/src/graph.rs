//! Diagrams of a machine's phases and transitions: Mermaid
//! (`stateDiagram-v2`, which GitHub renders) and Graphviz DOT.
//!
//! Both show the same graph:
//! - one node per phase, in declaration order, with the first sentence of
//!   its doc comment as a comment (Mermaid) or a tooltip (DOT);
//! - the initial phase entered from a start marker, terminal phases marked
//!   (Mermaid: an edge to `[*]` and a bold style; DOT: a double circle);
//! - one edge per transition and source phase, in declaration order,
//!   labelled with the input and the transition's guards
//!   (`Input [guard, guard]`); a `stay` transition is a self-loop;
//! - per phase, one self-loop for the inputs ignored there, labelled
//!   `ignore: A, B` (dashed in DOT);
//! - a keyed machine is titled with its key type (`AuthLease (per
//!   LeaseKey)`).
//!
//! The output depends only on the model, so it is the same on every run.

use fsm_core::model::{Model, PhaseId, Transition};
use std::collections::HashSet;
use std::fmt::Write as _;

/// The diagram's title: the machine's name, and for a keyed machine the
/// key's type, as in `AuthLease (per LeaseKey)`.
pub fn title(model: &Model) -> String {
    match &model.key {
        Some(key) => format!("{} (per {})", model.name, model.ty_name(&key.ty)),
        None => model.name.clone(),
    }
}

/// The label of the edges a transition draws: its input, then its guards'
/// names in brackets when it has any (`RefreshFailed [transient]`).
pub fn edge_label(model: &Model, transition: &Transition) -> String {
    let input = model
        .input(transition.input)
        .map_or("?", |i| i.name.as_str());
    if transition.guards.is_empty() {
        return input.to_owned();
    }
    let guards: Vec<&str> = transition.guards.iter().map(|g| g.name.as_str()).collect();
    format!("{input} [{}]", guards.join(", "))
}

/// For each phase that ignores inputs, the names of those inputs, in phase
/// order and then in the order of `Model::ignores`.
pub fn ignored_by_phase(model: &Model) -> Vec<(PhaseId, Vec<&str>)> {
    model
        .phase_ids()
        .filter_map(|phase| {
            let inputs: Vec<&str> = model
                .ignores
                .iter()
                .filter(|i| i.phases.binary_search(&phase).is_ok())
                .filter_map(|i| model.input(i.input).map(|s| s.name.as_str()))
                .collect();
            (!inputs.is_empty()).then_some((phase, inputs))
        })
        .collect()
}

/// The edges of the diagram: `(source, target, label)` per transition and
/// source phase, in declaration order.
fn edges(model: &Model) -> Vec<(PhaseId, PhaseId, String)> {
    let mut out = Vec::new();
    for transition in &model.transitions {
        let label = edge_label(model, transition);
        for &source in &transition.sources {
            out.push((source, transition.target_from(source), label.clone()));
        }
    }
    out
}

/// What a phase's tooltip or comment shows: the first sentence of its doc
/// comment (empty when there is none).
fn phase_note(docs: &[String]) -> String {
    crate::doc::first_sentence_of(docs)
}

// ---------------------------------------------------------------- Mermaid

/// Words the Mermaid state-diagram lexer treats as keywords (it ignores
/// case); a phase with one of these names gets another identifier.
const MERMAID_RESERVED: &[&str] = &[
    "accdescr",
    "acctitle",
    "as",
    "choice",
    "class",
    "classdef",
    "click",
    "default",
    "direction",
    "end",
    "fork",
    "hide",
    "join",
    "left",
    "note",
    "right",
    "scale",
    "state",
    "statediagram",
    "style",
];

/// The Mermaid identifier of every phase: its name, unless that is a
/// keyword, in which case `phase_<name>` (with more `_` until unique).
fn mermaid_ids(model: &Model) -> Vec<String> {
    let names: HashSet<&str> = model.phases.iter().map(|p| p.name.as_str()).collect();
    let mut taken: HashSet<String> = HashSet::new();
    let mut ids = Vec::with_capacity(model.phases.len());
    for phase in &model.phases {
        let lower = phase.name.to_ascii_lowercase();
        let mut id = if MERMAID_RESERVED.contains(&lower.as_str()) {
            format!("phase_{}", phase.name)
        } else {
            phase.name.clone()
        };
        while id != phase.name && (names.contains(id.as_str()) || taken.contains(&id)) {
            id.push('_');
        }
        taken.insert(id.clone());
        ids.push(id);
    }
    ids
}

/// Escapes text for a Mermaid label or title: the characters that end a
/// label (`:`, `;`), start an entity (`#`) or a string (`"`) become entity
/// codes; line breaks become spaces.
pub fn escape_mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ':' => out.push_str("#58;"),
            ';' => out.push_str("#59;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a `%%` comment: one line.
fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect()
}

/// The machine as a Mermaid `stateDiagram-v2`.
pub fn mermaid(model: &Model) -> String {
    let ids = mermaid_ids(model);
    let id = |p: PhaseId| ids.get(p.index()).map_or("?", String::as_str);
    let mut out = String::new();
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "title: {}", escape_mermaid(&title(model)));
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "stateDiagram-v2");
    for (i, phase) in model.phases.iter().enumerate() {
        let doc = phase_note(&phase.docs);
        if !doc.is_empty() {
            let _ = writeln!(out, "    %% {}: {}", phase.name, comment_text(&doc));
        }
        let node = ids.get(i).map_or("?", String::as_str);
        if node == phase.name {
            let _ = writeln!(out, "    {node}");
        } else {
            let _ = writeln!(
                out,
                "    state \"{}\" as {node}",
                escape_mermaid(&phase.name)
            );
        }
    }
    let _ = writeln!(out, "    [*] --> {}", id(model.initial));
    for (source, target, label) in edges(model) {
        let _ = writeln!(
            out,
            "    {} --> {}: {}",
            id(source),
            id(target),
            escape_mermaid(&label)
        );
    }
    for (phase, inputs) in ignored_by_phase(model) {
        let node = id(phase);
        let label = format!("ignore: {}", inputs.join(", "));
        let _ = writeln!(out, "    {node} --> {node}: {}", escape_mermaid(&label));
    }
    let terminals: Vec<&str> = model.terminal_phases().map(id).collect();
    for node in &terminals {
        let _ = writeln!(out, "    {node} --> [*]");
    }
    if !terminals.is_empty() {
        let _ = writeln!(
            out,
            "    classDef terminal font-weight:bold,stroke-width:3px"
        );
        let _ = writeln!(out, "    class {} terminal", terminals.join(","));
    }
    out
}

// ---------------------------------------------------------------- DOT

/// Escapes text for a double-quoted DOT string: `"` and `\` are escaped,
/// line breaks become `\n`.
pub fn escape_dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The machine as a Graphviz `digraph`.
pub fn dot(model: &Model) -> String {
    let q = |p: PhaseId| format!("\"{}\"", escape_dot(model.phase_name(p)));
    let mut start = String::from("__start");
    while model.phases.iter().any(|p| p.name == start) {
        start.push('_');
    }
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape_dot(&model.name));
    let _ = writeln!(out, "    label=\"{}\";", escape_dot(&title(model)));
    let _ = writeln!(out, "    labelloc=t;");
    let _ = writeln!(out, "    node [shape=ellipse];");
    let _ = writeln!(
        out,
        "    \"{start}\" [shape=point, style=invis, label=\"\"];"
    );
    for (id, phase) in model.phase_ids().zip(&model.phases) {
        let mut attrs = Vec::new();
        if phase.terminal {
            attrs.push("shape=doublecircle".to_owned());
        }
        let doc = phase_note(&phase.docs);
        if !doc.is_empty() {
            attrs.push(format!("tooltip=\"{}\"", escape_dot(&doc)));
        }
        let node = q(id);
        if attrs.is_empty() {
            let _ = writeln!(out, "    {node};");
        } else {
            let _ = writeln!(out, "    {node} [{}];", attrs.join(", "));
        }
    }
    let _ = writeln!(out, "    \"{start}\" -> {};", q(model.initial));
    for (source, target, label) in edges(model) {
        let _ = writeln!(
            out,
            "    {} -> {} [label=\"{}\"];",
            q(source),
            q(target),
            escape_dot(&label)
        );
    }
    for (phase, inputs) in ignored_by_phase(model) {
        let node = q(phase);
        let label = format!("ignore: {}", inputs.join(", "));
        let _ = writeln!(
            out,
            "    {node} -> {node} [label=\"{}\", style=dashed];",
            escape_dot(&label)
        );
    }
    let _ = writeln!(out, "}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_escapes_label_terminators() {
        assert_eq!(
            escape_mermaid("a: b; #c \"d\""),
            "a#58; b#59; #35;c #quot;d#quot;"
        );
        assert_eq!(escape_mermaid("one\ntwo"), "one two");
    }

    #[test]
    fn dot_escapes_quotes_and_backslashes() {
        assert_eq!(
            escape_dot("say \"hi\" \\ now\n"),
            "say \\\"hi\\\" \\\\ now\\n"
        );
    }
}
