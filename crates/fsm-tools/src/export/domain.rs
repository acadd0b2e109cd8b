//! Constant values, the input instances given by the `verify { domain … }`
//! settings, and the finite universes of the value types that the Promela
//! export encodes as small integers.

use super::ExportError;
use crate::eval::{self, Value};
use fsm_core::model::{InputId, Model, ParamId, TExpr, TExprKind, TStmt, Ty};
use std::collections::BTreeSet;

/// One input with concrete parameter values, as `fsm verify` enumerates
/// them.
pub(crate) type Instance = eval::InputValue;

/// The value of a constant expression (a literal, `none`, `some(…)`, `[…]`,
/// a variant, a phase or a constant) of type `ty`, as the evaluator
/// computes it ([`eval::constant`]).
pub(crate) fn const_val(model: &Model, expr: &TExpr, ty: &Ty) -> Result<Value, ExportError> {
    eval::constant(model, expr, ty).map_err(|e| {
        ExportError::new(format!(
            "a `verify` value or initial value is not a constant: {}",
            e.message
        ))
    })
}

/// The values a parameter of type `ty` ranges over, exactly as `fsm
/// verify` enumerates them ([`eval::domain_values`]).
pub(crate) fn values(
    model: &Model,
    ty: &Ty,
    param: Option<(InputId, ParamId)>,
    what: &str,
) -> Result<Vec<Value>, ExportError> {
    eval::domain_values(model, ty, param)
        .map_err(|e| ExportError::new(format!("{what}: {}", e.message)))
}

/// Every input instance, as `fsm verify` enumerates them
/// ([`eval::input_instances`]).
pub(crate) fn instances(model: &Model) -> Result<Vec<Instance>, ExportError> {
    eval::input_instances(model).map_err(|e| ExportError::new(e.message))
}

/// The key of a keyed machine, as `fsm verify` chooses it
/// ([`eval::key_value`]).
pub(crate) fn key_value(model: &Model) -> Result<Option<Value>, ExportError> {
    eval::key_value(model).map_err(|e| ExportError::new(e.message))
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
    pub(crate) fn collect(model: &Model, instances: &[Instance], key: Option<&Value>) -> Self {
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

    fn add_val(&mut self, v: &Value) {
        match v {
            Value::Int(i) => {
                self.ints.insert(*i);
            }
            Value::Str(s) => {
                self.strings.insert(s.clone());
            }
            Value::Extern(e, s) => {
                if let Some(set) = self.externs.get_mut(e.index()) {
                    set.insert(s.clone());
                }
            }
            Value::Some(inner) => self.add_val(inner),
            Value::Set(items) => items.iter().for_each(|i| self.add_val(i)),
            Value::List(items) => items.iter().for_each(|i| self.add_val(i)),
            Value::Map(entries) => {
                for (k, x) in entries {
                    self.add_val(k);
                    self.add_val(x);
                }
            }
            _ => {}
        }
    }
}
