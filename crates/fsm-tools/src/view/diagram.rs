//! A machine's diagram as SVG, laid out by [`super::layout`].
//!
//! - One box per phase (the initial one entered from a start dot, terminal
//!   ones with a double border), named in bold.
//! - One arrow per pair of phases that transitions join, labelled with
//!   one line per transition (`Input [guard, …]`).
//! - Compact notes inside a phase's box rather than loops: `↻` for each
//!   transition that stays there (`stay`, or back to its source), `⇐` for
//!   each transition from several phases (more than [`MANY`]) that enters
//!   it (its sources are in the side box), and the inputs ignored there.
//! - A side box lists the transitions from several phases with their
//!   sources (named by a phase set when one matches), and the phase sets.
//!
//! Every phase box carries `data-node="<Phase>"`, every line that shows a
//! transition `data-transition="<name>"`, every arrow
//! `data-transitions="<name> …"`, so the page can make them clickable and
//! highlight them.

use super::layout::{self, EdgeSpec, Graph, Layout, Rect, Size};
use super::page::escape;
use crate::doc;
use crate::graph::{edge_label, ignored_by_phase};
use fsm_core::model::{Model, PhaseId, Transition};
use std::fmt::Write as _;

/// A transition from more sources than this is drawn as notes, not arrows.
pub const MANY: usize = 2;

/// The width of one character of the diagram's monospace font.
const CHAR_W: f64 = 8.4;
/// The width of one character of the smaller font of notes and labels.
const SMALL_W: f64 = 7.2;
const LINE_H: f64 = 16.0;
/// Notes longer than this are wrapped.
const WRAP: usize = 56;

/// One line of text in a box; `transition` makes it clickable.
struct Line {
    text: String,
    transition: Option<String>,
}

/// Whether `t` is drawn as notes (many sources) rather than arrows.
pub fn is_many(t: &Transition) -> bool {
    t.sources.len() > MANY
}

/// The sources of a transition in words: a phase set's name when one
/// matches exactly, else `doc::sources`.
pub fn source_text(model: &Model, sources: &[PhaseId]) -> String {
    if let Some(set) = model.phase_sets.iter().find(|s| s.phases == sources) {
        return set.name.clone();
    }
    doc::sources(model, sources)
}

/// The lines of each phase box: its name, then its notes.
fn phase_lines(model: &Model) -> Vec<Vec<Line>> {
    let mut boxes: Vec<Vec<Line>> = model
        .phases
        .iter()
        .map(|p| {
            vec![Line {
                text: p.name.clone(),
                transition: None,
            }]
        })
        .collect();
    for t in &model.transitions {
        let label = edge_label(model, t);
        if is_many(t) {
            let line = match t.target {
                Some(target) => (target, format!("⇐ {label}")),
                None => continue,
            };
            if let Some(b) = boxes.get_mut(line.0.index()) {
                b.push(Line {
                    text: line.1,
                    transition: Some(t.name.clone()),
                });
            }
            continue;
        }
        for &source in &t.sources {
            if t.target_from(source) == source
                && let Some(b) = boxes.get_mut(source.index())
            {
                b.push(Line {
                    text: format!("↻ {label}"),
                    transition: Some(t.name.clone()),
                });
            }
        }
    }
    for (phase, inputs) in ignored_by_phase(model) {
        if let Some(b) = boxes.get_mut(phase.index()) {
            for text in wrap(&format!("ignore: {}", inputs.join(", "))) {
                b.push(Line {
                    text,
                    transition: None,
                });
            }
        }
    }
    boxes
}

/// Splits a long note at `, ` boundaries.
fn wrap(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for (i, part) in text.split(", ").enumerate() {
        let last = out.len() - 1;
        let current = &mut out[last];
        if i > 0 && current.chars().count() + part.chars().count() + 2 > WRAP {
            current.push(',');
            out.push(format!("  {part}"));
        } else {
            if i > 0 {
                current.push_str(", ");
            }
            current.push_str(part);
        }
    }
    out
}

/// The arrows: per (source, target) pair, the transitions that join them.
fn arrows(model: &Model) -> Vec<(PhaseId, PhaseId, Vec<&Transition>)> {
    let mut out: Vec<(PhaseId, PhaseId, Vec<&Transition>)> = Vec::new();
    for t in model.transitions.iter().filter(|t| !is_many(t)) {
        for &source in &t.sources {
            let target = t.target_from(source);
            if target == source {
                continue;
            }
            match out
                .iter_mut()
                .find(|(s, d, _)| *s == source && *d == target)
            {
                Some((_, _, list)) => list.push(t),
                None => out.push((source, target, vec![t])),
            }
        }
    }
    out
}

fn text_width(lines: &[Line], first_bold: bool) -> f64 {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let w = if i == 0 && first_bold {
                CHAR_W
            } else {
                SMALL_W
            };
            l.text.chars().count() as f64 * w
        })
        .fold(0.0, f64::max)
}

