//! Tests of the checker, from source text: for every code the checker
//! emits, a snippet that passes and one that fails; the model of a small
//! machine, field by field; robustness against deep nesting.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::*;

fn compile(src: &str) -> crate::Compilation {
    crate::compile("test.fsm", src.as_bytes())
}

fn render(c: &crate::Compilation) -> String {
    crate::render::render(&c.source, &c.diagnostics, false)
}

/// A small machine without diagnostics; `extra` goes among its items.
fn machine(extra: &str) -> String {
    format!(
        "machine M {{
    phases {{ A, B, C }}
    initial A
    terminal C
    enum Color {{ Red, Green }}
    state {{
        n: u32 = 0
        flag: bool = false
        names: Set<String> = []
        color: Color = Red
    }}
    input Go(x: u32)
    input Stop
    effect Done(n: u32)
    transition stop on Stop from A | B -> C
    transition back on Go from B -> A
        guard small: n < 10 && flag && names.is_empty() && color == Red
    transition go on Go from A -> B {{
        n = x
        emit Done(n)
    }}
{extra}
}}"
    )
}

/// The codes of every diagnostic of `src`, in reporting order.
fn codes_of(src: &str) -> Vec<Code> {
    let c = compile(src);
    c.diagnostics.iter().map(|d| d.code).collect()
}

/// The codes of the diagnostics of the base machine plus `extra`.
fn codes(extra: &str) -> Vec<Code> {
    codes_of(&machine(extra))
}

/// Asserts the base machine plus `extra` compiles to a model, cleanly.
#[track_caller]
fn ok(extra: &str) -> Model {
    let c = compile(&machine(extra));
    assert!(
        c.diagnostics.is_empty(),
        "unexpected diagnostics:\n{}",
        render(&c)
    );
    match c.model {
        Some(m) => m,
        None => panic!("no model for a clean machine"),
    }
}

/// Asserts `extra` gives exactly one diagnostic, with `code`, and returns it.
#[track_caller]
fn one(extra: &str, code: Code) -> Diagnostic {
    one_of(&machine(extra), code)
}

#[track_caller]
fn one_of(src: &str, code: Code) -> Diagnostic {
    let c = compile(src);
    assert_eq!(
        c.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![code],
        "\n{}",
        render(&c)
    );
    if code.severity() == Severity::Error {
        assert!(c.model.is_none());
    }
    c.diagnostics
        .into_iter()
        .next()
        .unwrap_or_else(|| unreachable!())
}

fn help(d: &Diagnostic) -> &str {
    d.help.as_deref().unwrap_or("")
}

#[test]
fn base_machine_is_clean() {
    let m = ok("");
    assert_eq!(m.transitions.len(), 3);
}

// ------------------------------------------------------------ names (01xx)

#[test]
fn unknown_phase() {
    let d = one("transition t on Stop from Cc -> stay", Code::UnknownPhase);
    assert_eq!(help(&d), "did you mean `C`?");
    one("terminal D", Code::UnknownPhase);
    one("transition t on Stop from C -> D", Code::UnknownPhase);
    one("invariant i: phase != Phase::D", Code::UnknownPhase);
    ok("transition t on Stop from C -> stay");
    ok("invariant i: phase != Phase::C");
}

#[test]
fn unknown_name() {
    let d = one("invariant i: nn < 5", Code::UnknownName);
    assert_eq!(help(&d), "did you mean `n`?");
    // Input parameters are not in scope in invariants.
    let d = one("invariant i: x < 5", Code::UnknownName);
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("parameter of input `Go`")),
        "{d:?}"
    );
    let d = one("guards { g: x < 5 }", Code::UnknownName);
    assert!(help(&d).contains("add a parameter `x`"), "{d:?}");
    one("derive d: bool = x < 5", Code::UnknownName);
    // Initial values are constants.
    one_of(
        &machine("").replace("flag: bool = false", "flag: bool = n == 0"),
        Code::UnknownName,
    );
    // Assigning to something that is not a field.
    one_of(&machine("").replace("n = x", "m = x"), Code::UnknownName);
    ok("invariant i: n < 5 || phase == B");
}

#[test]
fn unknown_input_effect_variant_type_guard() {
    let d = one("transition t on Goo from C -> stay", Code::UnknownInput);
    assert_eq!(help(&d), "did you mean `Go`?");
    one("ignore Goo in C", Code::UnknownInput);
    let d = one_of(
        &machine("").replace("emit Done(n)", "emit Don(n)"),
        Code::UnknownEffect,
    );
    assert_eq!(help(&d), "did you mean `Done`?");
    let d = one("invariant i: color != Color::Redd", Code::UnknownVariant);
    assert_eq!(help(&d), "did you mean `Color::Red`?");
    one("invariant i: color != Colour::Red", Code::UnknownType);
    let d = one_of(
        &machine("").replace("n: u32 = 0", "n: u33 = 0"),
        Code::UnknownType,
    );
    assert!(help(&d).contains("did you mean"), "{d:?}");
    let d = one(
        "transition t on Stop from C -> stay guard smal",
        Code::UnknownGuard,
    );
    assert!(help(&d).contains("give it a condition"), "{d:?}");
    ok("guards { big: n > 1 }\n transition t on Stop from C -> stay guard big");
    ok("invariant i: color != Color::Green");
}

#[test]
fn unknown_param() {
    let d = one_of(
        &machine("").replace("emit Done(n)", "emit Done(nn: n)"),
        Code::UnknownParam,
    );
    assert_eq!(help(&d), "did you mean `n`?");
    one("verify { domain Go.y = 0..3 }", Code::UnknownParam);
    ok("verify { domain Go.x = 0..3 }");
    let m = ok("").transitions;
    assert!(matches!(m[2].body[1].kind, TStmtKind::Emit { .. }));
}

#[test]
fn unknown_method() {
    let d = one("invariant i: names.size() == 0", Code::UnknownMethod);
    assert!(help(&d).is_empty() || help(&d).contains("did you mean"));
    let d = one("invariant i: names.lenn() == 0", Code::UnknownMethod);
    assert_eq!(help(&d), "did you mean `len`?");
    one_of(
        &machine("").replace("n = x", "names.add(\"a\")"),
        Code::UnknownMethod,
    );
    ok("invariant i: names.len() < 5");
}

#[test]
fn ambiguous_variant() {
    let d = one(
        "enum Shade { Red }\n invariant i: Red == Red",
        Code::AmbiguousVariant,
    );
    assert!(d.labels[0].message.contains("`Color::Red`"), "{d:?}");
    // The expected type decides.
    ok("enum Shade { Red }\n invariant i: color == Red || Red == color");
    // A phase and a variant with one name.
    one(
        "enum Letter { A }\n invariant i: A == A",
        Code::AmbiguousVariant,
    );
    ok("enum Letter { A }\n invariant i: phase != A || Letter::A == Letter::A");
}

// ------------------------------------------------------------ duplicates (02xx)

