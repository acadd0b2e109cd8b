//! `cargo xtask editors`: checks the editor packages in `editors/`.
//!
//! - The tree-sitter grammar (`editors/tree-sitter-fsm`): `tree-sitter
//!   generate` in a scratch copy must reproduce the committed `src/`
//!   (drift check), `tree-sitter test` runs the corpus and highlight tests,
//!   and every spec in the repository is parsed: a spec that tree-sitter
//!   parses with an `ERROR` or `MISSING` node must be one the fsm parser
//!   rejects too (the syntax-error cases of the test suites).
//! - The VS Code extension (`editors/vscode`): `npm test` (the TextMate
//!   grammar tests) and `vsce package`, which writes
//!   `target/editors/fsm-<version>.vsix`.
//!
//! The tools come from `cargo xtask setup`: tree-sitter-cli (built with
//! `cargo install`, pinned to [`TREE_SITTER_VERSION`]) and the extension's
//! npm packages (`npm ci`).

use crate::spin::{run_in, spec_files, works, workspace_root};
use fsm_core::SourceFile;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The tree-sitter-cli the grammar's `src/` is generated with.
const TREE_SITTER_VERSION: &str = "0.25.10";

const GRAMMAR_DIR: &str = "editors/tree-sitter-fsm";
const VSCODE_DIR: &str = "editors/vscode";
/// Written into `node_modules` after `npm ci`: the lockfile it installed.
const INSTALLED_LOCK: &str = "node_modules/.fsm-installed-lock.json";

pub fn run() -> Result<(), String> {
    let started = Instant::now();
    let root = workspace_root();
    ensure_tools(&root)?;
    let grammar = root.join(GRAMMAR_DIR);
    step("tree-sitter generate (drift check)", || {
        drift_check(&grammar)
    })?;
    step("tree-sitter test", || {
        run_in(&grammar, "tree-sitter", &["test"]).map(|_| ())
    })?;
    step("tree-sitter parse (every spec)", || parse_specs(&root))?;
    let vscode = root.join(VSCODE_DIR);
    step("npm test (TextMate grammar)", || {
        run_in(&vscode, "npm", &["test", "--silent"]).map(|_| ())
    })?;
    step("vsce package", || package(&root, &vscode))?;
    println!(
        "editors: all checks passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Installs what `run` needs and lacks: tree-sitter-cli at the pinned
/// version (`cargo install`) and the extension's packages (`npm ci`, when
/// the lockfile changed since the last install).
pub fn setup() -> Result<(), String> {
    let started = Instant::now();
    if !tree_sitter_is_pinned() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        eprintln!("$ cargo install tree-sitter-cli --locked --version {TREE_SITTER_VERSION}");
        let status = Command::new(&cargo)
            .args([
                "install",
                "tree-sitter-cli",
                "--locked",
                "--version",
                TREE_SITTER_VERSION,
            ])
            .status()
            .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
        if !status.success() {
            return Err(format!("`cargo install tree-sitter-cli` failed ({status})"));
        }
        if !tree_sitter_is_pinned() {
            return Err(format!(
                "`tree-sitter --version` is not {TREE_SITTER_VERSION} after the install: \
                 is cargo's bin directory on PATH, ahead of another tree-sitter?"
            ));
        }
    }
    if !works("npm", &["--version"]) {
        return Err("npm is missing: install Node.js 20 or later with npm".to_owned());
    }
    let vscode = workspace_root().join(VSCODE_DIR);
    let lock = read(&vscode.join("package-lock.json"))?;
    let installed = std::fs::read_to_string(vscode.join(INSTALLED_LOCK)).ok();
    if installed.as_deref() != Some(lock.as_str()) {
        eprintln!("$ npm ci (in {VSCODE_DIR})");
        run_in(&vscode, "npm", &["ci", "--no-audit", "--no-fund"])?;
        std::fs::write(vscode.join(INSTALLED_LOCK), &lock)
            .map_err(|e| format!("cannot write `{INSTALLED_LOCK}`: {e}"))?;
    }
    eprintln!(
        "editors setup: done in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn tree_sitter_is_pinned() -> bool {
    Command::new("tree-sitter")
        .arg("--version")
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout).split_whitespace().nth(1)
                    == Some(TREE_SITTER_VERSION)
        })
}

