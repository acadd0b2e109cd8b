//! Documentation pages of every bundled machine and of the specs in
//! `tests/specs`, pinned as insta snapshots, and what every page holds.

mod support;

use std::path::Path;
use support::{compile, load, specs};

use fsm_core::Model;
use fsm_tools::doc::{self, Entry, Figures};

#[test]
fn pages_of_every_bundled_and_test_spec() {
    let specs = specs();
    assert!(
        specs.len() >= 3,
        "expected the bundled specs, found {specs:?}"
    );
    for (name, path) in specs {
        let model = load(&path);
        insta::with_settings!({ snapshot_suffix => name.clone(), description => path.clone(), omit_expression => true }, {
            insta::assert_snapshot!("page", doc::page(&model, None));
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
        let Some(rest) = file.strip_prefix("doc__") else {
            continue;
        };
        if rest.ends_with(".snap.new") || rest.starts_with("index") {
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
fn index_and_table_of_the_bundled_machines() {
    let models: Vec<(String, Model)> = specs()
        .into_iter()
        .filter(|(_, path)| path.starts_with("machines/"))
        .map(|(name, path)| (format!("{name}.md"), load(&path)))
        .collect();
    let entries: Vec<Entry<'_>> = models
        .iter()
        .map(|(link, model)| Entry { model, link })
        .collect();
    insta::assert_snapshot!("index", doc::index(&entries));
    insta::assert_snapshot!("index_table", doc::table(&entries));
}

const SMALL: &str = r#"
/// A tiny machine. It counts.
///
/// Second paragraph.
machine Small {
    key id: u32
    phases {
        /// Waiting | idle.
        Idle,
        Busy,
        Done,
    }
    initial Idle
    terminal Done
    phases Live = Idle | Busy

    enum Level { Low, Busy }

    state {
        /// How many.
        count: u32 = 0
        level: Level = Low
        tags: Set<String> = []
    }

    /// Starts work.
    input Go(n: u32, tag: String)
    input Poke
    input Stop
    effect Started(count: u32)

    const LIMIT: u32 = 10

    guards {
        /// There is room left.
        room: count < LIMIT
        under(limit: u32): count < limit
    }

    derive busy: bool = phase == Phase::Busy || level == Level::Busy

    /// Begins.
    transition go on Go from Idle -> Busy
        guard room
        guard under(n)
        guard fresh: !(tag in tags) && (n + 1) * 2 > 3
    {
        count += 1
        tags.insert(tag)
        if count > 1 {
            emit Started(count)
        }
    }
    transition poke on Poke from Busy -> stay
    transition stop on Stop from Live -> Done {
        emit Started(count)
    }
    ignore Poke, Stop in Done
    ignore Poke in Idle

    invariant always bounded: count <= LIMIT
    /// Tags are short.
    invariant short: all t in tags: t.len() < 10 && (any u in tags: u == t)

    verify {
        domain u32 = 0..3
        domain Go.tag = ["a", "b"]
        max_depth 5
        reach started: count > 0
    }
}
"#;

fn section<'a>(page: &'a str, title: &str) -> &'a str {
    let start = page
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no section `{title}` in\n{page}"));
    let rest = &page[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    &rest[..end]
}

#[test]
fn a_page_holds_every_part_of_the_machine() {
    let model = compile("small.fsm", SMALL);
    let page = doc::page(&model, None);
    assert!(page.starts_with("# Small\n\nKeyed: one instance per `id: u32`.\n\nA tiny machine. It counts.\n\nSecond paragraph.\n"), "{page}");
    let diagram = section(&page, "Diagram");
    assert!(
        diagram.contains("```mermaid\n---\ntitle: Small (per u32)\n"),
        "{diagram}"
    );
    let phases = section(&page, "Phases");
    assert!(
        phases.contains("| `Idle` | initial | Waiting \\| idle. |\n"),
        "{phases}"
    );
    assert!(phases.contains("| `Done` | terminal |  |\n"), "{phases}");
    assert!(
        phases.contains("| `Live` | `Idle`, `Busy` |  |\n"),
        "{phases}"
    );
    let matrix = section(&page, "Inputs × phases");
    assert!(
        matrix.contains("| Input | `Idle` | `Busy` | `Done` |\n"),
        "{matrix}"
    );
    assert!(matrix.contains("| `Go` | `go` | — | — |\n"), "{matrix}");
    assert!(
        matrix.contains("| `Poke` | *ignored* | `poke` | *ignored* |\n"),
        "{matrix}"
    );
    assert!(
        matrix.contains("| `Stop` | `stop` | `stop` | *ignored* |\n"),
        "{matrix}"
    );
    let inputs = section(&page, "Inputs");
    assert!(
        inputs.contains("| `Go(n: u32, tag: String)` | Starts work. |\n"),
        "{inputs}"
    );
    let transitions = section(&page, "Transitions");
    assert!(
        transitions.contains(
            "| `go` | `Go` | `Idle` | `Busy` | `room`: There is room left.<br>\
             `under`: `count < n`<br>`fresh`: `!(tag in tags) && (n + 1) * 2 > 3` \
             | `Started` | Begins. |\n"
        ),
        "{transitions}"
    );
    assert!(
        transitions.contains("| `poke` | `Poke` | `Busy` | `stay` |  |  |  |\n"),
        "{transitions}"
    );
    assert!(
        transitions.contains("| `stop` | `Stop` | `Idle \\| Busy` | `Done` |  | `Started` |  |\n"),
        "{transitions}"
    );
    let state = section(&page, "State");
    assert!(
        state.contains("| `count` | `u32` | `0` | How many. |\n"),
        "{state}"
    );
    assert!(
        state.contains("| `level` | `Level` | `Low` |  |\n"),
        "{state}"
    );
    assert!(
        state.contains("| `tags` | `Set<String>` | `[]` |  |\n"),
        "{state}"
    );
    let derived = section(&page, "Derived values");
    assert!(
        derived.contains(
            "| `busy` | `bool` | `phase == Phase::Busy \\|\\| level == Level::Busy` |  |\n"
        ),
        "{derived}"
    );
    let consts = section(&page, "Constants");
    assert!(
        consts.contains("| `LIMIT` | `u32` | `10` |  |\n"),
        "{consts}"
    );
    let invariants = section(&page, "Invariants");
    assert!(
        invariants.contains("| `bounded` | yes | `count <= LIMIT` |  |\n"),
        "{invariants}"
    );
    assert!(
        invariants.contains(
            "| `short` |  | `all t in tags: t.len() < 10 && (any u in tags: u == t)` | Tags are short. |\n"
        ),
        "{invariants}"
    );
    let verification = section(&page, "Verification");
    assert!(
        verification.contains("- `domain u32 = 0..3`\n"),
        "{verification}"
    );
    assert!(
        verification.contains("- `domain Go.tag = [\"a\", \"b\"]`\n"),
        "{verification}"
    );
    assert!(verification.contains("- `max_depth 5`\n"), "{verification}");
    assert!(
        verification.contains("- `reach started: count > 0`\n"),
        "{verification}"
    );
    assert!(!verification.contains("States"), "{verification}");
    assert!(page.ends_with("`\n"), "{page}");
}

#[test]
fn figures_appear_only_when_given() {
    let model = compile("small.fsm", SMALL);
    let figures = Figures {
        states: 12,
        transitions: 30,
        depth: 4,
        complete: true,
        verdicts: vec![
            ("invariant `bounded`".to_owned(), "holds".to_owned()),
            (
                "reach `started`".to_owned(),
                "reached at depth 1".to_owned(),
            ),
        ],
    };
    let page = doc::page_with(&model, Some(&figures));
    let verification = section(&page, "Verification");
    assert!(verification.contains("| States | 12 |\n"), "{verification}");
    assert!(
        verification.contains("| Transitions | 30 |\n"),
        "{verification}"
    );
    assert!(verification.contains("| Depth | 4 |\n"), "{verification}");
    assert!(
        verification.contains("| Complete | yes |\n"),
        "{verification}"
    );
    assert!(
        verification.contains("| invariant `bounded` | holds |\n"),
        "{verification}"
    );
    assert_ne!(page, doc::page(&model, None));
}

#[test]
fn summary_is_the_first_sentence_of_the_first_paragraph() {
    let model = compile("small.fsm", SMALL);
    assert_eq!(doc::summary(&model), "A tiny machine.");
    let bare = compile(
        "bare.fsm",
        "machine Bare {\n    phases { A }\n    initial A\n}\n",
    );
    assert_eq!(doc::summary(&bare), "");
    let entries = [Entry {
        model: &bare,
        link: "bare.md",
    }];
    assert_eq!(doc::index(&entries), "# Machines\n\n- [Bare](bare.md)\n");
    assert_eq!(
        doc::table(&entries),
        "| Machine | Governs | Phases | Inputs | Transitions |\n|---|---|--:|--:|--:|\n\
         | [Bare](bare.md) |  | 1 | 0 | 0 |\n"
    );
}

#[test]
fn a_verification_run_gives_figures_and_verdicts() {
    let model = compile("small.fsm", SMALL);
    let report = fsm_tools::verify::verify(&model, &mut Default::default()).expect("verify");
    let figures = doc::figures(&model, &report);
    assert_eq!(figures.states, report.states);
    assert_eq!(figures.depth, report.depth);
    let verdicts: Vec<(&str, &str)> = figures
        .verdicts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let bounded = if report.complete {
        ""
    } else {
        " within the bounds"
    };
    assert_eq!(
        verdicts.first(),
        Some(&("invariant `bounded`", format!("holds{bounded}").as_str()))
    );
    assert!(
        verdicts.contains(&("reach `started`", "reached")),
        "{verdicts:?}"
    );
    let page = doc::page(&model, Some(&report));
    assert!(
        page.contains(&format!("| States | {} |\n", report.states)),
        "{page}"
    );
    assert!(!page.contains("elapsed"), "{page}");
}

#[test]
fn a_violated_invariant_and_an_unreached_goal_are_verdicts() {
    let spec = r#"
machine Counter {
    phases { On }
    initial On
    state { n: u8 = 0 }
    input Bump
    transition bump on Bump from On -> stay { n += 1 }
    invariant small: n < 2
    verify {
        max_depth 4
        reach big: n > 5
    }
}
"#;
    let model = compile("counter.fsm", spec);
    let report = fsm_tools::verify::verify(&model, &mut Default::default()).expect("verify");
    let figures = doc::figures(&model, &report);
    assert!(
        figures
            .verdicts
            .contains(&("invariant `small`".to_owned(), "**violated**".to_owned())),
        "{figures:?}"
    );
    assert!(
        figures.verdicts.iter().any(
            |(check, verdict)| check == "reach `big`" && verdict.starts_with("**not reached**")
        ),
        "{figures:?}"
    );
}

#[test]
fn every_finding_of_a_run_shows_in_a_verdict() {
    let model = load("tests/specs/verify_findings.fsm");
    let report = fsm_tools::verify::verify(&model, &mut Default::default()).expect("verify");
    assert!(
        !report.findings.is_empty(),
        "the spec is written to have findings"
    );
    let figures = doc::figures(&model, &report);
    let verdict = |check: &str| -> String {
        figures
            .verdicts
            .iter()
            .find(|(c, _)| c == check)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no verdict for {check}: {figures:?}"))
    };
    use fsm_tools::verify::FindingKind as K;
    for finding in &report.findings {
        let (check, name) = match &finding.kind {
            K::InvariantViolated { invariant } => {
                (format!("invariant `{invariant}`"), "violated".to_owned())
            }
            K::Deadlock { phase } => ("deadlocks".to_owned(), format!("`{phase}`")),
            K::DeadTransition { transition } => {
                ("dead transitions".to_owned(), format!("`{transition}`"))
            }
            K::GuardOverlap { transitions, .. } => (
                "guard overlaps".to_owned(),
                format!("`{}`", transitions.join("`, `")),
            ),
            K::UnreachedGoal { reach } => (format!("reach `{reach}`"), "not reached".to_owned()),
            K::UnreachableTerminal { phase } => (
                "unreachable terminal phases".to_owned(),
                format!("`{phase}`"),
            ),
            K::ArithmeticOverflow { transition, .. } => {
                ("arithmetic overflows".to_owned(), format!("`{transition}`"))
            }
            K::TrapState { property, states } => (
                format!("always_possible `{property}`"),
                format!("{states} trap state"),
            ),
        };
        let shown = verdict(&check);
        assert!(
            shown.starts_with("**") && shown.contains(&name),
            "{check}: {shown}"
        );
    }
}
