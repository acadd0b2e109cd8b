//! Constant values, the input instances given by the `verify { domain … }`
//! settings, and the finite universes of the value types that the Promela
//! export encodes as small integers.

use super::ExportError;
use crate::eval::{self, Value};
use fsm_core::model::{
    EnumId, ExternId, InputId, Model, ParamId, PhaseId, TExpr, TExprKind, TStmt, Ty, UnOp,
    VariantId,
};
use std::collections::BTreeSet;

/// A constant value of the language, ordered as the runtime orders it
/// (collections hold their members sorted).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Val {
    Bool(bool),
    Int(i128),
    Str(String),
    Enum(EnumId, VariantId),
    Phase(PhaseId),
    Extern(ExternId, String),
    None,
    Some(Box<Val>),
    Set(Vec<Val>),
    Map(Vec<(Val, Val)>),
    List(Vec<Val>),
}

/// One input with concrete parameter values.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub input: InputId,
    pub args: Vec<Val>,
}

/// Evaluates a constant expression (a literal, `none`, `some(…)`, `[…]`, a
/// variant, a phase or a constant) of type `ty`. A string literal where an
/// extern is expected is an abstract extern value.
pub(crate) fn const_val(model: &Model, expr: &TExpr, ty: &Ty) -> Result<Val, ExportError> {
    const_val_depth(model, expr, ty, 0)
}

