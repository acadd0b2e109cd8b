//! The answers to requests, each from one [`Document`] snapshot.

use crate::document::Document;
use crate::index::{Kind, Symbol};
use fsm_core::ast::{ItemKind, Target};
use fsm_core::lexer::{self, Keyword, TokenKind};
use fsm_core::{Severity, Span};
use lsp_types::{
    CodeAction, CodeActionOrCommand, CodeLens, Command, CompletionItem, CompletionItemKind,
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, Hover, HoverContents,
    Location, MarkupContent, MarkupKind, NumberOrString, Position, PrepareRenameResponse, Range,
    SemanticToken, SemanticTokenType, SemanticTokens, SemanticTokensLegend, SymbolKind, TextEdit,
    Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// The diagnostics of `fsm check`, as LSP diagnostics.
pub fn diagnostics(doc: &Document, uri: &Uri) -> Vec<lsp_types::Diagnostic> {
    doc.compilation
        .diagnostics
        .iter()
        .map(|d| {
            let related: Vec<DiagnosticRelatedInformation> = d
                .labels
                .iter()
                .filter(|l| !l.primary)
                .map(|l| DiagnosticRelatedInformation {
                    location: Location::new(uri.clone(), doc.range(l.span)),
                    message: l.message.clone(),
                })
                .collect();
            let mut message = d.message.clone();
            if let Some(label) = d.labels.iter().find(|l| l.primary)
                && !label.message.is_empty()
            {
                message.push_str(&format!("\n{}", label.message));
            }
            for note in &d.notes {
                message.push_str(&format!("\nnote: {note}"));
            }
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            lsp_types::Diagnostic {
                range: doc.range(d.span()),
                severity: Some(match d.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code.as_str().to_owned())),
                source: Some("fsm".to_owned()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..lsp_types::Diagnostic::default()
            }
        })
        .collect()
}

/// Quick fixes: the fixes of every diagnostic whose primary span touches
/// `range`.
pub fn code_actions(doc: &Document, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
    let wanted = doc.lines.span(&doc.text, range);
    let base = doc.base();
    let wanted = Span::new(
        wanted.start.saturating_sub(base),
        wanted.end.saturating_sub(base),
    );
    let published = diagnostics(doc, uri);
    let mut actions = Vec::new();
    for (d, lsp) in doc.compilation.diagnostics.iter().zip(published) {
        let span = d.span();
        if span.start > wanted.end || wanted.start > span.end {
            continue;
        }
        for fix in &d.fixes {
            let edits = fix
                .edits
                .iter()
                .map(|(span, text)| TextEdit::new(doc.range(*span), text.clone()))
                .collect();
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.message.clone(),
                kind: Some(lsp_types::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(d.fixes.len() == 1),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

/// A one-line description of a symbol: `phase Idle`, `input Start(k: u64)`.
fn signature(doc: &Document, s: &Symbol) -> String {
    match s.kind {
        Kind::Input | Kind::Effect | Kind::Action => {
            let params: Vec<&str> = doc
                .index
                .symbols
                .iter()
                .enumerate()
                .filter(|(_, p)| p.kind == Kind::Param && p.parent.is_some_and(|o| same(doc, o, s)))
                .map(|(_, p)| doc.slice(p.full))
                .collect();
            format!("{} {}({})", s.kind.describe(), s.name, params.join(", "))
        }
        Kind::Field | Kind::Param | Kind::Const | Kind::Derived | Kind::Key | Kind::PhaseSet => {
            format!("{} {}", s.kind.describe(), one_line(doc.slice(s.full)))
        }
        Kind::Variant => {
            let owner = s
                .parent
                .and_then(|p| doc.index.symbol(p))
                .map_or("?", |p| p.name.as_str());
            format!("variant {owner}::{}", s.name)
        }
        Kind::Transition => {
            // Its header line: `transition go on Start from Idle -> Busy`.
            let text = doc.slice(s.full);
            let header = text
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with("transition"))
                .unwrap_or("");
            one_line(header.split('{').next().unwrap_or(header))
        }
        _ => format!("{} {}", s.kind.describe(), s.name),
    }
}

fn same(doc: &Document, id: usize, s: &Symbol) -> bool {
    doc.index.symbol(id).is_some_and(|o| o.def == s.def)
}

/// The item text on one line, its whitespace collapsed, without a
/// leading doc comment.
fn one_line(text: &str) -> String {
    let text: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("///"))
        .collect();
    let text = text.join(" ");
    let mut out: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > 200 {
        out = out.chars().take(200).collect::<String>() + " …";
    }
    out
}

/// Docs, kind and signature; a guard's condition; an input's row of the
/// inputs × phases matrix.
pub fn hover(doc: &Document, position: Position) -> Option<Hover> {
    let offset = doc.offset(position);
    let (span, id) = doc.index.occurrence_at(offset)?;
    let s = doc.index.symbol(id)?;
    let mut text = format!("```fsm\n{}\n```", signature(doc, s));
    if !s.docs.is_empty() {
        text.push_str("\n\n");
        text.push_str(&s.docs.join("\n"));
    }
    if let Some(expr) = s.expr {
        text.push_str(&format!("\n\n```fsm\n{}\n```", one_line(doc.slice(expr))));
    }
    if s.kind == Kind::Input
        && let Some(model) = &doc.compilation.model
        && let Some(input) = model.input_by_name(&s.name)
    {
        text.push_str("\n\n| phase | handled by |\n|---|---|\n");
        for (phase, cell) in fsm_tools::doc::input_row(model, input) {
            let what = match cell {
                fsm_tools::doc::Cell::Transitions(ids) => ids
                    .iter()
                    .filter_map(|id| model.transition(*id))
                    .map(|t| format!("`{}`", t.name))
                    .collect::<Vec<_>>()
                    .join(", "),
                fsm_tools::doc::Cell::Ignored => "*ignored*".to_owned(),
                fsm_tools::doc::Cell::Rejected => "— (rejected)".to_owned(),
            };
            text.push_str(&format!("| `{}` | {what} |\n", model.phase_name(phase)));
        }
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(doc.range(span)),
    })
}

pub fn definition(doc: &Document, uri: &Uri, position: Position) -> Option<Location> {
    let s = doc.index.symbol(doc.symbol_at(position)?)?;
    Some(Location::new(uri.clone(), doc.range(s.def)))
}

pub fn references(
    doc: &Document,
    uri: &Uri,
    position: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(s) = doc.symbol_at(position).and_then(|id| doc.index.symbol(id)) else {
        return Vec::new();
    };
    include_declaration
        .then_some(s.def)
        .into_iter()
        .chain(s.refs.iter().copied())
        .map(|span| Location::new(uri.clone(), doc.range(span)))
        .collect()
}

pub fn prepare_rename(doc: &Document, position: Position) -> Result<PrepareRenameResponse, String> {
    let (span, id) = doc
        .index
        .occurrence_at(doc.offset(position))
        .ok_or("no name to rename here")?;
    let s = doc.index.symbol(id).ok_or("no name to rename here")?;
    if s.kind == Kind::Machine {
        return Err("the machine's name is its Rust type name; rename it by hand".into());
    }
    Ok(PrepareRenameResponse::RangeWithPlaceholder {
        range: doc.range(span),
        placeholder: s.name.clone(),
    })
}

/// Renames the symbol under `position` everywhere. Refuses a new name that
/// is not an identifier, is a keyword, names another thing of the same
/// namespace, or would make the spec report an error it did not have.
pub fn rename(
    doc: &Document,
    uri: &Uri,
    position: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    prepare_rename(doc, position)?;
    let id = doc.symbol_at(position).ok_or("no name to rename here")?;
    let s = doc.index.symbol(id).ok_or("no name to rename here")?;
    let mut chars = new_name.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ident {
        return Err(format!("`{new_name}` is not a name"));
    }
    if Keyword::from_word(new_name).is_some() {
        return Err(format!("`{new_name}` is a keyword"));
    }
    if let Some(other) = doc.index.clash(id, new_name) {
        return Err(format!(
            "`{new_name}` is already the name of {} `{}`",
            other.kind.describe(),
            other.name
        ));
    }
    let mut spans: Vec<Span> = std::iter::once(s.def)
        .chain(s.refs.iter().copied())
        .collect();
    spans.sort();
    spans.dedup();
    // The renamed text must not report an error the original did not.
    let body = &doc.text[doc.base() as usize..];
    let mut renamed = String::with_capacity(body.len());
    let mut at = 0;
    for span in &spans {
        renamed.push_str(body.get(at..span.start as usize).unwrap_or(""));
        renamed.push_str(new_name);
        at = span.end as usize;
    }
    renamed.push_str(body.get(at..).unwrap_or(""));
    let after = fsm_core::compile("rename", renamed.as_bytes());
    if after.error_count() > doc.compilation.error_count()
        && let Some(d) = after.diagnostics.iter().find(|d| d.is_error())
    {
        return Err(format!(
            "renaming to `{new_name}` breaks the spec: {}",
            d.message
        ));
    }
    let edits = spans
        .iter()
        .map(|span| TextEdit::new(doc.range(*span), new_name.to_owned()))
        .collect();
    Ok(WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    })
}

/// The word before the cursor's word, skipping spaces, and what separates
/// them (`->`, `|`).
fn context_before(text: &str, offset: usize) -> &str {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let before = before.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let before = before.trim_end();
    if before.ends_with("->") || before.ends_with('|') {
        return "phase";
    }
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &before[word_start..]
}

/// Keywords, phases after `from`/`->`/`in`/`|`/`initial`/`terminal`, inputs
/// after `on`, effects after `emit`, actions after `do`, guards after
/// `guard`, types after `:`, and otherwise every name in scope.
pub fn completion(doc: &Document, position: Position) -> Vec<CompletionItem> {
    let offset = doc.offset(position);
    let body = &doc.text[doc.base() as usize..];
    let context = context_before(body, offset);
    let kinds: &[Kind] = match context {
        "from" | "phase" | "in" | "initial" | "terminal" | "except" => {
            &[Kind::Phase, Kind::PhaseSet]
        }
        "on" | "ignore" => &[Kind::Input],
        "emit" => &[Kind::Effect],
        "do" => &[Kind::Action],
        "guard" => &[Kind::Guard],
        _ => &[],
    };
    let mut items: Vec<CompletionItem> = Vec::new();
    let item = |s: &Symbol| CompletionItem {
        label: s.name.clone(),
        kind: Some(completion_kind(s.kind)),
        detail: Some(signature(doc, s)),
        documentation: (!s.docs.is_empty())
            .then(|| lsp_types::Documentation::String(s.docs.join("\n"))),
        ..CompletionItem::default()
    };
    if !kinds.is_empty() {
        items.extend(
            doc.index
                .symbols
                .iter()
                .filter(|s| {
                    kinds.contains(&s.kind) && s.parent.is_none()
                        || kinds == [Kind::Guard] && s.kind == Kind::Guard && s.parent.is_none()
                })
                .map(item),
        );
    } else {
        items.extend(
            doc.index
                .visible_at(offset)
                .filter(|s| {
                    !matches!(
                        s.kind,
                        Kind::Machine
                            | Kind::Transition
                            | Kind::Invariant
                            | Kind::Reach
                            | Kind::Guard
                    )
                })
                .map(item),
        );
        items.extend(Keyword::ALL.iter().map(|k| CompletionItem {
            label: k.as_str().to_owned(),
            kind: Some(CompletionItemKind::KEYWORD),
            ..CompletionItem::default()
        }));
    }
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert((i.label.clone(), i.kind.map(|k| format!("{k:?}")))));
    items
}

