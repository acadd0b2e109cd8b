//! The canonical layout of a `.fsm` file (`fsm fmt`).
//!
//! The printer walks the AST and lays out every construct the same way
//! whatever the input looked like: 4-space indentation, one item, field,
//! statement or setting per line, normalized spacing, and at most one blank
//! line in a row. It keeps what the author meant: the parentheses as written
//! (`ExprKind::Paren`), integer literals as written (`1_000`), single blank
//! lines between items, fields and statements, and every comment.
//!
//! Comments are not in the tree; they are placed by source position. A
//! comment alone on its line stays on its own line before the code that
//! follows it; a comment after code stays at the end of that code's line.
//! A comment inside a construct that is printed on one line (an expression
//! broken over lines, a transition header) moves to its own line before it.
//! A `///` comment that documents nothing is kept where it is, like a
//! comment.
//!
//! The layout depends only on the tree, the comments and the author's blank
//! lines, so formatting is idempotent, and it never changes the tree.

use crate::ast::{
    Action, BinaryOp, Block, Docs, DomainTarget, DomainValues, Else, Expr, ExprKind, File, Ident,
    ImplMethod, ImplTarget, Item, ItemKind, Machine, MachineGuard, Param, Quantifier, Signature,
    Sources, Stmt, StmtKind, Target, Transition, TypeExpr, UnaryOp, Variant, VerifyKind,
};
use crate::diagnostic::Diagnostic;
use crate::lexer::{self, TokenKind};
use crate::parser;
use crate::span::{SourceFile, Span};

/// Lines longer than this are broken where the layout allows it.
pub const MAX_WIDTH: usize = 100;

const INDENT: &str = "    ";

/// Formats one file. A file with errors is returned untouched as its
/// diagnostics.
pub fn format(source: &SourceFile) -> Result<String, Vec<Diagnostic>> {
    let (file, diags) = parser::parse(source);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let mut printer = Printer::new(source.text(), &file);
    printer.file(&file);
    Ok(printer.finish())
}

/// A comment or a doc comment that documents nothing, with its text as
/// printed.
#[derive(Debug)]
struct Trivia {
    span: Span,
    text: String,
    /// Code comes before it on its line.
    trailing: bool,
}

/// Items of one group stay together when they are one line each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Key,
    Extern,
    Enum,
    Phases,
    State,
    Input,
    Effect,
    Const,
    Guard,
    Action,
    Derive,
    Transition,
    Ignore,
    Invariant,
    Verify,
    Impl,
}

fn group_of(kind: &ItemKind) -> Group {
    match kind {
        ItemKind::Key { .. } => Group::Key,
        ItemKind::Extern { .. } => Group::Extern,
        ItemKind::Enum { .. } => Group::Enum,
        ItemKind::Phases(_)
        | ItemKind::PhaseSet { .. }
        | ItemKind::Initial(_)
        | ItemKind::Terminal(_) => Group::Phases,
        ItemKind::Const { .. } => Group::Const,
        ItemKind::Action(_) => Group::Action,
        ItemKind::State(_) => Group::State,
        ItemKind::Input(_) => Group::Input,
        ItemKind::Effect(_) => Group::Effect,
        ItemKind::Guards(_) => Group::Guard,
        ItemKind::Derive { .. } => Group::Derive,
        ItemKind::Transition(_) => Group::Transition,
        ItemKind::Ignore { .. } => Group::Ignore,
        ItemKind::Invariant { .. } => Group::Invariant,
        ItemKind::Verify(_) => Group::Verify,
        ItemKind::Impl { .. } => Group::Impl,
    }
}

struct Printer<'a> {
    src: &'a str,
    /// Start offsets of the `{` tokens, in order.
    braces: Vec<u32>,
    /// Every `///` comment and its text, in order.
    doc_tokens: Vec<(Span, String)>,
    lines: Vec<String>,
    /// Whether each line ends with a comment already.
    commented: Vec<bool>,
    /// Lines before which a blank line goes, in order.
    blanks_before: Vec<usize>,
    /// The line being built, if any.
    cur: Option<String>,
    indent: usize,
    /// The last line opened a block: no blank line may follow.
    opened: bool,
    trivia: Vec<Trivia>,
    /// The first trivia not printed yet.
    next: usize,
    /// End of the last source text printed (code or comment).
    last_end: u32,
    /// First line of the code of the current construct (after its docs and
    /// leading comments).
    code_start: usize,
}

impl<'a> Printer<'a> {
    fn new(src: &'a str, file: &File) -> Self {
        let (tokens, _) = lexer::lex(src);
        let mut attached: Vec<Span> = Vec::new();
        for m in &file.machines {
            collect_docs(m, &mut attached);
        }
        attached.sort();
        let mut trivia = Vec::new();
        let mut braces = Vec::new();
        let mut doc_tokens = Vec::new();
        for tok in &tokens {
            match &tok.kind {
                TokenKind::LBrace => braces.push(tok.span.start),
                TokenKind::Comment(text) => trivia.push(Trivia {
                    span: tok.span,
                    text: format!("//{text}"),
                    trailing: false,
                }),
                TokenKind::DocComment(text) => {
                    doc_tokens.push((tok.span, text.clone()));
                    let inside = attached
                        .iter()
                        .any(|s| s.start <= tok.span.start && tok.span.end <= s.end);
                    if !inside {
                        trivia.push(Trivia {
                            span: tok.span,
                            text: doc_line(text),
                            trailing: false,
                        });
                    }
                }
                _ => {}
            }
        }
        for t in &mut trivia {
            let line_start = src[..t.span.start as usize]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            t.trailing = !src[line_start..t.span.start as usize].trim().is_empty();
        }
        Printer {
            src,
            braces,
            doc_tokens,
            lines: Vec::new(),
            commented: Vec::new(),
            blanks_before: Vec::new(),
            cur: None,
            indent: 0,
            opened: false,
            trivia,
            next: 0,
            last_end: 0,
            code_start: 0,
        }
    }

    fn finish(mut self) -> String {
        self.flush(false);
        self.leading(u32::MAX);
        let mut blanks = self.blanks_before.iter().peekable();
        let mut lines: Vec<&str> = Vec::with_capacity(self.lines.len() + self.blanks_before.len());
        for (i, line) in self.lines.iter().enumerate() {
            if blanks.next_if(|&&at| at == i).is_some() {
                lines.push("");
            }
            lines.push(line);
        }
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
        let mut out = lines[first..].join("\n");
        out.push('\n');
        out
    }

    // --- lines

    /// Appends to the line being built.
    fn text(&mut self, s: &str) {
        match &mut self.cur {
            Some(cur) => cur.push_str(s),
            None => {
                let mut line = INDENT.repeat(self.indent);
                line.push_str(s);
                self.cur = Some(line);
            }
        }
    }

