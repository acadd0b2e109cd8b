//! The HTML of the viewer: the index, a machine's page (diagram, detail
//! panels, simulator), and the page of a spec with errors.

use super::Spec;
use super::diagram;
use crate::doc::{self, Cell};
use crate::graph::edge_label;
use fsm_core::model::{Model, Transition};
use fsm_core::pretty::Printer;
use std::fmt::Write as _;

/// The page's style and script, embedded in the binary.
pub const CSS: &str = include_str!("assets/view.css");
pub const JS: &str = include_str!("assets/view.js");

/// Text escaped for HTML and XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn head(title: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>{}</title><link rel=\"stylesheet\" href=\"/assets/view.css\"></head>\n",
        escape(title)
    )
}

/// The index: one entry per spec, its machine linked, or its errors.
pub fn index(specs: &[Spec]) -> String {
    let mut out = head("fsm view");
    out.push_str("<body class=\"index\"><h1>Machines</h1>\n<ul class=\"machines\">\n");
    for spec in specs {
        match spec.model() {
            Some(model) => {
                let _ = writeln!(
                    out,
                    "<li><a href=\"/m/{}\">{}</a> <span class=\"path\">{}</span> {}</li>",
                    escape(&spec.slug),
                    escape(&model.name),
                    escape(&spec.path),
                    escape(&doc::summary(model))
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<li class=\"broken\"><a href=\"/m/{}\">{}</a> <span class=\"path\">{}</span> <span class=\"bad\">has errors</span></li>",
                    escape(&spec.slug),
                    escape(&spec.slug),
                    escape(&spec.path)
                );
            }
        }
    }
    if specs.is_empty() {
        out.push_str("<li>No spec files.</li>\n");
    }
    out.push_str("</ul></body></html>\n");
    out
}

/// The page of a spec that cannot be shown: its diagnostics, or why it
/// could not be read.
pub fn errors(spec: &Spec) -> String {
    let mut out = head(&format!("{} — errors", spec.path));
    let _ = writeln!(
        out,
        "<body class=\"errors\"><p><a href=\"/\">Machines</a></p><h1>{}</h1><p>This spec cannot be shown; fix it and reload the page.</p><pre class=\"diagnostics\">{}</pre></body></html>",
        escape(&spec.path),
        escape(&spec.diagnostics_text())
    );
    out
}

