//! End-to-end tests of `fsm graph` and `fsm doc`: output, `--out`, exit
//! codes.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const DOOR: &str = "/// A door. It opens.\nmachine Door {\n    phases { Closed, Open }\n    initial Closed\n    state { opened: u8 = 0 }\n    input Push\n    input Pull\n    transition push on Push from Closed -> Open { opened += 1 }\n    transition pull on Pull from Open -> Closed\n    invariant few: opened < 200\n    verify { max_depth 4 }\n}\n";

const BROKEN: &str = "machine Broken {\n    phases { A }\n    initial B\n}\n";

/// A fresh folder under the system temporary folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("fsm-cli-graph-doc-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create scratch folder");
        Scratch(dir)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folder");
        }
        fs::write(&path, text).expect("write file");
        path.display().to_string()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn fsm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(args)
        .arg("--color=never")
        .output()
        .expect("run fsm")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn graph_prints_mermaid_by_default_and_dot_on_request() {
    let dir = Scratch::new();
    let door = dir.file("door.fsm", DOOR);
    let out = fsm(&["graph", &door]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("stateDiagram-v2\n"), "{stdout}");
    assert!(stdout.contains("    Closed --> Open: Push\n"), "{stdout}");

    let out = fsm(&["graph", "--format", "dot", &door]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("digraph \"Door\" {\n"), "{stdout}");
    assert!(
        stdout.contains("    \"Open\" -> \"Closed\" [label=\"Pull\"];\n"),
        "{stdout}"
    );
}

#[test]
fn graph_options_hide_ignores_collapse_loops_and_set_rankdir() {
    let dir = Scratch::new();
    let spec = DOOR
        .replace("    input Pull\n", "    input Pull\n    input Knock\n")
        .replace(
            "    invariant",
            "    transition rattle on Pull from Closed -> stay\n    ignore Knock in Closed | Open\n    invariant",
        );
    let door = dir.file("door.fsm", &spec);
    let out = fsm(&["graph", &door]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let all = text(&out.stdout);
    assert!(all.contains("    Closed --> Closed: Pull\n"), "{all}");
    assert!(
        all.contains("    Closed --> Closed: ignore#58; Knock\n"),
        "{all}"
    );

    let out = fsm(&["graph", "--hide-ignores", &door]);
    let hidden = text(&out.stdout);
    assert!(!hidden.contains("Knock"), "{hidden}");
    assert!(hidden.contains("    Closed --> Closed: Pull\n"), "{hidden}");

    let out = fsm(&[
        "graph",
        "--collapse-self-loops",
        "--format",
        "dot",
        "--rankdir",
        "LR",
        &door,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    assert!(dot.contains("    rankdir=LR;\n"), "{dot}");
    assert!(
        dot.contains("    \"Closed\" -> \"Closed\" [label=\"Pull, ignore: Knock\"];\n"),
        "{dot}"
    );
    assert_eq!(dot.matches("\"Closed\" -> \"Closed\"").count(), 1, "{dot}");
    // The ignore loop of `Open` is alone: still dashed.
    assert!(
        dot.contains("    \"Open\" -> \"Open\" [label=\"ignore: Knock\", style=dashed];\n"),
        "{dot}"
    );

    // `--rankdir` is DOT's.
    let out = fsm(&["graph", "--rankdir", "LR", &door]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("`--rankdir` applies to `--format dot` only"));
}

#[test]
fn graph_writes_to_out() {
    let dir = Scratch::new();
    let door = dir.file("door.fsm", DOOR);
    let target = dir.path("door.dot");
    let out = fsm(&["graph", "--format=dot", "--out", &target, &door]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written = fs::read_to_string(&target).expect("diagram written");
    assert!(written.starts_with("digraph \"Door\" {\n"), "{written}");
}

#[test]
fn graph_exit_codes_follow_check() {
    let dir = Scratch::new();
    let broken = dir.file("broken.fsm", BROKEN);
    let out = fsm(&["graph", &broken]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("error["),
        "{}",
        text(&out.stderr)
    );

    let out = fsm(&["graph", &dir.path("missing.fsm")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: cannot read `"), "{stderr}");

    let door = dir.file("door.fsm", DOOR);
    let out = fsm(&["graph", "--out", &dir.path("no/such/folder/x.mmd"), &door]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error: cannot write `"));
}

#[test]
fn doc_writes_a_page_per_machine_and_an_index() {
    let dir = Scratch::new();
    dir.file("specs/door.fsm", DOOR);
    dir.file("specs/nested/gate.fsm", &DOOR.replace("Door", "Gate"));
    let out_dir = dir.path("site");
    let out = fsm(&["doc", &dir.path("specs"), "--out", &out_dir]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("wrote 2 pages"),
        "{}",
        text(&out.stderr)
    );
    let page = fs::read_to_string(dir.0.join("site/door.md")).expect("door page");
    assert!(page.contains("\n# Door\n"), "{page}");
    assert!(page.contains("```mermaid\n"), "{page}");
    assert!(page.contains("| States | "), "{page}");
    assert!(page.contains("| invariant `few` | holds"), "{page}");
    let index = fs::read_to_string(dir.0.join("site/README.md")).expect("index");
    assert!(index.contains("- [Door](door.md): A door.\n"), "{index}");
    assert!(index.contains("- [Gate](gate.md): A door.\n"), "{index}");

    // The same input gives the same bytes.
    let again = fsm(&["doc", &dir.path("specs"), "--out", &out_dir]);
    assert_eq!(again.status.code(), Some(0));
    let second = fs::read_to_string(dir.0.join("site/door.md")).expect("door page");
    assert_eq!(page, second);

    let out = fsm(&[
        "doc",
        &dir.path("specs/door.fsm"),
        "--out",
        &out_dir,
        "--no-verify",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let page = fs::read_to_string(dir.0.join("site/door.md")).expect("door page");
    assert!(!page.contains("| States | "), "{page}");
}

#[test]
fn doc_exit_codes() {
    let dir = Scratch::new();
    let door = dir.file("door.fsm", DOOR);
    let broken = dir.file("broken.fsm", BROKEN);
    let out_dir = dir.path("site");
    let out = fsm(&["doc", &door, &broken, "--out", &out_dir]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(dir.0.join("site/door.md").is_file());
    assert!(!dir.0.join("site/broken.md").exists());

    let other = dir.file("other/door.fsm", DOOR);
    let out = fsm(&["doc", &door, &other, "--out", &out_dir]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("would both be written to `door.md`"),
        "{stderr}"
    );

    let readme = dir.file("README.fsm", DOOR);
    let out = fsm(&["doc", &readme, "--out", &out_dir]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("would overwrite the index"));

    let out = fsm(&["doc", &dir.path("missing"), "--out", &out_dir]);
    assert_eq!(out.status.code(), Some(2));
}
