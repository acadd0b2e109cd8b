//! `cargo xtask diff-history [--format text|markdown|json]`: `fsm diff`
//! replayed over the repository's own history of `machines/`.
//!
//! For every commit that touched a spec under `machines/` (oldest first),
//! the specs of its parent and of the commit are read from git (`git
//! ls-tree`, `git show`), compiled and compared with `fsm_tools::diff`, and
//! the report is printed under a line naming the commit. A commit whose
//! parent has no spec compares against nothing (every machine added). It is
//! a way to read what the diff says about real changes; it checks nothing.

use fsm_tools::diff::{self, Spec, render};
use std::path::Path;
use std::process::Command;

const SPECS_DIR: &str = "machines";

pub fn run(args: &[String]) -> Result<(), String> {
    let format = match args {
        [] => "text",
        [flag, value] if flag == "--format" => value.as_str(),
        _ => return Err("usage: cargo xtask diff-history [--format text|markdown|json]".into()),
    };
    if !matches!(format, "text" | "markdown" | "json") {
        return Err(format!(
            "unknown format `{format}` (text, markdown or json)"
        ));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("cannot find the repository root")?;
    let log = git(
        root,
        &["log", "--reverse", "--format=%H %s", "--", SPECS_DIR],
    )?;
    let commits: Vec<(String, String)> = String::from_utf8_lossy(&log)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(c, s)| (c.to_owned(), s.to_owned()))
        .collect();
    for (commit, subject) in &commits {
        let parent = format!("{commit}^");
        let short = commit.get(..7).unwrap_or(commit);
        let has_parent = git(root, &["rev-parse", "--verify", "--quiet", &parent]).is_ok();
        let old = if has_parent {
            specs_at(root, &parent, &format!("{short}^"))?
        } else {
            Vec::new()
        };
        let new = specs_at(root, commit, short)?;
        let report = diff::diff(
            &format!("{short}^"),
            short,
            &as_specs(&old),
            &as_specs(&new),
            false,
        );
        println!("==== {short} {subject}");
        let text = match format {
            "markdown" => render::markdown(&report),
            "json" => render::json(&report),
            _ => render::text(&report),
        };
        println!("{}", text.trim_end());
    }
    eprintln!("{} commits touched {SPECS_DIR}/", commits.len());
    Ok(())
}

fn as_specs(side: &[(String, fsm_core::Compilation)]) -> Vec<Spec<'_>> {
    side.iter()
        .map(|(path, compilation)| Spec { path, compilation })
        .collect()
}

/// The compiled specs under `machines/` at `rev`, each named `label:path`.
fn specs_at(
    root: &Path,
    rev: &str,
    label: &str,
) -> Result<Vec<(String, fsm_core::Compilation)>, String> {
    let listing = git(
        root,
        &["ls-tree", "-r", "--name-only", rev, "--", SPECS_DIR],
    )?;
    let mut out = Vec::new();
    for path in String::from_utf8_lossy(&listing).lines() {
        if !path.ends_with(".fsm") {
            continue;
        }
        let bytes = git(root, &["show", &format!("{rev}:{path}")])?;
        let name = format!("{label}:{path}");
        let compilation = fsm_core::compile(&name, &bytes);
        out.push((name, compilation));
    }
    Ok(out)
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run `git`: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