    /// Ends the line being built; `opens` when it opens a block.
    fn flush(&mut self, opens: bool) {
        if let Some(line) = self.cur.take() {
            self.lines.push(line.trim_end().to_string());
            self.commented.push(false);
            self.opened = opens;
        }
    }

    fn line(&mut self, s: &str) {
        self.flush(false);
        self.text(s);
        self.flush(false);
    }

    fn blank(&mut self) {
        self.flush(false);
        if !self.opened && self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
            self.commented.push(false);
        }
    }

    fn strip_blanks(&mut self) {
        self.flush(false);
        while self.lines.last().is_some_and(|l| l.is_empty()) {
            self.lines.pop();
            self.commented.pop();
        }
    }

    /// Whether `s` fits on a line at the current indentation.
    fn fits(&self, s: &str) -> bool {
        self.indent * INDENT.len() + s.chars().count() <= MAX_WIDTH
    }

    /// Whether `s` fits after `used` characters of the line being built.
    fn fits_at(&self, used: usize, s: &str) -> bool {
        used + s.chars().count() <= MAX_WIDTH
    }

    // --- comments

    /// Whether the source has a blank line between `from` and `to`.
    fn src_blank(&self, from: u32, to: u32) -> bool {
        from < to
            && self
                .src
                .get(from as usize..to as usize)
                .is_some_and(|gap| gap.matches('\n').count() >= 2)
    }

    /// Whether a comment not printed yet starts before `offset`.
    fn trivia_before(&self, offset: u32) -> bool {
        self.trivia
            .get(self.next)
            .is_some_and(|t| t.span.start < offset)
    }

    /// Prints, each on its own line, the comments that start before `upto`.
    fn leading(&mut self, upto: u32) {
        self.flush(false);
        while let Some(t) = self.trivia.get(self.next)
            && t.span.start < upto
        {
            let (span, text) = (t.span, t.text.clone());
            if self.src_blank(self.last_end, span.start) {
                self.blank();
            }
            self.line(&text);
            self.last_end = self.last_end.max(span.end);
            self.next += 1;
        }
    }

    /// Appends to the last line the comment that follows `code_end` on its
    /// source line, if any.
    fn trailing(&mut self, code_end: u32) {
        self.flush(false);
        self.last_end = self.last_end.max(code_end);
        let Some(t) = self.trivia.get(self.next) else {
            return;
        };
        if !t.trailing || t.span.start < code_end || self.commented.last() != Some(&false) {
            return;
        }
        let gap = self
            .src
            .get(code_end as usize..t.span.start as usize)
            .unwrap_or("\n");
        if !gap.chars().all(|c| matches!(c, ' ' | '\t' | ';' | ',')) {
            return;
        }
        let (span, text) = (t.span, t.text.clone());
        if let (Some(line), Some(flag)) = (self.lines.last_mut(), self.commented.last_mut()) {
            line.push(' ');
            line.push_str(&text);
            *flag = true;
        }
        self.last_end = self.last_end.max(span.end);
        self.next += 1;
    }

    /// Starts a construct at `start`: its leading comments, a blank line
    /// kept from the source (when `keep_blank`), its docs.
    fn begin(&mut self, start: u32, docs: Option<&Docs>, keep_blank: bool) {
        let docs = docs.filter(|d| !d.is_empty());
        let first = docs
            .and_then(|d| d.span)
            .map_or(start, |s| s.start.min(start));
        self.leading(first);
        if keep_blank && self.src_blank(self.last_end, first) {
            self.blank();
        }
        if let Some(span) = docs.and_then(|d| d.span) {
            // Line by line, so that comments between the lines stay there.
            let from = self
                .doc_tokens
                .partition_point(|(s, _)| s.start < span.start);
            let mut i = from;
            while let Some((tok, text)) = self.doc_tokens.get(i)
                && tok.end <= span.end
            {
                let (tok, text) = (*tok, doc_line(text));
                self.leading(tok.start);
                self.line(&text);
                self.last_end = self.last_end.max(tok.end);
                i += 1;
            }
        }
        self.leading(start);
        self.last_end = self.last_end.max(start);
        self.code_start = self.lines.len();
    }

    /// Ends a construct whose code ends at `end`.
    fn end(&mut self, end: u32) {
        self.trailing(end);
        self.last_end = self.last_end.max(end);
    }

    /// The offset of the first `{` at or after `offset`.
    fn brace_at_or_after(&self, offset: u32) -> u32 {
        let i = self.braces.partition_point(|&b| b < offset);
        self.braces.get(i).copied().unwrap_or(offset)
    }

    // --- the file

    fn file(&mut self, file: &File) {
        for (i, m) in file.machines.iter().enumerate() {
            if i > 0 {
                self.blank();
            }
            self.machine(m);
        }
    }

    fn machine(&mut self, m: &Machine) {
        self.begin(m.span.start, Some(&m.docs), true);
        let open = self.brace_at_or_after(m.name.span.end);
        self.leading(open);
        let close = m.span.end.saturating_sub(1);
        let head = format!("machine {}", m.name.name);
        if m.items.is_empty() && !self.trivia_before(close) {
            self.line(&format!("{head} {{}}"));
            self.end(m.span.end);
            return;
        }
        self.text(&format!("{head} {{"));
        self.flush(true);
        self.trailing(open + 1);
        self.indent += 1;
        let mut prev: Option<(Group, bool)> = None;
        for item in &m.items {
            let start_line = self.lines.len();
            self.item(item);
            self.flush(false);
            let multiline = self.lines.len().saturating_sub(self.code_start) > 1;
            let group = group_of(&item.kind);
            if let Some((prev_group, prev_multiline)) = prev {
                let apart = prev_group != group
                    || (group != Group::Phases && (prev_multiline || multiline));
                if apart {
                    self.blank_at(start_line);
                }
            }
            prev = Some((group, multiline));
        }
        self.leading(close);
        self.indent -= 1;
        self.strip_blanks();
        self.line("}");
        self.end(m.span.end);
    }

    /// Puts a blank line before line `at` (which exists) unless one is
    /// there. The insertion happens in `finish`, to stay linear.
    fn blank_at(&mut self, at: usize) {
        let before_blank = at == 0 || self.lines.get(at - 1).is_none_or(|l| l.is_empty());
        let here_blank = self.lines.get(at).is_none_or(|l| l.is_empty());
        if !before_blank && !here_blank && self.blanks_before.last() != Some(&at) {
            self.blanks_before.push(at);
        }
    }

    // --- items

    fn item(&mut self, item: &Item) {
        self.begin(item.span.start, Some(&item.docs), true);
        match &item.kind {
            ItemKind::Enum {
                name,
                rust_path,
                variants,
            } => {
                let head = match rust_path {
                    Some(path) => format!("enum {} = {}", name.name, path_str(path)),
                    None => format!("enum {}", name.name),
                };
                self.variants(item, &head, variants);
            }
            ItemKind::Guards(guards) => {
                let open = self.brace_at_or_after(item.span.start);
                self.leading(open);
                let close = item.span.end.saturating_sub(1);
                if guards.is_empty() && !self.trivia_before(close) {
                    self.line("guards {}");
                } else {
                    self.text("guards {");
                    self.flush(true);
                    self.trailing(open + 1);
                    self.indent += 1;
                    for g in guards {
                        self.machine_guard(g);
                    }
                    self.leading(close);
                    self.indent -= 1;
                    self.strip_blanks();
                    self.line("}");
                }
            }
            ItemKind::Action(a) => self.action(a),
            ItemKind::Input(sig) | ItemKind::Effect(sig) if documented(&sig.params) => {
                let keyword = if matches!(item.kind, ItemKind::Input(_)) {
                    "input"
                } else {
                    "effect"
                };
                let close = item.span.end.saturating_sub(1);
                self.param_lines(&format!("{keyword} {}", sig.name.name), &sig.params, close);
                self.flush(false);
            }
            ItemKind::Phases(variants) => self.variants(item, "phases", variants),
            ItemKind::State(fields) => {
                let open = self.brace_at_or_after(item.span.start);
                self.leading(open);
                let close = item.span.end.saturating_sub(1);
                if fields.is_empty() && !self.trivia_before(close) {
                    self.line("state {}");
                } else {
                    self.text("state {");
                    self.flush(true);
                    self.trailing(open + 1);
                    self.indent += 1;
                    for f in fields {
                        self.begin(f.span.start, Some(&f.docs), true);
                        self.leading(f.span.end);
                        let prefix = format!("{}: {} =", f.name.name, type_str(&f.ty));
                        self.prefixed(&prefix, &f.init);
                        self.end(f.span.end);
                    }
                    self.leading(close);
                    self.indent -= 1;
                    self.strip_blanks();
                    self.line("}");
                }
            }
            ItemKind::Transition(t) => self.transition(t),
            ItemKind::Verify(settings) => {
                let open = self.brace_at_or_after(item.span.start);
                self.leading(open);
                let close = item.span.end.saturating_sub(1);
                if settings.is_empty() && !self.trivia_before(close) {
                    self.line("verify {}");
                } else {
                    self.text("verify {");
                    self.flush(true);
                    self.trailing(open + 1);
                    self.indent += 1;
                    for s in settings {
                        self.begin(s.span.start, None, true);
                        self.leading(s.span.end);
                        self.setting(&s.kind);
                        self.end(s.span.end);
                    }
                    self.leading(close);
                    self.indent -= 1;
                    self.strip_blanks();
                    self.line("}");
                }
            }
            ItemKind::Impl {
                trait_name,
                methods,
            } => {
                let open = self.brace_at_or_after(item.span.start);
                self.leading(open);
                let close = item.span.end.saturating_sub(1);
                let head = format!("impl {}", trait_name.name);
                if methods.is_empty() && !self.trivia_before(close) {
                    self.line(&format!("{head} {{}}"));
                } else {
                    self.text(&format!("{head} {{"));
                    self.flush(true);
                    self.trailing(open + 1);
                    self.indent += 1;
                    for m in methods {
                        self.begin(m.span.start, Some(&m.docs), true);
                        self.leading(m.span.end);
                        self.impl_method(m);
                        self.end(m.span.end);
                    }
                    self.leading(close);
                    self.indent -= 1;
                    self.strip_blanks();
                    self.line("}");
                }
            }
            kind => {
                // One-line items: comments inside move before them.
                self.leading(item.span.end);
                self.one_line_item(kind);
            }
        }
        self.end(item.span.end);
    }

    fn one_line_item(&mut self, kind: &ItemKind) {
        match kind {
            ItemKind::Key { name, ty } => {
                self.line(&format!("key {}: {}", name.name, type_str(ty)));
            }
            ItemKind::Extern { name, path } => {
                self.line(&format!("extern {} = {}", name.name, path_str(path)));
            }
            ItemKind::PhaseSet { name, phases } => {
                let names: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
                self.line(&format!("phases {} = {}", name.name, names.join(" | ")));
            }
            ItemKind::Const { name, ty, value } => {
                self.prefixed(&format!("const {}: {} =", name.name, type_str(ty)), value);
            }
            ItemKind::Initial(phase) => self.line(&format!("initial {}", phase.name)),
            ItemKind::Terminal(phases) => {
                let names: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
                self.line(&format!("terminal {}", names.join(", ")));
            }
            ItemKind::Input(sig) => self.signature("input", sig),
            ItemKind::Effect(sig) => self.signature("effect", sig),
            ItemKind::Derive { name, ty, value } => {
                self.prefixed(&format!("derive {}: {} =", name.name, type_str(ty)), value);
            }
            ItemKind::Ignore {
                inputs, sources, ..
            } => {
                let names: Vec<&str> = inputs.iter().map(|p| p.name.as_str()).collect();
                self.line(&format!(
                    "ignore {} in {}",
                    names.join(", "),
                    sources_str(sources)
                ));
            }
            ItemKind::Invariant { name, expr, always } => {
                let always = if *always { "always " } else { "" };
                self.prefixed(&format!("invariant {always}{}:", name.name), expr);
            }
            // Multi-line items are printed by `item`.
            ItemKind::Enum { .. }
            | ItemKind::Phases(_)
            | ItemKind::State(_)
            | ItemKind::Guards(_)
            | ItemKind::Action(_)
            | ItemKind::Transition(_)
            | ItemKind::Verify(_)
            | ItemKind::Impl { .. } => {}
        }
    }

    /// `fn name(a, b) = target`, one parameter (or, after an input, one
    /// argument) per line when too long.
    fn impl_method(&mut self, m: &ImplMethod) {
        let args: Option<Vec<String>> = m.args.as_ref().map(|args| {
            args.iter()
                .map(|a| {
                    let mut path = a.param.name.clone();
                    for f in &a.fields {
                        path.push('.');
                        path.push_str(&f.name);
                    }
                    path
                })
                .collect()
        });
        let target = match &m.target {
            ImplTarget::Input(input) => input.name.clone(),
            ImplTarget::Snapshot(_) => "snapshot".to_string(),
            ImplTarget::Phase(_) => "phase".to_string(),
            ImplTarget::Field(field) => format!("field {}", field.name),
            ImplTarget::Derive(derived) => format!("derive {}", derived.name),
        };
        let flat_target = match &args {
            Some(args) => format!("{target}({})", args.join(", ")),
            None => target.clone(),
        };
        let head = format!("fn {}", m.name.name);
        let names: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
        let flat_head = if m.params_span.is_none() && names.is_empty() {
            head.clone()
        } else {
            format!("{head}({})", names.join(", "))
        };
        let flat = format!("{flat_head} = {flat_target}");
        if self.fits(&flat) {
            self.line(&flat);
            return;
        }
        if let Some(args) = &args
            && self.fits(&format!("{flat_head} = {target}("))
        {
            self.line(&format!("{flat_head} = {target}("));
            self.indent += 1;
            for arg in args {
                self.line(&format!("{arg},"));
            }
            self.indent -= 1;
            self.line(")");
            return;
        }
        if names.is_empty() {
            self.line(&flat);
            return;
        }
        self.line(&format!("{head}("));
        self.indent += 1;
        for name in names {
            self.line(&format!("{name},"));
        }
        self.indent -= 1;
        self.line(&format!(") = {flat_target}"));
    }

    /// `input Name(a: T, b: U)`, one parameter per line when too long
    /// (with docs on a parameter, `item` prints it).
    fn signature(&mut self, keyword: &str, sig: &Signature) {
        let head = format!("{keyword} {}", sig.name.name);
        let params: Vec<String> = sig.params.iter().map(param_str).collect();
        if params.is_empty() {
            self.line(&head);
        } else {
            self.call(&head, &params);
        }
    }

    /// `head(` and one parameter per line with its docs and comments, then
    /// `)` on a line left open. Comments before `close` go inside.
    fn param_lines(&mut self, head: &str, params: &[Param], close: u32) {
        self.text(&format!("{head}("));
        self.flush(true);
        self.indent += 1;
        for p in params {
            let end = p.ty.span.end;
            self.begin(p.name.span.start, Some(&p.docs), true);
            self.leading(end);
            self.line(&format!("{},", param_str(p)));
            self.end(end);
        }
        self.leading(close);
        self.indent -= 1;
        self.strip_blanks();
        self.text(")");
    }

    /// One entry of `guards { }`.
    fn machine_guard(&mut self, g: &MachineGuard) {
        self.begin(g.span.start, Some(&g.docs), true);
        if documented(&g.params) {
            self.param_lines(&g.name.name, &g.params, g.expr.span.start);
            let flat = format!(": {}", expr_str(&g.expr, self.src));
            let open = self.cur.as_ref().map_or(0, |c| c.chars().count());
            if self.fits_at(open, &flat) {
                self.text(&flat);
                self.flush(false);
            } else {
                self.text(":");
                self.flush(false);
                self.indent += 1;
                self.expr_lines(&g.expr);
                self.indent -= 1;
            }
        } else {
            self.leading(g.span.end);
            let head = if g.params.is_empty() {
                format!("{}:", g.name.name)
            } else {
                let params: Vec<String> = g.params.iter().map(param_str).collect();
                format!("{}({}):", g.name.name, params.join(", "))
            };
            self.prefixed(&head, &g.expr);
        }
        self.end(g.span.end);
    }

    /// `action name(params) { statements }`.
    fn action(&mut self, a: &Action) {
        let head = format!("action {}", a.name.name);
        let body = &a.body;
        let params: Vec<String> = a.params.iter().map(param_str).collect();
        let flat = format!("{head}({}) {{", params.join(", "));
        if documented(&a.params) || (!a.params.is_empty() && !self.fits(&flat)) {
            self.param_lines(&head, &a.params, body.span.start);
        } else {
            // Comments in the header go before it.
            self.leading(body.span.start);
            if a.params.is_empty() {
                self.text(&head);
            } else {
                self.text(&format!("{head}({})", params.join(", ")));
            }
        }
        let close = body.span.end.saturating_sub(1);
        if body.stmts.is_empty() && !self.trivia_before(close) {
            self.text(" {}");
            self.flush(false);
        } else {
            self.text(" {");
            self.flush(true);
            self.trailing(body.span.start + 1);
            self.block_contents(body, close);
            self.line("}");
        }
    }

    /// `enum Name { A, B }` or `phases { ... }`: on one line when short and
    /// undocumented, else one variant per line.
    fn variants(&mut self, item: &Item, head: &str, variants: &[Variant]) {
        let open = self.brace_at_or_after(item.span.start);
        self.leading(open);
        let close = item.span.end.saturating_sub(1);
        let names: Vec<&str> = variants.iter().map(|v| v.name.name.as_str()).collect();
        let flat = if names.is_empty() {
            format!("{head} {{}}")
        } else {
            format!("{head} {{ {} }}", names.join(", "))
        };
        let documented = variants.iter().any(|v| !v.docs.is_empty());
        if !documented && !self.trivia_before(close) && self.fits(&flat) {
            self.line(&flat);
            return;
        }
        self.text(&format!("{head} {{"));
        self.flush(true);
        self.trailing(open + 1);
        self.indent += 1;
        for v in variants {
            self.begin(v.name.span.start, Some(&v.docs), true);
            self.line(&format!("{},", v.name.name));
            self.end(v.name.span.end);
        }
        self.leading(close);
        self.indent -= 1;
        self.strip_blanks();
        self.line("}");
    }

    fn transition(&mut self, t: &Transition) {
        let header_end = match &t.target {
            Target::Phase(p) => p.span.end,
            Target::Stay(span) => span.end,
        };
        self.leading(header_end);
        let head = format!("transition {} on {}", t.name.name, t.input.name);
        let tail = format!(
            "from {} -> {}",
            sources_str(&t.sources),
            match &t.target {
                Target::Phase(p) => p.name.as_str(),
                Target::Stay(_) => "stay",
            }
        );
        let one_line = format!("{head} {tail}");
        // The body's `{` goes on the header line only for a one-line header
        // without guards.
        let brace_suffix = if t.guards.is_empty() && t.body.is_some() {
            " {"
        } else {
            ""
        };
        let split = !self.fits(&format!("{one_line}{brace_suffix}"));
        if split {
            self.line(&head);
            self.indent += 1;
            self.text(&tail);
            self.indent -= 1;
        } else {
            self.text(&one_line);
        }
        let inline_brace = t.guards.is_empty() && !split && t.body.is_some();
        if !inline_brace {
            self.flush(false);
            self.trailing(header_end);
        }
        self.indent += 1;
        for g in &t.guards {
            self.begin(g.span.start, None, false);
            self.leading(g.span.end);
            match &g.expr {
                Some(e) => self.prefixed(&format!("guard {}:", g.name.name), e),
                None if g.args.is_empty() => self.line(&format!("guard {}", g.name.name)),
                None => {
                    let args: Vec<String> = g.args.iter().map(|a| expr_str(a, self.src)).collect();
                    self.call(&format!("guard {}", g.name.name), &args);
                }
            }
            self.end(g.span.end);
        }
        self.indent -= 1;
        let Some(body) = &t.body else {
            return;
        };
        if inline_brace {
            self.text(" ");
        } else {
            // Comments between the header and the `{` stay above it.
            self.leading(body.span.start);
        }
        let close = body.span.end.saturating_sub(1);
        if body.stmts.is_empty() && !self.trivia_before(close) {
            self.text("{}");
            self.flush(false);
            if inline_brace {
                self.trailing(header_end);
            }
        } else {
            self.text("{");
            self.flush(true);
            if inline_brace {
                self.trailing(header_end);
            }
            self.trailing(body.span.start + 1);
            self.block_contents(body, close);
            self.line("}");
        }
    }

    fn setting(&mut self, kind: &VerifyKind) {
        match kind {
            VerifyKind::Domain { target, values } => {
                let target = match target {
                    DomainTarget::Type(t) => type_str(t),
                    DomainTarget::Param { input, param } => {
                        format!("{}.{}", input.name, param.name)
                    }
                };
                let values = match values {
                    DomainValues::Range {
                        lo,
                        hi,
                        inclusive,
                        span,
                    } => {
                        let text = self.src.get(span.range()).unwrap_or("");
                        let (lo_text, hi_text) = match text.split_once("..") {
                            Some((l, h)) => (l.trim(), h.trim_start_matches('=').trim()),
                            None => ("", ""),
                        };
                        format!(
                            "{}..{}{}",
                            int_text(lo_text, *lo),
                            if *inclusive { "=" } else { "" },
                            int_text(hi_text, *hi)
                        )
                    }
                    DomainValues::List(values, _) => {
                        let flat = list_str(values, self.src);
                        let line = format!("domain {target} = {flat}");
                        if !self.fits(&line) && values.len() > 1 {
                            // One value per line.
                            self.line(&format!("domain {target} = ["));
                            self.indent += 1;
                            for v in values {
                                self.line(&format!("{},", expr_str(v, self.src)));
                            }
                            self.indent -= 1;
                            self.line("]");
                            return;
                        }
                        flat
                    }
                };
                self.line(&format!("domain {target} = {values}"));
            }
            VerifyKind::MaxDepth(v, s) => self.line(&format!("max_depth {}", self.int_at(*s, *v))),
            VerifyKind::MaxStates(v, s) => {
                self.line(&format!("max_states {}", self.int_at(*s, *v)));
            }
            VerifyKind::MaxCollection(v, s) => {
                self.line(&format!("max_collection {}", self.int_at(*s, *v)));
            }
            VerifyKind::Reach { name, expr } => {
                self.prefixed(&format!("reach {}:", name.name), expr);
            }
            VerifyKind::AlwaysPossible { name, expr } => {
                self.prefixed(&format!("always_possible {}:", name.name), expr);
            }
            VerifyKind::Bound(expr) => self.prefixed("bound", expr),
            VerifyKind::AllowOverflow(names) => {
                let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
                self.line(&format!("allow_overflow {}", names.join(", ")));
            }
        }
    }

    fn int_at(&self, span: Span, value: u64) -> String {
        int_text(self.src.get(span.range()).unwrap_or(""), u128::from(value))
    }

    // --- blocks and statements

    /// The statements of a block and the comments before `close`, one level
    /// deeper; the caller prints the braces.
    fn block_contents(&mut self, block: &Block, close: u32) {
        self.indent += 1;
        for s in &block.stmts {
            self.stmt(s);
        }
        self.leading(close);
        self.indent -= 1;
        self.strip_blanks();
    }

    fn stmt(&mut self, s: &Stmt) {
        self.begin(s.span.start, None, true);
        match &s.kind {
            StmtKind::Assign { target, op, value } => {
                self.leading(s.span.end);
                let op = match op {
                    crate::ast::AssignOp::Set => "=",
                    crate::ast::AssignOp::Add => "+=",
                    crate::ast::AssignOp::Sub => "-=",
                };
                self.prefixed(&format!("{} {op}", target.name), value);
            }
            StmtKind::Call {
                target,
                method,
                args,
            } => {
                self.leading(s.span.end);
                let args: Vec<String> = args.iter().map(|a| expr_str(a, self.src)).collect();
                self.call(&format!("{}.{}", target.name, method.name), &args);
            }
            StmtKind::Emit { effect, args } => {
                self.leading(s.span.end);
                if args.is_empty() {
                    self.line(&format!("emit {}", effect.name));
                } else {
                    let args: Vec<String> = args
                        .iter()
                        .map(|a| match &a.name {
                            Some(n) => format!("{}: {}", n.name, expr_str(&a.value, self.src)),
                            None => expr_str(&a.value, self.src),
                        })
                        .collect();
                    self.call(&format!("emit {}", effect.name), &args);
                }
            }
            StmtKind::Do { action, args } => {
                self.leading(s.span.end);
                if args.is_empty() {
                    self.line(&format!("do {}", action.name));
                } else {
                    let args: Vec<String> = args.iter().map(|a| expr_str(a, self.src)).collect();
                    self.call(&format!("do {}", action.name), &args);
                }
            }
            StmtKind::If { .. } => self.if_chain(s),
        }
        self.end(s.span.end);
    }

    /// `if c { } else if d { } else { }`. Comments between a block's `}`
    /// and the next block's `{` go at the end of the first block.
    fn if_chain(&mut self, s: &Stmt) {
        let StmtKind::If { then, .. } = &s.kind else {
            return;
        };
        self.leading(then.span.start);
        let mut cur = s;
        loop {
            let StmtKind::If {
                cond,
                then,
                otherwise,
            } = &cur.kind
            else {
                return;
            };
            self.text(&format!("if {} ", expr_str(cond, self.src)));
            let close = match otherwise {
                None => then.span.end.saturating_sub(1),
                Some(Else::Block(b)) => b.span.start + 1,
                Some(Else::If(next)) => match &next.kind {
                    StmtKind::If { then, .. } => then.span.start + 1,
                    _ => next.span.start,
                },
            };
            self.braced(then, close);
            match otherwise {
                None => return,
                Some(Else::Block(b)) => {
                    self.text(" else ");
                    self.braced(b, b.span.end.saturating_sub(1));
                    return;
                }
                Some(Else::If(next)) => {
                    self.text(" else ");
                    cur = next;
                }
            }
        }
    }

    /// `{ ... }` continuing the line being built, which is left open after
    /// the `}`. Comments before `close` go inside.
    fn braced(&mut self, block: &Block, close: u32) {
        if block.stmts.is_empty() && !self.trivia_before(close) {
            self.text("{}");
            self.last_end = self.last_end.max(close);
            return;
        }
        self.text("{");
        self.flush(true);
        self.trailing(block.span.start + 1);
        self.block_contents(block, close);
        self.text("}");
    }

    // --- expressions

    /// `prefix expr`, or when too long `prefix` and the expression on the
    /// next lines (see `expr_lines`).
    fn prefixed(&mut self, prefix: &str, e: &Expr) {
        let flat = format!("{prefix} {}", expr_str(e, self.src));
        if self.fits(&flat) {
            self.line(&flat);
            return;
        }
        self.line(prefix);
        self.indent += 1;
        self.expr_lines(e);
        self.indent -= 1;
    }

    /// An expression on one line, or when too long: the operands of a
    /// top-level `||` or `&&` chain one per line (operator first), or a
    /// quantifier's body on the lines after its head.
    fn expr_lines(&mut self, e: &Expr) {
        let flat = expr_str(e, self.src);
        if self.fits(&flat) {
            self.line(&flat);
            return;
        }
        match &e.kind {
            ExprKind::Binary(op @ (BinaryOp::Or | BinaryOp::And), ..) => {
                let mut operands = Vec::new();
                chain(e, *op, &mut operands);
                for (i, o) in operands.iter().enumerate() {
                    let text = expr_str(o, self.src);
                    if i == 0 {
                        self.line(&text);
                    } else {
                        self.line(&format!("{} {text}", op.as_str()));
                    }
                }
            }
            ExprKind::Quant {
                kind,
                var,
                coll,
                body,
            } => {
                let kind = match kind {
                    Quantifier::All => "all",
                    Quantifier::Any => "any",
                };
                self.line(&format!(
                    "{kind} {} in {}:",
                    var.name,
                    expr_str(coll, self.src)
                ));
                self.indent += 1;
                self.expr_lines(body);
                self.indent -= 1;
            }
            _ => self.line(&flat),
        }
    }

    /// `head(a, b)`, or one argument per line when too long.
    fn call(&mut self, head: &str, args: &[String]) {
        let flat = format!("{head}({})", args.join(", "));
        if self.fits(&flat) {
            self.line(&flat);
            return;
        }
        self.line(&format!("{head}("));
        self.indent += 1;
        for a in args {
            self.line(&format!("{a},"));
        }
        self.indent -= 1;
        self.line(")");
    }
}

