//! The checker: lowers the AST of a machine to the checked [`Model`] and
//! reports every semantic error and warning of the `.fsm` language.
//!
//! The passes run in this order, each a module saying what holds after it:
//! 1. `resolve`: declarations, name tables, written types (`types`),
//!    duplicates, shadowing, the phases and phase sets, derived-value
//!    order, action order;
//! 2. `lower`: typed expressions (`expr`) and statements (`stmt`) of
//!    constants, fields, guards, actions, derived values, invariants and
//!    transitions, with the transition shapes of `structure` (sources and
//!    targets); guards and actions are inlined where they are used
//!    (`inline`);
//! 3. `structure`: terminal phases, empty source sets, static overlap,
//!    ignores and their conflicts;
//! 4. `verify`: the `verify` settings;
//! 5. `bindings`: the `impl Trait { }` blocks (before the warnings: a field a
//!    trait method returns counts as read);
//! 6. `warnings`: unreachable phases, unused inputs, fields, guards,
//!    effects, actions.
//!
//! No cascades: a name or type that failed is reported once, and whatever
//! depends on it is checked leniently (an expression that failed is `None`,
//! and `None` is accepted wherever a type is expected). `ExprKind::Error`
//! comes from a syntax error already reported and is skipped silently.
//! Recursion is bounded by `MAX_DEPTH` whatever the parser allows.

mod bindings;
mod expr;
mod inline;
mod lower;
mod resolve;
mod stmt;
mod structure;
mod types;
mod verify;
mod warnings;

#[cfg(test)]
mod tests;

use crate::ast;
use crate::diagnostic::{Code, Diagnostic, Fix, suggest};
use crate::model::{self, Model, Phase};
use crate::span::Span;
use resolve::Symbols;

/// How deep expressions, statements and types may nest.
pub(crate) const MAX_DEPTH: u32 = 128;

/// How many expression nodes and statements inlining guards and actions may
/// create in one machine.
pub(crate) const MAX_INLINED: usize = 1_000_000;

/// Checks a file and lowers it to a model. The model is `Some` when the
/// file holds exactly one machine and the checker found no error in it;
/// callers still drop it when the parser reported errors.
pub fn check(file: &ast::File) -> (Option<Model>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut model = None;
    for machine in &file.machines {
        let (m, d) = check_machine(machine);
        diags.extend(d);
        if file.machines.len() == 1 {
            model = m;
        }
    }
    (model, diags)
}

fn check_machine(machine: &ast::Machine) -> (Option<Model>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let syms = resolve::declare(machine, &mut diags);
    let mut cx = Cx::new(&syms, diags);
    let lowered = lower::lower(&mut cx);
    let ignores = structure::check(&mut cx, &lowered);
    let verify = verify::lower(&mut cx);
    let bindings = bindings::lower(&syms, &mut cx.diags);
    // A field a trait method returns is read, through the generated impl.
    for method in bindings.iter().flat_map(|b| &b.methods) {
        if let crate::model::BindingTarget::Field(f) = method.target
            && let Some(read) = cx.usage.fields_read.get_mut(f.index())
        {
            *read = true;
        }
    }
    warnings::check(&mut cx, &lowered);
    let model = if cx.diags.iter().any(Diagnostic::is_error) {
        None
    } else {
        assemble(&syms, lowered, ignores, verify, bindings)
    };
    (model, cx.diags)
}