fn completion_kind(kind: Kind) -> CompletionItemKind {
    match kind {
        Kind::Phase | Kind::Variant => CompletionItemKind::ENUM_MEMBER,
        Kind::PhaseSet | Kind::Enum => CompletionItemKind::ENUM,
        Kind::Input | Kind::Effect => CompletionItemKind::EVENT,
        Kind::Param | Kind::Local => CompletionItemKind::VARIABLE,
        Kind::Field | Kind::Key => CompletionItemKind::FIELD,
        Kind::Derived => CompletionItemKind::PROPERTY,
        Kind::Const => CompletionItemKind::CONSTANT,
        Kind::Extern => CompletionItemKind::CLASS,
        Kind::Action | Kind::Guard | Kind::Transition => CompletionItemKind::FUNCTION,
        Kind::Machine | Kind::Invariant | Kind::Reach => CompletionItemKind::TEXT,
    }
}

fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Machine => SymbolKind::CLASS,
        Kind::Phase | Kind::Variant => SymbolKind::ENUM_MEMBER,
        Kind::PhaseSet | Kind::Enum => SymbolKind::ENUM,
        Kind::Input | Kind::Effect => SymbolKind::EVENT,
        Kind::Param | Kind::Local => SymbolKind::VARIABLE,
        Kind::Field | Kind::Key => SymbolKind::FIELD,
        Kind::Derived => SymbolKind::PROPERTY,
        Kind::Const => SymbolKind::CONSTANT,
        Kind::Extern => SymbolKind::CLASS,
        Kind::Action | Kind::Guard | Kind::Transition => SymbolKind::FUNCTION,
        Kind::Invariant | Kind::Reach => SymbolKind::BOOLEAN,
    }
}

