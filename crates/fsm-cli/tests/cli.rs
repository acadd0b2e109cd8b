//! End-to-end tests of the `fsm` binary, run on specs written to fresh
//! temporary folders.

mod support;

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use support::TempDir;

/// A valid spec, after the auth-lease example of the language reference.
const VALID: &str = r#"/// One credential lease per auth binding.
machine AuthLease {
    phases {
        /// A credential is held and not near expiry.
        Valid,
        Expiring,
        Refreshing,
        ReauthRequired,
        /// The lease was given up. Nothing leaves this phase.
        Released,
    }
    initial Valid
    terminal Released

    /// Why a refresh failed.
    enum RefreshFailure {
        /// Try again later.
        Transient,
        /// The user must sign in again.
        Permanent,
    }

    state {
        /// Epoch seconds; `none` means the credential does not expire.
        expires_at: Option<u64> = none
        credential_present: bool = false
        refresh_attempt: u32 = 0
        generation: u64 = 0
    }

    /// A credential was published.
    input Acquire(expires_at_ts: Option<u64>)
    input MarkExpiring
    input BeginRefresh
    input CompleteRefresh(new_expires_at: Option<u64>)
    input RefreshFailed(disposition: RefreshFailure)
    input Release

    /// Tell the host that the lease changed.
    effect LifecycleChanged(phase: Phase, generation: u64)

    guards {
        holds_credential: credential_present
    }

    derive is_live: bool = credential_present && phase != Released

    transition acquire on Acquire from * except Released -> Valid {
        expires_at = expires_at_ts
        credential_present = true
        refresh_attempt = 0
        generation += 1
        emit LifecycleChanged(Valid, generation)
    }

    transition mark_expiring on MarkExpiring from Valid -> Expiring
        guard holds_credential
    {
        emit LifecycleChanged(Expiring, generation)
    }

    transition begin_refresh on BeginRefresh from Expiring -> Refreshing {
        emit LifecycleChanged(Refreshing, generation)
    }

    transition complete_refresh on CompleteRefresh from Refreshing -> Valid {
        expires_at = new_expires_at
        refresh_attempt = 0
        generation += 1
        emit LifecycleChanged(Valid, generation)
    }

    /// A refresh attempt failed but may succeed later.
    transition refresh_failed_transient
        on RefreshFailed from Refreshing -> Expiring
        guard transient: disposition == Transient
    {
        refresh_attempt += 1
        emit LifecycleChanged(Expiring, generation)
    }

    transition refresh_failed_permanent
        on RefreshFailed from Refreshing -> ReauthRequired
        guard permanent: disposition == Permanent
    {
        refresh_attempt += 1
        emit LifecycleChanged(ReauthRequired, generation)
    }

    transition release on Release from * except Released -> Released {
        credential_present = false
        emit LifecycleChanged(Released, generation)
    }

    ignore Release in Released
    ignore MarkExpiring, BeginRefresh in ReauthRequired

    invariant released_holds_nothing: phase != Released || !credential_present

    verify {
        domain u64 = 0..3
        domain u32 = 0..3
        domain Acquire.expires_at_ts = [none, some(10)]
        max_depth 12
        reach can_refresh: phase == Refreshing
    }
}
"#;

/// Parses, but names a phase and an input that do not exist.
const BROKEN: &str = "machine Broken {
    phases { Valid, Expiring }
    initial Valid
    input Tick
    transition tick on Tick from Valid -> Expirng
    transition tock on Tock from Expiring -> Valid
}
";

