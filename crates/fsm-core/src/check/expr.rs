//! Expressions. Resolves the names an expression reads in its scope, types
//! it bidirectionally (literals take the type the context expects), and
//! lowers it to a `TExpr`.
//!
//! After `check_expr`/`infer` return `Some(e)`: every name in `e` is
//! resolved, `e.ty` is its type, integer literals fit their types, bare
//! variants are resolved, operators and methods are applied to types that
//! have them, and `check_expr` guarantees `e.ty` is the expected type.
//! `None` means an error was reported here or below (or the expression
//! holds a syntax error, reported by the parser).

use super::resolve::{ActionId, ParamSym};
use super::{Cx, list_names, unknown};
use crate::ast::{self, BinaryOp, Ident, UnaryOp};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    BinOp, GuardId, InputId, IntTy, Method, ParamId, PhaseId, Quantifier, TExpr, TExprKind, Ty,
    UnOp, VarId,
};
use crate::span::Span;

/// What the context expects of an expression.
#[derive(Clone, Copy)]
pub(super) enum Hint<'t> {
    /// Nothing: the expression must carry its own type.
    None,
    /// This type (a literal takes it; anything else is compared with it by
    /// the caller).
    Ty(&'t Ty),
    /// The context failed: an expression that cannot carry its own type
    /// fails silently instead of reporting "cannot infer".
    Quiet,
}

/// Where an expression stands, which decides what it may read.
#[derive(Clone, Copy)]
pub(super) enum ScopeKind {
    /// Constants only (initial values, domain values); the text says where.
    Const(&'static str),
    /// The state: fields, derived values, the key, `phase`.
    State(&'static str),
    /// A machine-level guard: the state and the guard's own parameters.
    Guard(GuardId),
    /// An action: the state and the action's own parameters.
    Action(ActionId),
    /// A transition on this input: the state and the input's parameters.
    /// `None` when the input is unknown (reported): names that resolve to
    /// nothing are then not reported, as they may be its parameters.
    Transition(Option<InputId>),
}

pub(super) struct Scope {
    pub kind: ScopeKind,
    /// Quantifier variables in scope, outermost first; a variable's
    /// `VarId` is its position. `None` types failed and were reported.
    vars: Vec<(String, Option<Ty>)>,
    /// Statements of a transition or an action, where `target` is defined.
    pub in_block: bool,
    /// Whether constants may be read (not in a constant's own value).
    pub consts: bool,
}

impl Scope {
    pub fn new(kind: ScopeKind) -> Self {
        Scope {
            kind,
            vars: Vec::new(),
            in_block: false,
            consts: true,
        }
    }

    /// What an expression in this scope is part of, for messages.
    fn what(&self) -> &'static str {
        match self.kind {
            ScopeKind::Const(what) | ScopeKind::State(what) => what,
            ScopeKind::Guard(_) => "a machine-level guard",
            ScopeKind::Action(_) => "an action",
            ScopeKind::Transition(_) if self.in_block => "a transition block",
            ScopeKind::Transition(_) => "a guard",
        }
    }
}

/// Peels parentheses.
fn unparen(e: &ast::Expr) -> &ast::Expr {
    let mut e = e;
    // Bounded by the size of the tree.
    while let ast::ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    e
}

impl<'a> Cx<'a> {
    /// Types `e` and checks it has type `ty`. With `ty` `None` (the
    /// expected type failed), `e` is only checked for its own errors.
    pub fn check_expr(&mut self, sc: &mut Scope, e: &ast::Expr, ty: Option<&Ty>) -> Option<TExpr> {
        let Some(ty) = ty else {
            self.infer(sc, e, Hint::Quiet);
            return None;
        };
        let t = self.infer(sc, e, Hint::Ty(ty))?;
        if t.ty != *ty {
            self.mismatch(e.span, ty, &t.ty, None);
            return None;
        }
        Some(t)
    }

    /// Types `e`, using `hint` for literals that need a type from context.
    pub fn infer(&mut self, sc: &mut Scope, e: &ast::Expr, hint: Hint<'_>) -> Option<TExpr> {
        if !self.enter(e.span) {
            return None;
        }
        let r = self.infer_inner(sc, e, hint);
        self.leave();
        r
    }

    /// Checks `e` only for the errors inside it (its context failed).
    /// FSM0302 for a call of `subject` with the wrong number of arguments;
    /// the arguments that have a parameter are still checked against it,
    /// the others quietly.
    pub fn wrong_arity<P: std::borrow::Borrow<Ty>>(
        &mut self,
        sc: &mut Scope,
        subject: &str,
        span: Span,
        params: &[P],
        args: &[ast::Expr],
    ) {
        self.report(Diagnostic::new(
            Code::Arity,
            format!(
                "{subject} takes {} but {} {} given",
                plural(params.len(), "argument"),
                args.len(),
                if args.len() == 1 { "was" } else { "were" }
            ),
            span,
            format!("expected {}", plural(params.len(), "argument")),
        ));
        for (i, x) in args.iter().enumerate() {
            match params.get(i) {
                Some(p) => {
                    self.check_expr(sc, x, Some(p.borrow()));
                }
                None => self.quiet(sc, x),
            }
        }
    }

    pub fn quiet(&mut self, sc: &mut Scope, e: &ast::Expr) {
        self.infer(sc, e, Hint::Quiet);
    }

