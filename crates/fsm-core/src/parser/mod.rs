//! Recursive-descent parser from tokens to the [`ast`].
//!
//! Parsing never fails: it returns a tree and every diagnostic. After a
//! syntax error the parser reports once and skips to a point where parsing
//! can resume without new errors caused by the first one: the next item at
//! the machine's level, the next statement of a block, the next field,
//! setting or list element. The parser tracks the open delimiters
//! (`{ ( [`) so that skipping stays at the right depth, and uses line starts
//! and columns only as hints for where an unclosed `{` probably ended.
//!
//! Nesting (expressions, blocks, types) is capped at [`MAX_DEPTH`], so no
//! input can exhaust the stack, and every loop either consumes a token or
//! ends.
//!
//! The grammar is split in two: `items` (the file, the machine and its
//! items) and `expr` (types, blocks, statements and expressions). Recovery
//! heuristics beyond the grammar: one syntax error per line at most, none
//! inside a list after its first one, and doc comments stranded inside an
//! item are an error (they would attach elsewhere once formatted).

mod expr;
mod items;
#[cfg(test)]
pub(crate) mod tests;

use crate::ast::{self, Docs};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::lexer::{self, Keyword, Token, TokenKind};
use crate::span::{SourceFile, Span};
use std::collections::HashMap;

/// How deeply expressions, blocks and types may nest.
pub const MAX_DEPTH: u32 = 64;

/// Syntax errors reported per file at most; past that, the rest of a file
/// is usually not a spec at all.
pub const MAX_SYNTAX_ERRORS: usize = 100;

/// Parses one file. Diagnostics come sorted in reporting order.
pub fn parse(source: &SourceFile) -> (ast::File, Vec<Diagnostic>) {
    let (tokens, lex_diags) = lexer::lex(source.text());
    let mut parser = Parser::new(source, tokens, &lex_diags);
    let machines = parser.file();
    parser.report_stranded_docs();
    let mut diags = lex_diags;
    diags.append(&mut parser.diags);
    diagnostic::sort(&mut diags);
    let file = ast::File {
        machines,
        comments: parser.comments,
    };
    (file, diags)
}

/// The error value of a parse function: the diagnostic is already reported
/// (or deliberately not, after a lexer error), and the caller recovers.
#[derive(Debug)]
struct Recover;

type PResult<T> = Result<T, Recover>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    Brace,
    Paren,
    Bracket,
}

impl Delim {
    fn open_str(self) -> &'static str {
        match self {
            Delim::Brace => "{",
            Delim::Paren => "(",
            Delim::Bracket => "[",
        }
    }

    fn close_str(self) -> &'static str {
        match self {
            Delim::Brace => "}",
            Delim::Paren => ")",
            Delim::Bracket => "]",
        }
    }

    fn of_open(kind: &TokenKind) -> Option<Delim> {
        match kind {
            TokenKind::LBrace => Some(Delim::Brace),
            TokenKind::LParen => Some(Delim::Paren),
            TokenKind::LBracket => Some(Delim::Bracket),
            _ => None,
        }
    }

    fn of_close(kind: &TokenKind) -> Option<Delim> {
        match kind {
            TokenKind::RBrace => Some(Delim::Brace),
            TokenKind::RParen => Some(Delim::Paren),
            TokenKind::RBracket => Some(Delim::Bracket),
            _ => None,
        }
    }
}

/// What a recovery skips to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sync {
    /// the next `machine`
    Top,
    /// the next item of the machine
    Item,
    /// the next statement of a block
    Stmt,
    /// the next field of `state { }` or entry of `guards { }`
    Field,
    /// the next setting of `verify { }`
    Setting,
    /// the next `fn` line of `impl Trait { }`
    Method,
    /// the next `guard` or body of a transition
    Guard,
    /// the next `,` of a list (or its end); `named` as in `comma_list`
    List { named: bool },
}

static EOF_KIND: TokenKind = TokenKind::Eof;