fn const_val_depth(model: &Model, expr: &TExpr, ty: &Ty, depth: usize) -> Result<Val, ExportError> {
    if depth > 64 {
        return Err(ExportError::new("constant value nested too deeply"));
    }
    let not_const = || ExportError::new("a `verify` value or initial value is not a constant");
    Ok(match (&expr.kind, ty) {
        (TExprKind::Bool(b), _) => Val::Bool(*b),
        (TExprKind::Int(i), _) => Val::Int(*i),
        (TExprKind::Unary(UnOp::Neg, inner), _) => {
            match const_val_depth(model, inner, ty, depth + 1)? {
                Val::Int(i) => Val::Int(-i),
                _ => return Err(not_const()),
            }
        }
        (TExprKind::Str(s), Ty::Extern(e)) => Val::Extern(*e, s.clone()),
        (TExprKind::Str(s), _) => Val::Str(s.clone()),
        (TExprKind::None, _) => Val::None,
        (TExprKind::Some(inner), Ty::Option(t)) => {
            Val::Some(Box::new(const_val_depth(model, inner, t, depth + 1)?))
        }
        (TExprKind::Some(inner), _) => Val::Some(Box::new(const_val_depth(
            model,
            inner,
            &inner.ty,
            depth + 1,
        )?)),
        (TExprKind::Variant(e, v), _) => Val::Enum(*e, *v),
        (TExprKind::Phase(p), _) => Val::Phase(*p),
        (TExprKind::Const(c), _) => {
            let def = model.constant(*c).ok_or_else(not_const)?;
            const_val_depth(model, &def.value, ty, depth + 1)?
        }
        (TExprKind::Collection(items), Ty::Set(t)) => {
            let mut set = BTreeSet::new();
            for item in items {
                set.insert(const_val_depth(model, item, t, depth + 1)?);
            }
            Val::Set(set.into_iter().collect())
        }
        (TExprKind::Collection(items), Ty::List(t)) => Val::List(
            items
                .iter()
                .map(|item| const_val_depth(model, item, t, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        (TExprKind::Collection(items), Ty::Map(..)) if items.is_empty() => Val::Map(Vec::new()),
        _ => return Err(not_const()),
    })
}

/// The values a parameter of type `ty` ranges over, exactly as `fsm
/// verify` enumerates them ([`eval::domain_values`]).
pub(crate) fn values(
    model: &Model,
    ty: &Ty,
    param: Option<(InputId, ParamId)>,
    what: &str,
) -> Result<Vec<Val>, ExportError> {
    eval::domain_values(model, ty, param)
        .map(|vals| vals.into_iter().map(from_value).collect())
        .map_err(|e| ExportError::new(format!("{what}: {}", e.message)))
}

/// Every input instance, as `fsm verify` enumerates them
/// ([`eval::input_instances`]).
pub(crate) fn instances(model: &Model) -> Result<Vec<Instance>, ExportError> {
    let all = eval::input_instances(model).map_err(|e| ExportError::new(e.message))?;
    Ok(all
        .into_iter()
        .map(|i| Instance {
            input: i.input,
            args: i.args.into_iter().map(from_value).collect(),
        })
        .collect())
}

/// The key of a keyed machine, as `fsm verify` chooses it
/// ([`eval::key_value`]).
pub(crate) fn key_value(model: &Model) -> Result<Option<Val>, ExportError> {
    eval::key_value(model)
        .map(|k| k.map(from_value))
        .map_err(|e| ExportError::new(e.message))
}

fn from_value(v: Value) -> Val {
    match v {
        Value::Bool(b) => Val::Bool(b),
        Value::Int(i) => Val::Int(i),
        Value::Str(s) => Val::Str(s),
        Value::Phase(p) => Val::Phase(p),
        Value::Enum(e, var) => Val::Enum(e, var),
        Value::None => Val::None,
        Value::Some(x) => Val::Some(Box::new(from_value(*x))),
        Value::Set(items) => Val::Set(items.into_iter().map(from_value).collect()),
        Value::Map(entries) => Val::Map(
            entries
                .into_iter()
                .map(|(k, x)| (from_value(k), from_value(x)))
                .collect(),
        ),
        Value::List(items) => Val::List(items.into_iter().map(from_value).collect()),
        Value::Extern(e, s) => Val::Extern(e, s),
    }
}

/// The strings and abstract extern values a model can ever hold: its
/// literals, its domains and its key.
#[derive(Debug, Default)]
pub(crate) struct Literals {
    pub strings: BTreeSet<String>,
    /// Per `ExternId`.
    pub externs: Vec<BTreeSet<String>>,
    /// Every integer literal and integer domain value.
    pub ints: BTreeSet<i128>,
}

impl Literals {
    pub(crate) fn collect(model: &Model, instances: &[Instance], key: Option<&Val>) -> Self {
        let mut lit = Literals {
            strings: BTreeSet::new(),
            externs: vec![BTreeSet::new(); model.externs.len()],
            ints: BTreeSet::new(),
        };
        let mut exprs: Vec<&TExpr> = Vec::new();
        exprs.extend(model.fields.iter().map(|f| &f.init));
        exprs.extend(model.consts.iter().map(|c| &c.value));
        exprs.extend(model.derived.iter().map(|d| &d.expr));
        exprs.extend(model.invariants.iter().map(|i| &i.expr));
        exprs.extend(model.verify.reach.iter().map(|r| &r.expr));
        for t in &model.transitions {
            exprs.extend(t.guards.iter().map(|g| &g.expr));
        }
        let strings = &mut lit.strings;
        let ints = &mut lit.ints;
        let mut add = |e: &TExpr| {
            e.walk(&mut |x| match &x.kind {
                TExprKind::Str(s) => {
                    strings.insert(s.clone());
                }
                TExprKind::Int(i) => {
                    ints.insert(*i);
                }
                _ => {}
            });
        };
        for e in exprs {
            add(e);
        }
        for t in &model.transitions {
            for s in &t.body {
                s.walk(&mut |s: &TStmt| s.exprs().into_iter().for_each(&mut add));
            }
        }
        for inst in instances {
            for v in &inst.args {
                lit.add_val(v);
            }
        }
        if let Some(k) = key {
            lit.add_val(k);
        }
        for f in &model.fields {
            if let Ok(v) = const_val(model, &f.init, &f.ty) {
                lit.add_val(&v);
            }
        }
        lit
    }

    fn add_val(&mut self, v: &Val) {
        match v {
            Val::Int(i) => {
                self.ints.insert(*i);
            }
            Val::Str(s) => {
                self.strings.insert(s.clone());
            }
            Val::Extern(e, s) => {
                if let Some(set) = self.externs.get_mut(e.index()) {
                    set.insert(s.clone());
                }
            }
            Val::Some(inner) => self.add_val(inner),
            Val::Set(items) | Val::List(items) => items.iter().for_each(|i| self.add_val(i)),
            Val::Map(entries) => {
                for (k, x) in entries {
                    self.add_val(k);
                    self.add_val(x);
                }
            }
            _ => {}
        }
    }
}