    fn infer_inner(&mut self, sc: &mut Scope, e: &ast::Expr, hint: Hint<'_>) -> Option<TExpr> {
        use ast::ExprKind as K;
        let span = e.span;
        let mk = |kind, ty| Some(TExpr { kind, ty, span });
        match &e.kind {
            K::Error => {
                self.syntax_error_seen = true;
                None
            }
            K::Bool(b) => mk(TExprKind::Bool(*b), Ty::Bool),
            K::Str(s) => mk(TExprKind::Str(s.clone()), Ty::String),
            K::Int(v) => self.int_literal(i128::try_from(*v).ok(), &v.to_string(), span, hint),
            K::Unary(UnaryOp::Neg, x) if matches!(unparen(x).kind, K::Int(_)) => {
                let K::Int(v) = unparen(x).kind else {
                    return None;
                };
                let value = i128::try_from(v).ok().and_then(i128::checked_neg);
                self.int_literal(value, &format!("-{v}"), span, hint)
            }
            K::None => match hint {
                Hint::Ty(t @ Ty::Option(_)) => mk(TExprKind::None, t.clone()),
                Hint::Ty(t) => {
                    self.mismatch_lit(span, t, "`none`");
                    None
                }
                Hint::None => {
                    self.cannot_infer(span, "`none`");
                    None
                }
                Hint::Quiet => None,
            },
            K::Some(x) => self.some(sc, x, span, hint),
            K::Name(id) => self.name(sc, id, hint),
            K::Path(en, v) => self.path(en, v),
            K::List(xs) => self.list(sc, xs, span, hint),
            K::Unary(op, x) => self.unary(sc, *op, x, span, hint),
            K::Binary(op, a, b) => self.binary(sc, *op, a, b, span, hint),
            K::Method {
                receiver,
                method,
                args,
            } => self.method(sc, receiver, method, args, span),
            K::Quant {
                kind,
                var,
                coll,
                body,
            } => self.quant(sc, *kind, var, coll, body, span),
            K::Paren(x) => {
                let mut t = self.infer(sc, x, hint)?;
                t.span = span;
                Some(t)
            }
        }
    }

    // ------------------------------------------------------------ literals

    fn int_literal(
        &mut self,
        value: Option<i128>,
        written: &str,
        span: Span,
        hint: Hint<'_>,
    ) -> Option<TExpr> {
        match hint {
            Hint::Ty(Ty::Int(t)) => match value {
                Some(v) if t.contains(v) => Some(TExpr {
                    kind: TExprKind::Int(v),
                    ty: Ty::Int(*t),
                    span,
                }),
                _ => {
                    self.report(
                        Diagnostic::new(
                            Code::LiteralOutOfRange,
                            format!("integer literal `{written}` does not fit in `{}`", t.name()),
                            span,
                            format!("out of range for `{}`", t.name()),
                        )
                        .with_note(format!(
                            "`{}` holds {} to {}",
                            t.name(),
                            t.min_value(),
                            t.max_value()
                        )),
                    );
                    None
                }
            },
            Hint::Ty(t) => {
                self.mismatch_lit(span, t, "an integer literal");
                None
            }
            Hint::None => {
                self.cannot_infer(span, "this integer literal");
                None
            }
            Hint::Quiet => None,
        }
    }

    fn some(&mut self, sc: &mut Scope, x: &ast::Expr, span: Span, hint: Hint<'_>) -> Option<TExpr> {
        let inner = match hint {
            Hint::Ty(Ty::Option(t)) => self.check_expr(sc, x, Some(t))?,
            Hint::Ty(t) if self.needs_context(sc, x, 0) => {
                self.mismatch_lit(span, t, "an option (`some(...)`)");
                self.quiet(sc, x);
                return None;
            }
            Hint::Ty(_) | Hint::None => self.infer(sc, x, Hint::None)?,
            Hint::Quiet => self.infer(sc, x, Hint::Quiet)?,
        };
        let ty = Ty::Option(Box::new(inner.ty.clone()));
        Some(TExpr {
            kind: TExprKind::Some(Box::new(inner)),
            ty,
            span,
        })
    }

    fn list(
        &mut self,
        sc: &mut Scope,
        xs: &[ast::Expr],
        span: Span,
        hint: Hint<'_>,
    ) -> Option<TExpr> {
        let elem = match hint {
            Hint::Ty(t @ (Ty::Set(el) | Ty::List(el))) => {
                let items: Vec<Option<TExpr>> = xs
                    .iter()
                    .map(|x| self.check_expr(sc, x, Some(el)))
                    .collect();
                return Some(TExpr {
                    kind: TExprKind::Collection(items.into_iter().collect::<Option<_>>()?),
                    ty: t.clone(),
                    span,
                });
            }
            Hint::Ty(t @ Ty::Map(..)) if xs.is_empty() => {
                return Some(TExpr {
                    kind: TExprKind::Collection(Vec::new()),
                    ty: t.clone(),
                    span,
                });
            }
            Hint::Ty(t) => {
                let found = if matches!(t, Ty::Map(..)) {
                    "a non-empty list literal"
                } else {
                    "a collection literal"
                };
                self.mismatch_lit(span, t, found);
                if matches!(t, Ty::Map(..))
                    && let Some(d) = self.diags.last_mut()
                {
                    d.help = Some(
                        "a map literal is always empty (`[]`); fill the map with `insert`".into(),
                    );
                }
                xs.iter().for_each(|x| self.quiet(sc, x));
                return None;
            }
            Hint::None | Hint::Quiet => xs.iter().position(|x| !self.needs_context(sc, x, 0)),
        };
        let Some(fi) = elem else {
            if matches!(hint, Hint::None) {
                let what = if xs.is_empty() { "`[]`" } else { "this list" };
                self.cannot_infer(span, what);
            }
            xs.iter().for_each(|x| self.quiet(sc, x));
            return None;
        };
        let first = xs.get(fi).and_then(|x| self.infer(sc, x, Hint::None));
        let el = first.as_ref().map(|f| f.ty.clone());
        let mut items = Vec::with_capacity(xs.len());
        let mut first = first;
        for (i, x) in xs.iter().enumerate() {
            if i == fi {
                items.push(first.take());
            } else {
                items.push(self.check_expr(sc, x, el.as_ref()));
            }
        }
        let el = el?;
        Some(TExpr {
            kind: TExprKind::Collection(items.into_iter().collect::<Option<_>>()?),
            ty: Ty::List(Box::new(el)),
            span,
        })
    }

