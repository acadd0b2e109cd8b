//! The generated Rust of every bundled spec, formatted as `fsm expand`
//! prints it, pinned as insta snapshots: a change to a spec or to codegen
//! shows up as a reviewed diff.

use fsm_tests::repo_root;
use std::path::Path;

/// The generated code of `path` (relative to the repository root),
/// formatted.
fn expand(path: &str) -> String {
    let bytes = std::fs::read(repo_root().join(path)).expect("read spec");
    let compilation = fsm_core::compile(path, &bytes);
    let model = compilation
        .model
        .unwrap_or_else(|| panic!("{path} has errors: {:?}", compilation.diagnostics));
    let tokens = fsm_core::codegen::generate(&model);
    let file = syn::parse2::<syn::File>(tokens).expect("generated code parses");
    prettyplease::unparse(&file)
}

/// The bundled specs, as `machines/<name>.fsm`.
fn bundled() -> Vec<String> {
    let mut specs: Vec<String> = std::fs::read_dir(repo_root().join("machines"))
        .expect("machines/")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "fsm"))
        .filter_map(|p| {
            p.file_name()
                .map(|n| format!("machines/{}", n.to_string_lossy()))
        })
        .collect();
    specs.sort();
    specs
}

fn snapshot_name(spec: &str) -> String {
    Path::new(spec)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn generated_code_of_every_bundled_spec() {
    let specs = bundled();
    assert!(!specs.is_empty(), "no bundled specs found");
    for spec in specs {
        let code = expand(&spec);
        insta::with_settings!({ snapshot_suffix => snapshot_name(&spec), description => spec.clone(), omit_expression => true }, {
            insta::assert_snapshot!("expand", code);
        });
    }
}

/// A deleted or renamed spec must not leave its snapshot behind.
#[test]
fn no_snapshot_without_its_spec() {
    let names: Vec<String> = bundled().iter().map(|s| snapshot_name(s)).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut stale = Vec::new();
    for entry in entries.filter_map(|e| e.ok()) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix("codegen_snapshots__") else {
            continue;
        };
        let Some(name) = rest
            .strip_suffix(".snap")
            .and_then(|r| r.strip_prefix("expand@"))
        else {
            stale.push(file);
            continue;
        };
        if !names.iter().any(|n| n == name) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots without a spec in machines/ (delete them): {stale:?}"
    );
}
