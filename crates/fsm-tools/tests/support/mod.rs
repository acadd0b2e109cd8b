//! Helpers shared by the integration tests of `fsm-tools`: the specs of
//! the repository and compiling them.

#![allow(dead_code)]

use fsm_core::Model;
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `machines/*.fsm` and `tests/specs/*.fsm`, as `(snapshot name, path
/// relative to the repository root)`, sorted.
pub fn specs() -> Vec<(String, String)> {
    let mut specs = Vec::new();
    for (dir, prefix) in [("machines", ""), ("tests/specs", "spec_")] {
        let entries = std::fs::read_dir(repo_root().join(dir)).expect("spec folder");
        let mut found: Vec<(String, String)> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "fsm"))
            .filter_map(|p| {
                let stem = p.file_stem()?.to_string_lossy().into_owned();
                let file = p.file_name()?.to_string_lossy().into_owned();
                Some((format!("{prefix}{stem}"), format!("{dir}/{file}")))
            })
            .collect();
        found.sort();
        specs.extend(found);
    }
    specs
}

pub fn compile(name: &str, text: &str) -> Model {
    let compilation = fsm_core::compile(name, text.as_bytes());
    compilation
        .model
        .unwrap_or_else(|| panic!("{name} has errors: {:?}", compilation.diagnostics))
}

pub fn load(path: &str) -> Model {
    let text = std::fs::read_to_string(repo_root().join(path)).expect("read spec");
    compile(path, &text)
}
