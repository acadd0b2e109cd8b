//! End-to-end tests of `fsm verify`: exit codes, the shortest trace of a
//! planted bug, the JSON report, the bundled machines, and tests emitted
//! with `--emit-test` that fail against the generated code.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

fn fsm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(args)
        .current_dir(repo_root())
        .env_remove("NO_COLOR")
        .output()
        .expect("run fsm")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const PLANTED: &str = "tests/specs/verify_planted_bug.fsm";
const FINDINGS: &str = "tests/specs/verify_findings.fsm";
const OVERFLOW: &str = "tests/specs/verify_overflow.fsm";
const TRAP: &str = "tests/specs/verify_trap.fsm";

#[test]
fn a_planted_bug_exits_1_with_the_shortest_trace() {
    let out = fsm(&["verify", PLANTED]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("invariant_violated: invariant `at_most_two_openings` is broken"),
        "{stdout}"
    );
    let trace: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim().split_once(". ").map(|(_, step)| step))
        .collect();
    assert_eq!(trace, ["Unlock", "Unlock", "Unlock"], "{stdout}");
}

#[test]
fn json_reports_every_finding_kind_and_no_time_on_request() {
    let out = fsm(&["verify", "--format", "json", "--no-time", FINDINGS]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
    assert_eq!(report["path"], FINDINGS);
    assert_eq!(report["machine"], "Findings");
    assert_eq!(report["states"], 9);
    assert_eq!(report["complete"], true);
    assert!(report.get("elapsed_ms").is_none());
    assert!(report.get("peak_rss_bytes").is_none());
    assert!(
        report.get("notes").is_none(),
        "a complete search has no notes"
    );
    let kinds: Vec<(&str, Value)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["kind"].as_str().unwrap_or(""), f["trace"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("deadlock", serde_json::json!(["Jam"])),
            ("guard_overlap", serde_json::json!(["Bump(2)"])),
            ("dead_transition", Value::Null),
            ("dead_transition", Value::Null),
            ("unreached_goal", Value::Null),
            ("unreachable_terminal", Value::Null),
        ]
    );
    // The same run twice gives the same bytes.
    let again = fsm(&["verify", "--format", "json", "--no-time", FINDINGS]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn the_bundled_machines_have_no_findings() {
    let out = fsm(&["verify", "machines"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    let machines = fs::read_dir(repo_root().join("machines"))
        .expect("machines/")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "fsm"))
        })
        .count();
    assert_eq!(stdout.matches("; 0 findings").count(), machines, "{stdout}");
}

#[test]
fn bounds_from_the_command_line_cut_the_search() {
    let out = fsm(&["verify", "--max-depth", "1", "--no-time", PLANTED]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("Vault (tests/specs/verify_planted_bug.fsm): 3 states, 4 transitions, depth 1 (cut by max_depth 1)"),
        "{stdout}"
    );
    // The bug is three inputs deep: not found within one.
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let out = fsm(&["verify", "--max-states", "3", "--format", "json", PLANTED]);
    let report: Value = serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
    assert_eq!(report["states"], 3);
    assert_eq!(report["complete"], false);
}

