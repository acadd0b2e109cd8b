//! The Promela export: one SPIN process whose state is the phase and the
//! fields, and whose main `do` loop has one option per input instance.
//!
//! Encoding:
//! - booleans are `bit`s; integers are `byte` (`u8`), `short` (`i8`,
//!   `i16`) or `int` (the wider types: Promela has 32-bit integers only, so
//!   the bounds of checked arithmetic are clamped to the `int` range);
//! - strings, extern values, enum variants and phases are small integers
//!   (strings and extern values numbered in their sorted order, so
//!   comparisons keep their meaning), listed in the file's header comment;
//! - `Option<T>` is a presence bit next to the slots of `T` (all zero when
//!   `none`); `Set<T>` is one bit per value of `T`; `Map<K, V>` is, per value
//!   of `K`, a presence bit and the slots of `V` (zero when absent). So two
//!   equal values always have equal slots;
//! - each input instance is one `d_step`: SPIN stores no intermediate state.
//!   Its guard says that some candidate's guards hold; inside, candidates
//!   are tried in declaration order exactly like the generated `apply`;
//! - a step that can overflow or that must keep the invariants saves the
//!   state first (`fsm_save`, C code embedded in the model) and ends with
//!   `fsm_end`, which puts the saved state back when arithmetic overflowed
//!   (`rej`) or when the new state breaks an invariant: like `fsm verify`,
//!   SPIN then never stores a state that breaks one, and reports it instead.
//!   Scratch variables (`rej`, `t_*`) are zero whenever a step ends, so they
//!   never tell two states apart;
//! - the invariants are C functions over SPIN's state; every invariant
//!   broken by some step (or by the initial state) is printed as
//!   `fsm: invariant violated: <name>` when `pan` exits.
//!
//! With `gcc -DBFS` and `./pan -m<max_depth>`, SPIN stores exactly the
//! states `fsm verify` counts: those reachable by at most `max_depth`
//! accepted inputs that keep every invariant (and the initial state).

use super::ExportError;
use super::domain::{self, Instance, Literals};
use crate::eval::Value;
use fsm_core::model::{
    AssignOp, BinOp, FieldId, IntTy, Method, Model, PhaseId, Quantifier, TExpr, TExprKind, TStmt,
    TStmtKind, Transition, Ty, UnOp,
};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

/// The most nested expressions or statements the export follows.
const MAX_DEPTH: usize = 200;

/// Writes the Promela model of `model`.
pub fn promela(model: &Model) -> Result<String, ExportError> {
    let instances = domain::instances(model)?;
    let key = domain::key_value(model)?;
    let lit = Literals::collect(model, &instances, key.as_ref());
    let mut g = Gen {
        m: model,
        strings: lit.strings.iter().cloned().collect(),
        externs: lit
            .externs
            .iter()
            .map(|s| s.iter().cloned().collect())
            .collect(),
        key: Vec::new(),
        temps: 0,
        ints: Ints::new(&lit.ints),
    };
    if let (Some(k), Some(def)) = (&key, &model.key) {
        g.key = g
            .val_slots(k, &def.ty)?
            .into_iter()
            .map(|v| v.to_string())
            .collect();
    }
    g.render(&instances, key.as_ref())
}

/// One scalar variable of a value's encoding.
struct Slot {
    suffix: String,
    ty: &'static str,
}

/// A compiled expression: one Promela expression per slot, and the
/// condition under which evaluating it does not overflow (`"1"`: never).
#[derive(Debug, Clone)]
struct Ex {
    ok: String,
    v: Vec<String>,
}

impl Ex {
    fn pure(v: Vec<String>) -> Ex {
        Ex {
            ok: "1".to_owned(),
            v,
        }
    }

    fn one(v: String) -> Ex {
        Ex::pure(vec![v])
    }

    fn scalar(&self) -> Result<String, ExportError> {
        match self.v.as_slice() {
            [s] => Ok(s.clone()),
            _ => Err(ExportError::new("internal: expected a scalar value")),
        }
    }
}

/// What an expression is compiled against.
struct Cx<'a> {
    /// The input instance's argument slots (constants).
    args: &'a [Vec<String>],
    /// `target` inside a transition block.
    target: Option<String>,
    /// Quantifier variables by nesting level.
    vars: Vec<Vec<String>>,
}

struct Gen<'a> {
    m: &'a Model,
    strings: Vec<String>,
    externs: Vec<Vec<String>>,
    /// The key's slots (constants).
    key: Vec<String>,
    /// How many `int` temporaries some step needs.
    temps: usize,
    ints: Ints,
}

// ---------------------------------------------------------------- folding

fn num(s: &str) -> Option<i128> {
    let t = s.trim();
    let t = t
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(t);
    t.parse().ok()
}

fn and(a: &str, b: &str) -> String {
    match (num(a), num(b)) {
        (Some(0), _) | (_, Some(0)) => "0".to_owned(),
        (Some(_), _) => b.to_owned(),
        (_, Some(_)) => a.to_owned(),
        _ => format!("({a} && {b})"),
    }
}

fn or(a: &str, b: &str) -> String {
    match (num(a), num(b)) {
        (Some(x), _) if x != 0 => "1".to_owned(),
        (_, Some(x)) if x != 0 => "1".to_owned(),
        (Some(0), _) => b.to_owned(),
        (_, Some(0)) => a.to_owned(),
        _ => format!("({a} || {b})"),
    }
}

fn not(a: &str) -> String {
    match num(a) {
        Some(0) => "1".to_owned(),
        Some(_) => "0".to_owned(),
        None => format!("!{}", paren(a)),
    }
}

fn paren(a: &str) -> String {
    let wrapped = a.starts_with('(') && a.ends_with(')') && balanced_outer(a);
    let word = a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if wrapped || word {
        a.to_owned()
    } else {
        format!("({a})")
    }
}

/// Whether the first `(` of `a` closes at its last character.
fn balanced_outer(a: &str) -> bool {
    let mut depth = 0i32;
    for (i, c) in a.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i + 1 < a.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

fn cmp(op: &str, a: &str, b: &str) -> String {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        let r = match op {
            "==" => x == y,
            "!=" => x != y,
            "<" => x < y,
            "<=" => x <= y,
            ">" => x > y,
            _ => x >= y,
        };
        return if r { "1" } else { "0" }.to_owned();
    }
    format!("({} {op} {})", paren(a), paren(b))
}

/// `(s == 0 -> len0 : (s == 1 -> len1 : … 0))`, written in one pass (as
/// `cond` folded from the last string, without copying the nested tail at
/// every level): the length of the string whose code is `s`, which is not
/// a number.
fn string_len(s: &str, strings: &[String]) -> String {
    // `cond` drops the innermost levels whose length is the `0` after them.
    let used = strings.len() - strings.iter().rev().take_while(|t| t.is_empty()).count();
    let mut out = String::new();
    for (i, text) in strings.iter().take(used).enumerate() {
        let _ = write!(
            out,
            "({} -> {} : ",
            cmp("==", s, &i.to_string()),
            text.len()
        );
    }
    out.push('0');
    out.push_str(&")".repeat(used));
    out
}

fn cond(c: &str, a: &str, b: &str) -> String {
    match num(c) {
        Some(0) => b.to_owned(),
        Some(_) => a.to_owned(),
        None if a == b => a.to_owned(),
        None => format!("({c} -> {a} : {b})"),
    }
}

/// `and` folded over `items` from `1`, written in one pass: a left fold
/// copies the growing conjunction at every item.
fn and_all(items: impl IntoIterator<Item = String>) -> String {
    fold_left(items, "1", "&&", |n| n == 0)
}

