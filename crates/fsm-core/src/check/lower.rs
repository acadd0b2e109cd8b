//! Lowering of the items that hold expressions: constants, initial values
//! of fields, machine-level guards, actions, derived values, invariants and
//! transitions (input, shape, guards, block). Each is typed in its scope:
//! constants and initial values are constants; guards and actions read the
//! state and their own parameters; derived values and invariants read the
//! state; a transition also reads its input's parameters. Actions are
//! lowered each after the actions it uses (`Symbols::action_order`), into
//! `Cx::actions`, where `do` finds them.
//!
//! After this pass every `Some` in `Lowered` is fully typed. A transition's
//! parts are `None` when they failed (reported). Usage (fields read and
//! written, guards and actions used, effects emitted, inputs used) is
//! recorded in `Cx::usage`.

use super::expr::{Scope, ScopeKind, plural};
use super::resolve::first_wins;
use super::{Cx, inline, structure, unknown};
use crate::ast::{self, Ident};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{GuardId, InputId, PhaseId, TExpr, TStmt, TransitionGuard, Ty};

pub(super) struct Lowered<'a> {
    pub consts: Vec<Option<TExpr>>,
    pub field_inits: Vec<Option<TExpr>>,
    pub guards: Vec<Option<TExpr>>,
    /// In the order of `Symbols::derived` (dependency order).
    pub derived: Vec<Option<TExpr>>,
    pub invariants: Vec<Option<TExpr>>,
    pub transitions: Vec<LTransition<'a>>,
}

/// A transition with each part lowered on its own.
pub(super) struct LTransition<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub ast: &'a ast::Transition,
    pub input: Option<InputId>,
    pub sources: Option<Vec<PhaseId>>,
    /// `Some(None)` is `-> stay`.
    pub target: Option<Option<PhaseId>>,
    pub guards: Vec<Option<TransitionGuard>>,
    pub body: Option<Vec<TStmt>>,
}

impl LTransition<'_> {
    /// Whether every guard was lowered.
    pub fn guards_ok(&self) -> bool {
        self.guards.iter().all(Option::is_some)
    }
}

pub(super) fn lower<'a>(cx: &mut Cx<'a>) -> Lowered<'a> {
    let s = cx.s;
    let consts = s
        .consts
        .iter()
        .map(|c| {
            if let Some(Ty::Extern(e)) = &c.ty {
                let name = s
                    .externs
                    .get(e.index())
                    .map_or("?", |x| x.name.name.as_str());
                cx.report(
                    Diagnostic::new(
                        Code::InvalidType,
                        format!(
                            "constant `{}` of extern type `{name}` cannot have a value",
                            c.name.name
                        ),
                        c.name.span,
                        "extern values come only from input parameters",
                    )
                    .with_help(format!("make it an `Option<{name}>`, or remove it")),
                );
                return None;
            }
            let mut sc = Scope::new(ScopeKind::Const("a constant's value"));
            sc.consts = false;
            cx.check_expr(&mut sc, c.value, c.ty.as_ref())
        })
        .collect();
    let field_inits = s
        .fields
        .iter()
        .map(|f| {
            if let Some(Ty::Extern(e)) = &f.ty {
                // No constant has an extern type.
                let name = s
                    .externs
                    .get(e.index())
                    .map_or("?", |x| x.name.name.as_str());
                cx.report(
                    Diagnostic::new(
                        Code::InvalidType,
                        format!(
                            "field `{}` of extern type `{name}` cannot have an initial value",
                            f.def.name.name
                        ),
                        f.def.ty.span,
                        "extern values come only from input parameters",
                    )
                    .with_help(format!(
                        "make it `Option<{name}> = none` and set it in a transition"
                    )),
                );
                return None;
            }
            let mut sc = Scope::new(ScopeKind::Const("an initial value"));
            cx.check_expr(&mut sc, &f.def.init, f.ty.as_ref())
        })
        .collect();
    let guards = s
        .guards
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut sc = Scope::new(ScopeKind::Guard(GuardId::from_index(i)));
            cx.check_expr(&mut sc, &g.def.expr, Some(&Ty::Bool))
        })
        .collect::<Vec<_>>();
    for &a in &s.action_order {
        let Some(sym) = s.actions.get(a) else {
            continue;
        };
        let mut sc = Scope::new(ScopeKind::Action(a));
        sc.in_block = true;
        let body = cx.block(&mut sc, &sym.def.body.stmts);
        if let Some(slot) = cx.actions.get_mut(a) {
            *slot = body;
        }
    }
    let derived = s
        .derived
        .iter()
        .map(|d| {
            let mut sc = Scope::new(ScopeKind::State("a derived value"));
            cx.check_expr(&mut sc, d.expr, d.ty.as_ref())
        })
        .collect();
    let invariants = s
        .invariants
        .iter()
        .map(|i| {
            let mut sc = Scope::new(ScopeKind::State("an invariant"));
            cx.check_expr(&mut sc, i.expr, Some(&Ty::Bool))
        })
        .collect();
    let transitions = s
        .transitions
        .iter()
        .map(|&(docs, t)| transition(cx, docs, t, &guards))
        .collect();
    Lowered {
        consts,
        field_inits,
        guards,
        derived,
        invariants,
        transitions,
    }
}