/// Does not parse.
const SYNTAX_ERROR: &str = "machine Broken {
    phases { Valid Expiring
    initial
    transition on -> {
";

fn fsm<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run fsm")
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every JSON line on stdout, parsed.
fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn missing_file_exits_2() {
    let dir = TempDir::new("missing");
    let missing = dir.path().join("nope.fsm");
    let out = fsm(["check".to_owned(), path_arg(&missing)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: cannot read"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("nope.fsm"), "{}", stderr(&out));
}

#[test]
fn folder_without_specs_exits_2() {
    let dir = TempDir::new("nospecs");
    dir.write("notes.txt", "not a spec");
    dir.write("sub/other.md", "# nothing");
    let out = fsm(["check".to_owned(), path_arg(dir.path())]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no `.fsm` file found under"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn path_that_is_neither_file_nor_folder_exits_2() {
    let out = fsm(["check", "/dev/null"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("neither a file nor a folder"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&fsm(["check"])), 2);
    assert_eq!(code(&fsm(["check", "--format", "xml", "x.fsm"])), 2);
    assert_eq!(code(&fsm(["frobnicate"])), 2);
}

#[test]
fn empty_spec_is_an_error_with_its_location() {
    let dir = TempDir::new("empty");
    let file = dir.write("empty.fsm", "\n");
    let out = fsm(["check".to_owned(), path_arg(&file)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error[FSM0002]: file is empty"), "{err}");
    assert!(err.contains(&format!("{}:1:1", path_arg(&file))), "{err}");
    assert!(err.contains("= help: "), "{err}");
    assert!(err.ends_with("; 1 error, 0 warnings\n"), "{err}");
    assert!(!err.contains('\u{1b}'), "colour on a pipe: {err}");
}

#[test]
fn spec_that_is_not_utf8_is_an_error() {
    let dir = TempDir::new("utf8");
    let file = dir.write("bad.fsm", b"machine A\xff {}\n");
    let out = fsm([
        "check".to_owned(),
        "--format=json".to_owned(),
        path_arg(&file),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let diags = json_lines(&out);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "FSM0001");
    assert_eq!(diags[0]["line"], 1);
    assert_eq!(diags[0]["column"], 10);
}

#[test]
fn colour_follows_the_flag() {
    let dir = TempDir::new("colour");
    let file = dir.write("empty.fsm", "");
    let always = fsm(["check", "--color", "always", &path_arg(&file)]);
    assert!(stderr(&always).contains('\u{1b}'));
    let never = fsm(["--color=never", "check", &path_arg(&file)]);
    assert!(!stderr(&never).contains('\u{1b}'));
    let no_color = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(["check", &path_arg(&file)])
        .env("NO_COLOR", "1")
        .output()
        .expect("run fsm");
    assert!(!stderr(&no_color).contains('\u{1b}'));
}

#[test]
fn valid_spec_exits_0_with_a_summary() {
    let dir = TempDir::new("valid");
    dir.write("machines/auth_lease.fsm", VALID);
    let out = fsm(["check".to_owned(), path_arg(dir.path())]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(
        err.contains("checked 1 machine: 5 phases, 6 inputs, 7 transitions; 0 errors,"),
        "{err}"
    );
}

#[test]
fn broken_spec_exits_1_with_every_error_located() {
    let dir = TempDir::new("broken");
    let file = dir.write("broken.fsm", BROKEN);
    let human = fsm(["check".to_owned(), path_arg(&file)]);
    assert_eq!(code(&human), 1, "{}", stderr(&human));
    let json = fsm([
        "check".to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
        path_arg(&file),
    ]);
    assert_eq!(code(&json), 1, "{}", stderr(&json));
    let errors: Vec<Value> = json_lines(&json)
        .into_iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert!(errors.len() >= 2, "{errors:?}");
    let codes: Vec<&str> = errors.iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"FSM0101"), "{codes:?}");
    assert!(codes.contains(&"FSM0103"), "{codes:?}");
    let err = stderr(&human);
    for diag in &errors {
        let at = format!("{}:{}:{}", path_arg(&file), diag["line"], diag["column"]);
        assert!(err.contains(&at), "missing `{at}` in:\n{err}");
    }
    // The unknown phase is on line 5, column 43.
    assert!(err.contains(&format!("{}:5:43", path_arg(&file))), "{err}");
    let short = fsm([
        "check".to_owned(),
        "--format=short".to_owned(),
        path_arg(&file),
    ]);
    let lines: Vec<String> = stderr(&short)
        .lines()
        .filter(|l| l.contains(": error["))
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), errors.len(), "{}", stderr(&short));
}

#[test]
fn json_objects_have_every_field() {
    let dir = TempDir::new("json");
    let broken = dir.write("a_broken.fsm", BROKEN);
    dir.write("b_empty.fsm", "");
    let out = fsm([
        "check".to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
        path_arg(dir.path()),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let diags = json_lines(&out);
    assert!(!diags.is_empty());
    for diag in &diags {
        for key in ["code", "severity", "message", "file"] {
            assert!(diag[key].is_string(), "{key} in {diag}");
        }
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(
                diag[key].as_u64().is_some_and(|n| n >= 1),
                "{key} in {diag}"
            );
        }
        assert!(diag["range"]["start"].is_u64() && diag["range"]["end"].is_u64());
        assert!(diag["notes"].is_array());
        assert!(diag["help"].is_string() || diag["help"].is_null());
        let labels = diag["labels"].as_array().expect("labels");
        assert!(labels.iter().any(|l| l["primary"] == true), "{diag}");
        for label in labels {
            assert!(label["message"].is_string());
            assert!(label["primary"].is_boolean());
            for key in ["line", "column", "start", "end"] {
                assert!(label[key].is_u64(), "{key} in {label}");
            }
        }
    }
    let files: Vec<&str> = diags.iter().filter_map(|d| d["file"].as_str()).collect();
    assert!(files.contains(&path_arg(&broken).as_str()), "{files:?}");
    assert!(
        files.iter().any(|f| f.ends_with("b_empty.fsm")),
        "{files:?}"
    );
}

#[test]
fn unreadable_path_still_checks_the_others_then_exits_2() {
    let dir = TempDir::new("partial");
    let file = dir.write("one.fsm", "");
    let missing = dir.path().join("missing.fsm");
    let out = fsm(["check".to_owned(), path_arg(&missing), path_arg(&file)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("error[FSM0002]"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checked 0 machines"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang_and_files_count_once() {
    let dir = TempDir::new("loop");
    dir.write("specs/auth.fsm", VALID);
    std::os::unix::fs::symlink(dir.path(), dir.path().join("specs/back")).expect("symlink");
    std::os::unix::fs::symlink(dir.path().join("specs"), dir.path().join("again"))
        .expect("symlink");
    let out = fsm(["check".to_owned(), path_arg(dir.path())]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checked 1 machine:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fmt_check_reports_files_that_would_change() {
    let dir = TempDir::new("fmtcheck");
    let file = dir.write("auth.fsm", VALID);
    // Bring the file into canonical form first.
    let out = fsm(["fmt".to_owned(), path_arg(&file)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let canonical = fs::read(&file).expect("read");
    let out = fsm(["fmt".to_owned(), "--check".to_owned(), path_arg(&file)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");

    let messy = String::from_utf8_lossy(&canonical).replace("initial Valid", "initial    Valid");
    fs::write(&file, &messy).expect("write");
    let out = fsm(["fmt".to_owned(), "--check".to_owned(), path_arg(dir.path())]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // A unified diff of what would change.
    let name = path_arg(&file);
    let diff = stdout(&out);
    assert!(
        diff.starts_with(&format!("--- {name}\n+++ {name}\n@@ -")),
        "{diff}"
    );
    assert!(
        diff.contains("\n-    initial    Valid\n+    initial Valid\n"),
        "{diff}"
    );
    assert_eq!(
        diff.lines().filter(|l| l.starts_with("@@")).count(),
        1,
        "{diff}"
    );
    assert_eq!(
        diff.lines().filter(|l| l.starts_with(['-', '+'])).count(),
        4,
        "{diff}"
    );
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        messy,
        "--check wrote"
    );

    let out = fsm(["fmt".to_owned(), path_arg(&file)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(fs::read(&file).expect("read"), canonical);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn fmt_leaves_a_broken_file_untouched() {
    let dir = TempDir::new("fmtbroken");
    let file = dir.write("broken.fsm", SYNTAX_ERROR);
    for check in [false, true] {
        let mut args = vec!["fmt".to_owned(), path_arg(&file)];
        if check {
            args.push("--check".to_owned());
        }
        let out = fsm(args);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("{}:", path_arg(&file))),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("error["), "{}", stderr(&out));
        assert_eq!(fs::read_to_string(&file).expect("read"), SYNTAX_ERROR);
    }
}

#[test]
fn fmt_on_missing_file_exits_2() {
    let dir = TempDir::new("fmtmissing");
    let out = fsm(["fmt".to_owned(), path_arg(&dir.path().join("gone.fsm"))]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

/// Valid, with one warning (FSM0502: `Pull` is never used).
const WARNS: &str = "machine Door {
    phases { Closed, Open }
    initial Closed
    input Push
    input Pull
    transition push on Push from Closed -> Open
}
";

#[test]
fn deny_warnings_makes_a_warning_exit_1() {
    let dir = TempDir::new("deny");
    let file = dir.write("door.fsm", WARNS);
    let out = fsm(["check".to_owned(), path_arg(&file)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning[FSM0502]"),
        "{}",
        stderr(&out)
    );
    let out = fsm(["check", "--deny-warnings"]
        .map(str::to_owned)
        .into_iter()
        .chain([path_arg(&file)]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0 errors, 1 warning"),
        "{}",
        stderr(&out)
    );
    // A spec without warnings still passes.
    let clean = dir.write("clean.fsm", WARNS.replace("    input Pull\n", ""));
    let out = fsm([
        "check".to_owned(),
        "--deny-warnings".to_owned(),
        path_arg(&clean),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn version_prints_the_package_version() {
    let out = fsm(["--version"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("fsm {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn explain_prints_the_section_of_a_code() {
    let out = fsm(["explain", "FSM0405"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("## FSM0405: transitions overlap\n"),
        "{text}"
    );
    assert!(
        text.contains("error[FSM0405]: transitions `open` and `jam` overlap"),
        "{text}"
    );
    assert!(!text.contains("FSM0406"), "{text}");
    // Case does not matter.
    assert_eq!(stdout(&fsm(["explain", "fsm0405"])), text);
}

#[test]
fn explain_of_an_unknown_code_exits_2() {
    for bad in ["FSM9999", "E0308", ""] {
        let out = fsm(["explain", bad]);
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{bad}");
        assert!(
            stderr(&out).contains(&format!("error: unknown diagnostic code `{bad}`")),
            "{}",
            stderr(&out)
        );
    }
}

/// `fsm export FILE --format FORMAT --out OUT`.
fn export(file: &Path, format: &str, out: &str) -> Output {
    fsm([
        "export".to_owned(),
        path_arg(file),
        "--format".to_owned(),
        format.to_owned(),
        "--out".to_owned(),
        out.to_owned(),
    ])
}

#[test]
fn export_out_is_a_folder_or_a_file_alike_for_every_format() {
    let dir = TempDir::new("export");
    let spec = dir.write("door.fsm", WARNS);
    for (format, names) in [
        ("tla", &["Door.tla", "Door.cfg"][..]),
        ("promela", &["Door.pml"][..]),
        ("json", &["Door.json"][..]),
    ] {
        let root = dir.path().join(format);
        // A trailing `/`: a folder, created with its parents.
        let folder = root.join("new/deeper");
        let out = export(&spec, format, &format!("{}/", path_arg(&folder)));
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        let mut written: Vec<String> = fs::read_dir(&folder)
            .expect("the folder exists")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        let mut expected: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        expected.sort();
        assert_eq!(written, expected, "{format}");
        // An existing folder, without the `/`: the same.
        let existing = root.join("existing");
        fs::create_dir_all(&existing).expect("create");
        let out = export(&spec, format, &path_arg(&existing));
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        for name in names {
            assert!(existing.join(name).is_file(), "{format}: {name}");
        }
        // Any other path: the file, its missing folders created; a second
        // file (the TLA+ configuration) beside it.
        let file = root.join("missing/parent").join(names[0]);
        let out = export(&spec, format, &path_arg(&file));
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        assert!(file.is_file(), "{format}");
        let beside = fs::read_dir(file.parent().expect("parent"))
            .expect("list")
            .count();
        assert_eq!(beside, names.len(), "{format}");
        let text = fs::read_to_string(&file).expect("read");
        assert_eq!(
            text,
            fs::read_to_string(folder.join(names[0])).expect("read"),
            "{format}"
        );
    }
    // A file of another name for Promela and JSON is fine.
    let renamed = dir.path().join("renamed/door-model.json");
    let out = export(&spec, "json", &path_arg(&renamed));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(renamed.is_file());
    // TLC reads module `Door` only from `Door.tla`: another name is refused,
    // nothing written.
    let wrong = dir.path().join("tla-wrong/door.tla");
    let out = export(&spec, "tla", &path_arg(&wrong));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("TLC reads a module from a file of its name"),
        "{}",
        stderr(&out)
    );
    assert!(!wrong.parent().expect("parent").exists());
}