    // ------------------------------------------------------------ names

    /// Whether `name` is a value (not a variant or phase) in this scope.
    fn is_value(&self, sc: &Scope, name: &str) -> bool {
        sc.vars.iter().any(|(v, _)| v == name)
            || name == "phase"
            || name == "target"
            || self.param_of_scope(sc, name).is_some()
            || self.s.field_by_name.contains_key(name)
            || self.s.derived_by_name.contains_key(name)
            || self.s.const_by_name.contains_key(name)
            || self.s.phase_set_by_name.contains_key(name)
            || self.s.key.as_ref().is_some_and(|k| k.name.name == name)
    }

    /// The parameter `name` of the input, guard or action whose scope this
    /// is.
    pub(super) fn param_of_scope(
        &self,
        sc: &Scope,
        name: &str,
    ) -> Option<(ParamId, &'a ParamSym<'a>)> {
        let s = self.s;
        let (by_name, params) = match sc.kind {
            ScopeKind::Transition(Some(input)) => {
                let sig = s.input(input)?;
                (&sig.param_by_name, &sig.params)
            }
            ScopeKind::Guard(g) => {
                let g = s.guards.get(g.index())?;
                (&g.param_by_name, &g.params)
            }
            ScopeKind::Action(a) => {
                let a = s.actions.get(a)?;
                (&a.param_by_name, &a.params)
            }
            _ => return None,
        };
        let p = *by_name.get(name)?;
        Some((p, params.get(p.index())?))
    }

    /// What owns the parameters of this scope, for messages.
    pub(super) fn param_owner(&self, sc: &Scope) -> String {
        let s = self.s;
        match sc.kind {
            ScopeKind::Transition(Some(i)) => {
                format!(
                    "input `{}`",
                    s.input(i).map_or("?", |x| x.name.name.as_str())
                )
            }
            ScopeKind::Guard(g) => format!(
                "guard `{}`",
                s.guards
                    .get(g.index())
                    .map_or("?", |x| x.def.name.name.as_str())
            ),
            ScopeKind::Action(a) => format!(
                "action `{}`",
                s.actions.get(a).map_or("?", |x| x.def.name.name.as_str())
            ),
            _ => "?".to_string(),
        }
    }

    /// How many variants and phases a bare name could be.
    fn variant_candidates(&self, name: &str) -> usize {
        self.s.variants_by_name.get(name).map_or(0, Vec::len)
            + usize::from(self.s.phase_by_name.contains_key(name))
    }

    /// Whether an expression cannot carry its own type and must take it
    /// from the context (`none`, `[]`, `5`, an ambiguous bare variant).
    fn needs_context(&self, sc: &Scope, e: &ast::Expr, depth: u32) -> bool {
        use ast::ExprKind as K;
        if depth > super::MAX_DEPTH {
            return false;
        }
        let d = depth + 1;
        match &e.kind {
            // A list literal may be a set or a list: the context decides.
            K::Int(_) | K::None | K::List(_) => true,
            K::Some(x) | K::Paren(x) | K::Unary(UnaryOp::Neg, x) => self.needs_context(sc, x, d),
            K::Binary(op, a, b) if op.precedence() >= 4 => {
                self.needs_context(sc, a, d) && self.needs_context(sc, b, d)
            }
            K::Name(id) => !self.is_value(sc, &id.name) && self.variant_candidates(&id.name) > 1,
            _ => false,
        }
    }

    fn name(&mut self, sc: &mut Scope, id: &Ident, hint: Hint<'_>) -> Option<TExpr> {
        let s = self.s;
        let n = id.name.as_str();
        let span = id.span;
        let mk = |kind, ty| Some(TExpr { kind, ty, span });
        if let Some(pos) = sc.vars.iter().rposition(|(v, _)| v == n) {
            let ty = sc.vars.get(pos)?.1.clone()?;
            return mk(TExprKind::Var(VarId::from_index(pos)), ty);
        }
        let konst = match sc.kind {
            ScopeKind::Const(what) => Some(what),
            _ => None,
        };
        if n == "phase" {
            if let Some(what) = konst {
                self.not_constant(id, "the current phase", what);
                return None;
            }
            return mk(TExprKind::CurrentPhase, Ty::Phase);
        }
        if n == "target" {
            if let Some(what) = konst {
                self.not_constant(id, "the target phase", what);
                return None;
            }
            if !sc.in_block {
                self.report(
                    Diagnostic::new(
                        Code::UnknownName,
                        format!("`target` cannot be read in {}", sc.what()),
                        span,
                        "no target here",
                    )
                    .with_note("`target` is only defined inside a transition's block"),
                );
                return None;
            }
            return mk(TExprKind::Target, Ty::Phase);
        }
        if let Some((p, sym)) = self.param_of_scope(sc, n) {
            if sym.shadows {
                // Reported where it is declared.
                return None;
            }
            return mk(TExprKind::Param(p), sym.ty.clone()?);
        }
        if let Some(&f) = s.field_by_name.get(n) {
            if let Some(what) = konst {
                self.not_constant(id, "field", what);
                return None;
            }
            if let Some(r) = self.usage.fields_read.get_mut(f.index()) {
                *r = true;
            }
            let ty = s.field(f)?.ty.clone()?;
            return mk(TExprKind::Field(f), ty);
        }
        if let Some(&d) = s.derived_by_name.get(n) {
            if let Some(what) = konst {
                self.not_constant(id, "derived value", what);
                return None;
            }
            let ty = s.derived.get(d.index())?.ty.clone()?;
            return mk(TExprKind::Derived(d), ty);
        }
        if let Some(k) = s.key.as_ref().filter(|k| k.name.name == n) {
            if let Some(what) = konst {
                self.not_constant(id, "key", what);
                return None;
            }
            return mk(TExprKind::Key, k.ty.clone()?);
        }
        if s.extra_keys.iter().any(|k| k.name == n) {
            // A second key (reported).
            return None;
        }
        if let Some(&c) = s.const_by_name.get(n) {
            if !sc.consts {
                self.report(
                    Diagnostic::new(
                        Code::UnknownName,
                        format!("constant `{n}` cannot be read in a constant's value"),
                        span,
                        "not allowed here",
                    )
                    .with_note("the value of a constant is a literal, a variant, `none`, `some(...)` or a collection of them"),
                );
                return None;
            }
            return mk(TExprKind::Const(c), s.consts.get(c.index())?.ty.clone()?);
        }
        if let Some(set) = s
            .phase_set_by_name
            .get(n)
            .and_then(|i| s.phase_sets.get(*i))
        {
            let variant_wanted = matches!(hint, Hint::Ty(Ty::Enum(e))
                if s.variants_by_name.get(n).is_some_and(|vs| vs.iter().any(|(x, _)| x == e)));
            if !variant_wanted {
                // Phases are constants: so is a set of them.
                let items = set
                    .phases
                    .as_ref()?
                    .iter()
                    .map(|p| TExpr {
                        kind: TExprKind::Phase(*p),
                        ty: Ty::Phase,
                        span,
                    })
                    .collect();
                return mk(TExprKind::Collection(items), Ty::Set(Box::new(Ty::Phase)));
            }
        }
        self.bare_variant(sc, id, hint)
    }