/// Puts the lowered parts together; `None` if anything failed (which was
/// reported, possibly by the parser).
fn assemble(
    s: &Symbols<'_>,
    l: lower::Lowered,
    ignores: Option<Vec<crate::model::Ignore>>,
    verify: Option<crate::model::Verify>,
    bindings: Vec<crate::model::Binding>,
) -> Option<Model> {
    use crate::model as m;
    let docs = |d: &ast::Docs| d.lines.clone();
    let params = |ps: &[resolve::ParamSym<'_>]| -> Option<Vec<m::Param>> {
        ps.iter()
            .map(|p| {
                Some(m::Param {
                    name: p.name.name.clone(),
                    docs: docs(p.docs),
                    ty: p.ty.clone()?,
                    span: p.name.span,
                })
            })
            .collect()
    };
    let sig = |x: &resolve::SigSym<'_>| -> Option<m::Signature> {
        Some(m::Signature {
            name: x.name.name.clone(),
            docs: docs(x.docs),
            span: x.name.span,
            params: params(&x.params)?,
        })
    };
    let key = match &s.key {
        Some(k) => Some(m::Key {
            name: k.name.name.clone(),
            docs: docs(k.docs),
            ty: k.ty.clone()?,
            span: k.name.span,
        }),
        None => None,
    };
    Some(
        Model {
            name: s.machine.name.name.clone(),
            docs: docs(&s.machine.docs),
            span: s.machine.name.span,
            key,
            externs: s
                .externs
                .iter()
                .map(|e| m::Extern {
                    name: e.name.name.clone(),
                    docs: docs(e.docs),
                    span: e.name.span,
                    path: e.path.clone(),
                })
                .collect(),
            enums: s
                .enums
                .iter()
                .map(|e| m::Enum {
                    name: e.name.name.clone(),
                    docs: docs(e.docs),
                    span: e.name.span,
                    variants: e
                        .variants
                        .iter()
                        .map(|v| m::Variant {
                            name: v.name.name.clone(),
                            docs: docs(&v.docs),
                            span: v.name.span,
                        })
                        .collect(),
                    rust_path: e.rust_path.clone(),
                })
                .collect(),
            phases: s
                .phases
                .iter()
                .map(|p| Phase {
                    name: p.def.name.name.clone(),
                    docs: docs(&p.def.docs),
                    span: p.def.name.span,
                    terminal: p.terminal,
                })
                .collect(),
            initial: s.initial?,
            fields: s
                .fields
                .iter()
                .zip(l.field_inits)
                .map(|(f, init)| {
                    Some(m::Field {
                        name: f.def.name.name.clone(),
                        docs: docs(&f.def.docs),
                        span: f.def.name.span,
                        ty: f.ty.clone()?,
                        init: init?,
                    })
                })
                .collect::<Option<_>>()?,
            inputs: s.inputs.iter().map(sig).collect::<Option<_>>()?,
            effects: s.effects.iter().map(sig).collect::<Option<_>>()?,
            consts: s
                .consts
                .iter()
                .zip(l.consts)
                .map(|(c, value)| {
                    Some(m::Const {
                        name: c.name.name.clone(),
                        docs: docs(c.docs),
                        span: c.name.span,
                        ty: c.ty.clone()?,
                        value: value?,
                    })
                })
                .collect::<Option<_>>()?,
            phase_sets: s
                .phase_sets
                .iter()
                .map(|p| {
                    Some(m::PhaseSet {
                        name: p.name.name.clone(),
                        docs: docs(p.docs),
                        span: p.name.span,
                        phases: p.phases.clone()?,
                    })
                })
                .collect::<Option<_>>()?,
            guards: s
                .guards
                .iter()
                .zip(l.guards)
                .map(|(g, expr)| {
                    Some(m::Guard {
                        name: g.def.name.name.clone(),
                        docs: docs(&g.def.docs),
                        span: g.def.name.span,
                        params: params(&g.params)?,
                        expr: expr?,
                    })
                })
                .collect::<Option<_>>()?,
            derived: s
                .derived
                .iter()
                .zip(l.derived)
                .map(|(d, expr)| {
                    Some(m::Derived {
                        name: d.name.name.clone(),
                        docs: docs(d.docs),
                        span: d.name.span,
                        ty: d.ty.clone()?,
                        expr: expr?,
                    })
                })
                .collect::<Option<_>>()?,
            transitions: l
                .transitions
                .into_iter()
                .map(|t| {
                    Some(m::Transition {
                        name: t.name.name.clone(),
                        docs: docs(t.docs),
                        span: t.name.span,
                        input: t.input?,
                        sources: t.sources?,
                        target: t.target?,
                        guards: t.guards.into_iter().collect::<Option<_>>()?,
                        body: t.body?,
                    })
                })
                .collect::<Option<_>>()?,
            ignores: ignores?,
            invariants: s
                .invariants
                .iter()
                .zip(l.invariants)
                .map(|(i, expr)| {
                    Some(m::Invariant {
                        name: i.name.name.clone(),
                        docs: docs(i.docs),
                        span: i.name.span,
                        expr: expr?,
                        always: i.always,
                    })
                })
                .collect::<Option<_>>()?,
            verify: verify?,
            bindings,
            index: Default::default(),
        }
        .with_index(),
    )
}

