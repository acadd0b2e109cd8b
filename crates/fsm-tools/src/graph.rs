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
//! [`Options`] can leave the ignore loops out, draw a phase's self-loops as
//! one edge, and set DOT's `rankdir`. The output depends only on the model
//! and the options, so it is the same on every run.

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
    let mut by_phase: Vec<Vec<&str>> = vec![Vec::new(); model.phases.len()];
    for ignore in &model.ignores {
        let Some(input) = model.input(ignore.input) else {
            continue;
        };
        for phase in &ignore.phases {
            if let Some(names) = by_phase.get_mut(phase.index()) {
                names.push(input.name.as_str());
            }
        }
    }
    model
        .phase_ids()
        .zip(by_phase)
        .filter(|(_, inputs)| !inputs.is_empty())
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

/// What a diagram leaves out or how it is laid out; the default draws
/// everything, top to bottom.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Leave out the `ignore: …` self-loops.
    pub hide_ignores: bool,
    /// Draw every self-loop of a phase (`stay` transitions, transitions
    /// back to their source, its ignore loop) as one edge, its labels
    /// joined with `, `, where the first of them was.
    pub collapse_self_loops: bool,
    /// DOT only: Graphviz's `rankdir`.
    pub rankdir: Option<RankDir>,
}

/// The direction of a DOT graph's ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankDir {
    TopBottom,
    LeftRight,
    BottomTop,
    RightLeft,
}

impl RankDir {
    /// The value of DOT's `rankdir`.
    pub fn as_str(self) -> &'static str {
        match self {
            RankDir::TopBottom => "TB",
            RankDir::LeftRight => "LR",
            RankDir::BottomTop => "BT",
            RankDir::RightLeft => "RL",
        }
    }
}

/// The machine as a Mermaid `stateDiagram-v2`, everything drawn.
pub fn mermaid(model: &Model) -> String {
    mermaid_with(model, &Options::default())
}

/// The machine as a Graphviz `digraph`, everything drawn.
pub fn dot(model: &Model) -> String {
    dot_with(model, &Options::default())
}

/// One edge as drawn: source, target, label, and whether it is an ignore
/// loop alone (dashed in DOT).
struct Drawn {
    source: PhaseId,
    target: PhaseId,
    label: String,
    ignore: bool,
}

