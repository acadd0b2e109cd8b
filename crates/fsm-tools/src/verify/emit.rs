//! `fsm verify --emit-test`: Rust tests that replay the traces of findings
//! against the generated machine, asserting what the finding says must
//! hold, so they fail while the bug is there.
//!
//! Inputs and the key are built by deserializing the JSON serde gives the
//! generated types ([`crate::eval::input_json`]), so the tests need the
//! `serde_json` crate, and an extern type must deserialize from the
//! abstract string its domain gives (a `String` newtype does).

use super::{CoveredKind, Finding, FindingKind, Report};
use crate::eval::{self, InputValue};
use fsm_core::codegen::names;
use fsm_core::model::{Model, TExpr, TExprKind};
use std::collections::HashSet;
use std::fmt::Write;

/// A module of tests for the findings of `report` that have a trace and an
/// assertion the generated code can check (broken invariants and
/// deadlocks), or `None` when there is none. `spec_path` is the path
/// `fsm::machine!` is given, relative to the manifest directory of the
/// crate the tests are compiled in.
pub fn emit_tests(model: &Model, spec_path: &str, report: &Report) -> Option<String> {
    let mut tests = String::new();
    let mut names_used: HashSet<String> = HashSet::new();
    let mut needs_inputs = false;
    for finding in report.findings.iter().filter(|f| testable(model, f)) {
        let Some(test) = test_for(model, report, finding, &mut names_used, &mut needs_inputs)
        else {
            continue;
        };
        tests.push_str(&test);
    }
    if tests.is_empty() {
        return None;
    }
    let mut out = module_start(model, spec_path, "Findings of `fsm verify`");
    let _ = writeln!(
        out,
        "    /// Applies `trace` from the initial state; every input must be accepted\n    \
         /// and every invariant must hold after each."
    );
    let _ = writeln!(out, "    fn replay(trace: &[&str]) -> M {{");
    let _ = writeln!(out, "        let mut machine = start();");
    let _ = writeln!(
        out,
        "        if let Err(violation) = ::fsm::Machine::check_invariants(&machine) {{\n            \
         panic!(\"in the initial state: {{violation}}\");\n        }}"
    );
    let _ = writeln!(out, "        for (i, json) in trace.iter().enumerate() {{");
    let _ = writeln!(
        out,
        "            if let Err(rejection) = ::fsm::Machine::apply(&mut machine, input(json)) {{\n                \
         panic!(\"input {{}} `{{json}}` was refused: {{rejection}}\", i + 1);\n            }}"
    );
    let _ = writeln!(
        out,
        "            if let Err(violation) = ::fsm::Machine::check_invariants(&machine) {{\n                \
         panic!(\"after input {{}} `{{json}}`: {{violation}}\", i + 1);\n            }}"
    );
    let _ = writeln!(out, "        }}");
    let _ = writeln!(out, "        machine");
    let _ = writeln!(out, "    }}");
    if needs_inputs {
        let instances = eval::input_instances(model).unwrap_or_default();
        let _ = writeln!(out);
        let _ = writeln!(out, "    /// Every input instance of the spec's domains.");
        let _ = writeln!(out, "    const INPUTS: &[&str] = &[");
        for i in &instances {
            let _ = writeln!(out, "        {},", raw_string(&input_text(model, i)));
        }
        let _ = writeln!(out, "    ];");
    }
    out.push_str(&tests);
    out.push_str("}\n");
    // Each test's trace is filled in here, where the model is at hand.
    let mut filled = String::new();
    let mut rest = out.as_str();
    let mut findings = report
        .findings
        .iter()
        .filter(|f| testable(model, f))
        .collect::<Vec<_>>()
        .into_iter();
    while let Some(at) = rest.find("@STEPS@") {
        filled.push_str(&rest[..at]);
        if let Some(f) = findings.next() {
            filled.push_str(&steps(model, &f.inputs));
        }
        rest = &rest[at + "@STEPS@".len()..];
    }
    filled.push_str(rest);
    Some(filled)
}

