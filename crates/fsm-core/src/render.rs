//! Turns diagnostics into text for people and JSON for tools.
//!
//! Three forms, all pure functions of a [`SourceFile`] and its diagnostics:
//! - [`render`]: rustc-like multi-line reports with the source line and caret
//!   labels, in plain text or with ANSI colours; the CLI prints it and the
//!   proc-macro embeds the plain form in `compile_error!`;
//! - [`short`]: one line, `path:line:col: error[FSM0101]: message`;
//! - [`to_json`]: one JSON object per diagnostic, with 1-based positions and
//!   byte ranges.
//!
//! Spans are clamped to the file and to character boundaries first, so a
//! stray span can never make rendering fail.

use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{SourceFile, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files;
use codespan_reporting::term::{self, Chars, Config, termcolor};
use serde_json::{Value, json};

/// Renders every diagnostic in the rustc style, separated by blank lines.
///
/// ```text
/// error[FSM0101]: unknown phase `Expirng`
///  --> auth.fsm:3:40
///   |
/// 3 |     transition t on Tick from Valid -> Expirng
///   |                                        ^^^^^^^ not a phase of `AuthLease`
///   |
///   = help: did you mean `Expiring`?
/// ```
///
/// With `color` false the text holds no ANSI escape codes at all.
pub fn render(source: &SourceFile, diags: &[Diagnostic], color: bool) -> String {
    let config = config();
    let mut out = String::new();
    for diag in diags.iter().take(MAX_DIAGNOSTICS) {
        let (excerpt, cs_diag) = to_codespan(source, diag);
        let text = if color {
            let mut writer = termcolor::Ansi::new(Vec::new());
            term::emit_to_write_style(&mut writer, &config, &excerpt, &cs_diag)
                .map(|()| String::from_utf8_lossy(&writer.into_inner()).into_owned())
        } else {
            let mut buffer = Vec::new();
            term::emit_to_io_write(&mut buffer, &config, &excerpt, &cs_diag)
                .map(|()| String::from_utf8_lossy(&buffer).into_owned())
        };
        // Spans are clamped beforehand, so this fallback is only a guard.
        let text = match text {
            Ok(text) => align_locus(text),
            Err(_) => fallback(source, diag),
        };
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&text);
    }
    if let Some(note) = omitted_note(diags.len()) {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&format!("note: {}: {note}\n", source.name()));
    }
    out
}

/// [`short`] for every diagnostic of one file, one per line, at most
/// [`MAX_DIAGNOSTICS`] of them and then a `path: note: ... and N more` line.
pub fn short_report(source: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut text = String::new();
    for diag in diags.iter().take(MAX_DIAGNOSTICS) {
        text.push_str(&short(source, diag));
        text.push('\n');
    }
    if let Some(note) = omitted_note(diags.len()) {
        text.push_str(&format!("{}: note: {note}\n", source.name()));
    }
    text
}

/// One line: `path:line:col: error[FSM0101]: message`, the position being the
/// start of the primary span.
pub fn short(source: &SourceFile, diag: &Diagnostic) -> String {
    let at = source.line_col(clamp_span(source, diag.span()).start);
    format!(
        "{}:{}:{}: {}[{}]: {}",
        source.name(),
        at.line,
        at.column,
        diag.severity.as_str(),
        diag.code,
        diag.message
    )
}

/// One JSON object per diagnostic:
///
/// ```json
/// {"code": "FSM0101", "severity": "error", "message": "unknown phase `Expirng`",
///  "file": "auth.fsm", "line": 3, "column": 40, "end_line": 3, "end_column": 47,
///  "range": {"start": 61, "end": 68},
///  "labels": [{"message": "...", "primary": true, "line": 3, "column": 40,
///              "end_line": 3, "end_column": 47, "start": 61, "end": 68}],
///  "notes": [], "help": "did you mean `Expiring`?"}
/// ```
///
/// Lines and columns are 1-based, columns count characters; `line`/`column`
/// are the start of the primary span and `end_line`/`end_column` its end
/// (exclusive). Byte offsets are clamped to the file.
///
/// At most [`MAX_DIAGNOSTICS`] objects are produced; when there are more, a
/// last object says how many were left out:
/// `{"file": "x.fsm", "omitted": 1800, "shown": 200, "message": "..."}`
/// (it has no `code`).
pub fn to_json(source: &SourceFile, diags: &[Diagnostic]) -> Vec<Value> {
    let mut values: Vec<Value> = diags
        .iter()
        .take(MAX_DIAGNOSTICS)
        .map(|d| diagnostic_json(source, d))
        .collect();
    if let Some(note) = omitted_note(diags.len()) {
        values.push(json!({
            "file": source.name(),
            "omitted": diags.len() - MAX_DIAGNOSTICS,
            "shown": MAX_DIAGNOSTICS,
            "message": note,
        }));
    }
    values
}

