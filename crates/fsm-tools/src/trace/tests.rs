//! Unit tests of the trace format and the typed input syntax: a round
//! trip, and every way a line or a typed input can be wrong.

use super::*;

fn model(spec: &str) -> Model {
    match fsm_core::compile("t.fsm", spec.as_bytes()).model {
        Some(m) => m,
        None => panic!("the spec does not compile"),
    }
}

const SPEC: &str = "machine M {
    key id: u8
    phases { A, B }
    initial A
    enum Kind { Red, Green }
    extern Token = crate::Token
    const LIMIT: u8 = 7
    state { count: u8 = 0 }
    input Go(n: u8, k: Kind)
    input Stop
    input Put(t: Token, xs: Set<u8>, m: Map<String, Option<i8>>, l: List<bool>, p: Phase)
    effect Went(n: u8)
    transition go on Go from A -> B
        guard small: n < 5
    { emit Went(n) }
    transition stop on Stop from B -> A
    transition put on Put from A -> stay
    verify { domain u8 = 0..3 domain Token = [\"t1\"] }
}";

const HEADER: &str = "{\"fsm_trace\":1,\"machine\":\"M\",\"key\":3}";

fn parse_err(m: &Model, body: &str) -> TraceError {
    match parse(m, body) {
        Ok(t) => panic!("expected an error, read {t:?}"),
        Err(e) => e,
    }
}

fn line_err(m: &Model, line: &str) -> String {
    let e = parse_err(m, &format!("{HEADER}\n{line}\n"));
    assert_eq!(e.line, 2, "{e:?}");
    e.message
}

#[test]
fn a_trace_round_trips() {
    let m = model(SPEC);
    let go = parse_input(&m, "Go(2, Kind::Green)").expect("reads");
    let put = parse_input(
        &m,
        "Put(\"t1\", [2, 1, 2], [\"a\": some(-3), \"b\": none], [true, false], Phase::B)",
    )
    .expect("reads");
    let state = eval::initial(&m, Some(Value::Int(3))).expect("initial");
    let outcome = eval::step(&m, &state, &go).expect("steps");
    let rec = recorded(&m, &state, &outcome);
    let trace = Trace {
        machine: "M".to_owned(),
        key: Some(Value::Int(3)),
        entries: vec![
            Entry {
                line: 2,
                input: go,
                recorded: Some(rec),
            },
            Entry {
                line: 3,
                input: put,
                recorded: None,
            },
        ],
    };
    let text = to_jsonl(&m, &trace);
    assert!(
        text.contains("\"effects\":[{\"Went\":{\"n\":2}}]"),
        "{text}"
    );
    assert_eq!(parse(&m, &text), Ok(trace));
}

#[test]
fn blank_lines_and_crlf_are_accepted_and_lines_counted() {
    let m = model(SPEC);
    let text = format!("\r\n{HEADER}\r\n\r\n\"Stop\"\r\n");
    let e = parse_err(&m, &text);
    assert_eq!(e.line, 4);
    let ok = parse(&m, &format!("\n{HEADER}\n\n{{\"input\":\"Stop\"}}\n")).expect("reads");
    assert_eq!(ok.entries[0].line, 4);
}

#[test]
fn header_errors() {
    let m = model(SPEC);
    let e = parse_err(&m, "\n\n");
    assert_eq!(e.line, 0);
    assert!(e.message.contains("empty"), "{}", e.message);
    assert_eq!(e.located("t.jsonl"), format!("t.jsonl: {}", e.message));
    let cases = [
        ("{\"machine\":\"M\",\"key\":3}", "no `fsm_trace`"),
        (
            "{\"fsm_trace\":2,\"machine\":\"M\",\"key\":3}",
            "unsupported trace format",
        ),
        ("{\"fsm_trace\":1,\"key\":3}", "no `machine`"),
        (
            "{\"fsm_trace\":1,\"machine\":7,\"key\":3}",
            "`machine` must be a string",
        ),
        (
            "{\"fsm_trace\":1,\"machine\":\"N\",\"key\":3}",
            "of machine `N`",
        ),
        ("{\"fsm_trace\":1,\"machine\":\"M\"}", "needs its `key`"),
        (
            "{\"fsm_trace\":1,\"machine\":\"M\",\"key\":300}",
            "300 is out of range for u8",
        ),
        (
            "{\"fsm_trace\":1,\"machine\":\"M\",\"key\":3,\"x\":1}",
            "unknown key `x`",
        ),
        ("[1]", "expected a JSON object, found an array"),
        ("{\"fsm_trace\":1,", "not valid JSON"),
    ];
    for (line, wanted) in cases {
        let e = parse_err(&m, line);
        assert_eq!(e.line, 1, "{line}");
        assert!(e.message.contains(wanted), "{line}: {}", e.message);
        assert!(e.located("f").starts_with("f:1: "));
    }
    let unkeyed =
        model("machine U { phases { A } initial A input I transition t on I from A -> stay }");
    let e = parse_err(&unkeyed, "{\"fsm_trace\":1,\"machine\":\"U\",\"key\":1}");
    assert!(e.message.contains("has no key"), "{}", e.message);
}

#[test]
fn input_line_errors() {
    let m = model(SPEC);
    let cases = [
        ("{\"step\":null}", "needs an `input`"),
        ("{\"input\":\"Stop\",\"extra\":1}", "unknown key `extra`"),
        (
            "{\"input\":\"Nope\"}",
            "no input `Nope` (its inputs: Go, Stop, Put)",
        ),
        ("{\"input\":\"Go\"}", "takes parameters: Go(n: u8, k: Kind)"),
        ("{\"input\":{\"Stop\":{}}}", "takes no parameters"),
        ("{\"input\":{\"Go\":[1]}}", "must be an object"),
        ("{\"input\":{\"Go\":{\"n\":1}}}", "lacks parameter `k`"),
        (
            "{\"input\":{\"Go\":{\"n\":1,\"k\":\"Red\",\"z\":0}}}",
            "no parameter `z`",
        ),
        (
            "{\"input\":{\"Go\":{\"n\":-1,\"k\":\"Red\"}}}",
            "-1 is out of range for u8",
        ),
        (
            "{\"input\":{\"Go\":{\"n\":1.5,\"k\":\"Red\"}}}",
            "expected `u8`",
        ),
        (
            "{\"input\":{\"Go\":{\"n\":1,\"k\":\"Blue\"}}}",
            "no variant `Blue`",
        ),
        ("{\"input\":7}", "must be \"Name\""),
        ("{\"input\":{\"Go\":{},\"Stop\":{}}}", "must be \"Name\""),
        (
            "{\"input\":\"Stop\",\"step\":{},\"rejected\":{}}",
            "not both",
        ),
        (
            "{\"input\":\"Stop\",\"step\":1}",
            "`step` must be an object",
        ),
        (
            "{\"input\":\"Stop\",\"step\":{\"from\":\"A\",\"to\":\"A\",\"effects\":[]}}",
            "needs `transition`",
        ),
        (
            "{\"input\":\"Stop\",\"step\":{\"transition\":1,\"from\":\"A\",\"to\":\"A\",\"effects\":[]}}",
            "string or null",
        ),
        (
            "{\"input\":\"Stop\",\"step\":{\"transition\":null,\"to\":\"A\",\"effects\":[]}}",
            "needs `from`",
        ),
        (
            "{\"input\":\"Stop\",\"step\":{\"transition\":null,\"from\":1,\"to\":\"A\",\"effects\":[]}}",
            "`from` of `step` must be a string",
        ),
        (
            "{\"input\":\"Stop\",\"step\":{\"transition\":null,\"from\":\"A\",\"to\":\"A\"}}",
            "needs `effects`",
        ),
        (
            "{\"input\":\"Stop\",\"step\":{\"transition\":null,\"from\":\"A\",\"to\":\"A\",\"effects\":{}}}",
            "must be an array",
        ),
        (
            "{\"input\":\"Stop\",\"step\":{\"transition\":null,\"from\":\"A\",\"to\":\"A\",\"effects\":[],\"x\":1}}",
            "unknown key `x` in `step`",
        ),
        (
            "{\"input\":\"Stop\",\"rejected\":[]}",
            "`rejected` must be an object",
        ),
        ("{\"input\":\"Stop\",\"rejected\":{}}", "needs `kind`"),
        (
            "{\"input\":\"Stop\",\"rejected\":{\"kind\":\"nope\"}}",
            "unknown rejection kind `nope`",
        ),
        (
            "{\"input\":\"Stop\",\"rejected\":{\"kind\":\"guard_rejected\",\"transition\":\"go\"}}",
            "needs `guard`",
        ),
        (
            "{\"input\":\"Stop\",\"rejected\":{\"kind\":\"no_matching_transition\",\"transition\":\"go\"}}",
            "has no `transition`",
        ),
        (
            "{\"input\":\"Stop\",\"rejected\":{\"kind\":\"arithmetic_overflow\"}}",
            "needs `transition`",
        ),
        (
            "{\"input\":\"Stop\",\"rejected\":{\"kind\":\"invariant_violated\",\"transition\":\"go\"}}",
            "needs `invariant`",
        ),
        (
            "{\"input\":\"Stop\",\"rejected\":{\"kind\":\"guard_rejected\",\"transition\":\"go\",\"guard\":\"g\",\"invariant\":\"i\"}}",
            "has no `invariant`",
        ),
        (
            "{\"input\":\"Stop\",\"rejected\":{\"kind\":\"guard_rejected\",\"transition\":\"go\",\"guard\":3}}",
            "`guard` of `rejected` must be a string",
        ),
        (
            "{\"input\":\"Stop\",\"rejected\":{\"kind\":\"arithmetic_overflow\",\"transition\":\"go\",\"why\":1}}",
            "unknown key `why`",
        ),
    ];
    for (line, wanted) in cases {
        let message = line_err(&m, line);
        assert!(message.contains(wanted), "{line}: {message}");
    }
}

#[test]
fn values_are_checked_against_their_types() {
    let m = model(SPEC);
    let put = |fields: &str| format!("{{\"input\":{{\"Put\":{{{fields}}}}}}}");
    let ok = "\"t\":\"x\",\"xs\":[1],\"m\":{\"a\":null,\"b\":-2},\"l\":[true],\"p\":\"B\"";
    assert!(parse(&m, &format!("{HEADER}\n{}\n", put(ok))).is_ok());
    let cases = [
        (ok.replace("\"t\":\"x\"", "\"t\":1"), "expected `Token`"),
        (ok.replace("[1]", "[1,256]"), "256 is out of range for u8"),
        (
            ok.replace("\"b\":-2", "\"b\":-200"),
            "-200 is out of range for i8",
        ),
        (ok.replace("[true]", "[1]"), "expected `bool`"),
        (ok.replace("\"B\"", "\"C\""), "no phase `C`"),
        (ok.replace("[1]", "{}"), "expected `Set<u8>`"),
        (
            ok.replace("{\"a\":null,\"b\":-2}", "[]"),
            "expected `Map<String, Option<i8>>`",
        ),
    ];
    for (fields, wanted) in cases {
        let message = line_err(&m, &put(&fields));
        assert!(message.contains(wanted), "{fields}: {message}");
        assert!(message.contains("of input `Put`"), "{message}");
    }
    // Map keys are read by their type.
    let keyed = model(
        "machine K { phases { A } initial A enum E { X } \
         input I(a: Map<u8, bool>, b: Map<bool, u8>, c: Map<E, u8>, d: Map<Phase, u8>) \
         transition t on I from A -> stay }",
    );
    let line = |fields: &str| {
        format!("{{\"fsm_trace\":1,\"machine\":\"K\"}}\n{{\"input\":{{\"I\":{{{fields}}}}}}}\n")
    };
    let good = "\"a\":{\"1\":true},\"b\":{\"true\":1},\"c\":{\"X\":1},\"d\":{\"A\":1}";
    assert!(parse(&keyed, &line(good)).is_ok());
    for (bad, wanted) in [
        (good.replace("\"1\":true", "\"x\":true"), "as a map key"),
        (
            good.replace("\"1\":true", "\"999\":true"),
            "999 is out of range",
        ),
        (
            good.replace("\"true\":1", "\"yes\":1"),
            "a bool as a map key",
        ),
        (good.replace("\"X\":1", "\"Y\":1"), "no variant `Y`"),
        (good.replace("\"A\":1", "\"Z\":1"), "no phase `Z`"),
    ] {
        let e = parse_err(&keyed, &line(&bad));
        assert!(e.message.contains(wanted), "{bad}: {}", e.message);
    }
    // Integers beyond 64 bits are read from strings, and deep nesting stops.
    let big = model(
        "machine G { phases { A } initial A input I(x: Option<Option<u64>>) transition t on I from A -> stay }",
    );
    let deep = format!("{}1{}", "[".repeat(80), "]".repeat(80));
    assert!(
        value_from_json(
            &big,
            &serde_json::from_str(&deep).expect("json"),
            &Ty::List(Box::new(Ty::Bool)),
            0
        )
        .is_err()
    );
    let nested = (0..70).fold(Ty::Bool, |t, _| Ty::Option(Box::new(t)));
    let e = value_from_json(&big, &Json::Bool(true), &nested, 0).expect_err("too deep");
    assert!(e.contains("nests too deeply"), "{e}");
    assert_eq!(
        value_from_json(
            &big,
            &Json::String("18446744073709551615".into()),
            &Ty::Int(fsm_core::model::IntTy::U64),
            0
        ),
        Ok(Value::Int(u64::MAX.into()))
    );
}

#[test]
fn typed_inputs_read_every_kind_of_value() {
    let m = model(SPEC);
    let put = parse_input(
        &m,
        "Put(t: \"t1\", xs: [LIMIT], m: [\"k\": some(-3)], l: [], p: B)",
    )
    .expect("reads");
    assert_eq!(
        put.args[2],
        Value::Map(
            [(
                Value::Str("k".into()),
                Value::Some(Box::new(Value::Int(-3)))
            )]
            .into()
        )
    );
    assert_eq!(put.args[4], Value::Phase(fsm_core::model::PhaseId(1)));
    assert_eq!(put.args[1], Value::Set([Value::Int(7)].into()));
    let go = parse_input(&m, "Go(1, Green)").expect("reads");
    assert_eq!(eval::render_input(&m, &go), "Go(1, Kind::Green)");
    assert_eq!(parse_input(&m, "Stop").expect("reads").args, vec![]);
    assert_eq!(parse_input(&m, "Stop()").expect("reads").args, vec![]);
    assert_eq!(
        parse_value(&m, "front", &Ty::String),
        Ok(Value::Str("front".into()))
    );
    assert_eq!(
        parse_value(&m, "\"a b\"", &Ty::String),
        Ok(Value::Str("a b".into()))
    );
    assert_eq!(
        parse_value(&m, "-0", &Ty::Int(fsm_core::model::IntTy::I8)),
        Ok(Value::Int(0))
    );
}

#[test]
fn typed_input_errors_name_the_problem_and_the_parameters() {
    let m = model(SPEC);
    let shape = "`Go(n: u8, k: Kind)`";
    let cases = [
        ("", "expected an input name"),
        ("3", "expected an input name, found `3`"),
        ("Nope", "no input `Nope` (its inputs: Go, Stop, Put)"),
        ("Go", "needs a value for `n`"),
        ("Go(1)", "needs a value for `k`"),
        ("Go(1, Red, 3)", "takes 2 arguments, got more"),
        ("Go(300, Red)", "300 is out of range for u8"),
        ("Go(-1, Red)", "-1 is out of range for u8"),
        ("Go(-x, Red)", "expected `u8`, found `x`"),
        ("Go(1, Blue)", "no variant `Blue`"),
        (
            "Go(1, Color::Red)",
            "expected a variant of `Kind`, found `Color::…`",
        ),
        ("Go(1, Kind::3)", "expected a variant name after `Kind::`"),
        ("Go(1 Red)", "expected `,` or `)`"),
        ("Go(n: 1, Red)", "once one argument is named, all are"),
        ("Go(n: 1, z: Red)", "has no parameter `z`"),
        ("Go(n: 1, n: 2)", "given twice"),
        ("Go(LIMIT, Red)", ""),
        ("Go(1, LIMIT)", "constant `LIMIT` is `u8`, not `Kind`"),
        ("Go(1, Red) x", "unexpected `x` after the input"),
        ("Go[1]", "expected `(` or the end after `Go`"),
        ("Go(\"x, Red)", "unterminated"),
    ];
    for (text, wanted) in cases {
        match parse_input(&m, text) {
            Ok(_) if wanted.is_empty() => {}
            Ok(v) => panic!("{text}: read {v:?}"),
            Err(e) => {
                assert!(!wanted.is_empty(), "{text}: {e}");
                assert!(
                    e.to_lowercase().contains(&wanted.to_lowercase()),
                    "{text}: {e}"
                );
                if text.starts_with("Go(")
                    && !wanted.contains("unterminated")
                    && !text.ends_with(" x")
                {
                    assert!(e.contains(shape), "{text}: {e}");
                }
            }
        }
    }
    let put = |args: &str| parse_input(&m, &format!("Put({args})")).expect_err("refused");
    for (args, wanted) in [
        ("1, [], [], [], A", "expected `Token`"),
        ("\"t\", [1 2], [], [], A", "expected `,` or `]`"),
        ("\"t\", [], [\"k\" none], [], A", "expected `:`"),
        (
            "\"t\", [], [\"k\": some(1], [], A",
            "expected `)` after `some(…`",
        ),
        ("\"t\", [], [\"k\": some 1], [], A", "expected `(`"),
        ("\"t\", [], [], [], Phase:A", "no phase `Phase`"),
        ("\"t\", [], [], [], Phase::3", "expected a phase name"),
        ("\"t\", [], [], [], Z", "no phase `Z`"),
    ] {
        let e = put(args);
        assert!(e.contains(wanted), "{args}: {e}");
    }
    let e = parse_value(&m, "3 4", &Ty::Int(fsm_core::model::IntTy::U8)).expect_err("refused");
    assert!(e.contains("unexpected `4` after the value"), "{e}");
    let deep = format!("{}1{}", "some(".repeat(80), ")".repeat(80));
    let nested = (0..80).fold(Ty::Int(fsm_core::model::IntTy::U8), |t, _| {
        Ty::Option(Box::new(t))
    });
    assert!(
        parse_value(&m, &deep, &nested)
            .expect_err("deep")
            .contains("nests too deeply")
    );
}

#[test]
fn divergences_name_what_differs() {
    let m = model(SPEC);
    let step = |t: Option<&str>, from: &str, to: &str, effects: Vec<Json>| Recorded::Step {
        transition: t.map(str::to_owned),
        from: from.to_owned(),
        to: to.to_owned(),
        effects,
    };
    let went = serde_json::json!({"Went": {"n": 1}});
    let base = step(Some("go"), "A", "B", vec![went.clone()]);
    assert_eq!(compare(&m, &base, &base), None);
    let what = |other: &Recorded| compare(&m, &base, other).map(|d| d.what);
    assert_eq!(
        what(&step(Some("stop"), "A", "B", vec![went.clone()])).as_deref(),
        Some("the transition")
    );
    assert_eq!(
        what(&step(Some("go"), "B", "B", vec![went.clone()])).as_deref(),
        Some("the phase before the input")
    );
    assert_eq!(
        what(&step(Some("go"), "A", "A", vec![went.clone()])).as_deref(),
        Some("the phase after the input")
    );
    assert_eq!(
        what(&step(Some("go"), "A", "B", vec![])).as_deref(),
        Some("the effects")
    );
    let guard = Recorded::Rejected(Rejection {
        kind: RejectionKind::GuardRejected,
        transition: Some("go".into()),
        guard: Some("small".into()),
        invariant: None,
    });
    let d = compare(&m, &base, &guard).expect("differs");
    assert_eq!(d.expected, "transition go: A -> B, effects Went(1)");
    assert_eq!(
        d.recorded,
        "rejected (guard_rejected): guard small of transition go"
    );
    assert!(d.what.contains("records a rejection"));
    let none = Recorded::Rejected(Rejection {
        kind: RejectionKind::NoMatchingTransition,
        transition: None,
        guard: None,
        invariant: None,
    });
    assert_eq!(
        compare(&m, &guard, &none).map(|d| d.what).as_deref(),
        Some("the kind of rejection")
    );
    assert!(
        compare(&m, &none, &base)
            .expect("differs")
            .what
            .contains("records a step")
    );
    assert_eq!(describe(&m, &step(None, "A", "A", vec![])), "ignored in A");
    assert_eq!(
        effect_text(&m, &serde_json::json!({"Gone": 1})),
        "{\"Gone\":1}"
    );
}
