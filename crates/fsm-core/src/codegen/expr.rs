//! Expressions: a typed model expression to a Rust expression.
//!
//! An expression is generated for a [`Scope`], which says how the state is
//! read (the machine's fields, a transition's staged copies, or the view's
//! references), which parameters are in scope and may be moved, and how an
//! overflow leaves (the `escape` suffix applied to an `Option` that is
//! `None` on overflow: `?` in view methods, `.ok_or_else(..)?` in
//! transitions).
//!
//! Values are produced in one of three forms, chosen by where they are used,
//! so reads do not clone: owned ([`Gen::owned`]), borrowed
//! ([`Gen::borrowed`]), and comparison operands ([`Gen::operand`]), which
//! compare `Copy` values directly, strings as `&str` and other types by
//! reference. Generated expressions carry their precedence so that
//! parentheses appear only where Rust needs them.
//!
//! Evaluation order is left to right; `&&` and `||` short-circuit; method
//! arguments are evaluated eagerly.

use super::{Gen, Reads, names};
use crate::model::{
    BinOp, DerivedId, FieldId, InputId, Method, ParamId, Quantifier, TExpr, TExprKind, Ty, UnOp,
};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// How tightly a generated expression binds, loosest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Prec {
    Or,
    And,
    Cmp,
    /// `!x`, `*x`, `&x`
    Prefix,
    /// A block `{ .. }`: fine as an operand on the right, parenthesized as a
    /// receiver or a left operand.
    Block,
    /// Literals, paths, calls, method calls, `x?`, parenthesized.
    Atom,
}

/// A generated expression.
#[derive(Debug, Clone)]
pub(crate) struct Val {
    pub ts: TokenStream,
    pub prec: Prec,
    /// A place (field, parameter, key, quantifier variable) rather than a
    /// temporary: reading it as an owned value needs a copy or a clone.
    pub place: Option<Place>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Field,
    Param(ParamId),
    Key,
    Var,
}

impl Val {
    fn new(ts: TokenStream, prec: Prec) -> Self {
        Val {
            ts,
            prec,
            place: None,
        }
    }

    fn atom(ts: TokenStream) -> Self {
        Val::new(ts, Prec::Atom)
    }