/// `or` folded over `items` from `0`, written in one pass.
fn or_all(items: impl IntoIterator<Item = String>) -> String {
    fold_left(items, "0", "||", |n| n != 0)
}

/// The left fold of `and` (`op` `&&`) or `or` (`||`) over `items` from
/// `unit`: a constant that `decides` makes the whole the operator's
/// absorbing value; other constants drop out, except that with no other
/// term the last one is the result; the other terms nest to the left,
/// `((a op b) op c)`.
fn fold_left(
    items: impl IntoIterator<Item = String>,
    unit: &str,
    op: &str,
    decides: impl Fn(i128) -> bool,
) -> String {
    let absorbing = if op == "&&" { "0" } else { "1" };
    let mut last_constant: Option<String> = None;
    let mut terms: Vec<String> = Vec::new();
    for x in items {
        match num(&x) {
            Some(n) if decides(n) => return absorbing.to_owned(),
            Some(_) => last_constant = Some(x),
            None => terms.push(x),
        }
    }
    let Some((first, rest)) = terms.split_first() else {
        return last_constant.unwrap_or_else(|| unit.to_owned());
    };
    let mut out = "(".repeat(rest.len());
    out.push_str(first);
    for t in rest {
        let _ = write!(out, " {op} {t})");
    }
    out
}

fn sum(items: impl IntoIterator<Item = String>) -> String {
    let mut konst = 0i128;
    let mut parts = Vec::new();
    for x in items {
        match num(&x) {
            Some(n) => konst += n,
            None => parts.push(x),
        }
    }
    if parts.is_empty() {
        return konst.to_string();
    }
    if konst != 0 {
        parts.push(konst.to_string());
    }
    format!("({})", parts.join(" + "))
}

fn eq_slots(a: &[String], b: &[String]) -> String {
    and_all(a.iter().zip(b).map(|(x, y)| cmp("==", x, y)))
}

/// A Promela integer literal.
fn int_lit(i: i128) -> Result<String, ExportError> {
    if i == i128::from(i32::MIN) {
        Ok("(-2147483647 - 1)".to_owned())
    } else if i < i128::from(i32::MIN) || i > i128::from(i32::MAX) {
        Err(ExportError::new(format!(
            "the integer `{i}` does not fit Promela's 32-bit `int`"
        )))
    } else {
        Ok(i.to_string())
    }
}

/// How integers map onto Promela's 32-bit `int`: values that fit stay as
/// they are; the few literals and domain values beyond (such as `u64::MAX`
/// used as a marker) take the codes at the ends of the range, in order, so
/// comparisons keep their meaning. Checked arithmetic treats the codes as
/// out of range.
struct Ints {
    /// Sorted values above the safe range, and below it.
    high: Vec<i128>,
    low: Vec<i128>,
}

impl Ints {
    fn new(all: &BTreeSet<i128>) -> Ints {
        let half = 1 << 20;
        Ints {
            high: all
                .iter()
                .copied()
                .filter(|i| *i > i128::from(i32::MAX) - half)
                .collect(),
            low: all
                .iter()
                .copied()
                .filter(|i| *i < i128::from(i32::MIN) + half)
                .collect(),
        }
    }

    fn safe(&self) -> (i128, i128) {
        (
            i128::from(i32::MIN) + 1 + self.low.len() as i128,
            i128::from(i32::MAX) - self.high.len() as i128,
        )
    }

    fn enc(&self, i: i128) -> Result<i128, ExportError> {
        let (lo, hi) = self.safe();
        if let Ok(k) = self.high.binary_search(&i) {
            return Ok(hi + 1 + k as i128);
        }
        if let Ok(k) = self.low.binary_search(&i) {
            return Ok(lo - self.low.len() as i128 + k as i128);
        }
        if i < lo || i > hi {
            return Err(ExportError::new(format!(
                "the integer `{i}` does not fit Promela's 32-bit `int`"
            )));
        }
        Ok(i)
    }

    fn lit(&self, i: i128) -> Result<String, ExportError> {
        int_lit(self.enc(i)?)
    }

    /// The bounds of checked arithmetic on `ty`, within the safe range.
    fn bounds(&self, ty: IntTy) -> (i128, i128) {
        let (lo, hi) = self.safe();
        (ty.min_value().max(lo), ty.max_value().min(hi))
    }
}

fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

// ---------------------------------------------------------------- layout