    fn bare_variant(&mut self, sc: &Scope, id: &Ident, hint: Hint<'_>) -> Option<TExpr> {
        let s = self.s;
        let n = id.name.as_str();
        let span = id.span;
        let phase = s.phase_by_name.get(n).copied();
        let variants = s.variants_by_name.get(n).map_or(&[][..], Vec::as_slice);
        let phase_lit = |p: PhaseId| TExpr {
            kind: TExprKind::Phase(p),
            ty: Ty::Phase,
            span,
        };
        let variant_lit = |(e, v): (crate::model::EnumId, crate::model::VariantId)| TExpr {
            kind: TExprKind::Variant(e, v),
            ty: Ty::Enum(e),
            span,
        };
        // The expected type decides first.
        match hint {
            Hint::Ty(Ty::Phase) => {
                if let Some(p) = phase {
                    return Some(phase_lit(p));
                }
            }
            Hint::Ty(Ty::Enum(want)) => {
                if let Some(&ev) = variants.iter().find(|(e, _)| e == want) {
                    return Some(variant_lit(ev));
                }
            }
            _ => {}
        }
        match (phase, variants) {
            (Some(p), []) => return Some(phase_lit(p)),
            (None, [ev]) => return Some(variant_lit(*ev)),
            (None, []) => {}
            _ => {
                if matches!(hint, Hint::Quiet) {
                    return None;
                }
                let mut options: Vec<String> = variants
                    .iter()
                    .map(|(e, _)| {
                        format!(
                            "`{}::{n}`",
                            s.enum_sym(*e).map_or("?", |e| e.name.name.as_str())
                        )
                    })
                    .collect();
                if phase.is_some() {
                    options.push(format!("`Phase::{n}`"));
                }
                let first = options.first().cloned().unwrap_or_default();
                self.report(
                    Diagnostic::new(
                        Code::AmbiguousVariant,
                        format!("`{n}` is ambiguous"),
                        span,
                        format!("could be {}", options.join(" or ")),
                    )
                    .with_help(format!("write the full name, e.g. {first}")),
                );
                return None;
            }
        }
        if let ScopeKind::Transition(None) = sc.kind {
            // The input is unknown (reported): this may be one of its parameters.
            return None;
        }
        self.unknown_name(sc, id);
        None
    }

    fn unknown_name(&mut self, sc: &Scope, id: &Ident) {
        let s = self.s;
        let n = id.name.as_str();
        let mut candidates: Vec<&str> = sc.vars.iter().map(|(v, _)| v.as_str()).collect();
        let konst = matches!(sc.kind, ScopeKind::Const(_));
        let params = match sc.kind {
            ScopeKind::Transition(Some(i)) => s.input(i).map(|x| &x.params),
            ScopeKind::Guard(g) => s.guards.get(g.index()).map(|x| &x.params),
            ScopeKind::Action(a) => s.actions.get(a).map(|x| &x.params),
            _ => None,
        };
        candidates.extend(params.into_iter().flatten().map(|p| p.name.name.as_str()));
        if !konst {
            candidates.push("phase");
            candidates.extend(s.fields.iter().map(|f| f.def.name.name.as_str()));
            candidates.extend(s.derived.iter().map(|d| d.name.name.as_str()));
            candidates.extend(s.key.as_ref().map(|k| k.name.name.as_str()));
        }
        candidates.extend(s.phase_sets.iter().map(|p| p.name.name.as_str()));
        candidates.extend(s.consts.iter().map(|c| c.name.name.as_str()));
        candidates.extend(s.phase_names());
        candidates.extend(s.variants_by_name.keys().map(String::as_str));
        candidates.sort_unstable();
        let mut d = Diagnostic::new(
            Code::UnknownName,
            format!("unknown name `{n}`"),
            id.span,
            "not found in this scope",
        );
        // A parameter of some input, read where parameters are not in scope.
        let owner = s.inputs.iter().find(|i| i.param_by_name.contains_key(n));
        match (sc.kind, owner) {
            (ScopeKind::State(what) | ScopeKind::Const(what), Some(i)) => {
                d = d.with_note(format!(
                    "`{n}` is a parameter of input `{}`; {what} reads only the state, never input parameters",
                    i.name.name
                ));
            }
            (ScopeKind::Guard(_) | ScopeKind::Action(_), Some(i)) => {
                d = d
                    .with_note(format!(
                        "`{n}` is a parameter of input `{}`; {} reads only the state and its own parameters",
                        i.name.name,
                        sc.what()
                    ))
                    .with_help(format!(
                        "add a parameter `{n}` to {} and pass `{n}` where it is used",
                        self.param_owner(sc)
                    ));
            }
            (ScopeKind::Transition(Some(me)), Some(i)) => {
                let me = s.input(me).map_or("?", |x| x.name.name.as_str());
                d = d.with_note(format!(
                    "`{n}` is a parameter of input `{}`, but this transition is on `{me}`",
                    i.name.name
                ));
            }
            _ => {
                if let Some(c) = super::suggest_name(n, candidates) {
                    d = d
                        .with_help(format!("did you mean `{c}`?"))
                        .with_fix(crate::Fix::replace(
                            format!("replace with `{c}`"),
                            id.span,
                            c,
                        ));
                } else if let Some(note) = s.describe(n) {
                    d = d.with_note(note);
                }
            }
        }
        self.report(d);
    }

