//! One open document: its text and everything derived from it.

use crate::index::Index;
use crate::position::LineIndex;
use fsm_core::{Compilation, Span};
use lsp_types::{Position, Range};

#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub lines: LineIndex,
    pub compilation: Compilation,
    pub index: Index,
    /// The length of a byte order mark at the start of the text: spans
    /// count from after it.
    base: u32,
}

impl Document {
    /// Compiles `text` (shown as `name` in messages) and indexes it.
    pub fn new(name: &str, text: String) -> Self {
        let compilation = fsm_core::compile(name, text.as_bytes());
        let index = compilation
            .ast
            .as_ref()
            .map(Index::build)
            .unwrap_or_default();
        let lines = LineIndex::new(&text);
        let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Self {
            base,
            text,
            lines,
            compilation,
            index,
        }
    }

    pub fn range(&self, span: Span) -> Range {
        let span = Span::new(
            span.start.saturating_add(self.base),
            span.end.saturating_add(self.base),
        );
        self.lines.range(&self.text, span)
    }

    pub fn offset(&self, position: Position) -> usize {
        self.lines
            .offset(&self.text, position)
            .saturating_sub(self.base as usize)
    }

    /// The text under `span`, or "" when it is not in the text.
    pub fn slice(&self, span: Span) -> &str {
        let text = &self.text[self.base as usize..];
        text.get(span.range()).unwrap_or("")
    }

    /// A byte offset of the text (after any byte order mark) as a span
    /// start.
    pub fn base(&self) -> u32 {
        self.base
    }

    /// The symbol under `position`.
    pub fn symbol_at(&self, position: Position) -> Option<usize> {
        self.index.at(self.offset(position))
    }
}
