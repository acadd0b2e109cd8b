//! The TLA+ export: a module with one variable per field (and `phase`),
//! `Init`, one action per transition, `Next`, the invariants as
//! definitions, `Spec`; and a TLC configuration.
//!
//! Encoding: phases and enum variants are strings (their names), extern
//! values the domain's abstract strings, `none` is `<<>>` and `some(x)` is
//! `<<x>>`, sets are sets, maps are functions (`:>` and `@@` from the `TLC`
//! module), lists are sequences. A transition's block becomes one step: its
//! statements are composed in order into the primed values, and the
//! arithmetic it does must stay within its integer type (an input that
//! would overflow is rejected, so no step exists for it). A transition fires
//! only when no earlier candidate for the same input and phase does, as in
//! the generated `apply`.
//!
//! Parameter domains that hold only numbers, strings or booleans are
//! `CONSTANTS` given in the `.cfg`; the others (options, collections) are
//! definitions in the module.

use super::ExportError;
use super::domain;
use crate::eval::Value;
use fsm_core::model::{
    AssignOp, BinOp, FieldId, InputId, Method, Model, PhaseId, Quantifier, TExpr, TExprKind, TStmt,
    TStmtKind, Transition, TransitionId, Ty, UnOp,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const MAX_DEPTH: usize = 200;

/// A TLA+ module and its TLC configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tla {
    pub module: String,
    pub cfg: String,
}

/// Writes the TLA+ module of `model` and its `.cfg`.
pub fn tla(model: &Model) -> Result<Tla, ExportError> {
    let key = domain::key_value(model)?;
    let g = Gen { m: model };
    g.render(key.as_ref())
}

struct Gen<'a> {
    m: &'a Model,
}

/// A compiled expression: its value and the condition under which it
/// evaluates without overflow (`TRUE`: always).
struct Ex {
    ok: String,
    v: String,
}

fn t_and(a: &str, b: &str) -> String {
    match (a, b) {
        ("TRUE", x) | (x, "TRUE") => x.to_owned(),
        ("FALSE", _) | (_, "FALSE") => "FALSE".to_owned(),
        _ => format!("({a} /\\ {b})"),
    }
}

/// `t_and` folded over `items` from `TRUE`, written in one pass (a left
/// fold copies the growing conjunction at every item): `FALSE` decides,
/// `TRUE` drops out, the other terms nest to the left.
fn t_and_all<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut terms = Vec::new();
    for x in items {
        match x {
            "FALSE" => return "FALSE".to_owned(),
            "TRUE" => {}
            x => terms.push(x),
        }
    }
    let Some((first, rest)) = terms.split_first() else {
        return "TRUE".to_owned();
    };
    let mut out = "(".repeat(rest.len());
    out.push_str(first);
    for t in rest {
        out.push_str(" /\\ ");
        out.push_str(t);
        out.push(')');
    }
    out
}

fn t_or(a: &str, b: &str) -> String {
    match (a, b) {
        ("FALSE", x) | (x, "FALSE") => x.to_owned(),
        ("TRUE", _) | (_, "TRUE") => "TRUE".to_owned(),
        _ => format!("({a} \\/ {b})"),
    }
}

fn t_not(a: &str) -> String {
    match a {
        "TRUE" => "FALSE".to_owned(),
        "FALSE" => "TRUE".to_owned(),
        _ => format!("~({a})"),
    }
}

fn t_if(c: &str, a: &str, b: &str) -> String {
    match c {
        "TRUE" => a.to_owned(),
        "FALSE" => b.to_owned(),
        _ if a == b => a.to_owned(),
        _ => format!("(IF {c} THEN {a} ELSE {b})"),
    }
}

fn tla_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Whether a domain's values can be written in a TLC configuration.
fn flat(v: &Value) -> bool {
    matches!(
        v,
        Value::Bool(_) | Value::Int(_) | Value::Str(_) | Value::Extern(..)
    )
}