fn diagnostic_json(source: &SourceFile, diag: &Diagnostic) -> Value {
    let primary = clamp_span(source, diag.span());
    let start = source.line_col(primary.start);
    let end = source.line_col(primary.end);
    let labels: Vec<Value> = diag
        .labels
        .iter()
        .map(|label| {
            let span = clamp_span(source, label.span);
            let from = source.line_col(span.start);
            let to = source.line_col(span.end);
            json!({
                "message": label.message,
                "primary": label.primary,
                "line": from.line,
                "column": from.column,
                "end_line": to.line,
                "end_column": to.column,
                "start": span.start,
                "end": span.end,
            })
        })
        .collect();
    json!({
        "code": diag.code.as_str(),
        "severity": diag.severity.as_str(),
        "message": diag.message,
        "file": source.name(),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "range": { "start": primary.start, "end": primary.end },
        "labels": labels,
        "notes": diag.notes,
        "help": diag.help,
    })
}

fn config() -> Config {
    Config {
        chars: Chars::ascii(),
        ..Config::default()
    }
}

/// The excerpt of the file a diagnostic needs and the diagnostic in the
/// excerpt's offsets.
fn to_codespan<'a>(source: &'a SourceFile, diag: &Diagnostic) -> (Excerpt<'a>, cs::Diagnostic<()>) {
    let severity = match diag.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut ranges: Vec<std::ops::Range<usize>> = diag
        .labels
        .iter()
        .map(|label| visible_range(source, label.span))
        .collect();
    let no_primary = !diag.labels.iter().any(|l| l.primary);
    if no_primary {
        ranges.push(0..0);
    }
    let excerpt = Excerpt::new(source, &ranges);
    let at = |range: &std::ops::Range<usize>| {
        let start = excerpt.to_excerpt(range.start);
        let end = excerpt.to_excerpt(range.end).max(start);
        start..end
    };
    let mut labels: Vec<cs::Label<()>> = diag
        .labels
        .iter()
        .zip(&ranges)
        .map(|(label, range)| {
            let style = if label.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, (), at(range)).with_message(label.message.clone())
        })
        .collect();
    if no_primary {
        // The location line comes from the primary label; never go without.
        labels.insert(0, cs::Label::primary((), at(&(0..0))));
    }
    let mut notes: Vec<String> = diag.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(help) = &diag.help {
        notes.push(format!("help: {help}"));
    }
    let diag = cs::Diagnostic::new(severity)
        .with_code(diag.code.as_str())
        .with_message(diag.message.clone())
        .with_labels(labels)
        .with_notes(notes);
    (excerpt, diag)
}

/// The byte range shown for a label: the clamped span, except that an empty
/// span on a visible character is widened to that character so that it gets
/// a caret (rustc does the same).
fn visible_range(source: &SourceFile, span: Span) -> std::ops::Range<usize> {
    let span = clamp_span(source, span);
    let range = span.range();
    if !range.is_empty() {
        return range;
    }
    match source.text()[range.start..].chars().next() {
        Some(c) if c != '\n' && c != '\r' => range.start..range.start + c.len_utf8(),
        _ => range,
    }
}

/// `span` limited to the file, on character boundaries, with `start <= end`.
fn clamp_span(source: &SourceFile, span: Span) -> Span {
    let text = source.text();
    let clamp = |offset: u32| {
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset as u32
    };
    let start = clamp(span.start);
    let end = clamp(span.end).max(start);
    Span::new(start, end)
}