/// What the whole pipeline after `resolve` shares: the symbol tables, the
/// diagnostics so far, and what has been read or used (for warnings).
struct Cx<'a> {
    pub s: &'a Symbols<'a>,
    pub diags: Vec<Diagnostic>,
    pub usage: Usage,
    /// The lowered body of each action (by `ActionId`), once lowered;
    /// `None` when it failed or is not lowered yet.
    pub actions: Vec<Option<Vec<model::TStmt>>>,
    /// Nodes inlining may still create (see `MAX_INLINED`).
    pub inline_budget: usize,
    /// Current nesting of expressions and statements being checked.
    depth: u32,
    /// An expression held a syntax error (reported by the parser): the
    /// tree is partial, so warnings about it would be guesses.
    syntax_error_seen: bool,
}

/// Which definitions are used anywhere, for the FSM05xx warnings.
struct Usage {
    pub fields_read: Vec<bool>,
    pub fields_written: Vec<bool>,
    pub guards: Vec<bool>,
    pub effects: Vec<bool>,
    pub inputs: Vec<bool>,
    pub actions: Vec<bool>,
}

impl<'a> Cx<'a> {
    fn new(s: &'a Symbols<'a>, diags: Vec<Diagnostic>) -> Self {
        Cx {
            s,
            diags,
            usage: Usage {
                fields_read: vec![false; s.fields.len()],
                fields_written: vec![false; s.fields.len()],
                guards: vec![false; s.guards.len()],
                effects: vec![false; s.effects.len()],
                inputs: vec![false; s.inputs.len()],
                actions: vec![false; s.actions.len()],
            },
            actions: vec![None; s.actions.len()],
            inline_budget: MAX_INLINED,
            depth: 0,
            syntax_error_seen: false,
        }
    }

    pub fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Enters one level of nesting; `false` (and a report) past the limit.
    pub fn enter(&mut self, span: Span) -> bool {
        if self.depth >= MAX_DEPTH {
            if !self.diags.iter().any(|d| d.code == Code::TooDeep) {
                self.diags.push(too_deep(span));
            }
            return false;
        }
        self.depth += 1;
        true
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Takes `cost` nodes from the inlining budget for a use of a guard or
    /// an action at `span`; `false` (and one report) when it is spent.
    pub fn spend_inline(&mut self, cost: usize, span: Span) -> bool {
        if let Some(left) = self.inline_budget.checked_sub(cost) {
            self.inline_budget = left;
            return true;
        }
        if !self.diags.iter().any(|d| d.code == Code::TooDeep) {
            self.diags.push(
                Diagnostic::new(
                    Code::TooDeep,
                    format!("guards and actions expand to more than {MAX_INLINED} nodes"),
                    span,
                    "expanding this use goes past the limit",
                )
                .with_help("use fewer actions inside actions, or split the machine"),
            );
        }
        false
    }
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TooDeep,
        "nesting too deep",
        span,
        format!("more than {MAX_DEPTH} levels deep here"),
    )
    .with_help("split the expression, e.g. into derived values")
}

/// "unknown phase `X`" with a "did you mean" help when a candidate is close.
fn unknown<'c>(
    code: Code,
    what: &str,
    id: &ast::Ident,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Diagnostic {
    let d = Diagnostic::new(
        code,
        format!("unknown {what} `{}`", id.name),
        id.span,
        format!("no {what} named `{}`", id.name),
    );
    match suggest_name(&id.name, candidates) {
        Some(c) => d
            .with_help(format!("did you mean `{c}`?"))
            .with_fix(Fix::replace(format!("replace with `{c}`"), id.span, c)),
        None => d,
    }
}

/// A likely intended name for a misspelled one. One-letter names are never
/// corrected: every other one-letter name is one edit away.
fn suggest_name<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    if name.chars().count() < 2 {
        return None;
    }
    suggest(name, candidates)
}

/// "duplicate phase `X`", pointing at the first definition too. A `{}` in
/// `what` says where the name goes ("variant {} of `Color`").
fn duplicate(what: &str, id: &ast::Ident, first: Span) -> Diagnostic {
    let name = format!("`{}`", id.name);
    let message = if what.contains("{}") {
        format!("duplicate {}", what.replace("{}", &name))
    } else {
        format!("duplicate {what} {name}")
    };
    Diagnostic::new(
        Code::Duplicate,
        message,
        id.span,
        format!("`{}` defined again here", id.name),
    )
    .with_secondary(first, "first defined here")
    .with_help("remove one of them or give it another name")
}

/// `a`, `b` and `c`
fn list_names<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    match names.len() {
        0 => String::new(),
        1 => names.concat(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}
