//! End-to-end tests of `fsm replay`: agreement, the first divergence with
//! its line, JSON output, and bad files.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::TempDir;

fn spec(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/specs")
        .join(name)
}

fn replay(dir: &TempDir, spec_name: &str, trace: &str, extra: &[&str]) -> Output {
    let path = dir.write("trace.jsonl", trace);
    Command::new(env!("CARGO_BIN_EXE_fsm"))
        .arg("replay")
        .arg(spec(spec_name))
        .arg(&path)
        .args(extra)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run fsm")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const HEADER: &str = "{\"fsm_trace\":1,\"machine\":\"Queue\",\"key\":1}\n";

fn submit(job: u8, recorded: &str) -> String {
    format!("{{\"input\":{{\"Submit\":{{\"job\":{job}}}}}{recorded}}}\n")
}

fn accepted(job: u8) -> String {
    submit(
        job,
        &format!(
            ",\"step\":{{\"transition\":\"submit\",\"from\":\"Open\",\"to\":\"Open\",\"effects\":[{{\"Accepted\":{{\"owner\":1,\"job\":{job}}}}}]}}"
        ),
    )
}

#[test]
fn an_agreeing_trace_exits_0_with_a_summary() {
    let dir = TempDir::new("replay-ok");
    let trace = format!(
        "{HEADER}\n{}{}{}{}",
        accepted(2),
        submit(0, ""),
        submit(
            1,
            ",\"rejected\":{\"kind\":\"guard_rejected\",\"transition\":\"submit\",\"guard\":\"not_own_number\"}"
        ),
        submit(
            2,
            ",\"rejected\":{\"kind\":\"guard_rejected\",\"transition\":\"submit\",\"guard\":\"room\"}"
        ),
    );
    let out = replay(&dir, "keyed_list.fsm", &trace, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "4 inputs, all agree (1 line without a recorded outcome, replayed only)\n"
    );
    let out = replay(&dir, "keyed_list.fsm", &trace, &["--format", "json"]);
    let report: Value = serde_json::from_str(text(&out.stdout).trim()).expect("JSON");
    assert_eq!(report["agree"], true);
    assert_eq!(report["inputs"], 4);
    assert_eq!(report["unrecorded"], 1);
    assert_eq!(report["phase"], "Open");
}

#[test]
fn the_first_divergence_is_reported_with_its_line() {
    let dir = TempDir::new("replay-diverge");
    // The key is 2 here, so job 2 is the owner's number and is refused.
    let trace = format!(
        "{}{}{}",
        HEADER.replace("\"key\":1", "\"key\":2"),
        submit(0, ""),
        accepted(2)
    );
    let out = replay(&dir, "keyed_list.fsm", &trace, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("trace.jsonl:3: input 2 (Submit(2)) diverges: the spec rejects the input, the trace records a step\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  spec:  rejected (guard_rejected): guard not_own_number of transition submit\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  trace: transition submit: Open -> Open, effects Accepted(1, 2)\n1 input before it agreed\n"),
        "{stdout}"
    );
    // Effects differ: the owner in the effect is the key.
    let trace = format!(
        "{HEADER}{}",
        accepted(2).replace("\"owner\":1", "\"owner\":3")
    );
    let out = replay(&dir, "keyed_list.fsm", &trace, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(text(&out.stdout).trim()).expect("JSON");
    assert_eq!(report["agree"], false);
    let d = &report["divergence"];
    assert_eq!(d["line"], 2);
    assert_eq!(d["index"], 0);
    assert_eq!(d["what"], "the effects");
    assert_eq!(d["input"], serde_json::json!({"Submit": {"job": 2}}));
    assert_eq!(
        d["expected"]["step"]["effects"],
        serde_json::json!([{"Accepted": {"owner": 1, "job": 2}}])
    );
    assert_eq!(
        d["recorded"]["step"]["effects"],
        serde_json::json!([{"Accepted": {"owner": 3, "job": 2}}])
    );
}

#[test]
fn bad_files_exit_2_with_their_line() {
    let dir = TempDir::new("replay-bad");
    let cases = [
        ("", "trace.jsonl: the trace is empty"),
        (
            "{\"fsm_trace\":1,\"machine\":\"Door\"}\n",
            "trace.jsonl:1: the trace is of machine `Door`, but the spec's machine is `Queue`",
        ),
        (
            &format!("{HEADER}{{\"input\":\"Submit\"}}\n") as &str,
            "trace.jsonl:2: input `Submit` takes parameters",
        ),
        (
            &format!("{HEADER}\n\n{{\"input\":\"Close\",\"note\":1}}\n"),
            "trace.jsonl:4: unknown key `note` in an input line",
        ),
        (
            &format!("{HEADER}{{\"input\":{{\"Submit\":{{\"job\":256}}}}}}\n"),
            "trace.jsonl:2: parameter `job: u8` of input `Submit`: 256 is out of range for u8",
        ),
        (
            &format!("{HEADER}{{nope\n"),
            "trace.jsonl:2: not valid JSON",
        ),
    ];
    for (trace, wanted) in cases {
        let out = replay(&dir, "keyed_list.fsm", trace, &[]);
        assert_eq!(out.status.code(), Some(2), "{trace}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(wanted), "{trace}: {stderr}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(["replay"])
        .arg(spec("keyed_list.fsm"))
        .arg(dir.path().join("missing.jsonl"))
        .output()
        .expect("run fsm");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.jsonl`: no such file"));
    let out = replay(&dir, "keyed_list.fsm", HEADER, &["--machine", "Door"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("defines machine `Queue`, not `Door`"));
    let broken = dir.write("broken.fsm", "machine {");
    let out = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .arg("replay")
        .arg(&broken)
        .arg(dir.path().join("trace.jsonl"))
        .output()
        .expect("run fsm");
    assert_eq!(out.status.code(), Some(1), "a spec with errors");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_as_the_trace_is_refused_without_blocking() {
    let dir = TempDir::new("replay-fifo");
    let fifo = dir.path().join("pipe.jsonl");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    let zero = dir.path().join("zero.jsonl");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    for trace in [&fifo, &zero] {
        let out = Command::new(env!("CARGO_BIN_EXE_fsm"))
            .arg("replay")
            .arg(spec("keyed_list.fsm"))
            .arg(trace)
            .output()
            .expect("run fsm");
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("is not a regular file"),
            "{}",
            text(&out.stderr)
        );
    }
}