impl Gen<'_> {
    fn depth_err() -> ExportError {
        ExportError::new("expression nested too deeply for the promela export")
    }

    /// The values of a finite element type, in their order.
    fn universe(&self, ty: &Ty) -> Result<Vec<Value>, ExportError> {
        Ok(match ty {
            Ty::Bool => vec![Value::Bool(false), Value::Bool(true)],
            Ty::Enum(e) => {
                let n = self.m.enum_def(*e).map_or(0, |d| d.variants.len());
                (0..n)
                    .map(|v| {
                        Value::Enum(
                            *e,
                            fsm_core::model::VariantId(u32::try_from(v).unwrap_or(u32::MAX)),
                        )
                    })
                    .collect()
            }
            Ty::Phase => self.m.phase_ids().map(Value::Phase).collect(),
            Ty::String => self.strings.iter().cloned().map(Value::Str).collect(),
            Ty::Extern(e) => self
                .externs
                .get(e.index())
                .map(|vals| vals.iter().map(|s| Value::Extern(*e, s.clone())).collect())
                .unwrap_or_default(),
            other => {
                return Err(ExportError::new(format!(
                    "the promela export cannot enumerate the values of `{}` (collection members and map keys must be `bool`, enums, phases, strings or externs)",
                    self.m.ty_name(other)
                )));
            }
        })
    }

    fn universe_len(&self, ty: &Ty) -> Result<usize, ExportError> {
        Ok(match ty {
            Ty::Bool => 2,
            Ty::Enum(e) => self.m.enum_def(*e).map_or(0, |d| d.variants.len()),
            Ty::Phase => self.m.phases.len(),
            Ty::String => self.strings.len(),
            Ty::Extern(e) => self.externs.get(e.index()).map_or(0, Vec::len),
            _ => self.universe(ty)?.len(),
        })
    }

    fn code_ty(&self, n: usize) -> &'static str {
        if n <= 256 { "byte" } else { "int" }
    }

    fn layout(&self, ty: &Ty, depth: usize) -> Result<Vec<Slot>, ExportError> {
        if depth > 16 {
            return Err(Self::depth_err());
        }
        let one = |ty: &'static str| {
            vec![Slot {
                suffix: String::new(),
                ty,
            }]
        };
        Ok(match ty {
            Ty::Bool => one("bit"),
            Ty::Int(IntTy::U8) => one("byte"),
            Ty::Int(IntTy::I8 | IntTy::I16) => one("short"),
            Ty::Int(_) => one("int"),
            Ty::String | Ty::Extern(_) | Ty::Enum(_) | Ty::Phase => {
                one(self.code_ty(self.universe_len(ty)?))
            }
            Ty::Option(t) => {
                let mut out = vec![Slot {
                    suffix: "__p".to_owned(),
                    ty: "bit",
                }];
                for s in self.layout(t, depth + 1)? {
                    out.push(Slot {
                        suffix: format!("__v{}", s.suffix),
                        ty: s.ty,
                    });
                }
                out
            }
            // A list is only ever a literal (fields and parameters of list
            // type are refused): membership is all it is used for.
            Ty::Set(t) | Ty::List(t) => (0..self.universe_len(t)?)
                .map(|i| Slot {
                    suffix: format!("__{i}"),
                    ty: "bit",
                })
                .collect(),
            Ty::Map(k, v) => {
                let inner = self.layout(v, depth + 1)?;
                let mut out = Vec::new();
                for i in 0..self.universe_len(k)? {
                    out.push(Slot {
                        suffix: format!("__{i}__p"),
                        ty: "bit",
                    });
                    for s in &inner {
                        out.push(Slot {
                            suffix: format!("__{i}__v{}", s.suffix),
                            ty: s.ty,
                        });
                    }
                }
                out
            }
        })
    }

    fn width(&self, ty: &Ty) -> Result<usize, ExportError> {
        Ok(self.layout(ty, 0)?.len())
    }

    fn field_slots(&self, f: FieldId) -> Result<Vec<String>, ExportError> {
        let def = self
            .m
            .field(f)
            .ok_or_else(|| ExportError::new("internal: unknown field"))?;
        if matches!(def.ty, Ty::List(_)) {
            return Err(ExportError::new(format!(
                "the promela export does not support the `List` field `{}`",
                def.name
            )));
        }
        Ok(self
            .layout(&def.ty, 0)?
            .into_iter()
            .map(|s| format!("f_{}{}", ident(&def.name), s.suffix))
            .collect())
    }

    /// The code of a finite value.
    fn code(&self, v: &Value) -> Result<i128, ExportError> {
        // Both lists are sorted: codes are positions in sorted order.
        let pos = |list: &[String], s: &str| {
            list.binary_search_by(|x| x.as_str().cmp(s))
                .ok()
                .map(|i| i as i128)
                .ok_or_else(|| ExportError::new(format!("internal: value `{s}` has no code")))
        };
        match v {
            Value::Bool(b) => Ok(i128::from(*b)),
            Value::Enum(_, var) => Ok(i128::from(var.0)),
            Value::Phase(p) => Ok(i128::from(p.0)),
            Value::Str(s) => pos(&self.strings, s),
            Value::Extern(e, s) => pos(self.externs.get(e.index()).map_or(&[], Vec::as_slice), s),
            _ => Err(ExportError::new("internal: value is not finite")),
        }
    }

    /// The slots of a constant value of type `ty`.
    fn val_slots(&self, v: &Value, ty: &Ty) -> Result<Vec<i128>, ExportError> {
        Ok(match (v, ty) {
            (Value::Int(i), _) => {
                vec![self.ints.enc(*i)?]
            }
            (Value::None, Ty::Option(t)) => {
                let mut out = vec![0];
                out.extend(std::iter::repeat_n(0, self.width(t)?));
                out
            }
            (Value::Some(x), Ty::Option(t)) => {
                let mut out = vec![1];
                out.extend(self.val_slots(x, t)?);
                out
            }
            (Value::Set(items), Ty::Set(t)) => {
                let mut out = vec![0; self.universe_len(t)?];
                for item in items {
                    let c = usize::try_from(self.code(item)?).unwrap_or(usize::MAX);
                    if let Some(slot) = out.get_mut(c) {
                        *slot = 1;
                    }
                }
                out
            }
            (Value::Map(entries), Ty::Map(k, vt)) => {
                let stride = 1 + self.width(vt)?;
                let mut out = vec![0; self.universe_len(k)? * stride];
                for (key, value) in entries {
                    let c = usize::try_from(self.code(key)?).unwrap_or(usize::MAX);
                    let vals = self.val_slots(value, vt)?;
                    let base = c.saturating_mul(stride);
                    if let Some(slot) = out.get_mut(base) {
                        *slot = 1;
                    }
                    for (j, x) in vals.into_iter().enumerate() {
                        if let Some(slot) = out.get_mut(base + 1 + j) {
                            *slot = x;
                        }
                    }
                }
                out
            }
            (Value::List(_), _) => {
                return Err(ExportError::new(
                    "the promela export does not support `List` values",
                ));
            }
            _ => vec![self.code(v)?],
        })
    }

    fn val_strs(&self, v: &Value, ty: &Ty) -> Result<Vec<String>, ExportError> {
        self.val_slots(v, ty)?.into_iter().map(int_lit).collect()
    }

    /// A value as the spec would write it (for comments).
    fn show(&self, v: &Value) -> String {
        crate::eval::render_value(self.m, v)
    }
}

// ---------------------------------------------------------------- expressions

