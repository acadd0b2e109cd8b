//! End-to-end tests of `fsm sim` driven by scripts (`--script` and piped
//! standard input): stepping, rejections with their guard, undo, reset,
//! goto, save then load, expectations, and bad lines.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use support::TempDir;

fn spec(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/specs")
        .join(name)
}

fn fsm(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run fsm")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `script` against the spec `name`; the exit code, stdout, stderr.
fn sim(dir: &TempDir, name: &str, script: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let path = dir.write("script.txt", script);
    let spec = spec(name);
    let mut args = vec!["sim", spec.to_str().expect("UTF-8 path"), "--script"];
    let script_path = path.to_str().expect("UTF-8 path").to_owned();
    args.push(&script_path);
    args.extend_from_slice(extra);
    let out = fsm(&args, dir.path());
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn steps_show_transitions_effects_and_changed_fields() {
    let dir = TempDir::new("sim-step");
    let (code, stdout, stderr) = sim(
        &dir,
        "door.fsm",
        "# a comment\nPush\n:expect transition open\n:expect phase Open\n:expect field opened 1\nPull\nLock(code: 4)\n:expect field secret some(4)\n",
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout,
        "> Push\n\
         transition open: Closed -> Open\n  \
         opened = 1 (was 0)\n  \
         is_open = true (was false, derived)\n\
         > :expect transition open\n\
         > :expect phase Open\n\
         > :expect field opened 1\n\
         > Pull\n\
         transition close: Open -> Closed\n  \
         is_open = false (was true, derived)\n\
         > Lock(code: 4)\n\
         transition lock: Closed -> Locked\n  \
         secret = some(4) (was none)\n\
         > :expect field secret some(4)\n"
    );
    // Effects, on a keyed machine with the key given.
    let (code, stdout, stderr) = sim(
        &dir,
        "keyed_list.fsm",
        "Submit(2)\n:state\n",
        &["--key", "1"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains(
            "transition submit: Open -> Open\n  emit Accepted(1, 2)\n  jobs = [2] (was [])\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("key: owner = 1\n"), "{stdout}");
    assert!(stdout.contains("enabled: Submit, Close\n"), "{stdout}");
}

#[test]
fn a_rejection_names_its_kind_and_guard() {
    let dir = TempDir::new("sim-reject");
    let (code, stdout, stderr) = sim(
        &dir,
        "door.fsm",
        "Lock(3)\nUnlock(1, false)\n:expect rejected guard_rejected matches\n:expect phase Locked\nPull\n:expect rejected no_matching_transition\n:inputs\n",
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains(
            "> Unlock(1, false)\nrejected (guard_rejected): guard matches of transition unlock\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("rejected (no_matching_transition): no transition on Pull leaves Locked\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  no transition here: Push, Pull, Lock\n"),
        "{stdout}"
    );
    // A failed expectation is exit 1 with its line.
    let (code, _, stderr) = sim(&dir, "door.fsm", "Push\n:expect rejected\n", &[]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("script.txt:2: expected a rejection, the last input: transition open: Closed -> Open, no effects"),
        "{stderr}"
    );
}

#[test]
fn undo_and_reset_go_back() {
    let dir = TempDir::new("sim-undo");
    let (code, stdout, stderr) = sim(
        &dir,
        "door.fsm",
        "Push\nPull\n:undo\n:expect phase Open\n:expect field opened 1\n:reset\n:expect phase Closed\n:expect field opened 0\n:undo\n",
        &[],
    );
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("undid Pull; phase Open\n"), "{stdout}");
    assert!(stdout.contains("reset; phase Closed\n"), "{stdout}");
    assert!(stderr.contains("script.txt:9: nothing to undo"), "{stderr}");
}

#[test]
fn goto_replays_the_shortest_witness() {
    let dir = TempDir::new("sim-goto");
    let (code, stdout, stderr) = sim(
        &dir,
        "keyed_list.fsm",
        ":goto full\n:expect field jobs [1, 1]\n:undo\n:expect field jobs [1]\n:goto nowhere\n",
        &[],
    );
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("goal full: 2 inputs from the initial state\n> Submit(1)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("goal full holds\n"), "{stdout}");
    assert!(
        stderr.contains("script.txt:5: no reach goal `nowhere` (goals: full)"),
        "{stderr}"
    );
}

#[test]
fn save_then_load_restores_the_inputs_and_stops_at_a_divergence() {
    let dir = TempDir::new("sim-save");
    let (code, stdout, stderr) = sim(
        &dir,
        "door.fsm",
        "Push\nPull\nLock(5)\nUnlock(1, false)\n:save saved.jsonl\n:reset\n:load saved.jsonl\n:expect phase Locked\n:undo\n:expect phase Locked\n:expect field secret some(5)\n",
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("saved 4 inputs to saved.jsonl\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("loaded 4 inputs from saved.jsonl; phase Locked\n"),
        "{stdout}"
    );
    let saved = std::fs::read_to_string(dir.path().join("saved.jsonl")).expect("saved");
    assert_eq!(saved.lines().count(), 5, "{saved}");
    assert_eq!(
        saved.lines().next(),
        Some(r#"{"fsm_trace":1,"machine":"Door"}"#)
    );
    // The saved trace replays.
    let out = fsm(
        &[
            "replay",
            spec("door.fsm").to_str().expect("path"),
            "saved.jsonl",
        ],
        dir.path(),
    );
    assert_eq!(text(&out.stdout), "4 inputs, all agree\n");
    // A malformed trace, then one whose second input the spec rejects.
    dir.write(
        "bad.jsonl",
        "{\"fsm_trace\":1,\"machine\":\"Door\"}\n\"x\"\n",
    );
    let (code, _, stderr) = sim(&dir, "door.fsm", ":load bad.jsonl\n", &[]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("bad.jsonl:2: expected a JSON object, found a string"),
        "{stderr}"
    );
    dir.write(
        "diverges.jsonl",
        "{\"fsm_trace\":1,\"machine\":\"Door\"}\n{\"input\":\"Push\"}\n{\"input\":\"Push\",\"step\":{\"transition\":\"open\",\"from\":\"Open\",\"to\":\"Open\",\"effects\":[]}}\n",
    );
    let (code, stdout, stderr) = sim(&dir, "door.fsm", ":load diverges.jsonl\n", &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("loaded 1 of 2 inputs; stopped before line 3\n"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "diverges.jsonl:3: Push diverges (the spec rejects the input, the trace records a step)"
        ),
        "{stderr}"
    );
}

#[test]
fn bad_lines_say_what_is_wrong() {
    let dir = TempDir::new("sim-bad");
    let cases = [
        (
            "Lock(x)",
            "script.txt:1: parameter `code` of `Lock`: expected `u32`, found `x` (`Lock(code: u32)`)",
        ),
        (
            "Lock",
            "script.txt:1: input `Lock` needs a value for `code` (`Lock(code: u32)`)",
        ),
        (
            "Open",
            "script.txt:1: machine `Door` has no input `Open` (its inputs: Push, Pull, Lock, Unlock)",
        ),
        (
            "Unlock(force: true, cod: 1)",
            "has no parameter `cod` (`Unlock(code: u32, force: bool)`)",
        ),
        (
            ":frobnicate",
            "unknown command `:frobnicate`; :help lists the commands",
        ),
        (":state now", ":state takes no argument"),
        (":expect phase Ajar", "machine `Door` has no phase `Ajar`"),
        (":load missing.jsonl", "cannot read `missing.jsonl`"),
    ];
    for (line, wanted) in cases {
        let (code, _, stderr) = sim(&dir, "door.fsm", &format!("{line}\nPush\n"), &[]);
        assert_eq!(code, Some(1), "{line}");
        assert!(stderr.contains(wanted), "{line}: {stderr}");
    }
    // Trouble before any line: exit 2.
    let (code, _, stderr) = sim(&dir, "door.fsm", "", &["--key", "1"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--key: machine `Door` has no key"),
        "{stderr}"
    );
    let (code, _, stderr) = sim(&dir, "keyed_list.fsm", "", &["--key", "300"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("300 is out of range for u8"), "{stderr}");
    let (code, _, stderr) = sim(&dir, "door.fsm", "", &["--machine", "Gate"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("defines machine `Door`, not `Gate`"),
        "{stderr}"
    );
    let out = fsm(
        &[
            "sim",
            spec("door.fsm").to_str().expect("path"),
            "--script",
            "nope.txt",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read `nope.txt`"));
}

#[test]
fn piped_standard_input_is_read_line_by_line() {
    let dir = TempDir::new("sim-stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(["sim", spec("door.fsm").to_str().expect("path")])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fsm");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"Push\n:help\n:quit\nPull\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("transition open: Closed -> Open"),
        "{stdout}"
    );
    assert!(stdout.contains(":goto GOAL"), "{stdout}");
    assert!(!stdout.contains("> Pull"), ":quit stops: {stdout}");
}

#[test]
fn unreadable_standard_input_is_exit_2() {
    let dir = TempDir::new("sim-stdin-bad");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(["sim", spec("door.fsm").to_str().expect("path")])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fsm");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"Push\n\xff\xfe\nPull\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("> Push\n"));
    assert!(!text(&out.stdout).contains("> Pull"));
    assert!(
        text(&out.stderr)
            .contains("cannot read standard input: stream did not contain valid UTF-8"),
        "{}",
        text(&out.stderr)
    );
}