    fn not_constant(&mut self, id: &Ident, kind: &str, what: &str) {
        let message = if id.name == "phase" {
            format!("`phase` cannot be read in {what}")
        } else {
            format!("{kind} `{}` cannot be read in {what}", id.name)
        };
        self.report(
            Diagnostic::new(Code::UnknownName, message, id.span, "not a constant").with_note(
                "initial values and domain values are constants: literals, variants, `none`, `some(...)` and collections of them",
            ),
        );
    }

    /// `Enum::Variant` or `Phase::Name`.
    fn path(&mut self, en: &Ident, v: &Ident) -> Option<TExpr> {
        let s = self.s;
        let span = en.span.to(v.span);
        if en.name == "Phase" {
            return match s.lookup_phase(v) {
                Ok(p) => Some(TExpr {
                    kind: TExprKind::Phase(p),
                    ty: Ty::Phase,
                    span,
                }),
                Err(d) => {
                    self.report(d);
                    None
                }
            };
        }
        match s.types.get(&en.name) {
            Some(super::resolve::TypeSym::Enum(e)) => {
                let sym = s.enum_sym(*e)?;
                match sym.variant_by_name.get(&v.name) {
                    Some(&vid) => Some(TExpr {
                        kind: TExprKind::Variant(*e, vid),
                        ty: Ty::Enum(*e),
                        span,
                    }),
                    None => {
                        let mut d = Diagnostic::new(
                            Code::UnknownVariant,
                            format!("enum `{}` has no variant `{}`", en.name, v.name),
                            v.span,
                            "no such variant",
                        );
                        if let Some(c) = super::suggest_name(
                            &v.name,
                            sym.variants.iter().map(|x| x.name.name.as_str()),
                        ) {
                            d = d
                                .with_help(format!("did you mean `{}::{c}`?", en.name))
                                .with_fix(crate::Fix::replace(
                                    format!("replace with `{}::{c}`", en.name),
                                    v.span,
                                    c,
                                ));
                        }
                        self.report(d);
                        None
                    }
                }
            }
            Some(super::resolve::TypeSym::Extern(_)) => {
                self.report(
                    Diagnostic::new(
                        Code::UnknownVariant,
                        format!("extern type `{}` has no variants", en.name),
                        span,
                        "not an enum",
                    )
                    .with_note("values of an extern type come only from parameters and fields"),
                );
                None
            }
            None => {
                let candidates = s
                    .enums
                    .iter()
                    .map(|e| e.name.name.as_str())
                    .chain(["Phase"]);
                let mut d = unknown(Code::UnknownType, "enum", en, candidates);
                if d.help.is_none() && s.phase_by_name.contains_key(&v.name) {
                    d = d.with_help(format!("for a phase, write `Phase::{}`", v.name));
                }
                self.report(d);
                None
            }
        }
    }

    // ------------------------------------------------------------ operators

    fn unary(
        &mut self,
        sc: &mut Scope,
        op: UnaryOp,
        x: &ast::Expr,
        span: Span,
        hint: Hint<'_>,
    ) -> Option<TExpr> {
        let (op, v) = match op {
            UnaryOp::Not => {
                let v = self.infer(sc, x, Hint::Ty(&Ty::Bool))?;
                if v.ty != Ty::Bool {
                    self.invalid_operand("`!`", &v.ty, x.span, Some("`!` negates a `bool`"));
                    return None;
                }
                (UnOp::Not, v)
            }
            UnaryOp::Neg => {
                let v = self.infer(sc, x, hint)?;
                match v.ty {
                    Ty::Int(i) if i.is_signed() => {}
                    Ty::Int(i) => {
                        self.invalid_operand("`-`", &v.ty, x.span, None);
                        if let Some(d) = self.diags.last_mut() {
                            d.notes.push(format!("`{}` is unsigned", i.name()));
                        }
                        return None;
                    }
                    _ => {
                        self.invalid_operand(
                            "`-`",
                            &v.ty,
                            x.span,
                            Some("`-` negates a signed integer"),
                        );
                        return None;
                    }
                }
                (UnOp::Neg, v)
            }
        };
        let ty = v.ty.clone();
        Some(TExpr {
            kind: TExprKind::Unary(op, Box::new(v)),
            ty,
            span,
        })
    }

