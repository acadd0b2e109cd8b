//! The symbol index of one spec: every named thing with its definition
//! span, its reference spans, its kind and docs, built from the parse tree
//! (so it exists for a spec with errors too). Names are resolved as the
//! checker resolves them: a bare name in an expression is a quantifier
//! variable, then a parameter in scope, then a field, derived value, key,
//! constant, phase set, phase or enum variant.

use fsm_core::Span;
use fsm_core::ast::{
    self, Arg, Block, DomainTarget, Else, Expr, ExprKind, ImplTarget, ItemKind, Sources, Stmt,
    StmtKind, Target, TypeExpr, VerifyKind,
};
use std::collections::HashMap;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Machine,
    Phase,
    PhaseSet,
    Input,
    Effect,
    Param,
    Field,
    Key,
    Derived,
    Const,
    Enum,
    Variant,
    Extern,
    Action,
    Guard,
    Invariant,
    Transition,
    Reach,
    /// A quantifier variable (`all x in ...`).
    Local,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Machine => "machine",
            Kind::Phase => "phase",
            Kind::PhaseSet => "phase set",
            Kind::Input => "input",
            Kind::Effect => "effect",
            Kind::Param => "parameter",
            Kind::Field => "state field",
            Kind::Key => "key",
            Kind::Derived => "derived value",
            Kind::Const => "constant",
            Kind::Enum => "enum",
            Kind::Variant => "variant",
            Kind::Extern => "extern type",
            Kind::Action => "action",
            Kind::Guard => "guard",
            Kind::Invariant => "invariant",
            Kind::Transition => "transition",
            Kind::Reach => "reach goal",
            Kind::Local => "variable",
        }
    }
}

/// One named thing.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub kind: Kind,
    /// The span of the name where it is defined.
    pub def: Span,
    /// The span of the whole definition (the item, field, variant, ...).
    pub full: Span,
    pub refs: Vec<Span>,
    pub docs: Vec<String>,
    /// The symbol this one belongs to (an input for its parameters, an
    /// enum for its variants).
    pub parent: Option<usize>,
    /// Names in one namespace must differ: phases and phase sets share
    /// one, fields, derived values, the key and constants another,
    /// parameters one per owner, variants one per enum, and so on.
    pub namespace: String,
    /// For a guard: the span of its condition.
    pub expr: Option<Span>,
}

/// Every symbol of a spec and every place its name occurs.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub symbols: Vec<Symbol>,
    /// `(span, symbol)`, sorted by span start.
    occurrences: Vec<(Span, usize)>,
    /// `(transition span, input)`: the parameters of the input are in
    /// scope in the transition.
    transitions: Vec<(Span, usize)>,
}

impl Index {
    pub fn build(file: &ast::File) -> Self {
        let mut b = Builder::default();
        if let Some(machine) = file.machines.first() {
            b.machine(machine);
        }
        let mut index = b.index;
        index.occurrences.sort_by_key(|(s, _)| (s.start, s.end));
        index
    }

    /// The symbol whose name covers byte `offset` (its end included, so a
    /// cursor just after a name finds it).
    pub fn at(&self, offset: usize) -> Option<usize> {
        let offset = u32::try_from(offset).ok()?;
        let upto = self.occurrences.partition_point(|(s, _)| s.start <= offset);
        self.occurrences[..upto]
            .iter()
            .rev()
            .take(4)
            .find(|(s, _)| s.start <= offset && offset <= s.end)
            .map(|&(_, id)| id)
    }

    pub fn symbol(&self, id: usize) -> Option<&Symbol> {
        self.symbols.get(id)
    }

    /// The span of `id`'s occurrence at `offset`.
    pub fn occurrence_at(&self, offset: usize) -> Option<(Span, usize)> {
        let offset = u32::try_from(offset).ok()?;
        self.occurrences
            .iter()
            .find(|(s, _)| s.start <= offset && offset <= s.end)
            .copied()
    }

    /// Every occurrence, definitions and references, in text order.
    pub fn occurrences(&self) -> &[(Span, usize)] {
        &self.occurrences
    }

    /// Another symbol named `name` in `id`'s namespace.
    pub fn clash(&self, id: usize, name: &str) -> Option<&Symbol> {
        let ns = &self.symbols.get(id)?.namespace;
        self.symbols
            .iter()
            .enumerate()
            .find(|(i, s)| *i != id && &s.namespace == ns && s.name == name)
            .map(|(_, s)| s)
    }