/// A machine's page. `warnings` is the rendered text of the spec's
/// warnings (empty when it has none).
pub fn machine(spec: &Spec, model: &Model, warnings: &str) -> String {
    let printer = Printer::new(model);
    let mut out = head(&format!("{} — fsm view", model.name));
    let _ = writeln!(
        out,
        "<body class=\"machine\" data-slug=\"{}\"><header><a href=\"/\">Machines</a> / <h1>{}</h1> <span class=\"path\">{}</span></header>",
        escape(&spec.slug),
        escape(&crate::graph::title(model)),
        escape(&spec.path)
    );
    if !warnings.is_empty() {
        let _ = writeln!(
            out,
            "<details class=\"warnings\"><summary>Warnings</summary><pre>{}</pre></details>",
            escape(warnings)
        );
    }
    out.push_str("<main><section class=\"diagram-pane\">");
    out.push_str(&diagram::svg(model));
    out.push_str("</section>\n<aside id=\"details\"><h2>Details</h2><p class=\"hint\" id=\"details-hint\">Click a phase or a transition in the diagram.</p>\n");
    if !model.docs.is_empty() {
        let _ = write!(
            out,
            "<details class=\"machine-doc\"><summary>About {}</summary>{}</details>",
            escape(&model.name),
            paragraphs(&model.docs)
        );
    }
    for (id, phase) in model.phase_ids().zip(&model.phases) {
        let _ = write!(
            out,
            "<section class=\"detail\" data-detail-phase=\"{}\" hidden><h3>Phase <code>{}</code></h3>",
            escape(&phase.name),
            escape(&phase.name)
        );
        let mut marks = Vec::new();
        if id == model.initial {
            marks.push("initial");
        }
        if phase.terminal {
            marks.push("terminal");
        }
        if !marks.is_empty() {
            let _ = write!(out, "<p class=\"marks\">{}</p>", marks.join(", "));
        }
        out.push_str(&paragraphs(&phase.docs));
        out.push_str(
            "<table class=\"row\"><thead><tr><th>Input</th><th>Here</th></tr></thead><tbody>",
        );
        for (input, cell) in doc::phase_row(model, id) {
            let name = model.input(input).map_or("?", |i| i.name.as_str());
            let what = match cell {
                Cell::Transitions(ids) => ids
                    .iter()
                    .filter_map(|t| model.transition(*t))
                    .map(|t| {
                        format!(
                            "<a href=\"#\" data-transition=\"{0}\">{0}</a>",
                            escape(&t.name)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Cell::Ignored => "<em>ignored</em>".to_owned(),
                Cell::Rejected => "<span class=\"muted\">— rejected</span>".to_owned(),
            };
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{what}</td></tr>",
                escape(name)
            );
        }
        out.push_str("</tbody></table></section>\n");
    }
    for t in &model.transitions {
        transition_detail(&mut out, model, &printer, t);
    }
    out.push_str("</aside>\n");
    out.push_str(SIMULATOR);
    let _ = writeln!(
        out,
        "</main><script src=\"/assets/view.js\"></script></body></html>"
    );
    out
}

const SIMULATOR: &str = "<section id=\"simulator\"><h2>Simulator</h2>\
<p>Phase: <strong data-phase=\"\" id=\"phase\"></strong> <span id=\"key\"></span></p>\
<p id=\"sim-error\" class=\"bad\" hidden></p>\
<div id=\"last\"></div>\
<h3>Inputs</h3><div id=\"inputs\"></div>\
<details id=\"other-inputs\"><summary>Inputs with no transition here</summary><div id=\"inputs-other\"></div></details>\
<h3>State</h3><table id=\"state\"></table>\
<h3>Trace</h3><p><button type=\"button\" id=\"undo\">Undo</button> <button type=\"button\" id=\"reset\">Reset</button> <a id=\"download\" href=\"#\" download>Download trace</a></p>\
<ol id=\"trace\"></ol></section>\n";

fn transition_detail(out: &mut String, model: &Model, printer: &Printer<'_>, t: &Transition) {
    let input = model.input(t.input);
    let params = input.map_or(&[][..], |i| &i.params[..]);
    let _ = write!(
        out,
        "<section class=\"detail\" data-detail-transition=\"{}\" hidden><h3>Transition <code>{}</code></h3><dl>",
        escape(&t.name),
        escape(&t.name)
    );
    let signature = match input {
        Some(i) if !i.params.is_empty() => {
            let ps: Vec<String> = i
                .params
                .iter()
                .map(|p| format!("{}: {}", p.name, model.ty_name(&p.ty)))
                .collect();
            format!("{}({})", i.name, ps.join(", "))
        }
        Some(i) => i.name.clone(),
        None => "?".to_owned(),
    };
    let sources: Vec<String> = t
        .sources
        .iter()
        .map(|p| {
            format!(
                "<a href=\"#\" data-phase-link=\"{0}\">{0}</a>",
                escape(model.phase_name(*p))
            )
        })
        .collect();
    let target = match t.target {
        Some(p) => format!(
            "<a href=\"#\" data-phase-link=\"{0}\">{0}</a>",
            escape(model.phase_name(p))
        ),
        None => "stay".to_owned(),
    };
    let _ = write!(
        out,
        "<dt>Input</dt><dd><code>{}</code></dd><dt>From</dt><dd><code>{}</code>: {}</dd><dt>To</dt><dd>{target}</dd>",
        escape(&signature),
        escape(&diagram::source_text(model, &t.sources)),
        sources.join(", ")
    );
    if !t.guards.is_empty() {
        out.push_str("<dt>Guards</dt><dd><ul class=\"guards\">");
        for g in &t.guards {
            let doc = g
                .machine_guard
                .and_then(|id| model.guard(id))
                .map(|mg| mg.docs.join(" "))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li><code>{}</code>: <code>{}</code>{}</li>",
                escape(&g.name),
                escape(&printer.expr(&g.expr, params)),
                if doc.trim().is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"doc\">{}</span>", escape(doc.trim()))
                }
            );
        }
        out.push_str("</ul></dd>");
    }
    let body = printer.stmts(&t.body, params);
    if !body.is_empty() {
        let _ = write!(
            out,
            "<dt>Statements</dt><dd><pre>{}</pre></dd>",
            escape(&body.join("\n"))
        );
    }
    let effects = doc::emitted(model, t);
    if !effects.is_empty() {
        let _ = write!(
            out,
            "<dt>Effects</dt><dd><code>{}</code></dd>",
            escape(&effects.join(", "))
        );
    }
    let _ = writeln!(
        out,
        "<dt>Label</dt><dd><code>{}</code></dd></dl>{}</section>",
        escape(&edge_label(model, t)),
        paragraphs(&t.docs)
    );
}

/// Doc comment lines as paragraphs (blank lines separate them).
fn paragraphs(lines: &[String]) -> String {
    let mut out = String::new();
    let mut current: Vec<&str> = Vec::new();
    let flush = |current: &mut Vec<&str>, out: &mut String| {
        if !current.is_empty() {
            let _ = write!(out, "<p class=\"doc\">{}</p>", escape(&current.join(" ")));
            current.clear();
        }
    };
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            flush(&mut current, &mut out);
        } else {
            current.push(line);
        }
    }
    flush(&mut current, &mut out);
    out
}

/// A short page for an error the viewer itself answers (not found, bad
/// request).
pub fn message(title: &str, text: &str) -> String {
    let mut out = head(title);
    let _ = writeln!(
        out,
        "<body><p><a href=\"/\">Machines</a></p><h1>{}</h1><p>{}</p></body></html>",
        escape(title),
        escape(text)
    );
    out
}
