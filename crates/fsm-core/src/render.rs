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
use codespan_reporting::files::SimpleFile;
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
    let file = SimpleFile::new(source.name(), source.text());
    let config = config();
    let mut out = String::new();
    for diag in diags {
        let cs_diag = to_codespan(source, diag);
        let text = if color {
            let mut writer = termcolor::Ansi::new(Vec::new());
            term::emit_to_write_style(&mut writer, &config, &file, &cs_diag)
                .map(|()| String::from_utf8_lossy(&writer.into_inner()).into_owned())
        } else {
            let mut buffer = Vec::new();
            term::emit_to_io_write(&mut buffer, &config, &file, &cs_diag)
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
    out
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
pub fn to_json(source: &SourceFile, diags: &[Diagnostic]) -> Vec<Value> {
    diags.iter().map(|d| diagnostic_json(source, d)).collect()
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

fn to_codespan(source: &SourceFile, diag: &Diagnostic) -> cs::Diagnostic<()> {
    let severity = match diag.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels: Vec<cs::Label<()>> = diag
        .labels
        .iter()
        .map(|label| {
            let style = if label.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, (), visible_range(source, label.span))
                .with_message(label.message.clone())
        })
        .collect();
    if !diag.labels.iter().any(|l| l.primary) {
        // The location line comes from the primary label; never go without.
        labels.insert(0, cs::Label::primary((), 0..0));
    }
    let mut notes: Vec<String> = diag.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(help) = &diag.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(diag.code.as_str())
        .with_message(diag.message.clone())
        .with_labels(labels)
        .with_notes(notes)
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
    fn json_has_positions_labels_notes_and_help() {
        let json = to_json(&source(), &[unknown_phase()]);
        insta::assert_snapshot!(serde_json::to_string_pretty(&json).unwrap_or_default());
    }
}