#[test]
fn a_search_cut_by_max_states_exits_0_with_unseen_transitions_as_notes() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verify_cut");
    fs::create_dir_all(&dir).expect("create a folder");
    let spec = dir.join("ring.fsm");
    fs::write(
        &spec,
        "machine Ring { phases { A, B, C, D } initial A input Next \
         transition ab on Next from A -> B transition bc on Next from B -> C \
         transition cd on Next from C -> D transition da on Next from D -> A }",
    )
    .expect("write the spec");
    let spec = spec.display().to_string();
    let out = fsm(&["verify", "--no-time", &spec]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    let out = fsm(&["verify", "--max-states", "2", "--no-time", &spec]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("(cut by max_states 2)"), "{stdout}");
    assert!(stdout.contains("; 0 findings, 2 notes"), "{stdout}");
    assert!(
        stdout
            .contains("  note (dead_transition): transition `cd` does not fire within the bounds"),
        "{stdout}"
    );

    let out = fsm(&["verify", "--max-states", "2", "--format", "json", &spec]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
    assert_eq!(report["complete"], false);
    assert_eq!(report["findings"], serde_json::json!([]));
    let notes: Vec<(&str, &str)> = report["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap_or(""),
                n["transition"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        notes,
        [("dead_transition", "cd"), ("dead_transition", "da")]
    );
    // Without `--no-time`, the memory of the whole process is measured too.
    if cfg!(target_os = "linux") {
        assert!(report["peak_rss_bytes"].as_u64().is_some_and(|b| b > 0));
    }
    assert!(report["store_bytes"].as_u64().is_some_and(|b| b > 0));
    assert!(report["instance_bytes"].as_u64().is_some_and(|b| b > 0));
}

#[test]
fn a_parameter_without_a_domain_is_reported_and_exits_1() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verify_no_domain");
    fs::create_dir_all(&dir).expect("create a folder");
    let spec = dir.join("limit.fsm");
    fs::write(
        &spec,
        "machine Limit { phases { A } initial A input Set(limit: u64) \
         transition set on Set from A -> stay }",
    )
    .expect("write the spec");
    let out = fsm(&["verify", &spec.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("parameter `limit` of input `Set`: no domain for `u64`"),
        "{stderr}"
    );
    let out = fsm(&["verify", "does/not/exist.fsm"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The tests `--emit-test` writes for the planted bugs, compiled in a crate
/// outside this workspace against the generated code, fail naming the
/// broken invariant and the overflowing transition.
#[test]
fn an_emitted_test_fails_on_the_planted_bug() {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verify_emit_test");
    let krate = work.join("vault");
    let target = work.join("target");
    let _ = fs::remove_dir_all(&krate);
    fs::create_dir_all(krate.join("tests")).expect("create the crate");
    fs::create_dir_all(krate.join("src")).expect("create the crate");
    fs::copy(
        repo_root().join(PLANTED),
        krate.join("verify_planted_bug.fsm"),
    )
    .expect("copy the spec");
    fs::copy(
        repo_root().join(OVERFLOW),
        krate.join("verify_overflow.fsm"),
    )
    .expect("copy the spec");
    fs::copy(repo_root().join(TRAP), krate.join("verify_trap.fsm")).expect("copy the spec");
    let manifest = format!(
        "[package]\nname = \"vault\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nfsm = {{ path = {:?} }}\nserde_json = \"1\"\n\n[workspace]\n",
        repo_root().join("crates/fsm").display().to_string()
    );
    fs::write(krate.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    fs::write(krate.join("src/lib.rs"), "").expect("write lib.rs");
    fs::copy(repo_root().join("Cargo.lock"), krate.join("Cargo.lock")).expect("copy Cargo.lock");

    // Run from the crate, so the spec path is relative to its manifest.
    let emitted = krate.join("tests/findings.rs");
    let out = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args([
            "verify",
            "verify_planted_bug.fsm",
            "verify_overflow.fsm",
            "verify_trap.fsm",
            "--emit-test",
        ])
        .arg(&emitted)
        .current_dir(&krate)
        .output()
        .expect("run fsm");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let code = fs::read_to_string(&emitted).expect("the test file is written");
    assert!(
        code.contains("fn invariant_at_most_two_openings_holds()"),
        "{code}"
    );
    assert!(
        code.contains("fn transition_fill_does_not_overflow()"),
        "{code}"
    );
    assert!(
        code.contains("fn back_to_idle_is_always_possible()"),
        "{code}"
    );
    assert!(
        !code.contains("transition_drain"),
        "an allowed overflow gets no test:\n{code}"
    );

    let (passed, all) = cargo_test(&krate, &target, "findings");
    assert!(!passed, "the emitted test passed:\n{all}");
    assert!(
        all.contains("invariant_at_most_two_openings_holds")
            && all.contains("input 3 `\"Unlock\"` was refused")
            && all.contains("would violate invariant `at_most_two_openings`"),
        "{all}"
    );
    assert!(
        all.contains("transition_fill_does_not_overflow")
            && all.contains("input 3 `{\"Fill\":{\"amount\":100}}` was refused")
            && all.contains("arithmetic overflow in transition `fill`"),
        "{all}"
    );
    assert!(
        all.contains("back_to_idle_is_always_possible")
            && all.contains("no state meeting `back_to_idle` is reachable"),
        "{all}"
    );
    assert!(
        !all.contains("error[E"),
        "the emitted test does not compile:\n{all}"
    );

    // The coverage suite of the same specs passes against the generated
    // code: the evaluator and the generated `apply` agree on every
    // transition's shortest path, its effects and the snapshot after it.
    let suite = krate.join("tests/coverage.rs");
    let out = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args([
            "verify",
            "verify_overflow.fsm",
            "verify_trap.fsm",
            "--emit-tests",
            "coverage",
        ])
        .arg(&suite)
        .current_dir(&krate)
        .output()
        .expect("run fsm");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let code = fs::read_to_string(&suite).expect("the suite is written");
    for test in [
        "fn transition_fill()",
        "fn transition_seal()",
        "fn transition_fail_draining()",
        "fn transition_retry()",
    ] {
        assert!(code.contains(test), "{test} missing:\n{code}");
    }
    let (passed, all) = cargo_test(&krate, &target, "coverage");
    assert!(passed, "the coverage suite failed:\n{all}");
    assert!(all.contains("test result: ok. 10 passed"), "{all}");
}

/// Runs one test target of the crate at `krate` (offline, quietly): whether
/// it passed, and what it printed.
fn cargo_test(krate: &Path, target: &Path, test: &str) -> (bool, String) {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["test", "--offline", "--quiet", "--test", test])
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("FSM_MANIFEST_DIR")
        .output()
        .expect("run cargo test");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    (out.status.success(), all)
}

#[test]
fn witness_prints_only_the_shortest_path_to_a_goal() {
    let out = fsm(&["verify", "--witness", "respawn_pending", "machines"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("CommsDrain (machines/comms_drain.fsm):\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reach `respawn_pending`: reached after 2 inputs"),
        "{stdout}"
    );
    let steps: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim().split_once(". ").map(|(_, step)| step))
        .collect();
    assert_eq!(
        steps,
        [
            "SpawnDrain(DrainMode::PersistentHost)",
            "DrainExitedRespawnable"
        ],
        "{stdout}"
    );

    let out = fsm(&[
        "verify",
        "--format",
        "json",
        "--witness",
        "respawn_pending",
        "machines/comms_drain.fsm",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let line: Value = serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
    assert_eq!(line["machine"], "CommsDrain");
    assert_eq!(line["goal"]["reached"], true);
    assert_eq!(line["goal"]["trace"].as_array().map(Vec::len), Some(2));
}

#[test]
fn every_reached_goal_is_shown_with_its_witness() {
    let out = fsm(&["verify", "--no-time", "machines/comms_drain.fsm"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("reach `respawn_pending`: reached after 2 inputs"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reach `stopped_persistent`: reached after 2 inputs"),
        "{stdout}"
    );
    let out = fsm(&[
        "verify",
        "--format",
        "json",
        "--no-time",
        "machines/comms_drain.fsm",
    ]);
    let report: Value = serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
    let goals = report["goals"].as_array().expect("goals");
    assert_eq!(goals.len(), 2);
    assert_eq!(goals[0]["name"], "respawn_pending");
    assert_eq!(goals[0]["trace"][1], "DrainExitedRespawnable");
}

#[test]
fn a_witness_of_an_unknown_or_unreached_goal_fails() {
    let out = fsm(&[
        "verify",
        "--witness",
        "no_such_goal",
        "machines/comms_drain.fsm",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no spec has a reach goal named `no_such_goal`"));
    // Depth 1 cannot reach a goal two inputs away.
    let out = fsm(&[
        "verify",
        "--max-depth",
        "1",
        "--witness",
        "respawn_pending",
        "machines/comms_drain.fsm",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("not reached within the bounds"));
}

#[test]
fn an_overflow_exits_1_with_its_trace_unless_allowed() {
    let out = fsm(&["verify", "--format", "json", "--no-time", OVERFLOW]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: Value = serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(
        findings.len(),
        1,
        "`drain` is allowed to overflow: {findings:?}"
    );
    assert_eq!(findings[0]["kind"], "arithmetic_overflow");
    assert_eq!(findings[0]["transition"], "fill");
    assert_eq!(findings[0]["states"], 1);
    assert_eq!(
        findings[0]["trace"],
        serde_json::json!(["Fill(100)", "Fill(100)", "Fill(100)"])
    );
}
