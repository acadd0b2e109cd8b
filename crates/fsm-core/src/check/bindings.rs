//! Handle bindings: `impl Trait { fn method(params) = target ... }` blocks,
//! checked against the machine's inputs, fields and derived values and
//! lowered to [`model::Binding`]s.

use std::collections::HashMap;

use super::resolve::Symbols;
use super::{duplicate, unknown};
use crate::ast;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{self, BindingTarget};
use crate::span::Span;

/// Lowers every `impl` block of the machine, reporting what does not
/// resolve. A line that fails is left out of its binding.
pub(super) fn lower(s: &Symbols<'_>, diags: &mut Vec<Diagnostic>) -> Vec<model::Binding> {
    let mut out = Vec::new();
    let mut traits: HashMap<&str, Span> = HashMap::new();
    for item in &s.machine.items {
        let ast::ItemKind::Impl {
            trait_name,
            methods,
        } = &item.kind
        else {
            continue;
        };
        if let Some(&first) = traits.get(trait_name.name.as_str()) {
            diags.push(duplicate("`impl` block of trait", trait_name, first));
            continue;
        }
        traits.insert(&trait_name.name, trait_name.span);
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut lowered = Vec::new();
        for m in methods {
            if let Some(&first) = names.get(m.name.name.as_str()) {
                diags.push(duplicate(
                    &format!("method {{}} in `impl {}`", trait_name.name),
                    &m.name,
                    first,
                ));
                continue;
            }
            names.insert(&m.name.name, m.name.span);
            if let Some(b) = method(s, m, diags) {
                lowered.push(b);
            }
        }
        out.push(model::Binding {
            trait_name: trait_name.name.clone(),
            docs: item.docs.lines.clone(),
            span: trait_name.span,
            methods: lowered,
        });
    }
    out
}

fn method(
    s: &Symbols<'_>,
    m: &ast::ImplMethod,
    diags: &mut Vec<Diagnostic>,
) -> Option<model::MethodBinding> {
    let before = diags.len();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for p in &m.params {
        match seen.get(p.name.as_str()) {
            Some(&first) => diags.push(duplicate(
                &format!("parameter {{}} of method `{}`", m.name.name),
                p,
                first,
            )),
            None => {
                seen.insert(&p.name, p.span);
            }
        }
    }
    let target = match &m.target {
        ast::ImplTarget::Snapshot(_) => Some(BindingTarget::Snapshot),
        ast::ImplTarget::Phase(_) => Some(BindingTarget::Phase),
        ast::ImplTarget::Field(id) => match s.field_by_name.get(&id.name) {
            Some(&f) => Some(BindingTarget::Field(f)),
            None => {
                let names = s.fields.iter().map(|f| f.def.name.name.as_str());
                diags.push(unknown(Code::UnknownName, "field", id, names));
                None
            }
        },
        ast::ImplTarget::Derive(id) => match s.derived_by_name.get(&id.name) {
            Some(&d) => Some(BindingTarget::Derived(d)),
            None => {
                let names = s.derived.iter().map(|d| d.name.name.as_str());
                diags.push(unknown(Code::UnknownName, "derived value", id, names));
                None
            }
        },
        ast::ImplTarget::Input(id) => match s.input_by_name.get(&id.name) {
            Some(&i) => {
                match &m.args {
                    Some(args) => arg_count(s, m, args, id, i, diags),
                    None => arity(s, m, id, i, diags),
                }
                Some(BindingTarget::Input(i))
            }
            None => {
                let names = s.inputs.iter().map(|i| i.name.name.as_str());
                diags.push(unknown(Code::UnknownInput, "input", id, names));
                None
            }
        },
    };
    let keyed = usize::from(s.key.is_some());
    if !matches!(m.target, ast::ImplTarget::Input(_)) && m.params.len() != keyed {
        let span = m.params_span.unwrap_or(m.name.span);
        let diag = if keyed == 1 {
            Diagnostic::new(
                Code::Arity,
                format!(
                    "method `{}` takes {} parameters but a query of a keyed machine takes 1",
                    m.name.name,
                    m.params.len()
                ),
                span,
                "expected 1 parameter, the key",
            )
            .with_note("a keyed machine's methods take the key first; a query takes only the key")
        } else {
            Diagnostic::new(
                Code::Arity,
                format!("method `{}` takes no parameters", m.name.name),
                span,
                format!("{} parameters here", m.params.len()),
            )
            .with_note("only a method bound to an input takes parameters")
        };
        diags.push(diag);
    }
    let args = m.args.as_ref().map(|args| {
        args.iter()
            .filter_map(|a| {
                let found = m.params.iter().position(|p| p.name == a.param.name);
                if found.is_none() {
                    let names = m.params.iter().map(|p| p.name.as_str());
                    diags.push(unknown(Code::UnknownName, "parameter", &a.param, names));
                }
                Some(model::BindingArg {
                    param: found?,
                    fields: a.fields.iter().map(|f| f.name.clone()).collect(),
                    span: a.span,
                })
            })
            .collect()
    });
    if diags.len() > before {
        return None;
    }
    Some(model::MethodBinding {
        name: m.name.name.clone(),
        docs: m.docs.lines.clone(),
        span: m.name.span,
        params: m.params.iter().map(|p| p.name.clone()).collect(),
        target: target?,
        args,
    })
}

