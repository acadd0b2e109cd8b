//! End-to-end tests of `fsm diff`: every kind of change in the three
//! formats, renames, docs-only and formatting-only changes, folders,
//! `--base` on a git repository made here, real changes from the
//! project's history, and bad inputs.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::TempDir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff")
}

/// Runs `fsm diff ARGS` in `dir` (so paths in the output are relative).
fn diff_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fsm"))
        .arg("diff")
        .args(args)
        .arg("--color=never")
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .output()
        .expect("run fsm")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// The three formats of one comparison, each snapshotted; all exit with
/// `expected`.
fn snapshot_formats(name: &str, dir: &Path, args: &[&str], expected: i32) {
    for format in ["text", "markdown", "json"] {
        let mut all = args.to_vec();
        all.extend(["--format", format]);
        let out = diff_in(dir, &all);
        assert_eq!(code(&out), expected, "{format}: {}", stderr(&out));
        insta::assert_snapshot!(format!("{name}_{format}"), stdout(&out));
        if format == "json" {
            let value: serde_json::Value =
                serde_json::from_str(&stdout(&out)).expect("the JSON output parses");
            assert_eq!(value["format"], 1);
        }
    }
}

#[test]
fn every_kind_of_change_in_three_formats() {
    snapshot_formats(
        "lease",
        &fixtures().join("lease"),
        &["old.fsm", "new.fsm"],
        1,
    );
}

#[test]
fn real_changes_from_the_history_of_machines() {
    let dir = fixtures().join("history");
    for name in ["comms_drain", "peer_ingress"] {
        let (old, new) = (format!("{name}.old.fsm"), format!("{name}.new.fsm"));
        snapshot_formats(&format!("history_{name}"), &dir, &[&old, &new], 1);
    }
}

const DOOR: &str = "/// A door.
machine Door {
    phases { Closed, Open }
    initial Closed
    state {
        /// Times opened.
        opened: u8 = 0
    }
    input Push
    input Pull
    transition push on Push from Closed -> Open {
        opened += 1
    }
    transition pull on Pull from Open -> Closed
}
";

const GATE: &str = "machine Gate {
    phases { Shut, Up }
    initial Shut
    input Raise
    transition raise on Raise from Shut -> Up
}
";

const BELL: &str = "machine Bell {
    phases { Quiet }
    initial Quiet
    input Ring
    effect Rang
    transition ring on Ring from Quiet -> stay {
        emit Rang
    }
}
";

#[test]
fn docs_only_and_formatting_only_exit_0_and_say_so() {
    let dir = TempDir::new("diff-docs");
    dir.write("old/door.fsm", DOOR);
    dir.write("old/gate.fsm", GATE);
    dir.write("old/bell.fsm", BELL);
    dir.write(
        "new/door.fsm",
        DOOR.replace("/// Times opened.", "/// How many times it was opened."),
    );
    dir.write(
        "new/gate.fsm",
        GATE.replace(
            "    initial Shut\n",
            "\n    initial Shut // closed at first\n",
        ),
    );
    dir.write("new/bell.fsm", BELL);
    snapshot_formats("docs_and_formatting", dir.path(), &["old", "new"], 0);
}

#[test]
fn folders_pair_machines_by_name_and_report_added_and_removed_ones() {
    let dir = TempDir::new("diff-folders");
    dir.write("old/door.fsm", DOOR);
    dir.write("old/gate.fsm", GATE);
    // The door moved to another file; the gate is gone; the bell is new.
    dir.write(
        "new/sub/entry.fsm",
        DOOR.replace("-> Open {", "-> Open {\n        opened += 2"),
    );
    dir.write("new/bell.fsm", BELL);
    snapshot_formats("folders", dir.path(), &["old", "new"], 1);
}