impl Gen<'_> {
    fn expr(&self, cx: &mut Cx<'_>, e: &TExpr, depth: usize) -> Result<Ex, ExportError> {
        if depth > MAX_DEPTH {
            return Err(Self::depth_err());
        }
        let d = depth + 1;
        Ok(match &e.kind {
            TExprKind::Bool(b) => Ex::one(if *b { "1" } else { "0" }.to_owned()),
            TExprKind::Int(i) => Ex::one(self.ints.lit(*i)?),
            TExprKind::Str(s) => Ex::one(self.code(&Value::Str(s.clone()))?.to_string()),
            TExprKind::None => {
                let mut v = vec!["0".to_owned()];
                if let Ty::Option(t) = &e.ty {
                    v.extend(std::iter::repeat_n("0".to_owned(), self.width(t)?));
                }
                Ex::pure(v)
            }
            TExprKind::Some(x) => {
                let x = self.expr(cx, x, d)?;
                let mut v = vec!["1".to_owned()];
                v.extend(x.v);
                Ex { ok: x.ok, v }
            }
            TExprKind::Field(f) => Ex::pure(self.field_slots(*f)?),
            TExprKind::Param(p) => Ex::pure(
                cx.args
                    .get(p.index())
                    .cloned()
                    .ok_or_else(|| ExportError::new("internal: unknown parameter"))?,
            ),
            TExprKind::Derived(id) => {
                let def = self
                    .m
                    .derived_value(*id)
                    .ok_or_else(|| ExportError::new("internal: unknown derived value"))?;
                self.expr(cx, &def.expr, d)?
            }
            TExprKind::Key => Ex::pure(self.key.clone()),
            TExprKind::CurrentPhase => Ex::one("phase".to_owned()),
            TExprKind::Target => Ex::one(
                cx.target
                    .clone()
                    .ok_or_else(|| ExportError::new("internal: `target` outside a transition"))?,
            ),
            TExprKind::Const(c) => {
                let def = self
                    .m
                    .constant(*c)
                    .ok_or_else(|| ExportError::new("internal: unknown constant"))?;
                self.expr(cx, &def.value, d)?
            }
            TExprKind::Variant(_, v) => Ex::one(v.0.to_string()),
            TExprKind::Phase(p) => Ex::one(p.0.to_string()),
            TExprKind::Var(v) => Ex::pure(
                cx.vars
                    .get(v.index())
                    .cloned()
                    .ok_or_else(|| ExportError::new("internal: unknown quantifier variable"))?,
            ),
            TExprKind::Collection(items) => match &e.ty {
                Ty::Set(t) | Ty::List(t) => {
                    let n = self.universe_len(t)?;
                    let mut ok = "1".to_owned();
                    let mut elems = Vec::new();
                    for item in items {
                        let x = self.expr(cx, item, d)?;
                        ok = and(&ok, &x.ok);
                        elems.push(x.scalar()?);
                    }
                    let v = (0..n)
                        .map(|i| or_all(elems.iter().map(|x| cmp("==", x, &i.to_string()))))
                        .collect();
                    Ex { ok, v }
                }
                _ => Ex::pure(vec!["0".to_owned(); self.width(&e.ty)?]),
            },
            TExprKind::Unary(UnOp::Not, x) => {
                let x = self.expr(cx, x, d)?;
                Ex {
                    v: vec![not(&x.scalar()?)],
                    ok: x.ok,
                }
            }
            TExprKind::Unary(UnOp::Neg, x) => {
                let ity = match &e.ty {
                    Ty::Int(i) => *i,
                    _ => IntTy::I64,
                };
                let x = self.expr(cx, x, d)?;
                let s = x.scalar()?;
                let (lo, hi) = self.ints.bounds(ity);
                let v = match num(&s) {
                    Some(n) => int_lit(-n)?,
                    None => format!("(-{})", paren(&s)),
                };
                let fits = match num(&v) {
                    Some(n) => if n >= lo && n <= hi { "1" } else { "0" }.to_owned(),
                    None => and(&cmp(">=", &v, &int_lit(lo)?), &cmp("<=", &v, &int_lit(hi)?)),
                };
                Ex {
                    ok: and(&x.ok, &and(&cmp("!=", &s, &int_lit(lo)?), &fits)),
                    v: vec![v],
                }
            }
            TExprKind::Binary(op, a, b) => self.binary(cx, *op, a, b, &e.ty, d)?,
            TExprKind::Method {
                method,
                receiver,
                args,
            } => self.method(cx, *method, receiver, args, d)?,
            TExprKind::Quant {
                kind, coll, body, ..
            } => {
                let elem = coll
                    .ty
                    .element()
                    .ok_or_else(|| ExportError::new("internal: quantifier over a non-collection"))?
                    .clone();
                let c = self.expr(cx, coll, d)?;
                let members = self.members(&coll.ty, &c.v)?;
                let level = match &e.kind {
                    TExprKind::Quant { var, .. } => var.index(),
                    _ => 0,
                };
                let n = self.universe_len(&elem)?;
                let mut parts = Vec::new();
                for i in 0..n {
                    if cx.vars.len() <= level {
                        cx.vars.resize(level + 1, Vec::new());
                    }
                    if let Some(slot) = cx.vars.get_mut(level) {
                        *slot = vec![i.to_string()];
                    }
                    let x = self.expr(cx, body, d)?;
                    parts.push((members.get(i).cloned().unwrap_or_default(), x));
                }
                let all = *kind == Quantifier::All;
                let v = if all {
                    and_all(parts.iter().map(|(m, x)| or(&not(m), &x.v.join(""))))
                } else {
                    or_all(parts.iter().map(|(m, x)| and(m, &x.v.join(""))))
                };
                // Evaluation stops at the first member that decides.
                let mut ok = "1".to_owned();
                for (m, x) in parts.iter().rev() {
                    let body_v = x.v.join("");
                    let go_on = if all { body_v } else { not(&body_v) };
                    let this = and(&x.ok, &or(&not(&go_on), &ok));
                    ok = cond(m, &this, &ok);
                }
                Ex {
                    ok: and(&c.ok, &ok),
                    v: vec![v],
                }
            }
        })
    }

    /// The membership bit per universe value of a set or a map's keys.
    fn members(&self, ty: &Ty, slots: &[String]) -> Result<Vec<String>, ExportError> {
        match ty {
            Ty::Set(_) | Ty::List(_) => Ok(slots.to_vec()),
            Ty::Map(_, v) => {
                let stride = 1 + self.width(v)?;
                Ok(slots.iter().step_by(stride).cloned().collect())
            }
            _ => Err(ExportError::new(
                "the promela export does not support `List` values",
            )),
        }
    }

    fn binary(
        &self,
        cx: &mut Cx<'_>,
        op: BinOp,
        a: &TExpr,
        b: &TExpr,
        ty: &Ty,
        d: usize,
    ) -> Result<Ex, ExportError> {
        let x = self.expr(cx, a, d)?;
        let y = self.expr(cx, b, d)?;
        let both = and(&x.ok, &y.ok);
        Ok(match op {
            BinOp::Or => {
                let (p, q) = (x.scalar()?, y.scalar()?);
                Ex {
                    ok: and(&x.ok, &or(&p, &y.ok)),
                    v: vec![or(&p, &q)],
                }
            }
            BinOp::And => {
                let (p, q) = (x.scalar()?, y.scalar()?);
                Ex {
                    ok: and(&x.ok, &or(&not(&p), &y.ok)),
                    v: vec![and(&p, &q)],
                }
            }
            BinOp::Eq => Ex {
                ok: both,
                v: vec![eq_slots(&x.v, &y.v)],
            },
            BinOp::Ne => Ex {
                ok: both,
                v: vec![not(&eq_slots(&x.v, &y.v))],
            },
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Ex {
                ok: both,
                v: vec![cmp(op.as_str(), &x.scalar()?, &y.scalar()?)],
            },
            BinOp::In => Ex {
                v: vec![self.contains(&b.ty, &y.v, &x.v)?],
                ok: both,
            },
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                let ity = match ty {
                    Ty::Int(i) => *i,
                    _ => return Err(ExportError::new("internal: arithmetic on a non-integer")),
                };
                let (p, q) = (x.scalar()?, y.scalar()?);
                let (ok, v) = arith(&self.ints, op, &p, &q, ity)?;
                Ex {
                    ok: and(&both, &ok),
                    v: vec![v],
                }
            }
        })
    }

    /// Whether the collection or option `coll` (of type `ty`) holds `x`.
    fn contains(&self, ty: &Ty, coll: &[String], x: &[String]) -> Result<String, ExportError> {
        match ty {
            Ty::Set(_) | Ty::List(_) => {
                let key = x.first().cloned().unwrap_or_default();
                Ok(self.pick(&key, coll, 1, 0))
            }
            Ty::Option(_) => {
                let p = coll.first().cloned().unwrap_or_default();
                Ok(and(&p, &eq_slots(coll.get(1..).unwrap_or(&[]), x)))
            }
            _ => Err(ExportError::new(
                "the promela export does not support `List` values",
            )),
        }
    }

    /// Slot `offset` of entry `key` in `slots` laid out `stride` per entry.
    fn pick(&self, key: &str, slots: &[String], stride: usize, offset: usize) -> String {
        let n = slots.len() / stride.max(1);
        if let Some(c) = num(key) {
            return usize::try_from(c)
                .ok()
                .and_then(|c| slots.get(c * stride + offset))
                .cloned()
                .unwrap_or_else(|| "0".to_owned());
        }
        let column: Vec<Option<i128>> = (0..n)
            .map(|i| slots.get(i * stride + offset).and_then(|s| num(s)))
            .collect();
        if column.iter().all(|c| matches!(c, Some(0 | 1))) {
            return or_all(
                column
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c == Some(1))
                    .map(|(i, _)| cmp("==", key, &i.to_string())),
            );
        }
        let mut out = "0".to_owned();
        for i in (0..n).rev() {
            let s = slots
                .get(i * stride + offset)
                .cloned()
                .unwrap_or_else(|| "0".to_owned());
            out = cond(&cmp("==", key, &i.to_string()), &s, &out);
        }
        out
    }

    fn method(
        &self,
        cx: &mut Cx<'_>,
        method: Method,
        receiver: &TExpr,
        args: &[TExpr],
        d: usize,
    ) -> Result<Ex, ExportError> {
        let r = self.expr(cx, receiver, d)?;
        let mut ok = r.ok.clone();
        let mut xs = Vec::new();
        for a in args {
            let x = self.expr(cx, a, d)?;
            ok = and(&ok, &x.ok);
            xs.push(x.v);
        }
        let arg = |i: usize| xs.get(i).cloned().unwrap_or_default();
        let rty = &receiver.ty;
        let v: Vec<String> = match (method, rty) {
            (Method::Contains, _) => vec![self.contains(rty, &r.v, &arg(0))?],
            (Method::Len, Ty::String) => {
                let s = r.scalar()?;
                if num(&s).is_some() {
                    // A known code: the comparisons fold, nothing nests.
                    let mut out = "0".to_owned();
                    for (i, text) in self.strings.iter().enumerate().rev() {
                        out = cond(
                            &cmp("==", &s, &i.to_string()),
                            &text.len().to_string(),
                            &out,
                        );
                    }
                    vec![out]
                } else {
                    vec![string_len(&s, &self.strings)]
                }
            }
            (Method::IsEmpty, Ty::String) => {
                let s = r.scalar()?;
                match self.strings.iter().position(String::is_empty) {
                    Some(i) => vec![cmp("==", &s, &i.to_string())],
                    None => vec!["0".to_owned()],
                }
            }
            (Method::Len, _) => vec![sum(self.members(rty, &r.v)?)],
            (Method::IsEmpty, _) => vec![and_all(self.members(rty, &r.v)?.iter().map(|m| not(m)))],
            (Method::IsSome, _) => vec![r.v.first().cloned().unwrap_or_default()],
            (Method::IsNone, _) => vec![not(&r.v.first().cloned().unwrap_or_default())],
            (Method::UnwrapOr, _) => {
                let p = r.v.first().cloned().unwrap_or_default();
                let dflt = arg(0);
                r.v.iter()
                    .skip(1)
                    .zip(&dflt)
                    .map(|(x, y)| cond(&p, x, y))
                    .collect()
            }
            (Method::ContainsKey | Method::Get | Method::GetOr, Ty::Map(_, vt)) => {
                let stride = 1 + self.width(vt)?;
                let key = arg(0).first().cloned().unwrap_or_default();
                let got: Vec<String> = (0..stride)
                    .map(|j| self.pick(&key, &r.v, stride, j))
                    .collect();
                match method {
                    Method::ContainsKey => vec![got.first().cloned().unwrap_or_default()],
                    Method::Get => got,
                    _ => {
                        let p = got.first().cloned().unwrap_or_default();
                        got.iter()
                            .skip(1)
                            .zip(&arg(1))
                            .map(|(x, y)| cond(&p, x, y))
                            .collect()
                    }
                }
            }
            (Method::Keys, _) => self.members(rty, &r.v)?,
            _ => {
                return Err(ExportError::new(format!(
                    "the promela export does not support `.{}()` on `{}`",
                    method.name(),
                    self.m.ty_name(rty)
                )));
            }
        };
        Ok(Ex { ok, v })
    }
}