    /// Symbols visible at `offset` in an expression: the parameters and
    /// variables whose owner covers it, and every machine-level value.
    pub fn visible_at(&self, offset: usize) -> impl Iterator<Item = &Symbol> {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        self.symbols.iter().filter(move |s| match s.kind {
            Kind::Param | Kind::Local => {
                let covers = |span: Span| span.start <= offset && offset <= span.end;
                s.parent
                    .and_then(|p| self.symbols.get(p))
                    .is_some_and(|p| covers(p.full))
                    || s.kind == Kind::Local && covers(s.full)
                    || self
                        .transitions
                        .iter()
                        .any(|&(span, input)| s.parent == Some(input) && covers(span))
            }
            _ => true,
        })
    }
}

#[derive(Default)]
struct Builder {
    index: Index,
    /// `(namespace, name)` → symbol.
    by_name: HashMap<(String, String), usize>,
    /// Scopes of parameters and variables for expressions, innermost last.
    scopes: Vec<Vec<(String, usize)>>,
    /// Uses whose namespace is known only after every item was defined.
    pending: Vec<Pending>,
}

enum Pending {
    /// A phase or phase set.
    Phase(ast::Ident),
    Input(ast::Ident),
    Effect(ast::Ident),
    Type(ast::Ident),
    Action(ast::Ident),
    Guard(ast::Ident),
    Transition(ast::Ident),
    /// A field (or derived value, key) written to or named in an `impl`.
    Value(ast::Ident),
    /// `Enum::Variant` (or `Phase::Name`).
    Path(ast::Ident, ast::Ident),
    /// A bare name in an expression, with the scope it was read in.
    Name(ast::Ident, Vec<(String, usize)>),
    /// A parameter of the input or effect named by the first ident.
    Param(String, String, ast::Ident),
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn define(
        &mut self,
        id: &ast::Ident,
        kind: Kind,
        full: Span,
        docs: &ast::Docs,
        parent: Option<usize>,
        namespace: String,
        expr: Option<Span>,
    ) -> usize {
        let n = self.index.symbols.len();
        self.index.symbols.push(Symbol {
            name: id.name.clone(),
            kind,
            def: id.span,
            full,
            refs: Vec::new(),
            docs: docs.lines.clone(),
            parent,
            namespace: namespace.clone(),
            expr,
        });
        self.index.occurrences.push((id.span, n));
        self.by_name
            .entry((namespace, id.name.clone()))
            .or_insert(n);
        n
    }

    fn lookup(&self, namespace: &str, name: &str) -> Option<usize> {
        self.by_name
            .get(&(namespace.to_owned(), name.to_owned()))
            .copied()
    }

    fn reference(&mut self, id: &ast::Ident, symbol: Option<usize>) {
        if let Some(n) = symbol
            && let Some(s) = self.index.symbols.get_mut(n)
        {
            s.refs.push(id.span);
            self.index.occurrences.push((id.span, n));
        }
    }

    fn machine(&mut self, m: &ast::Machine) {
        let none = ast::Docs::default();
        self.define(
            &m.name,
            Kind::Machine,
            m.span,
            &m.docs,
            None,
            "machine".into(),
            None,
        );
        // Definitions first, so that uses anywhere resolve.
        for item in &m.items {
            self.define_item(item);
        }
        for item in &m.items {
            self.use_item(item);
        }
        for p in std::mem::take(&mut self.pending) {
            self.resolve(p);
        }
        let _ = none;
    }

