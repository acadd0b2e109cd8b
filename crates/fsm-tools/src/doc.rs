//! Markdown documentation of machines: one page per machine ([`page`]), an
//! index of machines ([`index`]) and a summary table ([`table`]).
//!
//! A page holds the machine's doc comment, its Mermaid diagram
//! ([`crate::graph::mermaid`]), its phases, the input × phase matrix, its
//! inputs, effects, transitions, state fields, derived values, constants,
//! invariants and verification settings, and, when given, the figures of a
//! verification run. Nothing on a page depends on the run that made it
//! (no time, no path outside the model), so a page is byte-identical from
//! run to run and can be committed.

use crate::graph;
use crate::verify::{FindingKind, Report};
use fsm_core::model::{
    DomainTarget, DomainValues, InputId, Model, Param, PhaseId, TStmtKind, Transition, TransitionId,
};
use fsm_core::pretty::Printer;
use std::collections::HashSet;
use std::fmt::Write as _;

/// The figures of one verification run, as a page shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Distinct states explored.
    pub states: u64,
    /// Transitions (accepted inputs) explored.
    pub transitions: u64,
    /// The depth reached (inputs from the initial state).
    pub depth: u64,
    /// Whether every state within the bounds was explored.
    pub complete: bool,
    /// `(check, verdict)`, in the order the run reports them.
    pub verdicts: Vec<(String, String)>,
}

/// One machine of an index or a table, and where its page is.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub model: &'a Model,
    /// The page's address relative to the index or table that links it.
    pub link: &'a str,
}

/// The first sentence of the machine's doc comment (of its first
/// paragraph), on one line; empty when the machine has no doc comment.
pub fn summary(model: &Model) -> String {
    first_sentence_of(&model.docs)
}

/// The first sentence of the first paragraph of doc comment lines, on one
/// line; empty when there are none.
pub fn first_sentence_of(docs: &[String]) -> String {
    let paragraph: Vec<&str> = docs
        .iter()
        .map(|l| l.trim())
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    let text = paragraph.join(" ");
    first_sentence(&text).to_owned()
}

/// Text up to and including the first `.` that ends a sentence (followed
/// by the end, or by a space and an uppercase letter, a backtick or an
/// opening parenthesis).
fn first_sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'.' {
            continue;
        }
        let rest = &text[i + 1..];
        if rest.is_empty() {
            return text;
        }
        if let Some(after) = rest.strip_prefix(' ') {
            let next = after.chars().next();
            if next.is_some_and(|c| c.is_uppercase() || c == '`' || c == '(') {
                return &text[..=i];
            }
        }
    }
    text
}