    fn binary(
        &mut self,
        sc: &mut Scope,
        op: BinaryOp,
        a: &ast::Expr,
        b: &ast::Expr,
        span: Span,
        hint: Hint<'_>,
    ) -> Option<TExpr> {
        use BinaryOp as B;
        let bop = match op {
            B::Or => BinOp::Or,
            B::And => BinOp::And,
            B::Eq => BinOp::Eq,
            B::Ne => BinOp::Ne,
            B::Lt => BinOp::Lt,
            B::Le => BinOp::Le,
            B::Gt => BinOp::Gt,
            B::Ge => BinOp::Ge,
            B::In => BinOp::In,
            B::Add => BinOp::Add,
            B::Sub => BinOp::Sub,
            B::Mul => BinOp::Mul,
            B::Div => BinOp::Div,
            B::Rem => BinOp::Rem,
        };
        let (l, r, ty) = match op {
            B::And | B::Or => {
                let l = self.check_expr(sc, a, Some(&Ty::Bool));
                let r = self.check_expr(sc, b, Some(&Ty::Bool));
                (l?, r?, Ty::Bool)
            }
            B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => {
                let (l, r) = self.same_type(sc, a, b, Hint::None)?;
                if !matches!(op, B::Eq | B::Ne) && !l.ty.is_ordered() {
                    let help = match l.ty {
                        Ty::Bool => Some("compare booleans with `==` and `!=`"),
                        Ty::Option(_) => {
                            Some("compare the value inside, e.g. `x.unwrap_or(0) < 5`")
                        }
                        _ => None,
                    };
                    self.invalid_operand(&format!("`{}`", op.as_str()), &l.ty, a.span, help);
                    return None;
                }
                (l, r, Ty::Bool)
            }
            B::In => {
                let (l, r) = self.membership(sc, a, b)?;
                (l, r, Ty::Bool)
            }
            B::Add | B::Sub | B::Mul | B::Div | B::Rem => {
                let (l, r) = self.arith_operands(sc, op, a, b, hint)?;
                if !matches!(l.ty, Ty::Int(_)) {
                    let help = if l.ty == Ty::String && op == B::Add {
                        Some("strings cannot be concatenated")
                    } else if matches!(&l.ty, Ty::Option(inner) if matches!(**inner, Ty::Int(_))) {
                        Some("take the number out of the option first, e.g. `x.unwrap_or(0)`")
                    } else {
                        None
                    };
                    self.invalid_operand(&format!("`{}`", op.as_str()), &l.ty, a.span, help);
                    return None;
                }
                let ty = l.ty.clone();
                (l, r, ty)
            }
        };
        Some(TExpr {
            kind: TExprKind::Binary(bop, Box::new(l), Box::new(r)),
            ty,
            span,
        })
    }

    /// Types the operands of arithmetic: as `same_type`, except that an
    /// optional integer next to a plain one (`count + 1` with `count:
    /// Option<u32>`) is reported as arithmetic on an option, with the way
    /// to take its value, rather than as a mismatch.
    fn arith_operands(
        &mut self,
        sc: &mut Scope,
        op: ast::BinaryOp,
        a: &ast::Expr,
        b: &ast::Expr,
        hint: Hint<'_>,
    ) -> Option<(TExpr, TExpr)> {
        let swap = self.needs_context(sc, a, 0) && !self.needs_context(sc, b, 0);
        let (first, second) = if swap { (b, a) } else { (a, b) };
        let f = self.infer(sc, first, hint);
        let second_hint = match &f {
            Some(TExpr {
                ty: Ty::Option(inner),
                ..
            }) if matches!(**inner, Ty::Int(_)) => Hint::Ty(inner),
            Some(t) => Hint::Ty(&t.ty),
            None => Hint::Quiet,
        };
        let s = self.infer(sc, second, second_hint);
        let (f, s) = (f?, s?);
        if f.ty != s.ty {
            let optional = [(&f, first), (&s, second)]
                .into_iter()
                .find(|(t, _)| matches!(&t.ty, Ty::Option(inner) if matches!(**inner, Ty::Int(_))));
            if let Some((t, at)) = optional {
                let text = self.s.ty_name(&t.ty);
                self.report(
                    Diagnostic::new(
                        Code::InvalidOperand,
                        format!("`{}` is not defined for `{text}`", op.as_str()),
                        at.span,
                        format!("this is `{text}`"),
                    )
                    .with_help(
                        "take the number out of the option first, e.g. `x.unwrap_or(0)`, \
                         or test it with `x.is_some()`",
                    ),
                );
            } else {
                self.mismatch(second.span, &f.ty, &s.ty, Some(first.span));
            }
            return None;
        }
        Some(if swap { (s, f) } else { (f, s) })
    }

    /// Types two operands that must have the same type: the one that
    /// carries its own type first, then the other against it.
    fn same_type(
        &mut self,
        sc: &mut Scope,
        a: &ast::Expr,
        b: &ast::Expr,
        hint: Hint<'_>,
    ) -> Option<(TExpr, TExpr)> {
        let swap = self.needs_context(sc, a, 0) && !self.needs_context(sc, b, 0);
        let (first, second) = if swap { (b, a) } else { (a, b) };
        let f = self.infer(sc, first, hint);
        let second_hint = match &f {
            Some(t) => Hint::Ty(&t.ty),
            None => Hint::Quiet,
        };
        let s = self.infer(sc, second, second_hint);
        let (f, s) = (f?, s?);
        if f.ty != s.ty {
            self.mismatch(second.span, &f.ty, &s.ty, Some(first.span));
            return None;
        }
        Some(if swap { (s, f) } else { (f, s) })
    }