/// Whether a test is emitted for `finding`: one with a trace whose claim
/// the generated code can check. A trap state is checked by a search from
/// it over the generated machine, which needs a property that depends on
/// the phase alone (see [`good_phases`]).
fn testable(model: &Model, finding: &Finding) -> bool {
    finding.trace.is_some()
        && match &finding.kind {
            FindingKind::InvariantViolated { .. }
            | FindingKind::Deadlock { .. }
            | FindingKind::ArithmeticOverflow { .. } => true,
            FindingKind::TrapState { property, .. } => good_phases(model, property).is_some(),
            _ => false,
        }
}

/// The phases meeting the `always_possible` property named `property`,
/// when it reads the phase and nothing else of the state.
fn good_phases(model: &Model, property: &str) -> Option<Vec<String>> {
    let p = model
        .verify
        .always_possible
        .iter()
        .find(|p| p.name == property)?;
    if !phase_only(&p.expr) {
        return None;
    }
    let key = eval::key_value(model).ok()?;
    let init = eval::initial(model, key).ok()?;
    let mut out = Vec::new();
    for (i, phase) in model.phases.iter().enumerate() {
        let state = eval::State {
            phase: fsm_core::model::PhaseId(u32::try_from(i).ok()?),
            ..init.clone()
        };
        if eval::holds(model, &state, &p.expr).ok()? {
            out.push(phase.name.clone());
        }
    }
    Some(out)
}

/// Whether `e` reads the current phase and nothing else of the state.
fn phase_only(e: &TExpr) -> bool {
    match &e.kind {
        TExprKind::Field(_)
        | TExprKind::Param(_)
        | TExprKind::Derived(_)
        | TExprKind::Key
        | TExprKind::Target
        | TExprKind::Var(_)
        | TExprKind::Quant { .. } => false,
        TExprKind::Bool(_)
        | TExprKind::Int(_)
        | TExprKind::Str(_)
        | TExprKind::None
        | TExprKind::CurrentPhase
        | TExprKind::Const(_)
        | TExprKind::Variant(..)
        | TExprKind::Phase(_) => true,
        TExprKind::Some(x) | TExprKind::Unary(_, x) => phase_only(x),
        TExprKind::Collection(xs) => xs.iter().all(phase_only),
        TExprKind::Binary(_, a, b) => phase_only(a) && phase_only(b),
        TExprKind::Method { receiver, args, .. } => {
            phase_only(receiver) && args.iter().all(phase_only)
        }
    }
}