/// The index page: one line per machine, linking its page.
pub fn index(entries: &[Entry<'_>]) -> String {
    let mut out = String::from("# Machines\n\n");
    if entries.is_empty() {
        out.push_str("No machines.\n");
        return out;
    }
    for entry in entries {
        let summary = summary(entry.model);
        if summary.is_empty() {
            let _ = writeln!(out, "- [{}]({})", entry.model.name, entry.link);
        } else {
            let _ = writeln!(out, "- [{}]({}): {summary}", entry.model.name, entry.link);
        }
    }
    out
}

/// A Markdown table, one row per machine: its name (linking its page), what
/// it governs (the first sentence of its doc comment) and how many phases,
/// inputs and transitions it has.
pub fn table(entries: &[Entry<'_>]) -> String {
    let mut out = String::from("| Machine | Governs | Phases | Inputs | Transitions |\n");
    out.push_str("|---|---|--:|--:|--:|\n");
    for entry in entries {
        let m = entry.model;
        let _ = writeln!(
            out,
            "| [{}]({}) | {} | {} | {} | {} |",
            m.name,
            entry.link,
            cell(&summary(m)),
            m.phases.len(),
            m.inputs.len(),
            m.transitions.len()
        );
    }
    out
}

/// The page of one machine, with the figures of `report` (a run of
/// [`crate::verify::verify`] on it) when there is one. The elapsed time
/// of the run is never shown.
pub fn page(model: &Model, report: Option<&Report>) -> String {
    let figures = report.map(|r| figures(model, r));
    page_with(model, figures.as_ref())
}

/// What a page shows of a verification run: its size, and a verdict per
/// invariant, per reach goal and per whole-machine check.
pub fn figures(model: &Model, report: &Report) -> Figures {
    let bounded = if report.complete {
        ""
    } else {
        " within the bounds"
    };
    let mut verdicts = Vec::new();
    let names = |pick: &dyn Fn(&FindingKind) -> Option<String>| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for name in report.findings.iter().filter_map(|f| pick(&f.kind)) {
            let name = format!("`{name}`");
            if seen.insert(name.clone()) {
                out.push(name);
            }
        }
        out
    };
    let violated: HashSet<&str> = report
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::InvariantViolated { invariant } => Some(invariant.as_str()),
            _ => None,
        })
        .collect();
    let unreached: HashSet<&str> = report
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::UnreachedGoal { reach } => Some(reach.as_str()),
            _ => None,
        })
        .collect();
    for invariant in &model.invariants {
        let violated = violated.contains(invariant.name.as_str());
        let verdict = if violated {
            "**violated**".to_owned()
        } else {
            format!("holds{bounded}")
        };
        verdicts.push((format!("invariant `{}`", invariant.name), verdict));
    }
    for reach in &model.verify.reach {
        let unreached = unreached.contains(reach.name.as_str());
        let verdict = if unreached {
            format!("**not reached**{bounded}")
        } else {
            "reached".to_owned()
        };
        verdicts.push((format!("reach `{}`", reach.name), verdict));
    }
    for property in &report.properties {
        let verdict = if property.holds {
            format!("holds{bounded}")
        } else {
            format!(
                "**does not hold**: {} trap state{}",
                property.trap_states,
                if property.trap_states == 1 { "" } else { "s" }
            )
        };
        verdicts.push((format!("always_possible `{}`", property.name), verdict));
    }
    let checks: [(&str, Vec<String>); 5] = [
        (
            "deadlocks",
            names(&|k| match k {
                FindingKind::Deadlock { phase } => Some(phase.clone()),
                _ => None,
            }),
        ),
        (
            "dead transitions",
            names(&|k| match k {
                FindingKind::DeadTransition { transition } => Some(transition.clone()),
                _ => None,
            }),
        ),
        (
            "guard overlaps",
            names(&|k| match k {
                FindingKind::GuardOverlap { transitions, .. } => Some(transitions.join("`, `")),
                _ => None,
            }),
        ),
        (
            "unreachable terminal phases",
            names(&|k| match k {
                FindingKind::UnreachableTerminal { phase } => Some(phase.clone()),
                _ => None,
            }),
        ),
        (
            "arithmetic overflows",
            names(&|k| match k {
                FindingKind::ArithmeticOverflow { transition, .. } => Some(transition.clone()),
                _ => None,
            }),
        ),
    ];
    // What a cut search did not see is a note, not a finding.
    let unseen = |pick: &dyn Fn(&FindingKind) -> Option<String>| -> Vec<String> {
        report
            .notes
            .iter()
            .filter_map(|n| pick(&n.kind))
            .map(|name| format!("`{name}`"))
            .collect()
    };
    let unseen_transitions = unseen(&|k| match k {
        FindingKind::DeadTransition { transition } => Some(transition.clone()),
        _ => None,
    });
    let unseen_terminals = unseen(&|k| match k {
        FindingKind::UnreachableTerminal { phase } => Some(phase.clone()),
        _ => None,
    });
    for (check, found) in checks {
        let unseen = match check {
            "dead transitions" => &unseen_transitions,
            "unreachable terminal phases" => &unseen_terminals,
            _ => &Vec::new(),
        };
        let verdict = if found.is_empty() && !unseen.is_empty() {
            format!("none{bounded}; {} not seen within them", unseen.join(", "))
        } else if found.is_empty() {
            format!("none{bounded}")
        } else {
            format!("**{}**", found.join(", "))
        };
        verdicts.push((check.to_owned(), verdict));
    }
    Figures {
        states: report.states,
        transitions: report.transitions,
        depth: report.depth,
        complete: report.complete,
        verdicts,
    }
}

