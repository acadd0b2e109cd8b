//! The `verify { ... }` settings: finite domains (by type or by input
//! parameter), bounds, and reach goals. Reports unknown targets, values of
//! the wrong type, empty domains and ranges, zero bounds (FSM0408) and
//! repeated settings.
//!
//! After `lower` returns `Some(v)`: each domain target appears once and has
//! at least one value of its type (an extern's abstract values are
//! strings), every range is non-empty and within its integer type, each
//! bound appears at most once and is at least 1, and every reach goal,
//! `always_possible` property and `bound` is a `bool` over the state.

use super::expr::{Scope, ScopeKind};
use super::resolve::first_wins;
use super::{Cx, types, unknown};
use crate::ast::{self, DomainTarget as AstTarget, DomainValues as AstValues, VerifyKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Bound, Domain, DomainTarget, DomainValues, Reach, TransitionId, Ty, Verify};
use crate::span::Span;

pub(super) fn lower(cx: &mut Cx<'_>) -> Option<Verify> {
    let s = cx.s;
    let mut v = Verify::default();
    let mut ok = true;
    let mut domain_spans: Vec<(DomainTarget, Span)> = Vec::new();
    let mut bounds: [Option<Span>; 3] = [None; 3];
    let reach_names: Vec<&ast::Ident> = s
        .verify
        .iter()
        .filter_map(|x| match &x.kind {
            VerifyKind::Reach { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    first_wins(&mut cx.diags, "reach goal", reach_names);
    let property_names: Vec<&ast::Ident> = s
        .verify
        .iter()
        .filter_map(|x| match &x.kind {
            VerifyKind::AlwaysPossible { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    first_wins(&mut cx.diags, "`always_possible` property", property_names);
    for setting in &s.verify {
        match &setting.kind {
            VerifyKind::Domain { target, values } => match domain(cx, target, values, setting.span)
            {
                Some(d) => {
                    if let Some((_, first)) = domain_spans.iter().find(|(t, _)| *t == d.target) {
                        cx.report(
                            Diagnostic::new(
                                Code::Duplicate,
                                "duplicate domain",
                                setting.span,
                                "a second domain for the same target",
                            )
                            .with_secondary(*first, "first domain here")
                            .with_help("merge the values into one `domain` line"),
                        );
                        ok = false;
                    } else {
                        domain_spans.push((d.target.clone(), setting.span));
                        v.domains.push(d);
                    }
                }
                None => ok = false,
            },
            VerifyKind::MaxDepth(n, span) => {
                ok &= bound(cx, "max_depth", *n, *span, &mut bounds[0], &mut v.max_depth)
            }
            VerifyKind::MaxStates(n, span) => {
                ok &= bound(
                    cx,
                    "max_states",
                    *n,
                    *span,
                    &mut bounds[1],
                    &mut v.max_states,
                );
            }
            VerifyKind::MaxCollection(n, span) => {
                ok &= bound(
                    cx,
                    "max_collection",
                    *n,
                    *span,
                    &mut bounds[2],
                    &mut v.max_collection,
                );
            }
            VerifyKind::AllowOverflow(names) => {
                for name in names {
                    let found = s
                        .transitions
                        .iter()
                        .position(|(_, t)| t.name.name == name.name);
                    match found.and_then(|i| u32::try_from(i).ok()).map(TransitionId) {
                        Some(id) => {
                            if !v.allow_overflow.contains(&id) {
                                v.allow_overflow.push(id);
                            }
                        }
                        None => {
                            cx.report(
                                Diagnostic::new(
                                    Code::UnknownName,
                                    format!("unknown transition `{}`", name.name),
                                    name.span,
                                    "no transition of this name",
                                )
                                .with_help("`allow_overflow` names transitions"),
                            );
                            ok = false;
                        }
                    }
                }
            }
            VerifyKind::Reach { name, expr } | VerifyKind::AlwaysPossible { name, expr } => {
                let reach = matches!(setting.kind, VerifyKind::Reach { .. });
                let mut sc = Scope::new(ScopeKind::State(if reach {
                    "a reach goal"
                } else {
                    "an `always_possible` property"
                }));
                match cx.check_expr(&mut sc, expr, Some(&Ty::Bool)) {
                    Some(expr) => {
                        let goal = Reach {
                            name: name.name.clone(),
                            span: name.span,
                            expr,
                        };
                        if reach {
                            v.reach.push(goal);
                        } else {
                            v.always_possible.push(goal);
                        }
                    }
                    None => ok = false,
                }
            }
            VerifyKind::Bound(expr) => {
                let mut sc = Scope::new(ScopeKind::State("a `bound`"));
                match cx.check_expr(&mut sc, expr, Some(&Ty::Bool)) {
                    Some(expr) => v.bounds.push(Bound {
                        span: setting.span,
                        expr,
                    }),
                    None => ok = false,
                }
            }
        }
    }
    ok.then_some(v)
}

fn bound(
    cx: &mut Cx<'_>,
    what: &str,
    n: u64,
    span: Span,
    first: &mut Option<Span>,
    slot: &mut Option<u64>,
) -> bool {
    if let Some(first) = first {
        cx.report(
            Diagnostic::new(
                Code::Duplicate,
                format!("duplicate `{what}`"),
                span,
                "set again here",
            )
            .with_secondary(*first, "first set here")
            .with_help(format!("keep one `{what}` line")),
        );
        return false;
    }
    *first = Some(span);
    if n == 0 {
        cx.report(
            Diagnostic::new(
                Code::InvalidVerify,
                format!("`{what}` must be at least 1"),
                span,
                "zero here",
            )
            .with_help(format!(
                "remove the line to use the default, or give `{what}` a positive value"
            )),
        );
        return false;
    }
    *slot = Some(n);
    true
}

fn domain(cx: &mut Cx<'_>, target: &AstTarget, values: &AstValues, span: Span) -> Option<Domain> {
    let s = cx.s;
    let (target, ty) = match target {
        AstTarget::Type(te) => {
            let ty = types::resolve(s, &mut cx.diags, te);
            (ty.clone().map(DomainTarget::Type), ty)
        }
        AstTarget::Param { input, param } => match s.input_by_name.get(&input.name) {
            None => {
                cx.report(unknown(
                    Code::UnknownInput,
                    "input",
                    input,
                    s.inputs.iter().map(|i| i.name.name.as_str()),
                ));
                (None, None)
            }
            Some(&i) => {
                let sig = s.input(i)?;
                match sig.param_by_name.get(&param.name) {
                    Some(&p) => (
                        Some(DomainTarget::Param { input: i, param: p }),
                        sig.params.get(p.index()).and_then(|x| x.ty.clone()),
                    ),
                    None => {
                        let mut d = unknown(
                            Code::UnknownParam,
                            "parameter",
                            param,
                            sig.params.iter().map(|p| p.name.name.as_str()),
                        );
                        d.message =
                            format!("input `{}` has no parameter `{}`", input.name, param.name);
                        if sig.params.is_empty() {
                            d = d.with_note(format!("`{}` has no parameters", input.name));
                        }
                        cx.report(d);
                        (None, None)
                    }
                }
            }
        },
    };
    let value_ty = ty.as_ref().map(abstract_values);
    let values = match values {
        AstValues::Range {
            lo,
            hi,
            inclusive,
            span: rspan,
        } => {
            let int = match &value_ty {
                Some(Ty::Int(i)) => *i,
                Some(other) => {
                    cx.report(
                        Diagnostic::new(
                            Code::InvalidVerify,
                            format!(
                                "a range needs an integer type, found `{}`",
                                s.ty_name(other)
                            ),
                            *rspan,
                            "integer range",
                        )
                        .with_help("list the values instead: `[a, b]`"),
                    );
                    return None;
                }
                None => return None,
            };
            let written = format!("{lo}{}{hi}", if *inclusive { "..=" } else { ".." });
            let lo_v = i128::try_from(*lo).ok().filter(|x| int.contains(*x));
            let hi_v = i128::try_from(*hi).ok();
            let hi_incl = hi_v.map(|h| if *inclusive { h } else { h - 1 });
            let hi_fits = hi_incl.is_some_and(|h| h <= int.max_value());
            if lo_v.is_none() || !hi_fits {
                cx.report(
                    Diagnostic::new(
                        Code::LiteralOutOfRange,
                        format!("range `{written}` does not fit in `{}`", int.name()),
                        *rspan,
                        format!("out of range for `{}`", int.name()),
                    )
                    .with_note(format!(
                        "`{}` holds {} to {}",
                        int.name(),
                        int.min_value(),
                        int.max_value()
                    )),
                );
                return None;
            }
            let (Some(lo_v), Some(hi_v)) = (lo_v, hi_incl) else {
                return None;
            };
            if lo_v > hi_v {
                let mut d = Diagnostic::new(
                    Code::InvalidVerify,
                    format!("range `{written}` is empty"),
                    *rspan,
                    "holds no value",
                );
                if !*inclusive && lo == hi {
                    d = d.with_help(format!(
                        "`{lo}..{hi}` excludes `{hi}`; write `{lo}..={hi}` to include it"
                    ));
                }
                cx.report(d);
                return None;
            }
            DomainValues::Range { lo: lo_v, hi: hi_v }
        }
        AstValues::List(xs, lspan) => {
            if xs.is_empty() {
                cx.report(
                    Diagnostic::new(
                        Code::InvalidVerify,
                        "domain has no values",
                        *lspan,
                        "empty list",
                    )
                    .with_help("give the domain at least one value"),
                );
                return None;
            }
            let mut sc = Scope::new(ScopeKind::Const("a domain value"));
            let typed: Vec<_> = xs
                .iter()
                .map(|x| cx.check_expr(&mut sc, x, value_ty.as_ref()))
                .collect();
            DomainValues::List(typed.into_iter().collect::<Option<_>>()?)
        }
    };
    Some(Domain {
        target: target?,
        values,
        span,
    })
}

/// The type domain values are written in: an extern's values are abstract,
/// written as strings.
fn abstract_values(ty: &Ty) -> Ty {
    match ty {
        Ty::Extern(_) => Ty::String,
        Ty::Option(t) => Ty::Option(Box::new(abstract_values(t))),
        Ty::Set(t) => Ty::Set(Box::new(abstract_values(t))),
        Ty::List(t) => Ty::List(Box::new(abstract_values(t))),
        Ty::Map(k, v) => Ty::Map(Box::new(abstract_values(k)), Box::new(abstract_values(v))),
        other => other.clone(),
    }
}
