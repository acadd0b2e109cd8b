//! Helpers shared by the workspace-level tests in `tests/tests/`, and
//! every bundled machine compiled with stand-ins for the types it names
//! ([`bundled`]).

pub mod bundled;

// The specs name their contract types as `crate::<module>::<Type>`.
pub use bundled::{
    comms, handles, interaction, lifecycle, ops, peer_correlation, tool_scope,
    turn_execution_authority,
};

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository root")
        .to_path_buf()
}

/// Every `.fsm` file of the repository (bundled machines, test cases,
/// examples), sorted, with paths relative to the repository root.
pub fn all_specs() -> Vec<PathBuf> {
    let root = repo_root();
    let mut out = Vec::new();
    for dir in ["machines", "crates", "tests", "docs"] {
        collect(&root.join(dir), &mut out);
    }
    out.sort();
    out.into_iter()
        .map(|p| p.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(p))
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "fsm") {
            out.push(path);
        }
    }
}

/// The ```fsm code blocks of a Markdown file.
pub fn fsm_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start().starts_with("```fsm") => current = Some(String::new()),
            Some(block) if line.trim_start().starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}