/// The page of one machine, with the figures of a verification run when
/// there is one.
pub fn page_with(model: &Model, figures: Option<&Figures>) -> String {
    let printer = Printer::new(model);
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", model.name);
    if let Some(key) = &model.key {
        let _ = writeln!(
            out,
            "Keyed: one instance per `{}: {}`.\n",
            key.name,
            model.ty_name(&key.ty)
        );
    }
    if !model.docs.is_empty() {
        out.push_str(&block(&model.docs));
        out.push('\n');
    }

    out.push_str("## Diagram\n\n```mermaid\n");
    out.push_str(&graph::mermaid(model));
    out.push_str("```\n\n");

    phases(&mut out, model);
    matrix(&mut out, model);
    signatures(&mut out, model, &printer);
    transitions(&mut out, model, &printer);
    state(&mut out, model, &printer);
    invariants(&mut out, model, &printer);
    snapshots(&mut out, model);
    verification(&mut out, model, &printer, figures);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn phases(out: &mut String, model: &Model) {
    out.push_str("## Phases\n\n| Phase | Initial / terminal | Description |\n|---|---|---|\n");
    for (id, phase) in model.phase_ids().zip(&model.phases) {
        let mut marks = Vec::new();
        if id == model.initial {
            marks.push("initial");
        }
        if phase.terminal {
            marks.push("terminal");
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            phase.name,
            marks.join(", "),
            cell(&phase.docs.join("\n"))
        );
    }
    out.push('\n');
    if model.phase_sets.is_empty() {
        return;
    }
    out.push_str("Phase sets:\n\n| Set | Phases | Description |\n|---|---|---|\n");
    for set in &model.phase_sets {
        let names: Vec<String> = set
            .phases
            .iter()
            .map(|p| format!("`{}`", model.phase_name(*p)))
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            set.name,
            names.join(", "),
            cell(&set.docs.join("\n"))
        );
    }
    out.push('\n');
}

/// What one input does in one phase, as the input × phase matrix shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// The transitions that may handle the input there, in declaration
    /// order (their guards decide).
    Transitions(Vec<TransitionId>),
    /// An `ignore` covers the input there: accepted, nothing changes.
    Ignored,
    /// No transition and no `ignore`: the input is rejected.
    Rejected,
}

/// The input × phase matrix: one row per input (in declaration order),
/// one cell per phase (in declaration order).
pub fn input_matrix(model: &Model) -> Vec<(InputId, Vec<Cell>)> {
    let mut rows = Vec::with_capacity(model.inputs.len());
    for index in 0..model.inputs.len() {
        let Ok(raw) = u32::try_from(index) else {
            break;
        };
        let input_id = InputId(raw);
        let cells = input_row(model, input_id)
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        rows.push((input_id, cells));
    }
    rows
}

/// The row of `input` in the input × phase matrix: one cell per phase, in
/// phase order.
pub fn input_row(model: &Model, input: InputId) -> Vec<(PhaseId, Cell)> {
    let table = model.candidates_by_phase(input);
    model
        .phase_ids()
        .map(|phase| {
            let ids = table
                .binary_search_by_key(&phase, |(p, _)| *p)
                .ok()
                .and_then(|i| table.get(i))
                .map_or(&[][..], |(_, c)| c.as_slice());
            let cell = if !ids.is_empty() {
                Cell::Transitions(ids.to_vec())
            } else if model.is_ignored(input, phase) {
                Cell::Ignored
            } else {
                Cell::Rejected
            };
            (phase, cell)
        })
        .collect()
}