/// Checked integer arithmetic: the no-overflow condition and the value.
fn arith(
    ints: &Ints,
    op: BinOp,
    p: &str,
    q: &str,
    ity: IntTy,
) -> Result<(String, String), ExportError> {
    let (lo, hi) = ints.bounds(ity);
    if let (Some(a), Some(b)) = (num(p), num(q)) {
        let r = match op {
            BinOp::Add => a.checked_add(b),
            BinOp::Sub => a.checked_sub(b),
            BinOp::Mul => a.checked_mul(b),
            BinOp::Div => a.checked_div(b),
            _ => a.checked_rem(b),
        };
        return Ok(match r {
            Some(r) if r >= lo && r <= hi => ("1".to_owned(), r.to_string()),
            _ => ("0".to_owned(), "0".to_owned()),
        });
    }
    let v = format!("({} {} {})", paren(p), op.as_str(), paren(q));
    let ok = match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul => {
            and(&cmp(">=", &v, &int_lit(lo)?), &cmp("<=", &v, &int_lit(hi)?))
        }
        _ => {
            let nonzero = cmp("!=", q, "0");
            if ity.is_signed() {
                and(
                    &nonzero,
                    &not(&and(&cmp("==", p, &int_lit(lo)?), &cmp("==", q, "-1"))),
                )
            } else {
                nonzero
            }
        }
    };
    Ok((ok, v))
}

// ---------------------------------------------------------------- statements

/// Promela text under construction, with indentation.
struct Out {
    text: String,
    indent: usize,
}

impl Out {
    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.text.push_str("  ");
        }
        self.text.push_str(s);
        self.text.push('\n');
    }
}

/// What compiling one block found.
#[derive(Default)]
struct Block {
    fallible: bool,
    temps: usize,
}

