//! Written types. Turns a `TypeExpr` (`Map<String, Option<u64>>`) into a
//! `Ty`, reporting unknown type names (FSM0106), wrong numbers of type
//! arguments (FSM0302) and collections used as set elements or map keys
//! (FSM0308).
//!
//! After `resolve` returns `Some(ty)`, `ty` is well formed: every name
//! exists and no set element or map key holds a collection. `None` means an
//! error was reported; the value that has the type is then checked
//! leniently so nothing cascades from it.

use super::resolve::{BUILTIN_TYPES, Symbols, TypeSym};
use super::{MAX_DEPTH, too_deep};

use crate::ast::TypeExpr;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{IntTy, Ty};

pub(super) fn resolve(s: &Symbols<'_>, diags: &mut Vec<Diagnostic>, te: &TypeExpr) -> Option<Ty> {
    resolve_at(s, diags, te, 0)
}

fn resolve_at(
    s: &Symbols<'_>,
    diags: &mut Vec<Diagnostic>,
    te: &TypeExpr,
    depth: u32,
) -> Option<Ty> {
    if depth > MAX_DEPTH {
        diags.push(too_deep(te.span).with_help("nest the type less deeply"));
        return None;
    }
    let name = te.name.name.as_str();
    if name.is_empty() {
        // A type the parser could not read (reported there).
        return None;
    }
    let arity = match name {
        "Option" | "Set" | "List" => 1,
        "Map" => 2,
        _ => 0,
    };
    if te.args.len() != arity {
        let expected = match arity {
            0 => "no type arguments".to_string(),
            1 => "1 type argument".to_string(),
            n => format!("{n} type arguments"),
        };
        let example = match name {
            "Option" => "Option<u64>",
            "Set" => "Set<String>",
            "List" => "List<String>",
            "Map" => "Map<String, u64>",
            _ => name,
        };
        // Still resolve the arguments written, to report what is wrong in them.
        for a in &te.args {
            resolve_at(s, diags, a, depth + 1);
        }
        if arity == 0 && !known(s, name) {
            diags.push(unknown_type(s, te));
            return None;
        }
        diags.push(
            Diagnostic::new(
                Code::Arity,
                format!(
                    "`{name}` takes {expected} but {} {} given",
                    te.args.len(),
                    if te.args.len() == 1 { "was" } else { "were" }
                ),
                te.span,
                format!("expected {expected}"),
            )
            .with_help(format!("write it as `{example}`")),
        );
        return None;
    }
    let args: Vec<Option<Ty>> = te
        .args
        .iter()
        .map(|a| resolve_at(s, diags, a, depth + 1))
        .collect();
    let arg = |i: usize| args.get(i).cloned().flatten().map(Box::new);
    if let Some(i) = IntTy::from_name(name) {
        return Some(Ty::Int(i));
    }
    let ty = match name {
        "bool" => Ty::Bool,
        "String" => Ty::String,
        "Phase" => Ty::Phase,
        "Option" => Ty::Option(arg(0)?),
        "List" => Ty::List(arg(0)?),
        "Set" => {
            let elem = arg(0)?;
            no_collection(s, diags, te.args.first(), &elem, "a set element")?;
            Ty::Set(elem)
        }
        "Map" => {
            let k = arg(0);
            let v = arg(1);
            let k = k?;
            no_collection(s, diags, te.args.first(), &k, "a map key")?;
            Ty::Map(k, v?)
        }
        _ => match s.types.get(name) {
            Some(TypeSym::Enum(e)) => Ty::Enum(*e),
            Some(TypeSym::Extern(e)) => Ty::Extern(*e),
            None => {
                diags.push(unknown_type(s, te));
                return None;
            }
        },
    };
    Some(ty)
}

fn known(s: &Symbols<'_>, name: &str) -> bool {
    BUILTIN_TYPES.contains(&name) || s.types.contains_key(name)
}

fn unknown_type(s: &Symbols<'_>, te: &TypeExpr) -> Diagnostic {
    let name = &te.name.name;
    let candidates = BUILTIN_TYPES
        .iter()
        .copied()
        .chain(s.enums.iter().map(|e| e.name.name.as_str()))
        .chain(s.externs.iter().map(|e| e.name.name.as_str()));
    let mut d = Diagnostic::new(
        Code::UnknownType,
        format!("unknown type `{name}`"),
        te.name.span,
        "no such type",
    );
    if let Some(c) = super::suggest_name(name, candidates) {
        d = d
            .with_help(format!("did you mean `{c}`?"))
            .with_fix(crate::Fix::replace(
                format!("replace with `{c}`"),
                te.name.span,
                c,
            ));
    } else {
        d = d.with_help(format!(
            "declare it: `enum {name} {{ ... }}`, or `extern {name} = path::to::{name}` for a Rust type"
        ));
    }
    d
}

fn no_collection(
    s: &Symbols<'_>,
    diags: &mut Vec<Diagnostic>,
    written: Option<&TypeExpr>,
    ty: &Ty,
    what: &str,
) -> Option<()> {
    if !contains_collection(ty) {
        return Some(());
    }
    let span = written.map(|t| t.span).unwrap_or_default();
    diags.push(
        Diagnostic::new(
            Code::InvalidType,
            format!("{what} cannot be a collection"),
            span,
            format!("`{}` is or holds a collection", s.ty_name(ty)),
        )
        .with_note(
            "set elements and map keys are scalars, strings, enums, phases, externs, or options of those",
        ),
    );
    None
}

/// Whether a type is a set, map or list, or an option of one.
pub(super) fn contains_collection(ty: &Ty) -> bool {
    match ty {
        Ty::Set(_) | Ty::Map(..) | Ty::List(_) => true,
        Ty::Option(t) => contains_collection(t),
        _ => false,
    }
}