    fn define_item(&mut self, item: &ast::Item) {
        let d = &item.docs;
        let full = item.span;
        match &item.kind {
            ItemKind::Key { name, .. } => {
                self.define(name, Kind::Key, full, d, None, "value".into(), None);
            }
            ItemKind::Extern { name, .. } => {
                self.define(name, Kind::Extern, full, d, None, "type".into(), None);
            }
            ItemKind::Enum { name, variants, .. } => {
                let e = self.define(name, Kind::Enum, full, d, None, "type".into(), None);
                for v in variants {
                    let ns = format!("variant:{e}");
                    self.define(
                        &v.name,
                        Kind::Variant,
                        v.name.span,
                        &v.docs,
                        Some(e),
                        ns,
                        None,
                    );
                }
            }
            ItemKind::Phases(phases) => {
                for v in phases {
                    self.define(
                        &v.name,
                        Kind::Phase,
                        v.name.span,
                        &v.docs,
                        None,
                        "phase".into(),
                        None,
                    );
                }
            }
            ItemKind::PhaseSet { name, .. } => {
                self.define(name, Kind::PhaseSet, full, d, None, "phase".into(), None);
            }
            ItemKind::Const { name, .. } => {
                self.define(name, Kind::Const, full, d, None, "value".into(), None);
            }
            ItemKind::State(fields) => {
                for f in fields {
                    self.define(
                        &f.name,
                        Kind::Field,
                        f.span,
                        &f.docs,
                        None,
                        "value".into(),
                        None,
                    );
                }
            }
            ItemKind::Input(sig) | ItemKind::Effect(sig) => {
                let (kind, ns) = match &item.kind {
                    ItemKind::Input(_) => (Kind::Input, "input"),
                    _ => (Kind::Effect, "effect"),
                };
                let owner = self.define(&sig.name, kind, full, d, None, ns.into(), None);
                for p in &sig.params {
                    let ns = format!("param:{owner}");
                    self.define(
                        &p.name,
                        Kind::Param,
                        p.name.span.to(p.ty.span),
                        &p.docs,
                        Some(owner),
                        ns,
                        None,
                    );
                }
            }
            ItemKind::Guards(guards) => {
                for g in guards {
                    let owner = self.define(
                        &g.name,
                        Kind::Guard,
                        g.span,
                        &g.docs,
                        None,
                        "guard".into(),
                        Some(g.expr.span),
                    );
                    for p in &g.params {
                        let ns = format!("param:{owner}");
                        self.define(
                            &p.name,
                            Kind::Param,
                            p.name.span.to(p.ty.span),
                            &p.docs,
                            Some(owner),
                            ns,
                            None,
                        );
                    }
                }
            }
            ItemKind::Action(a) => {
                let owner =
                    self.define(&a.name, Kind::Action, full, d, None, "action".into(), None);
                for p in &a.params {
                    let ns = format!("param:{owner}");
                    self.define(
                        &p.name,
                        Kind::Param,
                        p.name.span.to(p.ty.span),
                        &p.docs,
                        Some(owner),
                        ns,
                        None,
                    );
                }
            }
            ItemKind::Derive { name, .. } => {
                self.define(name, Kind::Derived, full, d, None, "value".into(), None);
            }
            ItemKind::Transition(t) => {
                let owner = self.define(
                    &t.name,
                    Kind::Transition,
                    full,
                    d,
                    None,
                    "transition".into(),
                    None,
                );
                for g in &t.guards {
                    if let Some(e) = &g.expr {
                        let ns = format!("guard:{owner}");
                        self.define(
                            &g.name,
                            Kind::Guard,
                            g.span,
                            &ast::Docs::default(),
                            Some(owner),
                            ns,
                            Some(e.span),
                        );
                    }
                }
            }
            ItemKind::Invariant { name, expr, .. } => {
                self.define(
                    name,
                    Kind::Invariant,
                    full,
                    d,
                    None,
                    "invariant".into(),
                    Some(expr.span),
                );
            }
            ItemKind::Verify(settings) => {
                for s in settings {
                    let (name, expr, ns) = match &s.kind {
                        VerifyKind::Reach { name, expr } => (name, expr, "reach"),
                        VerifyKind::AlwaysPossible { name, expr } => {
                            (name, expr, "always_possible")
                        }
                        _ => continue,
                    };
                    self.define(
                        name,
                        Kind::Reach,
                        s.span,
                        d,
                        None,
                        ns.into(),
                        Some(expr.span),
                    );
                }
            }
            ItemKind::Impl { methods, .. } => {
                // The parameters of an `impl` line are its own.
                for m in methods {
                    let ns = format!("impl:{}", m.span.start);
                    for p in &m.params {
                        let docs = ast::Docs::default();
                        self.define(p, Kind::Param, m.span, &docs, None, ns.clone(), None);
                    }
                }
            }
            ItemKind::Initial(_) | ItemKind::Terminal(_) | ItemKind::Ignore { .. } => {}
        }
    }

