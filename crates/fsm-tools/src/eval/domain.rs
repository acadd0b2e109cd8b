//! The finite domains of `verify { … }`: the values input parameters (and
//! the key) range over.
//!
//! A parameter takes the values of its own domain (`domain Input.param =
//! …`), else of its type's (`domain u64 = 0..3`), else a default: `bool`
//! is `false` and `true`, an enum or `Phase` every variant, `Option<T>` is
//! `none` and `some` of every `T`, and a collection every collection of up
//! to `max_collection` elements of its element domain (sets: the subsets;
//! lists: the sequences; maps: the partial maps). Integers, strings and
//! externs have no default: a parameter of such a type without a domain
//! is an error naming it.

use super::expr::constant;
use super::{EvalError, InputValue, Value};
use fsm_core::model::{DomainValues, InputId, Model, ParamId, PhaseId, Ty, VariantId};
use std::collections::{BTreeMap, BTreeSet};

/// `max_collection` when the spec does not set it.
pub const DEFAULT_MAX_COLLECTION: u64 = 2;

/// The most values one domain may have.
pub const MAX_INSTANCES: usize = 1 << 20;

/// The most input instances all inputs together may have. The instances
/// are counted from the domains before any is built, so a spec over this
/// bound costs no memory: it is an error naming the input that crosses it
/// and the size of each of its parameters' domains.
pub const MAX_TOTAL_INSTANCES: usize = 1 << 18;

/// The most elements a generated collection may hold.
const MAX_NESTED: usize = 4096;

/// The `max_collection` bound in effect.
pub fn max_collection(model: &Model) -> u64 {
    model
        .verify
        .max_collection
        .unwrap_or(DEFAULT_MAX_COLLECTION)
}

/// Every input instance: each input in declaration order with every
/// combination of its parameters' domain values (the last parameter
/// varying fastest).
///
/// Fails, before building any instance, when the instances of all inputs
/// together would be more than [`MAX_TOTAL_INSTANCES`].
pub fn input_instances(model: &Model) -> Result<Vec<InputValue>, EvalError> {
    let param_error = |sig: &fsm_core::model::Input, j: usize, e: EvalError| {
        let name = sig.params.get(j).map_or("?", |p| p.name.as_str());
        EvalError::new(format!(
            "parameter `{name}` of input `{}`: {}",
            sig.name, e.message
        ))
    };
    // Count first: nothing is built for a spec over the bound.
    let mut total: u128 = 0;
    for (i, sig) in model.inputs.iter().enumerate() {
        let id = InputId(u32::try_from(i).unwrap_or(u32::MAX));
        let mut sizes = Vec::with_capacity(sig.params.len());
        for (j, p) in sig.params.iter().enumerate() {
            let pid = ParamId(u32::try_from(j).unwrap_or(u32::MAX));
            let n =
                count_of(model, &p.ty, Some((id, pid)), 0).map_err(|e| param_error(sig, j, e))?;
            sizes.push(n);
        }
        let count = sizes.iter().fold(1u128, |a, n| a.saturating_mul(*n));
        total = total.saturating_add(count);
        if total > MAX_TOTAL_INSTANCES as u128 {
            let domains: Vec<String> = sig
                .params
                .iter()
                .zip(&sizes)
                .map(|(p, n)| {
                    format!(
                        "`{}: {}` has {} values",
                        p.name,
                        model.ty_name(&p.ty),
                        show_count(*n)
                    )
                })
                .collect();
            return Err(EvalError::new(format!(
                "input `{}` has {} instances ({}), which brings the input instances to more than {MAX_TOTAL_INSTANCES}; narrow its domains in `verify {{ domain … }}` or lower `max_collection`",
                sig.name,
                show_count(count),
                domains.join(", ")
            )));
        }
    }
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for (i, sig) in model.inputs.iter().enumerate() {
        let id = InputId(u32::try_from(i).unwrap_or(u32::MAX));
        let mut domains = Vec::with_capacity(sig.params.len());
        for (j, p) in sig.params.iter().enumerate() {
            let pid = ParamId(u32::try_from(j).unwrap_or(u32::MAX));
            let values =
                domain_values(model, &p.ty, Some((id, pid))).map_err(|e| param_error(sig, j, e))?;
            domains.push(values);
        }
        let mut combos: Vec<Vec<Value>> = vec![Vec::new()];
        for values in &domains {
            if combos.len().saturating_mul(values.len()) > MAX_INSTANCES {
                return Err(EvalError::new(format!(
                    "input `{}` has more than {MAX_INSTANCES} instances; narrow its domains",
                    sig.name
                )));
            }
            let mut next = Vec::with_capacity(combos.len() * values.len());
            for c in &combos {
                for v in values {
                    let mut c = c.clone();
                    c.push(v.clone());
                    next.push(c);
                }
            }
            combos = next;
        }
        out.extend(
            combos
                .into_iter()
                .map(|args| InputValue { input: id, args }),
        );
    }
    Ok(out)
}

