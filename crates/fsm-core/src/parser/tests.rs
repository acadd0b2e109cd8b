//! Parser tests: the shape of every construct, recovery, limits.

use super::*;
use crate::ast::*;

const LANGUAGE_DOC: &str = include_str!("../../../../docs/language.md");
const MACHINES: &[(&str, &str)] = &[
    (
        "auth_lease.fsm",
        include_str!("../../../../machines/auth_lease.fsm"),
    ),
    (
        "tool_surface.fsm",
        include_str!("../../../../machines/tool_surface.fsm"),
    ),
    ("turn.fsm", include_str!("../../../../machines/turn.fsm")),
];

fn parse_text(text: &str) -> (File, Vec<Diagnostic>) {
    let source = SourceFile::new("test.fsm", text);
    let (file, diags) = parse(&source);
    for d in &diags {
        for l in &d.labels {
            assert!(
                l.span.start <= l.span.end && l.span.end as usize <= text.len(),
                "label outside the file: {d:?}"
            );
        }
    }
    (file, diags)
}

fn parse_ok(text: &str) -> File {
    let (file, diags) = parse_text(text);
    assert!(
        diags.is_empty(),
        "unexpected diagnostics for {text:?}: {diags:#?}"
    );
    file
}

/// The items of `machine M { body }`.
fn items(body: &str) -> Vec<Item> {
    let mut file = parse_ok(&format!("machine M {{\n{body}\n}}\n"));
    file.machines.remove(0).items
}

fn item(body: &str) -> ItemKind {
    let mut all = items(body);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0).kind
}

/// Parses `guards { g: <expr> }` and returns the expression.
fn expr(text: &str) -> Expr {
    match item(&format!("guards {{ g: {text} }}")) {
        ItemKind::Guards(mut gs) if gs.len() == 1 => gs.remove(0).expr,
        other => panic!("{other:?}"),
    }
}

fn stmts(body: &str) -> Vec<Stmt> {
    match item(&format!("transition t on I from A -> B {{\n{body}\n}}")) {
        ItemKind::Transition(t) => t.body.expect("a body").stmts,
        other => panic!("{other:?}"),
    }
}

/// A compact rendering of an expression tree.
fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::None => "none".into(),
        ExprKind::Some(x) => format!("(some {})", sx(x)),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Path(a, b) => format!("{}::{}", a.name, b.name),
        ExprKind::List(xs) => format!("[{}]", xs.iter().map(sx).collect::<Vec<_>>().join(" ")),
        ExprKind::Unary(UnaryOp::Not, x) => format!("(! {})", sx(x)),
        ExprKind::Unary(UnaryOp::Neg, x) => format!("(neg {})", sx(x)),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", op.as_str(), sx(a), sx(b)),
        ExprKind::Method {
            receiver,
            method,
            args,
        } => {
            let mut s = format!("(.{} {}", method.name, sx(receiver));
            for a in args {
                s.push(' ');
                s.push_str(&sx(a));
            }
            s.push(')');
            s
        }
        ExprKind::Quant {
            kind,
            var,
            coll,
            body,
        } => format!(
            "({} {} {} {})",
            if *kind == Quantifier::All {
                "all"
            } else {
                "any"
            },
            var.name,
            sx(coll),
            sx(body)
        ),
        ExprKind::Paren(x) => format!("[{}]", sx(x))
            .replacen('[', "(paren ", 1)
            .replacen(']', ")", 1),
        ExprKind::Error => "<error>".into(),
    }
}

