//! The shape of the machine: source sets (phase sets expanded) and targets
//! of transitions,
//! terminal phases (FSM0403), empty source sets (FSM0404), static overlap
//! between transitions (FSM0405), and `ignore` lines with their conflicts
//! (FSM0406).
//!
//! After `check`: every fully lowered transition leaves no terminal phase,
//! no two of them on one input can be enabled together by their guards as
//! written (same or fewer guards over a common phase), and the returned
//! ignores (one per input, phases sorted) never cover a phase a transition
//! on the same input handles.

use super::lower::{LTransition, Lowered};
use super::{Cx, duplicate, list_names, unknown};
use crate::ast::{self, Ident};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Ignore, InputId, PhaseId};
use crate::span::Span;
use std::collections::{BTreeSet, HashMap};

/// Resolves a source set (sorted, deduplicated). `None` when a phase is
/// unknown or the set is empty (reported) or the machine has no phases.
pub(super) fn sources(cx: &mut Cx<'_>, src: &ast::Sources, owner: &str) -> Option<Vec<PhaseId>> {
    let s = cx.s;
    if s.phases.is_empty() {
        return None; // FSM0407 says it all
    }
    let (ids, all) = match src {
        ast::Sources::List(ids) => (ids, false),
        ast::Sources::All { except, .. } => (except, true),
    };
    let mut ok = true;
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let mut listed = BTreeSet::new();
    for id in ids {
        if let Some(first) = seen.get(id.name.as_str()) {
            cx.report(duplicate("phase {} in the source set", id, *first));
            continue;
        }
        seen.insert(&id.name, id.span);
        match s.lookup_phases(id) {
            Ok(Some(phases)) => listed.extend(phases),
            // A phase set that failed (reported).
            Ok(None) => ok = false,
            Err(d) => {
                cx.report(d);
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    let set: Vec<PhaseId> = if all {
        s.phase_ids().filter(|p| !listed.contains(p)).collect()
    } else {
        listed.into_iter().collect()
    };
    if set.is_empty() {
        let label = if all {
            "`* except` leaves out every phase"
        } else {
            "no phase here"
        };
        cx.report(
            Diagnostic::new(
                Code::EmptySources,
                format!("{owner} has an empty source set"),
                src.span(),
                label,
            )
            .with_help("keep at least one phase in the source set"),
        );
        return None;
    }
    Some(set)
}

/// Resolves a target: `Some(None)` for `stay`.
pub(super) fn target(cx: &mut Cx<'_>, t: &ast::Target) -> Option<Option<PhaseId>> {
    match t {
        ast::Target::Stay(_) => Some(None),
        ast::Target::Phase(id) => {
            if cx.s.phases.is_empty() {
                return None;
            }
            match cx.s.lookup_phase(id) {
                Ok(p) => Some(Some(p)),
                Err(d) => {
                    cx.report(d);
                    None
                }
            }
        }
    }
}

/// Terminal phases, overlap, and the ignores (lowered and checked).
pub(super) fn check(cx: &mut Cx<'_>, l: &Lowered<'_>) -> Option<Vec<Ignore>> {
    for t in &l.transitions {
        terminal_absorbing(cx, t);
    }
    overlap(cx, &l.transitions);
    ignores(cx, &l.transitions)
}

fn terminal_absorbing(cx: &mut Cx<'_>, t: &LTransition<'_>) {
    let s = cx.s;
    let (Some(sources), Some(Some(target))) = (&t.sources, t.target) else {
        return;
    };
    let leaving: Vec<PhaseId> = sources
        .iter()
        .copied()
        .filter(|p| *p != target && s.phases.get(p.index()).is_some_and(|x| x.terminal))
        .collect();
    if leaving.is_empty() {
        return;
    }
    let names = list_names(leaving.iter().map(|p| s.phase_name(*p)));
    let target_span = match &t.ast.target {
        ast::Target::Phase(id) => id.span,
        ast::Target::Stay(span) => *span,
    };
    let plural = leaving.len() > 1;
    let help = match &t.ast.sources {
        ast::Sources::All { except, .. } if except.is_empty() => {
            format!("add `except`: `from * except {}`", join_bar(s, &leaving))
        }
        ast::Sources::All { .. } => format!("add {names} to the `except` list"),
        ast::Sources::List(_) => format!("remove {names} from the source set"),
    };
    cx.report(
        Diagnostic::new(
            Code::TerminalNotAbsorbing,
            format!(
                "transition `{}` leaves terminal phase{} {names}",
                t.name.name,
                if plural { "s" } else { "" }
            ),
            target_span,
            format!("goes to `{}`", s.phase_name(target)),
        )
        .with_secondary(t.ast.sources.span(), format!("the sources include {names}"))
        .with_note("a terminal phase is absorbing: a transition from it must target it or `stay`")
        .with_help(help),
    );
}

fn join_bar(s: &super::resolve::Symbols<'_>, phases: &[PhaseId]) -> String {
    phases
        .iter()
        .map(|p| s.phase_name(*p))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Two transitions on one input overlap statically when their source sets
/// meet and the guards of one are among the guards of the other (compared
/// structurally): whenever the one with more guards is enabled, so is the
/// other. That covers "neither has a guard" and "same guards".
fn overlap(cx: &mut Cx<'_>, ts: &[LTransition<'_>]) {
    // Only transitions on the same input can overlap: compare within each
    // input's group (declaration order kept), not across the whole machine.
    let mut by_input: std::collections::BTreeMap<InputId, Vec<&LTransition<'_>>> =
        std::collections::BTreeMap::new();
    for t in ts.iter().filter(|t| t.sources.is_some() && t.guards_ok()) {
        if let Some(input) = t.input {
            by_input.entry(input).or_default().push(t);
        }
    }
    for group in by_input.values() {
        // Only pairs that share a source phase can overlap: find, for each
        // transition, the earlier ones from any of its phases, rather than
        // trying every pair of the input (many transitions on one input,
        // each from its own phase, would be quadratic).
        let mut by_phase: HashMap<PhaseId, Vec<usize>> = HashMap::new();
        let mut seen_by = vec![usize::MAX; group.len()];
        let mut earlier = Vec::new();
        for (k, &b) in group.iter().enumerate() {
            earlier.clear();
            for &p in b.sources.iter().flatten() {
                let before = by_phase.entry(p).or_default();
                for &a in before.iter() {
                    if let Some(seen) = seen_by.get_mut(a)
                        && *seen != k
                    {
                        *seen = k;
                        earlier.push(a);
                    }
                }
                before.push(k);
            }
            earlier.sort_unstable();
            for &a in &earlier {
                if let Some(&a) = group.get(a) {
                    overlap_pair(cx, a, b);
                }
            }
        }
    }
}

/// Reports `a` and `b` (same input, `a` declared first) when they overlap.
fn overlap_pair(cx: &mut Cx<'_>, a: &LTransition<'_>, b: &LTransition<'_>) {
    let s = cx.s;
    let (Some(sa), Some(sb)) = (&a.sources, &b.sources) else {
        return;
    };
    let common: Vec<PhaseId> = sa
        .iter()
        .copied()
        .filter(|p| sb.binary_search(p).is_ok())
        .collect();
    if common.is_empty() {
        return;
    }
    let a_in_b = guards_within(a, b);
    let b_in_a = guards_within(b, a);
    if !a_in_b && !b_in_a {
        return;
    }
    let input = a
        .input
        .and_then(|i| s.input(i))
        .map_or("?", |i| i.name.name.as_str());
    let phases = list_names(common.iter().map(|p| s.phase_name(*p)));
    let why = match (a.guards.is_empty(), b.guards.is_empty(), a_in_b && b_in_a) {
        (true, true, _) => "neither has a guard".to_string(),
        (_, _, true) => "they have the same guards".to_string(),
        _ => {
            let (fewer, more) = if a_in_b { (a, b) } else { (b, a) };
            if fewer.guards.is_empty() {
                format!("`{}` has no guard", fewer.name.name)
            } else {
                format!(
                    "every guard of `{}` is also a guard of `{}`",
                    fewer.name.name, more.name.name
                )
            }
        }
    };
    cx.report(
        Diagnostic::new(
            Code::Overlap,
            format!("transitions `{}` and `{}` overlap", a.name.name, b.name.name),
            b.name.span,
            format!("`{}` handles `{input}` in {phases}", b.name.name),
        )
        .with_secondary(
            a.name.span,
            format!("`{}` handles `{input}` in {phases} too", a.name.name),
        )
        .with_note(format!(
            "{why}: both can fire on `{input}` in {phases}, and nothing is decided by declaration order"
        ))
        .with_help("add a guard that tells them apart, or make their source sets disjoint"),
    );
}

/// Whether every guard of `a` is also a guard of `b` (structurally).
fn guards_within(a: &LTransition<'_>, b: &LTransition<'_>) -> bool {
    a.guards.iter().flatten().all(|ga| {
        b.guards
            .iter()
            .flatten()
            .any(|gb| ga.expr.same_as(&gb.expr))
    })
}

/// Lowers the `ignore` lines (merged per input) and reports duplicates and
/// conflicts with transitions.
fn ignores(cx: &mut Cx<'_>, ts: &[LTransition<'_>]) -> Option<Vec<Ignore>> {
    let s = cx.s;
    let mut ok = true;
    // Per input: its entry in the result and where each phase was ignored.
    let mut out: Vec<(Ignore, HashMap<PhaseId, Span>)> = Vec::new();
    for ig in &s.ignores {
        let phases = sources(cx, ig.sources, "an `ignore` line");
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for id in ig.inputs {
            if let Some(first) = seen.get(id.name.as_str()) {
                cx.report(duplicate("input {} in `ignore`", id, *first));
                continue;
            }
            seen.insert(&id.name, id.span);
            let Some(&input) = s.input_by_name.get(&id.name) else {
                cx.report(unknown(
                    Code::UnknownInput,
                    "input",
                    id,
                    s.inputs.iter().map(|i| i.name.name.as_str()),
                ));
                ok = false;
                continue;
            };
            if let Some(u) = cx.usage.inputs.get_mut(input.index()) {
                *u = true;
            }
            let Some(phases) = &phases else {
                ok = false;
                continue;
            };
            conflicts(cx, id, input, phases, ts);
            let pos = match out.iter().position(|(i, _)| i.input == input) {
                Some(pos) => pos,
                None => {
                    out.push((
                        Ignore {
                            input,
                            phases: Vec::new(),
                            span: ig.span,
                        },
                        HashMap::new(),
                    ));
                    out.len() - 1
                }
            };
            let Some((entry, spans)) = out.get_mut(pos) else {
                continue;
            };
            let mut again = Vec::new();
            let mut first_at = None;
            for &p in phases {
                match spans.get(&p) {
                    Some(first) => {
                        again.push(p);
                        first_at.get_or_insert(*first);
                    }
                    None => {
                        spans.insert(p, id.span);
                        entry.phases.push(p);
                    }
                }
            }
            if let Some(first) = first_at {
                let names = list_names(again.iter().map(|p| s.phase_name(*p)));
                cx.report(
                    Diagnostic::new(
                        Code::Duplicate,
                        format!("input `{}` is already ignored in {names}", id.name),
                        id.span,
                        "ignored again here",
                    )
                    .with_secondary(first, "first ignored here")
                    .with_help("remove the repeated phases from one of the `ignore` lines"),
                );
            }
        }
    }
    let mut result: Vec<Ignore> = out.into_iter().map(|(i, _)| i).collect();
    for i in &mut result {
        i.phases.sort_unstable();
    }
    ok.then_some(result)
}

/// `ignore I in P` while a transition on `I` has `P` in its sources.
fn conflicts(
    cx: &mut Cx<'_>,
    id: &Ident,
    input: InputId,
    phases: &[PhaseId],
    ts: &[LTransition<'_>],
) {
    let s = cx.s;
    for t in ts {
        let (Some(i), Some(sources)) = (t.input, &t.sources) else {
            continue;
        };
        if i != input {
            continue;
        }
        let common: Vec<PhaseId> = phases
            .iter()
            .copied()
            .filter(|p| sources.binary_search(p).is_ok())
            .collect();
        if common.is_empty() {
            continue;
        }
        let names = list_names(common.iter().map(|p| s.phase_name(*p)));
        cx.report(
            Diagnostic::new(
                Code::IgnoreConflict,
                format!("input `{}` is both ignored and handled in {names}", id.name),
                id.span,
                format!("ignored in {names} here"),
            )
            .with_secondary(
                t.name.span,
                format!("`{}` handles it in {names}", t.name.name),
            )
            .with_help(format!(
                "remove {names} from the `ignore` line, or from the sources of `{}`",
                t.name.name
            )),
        );
    }
}
