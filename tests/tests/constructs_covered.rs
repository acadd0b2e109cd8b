//! Every kind of expression and statement of the checked model is used by a
//! spec that the cross-checks run on: a bundled machine (the parity test
//! compares generated code and `eval` on it; SPIN counts its states), a
//! `tests/specs/spin_*.fsm` spec (SPIN) or a test spec of the parity test.
//! A new kind without such a spec fails here, naming the recipe in
//! CONTRIBUTING.md.

use std::collections::BTreeSet;
use std::path::Path;

use fsm_core::model::{Model, TExpr, TExprKind, TStmt, TStmtKind};

const RECIPE: &str = "(CONTRIBUTING.md, recipe \"adding an expression or statement kind\")";

/// The name of an expression kind. Exhaustive on purpose: a new kind is a
/// compile error here until it is named, and then a failure below until a
/// cross-checked spec uses it.
fn expr_kind(e: &TExpr) -> &'static str {
    match &e.kind {
        TExprKind::Bool(_) => "Bool",
        TExprKind::Int(_) => "Int",
        TExprKind::Str(_) => "Str",
        TExprKind::None => "None",
        TExprKind::Some(_) => "Some",
        TExprKind::Field(_) => "Field",
        TExprKind::Param(_) => "Param",
        TExprKind::Derived(_) => "Derived",
        TExprKind::Key => "Key",
        TExprKind::CurrentPhase => "CurrentPhase",
        TExprKind::Target => "Target",
        TExprKind::Const(_) => "Const",
        TExprKind::Variant(..) => "Variant",
        TExprKind::Phase(_) => "Phase",
        TExprKind::Var(_) => "Var",
        TExprKind::Collection(_) => "Collection",
        TExprKind::Unary(..) => "Unary",
        TExprKind::Binary(..) => "Binary",
        TExprKind::Method { .. } => "Method",
        TExprKind::Quant { .. } => "Quant",
    }
}

const EXPR_KINDS: &[&str] = &[
    "Bool",
    "Int",
    "Str",
    "None",
    "Some",
    "Field",
    "Param",
    "Derived",
    "Key",
    "CurrentPhase",
    "Target",
    "Const",
    "Variant",
    "Phase",
    "Var",
    "Collection",
    "Unary",
    "Binary",
    "Method",
    "Quant",
];

fn stmt_kind(s: &TStmt) -> &'static str {
    match &s.kind {
        TStmtKind::Assign { .. } => "Assign",
        TStmtKind::Insert { .. } => "Insert",
        TStmtKind::Remove { .. } => "Remove",
        TStmtKind::Push { .. } => "Push",
        TStmtKind::Clear { .. } => "Clear",
        TStmtKind::Emit { .. } => "Emit",
        TStmtKind::If { .. } => "If",
    }
}

const STMT_KINDS: &[&str] = &["Assign", "Insert", "Remove", "Push", "Clear", "Emit", "If"];

fn walk_expr(e: &TExpr, out: &mut BTreeSet<&'static str>) {
    out.insert(expr_kind(e));
    match &e.kind {
        TExprKind::Some(inner) | TExprKind::Unary(_, inner) => walk_expr(inner, out),
        TExprKind::Collection(items) => items.iter().for_each(|i| walk_expr(i, out)),
        TExprKind::Binary(_, l, r) => {
            walk_expr(l, out);
            walk_expr(r, out);
        }
        TExprKind::Method { receiver, args, .. } => {
            walk_expr(receiver, out);
            args.iter().for_each(|a| walk_expr(a, out));
        }
        TExprKind::Quant { coll, body, .. } => {
            walk_expr(coll, out);
            walk_expr(body, out);
        }
        _ => {}
    }
}

fn walk_model(m: &Model, exprs: &mut BTreeSet<&'static str>, stmts: &mut BTreeSet<&'static str>) {
    for t in &m.transitions {
        t.guards.iter().for_each(|g| walk_expr(&g.expr, exprs));
        for s in &t.body {
            s.walk(&mut |s| {
                stmts.insert(stmt_kind(s));
                s.exprs().into_iter().for_each(|e| walk_expr(e, exprs));
            });
        }
    }
    m.invariants.iter().for_each(|i| walk_expr(&i.expr, exprs));
    m.derived.iter().for_each(|d| walk_expr(&d.expr, exprs));
    m.fields.iter().for_each(|f| walk_expr(&f.init, exprs));
}

fn cross_checked_specs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let parity = include_str!("parity.rs");
    let mut out = Vec::new();
    for dir in ["machines", "tests/specs"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let checked = dir == "machines"
                || name.starts_with("spin_")
                || parity.contains(&format!("\"{dir}/{name}\""));
            if name.ends_with(".fsm") && checked {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_expression_and_statement_kind_is_cross_checked() {
    let (mut exprs, mut stmts) = (BTreeSet::new(), BTreeSet::new());
    for path in cross_checked_specs() {
        let bytes = std::fs::read(&path).unwrap();
        let model = fsm_core::compile(&path.display().to_string(), &bytes)
            .model
            .unwrap_or_else(|| panic!("{} compiles", path.display()));
        walk_model(&model, &mut exprs, &mut stmts);
    }
    let missing: Vec<_> = EXPR_KINDS
        .iter()
        .filter(|k| !exprs.contains(*k))
        .chain(STMT_KINDS.iter().filter(|k| !stmts.contains(*k)))
        .collect();
    assert!(
        missing.is_empty(),
        "no bundled machine or tests/specs/spin_*.fsm spec uses {missing:?} {RECIPE}"
    );
}