/// The edges a diagram draws: those of [`edges`], then the ignore loops in
/// phase order, as `options` leave them.
fn drawn_edges(model: &Model, options: &Options) -> Vec<Drawn> {
    let mut out: Vec<Drawn> = Vec::new();
    // Where a phase's self-loop is in `out`, when they are collapsed.
    let mut loop_at: Vec<Option<usize>> = vec![None; model.phases.len()];
    let mut push = |out: &mut Vec<Drawn>, edge: Drawn| {
        let slot = loop_at.get_mut(edge.source.index());
        match slot {
            Some(slot) if options.collapse_self_loops && edge.source == edge.target => {
                if let Some(at) = *slot
                    && let Some(drawn) = out.get_mut(at)
                {
                    drawn.label.push_str(", ");
                    drawn.label.push_str(&edge.label);
                    drawn.ignore &= edge.ignore;
                } else {
                    *slot = Some(out.len());
                    out.push(edge);
                }
            }
            _ => out.push(edge),
        }
    };
    for (source, target, label) in edges(model) {
        let edge = Drawn {
            source,
            target,
            label,
            ignore: false,
        };
        push(&mut out, edge);
    }
    if !options.hide_ignores {
        for (phase, inputs) in ignored_by_phase(model) {
            let edge = Drawn {
                source: phase,
                target: phase,
                label: format!("ignore: {}", inputs.join(", ")),
                ignore: true,
            };
            push(&mut out, edge);
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

/// The machine as a Mermaid `stateDiagram-v2`, as `options` say
/// (`rankdir` is DOT's).
pub fn mermaid_with(model: &Model, options: &Options) -> String {
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
    for edge in drawn_edges(model, options) {
        let _ = writeln!(
            out,
            "    {} --> {}: {}",
            id(edge.source),
            id(edge.target),
            escape_mermaid(&edge.label)
        );
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

/// The machine as a Graphviz `digraph`, as `options` say.
pub fn dot_with(model: &Model, options: &Options) -> String {
    let q = |p: PhaseId| format!("\"{}\"", escape_dot(model.phase_name(p)));
    let names: HashSet<&str> = model.phases.iter().map(|p| p.name.as_str()).collect();
    let mut start = String::from("__start");
    while names.contains(start.as_str()) {
        start.push('_');
    }
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape_dot(&model.name));
    let _ = writeln!(out, "    label=\"{}\";", escape_dot(&title(model)));
    let _ = writeln!(out, "    labelloc=t;");
    if let Some(rankdir) = options.rankdir {
        let _ = writeln!(out, "    rankdir={};", rankdir.as_str());
    }
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
    for edge in drawn_edges(model, options) {
        let style = if edge.ignore { ", style=dashed" } else { "" };
        let _ = writeln!(
            out,
            "    {} -> {} [label=\"{}\"{style}];",
            q(edge.source),
            q(edge.target),
            escape_dot(&edge.label)
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

    const LOOPS: &str = "machine M {
        phases { A, B }
        initial A
        input X
        input Y
        input Z
        input W
        transition x on X from A -> A
        transition go on Y from A -> B
        transition y on Y from B -> stay
        transition z on Z from A -> stay
        ignore Z in B
        ignore W in A | B
    }";

    fn model() -> Model {
        let compilation = fsm_core::compile("m.fsm", LOOPS.as_bytes());
        compilation.model.expect("spec compiles")
    }

    #[test]
    fn options_hide_ignores_and_collapse_self_loops() {
        let model = model();
        let all = mermaid(&model);
        assert!(all.contains("    A --> A: X\n"), "{all}");
        assert!(all.contains("    A --> A: Z\n"), "{all}");
        assert!(all.contains("    A --> A: ignore#58; W\n"), "{all}");
        assert!(all.contains("    B --> B: ignore#58; Z, W\n"), "{all}");
        let options = Options {
            hide_ignores: true,
            ..Options::default()
        };
        let hidden = mermaid_with(&model, &options);
        assert!(!hidden.contains("ignore"), "{hidden}");
        assert!(hidden.contains("    A --> A: Z\n"), "{hidden}");
        let options = Options {
            collapse_self_loops: true,
            ..Options::default()
        };
        let collapsed = mermaid_with(&model, &options);
        let loops: Vec<&str> = collapsed
            .lines()
            .filter(|l| l.starts_with("    A --> A") || l.starts_with("    B --> B"))
            .collect();
        assert_eq!(
            loops,
            [
                "    A --> A: X, Z, ignore#58; W",
                "    B --> B: Y, ignore#58; Z, W"
            ],
            "{collapsed}"
        );
        // An edge that is not a loop stays where it is, between them.
        assert!(collapsed.contains("    A --> A: X, Z, ignore#58; W\n    A --> B: Y\n"));
        let dot = dot_with(&model, &options);
        assert!(
            dot.contains("    \"A\" -> \"A\" [label=\"X, Z, ignore: W\"];\n"),
            "{dot}"
        );
        assert_eq!(dot.matches("\"A\" -> \"A\"").count(), 1, "{dot}");
    }

    #[test]
    fn an_ignore_loop_alone_is_dashed_and_rankdir_is_dot_s() {
        let model = model();
        let options = Options {
            rankdir: Some(RankDir::LeftRight),
            ..Options::default()
        };
        let dot = dot_with(&model, &options);
        assert!(dot.contains("    labelloc=t;\n    rankdir=LR;\n"), "{dot}");
        assert!(
            dot.contains("    \"B\" -> \"B\" [label=\"ignore: Z, W\", style=dashed];\n"),
            "{dot}"
        );
        assert!(!mermaid_with(&model, &options).contains("LR"));
        assert!(!self::dot(&model).contains("rankdir"));
    }

    #[test]
    fn dot_escapes_quotes_and_backslashes() {
        assert_eq!(
            escape_dot("say \"hi\" \\ now\n"),
            "say \\\"hi\\\" \\\\ now\\n"
        );
    }
}