    /// The tokens, parenthesized when they bind looser than `min`.
    pub fn at(&self, min: Prec) -> TokenStream {
        let ts = &self.ts;
        if self.prec < min {
            quote!((#ts))
        } else {
            ts.clone()
        }
    }

    /// As [`Val::at`], for the left operand of a binary operator, where a
    /// block would end the expression.
    pub fn at_left(&self, min: Prec) -> TokenStream {
        if self.prec == Prec::Block {
            let ts = &self.ts;
            quote!((#ts))
        } else {
            self.at(min)
        }
    }
}

/// Where the state comes from.
#[derive(Debug, Clone)]
pub(crate) enum State {
    /// Methods of the machine: `self.field`, or `__f_field` for the fields a
    /// transition stages.
    Machine { staged: BTreeSet<FieldId> },
    /// Methods of the view: `*self.field`.
    View,
    /// Initial values: constants only.
    Const,
}

#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub state: State,
    /// The input whose parameters are in scope (as `__p_name`).
    pub input: Option<InputId>,
    /// Parameters read once in a transition body: that read may move.
    pub movable: BTreeSet<ParamId>,
    /// Inside a quantifier body (a loop): nothing may be moved.
    pub in_loop: bool,
    /// Applied to an `Option` that is `None` on overflow.
    pub escape: TokenStream,
    /// What `target` reads: the phase after the transition (only inside a
    /// transition's block).
    pub target: Option<TokenStream>,
}

impl Scope {
    pub fn constant() -> Self {
        Scope {
            state: State::Const,
            input: None,
            movable: BTreeSet::new(),
            in_loop: false,
            escape: TokenStream::new(),
            target: None,
        }
    }

    pub fn view() -> Self {
        Scope {
            state: State::View,
            input: None,
            movable: BTreeSet::new(),
            in_loop: false,
            escape: quote!(?),
            target: None,
        }
    }

    pub fn machine(input: Option<InputId>, escape: TokenStream) -> Self {
        Scope {
            state: State::Machine {
                staged: BTreeSet::new(),
            },
            input,
            movable: BTreeSet::new(),
            in_loop: false,
            escape,
            target: None,
        }
    }

    pub fn is_staged(&self, f: FieldId) -> bool {
        matches!(&self.state, State::Machine { staged } if staged.contains(&f))
    }
}

pub(crate) fn param_local(name: &str) -> proc_macro2::Ident {
    names::internal(&format!("__p_{name}"))
}

pub(crate) fn field_local(name: &str) -> proc_macro2::Ident {
    names::internal(&format!("__f_{name}"))
}

fn error(message: &str) -> Val {
    Val::atom(quote!(::core::compile_error!(#message)))
}

fn some(inner: TokenStream) -> TokenStream {
    quote!(::core::option::Option::Some(#inner))
}

impl Gen<'_> {
    // ------------------------------------------------------------ analysis

    /// Whether evaluating `e` can overflow.
    pub fn expr_fallible(&self, e: &TExpr) -> bool {
        let mut fallible = false;
        e.walk(&mut |x| match &x.kind {
            TExprKind::Unary(UnOp::Neg, _) => fallible = true,
            TExprKind::Binary(op, ..) if op.is_arithmetic() => fallible = true,
            TExprKind::Derived(d) => fallible |= self.derived_fallible(*d),
            _ => {}
        });
        fallible
    }

    /// The parts of the state `e` reads, through derived values too.
    pub fn expr_reads(&self, e: &TExpr) -> Reads {
        let mut reads = Reads::default();
        e.walk(&mut |x| match &x.kind {
            TExprKind::Field(f) => {
                reads.fields.insert(*f);
            }
            TExprKind::Key => reads.key = true,
            TExprKind::CurrentPhase => reads.phase = true,
            TExprKind::Derived(d) => {
                if let Some(r) = self.derived_reads.get(d.index()) {
                    reads.add(r);
                }
            }
            _ => {}
        });
        reads
    }

    /// A constant's value in place of a read of it.
    fn through_const<'e>(&'e self, e: &'e TExpr) -> &'e TExpr {
        match &e.kind {
            TExprKind::Const(c) => self.m.constant(*c).map_or(e, |c| &c.value),
            _ => e,
        }
    }

    /// The map of `map.keys()`.
    fn keys_of<'e>(&self, e: &'e TExpr) -> Option<&'e TExpr> {
        match &e.kind {
            TExprKind::Method {
                method: Method::Keys,
                receiver,
                ..
            } => Some(receiver),
            _ => None,
        }
    }

    // ------------------------------------------------------------ forms

    /// `e` as an owned value.
    pub fn owned(&self, s: &Scope, e: &TExpr) -> TokenStream {
        self.owned_val(s, e).ts
    }

    fn owned_val(&self, s: &Scope, e: &TExpr) -> Val {
        let v = self.expr(s, e);
        match v.place {
            Some(place) if !self.is_copy(&e.ty) => {
                if let Place::Param(p) = place
                    && s.movable.contains(&p)
                    && !s.in_loop
                {
                    return v;
                }
                let ts = v.at(Prec::Prefix);
                Val::atom(quote!(::core::clone::Clone::clone(&#ts)))
            }
            _ => v,
        }
    }

    /// `e` as a `&T`.
    pub fn borrowed(&self, s: &Scope, e: &TExpr) -> TokenStream {
        let v = self.expr(s, e);
        let ts = v.at(Prec::Prefix);
        quote!(&#ts)
    }

    /// `e` as a method receiver.
    fn receiver(&self, s: &Scope, e: &TExpr) -> TokenStream {
        self.expr(s, e).at(Prec::Atom)
    }

    /// `e` as an operand of `==`, `<`, …: `Copy` values as they are,
    /// strings as `&str`, options of other types as `Option<&T>`, anything
    /// else as `&T`.
    pub fn operand(&self, s: &Scope, e: &TExpr) -> Val {
        let e = self.through_const(e);
        if self.is_copy(&e.ty) {
            return self.owned_val(s, e);
        }
        match &e.ty {
            Ty::String => match &e.kind {
                TExprKind::Str(text) => Val::atom(quote!(#text)),
                _ => {
                    let r = self.receiver(s, e);
                    Val::atom(quote!(#r.as_str()))
                }
            },
            Ty::Option(_) => self.option_ref(s, e),
            _ => Val::new(self.borrowed(s, e), Prec::Prefix),
        }
    }

    /// `!e` as a condition: `!!x` is written `x`.
    pub fn negated(&self, s: &Scope, e: &TExpr) -> TokenStream {
        if let TExprKind::Unary(UnOp::Not, inner) = &e.kind {
            return self.operand(s, inner).ts;
        }
        let cond = self.operand(s, e).at(Prec::Prefix);
        quote!(!#cond)
    }

    /// An `Option<T>` of a non-`Copy` `T` as an `Option<&T>`.
    fn option_ref(&self, s: &Scope, e: &TExpr) -> Val {
        let e = self.through_const(e);
        match &e.kind {
            TExprKind::None => Val::atom(quote!(::core::option::Option::None)),
            TExprKind::Some(inner) => Val::atom(some(self.borrowed(s, inner))),
            TExprKind::Method {
                method: Method::Get,
                receiver,
                args,
            } => {
                let r = self.receiver(s, receiver);
                let k = match args.first() {
                    Some(k) => self.borrowed(s, k),
                    None => return error("`get` without a key"),
                };
                Val::atom(quote!(#r.get(#k)))
            }
            TExprKind::Method {
                method: m @ (Method::First | Method::Last),
                receiver,
                ..
            } => {
                let r = self.receiver(s, receiver);
                let m = names::internal(m.name());
                Val::atom(quote!(#r.#m()))
            }
            _ => {
                let r = self.receiver(s, e);
                Val::atom(quote!(#r.as_ref()))
            }
        }
    }

    // ------------------------------------------------------------ expressions

    /// `e` in its natural form: a place for reads of state and parameters,
    /// a value otherwise.
    pub fn expr(&self, s: &Scope, e: &TExpr) -> Val {
        match &e.kind {
            TExprKind::Bool(b) => Val::atom(if *b { quote!(true) } else { quote!(false) }),
            TExprKind::Int(n) => int_literal(&e.ty, *n),
            TExprKind::Str(text) => Val::atom(quote!(::std::string::String::from(#text))),
            TExprKind::None => Val::atom(quote!(::core::option::Option::None)),
            TExprKind::Some(inner) => Val::atom(some(self.owned(s, inner))),
            TExprKind::Field(f) => self.field_read(s, *f),
            TExprKind::Param(p) => self.param_read(s, *p),
            TExprKind::Key => self.key_read(s),
            TExprKind::Var(v) => {
                let var = format_ident!("__v{}", v.0);
                Val {
                    ts: quote!(*#var),
                    prec: Prec::Prefix,
                    place: Some(Place::Var),
                }
            }
            TExprKind::Derived(d) => self.derived_call(s, *d),
            TExprKind::CurrentPhase => match s.state {
                State::Const => error("`phase` in a constant"),
                _ => Val::atom(quote!(self.phase)),
            },
            TExprKind::Target => match &s.target {
                Some(target) => Val::atom(target.clone()),
                None => error("`target` outside a transition"),
            },
            TExprKind::Const(c) => match self.m.constant(*c) {
                Some(c) => self.expr(&Scope::constant(), &c.value),
                None => error("unknown constant"),
            },
            TExprKind::Variant(en, v) => Val::atom(self.variant(*en, *v)),
            TExprKind::Phase(p) => Val::atom(self.phase_variant(*p)),
            TExprKind::Collection(items) => self.collection(s, &e.ty, items),
            TExprKind::Unary(UnOp::Not, inner) => {
                let inner = self.operand(s, inner).at(Prec::Prefix);
                Val::new(quote!(!#inner), Prec::Prefix)
            }
            TExprKind::Unary(UnOp::Neg, inner) => {
                let inner = self.receiver(s, inner);
                let escape = &s.escape;
                Val::atom(quote!(#inner.checked_neg()#escape))
            }
            TExprKind::Binary(op, a, b) => self.binary(s, *op, a, b),
            TExprKind::Method {
                method,
                receiver,
                args,
            } => self.method(s, *method, receiver, args),
            TExprKind::Quant {
                kind,
                var,
                coll,
                body,
                ..
            } => self.quantifier(s, *kind, var.0, coll, body),
        }
    }

    fn field_read(&self, s: &Scope, f: FieldId) -> Val {
        let Some(field) = self.m.field(f) else {
            return error("unknown field");
        };
        let (ts, prec) = match &s.state {
            State::Machine { staged } if staged.contains(&f) => {
                let local = field_local(&field.name);
                (quote!(#local), Prec::Atom)
            }
            State::Machine { .. } => {
                let name = names::ident(&field.name);
                (quote!(self.#name), Prec::Atom)
            }
            State::View => {
                let name = names::ident(&field.name);
                (quote!(*self.#name), Prec::Prefix)
            }
            State::Const => return error("a field read in a constant"),
        };
        Val {
            ts,
            prec,
            place: Some(Place::Field),
        }
    }

    fn param_read(&self, s: &Scope, p: ParamId) -> Val {
        let Some(param) = s
            .input
            .and_then(|i| self.m.input(i))
            .and_then(|i| i.param(p))
        else {
            return error("a parameter read outside a transition");
        };
        let local = param_local(&param.name);
        Val {
            ts: quote!(#local),
            prec: Prec::Atom,
            place: Some(Place::Param(p)),
        }
    }

    fn key_read(&self, s: &Scope) -> Val {
        let Some(key) = self.key_ident() else {
            return error("the key of an unkeyed machine");
        };
        let (ts, prec) = match s.state {
            State::Machine { .. } => (quote!(self.#key), Prec::Atom),
            State::View => (quote!(*self.#key), Prec::Prefix),
            State::Const => return error("the key in a constant"),
        };
        Val {
            ts,
            prec,
            place: Some(Place::Key),
        }
    }

    /// A derived value: a method of the view, on the machine's own state or
    /// on a view built over the staged fields.
    fn derived_call(&self, s: &Scope, d: DerivedId) -> Val {
        let name = self.derived_ident(d);
        let escape = if self.derived_fallible(d) {
            s.escape.clone()
        } else {
            TokenStream::new()
        };
        match &s.state {
            State::View => Val::atom(quote!(self.#name()#escape)),
            State::Machine { staged } => {
                let view = self.view_of(staged);
                Val::atom(quote!(#view.#name()#escape))
            }
            State::Const => error("a derived value in a constant"),
        }
    }

    fn collection(&self, s: &Scope, ty: &Ty, items: &[TExpr]) -> Val {
        let values: Vec<TokenStream> = items.iter().map(|e| self.owned(s, e)).collect();
        let ts = match (ty, values.is_empty()) {
            (Ty::Set(_), true) => quote!(::std::collections::BTreeSet::new()),
            (Ty::Set(_), false) => quote!(::std::collections::BTreeSet::from([#(#values),*])),
            (Ty::List(_), true) => quote!(::std::vec::Vec::new()),
            (Ty::List(_), false) => quote!(::std::vec::Vec::from([#(#values),*])),
            (Ty::Map(..), true) => quote!(::std::collections::BTreeMap::new()),
            _ => return error("a collection literal of an unexpected type"),
        };
        Val::atom(ts)
    }

    fn binary(&self, s: &Scope, op: BinOp, a: &TExpr, b: &TExpr) -> Val {
        let escape = &s.escape;
        let checked = |method: &str| {
            let method = names::internal(method);
            let a = self.receiver(s, a);
            let b = self.owned(s, b);
            Val::atom(quote!(#a.#method(#b)#escape))
        };
        match op {
            BinOp::Or | BinOp::And => {
                let (prec, tok) = if op == BinOp::Or {
                    (Prec::Or, quote!(||))
                } else {
                    (Prec::And, quote!(&&))
                };
                let left = self.operand(s, a).at_left(prec);
                let right = self.operand(s, b).at(next(prec));
                Val::new(quote!(#left #tok #right), prec)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let tok = match op {
                    BinOp::Eq => quote!(==),
                    BinOp::Ne => quote!(!=),
                    BinOp::Lt => quote!(<),
                    BinOp::Le => quote!(<=),
                    BinOp::Gt => quote!(>),
                    _ => quote!(>=),
                };
                let left = self.operand(s, a).at_left(Prec::Prefix);
                let right = self.operand(s, b).at(Prec::Prefix);
                Val::new(quote!(#left #tok #right), Prec::Cmp)
            }
            BinOp::In => self.contains(s, b, a),
            BinOp::Add => checked("checked_add"),
            BinOp::Sub => checked("checked_sub"),
            BinOp::Mul => checked("checked_mul"),
            BinOp::Div => checked("checked_div"),
            BinOp::Rem => checked("checked_rem"),
        }
    }

    /// `item in coll` / `coll.contains(item)` on a set or a list. A literal
    /// collection is not built: its elements are matched or compared.
    fn contains(&self, s: &Scope, coll: &TExpr, item: &TExpr) -> Val {
        let coll = self.through_const(coll);
        if let Some(map) = self.keys_of(coll) {
            let r = self.receiver(s, map);
            let item = self.borrowed(s, item);
            return Val::atom(quote!(#r.contains_key(#item)));
        }
        if let TExprKind::Collection(items) = &coll.kind {
            if items.is_empty() {
                let item = self.owned(s, item);
                return Val::new(quote!({ let _ = #item; false }), Prec::Block);
            }
            let constant = items
                .iter()
                .all(|i| matches!(i.kind, TExprKind::Variant(..) | TExprKind::Phase(_)));
            if constant && self.is_copy(&item.ty) {
                let item = self.owned(s, item);
                let patterns: Vec<TokenStream> = items.iter().map(|i| self.expr(s, i).ts).collect();
                return Val::atom(quote!(::core::matches!(#item, #(#patterns)|*)));
            }
            let values: Vec<TokenStream> = items.iter().map(|e| self.owned(s, e)).collect();
            let item = self.borrowed(s, item);
            return Val::atom(quote!([#(#values),*].contains(#item)));
        }
        let r = self.receiver(s, coll);
        let item = self.borrowed(s, item);
        Val::atom(quote!(#r.contains(#item)))
    }

    fn method(&self, s: &Scope, method: Method, receiver: &TExpr, args: &[TExpr]) -> Val {
        let arg = |i: usize| args.get(i);
        let missing = || error("a method call with a missing argument");
        match method {
            Method::Contains => {
                let Some(item) = arg(0) else { return missing() };
                if let Ty::Option(inner) = &receiver.ty {
                    let (left, right) = if self.is_copy(inner) {
                        (
                            self.owned_val(s, receiver).at(Prec::Prefix),
                            some(self.owned(s, item)),
                        )
                    } else {
                        (
                            self.option_ref(s, receiver).at(Prec::Prefix),
                            some(self.borrowed(s, item)),
                        )
                    };
                    return Val::new(quote!(#left == #right), Prec::Cmp);
                }
                self.contains(s, receiver, item)
            }
            Method::Len => {
                let r = self.receiver(s, self.keys_of(receiver).unwrap_or(receiver));
                Val::atom(quote!(::fsm::__private::len(#r.len())))
            }
            Method::IsEmpty | Method::IsSome | Method::IsNone => {
                let r = self.receiver(s, self.keys_of(receiver).unwrap_or(receiver));
                let m = names::internal(method.name());
                Val::atom(quote!(#r.#m()))
            }
            Method::UnwrapOr => {
                let Some(default) = arg(0) else {
                    return missing();
                };
                let r = self.owned_val(s, receiver).at(Prec::Atom);
                let d = self.owned(s, default);
                Val::atom(quote!(#r.unwrap_or(#d)))
            }
            Method::ContainsKey => {
                let Some(key) = arg(0) else { return missing() };
                let r = self.receiver(s, receiver);
                let k = self.borrowed(s, key);
                Val::atom(quote!(#r.contains_key(#k)))
            }
            Method::Get | Method::GetOr => {
                let Some(key) = arg(0) else { return missing() };
                let r = self.receiver(s, receiver);
                let k = self.borrowed(s, key);
                let copy = self.copy_of(&receiver.ty, 1);
                let mut ts = quote!(#r.get(#k).#copy());
                if method == Method::GetOr {
                    let Some(default) = arg(1) else {
                        return missing();
                    };
                    let d = self.owned(s, default);
                    ts = quote!(#ts.unwrap_or(#d));
                }
                Val::atom(ts)
            }
            Method::First | Method::Last => {
                let r = self.receiver(s, receiver);
                let m = names::internal(method.name());
                let copy = self.copy_of(&receiver.ty, 0);
                Val::atom(quote!(#r.#m().#copy()))
            }
            Method::Keys => {
                let r = self.receiver(s, receiver);
                let copy = self.copy_of(&receiver.ty, 0);
                Val::atom(quote! {
                    #r.keys().#copy().collect::<::std::collections::BTreeSet<_>>()
                })
            }
        }
    }

    /// `copied` or `cloned` for the element (`which` 0) or the value (1) of
    /// a collection type.
    fn copy_of(&self, coll: &Ty, which: usize) -> proc_macro2::Ident {
        let elem = match (coll, which) {
            (Ty::Map(_, v), 1) => Some(&**v),
            (t, _) => t.element(),
        };
        if elem.is_some_and(|t| self.is_copy(t)) {
            names::internal("copied")
        } else {
            names::internal("cloned")
        }
    }

    fn quantifier(
        &self,
        s: &Scope,
        kind: Quantifier,
        level: u32,
        coll: &TExpr,
        body: &TExpr,
    ) -> Val {
        let all = kind == Quantifier::All;
        let coll = self.through_const(coll);
        let iter = match &coll.kind {
            TExprKind::Collection(items) if items.is_empty() => {
                return Val::atom(if all { quote!(true) } else { quote!(false) });
            }
            TExprKind::Collection(items) => {
                let values: Vec<TokenStream> = items.iter().map(|e| self.owned(s, e)).collect();
                quote!([#(#values),*].iter())
            }
            _ if self.keys_of(coll).is_some() => {
                let map = self.keys_of(coll).unwrap_or(coll);
                let r = self.receiver(s, map);
                quote!(#r.keys())
            }
            _ => {
                let r = self.receiver(s, coll);
                if matches!(coll.ty, Ty::Map(..)) {
                    quote!(#r.keys())
                } else {
                    quote!(#r.iter())
                }
            }
        };
        let var = format_ident!("__v{level}");
        let result = format_ident!("__q{level}");
        let inner = Scope {
            in_loop: true,
            ..s.clone()
        };
        let body_expr = body;
        let body = self.operand(&inner, body);
        let ts = if all {
            let negated = self.negated(&inner, body_expr);
            quote!({
                let mut #result = true;
                for #var in #iter {
                    if #negated {
                        #result = false;
                        break;
                    }
                }
                #result
            })
        } else {
            let body = &body.ts;
            quote!({
                let mut #result = false;
                for #var in #iter {
                    if #body {
                        #result = true;
                        break;
                    }
                }
                #result
            })
        };
        Val::new(ts, Prec::Block)
    }
}

/// The next tighter precedence (for the right operand of a left-associative
/// operator).
fn next(p: Prec) -> Prec {
    match p {
        Prec::Or => Prec::And,
        Prec::And => Prec::Cmp,
        Prec::Cmp => Prec::Prefix,
        Prec::Prefix => Prec::Block,
        Prec::Block | Prec::Atom => Prec::Atom,
    }
}

/// A typed integer literal; the minimum of a signed type is its `MIN`
/// constant.
fn int_literal(ty: &Ty, n: i128) -> Val {
    let Ty::Int(int) = ty else {
        return error("an integer literal of a non-integer type");
    };
    if !int.contains(n) {
        return error("an integer literal out of range");
    }
    let t = names::internal(int.name());
    if n == int.min_value() && int.is_signed() {
        return Val::atom(quote!(#t::MIN));
    }
    let text = format!("{}{}", n.unsigned_abs(), int.name());
    let Ok(lit) = text.parse::<Literal>() else {
        return error("an integer literal that does not lex");
    };
    if n < 0 {
        Val::new(quote!(-#lit), Prec::Prefix)
    } else {
        Val::atom(quote!(#lit))
    }
}