struct Parser<'a> {
    src: &'a str,
    line_starts: &'a [u32],
    /// The tokens the grammar sees (no trivia); the last one is `Eof`.
    toks: Vec<Token>,
    /// Whether each token is the first one on its line.
    line_first: Vec<bool>,
    /// Doc comments, by the index of the token they precede.
    docs: HashMap<usize, Docs>,
    comments: Vec<ast::Comment>,
    pos: usize,
    /// End of the last consumed token.
    prev_end: u32,
    /// The open delimiters, innermost last.
    delims: Vec<(Delim, Span)>,
    depth: u32,
    diags: Vec<Diagnostic>,
    /// Errors reported so far, the lexer's included.
    error_count: usize,
    too_deep_reported: bool,
    /// Where the last construct refused for its depth starts.
    too_deep_at: Option<usize>,
    eof_reported: bool,
    syntax_errors: usize,
    /// Inside a list that already had an error: syntax errors are dropped.
    muted: u32,
    last_error_line: Option<usize>,
    /// Where `and`/`or` was last reported as an operator: the loop of a
    /// binary expression may look at the same word twice.
    last_word_operator: Option<u32>,
    /// An unclosed delimiter was reported and the enclosing constructs are
    /// being closed up to the item level without further reports.
    closing: bool,
    /// An error inside the current item left the cursor at an arbitrary
    /// place; the item level must skip to the next item.
    broken: bool,
    /// An item of the machine failed and no item parsed since.
    recovering: bool,
    /// The guards of a transition are being parsed.
    in_guards: bool,
    /// Column of the keyword of the current item.
    item_col: u32,
    item_is_transition: bool,
    /// Start offsets of the integer literals the lexer reported as invalid.
    bad_numbers: Vec<u32>,
    /// A type is being parsed (for the help of a nesting error).
    in_type: bool,
}

impl<'a> Parser<'a> {
    fn new(source: &'a SourceFile, tokens: Vec<Token>, lex_diags: &[Diagnostic]) -> Self {
        let lex_errors = lex_diags.len();
        let bad_numbers = lex_diags
            .iter()
            .filter(|d| d.code == Code::InvalidNumber)
            .map(|d| d.span().start)
            .collect();
        let src = source.text();
        let mut toks = Vec::with_capacity(tokens.len());
        let mut docs = HashMap::new();
        let mut comments = Vec::new();
        let mut pending: Vec<(String, Span)> = Vec::new();
        for tok in tokens {
            match tok.kind {
                TokenKind::Comment(text) => comments.push(ast::Comment {
                    text,
                    span: tok.span,
                }),
                TokenKind::DocComment(text) => pending.push((text, tok.span)),
                kind => {
                    if !pending.is_empty() && kind != TokenKind::Eof {
                        let span = pending
                            .iter()
                            .map(|(_, s)| *s)
                            .reduce(Span::to)
                            .unwrap_or_default();
                        let lines = pending.drain(..).map(|(t, _)| t).collect();
                        docs.insert(
                            toks.len(),
                            Docs {
                                lines,
                                span: Some(span),
                            },
                        );
                    }
                    pending.clear();
                    toks.push(Token {
                        kind,
                        span: tok.span,
                    });
                }
            }
        }
        if toks.last().map(|t| &t.kind) != Some(&TokenKind::Eof) {
            toks.push(Token {
                kind: TokenKind::Eof,
                span: Span::point(src.len() as u32),
            });
        }
        let mut line_first = Vec::with_capacity(toks.len());
        let mut prev_end = 0usize;
        for (i, tok) in toks.iter().enumerate() {
            let start = tok.span.start as usize;
            let gap = src.get(prev_end..start).unwrap_or("");
            line_first.push(i == 0 || gap.contains(['\n', '\r']));
            prev_end = tok.span.end as usize;
        }
        Parser {
            src,
            line_starts: source.line_starts(),
            toks,
            line_first,
            docs,
            comments,
            pos: 0,
            prev_end: 0,
            delims: Vec::new(),
            depth: 0,
            diags: Vec::new(),
            error_count: lex_errors,
            too_deep_reported: false,
            too_deep_at: None,
            eof_reported: false,
            syntax_errors: 0,
            muted: 0,
            last_error_line: None,
            last_word_operator: None,
            closing: false,
            broken: false,
            recovering: false,
            in_guards: false,
            item_col: 0,
            item_is_transition: false,
            bad_numbers,
            in_type: false,
        }
    }

