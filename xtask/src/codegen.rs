//! `cargo xtask codegen [--check]`: the committed files generated from the
//! bundled specs.
//!
//! For every `machines/*.fsm` (in file-name order):
//! - `docs/machines/<stem>.md`: the machine's page (`fsm_tools::doc`), with
//!   the figures of a verification run within the spec's `verify` bounds
//!   (never its timing, so the page is the same on every run);
//! - `docs/machines/README.md`: the index of those pages;
//! - the table of machines in `README.md`, between `<!-- machines:begin -->`
//!   and `<!-- machines:end -->` (the rest of the README is left alone).
//!
//! With `--check` nothing is written: the files are regenerated in memory
//! and compared with the committed ones, and every stale, missing or stray
//! file (in `docs/machines/`) is reported with the command that fixes it.

use fsm_core::Model;
use fsm_tools::doc;
use fsm_tools::verify::{Options, Report};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Where the pages go, relative to the repository root.
const PAGES_DIR: &str = "docs/machines";
/// The bundled specs, relative to the repository root.
const SPECS_DIR: &str = "machines";
/// The file holding the machine table.
const README: &str = "README.md";
const BEGIN: &str = "<!-- machines:begin -->";
const END: &str = "<!-- machines:end -->";

const FIX: &str = "run `cargo xtask codegen` to regenerate them \
                   (CONTRIBUTING.md, recipe \"adding or changing a bundled machine\")";

pub fn run(check: bool) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .ok_or("cannot find the repository root")?;
    run_in(&root, check)
}

/// Regenerates (or, with `check`, checks) the generated files of the
/// repository at `root`.
pub fn run_in(root: &Path, check: bool) -> Result<(), String> {
    let files = generate(root)?;
    let stray = stray_pages(root, &files)?;
    if check {
        let mut problems = Vec::new();
        for file in &files {
            let path = root.join(&file.path);
            match fs::read_to_string(&path) {
                Ok(text) if text == file.text => {}
                Ok(_) => problems.push(format!("`{}` is stale", file.path.display())),
                Err(_) => problems.push(format!("`{}` is missing", file.path.display())),
            }
        }
        for path in &stray {
            problems.push(format!(
                "`{}` is not generated from any spec",
                path.display()
            ));
        }
        if problems.is_empty() {
            eprintln!("generated files are up to date ({} files)", files.len());
            return Ok(());
        }
        let mut msg = String::from("generated files are out of date:\n");
        for problem in &problems {
            let _ = writeln!(msg, "  {problem}");
        }
        let _ = write!(msg, "{FIX}");
        return Err(msg);
    }
    fs::create_dir_all(root.join(PAGES_DIR))
        .map_err(|e| format!("cannot create `{PAGES_DIR}`: {e}"))?;
    let mut changed = 0usize;
    for file in &files {
        let path = root.join(&file.path);
        if fs::read_to_string(&path).is_ok_and(|old| old == file.text) {
            continue;
        }
        fs::write(&path, &file.text)
            .map_err(|e| format!("cannot write `{}`: {e}", file.path.display()))?;
        eprintln!("wrote {}", file.path.display());
        changed += 1;
    }
    for path in &stray {
        fs::remove_file(root.join(path))
            .map_err(|e| format!("cannot remove `{}`: {e}", path.display()))?;
        eprintln!("removed {}", path.display());
    }
    eprintln!(
        "{} generated files, {changed} rewritten, {} removed",
        files.len(),
        stray.len()
    );
    Ok(())
}

/// One generated file: its path relative to the root and its text.
#[derive(Debug)]
struct Generated {
    path: PathBuf,
    text: String,
}

