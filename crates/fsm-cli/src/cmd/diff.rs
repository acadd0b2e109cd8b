//! `fsm diff`: what changed between two versions of specs, read from their
//! checked models, for reviewers. The comparison is `fsm_tools::diff`; this
//! module reads the two sides: two paths, or a git revision (through the
//! `git` command) and the working tree.

use crate::files::{self, io_message};
use crate::output::{self, Outcome};
use fsm_core::{Compilation, MAX_SOURCE_LEN};
use fsm_tools::diff::{self, Spec, render};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Show what changed between two versions of specs: phases, fields, inputs,
/// transitions, guards, … as a reviewer reads them.
///
/// `fsm diff OLD NEW` compares two spec files or two folders (machines
/// paired by name); `fsm diff --base REV [PATH…]` compares the specs at a
/// git revision with the working tree (default path `machines/`). Each
/// change is classed as schema (what a snapshot holds), behaviour or docs;
/// a docs-only or formatting-only change is reported as such.
///
/// Exits like diff(1): 0 when no machine changed in schema or behaviour
/// (docs and layout may differ), 1 when one did (or was added or removed),
/// 2 on trouble: a path or revision that cannot be read, or a spec with
/// errors (its errors are printed and it is not compared).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Without `--base`: OLD and NEW, two spec files or two folders. With
    /// `--base`: the working-tree paths to compare (default `machines/`)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Compare the specs at this git revision (read with `git show`) with
    /// the working tree
    #[arg(long, value_name = "REV")]
    base: Option<String>,

    /// `text` (one line per change), `markdown` (for a pull request
    /// comment) or `json` (schema in docs/review.md)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

/// One side's specs, read and compiled.
#[derive(Default)]
struct Side {
    label: String,
    specs: Vec<(String, Compilation)>,
}

impl Side {
    fn add(&mut self, name: String, bytes: &[u8]) {
        let compilation = fsm_core::compile(&name, bytes);
        self.specs.push((name, compilation));
    }

    fn specs(&self) -> Vec<Spec<'_>> {
        self.specs
            .iter()
            .map(|(path, compilation)| Spec { path, compilation })
            .collect()
    }
}

pub fn run(args: &Args, color: bool) -> Outcome {
    let loaded = match &args.base {
        None => two_paths(&args.paths),
        Some(rev) => against_revision(rev, &args.paths),
    };
    let (old, new, pair_single) = match loaded {
        Ok(sides) => sides,
        Err(message) => {
            output::error(&message, color);
            return Outcome::Trouble;
        }
    };
    let report = diff::diff(
        &old.label,
        &new.label,
        &old.specs(),
        &new.specs(),
        pair_single,
    );
    let text = match args.format {
        Format::Text => render::text(&report),
        Format::Markdown => render::markdown(&report),
        Format::Json => render::json(&report),
    };
    output::print(&text);
    if report.has_errors() {
        output::error("a spec has errors; it was not compared", color);
        Outcome::Trouble
    } else if report.semantic {
        Outcome::Differs
    } else {
        Outcome::Clean
    }
}

/// `fsm diff OLD NEW`.
fn two_paths(paths: &[PathBuf]) -> Result<(Side, Side, bool), String> {
    let [old, new] = paths else {
        return Err(format!(
            "`fsm diff` takes two paths, OLD and NEW (got {}); or `--base REV [PATH…]`",
            paths.len()
        ));
    };
    let both_files = old.is_file() && new.is_file();
    Ok((read_side(old)?, read_side(new)?, both_files))
}

/// The specs found under one path of the file system.
fn read_side(path: &Path) -> Result<Side, String> {
    let collected = collect(&[path.to_path_buf()])?;
    let mut side = Side {
        label: path.display().to_string(),
        ..Side::default()
    };
    for file in &collected.files {
        let bytes = files::read(file)?;
        side.add(file.display().to_string(), &bytes);
    }
    Ok(side)
}

