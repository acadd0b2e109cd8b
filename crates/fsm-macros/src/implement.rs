//! `#[fsm::implement("spec.fsm", Trait)]`: the bodies of a handwritten
//! trait's methods, from the spec's `impl Trait { … }` block.

use crate::{error, load, spec_errors};
use fsm_core::codegen::names;
use fsm_core::model::{BindingTarget, MethodBinding, Model, Ty};
use fsm_core::{SourceFile, Span as SpecSpan};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ItemImpl, LitStr, Pat, TraitItemFn};

/// The attribute's arguments: the spec path and the trait's name in it.
struct Args {
    path: LitStr,
    trait_name: Ident,
}

fn parse_args(input: ParseStream) -> syn::Result<Args> {
    const USAGE: &str = "expected the path of a `.fsm` spec and a trait name, e.g. \
         `#[fsm::implement(\"machines/name.fsm\", Handle)]`";
    if !input.peek(LitStr) {
        return Err(syn::Error::new(input.span(), USAGE));
    }
    let path: LitStr = input.parse()?;
    if !input.peek(syn::Token![,]) {
        return Err(syn::Error::new(input.span(), USAGE));
    }
    input.parse::<syn::Token![,]>()?;
    let trait_name: Ident = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), USAGE))?;
    if input.peek(syn::Token![,]) {
        input.parse::<syn::Token![,]>()?;
    }
    if !input.is_empty() {
        return Err(input.error(
            "`#[fsm::implement]` takes two arguments: the path of a `.fsm` spec and a trait name",
        ));
    }
    Ok(Args { path, trait_name })
}

pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = match parse_args.parse2(attr) {
        Ok(args) => args,
        Err(err) => return err.to_compile_error(),
    };
    let mut imp: ItemImpl = match syn::parse2(item) {
        Ok(imp) => imp,
        Err(err) => {
            return syn::Error::new(
                err.span(),
                "`#[fsm::implement]` goes on an `impl Trait for Type` block",
            )
            .to_compile_error();
        }
    };
    let spec = match load(&args.path) {
        Ok(spec) => spec,
        Err(errors) => {
            stub_all(&mut imp);
            return quote!(#errors #imp);
        }
    };
    let Some(model) = &spec.compilation.model else {
        stub_all(&mut imp);
        // `machine!` reports the spec's errors and stands a stub in for the
        // machine; reporting them here too would show each one twice. The
        // stub's marker is read so that, should the machine in scope not be
        // that stub (a `machine!` of another file), this is still an error.
        if let Some(name) = crate::stub::machine_name(spec.compilation.ast.as_ref()) {
            let machine = names::ident(name);
            let marker = Ident::new(crate::stub::MARKER, args.path.span());
            let check = quote_spanned!(args.path.span()=> const _: () = <#machine>::#marker;);
            return quote!(#check #imp);
        }
        let errors = spec_errors(args.path.span(), &spec.compilation, false);
        return quote!(#errors #imp);
    };
    let ctx = Ctx {
        model,
        source: &spec.compilation.source,
        written: &spec.written,
    };
    let errors = implement(&ctx, &args.trait_name, &mut imp);
    let include = spec.include();
    quote! {
        #errors
        #imp
        const _: &str = ::core::include_str!(#include);
    }
}

/// What binding reads: the model and where it came from.
pub(crate) struct Ctx<'a> {
    pub model: &'a Model,
    pub source: &'a SourceFile,
    /// The spec path as written in the attribute.
    pub written: &'a str,
}

impl Ctx<'_> {
    /// `path:line:col` of a spec span.
    fn loc(&self, span: SpecSpan) -> String {
        let lc = self.source.line_col(span.start);
        format!("{}:{}:{}", self.written, lc.line, lc.column)
    }

    fn machine_ident(&self) -> Ident {
        names::ident(&self.model.name)
    }

    /// `<Machine><suffix>`, the way codegen names the machine's types.
    fn machine_type(&self, suffix: &str) -> Ident {
        let machine = self.machine_ident().to_string();
        let base = machine.trim_start_matches("r#");
        format_ident!("{base}{suffix}")
    }
}

/// A body-less method: its signature parsed.
fn bodyless(item: &ImplItem) -> Option<TraitItemFn> {
    match item {
        ImplItem::Verbatim(tokens) => syn::parse2::<TraitItemFn>(tokens.clone())
            .ok()
            .filter(|f| f.default.is_none()),
        _ => None,
    }
}

/// Gives every body-less method an unreachable body, so that a failed
/// expansion reports only its own errors.
fn stub_all(imp: &mut ItemImpl) {
    for item in &mut imp.items {
        if let Some(f) = bodyless(item) {
            *item = with_body(f, quote!(::core::unreachable!()));
        }
    }
}

fn with_body(f: TraitItemFn, body: TokenStream) -> ImplItem {
    let TraitItemFn { attrs, sig, .. } = f;
    ImplItem::Verbatim(quote! {
        #(#attrs)*
        #[allow(unused_variables, clippy::useless_conversion)]
        #sig {
            #body
        }
    })
}

/// Writes the body of every bound method of `imp`; returns the errors as
/// `compile_error!`s.
pub(crate) fn implement(ctx: &Ctx<'_>, trait_name: &Ident, imp: &mut ItemImpl) -> TokenStream {
    let name = trait_name.to_string();
    let name = name.trim_start_matches("r#");
    let Some(binding) = ctx.model.bindings.iter().find(|b| b.trait_name == name) else {
        stub_all(imp);
        let message = format!(
            "spec `{}` has no `impl {name}` block (machine `{}` at {})",
            ctx.written,
            ctx.model.name,
            ctx.loc(ctx.model.span)
        );
        return error(trait_name.span(), &message);
    };
    let block = ctx.loc(binding.span);
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for item in &mut imp.items {
        if let ImplItem::Fn(f) = item {
            let method = f.sig.ident.to_string();
            if let Some(b) = binding.methods.iter().find(|b| b.name == method) {
                seen.push(&b.name);
                errors.push(syn::Error::new(
                    f.sig.ident.span(),
                    format!(
                        "method `{method}` is bound at {}: remove its body, `#[fsm::implement]` writes it",
                        ctx.loc(b.span)
                    ),
                ));
            }
            continue;
        }
        let Some(f) = bodyless(item) else {
            continue;
        };
        let method = f.sig.ident.to_string();
        let method = method.trim_start_matches("r#");
        let Some(b) = binding.methods.iter().find(|b| b.name == method) else {
            errors.push(syn::Error::new(
                f.sig.ident.span(),
                format!("method `{method}` has no binding in `impl {name}` at {block}"),
            ));
            *item = with_body(f, quote!(::core::unreachable!()));
            continue;
        };
        seen.push(&b.name);
        match method_body(ctx, name, b, &f) {
            Ok(body) => *item = with_body(f, body),
            Err(err) => {
                errors.push(err);
                *item = with_body(f, quote!(::core::unreachable!()));
            }
        }
    }
    for b in &binding.methods {
        if !seen.contains(&b.name.as_str()) {
            errors.push(syn::Error::new(
                trait_name.span(),
                format!(
                    "method `{}` of `impl {name}` at {} is missing here: add its signature, without a body",
                    b.name,
                    ctx.loc(b.span)
                ),
            ));
        }
    }
    errors.iter().map(syn::Error::to_compile_error).collect()
}

/// The parameters after `&self`, as plain names.
fn params(f: &TraitItemFn) -> syn::Result<Vec<&Ident>> {
    let method = &f.sig.ident;
    let mut inputs = f.sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => {}
        other => {
            let span = match other {
                Some(FnArg::Receiver(r)) => r.self_token.span,
                Some(FnArg::Typed(t)) => t.pat.span(),
                None => f.sig.ident.span(),
            };
            return Err(syn::Error::new(
                span,
                format!("bound method `{method}` must take `&self`"),
            ));
        }
    }
    inputs
        .map(|arg| match arg {
            FnArg::Typed(t) => match &*t.pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Ok(&p.ident),
                _ => Err(syn::Error::new(
                    t.pat.span(),
                    format!("parameters of bound method `{method}` must be plain names"),
                )),
            },
            FnArg::Receiver(r) => Err(syn::Error::new(r.span(), "unexpected `self`")),
        })
        .collect()
}