/// Every generated file, in a fixed order.
fn generate(root: &Path) -> Result<Vec<Generated>, String> {
    let specs = bundled_specs(root)?;
    let mut machines: Vec<(String, Model)> = Vec::new();
    for stem in &specs {
        let rel = format!("{SPECS_DIR}/{stem}.fsm");
        let bytes = fsm_read::read_spec(&root.join(&rel)).map_err(|e| e.message(&rel))?;
        let compilation = fsm_core::compile(&rel, &bytes);
        let Some(model) = compilation.model else {
            return Err(format!(
                "`{rel}` has errors; see `cargo run -p fsm-cli -- check {rel}`"
            ));
        };
        machines.push((stem.clone(), model));
    }
    // The machines are verified in parallel; each run is deterministic.
    let reports: Vec<Result<Report, String>> = std::thread::scope(|scope| {
        let runs: Vec<_> = machines
            .iter()
            .map(|(stem, model)| scope.spawn(move || verify(stem, model)))
            .collect();
        runs.into_iter()
            .map(|run| {
                run.join()
                    .unwrap_or_else(|_| Err("a verification run panicked".to_owned()))
            })
            .collect()
    });
    let mut files = Vec::new();
    for ((stem, model), report) in machines.iter().zip(reports) {
        let report = report?;
        let text = format!(
            "<!-- generated by cargo xtask codegen from {SPECS_DIR}/{stem}.fsm; do not edit -->\n\n{}",
            doc::page(model, Some(&report))
        );
        files.push(Generated {
            path: Path::new(PAGES_DIR).join(format!("{stem}.md")),
            text,
        });
    }
    let links: Vec<(String, String)> = machines
        .iter()
        .map(|(stem, _)| (format!("{stem}.md"), format!("{PAGES_DIR}/{stem}.md")))
        .collect();
    let index_entries: Vec<doc::Entry<'_>> = machines
        .iter()
        .zip(&links)
        .map(|((_, model), (page, _))| doc::Entry { model, link: page })
        .collect();
    files.push(Generated {
        path: Path::new(PAGES_DIR).join("README.md"),
        text: format!(
            "<!-- generated by cargo xtask codegen from {SPECS_DIR}/*.fsm; do not edit -->\n\n{}",
            doc::index(&index_entries)
        ),
    });
    let table_entries: Vec<doc::Entry<'_>> = machines
        .iter()
        .zip(&links)
        .map(|((_, model), (_, from_root))| doc::Entry {
            model,
            link: from_root,
        })
        .collect();
    let readme = fs::read_to_string(root.join(README))
        .map_err(|e| format!("cannot read `{README}`: {e}"))?;
    files.push(Generated {
        path: PathBuf::from(README),
        text: replace_block(&readme, &doc::table(&table_entries))?,
    });
    Ok(files)
}

/// A verification run of `model` within its spec's bounds, without its
/// timing.
fn verify(stem: &str, model: &Model) -> Result<Report, String> {
    let started = std::time::Instant::now();
    let report = fsm_tools::verify::verify(model, &mut Options::default())
        .map_err(|e| format!("cannot verify `{SPECS_DIR}/{stem}.fsm`: {e}"))?;
    eprintln!(
        "verified {SPECS_DIR}/{stem}.fsm: {} states, depth {} ({:.1} s)",
        report.states,
        report.depth,
        started.elapsed().as_secs_f64()
    );
    Ok(report.without_time())
}

/// The stems of `machines/*.fsm`, sorted.
fn bundled_specs(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join(SPECS_DIR);
    let entries = fs::read_dir(&dir).map_err(|e| format!("cannot read `{SPECS_DIR}`: {e}"))?;
    let mut stems = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read `{SPECS_DIR}`: {e}"))?
            .path();
        if path.extension().is_some_and(|x| x == "fsm")
            && path.is_file()
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            stems.push(stem.to_owned());
        }
    }
    stems.sort();
    Ok(stems)
}

/// Files in `docs/machines/` that are not generated, relative to `root`.
fn stray_pages(root: &Path, files: &[Generated]) -> Result<Vec<PathBuf>, String> {
    let dir = root.join(PAGES_DIR);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut stray = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read `{PAGES_DIR}`: {e}"))?;
        let rel = Path::new(PAGES_DIR).join(entry.file_name());
        if !files.iter().any(|f| f.path == rel) {
            stray.push(rel);
        }
    }
    stray.sort();
    Ok(stray)
}