/// Puts the ` --> path:line:col` line one column left, under the gutter as
/// rustc does (the renderer indents it one space further).
fn align_locus(text: String) -> String {
    let Some(first_end) = text.find('\n') else {
        return text;
    };
    let rest = &text[first_end + 1..];
    let locus = rest.split('\n').next().unwrap_or_default();
    if locus.starts_with("  ") && locus.contains("-->") {
        let mut out = String::with_capacity(text.len());
        out.push_str(&text[..=first_end]);
        out.push_str(&rest[1..]);
        out
    } else {
        text
    }
}

/// The text used if the rich renderer ever refuses a diagnostic.
fn fallback(source: &SourceFile, diag: &Diagnostic) -> String {
    let mut text = short(source, diag);
    text.push('\n');
    for note in &diag.notes {
        text.push_str(&format!("  = note: {note}\n"));
    }
    if let Some(help) = &diag.help {
        text.push_str(&format!("  = help: {help}\n"));
    }
    text.push('\n');
    text
}

/// At most this many diagnostics of one file are rendered (by [`render`],
/// [`short_report`] and [`to_json`]); the rest are summed up in one final
/// note. The proc-macro applies the same cap to its `compile_error!`s.
pub const MAX_DIAGNOSTICS: usize = 200;

/// A source line longer than this many bytes is not printed whole: only
/// windows around the labels on it are, with `...` where text is left out.
pub const MAX_LINE_LEN: usize = 160;

/// Bytes of context kept before and after each label end on a long line.
const WINDOW_CONTEXT: usize = 40;

/// The closing note when `total` diagnostics exceed [`MAX_DIAGNOSTICS`].
pub fn omitted_note(total: usize) -> Option<String> {
    let omitted = total.checked_sub(MAX_DIAGNOSTICS).filter(|&n| n > 0)?;
    Some(format!(
        "... and {omitted} more {} (only the first {MAX_DIAGNOSTICS} of a file are shown)",
        if omitted == 1 {
            "diagnostic"
        } else {
            "diagnostics"
        }
    ))
}

/// What codespan sees of the file for one diagnostic: only the lines near
/// its labels, each long line cut down to windows around the label ends.
/// Line numbers, columns and the line index are the real file's, so the
/// cost of a diagnostic does not grow with the length of its lines or of
/// the file.
struct Excerpt<'a> {
    file: &'a SourceFile,
    /// The excerpt's text: the kept lines, one after the other.
    text: String,
    /// Real line index -> the kept line.
    lines: std::collections::BTreeMap<usize, KeptLine>,
    /// Lines inside multi-line labels that are never printed: they read
    /// as empty.
    hidden: Vec<std::ops::Range<usize>>,
    /// The excerpt range of an empty line.
    empty: std::ops::Range<usize>,
}

struct KeptLine {
    /// Its range in the excerpt's text, line ending included.
    range: std::ops::Range<usize>,
    /// `(excerpt offset, real offset, length)` of each window of real text.
    pieces: Vec<(usize, usize, usize)>,
}