fn ensure_tools(root: &Path) -> Result<(), String> {
    if !tree_sitter_is_pinned() {
        return Err(format!(
            "tree-sitter-cli {TREE_SITTER_VERSION} is not installed: run `cargo xtask setup`"
        ));
    }
    let lock = read(&root.join(VSCODE_DIR).join("package-lock.json"))?;
    let installed = std::fs::read_to_string(root.join(VSCODE_DIR).join(INSTALLED_LOCK)).ok();
    if installed.as_deref() != Some(lock.as_str()) {
        return Err(format!(
            "the packages of `{VSCODE_DIR}` are missing or stale: run `cargo xtask setup`"
        ));
    }
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    let started = Instant::now();
    eprintln!("$ {name}");
    f().map_err(|e| format!("{name}: {e}"))?;
    eprintln!("  ok ({:.1}s)", started.elapsed().as_secs_f64());
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

/// A fresh scratch directory under the system's temporary directory.
fn scratch(name: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("fsm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    Ok(dir)
}

/// Generates the parser from a copy of the grammar and compares every file
/// with the committed `src/`.
fn drift_check(grammar: &Path) -> Result<(), String> {
    let work = scratch("tree-sitter-generate")?;
    let result = (|| {
        for file in ["grammar.js", "tree-sitter.json", "package.json"] {
            std::fs::copy(grammar.join(file), work.join(file))
                .map_err(|e| format!("cannot copy `{file}`: {e}"))?;
        }
        run_in(&work, "tree-sitter", &["generate"])?;
        let generated = files_under(&work.join("src"))?;
        let committed = files_under(&grammar.join("src"))?;
        let mut stale = Vec::new();
        for file in generated.union(&committed) {
            let new = std::fs::read(work.join("src").join(file)).ok();
            let old = std::fs::read(grammar.join("src").join(file)).ok();
            if new != old {
                stale.push(file.clone());
            }
        }
        if stale.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the committed `{GRAMMAR_DIR}/src/` is stale ({}): run `tree-sitter generate` \
                 (tree-sitter-cli {TREE_SITTER_VERSION}) in `{GRAMMAR_DIR}` and commit `src/`",
                stale.join(", ")
            ))
        }
    })();
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// The files under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|e| format!("cannot read `{}`: {e}", current.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(out)
}

/// Every spec of the repository: `machines/`, `tests/specs/` and every
/// `.fsm` under `crates/*/tests/`.
fn all_specs(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut specs = spec_files(&root.join("machines"), "")?;
    specs.extend(spec_files(&root.join("tests/specs"), "")?);
    let crates =
        std::fs::read_dir(root.join("crates")).map_err(|e| format!("cannot read `crates`: {e}"))?;
    for krate in crates.filter_map(Result::ok) {
        let tests = krate.path().join("tests");
        if tests.is_dir() {
            specs.extend(
                files_under(&tests)?
                    .into_iter()
                    .filter(|f| f.ends_with(".fsm"))
                    .map(|f| tests.join(f)),
            );
        }
    }
    specs.sort();
    Ok(specs)
}

/// Parses every spec with tree-sitter; one with an `ERROR` or `MISSING`
/// node must have a syntax error for the fsm parser too.
fn parse_specs(root: &Path) -> Result<(), String> {
    let specs = all_specs(root)?;
    if specs.len() < 10 {
        return Err(format!("found only {} specs", specs.len()));
    }
    let work = scratch("tree-sitter-parse")?;
    let list = work.join("paths.txt");
    let text: String = specs.iter().map(|p| format!("{}\n", p.display())).collect();
    let output = std::fs::write(&list, text)
        .map_err(|e| format!("cannot write `{}`: {e}", list.display()))
        .and_then(|()| {
            let list = list.to_string_lossy();
            // Exits non-zero when a file has errors: the output is what counts.
            Command::new("tree-sitter")
                .args(["parse", "--quiet", "--paths", &list])
                .current_dir(root.join(GRAMMAR_DIR))
                .output()
                .map_err(|e| format!("cannot run `tree-sitter parse`: {e}"))
        });
    let _ = std::fs::remove_dir_all(&work);
    let output = output?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rejected = rejected_paths(&stdout);
    let mut failures = Vec::new();
    let mut syntax_errors = 0;
    for spec in &specs {
        let shown = spec
            .strip_prefix(root)
            .unwrap_or(spec)
            .display()
            .to_string();
        let has_syntax_error = match fsm_read::read_spec(spec) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(fsm_core::strip_bom(&bytes)).into_owned();
                let (_, diags) = fsm_core::parser::parse(&SourceFile::new(shown.as_str(), text));
                diags.iter().any(fsm_core::Diagnostic::is_error)
            }
            // Unreadable as a spec (too large): the fsm parser never sees it.
            Err(_) => true,
        };
        syntax_errors += usize::from(has_syntax_error);
        if rejected.contains(spec) && !has_syntax_error {
            let line = stdout
                .lines()
                .find(|l| l.starts_with(&*spec.to_string_lossy()))
                .and_then(|l| l.rsplit('\t').next())
                .unwrap_or("")
                .trim();
            failures.push(format!(
                "`{shown}`: the fsm parser accepts it, tree-sitter finds {line}"
            ));
        }
    }
    if !output.status.success() && rejected.is_empty() {
        return Err(format!(
            "`tree-sitter parse` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    eprintln!(
        "  {} specs: {} parse without error; {} have syntax errors for the fsm parser, \
         of which tree-sitter rejects {}",
        specs.len(),
        specs.len() - rejected.len(),
        syntax_errors,
        rejected.len()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "tree-sitter rejects specs the fsm parser accepts:\n  {}",
            failures.join("\n  ")
        ))
    }
}

