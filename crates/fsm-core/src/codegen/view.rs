//! The view: a private struct of references to the parts of the state that
//! derived values and invariants read, with one method per derived value
//! and one that finds the first failing invariant.
//!
//! Derived values are read by getters, guards, transition bodies (where
//! some fields are staged copies), invariants and snapshots. Evaluating them
//! on a view built from whichever copy is current keeps one definition of
//! each. A derived value whose evaluation can overflow returns an `Option`.

use super::Gen;
use super::expr::{Scope, field_local};
use super::names;
use crate::model::FieldId;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

impl Gen<'_> {
    /// Whether a view is generated at all.
    pub fn has_view(&self) -> bool {
        !self.m.derived.is_empty() || !self.m.invariants.is_empty()
    }

    fn view_has_refs(&self) -> bool {
        self.view_reads.key || !self.view_reads.fields.is_empty()
    }

    /// The view type with its lifetime, for signatures.
    fn view_ty_with_lifetime(&self, lifetime: TokenStream) -> TokenStream {
        let view = &self.view_ty;
        if self.view_has_refs() {
            quote!(#view<#lifetime>)
        } else {
            quote!(#view)
        }
    }

    /// An expression building the view over the machine's state, with the
    /// `staged` fields read from their transition locals.
    pub fn view_of(&self, staged: &BTreeSet<FieldId>) -> TokenStream {
        if staged.iter().all(|f| !self.view_reads.fields.contains(f)) {
            return quote!(self.__view());
        }
        let view = &self.view_ty;
        let members = self.view_members(|id, f| {
            let name = names::ident(&f.name);
            if staged.contains(&id) {
                let local = field_local(&f.name);
                quote!(&#local)
            } else {
                quote!(&self.#name)
            }
        });
        quote!((#view { #(#members),* }))
    }

    /// `name: value` for every member of the view.
    fn view_members(
        &self,
        field: impl Fn(FieldId, &crate::model::Field) -> TokenStream,
    ) -> Vec<TokenStream> {
        let mut members = Vec::new();
        if self.view_reads.key
            && let Some(key) = self.key_ident()
        {
            members.push(quote!(#key: &self.#key));
        }
        if self.view_reads.phase {
            members.push(quote!(phase: self.phase));
        }
        for f in &self.view_reads.fields {
            if let Some(def) = self.m.field(*f) {
                let name = names::ident(&def.name);
                let value = field(*f, def);
                members.push(quote!(#name: #value));
            }
        }
        members
    }

    /// The view struct, its methods, and the machine's `__view`.
    pub fn view(&self) -> TokenStream {
        if !self.has_view() {
            return TokenStream::new();
        }
        let view = &self.view_ty;
        let machine = &self.machine;
        let phase_ty = &self.phase_ty;
        let lifetime = if self.view_has_refs() {
            quote!(<'a>)
        } else {
            TokenStream::new()
        };
        let mut decls = Vec::new();
        if self.view_reads.key
            && let (Some(key), Some(k)) = (self.key_ident(), &self.m.key)
        {
            let ty = self.ty(&k.ty);
            decls.push(quote!(#key: &'a #ty));
        }
        if self.view_reads.phase {
            decls.push(quote!(phase: #phase_ty));
        }
        for f in &self.view_reads.fields {
            if let Some(def) = self.m.field(*f) {
                let name = names::ident(&def.name);
                let ty = self.ty(&def.ty);
                decls.push(quote!(#name: &'a #ty));
            }
        }
        let members = self.view_members(|_, f| {
            let name = names::ident(&f.name);
            quote!(&self.#name)
        });
        let scope = Scope::view();
        let derived = self.m.derived.iter().enumerate().map(|(i, d)| {
            let name = names::ident(&d.name);
            let ty = self.ty(&d.ty);
            let body = self.expr_value_in(&scope, &d.expr);
            if self.fallible_derived.get(i).copied().unwrap_or(false) {
                let body = self.some_of(body, &d.expr);
                quote! {
                    fn #name(&self) -> ::core::option::Option<#ty> {
                        #body
                    }
                }
            } else {
                quote! {
                    fn #name(&self) -> #ty {
                        #body
                    }
                }
            }
        });
        let invariants = self.invariant_methods(&scope);
        let view_ty = self.view_ty_with_lifetime(quote!('_));
        quote! {
            /// The state as derived values and invariants read it.
            #[derive(Clone, Copy)]
            struct #view #lifetime {
                #(#decls,)*
            }

            impl #lifetime #view #lifetime {
                #(#derived)*
                #invariants
            }

            impl #machine {
                /// The view of the machine's own state.
                #[inline]
                fn __view(&self) -> #view_ty {
                    #view { #(#members),* }
                }
            }
        }
    }

    /// `__failing_invariant`: the name of the first invariant that does not
    /// hold (an overflow while evaluating one counts as not holding).
    fn invariant_methods(&self, scope: &Scope) -> TokenStream {
        if self.m.invariants.is_empty() {
            return TokenStream::new();
        }
        let mut checks = Vec::new();
        let mut helpers = Vec::new();
        for inv in &self.m.invariants {
            let name = &inv.name;
            if self.expr_fallible(&inv.expr) {
                let helper = names::internal(&format!("__invariant_{name}"));
                let body = self.some_of(self.expr_value_in(scope, &inv.expr), &inv.expr);
                helpers.push(quote! {
                    fn #helper(&self) -> ::core::option::Option<bool> {
                        #body
                    }
                });
                let failing = quote!(self.#helper() != ::core::option::Option::Some(true));
                checks.push(gated_check(inv.always, failing, name));
            } else {
                let negated = self.negated(scope, &inv.expr);
                checks.push(gated_check(inv.always, negated, name));
            }
        }
        quote! {
            #(#helpers)*
            /// The first invariant that does not hold.
            /// With `__all` false, only the `always` invariants.
            fn __failing_invariant(&self, __all: bool) -> ::core::option::Option<&'static str> {
                #(#checks)*
                ::core::option::Option::None
            }
        }
    }

    /// Whether some invariant is checked in every build (`invariant always`).
    pub fn has_always_invariants(&self) -> bool {
        self.m.invariants.iter().any(|i| i.always)
    }

    /// `e` as an owned value in a position that ends an expression (a
    /// function's tail, an argument).
    pub fn expr_value_in(&self, scope: &Scope, e: &crate::model::TExpr) -> TokenStream {
        self.owned(scope, e)
    }
}

impl Gen<'_> {
    /// `Some(body)` for the tokens of `e` generated with the `?` escape;
    /// when `e` itself is the checked operation its tokens end in that
    /// `?`, and without it they are already the `Option`.
    fn some_of(&self, body: TokenStream, e: &crate::model::TExpr) -> TokenStream {
        use crate::model::{TExprKind, UnOp};
        let top_checked = match &e.kind {
            TExprKind::Unary(UnOp::Neg, _) => true,
            TExprKind::Binary(op, ..) => op.is_arithmetic(),
            TExprKind::Derived(d) => self.derived_fallible(*d),
            _ => false,
        };
        let mut tokens: Vec<proc_macro2::TokenTree> = body.clone().into_iter().collect();
        match tokens.last() {
            Some(proc_macro2::TokenTree::Punct(p)) if top_checked && p.as_char() == '?' => {
                tokens.pop();
                tokens.into_iter().collect()
            }
            _ => quote!(::core::option::Option::Some(#body)),
        }
    }
}

/// One invariant's check in `__failing_invariant`: an `always` invariant is
/// checked every time, the others only when `__all` is set.
fn gated_check(always: bool, failing: TokenStream, name: &str) -> TokenStream {
    let condition = if always {
        failing
    } else {
        quote!(__all && #failing)
    };
    quote! {
        if #condition {
            return ::core::option::Option::Some(#name);
        }
    }
}

#[cfg(test)]
mod tests {
    fn expand(spec: &str) -> String {
        let c = crate::compile("t.fsm", spec.as_bytes());
        let model = c.model.expect("spec compiles");
        super::super::generate(&model).to_string()
    }

    const SPEC: &str = "machine V { phases { Closed, Open } initial Closed
        state { flow: u32 = 0 } input Open(rate: u32) input Close
        transition open on Open from Closed -> Open { flow = rate }
        transition close on Close from Open -> Closed { flow = 0 }
        invariant always dry: phase != Closed || flow == 0
        invariant bounded: flow <= 1000 }";

    #[test]
    fn always_invariants_are_checked_in_every_build() {
        let code = expand(SPEC);
        // Only the plain invariant waits for `__all` (debug builds or the
        // `invariants` feature); the `always` one is checked unconditionally.
        assert_eq!(code.matches("__all &&").count(), 1, "{code}");
        assert!(code.contains("__failing_invariant (:: fsm :: CHECK_INVARIANTS)"));
        // No transition skips the check when invariant checks are off.
        assert!(
            !code.contains("if :: fsm :: CHECK_INVARIANTS { if let"),
            "{code}"
        );
    }

    #[test]
    fn without_always_the_checks_are_gated() {
        let code = expand(&SPEC.replace("invariant always dry", "invariant dry"));
        assert_eq!(code.matches("__all &&").count(), 2);
        assert!(code.contains("if :: fsm :: CHECK_INVARIANTS {"));
    }
}