#[test]
fn duplicates() {
    let d = one("transition go on Stop from C -> stay", Code::Duplicate);
    assert_eq!(d.labels.len(), 2);
    assert_eq!(d.labels[1].message, "first defined here");
    one_of(
        &machine("").replace("phases { A, B, C }", "phases { A, B, C, B }"),
        Code::Duplicate,
    );
    one("enum Color { Blue }", Code::Duplicate);
    one(
        "enum E { X, X }\n invariant i: E::X == E::X",
        Code::Duplicate,
    );
    one("input Stop", Code::Duplicate);
    one("effect Done(n: u32)", Code::Duplicate);
    one("invariant i: true\n invariant i: flag", Code::Duplicate);
    one(
        "derive d: bool = flag\n derive d: bool = true",
        Code::Duplicate,
    );
    one(
        "guards { g: flag }\n guards { g: true }\n transition t on Stop from C -> stay guard g",
        Code::Duplicate,
    );
    one("input I(a: u8, a: u8)\n ignore I in C", Code::Duplicate);
    one("extern K = a::K\n extern K = b::K", Code::Duplicate);
    one("enum String { X }", Code::Duplicate);
    one("terminal C", Code::Duplicate);
    one("transition t on Stop from C | C -> stay", Code::Duplicate);
    one(
        "transition t on Stop from C -> stay guard g: flag guard g: flag",
        Code::Duplicate,
    );
    one("ignore Stop in C\n ignore Stop in C", Code::Duplicate);
    one("ignore Stop, Stop in C", Code::Duplicate);
    one("verify { max_depth 3 max_depth 4 }", Code::Duplicate);
    one(
        "verify { domain u32 = 0..3 domain u32 = [1] }",
        Code::Duplicate,
    );
    one("verify { reach r: flag reach r: true }", Code::Duplicate);
    one("key k: String\n key j: String", Code::Duplicate);
    one_of(
        &machine("").replace("emit Done(n)", "emit Done(n: n, n: 1)"),
        Code::Duplicate,
    );
    ok("ignore Stop in C");
}

#[test]
fn shadowing() {
    let d = one("input Set(n: u32)\n ignore Set in C", Code::Shadowing);
    assert_eq!(d.labels.len(), 2);
    one("derive flag: bool = true", Code::Shadowing);
    one("key n: String", Code::Shadowing);
    one(
        "derive d: bool = true\n input I(d: bool)\n ignore I in C",
        Code::Shadowing,
    );
    one("invariant i: all n in names: n != \"\"", Code::Shadowing);
    one("guards { small: flag }", Code::Shadowing);
    ok("invariant i: all s in names: s != \"\"");
    // Effect parameters are never in scope: no shadowing.
    ok(
        "effect Other(n: u32, flag: bool)\n transition t on Stop from C -> stay { emit Other(1, true) }",
    );
}

// ------------------------------------------------------------ types (03xx)

#[test]
fn type_mismatch() {
    let d = one("invariant i: n == \"x\"", Code::TypeMismatch);
    assert_eq!(d.message, "expected `u32`, found `String`");
    one("invariant i: n", Code::TypeMismatch);
    one("derive d: u64 = n", Code::TypeMismatch);
    one_of(
        &machine("").replace("n = x", "flag = x"),
        Code::TypeMismatch,
    );
    one_of(
        &machine("").replace("emit Done(n)", "emit Done(flag)"),
        Code::TypeMismatch,
    );
    one_of(
        &machine("").replace("n: u32 = 0", "n: u32 = false"),
        Code::TypeMismatch,
    );
    one("verify { domain u32 = [\"a\"] }", Code::TypeMismatch);
    one("invariant i: color == Phase::A", Code::TypeMismatch);
    let d = one(
        "state { o: Option<u32> = none }\n invariant i: o == n",
        Code::TypeMismatch,
    );
    assert!(help(&d).contains("some("), "{d:?}");
    one(
        "state { o: Option<u32> = 5 }\n invariant i: o.is_none()",
        Code::TypeMismatch,
    );
    ok("state { o: Option<u32> = some(5) }\n invariant i: o == some(n) || o.unwrap_or(0) > n");
}

#[test]
fn arity() {
    one_of(
        &machine("").replace("emit Done(n)", "emit Done(n, 1)"),
        Code::Arity,
    );
    one_of(
        &machine("").replace("emit Done(n)", "emit Done"),
        Code::Arity,
    );
    one("invariant i: names.contains()", Code::Arity);
    one("invariant i: names.is_empty(1)", Code::Arity);
    one("state { o: Option<u8, u8> = none }", Code::Arity);
    one("state { o: u8<u8> = 0 }", Code::Arity);
    one_of(&machine("").replace("n = x", "names.insert()"), Code::Arity);
    ok(
        "state { m: Map<String, u8> = [] }\n invariant i: m.get_or(\"a\", 1) > 0 || m.contains_key(\"b\")",
    );
    // Named arguments in any order.
    let m = ok(
        "effect Two(a: u8, b: bool)\n transition t on Stop from C -> stay { emit Two(b: true, a: 1) }",
    );
    let TStmtKind::Emit { args, .. } = &m.transitions[3].body[0].kind else {
        panic!("not an emit")
    };
    assert_eq!(args[0].kind, TExprKind::Int(1));
    assert_eq!(args[1].kind, TExprKind::Bool(true));
}

#[test]
fn assignment_to_read_only_names() {
    one_of(&machine("").replace("n = x", "x = 1"), Code::AssignToParam);
    one_of(
        &machine("derive d: u32 = n + 1").replace("n = x", "d = x"),
        Code::AssignToDerived,
    );
    one_of(
        &machine("key k: String").replace("n = x", "k = \"a\""),
        Code::AssignToReadOnly,
    );
    ok("key k: String\n invariant i: k != \"\"");
}

#[test]
fn invalid_operand() {
    one("invariant i: flag < true", Code::InvalidOperand);
    one("invariant i: names + names == names", Code::InvalidOperand);
    one("invariant i: 1 in n", Code::InvalidOperand);
    one("invariant i: n.len() > 0", Code::InvalidOperand);
    one("invariant i: -n < 0", Code::InvalidOperand);
    one("invariant i: !n", Code::InvalidOperand);
    one("invariant i: all v in n: v > 0", Code::InvalidOperand);
    one(
        "state { m: Map<String, u8> = [] }\n invariant i: \"a\" in m",
        Code::InvalidOperand,
    );
    one_of(
        &machine("").replace("n = x", "flag += 1"),
        Code::InvalidOperand,
    );
    one_of(
        &machine("").replace("n = x", "names.push(\"a\")"),
        Code::InvalidOperand,
    );
    one_of(
        &machine("").replace("n = x", "n.clear()"),
        Code::InvalidOperand,
    );
    ok("invariant i: \"a\" in names || names.contains(\"b\") || n % 2 == 0");
    ok(
        "state { l: List<i8> = [] }\n invariant i: -n2 < 0 || l.first() == some(-1)\n state { n2: i8 = -3 }",
    );
}

#[test]
fn extern_values_are_opaque() {
    let src = "machine M {
        phases { A } initial A
        extern K = a::K
        input Put(k: K)
        state { keys: Set<K> = [] last: Option<K> = none }
        transition put on Put from A -> stay
            guard fresh: !keys.contains(k) && k.len() > 0
        { keys.insert(k) last = some(k) }
        invariant i: last.is_none() || keys.len() > 0
    }";
    let d = one_of(src, Code::InvalidOperand);
    assert!(d.notes.iter().any(|n| n.contains("opaque")), "{d:?}");
    let c = compile(&src.replace(" && k.len() > 0", " && k > k"));
    assert!(c.diagnostics.is_empty(), "{}", render(&c));
    // A field of an extern type cannot be initialized.
    let src = src
        .replace(" && k.len() > 0", "")
        .replace("last: Option<K> = none", "last: K = \"a\"");
    let src = src
        .replace("last = some(k)", "last = k")
        .replace("last.is_none()", "last == last");
    let d = one_of(&src, Code::InvalidType);
    assert!(help(&d).contains("Option<K>"), "{d:?}");
}