    /// `x in coll`: `coll` is a set or a list of `x`'s type.
    fn membership(
        &mut self,
        sc: &mut Scope,
        a: &ast::Expr,
        b: &ast::Expr,
    ) -> Option<(TExpr, TExpr)> {
        let (l, r) = if !self.needs_context(sc, a, 0) || self.needs_context(sc, b, 0) {
            let l = self.infer(sc, a, Hint::None);
            let list = l.as_ref().map(|l| Ty::List(Box::new(l.ty.clone())));
            let r = self.infer(sc, b, list.as_ref().map_or(Hint::Quiet, Hint::Ty));
            (l, r)
        } else {
            let r = self.infer(sc, b, Hint::None);
            let elem = r.as_ref().and_then(|r| r.ty.element().cloned());
            let l = self.infer(sc, a, elem.as_ref().map_or(Hint::Quiet, Hint::Ty));
            (l, r)
        };
        let r = r?;
        if !matches!(r.ty, Ty::Set(_) | Ty::List(_)) {
            let help = match r.ty {
                Ty::Map(..) => Some("for a map key, write `m.contains_key(k)`"),
                Ty::Option(_) => Some("for an option, write `o.contains(x)`"),
                _ => None,
            };
            self.invalid_operand("`in`", &r.ty, b.span, help);
            if let Some(d) = self.diags.last_mut() {
                d.notes
                    .push("`in` tests membership in a set or a list".into());
            }
            return None;
        }
        let l = l?;
        if let Some(t) = r.ty.element()
            && *t != l.ty
        {
            let expected = t.clone();
            self.mismatch(a.span, &expected, &l.ty, Some(b.span));
            if let Some(d) = self.diags.last_mut()
                && let Some(sec) = d.labels.get_mut(1)
            {
                sec.message = format!("this holds `{}`", self.s.ty_name(&expected));
            }
            return None;
        }
        Some((l, r))
    }

    // ------------------------------------------------------------ methods

