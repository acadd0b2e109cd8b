//! The review step of `cargo xtask ci`: `fsm diff --base <base> machines/
//! --format markdown`, the semantic diff of the bundled specs since the
//! branch left its base, printed for the log (and for a CI job to post as
//! a pull request comment: `docs/review.md`).
//!
//! The base is `FSM_DIFF_BASE` when set (any revision), otherwise the merge
//! base of `HEAD` and `origin/main` when that branch exists. Without either
//! (a fresh clone with no remote) the step is skipped with a note. The diff
//! informs; only trouble (exit 2: a spec with errors, a bad revision) fails
//! the step.

use std::path::Path;
use std::process::Command;

/// The environment variable naming the base revision.
const BASE_VAR: &str = "FSM_DIFF_BASE";
/// The branch whose merge base is used when `FSM_DIFF_BASE` is unset.
const DEFAULT_BRANCH: &str = "origin/main";

pub fn run(root: &Path) -> Result<(), String> {
    let Some(base) = base(root)? else {
        eprintln!(
            "note: no base to compare the specs with (set {BASE_VAR}, or fetch {DEFAULT_BRANCH}); skipping `fsm diff`"
        );
        return Ok(());
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let args = [
        "run", "--locked", "--quiet", "-p", "fsm-cli", "--bin", "fsm", "--", "diff", "--base",
        &base, "machines", "--format", "markdown",
    ];
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
    // 0: no schema or behaviour change; 1: some (both are fine here).
    match status.code() {
        Some(0 | 1) => Ok(()),
        _ => Err(format!(
            "`fsm diff --base {base} machines` failed ({status})"
        )),
    }
}

/// `FSM_DIFF_BASE`, or the merge base with `origin/main`, or nothing.
fn base(root: &Path) -> Result<Option<String>, String> {
    if let Some(base) = std::env::var(BASE_VAR)
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        return Ok(Some(base.trim().to_owned()));
    }
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let verify = format!("{DEFAULT_BRANCH}^{{commit}}");
    if git(&["rev-parse", "--verify", "--quiet", &verify]).is_none() {
        return Ok(None);
    }
    match git(&["merge-base", "HEAD", DEFAULT_BRANCH]) {
        Some(base) if !base.is_empty() => Ok(Some(base)),
        _ => Err(format!("`git merge-base HEAD {DEFAULT_BRANCH}` failed")),
    }
}