    // --- looking at tokens

    fn tok(&self) -> &Token {
        let last = self.toks.len().saturating_sub(1);
        &self.toks[self.pos.min(last)]
    }

    fn kind(&self) -> &TokenKind {
        &self.tok().kind
    }

    fn kind_at(&self, ahead: usize) -> &TokenKind {
        self.toks
            .get(self.pos + ahead)
            .map_or(&EOF_KIND, |t| &t.kind)
    }

    fn span(&self) -> Span {
        self.tok().span
    }

    /// Whether the current token is an integer literal the lexer reported
    /// as invalid (its value is a placeholder).
    fn bad_number(&self) -> bool {
        matches!(self.kind(), TokenKind::Int(_)) && self.bad_numbers.contains(&self.span().start)
    }

    /// Whether the current token is the first one on its line.
    fn line_first_here(&self) -> bool {
        self.line_first.get(self.pos).copied().unwrap_or(false)
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.kind() == kind
    }

    fn at_kw(&self, kw: Keyword) -> bool {
        *self.kind() == TokenKind::Keyword(kw)
    }

    fn at_eof(&self) -> bool {
        self.at(&TokenKind::Eof)
    }

    /// The text of the current token when it is an identifier.
    fn ident_text(&self) -> Option<&'a str> {
        match self.kind() {
            TokenKind::Ident => Some(self.text(self.span())),
            _ => None,
        }
    }

    fn text(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or("")
    }

    /// Byte column of the token at `index` (0-based).
    fn col(&self, index: usize) -> u32 {
        let start = self.toks.get(index).map_or(0, |t| t.span.start);
        let line = self.line_of(start);
        start.saturating_sub(self.line_starts.get(line).copied().unwrap_or(0))
    }

    /// Whether the current token is probably the start of the next item of
    /// the machine, seen from inside a construct that should have ended:
    /// an item keyword first on its line and not indented past the current
    /// item's keyword.
    fn at_item_boundary(&self) -> bool {
        match self.kind() {
            TokenKind::Keyword(kw) if kw.starts_item() || *kw == Keyword::Machine => {
                self.line_first.get(self.pos).copied().unwrap_or(false)
                    && self.col(self.pos) <= self.item_col
            }
            _ => false,
        }
    }

    /// Column of the first non-blank character of the line of `offset`.
    fn indent_of(&self, offset: u32) -> u32 {
        let line_start = self
            .line_starts
            .get(self.line_of(offset))
            .copied()
            .unwrap_or(0);
        let rest = self.src.get(line_start as usize..).unwrap_or("");
        (rest.len() - rest.trim_start_matches([' ', '\t']).len()) as u32
    }

    /// Whether the current `}`, met while `recovering` from an error in the
    /// construct opened by `open`, is indented deeper than the line of
    /// `open`: then it most likely closes something inside the broken part
    /// (whose `{` was lost) rather than the construct itself.
    fn stray_close(&self, recovering: bool, open: Span) -> bool {
        recovering
            && self.line_first.get(self.pos).copied().unwrap_or(false)
            && self.col(self.pos) > self.indent_of(open.start)
    }

    /// Whether, among the guards of a transition, a `guard` or `{` starts
    /// a new line here: what came before (a list, a guard) ended.
    fn at_header_boundary(&self) -> bool {
        self.in_guards
            && self.line_first.get(self.pos).copied().unwrap_or(false)
            && matches!(
                self.kind(),
                TokenKind::Keyword(Keyword::Guard) | TokenKind::LBrace
            )
    }

    // --- consuming tokens

    fn bump(&mut self) -> Span {
        let tok = self.tok();
        let span = tok.span;
        if let Some(d) = Delim::of_open(&tok.kind) {
            self.delims.push((d, span));
        } else if let Some(d) = Delim::of_close(&tok.kind)
            && let Some(i) = self.delims.iter().rposition(|(k, _)| *k == d)
        {
            self.delims.truncate(i);
        }
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        self.prev_end = span.end;
        span
    }

    fn eat(&mut self, kind: &TokenKind) -> Option<Span> {
        if self.at(kind) {
            Some(self.bump())
        } else {
            None
        }
    }

    fn eat_kw(&mut self, kw: Keyword) -> Option<Span> {
        self.eat(&TokenKind::Keyword(kw))
    }

    fn expect(&mut self, kind: &TokenKind, what: &str) -> PResult<Span> {
        match self.eat(kind) {
            Some(span) => Ok(span),
            None => Err(self.expected(what)),
        }
    }

    fn expect_kw(&mut self, kw: Keyword) -> PResult<Span> {
        match self.eat_kw(kw) {
            Some(span) => Ok(span),
            None => Err(self.expected(&format!("`{}`", kw.as_str()))),
        }
    }

    /// An identifier; `what` names it in the error ("a phase name").
    fn ident(&mut self, what: &str) -> PResult<ast::Ident> {
        if let TokenKind::Ident = self.kind() {
            let span = self.bump();
            return Ok(ast::Ident {
                name: self.text(span).to_string(),
                span,
            });
        }
        if let TokenKind::Keyword(kw) = *self.kind() {
            let found = self.describe();
            let diag = self.at_expected(
                Diagnostic::new(
                    Code::Syntax,
                    format!("expected {what}, found {found}"),
                    Span::default(),
                    format!("expected {what}"),
                ),
                &found,
            );
            let diag = if self.line_first.get(self.pos).copied().unwrap_or(false) {
                diag
            } else {
                diag.with_help(format!(
                    "`{}` is a keyword and cannot be used as a name",
                    kw.as_str()
                ))
            };
            self.report(diag);
            return Err(Recover);
        }
        Err(self.expected(what))
    }

    /// The name of a parameter or of a named argument: an identifier, or
    /// `phase` (as in `effect Changed(phase: Phase)`), left to the checker.
    fn param_name(&mut self, what: &str) -> PResult<ast::Ident> {
        if self.at_kw(Keyword::Phase) {
            let span = self.bump();
            return Ok(ast::Ident {
                name: Keyword::Phase.as_str().to_string(),
                span,
            });
        }
        self.ident(what)
    }

    /// The name of a bound method: an identifier or any keyword, since a
    /// Rust trait method may be called `state` or `phase`.
    fn method_name(&mut self) -> PResult<ast::Ident> {
        if let TokenKind::Keyword(kw) = *self.kind() {
            let span = self.bump();
            return Ok(ast::Ident {
                name: kw.as_str().to_string(),
                span,
            });
        }
        self.ident("a method name")
    }

    /// The docs written right before the current token.
    fn take_docs(&mut self) -> Docs {
        self.docs.remove(&self.pos).unwrap_or_default()
    }

    /// Drops the docs before the current token, which starts something that
    /// has no docs (a statement, a setting, a guard line, a closing brace):
    /// they document nothing and are ignored.
    fn drop_docs(&mut self) {
        self.docs.remove(&self.pos);
    }

    /// Reports the docs neither taken nor dropped: they sit inside an item
    /// (`key /// doc` + newline + `k: K`), where they document nothing and
    /// where no layout could keep them. Only in a file without other errors,
    /// since recovery skips the places where docs would be dropped.
    fn report_stranded_docs(&mut self) {
        if self.error_count > 0 {
            return;
        }
        let mut stranded: Vec<Span> = self.docs.values().filter_map(|d| d.span).collect();
        stranded.sort();
        for span in stranded {
            self.report(
                Diagnostic::new(
                    Code::Syntax,
                    "doc comment inside an item",
                    span,
                    "documents nothing",
                )
                .with_help(
                    "a doc comment goes before a machine, item, phase, variant or field; \
                     use `//` for a plain comment",
                ),
            );
        }
    }

    // --- errors

    /// Records an error. Syntax errors are limited to one per line (a
    /// second one on the same line is almost always a consequence of the
    /// first) and to [`MAX_SYNTAX_ERRORS`] per file.
    fn report(&mut self, mut diag: Diagnostic) {
        self.error_count += 1;
        if diag.code == Code::Syntax {
            if self.muted > 0 {
                return;
            }
            let line = self.line_of(diag.span().start);
            if self.last_error_line == Some(line) || self.syntax_errors >= MAX_SYNTAX_ERRORS {
                return;
            }
            self.last_error_line = Some(line);
            self.syntax_errors += 1;
            if self.syntax_errors == MAX_SYNTAX_ERRORS {
                diag = diag.with_note("further syntax errors in this file are not reported");
            }
        }
        self.diags.push(diag);
    }

    /// 0-based line of a byte offset.
    fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// How the current token is named in a message.
    fn describe(&self) -> String {
        let tok = self.tok();
        match &tok.kind {
            TokenKind::Eof => "end of file".to_string(),
            TokenKind::Str(_) => "a string literal".to_string(),
            TokenKind::Keyword(kw) => format!("keyword `{}`", kw.as_str()),
            _ => {
                let text = self.text(tok.span);
                if text.chars().count() > 40 {
                    let head: String = text.chars().take(40).collect();
                    format!("`{head}…`")
                } else {
                    format!("`{text}`")
                }
            }
        }
    }

    /// Reports "expected `what`, found …" at the current token. Silent on a
    /// lexer error token (already reported) and after a first report of the
    /// end of the file.
    fn expected(&mut self, what: &str) -> Recover {
        match self.kind() {
            TokenKind::Error => {}
            TokenKind::Eof => self.report_eof(what),
            _ => {
                let found = self.describe();
                let diag = self.at_expected(
                    Diagnostic::new(
                        Code::Syntax,
                        format!("expected {what}, found {found}"),
                        Span::default(),
                        format!("expected {what}"),
                    ),
                    &found,
                );
                self.report(diag);
            }
        }
        Recover
    }

    /// Places the primary label of an "expected …" error: on the current
    /// token, or, when that token starts a new line, right after the last
    /// token, where the missing thing belongs (with a second label on the
    /// token found).
    fn at_expected(&self, mut diag: Diagnostic, found: &str) -> Diagnostic {
        let span = self.span();
        let first = self.line_first.get(self.pos).copied().unwrap_or(false);
        let primary = if first && self.pos > 0 {
            diag = diag.with_secondary(span, format!("unexpected {found}"));
            Span::point(self.prev_end)
        } else {
            span
        };
        if let Some(label) = diag.labels.first_mut() {
            label.span = primary;
        }
        diag
    }

    /// Consumes the closing delimiter of the innermost open `delim`, or
    /// reports it missing, pointing at the opening one.
    fn expect_close(&mut self, delim: Delim) -> PResult<Span> {
        let kind = match delim {
            Delim::Brace => TokenKind::RBrace,
            Delim::Paren => TokenKind::RParen,
            Delim::Bracket => TokenKind::RBracket,
        };
        if let Some(span) = self.eat(&kind) {
            return Ok(span);
        }
        let what = format!("`{}`", delim.close_str());
        let open = self
            .delims
            .iter()
            .rev()
            .find(|(d, _)| *d == delim)
            .map(|(_, s)| *s);
        let before = self.diags.len();
        let err = self.expected(&what);
        if let (Some(open), Some(diag)) = (open, self.diags.get_mut(before)) {
            diag.labels.push(crate::diagnostic::Label {
                span: open,
                message: format!("unclosed `{}`", delim.open_str()),
                primary: false,
            });
        }
        Err(err)
    }

    fn report_eof(&mut self, what: &str) {
        if self.eof_reported {
            return;
        }
        self.eof_reported = true;
        let end = self.src.len() as u32;
        let mut diag = Diagnostic::new(
            Code::Syntax,
            format!("expected {what}, found end of file"),
            Span::point(end),
            format!("expected {what}"),
        );
        if let Some((d, open)) = self.delims.last() {
            diag = diag.with_secondary(*open, format!("unclosed `{}`", d.open_str()));
        }
        self.report(diag);
    }

    /// The construct opened by `delims[level - 1]` ends here without its
    /// closing delimiter (the current token belongs to something outside
    /// it). Reported once; the enclosing constructs then close silently.
    fn unclosed(&mut self, level: usize) {
        let opener = level
            .checked_sub(1)
            .and_then(|i| self.delims.get(i))
            .copied();
        if !self.closing
            && !self.eof_reported
            && self.kind() != &TokenKind::Error
            && let Some((d, open)) = opener
        {
            if self.at_eof() {
                self.report_eof(&format!("`{}`", d.close_str()));
            } else {
                let found = self.describe();
                let diag = self.at_expected(
                    Diagnostic::new(
                        Code::Syntax,
                        format!("expected `{}`, found {found}", d.close_str()),
                        Span::default(),
                        format!("expected `{}`", d.close_str()),
                    ),
                    &found,
                );
                self.report(diag.with_secondary(open, format!("unclosed `{}`", d.open_str())));
            }
        }
        self.closing = true;
        self.delims.truncate(level.saturating_sub(1));
    }

    /// Whether the current token is a closing delimiter that belongs to a
    /// construct outside the one opened at `delims[level - 1]`.
    fn at_foreign_closer(&self, level: usize, own: Delim) -> bool {
        let Some(d) = Delim::of_close(self.kind()) else {
            return false;
        };
        if d == own {
            return false;
        }
        matches!(self.delims.iter().rposition(|(k, _)| *k == d), Some(i) if i < level)
    }

    /// Enters one level of nesting, or reports (once per file) that the
    /// input nests too deeply.
    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            if !self.too_deep_reported {
                self.too_deep_reported = true;
                let span = self.span();
                self.report(
                    Diagnostic::new(
                        Code::TooDeep,
                        format!("nesting is deeper than {MAX_DEPTH} levels"),
                        span,
                        "too deeply nested",
                    )
                    .with_help(if self.in_type {
                        "nest the type less deeply"
                    } else {
                        "split the expression with derived values or guards"
                    }),
                );
            }
            self.too_deep_at = Some(self.pos);
            return Err(Recover);
        }
        self.depth += 1;
        Ok(())
    }

    /// Runs `f` one nesting level deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let saved = self.depth;
        self.enter()?;
        let result = f(self);
        self.depth = saved;
        result
    }

    // --- recovery

    /// Skips tokens until parsing can resume in `mode` at delimiter depth
    /// `level` (the length of `delims` where the construct's elements are
    /// parsed). On return, `delims` is no deeper than `level`.
    fn sync(&mut self, level: usize, mode: Sync) {
        let mut passed_block = false;
        // A construct refused for its depth is skipped whole, even when its
        // first token (`if`) would be a place to resume.
        if self.too_deep_at == Some(self.pos) {
            self.too_deep_at = None;
            self.bump();
        }
        loop {
            if self.at_eof() {
                // Whatever is missing at the end was likely swallowed by the
                // error being recovered from.
                self.eof_reported = true;
                break;
            }
            let deeper = self.delims.len() > level;
            if let Some(d) = Delim::of_close(self.kind()) {
                match self.delims.iter().rposition(|(k, _)| *k == d) {
                    Some(i) if i >= level => {
                        self.bump();
                        if d == Delim::Brace && self.delims.len() == level {
                            passed_block = true;
                        }
                        continue;
                    }
                    // Closes the construct being recovered in, or an outer
                    // one: that construct's parser handles it.
                    Some(_) => break,
                    None => {
                        self.bump();
                        continue;
                    }
                }
            }
            if !deeper {
                match self.kind() {
                    TokenKind::Semi if !matches!(mode, Sync::List { .. } | Sync::Top) => {
                        self.bump();
                        break;
                    }
                    TokenKind::Comma if matches!(mode, Sync::List { .. }) => break,
                    _ => {}
                }
            }
            if self.resumes_at(level, mode, passed_block) {
                break;
            }
            self.bump();
        }
        self.delims.truncate(level);
    }

    /// Whether `sync` stops at the current token.
    fn resumes_at(&self, level: usize, mode: Sync, passed_block: bool) -> bool {
        let deeper = self.delims.len() > level;
        let first = self.line_first.get(self.pos).copied().unwrap_or(false);
        let kind = self.kind();
        if mode == Sync::Top {
            return *kind == TokenKind::Keyword(Keyword::Machine) && (!deeper || first);
        }
        if let TokenKind::Keyword(kw) = kind {
            let kw = *kw;
            if kw == Keyword::Machine {
                return first;
            }
            if kw.starts_item() {
                let boundary = first && self.col(self.pos) <= self.item_col;
                if mode != Sync::Item {
                    return boundary;
                }
                if deeper {
                    return boundary;
                }
                // A `guard` right after a broken transition header is
                // probably one of its guards, not an item.
                return kw != Keyword::Guard
                    || !self.item_is_transition
                    || passed_block
                    || boundary;
            }
        }
        // Resume at the start of a line (or after a `;` or `}`), not in the
        // middle of what went wrong. Inside an unclosed `(` or `[`, a
        // statement at the start of a line means the delimiter was never
        // closed; inside a skipped `{ }` it is part of what is skipped.
        let after_end = self.pos > 0
            && matches!(
                self.toks.get(self.pos - 1).map(|t| &t.kind),
                Some(TokenKind::Semi | TokenKind::RBrace)
            );
        let here = (first || after_end)
            && (!deeper
                || !self
                    .delims
                    .get(level..)
                    .unwrap_or_default()
                    .iter()
                    .any(|(d, _)| *d == Delim::Brace));
        match mode {
            Sync::Stmt => {
                here && if deeper {
                    self.at_unambiguous_stmt_start()
                } else {
                    self.at_stmt_start()
                }
            }
            Sync::Field => {
                here && *kind == TokenKind::Ident
                    && matches!(self.kind_at(1), TokenKind::Colon | TokenKind::LParen)
            }
            Sync::Method => here && *kind == TokenKind::Keyword(Keyword::Fn),
            Sync::Setting => {
                here && self
                    .ident_text()
                    .is_some_and(|t| lexer::VERIFY_KEYWORDS.contains(&t))
            }
            Sync::List { named } => self.at_line_resume(named) || self.at_header_boundary(),
            Sync::Guard => {
                (here && *kind == TokenKind::Keyword(Keyword::Guard))
                    || (*kind == TokenKind::LBrace && (here || !deeper))
            }
            Sync::Top | Sync::Item => false,
        }
    }

    /// Whether the current token clearly starts a statement.
    fn at_stmt_start(&self) -> bool {
        self.at_unambiguous_stmt_start()
            || (*self.kind() == TokenKind::Ident
                && *self.kind_at(1) == TokenKind::Dot
                && *self.kind_at(2) == TokenKind::Ident
                && *self.kind_at(3) == TokenKind::LParen)
    }

    /// Whether the current token starts a statement that cannot be part of
    /// an expression (`x.insert(…)` can: `f(a,` newline `x.len())`).
    fn at_unambiguous_stmt_start(&self) -> bool {
        match self.kind() {
            TokenKind::Keyword(Keyword::If) => true,
            TokenKind::Keyword(Keyword::Emit | Keyword::Do) => *self.kind_at(1) == TokenKind::Ident,
            TokenKind::Ident => matches!(
                self.kind_at(1),
                TokenKind::Eq | TokenKind::PlusEq | TokenKind::MinusEq
            ),
            _ => false,
        }
    }

    /// At a `{` right after a `{` on the same line, where an element of the
    /// construct the first one opened was expected: reports it and skips
    /// it without opening anything, so that the closing braces still match.
    fn doubled_brace(&mut self, what: &str) -> bool {
        let doubled = self.at(&TokenKind::LBrace)
            && !self.line_first.get(self.pos).copied().unwrap_or(true)
            && self.pos > 0
            && self.toks.get(self.pos - 1).map(|t| &t.kind) == Some(&TokenKind::LBrace);
        if doubled {
            self.expected(what);
            if self.pos + 1 < self.toks.len() {
                self.prev_end = self.span().end;
                self.pos += 1;
            }
        }
        doubled
    }

    /// After a loop iteration that consumed nothing, consumes one token so
    /// that no input can make a loop spin.
    fn ensure_progress(&mut self, before: usize) {
        if self.pos == before && !self.at_eof() {
            self.bump();
        }
    }
}
