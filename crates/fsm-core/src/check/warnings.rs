//! Warnings about a machine that is otherwise correct: phases no
//! transition path reaches from the initial phase (FSM0501, guards
//! ignored), inputs no transition or `ignore` mentions (FSM0502), fields
//! never read nor written (FSM0503; a field only written is still seen in
//! snapshots), machine-level guards never referenced (FSM0504), effects
//! never emitted (FSM0505), actions never run (FSM0506).
//!
//! They are only reported when the checker found no error and no syntax
//! error in an expression: an error (a misspelled name, a transition that
//! failed to lower, a guard the parser could not read) would make them
//! guesses. After this pass nothing else is reported.

use super::Cx;
use super::lower::Lowered;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::PhaseId;

pub(super) fn check(cx: &mut Cx<'_>, l: &Lowered<'_>) {
    if cx.syntax_error_seen || cx.diags.iter().any(Diagnostic::is_error) {
        return;
    }
    unreachable_phases(cx, l);
    unused(cx);
}

fn unreachable_phases(cx: &mut Cx<'_>, l: &Lowered<'_>) {
    let s = cx.s;
    let Some(initial) = s.initial else { return };
    let mut edges: Vec<Vec<PhaseId>> = vec![Vec::new(); s.phases.len()];
    for t in &l.transitions {
        let (Some(sources), Some(target)) = (&t.sources, t.target) else {
            return;
        };
        if let Some(target) = target {
            for p in sources {
                if let Some(e) = edges.get_mut(p.index()) {
                    e.push(target);
                }
            }
        }
    }
    let mut reached = vec![false; s.phases.len()];
    let mut stack = vec![initial];
    while let Some(p) = stack.pop() {
        let Some(r) = reached.get_mut(p.index()) else {
            continue;
        };
        if *r {
            continue;
        }
        *r = true;
        stack.extend(edges.get(p.index()).into_iter().flatten().copied());
    }
    let init = s.phase_name(initial);
    for (p, sym) in s.phases.iter().enumerate() {
        if reached.get(p).copied().unwrap_or(true) {
            continue;
        }
        cx.report(
            Diagnostic::new(
                Code::UnreachablePhase,
                format!("phase `{}` is unreachable", sym.def.name.name),
                sym.def.name.span,
                format!("no transition path from `{init}` reaches it"),
            )
            .with_note(
                "reachability follows the sources and targets of transitions, ignoring guards",
            )
            .with_help("add a transition into it, or remove it"),
        );
    }
}

fn unused(cx: &mut Cx<'_>) {
    let s = cx.s;
    let mut found = Vec::new();
    for (i, sym) in s.inputs.iter().enumerate() {
        if !cx.usage.inputs.get(i).copied().unwrap_or(true) {
            found.push(
                Diagnostic::new(
                    Code::UnusedInput,
                    format!("input `{}` is never used", sym.name.name),
                    sym.name.span,
                    "no transition or `ignore` mentions it",
                )
                .with_note("the machine rejects it in every phase")
                .with_help(format!(
                    "add a transition on `{}`, ignore it where it is a no-op, or remove it",
                    sym.name.name
                )),
            );
        }
    }
    for (i, f) in s.fields.iter().enumerate() {
        let read = cx.usage.fields_read.get(i).copied().unwrap_or(true);
        let written = cx.usage.fields_written.get(i).copied().unwrap_or(true);
        if !read && !written {
            found.push(
                Diagnostic::new(
                    Code::UnusedField,
                    format!("field `{}` is never used", f.def.name.name),
                    f.def.name.span,
                    "never read or written",
                )
                .with_note("it keeps its initial value forever")
                .with_help("make it a constant (`const`), use it, or remove it"),
            );
        }
    }
    for (i, g) in s.guards.iter().enumerate() {
        if !cx.usage.guards.get(i).copied().unwrap_or(true) {
            found.push(
                Diagnostic::new(
                    Code::UnusedGuard,
                    format!("guard `{}` is never used", g.def.name.name),
                    g.def.name.span,
                    "no transition uses it",
                )
                .with_help(format!(
                    "use it in a transition with `guard {}`, or remove it",
                    g.def.name.name
                )),
            );
        }
    }
    for (i, a) in s.actions.iter().enumerate() {
        if !cx.usage.actions.get(i).copied().unwrap_or(true) {
            found.push(
                Diagnostic::new(
                    Code::UnusedAction,
                    format!("action `{}` is never used", a.def.name.name),
                    a.def.name.span,
                    "no block runs it",
                )
                .with_help(format!(
                    "run it from a transition with `do {}`, or remove it",
                    a.def.name.name
                )),
            );
        }
    }
    for (i, e) in s.effects.iter().enumerate() {
        if !cx.usage.effects.get(i).copied().unwrap_or(true) {
            found.push(
                Diagnostic::new(
                    Code::UnusedEffect,
                    format!("effect `{}` is never emitted", e.name.name),
                    e.name.span,
                    "no `emit` names it",
                )
                .with_help(format!(
                    "emit it from a transition with `emit {}`, or remove it",
                    e.name.name
                )),
            );
        }
    }
    cx.diags.extend(found);
}
