//! Expressions: a typed model expression to a [`Value`], in the order the
//! generated code evaluates it (left to right, `&&` and `||` short-circuit,
//! method arguments eagerly, quantifiers stop at the first deciding
//! element), with checked arithmetic in the expression's integer type.

use super::{EvalError, State, Value};
use fsm_core::model::{BinOp, Method, Model, PhaseId, Quantifier, TExpr, TExprKind, Ty, UnOp};
use std::borrow::Cow;

/// Why an evaluation stopped.
#[derive(Debug)]
pub(crate) enum Fail {
    /// Checked arithmetic failed: the input is rejected.
    Overflow,
    /// The model is not what the evaluator expects.
    Error(EvalError),
}

impl Fail {
    pub fn error(message: &str) -> Fail {
        Fail::Error(EvalError::new(message))
    }

    pub fn message(&self) -> String {
        match self {
            Fail::Overflow => "arithmetic overflow".to_owned(),
            Fail::Error(e) => e.message.clone(),
        }
    }
}

type R<T> = Result<T, Fail>;

/// How deeply evaluation may recurse (expression nesting plus derived
/// values reading derived values).
const MAX_DEPTH: usize = 1024;

/// A state as expressions read it: a base state and the fields a
/// transition has written so far (`overlay[i]`, when set, replaces field
/// `i` of `base`).
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub phase: PhaseId,
    pub key: Option<&'a Value>,
    pub base: &'a [Value],
    pub overlay: &'a [Option<Value>],
}

impl<'a> View<'a> {
    pub fn of(state: &'a State) -> Self {
        View {
            phase: state.phase,
            key: state.key.as_ref(),
            base: &state.fields,
            overlay: &[],
        }
    }

    pub fn field(&self, i: usize) -> Option<&'a Value> {
        match self.overlay.get(i) {
            Some(Some(v)) => Some(v),
            _ => self.base.get(i),
        }
    }
}

/// What an expression can read.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'a> {
    model: &'a Model,
    view: View<'a>,
    params: &'a [Value],
    target: Option<PhaseId>,
    constant: bool,
}

/// A value read in place (a field, a parameter) or computed.
type V<'a> = Cow<'a, Value>;

/// Quantifier variables by nesting level.
type Vars<'a> = Vec<Option<V<'a>>>;

/// Evaluates a constant expression (an initial value, a domain value).
pub(crate) fn constant(model: &Model, e: &TExpr) -> R<Value> {
    let cx = Cx {
        model,
        view: View {
            phase: model.initial,
            key: None,
            base: &[],
            overlay: &[],
        },
        params: &[],
        target: None,
        constant: true,
    };
    cx.eval(e).map(Cow::into_owned)
}

fn bool_of(v: &Value, what: &str) -> R<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(Fail::Error(EvalError::new(format!(
            "{what} that is not a `bool`"
        )))),
    }
}

impl<'a> Cx<'a> {
    pub fn new(
        model: &'a Model,
        view: View<'a>,
        params: &'a [Value],
        target: Option<PhaseId>,
    ) -> Self {
        Cx {
            model,
            view,
            params,
            target,
            constant: false,
        }
    }