#[test]
fn literal_out_of_range() {
    let d = one_of(
        &machine("").replace("n = x", "n = 5_000_000_000"),
        Code::LiteralOutOfRange,
    );
    assert!(d.notes[0].contains("0 to 4294967295"), "{d:?}");
    one(
        "state { s: u8 = 256 }\n invariant i: s > 0",
        Code::LiteralOutOfRange,
    );
    one(
        "state { s: i8 = -129 }\n invariant i: s > 0",
        Code::LiteralOutOfRange,
    );
    one("invariant i: n > -1", Code::LiteralOutOfRange);
    one("verify { domain u8 = 0..300 }", Code::LiteralOutOfRange);
    ok(
        "state { s: i8 = -128 t: u64 = 18_446_744_073_709_551_615 }\n invariant i: s < 127 && t > 0",
    );
}

#[test]
fn cannot_infer() {
    one("invariant i: [] == []", Code::CannotInfer);
    one("invariant i: none == none", Code::CannotInfer);
    one("invariant i: 1 == 1", Code::CannotInfer);
    one("invariant i: [].is_empty()", Code::CannotInfer);
    ok("invariant i: names == [] && [] == names && [\"a\"] != names");
}

#[test]
fn invalid_type() {
    one(
        "state { s: Set<List<u8>> = [] }\n invariant i: s.is_empty()",
        Code::InvalidType,
    );
    one(
        "state { s: Map<Set<u8>, u8> = [] }\n invariant i: s.is_empty()",
        Code::InvalidType,
    );
    one("key k: Set<u8>", Code::InvalidType);
    ok("state { s: Map<Option<u8>, List<Set<u8>>> = [] }\n invariant i: s.is_empty()");
}

#[test]
fn derived_cycle() {
    let d = one(
        "derive a: bool = b\n derive b: bool = a",
        Code::DerivedCycle,
    );
    assert_eq!(d.labels.len(), 3, "{d:?}");
    one("derive a: bool = a || flag", Code::DerivedCycle);
    // Dependency order, whatever the declaration order.
    let m =
        ok("derive a: bool = b && c\n derive b: bool = c\n derive c: bool = flag\n invariant i: a");
    let names: Vec<&str> = m.derived.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["c", "b", "a"]);
    let TExprKind::Binary(_, l, _) = &m.derived[2].expr.kind else {
        panic!("not a binary")
    };
    assert_eq!(l.kind, TExprKind::Derived(DerivedId(1)));
    // A quantifier variable is not a dependency.
    ok("derive a: bool = all v in names: v != \"\"\n derive b: bool = a");
}

// ------------------------------------------------------------ structure (04xx)

#[test]
fn initial_phase() {
    let src = machine("");
    one_of(&src.replace("initial A", ""), Code::MissingInitial);
    one_of(
        &src.replace("initial A", "initial A initial B"),
        Code::DuplicateInitial,
    );
    one_of(&src.replace("initial A", "initial D"), Code::UnknownPhase);
    let d = one_of("machine M { }", Code::NoPhases);
    assert_eq!(d.message, "machine `M` has no phases");
    one_of("machine M { phases { } initial A }", Code::NoPhases);
}

#[test]
fn terminal_not_absorbing() {
    let d = one(
        "input Reset\n transition t on Reset from * -> A",
        Code::TerminalNotAbsorbing,
    );
    assert_eq!(help(&d), "add `except`: `from * except C`");
    let d = one("transition t on Go from C -> A", Code::TerminalNotAbsorbing);
    assert_eq!(help(&d), "remove `C` from the source set");
    ok("transition t on Go from C -> C");
    ok("transition t on Go from C -> stay");
}

#[test]
fn empty_sources() {
    one(
        "transition t on Stop from * except A | B | C -> stay",
        Code::EmptySources,
    );
    one("ignore Stop in * except A | B | C", Code::EmptySources);
    ok("transition t on Stop from * except A | B -> stay");
}

#[test]
fn overlap() {
    let d = one("transition t on Go from A | C -> stay", Code::Overlap);
    assert!(d.labels[0].message.contains("in `A`"), "{d:?}");
    assert_eq!(d.labels.len(), 2);
    // Same guards, written with other spans and names.
    one(
        "transition t on Go from B -> stay guard other: n < 10 && flag && names.is_empty() && color == Red",
        Code::Overlap,
    );
    // Fewer guards than another transition over a common phase.
    one(
        "transition t on Go from A -> C guard g: flag",
        Code::Overlap,
    );
    // A guard that tells them apart.
    ok("transition t on Go from B -> stay guard big: n >= 10");
    ok("transition t on Stop from C -> stay");
}

#[test]
fn ignore_conflict() {
    let d = one("ignore Stop in A", Code::IgnoreConflict);
    assert_eq!(d.labels.len(), 2);
    assert_eq!(
        codes("ignore Go in *"),
        [Code::IgnoreConflict, Code::IgnoreConflict]
    );
    let m = ok("ignore Stop in C\n ignore Go in C");
    assert_eq!(m.ignores.len(), 2);
    assert!(m.is_ignored(InputId(1), PhaseId(2)));
    assert!(!m.is_ignored(InputId(1), PhaseId(0)));
}

#[test]
fn invalid_verify() {
    one("verify { domain u32 = 3..3 }", Code::InvalidVerify);
    one("verify { domain u32 = 3..=2 }", Code::InvalidVerify);
    one("verify { domain String = 0..2 }", Code::InvalidVerify);
    one("verify { domain u32 = [] }", Code::InvalidVerify);
    one("verify { max_depth 0 }", Code::InvalidVerify);
    one("verify { max_states 0 }", Code::InvalidVerify);
    one("verify { max_collection 0 }", Code::InvalidVerify);
    let m = ok(
        "verify { domain u32 = 3..=3 domain Go.x = [1, 2] max_depth 4 max_states 10 max_collection 2 reach r: phase == C }",
    );
    assert_eq!(
        m.verify.domains[0].values,
        DomainValues::Range { lo: 3, hi: 3 }
    );
    assert_eq!(
        m.verify.domains[1].target,
        DomainTarget::Param {
            input: InputId(0),
            param: ParamId(0)
        }
    );
    assert!(m.verify.domain_for_param(InputId(0), ParamId(0)).is_some());
    assert!(m.verify.domain_for_type(&Ty::Int(IntTy::U32)).is_some());
    assert_eq!(
        (
            m.verify.max_depth,
            m.verify.max_states,
            m.verify.max_collection
        ),
        (Some(4), Some(10), Some(2))
    );
    assert_eq!(m.verify.reach[0].name, "r");
    // Reach goals read the state only.
    one("verify { reach r: x > 1 }", Code::UnknownName);
    // `allow_overflow` names transitions.
    let m = ok("verify { allow_overflow go, stop allow_overflow go }");
    assert_eq!(
        m.verify.allow_overflow,
        [
            m.transition_by_name("go").unwrap(),
            m.transition_by_name("stop").unwrap()
        ]
    );
    let d = one("verify { allow_overflow gone }", Code::UnknownName);
    assert!(
        d.message.contains("unknown transition `gone`"),
        "{}",
        d.message
    );
}