/// The diagram of `model` as an SVG element, and the layout it drew (for
/// tests).
pub fn svg(model: &Model) -> String {
    svg_and_layout(model).0
}

pub(crate) fn svg_and_layout(model: &Model) -> (String, Layout) {
    let boxes = phase_lines(model);
    let arrows = arrows(model);
    let labels: Vec<Vec<Line>> = arrows
        .iter()
        .map(|(_, _, ts)| {
            ts.iter()
                .map(|t| Line {
                    text: edge_label(model, t),
                    transition: Some(t.name.clone()),
                })
                .collect()
        })
        .collect();
    let graph = Graph {
        nodes: boxes
            .iter()
            .map(|lines| Size {
                w: (text_width(lines, true) + 24.0).max(70.0),
                h: 14.0 + LINE_H * lines.len() as f64,
            })
            .collect(),
        edges: arrows
            .iter()
            .zip(&labels)
            .map(|((s, d, _), lines)| EdgeSpec {
                from: s.index(),
                to: d.index(),
                label: Size {
                    w: text_width(lines, false) + 14.0,
                    h: 4.0 + 14.0 * lines.len() as f64,
                },
            })
            .collect(),
        root: model.initial.index(),
    };
    let mut lay = layout::layout(&graph);
    // Room for the start dot above the initial phase.
    for r in &mut lay.nodes {
        r.y += 18.0;
    }
    for e in lay.edges.iter_mut().flatten() {
        e.label.y += 18.0;
        for p in &mut e.points {
            p.1 += 18.0;
        }
    }
    lay.height += 18.0;

    let mut body = String::new();
    // Arrows first, so boxes and labels are drawn over them.
    for (((_, _, ts), lines), path) in arrows.iter().zip(&labels).zip(&lay.edges) {
        let Some(path) = path else { continue };
        let names: Vec<&str> = ts.iter().map(|t| t.name.as_str()).collect();
        let _ = write!(
            body,
            "<g class=\"edge\" data-transitions=\"{}\"><path class=\"wire\" d=\"{}\" marker-end=\"url(#arrow)\"/><path class=\"hit\" d=\"{}\"/>",
            escape(&names.join(" ")),
            curve(&path.points),
            curve(&path.points)
        );
        let l = path.label;
        for (k, line) in lines.iter().enumerate() {
            let _ = write!(
                body,
                "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\"{}>{}</text>",
                l.x + 6.0,
                l.y + 14.0 + 14.0 * k as f64,
                transition_attr(line),
                escape(&line.text)
            );
        }
        body.push_str("</g>");
    }
    for ((id, phase), (lines, r)) in model
        .phase_ids()
        .zip(&model.phases)
        .zip(boxes.iter().zip(&lay.nodes))
    {
        let _ = write!(
            body,
            "<g class=\"phase{}{}\" data-node=\"{}\">",
            if phase.terminal { " terminal" } else { "" },
            if id == model.initial { " initial" } else { "" },
            escape(&phase.name)
        );
        rect(&mut body, "box", r, 0.0);
        if phase.terminal {
            rect(&mut body, "inner", r, 3.0);
        }
        if id == model.initial {
            let cx = r.x + r.w / 2.0;
            let _ = write!(
                body,
                "<circle class=\"start\" cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"5\"/><path class=\"wire\" d=\"M{cx:.1},{:.1} L{cx:.1},{:.1}\" marker-end=\"url(#arrow)\"/>",
                r.y - 16.0,
                r.y - 11.0,
                r.y
            );
        }
        for (k, line) in lines.iter().enumerate() {
            let class = match (k, &line.transition) {
                (0, _) => "name",
                (_, Some(_)) => "note",
                (_, None) => "note muted",
            };
            let _ = write!(
                body,
                "<text class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\"{}>{}</text>",
                r.x + 12.0,
                r.y + 20.0 + LINE_H * k as f64,
                transition_attr(line),
                escape(&line.text)
            );
        }
        body.push_str("</g>");
    }
    let (side, side_w, side_h) = side_box(model, lay.width, 18.0 + layout::MARGIN);
    body.push_str(&side);
    let width = lay.width + side_w;
    let height = lay.height.max(side_h + 18.0 + 2.0 * layout::MARGIN);
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>{body}</svg>",
        escape(&crate::graph::title(model))
    );
    (svg, lay)
}

fn transition_attr(line: &Line) -> String {
    match &line.transition {
        Some(name) => format!(" data-transition=\"{}\"", escape(name)),
        None => String::new(),
    }
}

fn rect(out: &mut String, class: &str, r: &Rect, inset: f64) {
    let _ = write!(
        out,
        "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\"/>",
        r.x + inset,
        r.y + inset,
        r.w - 2.0 * inset,
        r.h - 2.0 * inset
    );
}

