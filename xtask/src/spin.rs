//! `cargo xtask spin`: cross-checks `fsm verify` against SPIN.
//!
//! For every bundled machine (`machines/*.fsm`) and every planted-bug spec
//! (`tests/specs/spin_*.fsm`): export the Promela model, compile SPIN's
//! verifier in breadth-first mode bounded by the spec's `max_depth`, run it,
//! and compare with `fsm_tools::verify::verify` run in-process: the number of
//! stored states must be equal, and so must the set of broken invariants.
//! SPIN is not installed here: without it the task fails and names
//! `cargo xtask setup`, which installs it.

use fsm_tools::export;
use fsm_tools::verify::{self, FindingKind, Options};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// What one side found.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    states: u64,
    broken: BTreeSet<String>,
}

pub fn run() -> Result<(), String> {
    for (tool, probe, package) in TOOLS {
        ensure_tool(tool, probe, package)?;
    }
    let root = workspace_root();
    let mut specs = spec_files(&root.join("machines"), "")?;
    specs.extend(spec_files(&root.join("tests/specs"), "spin_")?);
    if specs.is_empty() {
        return Err("no spec to cross-check".to_owned());
    }
    let work = std::env::temp_dir().join(format!("fsm-spin-{}", std::process::id()));
    let result = check_all(&root, &specs, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn check_all(root: &Path, specs: &[PathBuf], work: &Path) -> Result<(), String> {
    println!(
        "{:<36} {:>9} {:>9} {:>6}  {:<34} {:>7}",
        "spec", "fsm", "spin", "depth", "broken invariants", "time"
    );
    let mut failures = Vec::new();
    for spec in specs {
        let shown = spec
            .strip_prefix(root)
            .unwrap_or(spec)
            .display()
            .to_string();
        let started = Instant::now();
        match check_one(spec, &shown, work) {
            Ok((fsm, spin, depth)) => {
                let broken = if fsm.broken.is_empty() {
                    "-".to_owned()
                } else {
                    fsm.broken.iter().cloned().collect::<Vec<_>>().join(", ")
                };
                println!(
                    "{:<36} {:>9} {:>9} {:>6}  {:<34} {:>6.1}s",
                    shown,
                    fsm.states,
                    spin.states,
                    depth,
                    broken,
                    started.elapsed().as_secs_f64()
                );
                if fsm != spin {
                    failures.push(format!(
                        "`{shown}`: `fsm verify` found {} states and broken invariants {:?}, SPIN {} states and {:?}",
                        fsm.states, fsm.broken, spin.states, spin.broken
                    ));
                }
            }
            Err(message) => failures.push(format!("`{shown}`: {message}")),
        }
    }
    if failures.is_empty() {
        println!("SPIN agrees with `fsm verify` on {} specs", specs.len());
        Ok(())
    } else {
        Err(format!(
            "SPIN and `fsm verify` disagree:\n  {}",
            failures.join("\n  ")
        ))
    }
}

/// Runs both checkers on one spec: (fsm, spin, depth bound).
fn check_one(spec: &Path, shown: &str, work: &Path) -> Result<(Verdict, Verdict, u64), String> {
    let bytes = fsm_read::read_spec(spec).map_err(|e| format!("cannot read: {e}"))?;
    let compilation = fsm_core::compile(shown, &bytes);
    let model = compilation
        .model
        .as_ref()
        .ok_or_else(|| "the spec has errors (run `fsm check`)".to_owned())?;
    let report = verify::verify(model, &mut Options::default())
        .map_err(|e| format!("`fsm verify` failed: {}", e.message))?;
    if !report.complete && report.states >= report.max_states {
        return Err(format!(
            "`fsm verify` stopped at `max_states` ({}); the cross-check needs a search bounded by `max_depth` alone",
            report.max_states
        ));
    }
    let broken = report
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::InvariantViolated { invariant } => Some(invariant.clone()),
            _ => None,
        })
        .collect();
    let fsm = Verdict {
        states: report.states,
        broken,
    };
    // A complete search is not cut by a larger bound.
    let depth = report.max_depth.unwrap_or(report.depth + 1);

    let promela = export::promela(model).map_err(|e| format!("cannot export: {e}"))?;
    let dir = work.join(&model.name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let pml = format!("{}.pml", model.name);
    std::fs::write(dir.join(&pml), promela).map_err(|e| format!("cannot write the model: {e}"))?;
    run_in(&dir, "spin", &["-a", &pml])?;
    run_in(
        &dir,
        "gcc",
        &[
            "-O1",
            "-w",
            "-DBFS",
            "-DNOREDUCE",
            "-DSAFETY",
            "-DVECTORSZ=8192",
            "-DMEMLIM=8192",
            "-o",
            "pan",
            "pan.c",
        ],
    )?;
    let output = run_in(&dir, "./pan", &[&format!("-m{depth}"), "-c0", "-E", "-w24"])?;
    let spin = parse_pan(&output)?;
    Ok((fsm, spin, depth))
}

/// Reads the stored-state count and the broken invariants from pan's
/// output; any error pan itself counts (an assertion, running out of
/// memory) is a failure.
fn parse_pan(output: &str) -> Result<Verdict, String> {
    let mut states = None;
    let mut errors = None;
    let mut broken = BTreeSet::new();
    for line in output.lines() {
        let line = line.trim();
        if let Some(n) = line.strip_suffix("states, stored") {
            states = n.trim().parse::<u64>().ok();
        } else if let Some(name) = line.strip_prefix("fsm: invariant violated: ") {
            broken.insert(name.to_owned());
        }
        if let Some(pos) = line.find("errors: ") {
            errors = line
                .get(pos + "errors: ".len()..)
                .and_then(|rest| rest.trim().parse::<u64>().ok());
        }
    }
    match (states, errors) {
        (Some(states), Some(0)) => Ok(Verdict { states, broken }),
        (Some(_), Some(n)) => Err(format!("pan reported {n} errors:\n{}", tail(output, 30))),
        _ => Err(format!("cannot read pan's output:\n{}", tail(output, 30))),
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs `program` in `dir`, returning stdout and stderr together.
pub(crate) fn run_in(dir: &Path, program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "`{program} {}` failed ({}):\n{}",
            args.join(" "),
            out.status,
            tail(&text, 30)
        ))
    }
}

