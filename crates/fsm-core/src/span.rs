//! Byte spans and the source map: the one location type used by every AST
//! node, model node and diagnostic.

use serde::Serialize;

/// A half-open byte range `start..end` into one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    /// An empty span at `offset`.
    pub const fn point(offset: u32) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A value together with the span it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }
}

/// One source file: its display name, its text, the byte offset of every
/// line start and a sparse index of character counts, so that a span
/// converts to a 1-based line and column in O(log n) plus a bounded scan,
/// however long its line.
///
/// A line ends at `\n`, `\r\n` or a lone `\r`.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<u32>,
    /// `(byte offset, characters before it)` at a character boundary every
    /// [`CHAR_INDEX_STEP`] bytes or so, starting with `(0, 0)`.
    char_index: Vec<(u32, u32)>,
}

/// The distance in bytes between two entries of the character index: a
/// column is found by scanning at most about this many bytes.
const CHAR_INDEX_STEP: usize = 1024;

/// A 1-based line and column (the column counts characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let bytes = text.as_bytes();
        let mut line_starts = vec![0u32];
        let mut char_index = vec![(0u32, 0u32)];
        let mut chars = 0u32;
        let mut next_entry = CHAR_INDEX_STEP;
        for (i, &b) in bytes.iter().enumerate() {
            let line_end = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if line_end {
                line_starts.push(i as u32 + 1);
            }
            // A byte that is not a UTF-8 continuation byte starts a character.
            if b & 0xC0 != 0x80 {
                if i >= next_entry {
                    char_index.push((i as u32, chars));
                    next_entry = i + CHAR_INDEX_STEP;
                }
                chars += 1;
            }
        }
        Self {
            name: name.into(),
            text,
            line_starts,
            char_index,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }

    /// The text under `span`, clamped to the file and to character boundaries.
    pub fn slice(&self, span: Span) -> &str {
        let start = self.clamp(span.start as usize);
        let end = self.clamp(span.end as usize).max(start);
        &self.text[start..end]
    }

    /// `offset` limited to the text and moved back to a character boundary.
    pub fn clamp(&self, mut offset: usize) -> usize {
        offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The 0-based index of the line holding `offset` (clamped to the file).
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = self.clamp(offset) as u32;
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The byte range of line `index` (0-based), its line ending included;
    /// `None` past the last line.
    pub fn line_range(&self, index: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(index)? as usize;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&e| e as usize);
        Some(start..end)
    }

    /// How many characters precede the character boundary `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let entry = match self
            .char_index
            .binary_search_by(|&(at, _)| (at as usize).cmp(&offset))
        {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let (at, before) = self.char_index.get(entry).copied().unwrap_or((0, 0));
        let at = (at as usize).min(offset);
        before as usize + self.text[at..offset].chars().count()
    }

    /// 1-based line and character column of a byte offset (clamped to the file).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = self.clamp(offset as usize);
        let line = self.line_index(offset);
        let start = self.line_starts[line] as usize;
        let column = self.chars_before(offset) - self.chars_before(start) + 1;
        LineCol {
            line: line as u32 + 1,
            column: column as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_chars() {
        let f = SourceFile::new("a.fsm", "ab\nçd\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // `d` is at byte 5 (ç is two bytes) but column 2.
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
        // Past the end clamps to the end.
        assert_eq!(f.line_col(99), LineCol { line: 3, column: 1 });
        // Inside a multi-byte char clamps back to its start.
        assert_eq!(f.line_col(4), LineCol { line: 2, column: 1 });
    }

    #[test]
    fn lone_carriage_returns_and_crlf_end_lines() {
        let f = SourceFile::new("a.fsm", "a\rb\r\nc\nd");
        assert_eq!(f.line_starts(), &[0, 2, 5, 7]);
        assert_eq!(f.line_col(2), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(5), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_range(1), Some(2..5));
        assert_eq!(f.line_range(4), None);
    }

    #[test]
    fn columns_on_a_long_line_match_a_plain_count() {
        // Multi-byte characters across many index entries.
        let line: String = "ab\u{e7}\u{1f600}".repeat(2000);
        let text = format!("x\n{line}\n");
        let f = SourceFile::new("long.fsm", text.as_str());
        for (offset, _) in text.char_indices().step_by(97) {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let column = text[start..offset].chars().count() as u32 + 1;
            assert_eq!(f.line_col(offset as u32).column, column, "at {offset}");
        }
    }
}