/// The key a keyed machine is checked with: the first value of the key
/// type's domain (`None` for an unkeyed machine). A string or extern key
/// without a domain is `"key"`, an integer key `0`.
pub fn key_value(model: &Model) -> Result<Option<Value>, EvalError> {
    let Some(key) = &model.key else {
        return Ok(None);
    };
    let fallback = match &key.ty {
        Ty::String => Some(Value::Str("key".to_owned())),
        Ty::Extern(e) => Some(Value::Extern(*e, "key".to_owned())),
        Ty::Int(_) => Some(Value::Int(0)),
        _ => None,
    };
    let has_domain = model.verify.domain_for_type(&key.ty).is_some();
    if !has_domain && let Some(v) = fallback {
        return Ok(Some(v));
    }
    let values = domain_values(model, &key.ty, None)
        .map_err(|e| EvalError::new(format!("the key `{}`: {}", key.name, e.message)))?;
    match values.into_iter().next() {
        Some(v) => Ok(Some(v)),
        None => Err(EvalError::new(format!(
            "the key `{}` has an empty domain",
            key.name
        ))),
    }
}

/// The values of type `ty`, for parameter `param` when given (its own
/// domain first), in domain order without repetitions.
pub fn domain_values(
    model: &Model,
    ty: &Ty,
    param: Option<(InputId, ParamId)>,
) -> Result<Vec<Value>, EvalError> {
    values_of(model, ty, param, 0)
}

