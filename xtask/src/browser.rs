//! `cargo xtask browser`: the headless browser test of `fsm view`
//! (`tests/browser/view.test.mjs`, run with Node's test runner against
//! Debian's Chromium through `playwright-core`).
//!
//! `setup` installs what it needs: Chromium (and Node and npm, when
//! missing) from Debian, then the test's npm packages with `npm ci` (the
//! committed `package-lock.json`). `run` installs nothing: a missing tool
//! is an error naming `cargo xtask setup`.

use crate::spin::{apt_install, ensure_tool, works};
use std::path::PathBuf;
use std::process::Command;

/// (command, probe arguments, Debian package).
const TOOLS: &[(&str, &[&str], &str)] = &[
    ("chromium", &["--version"], "chromium"),
    ("node", &["--version"], "nodejs"),
    ("npm", &["--version"], "npm"),
];

fn test_dir() -> PathBuf {
    crate::spin::workspace_root().join("tests/browser")
}

/// Installs Chromium (and Node and npm) when missing, then the test's npm
/// packages.
pub fn setup() -> Result<(), String> {
    let missing: Vec<&str> = TOOLS
        .iter()
        .filter(|(tool, probe, _)| !works(tool, probe))
        .map(|(_, _, package)| *package)
        .collect();
    if missing.is_empty() {
        eprintln!("xtask: Chromium, Node and npm are installed");
    } else {
        apt_install(&missing)?;
    }
    for (tool, probe, package) in TOOLS {
        if !works(tool, probe) {
            return Err(format!(
                "`{tool}` still does not run after installing `{package}`"
            ));
        }
    }
    run_in("npm", &["ci", "--no-audit", "--no-fund"])
}

/// Builds the `fsm` binary and runs the browser test.
pub fn run() -> Result<(), String> {
    for (tool, probe, package) in TOOLS {
        ensure_tool(tool, probe, package)?;
    }
    if !test_dir().join("node_modules/playwright-core").is_dir() {
        return Err(
            "the browser test's npm packages are not installed; run `cargo xtask setup` \
             (or `npm ci` in tests/browser)"
                .to_owned(),
        );
    }
    crate::cargo(&["build", "-p", "fsm-cli", "--locked"])?;
    run_in("node", &["--test", "view.test.mjs"])
}

fn run_in(program: &str, args: &[&str]) -> Result<(), String> {
    let dir = test_dir();
    eprintln!("$ (cd tests/browser && {program} {})", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}