/// The operands of a left-nested chain of `op`.
fn chain<'e>(e: &'e Expr, op: BinaryOp, out: &mut Vec<&'e Expr>) {
    // Iterative on the left spine: chains can be long.
    let mut spine = Vec::new();
    let mut cur = e;
    while let ExprKind::Binary(o, lhs, rhs) = &cur.kind
        && *o == op
    {
        spine.push(rhs.as_ref());
        cur = lhs;
    }
    out.push(cur);
    out.extend(spine.into_iter().rev());
}

fn collect_docs(m: &Machine, out: &mut Vec<Span>) {
    let mut add = |d: &Docs| {
        if let Some(s) = d.span {
            out.push(s);
        }
    };
    add(&m.docs);
    for item in &m.items {
        add(&item.docs);
        match &item.kind {
            ItemKind::Enum { variants, .. } | ItemKind::Phases(variants) => {
                for v in variants {
                    add(&v.docs);
                }
            }
            ItemKind::State(fields) => {
                for f in fields {
                    add(&f.docs);
                }
            }
            ItemKind::Input(sig) | ItemKind::Effect(sig) => {
                for p in &sig.params {
                    add(&p.docs);
                }
            }
            ItemKind::Guards(guards) => {
                for g in guards {
                    add(&g.docs);
                    for p in &g.params {
                        add(&p.docs);
                    }
                }
            }
            ItemKind::Action(a) => {
                for p in &a.params {
                    add(&p.docs);
                }
            }
            ItemKind::Impl { methods, .. } => {
                for m in methods {
                    add(&m.docs);
                }
            }
            _ => {}
        }
    }
}