/// The outline: the machine, with its top-level names, each with its
/// parameters or variants as children.
pub fn symbols(doc: &Document) -> Vec<DocumentSymbol> {
    let index = &doc.index;
    let make = |id: usize, s: &Symbol| {
        let children: Vec<DocumentSymbol> = index
            .symbols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent == Some(id) && c.kind != Kind::Local)
            .map(|(_, c)| leaf(doc, c, Vec::new()))
            .collect();
        leaf(doc, s, children)
    };
    let top: Vec<DocumentSymbol> = index
        .symbols
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.parent.is_none() && !matches!(s.kind, Kind::Machine | Kind::Local | Kind::Param)
        })
        .map(|(id, s)| make(id, s))
        .collect();
    match index.symbols.iter().find(|s| s.kind == Kind::Machine) {
        Some(m) => vec![leaf(doc, m, top)],
        None => top,
    }
}

#[allow(deprecated)]
fn leaf(doc: &Document, s: &Symbol, children: Vec<DocumentSymbol>) -> DocumentSymbol {
    let full = s.full.to(s.def);
    DocumentSymbol {
        name: s.name.clone(),
        detail: Some(s.kind.describe().to_owned()),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: doc.range(full),
        selection_range: doc.range(s.def),
        children: (!children.is_empty()).then_some(children),
    }
}