    pub fn eval(&self, e: &'a TExpr) -> R<V<'a>> {
        self.ev(e, &mut Vec::new(), 0)
    }

    pub fn eval_bool(&self, e: &'a TExpr) -> R<bool> {
        bool_of(&*self.eval(e)?, "a condition")
    }

    fn ev_bool(&self, e: &'a TExpr, vars: &mut Vars<'a>, depth: usize) -> R<bool> {
        bool_of(&*self.ev(e, vars, depth)?, "an operand")
    }

    fn state_read(&self, what: &str) -> R<()> {
        if self.constant {
            Err(Fail::Error(EvalError::new(format!(
                "a constant expression reads {what}"
            ))))
        } else {
            Ok(())
        }
    }

    fn ev(&self, e: &'a TExpr, vars: &mut Vars<'a>, depth: usize) -> R<V<'a>> {
        if depth > MAX_DEPTH {
            return Err(Fail::error("an expression nests too deeply to evaluate"));
        }
        let d = depth + 1;
        let owned = |v: Value| -> R<V<'a>> { Ok(Cow::Owned(v)) };
        match &e.kind {
            TExprKind::Bool(b) => owned(Value::Bool(*b)),
            TExprKind::Int(n) => owned(Value::Int(*n)),
            TExprKind::Str(s) => owned(Value::Str(s.clone())),
            TExprKind::None => owned(Value::None),
            TExprKind::Some(inner) => {
                owned(Value::Some(Box::new(self.ev(inner, vars, d)?.into_owned())))
            }
            TExprKind::Field(f) => {
                self.state_read("a field")?;
                self.view
                    .field(f.index())
                    .map(Cow::Borrowed)
                    .ok_or_else(|| Fail::error("a read of an unknown field"))
            }
            TExprKind::Param(p) => self
                .params
                .get(p.index())
                .map(Cow::Borrowed)
                .ok_or_else(|| Fail::error("a read of a parameter outside its transition")),
            TExprKind::Derived(id) => {
                self.state_read("a derived value")?;
                let def = self
                    .model
                    .derived_value(*id)
                    .ok_or_else(|| Fail::error("a read of an unknown derived value"))?;
                // A derived value has quantifier levels of its own.
                let inner = Cx {
                    params: &[],
                    target: None,
                    ..*self
                };
                inner.ev(&def.expr, &mut Vec::new(), d)
            }
            TExprKind::Key => {
                self.state_read("the key")?;
                self.view
                    .key
                    .map(Cow::Borrowed)
                    .ok_or_else(|| Fail::error("a read of the key of an unkeyed machine"))
            }
            TExprKind::CurrentPhase => {
                self.state_read("`phase`")?;
                owned(Value::Phase(self.view.phase))
            }
            TExprKind::Target => {
                owned(Value::Phase(self.target.ok_or_else(|| {
                    Fail::error("`target` read outside a transition")
                })?))
            }
            TExprKind::Const(c) => {
                let def = self
                    .model
                    .constant(*c)
                    .ok_or_else(|| Fail::error("a read of an unknown constant"))?;
                self.ev(&def.value, vars, d)
            }
            TExprKind::Variant(en, v) => owned(Value::Enum(*en, *v)),
            TExprKind::Phase(p) => owned(Value::Phase(*p)),
            TExprKind::Var(v) => vars
                .get(v.index())
                .cloned()
                .flatten()
                .ok_or_else(|| Fail::error("a quantifier variable read outside its body")),
            TExprKind::Collection(items) => {
                let mut values = Vec::with_capacity(items.len());
                for i in items {
                    values.push(self.ev(i, vars, d)?.into_owned());
                }
                owned(match &e.ty {
                    Ty::Set(_) => Value::Set(values.into_iter().collect()),
                    Ty::List(_) => Value::List(values),
                    Ty::Map(..) if values.is_empty() => Value::Map(Default::default()),
                    _ => return Err(Fail::error("a collection literal of an unexpected type")),
                })
            }
            TExprKind::Unary(UnOp::Not, inner) => {
                owned(Value::Bool(!self.ev_bool(inner, vars, d)?))
            }
            TExprKind::Unary(UnOp::Neg, inner) => {
                let n = int(&*self.ev(inner, vars, d)?)?;
                owned(checked(&e.ty, n.checked_neg())?)
            }
            TExprKind::Binary(op, a, b) => self.binary(&e.ty, *op, a, b, vars, d).map(Cow::Owned),
            TExprKind::Method {
                method,
                receiver,
                args,
            } => self.method(*method, receiver, args, vars, d),
            TExprKind::Quant {
                kind,
                var,
                coll,
                body,
                ..
            } => {
                let all = *kind == Quantifier::All;
                let level = var.index();
                if vars.len() <= level {
                    vars.resize(level + 1, None);
                }
                let saved = vars.get_mut(level).and_then(Option::take);
                let result = self.quantify(all, level, coll, body, vars, d);
                if let Some(slot) = vars.get_mut(level) {
                    *slot = saved;
                }
                owned(Value::Bool(result?))
            }
        }
    }