fn test_for(
    model: &Model,
    report: &Report,
    finding: &Finding,
    used: &mut HashSet<String>,
    needs_inputs: &mut bool,
) -> Option<String> {
    let mut out = String::new();
    let doc = finding.message.replace('\n', " ");
    match &finding.kind {
        FindingKind::InvariantViolated { invariant } => {
            let name = unique(
                format!("invariant_{}_holds", names::snake_case(invariant)),
                used,
            );
            let _ = write!(
                out,
                "\n    /// {doc}.\n    #[test]\n    fn {name}() {{\n        replay(&[@STEPS@]);\n    }}\n"
            );
        }
        FindingKind::ArithmeticOverflow { transition, .. } => {
            // The trace ends with the input the overflow refuses.
            let name = unique(
                format!(
                    "transition_{}_does_not_overflow",
                    names::snake_case(transition)
                ),
                used,
            );
            let _ = write!(
                out,
                "\n    /// {doc}.\n    #[test]\n    fn {name}() {{\n        replay(&[@STEPS@]);\n    }}\n"
            );
        }
        FindingKind::Deadlock { phase } => {
            *needs_inputs = true;
            let name = unique(
                format!("phase_{}_is_not_a_deadlock", names::snake_case(phase)),
                used,
            );
            let _ = write!(
                out,
                "\n    /// {doc}.\n    #[test]\n    fn {name}() {{\n        \
                 let machine = replay(&[@STEPS@]);\n        \
                 let fires = INPUTS.iter().any(|json| {{\n            \
                 let mut next = machine.clone();\n            \
                 matches!(::fsm::Machine::apply(&mut next, input(json)), Ok(step) if step.transition.is_some())\n        \
                 }});\n        \
                 assert!(fires, \"no input fires a transition in phase {{:?}}\", ::fsm::Machine::phase(&machine));\n    \
                 }}\n"
            );
        }
        FindingKind::TrapState { property, .. } => {
            *needs_inputs = true;
            let phases = good_phases(model, property)?;
            let pattern = if phases.is_empty() {
                "_ if false".to_owned()
            } else {
                phases
                    .iter()
                    .map(|p| format!("<M as ::fsm::Machine>::Phase::{}", names::ident(p)))
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            // The search from the trap gives up (and fails) well past the
            // number of states the checker saw in all.
            let limit = report.states.saturating_mul(4).saturating_add(1000);
            let name = unique(
                format!("{}_is_always_possible", names::snake_case(property)),
                used,
            );
            let _ = write!(
                out,
                "\n    /// {doc}.\n    #[test]\n    fn {name}() {{\n        \
                 let start = replay(&[@STEPS@]);\n        \
                 let mut seen = ::std::collections::HashSet::new();\n        \
                 let mut queue = ::std::collections::VecDeque::from([start]);\n        \
                 while let Some(machine) = queue.pop_front() {{\n            \
                 if matches!(::fsm::Machine::phase(&machine), {pattern}) {{\n                \
                 return;\n            }}\n            \
                 assert!(seen.len() < {limit}, \"no decision after {limit} states\");\n            \
                 for json in INPUTS {{\n                \
                 let mut next = machine.clone();\n                \
                 if ::fsm::Machine::apply(&mut next, input(json)).is_ok() {{\n                    \
                 let snapshot = ::serde_json::to_string(&::fsm::Machine::snapshot(&next))\n                        \
                 .expect(\"the snapshot serializes\");\n                    \
                 if seen.insert(snapshot) {{\n                        \
                 queue.push_back(next);\n                    \
                 }}\n                \
                 }}\n            \
                 }}\n        \
                 }}\n        \
                 panic!(\"from the state the trace reaches, no state meeting `{property}` is reachable\");\n    \
                 }}\n"
            );
        }
        _ => return None,
    }
    Some(out)
}

/// The opening of a test module for `model`: the machine compiled from
/// `spec_path`, `start()` and `input(json)`.
fn module_start(model: &Model, spec_path: &str, what: &str) -> String {
    let module = names::snake_case(&model.name);
    let machine = names::ident(&model.name).to_string();
    let key = match eval::key_value(model) {
        Ok(Some(k)) => {
            let json = key_json(model, &k);
            format!(
                "::serde_json::from_str({}).expect(\"the key deserializes\")",
                raw_string(&json)
            )
        }
        _ => "()".to_owned(),
    };
    let mut out = String::new();
    let _ = writeln!(out, "/// {what} on `{spec_path}`.");
    let _ = writeln!(out, "mod {module} {{");
    let _ = writeln!(out, "    ::fsm::machine!({});", rust_string(spec_path));
    let _ = writeln!(out);
    let _ = writeln!(out, "    type M = {machine};");
    let _ = writeln!(out);
    let _ = writeln!(out, "    fn start() -> M {{");
    let _ = writeln!(out, "        <M as ::fsm::Machine>::create({key})");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "    fn input(json: &str) -> <M as ::fsm::Machine>::Input {{"
    );
    let _ = writeln!(
        out,
        "        ::serde_json::from_str(json).expect(\"the input deserializes\")"
    );
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out);
    out
}

