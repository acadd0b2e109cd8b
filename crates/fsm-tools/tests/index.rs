//! The model's per-input index (`Model::transitions_on`,
//! `Model::candidates`, `Model::candidates_by_phase`, `Model::is_ignored`,
//! `Verify::domain_for_*`) agrees with a plain scan of the model on every
//! bundled spec, every spec of `tests/specs` and every passing case of
//! `fsm-core`, and on the scaled specs of the benchmarks.

mod support;

#[path = "../benches/support/scale.rs"]
mod scale;

use fsm_core::Model;
use fsm_core::model::{DomainTarget, InputId, ParamId, PhaseId, TransitionId};
use support::{compile, repo_root, specs};

/// Every spec the test covers, as `(name, text)`.
fn all_specs() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = specs()
        .into_iter()
        .map(|(_, path)| {
            let text = std::fs::read_to_string(repo_root().join(&path)).expect("readable spec");
            (path, text)
        })
        .collect();
    let cases = repo_root().join("crates/fsm-core/tests/cases/pass");
    let mut found: Vec<_> = std::fs::read_dir(&cases)
        .expect("the passing cases")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "fsm"))
        .collect();
    found.sort();
    assert!(
        found.len() >= 10,
        "expected the passing cases, found {found:?}"
    );
    for path in found {
        let text = std::fs::read_to_string(&path).expect("readable case");
        out.push((path.display().to_string(), text));
    }
    out.push(("scale 50".to_owned(), scale::spec(50)));
    out.push(("ring 50".to_owned(), scale::ring(50)));
    out
}

fn check_index(name: &str, m: &Model) {
    let ids = |n: usize| (0..n).map(|i| u32::try_from(i).expect("small"));
    for input in ids(m.inputs.len()).map(InputId) {
        let scanned: Vec<TransitionId> = m
            .transitions
            .iter()
            .enumerate()
            .filter(|(_, t)| t.input == input)
            .map(|(i, _)| TransitionId(u32::try_from(i).expect("small")))
            .collect();
        let indexed: Vec<TransitionId> = m.transitions_on(input).map(|(id, _)| id).collect();
        assert_eq!(indexed, scanned, "{name}: transitions on input {input:?}");
        assert_eq!(m.transition_ids_on(input), &scanned[..], "{name}");
        let table = m.candidates_by_phase(input);
        for phase in ids(m.phases.len()).map(PhaseId) {
            let scanned_candidates: Vec<TransitionId> = scanned
                .iter()
                .copied()
                .filter(|t| m.transitions[t.index()].sources.contains(&phase))
                .collect();
            let candidates: Vec<TransitionId> =
                m.candidates(input, phase).map(|(id, _)| id).collect();
            assert_eq!(
                candidates, scanned_candidates,
                "{name}: candidates of {input:?} in {phase:?}"
            );
            let from_table = table
                .iter()
                .find(|(p, _)| *p == phase)
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            assert_eq!(
                from_table, scanned_candidates,
                "{name}: candidates_by_phase"
            );
            let ignored = m
                .ignores
                .iter()
                .any(|i| i.input == input && i.phases.contains(&phase));
            assert_eq!(
                m.is_ignored(input, phase),
                ignored,
                "{name}: ignore of {input:?} in {phase:?}"
            );
        }
        assert!(
            table.windows(2).all(|w| w[0].0 < w[1].0),
            "{name}: candidates_by_phase is sorted by phase"
        );
        for (param, p) in m.inputs[input.index()].params.iter().enumerate() {
            let param = ParamId(u32::try_from(param).expect("small"));
            let scanned = m.verify.domains.iter().find(|d| {
                matches!(d.target, DomainTarget::Param { input: i, param: q } if i == input && q == param)
            });
            assert_eq!(m.verify.domain_for_param(input, param), scanned, "{name}");
            let scanned = m
                .verify
                .domains
                .iter()
                .find(|d| matches!(&d.target, DomainTarget::Type(t) if *t == p.ty));
            assert_eq!(m.verify.domain_for_type(&p.ty), scanned, "{name}");
        }
    }
    // Every transition is listed under its input exactly once.
    let listed: usize = ids(m.inputs.len())
        .map(|i| m.transitions_on(InputId(i)).count())
        .sum();
    assert_eq!(listed, m.transitions.len(), "{name}");
}

#[test]
fn the_per_input_index_agrees_with_a_scan_on_every_spec() {
    let specs = all_specs();
    assert!(
        specs.len() >= 40,
        "expected every spec, found {}",
        specs.len()
    );
    let mut with_ignores = 0;
    let mut with_param_domains = 0;
    for (name, text) in &specs {
        let m = compile(name, text);
        with_ignores += usize::from(!m.ignores.is_empty());
        with_param_domains += usize::from(
            m.verify
                .domains
                .iter()
                .any(|d| matches!(d.target, DomainTarget::Param { .. })),
        );
        check_index(name, &m);
    }
    // The specs exercise every part of the index.
    assert!(with_ignores > 0 && with_param_domains > 0);
}

#[test]
fn the_largest_benchmark_specs_fit_the_source_limit_and_compile() {
    for (name, text) in [
        ("scale", scale::spec(80_000)),
        ("ring", scale::ring(80_000)),
    ] {
        assert!(
            text.len() <= fsm_core::MAX_SOURCE_LEN,
            "{name}: {} bytes",
            text.len()
        );
        let m = compile(name, &text);
        assert_eq!(m.transitions.len(), 80_000, "{name}");
    }
}