impl Gen<'_> {
    fn depth_err() -> ExportError {
        ExportError::new("expression nested too deeply for the tla+ export")
    }

    fn val(&self, v: &Value) -> String {
        match v {
            Value::Bool(true) => "TRUE".to_owned(),
            Value::Bool(false) => "FALSE".to_owned(),
            Value::Int(i) => i.to_string(),
            Value::Str(s) | Value::Extern(_, s) => tla_string(s),
            Value::Enum(e, var) => tla_string(self.m.variant_name(*e, *var)),
            Value::Phase(p) => tla_string(self.m.phase_name(*p)),
            Value::None => "<<>>".to_owned(),
            Value::Some(x) => format!("<<{}>>", self.val(x)),
            Value::Set(items) => format!(
                "{{{}}}",
                items
                    .iter()
                    .map(|x| self.val(x))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::List(items) => format!(
                "<<{}>>",
                items
                    .iter()
                    .map(|x| self.val(x))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Map(entries) if entries.is_empty() => "EmptyMap".to_owned(),
            Value::Map(entries) => format!(
                "({})",
                entries
                    .iter()
                    .map(|(k, x)| format!("({} :> {})", self.val(k), self.val(x)))
                    .collect::<Vec<_>>()
                    .join(" @@ ")
            ),
        }
    }

    /// A value's rank in its type's order, for `<` on enums and phases.
    fn rank(&self, ty: &Ty, v: &str) -> Result<String, ExportError> {
        match ty {
            Ty::Int(_) => Ok(v.to_owned()),
            Ty::Phase => Ok(format!("PhaseRank[{v}]")),
            Ty::Enum(e) => {
                let name = self.m.enum_def(*e).map_or("?", |d| d.name.as_str());
                Ok(format!("{}Rank[{v}]", ident(name)))
            }
            other => Err(ExportError::new(format!(
                "the tla+ export cannot order values of `{}`",
                self.m.ty_name(other)
            ))),
        }
    }

    fn expr(
        &self,
        e: &TExpr,
        env: &BTreeMap<FieldId, String>,
        target: Option<&str>,
        depth: usize,
    ) -> Result<Ex, ExportError> {
        if depth > MAX_DEPTH {
            return Err(Self::depth_err());
        }
        let d = depth + 1;
        let pure = |v: String| Ex {
            ok: "TRUE".to_owned(),
            v,
        };
        let sub = |x: &TExpr| self.expr(x, env, target, d);
        Ok(match &e.kind {
            TExprKind::Bool(b) => pure(if *b { "TRUE" } else { "FALSE" }.to_owned()),
            TExprKind::Int(i) => pure(i.to_string()),
            TExprKind::Str(s) => pure(tla_string(s)),
            TExprKind::None => pure("<<>>".to_owned()),
            TExprKind::Some(x) => {
                let x = sub(x)?;
                Ex {
                    ok: x.ok,
                    v: format!("<<{}>>", x.v),
                }
            }
            TExprKind::Field(f) => pure(match env.get(f) {
                Some(v) => v.clone(),
                None => self.m.field(*f).map_or("?".to_owned(), |f| ident(&f.name)),
            }),
            TExprKind::Param(p) => pure(format!("p_{}", p.index())),
            TExprKind::Derived(id) => {
                let def = self
                    .m
                    .derived_value(*id)
                    .ok_or_else(|| ExportError::new("internal: unknown derived value"))?;
                if env.is_empty() {
                    pure(ident(&def.name))
                } else {
                    sub(&def.expr)?
                }
            }
            TExprKind::Key => pure("Key".to_owned()),
            TExprKind::CurrentPhase => pure("phase".to_owned()),
            TExprKind::Target => pure(
                target
                    .ok_or_else(|| ExportError::new("internal: `target` outside a transition"))?
                    .to_owned(),
            ),
            TExprKind::Const(c) => {
                let def = self
                    .m
                    .constant(*c)
                    .ok_or_else(|| ExportError::new("internal: unknown constant"))?;
                pure(ident(&def.name))
            }
            TExprKind::Variant(en, v) => pure(tla_string(self.m.variant_name(*en, *v))),
            TExprKind::Phase(p) => pure(tla_string(self.m.phase_name(*p))),
            TExprKind::Var(v) => pure(format!("q_{}", v.index())),
            TExprKind::Collection(items) => {
                let mut ok = "TRUE".to_owned();
                let mut vs = Vec::new();
                for item in items {
                    let x = sub(item)?;
                    ok = t_and(&ok, &x.ok);
                    vs.push(x.v);
                }
                let v = match &e.ty {
                    Ty::Map(..) => "EmptyMap".to_owned(),
                    Ty::List(_) => format!("<<{}>>", vs.join(", ")),
                    _ => format!("{{{}}}", vs.join(", ")),
                };
                Ex { ok, v }
            }
            TExprKind::Unary(UnOp::Not, x) => {
                let x = sub(x)?;
                Ex {
                    v: t_not(&x.v),
                    ok: x.ok,
                }
            }
            TExprKind::Unary(UnOp::Neg, x) => {
                let x = sub(x)?;
                let v = format!("(-{})", x.v);
                let ok = t_and(&x.ok, &self.fits(&e.ty, &v));
                Ex { ok, v }
            }
            TExprKind::Binary(op, a, b) => {
                let x = sub(a)?;
                let y = sub(b)?;
                let both = t_and(&x.ok, &y.ok);
                match op {
                    BinOp::Or => Ex {
                        ok: t_and(&x.ok, &t_or(&x.v, &y.ok)),
                        v: t_or(&x.v, &y.v),
                    },
                    BinOp::And => Ex {
                        ok: t_and(&x.ok, &t_or(&t_not(&x.v), &y.ok)),
                        v: t_and(&x.v, &y.v),
                    },
                    BinOp::Eq => Ex {
                        ok: both,
                        v: format!("({} = {})", x.v, y.v),
                    },
                    BinOp::Ne => Ex {
                        ok: both,
                        v: format!("({} # {})", x.v, y.v),
                    },
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        let sym = match op {
                            BinOp::Lt => "<",
                            BinOp::Le => "<=",
                            BinOp::Gt => ">",
                            _ => ">=",
                        };
                        Ex {
                            ok: both,
                            v: format!(
                                "({} {sym} {})",
                                self.rank(&a.ty, &x.v)?,
                                self.rank(&b.ty, &y.v)?
                            ),
                        }
                    }
                    BinOp::In => Ex {
                        ok: both,
                        v: self.contains(&b.ty, &y.v, &x.v),
                    },
                    BinOp::Add | BinOp::Sub | BinOp::Mul => {
                        let v = format!("({} {} {})", x.v, op.as_str(), y.v);
                        Ex {
                            ok: t_and(&both, &self.fits(&e.ty, &v)),
                            v,
                        }
                    }
                    BinOp::Div | BinOp::Rem => {
                        // Rust truncates towards zero; TLA+'s `\div` and `%`
                        // floor, so both are written out.
                        let (p, q) = (&x.v, &y.v);
                        let quot = format!(
                            "(IF ({p} >= 0) = ({q} > 0) THEN Abs({p}) \\div Abs({q}) ELSE -(Abs({p}) \\div Abs({q})))"
                        );
                        let v = if *op == BinOp::Div {
                            quot.clone()
                        } else {
                            format!("({p} - {q} * {quot})")
                        };
                        let ok = t_and(
                            &t_and(&both, &format!("({q} # 0)")),
                            &self.fits(&e.ty, &quot),
                        );
                        Ex { ok, v }
                    }
                }
            }
            TExprKind::Method {
                method,
                receiver,
                args,
            } => {
                let r = sub(receiver)?;
                let mut ok = r.ok.clone();
                let mut xs = Vec::new();
                for a in args {
                    let x = sub(a)?;
                    ok = t_and(&ok, &x.ok);
                    xs.push(x.v);
                }
                let arg = |i: usize| xs.get(i).cloned().unwrap_or_default();
                let rv = &r.v;
                let v = match (method, &receiver.ty) {
                    (Method::Contains, ty) => self.contains(ty, rv, &arg(0)),
                    (Method::Len, Ty::String) => format!("Len({rv})"),
                    (Method::Len, Ty::List(_)) => format!("Len({rv})"),
                    (Method::Len, Ty::Map(..)) => format!("Cardinality(DOMAIN {rv})"),
                    (Method::Len, _) => format!("Cardinality({rv})"),
                    (Method::IsEmpty, Ty::String | Ty::List(_)) => format!("({rv} = <<>>)"),
                    (Method::IsEmpty, Ty::Map(..)) => format!("(DOMAIN {rv} = {{}})"),
                    (Method::IsEmpty, _) => format!("({rv} = {{}})"),
                    (Method::IsSome, _) => format!("({rv} # <<>>)"),
                    (Method::IsNone, _) => format!("({rv} = <<>>)"),
                    (Method::UnwrapOr, _) => {
                        format!("(IF {rv} # <<>> THEN Head({rv}) ELSE {})", arg(0))
                    }
                    (Method::ContainsKey, _) => format!("({} \\in DOMAIN {rv})", arg(0)),
                    (Method::Get, _) => {
                        let k = arg(0);
                        format!("(IF {k} \\in DOMAIN {rv} THEN <<{rv}[{k}]>> ELSE <<>>)")
                    }
                    (Method::GetOr, _) => {
                        let k = arg(0);
                        format!("(IF {k} \\in DOMAIN {rv} THEN {rv}[{k}] ELSE {})", arg(1))
                    }
                    (Method::First, _) => format!("(IF {rv} = <<>> THEN <<>> ELSE <<Head({rv})>>)"),
                    (Method::Last, _) => {
                        format!("(IF {rv} = <<>> THEN <<>> ELSE <<{rv}[Len({rv})]>>)")
                    }
                    (Method::Keys, _) => format!("DOMAIN {rv}"),
                };
                Ex { ok, v }
            }
            TExprKind::Quant {
                kind,
                var,
                coll,
                body,
                ..
            } => {
                let c = sub(coll)?;
                let b = sub(body)?;
                let name = format!("q_{}", var.index());
                let over = match &coll.ty {
                    Ty::Map(..) => format!("DOMAIN {}", c.v),
                    Ty::List(_) => format!("Range({})", c.v),
                    _ => c.v.clone(),
                };
                let q = if *kind == Quantifier::All {
                    "\\A"
                } else {
                    "\\E"
                };
                let ok = if b.ok == "TRUE" {
                    c.ok
                } else {
                    t_and(&c.ok, &format!("(\\A {name} \\in {over} : {})", b.ok))
                };
                Ex {
                    ok,
                    v: format!("({q} {name} \\in {over} : {})", b.v),
                }
            }
        })
    }

    fn contains(&self, ty: &Ty, coll: &str, x: &str) -> String {
        match ty {
            Ty::Option(_) => format!("({coll} = <<{x}>>)"),
            Ty::List(_) => format!("({x} \\in Range({coll}))"),
            _ => format!("({x} \\in {coll})"),
        }
    }

    fn fits(&self, ty: &Ty, v: &str) -> String {
        match ty {
            Ty::Int(i) => format!("({} <= {v} /\\ {v} <= {})", i.min_value(), i.max_value()),
            _ => "TRUE".to_owned(),
        }
    }

    /// Composes `stmts` into `env` (the fields' values so far), returning
    /// the condition that no statement overflowed.
    fn stmts(
        &self,
        list: &[TStmt],
        env: &mut BTreeMap<FieldId, String>,
        target: &str,
        depth: usize,
    ) -> Result<String, ExportError> {
        if depth > MAX_DEPTH {
            return Err(Self::depth_err());
        }
        let mut ok = "TRUE".to_owned();
        for s in list {
            let this = self.stmt(s, env, target, depth + 1)?;
            ok = t_and(&ok, &this);
        }
        Ok(ok)
    }

    fn stmt(
        &self,
        s: &TStmt,
        env: &mut BTreeMap<FieldId, String>,
        target: &str,
        depth: usize,
    ) -> Result<String, ExportError> {
        let cur = |env: &BTreeMap<FieldId, String>, f: FieldId| -> String {
            env.get(&f)
                .cloned()
                .unwrap_or_else(|| self.m.field(f).map_or("?".to_owned(), |d| ident(&d.name)))
        };
        let ex =
            |e: &TExpr, env: &BTreeMap<FieldId, String>| self.expr(e, env, Some(target), depth + 1);
        Ok(match &s.kind {
            TStmtKind::Assign { field, op, value } => {
                let x = ex(value, env)?;
                let old = cur(env, *field);
                let (v, ok) = match op {
                    AssignOp::Set => (x.v, x.ok),
                    AssignOp::Add | AssignOp::Sub => {
                        let sym = if *op == AssignOp::Add { "+" } else { "-" };
                        let v = format!("({old} {sym} {})", x.v);
                        let ty = self
                            .m
                            .field(*field)
                            .map(|f| f.ty.clone())
                            .unwrap_or(Ty::Bool);
                        let ok = t_and(&x.ok, &self.fits(&ty, &v));
                        (v, ok)
                    }
                };
                env.insert(*field, v);
                ok
            }
            TStmtKind::Insert { field, key, value } => {
                let k = ex(key, env)?;
                let old = cur(env, *field);
                let (v, ok) = match value {
                    Some(value) => {
                        let x = ex(value, env)?;
                        (
                            format!("(({} :> {}) @@ {old})", k.v, x.v),
                            t_and(&k.ok, &x.ok),
                        )
                    }
                    None => (format!("({old} \\union {{{}}})", k.v), k.ok),
                };
                env.insert(*field, v);
                ok
            }
            TStmtKind::Remove { field, key } => {
                let k = ex(key, env)?;
                let old = cur(env, *field);
                let v = match self.m.field(*field).map(|f| &f.ty) {
                    Some(Ty::Map(..)) => {
                        format!("[x \\in DOMAIN {old} \\ {{{k}}} |-> {old}[x]]", k = k.v)
                    }
                    _ => format!("({old} \\ {{{}}})", k.v),
                };
                env.insert(*field, v);
                k.ok
            }
            TStmtKind::Push { field, value } => {
                let x = ex(value, env)?;
                let old = cur(env, *field);
                env.insert(*field, format!("Append({old}, {})", x.v));
                x.ok
            }
            TStmtKind::Clear { field } => {
                let v = match self.m.field(*field).map(|f| &f.ty) {
                    Some(Ty::Map(..)) => "EmptyMap",
                    Some(Ty::List(_)) => "<<>>",
                    _ => "{}",
                };
                env.insert(*field, v.to_owned());
                "TRUE".to_owned()
            }
            TStmtKind::Emit { args, .. } => {
                let mut ok = "TRUE".to_owned();
                for a in args {
                    ok = t_and(&ok, &ex(a, env)?.ok);
                }
                ok
            }
            TStmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = ex(cond, env)?;
                let mut a = env.clone();
                let mut b = env.clone();
                let ok_a = self.stmts(then, &mut a, target, depth + 1)?;
                let ok_b = self.stmts(otherwise, &mut b, target, depth + 1)?;
                let fields: Vec<FieldId> = a.keys().chain(b.keys()).copied().collect();
                for f in fields {
                    let va = cur(&a, f);
                    let vb = cur(&b, f);
                    env.insert(f, t_if(&c.v, &va, &vb));
                }
                t_and(&c.ok, &t_if(&c.v, &ok_a, &ok_b))
            }
        })
    }

    /// The guards of `t`: (no overflow, all hold).
    fn guards(&self, t: &Transition) -> Result<(String, String), ExportError> {
        let env = BTreeMap::new();
        let mut parts = Vec::new();
        for g in &t.guards {
            let x = self.expr(&g.expr, &env, None, 0)?;
            parts.push((x.ok, x.v));
        }
        let v = t_and_all(parts.iter().map(|(_, v)| v.as_str()));
        let mut ok = "TRUE".to_owned();
        for (gok, gv) in parts.iter().rev() {
            ok = t_and(gok, &t_or(&t_not(gv), &ok));
        }
        Ok((ok, v))
    }

    fn phase_set(&self, phases: &[fsm_core::model::PhaseId]) -> String {
        format!(
            "{{{}}}",
            phases
                .iter()
                .map(|p| tla_string(self.m.phase_name(*p)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    fn domain_name(&self, input: InputId, param: usize) -> String {
        let i = self.m.input(input).map_or("?", |i| i.name.as_str());
        let p = self
            .m
            .input(input)
            .and_then(|i| i.params.get(param))
            .map_or("?", |p| p.name.as_str());
        format!("Dom_{}_{}", ident(i), ident(p))
    }

    fn render(&self, key: Option<&Value>) -> Result<Tla, ExportError> {
        let m = self.m;
        let name = ident(&m.name);
        let mut w = String::new();
        let mut cfg = String::new();
        let vars: Vec<String> = std::iter::once("phase".to_owned())
            .chain(m.fields.iter().map(|f| ident(&f.name)))
            .collect();

        let _ = writeln!(
            w,
            "---------------------------- MODULE {name} ----------------------------"
        );
        for line in &m.docs {
            let _ = writeln!(w, "\\*{line}");
        }
        let _ = writeln!(w, "EXTENDS Integers, Sequences, FiniteSets, TLC");
        let _ = writeln!(w);

        // Domains: flat ones are constants given in the cfg.
        let mut constants = Vec::new();
        let mut defs = Vec::new();
        for (i, input) in m.inputs.iter().enumerate() {
            let id = InputId(u32::try_from(i).unwrap_or(u32::MAX));
            for (j, p) in input.params.iter().enumerate() {
                let pid = fsm_core::model::ParamId(u32::try_from(j).unwrap_or(u32::MAX));
                let what = format!("parameter `{}` of input `{}`", p.name, input.name);
                let vals = domain::values(m, &p.ty, Some((id, pid)), &what)?;
                let set = format!(
                    "{{{}}}",
                    vals.iter()
                        .map(|v| self.val(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let dname = self.domain_name(id, j);
                if !vals.is_empty() && vals.iter().all(flat) {
                    constants.push(dname.clone());
                    let _ = writeln!(cfg, "    {dname} = {set}");
                } else {
                    defs.push(format!("{dname} == {set}"));
                }
            }
        }
        if !constants.is_empty() {
            let _ = writeln!(
                w,
                "\\* The values input parameters range over (see the .cfg)."
            );
            let _ = writeln!(w, "CONSTANTS {}", constants.join(", "));
            let _ = writeln!(w);
        }
        let _ = writeln!(w, "VARIABLES {}", vars.join(", "));
        let _ = writeln!(w, "vars == <<{}>>", vars.join(", "));
        let _ = writeln!(w);
        let _ = writeln!(w, "EmptyMap == [x \\in {{}} |-> 0]");
        let _ = writeln!(w, "Abs(n) == IF n < 0 THEN -n ELSE n");
        let _ = writeln!(w, "Range(s) == {{s[i] : i \\in DOMAIN s}}");
        let _ = writeln!(
            w,
            "PhaseRank == {}",
            rank_fn(m.phases.iter().map(|p| p.name.as_str()))
        );
        for e in &m.enums {
            let _ = writeln!(
                w,
                "{}Rank == {}",
                ident(&e.name),
                rank_fn(e.variants.iter().map(|v| v.name.as_str()))
            );
        }
        if let Some(k) = key {
            let _ = writeln!(w, "Key == {}", self.val(k));
        }
        for c in &m.consts {
            let v = domain::const_val(m, &c.value, &c.ty)?;
            let _ = writeln!(w, "{} == {}", ident(&c.name), self.val(&v));
        }
        for d in defs {
            let _ = writeln!(w, "{d}");
        }
        let _ = writeln!(w);

        let env = BTreeMap::new();
        for d in &m.derived {
            let x = self.expr(&d.expr, &env, None, 0)?;
            for line in &d.docs {
                let _ = writeln!(w, "\\*{line}");
            }
            let _ = writeln!(w, "{} == {}", ident(&d.name), x.v);
        }
        if !m.derived.is_empty() {
            let _ = writeln!(w);
        }

        let _ = writeln!(w, "Init ==");
        let _ = writeln!(w, "    /\\ phase = {}", tla_string(m.phase_name(m.initial)));
        for f in &m.fields {
            let v = domain::const_val(m, &f.init, &f.ty)?;
            let _ = writeln!(w, "    /\\ {} = {}", ident(&f.name), self.val(&v));
        }
        let _ = writeln!(w);

        // Per input, its candidates per phase: the earlier candidates of a
        // transition are found there, not by scanning its input's others.
        let tables: Vec<Vec<(PhaseId, Vec<TransitionId>)>> = (0..m.inputs.len())
            .map(|i| m.candidates_by_phase(InputId(u32::try_from(i).unwrap_or(u32::MAX))))
            .collect();
        let mut next = Vec::new();
        for (tid, t) in m.transitions_with_ids() {
            let input = m.input(t.input);
            let params: Vec<String> = input
                .map(|i| (0..i.params.len()).map(|j| format!("p_{j}")).collect())
                .unwrap_or_default();
            let (gok, gv) = self.guards(t)?;
            let mut conj = vec![format!("phase \\in {}", self.phase_set(&t.sources))];
            // Earlier candidates for the same input come first: per earlier
            // transition (in declaration order), the phases it shares.
            let mut earlier: BTreeMap<TransitionId, Vec<PhaseId>> = BTreeMap::new();
            if let Some(table) = tables.get(t.input.index()) {
                for &p in &t.sources {
                    let Ok(at) = table.binary_search_by_key(&p, |(q, _)| *q) else {
                        continue;
                    };
                    let Some((_, cands)) = table.get(at) else {
                        continue;
                    };
                    for &id in cands.iter().take_while(|id| **id != tid) {
                        earlier.entry(id).or_default().push(p);
                    }
                }
            }
            for (id, shared) in earlier {
                let Some(other) = m.transition(id) else {
                    continue;
                };
                let (ook, ov) = self.guards(other)?;
                conj.push(format!(
                    "(phase \\in {} => ({}))",
                    self.phase_set(&shared),
                    t_and(&ook, &t_not(&ov))
                ));
            }
            if gok != "TRUE" {
                conj.push(gok);
            }
            if gv != "TRUE" {
                conj.push(gv);
            }
            let target = match t.target {
                Some(p) => tla_string(m.phase_name(p)),
                None => "phase".to_owned(),
            };
            let mut fenv = BTreeMap::new();
            let bok = self.stmts(&t.body, &mut fenv, &target, 0)?;
            if bok != "TRUE" {
                conj.push(bok);
            }
            conj.push(format!("phase' = {target}"));
            let mut unchanged = Vec::new();
            for (i, f) in m.fields.iter().enumerate() {
                let id = FieldId(u32::try_from(i).unwrap_or(u32::MAX));
                match fenv.get(&id) {
                    Some(v) => conj.push(format!("{}' = {v}", ident(&f.name))),
                    None => unchanged.push(ident(&f.name)),
                }
            }
            if !unchanged.is_empty() {
                conj.push(format!("UNCHANGED <<{}>>", unchanged.join(", ")));
            }
            for line in &t.docs {
                let _ = writeln!(w, "\\*{line}");
            }
            let head = if params.is_empty() {
                ident(&t.name)
            } else {
                format!("{}({})", ident(&t.name), params.join(", "))
            };
            let _ = writeln!(w, "{head} ==");
            for c in conj {
                let _ = writeln!(w, "    /\\ {c}");
            }
            let _ = writeln!(w);
            let call = if params.is_empty() {
                ident(&t.name)
            } else {
                let binds: Vec<String> = params
                    .iter()
                    .enumerate()
                    .map(|(j, p)| format!("{p} \\in {}", self.domain_name(t.input, j)))
                    .collect();
                format!("\\E {} : {head}", binds.join(", "))
            };
            next.push(call);
        }
        let _ = writeln!(w, "Next ==");
        if next.is_empty() {
            let _ = writeln!(w, "    UNCHANGED vars");
        }
        for n in &next {
            let _ = writeln!(w, "    \\/ {n}");
        }
        let _ = writeln!(w);
        for inv in &m.invariants {
            let x = self.expr(&inv.expr, &env, None, 0)?;
            for line in &inv.docs {
                let _ = writeln!(w, "\\*{line}");
            }
            let _ = writeln!(w, "{} == {}", ident(&inv.name), t_and(&x.ok, &x.v));
        }
        if !m.invariants.is_empty() {
            let _ = writeln!(w);
        }
        if !m.verify.bounds.is_empty() {
            let mut parts = Vec::new();
            for b in &m.verify.bounds {
                let x = self.expr(&b.expr, &env, None, 0)?;
                parts.push(t_and(&x.ok, &x.v));
            }
            let _ = writeln!(
                w,
                "\\* The spec's `bound`s, a TLC state constraint (TLC counts a state\n\
                 \\* outside them but does not explore it; `fsm verify` leaves it out)."
            );
            let _ = writeln!(
                w,
                "StateBounds == {}",
                t_and_all(parts.iter().map(String::as_str))
            );
            let _ = writeln!(w);
        }
        for p in &m.verify.always_possible {
            let x = self.expr(&p.expr, &env, None, 0)?;
            let _ = writeln!(
                w,
                "\\* always_possible {}: from every reachable state a state meeting\n\
                 \\*   {}\n\
                 \\* is reachable (CTL's AG EF, which no TLA+ temporal formula states;\n\
                 \\* `fsm verify` checks it).",
                p.name,
                t_and(&x.ok, &x.v)
            );
            let _ = writeln!(w);
        }
        let _ = writeln!(w, "Spec == Init /\\ [][Next]_vars");
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "============================================================================="
        );

        let mut c = String::new();
        let _ = writeln!(c, "\\* TLC configuration of machine `{}`.", m.name);
        let _ = writeln!(c, "INIT Init");
        let _ = writeln!(c, "NEXT Next");
        if !cfg.is_empty() {
            let _ = writeln!(c, "CONSTANTS");
            c.push_str(&cfg);
        }
        for inv in &m.invariants {
            let _ = writeln!(c, "INVARIANT {}", ident(&inv.name));
        }
        if !m.verify.bounds.is_empty() {
            let _ = writeln!(c, "CONSTRAINT StateBounds");
        }
        Ok(Tla { module: w, cfg: c })
    }
}

fn rank_fn<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let parts: Vec<String> = names
        .enumerate()
        .map(|(i, n)| format!("{} :> {i}", tla_string(n)))
        .collect();
    if parts.is_empty() {
        "EmptyMap".to_owned()
    } else {
        format!("({})", parts.join(" @@ "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_and_all_is_the_fold_of_t_and() {
        let items = ["a", "TRUE", "FALSE", "(b = 2)", "c"];
        let mut seqs: Vec<Vec<&str>> = vec![Vec::new()];
        for len in 0..4 {
            let longer: Vec<Vec<&str>> = seqs
                .iter()
                .filter(|s| s.len() == len)
                .flat_map(|s| {
                    items.iter().map(move |i| {
                        let mut s = s.clone();
                        s.push(*i);
                        s
                    })
                })
                .collect();
            seqs.extend(longer);
        }
        for seq in seqs {
            let folded = seq.iter().fold("TRUE".to_owned(), |acc, x| t_and(&acc, x));
            assert_eq!(t_and_all(seq.iter().copied()), folded, "{seq:?}");
        }
    }
}
