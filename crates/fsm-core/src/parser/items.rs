//! The file, the machine and its items.

use super::{Delim, PResult, Parser, Recover, Sync};
use crate::ast::{
    Action, ArgPath, DomainTarget, DomainValues, Field, GuardDef, Ident, ImplMethod, ImplTarget,
    Item, ItemKind, Machine, MachineGuard, Param, Signature, Sources, Target, Transition, Variant,
    VerifyKind, VerifySetting,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::lexer::{Keyword, TokenKind};
use crate::span::Span;

impl Parser<'_> {
    pub(super) fn file(&mut self) -> Vec<Machine> {
        let mut machines: Vec<Machine> = Vec::new();
        loop {
            let before = self.pos;
            self.delims.clear();
            self.depth = 0;
            self.closing = false;
            match self.kind() {
                TokenKind::Eof => break,
                TokenKind::Semi => {
                    self.bump();
                }
                TokenKind::Keyword(Keyword::Machine) => {
                    if let Some(m) = self.machine() {
                        machines.push(m);
                    }
                }
                kind => {
                    let item_kw = matches!(kind, TokenKind::Keyword(kw) if kw.starts_item());
                    if self.kind() != &TokenKind::Error {
                        let found = self.describe();
                        let mut diag = Diagnostic::new(
                            Code::Syntax,
                            format!("expected `machine`, found {found}"),
                            self.span(),
                            "expected `machine`",
                        );
                        if item_kw {
                            diag = diag.with_help("items go inside `machine Name { ... }`");
                        }
                        self.report(diag);
                    }
                    self.sync(0, Sync::Top);
                }
            }
            self.ensure_progress(before);
        }
        self.check_machine_count(&machines);
        machines
    }

    fn check_machine_count(&mut self, machines: &[Machine]) {
        match machines {
            [] if self.error_count == 0 => {
                self.report(
                    Diagnostic::new(
                        Code::MachineCount,
                        "file holds no machine",
                        Span::point(0),
                        "expected `machine Name { ... }`",
                    )
                    .with_help("a spec holds exactly one `machine Name { ... }`"),
                );
            }
            [first, second, ..] => {
                let label_span = Span::new(
                    second.span.start,
                    second.name.span.end.max(second.span.start),
                );
                let mut diag = Diagnostic::new(
                    Code::MachineCount,
                    format!(
                        "file holds more than one machine: `{}` follows `{}`",
                        second.name.name, first.name.name
                    ),
                    label_span,
                    "second machine",
                )
                .with_secondary(first.name.span, "first machine")
                .with_help("put each machine in its own file");
                if machines.len() > 2 {
                    diag = diag.with_note(format!("the file holds {} machines", machines.len()));
                }
                self.report(diag);
            }
            _ => {}
        }
    }

    fn machine(&mut self) -> Option<Machine> {
        let docs = self.take_docs();
        self.item_col = self.col(self.pos);
        let kw = self.bump();
        let name = match self.ident("a machine name") {
            Ok(name) => name,
            Err(Recover) if self.at(&TokenKind::LBrace) => Ident {
                name: String::new(),
                span: Span::point(self.span().start),
            },
            Err(Recover) => {
                self.sync(0, Sync::Top);
                return None;
            }
        };
        if !self.at(&TokenKind::LBrace) {
            self.expected("`{`");
            self.sync(0, Sync::Top);
            return None;
        }
        let open = self.bump();
        let level = self.delims.len();
        self.recovering = false;
        let mut items = Vec::new();
        let end;
        loop {
            let before = self.pos;
            self.delims.truncate(level);
            self.depth = 0;
            self.closing = false;
            self.broken = false;
            self.in_guards = false;
            if self.doubled_brace("an item") {
                continue;
            }
            match self.kind() {
                TokenKind::Semi => {
                    self.bump();
                }
                TokenKind::RBrace if self.stray_close(self.recovering, open) => {
                    self.bump();
                }
                TokenKind::RBrace => {
                    self.drop_docs();
                    end = self.bump().end;
                    break;
                }
                TokenKind::Eof => {
                    self.expected("`}`");
                    end = self.src.len() as u32;
                    break;
                }
                TokenKind::Keyword(Keyword::Machine) => {
                    self.unclosed(level);
                    end = self.prev_end;
                    break;
                }
                TokenKind::Keyword(kw) if kw.starts_item() => self.item(level, &mut items),
                _ => {
                    // Keep the column of the previous item: what follows
                    // an item and is no item usually belongs to it; treat it
                    // as a broken transition header, so that only a `guard`
                    // at the items' indentation counts as an item.
                    self.item_is_transition = true;
                    let found_ident = self.ident_text().is_some();
                    let found_fn = self.at_kw(Keyword::Fn);
                    if self.kind() != &TokenKind::Error {
                        let found = self.describe();
                        let mut diag = Diagnostic::new(
                            Code::Syntax,
                            format!("expected an item, found {found}"),
                            self.span(),
                            "expected an item",
                        );
                        if found_ident {
                            diag = diag.with_help(
                                "an item starts with a keyword: `state`, `input`, `transition`, …",
                            );
                        } else if found_fn {
                            diag = diag.with_help("`fn` lines go inside `impl Trait { ... }`");
                        }
                        self.report(diag);
                    }
                    self.sync(level, Sync::Item);
                    self.recovering = true;
                }
            }
            self.ensure_progress(before);
        }
        Some(Machine {
            docs,
            name,
            items,
            span: Span::new(kw.start, end.max(kw.start)),
        })
    }

    fn item(&mut self, level: usize, items: &mut Vec<Item>) {
        let docs = self.take_docs();
        let start = self.span().start;
        self.item_col = self.col(self.pos);
        self.item_is_transition = self.at_kw(Keyword::Transition);
        let result = self.item_kind();
        let span = Span::new(start, self.prev_end.max(start));
        let failed = result.is_err();
        if let Ok(mut kind) = result {
            if let ItemKind::Ignore { span: s, .. } = &mut kind {
                *s = span;
            }
            items.push(Item { docs, kind, span });
        }
        if self.broken || failed {
            self.sync(level, Sync::Item);
            self.broken = false;
            self.recovering = true;
        } else {
            self.eat(&TokenKind::Semi);
        }
    }

    fn item_kind(&mut self) -> PResult<ItemKind> {
        let TokenKind::Keyword(kw) = *self.kind() else {
            return Err(self.expected("an item"));
        };
        if kw == Keyword::Transition {
            return self.transition().map(ItemKind::Transition);
        }
        if kw == Keyword::Guard {
            return self.misplaced_guard();
        }
        self.bump();
        Ok(match kw {
            Keyword::Key => {
                let name = self.ident("a key name")?;
                self.expect(&TokenKind::Colon, "`:`")?;
                let ty = self.ty()?;
                ItemKind::Key { name, ty }
            }
            Keyword::Extern => {
                let name = self.ident("a type name")?;
                self.expect(&TokenKind::Eq, "`=`")?;
                let path = self.rust_path()?;
                ItemKind::Extern { name, path }
            }
            Keyword::Enum => {
                let name = self.ident("an enum name")?;
                let rust_path = if self.eat(&TokenKind::Eq).is_some() {
                    Some(self.rust_path()?)
                } else {
                    None
                };
                let variants = self.variants("a variant name")?;
                ItemKind::Enum {
                    name,
                    rust_path,
                    variants,
                }
            }
            Keyword::Phases if self.at(&TokenKind::Ident) => {
                let name = self.ident("a name for the phase set")?;
                self.expect(&TokenKind::Eq, "`=`")?;
                let mut phases = vec![self.ident("a phase name")?];
                while self.eat(&TokenKind::Pipe).is_some() {
                    phases.push(self.ident("a phase name")?);
                }
                ItemKind::PhaseSet { name, phases }
            }
            Keyword::Phases => ItemKind::Phases(self.variants("a phase name")?),
            Keyword::Const => {
                let name = self.ident("a constant name")?;
                self.expect(&TokenKind::Colon, "`:`")?;
                let ty = self.ty()?;
                self.expect(&TokenKind::Eq, "`=`")?;
                let value = self.expr_or_error();
                ItemKind::Const { name, ty, value }
            }
            Keyword::Guards => ItemKind::Guards(self.machine_guards()?),
            Keyword::Action => {
                let name = self.ident("an action name")?;
                let params = if self.at(&TokenKind::LParen) {
                    self.params()?
                } else {
                    Vec::new()
                };
                if self.closing {
                    // The parameter list was not closed (reported).
                    return Err(Recover);
                }
                if !self.at(&TokenKind::LBrace) {
                    return Err(self.expected("`{`"));
                }
                let body = self.block()?;
                ItemKind::Action(Action { name, params, body })
            }
            Keyword::Initial => ItemKind::Initial(self.ident("a phase name")?),
            Keyword::Terminal => {
                let mut phases = vec![self.ident("a phase name")?];
                while self.eat(&TokenKind::Comma).is_some() {
                    phases.push(self.ident("a phase name")?);
                }
                ItemKind::Terminal(phases)
            }
            Keyword::State => ItemKind::State(self.fields()?),
            Keyword::Input => ItemKind::Input(self.signature("an input name")?),
            Keyword::Effect => ItemKind::Effect(self.signature("an effect name")?),
            Keyword::Derive => {
                let name = self.ident("a name for the derived value")?;
                self.expect(&TokenKind::Colon, "`:`")?;
                let ty = self.ty()?;
                self.expect(&TokenKind::Eq, "`=`")?;
                let value = self.expr_or_error();
                ItemKind::Derive { name, ty, value }
            }
            Keyword::Ignore => {
                let mut inputs = vec![self.ident("an input name")?];
                while self.eat(&TokenKind::Comma).is_some() {
                    inputs.push(self.ident("an input name")?);
                }
                self.expect_kw(Keyword::In)?;
                let sources = self.sources()?;
                ItemKind::Ignore {
                    inputs,
                    sources,
                    span: Span::default(),
                }
            }
            Keyword::Invariant => {
                // `always` is a modifier only when a name follows it, so an
                // invariant may still be called `always`.
                let always =
                    self.ident_text() == Some("always") && self.kind_at(1) == &TokenKind::Ident;
                if always {
                    self.ident("`always`")?;
                }
                let name = self.ident("an invariant name")?;
                self.expect(&TokenKind::Colon, "`:`")?;
                let expr = self.expr_or_error();
                ItemKind::Invariant { name, expr, always }
            }
            Keyword::Verify => ItemKind::Verify(self.settings()?),
            Keyword::Impl => {
                let trait_name = self.ident("a trait name")?;
                let methods = self.impl_methods()?;
                ItemKind::Impl {
                    trait_name,
                    methods,
                }
            }
            _ => return Err(self.expected("an item")),
        })
    }

    /// `path::to::Type`
    fn rust_path(&mut self) -> PResult<Vec<Ident>> {
        let mut path = vec![self.ident("a Rust type path")?];
        while self.eat(&TokenKind::ColonColon).is_some() {
            path.push(self.ident("a path segment")?);
        }
        Ok(path)
    }

    /// A `guard` line at machine level, where guards live in a `guards { }`
    /// block: reported, and kept as such a block so that the transitions
    /// using it are still checked.
    fn misplaced_guard(&mut self) -> PResult<ItemKind> {
        let start = self.span();
        let found = self.describe();
        self.report(
            Diagnostic::new(
                Code::Syntax,
                format!("expected an item, found {found}"),
                start,
                "a guard outside a transition and outside `guards { }`",
            )
            .with_help("machine-level guards go in a `guards { }` block"),
        );
        self.bump();
        let name = self.ident("a guard name")?;
        let params = if self.at(&TokenKind::LParen) {
            self.params()?
        } else {
            Vec::new()
        };
        let expr = if self.eat(&TokenKind::Colon).is_some() {
            self.expr_or_error()
        } else {
            // No condition: kept without one, so its uses are not reported.
            crate::ast::Expr {
                kind: crate::ast::ExprKind::Error,
                span: Span::point(self.prev_end),
            }
        };
        let span = Span::new(name.span.start, self.prev_end.max(name.span.start));
        Ok(ItemKind::Guards(vec![MachineGuard {
            docs: Default::default(),
            name,
            params,
            expr,
            span,
        }]))
    }

    /// The elements of a `{ … }` block whose `{` was just consumed, up to
    /// its `}`: `element` parses one; `;` (and `,` with `commas`) between
    /// elements are skipped; a failed element is skipped to the start of
    /// the next (`sync`). Without `docs`, doc comments before an element
    /// document nothing and are dropped.
    fn braced<T>(&mut self, b: Braced, mut element: impl FnMut(&mut Self) -> PResult<T>) -> Vec<T> {
        let level = self.delims.len();
        let mut out = Vec::new();
        loop {
            let before = self.pos;
            if !b.docs {
                self.drop_docs();
            }
            if self.doubled_brace(b.doubled) {
                continue;
            }
            match self.kind() {
                TokenKind::Semi => {
                    self.bump();
                }
                TokenKind::Comma if b.commas => {
                    self.bump();
                }
                TokenKind::RBrace => {
                    self.drop_docs();
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.expected(b.eof);
                    break;
                }
                _ if self.at_item_boundary() => {
                    self.unclosed(level);
                    break;
                }
                _ => {
                    match element(self) {
                        Ok(e) => out.push(e),
                        Err(Recover) => self.broken = true,
                    }
                    if self.broken {
                        self.sync(level, b.sync);
                        self.broken = false;
                    }
                }
            }
            self.ensure_progress(before);
        }
        out
    }

    /// `guards { entry* }`, each entry `name: expr` or
    /// `name(param: Type, ...): expr`, with docs.
    fn machine_guards(&mut self) -> PResult<Vec<MachineGuard>> {
        self.expect(&TokenKind::LBrace, "`{`")?;
        Ok(self.braced(
            Braced {
                doubled: "a guard name or `}`",
                eof: "a guard or `}`",
                commas: true,
                docs: true,
                sync: Sync::Field,
            },
            Self::machine_guard,
        ))
    }

    fn machine_guard(&mut self) -> PResult<MachineGuard> {
        let docs = self.take_docs();
        let name = self.ident("a guard name or `}`")?;
        let params = if self.at(&TokenKind::LParen) {
            self.params()?
        } else {
            Vec::new()
        };
        if self.closing {
            // The parameter list was not closed (reported).
            return Err(Recover);
        }
        self.expect(&TokenKind::Colon, "`:`")?;
        let expr = self.expr_or_error();
        let span = Span::new(name.span.start, self.prev_end.max(name.span.start));
        Ok(MachineGuard {
            docs,
            name,
            params,
            expr,
            span,
        })
    }

    /// `{ fn name(params) = target ... }` of an `impl` item, with docs.
    fn impl_methods(&mut self) -> PResult<Vec<ImplMethod>> {
        self.expect(&TokenKind::LBrace, "`{`")?;
        Ok(self.braced(
            Braced {
                doubled: "`fn` or `}`",
                eof: "`fn` or `}`",
                commas: true,
                docs: true,
                sync: Sync::Method,
            },
            Self::impl_method,
        ))
    }

    /// `fn name(a, b) = target`; the target is an input name, `snapshot`,
    /// `phase`, `field name` or `derive name`.
    fn impl_method(&mut self) -> PResult<ImplMethod> {
        let docs = self.take_docs();
        if !self.at_kw(Keyword::Fn) {
            return Err(self.expected("`fn` or `}`"));
        }
        let start = self.bump().start;
        let name = self.method_name()?;
        let (params, params_span) = if self.at(&TokenKind::LParen) {
            let (params, span) =
                self.comma_list(Delim::Paren, false, |p| p.param_name("a parameter name"))?;
            (params, Some(span))
        } else {
            (Vec::new(), None)
        };
        if self.closing {
            // The parameter list was not closed (reported).
            return Err(Recover);
        }
        self.expect(&TokenKind::Eq, "`=`")?;
        let target = if self.at_kw(Keyword::Phase) {
            ImplTarget::Phase(self.bump())
        } else if self.eat_kw(Keyword::Derive).is_some() {
            ImplTarget::Derive(self.ident("a derived value name")?)
        } else if self.ident_text() == Some("snapshot") {
            ImplTarget::Snapshot(self.bump())
        } else if self.ident_text() == Some("field") && self.kind_at(1) == &TokenKind::Ident {
            self.bump();
            ImplTarget::Field(self.ident("a field name")?)
        } else {
            ImplTarget::Input(
                self.ident("an input name, `snapshot`, `phase`, `field name` or `derive name`")?,
            )
        };
        let args = if matches!(target, ImplTarget::Input(_)) && self.at(&TokenKind::LParen) {
            let (args, _) = self.comma_list(Delim::Paren, false, |p| {
                let param = p.param_name("a parameter name")?;
                let mut fields = Vec::new();
                while p.eat(&TokenKind::Dot).is_some() {
                    fields.push(p.param_name("a field name")?);
                }
                let end = fields.last().map_or(param.span, |f| f.span);
                Ok(ArgPath {
                    span: param.span.to(end),
                    param,
                    fields,
                })
            })?;
            if self.closing {
                return Err(Recover);
            }
            Some(args)
        } else {
            None
        };
        Ok(ImplMethod {
            docs,
            name,
            params,
            params_span,
            target,
            args,
            span: Span::new(start, self.prev_end.max(start)),
        })
    }

    /// `(name: Type, ...)` with docs on each parameter, the cursor on `(`.
    fn params(&mut self) -> PResult<Vec<Param>> {
        Ok(self
            .comma_list(Delim::Paren, true, |p| {
                let docs = p.take_docs();
                let name = p.param_name("a parameter name")?;
                p.expect(&TokenKind::Colon, "`:`")?;
                let ty = p.ty()?;
                Ok(Param { docs, name, ty })
            })?
            .0)
    }

    /// `{ A, B, }` with docs on each variant.
    fn variants(&mut self, what: &str) -> PResult<Vec<Variant>> {
        self.expect(&TokenKind::LBrace, "`{`")?;
        let level = self.delims.len();
        let mut variants = Vec::new();
        let mut errored = false;
        loop {
            let before = self.pos;
            if self.doubled_brace("a variant name") {
                continue;
            }
            match self.kind() {
                TokenKind::RBrace => {
                    self.drop_docs();
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.expected("`}`");
                    break;
                }
                _ if self.at_item_boundary() => {
                    self.unclosed(level);
                    break;
                }
                TokenKind::Ident => {
                    let docs = self.take_docs();
                    let name = self.ident(what)?;
                    variants.push(Variant { docs, name });
                    if self.eat(&TokenKind::Comma).is_some()
                        || self.at(&TokenKind::RBrace)
                        || self.at_item_boundary()
                    {
                        continue;
                    }
                    if !errored {
                        self.expected("`,` or `}`");
                        errored = true;
                    }
                    // A missing comma before the next name: go on with it.
                    if !self.at(&TokenKind::Ident) {
                        self.sync(level, Sync::List { named: false });
                        self.eat(&TokenKind::Comma);
                    }
                }
                _ => {
                    if !errored {
                        let _ = self.ident(what);
                        errored = true;
                    }
                    self.sync(level, Sync::List { named: false });
                    self.eat(&TokenKind::Comma);
                }
            }
            self.ensure_progress(before);
        }
        Ok(variants)
    }

    /// `state { name: Type = init ... }`
    fn fields(&mut self) -> PResult<Vec<Field>> {
        self.expect(&TokenKind::LBrace, "`{`")?;
        Ok(self.braced(
            Braced {
                doubled: "a field name or `}`",
                eof: "a field or `}`",
                commas: false,
                docs: true,
                sync: Sync::Field,
            },
            Self::field,
        ))
    }

    fn field(&mut self) -> PResult<Field> {
        let docs = self.take_docs();
        let name = self.ident("a field name or `}`")?;
        self.expect(&TokenKind::Colon, "`:`")?;
        let ty = match self.ty() {
            Ok(ty) => ty,
            Err(Recover) => {
                // Keep the field, with a type that is not checked, so that
                // its uses do not become errors too.
                self.broken = true;
                let at = Span::point(self.prev_end);
                let init = crate::ast::Expr {
                    kind: crate::ast::ExprKind::Error,
                    span: at,
                };
                return Ok(Field {
                    docs,
                    ty: crate::ast::TypeExpr {
                        name: Ident {
                            name: String::new(),
                            span: at,
                        },
                        args: Vec::new(),
                        span: at,
                    },
                    span: name.span.to(at),
                    name,
                    init,
                });
            }
        };
        let init = if self.eat(&TokenKind::Eq).is_some() {
            self.expr_or_error()
        } else {
            // Keep the field so that its uses do not become errors too.
            let at = self.span();
            let _ = self.expected("`=` and an initial value");
            self.broken = true;
            crate::ast::Expr {
                kind: crate::ast::ExprKind::Error,
                span: Span::point(at.start),
            }
        };
        let span = name.span.to(Span::point(self.prev_end));
        Ok(Field {
            docs,
            name,
            ty,
            init,
            span,
        })
    }

    /// The name and optional `(params)` of an input or effect.
    fn signature(&mut self, what: &str) -> PResult<Signature> {
        let name = self.ident(what)?;
        let params = if self.at(&TokenKind::LParen) {
            self.params()?
        } else {
            Vec::new()
        };
        Ok(Signature { name, params })
    }

    /// `guard name`, `guard name(args)` or `guard name: expr` (the cursor
    /// is on `guard`).
    fn guard_def(&mut self) -> PResult<GuardDef> {
        let start = self.bump();
        let name = self.ident("a guard name")?;
        let mut args = Vec::new();
        let mut expr = None;
        if self.at(&TokenKind::LParen) {
            args = self.comma_list(Delim::Paren, false, |p| p.expr())?.0;
        } else if self.eat(&TokenKind::Colon).is_some() {
            expr = Some(self.expr_or_error());
        }
        Ok(GuardDef {
            name,
            args,
            expr,
            span: Span::new(start.start, self.prev_end.max(start.start)),
        })
    }

    fn transition(&mut self) -> PResult<Transition> {
        self.bump();
        let name = self.ident("a transition name")?;
        self.expect_kw(Keyword::On)?;
        let input = self.ident("an input name")?;
        self.expect_kw(Keyword::From)?;
        let sources = self.sources()?;
        if self.at(&TokenKind::LBrace) {
            // `from A {`: the target was left out.
            let diag_at = self.diags.len();
            let err = self.expected("`->`");
            if let Some(diag) = self.diags.get_mut(diag_at) {
                diag.help = Some(
                    "a transition names where it goes: `-> stay` to remain in the phase, \
                     or `-> Phase`"
                        .into(),
                );
                let at = Span::point(self.prev_end);
                diag.add_fix(crate::Fix::replace("add `-> stay`", at, " -> stay"));
            }
            return Err(err);
        }
        self.expect(&TokenKind::Arrow, "`->`")?;
        let target = match self.eat_kw(Keyword::Stay) {
            Some(span) => Target::Stay(span),
            None => Target::Phase(self.ident("a target phase or `stay`")?),
        };
        let mut transition = Transition {
            name,
            input,
            sources,
            target,
            guards: Vec::new(),
            body: None,
        };
        let level = self.delims.len();
        self.in_guards = true;
        while self.at_kw(Keyword::Guard) {
            let before = self.pos;
            self.drop_docs();
            match self.guard_def() {
                Ok(guard) => transition.guards.push(guard),
                Err(Recover) => self.broken = true,
            }
            if self.broken {
                self.sync(level, Sync::Guard);
                self.broken = false;
            }
            self.ensure_progress(before);
        }
        self.in_guards = false;
        if self.at(&TokenKind::LBrace) {
            self.drop_docs();
            transition.body = Some(self.block()?);
        }
        Ok(transition)
    }

    /// `A | B`, `*` or `* except A | B`.
    pub(super) fn sources(&mut self) -> PResult<Sources> {
        if let Some(star) = self.eat(&TokenKind::Star) {
            let mut except = Vec::new();
            if self.eat_kw(Keyword::Except).is_some() {
                except.push(self.ident("a phase name")?);
                while self.eat(&TokenKind::Pipe).is_some() {
                    except.push(self.ident("a phase name")?);
                }
            }
            let span = star.to(Span::point(self.prev_end));
            return Ok(Sources::All { except, span });
        }
        if !self.at(&TokenKind::Ident) {
            return Err(self.expected("a phase name or `*`"));
        }
        let mut phases = vec![self.ident("a phase name")?];
        while self.eat(&TokenKind::Pipe).is_some() {
            phases.push(self.ident("a phase name")?);
        }
        Ok(Sources::List(phases))
    }

    /// `verify { setting* }`
    fn settings(&mut self) -> PResult<Vec<VerifySetting>> {
        self.expect(&TokenKind::LBrace, "`{`")?;
        Ok(self.braced(
            Braced {
                doubled: "a setting",
                eof: "a setting or `}`",
                commas: false,
                docs: false,
                sync: Sync::Setting,
            },
            Self::setting,
        ))
    }

    fn setting(&mut self) -> PResult<VerifySetting> {
        let word = self.ident_text().unwrap_or("");
        let start = self.span().start;
        let kind = match word {
            "domain" => {
                self.bump();
                let target = if self.at(&TokenKind::Ident) && *self.kind_at(1) == TokenKind::Dot {
                    let input = self.ident("an input name")?;
                    self.bump();
                    let param = self.ident("a parameter name")?;
                    DomainTarget::Param { input, param }
                } else {
                    DomainTarget::Type(self.ty()?)
                };
                self.expect(&TokenKind::Eq, "`=`")?;
                let values = self.domain_values()?;
                VerifyKind::Domain { target, values }
            }
            "max_depth" | "max_states" | "max_collection" => {
                self.bump();
                let (value, span) = self.setting_number(word)?;
                match word {
                    "max_depth" => VerifyKind::MaxDepth(value, span),
                    "max_states" => VerifyKind::MaxStates(value, span),
                    _ => VerifyKind::MaxCollection(value, span),
                }
            }
            "reach" | "always_possible" => {
                self.bump();
                let name = self.ident(if word == "reach" {
                    "a name for the goal"
                } else {
                    "a name for the property"
                })?;
                self.expect(&TokenKind::Colon, "`:`")?;
                let expr = self.expr_or_error();
                if word == "reach" {
                    VerifyKind::Reach { name, expr }
                } else {
                    VerifyKind::AlwaysPossible { name, expr }
                }
            }
            "bound" => {
                self.bump();
                VerifyKind::Bound(self.expr_or_error())
            }
            "allow_overflow" => {
                self.bump();
                let mut names = vec![self.ident("a transition name")?];
                while self.at(&TokenKind::Comma) {
                    self.bump();
                    names.push(self.ident("a transition name")?);
                }
                VerifyKind::AllowOverflow(names)
            }
            _ => {
                let found = self.describe();
                let span = self.span();
                if self.kind() == &TokenKind::Error {
                    return Err(Recover);
                }
                if self.at_eof() {
                    return Err(self.expected("a setting"));
                }
                self.report(
                    Diagnostic::new(
                        Code::Syntax,
                        format!("expected a setting, found {found}"),
                        span,
                        "expected a setting",
                    )
                    .with_help(
                        "the settings are `domain`, `max_depth`, `max_states`, \
                         `max_collection`, `bound`, `reach`, `always_possible` \
                         and `allow_overflow`",
                    ),
                );
                return Err(Recover);
            }
        };
        Ok(VerifySetting {
            kind,
            span: Span::new(start, self.prev_end.max(start)),
        })
    }

    fn setting_number(&mut self, setting: &str) -> PResult<(u64, Span)> {
        let TokenKind::Int(value) = *self.kind() else {
            return Err(self.expected("an integer"));
        };
        if self.bad_number() {
            self.bump();
            return Err(Recover);
        }
        let span = self.bump();
        match u64::try_from(value) {
            Ok(v) => Ok((v, span)),
            Err(_) => {
                self.report(Diagnostic::new(
                    Code::InvalidVerify,
                    format!("`{setting}` is too large"),
                    span,
                    format!("at most {}", u64::MAX),
                ));
                Ok((u64::MAX, span))
            }
        }
    }

    /// `lo..hi`, `lo..=hi` or `[values]`.
    fn domain_values(&mut self) -> PResult<DomainValues> {
        if self.at(&TokenKind::LBracket) {
            let (values, span) = self.comma_list(Delim::Bracket, false, |p| p.expr())?;
            return Ok(DomainValues::List(values, span));
        }
        let TokenKind::Int(lo) = *self.kind() else {
            return Err(self.expected("a range `lo..hi` or a list `[...]`"));
        };
        let lo_bad = self.bad_number();
        let start = self.bump();
        let inclusive = match self.kind() {
            TokenKind::DotDot => false,
            TokenKind::DotDotEq => true,
            _ => return Err(self.expected("`..` or `..=`")),
        };
        self.bump();
        let TokenKind::Int(hi) = *self.kind() else {
            return Err(self.expected("an integer"));
        };
        let hi_bad = self.bad_number();
        let end = self.bump();
        if lo_bad || hi_bad {
            // The lexer reported the literal; the range is not checked.
            return Err(Recover);
        }
        Ok(DomainValues::Range {
            lo,
            hi,
            inclusive,
            span: start.to(end),
        })
    }
}

/// How [`Parser::braced`] reads one kind of block.
struct Braced {
    /// What a doubled `{` stands where, e.g. "a field name or `}`".
    doubled: &'static str,
    /// What was expected at the end of the file.
    eof: &'static str,
    /// Whether `,` may separate elements (as `;` always may).
    commas: bool,
    /// Whether elements take doc comments.
    docs: bool,
    sync: Sync,
}