    fn method(
        &mut self,
        sc: &mut Scope,
        receiver: &ast::Expr,
        name: &Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<TExpr> {
        // `[Left].contains(side)`: the argument gives the list its type.
        let mut pre: Option<Option<TExpr>> = None;
        let recv = match args {
            [arg]
                if name.name == "contains"
                    && matches!(unparen(receiver).kind, ast::ExprKind::List(_))
                    && self.needs_context(sc, receiver, 0)
                    && !self.needs_context(sc, arg, 0) =>
            {
                let a = self.infer(sc, arg, Hint::None);
                let r = match &a {
                    Some(a) => {
                        let list = Ty::List(Box::new(a.ty.clone()));
                        self.infer(sc, receiver, Hint::Ty(&list))
                    }
                    None => {
                        self.quiet(sc, receiver);
                        None
                    }
                };
                pre = Some(a);
                r
            }
            _ => self.infer(sc, receiver, Hint::None),
        };
        if let Some(a) = pre {
            let recv = recv?;
            let a = a?;
            return Some(TExpr {
                kind: TExprKind::Method {
                    method: Method::Contains,
                    receiver: Box::new(recv),
                    args: vec![a],
                },
                ty: Ty::Bool,
                span,
            });
        }
        let Some(m) = Method::from_name(&name.name) else {
            let mut d = unknown(
                Code::UnknownMethod,
                "method",
                name,
                Method::ALL.map(Method::name),
            );
            if matches!(name.name.as_str(), "insert" | "remove" | "push" | "clear") {
                d = d.with_note(format!(
                    "`{}` changes a field: it is a statement of a transition block, not an expression",
                    name.name
                ));
            }
            self.report(d);
            args.iter().for_each(|x| self.quiet(sc, x));
            return None;
        };
        let Some(recv) = recv else {
            args.iter().for_each(|x| self.quiet(sc, x));
            return None;
        };
        let Some((params, result)) = method_sig(m, &recv.ty) else {
            let ty = self.s.ty_name(&recv.ty);
            let mut d = Diagnostic::new(
                Code::InvalidOperand,
                format!("no method `{}` on `{ty}`", name.name),
                name.span,
                format!("`{ty}` has no method `{}`", name.name),
            );
            let available: Vec<&str> = Method::ALL
                .into_iter()
                .filter(|m| method_sig(*m, &recv.ty).is_some())
                .map(Method::name)
                .collect();
            if matches!(recv.ty, Ty::Extern(_)) {
                d = d.with_note("extern types are opaque: they can be compared, ordered and stored, not inspected");
            } else if !available.is_empty() {
                d = d.with_help(format!("`{ty}` has {}", list_names(available)));
            }
            self.report(d);
            args.iter().for_each(|x| self.quiet(sc, x));
            return None;
        };
        if args.len() != params.len() {
            self.wrong_arity(
                sc,
                &format!("method `{}`", name.name),
                name.span,
                &params,
                args,
            );
            return None;
        }
        let targs: Vec<Option<TExpr>> = args
            .iter()
            .zip(&params)
            .map(|(x, p)| self.check_expr(sc, x, Some(p)))
            .collect();
        Some(TExpr {
            kind: TExprKind::Method {
                method: m,
                receiver: Box::new(recv),
                args: targs.into_iter().collect::<Option<_>>()?,
            },
            ty: result,
            span,
        })
    }

    fn quant(
        &mut self,
        sc: &mut Scope,
        kind: ast::Quantifier,
        var: &Ident,
        coll: &ast::Expr,
        body: &ast::Expr,
        span: Span,
    ) -> Option<TExpr> {
        let kw = match kind {
            ast::Quantifier::All => "all",
            ast::Quantifier::Any => "any",
        };
        let c = self.infer(sc, coll, Hint::None);
        let el = match &c {
            Some(c) => match c.ty.element() {
                Some(t) => Some(t.clone()),
                None => {
                    self.invalid_operand(&format!("`{kw}`"), &c.ty, coll.span, None);
                    if let Some(d) = self.diags.last_mut() {
                        d.notes.push(
                            "a quantifier ranges over a set, a list, or the keys of a map".into(),
                        );
                    }
                    None
                }
            },
            None => None,
        };
        self.shadowed_by_var(sc, var);
        let level = VarId::from_index(sc.vars.len());
        sc.vars.push((var.name.clone(), el));
        let b = self.check_expr(sc, body, Some(&Ty::Bool));
        sc.vars.pop();
        Some(TExpr {
            kind: TExprKind::Quant {
                kind: match kind {
                    ast::Quantifier::All => Quantifier::All,
                    ast::Quantifier::Any => Quantifier::Any,
                },
                var: level,
                name: var.name.clone(),
                coll: Box::new(c?),
                body: Box::new(b?),
            },
            ty: Ty::Bool,
            span,
        })
    }

    fn shadowed_by_var(&mut self, sc: &Scope, var: &Ident) {
        let s = self.s;
        let n = var.name.as_str();
        let other: Option<(&str, Option<Span>)> = if sc.vars.iter().any(|(v, _)| v == n) {
            Some(("quantifier variable", None))
        } else if let Some((_, p)) = self.param_of_scope(sc, n) {
            Some(("parameter", Some(p.name.span)))
        } else if let Some(c) = s.const_by_name.get(n) {
            Some(("constant", s.consts.get(c.index()).map(|c| c.name.span)))
        } else if let Some(f) = s.field_by_name.get(n) {
            Some(("field", s.field(*f).map(|f| f.def.name.span)))
        } else if let Some(d) = s.derived_by_name.get(n) {
            Some((
                "derived value",
                s.derived.get(d.index()).map(|d| d.name.span),
            ))
        } else {
            s.key
                .as_ref()
                .filter(|k| k.name.name == n)
                .map(|k| ("key", Some(k.name.span)))
        };
        if let Some((kind, at)) = other {
            let mut d = Diagnostic::new(
                Code::Shadowing,
                format!("quantifier variable `{n}` shadows {kind} `{n}`"),
                var.span,
                format!("this variable has the name of a {kind}"),
            )
            .with_help("rename the variable");
            if let Some(at) = at {
                d = d.with_secondary(at, format!("{kind} `{n}` defined here"));
            }
            self.report(d);
        }
    }

    // ------------------------------------------------------------ reports

    /// "expected `T`, found `U`" at `span`; `because` points at what set
    /// the expectation.
    pub fn mismatch(&mut self, span: Span, expected: &Ty, found: &Ty, because: Option<Span>) {
        let e = self.s.ty_name(expected);
        let f = self.s.ty_name(found);
        let mut d = Diagnostic::new(
            Code::TypeMismatch,
            format!("expected `{e}`, found `{f}`"),
            span,
            format!("this is `{f}`"),
        );
        if let Some(b) = because {
            d = d.with_secondary(b, format!("this is `{e}`"));
        }
        match (expected, found) {
            (Ty::Option(inner), f) if **inner == *f => {
                d = d.with_help("wrap the value: `some(...)`")
            }
            (e, Ty::Option(inner)) if **inner == *e => {
                d = d.with_help(
                    "take the value out with `.unwrap_or(default)`, or compare with `some(...)`",
                );
            }
            (Ty::Int(_), Ty::Int(_)) => {
                d = d.with_note("integer types never convert into each other")
            }
            _ => {}
        }
        self.report(d);
    }

    /// A literal of the wrong kind for the expected type.
    fn mismatch_lit(&mut self, span: Span, expected: &Ty, found: &str) {
        let e = self.s.ty_name(expected);
        let mut d = Diagnostic::new(
            Code::TypeMismatch,
            format!("expected `{e}`, found {found}"),
            span,
            format!("expected `{e}`"),
        );
        if matches!(expected, Ty::Option(_)) && found != "`none`" {
            d = d.with_help("wrap the value: `some(...)`");
        } else if found == "`none`" {
            d = d.with_note("`none` is a value of an `Option` type");
        }
        self.report(d);
    }

    fn cannot_infer(&mut self, span: Span, what: &str) {
        self.report(
            Diagnostic::new(
                Code::CannotInfer,
                format!("cannot infer the type of {what}"),
                span,
                "type unknown here",
            )
            .with_help("use it where a type is expected, e.g. compare it with a field"),
        );
    }

    pub fn invalid_operand(&mut self, op: &str, ty: &Ty, span: Span, help: Option<&str>) {
        let t = self.s.ty_name(ty);
        let mut d = Diagnostic::new(
            Code::InvalidOperand,
            format!("{op} is not defined for `{t}`"),
            span,
            format!("this is `{t}`"),
        );
        if let Some(h) = help {
            d = d.with_help(h);
        }
        if matches!(ty, Ty::Extern(_)) {
            d = d.with_note(
                "extern types are opaque: they can be compared, ordered and stored, not inspected",
            );
        }
        self.report(d);
    }
}

/// The argument types and result type of a method on a receiver type.
pub(super) fn method_sig(m: Method, ty: &Ty) -> Option<(Vec<Ty>, Ty)> {
    let b = Ty::Bool;
    let sized = matches!(ty, Ty::String | Ty::Set(_) | Ty::Map(..) | Ty::List(_));
    Some(match (m, ty) {
        (Method::Contains, Ty::Set(t) | Ty::List(t) | Ty::Option(t)) => (vec![(**t).clone()], b),
        (Method::Len, _) if sized => (vec![], Ty::Int(IntTy::U64)),
        (Method::IsEmpty, _) if sized => (vec![], b),
        (Method::IsSome | Method::IsNone, Ty::Option(_)) => (vec![], b),
        (Method::UnwrapOr, Ty::Option(t)) => (vec![(**t).clone()], (**t).clone()),
        (Method::ContainsKey, Ty::Map(k, _)) => (vec![(**k).clone()], b),
        (Method::Get, Ty::Map(k, v)) => (vec![(**k).clone()], Ty::Option(v.clone())),
        (Method::GetOr, Ty::Map(k, v)) => (vec![(**k).clone(), (**v).clone()], (**v).clone()),
        (Method::First | Method::Last, Ty::List(t)) => (vec![], Ty::Option(t.clone())),
        (Method::Keys, Ty::Map(k, _)) => (vec![], Ty::Set(k.clone())),
        _ => return None,
    })
}

pub(super) fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
