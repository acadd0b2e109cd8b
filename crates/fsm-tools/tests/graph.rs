//! Diagrams of every bundled machine and of the specs in `tests/specs`,
//! pinned as insta snapshots, and the rules every diagram follows.

mod support;

use std::path::Path;
use support::{compile, load, specs};

use fsm_tools::graph;

#[test]
fn diagrams_of_every_bundled_and_test_spec() {
    let specs = specs();
    assert!(
        specs.len() >= 3,
        "expected the bundled specs, found {specs:?}"
    );
    for (name, path) in specs {
        let model = load(&path);
        insta::with_settings!({ snapshot_suffix => name.clone(), description => path.clone(), omit_expression => true }, {
            insta::assert_snapshot!("mermaid", graph::mermaid(&model));
            insta::assert_snapshot!("dot", graph::dot(&model));
        });
    }
}

/// A deleted or renamed spec must not leave its snapshots behind.
#[test]
fn no_snapshot_without_its_spec() {
    let names: Vec<String> = specs().into_iter().map(|(n, _)| n).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut stale = Vec::new();
    for entry in entries.filter_map(|e| e.ok()) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix("graph__") else {
            continue;
        };
        if rest.ends_with(".snap.new") {
            continue;
        }
        let name = rest
            .strip_suffix(".snap")
            .and_then(|r| r.split_once('@'))
            .map(|(_, n)| n.to_owned());
        if !name.is_some_and(|n| names.contains(&n)) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots without a spec (delete them): {stale:?}"
    );
}

#[test]
fn every_transition_source_is_one_edge_in_both_formats() {
    for (_, path) in specs() {
        let model = load(&path);
        let mermaid = graph::mermaid(&model);
        let dot = graph::dot(&model);
        let expected: usize = model.transitions.iter().map(|t| t.sources.len()).sum();
        let ignore_loops = graph::ignored_by_phase(&model).len();
        let mermaid_edges = mermaid
            .lines()
            .filter(|l| l.contains(" --> ") && !l.contains("[*]"))
            .count();
        let dot_edges = dot
            .lines()
            .filter(|l| l.contains(" -> ") && !l.contains("__start"))
            .count();
        assert_eq!(mermaid_edges, expected + ignore_loops, "{path} (mermaid)");
        assert_eq!(dot_edges, expected + ignore_loops, "{path} (dot)");
    }
}

const SMALL: &str = r#"
/// A tiny machine.
machine Small {
    key id: u32
    phases {
        /// Waiting; "quoted" \ and # here.
        Idle,
        Busy,
        Done,
    }
    initial Idle
    terminal Done
    input Go(n: u32)
    input Poke
    input Stop
    transition go on Go from Idle -> Busy
        guard positive: n > 0
        guard small: n < 10
    transition poke on Poke from Busy -> stay
    transition stop on Stop from Idle | Busy -> Done
    ignore Poke, Stop in Done
    ignore Poke in Idle
}
"#;

#[test]
fn mermaid_marks_initial_terminal_guards_stays_and_ignores() {
    let model = compile("small.fsm", SMALL);
    let text = graph::mermaid(&model);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(lines.contains(&"title: Small (per u32)"), "{text}");
    assert!(lines.contains(&"stateDiagram-v2"), "{text}");
    assert!(lines.contains(&"[*] --> Idle"), "{text}");
    assert!(lines.contains(&"Done --> [*]"), "{text}");
    assert!(lines.contains(&"class Done terminal"), "{text}");
    assert!(
        lines.contains(&"Idle --> Busy: Go [positive, small]"),
        "{text}"
    );
    assert!(lines.contains(&"Busy --> Busy: Poke"), "{text}");
    assert!(lines.contains(&"Idle --> Done: Stop"), "{text}");
    assert!(lines.contains(&"Busy --> Done: Stop"), "{text}");
    assert!(
        lines.contains(&"Done --> Done: ignore#58; Poke, Stop"),
        "{text}"
    );
    assert!(lines.contains(&"Idle --> Idle: ignore#58; Poke"), "{text}");
    assert!(
        lines.contains(&"%% Idle: Waiting; \"quoted\" \\ and # here."),
        "{text}"
    );
}

#[test]
fn dot_marks_initial_terminal_guards_stays_and_ignores() {
    let model = compile("small.fsm", SMALL);
    let text = graph::dot(&model);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(lines.contains(&"digraph \"Small\" {"), "{text}");
    assert!(lines.contains(&"label=\"Small (per u32)\";"), "{text}");
    assert!(lines.contains(&"\"__start\" -> \"Idle\";"), "{text}");
    assert!(lines.contains(&"\"Done\" [shape=doublecircle];"), "{text}");
    assert!(
        lines.contains(&"\"Idle\" [tooltip=\"Waiting; \\\"quoted\\\" \\\\ and # here.\"];"),
        "{text}"
    );
    assert!(
        lines.contains(&"\"Idle\" -> \"Busy\" [label=\"Go [positive, small]\"];"),
        "{text}"
    );
    assert!(
        lines.contains(&"\"Busy\" -> \"Busy\" [label=\"Poke\"];"),
        "{text}"
    );
    assert!(
        lines.contains(&"\"Done\" -> \"Done\" [label=\"ignore: Poke, Stop\", style=dashed];"),
        "{text}"
    );
    assert_eq!(
        text.matches('{').count(),
        text.matches('}').count(),
        "{text}"
    );
}

#[test]
fn phases_named_like_mermaid_keywords_get_other_identifiers() {
    let spec = r#"
machine Words {
    phases { State, Note, End, phase_End, Open }
    initial State
    terminal End
    input Next
    transition a on Next from State -> Note
    transition b on Next from Note -> End
    transition c on Next from phase_End -> Open
}
"#;
    let model = compile("words.fsm", spec);
    let text = graph::mermaid(&model);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(lines.contains(&"state \"State\" as phase_State"), "{text}");
    assert!(lines.contains(&"state \"End\" as phase_End_"), "{text}");
    assert!(lines.contains(&"phase_End"), "{text}");
    assert!(lines.contains(&"[*] --> phase_State"), "{text}");
    assert!(lines.contains(&"phase_Note --> phase_End_: Next"), "{text}");
    assert!(lines.contains(&"phase_End --> Open: Next"), "{text}");
    assert!(lines.contains(&"class phase_End_ terminal"), "{text}");
}

#[test]
fn a_phase_named_like_the_dot_start_node_does_not_clash() {
    let spec = r#"
machine Start {
    phases { __start, Other }
    initial Other
    input Go
    transition go on Go from Other -> __start
}
"#;
    let model = compile("start.fsm", spec);
    let text = graph::dot(&model);
    assert!(text.contains("\"__start_\" -> \"Other\";"), "{text}");
    assert!(
        text.contains("\"Other\" -> \"__start\" [label=\"Go\"];"),
        "{text}"
    );
}