// ------------------------------------------------------------ warnings (05xx)

#[test]
fn warnings() {
    let src = machine("");
    let d = one_of(
        &src.replace("phases { A, B, C }", "phases { A, B, C, D }"),
        Code::UnreachablePhase,
    );
    assert_eq!(d.severity, Severity::Warning);
    one("input Unused", Code::UnusedInput);
    // Written only is used (snapshots show it); never used is not.
    assert!(
        codes_of(
            &src.replace("&& flag ", "")
                .replace("n = x", "n = x flag = true")
        )
        .is_empty()
    );
    let d = one_of(&src.replace("&& flag ", ""), Code::UnusedField);
    assert_eq!(d.message, "field `flag` is never used");
    one("guards { g: flag }", Code::UnusedGuard);
    one("action a { n = 1 }", Code::UnusedAction);
    one("effect Never", Code::UnusedEffect);
    // A warning keeps the model.
    let c = compile(&machine("effect Never"));
    assert!(c.model.is_some());
    // No warnings on top of errors, the parser's included.
    assert_eq!(
        codes("effect Never\n invariant i: nope"),
        [Code::UnknownName]
    );
    assert_eq!(codes("effect Never\n invariant i: flag &&"), [Code::Syntax]);
}

// ------------------------------------------------------------ no cascades

#[test]
fn failures_do_not_cascade() {
    // An unknown type: the field is then accepted everywhere.
    assert_eq!(
        codes("state { z: Nope = 5 }\n invariant i: z == 3 && z.len() > 0 && z"),
        [Code::UnknownType]
    );
    // An unknown input: its parameters are not reported.
    assert_eq!(
        codes("transition t on Nope from C -> stay guard g: p > 1 { n = p }"),
        [Code::UnknownInput]
    );
    // An unknown name compared with `none`: one diagnostic.
    assert_eq!(codes("invariant i: nope == none"), [Code::UnknownName]);
    // An unknown machine guard used twice: one report per use only.
    assert_eq!(
        codes("transition t on Stop from C -> stay guard nope"),
        [Code::UnknownGuard]
    );
    // Independent errors are all reported.
    assert_eq!(
        codes("invariant i: nope\n invariant j: n == true"),
        [Code::UnknownName, Code::TypeMismatch]
    );
}

#[test]
fn deep_nesting_does_not_overflow() {
    // Deeper than any limit: the parser or the checker reports it, nothing panics.
    let deep = format!("invariant i: {}flag{}", "(".repeat(5000), ")".repeat(5000));
    let c = compile(&machine(&deep));
    assert!(c.has_errors());
    let chain = format!("invariant i: flag{}", " && flag".repeat(3000));
    let c = compile(&machine(&chain));
    assert!(
        c.diagnostics.iter().all(|d| d.code == Code::TooDeep),
        "{}",
        render(&c)
    );
}

#[test]
fn several_machines_give_no_model() {
    let src = format!(
        "{}\n{}",
        machine(""),
        machine("").replace("machine M", "machine N")
    );
    let c = compile(&src);
    assert!(c.model.is_none());
}

// ------------------------------------------------------------ the model

/// The auth-lease pieces of `docs/language.md`, put together.
const AUTH_LEASE: &str = r#"
/// One credential lease per auth binding.
machine AuthLease {
    key lease: LeaseKey
    extern LeaseKey = crate::handles::LeaseKey

    /// Why a refresh failed.
    enum RefreshFailure {
        /// Try again later.
        Transient,
        /// The user must sign in again.
        Permanent,
    }

    phases {
        /// A credential is held and not near expiry.
        Valid,
        Expiring,
        Refreshing,
        ReauthRequired,
        /// The lease was given up. Nothing leaves this phase.
        Released,
    }
    initial Valid
    terminal Released

    state {
        /// Epoch seconds; `none` means the credential does not expire.
        expires_at: Option<u64> = none
        credential_present: bool = false
        refresh_attempt: u32 = 0
        generation: u64 = 0
    }

    /// A credential was published.
    input Acquire(expires_at_ts: Option<u64>)
    input BeginRefresh
    input RefreshFailed(disposition: RefreshFailure)
    input Release
    /// Tell the host that the lease changed.
    effect LifecycleChanged(phase: Phase, generation: u64)

    guards { holds: credential_present }

    derive is_live: bool = credential_present && phase != Released

    transition acquire on Acquire from * except Released -> Valid {
        generation += 1
        expires_at = expires_at_ts
        credential_present = true
        emit LifecycleChanged(generation: generation, phase: Valid)
    }
    transition begin_refresh on BeginRefresh from Valid | Expiring -> Refreshing
        guard holds
    /// A refresh attempt failed but may succeed later.
    transition refresh_failed_transient
        on RefreshFailed from Refreshing -> Expiring
        guard transient: disposition == Transient
    {
        refresh_attempt += 1
        emit LifecycleChanged(Expiring, generation)
    }
    transition refresh_failed_permanent
        on RefreshFailed from Refreshing -> ReauthRequired
        guard permanent: disposition == Permanent
    {
        if refresh_attempt < 3 { refresh_attempt += 1 } else { refresh_attempt = 0 }
    }
    transition release on Release from * except Released -> Released {
        credential_present = false
    }

    ignore Release, BeginRefresh in Released

    invariant released_holds_nothing: phase != Released || !credential_present

    verify {
        domain u64 = 0..3
        domain Acquire.expires_at_ts = [none, some(10)]
        domain LeaseKey = ["k1", "k2"]
        max_collection 2
        max_depth 12
        max_states 1_000_000
        reach can_refresh: phase == Refreshing && is_live && expires_at.unwrap_or(0) <= 2
    }
}
"#;

fn auth_lease() -> Model {
    let c = compile(AUTH_LEASE);
    assert!(c.diagnostics.is_empty(), "{}", render(&c));
    c.model.unwrap_or_else(|| panic!("no model"))
}