/// The whole document in the canonical layout, as one edit; refused when
/// the spec has syntax errors (as `fsm fmt` does).
pub fn format(doc: &Document) -> Result<Vec<TextEdit>, String> {
    let formatted =
        fsm_core::fmt::format(&doc.compilation.source).map_err(|diags| match diags.first() {
            Some(d) => {
                let at = doc.range(d.span()).start;
                format!(
                    "cannot format a spec with syntax errors: {}:{}: {}",
                    at.line + 1,
                    at.character + 1,
                    d.message
                )
            }
            None => "cannot format this spec".to_owned(),
        })?;
    if formatted == doc.compilation.source.text() {
        return Ok(Vec::new());
    }
    let end = doc.lines.position(&doc.text, doc.text.len());
    Ok(vec![TextEdit::new(
        Range::new(Position::new(0, 0), end),
        formatted,
    )])
}

const TOKEN_TYPES: [SemanticTokenType; 14] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::ENUM,
    SemanticTokenType::EVENT,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::TYPE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::CLASS,
    SemanticTokenType::OPERATOR,
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.to_vec(),
        token_modifiers: vec![lsp_types::SemanticTokenModifier::DECLARATION],
    }
}

fn token_type(kind: Kind) -> u32 {
    match kind {
        Kind::Phase | Kind::Variant => 4,
        Kind::PhaseSet | Kind::Enum => 5,
        Kind::Input | Kind::Effect => 6,
        Kind::Param => 7,
        Kind::Field | Kind::Key | Kind::Derived => 8,
        Kind::Const | Kind::Local => 9,
        Kind::Extern => 10,
        Kind::Action | Kind::Guard | Kind::Transition | Kind::Invariant | Kind::Reach => 11,
        Kind::Machine => 12,
    }
}

