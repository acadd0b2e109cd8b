//! Byte offsets ↔ LSP positions. Spans are byte offsets into the text; LSP
//! positions are a line and a column counted in UTF-16 code units. A line
//! ends at `\n`, `\r\n` or a lone `\r`, as in `fsm_core::SourceFile` and
//! the protocol.

use fsm_core::Span;
use lsp_types::{Position, Range};

/// The line starts of one text, for converting in both directions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
        }
        Self {
            line_starts,
            len: text.len(),
        }
    }

    /// The position of byte `offset` (clamped to the text and moved back to
    /// a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(self.len).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(column))
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start as usize),
            self.position(text, span.end as usize),
        )
    }

    /// The byte offset of `position`. A line past the end gives the end of
    /// the text; a column past the end of its line gives the line's end
    /// (before its line break); a column inside a surrogate pair gives the
    /// start of that character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.line_starts.get(line) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len())
            .min(text.len());
        let content = text.get(start..end).unwrap_or("");
        let content = content.trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        for (i, c) in content.char_indices() {
            let next = units + c.len_utf16();
            if next > position.character as usize {
                return start + i;
            }
            units = next;
        }
        start + content.len()
    }

    pub fn span(&self, text: &str, range: Range) -> Span {
        let a = self.offset(text, range.start);
        let b = self.offset(text, range.end);
        Span::new(to_u32(a.min(b)), to_u32(a.max(b)))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        let text = "a é 𝄞 b\nx";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap();
        // `a`, ` `, `é`, ` `, `𝄞` (2 units), ` ` → `b` at column 7.
        assert_eq!(index.position(text, b), Position::new(0, 7));
        assert_eq!(index.offset(text, Position::new(0, 7)), b);
        // Inside the surrogate pair: the start of the character.
        let clef = text.find('𝄞').unwrap();
        assert_eq!(index.offset(text, Position::new(0, 5)), clef);
        // An offset inside a multi-byte character moves back to its start.
        assert_eq!(index.position(text, clef + 2), Position::new(0, 4));
        assert_eq!(index.position(text, text.len()), Position::new(1, 1));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "ab\r\ncd\ref\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 4), Position::new(1, 0));
        assert_eq!(index.position(text, 7), Position::new(2, 0));
        // A column past the end of a line stops before its `\r\n`.
        assert_eq!(index.offset(text, Position::new(0, 99)), 2);
        assert_eq!(index.offset(text, Position::new(1, 1)), 5);
        assert_eq!(index.offset(text, Position::new(3, 0)), text.len());
        assert_eq!(index.offset(text, Position::new(42, 3)), text.len());
    }

    #[test]
    fn ranges_round_trip_spans() {
        let text = "machine Ä {\r\n  phases { Ö }\r\n}";
        let index = LineIndex::new(text);
        let start = text.find('Ö').unwrap();
        let span = Span::new(start as u32, (start + 'Ö'.len_utf8()) as u32);
        let range = index.range(text, span);
        assert_eq!(
            range,
            Range::new(Position::new(1, 11), Position::new(1, 12))
        );
        assert_eq!(index.span(text, range), span);
        assert_eq!(index.position(text, usize::MAX), Position::new(2, 1));
    }
}