#[test]
fn model_of_auth_lease_declarations() {
    let m = auth_lease();
    assert_eq!(m.name, "AuthLease");
    assert_eq!(m.docs, ["One credential lease per auth binding."]);
    assert_eq!(&AUTH_LEASE[m.span.range()], "AuthLease");

    let key = m.key.as_ref().unwrap_or_else(|| panic!("no key"));
    assert_eq!(
        (key.name.as_str(), &key.ty),
        ("lease", &Ty::Extern(ExternId(0)))
    );
    assert_eq!(m.externs[0].name, "LeaseKey");
    assert_eq!(m.externs[0].path, "crate::handles::LeaseKey");

    let e = &m.enums[0];
    assert_eq!(e.name, "RefreshFailure");
    assert_eq!(e.docs, ["Why a refresh failed."]);
    assert_eq!(e.variants.len(), 2);
    assert_eq!(e.variants[1].name, "Permanent");
    assert_eq!(e.variants[1].docs, ["The user must sign in again."]);

    let names: Vec<&str> = m.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Valid",
            "Expiring",
            "Refreshing",
            "ReauthRequired",
            "Released"
        ]
    );
    assert_eq!(m.initial, PhaseId(0));
    assert_eq!(m.terminal_phases().collect::<Vec<_>>(), [PhaseId(4)]);
    assert_eq!(
        m.phases[0].docs,
        ["A credential is held and not near expiry."]
    );
    assert!(m.phases[1].docs.is_empty());
    assert_eq!(m.phase_by_name("Refreshing"), Some(PhaseId(2)));
    assert_eq!(m.phase_name(PhaseId(3)), "ReauthRequired");

    let f = &m.fields[0];
    assert_eq!(f.name, "expires_at");
    assert_eq!(f.ty, Ty::Option(Box::new(Ty::Int(IntTy::U64))));
    assert_eq!(f.init.kind, TExprKind::None);
    assert_eq!(f.init.ty, f.ty);
    assert_eq!(
        f.docs,
        ["Epoch seconds; `none` means the credential does not expire."]
    );
    assert_eq!(m.fields[2].ty, Ty::Int(IntTy::U32));
    assert_eq!(m.fields[2].init.kind, TExprKind::Int(0));
    assert_eq!(m.field_by_name("generation"), Some(FieldId(3)));

    assert_eq!(m.inputs.len(), 4);
    assert_eq!(m.inputs[0].docs, ["A credential was published."]);
    assert_eq!(m.inputs[0].params[0].name, "expires_at_ts");
    assert!(m.inputs[1].params.is_empty());
    assert_eq!(m.inputs[2].params[0].ty, Ty::Enum(EnumId(0)));
    let eff = &m.effects[0];
    assert_eq!(eff.name, "LifecycleChanged");
    assert_eq!(eff.params[0].ty, Ty::Phase);
    assert_eq!(eff.param_by_name("generation"), Some(ParamId(1)));

    assert_eq!(m.guards[0].name, "holds");
    assert_eq!(m.guards[0].expr.kind, TExprKind::Field(FieldId(1)));
    let d = &m.derived[0];
    assert_eq!((d.name.as_str(), &d.ty), ("is_live", &Ty::Bool));
    assert_eq!(m.invariants[0].name, "released_holds_nothing");
    assert_eq!(m.ty_name(&m.fields[0].ty), "Option<u64>");
    assert_eq!(
        m.ty_name(&Ty::Map(
            Box::new(Ty::Extern(ExternId(0))),
            Box::new(Ty::Enum(EnumId(0)))
        )),
        "Map<LeaseKey, RefreshFailure>"
    );
}

#[test]
fn model_of_auth_lease_transitions() {
    let m = auth_lease();
    let t = &m.transitions[0];
    assert_eq!(t.name, "acquire");
    assert_eq!(t.input, InputId(0));
    assert_eq!(t.sources, [PhaseId(0), PhaseId(1), PhaseId(2), PhaseId(3)]);
    assert_eq!(t.target, Some(PhaseId(0)));
    assert!(t.guards.is_empty());
    assert_eq!(t.body.len(), 4);
    let TStmtKind::Assign { field, op, value } = &t.body[0].kind else {
        panic!("not an assignment")
    };
    assert_eq!((*field, *op), (FieldId(3), AssignOp::Add));
    assert_eq!(
        (&value.kind, &value.ty),
        (&TExprKind::Int(1), &Ty::Int(IntTy::U64))
    );
    let TStmtKind::Assign { value, .. } = &t.body[1].kind else {
        panic!("not an assignment")
    };
    assert_eq!(value.kind, TExprKind::Param(ParamId(0)));
    // Named arguments come out in parameter order.
    let TStmtKind::Emit { effect, args } = &t.body[3].kind else {
        panic!("not an emit")
    };
    assert_eq!(*effect, EffectId(0));
    assert_eq!(args[0].kind, TExprKind::Phase(PhaseId(0)));
    assert_eq!(args[1].kind, TExprKind::Field(FieldId(3)));

    let t = &m.transitions[1];
    assert_eq!(t.guards[0].name, "holds");
    assert_eq!(t.guards[0].machine_guard, Some(GuardId(0)));
    assert_eq!(t.guards[0].expr, m.guards[0].expr);
    assert!(t.body.is_empty());

    let t = &m.transitions[2];
    assert_eq!(t.docs, ["A refresh attempt failed but may succeed later."]);
    let g = &t.guards[0];
    assert_eq!((g.name.as_str(), g.machine_guard), ("transient", None));
    let TExprKind::Binary(BinOp::Eq, l, r) = &g.expr.kind else {
        panic!("not ==")
    };
    assert_eq!(l.kind, TExprKind::Param(ParamId(0)));
    assert_eq!(r.kind, TExprKind::Variant(EnumId(0), VariantId(0)));

    let t = &m.transitions[3];
    let TStmtKind::If {
        cond,
        then,
        otherwise,
    } = &t.body[0].kind
    else {
        panic!("not an if")
    };
    assert_eq!(cond.ty, Ty::Bool);
    assert_eq!((then.len(), otherwise.len()), (1, 1));

    let t = &m.transitions[4];
    assert_eq!(t.target, Some(PhaseId(4)));
    assert_eq!(
        m.transitions_on(InputId(2))
            .map(|(id, _)| id)
            .collect::<Vec<_>>(),
        [TransitionId(2), TransitionId(3)]
    );
    assert_eq!(m.candidates(InputId(1), PhaseId(1)).count(), 1);
    assert_eq!(m.transition_by_name("release"), Some(TransitionId(4)));

    assert_eq!(m.ignores.len(), 2);
    assert_eq!(
        (m.ignores[0].input, &m.ignores[0].phases[..]),
        (InputId(3), &[PhaseId(4)][..])
    );
    assert!(m.is_ignored(InputId(1), PhaseId(4)));
}

#[test]
fn model_of_auth_lease_verify() {
    let m = auth_lease();
    let v = &m.verify;
    assert_eq!(v.domains.len(), 3);
    assert_eq!(v.domains[0].target, DomainTarget::Type(Ty::Int(IntTy::U64)));
    assert_eq!(v.domains[0].values, DomainValues::Range { lo: 0, hi: 2 });
    let DomainValues::List(values) = &v.domains[1].values else {
        panic!("not a list")
    };
    assert_eq!(values[0].kind, TExprKind::None);
    assert_eq!(values[1].ty, Ty::Option(Box::new(Ty::Int(IntTy::U64))));
    let DomainValues::List(keys) = &v.domains[2].values else {
        panic!("not a list")
    };
    assert_eq!(keys[0].kind, TExprKind::Str("k1".into()));
    assert_eq!(
        (v.max_collection, v.max_depth, v.max_states),
        (Some(2), Some(12), Some(1_000_000))
    );
    assert_eq!(v.reach[0].name, "can_refresh");
    let mut reads_derived = false;
    v.reach[0]
        .expr
        .walk(&mut |e| reads_derived |= e.kind == TExprKind::Derived(DerivedId(0)));
    assert!(reads_derived);
}

#[test]
fn model_serializes_to_json() {
    let m = auth_lease();
    let json = serde_json::to_value(&m).unwrap_or_default();
    assert_eq!(json["name"], "AuthLease");
    assert_eq!(json["phases"][4]["terminal"], true);
    assert_eq!(
        json["transitions"][0]["sources"],
        serde_json::json!([0, 1, 2, 3])
    );
}