fn method_body(
    ctx: &Ctx<'_>,
    trait_name: &str,
    b: &MethodBinding,
    f: &TraitItemFn,
) -> syn::Result<TokenStream> {
    let method = &b.name;
    let at = ctx.loc(b.span);
    let rust = params(f)?;
    if rust.len() != b.params.len() {
        let listed = if b.params.is_empty() {
            String::new()
        } else {
            format!(" (`{}`)", b.params.join("`, `"))
        };
        return Err(syn::Error::new(
            f.sig.ident.span(),
            format!(
                "method `{method}` has {} but its binding at {at} lists {}{listed}",
                count(rust.len()),
                count(b.params.len()),
            ),
        ));
    }
    for (r, spec) in rust.iter().zip(&b.params) {
        let written = r.to_string();
        if written.trim_start_matches("r#") != spec {
            return Err(syn::Error::new(
                r.span(),
                format!(
                    "parameter `{written}` of method `{method}` is named `{spec}` in its binding at {at}"
                ),
            ));
        }
    }
    let context = format!("{trait_name}::{method}");
    let ret_span = match &f.sig.output {
        syn::ReturnType::Default => f.sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    };
    // The machine's name is spanned at the return type too: the tokens of
    // `FromDrive::<Machine>::from_drive` must all come from there for
    // rustc to report a missing `FromDrive` (`FromQuery`) impl at the
    // return type rather than at the attribute.
    let mut machine = ctx.machine_ident();
    machine.set_span(ret_span);
    let all_params = rust.clone();
    // A keyed machine's methods take the key first.
    let (key, rust) = match (&ctx.model.key, rust.split_first()) {
        (Some(_), Some((key, rest))) => {
            let from = quote_spanned!(key.span()=> ::core::convert::From::from(#key));
            (
                Some(quote!(let __key: <#machine as ::fsm::Machine>::Key = #from;)),
                rest.to_vec(),
            )
        }
        _ => (None, rust),
    };
    let unknown = |what: &str| syn::Error::new(f.sig.ident.span(), format!("unknown {what}"));
    match b.target {
        BindingTarget::Input(id) => {
            let input = ctx.model.input(id).ok_or_else(|| unknown("input"))?;
            let input_ty = ctx.machine_type("Input");
            let variant = names::ident(&input.name);
            let value = if input.params.is_empty() {
                quote!(#input_ty::#variant)
            } else if let Some(args) = &b.args {
                // `= Input(reason.message, …)`: each argument is a method
                // parameter or a field path inside one.
                let mut fields = Vec::new();
                for (p, arg) in input.params.iter().zip(args) {
                    let field = names::ident(&p.name);
                    let root = all_params
                        .get(arg.param)
                        .ok_or_else(|| unknown("parameter"))?;
                    let path = arg.fields.iter().map(|f| names::ident(f));
                    let from = quote_spanned!(root.span()=>
                        ::core::convert::From::from(#root #(.#path)*)
                    );
                    fields.push(quote!(#field: #from));
                }
                quote!(#input_ty::#variant { #(#fields),* })
            } else {
                let fields = input.params.iter().zip(&rust).map(|(p, arg)| {
                    let field = names::ident(&p.name);
                    let from = quote_spanned!(arg.span()=> ::core::convert::From::from(#arg));
                    quote!(#field: #from)
                });
                quote!(#input_ty::#variant { #(#fields),* })
            };
            let drive = match &key {
                Some(key) => quote_spanned! {ret_span=>
                    #key
                    ::fsm::KeyedAuthority::<#machine>::drive_key(self, #context, __key, __input)
                },
                None => quote_spanned! {ret_span=>
                    ::fsm::Authority::<#machine>::drive(self, #context, __input)
                },
            };
            Ok(quote_spanned! {ret_span=>
                let __input: #input_ty = #value;
                ::fsm::FromDrive::<#machine>::from_drive(#context, { #drive })
            })
        }
        target => {
            let read = match target {
                BindingTarget::Snapshot => quote!(::fsm::Machine::snapshot(__m)),
                BindingTarget::Phase => quote!(::fsm::Machine::phase(__m)),
                BindingTarget::Field(id) => {
                    let field = ctx.model.field(id).ok_or_else(|| unknown("field"))?;
                    let getter = names::ident(&field.name);
                    if is_copy(&field.ty) {
                        quote!(__m.#getter())
                    } else if field.ty == Ty::String {
                        quote!(::std::borrow::ToOwned::to_owned(__m.#getter()))
                    } else {
                        quote!(::core::clone::Clone::clone(__m.#getter()))
                    }
                }
                BindingTarget::Derived(id) => {
                    let derived = ctx
                        .model
                        .derived_value(id)
                        .ok_or_else(|| unknown("derived value"))?;
                    let getter = names::ident(&derived.name);
                    quote!(__m.#getter())
                }
                BindingTarget::Input(_) => TokenStream::new(),
            };
            let unused = (!rust.is_empty()).then(|| quote!(let _ = (#(#rust,)*);));
            let read = match &key {
                Some(key) => quote_spanned! {ret_span=>
                    #key
                    ::fsm::KeyedAuthority::<#machine>::read_key(self, &__key, |__m: &#machine| #read)
                },
                None => quote_spanned! {ret_span=>
                    ::fsm::Authority::<#machine>::read(self, |__m: &#machine| #read)
                },
            };
            Ok(quote_spanned! {ret_span=>
                #unused
                ::fsm::FromQuery::<#machine, _>::from_query(#context, { #read })
            })
        }
    }
}

/// `1 parameter`, `2 parameters`.
fn count(n: usize) -> String {
    if n == 1 {
        "1 parameter".to_owned()
    } else {
        format!("{n} parameters")
    }
}

/// Whether a getter of a value of this type returns it by value (as
/// codegen's getters do for `Copy` types).
fn is_copy(ty: &Ty) -> bool {
    match ty {
        Ty::Bool | Ty::Int(_) | Ty::Phase | Ty::Enum(_) => true,
        Ty::Option(t) => is_copy(t),
        Ty::String | Ty::Set(_) | Ty::Map(..) | Ty::List(_) | Ty::Extern(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(tokens: TokenStream) -> Result<Args, String> {
        parse_args.parse2(tokens).map_err(|e| e.to_string())
    }

    #[test]
    fn arguments_are_a_path_and_a_trait_name() {
        let ok = args(quote!("machines/door.fsm", DoorHandle))
            .map(|a| (a.path.value(), a.trait_name.to_string()));
        assert_eq!(
            ok,
            Ok(("machines/door.fsm".to_owned(), "DoorHandle".to_owned()))
        );
        assert!(args(quote!("machines/door.fsm", DoorHandle,)).is_ok());
        for bad in [
            quote!(),
            quote!("a.fsm"),
            quote!(DoorHandle),
            quote!("a.fsm", 1),
            quote!("a.fsm", A, B),
        ] {
            assert!(args(bad).is_err());
        }
    }

    #[test]
    fn getters_of_copy_types_return_values() {
        assert!(is_copy(&Ty::Option(Box::new(Ty::Bool))));
        assert!(!is_copy(&Ty::Option(Box::new(Ty::String))));
        assert_eq!(count(1), "1 parameter");
        assert_eq!(count(0), "0 parameters");
    }
}