/// `= Input(a, b.c)` passes as many arguments as the input has parameters.
fn arg_count(
    s: &Symbols<'_>,
    m: &ast::ImplMethod,
    args: &[ast::ArgPath],
    input: &ast::Ident,
    id: model::InputId,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(sig) = s.inputs.get(id.index()) else {
        return;
    };
    if s.key.is_some() && m.params.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::Arity,
                format!("method `{}` takes no parameters", m.name.name),
                m.params_span.unwrap_or(m.name.span),
                "expected the key first",
            )
            .with_note("a keyed machine's methods take the key first"),
        );
    }
    let want = sig.params.len();
    if args.len() == want {
        return;
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let span = match (args.first(), args.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => input.span,
    };
    diags.push(
        Diagnostic::new(
            Code::Arity,
            format!(
                "method `{}` passes {} argument{} to input `{}`, which takes {want}",
                m.name.name,
                args.len(),
                plural(args.len()),
                input.name
            ),
            span,
            format!("expected {want} argument{}", plural(want)),
        )
        .with_secondary(
            sig.name.span,
            format!("input `{}` defined here", input.name),
        ),
    );
}

/// The method's parameters match the input's, by count.
fn arity(
    s: &Symbols<'_>,
    m: &ast::ImplMethod,
    input: &ast::Ident,
    id: model::InputId,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(sig) = s.inputs.get(id.index()) else {
        return;
    };
    let keyed = usize::from(s.key.is_some());
    let want = sig.params.len() + keyed;
    let got = m.params.len();
    if want == got {
        return;
    }
    let span = m.params_span.unwrap_or(m.name.span);
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let params = sig.params.len();
    let mut note = if params == 0 {
        format!("input `{}` has no parameters", input.name)
    } else {
        let names: Vec<String> = sig
            .params
            .iter()
            .map(|p| format!("`{}`", p.name.name))
            .collect();
        format!(
            "input `{}` has {params} parameter{}: {}",
            input.name,
            plural(params),
            names.join(", ")
        )
    };
    if keyed == 1 {
        note.push_str("; a keyed machine's methods take the key first");
    }
    diags.push(
        Diagnostic::new(
            Code::Arity,
            format!(
                "method `{}` takes {got} parameter{} but input `{}` takes {want}{}",
                m.name.name,
                plural(got),
                input.name,
                if keyed == 1 { " with the key" } else { "" }
            ),
            span,
            format!("expected {want} parameter{}", plural(want)),
        )
        .with_secondary(
            sig.name.span,
            format!("input `{}` defined here", input.name),
        )
        .with_note(note),
    );
}