#[test]
fn same_as_ignores_spans_only() {
    let m = ok(
        "guards { g1: n < 10\n g2:   n <   10\n g3: n < 11 }\n transition t on Stop from C -> stay guard g1 guard g2 guard g3",
    );
    assert!(m.guards[0].expr.same_as(&m.guards[1].expr));
    assert_ne!(m.guards[0].expr, m.guards[1].expr);
    assert!(!m.guards[0].expr.same_as(&m.guards[2].expr));
}

#[test]
fn quantifiers_bind_levels() {
    let m = ok(
        "state { s: Map<String, Set<String>> = [] }\n invariant i: all k in s: any v in names: k == v",
    );
    let TExprKind::Quant { var, body, .. } = &m.invariants[0].expr.kind else {
        panic!("not a quantifier")
    };
    assert_eq!(*var, VarId(0));
    let TExprKind::Quant { var, body, .. } = &body.kind else {
        panic!("not a quantifier")
    };
    assert_eq!(*var, VarId(1));
    let TExprKind::Binary(BinOp::Eq, l, r) = &body.kind else {
        panic!("not ==")
    };
    assert_eq!(
        (&l.kind, &r.kind),
        (&TExprKind::Var(VarId(0)), &TExprKind::Var(VarId(1)))
    );
    assert_eq!(l.ty, Ty::String);
}

#[test]
fn bundled_machines_check_clean() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../machines");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "fsm"))
    {
        let bytes = std::fs::read(p).unwrap_or_default();
        let c = crate::compile(&p.display().to_string(), &bytes);
        assert!(c.diagnostics.is_empty(), "{}", render(&c));
        assert!(c.model.is_some());
    }
}

#[test]
fn machine_level_guard_lines_are_refused() {
    // Reported once, and kept, so the transition using it is checked.
    let d = one(
        "guard g: flag\n transition t on Stop from C -> stay guard g",
        Code::Syntax,
    );
    assert_eq!(help(&d), "machine-level guards go in a `guards { }` block");
    let d = one(
        "guard g\n transition t on Stop from C -> stay guard g",
        Code::Syntax,
    );
    assert_eq!(help(&d), "machine-level guards go in a `guards { }` block");
}

#[test]
fn checker_bounds_its_own_recursion() {
    // A tree deeper than the parser would ever build: reported, no overflow.
    let src = machine("invariant deep: flag");
    let source = crate::span::SourceFile::new("t.fsm", src.as_str());
    let (mut file, diags) = crate::parser::parse(&source);
    assert!(diags.is_empty());
    let Some(machine) = file.machines.first_mut() else {
        panic!("no machine")
    };
    let Some(crate::ast::ItemKind::Invariant { expr, .. }) =
        machine.items.last_mut().map(|i| &mut i.kind)
    else {
        panic!("no invariant")
    };
    for _ in 0..2000 {
        let inner = std::mem::replace(
            expr,
            crate::ast::Expr {
                kind: crate::ast::ExprKind::Error,
                span: expr.span,
            },
        );
        *expr = crate::ast::Expr {
            span: inner.span,
            kind: crate::ast::ExprKind::Unary(crate::ast::UnaryOp::Not, Box::new(inner)),
        };
    }
    let (model, diags) = super::check(&file);
    assert!(model.is_none());
    assert_eq!(
        diags.iter().map(|d| d.code).collect::<Vec<_>>(),
        [Code::TooDeep]
    );
}

// ------------------------------------------------------------ guards with parameters

#[test]
fn parameterized_guards_are_inlined() {
    let m = ok("guards {\n/// Small.\nbelow(limit: u32): n < limit\n}\n\
         transition t on Go from C -> stay guard below(x + 1)");
    let g = &m.guards[0];
    assert_eq!(g.docs, ["Small."]);
    assert_eq!(g.params.len(), 1);
    assert_eq!(g.params[0].ty, Ty::Int(IntTy::U32));
    let TExprKind::Binary(BinOp::Lt, _, r) = &g.expr.kind else {
        panic!("not <")
    };
    assert_eq!(r.kind, TExprKind::Param(ParamId(0)));
    let t = &m.transitions[3];
    assert_eq!(t.guards[0].name, "below");
    assert_eq!(t.guards[0].machine_guard, Some(GuardId(0)));
    // The argument stands where the parameter stood.
    let TExprKind::Binary(BinOp::Lt, _, r) = &t.guards[0].expr.kind else {
        panic!("not <")
    };
    assert!(matches!(r.kind, TExprKind::Binary(BinOp::Add, ..)));
}

#[test]
fn guard_arguments_are_checked() {
    let d = one(
        "guards { below(limit: u32): n < limit }\n transition t on Go from C -> stay guard below",
        Code::Arity,
    );
    assert_eq!(d.message, "guard `below` takes 1 argument but 0 were given");
    assert_eq!(help(&d), "pass its arguments: `guard below(limit)`");
    one(
        "guards { below(limit: u32): n < limit }\n transition t on Go from C -> stay guard below(x, x)",
        Code::Arity,
    );
    one(
        "guards { below(limit: u32): n < limit }\n transition t on Go from C -> stay guard below(flag)",
        Code::TypeMismatch,
    );
    one(
        "guards { g: flag }\n transition t on Go from C -> stay guard g(x)",
        Code::Arity,
    );
    // Parameters shadow nothing, and are not in scope elsewhere.
    one("guards { g(n: u32): n > 0 }", Code::Shadowing);
    one(
        "guards { g(v: u32): v > 0 }\n invariant i: v > 0\n transition t on Go from C -> stay guard g(x)",
        Code::UnknownName,
    );
}

#[test]
fn quantifier_variables_move_into_inlined_guards() {
    let m = ok(
        "guards { every(s: Set<String>): all a in names: s.contains(a) }\n\
         transition t on Go from C -> stay guard every([\"x\"])",
    );
    let g = &m.transitions[3].guards[0].expr;
    let TExprKind::Quant { body, .. } = &g.kind else {
        panic!("not a quantifier")
    };
    let TExprKind::Method { receiver, args, .. } = &body.kind else {
        panic!("not a method")
    };
    assert!(matches!(receiver.kind, TExprKind::Collection(_)));
    assert_eq!(args[0].kind, TExprKind::Var(VarId(0)));
    // An argument with its own quantifier, inlined under one.
    let m = ok(
        "guards { every(b: bool): all a in names: b || a == \"\" }\n\
         transition t on Go from C -> stay guard every(any v in names: v == \"y\")",
    );
    let TExprKind::Quant { body, .. } = &m.transitions[3].guards[0].expr.kind else {
        panic!("not a quantifier")
    };
    let TExprKind::Binary(BinOp::Or, arg, _) = &body.kind else {
        panic!("not ||")
    };
    let TExprKind::Quant { var, body, .. } = &arg.kind else {
        panic!("the argument is not a quantifier")
    };
    assert_eq!(*var, VarId(1));
    let TExprKind::Binary(BinOp::Eq, v, _) = &body.kind else {
        panic!("not ==")
    };
    assert_eq!(v.kind, TExprKind::Var(VarId(1)));
}

// ------------------------------------------------------------ actions