/// The row of `phase` in the input × phase matrix: what each input (in
/// declaration order) does there.
pub fn phase_row(model: &Model, phase: PhaseId) -> Vec<(InputId, Cell)> {
    input_matrix(model)
        .into_iter()
        .filter_map(|(input, cells)| cells.into_iter().nth(phase.index()).map(|c| (input, c)))
        .collect()
}

/// Inputs (rows) × phases (columns): the transitions that may handle the
/// input there, `ignored`, or `—` (rejected: no matching transition).
fn matrix(out: &mut String, model: &Model) {
    if model.inputs.is_empty() {
        return;
    }
    out.push_str("## Inputs × phases\n\n");
    out.push_str(
        "A cell names the transitions that may handle the input in that phase \
         (their guards decide); *ignored* means the input is accepted and \
         changes nothing; — means it is rejected (no matching transition).\n\n",
    );
    out.push_str("| Input |");
    for phase in &model.phases {
        let _ = write!(out, " `{}` |", phase.name);
    }
    out.push_str("\n|---|");
    for _ in &model.phases {
        out.push_str("---|");
    }
    out.push('\n');
    for (input_id, cells) in input_matrix(model) {
        let name = model.input(input_id).map_or("?", |i| i.name.as_str());
        let _ = write!(out, "| `{name}` |");
        for cell in cells {
            match cell {
                Cell::Transitions(ids) => {
                    let names: Vec<String> = ids
                        .iter()
                        .filter_map(|id| model.transition(*id))
                        .map(|t| format!("`{}`", t.name))
                        .collect();
                    let _ = write!(out, " {} |", names.join(", "));
                }
                Cell::Ignored => out.push_str(" *ignored* |"),
                Cell::Rejected => out.push_str(" — |"),
            }
        }
        out.push('\n');
    }
    out.push('\n');
}

fn signatures(out: &mut String, model: &Model, printer: &Printer<'_>) {
    let kinds = [
        ("Inputs", "Input", &model.inputs),
        ("Effects", "Effect", &model.effects),
    ];
    for (title, column, items) in kinds {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {title}\n");
        let _ = writeln!(out, "| {column} | Description |\n|---|---|");
        for sig in items.iter() {
            let _ = writeln!(
                out,
                "| `{}` | {} |",
                cell(&signature(&sig.name, &sig.params, printer)),
                cell(&sig.docs.join("\n"))
            );
        }
        out.push('\n');
    }
}

fn signature(name: &str, params: &[Param], printer: &Printer<'_>) -> String {
    if params.is_empty() {
        return name.to_owned();
    }
    let params: Vec<String> = params
        .iter()
        .map(|p| format!("{}: {}", p.name, printer.model().ty_name(&p.ty)))
        .collect();
    format!("{name}({})", params.join(", "))
}

/// A source set, compactly: `*`, `* except A | B` (when few phases are
/// left out) or `A | B`.
pub fn sources(model: &Model, sources: &[PhaseId]) -> String {
    let all = model.phases.len();
    let names = |ids: &mut dyn Iterator<Item = PhaseId>| -> String {
        ids.map(|p| model.phase_name(p))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    if sources.len() == all {
        return "*".to_owned();
    }
    // `* except` only when it is clearly shorter than the list.
    let missing = all.saturating_sub(sources.len());
    if missing * 2 < sources.len() {
        let mut rest = model
            .phase_ids()
            .filter(|p| sources.binary_search(p).is_err());
        return format!("* except {}", names(&mut rest));
    }
    names(&mut sources.iter().copied())
}

fn transitions(out: &mut String, model: &Model, printer: &Printer<'_>) {
    if model.transitions.is_empty() {
        return;
    }
    out.push_str("## Transitions\n\n");
    out.push_str("| Transition | Input | From | To | Guards | Effects | Description |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for transition in &model.transitions {
        let input = model.input(transition.input);
        let guards: Vec<String> = transition
            .guards
            .iter()
            .map(|g| {
                let doc = g
                    .machine_guard
                    .and_then(|id| model.guard(id))
                    .map(|mg| mg.docs.join(" "))
                    .unwrap_or_default();
                let doc = doc.trim();
                if doc.is_empty() {
                    let params = input.map_or(&[][..], |i| &i.params[..]);
                    format!("`{}`: `{}`", g.name, printer.expr(&g.expr, params))
                } else {
                    format!("`{}`: {doc}", g.name)
                }
            })
            .collect();
        let effects: Vec<String> = emitted(model, transition)
            .iter()
            .map(|e| format!("`{e}`"))
            .collect();
        let target = transition.target.map_or("stay", |t| model.phase_name(t));
        let _ = writeln!(
            out,
            "| `{}` | `{}` | `{}` | `{}` | {} | {} | {} |",
            transition.name,
            input.map_or("?", |i| i.name.as_str()),
            cell(&sources(model, &transition.sources)),
            target,
            cell(&guards.join("<br>")),
            effects.join(", "),
            cell(&transition.docs.join("\n"))
        );
    }
    out.push('\n');
}

/// The effects a transition may emit, each once, in the order they first
/// appear in its statements.
pub fn emitted<'m>(model: &'m Model, transition: &Transition) -> Vec<&'m str> {
    let mut names: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for stmt in &transition.body {
        stmt.walk(&mut |s| {
            if let TStmtKind::Emit { effect, .. } = &s.kind {
                let name = model.effect(*effect).map_or("?", |e| e.name.as_str());
                if seen.insert(name) {
                    names.push(name);
                }
            }
        });
    }
    names
}