    /// Runs a quantifier's body over the elements of `coll` (a literal's
    /// items as written, a set's or list's elements, a map's keys) until
    /// one decides it.
    fn quantify(
        &self,
        all: bool,
        level: usize,
        coll: &'a TExpr,
        body: &'a TExpr,
        vars: &mut Vars<'a>,
        d: usize,
    ) -> R<bool> {
        let visit = |item: V<'a>, vars: &mut Vars<'a>| -> R<bool> {
            if let Some(slot) = vars.get_mut(level) {
                *slot = Some(item);
            }
            Ok(self.ev_bool(body, vars, d)? != all)
        };
        let coll = self.through_const(coll);
        if let TExprKind::Collection(items) = &coll.kind {
            for i in items {
                let v = self.ev(i, vars, d)?;
                if visit(v, vars)? {
                    return Ok(!all);
                }
            }
            return Ok(all);
        }
        match self.ev(coll, vars, d)? {
            Cow::Borrowed(c) => {
                let items: Box<dyn Iterator<Item = &'a Value>> = match c {
                    Value::Set(s) => Box::new(s.iter()),
                    Value::List(l) => Box::new(l.iter()),
                    Value::Map(m) => Box::new(m.keys()),
                    _ => return Err(not_collection()),
                };
                for x in items {
                    if visit(Cow::Borrowed(x), vars)? {
                        return Ok(!all);
                    }
                }
            }
            Cow::Owned(c) => {
                let items: Vec<Value> = match c {
                    Value::Set(s) => s.into_iter().collect(),
                    Value::List(l) => l,
                    Value::Map(m) => m.into_keys().collect(),
                    _ => return Err(not_collection()),
                };
                for x in items {
                    if visit(Cow::Owned(x), vars)? {
                        return Ok(!all);
                    }
                }
            }
        }
        Ok(all)
    }

    /// A constant's value in place of a read of it (the generated code
    /// iterates and matches literal collections in written order).
    fn through_const(&self, e: &'a TExpr) -> &'a TExpr {
        match &e.kind {
            TExprKind::Const(c) => self.model.constant(*c).map_or(e, |c| &c.value),
            _ => e,
        }
    }

    fn binary(
        &self,
        ty: &Ty,
        op: BinOp,
        a: &'a TExpr,
        b: &'a TExpr,
        vars: &mut Vars<'a>,
        d: usize,
    ) -> R<Value> {
        match op {
            BinOp::Or => {
                if self.ev_bool(a, vars, d)? {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(self.ev_bool(b, vars, d)?))
            }
            BinOp::And => {
                if !self.ev_bool(a, vars, d)? {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(self.ev_bool(b, vars, d)?))
            }
            BinOp::Eq | BinOp::Ne if matches!(a.ty, Ty::Option(_)) => {
                // Compared without boxing `some(…)` or a map's `get`.
                let x = self.ev_option(a, vars, d)?;
                let y = self.ev_option(b, vars, d)?;
                let same = match (&x, &y) {
                    (Some(x), Some(y)) => x.as_ref() == y.as_ref(),
                    (None, None) => true,
                    _ => false,
                };
                Ok(Value::Bool(same == (op == BinOp::Eq)))
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let x = self.ev(a, vars, d)?;
                let y = self.ev(b, vars, d)?;
                let (x, y) = (x.as_ref(), y.as_ref());
                Ok(Value::Bool(match op {
                    BinOp::Eq => x == y,
                    BinOp::Ne => x != y,
                    BinOp::Lt => x < y,
                    BinOp::Le => x <= y,
                    BinOp::Gt => x > y,
                    _ => x >= y,
                }))
            }
            BinOp::In => self.contains(b, a, vars, d),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                let x = int(&*self.ev(a, vars, d)?)?;
                let y = int(&*self.ev(b, vars, d)?)?;
                let r = match op {
                    BinOp::Add => x.checked_add(y),
                    BinOp::Sub => x.checked_sub(y),
                    BinOp::Mul => x.checked_mul(y),
                    BinOp::Div => x.checked_div(y),
                    // `MIN % -1` overflows in the fixed-width type.
                    _ if y == -1
                        && matches!(ty, Ty::Int(it) if it.is_signed() && x == it.min_value()) =>
                    {
                        None
                    }
                    _ => x.checked_rem(y),
                };
                checked(ty, r)
            }
        }
    }

    /// An `Option` value as the value it holds, if any.
    fn ev_option(&self, e: &'a TExpr, vars: &mut Vars<'a>, d: usize) -> R<Option<V<'a>>> {
        match &e.kind {
            TExprKind::None => Ok(None),
            TExprKind::Some(inner) => Ok(Some(self.ev(inner, vars, d)?)),
            TExprKind::Method {
                method: Method::Get,
                receiver,
                args,
            } => {
                let r = self.ev(receiver, vars, d)?;
                let key = args
                    .first()
                    .ok_or_else(|| Fail::error("a method call with a missing argument"))?;
                let k = self.ev(key, vars, d)?;
                match r {
                    Cow::Borrowed(Value::Map(m)) => Ok(m.get(k.as_ref()).map(Cow::Borrowed)),
                    Cow::Owned(Value::Map(mut m)) => Ok(m.remove(k.as_ref()).map(Cow::Owned)),
                    _ => Err(Fail::error("`get` on a value that is not a map")),
                }
            }
            _ => match self.ev(e, vars, d)? {
                Cow::Borrowed(Value::Some(v)) => Ok(Some(Cow::Borrowed(&**v))),
                Cow::Owned(Value::Some(v)) => Ok(Some(Cow::Owned(*v))),
                Cow::Borrowed(Value::None) | Cow::Owned(Value::None) => Ok(None),
                _ => Err(Fail::error("an `Option` operand that is not an option")),
            },
        }
    }

    /// `item in coll` on a set, a list, a literal or a map's `keys()`.
    fn contains(
        &self,
        coll: &'a TExpr,
        item: &'a TExpr,
        vars: &mut Vars<'a>,
        d: usize,
    ) -> R<Value> {
        let coll = self.through_const(coll);
        if let TExprKind::Method {
            method: Method::Keys,
            receiver,
            ..
        } = &coll.kind
        {
            let map = self.ev(receiver, vars, d)?;
            let item = self.ev(item, vars, d)?;
            return match map.as_ref() {
                Value::Map(m) => Ok(Value::Bool(m.contains_key(item.as_ref()))),
                _ => Err(Fail::error("`keys` of a value that is not a map")),
            };
        }
        let c = self.ev(coll, vars, d)?;
        let item = self.ev(item, vars, d)?;
        let item = item.as_ref();
        Ok(Value::Bool(match c.as_ref() {
            Value::Set(s) => s.contains(item),
            Value::List(l) => l.contains(item),
            _ => return Err(Fail::error("`in` on a value that is not a set or a list")),
        }))
    }

    fn method(
        &self,
        method: Method,
        receiver: &'a TExpr,
        args: &'a [TExpr],
        vars: &mut Vars<'a>,
        d: usize,
    ) -> R<V<'a>> {
        let arg = |i: usize| {
            args.get(i)
                .ok_or_else(|| Fail::error("a method call with a missing argument"))
        };
        if method == Method::Contains && !matches!(receiver.ty, Ty::Option(_)) {
            return self.contains(receiver, arg(0)?, vars, d).map(Cow::Owned);
        }
        let r = self.ev(receiver, vars, d)?;
        let len = |n: usize| Value::Int(i128::from(u64::try_from(n).unwrap_or(u64::MAX)));
        let wrong = || {
            Fail::Error(EvalError::new(format!(
                "`{}` on a value of the wrong type",
                method.name()
            )))
        };
        let value = match method {
            Method::Contains => {
                let item = self.ev(arg(0)?, vars, d)?;
                match r.as_ref() {
                    Value::Some(v) => Value::Bool(**v == *item),
                    Value::None => Value::Bool(false),
                    _ => return Err(wrong()),
                }
            }
            Method::Len => match r.as_ref() {
                Value::Str(s) => len(s.len()),
                Value::Set(s) => len(s.len()),
                Value::Map(m) => len(m.len()),
                Value::List(l) => len(l.len()),
                _ => return Err(wrong()),
            },
            Method::IsEmpty => Value::Bool(match r.as_ref() {
                Value::Str(s) => s.is_empty(),
                Value::Set(s) => s.is_empty(),
                Value::Map(m) => m.is_empty(),
                Value::List(l) => l.is_empty(),
                _ => return Err(wrong()),
            }),
            Method::IsSome | Method::IsNone => {
                let some = match r.as_ref() {
                    Value::Some(_) => true,
                    Value::None => false,
                    _ => return Err(wrong()),
                };
                Value::Bool(some == (method == Method::IsSome))
            }
            Method::UnwrapOr => {
                let default = self.ev(arg(0)?, vars, d)?;
                return match r {
                    Cow::Borrowed(Value::Some(v)) => Ok(Cow::Borrowed(&**v)),
                    Cow::Owned(Value::Some(v)) => Ok(Cow::Owned(*v)),
                    Cow::Borrowed(Value::None) | Cow::Owned(Value::None) => Ok(default),
                    _ => Err(wrong()),
                };
            }
            Method::ContainsKey => {
                let k = self.ev(arg(0)?, vars, d)?;
                match r.as_ref() {
                    Value::Map(m) => Value::Bool(m.contains_key(k.as_ref())),
                    _ => return Err(wrong()),
                }
            }
            Method::Get | Method::GetOr => {
                let k = self.ev(arg(0)?, vars, d)?;
                let default = if method == Method::GetOr {
                    Some(self.ev(arg(1)?, vars, d)?)
                } else {
                    None
                };
                let found = match &r {
                    Cow::Borrowed(Value::Map(m)) => m.get(k.as_ref()).map(Cow::Borrowed),
                    Cow::Owned(Value::Map(m)) => m.get(k.as_ref()).cloned().map(Cow::Owned),
                    _ => return Err(wrong()),
                };
                return Ok(match (found, default) {
                    (Some(v), Some(_)) => v,
                    (None, Some(default)) => default,
                    (Some(v), None) => Cow::Owned(Value::Some(Box::new(v.into_owned()))),
                    (None, None) => Cow::Owned(Value::None),
                });
            }
            Method::First | Method::Last => {
                let Value::List(l) = r.as_ref() else {
                    return Err(wrong());
                };
                let v = if method == Method::First {
                    l.first()
                } else {
                    l.last()
                };
                match v {
                    Some(v) => Value::Some(Box::new(v.clone())),
                    None => Value::None,
                }
            }
            Method::Keys => match r.as_ref() {
                Value::Map(m) => Value::Set(m.keys().cloned().collect()),
                _ => return Err(wrong()),
            },
        };
        Ok(Cow::Owned(value))
    }
}

fn not_collection() -> Fail {
    Fail::error("a quantifier over a value that is not a collection")
}

fn int(v: &Value) -> R<i128> {
    match v {
        Value::Int(n) => Ok(*n),
        _ => Err(Fail::error("an arithmetic operand that is not an integer")),
    }
}

/// The result of a checked operation in the integer type `ty`.
fn checked(ty: &Ty, r: Option<i128>) -> R<Value> {
    let Ty::Int(it) = ty else {
        return Err(Fail::error("arithmetic of a non-integer type"));
    };
    match r {
        Some(n) if it.contains(n) => Ok(Value::Int(n)),
        _ => Err(Fail::Overflow),
    }
}