#[test]
fn actions_are_inlined() {
    let m = ok(
        "action bump(by: u32) {\n n += by\n if n > 5 { do reset }\n emit Done(n)\n}\n\
         action reset { n = 0 }\n\
         transition t on Go from C -> stay {\n do bump(x)\n do reset\n}",
    );
    let body = &m.transitions[3].body;
    assert_eq!(body.len(), 4);
    let TStmtKind::Assign { value, op, .. } = &body[0].kind else {
        panic!("not an assignment")
    };
    assert_eq!(*op, AssignOp::Add);
    assert_eq!(value.kind, TExprKind::Param(ParamId(0)));
    let TStmtKind::If { then, .. } = &body[1].kind else {
        panic!("not an if")
    };
    assert!(matches!(then[0].kind, TStmtKind::Assign { .. }));
    assert!(matches!(body[2].kind, TStmtKind::Emit { .. }));
    assert!(matches!(body[3].kind, TStmtKind::Assign { .. }));
}

#[test]
fn action_errors() {
    let d = one(
        "transition t on Go from C -> stay { do rest }\n action reset { n = 0 }",
        Code::UnknownAction,
    );
    assert_eq!(help(&d), "did you mean `reset`?");
    one(
        "action a(v: u32) { n = v }\n transition t on Go from C -> stay { do a }",
        Code::Arity,
    );
    one(
        "action a(v: u32) { n = v }\n transition t on Go from C -> stay { do a(flag) }",
        Code::TypeMismatch,
    );
    let d = one(
        "action a { do b }\n action b { if flag { do a } }\n transition t on Go from C -> stay { do a }",
        Code::ActionCycle,
    );
    assert_eq!(d.message, "actions `a`, `b` run each other in a cycle");
    assert_eq!(d.labels.len(), 3);
    let d = one(
        "action a { do a }\n transition t on Go from C -> stay { do a }",
        Code::ActionCycle,
    );
    assert_eq!(d.message, "action `a` runs itself");
    one("action a(v: u32) { v = 1 }", Code::AssignToParam);
    // An action reads the state and its own parameters only.
    one(
        "action a { n = x }\n transition t on Go from C -> stay { do a }",
        Code::UnknownName,
    );
    one("action a(n: u32) { flag = true }", Code::Shadowing);
    one("action a { }\n action a { }", Code::Duplicate);
    // An error in an action is reported once, however often it runs.
    assert_eq!(
        codes("action a { n = nope }\n transition t on Go from C -> stay { do a do a }"),
        [Code::UnknownName]
    );
}

#[test]
fn inlining_is_bounded() {
    // Each action runs the previous one twice: 2^40 statements.
    let mut src = String::from("action a0 { n += 1 }\n");
    for i in 1..=40 {
        src.push_str(&format!("action a{i} {{ do a{} do a{} }}\n", i - 1, i - 1));
    }
    src.push_str("transition t on Go from C -> stay { do a40 }");
    let c = compile(&machine(&src));
    assert_eq!(
        c.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        [Code::TooDeep],
        "{}",
        render(&c)
    );
}

// ------------------------------------------------------------ target

#[test]
fn target_is_the_phase_after() {
    let m = ok("effect At(p: Phase)\n\
         action announce { emit At(target) }\n\
         transition t on Go from C -> stay { emit At(target) do announce }");
    let TStmtKind::Emit { args, .. } = &m.transitions[3].body[1].kind else {
        panic!("not an emit")
    };
    assert_eq!(args[0].kind, TExprKind::Target);
    assert_eq!(args[0].ty, Ty::Phase);
    let d = one("invariant i: target == C", Code::UnknownName);
    assert_eq!(d.message, "`target` cannot be read in an invariant");
    assert_eq!(
        d.notes,
        ["`target` is only defined inside a transition's block"]
    );
    let d = one(
        "transition t on Go from C -> stay guard g: target == C",
        Code::UnknownName,
    );
    assert_eq!(d.message, "`target` cannot be read in a guard");
    one("guards { g: target == C }", Code::UnknownName);
    one("state { p: Phase = target }", Code::UnknownName);
}

// ------------------------------------------------------------ phase sets

#[test]
fn phase_sets() {
    let m = ok("/// Live.\nphases Live = A | B\n\
         input P\n transition t on P from Live -> stay guard g: phase in Live\n\
         ignore Stop in C\n\
         invariant i: phase in Live || phase == C");
    assert_eq!(m.phase_sets[0].name, "Live");
    assert_eq!(m.phase_sets[0].docs, ["Live."]);
    assert_eq!(m.phase_sets[0].phases, [PhaseId(0), PhaseId(1)]);
    assert_eq!(m.transitions[3].sources, [PhaseId(0), PhaseId(1)]);
    let TExprKind::Binary(BinOp::In, _, r) = &m.transitions[3].guards[0].expr.kind else {
        panic!("not in")
    };
    assert_eq!(r.ty, Ty::Set(Box::new(Ty::Phase)));
    // `* except`, `ignore` and `terminal` take sets too.
    let m = ok(
        "phases Done = C\n input P\n transition t on P from * except Done | A -> stay guard g: flag\n\
         ignore Go in Done\n terminal Done",
    );
    assert_eq!(m.transitions[3].sources, [PhaseId(1)]);
    // The namespace is shared with phases; members are phases.
    one("phases A = B | C", Code::Duplicate);
    one("phases S = B\n phases S = C", Code::Duplicate);
    let d = one("phases S = B | Q", Code::UnknownPhase);
    assert_eq!(d.message, "unknown phase `Q`");
    let d = one("phases S = B\n phases T = S | C", Code::UnknownPhase);
    assert_eq!(d.message, "`S` is a phase set, not a phase");
    let d = one(
        "phases S = B\n transition t on Go from C -> S",
        Code::UnknownPhase,
    );
    assert!(d.notes.iter().any(|n| n.contains("phase set")), "{d:?}");
    one("phases S = B | B", Code::Duplicate);
    // The source set names a phase set that failed: one report.
    assert_eq!(
        codes("phases S = Q\n transition t on Go from S -> stay guard g: phase in S"),
        [Code::UnknownPhase]
    );
}

// ------------------------------------------------------------ constants

#[test]
fn constants() {
    let m = ok(
        "/// Most.\nconst MAX: u32 = 7\n const NONE: Option<u32> = none\n\
         state { m: u32 = MAX }\n invariant i: n <= MAX || NONE.is_none() || m > 0\n\
         verify { domain Go.x = [MAX, 1] }",
    );
    assert_eq!(m.consts[0].name, "MAX");
    assert_eq!(m.consts[0].docs, ["Most."]);
    assert_eq!(m.consts[0].value.kind, TExprKind::Int(7));
    let f = &m.fields[4];
    assert_eq!(f.init.kind, TExprKind::Const(ConstId(0)));
    assert_eq!(f.init.ty, Ty::Int(IntTy::U32));
    one("const MAX: u8 = 300", Code::LiteralOutOfRange);
    one("const MAX: u8 = n", Code::UnknownName);
    let d = one("const A: u8 = 1\n const B: u8 = A", Code::UnknownName);
    assert_eq!(
        d.message,
        "constant `A` cannot be read in a constant's value"
    );
    one("const A: u8 = 1\n const A: u8 = 2", Code::Duplicate);
    one("const n: u8 = 1", Code::Shadowing);
    one(
        "const A: u32 = 1\n input I(A: u32)\n ignore I in C",
        Code::Shadowing,
    );
    one(
        "const A: u32 = 1\n transition t on Go from C -> stay { A = 2 }",
        Code::AssignToReadOnly,
    );
    one("extern K = a::K\n const A: K = none", Code::InvalidType);
}

