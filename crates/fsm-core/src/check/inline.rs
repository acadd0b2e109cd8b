//! Inlining of machine-level guards and actions where they are used: a
//! copy of the lowered expression or block with each parameter replaced by
//! the argument written at the use.
//!
//! Arguments are typed at the use, outside any quantifier, so their
//! quantifier variables count from 0; where a parameter stands inside `d`
//! quantifiers of the guard or action, the argument's variables move `d`
//! levels in. The result is typed like the original: each argument has the
//! type of its parameter (checked by the caller).

use crate::model::{TExpr, TExprKind, TStmt, TStmtKind, VarId};

/// `e` with `Param(i)` replaced by `args[i]`.
pub(super) fn expr(e: &TExpr, args: &[TExpr]) -> TExpr {
    subst(e, args, 0)
}

/// `stmts` with `Param(i)` replaced by `args[i]` in every expression.
pub(super) fn stmts(stmts: &[TStmt], args: &[TExpr]) -> Vec<TStmt> {
    stmts.iter().map(|s| stmt(s, args)).collect()
}

fn stmt(s: &TStmt, args: &[TExpr]) -> TStmt {
    let e = |x: &TExpr| subst(x, args, 0);
    let kind = match &s.kind {
        TStmtKind::Assign { field, op, value } => TStmtKind::Assign {
            field: *field,
            op: *op,
            value: e(value),
        },
        TStmtKind::Insert { field, key, value } => TStmtKind::Insert {
            field: *field,
            key: e(key),
            value: value.as_ref().map(e),
        },
        TStmtKind::Remove { field, key } => TStmtKind::Remove {
            field: *field,
            key: e(key),
        },
        TStmtKind::Push { field, value } => TStmtKind::Push {
            field: *field,
            value: e(value),
        },
        TStmtKind::Clear { field } => TStmtKind::Clear { field: *field },
        TStmtKind::Emit { effect, args: xs } => TStmtKind::Emit {
            effect: *effect,
            args: xs.iter().map(e).collect(),
        },
        TStmtKind::If {
            cond,
            then,
            otherwise,
        } => TStmtKind::If {
            cond: e(cond),
            then: stmts(then, args),
            otherwise: stmts(otherwise, args),
        },
    };
    TStmt { kind, span: s.span }
}

fn subst(e: &TExpr, args: &[TExpr], depth: u32) -> TExpr {
    let sub = |x: &TExpr| Box::new(subst(x, args, depth));
    let kind = match &e.kind {
        TExprKind::Param(p) => {
            if let Some(a) = args.get(p.index()) {
                return shift(a, depth);
            }
            TExprKind::Param(*p)
        }
        TExprKind::Some(x) => TExprKind::Some(sub(x)),
        TExprKind::Collection(xs) => {
            TExprKind::Collection(xs.iter().map(|x| subst(x, args, depth)).collect())
        }
        TExprKind::Unary(op, x) => TExprKind::Unary(*op, sub(x)),
        TExprKind::Binary(op, a, b) => TExprKind::Binary(*op, sub(a), sub(b)),
        TExprKind::Method {
            method,
            receiver,
            args: xs,
        } => TExprKind::Method {
            method: *method,
            receiver: sub(receiver),
            args: xs.iter().map(|x| subst(x, args, depth)).collect(),
        },
        TExprKind::Quant {
            kind,
            var,
            name,
            coll,
            body,
        } => TExprKind::Quant {
            kind: *kind,
            var: *var,
            name: name.clone(),
            coll: sub(coll),
            body: Box::new(subst(body, args, depth + 1)),
        },
        other => other.clone(),
    };
    TExpr {
        kind,
        ty: e.ty.clone(),
        span: e.span,
    }
}

/// `e` with every quantifier variable `by` levels deeper.
fn shift(e: &TExpr, by: u32) -> TExpr {
    if by == 0 {
        return e.clone();
    }
    let sub = |x: &TExpr| Box::new(shift(x, by));
    let kind = match &e.kind {
        TExprKind::Var(v) => TExprKind::Var(VarId(v.0.saturating_add(by))),
        TExprKind::Some(x) => TExprKind::Some(sub(x)),
        TExprKind::Collection(xs) => {
            TExprKind::Collection(xs.iter().map(|x| shift(x, by)).collect())
        }
        TExprKind::Unary(op, x) => TExprKind::Unary(*op, sub(x)),
        TExprKind::Binary(op, a, b) => TExprKind::Binary(*op, sub(a), sub(b)),
        TExprKind::Method {
            method,
            receiver,
            args,
        } => TExprKind::Method {
            method: *method,
            receiver: sub(receiver),
            args: args.iter().map(|x| shift(x, by)).collect(),
        },
        TExprKind::Quant {
            kind,
            var,
            name,
            coll,
            body,
        } => TExprKind::Quant {
            kind: *kind,
            var: VarId(var.0.saturating_add(by)),
            name: name.clone(),
            coll: sub(coll),
            body: sub(body),
        },
        other => other.clone(),
    };
    TExpr {
        kind,
        ty: e.ty.clone(),
        span: e.span,
    }
}

/// The number of nodes of an expression.
pub(super) fn expr_size(e: &TExpr) -> usize {
    let mut n = 0usize;
    e.walk(&mut |_| n = n.saturating_add(1));
    n
}

/// The number of statements and expression nodes of a block.
pub(super) fn block_size(stmts: &[TStmt]) -> usize {
    let mut n = 0usize;
    for s in stmts {
        s.walk(&mut |st| {
            n = n.saturating_add(1);
            for e in st.exprs() {
                n = n.saturating_add(expr_size(e));
            }
        });
    }
    n
}

/// How deeply the statements of a block nest (1 for a flat block).
pub(super) fn block_depth(stmts: &[TStmt]) -> u32 {
    stmts
        .iter()
        .map(|s| match &s.kind {
            TStmtKind::If {
                then, otherwise, ..
            } => 1 + block_depth(then).max(block_depth(otherwise)),
            _ => 1,
        })
        .max()
        .unwrap_or(0)
}