/// A smooth path through `points`: cubic pieces with vertical tangents.
fn curve(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = points.first() else {
        return d;
    };
    let _ = write!(d, "M{x0:.1},{y0:.1}");
    for pair in points.windows(2) {
        let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
        let my = (ay + by) / 2.0;
        let _ = write!(d, " C{ax:.1},{my:.1} {bx:.1},{my:.1} {bx:.1},{by:.1}");
    }
    d
}

/// The box right of the graph: transitions from several phases, and the
/// phase sets. Returns the SVG, the width it adds and its height.
fn side_box(model: &Model, left: f64, top: f64) -> (String, f64, f64) {
    let mut lines: Vec<Line> = Vec::new();
    let many: Vec<&Transition> = model.transitions.iter().filter(|t| is_many(t)).collect();
    if !many.is_empty() {
        lines.push(Line {
            text: "From several phases".to_owned(),
            transition: None,
        });
        for t in many {
            let target = t.target.map_or("stay", |p| model.phase_name(p));
            lines.push(Line {
                text: format!(
                    "{}: {} → {target}",
                    edge_label(model, t),
                    source_text(model, &t.sources)
                ),
                transition: Some(t.name.clone()),
            });
        }
    }
    if !model.phase_sets.is_empty() {
        lines.push(Line {
            text: "Phase sets".to_owned(),
            transition: None,
        });
        for set in &model.phase_sets {
            let names: Vec<&str> = set.phases.iter().map(|p| model.phase_name(*p)).collect();
            lines.push(Line {
                text: format!("{} = {}", set.name, names.join(" | ")),
                transition: None,
            });
        }
    }
    if lines.is_empty() {
        return (String::new(), 0.0, 0.0);
    }
    let w = text_width(&lines, false) + 24.0;
    let h = 14.0 + LINE_H * lines.len() as f64;
    let r = Rect {
        x: left,
        y: top,
        w,
        h,
    };
    let mut out = String::from("<g class=\"side\">");
    rect(&mut out, "box", &r, 0.0);
    for (k, line) in lines.iter().enumerate() {
        let class = if line.transition.is_some() {
            "note"
        } else {
            "heading"
        };
        let _ = write!(
            out,
            "<text class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\"{}>{}</text>",
            r.x + 12.0,
            r.y + 20.0 + LINE_H * k as f64,
            transition_attr(line),
            escape(&line.text)
        );
    }
    out.push_str("</g>");
    (out, w + layout::MARGIN, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Vec<Model> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../machines");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("machines folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "fsm"))
            .collect();
        paths.sort();
        assert!(paths.len() >= 10, "the bundled machines are found");
        paths
            .iter()
            .map(|p| {
                let bytes = std::fs::read(p).expect("read spec");
                fsm_core::compile(&p.display().to_string(), &bytes)
                    .model
                    .expect("bundled spec compiles")
            })
            .collect()
    }

    #[test]
    fn every_phase_and_transition_of_every_bundled_machine_is_drawn() {
        for model in bundled() {
            let (svg, lay) = svg_and_layout(&model);
            for phase in &model.phases {
                assert!(
                    svg.contains(&format!("data-node=\"{}\"", phase.name)),
                    "{}: phase {}",
                    model.name,
                    phase.name
                );
            }
            for t in &model.transitions {
                assert!(
                    svg.contains(&format!("data-transition=\"{}\"", t.name)),
                    "{}: transition {}",
                    model.name,
                    t.name
                );
            }
            for (i, a) in lay.nodes.iter().enumerate() {
                for b in &lay.nodes[i + 1..] {
                    assert!(!a.overlaps(b), "{}: {a:?} overlaps {b:?}", model.name);
                }
                for e in lay.edges.iter().flatten() {
                    assert!(
                        !a.overlaps(&e.label),
                        "{}: a label over a phase",
                        model.name
                    );
                }
            }
        }
    }

    #[test]
    fn stays_and_many_source_transitions_are_notes() {
        let spec = "machine M {\n    phases { A, B, C, D }\n    initial A\n    input Go\n    input Poke\n    input Stop\n    transition go on Go from A -> B\n    transition poke on Poke from B -> stay\n    transition stop on Stop from A | B | C -> D\n    ignore Poke in A\n}\n";
        let model = fsm_core::compile("m.fsm", spec.as_bytes())
            .model
            .expect("compiles");
        let svg = svg(&model);
        assert!(
            svg.contains("data-transition=\"poke\">↻ Poke</text>"),
            "{svg}"
        );
        assert!(
            svg.contains("data-transition=\"stop\">⇐ Stop</text>"),
            "{svg}"
        );
        assert!(svg.contains("Stop: * except D → D"), "{svg}");
        assert!(svg.contains("ignore: Poke"), "{svg}");
        assert_eq!(svg.matches("class=\"edge\"").count(), 1, "{svg}");
    }
}