fn state(out: &mut String, model: &Model, printer: &Printer<'_>) {
    if !model.fields.is_empty() {
        out.push_str("## State\n\n| Field | Type | Initial | Description |\n|---|---|---|---|\n");
        for field in &model.fields {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | `{}` | {} |",
                field.name,
                model.ty_name(&field.ty),
                cell(&printer.expr(&field.init, &[])),
                cell(&field.docs.join("\n"))
            );
        }
        out.push('\n');
    }
    if !model.derived.is_empty() {
        out.push_str(
            "## Derived values\n\n| Name | Type | Value | Description |\n|---|---|---|---|\n",
        );
        for derived in &model.derived {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | `{}` | {} |",
                derived.name,
                model.ty_name(&derived.ty),
                cell(&printer.expr(&derived.expr, &[])),
                cell(&derived.docs.join("\n"))
            );
        }
        out.push('\n');
    }
    if !model.consts.is_empty() {
        out.push_str("## Constants\n\n| Name | Type | Value | Description |\n|---|---|---|---|\n");
        for constant in &model.consts {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | `{}` | {} |",
                constant.name,
                model.ty_name(&constant.ty),
                cell(&printer.expr(&constant.value, &[])),
                cell(&constant.docs.join("\n"))
            );
        }
        out.push('\n');
    }
}