impl Gen<'_> {
    fn stmts(
        &self,
        cx: &mut Cx<'_>,
        list: &[TStmt],
        out: &mut Out,
        block: &mut Block,
        depth: usize,
    ) -> Result<(), ExportError> {
        if depth > MAX_DEPTH {
            return Err(Self::depth_err());
        }
        if list.is_empty() {
            out.line("skip;");
            return Ok(());
        }
        for (i, s) in list.iter().enumerate() {
            let fallible = self.stmt(cx, s, out, block, depth + 1)?;
            block.fallible |= fallible;
            let rest = list.get(i + 1..).unwrap_or(&[]);
            if fallible && !rest.is_empty() {
                out.line("if");
                out.line(":: rej -> skip;");
                out.line(":: else ->");
                out.indent += 1;
                self.stmts(cx, rest, out, block, depth + 1)?;
                out.indent -= 1;
                out.line("fi;");
                return Ok(());
            }
        }
        Ok(())
    }

    /// Runs `body` unless `ok` fails, in which case the input is rejected.
    fn guarded(out: &mut Out, ok: &str, body: &mut dyn FnMut(&mut Out)) -> bool {
        if num(ok).is_some_and(|n| n != 0) {
            body(out);
            return false;
        }
        out.line("if");
        out.line(&format!(":: !{} -> rej = 1;", paren(ok)));
        out.line(":: else ->");
        out.indent += 1;
        body(out);
        out.indent -= 1;
        out.line("fi;");
        true
    }

    /// Assigns `values` to `slots`, through temporaries when a value reads
    /// state that an earlier assignment of the same statement changes.
    fn assign(out: &mut Out, slots: &[String], values: &[String], block: &mut Block) {
        let direct = slots.len() <= 1 || values.iter().all(|v| num(v).is_some());
        if direct {
            for (s, v) in slots.iter().zip(values) {
                out.line(&format!("{s} = {v};"));
            }
            return;
        }
        for (i, v) in values.iter().enumerate() {
            out.line(&format!("t_{i} = {v};"));
        }
        for (i, s) in slots.iter().enumerate() {
            out.line(&format!("{s} = t_{i};"));
        }
        block.temps = block.temps.max(values.len());
    }

    fn stmt(
        &self,
        cx: &mut Cx<'_>,
        s: &TStmt,
        out: &mut Out,
        block: &mut Block,
        depth: usize,
    ) -> Result<bool, ExportError> {
        Ok(match &s.kind {
            TStmtKind::Assign { field, op, value } => {
                let slots = self.field_slots(*field)?;
                let x = self.expr(cx, value, depth)?;
                let (ok, values) = match op {
                    AssignOp::Set => (x.ok, x.v),
                    AssignOp::Add | AssignOp::Sub => {
                        let ity = match self.m.field(*field).map(|f| &f.ty) {
                            Some(Ty::Int(i)) => *i,
                            _ => return Err(ExportError::new("internal: `+=` on a non-integer")),
                        };
                        let bop = if *op == AssignOp::Add {
                            BinOp::Add
                        } else {
                            BinOp::Sub
                        };
                        let cur = slots.first().cloned().unwrap_or_default();
                        let (aok, v) = arith(&self.ints, bop, &cur, &x.scalar()?, ity)?;
                        (and(&x.ok, &aok), vec![v])
                    }
                };
                Self::guarded(out, &ok, &mut |out| {
                    Self::assign(out, &slots, &values, block)
                })
            }
            TStmtKind::Insert { field, key, value } => {
                let slots = self.field_slots(*field)?;
                let k = self.expr(cx, key, depth)?;
                let kv = k.scalar()?;
                let (ok, vals, stride) = match value {
                    Some(v) => {
                        let x = self.expr(cx, v, depth)?;
                        let stride = 1 + x.v.len();
                        let mut vals = x.v;
                        vals.push("1".to_owned());
                        (and(&k.ok, &x.ok), vals, stride)
                    }
                    None => (k.ok, vec!["1".to_owned()], 1),
                };
                // Value slots first, then the presence bit (last in `vals`).
                let entry = |i: usize| -> Vec<String> {
                    let base = i * stride;
                    let mut v: Vec<String> = (1..stride)
                        .filter_map(|j| slots.get(base + j).cloned())
                        .collect();
                    if let Some(p) = slots.get(base) {
                        v.push(p.clone());
                    }
                    v
                };
                self.keyed(out, &ok, &kv, slots.len() / stride.max(1), &mut |out, i| {
                    Self::assign(out, &entry(i), &vals, block)
                })
            }
            TStmtKind::Remove { field, key } => {
                let slots = self.field_slots(*field)?;
                let stride = match self.m.field(*field).map(|f| &f.ty) {
                    Some(Ty::Map(_, v)) => 1 + self.width(v)?,
                    _ => 1,
                };
                let k = self.expr(cx, key, depth)?;
                let kv = k.scalar()?;
                self.keyed(out, &k.ok, &kv, slots.len() / stride, &mut |out, i| {
                    for j in 0..stride {
                        if let Some(s) = slots.get(i * stride + j) {
                            out.line(&format!("{s} = 0;"));
                        }
                    }
                })
            }
            TStmtKind::Clear { field } => {
                for s in self.field_slots(*field)? {
                    out.line(&format!("{s} = 0;"));
                }
                false
            }
            TStmtKind::Push { .. } => {
                return Err(ExportError::new(
                    "the promela export does not support `List` values",
                ));
            }
            TStmtKind::Emit { effect, args } => {
                let mut ok = "1".to_owned();
                for a in args {
                    ok = and(&ok, &self.expr(cx, a, depth)?.ok);
                }
                let name = self.m.effect(*effect).map_or("?", |e| e.name.as_str());
                Self::guarded(out, &ok, &mut |out| {
                    out.line(&format!("skip; /* emit {name} */"))
                })
            }
            TStmtKind::If {
                cond: c,
                then,
                otherwise,
            } => {
                let x = self.expr(cx, c, depth)?;
                let v = x.scalar()?;
                let mut inner = Block::default();
                let mut text = Out {
                    text: String::new(),
                    indent: out.indent + usize::from(num(&x.ok).is_none()),
                };
                match num(&v) {
                    Some(0) => self.stmts(cx, otherwise, &mut text, &mut inner, depth)?,
                    Some(_) => self.stmts(cx, then, &mut text, &mut inner, depth)?,
                    None => {
                        text.line("if");
                        text.line(&format!(":: {v} ->"));
                        text.indent += 1;
                        self.stmts(cx, then, &mut text, &mut inner, depth)?;
                        text.indent -= 1;
                        text.line(":: else ->");
                        text.indent += 1;
                        self.stmts(cx, otherwise, &mut text, &mut inner, depth)?;
                        text.indent -= 1;
                        text.line("fi;");
                    }
                }
                block.temps = block.temps.max(inner.temps);
                let guarded = if num(&x.ok).is_some_and(|n| n != 0) {
                    out.text.push_str(&text.text);
                    false
                } else {
                    out.line("if");
                    out.line(&format!(":: !{} -> rej = 1;", paren(&x.ok)));
                    out.line(":: else ->");
                    out.text.push_str(&text.text);
                    out.line("fi;");
                    true
                };
                guarded || inner.fallible
            }
        })
    }

    /// Runs `body(i)` for the universe index `i` that `key` evaluates to,
    /// unless `ok` fails.
    fn keyed(
        &self,
        out: &mut Out,
        ok: &str,
        key: &str,
        n: usize,
        body: &mut dyn FnMut(&mut Out, usize),
    ) -> bool {
        Self::guarded(out, ok, &mut |out| {
            if let Some(c) = num(key) {
                if let Ok(c) = usize::try_from(c)
                    && c < n
                {
                    body(out, c);
                    return;
                }
                out.line("skip;");
                return;
            }
            out.line("if");
            for i in 0..n {
                out.line(&format!(":: {key} == {i} ->"));
                out.indent += 1;
                body(out, i);
                out.indent -= 1;
            }
            out.line(":: else -> skip;");
            out.line("fi;");
        })
    }
}

// ---------------------------------------------------------------- the model

