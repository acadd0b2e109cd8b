//! A crate outside this workspace that depends on `fsm` by path and keeps
//! its own spec: it builds, runs, and after an edit of the spec alone it is
//! rebuilt and behaves differently (the expansion includes the spec, so
//! cargo tracks it: G10).
//!
//! A spec's warnings are warnings of `cargo build`, with the spec's
//! `path:line:col`.
//!
//! The crate is written under this target's temporary folder and built
//! offline against a copy of this workspace's `Cargo.lock`, with a target
//! folder of its own that later runs reuse.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const MAIN: &str = r#"use fsm::Machine;

fsm::machine!("door.fsm");

fn main() {
    let mut door = Door::new();
    match door.apply(DoorInput::Push) {
        Ok(step) => println!("{} -> {}", step.from, step.to),
        Err(rejection) => println!("{rejection}"),
    }
}
"#;

const SPEC_BEFORE: &str = "machine Door {
    phases { Closed, Open, Locked }
    initial Closed
    input Push
    transition push on Push from Closed -> Open
}
";

const SPEC_AFTER: &str = "machine Door {
    phases { Closed, Open, Locked }
    initial Closed
    input Push
    transition push on Push from Closed -> Locked
}
";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn cargo_build(krate: &Path, target: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["build", "--offline", "--quiet"])
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("FSM_MANIFEST_DIR")
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Writes the crate `name` (its `main.rs` and `door.fsm`) under `work`.
fn write_crate(work: &Path, name: &str, main: &str, spec: &str) -> PathBuf {
    let krate = work.join(name);
    let _ = fs::remove_dir_all(&krate);
    fs::create_dir_all(krate.join("src")).expect("create the crate");
    let fsm = repo_root().join("crates/fsm");
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nfsm = {{ path = {:?} }}\n\n[workspace]\n",
        fsm.display().to_string()
    );
    fs::write(krate.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    fs::copy(repo_root().join("Cargo.lock"), krate.join("Cargo.lock")).expect("copy Cargo.lock");
    fs::write(krate.join("src/main.rs"), main).expect("write main.rs");
    fs::write(krate.join("door.fsm"), spec).expect("write the spec");
    krate
}

fn run(binary: &Path) -> String {
    let output = Command::new(binary).output().expect("run the built binary");
    assert!(output.status.success(), "{binary:?} failed");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn a_crate_outside_the_workspace_builds_and_rebuilds_when_its_spec_changes() {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("codegen_out_of_workspace");
    let krate = write_crate(&work, "door", MAIN, SPEC_BEFORE);
    let target = work.join("target");
    let binary = target
        .join("debug")
        .join(format!("door{}", std::env::consts::EXE_SUFFIX));

    cargo_build(&krate, &target);
    assert_eq!(run(&binary), "Closed -> Open");

    // Only the spec changes; timestamps must differ for cargo to notice.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    fs::write(krate.join("door.fsm"), SPEC_AFTER).expect("edit the spec");
    cargo_build(&krate, &target);
    assert_eq!(run(&binary), "Closed -> Locked");
}

const SPEC_WITH_WARNING: &str = "machine Door {
    phases { Closed, Open }
    initial Closed
    input Push
    input Pull
    transition push on Push from Closed -> Open
}
";

#[test]
fn a_spec_warning_is_a_warning_of_cargo_build() {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("codegen_out_of_workspace");
    let krate = write_crate(&work, "warned", MAIN, SPEC_WITH_WARNING);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["build", "--offline", "--color", "never"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", work.join("target"))
        .env_remove("FSM_MANIFEST_DIR")
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo build failed:\n{stderr}");
    assert!(
        stderr.contains("warning: use of deprecated constant `_::fsm_spec_warning`: [FSM0502] input `Pull` is never used"),
        "{stderr}"
    );
    assert!(stderr.contains("--> door.fsm:5:11"), "{stderr}");
    assert!(stderr.contains("--> src/main.rs:3:15"), "{stderr}");
    assert_eq!(stderr.matches("FSM05").count(), 1, "{stderr}");
}