// ------------------------------------------------------------ the rest

#[test]
fn map_keys_and_bound_enums_and_parameter_docs() {
    let m = ok("state { m: Map<String, u32> = [] }\n\
         derive ks: Set<String> = m.keys()\n\
         invariant i: ks.len() == m.len() && all k in m.keys(): m.contains_key(k)\n\
         enum Side = crate::side::Side { Left, Right }\n\
         state { side: Side = Left }\n invariant s: side != Right\n\
         input Doc(\n/// The value.\nv: u32)\n ignore Doc in C");
    assert_eq!(m.derived[0].ty, Ty::Set(Box::new(Ty::String)));
    assert_eq!(m.enums[1].rust_path.as_deref(), Some("crate::side::Side"));
    assert_eq!(m.enums[0].rust_path, None);
    let doc = m
        .input_by_name("Doc")
        .and_then(|i| m.input(i))
        .unwrap_or_else(|| panic!());
    assert_eq!(doc.params[0].docs, ["The value."]);
    one("invariant i: names.keys().is_empty()", Code::InvalidOperand);
}

#[test]
fn former_cascades_are_single_reports() {
    // A parameter shadowing a field: its reads and writes are not checked.
    assert_eq!(
        codes_of(
            &machine("")
                .replace("input Go(x: u32)", "input Go(n: u32)")
                .replace("n = x", "n = n")
        ),
        [Code::Shadowing]
    );
    // A second key is still a name.
    assert_eq!(
        codes("key k: String\n key j: String\n invariant i: j != \"\""),
        [Code::Duplicate]
    );
    // `[Left].contains(c)` takes its type from `c`.
    ok("enum Hinge { Red, Blue }\n invariant i: [Red].contains(color)");
    // A field without a type is still a field.
    assert_eq!(
        codes("state { z: = 1 }\n invariant i: z == 3"),
        [Code::Syntax]
    );
    // An effect without parameters is named without parentheses.
    let d = one_of(
        &machine("effect Ping").replace("emit Done(n)", "emit Done(n) emit Ping(1)"),
        Code::Arity,
    );
    assert_eq!(d.labels[1].message, "`Ping` declared here");
}

// ------------------------------------------------------------ bindings

#[test]
fn bindings_lower_to_the_model() {
    let m = ok("/// The handle.\n\
         impl Handle {\n\
         /// Goes.\n\
         fn go(amount) = Go\n\
         fn stop = Stop\n\
         fn snap = snapshot\n\
         fn phase = phase\n\
         fn count = field n\n\
         fn small = derive small\n\
         }\n\
         impl Other { fn stop() = Stop }\n\
         derive small: bool = n < 3");
    assert_eq!(m.bindings.len(), 2);
    let b = &m.bindings[0];
    assert_eq!(b.trait_name, "Handle");
    assert_eq!(b.docs, ["The handle."]);
    let targets: Vec<(&str, BindingTarget)> = b
        .methods
        .iter()
        .map(|x| (x.name.as_str(), x.target))
        .collect();
    assert_eq!(
        targets,
        [
            ("go", BindingTarget::Input(InputId(0))),
            ("stop", BindingTarget::Input(InputId(1))),
            ("snap", BindingTarget::Snapshot),
            ("phase", BindingTarget::Phase),
            ("count", BindingTarget::Field(FieldId(0))),
            ("small", BindingTarget::Derived(DerivedId(0))),
        ]
    );
    assert_eq!(b.methods[0].params, ["amount"]);
    assert_eq!(b.methods[0].docs, ["Goes."]);
    assert_eq!(m.bindings[1].methods.len(), 1);
}

#[test]
fn binding_errors() {
    let d = one("impl H { fn go(a) = Goo }", Code::UnknownInput);
    assert_eq!(help(&d), "did you mean `Go`?");
    one("impl H { fn f = field nn }", Code::UnknownName);
    one("impl H { fn f = derive nothing }", Code::UnknownName);
    let d = one("impl H { fn go = Go }", Code::Arity);
    assert!(d.notes.iter().any(|n| n.contains("`x`")), "{d:?}");
    one("impl H { fn stop(a) = Stop }", Code::Arity);
    one("impl H { fn f(a) = snapshot }", Code::Arity);
    assert_eq!(
        codes("impl H { fn go(a, a) = Go }"),
        [Code::Arity, Code::Duplicate]
    );
    let d = one("impl H { fn f = phase\n fn f = snapshot }", Code::Duplicate);
    assert_eq!(d.labels.len(), 2);
    one(
        "impl H { fn f = phase }\n impl H { fn g = phase }",
        Code::Duplicate,
    );
    ok("impl H { fn f = phase }\n impl J { fn f = phase }");
}

#[test]
fn overlap_is_checked_between_transitions_that_share_a_phase() {
    let c = compile(
        "machine M {
            phases { A, B, C, D }
            initial A
            terminal D
            input Go
            transition ab on Go from A | B -> D
            transition c on Go from C -> D
            transition bc on Go from B | C -> D
            transition d on Go from D -> stay
        }",
    );
    let overlaps: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::Overlap)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        overlaps,
        [
            "transitions `ab` and `bc` overlap",
            "transitions `c` and `bc` overlap"
        ]
    );
}

// ------------------------------------------------------------ quick fixes

/// The text after applying every fix of every diagnostic (their edits do
/// not overlap).
fn fixed(src: &str) -> String {
    let c = compile(src);
    let mut edits: Vec<(crate::Span, String)> = c
        .diagnostics
        .iter()
        .flat_map(|d| d.fixes.iter().flat_map(|f| f.edits.clone()))
        .collect();
    edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = src.to_owned();
    for (span, text) in edits {
        out.replace_range(span.range(), &text);
    }
    out
}

#[test]
fn did_you_mean_helps_carry_the_replacement_as_a_fix() {
    let src = machine(
        "transition t on Stp from Bb -> stay
    transition u on Go from C -> stay
        guard g: colr == Color::Gren && x < 3
    derive d: u3 = 0",
    );
    let c = compile(&src);
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnknownInput)
        .unwrap();
    assert_eq!(d.fixes[0].message, "replace with `Stop`");
    let repaired = fixed(&src);
    assert!(
        repaired.contains("transition t on Stop from B -> stay"),
        "{repaired}"
    );
    assert!(
        repaired.contains("guard g: color == Color::Green && x < 3"),
        "{repaired}"
    );
    assert!(repaired.contains("derive d: u32 = 0"), "{repaired}");
}

#[test]
fn rust_habits_and_a_missing_target_carry_fixes() {
    let src = machine("invariant i: not flag and n < 3 or Some(n) == None");
    assert!(
        fixed(&src).contains("invariant i: ! flag && n < 3 || some(n) == none"),
        "{}",
        fixed(&src)
    );
    let src = machine("input Poke\n    transition t on Poke from B { n = 1 }");
    let repaired = fixed(&src);
    assert!(repaired.contains("from B -> stay { n = 1 }"), "{repaired}");
    assert!(!compile(&repaired).has_errors(), "{repaired}");
}
