//! `fsm lsp`: the real binary, spoken to over its stdin and stdout.

#[path = "support/lsp_client.rs"]
mod client;

use client::{Client, position_of};
use serde_json::{Value, json};
use std::path::Path;

const URI: &str = "file:///specs/door.fsm";

/// A spec with one typo (`cout` for `count`) after non-ASCII text on the
/// same line, so that UTF-16 columns differ from byte and char columns.
const BAD: &str = "machine Door {
    phases { Closed, Open }
    initial Closed
    state {
        label: String = \"𝄞é\"
        count: u64 = 0
    }
    /// Someone pushes the door.
    input Push(force: u64)
    effect Creak
    transition open on Push from Closed -> Open
        guard strong: force > 2
    {
        count += 1
        emit Creak
    }
    transition close on Push from Open -> Closed
        guard named: label == \"𝄞é\" && cout < 3
}
";

fn at(text: &str, needle: &str, nth: usize) -> Value {
    json!({"textDocument": {"uri": URI}, "position": position_of(text, needle, nth, 1)})
}

fn doc() -> Value {
    json!({"textDocument": {"uri": URI}})
}

/// Applies LSP text edits (non-overlapping) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (a, b, new) in spans {
        out.replace_range(a..b, &new);
    }
    out
}

#[test]
fn a_full_session_answers_every_feature() {
    let mut c = Client::start();
    let diags = c.open(URI, BAD);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "FSM0102");
    assert_eq!(d["severity"], 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown name `cout`"),
        "{d}"
    );
    // `fsm check` says 18:39 (characters); UTF-16 counts 𝄞 twice: 38 + 1.
    assert_eq!(
        d["range"],
        json!({"start": {"line": 17, "character": 39}, "end": {"line": 17, "character": 43}})
    );

    // The quick fix replaces `cout` with `count`, and the result checks.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    assert_eq!(actions[0]["title"], "replace with `count`");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edits = actions[0]["edit"]["changes"][URI]
        .as_array()
        .unwrap()
        .clone();
    let fixed = apply(BAD, &edits);
    assert!(fixed.contains("&& count < 3"), "{fixed}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(c.diagnostics(URI), Vec::<Value>::new());
    let text = fixed;

    // Hover on an input: signature, docs and its row of the matrix.
    let hover = c.request("textDocument/hover", at(&text, "Push", 1));
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("input Push(force: u64)"), "{value}");
    assert!(value.contains("Someone pushes the door."), "{value}");
    assert!(value.contains("| `Closed` | `open` |"), "{value}");
    assert!(value.contains("| `Open` | `close` |"), "{value}");
    // Hover on a transition shows its header.
    let hover = c.request("textDocument/hover", at(&text, "close", 0));
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("transition close on Push from Open -> Closed\n"),
        "{value}"
    );
    // Hover on a guard shows its condition.
    let hover = c.request("textDocument/hover", at(&text, "strong", 0));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("force > 2")
    );

    // Definition of the field `count` used in the guard.
    let def = c.request("textDocument/definition", at(&text, "count", 2));
    assert_eq!(def["uri"], URI);
    assert_eq!(def["range"]["start"], position_of(&text, "count", 0, 0));

    // References of the phase `Open`, with its declaration.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": position_of(&text, "Open", 0, 0),
               "context": {"includeDeclaration": true}}),
    );
    let lines: Vec<u64> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 10, 16]);

    // Rename `Open` to `Ajar`; refuse `Closed` (a phase) and `state` (a keyword).
    let prepared = c.request("textDocument/prepareRename", at(&text, "Open", 0));
    assert_eq!(prepared["placeholder"], "Open");
    let mut rename = at(&text, "Open", 1);
    rename["newName"] = json!("Ajar");
    let edit = c.request("textDocument/rename", rename.clone());
    let renamed = apply(&text, edit["changes"][URI].as_array().unwrap());
    assert_eq!(renamed, text.replace("Open", "Ajar"));
    rename["newName"] = json!("Closed");
    let refused = c.call("textDocument/rename", rename.clone());
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("already the name of phase `Closed`"),
        "{message}"
    );
    rename["newName"] = json!("state");
    let refused = c.call("textDocument/rename", rename);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("keyword")
    );

    // Completion: phases after `->`, fields and parameters in a guard.
    let phases = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": position_of(&text, "-> Open", 0, 4)}),
    );
    let labels = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut got = labels(&phases);
    got.sort();
    assert_eq!(got, ["Closed", "Open"]);
    let in_guard = labels(&c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": position_of(&text, "force > 2", 0, 0)}),
    ));
    for name in ["force", "count", "label", "Open", "transition"] {
        assert!(in_guard.iter().any(|l| l == name), "{name} in {in_guard:?}");
    }

    // Formatting: the canonical layout of `fsm fmt`.
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let formatted = apply(&text, edits.as_array().unwrap());
    assert!(
        formatted.contains("initial Closed\n\n    state {"),
        "{formatted}"
    );
    assert!(
        formatted.contains("effect Creak\n\n    transition open"),
        "{formatted}"
    );

    // The outline: the machine holding phases, inputs (with parameters), ...
    let symbols = c.request("textDocument/documentSymbol", doc());
    assert_eq!(symbols[0]["name"], "Door");
    let children = symbols[0]["children"].as_array().unwrap();
    let names: Vec<&str> = children
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // Local guards are children of their transition, not of the machine.
    assert_eq!(
        names,
        [
            "Closed", "Open", "label", "count", "Push", "Creak", "open", "close"
        ]
    );
    let push = children.iter().find(|s| s["name"] == "Push").unwrap();
    assert_eq!(push["children"][0]["name"], "force");
    let open = children.iter().find(|s| s["name"] == "open").unwrap();
    assert_eq!(open["children"][0]["name"], "strong");

    // Semantic tokens: the first token is the keyword `machine`, then the
    // machine's name as a declared class.
    let tokens = c.request("textDocument/semanticTokens/full", doc());
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(&data[..10], &[0, 0, 7, 0, 0, 0, 8, 4, 12, 1]);

    // Code lenses: one per transition.
    let lenses = c.request("textDocument/codeLens", doc());
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Closed → Open on Push (1 source phase)",
            "Open → Closed on Push (1 source phase)"
        ]
    );

    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn rust_habits_and_a_missing_target_have_quick_fixes() {
    let mut c = Client::start();
    let text = BAD
        .replace("cout < 3", "count < 3 and Some(count) != None")
        .replace("        guard strong: force > 2\n", "");
    let text = text.replace("from Closed -> Open\n", "from Closed\n");
    let diags = c.open(URI, &text);
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"FSM0010"), "{diags:?}");
    let titles: Vec<String> = diags
        .iter()
        .flat_map(|d| {
            let actions = c.request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": URI}, "range": d["range"], "context": {"diagnostics": []}}),
            );
            actions
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(titles.iter().any(|t| t == "add `-> stay`"), "{titles:?}");
    // Syntax errors: formatting is refused, as `fsm fmt` does.
    let refused = c.call(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("syntax errors"),
        "{refused}"
    );
    let text = BAD.replace("cout < 3", "count < 3 and Some(count) != None");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let diags = c.diagnostics(URI);
    let mut edits = Vec::new();
    for d in &diags {
        assert_eq!(d["code"], "FSM0013", "{d}");
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": d["range"], "context": {"diagnostics": []}}),
        );
        edits.extend(
            actions[0]["edit"]["changes"][URI]
                .as_array()
                .unwrap()
                .clone(),
        );
    }
    assert_eq!(diags.len(), 3);
    let fixed = apply(&text, &edits);
    assert!(
        fixed.contains("count < 3 && some(count) != none"),
        "{fixed}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn bad_requests_get_errors_not_crashes() {
    let mut c = Client::start();
    let unknown = c.call("fsm/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    // Requests on a document that is not open.
    assert_eq!(
        c.request("textDocument/hover", at(BAD, "Push", 0)),
        Value::Null
    );
    let refused = c.call(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(refused["error"]["code"], -32602);
    // Invalid parameters.
    let invalid = c.call("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(invalid["error"]["code"], -32602);
    // Positions far out of range, and a document that is not a spec.
    let diags = c.open(URI, "not a spec at all ✗");
    assert!(!diags.is_empty());
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
    ] {
        let response = c.call(
            method,
            json!({"textDocument": {"uri": URI}, "position": {"line": 99999, "character": 99999}}),
        );
        assert!(response.get("error").is_none(), "{method}: {response}");
    }
    let prepared = c.call(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 4000000000u64}}),
    );
    assert!(
        prepared["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no name")
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn malformed_json_ends_the_session_with_an_error() {
    let mut c = Client::spawn();
    c.write_raw(b"Content-Length: 5\r\n\r\n{oops");
    assert_eq!(c.finish(), Some(2));
    assert!(c.stderr().contains("fsm lsp"), "stderr names the command");
}

#[test]
fn exit_without_shutdown_is_a_failure() {
    let mut c = Client::start();
    c.notify("exit", Value::Null);
    assert_eq!(c.finish(), Some(2));
    assert!(c.stderr().contains("`exit` before `shutdown`"));
}

#[test]
fn every_bundled_spec_checks_and_answers() {
    let machines = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../machines");
    let mut specs: Vec<_> = std::fs::read_dir(&machines)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "fsm"))
        .collect();
    specs.sort();
    assert!(specs.len() >= 10);
    let mut c = Client::start();
    for path in specs {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let uri = format!("file:///machines/{name}");
        let diags = c.open(&uri, &text);
        assert_eq!(diags, Vec::<Value>::new(), "{name}");
        let compiled = fsm_core_names(&text);
        // Hover on the initial phase.
        let initial = &compiled.initial;
        let needle = format!("initial {initial}");
        let pos = position_of(&text, &needle, 0, "initial ".len());
        let hover = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos}),
        );
        let value = hover["contents"]["value"].as_str().unwrap();
        assert!(
            value.contains(&format!("phase {initial}")),
            "{name}: {value}"
        );
        // Definition of the input of the first transition.
        let (transition, input) = &compiled.first_transition;
        let needle = format!("transition {transition} on {input}");
        let pos = position_of(&text, &needle, 0, needle.len() - input.len());
        let def = c.request(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": pos}),
        );
        let start = &def["range"]["start"];
        let line = text
            .lines()
            .nth(start["line"].as_u64().unwrap() as usize)
            .unwrap();
        assert!(
            line.trim_start().starts_with(&format!("input {input}")),
            "{name}: {line}"
        );
    }
    assert_eq!(c.shutdown(), Some(0));
}

struct Names {
    initial: String,
    first_transition: (String, String),
}

/// The initial phase and the first transition with its input, read from
/// the text the way a reader finds them.
fn fsm_core_names(text: &str) -> Names {
    let initial = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("initial "))
        .unwrap()
        .trim()
        .to_owned();
    let words: Vec<&str> = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("transition "))
        .unwrap()
        .split_whitespace()
        .collect();
    Names {
        initial,
        first_transition: (words[0].to_owned(), words[2].to_owned()),
    }
}