fn names(ids: &[Ident]) -> Vec<&str> {
    ids.iter().map(|i| i.name.as_str()).collect()
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

// --- shapes

#[test]
fn machine_with_docs_and_comments() {
    let text = "// head\n/// The machine.\n/// Second line.\nmachine Lease { // after brace\n}\n";
    let file = parse_ok(text);
    assert_eq!(file.machines.len(), 1);
    let m = &file.machines[0];
    assert_eq!(m.name.name, "Lease");
    assert_eq!(m.docs.lines, vec!["The machine.", "Second line."]);
    assert_eq!(&text[m.span.range()], "machine Lease { // after brace\n}");
    let docs_span = m.docs.span.expect("docs span");
    assert_eq!(
        &text[docs_span.range()],
        "/// The machine.\n/// Second line."
    );
    assert_eq!(file.comments.len(), 2);
    assert_eq!(file.comments[0].text, " head");
    assert_eq!(&text[file.comments[1].span.range()], "// after brace");
}

#[test]
fn simple_items() {
    let all = items(
        "key lease: LeaseKey\n\
         extern LeaseKey = crate::handles::LeaseKey\n\
         initial Valid\n\
         terminal Released, Gone\n\
         input BeginRefresh\n\
         input Acquire(expires_at_ts: Option<u64>, n: Map<String, List<u8>>,)\n\
         effect Changed(phase: Phase)\n\
         ignore MarkExpiring, BeginRefresh in ReauthRequired\n\
         ignore Shutdown in * except A | B",
    );
    let kinds: Vec<_> = all.iter().map(|i| &i.kind).collect();
    match kinds[0] {
        ItemKind::Key { name, ty } => {
            assert_eq!(name.name, "lease");
            assert_eq!(ty.name.name, "LeaseKey");
        }
        k => panic!("{k:?}"),
    }
    match kinds[1] {
        ItemKind::Extern { name, path } => {
            assert_eq!(name.name, "LeaseKey");
            assert_eq!(names(path), ["crate", "handles", "LeaseKey"]);
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(kinds[2], ItemKind::Initial(i) if i.name == "Valid"));
    assert!(matches!(kinds[3], ItemKind::Terminal(ids) if names(ids) == ["Released", "Gone"]));
    assert!(
        matches!(kinds[4], ItemKind::Input(s) if s.name.name == "BeginRefresh" && s.params.is_empty())
    );
    match kinds[5] {
        ItemKind::Input(sig) => {
            assert_eq!(sig.params.len(), 2);
            let ty = &sig.params[1].ty;
            assert_eq!(ty.name.name, "Map");
            assert_eq!(ty.args[1].name.name, "List");
            assert_eq!(ty.args[1].args[0].name.name, "u8");
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(kinds[6], ItemKind::Effect(s) if s.params[0].ty.name.name == "Phase"));
    match kinds[7] {
        ItemKind::Ignore {
            inputs,
            sources: Sources::List(phases),
            span,
        } => {
            assert_eq!(names(inputs), ["MarkExpiring", "BeginRefresh"]);
            assert_eq!(names(phases), ["ReauthRequired"]);
            assert_eq!(*span, all[7].span);
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(
        kinds[8],
        ItemKind::Ignore { sources: Sources::All { except, .. }, .. } if names(except) == ["A", "B"]
    ));
}

#[test]
fn type_spans_and_split_ge() {
    let text = "machine M { state { a: Option<Set<u8>>= none } }";
    let file = parse_ok(text);
    let ItemKind::State(fields) = &file.machines[0].items[0].kind else {
        panic!()
    };
    assert_eq!(&text[fields[0].ty.span.range()], "Option<Set<u8>>");
    assert_eq!(&text[fields[0].span.range()], "a: Option<Set<u8>>= none");
    assert_eq!(fields[0].init.kind, ExprKind::None);
}

#[test]
fn enums_phases_and_fields_carry_docs() {
    let all = items(
        "/// Why.\nenum Failure {\n    /// Later.\n    Transient,\n    Permanent\n}\n\
         phases { A, /// bee\n B, }\n\
         state {\n    /// Count.\n    n: u32 = 0\n    s: Set<String> = [];\n}",
    );
    assert_eq!(all[0].docs.lines, ["Why."]);
    match &all[0].kind {
        ItemKind::Enum {
            name,
            variants,
            rust_path,
        } => {
            assert!(rust_path.is_none());
            assert_eq!(name.name, "Failure");
            assert_eq!(variants[0].docs.lines, ["Later."]);
            assert!(variants[1].docs.is_empty());
        }
        k => panic!("{k:?}"),
    }
    match &all[1].kind {
        ItemKind::Phases(vs) => {
            assert_eq!(vs.len(), 2);
            assert_eq!(vs[1].docs.lines, ["bee"]);
        }
        k => panic!("{k:?}"),
    }
    match &all[2].kind {
        ItemKind::State(fields) => {
            assert_eq!(fields.len(), 2);
            assert_eq!(fields[0].docs.lines, ["Count."]);
            assert_eq!(fields[1].ty.args[0].name.name, "String");
            assert_eq!(fields[1].init.kind, ExprKind::List(vec![]));
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn guards_derives_invariants() {
    let all = items(
        "guards {\n    /// Open.\n    operating: surface_phase == Operating;\n    \
         matches(\n        /// The run.\n        run: RunId,\n        n: u8,\n    ): current == some(run)\n}\n\
         guards {}\n\
         derive is_live: bool = credential_present && phase != Released\n\
         invariant held: phase != Released || !credential_present",
    );
    match &all[0].kind {
        ItemKind::Guards(gs) => {
            assert_eq!(gs.len(), 2);
            assert_eq!(gs[0].name.name, "operating");
            assert_eq!(gs[0].docs.lines, ["Open."]);
            assert!(gs[0].params.is_empty());
            assert_eq!(sx(&gs[0].expr), "(== surface_phase Operating)");
            assert_eq!(gs[1].params.len(), 2);
            assert_eq!(gs[1].params[0].docs.lines, ["The run."]);
            assert!(gs[1].params[1].docs.is_empty());
            assert_eq!(sx(&gs[1].expr), "(== current (some run))");
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(&all[1].kind, ItemKind::Guards(g) if g.is_empty()));
    match &all[2].kind {
        ItemKind::Derive { name, ty, value } => {
            assert_eq!(name.name, "is_live");
            assert_eq!(ty.name.name, "bool");
            assert_eq!(sx(value), "(&& credential_present (!= phase Released))");
        }
        k => panic!("{k:?}"),
    }
    match &all[3].kind {
        ItemKind::Invariant { expr, .. } => {
            assert_eq!(sx(expr), "(|| (!= phase Released) (! credential_present))")
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn actions_constants_phase_sets_and_bound_enums() {
    let all = items(
        "/// Reset.\naction reset(\n    /// How far.\n    to: u8,\n) {\n    n = to\n    do log\n    do log(1, target)\n}\n\
         action log {}\n\
         const MAX: u64 = 30_000\n\
         /// Done.\nphases Done = B | C\n\
         enum K = crate::k::K { X }\n\
         transition t on I from A -> B\n    guard g(a, b + 1)\n    guard h\n    guard l: a > 0",
    );
    match &all[0].kind {
        ItemKind::Action(a) => {
            assert_eq!(a.name.name, "reset");
            assert_eq!(a.params[0].docs.lines, ["How far."]);
            let kinds: Vec<String> = a
                .body
                .stmts
                .iter()
                .map(|s| match &s.kind {
                    StmtKind::Do { action, args } => format!("do {} {}", action.name, args.len()),
                    _ => "other".into(),
                })
                .collect();
            assert_eq!(kinds, ["other", "do log 0", "do log 2"]);
            let StmtKind::Do { args, .. } = &a.body.stmts[2].kind else {
                panic!()
            };
            assert_eq!(sx(&args[1]), "target");
        }
        k => panic!("{k:?}"),
    }
    assert_eq!(all[0].docs.lines, ["Reset."]);
    assert!(
        matches!(&all[1].kind, ItemKind::Action(a) if a.params.is_empty() && a.body.stmts.is_empty())
    );
    assert!(matches!(&all[2].kind, ItemKind::Const { name, .. } if name.name == "MAX"));
    match &all[3].kind {
        ItemKind::PhaseSet { name, phases } => {
            assert_eq!(name.name, "Done");
            assert_eq!(names(phases), ["B", "C"]);
        }
        k => panic!("{k:?}"),
    }
    assert_eq!(all[3].docs.lines, ["Done."]);
    assert!(
        matches!(&all[4].kind, ItemKind::Enum { rust_path: Some(p), .. } if names(p) == ["crate", "k", "K"])
    );
    match &all[5].kind {
        ItemKind::Transition(t) => {
            assert_eq!(t.guards.len(), 3);
            assert_eq!(t.guards[0].args.len(), 2);
            assert!(t.guards[0].expr.is_none());
            assert!(t.guards[1].args.is_empty() && t.guards[1].expr.is_none());
            assert!(t.guards[2].expr.is_some());
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn guard_lines_outside_transitions_are_one_error() {
    let (file, diags) = parse_text(
        "machine M {\n    guard g: a > 0\n    guard h\n    input I\n    transition t on I from A -> B {\n    }\n    guard k: b\n}\n",
    );
    assert_eq!(
        codes(&diags),
        ["FSM0010", "FSM0010", "FSM0010"],
        "{diags:#?}"
    );
    assert!(
        diags
            .iter()
            .all(|d| d.help.as_deref() == Some("machine-level guards go in a `guards { }` block"))
    );
    // Kept, so that the transitions using them are still checked.
    let kept = file.machines[0]
        .items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::Guards(_)))
        .count();
    assert_eq!(kept, 3);
    // `target` is not a statement.
    let (_, diags) = parse_text("machine M { transition t on I from A -> B { target = A } }");
    assert_eq!(
        diags[0].message,
        "expected a statement, found keyword `target`"
    );
}

#[test]
fn transitions() {
    let text = "machine M {\n\
        /// Doc.\n\
        transition refresh_failed_transient\n    on RefreshFailed from Refreshing -> Expiring\n\
        \x20   guard transient: disposition == Transient\n    guard ops\n{\n\
        \x20   refresh_attempt += 1\n    emit LifecycleChanged(Expiring, generation)\n}\n\
        transition a on X from * -> stay\n\
        transition b on X from A | B -> C {}\n\
        }";
    let file = parse_ok(text);
    let all = &file.machines[0].items;
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].docs.lines, ["Doc."]);
    let ItemKind::Transition(t) = &all[0].kind else {
        panic!()
    };
    assert_eq!(t.name.name, "refresh_failed_transient");
    assert_eq!(t.input.name, "RefreshFailed");
    assert!(matches!(&t.sources, Sources::List(p) if names(p) == ["Refreshing"]));
    assert!(matches!(&t.target, Target::Phase(p) if p.name == "Expiring"));
    assert_eq!(t.guards.len(), 2);
    assert_eq!(
        &text[t.guards[0].span.range()],
        "guard transient: disposition == Transient"
    );
    assert!(t.guards[1].expr.is_none());
    let body = t.body.as_ref().unwrap();
    assert_eq!(body.stmts.len(), 2);
    assert!(text[body.span.range()].starts_with('{') && text[body.span.range()].ends_with('}'));
    assert!(
        text[all[0].span.range()].starts_with("transition")
            && text[all[0].span.range()].ends_with('}')
    );

    let ItemKind::Transition(t) = &all[1].kind else {
        panic!()
    };
    assert!(matches!(&t.sources, Sources::All { except, .. } if except.is_empty()));
    assert!(matches!(t.target, Target::Stay(s) if &text[s.range()] == "stay"));
    assert!(t.body.is_none());
    let ItemKind::Transition(t) = &all[2].kind else {
        panic!()
    };
    assert!(t.body.as_ref().is_some_and(|b| b.stmts.is_empty()));
}

#[test]
fn statements() {
    let s = stmts(
        "x = 1\n y += 2; z -= 3\n pending.insert(\"a\")\n m.insert(k, v)\n m.clear()\n\
         emit Done\n emit E(a, b,)\n emit E(x: a, y: b + 1)\n\
         if a { x = 1 } else if b { x = 2 } else { x = 3 }\n if c {}",
    );
    assert_eq!(s.len(), 11);
    assert!(
        matches!(&s[0].kind, StmtKind::Assign { target, op: AssignOp::Set, value } if target.name == "x" && sx(value) == "1")
    );
    assert!(matches!(
        &s[1].kind,
        StmtKind::Assign {
            op: AssignOp::Add,
            ..
        }
    ));
    assert!(matches!(
        &s[2].kind,
        StmtKind::Assign {
            op: AssignOp::Sub,
            ..
        }
    ));
    assert!(
        matches!(&s[3].kind, StmtKind::Call { target, method, args } if target.name == "pending" && method.name == "insert" && args.len() == 1)
    );
    assert!(matches!(&s[4].kind, StmtKind::Call { args, .. } if args.len() == 2));
    assert!(matches!(&s[5].kind, StmtKind::Call { args, .. } if args.is_empty()));
    assert!(
        matches!(&s[6].kind, StmtKind::Emit { effect, args } if effect.name == "Done" && args.is_empty())
    );
    assert!(
        matches!(&s[7].kind, StmtKind::Emit { args, .. } if args.len() == 2 && args[0].name.is_none())
    );
    match &s[8].kind {
        StmtKind::Emit { args, .. } => {
            assert_eq!(args[0].name.as_ref().unwrap().name, "x");
            assert_eq!(sx(&args[1].value), "(+ b 1)");
        }
        k => panic!("{k:?}"),
    }
    match &s[9].kind {
        StmtKind::If {
            cond,
            then,
            otherwise: Some(Else::If(elif)),
        } => {
            assert_eq!(sx(cond), "a");
            assert_eq!(then.stmts.len(), 1);
            match &elif.kind {
                StmtKind::If {
                    otherwise: Some(Else::Block(b)),
                    ..
                } => assert_eq!(b.stmts.len(), 1),
                k => panic!("{k:?}"),
            }
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn expression_precedence() {
    let cases = [
        ("a || b && c", "(|| a (&& b c))"),
        ("a && b || c", "(|| (&& a b) c)"),
        ("a == b && c != d", "(&& (== a b) (!= c d))"),
        ("a + b * c - d % e / f", "(- (+ a (* b c)) (/ (% d e) f))"),
        ("a - b - c", "(- (- a b) c)"),
        (
            "!a.is_empty() && -x < 3",
            "(&& (! (.is_empty a)) (< (neg x) 3))",
        ),
        ("x in [A, B]", "(in x [A B])"),
        ("phase in [Valid, Expiring]", "(in phase [Valid Expiring])"),
        ("s.get_or(k, 0) >= 1_000", "(>= (.get_or s k 0) 1000)"),
        (
            "a.first().unwrap_or(b).len()",
            "(.len (.unwrap_or (.first a) b))",
        ),
        ("some(x) == none", "(== (some x) none)"),
        (
            "Phase::Valid != RefreshFailure::Transient",
            "(!= Phase::Valid RefreshFailure::Transient)",
        ),
        ("\"a\\tb\" == s", "(== \"a\\tb\" s)"),
        ("(a || b) && c", "(&& (paren (|| a b)) c)"),
        ("all x in s: x > 0 && y", "(all x s (&& (> x 0) y))"),
        (
            "(any k in m: m.get_or(k, 0) == 1) || z",
            "(|| (paren (any k m (== (.get_or m k 0) 1))) z)",
        ),
        ("a && all x in s: p || q", "(&& a (all x s (|| p q)))"),
        ("- - 1", "(neg (neg 1))"),
        ("true != false", "(!= true false)"),
    ];
    for (text, want) in cases {
        assert_eq!(sx(&expr(text)), want, "{text}");
    }
}

#[test]
fn expression_spans() {
    let text = "machine M { guards { g: !a.len() + (b) } }";
    let file = parse_ok(text);
    let ItemKind::Guards(g) = &file.machines[0].items[0].kind else {
        panic!()
    };
    let e = &g[0].expr;
    assert_eq!(&text[e.span.range()], "!a.len() + (b)");
    let ExprKind::Binary(_, l, r) = &e.kind else {
        panic!()
    };
    assert_eq!(&text[l.span.range()], "!a.len()");
    assert_eq!(&text[r.span.range()], "(b)");
}

#[test]
fn verify_settings() {
    let text = "machine M { verify {\n\
        domain u64 = 0..3                 // every u64\n\
        domain u8 = 1..=2\n\
        domain Acquire.expires_at_ts = [none, some(10)]\n\
        domain LeaseKey = [\"k1\", \"k2\"];\n\
        max_collection 2\n max_depth 12\n max_states 1_000_000\n\
        reach can_refresh: phase == Refreshing\n} }";
    let file = parse_ok(text);
    let ItemKind::Verify(settings) = &file.machines[0].items[0].kind else {
        panic!()
    };
    assert_eq!(settings.len(), 8);
    match &settings[0].kind {
        VerifyKind::Domain {
            target: DomainTarget::Type(t),
            values:
                DomainValues::Range {
                    lo: 0,
                    hi: 3,
                    inclusive: false,
                    span,
                },
        } => {
            assert_eq!(t.name.name, "u64");
            assert_eq!(&text[span.range()], "0..3");
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(
        &settings[1].kind,
        VerifyKind::Domain {
            values: DomainValues::Range {
                inclusive: true,
                hi: 2,
                ..
            },
            ..
        }
    ));
    assert!(
        matches!(&settings[2].kind, VerifyKind::Domain { target: DomainTarget::Param { input, param }, values: DomainValues::List(v, _) } if input.name == "Acquire" && param.name == "expires_at_ts" && v.len() == 2)
    );
    assert!(matches!(&settings[4].kind, VerifyKind::MaxCollection(2, _)));
    assert!(matches!(&settings[5].kind, VerifyKind::MaxDepth(12, _)));
    assert!(
        matches!(&settings[6].kind, VerifyKind::MaxStates(1_000_000, s) if &text[s.range()] == "1_000_000")
    );
    assert!(
        matches!(&settings[7].kind, VerifyKind::Reach { name, .. } if name.name == "can_refresh")
    );
    assert_eq!(
        &text[settings[7].span.range()],
        "reach can_refresh: phase == Refreshing"
    );
}

#[test]
fn contextual_keywords_are_names_outside_verify() {
    let all = items("state { domain: u8 = 0 reach: bool = max_depth }");
    assert!(
        matches!(&all[0].kind, ItemKind::State(f) if f[0].name.name == "domain" && f[1].name.name == "reach")
    );
}

#[test]
fn semicolons_are_optional() {
    let all = items("input A; input B;; state { x: u8 = 0; };");
    assert_eq!(all.len(), 3);
}

// --- the reference and the bundled machines

/// The ```fsm blocks of the language reference.
fn doc_examples() -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = LANGUAGE_DOC.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```fsm" {
            let mut block = String::new();
            for l in lines.by_ref() {
                if l.trim() == "```" {
                    break;
                }
                block.push_str(l);
                block.push('\n');
            }
            out.push(block);
        }
    }
    out
}

/// A doc example as a whole file: fragments are put in a machine, and the
/// `{ ... }` placeholders of the guard examples become empty blocks.
pub(crate) fn doc_example_files() -> Vec<String> {
    doc_examples()
        .into_iter()
        .map(|b| {
            let b = b.replace("{ ... }", "{}");
            if b.lines().any(|l| l.starts_with("machine ")) {
                b
            } else {
                format!("machine Example {{\n{b}}}\n")
            }
        })
        .collect()
}

#[test]
fn every_example_of_the_reference_parses() {
    let examples = doc_example_files();
    assert!(examples.len() >= 12, "found {} examples", examples.len());
    for text in examples {
        let file = parse_ok(&text);
        assert_eq!(file.machines.len(), 1);
    }
}

#[test]
fn the_bundled_machines_parse() {
    for (name, text) in MACHINES {
        let (file, diags) = parse_text(text);
        assert!(diags.is_empty(), "{name}: {diags:#?}");
        assert_eq!(file.machines.len(), 1, "{name}");
        assert!(file.machines[0].items.len() > 5);
    }
}

// --- errors and recovery

#[test]
fn three_independent_errors_give_three_diagnostics() {
    let text = "machine M {\n\
        state {\n    a: u8 = 0\n    b: = 1\n    c: bool = true\n}\n\
        input Go(x u8)\n\
        transition t on Go from A -> B {\n    a = 1 +\n    c = false\n}\n\
        invariant ok: c\n\
        }\n";
    let (file, diags) = parse_text(text);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    assert!(diags.iter().all(|d| d.code == Code::Syntax));
    let m = &file.machines[0];
    // Everything that could be kept is kept, the field without a type too
    // (so that its uses are not reported).
    assert_eq!(m.items.len(), 4);
    assert!(
        matches!(&m.items[0].kind, ItemKind::State(f) if names(&f.iter().map(|f| f.name.clone()).collect::<Vec<_>>()) == ["a", "b", "c"])
    );
    assert!(
        matches!(&m.items[2].kind, ItemKind::Transition(t) if t.body.as_ref().unwrap().stmts.len() == 1)
    );
}

#[test]
fn an_if_missing_a_brace_before_or_after_its_block_gives_one_error() {
    for body in [
        "if a > 0\n    b = 1\n} else {\n    b = 2\n}",
        "if a > 0 {\n    b = 1\nelse {\n    b = 2\n}",
        "if a > 0 {\n    b = 1\n} else if a > 1 {\n    b = 2\nelse {\n    b = 3\n}",
    ] {
        let text = format!(
            "machine M {{\ntransition t on Go from A -> B {{\n{body}\n    c = 3\n}}\ninvariant ok: c > 0\n}}\n"
        );
        let (file, diags) = parse_text(&text);
        assert_eq!(diags.len(), 1, "{text}\n{diags:#?}");
        assert!(
            diags[0].message.contains("expected `{`") || diags[0].message.contains("expected `}`")
        );
        // The statement after the `if` and the next item are kept.
        let m = &file.machines[0];
        assert_eq!(m.items.len(), 2, "{text}");
        assert!(
            matches!(&m.items[0].kind, ItemKind::Transition(t) if t.body.as_ref().unwrap().stmts.len() == 2),
            "{text}"
        );
    }
}

#[test]
fn errors_in_separate_items_are_all_reported() {
    let text = "machine M {\n\
        input 1\n\
        guards { g: a == == b }\n\
        phases { A B, C }\n\
        transition t on X frm A -> B {\n    x = 1\n}\n\
        derive d: u8 = (1 + 2\n\
        effect E\n\
        }\n";
    let (file, diags) = parse_text(text);
    assert_eq!(diags.len(), 5, "{diags:#?}");
    let items = &file.machines[0].items;
    // guard (with an error expression), phases, derive, effect.
    assert_eq!(items.len(), 4, "{items:#?}");
    assert!(matches!(&items[0].kind, ItemKind::Guards(g) if g[0].expr.kind == ExprKind::Error));
    assert!(matches!(&items[1].kind, ItemKind::Phases(v) if v.len() == 3));
    assert!(matches!(&items[3].kind, ItemKind::Effect(_)));
}

#[test]
fn expected_messages() {
    let (_, diags) = parse_text("machine M { transition t on X from A B }");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "expected `->`, found `B`");
    let (_, diags) = parse_text("machine M { state { input: u8 = 0 } }");
    assert_eq!(
        diags[0].message,
        "expected a field name or `}`, found keyword `input`"
    );
    assert!(diags[0].help.as_deref().unwrap_or("").contains("keyword"));
    let (_, diags) = parse_text("machine M { stuff }");
    assert_eq!(diags[0].message, "expected an item, found `stuff`");
    let (_, diags) = parse_text("state { }");
    assert_eq!(
        diags[0].message,
        "expected `machine`, found keyword `state`"
    );
    assert_eq!(diags.len(), 1);
}

#[test]
fn chained_comparisons_are_one_error() {
    let (file, diags) = parse_text("machine M { guards { g: a == b == c < d }\n input X }");
    assert_eq!(codes(&diags), ["FSM0010"]);
    assert_eq!(diags[0].message, "comparison operators cannot be chained");
    assert_eq!(file.machines[0].items.len(), 2);
    // With parentheses it is fine.
    expr("(a == b) == c");
}

#[test]
fn lexer_errors_do_not_cascade() {
    let (file, diags) = parse_text(
        "machine M {\n input A @ B\n transition t on A from X -> Y { x = a € b }\n input C\n}",
    );
    assert_eq!(codes(&diags), ["FSM0004", "FSM0004"], "{diags:#?}");
    assert_eq!(file.machines[0].items.len(), 3);
    let (_, diags) = parse_text("machine M { guards { g: s == \"abc\n }\n input B }");
    assert_eq!(codes(&diags), ["FSM0005"], "{diags:#?}");
    let (_, diags) = parse_text("machine M { guards { g: x == 12abc }\n input B }");
    assert_eq!(codes(&diags), ["FSM0006"], "{diags:#?}");
}

#[test]
fn unclosed_brace_at_eof_is_one_error() {
    let text = "machine M {\n state {\n  a: u8 = 0\n";
    let (_, diags) = parse_text(text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d.message, "expected a field or `}`, found end of file");
    assert_eq!(d.span(), Span::point(text.len() as u32));
    assert_eq!(d.labels.len(), 2);
    assert_eq!(d.labels[1].message, "unclosed `{`");
    assert_eq!(&text[d.labels[1].span.range()], "{");
    assert_eq!(d.labels[1].span.start, 19);

    for text in [
        "machine",
        "machine M",
        "machine M {",
        "machine M { transition",
        "machine M { transition t on X from A -> B { x = ",
        "machine M { guards { g: (a + ",
        "machine M { input I(a: Map<u8,",
        "machine M { verify { domain u8 = 0..",
        "/// doc\nmachine M { phases { A, /// doc",
    ] {
        let (_, diags) = parse_text(text);
        assert_eq!(diags.len(), 1, "{text}: {diags:#?}");
        assert_eq!(diags[0].span(), Span::point(text.len() as u32), "{text}");
    }
}

#[test]
fn missing_close_brace_before_the_next_item() {
    let text = "machine M {\n    transition t on X from A -> B {\n        x = 1\n\n    transition u on X from B -> A {\n    }\n    input X\n}\n";
    let (file, diags) = parse_text(text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].message, "expected `}`, found keyword `transition`");
    assert!(
        diags[0]
            .labels
            .iter()
            .any(|l| l.message == "unclosed `{`" && l.span.start == 46)
    );
    assert_eq!(file.machines[0].items.len(), 3);

    let text = "machine M {\n    phases { A, B\n    initial A\n    input I(a: u8\n    input J\n}\n";
    let (file, diags) = parse_text(text);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    assert_eq!(file.machines[0].items.len(), 4);
}

#[test]
fn machine_count() {
    let (file, diags) = parse_text("// nothing here\n");
    assert!(file.machines.is_empty());
    assert_eq!(codes(&diags), ["FSM0012"]);
    let text = "machine A {}\nmachine B {}\nmachine C {}\n";
    let (file, diags) = parse_text(text);
    assert_eq!(file.machines.len(), 3);
    assert_eq!(codes(&diags), ["FSM0012"]);
    assert_eq!(&text[diags[0].span().range()], "machine B");
    // A missing machine after a syntax error is not reported again.
    let (_, diags) = parse_text("machin A {}");
    assert_eq!(codes(&diags), ["FSM0010"]);
    // An unclosed machine before the next one.
    let (file, diags) = parse_text("machine A {\n input I\nmachine B {}\n");
    assert_eq!(file.machines.len(), 2);
    assert_eq!(codes(&diags), ["FSM0010", "FSM0012"], "{diags:#?}");
}

#[test]
fn doc_comments_without_an_item_are_dropped() {
    let file = parse_ok("machine M {\n input A\n /// nothing follows\n}\n/// at the end\n");
    assert_eq!(file.machines[0].items.len(), 1);
    assert!(file.machines[0].items[0].docs.is_empty());
}

#[test]
fn doc_comments_inside_an_item_are_an_error() {
    let (_, diags) = parse_text("machine M {\n    key\n    /// what\n    k: K\n}\n");
    assert_eq!(codes(&diags), ["FSM0010"]);
    assert_eq!(diags[0].message, "doc comment inside an item");
    // Before a statement, a setting, a guard line or a closing brace they
    // document nothing and are dropped.
    parse_ok(
        "machine M {\n transition t on I from A -> B\n /// g\n guard g\n /// b\n {\n /// s\n x = 1\n /// e\n }\n\
         verify {\n /// d\n max_depth 1\n /// e\n }\n /// end\n}\n",
    );
    // Not reported on top of another error.
    let (_, diags) = parse_text("machine M {\n    key\n    /// what\n    k: K\n    input\n}\n");
    assert_eq!(diags.len(), 1);
    assert_ne!(diags[0].message, "doc comment inside an item");
}

#[test]
fn phase_is_accepted_as_a_parameter_name() {
    let all = items(
        "effect Changed(phase: Phase)\ntransition t on I from A -> B { emit Changed(phase: phase) }",
    );
    assert!(matches!(&all[0].kind, ItemKind::Effect(s) if s.params[0].name.name == "phase"));
}

// --- limits

fn deep(open: &str, middle: &str, close: &str, n: usize) -> String {
    let mut s = String::from("machine M {\n guards { g: ");
    for _ in 0..n {
        s.push_str(open);
    }
    s.push_str(middle);
    for _ in 0..n {
        s.push_str(close);
    }
    s.push_str("\n }\n input After\n}\n");
    s
}

#[test]
fn deep_nesting_is_one_error_and_does_not_overflow() {
    for (open, middle, close) in [
        ("(", "a", ")"),
        ("[", "a", "]"),
        ("!", "a", ""),
        ("-", "a", ""),
        ("some(", "a", ")"),
        ("(", "", ""),
        ("[", "", ""),
        ("all x in s: ", "a", ""),
        ("a + ", "a", ""),
        ("a.f(", "", ")"),
    ] {
        let text = deep(open, middle, close, 100_000);
        let (file, diags) = parse_text(&text);
        assert_eq!(codes(&diags), ["FSM0011"], "{open}: {diags:#?}");
        assert_eq!(file.machines[0].items.len(), 2, "{open}");
    }
    // Just under the limit is fine.
    parse_ok(&deep("(", "a", ")", 60));
    parse_ok(&deep("a || ", "a", "", 60));
}

#[test]
fn deep_blocks_and_types() {
    let mut text = String::from("machine M {\n transition t on X from A -> B {\n");
    for _ in 0..50_000 {
        text.push_str("if a {\n");
    }
    for _ in 0..50_000 {
        text.push_str("}\n");
    }
    text.push_str("}\n input After\n}\n");
    let (file, diags) = parse_text(&text);
    assert_eq!(
        codes(&diags),
        ["FSM0011"],
        "{:?}",
        diags
            .iter()
            .map(|d| (&d.message, d.span()))
            .collect::<Vec<_>>()
    );
    assert_eq!(file.machines[0].items.len(), 2);

    let mut text = String::from("machine M {\n transition t on X from A -> B {\n x = 1\n");
    for _ in 0..50_000 {
        text.push_str("} else if b {\n");
    }
    let text = text.replacen("} else if", "if", 1) + "}\n}\n input After\n}\n";
    let (file, diags) = parse_text(&text);
    assert_eq!(codes(&diags), ["FSM0011"]);
    assert_eq!(file.machines[0].items.len(), 2);

    let mut text = String::from("machine M { key k: ");
    for _ in 0..100_000 {
        text.push_str("Option<");
    }
    text.push_str("u8");
    for _ in 0..100_000 {
        text.push('>');
    }
    text.push_str("\n input After\n}\n");
    let (file, diags) = parse_text(&text);
    assert_eq!(codes(&diags), ["FSM0011"]);
    assert_eq!(file.machines[0].items.len(), 1);
}

#[test]
fn large_input_parses_in_linear_time() {
    let mut text = String::from("machine M {\n");
    let mut i = 0;
    while text.len() < 4 * 1024 * 1024 - 200 {
        text.push_str(&format!(
            "    transition t{i} on I from A | B -> C\n        guard g: x + 1 < 10 && s.contains(\"k\")\n    {{\n        x += 1\n        emit E(x, [1, 2])\n    }}\n"
        ));
        i += 1;
    }
    text.push_str("}\n");
    let start = std::time::Instant::now();
    let file = parse_ok(&text);
    assert_eq!(file.machines[0].items.len(), i);
    // Generous: a quadratic parser takes minutes here.
    assert!(start.elapsed().as_secs() < 30);

    // Pathological inputs of the same size terminate quickly too.
    for unit in [
        "(", "{", "[", "a ", ") ", "} ", "guard ", "machine ", "if ", "/// d\n", "€",
    ] {
        let text = format!("machine M {{\n{}", unit.repeat(256 * 1024 / unit.len()));
        let (_, diags) = parse_text(&text);
        assert!(
            diags.len() <= MAX_SYNTAX_ERRORS + 1,
            "{unit}: {} diagnostics",
            diags.len()
        );
    }
}

#[test]
fn every_prefix_of_a_machine_gives_at_most_one_syntax_error() {
    let (_, text) = MACHINES[0];
    let (tokens, _) = lexer::lex(text);
    for end in tokens.iter().map(|t| t.span.end as usize) {
        let (_, diags) = parse_text(&text[..end]);
        let syntax = diags.iter().filter(|d| d.code == Code::Syntax).count();
        assert!(syntax <= 1, "prefix of {end} bytes: {diags:#?}");
    }
}

#[test]
fn removing_any_one_token_gives_one_error() {
    // Every token of the first machine, every fifth of the others.
    for (i, (name, text)) in MACHINES.iter().enumerate() {
        let (tokens, _) = lexer::lex(text);
        let tokens = tokens
            .iter()
            .filter(|t| !t.kind.is_trivia() && t.kind != TokenKind::Eof);
        for tok in tokens.step_by(if i == 0 { 1 } else { 5 }) {
            let mut edited = String::from(&text[..tok.span.start as usize]);
            edited.push_str(&text[tok.span.end as usize..]);
            let (_, diags) = parse_text(&edited);
            assert!(
                diags.len() <= 1,
                "{name}: removing the token at {} gives {diags:#?}",
                tok.span.start
            );
        }
    }
}

// --- robustness

const VOCAB: &[&str] = &[
    "machine",
    "M",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    ",",
    ":",
    "::",
    ".",
    "..",
    "..=",
    "->",
    "=",
    "==",
    "!=",
    ">=",
    "+=",
    "-",
    "*",
    "|",
    "||",
    "&&",
    "!",
    ";",
    "state",
    "input",
    "effect",
    "transition",
    "on",
    "from",
    "except",
    "stay",
    "guard",
    "guards",
    "action",
    "do",
    "const",
    "target",
    "if",
    "else",
    "emit",
    "phases",
    "enum",
    "verify",
    "domain",
    "max_depth",
    "reach",
    "all",
    "any",
    "in",
    "some",
    "none",
    "phase",
    "impl",
    "fn",
    "snapshot",
    "field",
    "derive",
    "1",
    "\"s\"",
    "x",
    "u8",
    "Option",
    "/// d\n",
    "// c\n",
    "\n",
    "@",
];

proptest::proptest! {
    #[test]
    fn token_soup_never_panics(words in proptest::collection::vec(proptest::sample::select(VOCAB), 0..300)) {
        let text = words.join(" ");
        let _ = parse_text(&text);
        let _ = parse_text(&format!("machine M {{ {text}"));
    }

    #[test]
    fn any_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_text(&text);
    }

    #[test]
    fn edited_machines_never_panic(
        which in 0..MACHINES.len(),
        cuts in proptest::collection::vec((0usize..40_000, 0usize..40, proptest::sample::select(VOCAB)), 1..4),
    ) {
        let mut text = MACHINES[which].1.to_string();
        for (at, len, insert) in cuts {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(at..end, insert);
        }
        let _ = parse_text(&text);
    }
}

#[test]
fn impl_blocks() {
    let ItemKind::Impl {
        trait_name,
        methods,
    } = item(
        "impl Handle {\n\
         /// Docs.\n\
         fn go(a, phase) = Go\n\
         fn stop() = Stop\n\
         fn bare = Bare\n\
         fn snapshot = snapshot\n\
         fn phase = phase\n\
         fn n = field count\n\
         fn d = derive open\n\
         fn field = field\n\
         fn state = phase\n\
         fn ignore(k) = Ignore\n\
         fn fail(id, reason) = Fail(id, reason.cause.kind, reason.message)\n\
         }",
    )
    else {
        panic!("not an impl block");
    };
    assert_eq!(trait_name.name, "Handle");
    assert_eq!(methods.len(), 11);
    // Keywords name methods: Rust trait methods may be called `state`.
    assert_eq!(methods[8].name.name, "state");
    assert_eq!(methods[9].name.name, "ignore");
    assert!(methods[0].args.is_none());
    let args = methods[10].args.as_ref().unwrap();
    let paths: Vec<Vec<&str>> = args
        .iter()
        .map(|a| {
            std::iter::once(a.param.name.as_str())
                .chain(a.fields.iter().map(|f| f.name.as_str()))
                .collect()
        })
        .collect();
    assert_eq!(
        paths,
        [
            vec!["id"],
            vec!["reason", "cause", "kind"],
            vec!["reason", "message"]
        ]
    );
    assert_eq!(methods[0].docs.lines, ["Docs."]);
    let params: Vec<&str> = methods[0].params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, ["a", "phase"]);
    assert!(methods[1].params.is_empty() && methods[1].params_span.is_some());
    assert!(methods[2].params_span.is_none());
    assert!(matches!(&methods[2].target, ImplTarget::Input(i) if i.name == "Bare"));
    assert!(matches!(methods[3].target, ImplTarget::Snapshot(_)));
    assert!(matches!(methods[4].target, ImplTarget::Phase(_)));
    assert!(matches!(&methods[5].target, ImplTarget::Field(i) if i.name == "count"));
    assert!(matches!(&methods[6].target, ImplTarget::Derive(i) if i.name == "open"));
    assert!(matches!(&methods[7].target, ImplTarget::Input(i) if i.name == "field"));
}

#[test]
fn impl_block_errors_recover() {
    let (file, diags) = parse_text(
        "machine M {\n    impl H {\n        fn a = \n        fn b(x y) = B\n        go = C\n        fn d = D\n    }\n    input D\n}\n",
    );
    assert!(!diags.is_empty());
    let items = &file.machines[0].items;
    assert_eq!(items.len(), 2, "{items:#?}");
    let ItemKind::Impl { methods, .. } = &items[0].kind else {
        panic!("not an impl block");
    };
    assert!(methods.iter().any(|m| m.name.name == "d"), "{methods:#?}");
    let (_, diags) = parse_text("machine M {\n    impl H {\n        fn a = A\n    input D\n}\n");
    assert_eq!(codes(&diags), ["FSM0010"], "{diags:#?}");
}

#[test]
fn fn_outside_impl_is_explained() {
    let (_, diags) = parse_text("machine M {\n    fn a = A\n}\n");
    assert_eq!(codes(&diags), ["FSM0010"], "{diags:#?}");
    assert!(
        diags[0].help.as_deref().is_some_and(|h| h.contains("impl")),
        "{diags:#?}"
    );
}
