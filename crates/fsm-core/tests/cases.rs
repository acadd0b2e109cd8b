//! The data-driven corpus of the checker.
//!
//! - `cases/fail/*.fsm`: each file is named after the code it must produce
//!   (`FSM0101_unknown_target_phase.fsm`); its rendered diagnostics are an
//!   insta snapshot in `snapshots/`.
//! - `cases/pass/*.fsm`: valid specs that must compile with no diagnostic
//!   at all, warnings included.
//! - `docs/diagnostics.md` has one section per code, whose examples must do
//!   what the page says.
//!
//! Inputs that cannot be written as a text file (bytes that are not UTF-8,
//! a file over the size limit) are built here.

use fsm_core::{Code, Compilation, Severity, compile, render::render};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

const DIAGNOSTICS_MD: &str = include_str!("../../../docs/diagnostics.md");

/// Codes that only bytes can produce; they have hand-built cases below
/// instead of files.
const BYTES_ONLY: &[Code] = &[Code::InvalidUtf8, Code::FileTooLarge];

/// The snapshot names of the cases built from bytes in this file.
const BYTES_CASES: &[&str] = &["FSM0001_latin1_comment", "FSM0003_too_large"];

fn cases_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(kind)
}

/// The `.fsm` files of `cases/<kind>`, sorted by name, with their bytes.
fn case_files(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = cases_dir(kind);
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())))
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "fsm"))
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_else(|| panic!("file name is not UTF-8: {}", path.display()))
                .to_owned();
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

/// The code a fail case is named after: the `FSMxxxx` before the first `_`.
fn expected_code(file_name: &str) -> Option<Code> {
    let prefix = file_name.split('_').next()?;
    Code::ALL.iter().copied().find(|c| c.as_str() == prefix)
}

fn codes(comp: &Compilation) -> Vec<&'static str> {
    comp.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

/// Problems with one compiled fail case, other than its snapshot.
fn fail_case_problems(name: &str, byte_len: usize, comp: &Compilation) -> Vec<String> {
    let mut problems = Vec::new();
    match expected_code(name) {
        None => problems.push(format!("{name}: the name does not start with a known code")),
        Some(code) => {
            if !comp.diagnostics.iter().any(|d| d.code == code) {
                problems.push(format!(
                    "{name}: expected {code}, got [{}]",
                    codes(comp).join(", ")
                ));
            }
        }
    }
    for diag in &comp.diagnostics {
        let span = diag.span();
        if span.start > span.end || span.end as usize > byte_len {
            problems.push(format!(
                "{name}: {} `{}` has span {}..{} outside the file of {byte_len} bytes",
                diag.code, diag.message, span.start, span.end
            ));
        }
        if diag.severity != diag.code.severity() {
            problems.push(format!(
                "{name}: {} has severity {:?}",
                diag.code, diag.severity
            ));
        }
        if diag.labels.iter().filter(|l| l.primary).count() != 1 {
            problems.push(format!(
                "{name}: {} `{}` needs exactly one primary label",
                diag.code, diag.message
            ));
        }
    }
    problems
}

/// Snapshots one case; the snapshot name is the file name without `.fsm`.
fn snapshot(name: &str, comp: &Compilation) {
    let stem = name.strip_suffix(".fsm").unwrap_or(name);
    let text = render(&comp.source, &comp.diagnostics, false);
    insta::with_settings!({
        snapshot_path => "snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("tests/cases/fail/{name}"),
    }, {
        insta::assert_snapshot!(stem, text);
    });
}