impl<'a> Excerpt<'a> {
    /// The excerpt for labels on `ranges` (clamped byte ranges of the file).
    fn new(file: &'a SourceFile, ranges: &[std::ops::Range<usize>]) -> Self {
        let text = file.text();
        // Real line index -> the offsets on it that must be visible.
        let mut anchors: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        let mut placeholders = Vec::new();
        for range in ranges {
            let first = file.line_index(range.start);
            let last = file.line_index(range.end);
            anchors.entry(first).or_default().push(range.start);
            anchors.entry(last).or_default().push(range.end);
            // Lines codespan may show around a label: neighbours, and the
            // first and last lines of a multi-line label.
            let near = |line: usize| line.saturating_sub(1)..=line + 5;
            for line in near(first).chain(last.saturating_sub(5)..=last + 1) {
                anchors.entry(line).or_default();
            }
            // Lines further inside a multi-line label are never printed, but
            // codespan asks for them: they stay empty.
            if last > first + 6 {
                placeholders.push(first + 6..last.saturating_sub(5));
            }
        }
        let mut excerpt = Excerpt {
            file,
            text: String::new(),
            lines: Default::default(),
            hidden: placeholders,
            empty: 0..0,
        };
        for (line, offsets) in anchors {
            let Some(range) = file.line_range(line) else {
                continue;
            };
            let start = excerpt.text.len();
            let content_end = line_content_end(text, range.clone());
            if content_end - range.start <= MAX_LINE_LEN {
                // A short line is kept whole, line ending included.
                excerpt.text.push_str(&text[range.clone()]);
                excerpt.lines.insert(
                    line,
                    KeptLine {
                        range: start..excerpt.text.len(),
                        pieces: vec![(start, range.start, range.len())],
                    },
                );
                continue;
            }
            let pieces = windows(file, range.start..content_end, &offsets);
            let mut kept = Vec::new();
            for (i, window) in pieces.iter().enumerate() {
                if i == 0 && window.start > range.start || i > 0 {
                    excerpt.text.push_str(if i == 0 { "..." } else { " ... " });
                }
                kept.push((excerpt.text.len(), window.start, window.len()));
                excerpt.text.push_str(&text[window.clone()]);
            }
            if pieces.last().is_some_and(|w| w.end < content_end) {
                excerpt.text.push_str("...");
            }
            excerpt.text.push_str(&text[content_end..range.end]);
            let end = excerpt.text.len();
            excerpt.lines.insert(
                line,
                KeptLine {
                    range: start..end,
                    pieces: kept,
                },
            );
        }
        let empty = excerpt.text.len();
        excerpt.text.push('\n');
        excerpt.empty = empty..empty + 1;
        excerpt
    }

    /// The excerpt offset of the real offset `real` (an anchor, so kept).
    fn to_excerpt(&self, real: usize) -> usize {
        let line = self.file.line_index(real);
        let Some(kept) = self.lines.get(&line) else {
            return 0;
        };
        for &(at, from, len) in &kept.pieces {
            if (from..=from + len).contains(&real) {
                return at + (real - from);
            }
        }
        kept.range.start
    }

    /// The real offset of the excerpt offset `at`.
    fn to_real(&self, at: usize) -> usize {
        let holding = self.lines.values().find(|kept| kept.range.contains(&at));
        let ending = || self.lines.values().find(|kept| kept.range.end == at);
        let Some(kept) = holding.or_else(ending) else {
            return self.file.text().len();
        };
        let mut real = kept.pieces.first().map_or(0, |p| p.1);
        for &(piece_at, from, len) in &kept.pieces {
            if at >= piece_at {
                real = from + (at - piece_at).min(len);
            }
        }
        real
    }
}

/// Where the text of the line `range` ends, before its line ending.
fn line_content_end(text: &str, range: std::ops::Range<usize>) -> usize {
    let line = &text[range.clone()];
    let trimmed = line.trim_end_matches(['\n', '\r']);
    range.start + trimmed.len()
}

/// The windows of the long line `content` to print: merged windows of context around each offset (or the
/// line's start when it has none), on character boundaries.
fn windows(
    file: &SourceFile,
    content: std::ops::Range<usize>,
    offsets: &[usize],
) -> Vec<std::ops::Range<usize>> {
    let mut raw: Vec<(usize, usize)> = offsets
        .iter()
        .map(|&o| {
            let o = o.clamp(content.start, content.end);
            (
                o.saturating_sub(WINDOW_CONTEXT).max(content.start),
                (o + WINDOW_CONTEXT).min(content.end),
            )
        })
        .collect();
    if raw.is_empty() {
        raw.push((content.start, content.start + 2 * WINDOW_CONTEXT));
    }
    raw.sort_unstable();
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for (start, end) in raw {
        let start = file.clamp(start);
        let mut end = file.clamp(end);
        if end < start {
            end = start;
        }
        match merged.last_mut() {
            // Windows that touch, or that only a `...` would separate, merge.
            Some(last) if start <= last.end + 5 => last.end = last.end.max(end),
            _ => merged.push(start..end),
        }
    }
    merged
}

