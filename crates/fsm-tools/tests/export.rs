//! The exports: snapshots of a small spec in every format, the errors a
//! spec without domains gets, and every bundled machine exporting cleanly.

use fsm_core::Model;
use fsm_tools::export::{self, Format};
use std::path::Path;

/// A small machine touching every encoding: an option, a set, a map, an
/// enum, a string, checked arithmetic, an `if`, a quantifier, a derived
/// value, a keyed machine with an extern key, and two candidates for one
/// input.
const SMALL: &str = r#"
/// A tiny queue of jobs.
machine Queue {
    key owner: Owner
    extern Owner = crate::Owner

    phases { Open, Closed }
    initial Open
    terminal Closed

    enum Priority { Low, High }

    state {
        size: u8 = 0
        jobs: Set<String> = []
        prio: Map<String, Priority> = []
        last: Option<String> = none
    }

    input Push(job: String, p: Priority)
    input Pop(job: String)
    input Close

    derive empty: bool = jobs.is_empty()

    transition push on Push from Open -> stay
        guard fresh: !(job in jobs)
    {
        size += 100
        jobs.insert(job)
        prio.insert(job, p)
        if p == High {
            last = some(job)
        }
    }

    transition pop on Pop from Open -> stay
        guard present: job in jobs
    {
        size -= 100
        jobs.remove(job)
        prio.remove(job)
    }

    transition close_empty on Close from Open -> Closed
        guard is_empty: empty

    transition close_busy on Close from Open -> stay
        guard busy: !empty

    ignore Close in Closed

    invariant prio_for_jobs: all j in prio: j in jobs
    invariant size_counts: jobs.len() <= 2 && size <= 200

    verify {
        domain String = ["a", "b"]
        domain Owner = ["me"]
        max_depth 5
    }
}
"#;

fn model(name: &str, text: &str) -> Model {
    let compilation = fsm_core::compile(name, text.as_bytes());
    match compilation.model {
        Some(model) => model,
        None => panic!("`{name}` has errors: {:?}", compilation.diagnostics),
    }
}

#[test]
fn promela_of_a_small_spec() {
    let text = export::promela(&model("small.fsm", SMALL)).expect("exports");
    insta::assert_snapshot!("small_promela", text);
}

#[test]
fn tla_of_a_small_spec() {
    let out = export::tla(&model("small.fsm", SMALL)).expect("exports");
    insta::assert_snapshot!("small_tla_module", out.module);
    insta::assert_snapshot!("small_tla_cfg", out.cfg);
}

#[test]
fn json_wraps_the_model_with_a_version() {
    let m = model("small.fsm", SMALL);
    let text = export::json(&m).expect("exports");
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(value["format"], "fsm-model");
    assert_eq!(value["version"], export::FORMAT_VERSION);
    assert_eq!(
        value["model"],
        serde_json::to_value(&m).expect("serializes")
    );
    assert_eq!(value["model"]["name"], "Queue");
}

#[test]
fn one_promela_option_per_input_instance_that_can_fire() {
    let text = export::promela(&model("small.fsm", SMALL)).expect("exports");
    // Push: 2 jobs × 2 priorities; Pop: 2 jobs; Close: 1.
    assert_eq!(text.matches(":: d_step {").count(), 4 + 2 + 1);
    assert!(text.contains("/* Push(job: \"b\", p: Priority::High) */"));
    // Arithmetic on `u8` is checked against its own bounds.
    assert!(text.contains("<= 255"), "{text}");
}

#[test]
fn export_writes_the_files_of_each_format() {
    let m = model("small.fsm", SMALL);
    let names = |format| -> Vec<String> {
        export::export(&m, format)
            .expect("exports")
            .into_iter()
            .map(|f| f.name)
            .collect()
    };
    assert_eq!(names(Format::Tla), ["Queue.tla", "Queue.cfg"]);
    assert_eq!(names(Format::Promela), ["Queue.pml"]);
    assert_eq!(names(Format::Json), ["Queue.json"]);
}

#[test]
fn a_parameter_without_a_domain_is_an_error_naming_it() {
    let m = model(
        "nodomain.fsm",
        "machine M { phases { A } initial A input Go(n: u32) transition go on Go from A -> stay }",
    );
    for result in [export::promela(&m).map(|_| ()), export::tla(&m).map(|_| ())] {
        let err = result.expect_err("no domain for `u32`");
        assert!(err.message.contains("`n`"), "{err}");
        assert!(err.message.contains("`Go`"), "{err}");
    }
    // JSON needs no domain.
    assert!(export::json(&m).is_ok());
}

#[test]
fn lists_fields_are_refused_by_promela_only() {
    let m = model(
        "list.fsm",
        "machine M { phases { A } initial A state { l: List<bool> = [] } input Go(b: bool) \
         transition go on Go from A -> stay { l.push(b) } }",
    );
    let err = export::promela(&m).expect_err("lists are not encoded");
    assert!(err.message.contains("List"), "{err}");
    let tla = export::tla(&m).expect("tla+ has sequences");
    assert!(tla.module.contains("Append(l, p_0)"), "{}", tla.module);
}

#[test]
fn integers_beyond_32_bits_keep_their_order() {
    let m = model(
        "wide.fsm",
        "machine M { phases { A } initial A \
         const BIG: u64 = 18_446_744_073_709_551_615 \
         state { x: u64 = 0 } input Set(v: u64) \
         transition set on Set from A -> stay guard below: x < BIG { x = v } \
         verify { domain u64 = [1, BIG] } }",
    );
    let text = export::promela(&m).expect("exports");
    // `BIG` takes the top code; `1` stays `1`.
    assert!(
        text.contains("/* Set(v: 18446744073709551615) */"),
        "{text}"
    );
    assert!(text.contains("f_x = 2147483647;"), "{text}");
    assert!(text.contains("f_x = 1;"), "{text}");
    assert!(text.contains("(f_x < 2147483647)"), "{text}");
}

#[test]
fn every_bundled_machine_exports_in_every_format() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../machines");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("machines/ exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "fsm") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let m = model(&path.display().to_string(), &text);
        for format in Format::ALL {
            if let Err(err) = export::export(&m, format) {
                panic!("{} to {}: {err}", path.display(), format.name());
            }
        }
        count += 1;
    }
    assert!(count >= 3, "found {count} machines");
}