/// The `.fsm` files of `dir` whose names start with `prefix`, sorted.
pub(crate) fn spec_files(dir: &Path, prefix: &str) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "fsm")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    out.sort();
    Ok(out)
}

pub(crate) fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or(manifest.clone(), Path::to_path_buf)
}

/// Fails with a message naming `cargo xtask setup` when `tool` does not run.
/// Nothing is installed here: installing is `cargo xtask setup`'s job.
pub fn ensure_tool(tool: &str, probe: &[&str], package: &str) -> Result<(), String> {
    if works(tool, probe) {
        return Ok(());
    }
    Err(format!(
        "`{tool}` is not installed; run `cargo xtask setup` (or `cargo xtask ci --setup`), \
         which installs the Debian package `{package}`, or install it yourself"
    ))
}

/// `cargo xtask setup`: installs the tools the tests need that are missing
/// (SPIN and a C compiler for the SPIN cross-check) with `apt-get update` and
/// `apt-get install -y`, through `sudo` when not root.
pub fn setup() -> Result<(), String> {
    let missing: Vec<&str> = TOOLS
        .iter()
        .filter(|(tool, probe, _)| !works(tool, probe))
        .map(|(_, _, package)| *package)
        .collect();
    if missing.is_empty() {
        eprintln!("xtask: SPIN and gcc are installed");
        return Ok(());
    }
    apt_install(&missing)?;
    for (tool, probe, package) in TOOLS {
        if !works(tool, probe) {
            return Err(format!(
                "`{tool}` still does not run after installing `{package}`"
            ));
        }
    }
    Ok(())
}

/// Installs Debian packages with `apt-get update` and `apt-get install -y`,
/// through `sudo` when not root.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    eprintln!(
        "xtask: installing the Debian packages {}",
        packages.join(", ")
    );
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let sudo: &[&str] = if root { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| -> Result<(), String> {
        let mut full: Vec<&str> = sudo.to_vec();
        full.push("apt-get");
        full.extend_from_slice(args);
        let status = Command::new(full[0])
            .args(&full[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run `{}`: {e}", full.join(" ")))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", full.join(" ")))
        }
    };
    apt(&["update"])?;
    let mut install = vec!["install", "-y"];
    install.extend(packages);
    apt(&install)
}

/// The tools the SPIN cross-check runs: (command, probe arguments, Debian
/// package).
const TOOLS: &[(&str, &[&str], &str)] =
    &[("spin", &["-V"], "spin"), ("gcc", &["--version"], "gcc")];

pub(crate) fn works(tool: &str, args: &[&str]) -> bool {
    Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}