impl<'a> codespan_reporting::files::Files<'a> for Excerpt<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.file.name())
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.file.line_index(self.to_real(byte_index)))
    }

    fn column_number(
        &'a self,
        (): (),
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        Ok(self.file.line_col(self.to_real(byte_index) as u32).column as usize)
    }

    fn line_range(
        &'a self,
        (): (),
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, files::Error> {
        if let Some(kept) = self.lines.get(&line_index) {
            return Ok(kept.range.clone());
        }
        if self.hidden.iter().any(|span| span.contains(&line_index)) {
            return Ok(self.empty.clone());
        }
        Err(files::Error::LineTooLarge {
            given: line_index,
            max: self.file.line_starts().len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    const SPEC: &str = "machine AuthLease {\n    phases { Valid, Expiring }\n    initial Valid\n    transition t on Tick from Valid -> Expirng\n}\n";

    fn offset_of(needle: &str) -> u32 {
        SPEC.find(needle).map(|i| i as u32).unwrap_or(0)
    }

    fn unknown_phase() -> Diagnostic {
        let at = offset_of("Expirng");
        let phases = offset_of("phases");
        Diagnostic::new(
            Code::UnknownPhase,
            "unknown phase `Expirng`",
            Span::new(at, at + 7),
            "not a phase of `AuthLease`",
        )
        .with_secondary(Span::new(phases, phases + 6), "phases are declared here")
        .with_note("a transition targets a phase or `stay`")
        .with_help("did you mean `Expiring`?")
    }

    fn source() -> SourceFile {
        SourceFile::new("machines/auth.fsm", SPEC)
    }

    #[test]
    fn renders_primary_and_secondary_labels_note_and_help() {
        let text = render(&source(), &[unknown_phase()], false);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn plain_text_has_no_escape_codes_and_color_does() {
        let diags = [unknown_phase()];
        assert!(!render(&source(), &diags, false).contains('\u{1b}'));
        let colored = render(&source(), &diags, true);
        assert!(colored.contains('\u{1b}'));
        let locus = colored.lines().nth(1).unwrap_or_default();
        assert!(locus.starts_with(" \u{1b}"), "{locus:?}");
    }

    #[test]
    fn gutter_widens_with_line_numbers() {
        let text = format!("{}machine A {{}}\n", "\n".repeat(11));
        let file = SourceFile::new("w.fsm", text);
        let diag = Diagnostic::new(Code::Syntax, "odd", Span::new(11, 18), "here");
        let text = render(&file, &[diag], false);
        assert!(
            text.contains("\n  --> w.fsm:12:1\n   |\n12 | machine"),
            "{text}"
        );
    }

    #[test]
    fn location_line_is_one_based() {
        let text = render(&source(), &[unknown_phase()], false);
        assert!(text.contains(" --> machines/auth.fsm:4:40\n"), "{text}");
        assert_eq!(
            short(&source(), &unknown_phase()),
            "machines/auth.fsm:4:40: error[FSM0101]: unknown phase `Expirng`"
        );
    }

    #[test]
    fn diagnostics_are_separated_by_blank_lines() {
        let warning = Diagnostic::new(
            Code::UnusedInput,
            "input `Tick` is never handled",
            Span::new(0, 7),
            "in this machine",
        );
        let text = render(&source(), &[unknown_phase(), warning], false);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn empty_spans_and_spans_at_end_of_file_render() {
        let len = SPEC.len() as u32;
        let diags = [
            Diagnostic::new(
                Code::Syntax,
                "expected `}`",
                Span::point(len),
                "file ends here",
            ),
            Diagnostic::new(Code::Syntax, "expected a name", Span::point(8), "here"),
            Diagnostic::new(
                Code::Syntax,
                "far away",
                Span::new(len + 10, len + 20),
                "past the end",
            ),
        ];
        let text = render(&source(), &diags, false);
        insta::assert_snapshot!(text);
        let no_newline = SourceFile::new("x.fsm", "machine A {");
        let text = render(
            &no_newline,
            &[Diagnostic::new(
                Code::Syntax,
                "expected `}`",
                Span::point(11),
                "file ends here",
            )],
            false,
        );
        assert!(text.contains(" --> x.fsm:1:12\n"), "{text}");
    }

    #[test]
    fn spans_inside_multibyte_characters_are_clamped() {
        let file = SourceFile::new("u.fsm", "machine Ça {}\n");
        let diag = Diagnostic::new(Code::Syntax, "odd", Span::new(9, 10), "inside `Ç`");
        let text = render(&file, std::slice::from_ref(&diag), false);
        assert!(text.contains(" --> u.fsm:1:9\n"), "{text}");
        let json = to_json(&file, &[diag]);
        assert_eq!(json[0]["range"]["start"], 8);
    }

    #[test]
    fn long_lines_are_windowed_around_each_label() {
        let far = 5000;
        let text = format!("machine M {{ {}X Y }}\n", " ".repeat(far));
        let file = SourceFile::new("w.fsm", text.as_str());
        let x = text.find('X').unwrap_or(0) as u32;
        let diag = Diagnostic::new(Code::Syntax, "odd", Span::new(x, x + 1), "here")
            .with_secondary(Span::new(0, 7), "machine");
        let out = render(&file, &[diag], false);
        assert!(out.contains(&format!(" --> w.fsm:1:{}\n", x + 1)), "{out}");
        assert!(
            out.contains("1 | machine M ") && out.contains("...  "),
            "{out}"
        );
        assert!(out.contains("X Y }"), "{out}");
        assert!(out.len() < 1000, "{out}");
        // The caret is under the `X` of the excerpt.
        let source_line = out
            .lines()
            .find(|l| l.starts_with("1 |"))
            .unwrap_or_default();
        let caret_line = out
            .lines()
            .find(|l| l.contains("^ here"))
            .unwrap_or_default();
        assert_eq!(source_line.find('X'), caret_line.find('^'), "{out}");
    }

    #[test]
    fn multi_line_labels_over_long_lines_render_in_full_form() {
        let line = format!("{}\n", "x".repeat(1000));
        for lines in [2, 3, 8, 50] {
            let text = line.repeat(lines);
            let file = SourceFile::new("m.fsm", text.as_str());
            let end = (text.len() - 10) as u32;
            let diag = Diagnostic::new(Code::Syntax, "odd", Span::new(500, end), "all this")
                .with_secondary(Span::new(20, 21), "and this");
            let out = render(&file, &[diag], false);
            // The rich form (with the gutter), not the one-line fallback.
            assert!(out.contains(" --> m.fsm:1:501\n"), "{out}");
            assert!(out.contains("1 | ") && out.contains("..."), "{out}");
            assert!(out.contains(&format!("{lines} | ")), "{out}");
            assert!(out.len() < 3000, "{} bytes:\n{out}", out.len());
        }
    }

    #[test]
    fn output_stops_after_the_cap_with_a_count() {
        let diags: Vec<Diagnostic> = (0..MAX_DIAGNOSTICS + 5)
            .map(|_| Diagnostic::new(Code::Syntax, "odd", Span::new(0, 7), "here"))
            .collect();
        let text = render(&source(), &diags, false);
        assert_eq!(text.matches("error[FSM0010]").count(), MAX_DIAGNOSTICS);
        assert!(text.ends_with("note: machines/auth.fsm: ... and 5 more diagnostics (only the first 200 of a file are shown)\n"), "{}", &text[text.len() - 200..]);
        let short = short_report(&source(), &diags);
        assert_eq!(short.lines().count(), MAX_DIAGNOSTICS + 1);
        let json = to_json(&source(), &diags);
        assert_eq!(json.len(), MAX_DIAGNOSTICS + 1);
        assert_eq!(json[MAX_DIAGNOSTICS]["omitted"], 5);
        assert_eq!(
            render(&source(), &diags[..MAX_DIAGNOSTICS], false)
                .matches("more diagnostics")
                .count(),
            0
        );
    }

    #[test]
    fn json_has_positions_labels_notes_and_help() {
        let json = to_json(&source(), &[unknown_phase()]);
        insta::assert_snapshot!(serde_json::to_string_pretty(&json).unwrap_or_default());
    }
}