/// The files that `tree-sitter parse --quiet` reports with an `ERROR` or
/// `MISSING` node: one line each, the path first, then a tab.
fn rejected_paths(stdout: &str) -> BTreeSet<PathBuf> {
    stdout
        .lines()
        .filter(|line| line.contains("(ERROR") || line.contains("(MISSING"))
        .filter_map(|line| line.split('\t').next())
        .map(|path| PathBuf::from(path.trim()))
        .filter(|path| !path.as_os_str().is_empty())
        .collect()
}

/// The `"version"` of a `package.json`.
fn manifest_version(manifest: &str) -> Option<String> {
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"version\":"))
        .map(|v| v.trim().trim_end_matches(',').trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// `vsce package` into `target/editors/fsm-<version>.vsix`.
fn package(root: &Path, vscode: &Path) -> Result<(), String> {
    let manifest = read(&vscode.join("package.json"))?;
    let version =
        manifest_version(&manifest).ok_or("no `version` in the extension's package.json")?;
    let out_dir = root.join("target/editors");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create `{}`: {e}", out_dir.display()))?;
    let vsix = out_dir.join(format!("fsm-{version}.vsix"));
    let vsix_arg = vsix.to_string_lossy();
    run_in(
        vscode,
        "npx",
        &[
            "--no-install",
            "vsce",
            "package",
            "--allow-missing-repository",
            "--out",
            &vsix_arg,
        ],
    )?;
    eprintln!(
        "  wrote {}",
        vsix.strip_prefix(root).unwrap_or(&vsix).display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_paths_are_the_lines_with_error_or_missing_nodes() {
        let stdout = "/r/a.fsm      \tParse:    0.06 ms\t  3663 bytes/ms\t(ERROR [8, 25] - [8, 26])\n\
                      /r/b c.fsm \tParse:    0.05 ms\t  5385 bytes/ms\t(MISSING \"\\\"\" [4, 30] - [4, 30])\n\
                      /r/ok.fsm \tParse:    0.05 ms\t  5385 bytes/ms\n";
        let rejected = rejected_paths(stdout);
        let expected: BTreeSet<PathBuf> = ["/r/a.fsm", "/r/b c.fsm"]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(rejected, expected);
        assert!(rejected_paths("").is_empty());
    }

    #[test]
    fn manifest_version_reads_the_version_field() {
        let manifest = "{\n  \"name\": \"fsm\",\n  \"version\": \"1.2.3\",\n  \"engines\": {}\n}\n";
        assert_eq!(manifest_version(manifest).as_deref(), Some("1.2.3"));
        assert_eq!(manifest_version("{}"), None);
    }

    #[test]
    fn every_spec_directory_is_found() {
        let specs = all_specs(&workspace_root()).unwrap();
        let root = workspace_root();
        for dir in ["machines", "tests/specs", "crates/fsm-core/tests"] {
            assert!(
                specs.iter().any(|s| s.starts_with(root.join(dir))),
                "no spec under {dir}"
            );
        }
        assert!(
            specs
                .iter()
                .all(|s| s.extension().is_some_and(|e| e == "fsm"))
        );
    }
}
