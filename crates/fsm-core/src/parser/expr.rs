//! Types, blocks, statements and expressions.
//!
//! Expressions use precedence climbing over [`BinaryOp::precedence`];
//! comparisons do not associate (`a == b == c` is reported, then parsed as
//! `(a == b) == c` so that nothing else is reported about it).

use super::{Delim, PResult, Parser, Recover, Sync};
use crate::ast::{
    Arg, AssignOp, BinaryOp, Block, Else, Expr, ExprKind, Ident, Quantifier, Stmt, StmtKind,
    TypeExpr, UnaryOp,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::lexer::{Keyword, Token, TokenKind};
use crate::span::Span;

/// Binding power of comparisons, which do not chain.
const COMPARISON: u8 = 3;

impl Parser<'_> {
    // --- types

    /// `Name` or `Name<T, U>`.
    pub(super) fn ty(&mut self) -> PResult<TypeExpr> {
        let saved = self.in_type;
        self.in_type = true;
        let result = self.ty_inner();
        self.in_type = saved;
        result
    }

    fn ty_inner(&mut self) -> PResult<TypeExpr> {
        let name = self.ident("a type")?;
        let mut args = Vec::new();
        if self.at(&TokenKind::Lt) {
            args = self.nested(|p| {
                p.bump();
                let mut args = vec![p.ty()?];
                while p.eat(&TokenKind::Comma).is_some() {
                    if p.at_gt() {
                        break;
                    }
                    args.push(p.ty()?);
                }
                p.expect_gt()?;
                Ok(args)
            })?;
        }
        let span = name.span.to(Span::point(self.prev_end));
        Ok(TypeExpr { name, args, span })
    }

    fn at_gt(&self) -> bool {
        matches!(self.kind(), TokenKind::Gt | TokenKind::Ge)
    }

    /// Consumes a `>`, splitting `>=` (as in `Option<u8>= none`).
    fn expect_gt(&mut self) -> PResult<Span> {
        match self.kind() {
            TokenKind::Gt => Ok(self.bump()),
            TokenKind::Ge => {
                let span = self.span();
                let gt = Span::new(span.start, span.start + 1);
                if let Some(tok) = self.toks.get_mut(self.pos) {
                    *tok = Token {
                        kind: TokenKind::Eq,
                        span: Span::new(span.start + 1, span.end),
                    };
                }
                self.prev_end = gt.end;
                Ok(gt)
            }
            _ => Err(self.expected("`,` or `>`")),
        }
    }

    // --- lists

    /// A comma-separated list between delimiters, the cursor on the opening
    /// one; a trailing comma is allowed. Errors inside an element are
    /// recovered at the next comma; after the first one, further syntax
    /// errors in the list are not reported. `named` says whether elements
    /// may be `name: …` (parameters, `emit` arguments). Returns the elements
    /// and the span from the opening to the closing delimiter.
    pub(super) fn comma_list<T>(
        &mut self,
        delim: Delim,
        named: bool,
        element: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<(Vec<T>, Span)> {
        let muted = self.muted;
        let result = self.comma_list_inner(delim, named, element);
        self.muted = muted;
        result
    }

    fn comma_list_inner<T>(
        &mut self,
        delim: Delim,
        named: bool,
        mut element: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<(Vec<T>, Span)> {
        let open = self.bump();
        let level = self.delims.len();
        let close_kind = match delim {
            Delim::Brace => TokenKind::RBrace,
            Delim::Paren => TokenKind::RParen,
            Delim::Bracket => TokenKind::RBracket,
        };
        let sep_or_close = format!("`,` or `{}`", delim.close_str());
        let mut out = Vec::new();
        let mut errored = false;
        loop {
            let before = self.pos;
            if self.at(&close_kind) {
                let close = self.bump();
                return Ok((out, open.to(close)));
            }
            if self.at_eof() {
                self.expected(&format!("`{}`", delim.close_str()));
                return Ok((out, open.to(self.span())));
            }
            if self.at_list_end(level, delim, named) {
                if errored {
                    self.closing = true;
                    self.delims.truncate(level.saturating_sub(1));
                } else {
                    self.unclosed(level);
                }
                return Ok((out, open.to(Span::point(self.prev_end))));
            }
            match element(self) {
                Ok(value) => {
                    out.push(value);
                    if self.eat(&TokenKind::Comma).is_some()
                        || self.at(&close_kind)
                        || self.at_list_end(level, delim, named)
                    {
                        continue;
                    }
                    if !errored {
                        self.expected(&sep_or_close);
                    }
                    // A missing comma before the next value: go on with it.
                    if !self.at_value_start() {
                        self.sync(level, Sync::List { named });
                        self.eat(&TokenKind::Comma);
                    }
                }
                Err(Recover) => {
                    self.sync(level, Sync::List { named });
                    self.eat(&TokenKind::Comma);
                }
            }
            if !errored {
                errored = true;
                self.muted += 1;
            }
            self.ensure_progress(before);
        }
    }

    /// Whether the list opened at `delims[level - 1]` evidently ended
    /// without its closing delimiter: at the next item, at a closing
    /// delimiter of an outer construct, or at a statement or a field
    /// starting a new line.
    fn at_list_end(&self, level: usize, delim: Delim, named: bool) -> bool {
        self.at_item_boundary()
            || self.at_foreign_closer(level, delim)
            || self.at_line_resume(named)
            || self.at_header_boundary()
    }

    /// Whether a statement, a field (`name:` where no element has a
    /// name) or a parameterized guard (`name(`, which no expression starts
    /// with) starts a new line here: inside a list, the list was not
    /// closed.
    pub(super) fn at_line_resume(&self, named: bool) -> bool {
        self.line_first.get(self.pos).copied().unwrap_or(false)
            && (self.at_unambiguous_stmt_start()
                || (*self.kind() == TokenKind::Ident
                    && (*self.kind_at(1) == TokenKind::LParen
                        || (!named && *self.kind_at(1) == TokenKind::Colon))))
    }

    /// Whether the current token can start an expression (used to go on
    /// after a missing comma).
    fn at_value_start(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Ident
                | TokenKind::Int(_)
                | TokenKind::Str(_)
                | TokenKind::LParen
                | TokenKind::LBracket
                | TokenKind::Bang
                | TokenKind::Keyword(
                    Keyword::True
                        | Keyword::False
                        | Keyword::None
                        | Keyword::Some
                        | Keyword::All
                        | Keyword::Any
                        | Keyword::Phase
                        | Keyword::Target
                )
        )
    }

    // --- blocks and statements

    /// `{ stmt* }`
    pub(super) fn block(&mut self) -> PResult<Block> {
        self.nested(|p| p.block_inner(false))
    }

    /// The block of an `if` before a possible `else`.
    fn then_block(&mut self) -> PResult<Block> {
        self.nested(|p| p.block_inner(true))
    }

    fn block_inner(&mut self, then: bool) -> PResult<Block> {
        let open = self.expect(&TokenKind::LBrace, "`{`")?;
        self.block_body(open, then)
    }

    /// A block whose `{` is missing (already reported) before a statement:
    /// its statements are parsed as if the brace were there, up to the `}`
    /// the author meant to close it with, so the rest (an `else`) parses.
    fn block_without_open(&mut self) -> PResult<Block> {
        let open = Span::point(self.prev_end);
        self.delims.push((Delim::Brace, open));
        self.block_body(open, true)
    }

    /// The statements of a block up to its `}`, the `{` consumed. In the
    /// block of an `if` (`then`), an `else` ends a block whose `}` is
    /// missing (reported), so the `else` branch still parses.
    fn block_body(&mut self, open: Span, then: bool) -> PResult<Block> {
        let level = self.delims.len();
        let mut stmts = Vec::new();
        // Set once a statement of this block failed.
        let mut recovering = false;
        loop {
            let before = self.pos;
            self.drop_docs();
            if self.doubled_brace("a statement") {
                continue;
            }
            match self.kind() {
                TokenKind::Semi => {
                    self.bump();
                }
                TokenKind::RBrace if self.stray_close(recovering, open) => {
                    self.bump();
                }
                TokenKind::RBrace => {
                    let close = self.bump();
                    return Ok(Block {
                        stmts,
                        span: open.to(close),
                    });
                }
                TokenKind::Eof => {
                    self.expected("`}`");
                    return Ok(Block {
                        stmts,
                        span: open.to(self.span()),
                    });
                }
                _ if self.at_item_boundary() => {
                    self.unclosed(level);
                    return Ok(Block {
                        stmts,
                        span: open.to(Span::point(self.prev_end)),
                    });
                }
                TokenKind::Keyword(Keyword::Else) if then => {
                    if !recovering {
                        let _ = self.expected("`}`");
                    }
                    self.delims.truncate(level.saturating_sub(1));
                    return Ok(Block {
                        stmts,
                        span: open.to(Span::point(self.prev_end)),
                    });
                }
                _ => match self.stmt() {
                    Ok(stmt) => {
                        stmts.push(stmt);
                        self.eat(&TokenKind::Semi);
                    }
                    Err(Recover) => {
                        self.sync(level, Sync::Stmt);
                        recovering = true;
                    }
                },
            }
            self.ensure_progress(before);
        }
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        let start = self.span().start;
        let kind = match self.kind() {
            TokenKind::Keyword(Keyword::If) => return self.if_stmt(),
            TokenKind::Keyword(Keyword::Emit) => {
                self.bump();
                let effect = self.ident("an effect name")?;
                let mut args = Vec::new();
                if self.at(&TokenKind::LParen) {
                    args = self.comma_list(Delim::Paren, true, |p| p.arg())?.0;
                }
                StmtKind::Emit { effect, args }
            }
            TokenKind::Keyword(Keyword::Do) => {
                self.bump();
                let action = self.ident("an action name")?;
                let mut args = Vec::new();
                if self.at(&TokenKind::LParen) {
                    args = self.comma_list(Delim::Paren, false, |p| p.expr())?.0;
                }
                StmtKind::Do { action, args }
            }
            TokenKind::Ident => {
                let target = self.ident("a field name")?;
                let op = match self.kind() {
                    TokenKind::Eq => Some(AssignOp::Set),
                    TokenKind::PlusEq => Some(AssignOp::Add),
                    TokenKind::MinusEq => Some(AssignOp::Sub),
                    _ => None,
                };
                if let Some(op) = op {
                    self.bump();
                    let value = self.expr()?;
                    StmtKind::Assign { target, op, value }
                } else if self.eat(&TokenKind::Dot).is_some() {
                    let method = self.ident("a method name")?;
                    if !self.at(&TokenKind::LParen) {
                        return Err(self.expected("`(`"));
                    }
                    let args = self.comma_list(Delim::Paren, false, |p| p.expr())?.0;
                    StmtKind::Call {
                        target,
                        method,
                        args,
                    }
                } else {
                    return Err(self.expected("`=`, `+=`, `-=` or `.`"));
                }
            }
            TokenKind::Keyword(kw @ (Keyword::Phase | Keyword::Target)) => {
                let span = self.span();
                let word = kw.as_str();
                self.report(
                    Diagnostic::new(
                        Code::Syntax,
                        format!("expected a statement, found keyword `{word}`"),
                        span,
                        "expected a statement",
                    )
                    .with_help("a transition changes the phase through its target (`-> Phase`)"),
                );
                return Err(Recover);
            }
            _ => return Err(self.expected("a statement")),
        };
        Ok(Stmt {
            kind,
            span: Span::new(start, self.prev_end.max(start)),
        })
    }

    /// `name: expr` or `expr`, in an `emit`.
    fn arg(&mut self) -> PResult<Arg> {
        let name = if matches!(
            self.kind(),
            TokenKind::Ident | TokenKind::Keyword(Keyword::Phase)
        ) && *self.kind_at(1) == TokenKind::Colon
        {
            let name = self.param_name("an argument name")?;
            self.bump();
            Some(name)
        } else {
            None
        };
        let value = self.expr()?;
        Ok(Arg { name, value })
    }

    /// `if cond { } else if cond { } else { }`, the cursor on `if`.
    fn if_stmt(&mut self) -> PResult<Stmt> {
        self.nested(|p| {
            let start = p.bump();
            let cond = p.expr()?;
            let then = if p.at(&TokenKind::LBrace) {
                p.then_block()?
            } else if p.at_stmt_start() {
                let _ = p.expected("`{`");
                p.nested(|p| p.block_without_open())?
            } else {
                return Err(p.expected("`{`"));
            };
            let otherwise = if p.eat_kw(Keyword::Else).is_some() {
                if p.at_kw(Keyword::If) {
                    Some(Else::If(Box::new(p.if_stmt()?)))
                } else if p.at(&TokenKind::LBrace) {
                    Some(Else::Block(p.block()?))
                } else {
                    return Err(p.expected("`{` or `if`"));
                }
            } else {
                None
            };
            Ok(Stmt {
                kind: StmtKind::If {
                    cond,
                    then,
                    otherwise,
                },
                span: Span::new(start.start, p.prev_end.max(start.start)),
            })
        })
    }

    // --- expressions

    /// An expression whose failure leaves an `Error` node and marks the
    /// current item or line as broken.
    pub(super) fn expr_or_error(&mut self) -> Expr {
        let start = self.span().start;
        match self.expr() {
            // `guard g: x = 0`: a comparison was meant; the condition is
            // reported once here and checked no further.
            Ok(expr) if self.at(&TokenKind::Eq) && !self.line_first_here() => {
                let span = self.span();
                self.report(
                    Diagnostic::new(
                        Code::Syntax,
                        "expected an operator, found `=`",
                        span,
                        "`=` is not a comparison",
                    )
                    .with_help("compare with `==`; `=` assigns a field in a transition block"),
                );
                self.broken = true;
                Expr {
                    kind: ExprKind::Error,
                    span: expr.span,
                }
            }
            Ok(expr) => expr,
            Err(Recover) => {
                self.broken = true;
                Expr {
                    kind: ExprKind::Error,
                    span: Span::new(start, self.prev_end.max(start)),
                }
            }
        }
    }

    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.expr_bp(1)
    }

    fn expr_bp(&mut self, min: u8) -> PResult<Expr> {
        let saved = self.depth;
        let result = self.expr_bp_inner(min);
        self.depth = saved;
        result
    }

    fn expr_bp_inner(&mut self, min: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        // The operator of a comparison that `lhs` is, to reject chains.
        let mut comparison: Option<Span> = None;
        let mut chain_reported = false;
        while let Some(op) = self.binary_op() {
            let prec = op.precedence();
            if prec < min {
                break;
            }
            let op_span = self.bump();
            if prec == COMPARISON {
                if let Some(first) = comparison
                    && !chain_reported
                {
                    chain_reported = true;
                    self.report(
                        Diagnostic::new(
                            Code::Syntax,
                            "comparison operators cannot be chained",
                            op_span,
                            "second comparison",
                        )
                        .with_secondary(first, "first comparison")
                        .with_help("combine comparisons with `&&`, or add parentheses"),
                    );
                }
                comparison = Some(op_span);
            } else {
                comparison = None;
            }
            // A chain `a + b + c` nests to the left: count its depth too.
            self.enter()?;
            let rhs = self.expr_bp(prec + 1)?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
        if chain_reported {
            // Reported: whatever the chain was meant to be is not checked.
            lhs.kind = ExprKind::Error;
        }
        Ok(lhs)
    }

    fn binary_op(&mut self) -> Option<BinaryOp> {
        if let Some(op) = self.word_operator() {
            return Some(op);
        }
        Some(match self.kind() {
            TokenKind::OrOr => BinaryOp::Or,
            TokenKind::AndAnd => BinaryOp::And,
            TokenKind::EqEq => BinaryOp::Eq,
            TokenKind::Ne => BinaryOp::Ne,
            TokenKind::Lt => BinaryOp::Lt,
            TokenKind::Le => BinaryOp::Le,
            TokenKind::Gt => BinaryOp::Gt,
            TokenKind::Ge => BinaryOp::Ge,
            TokenKind::Keyword(Keyword::In) => BinaryOp::In,
            TokenKind::Plus => BinaryOp::Add,
            TokenKind::Minus => BinaryOp::Sub,
            TokenKind::Star => BinaryOp::Mul,
            TokenKind::Slash => BinaryOp::Div,
            TokenKind::Percent => BinaryOp::Rem,
            _ => return None,
        })
    }

    /// `and` / `or` where an operator is expected (after a complete
    /// operand no name can follow): reported once, read as `&&` / `||`.
    fn word_operator(&mut self) -> Option<BinaryOp> {
        if self.kind() != &TokenKind::Ident {
            return None;
        }
        let (op, spelled) = match self.ident_text() {
            Some("and") => (BinaryOp::And, "&&"),
            Some("or") => (BinaryOp::Or, "||"),
            _ => return None,
        };
        let span = self.span();
        let word = self.ident_text().unwrap_or("").to_owned();
        if self.last_word_operator != Some(span.start) {
            self.last_word_operator = Some(span.start);
            self.report(
                Diagnostic::new(
                    Code::RustSyntax,
                    format!("`{word}` is written `{spelled}` in a spec"),
                    span,
                    format!("write `{spelled}`"),
                )
                .with_help(format!("the boolean operators are `&&`, `||` and `!`; replace `{word}` with `{spelled}`"))
                .with_fix(crate::Fix::replace(format!("replace `{word}` with `{spelled}`"), span, spelled)),
            );
        }
        Some(op)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let op = match self.kind() {
            TokenKind::Bang => UnaryOp::Not,
            TokenKind::Minus => UnaryOp::Neg,
            // `not x`: a name cannot be followed by another operand.
            TokenKind::Ident
                if self.ident_text() == Some("not")
                    && matches!(
                        self.kind_at(1),
                        TokenKind::Ident
                            | TokenKind::LParen
                            | TokenKind::Bang
                            | TokenKind::Keyword(Keyword::True | Keyword::False)
                    ) =>
            {
                let span = self.span();
                self.report(
                    Diagnostic::new(
                        Code::RustSyntax,
                        "`not` is written `!` in a spec",
                        span,
                        "write `!`",
                    )
                    .with_help(
                        "the boolean operators are `&&`, `||` and `!`; replace `not` with `!`",
                    )
                    .with_fix(crate::Fix::replace(
                        "replace `not` with `!`",
                        span,
                        "!",
                    )),
                );
                UnaryOp::Not
            }
            _ => return self.postfix(),
        };
        let start = self.bump();
        let operand = self.nested(|p| p.unary())?;
        let span = start.to(operand.span);
        Ok(Expr {
            kind: ExprKind::Unary(op, Box::new(operand)),
            span,
        })
    }

    /// A primary expression followed by method calls.
    fn postfix(&mut self) -> PResult<Expr> {
        let saved = self.depth;
        let result = self.postfix_inner();
        self.depth = saved;
        result
    }

    fn postfix_inner(&mut self) -> PResult<Expr> {
        let mut expr = self.primary()?;
        while self.at(&TokenKind::Dot) {
            self.enter()?;
            self.bump();
            let method = self.ident("a method name")?;
            if !self.at(&TokenKind::LParen) {
                let diag_at = self.diags.len();
                let err = self.expected("`(`");
                if let Some(diag) = self.diags.get_mut(diag_at) {
                    diag.help = Some("methods are called with parentheses: `x.len()`".into());
                }
                return Err(err);
            }
            let (args, parens) = self.comma_list(Delim::Paren, false, |p| p.expr())?;
            let span = expr.span.to(parens);
            expr = Expr {
                kind: ExprKind::Method {
                    receiver: Box::new(expr),
                    method,
                    args,
                },
                span,
            };
        }
        Ok(expr)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let span = self.span();
        let kind = match self.kind() {
            TokenKind::Int(value) => {
                let value = *value;
                self.bump();
                ExprKind::Int(value)
            }
            TokenKind::Str(text) => {
                let text = text.clone();
                self.bump();
                ExprKind::Str(text)
            }
            TokenKind::Keyword(Keyword::True) => {
                self.bump();
                ExprKind::Bool(true)
            }
            TokenKind::Keyword(Keyword::False) => {
                self.bump();
                ExprKind::Bool(false)
            }
            TokenKind::Keyword(Keyword::None) => {
                self.bump();
                ExprKind::None
            }
            TokenKind::Keyword(kw @ (Keyword::Phase | Keyword::Target)) => {
                let name = kw.as_str().into();
                self.bump();
                ExprKind::Name(Ident { name, span })
            }
            TokenKind::Keyword(Keyword::Some) => {
                return self.nested(|p| {
                    p.bump();
                    p.expect(&TokenKind::LParen, "`(`")?;
                    let inner = p.expr()?;
                    let close = p.expect_close(Delim::Paren)?;
                    Ok(Expr {
                        kind: ExprKind::Some(Box::new(inner)),
                        span: span.to(close),
                    })
                });
            }
            TokenKind::LParen => {
                return self.nested(|p| {
                    p.bump();
                    let inner = p.expr()?;
                    let close = p.expect_close(Delim::Paren)?;
                    Ok(Expr {
                        kind: ExprKind::Paren(Box::new(inner)),
                        span: span.to(close),
                    })
                });
            }
            TokenKind::LBracket => {
                return self.nested(|p| {
                    let (items, span) = p.comma_list(Delim::Bracket, false, |p| p.expr())?;
                    Ok(Expr {
                        kind: ExprKind::List(items),
                        span,
                    })
                });
            }
            TokenKind::Keyword(kw @ (Keyword::All | Keyword::Any)) => {
                let kind = if *kw == Keyword::All {
                    Quantifier::All
                } else {
                    Quantifier::Any
                };
                return self.nested(|p| {
                    p.bump();
                    let var = p.ident("a variable name")?;
                    p.expect_kw(Keyword::In)?;
                    let coll = p.expr()?;
                    p.expect(&TokenKind::Colon, "`:`")?;
                    let body = p.expr()?;
                    let span = span.to(body.span);
                    Ok(Expr {
                        kind: ExprKind::Quant {
                            kind,
                            var,
                            coll: Box::new(coll),
                            body: Box::new(body),
                        },
                        span,
                    })
                });
            }
            TokenKind::Ident if matches!(self.ident_text(), Some("Some" | "None")) => {
                return self.rust_option(span);
            }
            TokenKind::Ident => {
                let first = self.ident("a name")?;
                if self.eat(&TokenKind::ColonColon).is_some() {
                    let variant = self.ident("a variant name")?;
                    let span = first.span.to(variant.span);
                    return Ok(Expr {
                        kind: ExprKind::Path(first, variant),
                        span,
                    });
                }
                let span = first.span;
                return Ok(Expr {
                    kind: ExprKind::Name(first),
                    span,
                });
            }
            _ => return Err(self.expected("an expression")),
        };
        Ok(Expr { kind, span })
    }

    /// Rust's `Some(x)` and `None`: reported, then read as `some(x)` and
    /// `none` so that nothing else is reported about them.
    fn rust_option(&mut self, span: Span) -> PResult<Expr> {
        let word = self.ident_text().unwrap_or("").to_owned();
        if word == "None" {
            self.bump();
            self.report(
                Diagnostic::new(
                    Code::RustSyntax,
                    "`None` is written `none` in a spec",
                    span,
                    "write `none`",
                )
                .with_help("options are written `none` and `some(x)`, in lowercase")
                .with_fix(crate::Fix::replace(
                    "replace `None` with `none`",
                    span,
                    "none",
                )),
            );
            return Ok(Expr {
                kind: ExprKind::None,
                span,
            });
        }
        if self.kind_at(1) != &TokenKind::LParen {
            // `Some` alone is an ordinary (unknown) name.
            let first = self.ident("a name")?;
            return Ok(Expr {
                kind: ExprKind::Name(first),
                span,
            });
        }
        self.report(
            Diagnostic::new(
                Code::RustSyntax,
                "`Some(x)` is written `some(x)` in a spec",
                span,
                "write `some`",
            )
            .with_help("options are written `some(x)` and `none`, in lowercase")
            .with_fix(crate::Fix::replace(
                "replace `Some` with `some`",
                span,
                "some",
            )),
        );
        self.nested(|p| {
            p.bump();
            p.expect(&TokenKind::LParen, "`(`")?;
            let inner = p.expr()?;
            let close = p.expect_close(Delim::Paren)?;
            Ok(Expr {
                kind: ExprKind::Some(Box::new(inner)),
                span: span.to(close),
            })
        })
    }
}