fn values_of(
    model: &Model,
    ty: &Ty,
    param: Option<(InputId, ParamId)>,
    depth: usize,
) -> Result<Vec<Value>, EvalError> {
    if depth > 32 {
        return Err(EvalError::new("a parameter type nests too deeply"));
    }
    let declared = param
        .and_then(|(i, p)| model.verify.domain_for_param(i, p))
        .or_else(|| model.verify.domain_for_type(ty));
    if let Some(d) = declared {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        match &d.values {
            DomainValues::Range { lo, hi } => {
                let mut n = *lo;
                while n <= *hi {
                    if out.len() >= MAX_INSTANCES {
                        return Err(too_many(model, ty));
                    }
                    out.push(Value::Int(n));
                    n += 1;
                }
            }
            DomainValues::List(exprs) => {
                for e in exprs {
                    let v = constant(model, e).map_err(|f| EvalError::new(f.message()))?;
                    let v = coerce(v, ty);
                    if seen.insert(v.clone()) {
                        out.push(v);
                    }
                }
            }
        }
        return Ok(out);
    }
    let k = usize::try_from(max_collection(model)).unwrap_or(usize::MAX);
    Ok(match ty {
        Ty::Bool => vec![Value::Bool(false), Value::Bool(true)],
        Ty::Enum(e) => {
            let n = model.enum_def(*e).map_or(0, |d| d.variants.len());
            (0..n)
                .map(|v| Value::Enum(*e, VariantId(u32::try_from(v).unwrap_or(u32::MAX))))
                .collect()
        }
        Ty::Phase => (0..model.phases.len())
            .map(|p| Value::Phase(PhaseId(u32::try_from(p).unwrap_or(u32::MAX))))
            .collect(),
        Ty::Option(t) => {
            let inner = values_of(model, t, None, depth + 1)?;
            std::iter::once(Value::None)
                .chain(inner.into_iter().map(|v| Value::Some(Box::new(v))))
                .collect()
        }
        Ty::Set(t) => {
            let elems = values_of(model, t, None, depth + 1)?;
            let mut out = Vec::new();
            subsets(&elems, k, 0, &mut Vec::new(), &mut out, model, ty)?;
            out.into_iter()
                .map(|s| Value::Set(s.into_iter().collect()))
                .collect()
        }
        Ty::List(t) => {
            let elems = values_of(model, t, None, depth + 1)?;
            let mut out = vec![Vec::new()];
            let mut layer = vec![Vec::new()];
            for _ in 0..k {
                let mut next = Vec::new();
                for l in &layer {
                    for e in &elems {
                        let mut l: Vec<Value> = l.clone();
                        l.push(e.clone());
                        next.push(l);
                    }
                }
                if out.len() + next.len() > MAX_INSTANCES {
                    return Err(too_many(model, ty));
                }
                out.extend(next.iter().cloned());
                layer = next;
            }
            out.into_iter().map(Value::List).collect()
        }
        Ty::Map(kt, vt) => {
            let keys = values_of(model, kt, None, depth + 1)?;
            let vals = values_of(model, vt, None, depth + 1)?;
            let mut key_sets = Vec::new();
            subsets(&keys, k, 0, &mut Vec::new(), &mut key_sets, model, ty)?;
            let mut out = Vec::new();
            for ks in key_sets {
                let mut maps: Vec<BTreeMap<Value, Value>> = vec![BTreeMap::new()];
                for key in &ks {
                    let mut next = Vec::with_capacity(maps.len() * vals.len());
                    for m in &maps {
                        for v in &vals {
                            let mut m = m.clone();
                            m.insert(key.clone(), v.clone());
                            next.push(m);
                        }
                    }
                    maps = next;
                    if out.len() + maps.len() > MAX_INSTANCES {
                        return Err(too_many(model, ty));
                    }
                }
                out.extend(maps.into_iter().map(Value::Map));
            }
            out
        }
        Ty::Int(_) | Ty::String | Ty::Extern(_) => {
            let name = model.ty_name(ty);
            return Err(EvalError::new(format!(
                "no domain for `{name}`; give one in `verify {{ domain {name} = … }}`"
            )));
        }
    })
}

/// How many values [`domain_values`] gives for `ty` (saturating), counted
/// without building them.
pub fn domain_size(
    model: &Model,
    ty: &Ty,
    param: Option<(InputId, ParamId)>,
) -> Result<u128, EvalError> {
    count_of(model, ty, param, 0)
}

/// A count for a message: exact up to `u64::MAX`.
fn show_count(n: u128) -> String {
    match u64::try_from(n) {
        Ok(n) if n < u64::MAX => n.to_string(),
        _ => "more than 2^64".to_owned(),
    }
}