impl Gen<'_> {
    /// The guards of `t` as one condition: (no overflow, all hold).
    fn guards(&self, cx: &mut Cx<'_>, t: &Transition) -> Result<(String, String), ExportError> {
        let mut parts = Vec::new();
        for g in &t.guards {
            let x = self.expr(cx, &g.expr, 0)?;
            let v = x.scalar()?;
            parts.push((x.ok, v));
        }
        let v = and_all(parts.iter().map(|(_, v)| v.clone()));
        let mut ok = "1".to_owned();
        for (gok, gv) in parts.iter().rev() {
            ok = and(gok, &or(&not(gv), &ok));
        }
        Ok((ok, v))
    }

    fn fire(
        &mut self,
        cx: &mut Cx<'_>,
        t: &Transition,
        phase_var_target: Option<PhaseId>,
        out: &mut Out,
    ) -> Result<(), ExportError> {
        cx.target = Some(match phase_var_target {
            Some(p) => p.0.to_string(),
            None => "phase".to_owned(),
        });
        let mut block = Block::default();
        let mut body = Out {
            text: String::new(),
            indent: out.indent,
        };
        out.line(&format!("/* {} */", t.name));
        self.stmts(cx, &t.body, &mut body, &mut block, 0)?;
        let set_phase = phase_var_target.map(|p| format!("phase = {};", p.0));
        let checked = !self.m.invariants.is_empty() || !self.m.verify.bounds.is_empty();
        if !block.fallible && !checked {
            out.text.push_str(&body.text);
            if let Some(p) = &set_phase {
                out.line(p);
            }
            for i in 0..block.temps {
                out.line(&format!("t_{i} = 0;"));
            }
        } else {
            // `fsm_end` puts the saved state back when arithmetic overflowed
            // (`rej`) or the new state breaks an invariant (`fsm verify`
            // does not keep such a state), and zeroes the scratch.
            out.line("c_code { fsm_save(); };");
            out.text.push_str(&body.text);
            if let Some(p) = &set_phase {
                if block.fallible {
                    out.line("if");
                    out.line(":: rej -> skip;");
                    out.line(&format!(":: else -> {p}"));
                    out.line("fi;");
                } else {
                    out.line(p);
                }
            }
            out.line("c_code { fsm_end(); };");
        }
        self.temps = self.temps.max(block.temps);
        cx.target = None;
        Ok(())
    }

    /// Tries `cands` in order, as the generated `apply` does.
    fn select(
        &mut self,
        cx: &mut Cx<'_>,
        cands: &[&Transition],
        conds: &[(String, String)],
        out: &mut Out,
    ) -> Result<(), ExportError> {
        let (Some(t), Some((ok, v))) = (cands.first(), conds.first()) else {
            out.line("skip; /* guard rejected */");
            return Ok(());
        };
        let rest = cands.get(1..).unwrap_or(&[]);
        let rest_conds = conds.get(1..).unwrap_or(&[]);
        let ok_always = num(ok).is_some_and(|n| n != 0);
        match num(v) {
            Some(0) if ok_always => return self.select(cx, rest, rest_conds, out),
            Some(x) if x != 0 && ok_always => return self.fire(cx, t, t.target, out),
            _ => {}
        }
        out.line("if");
        if !ok_always {
            out.line(&format!(
                ":: !{} -> skip; /* arithmetic overflow */",
                paren(ok)
            ));
        }
        out.line(&format!(":: {} ->", and(ok, v)));
        out.indent += 1;
        self.fire(cx, t, t.target, out)?;
        out.indent -= 1;
        out.line(":: else ->");
        out.indent += 1;
        self.select(cx, rest, rest_conds, out)?;
        out.indent -= 1;
        out.line("fi;");
        Ok(())
    }

    fn option(&mut self, inst: &Instance, out: &mut Out) -> Result<(), ExportError> {
        let m = self.m;
        let Some(input) = m.input(inst.input) else {
            return Ok(());
        };
        let args: Vec<Vec<String>> = input
            .params
            .iter()
            .zip(&inst.args)
            .map(|(p, v)| self.val_strs(v, &p.ty))
            .collect::<Result<_, _>>()?;
        let mut cx = Cx {
            args: &args,
            target: None,
            vars: Vec::new(),
        };
        // Phases grouped by their candidates, with each candidate's guards.
        let mut groups: Vec<(Vec<usize>, Vec<PhaseId>)> = Vec::new();
        let mut seen: HashMap<Vec<usize>, usize> = HashMap::new();
        for (phase, cands) in m.candidates_by_phase(inst.input) {
            let cands: Vec<usize> = cands.iter().map(|id| id.index()).collect();
            match seen.get(&cands).and_then(|&g| groups.get_mut(g)) {
                Some((_, phases)) => phases.push(phase),
                None => {
                    seen.insert(cands.clone(), groups.len());
                    groups.push((cands, vec![phase]));
                }
            }
        }
        let mut enabled = Vec::new();
        let mut arms = Vec::new();
        for (cands, phases) in &groups {
            let ts: Vec<&Transition> = cands.iter().filter_map(|i| m.transitions.get(*i)).collect();
            let conds: Vec<(String, String)> = ts
                .iter()
                .map(|t| self.guards(&mut cx, t))
                .collect::<Result<_, _>>()?;
            let can = or_all(conds.iter().map(|(ok, v)| and(ok, v)));
            if num(&can) == Some(0) {
                continue;
            }
            let at = or_all(phases.iter().map(|p| format!("(phase == {})", p.0)));
            enabled.push(and(&at, &can));
            arms.push((at, ts, conds));
        }
        let comment = if input.params.is_empty() {
            input.name.clone()
        } else {
            format!(
                "{}({})",
                input.name,
                input
                    .params
                    .iter()
                    .zip(&inst.args)
                    .map(|(p, v)| format!("{}: {}", p.name, self.show(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        if arms.is_empty() {
            out.line(&format!("/* {comment}: never accepted */"));
            return Ok(());
        }
        out.line(&format!(":: d_step {{ /* {comment} */"));
        out.indent += 1;
        out.line(&format!("{} ->", or_all(enabled)));
        out.line("if");
        for (at, ts, conds) in arms {
            out.line(&format!(":: {at} ->"));
            out.indent += 1;
            self.select(&mut cx, &ts, &conds, out)?;
            out.indent -= 1;
        }
        out.line(":: else -> skip;");
        out.line("fi;");
        out.indent -= 1;
        out.line("}");
        Ok(())
    }

    fn render(
        &mut self,
        instances: &[Instance],
        key: Option<&Value>,
    ) -> Result<String, ExportError> {
        let m = self.m;
        // The main loop first: it decides the scratch variables.
        let mut body = Out {
            text: String::new(),
            indent: 1,
        };
        for inst in instances {
            self.option(inst, &mut body)?;
        }
        let mut invariants = Vec::new();
        for inv in &m.invariants {
            let mut cx = Cx {
                args: &[],
                target: None,
                vars: Vec::new(),
            };
            let x = self.expr(&mut cx, &inv.expr, 0)?;
            invariants.push((inv.name.clone(), and(&x.ok, &x.scalar()?)));
        }
        let mut bounds = Vec::new();
        for b in &m.verify.bounds {
            let mut cx = Cx {
                args: &[],
                target: None,
                vars: Vec::new(),
            };
            let x = self.expr(&mut cx, &b.expr, 0)?;
            bounds.push(and(&x.ok, &x.scalar()?));
        }

        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(w, "/*");
        let _ = writeln!(w, " * Machine `{}`: Promela model for SPIN.", m.name);
        let _ = writeln!(w, " *");
        let _ = writeln!(
            w,
            " * One process; every input instance (an input with parameter values"
        );
        let _ = writeln!(
            w,
            " * from the spec's `verify` domains) is one d_step of the main loop."
        );
        let _ = writeln!(
            w,
            " * A step into a state that breaks an invariant is undone and reported"
        );
        let _ = writeln!(w, " * as `fsm: invariant violated: <name>` when pan exits.");
        if !bounds.is_empty() {
            let _ = writeln!(
                w,
                " * A step into a state outside a `bound` is undone (the state is not"
            );
            let _ = writeln!(w, " * explored), as `fsm verify` leaves it out.");
        }
        for p in &m.verify.always_possible {
            let _ = writeln!(
                w,
                " * `always_possible {}` (AG EF) is not an LTL property; `fsm verify`",
                comment_safe(&p.name)
            );
            let _ = writeln!(w, " * checks it, SPIN does not.");
        }
        let _ = writeln!(w, " *");
        let _ = writeln!(w, " *   spin -a {}.pml", m.name);
        let _ = writeln!(w, " *   gcc -O2 -DBFS -DNOREDUCE -DSAFETY -o pan pan.c");
        match m.verify.max_depth {
            Some(d) => {
                let _ = writeln!(w, " *   ./pan -m{d} -c0 -E");
            }
            None => {
                let _ = writeln!(w, " *   ./pan -c0 -E");
            }
        }
        let _ = writeln!(w, " *");
        let _ = writeln!(w, " * Codes:");
        let _ = writeln!(
            w,
            " *   phase: {}",
            m.phases
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{i} = {}", p.name))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for e in &m.enums {
            let _ = writeln!(
                w,
                " *   {}: {}",
                e.name,
                e.variants
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("{i} = {}", v.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !self.strings.is_empty() {
            let _ = writeln!(
                w,
                " *   String: {}",
                self.strings
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{i} = {}", comment_safe(&format!("{s:?}"))))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for (e, vals) in m.externs.iter().zip(&self.externs) {
            if vals.is_empty() {
                continue;
            }
            let _ = writeln!(
                w,
                " *   {}: {}",
                e.name,
                vals.iter()
                    .enumerate()
                    .map(|(i, s)| format!("{i} = {}", comment_safe(&format!("{s:?}"))))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let (Some(k), Some(def)) = (key, &m.key) {
            let _ = writeln!(
                w,
                " *   key `{}` = {}",
                def.name,
                comment_safe(&self.show(k))
            );
        }
        let _ = writeln!(w, " */");
        let _ = writeln!(w);

        let _ = writeln!(w, "/* phase */");
        let _ = writeln!(
            w,
            "{} phase = {};",
            self.code_ty(m.phases.len()),
            m.initial.0
        );
        let _ = writeln!(w);
        let _ = writeln!(w, "/* fields */");
        for (i, f) in m.fields.iter().enumerate() {
            let id = FieldId(u32::try_from(i).unwrap_or(u32::MAX));
            let init = domain::const_val(m, &f.init, &f.ty)?;
            let vals = self.val_strs(&init, &f.ty)?;
            let _ = writeln!(w, "/* {}: {} */", f.name, m.ty_name(&f.ty));
            for ((slot, name), v) in self
                .layout(&f.ty, 0)?
                .iter()
                .zip(self.field_slots(id)?)
                .zip(vals)
            {
                let _ = writeln!(w, "{} {name} = {v};", slot.ty);
            }
        }
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "/* scratch: zero whenever a step ends, so never part of a state's identity */"
        );
        let _ = writeln!(w, "bit rej = 0;");
        for i in 0..self.temps {
            let _ = writeln!(w, "int t_{i} = 0;");
        }
        let _ = writeln!(w);
        w.push_str(&self.c_support(&invariants, &bounds)?);
        let _ = writeln!(w);
        let _ = writeln!(w, "active proctype {}() {{", ident(&m.name));
        let _ = writeln!(w, "  do");
        if !invariants.is_empty() {
            let _ = writeln!(
                w,
                "  :: c_expr {{ (fsm_first() != 0) }} -> skip; /* checks the initial state */"
            );
        }
        w.push_str(&body.text);
        let _ = writeln!(w, "  od");
        let _ = writeln!(w, "}}");
        Ok(out)
    }
}

impl Gen<'_> {
    /// The C helpers: saving and restoring the state around a step, and
    /// the invariants, whose violations are printed when `pan` exits as
    /// `fsm: invariant violated: <name>` lines.
    fn c_support(
        &self,
        invariants: &[(String, String)],
        bounds: &[String],
    ) -> Result<String, ExportError> {
        let n = invariants.len();
        let mut globals = vec!["phase".to_owned()];
        for i in 0..self.m.fields.len() {
            globals.extend(self.field_slots(FieldId(u32::try_from(i).unwrap_or(u32::MAX)))?);
        }
        let mut c = String::new();
        let _ = writeln!(c, "c_code {{");
        let _ = writeln!(c, "  static int fsm_saved[{}];", globals.len());
        if n > 0 {
            let _ = writeln!(c, "  static int fsm_broken[{n}];");
            let _ = writeln!(c, "  static const char *fsm_names[{n}] = {{");
            for (name, _) in invariants {
                let _ = writeln!(c, "    \"{}\",", ident(name));
            }
            let _ = writeln!(c, "  }};");
            let _ = writeln!(c, "  static int fsm_hooked, fsm_first_done;");
            let _ = writeln!(c, "  static void fsm_report(void) {{");
            let _ = writeln!(c, "    int i;");
            let _ = writeln!(c, "    for (i = 0; i < {n}; i++)");
            let _ = writeln!(
                c,
                "      if (fsm_broken[i]) printf(\"fsm: invariant violated: %s\\n\", fsm_names[i]);"
            );
            let _ = writeln!(c, "  }}");
            let _ = writeln!(c, "  static int fsm_invariants(void) {{");
            let _ = writeln!(c, "    int ok = 1;");
            let _ = writeln!(
                c,
                "    if (!fsm_hooked) {{ fsm_hooked = 1; atexit(fsm_report); }}"
            );
            for (i, (name, expr)) in invariants.iter().enumerate() {
                let _ = writeln!(c, "    /* {} */", comment_safe(name));
                let _ = writeln!(
                    c,
                    "    if (!{}) {{ fsm_broken[{i}] = 1; ok = 0; }}",
                    paren(&to_c(expr))
                );
            }
            let _ = writeln!(c, "    return ok;");
            let _ = writeln!(c, "  }}");
            let _ = writeln!(c, "  int fsm_first(void) {{");
            let _ = writeln!(
                c,
                "    if (!fsm_first_done) {{ fsm_first_done = 1; (void) fsm_invariants(); }}"
            );
            let _ = writeln!(c, "    return 0;");
            let _ = writeln!(c, "  }}");
        } else {
            let _ = writeln!(c, "  static int fsm_invariants(void) {{ return 1; }}");
        }
        let _ = writeln!(c, "  void fsm_save(void) {{");
        for (i, g) in globals.iter().enumerate() {
            let _ = writeln!(c, "    fsm_saved[{i}] = now.{g};");
        }
        let _ = writeln!(c, "  }}");
        let _ = writeln!(c, "  static int fsm_bounds(void) {{");
        let _ = writeln!(c, "    return 1");
        for b in bounds {
            let _ = writeln!(c, "      && {}", paren(&to_c(b)));
        }
        let _ = writeln!(c, "    ;");
        let _ = writeln!(c, "  }}");
        let _ = writeln!(c, "  void fsm_end(void) {{");
        let _ = writeln!(
            c,
            "    if (now.rej || !fsm_invariants() || !fsm_bounds()) {{"
        );
        for (i, g) in globals.iter().enumerate() {
            let _ = writeln!(c, "      now.{g} = fsm_saved[{i}];");
        }
        let _ = writeln!(c, "    }}");
        let _ = writeln!(c, "    now.rej = 0;");
        for i in 0..self.temps {
            let _ = writeln!(c, "    now.t_{i} = 0;");
        }
        let _ = writeln!(c, "  }}");
        let _ = writeln!(c, "}}");
        Ok(c)
    }
}

/// A Promela expression over the globals as C over pan's state `now`.
fn to_c(expr: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word == "phase" || word.starts_with("f_") {
            out.push_str("now.");
        }
        out.push_str(word);
        word.clear();
    };
    let mut chars = expr.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch);
            continue;
        }
        flush(&mut word, &mut out);
        if ch == '-' && chars.peek() == Some(&'>') {
            chars.next();
            out.push('?');
        } else {
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn comment_safe(s: &str) -> String {
    s.replace("*/", "* /").replace("/*", "/ *")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cond` folded from the last string, as `string_len` writes it in one
    /// pass.
    fn folded(s: &str, strings: &[String]) -> String {
        let mut out = "0".to_owned();
        for (i, text) in strings.iter().enumerate().rev() {
            out = cond(&cmp("==", s, &i.to_string()), &text.len().to_string(), &out);
        }
        out
    }

    #[test]
    fn and_all_and_or_all_are_the_folds_of_and_and_or() {
        let items = ["a", "1", "0", "(b == 2)", "(0)", "3", "c", "(1)"];
        // Every sequence of up to four of the items.
        let mut seqs: Vec<Vec<String>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<String>> = seqs
                .iter()
                .filter(|s| s.len() == seqs.last().map_or(0, Vec::len))
                .flat_map(|s| {
                    items.iter().map(move |i| {
                        let mut s = s.clone();
                        s.push((*i).to_owned());
                        s
                    })
                })
                .collect();
            seqs.extend(longer);
        }
        for seq in seqs {
            let folded_and = seq.iter().fold("1".to_owned(), |acc, x| and(&acc, x));
            let folded_or = seq.iter().fold("0".to_owned(), |acc, x| or(&acc, x));
            assert_eq!(and_all(seq.clone()), folded_and, "{seq:?}");
            assert_eq!(or_all(seq.clone()), folded_or, "{seq:?}");
        }
    }

    #[test]
    fn string_len_is_the_fold_of_cond_written_in_one_pass() {
        let lists: [&[&str]; 5] = [&[], &[""], &["", "ab"], &["a", "bcd", "ef"], &["", "x", ""]];
        for list in lists {
            let strings: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(
                string_len("f_s", &strings),
                folded("f_s", &strings),
                "{list:?}"
            );
        }
    }
}