fn invariants(out: &mut String, model: &Model, printer: &Printer<'_>) {
    if model.invariants.is_empty() {
        return;
    }
    out.push_str("## Invariants\n\n");
    out.push_str(
        "*Always*: checked after every accepted input in release builds too \
         (the others in debug builds and by `fsm verify`).\n\n",
    );
    out.push_str("| Invariant | Always | Condition | Description |\n|---|---|---|---|\n");
    for invariant in &model.invariants {
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}` | {} |",
            invariant.name,
            if invariant.always { "yes" } else { "" },
            cell(&printer.expr(&invariant.expr, &[])),
            cell(&invariant.docs.join("\n"))
        );
    }
    out.push('\n');
}

/// The versions a snapshot of the machine carries.
fn snapshots(out: &mut String, model: &Model) {
    let _ = writeln!(
        out,
        "## Snapshots\n\n| Schema id | Behaviour version |\n|---|---|\n| `{}` | `{:016x}` |\n",
        fsm_core::versions::schema_version(model),
        fsm_core::versions::behaviour_version(model)
    );
    out.push_str(
        "The schema id is a hash of the key, the phases, the fields and the enums \
         they use; the behaviour version, of everything the machine does. \
         `restore` requires both to match, `restore_with(_, RestorePolicy::Schema)` \
         the schema id only.\n\n",
    );
}

fn verification(out: &mut String, model: &Model, printer: &Printer<'_>, figures: Option<&Figures>) {
    let settings = &model.verify;
    let has_settings = !settings.domains.is_empty()
        || settings.max_depth.is_some()
        || settings.max_states.is_some()
        || settings.max_collection.is_some()
        || !settings.reach.is_empty()
        || !settings.always_possible.is_empty()
        || !settings.bounds.is_empty();
    if !has_settings && figures.is_none() {
        return;
    }
    out.push_str("## Verification\n\n");
    if has_settings {
        out.push_str("Settings (`verify` block):\n\n");
        for domain in &settings.domains {
            let target = match &domain.target {
                DomainTarget::Type(ty) => model.ty_name(ty),
                DomainTarget::Param { input, param } => {
                    let input = model.input(*input);
                    let param = input
                        .and_then(|i| i.param(*param))
                        .map_or("?", |p| p.name.as_str());
                    format!("{}.{param}", input.map_or("?", |i| i.name.as_str()))
                }
            };
            let values = match &domain.values {
                DomainValues::Range { lo, hi } => format!("{lo}..{}", hi.saturating_add(1)),
                DomainValues::List(values) => {
                    let values: Vec<String> = values.iter().map(|v| printer.expr(v, &[])).collect();
                    format!("[{}]", values.join(", "))
                }
            };
            let _ = writeln!(out, "- `domain {target} = {values}`");
        }
        for (name, value) in [
            ("max_depth", settings.max_depth),
            ("max_states", settings.max_states),
            ("max_collection", settings.max_collection),
        ] {
            if let Some(value) = value {
                let _ = writeln!(out, "- `{name} {value}`");
            }
        }
        for bound in &settings.bounds {
            let _ = writeln!(out, "- `bound {}`", printer.expr(&bound.expr, &[]));
        }
        for reach in &settings.reach {
            let _ = writeln!(
                out,
                "- `reach {}: {}`",
                reach.name,
                printer.expr(&reach.expr, &[])
            );
        }
        for property in &settings.always_possible {
            let _ = writeln!(
                out,
                "- `always_possible {}: {}`",
                property.name,
                printer.expr(&property.expr, &[])
            );
        }
        out.push('\n');
    }
    if let Some(figures) = figures {
        out.push_str("Result of `fsm verify`:\n\n| Measure | Value |\n|---|--:|\n");
        let _ = writeln!(out, "| States | {} |", figures.states);
        let _ = writeln!(out, "| Transitions | {} |", figures.transitions);
        let _ = writeln!(out, "| Depth | {} |", figures.depth);
        let _ = writeln!(
            out,
            "| Complete | {} |",
            if figures.complete {
                "yes"
            } else {
                "no (bounded)"
            }
        );
        out.push('\n');
        if !figures.verdicts.is_empty() {
            out.push_str("| Check | Verdict |\n|---|---|\n");
            for (check, verdict) in &figures.verdicts {
                let _ = writeln!(out, "| {} | {} |", cell(check), cell(verdict));
            }
            out.push('\n');
        }
    }
}

// ---------------------------------------------------------------- Markdown

/// Doc comment lines as a Markdown block, ending with a newline.
fn block(lines: &[String]) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Text for one table cell: lines joined with spaces, `|` escaped.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().map(str::trim).enumerate() {
        if line.is_empty() {
            continue;
        }
        if i > 0 && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
    }
    out.replace('|', "\\|")
}

// ---------------------------------------------------------------- expressions

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_stops_at_a_sentence_end() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("Uses e.g. this. Then"), "Uses e.g. this.");
        assert_eq!(first_sentence("No end"), "No end");
        assert_eq!(first_sentence("Ends here."), "Ends here.");
    }

    #[test]
    fn cells_escape_pipes_and_join_lines() {
        assert_eq!(cell("a || b\n  c"), "a \\|\\| b c");
        assert_eq!(cell("\n\nx"), "x");
    }
}