    /// Parameters of the symbol `owner` as a scope.
    fn params_of(&self, owner: Option<usize>) -> Vec<(String, usize)> {
        let Some(owner) = owner else {
            return Vec::new();
        };
        self.index
            .symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == Kind::Param && s.parent == Some(owner))
            .map(|(i, s)| (s.name.clone(), i))
            .collect()
    }

    fn use_item(&mut self, item: &ast::Item) {
        match &item.kind {
            ItemKind::Key { ty, .. } => self.ty(ty),
            ItemKind::Extern { .. } | ItemKind::Phases(_) => {}
            ItemKind::Enum { .. } => {}
            ItemKind::PhaseSet { phases, .. } => {
                for p in phases {
                    self.pending.push(Pending::Phase(p.clone()));
                }
            }
            ItemKind::Const { ty, value, .. } => {
                self.ty(ty);
                self.expr(value);
            }
            ItemKind::Initial(p) => self.pending.push(Pending::Phase(p.clone())),
            ItemKind::Terminal(ps) => {
                for p in ps {
                    self.pending.push(Pending::Phase(p.clone()));
                }
            }
            ItemKind::State(fields) => {
                for f in fields {
                    self.ty(&f.ty);
                    self.expr(&f.init);
                }
            }
            ItemKind::Input(sig) | ItemKind::Effect(sig) => {
                for p in &sig.params {
                    self.ty(&p.ty);
                }
            }
            ItemKind::Guards(guards) => {
                for g in guards {
                    let owner = self.lookup("guard", &g.name.name);
                    for p in &g.params {
                        self.ty(&p.ty);
                    }
                    self.scopes.push(self.params_of(owner));
                    self.expr(&g.expr);
                    self.scopes.pop();
                }
            }
            ItemKind::Action(a) => {
                let owner = self.lookup("action", &a.name.name);
                for p in &a.params {
                    self.ty(&p.ty);
                }
                self.scopes.push(self.params_of(owner));
                self.block(&a.body);
                self.scopes.pop();
            }
            ItemKind::Derive { ty, value, .. } => {
                self.ty(ty);
                self.expr(value);
            }
            ItemKind::Transition(t) => {
                self.pending.push(Pending::Input(t.input.clone()));
                self.sources(&t.sources);
                if let Target::Phase(p) = &t.target {
                    self.pending.push(Pending::Phase(p.clone()));
                }
                let input = self.lookup("input", &t.input.name);
                if let Some(i) = input {
                    self.index.transitions.push((item.span, i));
                }
                self.scopes.push(self.params_of(input));
                for g in &t.guards {
                    match &g.expr {
                        Some(e) => self.expr(e),
                        None => self.pending.push(Pending::Guard(g.name.clone())),
                    }
                    for a in &g.args {
                        self.expr(a);
                    }
                }
                if let Some(body) = &t.body {
                    self.block(body);
                }
                self.scopes.pop();
            }
            ItemKind::Ignore {
                inputs, sources, ..
            } => {
                for i in inputs {
                    self.pending.push(Pending::Input(i.clone()));
                }
                self.sources(sources);
            }
            ItemKind::Invariant { expr, .. } => self.expr(expr),
            ItemKind::Verify(settings) => {
                for s in settings {
                    match &s.kind {
                        VerifyKind::Domain { target, values } => {
                            match target {
                                DomainTarget::Type(t) => self.ty(t),
                                DomainTarget::Param { input, param } => {
                                    self.pending.push(Pending::Input(input.clone()));
                                    self.pending.push(Pending::Param(
                                        "input".into(),
                                        input.name.clone(),
                                        param.clone(),
                                    ));
                                }
                            }
                            if let ast::DomainValues::List(values, _) = values {
                                for v in values {
                                    self.expr(v);
                                }
                            }
                        }
                        VerifyKind::Reach { expr, .. }
                        | VerifyKind::AlwaysPossible { expr, .. }
                        | VerifyKind::Bound(expr) => self.expr(expr),
                        VerifyKind::AllowOverflow(ts) => {
                            for t in ts {
                                self.pending.push(Pending::Transition(t.clone()));
                            }
                        }
                        VerifyKind::MaxDepth(..)
                        | VerifyKind::MaxStates(..)
                        | VerifyKind::MaxCollection(..) => {}
                    }
                }
            }
            ItemKind::Impl { methods, .. } => {
                for m in methods {
                    let ns = format!("impl:{}", m.span.start);
                    for arg in m.args.iter().flatten() {
                        let s = self.lookup(&ns, &arg.param.name);
                        self.reference(&arg.param, s);
                    }
                    match &m.target {
                        ImplTarget::Input(i) => self.pending.push(Pending::Input(i.clone())),
                        ImplTarget::Field(f) | ImplTarget::Derive(f) => {
                            self.pending.push(Pending::Value(f.clone()));
                        }
                        ImplTarget::Snapshot(_) | ImplTarget::Phase(_) => {}
                    }
                }
            }
        }
    }

    fn sources(&mut self, sources: &Sources) {
        let ids = match sources {
            Sources::List(ids) => ids,
            Sources::All { except, .. } => except,
        };
        for p in ids {
            self.pending.push(Pending::Phase(p.clone()));
        }
    }

    fn ty(&mut self, t: &TypeExpr) {
        self.pending.push(Pending::Type(t.name.clone()));
        for a in &t.args {
            self.ty(a);
        }
    }

    fn block(&mut self, b: &Block) {
        for s in &b.stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { target, value, .. } => {
                self.pending.push(Pending::Value(target.clone()));
                self.expr(value);
            }
            StmtKind::Call { target, args, .. } => {
                self.pending.push(Pending::Value(target.clone()));
                for a in args {
                    self.expr(a);
                }
            }
            StmtKind::Emit { effect, args } => {
                self.pending.push(Pending::Effect(effect.clone()));
                for Arg { name, value } in args {
                    if let Some(n) = name {
                        self.pending.push(Pending::Param(
                            "effect".into(),
                            effect.name.clone(),
                            n.clone(),
                        ));
                    }
                    self.expr(value);
                }
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond);
                self.block(then);
                match otherwise {
                    Some(Else::Block(b)) => self.block(b),
                    Some(Else::If(s)) => self.stmt(s),
                    None => {}
                }
            }
            StmtKind::Do { action, args } => {
                self.pending.push(Pending::Action(action.clone()));
                for a in args {
                    self.expr(a);
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::None => {}
            ExprKind::Error => {}
            ExprKind::Some(x) | ExprKind::Paren(x) | ExprKind::Unary(_, x) => self.expr(x),
            ExprKind::Name(id) => {
                let scope = self.scopes.iter().flatten().cloned().collect();
                self.pending.push(Pending::Name(id.clone(), scope));
            }
            ExprKind::Path(en, v) => self.pending.push(Pending::Path(en.clone(), v.clone())),
            ExprKind::List(xs) => {
                for x in xs {
                    self.expr(x);
                }
            }
            ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Method { receiver, args, .. } => {
                self.expr(receiver);
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::Quant {
                var, coll, body, ..
            } => {
                self.expr(coll);
                let local = self.define(
                    var,
                    Kind::Local,
                    e.span,
                    &ast::Docs::default(),
                    None,
                    format!("local:{}", var.span.start),
                    None,
                );
                self.scopes.push(vec![(var.name.clone(), local)]);
                self.expr(body);
                self.scopes.pop();
            }
        }
    }

    fn resolve(&mut self, p: Pending) {
        match p {
            Pending::Phase(id) => {
                let s = self.lookup("phase", &id.name);
                self.reference(&id, s);
            }
            Pending::Input(id) => {
                let s = self.lookup("input", &id.name);
                self.reference(&id, s);
            }
            Pending::Effect(id) => {
                let s = self.lookup("effect", &id.name);
                self.reference(&id, s);
            }
            Pending::Type(id) => {
                let s = self.lookup("type", &id.name);
                self.reference(&id, s);
            }
            Pending::Action(id) => {
                let s = self.lookup("action", &id.name);
                self.reference(&id, s);
            }
            Pending::Guard(id) => {
                let s = self.lookup("guard", &id.name);
                self.reference(&id, s);
            }
            Pending::Transition(id) => {
                let s = self.lookup("transition", &id.name);
                self.reference(&id, s);
            }
            Pending::Value(id) => {
                let s = self.lookup("value", &id.name);
                self.reference(&id, s);
            }
            Pending::Param(ns, owner, id) => {
                let s = self
                    .lookup(&ns, &owner)
                    .and_then(|o| self.lookup(&format!("param:{o}"), &id.name));
                self.reference(&id, s);
            }
            Pending::Path(en, v) => {
                if en.name == "Phase" {
                    let s = self.lookup("phase", &v.name);
                    self.reference(&v, s);
                    return;
                }
                let e = self.lookup("type", &en.name);
                self.reference(&en, e);
                let s = e.and_then(|e| self.lookup(&format!("variant:{e}"), &v.name));
                self.reference(&v, s);
            }
            Pending::Name(id, scope) => {
                let s = scope
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == id.name)
                    .map(|&(_, s)| s)
                    .or_else(|| self.lookup("value", &id.name))
                    .or_else(|| self.lookup("phase", &id.name))
                    .or_else(|| self.bare_variant(&id.name));
                self.reference(&id, s);
            }
        }
    }

    /// A variant written without its enum, when exactly one enum has it.
    fn bare_variant(&self, name: &str) -> Option<usize> {
        let mut found = self
            .index
            .symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == Kind::Variant && s.name == name)
            .map(|(i, _)| i);
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "machine M {
    phases { Idle, Busy }
    initial Idle
    phases Any = Idle | Busy
    enum Color { Red, Green }
    state { n: u64 = 0  c: Color = Color::Red }
    /// Starts work.
    input Start(k: u64)
    effect Note(v: u64)
    guards { small(x: u64): x < 3 }
    action bump(by: u64) { n += by }
    derive twice: u64 = n + n
    transition go on Start from Idle -> Busy
        guard ok: k < 10 && all y in [1, 2]: y < k
        guard small(k)
    { do bump(k)  emit Note(v: twice)  c = Green }
    transition back on Start from Any -> Idle
}
";

    fn index() -> Index {
        let c = fsm_core::compile("t.fsm", SPEC.as_bytes());
        Index::build(c.ast.as_ref().unwrap())
    }

    fn find(index: &Index, kind: Kind, name: &str) -> usize {
        index
            .symbols
            .iter()
            .position(|s| s.kind == kind && s.name == name)
            .unwrap_or_else(|| panic!("no {kind:?} {name}"))
    }

    fn texts<'a>(spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|s| &SPEC[s.range()]).collect()
    }

    #[test]
    fn references_resolve_by_namespace_and_scope() {
        let index = index();
        let idle = &index.symbols[find(&index, Kind::Phase, "Idle")];
        assert_eq!(idle.refs.len(), 4, "initial, set, source, target");
        let k = &index.symbols[find(&index, Kind::Param, "k")];
        assert_eq!(texts(&k.refs), ["k", "k", "k", "k"]);
        // `x` of the guard and `by` of the action are their own parameters.
        let x = &index.symbols[find(&index, Kind::Param, "x")];
        assert_eq!(x.refs.len(), 1);
        let y = &index.symbols[find(&index, Kind::Local, "y")];
        assert_eq!(y.refs.len(), 1);
        let n = &index.symbols[find(&index, Kind::Field, "n")];
        assert_eq!(n.refs.len(), 3, "`n +=` and `n + n`");
        let green = &index.symbols[find(&index, Kind::Variant, "Green")];
        assert_eq!(green.refs.len(), 1, "bare variant");
        let red = &index.symbols[find(&index, Kind::Variant, "Red")];
        assert_eq!(red.refs.len(), 1, "Color::Red");
        let color = &index.symbols[find(&index, Kind::Enum, "Color")];
        assert_eq!(color.refs.len(), 2, "type of `c` and `Color::Red`");
        let v = &index.symbols[find(&index, Kind::Param, "v")];
        assert_eq!(v.refs.len(), 1, "named emit argument");
        for (name, kind) in [
            ("small", Kind::Guard),
            ("bump", Kind::Action),
            ("twice", Kind::Derived),
            ("Note", Kind::Effect),
            ("Any", Kind::PhaseSet),
            ("twice", Kind::Derived),
        ] {
            assert_eq!(
                index.symbols[find(&index, kind, name)].refs.len(),
                1,
                "{name}"
            );
        }
        let start = &index.symbols[find(&index, Kind::Input, "Start")];
        assert_eq!(start.docs, ["Starts work."]);
        assert_eq!(start.refs.len(), 2);
    }

    #[test]
    fn lookup_at_offset_and_clashes() {
        let index = index();
        let at = SPEC.find("from Idle").unwrap() + "from ".len() + 2;
        let id = index.at(at).unwrap();
        assert_eq!(index.symbols[id].name, "Idle");
        assert_eq!(
            index.clash(id, "Busy").map(|s| s.name.as_str()),
            Some("Busy")
        );
        assert_eq!(index.clash(id, "Any").map(|s| s.kind), Some(Kind::PhaseSet));
        assert!(
            index.clash(id, "Start").is_none(),
            "inputs are another namespace"
        );
        assert!(index.at(SPEC.find("machine").unwrap()).is_none());
    }
}