/// Whether any parameter has docs (then they go one per line).
fn documented(params: &[Param]) -> bool {
    params.iter().any(|p| !p.docs.is_empty())
}

fn param_str(p: &Param) -> String {
    format!("{}: {}", p.name.name, type_str(&p.ty))
}

fn path_str(path: &[Ident]) -> String {
    path.iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

fn doc_line(text: &str) -> String {
    if text.is_empty() {
        "///".to_string()
    } else {
        format!("/// {text}")
    }
}

/// An integer literal as written when `text` is one for `value`, else the
/// value in plain digits.
fn int_text(text: &str, value: u128) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let well_formed = text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_digit() || c == '_');
    if well_formed && digits.parse::<u128>().ok() == Some(value) {
        text.to_string()
    } else {
        value.to_string()
    }
}

fn type_str(t: &TypeExpr) -> String {
    if t.args.is_empty() {
        t.name.name.clone()
    } else {
        let args: Vec<String> = t.args.iter().map(type_str).collect();
        format!("{}<{}>", t.name.name, args.join(", "))
    }
}

fn sources_str(s: &Sources) -> String {
    match s {
        Sources::List(phases) => phases
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        Sources::All { except, .. } if except.is_empty() => "*".to_string(),
        Sources::All { except, .. } => format!(
            "* except {}",
            except
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        ),
    }
}