/// Keywords, comments, literals from the lexer; names by what they name.
pub fn semantic_tokens(doc: &Document) -> SemanticTokens {
    let body = &doc.text[doc.base() as usize..];
    let (tokens, _) = lexer::lex(body);
    let names: HashMap<u32, (u32, usize, bool)> = doc
        .index
        .occurrences()
        .iter()
        .map(|&(span, id)| {
            let decl = doc.index.symbol(id).is_some_and(|s| s.def == span);
            (span.start, (span.end, id, decl))
        })
        .collect();
    let mut out = Vec::new();
    let (mut last_line, mut last_col) = (0u32, 0u32);
    for t in tokens {
        let (ty, modifiers) = match &t.kind {
            TokenKind::Keyword(_) => (0, 0),
            TokenKind::Comment(_) | TokenKind::DocComment(_) => (1, 0),
            TokenKind::Str(_) => (2, 0),
            TokenKind::Int(_) => (3, 0),
            TokenKind::Ident => match names.get(&t.span.start) {
                Some(&(end, id, decl)) if end == t.span.end => {
                    let kind = doc.index.symbol(id).map_or(Kind::Local, |s| s.kind);
                    (token_type(kind), u32::from(decl))
                }
                _ => continue,
            },
            TokenKind::Arrow | TokenKind::AndAnd | TokenKind::OrOr | TokenKind::Bang => (13, 0),
            _ => continue,
        };
        let text = body.get(t.span.range()).unwrap_or("");
        if text.is_empty() || text.contains(['\n', '\r']) {
            continue;
        }
        let range = doc.range(t.span);
        let length: u32 = text.chars().map(|c| c.len_utf16() as u32).sum();
        let line = range.start.line;
        let col = range.start.character;
        let delta_start = if line == last_line {
            col - last_col
        } else {
            col
        };
        out.push(SemanticToken {
            delta_line: line - last_line,
            delta_start,
            length,
            token_type: ty,
            token_modifiers_bitset: modifiers,
        });
        last_line = line;
        last_col = col;
    }
    SemanticTokens {
        result_id: None,
        data: out,
    }
}

/// Above each transition: its source phases → its target, the source set
/// expanded when the spec checks.
pub fn code_lenses(doc: &Document) -> Vec<CodeLens> {
    let Some(machine) = doc
        .compilation
        .ast
        .as_ref()
        .and_then(|f| f.machines.first())
    else {
        return Vec::new();
    };
    let model = doc.compilation.model.as_ref();
    machine
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Transition(t) => Some((item, t)),
            _ => None,
        })
        .map(|(item, t)| {
            let compiled = model.and_then(|m| {
                m.transition_by_name(&t.name.name)
                    .and_then(|id| m.transition(id))
                    .map(|tr| (m, tr))
            });
            let (sources, count) = match compiled {
                Some((m, tr)) => (
                    fsm_tools::doc::sources(m, &tr.sources),
                    Some(tr.sources.len()),
                ),
                None => (one_line(doc.slice(t.sources.span())), None),
            };
            let target = match &t.target {
                Target::Phase(p) => p.name.clone(),
                Target::Stay(_) => "stay".to_owned(),
            };
            let mut title = format!("{sources} → {target} on {}", t.input.name);
            if let Some(n) = count {
                title.push_str(&format!(
                    " ({n} source phase{})",
                    if n == 1 { "" } else { "s" }
                ));
            }
            let at = doc.range(Span::point(item.span.start));
            CodeLens {
                range: Range::new(at.start, at.start),
                command: Some(Command::new(title, String::new(), None)),
                data: None,
            }
        })
        .collect()
}
