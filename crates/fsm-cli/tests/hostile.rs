//! Hostile input: files that are not regular files, huge files, and specs
//! that produce very many diagnostics on very long lines. Every command must
//! refuse or answer with bounded output, never block or read without bound.

mod support;

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::TempDir;

/// What a run of `fsm` produced. Output beyond `MAX_CAPTURE` bytes per
/// stream is counted but not kept.
struct Run {
    code: Option<i32>,
    #[allow(dead_code)]
    stdout: String,
    stderr: String,
    stdout_bytes: usize,
    stderr_bytes: usize,
}

const MAX_CAPTURE: usize = 4 * 1024 * 1024;

/// Runs `fsm` with `args`. A run still going after `GUARD` is killed and
/// fails the test: the commands here must not block on their input (this is
/// a hang guard, far above any normal run, not a performance bound).
fn fsm(args: &[&str]) -> Run {
    const GUARD: Duration = Duration::from_secs(120);
    let mut child = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(args)
        .arg("--color=never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fsm");
    let drain = |mut stream: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut total = 0usize;
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                total += n;
                if kept.len() < MAX_CAPTURE {
                    kept.extend_from_slice(&buf[..n.min(MAX_CAPTURE - kept.len())]);
                }
            }
            (String::from_utf8_lossy(&kept).into_owned(), total)
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`fsm {}` did not finish: it blocks on its input",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stdout_bytes) = out.join().expect("stdout thread");
    let (stderr, stderr_bytes) = err.join().expect("stderr thread");
    Run {
        code: status.code(),
        stdout,
        stderr,
        stdout_bytes,
        stderr_bytes,
    }
}

fn arg(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo failed");
}