/// The spec files under `paths`. A folder with no spec is not an error
/// here: its side has no machine (they were all added, or all removed).
fn collect(paths: &[PathBuf]) -> Result<files::Collected, String> {
    let collected = files::collect(paths);
    let empty_folder = |message: &str| {
        paths
            .iter()
            .any(|p| p.is_dir() && *message == files::no_spec_message(p))
    };
    match collected.errors.iter().find(|m| !empty_folder(m)) {
        Some(message) => Err(message.clone()),
        None => Ok(collected),
    }
}

/// `fsm diff --base REV [PATH…]`.
fn against_revision(rev: &str, paths: &[PathBuf]) -> Result<(Side, Side, bool), String> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from("machines")]
    } else {
        paths.to_vec()
    };
    git(&["rev-parse", "--show-toplevel"]).map_err(|message| {
        format!("`--base` reads specs from git, and this is not a git work tree: {message}")
    })?;
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|_| format!("`{rev}` is not a revision of this repository"))?;
    let commit = String::from_utf8_lossy(&commit).trim().to_owned();
    let mut old = Side {
        label: rev.to_owned(),
        ..Side::default()
    };
    let entries = tree_entries(&commit, &paths)?;
    for (full_name, size) in &entries {
        let name = format!("{rev}:{full_name}");
        if *size > MAX_SOURCE_LEN as u64 {
            return Err(format!(
                "`{name}` is {size} bytes, more than the limit of {MAX_SOURCE_LEN} bytes"
            ));
        }
        let bytes = git(&["show", &format!("{commit}:{full_name}")])?;
        old.add(name, &bytes);
    }
    // A path gone from the working tree (every spec under it deleted) has
    // nothing on the new side; one found on neither side is a mistake.
    let mut present = Vec::new();
    for path in &paths {
        if path.exists() {
            present.push(path.clone());
        } else if !entries_under(&commit, path)? {
            return Err(format!(
                "cannot read `{}`: not in the working tree, nor at `{rev}`",
                path.display()
            ));
        }
    }
    let mut new = Side {
        label: "working tree".to_owned(),
        ..Side::default()
    };
    if !present.is_empty() {
        let collected = collect(&present)?;
        for file in &collected.files {
            let bytes = files::read(file)?;
            new.add(file.display().to_string(), &bytes);
        }
    }
    let single_file = paths.len() == 1 && paths.iter().all(|p| p.is_file());
    Ok((old, new, single_file))
}

/// The `.fsm` blobs under `paths` at `commit`: (path from the repository's
/// root, size in bytes), sorted.
fn tree_entries(commit: &str, paths: &[PathBuf]) -> Result<Vec<(String, u64)>, String> {
    let mut args: Vec<String> = ["ls-tree", "-r", "-l", "--full-name", "-z", commit, "--"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    args.extend(paths.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listing = git(&args)?;
    let mut out = Vec::new();
    for entry in listing.split(|b| *b == 0) {
        let entry = String::from_utf8_lossy(entry);
        // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let is_blob = fields.get(1) == Some(&"blob") && fields.first() != Some(&"120000");
        let is_spec = Path::new(path)
            .extension()
            .is_some_and(|e| e == files::SPEC_EXTENSION);
        if is_blob && is_spec {
            let size = fields.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
            out.push((path.to_owned(), size));
        }
    }
    out.sort();
    Ok(out)
}

fn entries_under(commit: &str, path: &Path) -> Result<bool, String> {
    Ok(!tree_entries(commit, &[path.to_path_buf()])?.is_empty())
}

/// Runs `git` in the current folder: its stdout, or its first line of
/// stderr as the error.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|err| format!("cannot run `git`: {}", io_message(&err)))?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or("").trim();
    Err(if first.is_empty() {
        format!("`git {}` failed ({})", args.join(" "), out.status)
    } else {
        first.to_owned()
    })
}