#[test]
fn fail_cases_report_their_code() {
    let files = case_files("fail");
    assert!(
        files.len() >= 70,
        "only {} fail cases; the corpus needs at least 70",
        files.len()
    );
    let mut problems = Vec::new();
    for (name, bytes) in &files {
        let comp = compile(&format!("tests/cases/fail/{name}"), bytes);
        problems.extend(fail_case_problems(name, bytes.len(), &comp));
        // Check every snapshot before failing, so that one run shows every
        // case whose output changed.
        let checked = std::panic::catch_unwind(AssertUnwindSafe(|| snapshot(name, &comp)));
        if checked.is_err() {
            problems.push(format!("{name}: the output differs from its snapshot"));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn pass_cases_compile_cleanly() {
    let files = case_files("pass");
    assert!(
        files.len() >= 15,
        "only {} pass cases; the corpus needs at least 15",
        files.len()
    );
    let mut problems = Vec::new();
    for (name, bytes) in &files {
        let comp = compile(&format!("tests/cases/pass/{name}"), bytes);
        if !comp.diagnostics.is_empty() {
            problems.push(render(&comp.source, &comp.diagnostics, false));
        } else if comp.model.is_none() {
            problems.push(format!("{name}: no diagnostics but no model either"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn invalid_utf8_is_reported_at_the_first_bad_byte() {
    let mut bytes = b"machine Door {\n    // caf".to_vec();
    bytes.push(0xE9); // `é` in Latin-1
    bytes.extend_from_slice(b"\n    phases { Closed }\n    initial Closed\n}\n");
    let comp = compile("tests/cases/bytes/FSM0001_latin1_comment.fsm", &bytes);
    assert_eq!(codes(&comp), ["FSM0001"]);
    let bad = bytes.iter().position(|&b| b == 0xE9).unwrap_or_default() as u32;
    assert_eq!(comp.diagnostics[0].span().start, bad);
    assert!(comp.model.is_none() && comp.ast.is_none());
    let problems = fail_case_problems("FSM0001_latin1_comment.fsm", bytes.len(), &comp);
    assert!(problems.is_empty(), "{problems:?}");
    snapshot("FSM0001_latin1_comment.fsm", &comp);
}

#[test]
fn invalid_utf8_variants_never_panic() {
    let samples: [&[u8]; 5] = [
        b"\xFF",
        // UTF-16 with a byte order mark
        b"\xFE\xFFm\x00a\x00",
        // a truncated two-byte sequence at the end
        b"machine A { phases { B } initial B }\xC3",
        // an encoded surrogate
        b"machine \xED\xA0\x80 {}",
        // an overlong encoding
        b"\xC0\x80",
    ];
    for bytes in samples {
        let comp = compile("bytes.fsm", bytes);
        assert_eq!(codes(&comp), ["FSM0001"], "{bytes:?}");
        assert!((comp.diagnostics[0].span().end as usize) <= bytes.len());
        // Rendering the lossily decoded text must not fail either.
        let text = render(&comp.source, &comp.diagnostics, false);
        assert!(text.contains("error[FSM0001]"), "{text}");
    }
}

#[test]
fn oversized_file_is_refused_before_lexing() {
    let limit = fsm_core::MAX_SOURCE_LEN;
    let mut bytes = b"machine Door {\n    phases { Closed }\n    initial Closed\n".to_vec();
    bytes.resize(limit + 1, b' ');
    let comp = compile("tests/cases/bytes/FSM0003_too_large.fsm", &bytes);
    assert_eq!(codes(&comp), ["FSM0003"]);
    assert!(comp.model.is_none() && comp.ast.is_none());
    let problems = fail_case_problems("FSM0003_too_large.fsm", bytes.len(), &comp);
    assert!(problems.is_empty(), "{problems:?}");
    snapshot("FSM0003_too_large.fsm", &comp);

    // Exactly at the limit the file is read (and here it is merely unclosed).
    bytes.truncate(limit);
    let comp = compile("at_limit.fsm", &bytes);
    assert!(!codes(&comp).contains(&"FSM0003"), "{:?}", codes(&comp));
}

#[test]
fn every_snapshot_belongs_to_a_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let cases: Vec<String> = case_files("fail")
        .into_iter()
        .map(|(name, _)| name.trim_end_matches(".fsm").to_owned())
        .chain(BYTES_CASES.iter().map(|s| (*s).to_owned()))
        .collect();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut strays = Vec::new();
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        match name.strip_suffix(".snap") {
            Some(stem) if cases.iter().any(|c| c == stem) => {}
            _ => strays.push(name),
        }
    }
    strays.sort();
    assert!(
        strays.is_empty(),
        "files in tests/snapshots without a case (stale snapshots or `.snap.new`): {strays:?}"
    );
}

/// One `## FSMxxxx: title` section of `docs/diagnostics.md`.
struct Section {
    code: String,
    title: String,
    /// The ```fsm blocks, each with whether a "Fixed:" line came before it.
    blocks: Vec<(bool, String)>,
}

fn doc_sections() -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut fixed_pending = false;
    let mut block: Option<(bool, String)> = None;
    for line in DIAGNOSTICS_MD.lines() {
        if let Some((fixed, text)) = block.as_mut() {
            if line.trim_end() == "```" {
                let done = (*fixed, std::mem::take(text));
                if let Some(section) = sections.last_mut() {
                    section.blocks.push(done);
                }
                block = None;
            } else {
                text.push_str(line);
                text.push('\n');
            }
            continue;
        }
        if let Some(heading) = line.strip_prefix("## ") {
            fixed_pending = false;
            // Sections that document no code (the introduction) get an
            // empty code and are dropped at the end.
            let (code, title) = match heading.split_once(": ") {
                Some((code, title)) if code.starts_with("FSM") => (code, title),
                _ => ("", heading),
            };
            sections.push(Section {
                code: code.to_owned(),
                title: title.to_owned(),
                blocks: Vec::new(),
            });
        } else if line.trim_end() == "```fsm" {
            block = Some((fixed_pending, String::new()));
            fixed_pending = false;
        } else if line.contains("Fixed:") {
            fixed_pending = true;
        }
    }
    assert!(
        block.is_none(),
        "docs/diagnostics.md has an unclosed code block"
    );
    sections.retain(|s| !s.code.is_empty());
    sections
}

#[test]
fn every_code_is_documented_in_order() {
    let sections = doc_sections();
    let documented: Vec<(&str, &str)> = sections
        .iter()
        .map(|s| (s.code.as_str(), s.title.as_str()))
        .collect();
    let expected: Vec<(&str, &str)> = Code::ALL.iter().map(|c| (c.as_str(), c.title())).collect();
    assert_eq!(
        documented, expected,
        "the `## FSMxxxx: title` headings of docs/diagnostics.md must list Code::ALL in order \
         (CONTRIBUTING.md, recipe \"adding a diagnostic\")"
    );
}

#[test]
fn every_code_has_a_case() {
    let files = case_files("fail");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| !BYTES_ONLY.contains(code))
        .filter(|code| {
            !files
                .iter()
                .any(|(name, _)| expected_code(name) == Some(**code))
        })
        .map(|code| code.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fail case: {missing:?} (CONTRIBUTING.md, recipe \"adding a diagnostic\")"
    );
}

#[test]
fn documented_examples_do_what_the_page_says() {
    let mut problems = Vec::new();
    for section in doc_sections() {
        let Some(code) = Code::ALL.iter().find(|c| c.as_str() == section.code) else {
            problems.push(format!("{}: not a code", section.code));
            continue;
        };
        let mut failing = section.blocks.iter().filter(|(fixed, _)| !fixed);
        match failing.next() {
            Some((_, text)) => {
                let comp = compile("example.fsm", text.as_bytes());
                if !comp.diagnostics.iter().any(|d| d.code == *code) {
                    problems.push(format!(
                        "{}: the example gives [{}]",
                        section.code,
                        codes(&comp).join(", ")
                    ));
                }
            }
            None if BYTES_ONLY.contains(code) => {}
            None => problems.push(format!("{}: no failing ```fsm example", section.code)),
        }
        for (_, text) in section.blocks.iter().filter(|(fixed, _)| *fixed) {
            let comp = compile("example.fsm", text.as_bytes());
            let wrong: Vec<String> = comp
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error || d.code == *code)
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            if !wrong.is_empty() {
                problems.push(format!(
                    "{}: the fixed example still gives {wrong:?}",
                    section.code
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// Compiles the failing example of a section: its first ```fsm block, or
/// for the codes that only bytes produce, bytes built here.
fn section_example(section: &Section, code: Code) -> Option<Compilation> {
    if let Some((_, text)) = section.blocks.iter().find(|(fixed, _)| !fixed) {
        return Some(compile("example.fsm", text.as_bytes()));
    }
    match code {
        Code::InvalidUtf8 => Some(compile(
            "example.fsm",
            b"machine Door {\n    // caf\xE9\n}\n",
        )),
        Code::FileTooLarge => Some(compile(
            "example.fsm",
            &vec![b' '; fsm_core::MAX_SOURCE_LEN + 1],
        )),
        _ => None,
    }
}

#[test]
fn documented_messages_match_the_checker() {
    // After "The checker says:" each section shows a ```text block whose
    // first line is the first line of the diagnostic; it must be what the
    // checker prints for the section's failing example.
    let mut says: Vec<(String, String)> = Vec::new();
    let mut code = String::new();
    let mut lines = DIAGNOSTICS_MD.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix("## ") {
            code = heading.split(':').next().unwrap_or_default().to_owned();
        } else if line.starts_with("The checker says") {
            let first = lines
                .by_ref()
                .skip_while(|l| l.trim() != "```text")
                .nth(1)
                .unwrap_or_default();
            says.push((code.clone(), first.to_owned()));
        }
    }
    let mut problems = Vec::new();
    for section in doc_sections() {
        let Some(code) = Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == section.code)
        else {
            continue;
        };
        let Some((_, first)) = says.iter().find(|(c, _)| *c == section.code) else {
            problems.push(format!("{}: no \"The checker says:\" block", section.code));
            continue;
        };
        let Some(comp) = section_example(&section, code) else {
            continue;
        };
        let headers: Vec<String> = comp
            .diagnostics
            .iter()
            .map(|d| format!("{}[{}]: {}", d.severity.as_str(), d.code, d.message))
            .collect();
        if !headers.iter().any(|h| h == first) {
            problems.push(format!(
                "{}: the page says `{first}`, the checker says {headers:?}",
                section.code
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