fn list_str(items: &[Expr], src: &str) -> String {
    let items: Vec<String> = items.iter().map(|e| expr_str(e, src)).collect();
    format!("[{}]", items.join(", "))
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An expression on one line, with normalized spacing and the parentheses
/// as written. The parser bounds the depth of the tree.
fn expr_str(e: &Expr, src: &str) -> String {
    match &e.kind {
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Int(v) => int_text(src.get(e.span.range()).unwrap_or(""), *v),
        ExprKind::Str(s) => quote(s),
        ExprKind::None => "none".to_string(),
        ExprKind::Some(x) => format!("some({})", expr_str(x, src)),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Path(a, b) => format!("{}::{}", a.name, b.name),
        ExprKind::List(items) => list_str(items, src),
        ExprKind::Unary(UnaryOp::Not, x) => format!("!{}", expr_str(x, src)),
        ExprKind::Unary(UnaryOp::Neg, x) => format!("-{}", expr_str(x, src)),
        ExprKind::Binary(op, a, b) => {
            format!("{} {} {}", expr_str(a, src), op.as_str(), expr_str(b, src))
        }
        ExprKind::Method {
            receiver,
            method,
            args,
        } => {
            let args: Vec<String> = args.iter().map(|a| expr_str(a, src)).collect();
            format!(
                "{}.{}({})",
                expr_str(receiver, src),
                method.name,
                args.join(", ")
            )
        }
        ExprKind::Quant {
            kind,
            var,
            coll,
            body,
        } => format!(
            "{} {} in {}: {}",
            match kind {
                Quantifier::All => "all",
                Quantifier::Any => "any",
            },
            var.name,
            expr_str(coll, src),
            expr_str(body, src)
        ),
        ExprKind::Paren(x) => format!("({})", expr_str(x, src)),
        ExprKind::Error => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn fmt(text: &str) -> String {
        match format(&SourceFile::new("test.fsm", text)) {
            Ok(out) => out,
            Err(diags) => panic!("{diags:#?}"),
        }
    }

    /// The debug form of a tree with every span removed.
    fn shape(text: &str) -> String {
        let (file, _) = parse(&SourceFile::new("test.fsm", text));
        let machines = format!("{:?}", file.machines);
        let mut out = String::with_capacity(machines.len());
        let mut rest = machines.as_str();
        while let Some(i) = rest.find("Span {") {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let end = rest.find('}').map_or(rest.len(), |j| j + 1);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    /// Every comment and doc comment, in order.
    fn comments(text: &str) -> Vec<String> {
        let (tokens, _) = lexer::lex(text);
        tokens
            .into_iter()
            .filter_map(|t| match t.kind {
                TokenKind::Comment(c) => Some(format!("//{c}")),
                TokenKind::DocComment(c) => Some(format!("///{c}")),
                _ => None,
            })
            .collect()
    }

    /// Formats `text` and checks the promises of the formatter.
    fn check(text: &str) -> String {
        let once = fmt(text);
        let twice = fmt(&once);
        assert_eq!(once, twice, "not idempotent:\n{text}\n---\n{once}");
        assert_eq!(
            shape(text),
            shape(&once),
            "tree changed:\n{text}\n---\n{once}"
        );
        assert_eq!(
            comments(text),
            comments(&once),
            "comments changed:\n{text}\n---\n{once}"
        );
        for line in once.lines() {
            assert!(!line.ends_with(' '), "trailing space in {line:?}");
        }
        once
    }

    const MACHINES: &[&str] = &[
        include_str!("../../../machines/auth_lease.fsm"),
        include_str!("../../../machines/peer_ingress.fsm"),
        include_str!("../../../machines/tool_surface.fsm"),
        include_str!("../../../machines/turn.fsm"),
    ];

    #[test]
    fn the_reference_examples_and_the_machines() {
        for text in crate::parser::tests::doc_example_files() {
            check(&text);
        }
        for text in MACHINES {
            check(text);
        }
    }

    #[test]
    fn long_action_headers_and_domain_lists_break_one_item_per_line() {
        let long = "a_rather_long_parameter_name";
        let text = format!(
            "machine M {{\nphases {{ A }}\ninitial A\nstate {{ n: u64 = 0 }}\n\
             action act({long}1: u64, {long}2: u64, {long}3: u64, {long}4: u64) {{ n = {long}1 }}\n\
             verify {{ domain String = [\"{long}1\", \"{long}2\", \"{long}3\", \"{long}4\"] }}\n}}\n"
        );
        let out = check(&text);
        assert!(out.lines().all(|l| l.chars().count() <= MAX_WIDTH), "{out}");
        assert!(
            out.contains("    action act(\n        a_rather_long_parameter_name1: u64,\n"),
            "{out}"
        );
        assert!(
            out.contains("domain String = [\n            \"a_rather_long_parameter_name1\",\n"),
            "{out}"
        );
    }

    #[test]
    fn canonical_layout() {
        let text = "/// M.\nmachine   M{key k:K extern K=a::b::C\n\
            phases{A,B,\nC}initial A terminal B,C\n\
            enum E{X,/// doc\nY}\n\
            state{n:u32=0 s:Set<String>=[]}\n\
            input I(a:u8,b:Option<u8>)input J effect F(x:u8)\n\
            guards{g:n>0&&!s.is_empty()}\n\
            derive d:bool=(n+1)*2<=10\n\
            transition t on I from A|B->C guard g guard h:a==1{n+=1 s.insert(\"x\") emit F(x:a)\n\
            if n>1{n=0}else if n==1{}else{emit F(1)}}\n\
            transition u on J from *except C->stay\n\
            ignore J,I in C\n\
            invariant i:phase!=C||n==0\n\
            verify{domain u8=0..=3 domain I.a=[1,2]max_depth 5 max_states 1_000 reach r:phase==C}}";
        let want = "/// M.
machine M {
    key k: K

    extern K = a::b::C

    phases { A, B, C }
    initial A
    terminal B, C

    enum E {
        X,
        /// doc
        Y,
    }

    state {
        n: u32 = 0
        s: Set<String> = []
    }

    input I(a: u8, b: Option<u8>)
    input J

    effect F(x: u8)

    guards {
        g: n > 0 && !s.is_empty()
    }

    derive d: bool = (n + 1) * 2 <= 10

    transition t on I from A | B -> C
        guard g
        guard h: a == 1
    {
        n += 1
        s.insert(\"x\")
        emit F(x: a)
        if n > 1 {
            n = 0
        } else if n == 1 {} else {
            emit F(1)
        }
    }

    transition u on J from * except C -> stay

    ignore J, I in C

    invariant i: phase != C || n == 0

    verify {
        domain u8 = 0..=3
        domain I.a = [1, 2]
        max_depth 5
        max_states 1_000
        reach r: phase == C
    }
}
";
        assert_eq!(check(text), want);
    }

    #[test]
    fn guards_actions_constants_and_phase_sets() {
        let text = "machine M {\nphases{A,B,C}initial A phases Done=B|C;terminal Done\n\
            const MAX:u64=30_000 const NAME:String=\"x\"\n\
            enum K=crate::k::K{X,Y}\n\
            input I(/// The first.\na:u8,b:u8)\n\
            guards{/// Doc.\nok:n>0 matches(x:u8,y:u8):n==x+y;\n\
            documented(/// The value.\nv:u8):n==v}\n\
            guards{}\n\
            action reset{n=0}action set(v:u8){n=v do reset emit E(target)}\n\
            action empty{}\n\
            transition t on I from A|Done->B guard ok guard matches(a,b) guard documented(a){do set(MAX) do reset}}";
        let want = "machine M {
    phases { A, B, C }
    initial A
    phases Done = B | C
    terminal Done

    const MAX: u64 = 30_000
    const NAME: String = \"x\"

    enum K = crate::k::K { X, Y }

    input I(
        /// The first.
        a: u8,
        b: u8,
    )

    guards {
        /// Doc.
        ok: n > 0
        matches(x: u8, y: u8): n == x + y
        documented(
            /// The value.
            v: u8,
        ): n == v
    }

    guards {}

    action reset {
        n = 0
    }

    action set(v: u8) {
        n = v
        do reset
        emit E(target)
    }

    action empty {}

    transition t on I from A | Done -> B
        guard ok
        guard matches(a, b)
        guard documented(a)
    {
        do set(MAX)
        do reset
    }
}
";
        assert_eq!(check(text), want);
    }

    #[test]
    fn comments_in_parameters_guards_and_actions() {
        let text = "machine M {\n    guards { // open\n        // before\n        g(\n            /// doc\n            a: u8, // after a\n            // before b\n            b: u8,\n        ): a == b // end\n    }\n    \
            action act( // in header\n        a: u8) { // open\n        x = a\n    }\n}\n";
        check(text);
    }

    #[test]
    fn one_line_items_of_a_kind_stay_together() {
        let text = "machine M {\ninput A\n/// b\ninput B\n\n\n\ninput C\neffect E\ninvariant x: a\ninvariant y: b\n}";
        assert_eq!(
            check(text),
            "machine M {\n    input A\n    /// b\n    input B\n\n    input C\n\n    effect E\n\n    \
             invariant x: a\n    invariant y: b\n}\n"
        );
    }

    #[test]
    fn transitions_without_guards_and_long_headers() {
        let text = "machine M {\ntransition a on X from A -> B { x = 1 }\n\
            transition b on X from A -> B {}\n\
            transition a_rather_long_transition_name on SomeLongInputName from FirstPhase | SecondPhase | ThirdPhase -> Target { x = 1 }\n}";
        assert_eq!(
            check(text),
            "machine M {
    transition a on X from A -> B {
        x = 1
    }

    transition b on X from A -> B {}

    transition a_rather_long_transition_name on SomeLongInputName
        from FirstPhase | SecondPhase | ThirdPhase -> Target
    {
        x = 1
    }
}
"
        );
    }

    #[test]
    fn long_expressions_and_calls_break() {
        let text = "machine M {\n\
            invariant long_enough_to_break: first_condition_name == 1 || second_condition_name == 2 || third_condition_name == 3 || fourth == 4\n\
            invariant q: all id in some_collection_name: some_map_name.get_or(id, 0) >= other_map_name.get_or(id, 0) + 100\n\
            transition t on I from A -> B { emit SomeEffect(first_argument_name, second_argument_name, third_argument_name, fourth_argument) }\n}";
        assert_eq!(
            check(text),
            "machine M {
    invariant long_enough_to_break:
        first_condition_name == 1
        || second_condition_name == 2
        || third_condition_name == 3
        || fourth == 4

    invariant q:
        all id in some_collection_name:
            some_map_name.get_or(id, 0) >= other_map_name.get_or(id, 0) + 100

    transition t on I from A -> B {
        emit SomeEffect(
            first_argument_name,
            second_argument_name,
            third_argument_name,
            fourth_argument,
        )
    }
}
"
        );
    }

    #[test]
    fn comments_stay_where_they_are() {
        let text = "// file header\n\n/// docs\nmachine M { // after the brace\n\
            // before phases\n    phases {\n        A, // first\n        // between\n        B\n        // at the end\n    }\n\
            input I // trailing on an item\n\n\
            // before a transition\n\
            transition t on I from A -> B // on the header\n        guard g: x // on a guard\n    { // after the brace\n\
            x = 1 // on a statement\n\n        // before an if\n        if a { // in if\n        y = 2\n        // end of then\n        } else {\n        // in else\n        }\n\
            // end of body\n    }\n\
            invariant i: a || // inside an expression\n    b\n\
            // end of machine\n}\n// after everything\n";
        let out = check(text);
        assert_eq!(
            out,
            "// file header

/// docs
machine M { // after the brace
    // before phases
    phases {
        A, // first
        // between
        B,
        // at the end
    }

    input I // trailing on an item

    // before a transition
    transition t on I from A -> B // on the header
        guard g: x // on a guard
    { // after the brace
        x = 1 // on a statement

        // before an if
        if a { // in if
            y = 2
            // end of then
        } else {
            // in else
        }
        // end of body
    }

    // inside an expression
    invariant i: a || b
    // end of machine
}
// after everything
"
        );
    }

    #[test]
    fn stray_doc_comments_are_kept() {
        let text = "machine M {\n    input A\n    /// documents nothing\n}\n/// at the end\n";
        assert_eq!(
            check(text),
            "machine M {\n    input A\n    /// documents nothing\n}\n/// at the end\n"
        );
        check(
            "machine M {\n transition t on I from A -> B {\n /// before a statement\n x = 1\n }\n}\n",
        );
    }

    #[test]
    fn if_chains_with_comments() {
        let text = "machine M {\n    transition t on I from A -> B {\n\
            if a { x = 1 } // after then\n        // before else\n        else // after else\n\
            if b { // in b\n        } else { y = 2 }\n\
            if c {\n            // only a comment\n        }\n\
            if d {} else if e {} else {}\n    }\n}\n";
        assert_eq!(
            check(text),
            "machine M {
    transition t on I from A -> B {
        if a {
            x = 1
            // after then
            // before else
            // after else
        } else if b { // in b
        } else {
            y = 2
        }
        if c {
            // only a comment
        }
        if d {} else if e {} else {}
    }
}
"
        );
    }

    #[test]
    fn integers_and_strings_keep_their_spelling() {
        let out = check(
            "machine M { guards { g: x == 1_000 && s == \"a\\\"b\\\\c\\n\\t\" && y == 007 } }",
        );
        assert!(
            out.contains("x == 1_000 && s == \"a\\\"b\\\\c\\n\\t\" && y == 007"),
            "{out}"
        );
    }

    #[test]
    fn syntax_errors_are_returned() {
        let err = format(&SourceFile::new("t.fsm", "machine M { input }")).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(format(&SourceFile::new("t.fsm", "// nothing")).is_err());
    }

    #[test]
    fn crlf_input() {
        let out = check("machine M {\r\n    input A // c\r\n}\r\n");
        assert_eq!(out, "machine M {\n    input A // c\n}\n");
    }

    const INSERTS: &[&str] = &[
        " // c\n",
        "\n// c\n",
        "\n\n",
        " ",
        "\n",
        "\n/// d\n",
        "\n\n// c\n\n",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Comments, blank lines and line breaks anywhere between tokens.
        #[test]
        fn edited_machines_format_faithfully(
            which in 0..MACHINES.len(),
            edits in proptest::collection::vec((0usize..100_000, proptest::sample::select(INSERTS)), 1..30),
        ) {
            let text = MACHINES[which];
            let (tokens, _) = lexer::lex(text);
            let ends: Vec<usize> = tokens
                .iter()
                .filter(|t| !t.kind.is_trivia() && t.kind != TokenKind::Eof)
                .map(|t| t.span.end as usize)
                .collect();
            let mut at: Vec<(usize, &str)> = edits.iter().map(|(i, s)| (ends[i % ends.len()], *s)).collect();
            at.sort();
            let mut edited = String::new();
            let mut last = 0;
            for (n, (pos, insert)) in at.into_iter().enumerate() {
                edited.push_str(&text[last..pos]);
                edited.push_str(&insert.replace('c', &format!("c{n}")).replace('d', &format!("d{n}")));
                last = pos;
            }
            edited.push_str(&text[last..]);
            // A `///` inside an item is an error; everything else formats.
            if let Err(diags) = format(&SourceFile::new("test.fsm", edited.as_str())) {
                proptest::prop_assert!(diags.iter().all(|d| d.message == "doc comment inside an item"));
                return Ok(());
            }
            check(&edited);
        }
    }
}
