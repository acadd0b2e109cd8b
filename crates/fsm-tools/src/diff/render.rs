//! A [`Report`] as text (one line per change), Markdown (for a pull
//! request comment) or JSON (the schema is in `docs/review.md`).

use super::{Aspect, Change, ChangeClass, MachineDiff, Op, Report, Status, Subject};
use std::fmt::Write as _;

/// Text: per machine that differs, a line with its name and what changed,
/// then one line per change (`before → after`), multi-line values as an
/// indented line diff. Empty when no machine differs.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for m in report
        .machines
        .iter()
        .filter(|m| m.status != Status::Unchanged)
    {
        let _ = writeln!(
            out,
            "{}: {}{}",
            m.machine,
            m.summary(),
            paths(m, &|s| s.to_owned())
        );
        for e in &m.errors {
            let _ = writeln!(out, "  {e}");
        }
        for c in &m.changes {
            let _ = writeln!(out, "  {:<10} {}", c.class.word(), line(c, &Plain));
            if let Some((before, after)) = multi_line(c) {
                for l in line_diff(&before, &after) {
                    let _ = writeln!(out, "{}", format!("             {l}").trim_end());
                }
            }
        }
    }
    out
}

/// Markdown for a pull request comment: a summary list, then per machine
/// that differs a heading, a summary line, a table of its changes and a
/// collapsible line diff for each block, doc comment or binding.
pub fn markdown(report: &Report) -> String {
    let mut out = String::from("## Spec changes\n\n");
    let differing: Vec<&MachineDiff> = report
        .machines
        .iter()
        .filter(|m| m.status != Status::Unchanged)
        .collect();
    let _ = writeln!(out, "`{}` → `{}`\n", report.old, report.new);
    if differing.is_empty() {
        out.push_str("No machine changed.\n");
        return out;
    }
    for m in &differing {
        let _ = writeln!(out, "- `{}`: {}", m.machine, m.summary());
    }
    out.push('\n');
    for m in differing {
        let _ = writeln!(out, "### `{}`\n", m.machine);
        let mut summary = format!("**{}**", m.summary());
        let counts = counts(m);
        if !counts.is_empty() {
            let _ = write!(summary, " · {counts}");
        }
        let files = paths(m, &code);
        let _ = writeln!(out, "{summary}{files}\n");
        if !m.errors.is_empty() {
            out.push_str("```text\n");
            for e in &m.errors {
                let _ = writeln!(out, "{e}");
            }
            out.push_str("```\n\n");
        }
        let (docs, semantic): (Vec<&Change>, Vec<&Change>) =
            m.changes.iter().partition(|c| c.class == ChangeClass::Docs);
        if semantic.is_empty() {
            changes_table(&mut out, &docs);
        } else {
            changes_table(&mut out, &semantic);
            // Docs next to schema or behaviour changes: out of the way.
            if !docs.is_empty() {
                let noun = if docs.len() == 1 { "change" } else { "changes" };
                let _ = writeln!(
                    out,
                    "<details><summary>{} docs {noun}</summary>\n",
                    docs.len()
                );
                changes_table(&mut out, &docs);
                out.push_str("</details>\n\n");
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// A table of `changes`, then a collapsible line diff for each long one.
fn changes_table(out: &mut String, changes: &[&Change]) {
    if changes.is_empty() {
        return;
    }
    out.push_str("| Class | Change | Before | After |\n|---|---|---|---|\n");
    let mut long = Vec::new();
    for c in changes {
        let (before, after) = if let Some(pair) = multi_line(c) {
            long.push((c, pair));
            ("*diff below*".to_owned(), String::new())
        } else {
            (
                c.before.as_deref().map(code).unwrap_or_default(),
                c.after.as_deref().map(code).unwrap_or_default(),
            )
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            c.class.word(),
            cell(&line(c, &Short)),
            cell(&before),
            cell(&after)
        );
    }
    out.push('\n');
    for (c, (before, after)) in long {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n\n```diff",
            html(&line(c, &Short))
        );
        for l in line_diff(&before, &after) {
            let _ = writeln!(out, "{l}");
        }
        out.push_str("```\n\n</details>\n\n");
    }
}

/// JSON, pretty-printed, ending with a newline.
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

fn paths(m: &MachineDiff, wrap: &dyn Fn(&str) -> String) -> String {
    match (&m.old_path, &m.new_path) {
        (Some(o), Some(n)) if o == n => format!(" ({})", wrap(o)),
        (Some(o), Some(n)) => format!(" ({} → {})", wrap(o), wrap(n)),
        (Some(p), None) | (None, Some(p)) => format!(" ({})", wrap(p)),
        (None, None) => String::new(),
    }
}

/// `2 schema, 1 behaviour, 3 docs`.
fn counts(m: &MachineDiff) -> String {
    let mut parts = Vec::new();
    for class in [
        ChangeClass::Schema,
        ChangeClass::Behaviour,
        ChangeClass::Docs,
    ] {
        let n = m.changes.iter().filter(|c| c.class == class).count();
        if n > 0 {
            parts.push(format!("{n} {}", class.word()));
        }
    }
    parts.join(", ")
}

/// How a line names things: as is (text) or in code spans (Markdown), and
/// whether it carries the values.
trait Style {
    fn name(&self, s: &str) -> String;
    /// Whether `before → after` is part of the line (text) or shown in
    /// columns of its own (Markdown).
    fn values(&self) -> bool;
}

struct Plain;
struct Short;

impl Style for Plain {
    fn name(&self, s: &str) -> String {
        s.to_owned()
    }
    fn values(&self) -> bool {
        true
    }
}

impl Style for Short {
    fn name(&self, s: &str) -> String {
        code(s)
    }
    fn values(&self) -> bool {
        false
    }
}

/// The one-line description of a change.
fn line(c: &Change, style: &dyn Style) -> String {
    let subject = c.subject.word();
    let named = if c.name.is_empty() {
        subject.to_owned()
    } else {
        format!("{subject} {}", style.name(&c.name))
    };
    let value = |v: &Option<String>| -> String {
        match v {
            Some(v) if !v.contains('\n') => v.clone(),
            Some(_) => "…".to_owned(),
            None => "nothing".to_owned(),
        }
    };
    let long = multi_line(c).is_some();
    let with_values = |text: String| -> String {
        if !style.values() || long {
            return text;
        }
        match (&c.before, &c.after) {
            (None, None) => text,
            (Some(b), None) if c.op == Op::Removed => {
                format!("{text}: {}", value(&Some(b.clone())))
            }
            (None, Some(a)) if c.op == Op::Added => format!("{text}: {}", value(&Some(a.clone()))),
            _ => format!("{text}: {} → {}", value(&c.before), value(&c.after)),
        }
    };
    let users = match (&c.detail, c.subject) {
        (Some(users), Subject::Guard) => format!(" (used by {})", list(users, style)),
        _ => String::new(),
    };
    match c.op {
        Op::Added => with_values(format!("{named} added{users}")),
        Op::Removed => with_values(format!("{named} removed{users}")),
        Op::Renamed => format!(
            "{subject} {} renamed to {}",
            style.name(c.old_name.as_deref().unwrap_or("?")),
            style.name(&c.name)
        ),
        Op::Changed => {
            let aspect = c.aspect.unwrap_or(Aspect::Setting);
            let text = match (aspect, &c.detail) {
                (Aspect::Order, _) => format!("{subject} order"),
                (Aspect::Initial, _) => "initial phase".to_owned(),
                (Aspect::Docs, Some(detail)) if long => {
                    format!("{named}: method {} docs changed", style.name(detail))
                }
                (Aspect::Docs, Some(detail)) => {
                    format!("{named}: method {} docs", style.name(detail))
                }
                (Aspect::Docs, None) if long => format!("{named}: docs changed"),
                (Aspect::Docs, None) if c.before.is_none() => {
                    return with_values_added(&format!("{named}: docs"), &c.after, style, long);
                }
                (Aspect::Docs, None) if c.after.is_none() => {
                    return with_values_removed(&format!("{named}: docs"), &c.before, style, long);
                }
                (Aspect::Guard | Aspect::Method, Some(detail)) => {
                    let what = format!("{named}: {} {}", aspect.word(), style.name(detail));
                    match (&c.before, &c.after) {
                        (None, Some(_)) => {
                            return with_values_added(&what, &c.after, style, long);
                        }
                        (Some(_), None) => {
                            return with_values_removed(&what, &c.before, style, long);
                        }
                        _ => what,
                    }
                }
                (Aspect::Setting, _) => named.clone(),
                (Aspect::Block, Some(users)) => {
                    format!("{named}: block changed (run by {})", list(users, style))
                }
                (Aspect::Block, _) if long => format!("{named}: block changed"),
                (aspect, _) => format!("{named}: {}", aspect.word()),
            };
            with_values(text)
        }
    }
}

/// `a, b, c and 4 more`, from a comma-separated list.
fn list(names: &str, style: &dyn Style) -> String {
    const SHOWN: usize = 4;
    let names: Vec<&str> = names.split(", ").collect();
    let shown: Vec<String> = names.iter().take(SHOWN).map(|n| style.name(n)).collect();
    let more = names.len().saturating_sub(SHOWN);
    let noun = if names.len() == 1 {
        "transition"
    } else {
        "transitions"
    };
    if more > 0 {
        format!("{noun} {} and {more} more", shown.join(", "))
    } else {
        format!("{noun} {}", shown.join(", "))
    }
}

fn with_values_added(what: &str, after: &Option<String>, style: &dyn Style, long: bool) -> String {
    match after {
        Some(a) if style.values() && !long => format!("{what} added: {a}"),
        _ => format!("{what} added"),
    }
}

fn with_values_removed(
    what: &str,
    before: &Option<String>,
    style: &dyn Style,
    long: bool,
) -> String {
    match before {
        Some(b) if style.values() && !long => format!("{what} removed: {b}"),
        _ => format!("{what} removed"),
    }
}

/// The before and after texts of a change shown as a line diff: blocks,
/// docs, bindings, and anything that spans several lines.
fn multi_line(c: &Change) -> Option<(String, String)> {
    let block =
        c.aspect == Some(Aspect::Block) || (c.subject == Subject::Binding && c.aspect.is_none());
    let spans_lines = [&c.before, &c.after]
        .iter()
        .any(|v| v.as_ref().is_some_and(|v| v.contains('\n')));
    if !block && !spans_lines {
        return None;
    }
    Some((
        c.before.clone().unwrap_or_default(),
        c.after.clone().unwrap_or_default(),
    ))
}

/// Lines of context kept around each change of a line diff.
const CONTEXT: usize = 2;

/// `- old`, `+ new` and `  same` lines, the unchanged ones only near a
/// change (`  …` between the groups).
fn line_diff(before: &str, after: &str) -> Vec<String> {
    let lines = |s: &str| {
        if s.is_empty() {
            String::new()
        } else {
            format!("{s}\n")
        }
    };
    let (before, after) = (lines(before), lines(after));
    let diff = similar::TextDiff::from_lines(&before, &after);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            out.push("  …".to_owned());
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                let text = change.value().trim_end_matches('\n');
                out.push(format!("{sign} {text}").trim_end().to_owned());
            }
        }
    }
    out
}

/// A Markdown code span, with enough backticks around it.
fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// A table cell: pipes escaped, on one line.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Text inside an HTML element (`<summary>`).
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