/// How many values [`values_of`] gives for `ty` (saturating), without
/// building them: the declared domain's (deduplicated) size, or the size
/// of the default domain computed from its parts.
fn count_of(
    model: &Model,
    ty: &Ty,
    param: Option<(InputId, ParamId)>,
    depth: usize,
) -> Result<u128, EvalError> {
    if depth > 32 {
        return Err(EvalError::new("a parameter type nests too deeply"));
    }
    let declared = param
        .and_then(|(i, p)| model.verify.domain_for_param(i, p))
        .or_else(|| model.verify.domain_for_type(ty));
    if let Some(d) = declared {
        return Ok(match &d.values {
            DomainValues::Range { lo, hi } => {
                u128::try_from(hi.saturating_sub(*lo)).map_or(0, |n| n.saturating_add(1))
            }
            DomainValues::List(exprs) => {
                let mut seen = BTreeSet::new();
                for e in exprs {
                    let v = constant(model, e).map_err(|f| EvalError::new(f.message()))?;
                    seen.insert(coerce(v, ty));
                }
                seen.len() as u128
            }
        });
    }
    let k = u128::from(max_collection(model));
    Ok(match ty {
        Ty::Bool => 2,
        Ty::Enum(e) => model.enum_def(*e).map_or(0, |d| d.variants.len()) as u128,
        Ty::Phase => model.phases.len() as u128,
        Ty::Option(t) => count_of(model, t, None, depth + 1)?.saturating_add(1),
        Ty::Set(t) => {
            let n = count_of(model, t, None, depth + 1)?;
            partial_sums(n, k, 1)
        }
        Ty::List(t) => {
            let n = count_of(model, t, None, depth + 1)?;
            // Σ n^j for j in 0..=k.
            let (mut sum, mut power, mut j) = (1u128, 1u128, 0u128);
            while j < k && sum < u128::MAX && n > 0 {
                power = power.saturating_mul(n);
                sum = sum.saturating_add(power);
                j += 1;
            }
            sum
        }
        Ty::Map(kt, vt) => {
            let keys = count_of(model, kt, None, depth + 1)?;
            let vals = count_of(model, vt, None, depth + 1)?;
            partial_sums(keys, k, vals)
        }
        Ty::Int(_) | Ty::String | Ty::Extern(_) => {
            let name = model.ty_name(ty);
            return Err(EvalError::new(format!(
                "no domain for `{name}`; give one in `verify {{ domain {name} = … }}`"
            )));
        }
    })
}

/// Σ C(n, j) · v^j for j in 0..=min(k, n), saturating: the subsets of at
/// most `k` of `n` elements (`v` = 1), or the partial maps of at most `k`
/// of `n` keys to `v` values.
fn partial_sums(n: u128, k: u128, v: u128) -> u128 {
    let (mut sum, mut term, mut j) = (1u128, 1u128, 0u128);
    while j < k.min(n) && sum < u128::MAX {
        // term = C(n, j + 1) · v^(j + 1), from C(n, j) · v^j.
        term = match term.checked_mul(n - j) {
            Some(t) => (t / (j + 1)).saturating_mul(v),
            None => u128::MAX,
        };
        if v == 0 {
            break;
        }
        sum = sum.saturating_add(term);
        j += 1;
    }
    sum
}

fn too_many(model: &Model, ty: &Ty) -> EvalError {
    EvalError::new(format!(
        "the domain of `{}` has more than {MAX_INSTANCES} values",
        model.ty_name(ty)
    ))
}

/// Every subset of `elems[from..]` added to `current`, of at most `k`
/// elements, smallest first within each branch.
fn subsets(
    elems: &[Value],
    k: usize,
    from: usize,
    current: &mut Vec<Value>,
    out: &mut Vec<Vec<Value>>,
    model: &Model,
    ty: &Ty,
) -> Result<(), EvalError> {
    if out.len() >= MAX_INSTANCES || current.len() > MAX_NESTED {
        return Err(too_many(model, ty));
    }
    out.push(current.clone());
    if current.len() >= k {
        return Ok(());
    }
    for i in from..elems.len() {
        if let Some(e) = elems.get(i) {
            current.push(e.clone());
            subsets(elems, k, i + 1, current, out, model, ty)?;
            current.pop();
        }
    }
    Ok(())
}

/// A domain value as a value of `ty`: the strings an extern's domain lists
/// become abstract values of that extern.
pub(crate) fn coerce(v: Value, ty: &Ty) -> Value {
    match (v, ty) {
        (Value::Str(s), Ty::Extern(e)) => Value::Extern(*e, s),
        (Value::Some(inner), Ty::Option(t)) => Value::Some(Box::new(coerce(*inner, t))),
        (Value::Set(s), Ty::Set(t)) => Value::Set(s.into_iter().map(|x| coerce(x, t)).collect()),
        (Value::List(l), Ty::List(t)) => Value::List(l.into_iter().map(|x| coerce(x, t)).collect()),
        (Value::Map(m), Ty::Map(kt, vt)) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (coerce(k, kt), coerce(v, vt)))
                .collect(),
        ),
        (v, _) => v,
    }
}
