//! A trace recorded from generated machines with `fsm::trace::TraceWriter`
//! is the format `fsm replay` reads: it replays agreeing, and a tampered
//! copy diverges at the tampered line.

mod support;

use fsm::Machine;
use fsm::trace::TraceWriter;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::TempDir;

mod door {
    fsm::machine!("../../tests/specs/door.fsm");
}

mod locker {
    fsm::machine!("../../tests/specs/locker.fsm");
}

mod queue {
    fsm::machine!("../../tests/specs/keyed_list.fsm");
}

use door::{Door, DoorInput};
use locker::{Locker, LockerInput};

fn spec(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/specs")
        .join(name)
}

fn replay(spec: &Path, trace: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fsm"))
        .arg("replay")
        .arg(spec)
        .arg(trace)
        .output()
        .expect("run fsm")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Drives a door through accepted, rejected and guarded inputs.
fn record_door() -> String {
    let mut machine = Door::create(());
    let mut trace = TraceWriter::new(Vec::new(), &machine).expect("header");
    let inputs = [
        DoorInput::Push,
        DoorInput::Push,
        DoorInput::Pull,
        DoorInput::Lock { code: 7 },
        DoorInput::Unlock {
            code: 1,
            force: false,
        },
        DoorInput::Unlock {
            code: 7,
            force: false,
        },
        DoorInput::Push,
    ];
    let mut rejected = 0;
    for input in inputs {
        if trace.apply(&mut machine, input).expect("written").is_err() {
            rejected += 1;
        }
    }
    assert_eq!(
        rejected, 2,
        "the second Push and the wrong code are rejected"
    );
    String::from_utf8(trace.finish().expect("flushed")).expect("UTF-8")
}

#[test]
fn a_recorded_trace_replays_and_a_tampered_one_diverges_at_its_line() {
    let dir = TempDir::new("record");
    let recorded = record_door();
    let lines: Vec<&str> = recorded.lines().collect();
    assert_eq!(lines.len(), 8, "{recorded}");
    assert_eq!(lines[0], r#"{"fsm_trace":1,"machine":"Door"}"#);
    assert!(lines[5].contains(r#""guard":"matches""#), "{recorded}");
    let good = dir.write("door.jsonl", &recorded);
    let out = replay(&spec("door.fsm"), &good);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "7 inputs, all agree\n");

    // Line 7 records that the right code was refused.
    let tampered_line = lines[6].replace(
        r#""step":{"effects":[],"from":"Locked","to":"Closed","transition":"unlock"}"#,
        r#""rejected":{"guard":"matches","kind":"guard_rejected","transition":"unlock"}"#,
    );
    assert_ne!(
        tampered_line, lines[6],
        "the line to tamper with: {}",
        lines[6]
    );
    let mut tampered: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    tampered[6] = tampered_line;
    let bad = dir.write("tampered.jsonl", tampered.join("\n"));
    let out = replay(&spec("door.fsm"), &bad);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(&format!(
            "{}:7: input 6 (Unlock(7, false)) diverges",
            bad.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("spec:  transition unlock: Locked -> Closed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("trace: rejected (guard_rejected)"),
        "{stdout}"
    );
}

#[test]
fn a_keyed_machine_records_its_key() {
    let dir = TempDir::new("record-keyed");
    let mut machine = Locker::create(4);
    let mut trace = TraceWriter::new(Vec::new(), &machine).expect("header");
    for input in [
        LockerInput::Take { by: 9 },
        LockerInput::Remove,
        LockerInput::Return,
    ] {
        let _ = trace.apply(&mut machine, input).expect("written");
    }
    let recorded = String::from_utf8(trace.finish().expect("flushed")).expect("UTF-8");
    assert!(
        recorded.starts_with(r#"{"fsm_trace":1,"key":4,"machine":"Locker"}"#),
        "{recorded}"
    );
    let path = dir.path().join("locker.jsonl");
    std::fs::write(&path, &recorded).expect("write the trace");
    let out = replay(&spec("locker.fsm"), &path);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "3 inputs, all agree\n");
}

#[test]
fn recorded_effects_agree_with_the_spec() {
    let dir = TempDir::new("record-effects");
    let mut machine = queue::Queue::create(1);
    let mut trace = TraceWriter::new(Vec::new(), &machine).expect("header");
    for job in [2, 1, 0, 2] {
        let input = queue::QueueInput::Submit { job };
        let _ = trace.apply(&mut machine, input).expect("written");
    }
    let _ = trace
        .apply(&mut machine, queue::QueueInput::Close)
        .expect("written");
    let recorded = String::from_utf8(trace.finish().expect("flushed")).expect("UTF-8");
    assert!(
        recorded.contains(r#""effects":[{"Accepted":{"job":2,"owner":1}}]"#),
        "{recorded}"
    );
    let path = dir.write("queue.jsonl", &recorded);
    let out = replay(&spec("keyed_list.fsm"), &path);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "5 inputs, all agree\n");
}