/// `text` with the lines between the markers replaced by `table`.
fn replace_block(text: &str, table: &str) -> Result<String, String> {
    let missing = || format!("`{README}` has no `{BEGIN}` … `{END}` block for the machine table");
    let begin = text.find(BEGIN).ok_or_else(missing)?;
    let after_begin = begin + BEGIN.len();
    let end = text[after_begin..]
        .find(END)
        .map(|i| after_begin + i)
        .ok_or_else(missing)?;
    let mut out = String::with_capacity(text.len() + table.len());
    out.push_str(&text[..after_begin]);
    out.push('\n');
    out.push_str(table);
    out.push_str(&text[end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const SPEC: &str = "/// Opens and closes. Nothing else.\nmachine Door {\n    phases { Closed, Open }\n    initial Closed\n    input Push\n    transition push on Push from Closed -> Open\n}\n";

    /// A scratch repository: `machines/door.fsm` and a README with the
    /// markers. Removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new() -> Scratch {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("fsm-xtask-codegen-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(dir.join(SPECS_DIR)).expect("create scratch repository");
            fs::write(dir.join("machines/door.fsm"), SPEC).expect("write spec");
            fs::write(
                dir.join(README),
                format!("# Title\n\nIntro.\n\n{BEGIN}\nold\n{END}\n\nAfter.\n"),
            )
            .expect("write readme");
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn regenerated_files_pass_the_check() {
        let repo = Scratch::new();
        let root = &repo.0;
        let err = run_in(root, true).expect_err("nothing generated yet");
        assert!(err.contains("`docs/machines/door.md` is missing"), "{err}");
        assert!(err.contains("`README.md` is stale"), "{err}");
        run_in(root, false).expect("generate");
        run_in(root, true).expect("fresh files pass");

        let page = fs::read_to_string(root.join("docs/machines/door.md")).expect("page");
        assert!(page.starts_with(
            "<!-- generated by cargo xtask codegen from machines/door.fsm; do not edit -->\n"
        ));
        assert!(page.contains("```mermaid\n"), "{page}");
        let readme = fs::read_to_string(root.join(README)).expect("readme");
        assert!(readme.starts_with("# Title\n\nIntro.\n\n"), "{readme}");
        assert!(readme.ends_with(&format!("{END}\n\nAfter.\n")), "{readme}");
        assert!(
            readme.contains("| [Door](docs/machines/door.md) | Opens and closes. | 2 | 1 | 1 |\n"),
            "{readme}"
        );
        assert!(!readme.contains("old"), "{readme}");
    }

    #[test]
    fn check_catches_a_stale_page_and_a_stray_file() {
        let repo = Scratch::new();
        let root = &repo.0;
        run_in(root, false).expect("generate");
        let page = root.join("docs/machines/door.md");
        let text = fs::read_to_string(&page).expect("page");
        fs::write(&page, text.replace("Closed", "Shut")).expect("edit page");
        fs::write(root.join("docs/machines/old.md"), "old page").expect("stray file");
        let err = run_in(root, true).expect_err("stale page");
        assert!(err.contains("`docs/machines/door.md` is stale"), "{err}");
        assert!(
            err.contains("`docs/machines/old.md` is not generated from any spec"),
            "{err}"
        );
        assert!(err.contains("cargo xtask codegen"), "{err}");
        assert!(!err.contains("README.md` is stale"), "{err}");

        run_in(root, false).expect("regenerate");
        assert!(!root.join("docs/machines/old.md").exists());
        run_in(root, true).expect("regenerated files pass");
    }

    #[test]
    fn a_changed_spec_makes_the_readme_table_stale() {
        let repo = Scratch::new();
        let root = &repo.0;
        run_in(root, false).expect("generate");
        let spec = SPEC.replace(
            "transition push",
            "input Pull\n    transition pull on Pull from Open -> Closed\n    transition push",
        );
        fs::write(root.join("machines/door.fsm"), spec).expect("edit spec");
        let err = run_in(root, true).expect_err("stale");
        assert!(err.contains("`README.md` is stale"), "{err}");
        assert!(err.contains("`docs/machines/door.md` is stale"), "{err}");
    }

    #[test]
    fn a_readme_without_markers_is_an_error() {
        assert!(replace_block("no markers", "table").is_err());
        assert!(replace_block(&format!("{BEGIN} only"), "table").is_err());
        let replaced = replace_block(&format!("a\n{BEGIN}\nx\n{END}\nb"), "t\n").expect("ok");
        assert_eq!(replaced, format!("a\n{BEGIN}\nt\n{END}\nb"));
    }
}
