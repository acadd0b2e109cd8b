//! Repository chores, reached as `cargo xtask <task>`.
//!
//! - `cargo xtask ci`: everything CI runs, in order: formatting, lints, all
//!   tests (the browser test of `fsm view` after the Rust ones), then the
//!   review of spec changes. Stops at the first failure. It installs nothing: a missing
//!   tool (SPIN) is an error that names `cargo xtask setup`.
//! - `cargo xtask setup`: installs the tools the tests need (SPIN and
//!   Chromium, from Debian with `apt-get`; tree-sitter-cli; the npm
//!   packages of the VS Code extension and of the browser test).
//! - `cargo xtask ci --setup`: `setup`, then `ci`. This is the project's one
//!   test command (`.ci/run` calls it).
//! - `cargo xtask review`: the last step of `ci`, the Markdown `fsm diff` of
//!   `machines/` against its base (`review.rs`).
//! - `cargo xtask diff-history`: `fsm diff` over every commit of `machines/`.

mod browser;
mod codegen;
mod diff_history;
mod editors;
mod review;
mod spin;

use std::path::Path;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str);
    let result = match task {
        Some("ci") => match args.get(1).map(String::as_str) {
            None => ci(),
            Some("--setup") if args.len() == 2 => setup().and_then(|()| ci()),
            Some(other) => Err(format!("unknown option `{other}` for `ci`\n\n{USAGE}")),
        },
        Some("setup") if args.len() == 1 => setup(),
        Some("editors") if args.len() == 1 => editors::run(),
        Some("codegen") => match args.get(1).map(String::as_str) {
            None => codegen::run(false),
            Some("--check") => codegen::run(true),
            Some(other) => Err(format!("unknown option `{other}` for `codegen`\n\n{USAGE}")),
        },
        Some("spin") => spin::run(),
        Some("browser") => browser::run(),
        Some("review") if args.len() == 1 => review::run(root()),
        Some("diff-history") => diff_history::run(args.get(1..).unwrap_or(&[])),
        Some("-h" | "--help") | None => {
            eprintln!("{USAGE}");
            return if task.is_none() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("xtask: {msg}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  ci [--setup]       formatting, lints, every test (the browser test of `fsm view`
                     after the Rust ones), the drift check of generated docs,
                     the SPIN cross-check, the editor packages and the Markdown
                     `fsm diff` of machines/ against FSM_DIFF_BASE or the merge
                     base with origin/main (skipped without one), as CI runs
                     them; installs
                     nothing (a missing tool is an error naming `setup`); with
                     --setup, runs `setup` first (what `.ci/run` calls)
  setup              install the tools the tests need and lack (SPIN, gcc and
                     Chromium, from Debian: `apt-get update` and `apt-get install
                     -y`, through `sudo` when not root; tree-sitter-cli with
                     `cargo install`; the npm packages of the VS Code extension
                     and of the browser test with `npm ci`)
  codegen [--check]  regenerate committed artifacts (docs/machines/, the README's
                     machine table); with --check, fail when they are stale
  spin               cross-check `fsm verify` against SPIN on every bundled machine
                     (needs SPIN: see `setup`)
  editors            check the editor packages: tree-sitter grammar drift, tests
                     and a parse of every spec; the VS Code grammar tests and
                     `vsce package` into target/editors/ (tools: see `setup`)
  browser            the headless browser test of `fsm view` (tests/browser;
                     needs Chromium and its npm packages: see `setup`)
  review             the last step of `ci` alone: the Markdown `fsm diff` of
                     machines/ against FSM_DIFF_BASE or the merge base with
                     origin/main
  diff-history [--format text|markdown|json]
                     `fsm diff` of every commit that touched machines/, oldest first";

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "--workspace", "--locked"])?;
    browser::run()?;
    codegen::run(true)?;
    spin::run()?;
    editors::run()?;
    // Benchmarks are compiled (not run) so they cannot rot.
    cargo(&["bench", "--workspace", "--locked", "--no-run"])?;
    // Last: the review of the specs' changes, which informs and fails
    // only on trouble.
    review::run(root())?;
    Ok(())
}

fn setup() -> Result<(), String> {
    spin::setup()?;
    editors::setup()?;
    browser::setup()
}

/// The repository root (the parent of `xtask/`).
fn root() -> &'static Path {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask)
}

pub(crate) fn cargo(args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}