fn transition<'a>(
    cx: &mut Cx<'a>,
    docs: &'a ast::Docs,
    t: &'a ast::Transition,
    machine_guards: &[Option<TExpr>],
) -> LTransition<'a> {
    let s = cx.s;
    let input = match s.input_by_name.get(&t.input.name) {
        Some(&i) => {
            if let Some(u) = cx.usage.inputs.get_mut(i.index()) {
                *u = true;
            }
            Some(i)
        }
        None => {
            cx.report(unknown(
                Code::UnknownInput,
                "input",
                &t.input,
                s.inputs.iter().map(|i| i.name.name.as_str()),
            ));
            None
        }
    };
    let sources = structure::sources(cx, &t.sources, &format!("transition `{}`", t.name.name));
    let target = structure::target(cx, &t.target);
    let mut sc = Scope::new(ScopeKind::Transition(input));
    first_wins(
        &mut cx.diags,
        &format!("guard {{}} in transition `{}`", t.name.name),
        t.guards.iter().map(|g| &g.name),
    );
    let guards = t
        .guards
        .iter()
        .map(|g| transition_guard(cx, &mut sc, g, machine_guards))
        .collect();
    sc.in_block = true;
    let body = match &t.body {
        Some(b) => cx.block(&mut sc, &b.stmts),
        None => Some(Vec::new()),
    };
    LTransition {
        name: &t.name,
        docs,
        ast: t,
        input,
        sources,
        target,
        guards,
        body,
    }
}

fn transition_guard(
    cx: &mut Cx<'_>,
    sc: &mut Scope,
    g: &ast::GuardDef,
    machine_guards: &[Option<TExpr>],
) -> Option<TransitionGuard> {
    let s = cx.s;
    let name = &g.name.name;
    let machine = s.guard_by_name.get(name).copied();
    match &g.expr {
        Some(e) => {
            if let Some(m) = machine.and_then(|m| s.guards.get(m.index())) {
                cx.report(
                    Diagnostic::new(
                        Code::Shadowing,
                        format!("guard `{name}` shadows the machine-level guard `{name}`"),
                        g.name.span,
                        "a local guard with the name of a machine-level guard",
                    )
                    .with_secondary(m.def.name.span, "machine-level guard defined here")
                    .with_help(format!(
                        "use the machine-level guard with `guard {name}`, or rename this one"
                    )),
                );
            }
            let expr = cx.check_expr(sc, e, Some(&Ty::Bool))?;
            Some(TransitionGuard {
                name: name.clone(),
                expr,
                span: g.name.span,
                machine_guard: None,
            })
        }
        None => {
            let Some(m) = machine else {
                let mut d = unknown(
                    Code::UnknownGuard,
                    "guard",
                    &g.name,
                    s.guards.iter().map(|g| g.def.name.name.as_str()),
                );
                if d.help.is_none() {
                    d = d.with_help(format!(
                        "give it a condition here, `guard {name}: <condition>`, or define it in a `guards {{ }}` block"
                    ));
                }
                cx.report(d);
                g.args.iter().for_each(|a| cx.quiet(sc, a));
                return None;
            };
            if let Some(u) = cx.usage.guards.get_mut(m.index()) {
                *u = true;
            }
            let sym = s.guards.get(m.index())?;
            let n = sym.params.len();
            if g.args.len() != n {
                let declared = sym.def.name.span;
                let mut d = Diagnostic::new(
                    Code::Arity,
                    format!(
                        "guard `{name}` takes {} but {} {} given",
                        plural(n, "argument"),
                        g.args.len(),
                        if g.args.len() == 1 { "was" } else { "were" }
                    ),
                    g.name.span,
                    format!("expected {}", plural(n, "argument")),
                )
                .with_secondary(declared, format!("`{name}` declared here"));
                if g.args.is_empty() {
                    let params: Vec<&str> =
                        sym.params.iter().map(|p| p.name.name.as_str()).collect();
                    d = d.with_help(format!(
                        "pass its arguments: `guard {name}({})`",
                        params.join(", ")
                    ));
                } else if n == 0 {
                    d = d.with_help(format!("`{name}` has no parameters: write `guard {name}`"));
                }
                cx.report(d);
                for (i, a) in g.args.iter().enumerate() {
                    let ty = sym.params.get(i).and_then(|p| p.ty.as_ref());
                    cx.check_expr(sc, a, ty);
                }
                return None;
            }
            let args: Vec<Option<TExpr>> = g
                .args
                .iter()
                .zip(&sym.params)
                .map(|(a, p)| cx.check_arg(sc, a, p))
                .collect();
            let args: Vec<TExpr> = args.into_iter().collect::<Option<_>>()?;
            let def = machine_guards.get(m.index()).and_then(Option::as_ref)?;
            if !cx.spend_inline(inline::expr_size(def), g.name.span) {
                return None;
            }
            let expr = inline::expr(def, &args);
            Some(TransitionGuard {
                name: name.clone(),
                expr,
                span: g.name.span,
                machine_guard: Some(m),
            })
        }
    }
}