#[test]
fn two_files_with_different_machines_are_a_renamed_machine() {
    let dir = TempDir::new("diff-machine-rename");
    dir.write("a.fsm", DOOR);
    dir.write("b.fsm", DOOR.replace("machine Door", "machine Entry"));
    let out = diff_in(dir.path(), &["a.fsm", "b.fsm"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn unchanged_specs_print_nothing_and_exit_0() {
    let dir = TempDir::new("diff-same");
    dir.write("a.fsm", DOOR);
    dir.write("b.fsm", DOOR);
    let out = diff_in(dir.path(), &["a.fsm", "b.fsm"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let out = diff_in(dir.path(), &["a.fsm", "b.fsm", "--format", "markdown"]);
    assert!(
        stdout(&out).contains("No machine changed.\n"),
        "{}",
        stdout(&out)
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=fsm", "-c", "user.email=fsm@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// A repository with `machines/door.fsm` and `machines/gate.fsm`
/// committed.
fn repository(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    git(dir.path(), &["init", "-q"]);
    dir.write("machines/door.fsm", DOOR);
    dir.write("machines/gate.fsm", GATE);
    dir.write("README.md", "not a spec\n");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "first"]);
    dir
}

#[test]
fn base_compares_a_revision_with_the_working_tree() {
    let dir = repository("diff-base");
    dir.write("machines/door.fsm", DOOR.replace("Open", "Ajar"));
    std::fs::remove_file(dir.path().join("machines/gate.fsm")).expect("remove gate");
    dir.write("machines/bell.fsm", BELL);
    snapshot_formats("base", dir.path(), &["--base", "HEAD"], 1);

    // One file, named explicitly; an unchanged revision gives exit 0.
    let out = diff_in(dir.path(), &["--base", "HEAD", "machines/door.fsm"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Door: schema changed (HEAD:machines/door.fsm → machines/door.fsm)\n  schema     phase Open renamed to Ajar\n"
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "second"]);
    let out = diff_in(dir.path(), &["--base", "HEAD"]);
    assert_eq!(
        (code(&out), stdout(&out)),
        (0, String::new()),
        "{}",
        stderr(&out)
    );
    // Every spec deleted, the folder with them: removed machines.
    std::fs::remove_dir_all(dir.path().join("machines")).expect("remove machines");
    let out = diff_in(dir.path(), &["--base", "HEAD"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Bell: removed (HEAD:machines/bell.fsm)\nDoor: removed (HEAD:machines/door.fsm)\n"
    );
    git(dir.path(), &["checkout", "-q", "--", "machines"]);
    // From a sub-folder, paths are taken relative to it, as git does.
    let out = diff_in(
        &dir.path().join("machines"),
        &["--base", "HEAD~1", "door.fsm"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Door: schema changed (HEAD~1:machines/door.fsm → door.fsm)\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn base_reports_a_missing_repository_or_revision() {
    let dir = TempDir::new("diff-no-git");
    dir.write("machines/door.fsm", DOOR);
    let out = diff_in(dir.path(), &["--base", "main"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out)
            .starts_with("error: `--base` reads specs from git, and this is not a git work tree: "),
        "{}",
        stderr(&out)
    );

    let repo = repository("diff-bad-rev");
    let out = diff_in(repo.path(), &["--base", "no-such-branch"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: `no-such-branch` is not a revision of this repository\n"
    );
    let out = diff_in(repo.path(), &["--base", "HEAD", "nowhere"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: cannot read `nowhere`: not in the working tree, nor at `HEAD`\n"
    );
}

#[test]
fn bad_paths_and_specs_with_errors_exit_2_with_clear_errors() {
    let dir = TempDir::new("diff-bad");
    dir.write("door.fsm", DOOR);
    dir.write("broken.fsm", DOOR.replace("initial Closed", "initial Shut"));

    let out = diff_in(dir.path(), &["door.fsm", "missing.fsm"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: cannot read `missing.fsm`: no such file or directory\n"
    );

    let out = diff_in(dir.path(), &["door.fsm"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: `fsm diff` takes two paths, OLD and NEW (got 1); or `--base REV [PATH…]`\n"
    );

    let out = diff_in(dir.path(), &["door.fsm", "broken.fsm"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: a spec has errors; it was not compared\n"
    );
    insta::assert_snapshot!(stdout(&out));
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = TempDir::new("diff-fifo");
    dir.write("door.fsm", DOOR);
    let status = Command::new("mkfifo")
        .arg(dir.path().join("pipe.fsm"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let out = diff_in(dir.path(), &["door.fsm", "pipe.fsm"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: `pipe.fsm` is neither a file nor a folder\n"
    );
    assert_eq!(stdout(&out), "");
}