/// The commands that take one spec file, with the arguments they need.
const ONE_FILE_COMMANDS: &[&[&str]] = &[
    &["expand"],
    &["graph"],
    &["export", "--format", "json"],
    &["check"],
    &["fmt", "--check"],
    &["verify"],
    &["sim", "--script", "/dev/null"],
];

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_by_every_command_without_blocking() {
    let dir = TempDir::new("fifo");
    let fifo = dir.path().join("pipe.fsm");
    mkfifo(&fifo);
    let fifo = arg(&fifo);
    for command in ONE_FILE_COMMANDS {
        let mut args = command.to_vec();
        args.push(&fifo);
        let run = fsm(&args);
        assert_eq!(run.code, Some(2), "{command:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("is not a regular file")
                || run.stderr.contains("neither a file nor a folder"),
            "{command:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout_bytes, 0, "{command:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_link_to_dev_zero_is_refused_without_reading_it() {
    let dir = TempDir::new("zero");
    let link = dir.path().join("zero.fsm");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
    let link = arg(&link);
    for command in ONE_FILE_COMMANDS {
        let mut args = command.to_vec();
        args.push(&link);
        let run = fsm(&args);
        assert_eq!(run.code, Some(2), "{command:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("is not a regular file")
                || run.stderr.contains("neither a file nor a folder"),
            "{command:?}: {}",
            run.stderr
        );
        assert!(run.stderr_bytes < 1024, "{command:?}: {}", run.stderr);
    }
}

#[test]
fn a_file_over_the_limit_is_refused_by_name() {
    let dir = TempDir::new("large");
    let big = dir.write("big.fsm", vec![b' '; 4 * 1024 * 1024 + 1]);
    for command in [&["expand"][..], &["graph"], &["check"]] {
        let mut args = command.to_vec();
        let big = arg(&big);
        args.push(&big);
        let run = fsm(&args);
        assert_eq!(run.code, Some(2), "{command:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("big.fsm` is larger than 4 MiB"),
            "{command:?}: {}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_dangling_link_named_like_a_spec_in_a_folder_is_reported() {
    let dir = TempDir::new("folder");
    dir.write(
        "specs/ok.fsm",
        "machine A {\n    phases { P }\n    initial P\n}\n",
    );
    mkfifo(&dir.path().join("specs/pipe.fsm"));
    std::os::unix::fs::symlink(
        dir.path().join("gone"),
        dir.path().join("specs/dangling.fsm"),
    )
    .expect("symlink");
    // Not named like a spec: none of our business.
    mkfifo(&dir.path().join("specs/other-pipe"));
    let specs = arg(&dir.path().join("specs"));
    let run = fsm(&["check", &specs]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("pipe.fsm` is not a regular file"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("dangling.fsm`"), "{}", run.stderr);
    assert!(!run.stderr.contains("other-pipe"), "{}", run.stderr);
    // Both are errors of the same form, and the good spec is still checked.
    assert_eq!(
        run.stderr.matches("\nerror: ").count() + usize::from(run.stderr.starts_with("error: ")),
        2,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("checked 1 machine"), "{}", run.stderr);
}

/// Output of one file's diagnostics is bounded: at most 200 diagnostics
/// (then a note), long lines cut to windows around the labels. Before the
/// bound this input printed about 1.15 GB.
#[test]
fn many_errors_on_one_long_line_print_bounded_output() {
    let dir = TempDir::new("unclosed");
    let spec = dir.write("x.fsm", "machine M { ".repeat(8000) + "\n");
    let run = fsm(&["check", &arg(&spec)]);
    assert_eq!(
        run.code,
        Some(1),
        "{}",
        &run.stderr[..run.stderr.len().min(2000)]
    );
    // 1 MB is the documented bound for this input; it prints about 64 KB.
    assert!(run.stderr_bytes < 1_000_000, "{} bytes", run.stderr_bytes);
    assert_eq!(run.stderr.matches("\nerror[").count() + 1, 200);
    assert!(
        run.stderr
            .contains(" more diagnostics (only the first 200 of a file are shown)"),
        "{}",
        &run.stderr[run.stderr.len().saturating_sub(500)..]
    );
    // Excerpts are windows of the line, marked with `...`.
    assert!(
        run.stderr
            .contains("1 | machine M { machine M { machine M { machine M { m...")
    );
    // The summary still counts every error.
    assert!(
        run.stderr.contains("8003 errors"),
        "{}",
        &run.stderr[run.stderr.len().saturating_sub(300)..]
    );
}

/// 10 000 duplicate phases on one line: 603 MB of output before the bound.
#[test]
fn duplicates_far_apart_on_one_line_are_shown_in_two_windows() {
    let dir = TempDir::new("dups");
    let phases = vec!["A"; 10_000].join(", ");
    let spec = dir.write(
        "dup.fsm",
        format!("machine M {{ phases {{ {phases} }} initial A }}\n"),
    );
    let run = fsm(&["check", &arg(&spec)]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr_bytes < 1_000_000, "{} bytes", run.stderr_bytes);
    assert!(run.stderr.contains("... and 9799 more diagnostics"));
    // The 200th duplicate is far from the first: both windows are shown,
    // separated by `...`, and the location is exact.
    assert!(run.stderr.contains(" --> "), "{}", run.stderr);
    let last = run.stderr.rfind("error[FSM0201]").unwrap_or(0);
    let report = &run.stderr[last..];
    assert!(
        report.contains(" --> ") && report.contains(":1:622\n"),
        "{report}"
    );
    assert!(report.contains("A, A, ...  A, A"), "{report}");
    let widest = run.stderr.lines().map(str::len).max().unwrap_or(0);
    assert!(widest < 600, "a line of {widest} bytes");
}

/// 200 000 diagnostics on a 2.6 MB line, as JSON and as short lines: the
/// output has 200 diagnostics and one closing object or note.
#[test]
fn json_and_short_output_are_capped_with_a_closing_count() {
    let dir = TempDir::new("json");
    let phases = "Abcdefghijk, ".repeat(200_000);
    let spec = dir.write(
        "big.fsm",
        format!("machine M {{ phases {{ {phases}}} initial Abcdefghijk }}\n"),
    );
    let run = fsm(&["check", "--format", "json", &arg(&spec)]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout_bytes < 1_000_000, "{} bytes", run.stdout_bytes);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 201);
    assert!(lines[..200].iter().all(|v| v["code"] == "FSM0201"));
    assert_eq!(lines[200]["omitted"], 199_999 - 200);
    assert_eq!(lines[200]["shown"], 200);
    assert!(lines[200].get("code").is_none());
    // Columns are exact far into the line.
    assert_eq!(lines[199]["column"], 21 + 13 * 200 + 1);

    let run = fsm(&["check", "--format", "short", &arg(&spec)]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr_bytes < 1_000_000, "{} bytes", run.stderr_bytes);
    let shown = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error[FSM0201]:"))
        .count();
    assert_eq!(shown, 200);
    assert!(
        run.stderr
            .contains("big.fsm: note: ... and 199799 more diagnostics")
    );
}

const DOOR: &str = "/// A door.\nmachine Door {\n    phases { Closed, Open }\n    initial Closed\n    input Push\n    transition push on Push from Closed -> Open\n}\n";

#[test]
fn a_byte_order_mark_is_accepted_and_columns_ignore_it() {
    let dir = TempDir::new("bom");
    let good = dir.write("good.fsm", format!("\u{feff}{DOOR}"));
    let run = fsm(&["check", &arg(&good)]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // An error on the first line is located as if the mark were not there.
    let bad = dir.write(
        "bad.fsm",
        "\u{feff}machine Door { phases { A, A } initial A }\n",
    );
    let run = fsm(&["check", "--format", "short", &arg(&bad)]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("bad.fsm:1:28: error[FSM0201]"),
        "{}",
        run.stderr
    );
}

#[test]
fn lone_carriage_returns_end_lines() {
    let dir = TempDir::new("cr");
    // A doc comment on the first line must not swallow the file.
    let good = dir.write("good.fsm", DOOR.replace('\n', "\r"));
    let run = fsm(&["check", &arg(&good)]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("checked 1 machine: 2 phases, 1 input, 1 transition"),
        "{}",
        run.stderr
    );
    let bad = dir.write(
        "bad.fsm",
        DOOR.replace("-> Open", "-> Opn").replace('\n', "\r"),
    );
    let run = fsm(&["check", "--format", "short", &arg(&bad)]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("bad.fsm:6:44: error[FSM0101]"),
        "{}",
        run.stderr
    );
    let run = fsm(&["check", &arg(&bad)]);
    assert!(
        run.stderr
            .contains("6 |     transition push on Push from Closed -> Opn\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn fmt_keeps_crlf_line_endings() {
    let dir = TempDir::new("crlf");
    let messy = "machine Door {\r\nphases { Closed, Open }\r\n   initial Closed\r\ninput Push\r\ntransition push on Push from Closed -> Open\r\n}\r\n";
    let file = dir.write("door.fsm", messy);
    let run = fsm(&["fmt", &arg(&file)]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let out = fs::read_to_string(&file).expect("read");
    assert_ne!(out, messy);
    assert_eq!(
        out.matches("\r\n").count(),
        out.matches('\n').count(),
        "{out:?}"
    );
    assert!(out.contains("    initial Closed\r\n"), "{out:?}");
    // Already formatted: nothing to do.
    let run = fsm(&["fmt", "--check", &arg(&file)]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}
