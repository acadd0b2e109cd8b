//! Statements of a transition block or an action: assignments, collection
//! updates, `emit`, `if` and `do`. Checks that only state fields are
//! written (FSM0303, FSM0304, FSM0310), that updates fit the field's type,
//! that collection methods exist for the field's collection type, binds
//! `emit` arguments (positional or named) to the effect's parameters, and
//! replaces `do action(args)` by the action's lowered block with the
//! arguments in place of its parameters.
//!
//! After `block` returns `Some(stmts)`: every statement writes a field with
//! a value of its type, every `Emit` has one argument per effect parameter
//! in parameter order, every condition is a `bool`, and no `do` is left.

use super::expr::{Scope, ScopeKind, plural};
use super::{Cx, MAX_DEPTH, duplicate, inline, list_names, unknown};
use crate::ast::{self, AssignOp, Ident};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{self, FieldId, TExpr, TExprKind, TStmt, TStmtKind, Ty};

const STMT_METHODS: [&str; 4] = ["insert", "remove", "push", "clear"];

impl Cx<'_> {
    pub fn block(&mut self, sc: &mut Scope, stmts: &[ast::Stmt]) -> Option<Vec<TStmt>> {
        let out: Vec<Option<Vec<TStmt>>> = stmts.iter().map(|s| self.stmt(sc, s)).collect();
        Some(out.into_iter().collect::<Option<Vec<_>>>()?.concat())
    }

    /// One statement; a `do` gives the statements of its action.
    fn stmt(&mut self, sc: &mut Scope, s: &ast::Stmt) -> Option<Vec<TStmt>> {
        if !self.enter(s.span) {
            return None;
        }
        let out = match &s.kind {
            ast::StmtKind::Do { action, args } => self.do_action(sc, action, args, s.span),
            _ => self
                .stmt_kind(sc, s)
                .map(|kind| vec![TStmt { kind, span: s.span }]),
        };
        self.leave();
        out
    }

    fn stmt_kind(&mut self, sc: &mut Scope, s: &ast::Stmt) -> Option<TStmtKind> {
        match &s.kind {
            ast::StmtKind::Do { .. } => None,
            ast::StmtKind::Assign { target, op, value } => self.assign(sc, target, *op, value),
            ast::StmtKind::Call {
                target,
                method,
                args,
            } => self.call(sc, target, method, args),
            ast::StmtKind::Emit { effect, args } => self.emit(sc, effect, args),
            ast::StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.check_expr(sc, cond, Some(&Ty::Bool));
                let t = self.block(sc, &then.stmts);
                let o = match otherwise {
                    None => Some(Vec::new()),
                    Some(ast::Else::Block(b)) => self.block(sc, &b.stmts),
                    Some(ast::Else::If(s)) => self.stmt(sc, s),
                };
                Some(TStmtKind::If {
                    cond: c?,
                    then: t?,
                    otherwise: o?,
                })
            }
        }
    }

    /// Resolves the field a statement writes. `Err` when the name is not a
    /// writable field (reported), `Ok((f, None))` when the field's type
    /// failed (reported where it was declared).
    fn write_target(&mut self, sc: &Scope, id: &Ident) -> Result<(FieldId, Option<Ty>), ()> {
        let s = self.s;
        let n = id.name.as_str();
        if let Some((_, p)) = self.param_of_scope(sc, n) {
            if p.shadows {
                // Reported where it is declared.
                return Err(());
            }
            let owner = self.param_owner(sc);
            let what = if matches!(sc.kind, ScopeKind::Transition(_)) {
                "input parameter"
            } else {
                "parameter"
            };
            self.report(
                Diagnostic::new(
                    Code::AssignToParam,
                    format!("cannot assign to {what} `{n}`"),
                    id.span,
                    format!("`{n}` is a parameter of {owner}"),
                )
                .with_note("only state fields can be written")
                .with_help(format!(
                    "to keep the value, store it in a field: `some_field = {n}`"
                )),
            );
            return Err(());
        }
        if s.extra_keys.iter().any(|k| k.name == n) {
            // A second key (reported).
            return Err(());
        }
        if let Some(&f) = s.field_by_name.get(n) {
            if let Some(w) = self.usage.fields_written.get_mut(f.index()) {
                *w = true;
            }
            return Ok((f, s.field(f).and_then(|f| f.ty.clone())));
        }
        if let Some(d) = s
            .derived_by_name
            .get(n)
            .and_then(|d| s.derived.get(d.index()))
        {
            self.report(
                Diagnostic::new(
                    Code::AssignToDerived,
                    format!("cannot assign to derived value `{n}`"),
                    id.span,
                    "derived values are computed, not stored",
                )
                .with_secondary(d.name.span, format!("`{n}` is computed here"))
                .with_help("write the fields it is computed from"),
            );
            return Err(());
        }
        if let Some(k) = s.key.as_ref().filter(|k| k.name.name == n) {
            self.report(
                Diagnostic::new(
                    Code::AssignToReadOnly,
                    format!("cannot assign to the key `{n}`"),
                    id.span,
                    "the key is read-only",
                )
                .with_secondary(k.name.span, "key declared here")
                .with_note("the key identifies the instance and never changes"),
            );
            return Err(());
        }
        if let Some(c) = s.const_by_name.get(n).and_then(|c| s.consts.get(c.index())) {
            self.report(
                Diagnostic::new(
                    Code::AssignToReadOnly,
                    format!("cannot assign to constant `{n}`"),
                    id.span,
                    "a constant never changes",
                )
                .with_secondary(c.name.span, "constant declared here")
                .with_help("keep a value that changes in a state field"),
            );
            return Err(());
        }
        if n == "phase" {
            self.report(
                Diagnostic::new(
                    Code::AssignToReadOnly,
                    "cannot assign to `phase`",
                    id.span,
                    "the phase is read-only in a block",
                )
                .with_help("the phase changes through the transition's target: `-> Phase`"),
            );
            return Err(());
        }
        if let ScopeKind::Transition(None) = sc.kind {
            // The input is unknown (reported): this may be one of its parameters.
            return Err(());
        }
        self.report(unknown(
            Code::UnknownName,
            "field",
            id,
            s.fields.iter().map(|f| f.def.name.name.as_str()),
        ));
        Err(())
    }

    fn assign(
        &mut self,
        sc: &mut Scope,
        target: &Ident,
        op: AssignOp,
        value: &ast::Expr,
    ) -> Option<TStmtKind> {
        let Ok((field, Some(ty))) = self.write_target(sc, target) else {
            self.quiet(sc, value);
            return None;
        };
        let op = match op {
            AssignOp::Set => model::AssignOp::Set,
            AssignOp::Add => model::AssignOp::Add,
            AssignOp::Sub => model::AssignOp::Sub,
        };
        if op != model::AssignOp::Set && !matches!(ty, Ty::Int(_)) {
            let sym = if op == model::AssignOp::Add {
                "`+=`"
            } else {
                "`-=`"
            };
            let help = match ty {
                Ty::Set(_) | Ty::Map(..) => {
                    Some("update a set or a map with `insert` and `remove`")
                }
                Ty::List(_) => Some("add to a list with `push`"),
                _ => None,
            };
            self.invalid_operand(sym, &ty, target.span, help);
            self.quiet(sc, value);
            return None;
        }
        let value = self.check_expr(sc, value, Some(&ty))?;
        Some(TStmtKind::Assign { field, op, value })
    }

    fn call(
        &mut self,
        sc: &mut Scope,
        target: &Ident,
        method: &Ident,
        args: &[ast::Expr],
    ) -> Option<TStmtKind> {
        let m = method.name.as_str();
        if !STMT_METHODS.contains(&m) {
            let mut d = unknown(Code::UnknownMethod, "method", method, STMT_METHODS);
            if model::Method::from_name(m).is_some() {
                d = d.with_note(format!(
                    "`{m}` reads a value; a statement can only call `insert`, `remove`, `push` or `clear`"
                ));
            }
            // Still resolve the target, to report a wrong one.
            let _ = self.write_target(sc, target);
            self.report(d);
            args.iter().for_each(|x| self.quiet(sc, x));
            return None;
        }
        let Ok((field, Some(ty))) = self.write_target(sc, target) else {
            args.iter().for_each(|x| self.quiet(sc, x));
            return None;
        };
        let params: Option<Vec<&Ty>> = match (m, &ty) {
            ("insert" | "remove", Ty::Set(t)) => Some(vec![t]),
            ("insert", Ty::Map(k, v)) => Some(vec![k, v]),
            ("remove", Ty::Map(k, _)) => Some(vec![k]),
            ("push", Ty::List(t)) => Some(vec![t]),
            ("clear", Ty::Set(_) | Ty::Map(..) | Ty::List(_)) => Some(vec![]),
            _ => None,
        };
        let Some(params) = params else {
            let t = self.s.ty_name(&ty);
            let mut d = Diagnostic::new(
                Code::InvalidOperand,
                format!("no method `{m}` on `{t}`"),
                method.span,
                format!("`{t}` has no method `{m}`"),
            )
            .with_secondary(target.span, format!("`{}` is `{t}`", target.name));
            d = match ty {
                Ty::Set(_) => d.with_help("a set has `insert(x)`, `remove(x)` and `clear()`"),
                Ty::Map(..) => d.with_help("a map has `insert(k, v)`, `remove(k)` and `clear()`"),
                Ty::List(_) => d.with_help("a list has `push(x)` and `clear()`"),
                _ => d.with_note(format!(
                    "only sets, maps and lists have {}; assign other fields with `=`",
                    list_names(STMT_METHODS)
                )),
            };
            self.report(d);
            args.iter().for_each(|x| self.quiet(sc, x));
            return None;
        };
        if args.len() != params.len() {
            let subject = format!("`{m}` on `{}`", self.s.ty_name(&ty));
            self.wrong_arity(sc, &subject, method.span, &params, args);
            return None;
        }
        let typed: Vec<Option<TExpr>> = args
            .iter()
            .zip(&params)
            .map(|(x, p)| self.check_expr(sc, x, Some(p)))
            .collect();
        let mut typed = typed.into_iter().collect::<Option<Vec<_>>>()?.into_iter();
        Some(match m {
            "insert" => TStmtKind::Insert {
                field,
                key: typed.next()?,
                value: typed.next(),
            },
            "remove" => TStmtKind::Remove {
                field,
                key: typed.next()?,
            },
            "push" => TStmtKind::Push {
                field,
                value: typed.next()?,
            },
            _ => TStmtKind::Clear { field },
        })
    }

    fn emit(&mut self, sc: &mut Scope, effect: &Ident, args: &[ast::Arg]) -> Option<TStmtKind> {
        let s = self.s;
        let Some(&e) = s.effect_by_name.get(&effect.name) else {
            self.report(unknown(
                Code::UnknownEffect,
                "effect",
                effect,
                s.effects.iter().map(|e| e.name.name.as_str()),
            ));
            args.iter().for_each(|a| self.quiet(sc, &a.value));
            return None;
        };
        if let Some(u) = self.usage.effects.get_mut(e.index()) {
            *u = true;
        }
        let sig = s.effects.get(e.index())?;
        let signature = if sig.params.is_empty() {
            format!("`{}`", sig.name.name)
        } else {
            format!(
                "`{}({})`",
                sig.name.name,
                sig.params
                    .iter()
                    .map(|p| format!(
                        "{}: {}",
                        p.name.name,
                        p.ty.as_ref().map_or("?".to_string(), |t| s.ty_name(t))
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let n = sig.params.len();
        let all_positional = args.iter().all(|a| a.name.is_none());
        if all_positional && args.len() != n {
            self.report(
                Diagnostic::new(
                    Code::Arity,
                    format!(
                        "effect `{}` takes {} but {} {} given",
                        effect.name,
                        plural(n, "argument"),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                    effect.span,
                    format!("expected {}", plural(n, "argument")),
                )
                .with_secondary(sig.name.span, format!("{signature} declared here")),
            );
            for (i, a) in args.iter().enumerate() {
                let ty = sig.params.get(i).and_then(|p| p.ty.as_ref());
                match ty {
                    Some(t) => {
                        self.check_expr(sc, &a.value, Some(t));
                    }
                    None => self.quiet(sc, &a.value),
                }
            }
            return None;
        }
        // Bind each argument to a parameter.
        let mut slots: Vec<Option<&ast::Arg>> = vec![None; n];
        let mut ok = true;
        let mut named_seen = false;
        for (i, a) in args.iter().enumerate() {
            let index = match &a.name {
                Some(name) => {
                    named_seen = true;
                    match sig.param_by_name.get(&name.name) {
                        Some(p) => p.index(),
                        None => {
                            let mut d = unknown(
                                Code::UnknownParam,
                                "parameter",
                                name,
                                sig.params.iter().map(|p| p.name.name.as_str()),
                            );
                            d.message = format!(
                                "effect `{}` has no parameter `{}`",
                                effect.name, name.name
                            );
                            self.report(d.with_secondary(
                                sig.name.span,
                                format!("{signature} declared here"),
                            ));
                            self.quiet(sc, &a.value);
                            ok = false;
                            continue;
                        }
                    }
                }
                None if named_seen => {
                    self.report(
                        Diagnostic::new(
                            Code::Arity,
                            "positional argument after named arguments",
                            a.value.span,
                            "this argument has no name",
                        )
                        .with_help("name it, or put positional arguments first"),
                    );
                    self.quiet(sc, &a.value);
                    ok = false;
                    continue;
                }
                None => i,
            };
            match slots.get_mut(index) {
                Some(Some(prev)) => {
                    let param = sig.params.get(index).map_or("?", |p| p.name.name.as_str());
                    let at = a.name.as_ref().map_or(a.value.span, |x| x.span);
                    let first = prev.name.as_ref().map_or(prev.value.span, |x| x.span);
                    let id = Ident {
                        name: param.to_string(),
                        span: at,
                    };
                    let mut d = duplicate("argument for parameter", &id, first);
                    d.help = Some("give each parameter one argument".into());
                    self.report(d);
                    self.quiet(sc, &a.value);
                    ok = false;
                }
                Some(slot) => *slot = Some(a),
                None => {
                    self.report(
                        Diagnostic::new(
                            Code::Arity,
                            format!("effect `{}` takes {}", effect.name, plural(n, "argument")),
                            a.value.span,
                            "extra argument",
                        )
                        .with_secondary(sig.name.span, format!("{signature} declared here")),
                    );
                    self.quiet(sc, &a.value);
                    ok = false;
                }
            }
        }
        let missing: Vec<&str> = sig
            .params
            .iter()
            .zip(&slots)
            .filter(|(_, slot)| slot.is_none())
            .map(|(p, _)| p.name.name.as_str())
            .collect();
        // After a misnamed argument, what is missing is probably that one.
        if ok && !missing.is_empty() {
            self.report(
                Diagnostic::new(
                    Code::Arity,
                    format!(
                        "missing {} {} for effect `{}`",
                        if missing.len() == 1 {
                            "argument"
                        } else {
                            "arguments"
                        },
                        list_names(missing.iter().copied()),
                        effect.name
                    ),
                    effect.span,
                    format!("missing {}", list_names(missing.iter().copied())),
                )
                .with_secondary(sig.name.span, format!("{signature} declared here")),
            );
            ok = false;
        }
        let mut out = Vec::with_capacity(n);
        for (p, slot) in sig.params.iter().zip(&slots) {
            if let Some(a) = slot {
                out.push(self.check_expr(sc, &a.value, p.ty.as_ref()));
            }
        }
        let out: Vec<TExpr> = out.into_iter().collect::<Option<_>>()?;
        ok.then_some(TStmtKind::Emit {
            effect: e,
            args: out,
        })
    }
}

impl Cx<'_> {
    /// An argument of a guard or an action, checked against its parameter;
    /// a mismatch points at the parameter too.
    pub fn check_arg(
        &mut self,
        sc: &mut Scope,
        arg: &ast::Expr,
        param: &super::resolve::ParamSym<'_>,
    ) -> Option<TExpr> {
        let before = self.diags.len();
        let out = self.check_expr(sc, arg, param.ty.as_ref());
        if let (Some(d), Some(ty)) = (self.diags.get_mut(before), &param.ty)
            && d.code == Code::TypeMismatch
            && d.span() == arg.span
        {
            let ty = self.s.ty_name(ty);
            d.labels.push(crate::diagnostic::Label {
                span: param.name.span,
                message: format!("parameter `{}` is `{ty}`", param.name.name),
                primary: false,
            });
        }
        out
    }

    /// `do action(args)`: the action's block with the arguments in place of
    /// its parameters.
    fn do_action(
        &mut self,
        sc: &mut Scope,
        action: &Ident,
        args: &[ast::Expr],
        span: crate::span::Span,
    ) -> Option<Vec<TStmt>> {
        let s = self.s;
        let Some(&a) = s.action_by_name.get(&action.name) else {
            let mut d = unknown(
                Code::UnknownAction,
                "action",
                action,
                s.actions.iter().map(|a| a.def.name.name.as_str()),
            );
            if d.help.is_none() {
                d = d.with_help(format!("define it: `action {} {{ ... }}`", action.name));
            }
            self.report(d);
            args.iter().for_each(|x| self.quiet(sc, x));
            return None;
        };
        if let Some(u) = self.usage.actions.get_mut(a) {
            *u = true;
        }
        let sym = s.actions.get(a)?;
        let n = sym.params.len();
        if args.len() != n {
            let mut d = Diagnostic::new(
                Code::Arity,
                format!(
                    "action `{}` takes {} but {} {} given",
                    action.name,
                    plural(n, "argument"),
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ),
                action.span,
                format!("expected {}", plural(n, "argument")),
            )
            .with_secondary(
                sym.def.name.span,
                format!("`{}` declared here", action.name),
            );
            if args.is_empty() {
                let params: Vec<&str> = sym.params.iter().map(|p| p.name.name.as_str()).collect();
                d = d.with_help(format!(
                    "pass its arguments: `do {}({})`",
                    action.name,
                    params.join(", ")
                ));
            } else if n == 0 {
                d = d.with_help(format!(
                    "`{}` has no parameters: write `do {}`",
                    action.name, action.name
                ));
            }
            self.report(d);
            for (i, x) in args.iter().enumerate() {
                let ty = sym.params.get(i).and_then(|p| p.ty.as_ref());
                self.check_expr(sc, x, ty);
            }
            return None;
        }
        let typed: Vec<Option<TExpr>> = args
            .iter()
            .zip(&sym.params)
            .map(|(x, p)| self.check_arg(sc, x, p))
            .collect();
        let typed: Vec<TExpr> = typed.into_iter().collect::<Option<_>>()?;
        self.check_args_by_value(a, &action.name, &typed);
        // A failed action (or one in a cycle) was reported where it is.
        let (depth, size) = {
            let body = self.actions.get(a).and_then(Option::as_ref)?;
            (inline::block_depth(body), inline::block_size(body))
        };
        if depth.saturating_add(self.depth) > MAX_DEPTH * 2 {
            self.report(
                Diagnostic::new(
                    Code::TooDeep,
                    format!("action `{}` nests too deeply here", action.name),
                    span,
                    "its statements, inlined here, nest too deeply",
                )
                .with_help("nest `if` less deeply across the actions this one runs"),
            );
            return None;
        }
        if !self.spend_inline(size, span) {
            return None;
        }
        let body = self.actions.get(a).and_then(Option::as_ref)?;
        Some(inline::stmts(body, &typed))
    }

    /// Inlining puts each argument where its parameter is read, so an
    /// argument must not read a field the action (or an action it runs)
    /// writes: then inlining means the same as passing the value (FSM0312).
    fn check_args_by_value(&mut self, a: super::resolve::ActionId, name: &str, args: &[TExpr]) {
        let Some(body) = self.actions.get(a).and_then(Option::as_ref) else {
            return;
        };
        let mut writes: Vec<(FieldId, crate::span::Span)> = Vec::new();
        for s in body {
            s.walk(&mut |st| {
                if let Some(f) = written_field(st)
                    && !writes.iter().any(|(w, _)| *w == f)
                {
                    writes.push((f, st.span));
                }
            });
        }
        if writes.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for arg in args {
            let mut reads: Vec<FieldId> = Vec::new();
            arg.walk(&mut |e| match &e.kind {
                TExprKind::Field(f) => reads.push(*f),
                TExprKind::Derived(d) => self.derived_fields(*d, &mut reads),
                _ => {}
            });
            let hit = reads
                .iter()
                .find_map(|r| writes.iter().find(|(w, _)| w == r).copied());
            if let Some((f, write)) = hit {
                found.push((arg.span, f, write));
            }
        }
        for (span, f, write) in found {
            let field = self
                .s
                .fields
                .get(f.index())
                .map_or("?", |x| x.def.name.name.as_str());
            // A write inlined from a nested action names that action.
            let inner = self.s.actions.iter().find(|x| {
                let b = x.def.body.span;
                x.def.name.name != name && b.start <= write.start && write.end <= b.end
            });
            let written_label = match inner {
                Some(x) => format!("`{field}` written here, by `{}`", x.def.name.name),
                None => format!("`{field}` written here"),
            };
            self.report(
                Diagnostic::new(
                    Code::ActionArgumentReadsWrittenState,
                    format!("argument of `{name}` reads `{field}`, which `{name}` writes"),
                    span,
                    format!("reads `{field}`, which `{name}` writes"),
                )
                .with_secondary(write, written_label)
                .with_note(
                    "an argument is evaluated where its parameter is read, so it would see the \
                     new value after this write",
                )
                .with_help(
                    "copy the value into a parameter of the input, or read it inside the action",
                ),
            );
        }
    }

    /// The fields a derived value reads, through the derived values it
    /// reads.
    fn derived_fields(&self, d: model::DerivedId, out: &mut Vec<FieldId>) {
        let s = self.s;
        let mut seen = vec![d];
        let mut todo = vec![d];
        while let Some(d) = todo.pop() {
            let Some(sym) = s.derived.get(d.index()) else {
                continue;
            };
            let mut names = Vec::new();
            super::resolve::read_names(sym.expr, &mut Vec::new(), &mut names, 0);
            for (n, _) in names {
                if let Some(&f) = s.field_by_name.get(n) {
                    out.push(f);
                } else if let Some(&e) = s.derived_by_name.get(n)
                    && !seen.contains(&e)
                {
                    seen.push(e);
                    todo.push(e);
                }
            }
        }
    }
}

/// The field a statement writes itself (not through nested statements).
fn written_field(s: &TStmt) -> Option<FieldId> {
    match &s.kind {
        TStmtKind::Assign { field, .. }
        | TStmtKind::Insert { field, .. }
        | TStmtKind::Remove { field, .. }
        | TStmtKind::Push { field, .. }
        | TStmtKind::Clear { field } => Some(*field),
        TStmtKind::Emit { .. } | TStmtKind::If { .. } => None,
    }
}