/// A module of tests, one per transition that fires within the bounds and
/// one per `ignore` taken: each applies the shortest inputs that exercise
/// it and checks the step, the effects and the snapshot after it against
/// what the evaluator computes (so against the spec's semantics). `None`
/// when nothing fires.
pub fn emit_coverage(model: &Model, spec_path: &str, report: &Report) -> Option<String> {
    let key = eval::key_value(model).ok()?;
    let init = eval::initial(model, key).ok()?;
    let mut used: HashSet<String> = HashSet::new();
    let mut tests = String::new();
    for case in &report.coverage {
        let Some((last, prefix)) = case.inputs.split_last() else {
            continue;
        };
        let mut state = init.clone();
        let mut ok = true;
        for i in prefix {
            match eval::step(model, &state, i) {
                Ok(eval::Outcome::Fired { state: next, .. }) => state = next,
                Ok(eval::Outcome::Ignored) => {}
                _ => ok = false,
            }
        }
        if !ok {
            continue;
        }
        let (name, doc, expect_transition, after, effects) =
            match (case.what, eval::step(model, &state, last)) {
                (
                    CoveredKind::Transition(t),
                    Ok(eval::Outcome::Fired {
                        transition,
                        state: after,
                        effects,
                    }),
                ) if transition == t => {
                    let tname = model.transition(t).map_or("?", |t| t.name.as_str());
                    (
                        format!("transition_{}", names::snake_case(tname)),
                        format!("Transition `{tname}` fires on its shortest path."),
                        format!("Some({})", rust_string(tname)),
                        after,
                        effects,
                    )
                }
                (CoveredKind::Ignore(input, phase), Ok(eval::Outcome::Ignored)) => {
                    let iname = model.input(input).map_or("?", |i| i.name.as_str());
                    let pname = model.phase_name(phase);
                    (
                        format!(
                            "ignore_{}_in_{}",
                            names::snake_case(iname),
                            names::snake_case(pname)
                        ),
                        format!("`{iname}` is ignored in `{pname}`."),
                        "None".to_owned(),
                        state.clone(),
                        Vec::new(),
                    )
                }
                _ => continue,
            };
        let Ok(snapshot) = eval::snapshot_json(model, &after) else {
            continue;
        };
        let effects: Vec<serde_json::Value> = effects
            .iter()
            .map(|(e, args)| eval::effect_json(model, *e, args))
            .collect();
        let name = unique(name, &mut used);
        let _ = write!(
            tests,
            "\n    /// {doc}\n    #[test]\n    fn {name}() {{\n        \
             let mut machine = start();\n        \
             for json in [{prefix}] {{\n            \
             if let Err(rejection) = ::fsm::Machine::apply(&mut machine, input(json)) {{\n                \
             panic!(\"`{{json}}` was refused: {{rejection}}\");\n            }}\n        }}\n        \
             let step = match ::fsm::Machine::apply(&mut machine, input({last})) {{\n            \
             Ok(step) => step,\n            \
             Err(rejection) => panic!(\"the last input was refused: {{rejection}}\"),\n        }};\n        \
             assert_eq!(step.transition, {expect_transition});\n        \
             let effects = ::serde_json::to_value(&step.effects).expect(\"the effects serialize\");\n        \
             assert_eq!(effects, parse({effects}));\n        \
             let snapshot = ::serde_json::to_value(::fsm::Machine::snapshot(&machine))\n            \
             .expect(\"the snapshot serializes\");\n        \
             assert_eq!(snapshot, parse({snapshot}));\n    }}\n",
            prefix = steps(model, prefix),
            last = raw_string(&input_text(model, last)),
            effects = raw_string(&serde_json::Value::Array(effects).to_string()),
            snapshot = raw_string(&snapshot.to_string()),
        );
    }
    if tests.is_empty() {
        return None;
    }
    let mut out = module_start(
        model,
        spec_path,
        "Coverage of `fsm verify --emit-tests coverage`",
    );
    out.push_str(
        "    fn parse(text: &str) -> ::serde_json::Value {\n        \
         ::serde_json::from_str(text).expect(\"the expected JSON parses\")\n    }\n",
    );
    out.push_str(&tests);
    out.push_str("}\n");
    Some(out)
}

fn unique(name: String, used: &mut HashSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

/// The trace as a list of raw-string JSON literals, one per line.
fn steps(model: &Model, inputs: &[InputValue]) -> String {
    if inputs.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n");
    for i in inputs {
        let _ = writeln!(
            out,
            "            // {}\n            {},",
            eval::render_input(model, i).replace('\n', " "),
            raw_string(&input_text(model, i))
        );
    }
    out.push_str("        ");
    out
}

fn input_text(model: &Model, input: &InputValue) -> String {
    eval::input_json(model, input).to_string()
}

fn key_json(model: &Model, key: &eval::Value) -> String {
    match &model.key {
        Some(k) => eval::to_json(model, key, &k.ty).to_string(),
        None => "null".to_owned(),
    }
}

/// `text` as a Rust raw string literal.
fn raw_string(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{text}\"{h}")
}

/// `text` as a Rust string literal.
fn rust_string(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_strings_survive_quotes_and_hashes() {
        assert_eq!(raw_string("{\"a\":1}"), "r#\"{\"a\":1}\"#");
        assert_eq!(raw_string("\"#"), "r##\"\"#\"##");
    }
}
