//! The generated types: the phase enum, the spec's enums, the input and
//! effect enums, the snapshot struct, the machine struct and, for a keyed
//! machine, the registry alias.

use super::names::{self, docs};
use super::{Gen, expr::Scope};
use crate::model::{Signature, Ty, Variant};
use proc_macro2::TokenStream;
use quote::quote;

/// The derives of every plain enum (phases and spec enums).
fn enum_derives() -> TokenStream {
    quote! {
        #[derive(
            ::core::fmt::Debug,
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            ::core::hash::Hash,
            ::core::cmp::PartialOrd,
            ::core::cmp::Ord,
            ::fsm::__private::serde::Serialize,
            ::fsm::__private::serde::Deserialize,
        )]
        #[serde(crate = "::fsm::__private::serde")]
    }
}

/// The derives of the input and effect enums and the snapshot.
fn data_derives() -> TokenStream {
    quote! {
        #[derive(
            ::core::fmt::Debug,
            ::core::clone::Clone,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            ::fsm::__private::serde::Serialize,
            ::fsm::__private::serde::Deserialize,
        )]
        #[serde(crate = "::fsm::__private::serde")]
    }
}

/// The spec's doc lines, or `fallback` when there are none.
fn docs_or(lines: &[String], fallback: &str) -> TokenStream {
    if lines.is_empty() {
        quote!(#[doc = #fallback])
    } else {
        docs(lines)
    }
}

impl Gen<'_> {
    pub fn items(&self) -> TokenStream {
        let mut out = TokenStream::new();
        out.extend(self.phase_enum());
        for (i, e) in self.m.enums.iter().enumerate() {
            if self.enum_is_generated(crate::model::EnumId::from_index(i)) {
                let name = names::ident(&e.name);
                let doc = docs_or(&e.docs, &format!(" The enum `{}` of the spec.", e.name));
                out.extend(plain_enum(&name, doc, &e.variants));
            } else {
                // A bound enum: the spec's variant list must be exactly the
                // Rust enum's, which an exhaustive match proves at compile
                // time (a missing variant is a non-exhaustive match, an
                // extra one an unknown variant).
                let path = self.enum_ty(crate::model::EnumId::from_index(i));
                let arms = e.variants.iter().map(|v| {
                    let v = names::ident(&v.name);
                    quote! { #path::#v => {} }
                });
                out.extend(quote! {
                    const _: fn(#path) = |__value: #path| match __value { #(#arms)* };
                });
            }
        }
        out.extend(self.signature_enum(
            &self.input_ty,
            &self.m.inputs,
            &format!(" The inputs of [`{}`].", self.machine),
        ));
        out.extend(self.signature_enum(
            &self.effect_ty,
            &self.m.effects,
            &format!(
                " The effects [`{}`] returns from accepted inputs.",
                self.machine
            ),
        ));
        out.extend(self.snapshot_struct());
        out.extend(self.machine_struct());
        out
    }

    fn phase_enum(&self) -> TokenStream {
        let doc = format!(" The phases of [`{}`].", self.machine);
        let variants: Vec<Variant> = self
            .m
            .phases
            .iter()
            .map(|p| Variant {
                name: p.name.clone(),
                docs: p.docs.clone(),
                span: p.span,
            })
            .collect();
        plain_enum(&self.phase_ty, quote!(#[doc = #doc]), &variants)
    }

    /// The input or the effect enum: one variant per signature, with named
    /// fields for the parameters, and `name()`.
    fn signature_enum(
        &self,
        ty: &proc_macro2::Ident,
        sigs: &[Signature],
        doc: &str,
    ) -> TokenStream {
        let derives = data_derives();
        let variants = sigs.iter().map(|sig| {
            let name = names::ident(&sig.name);
            let doc = docs(&sig.docs);
            if sig.params.is_empty() {
                quote!(#doc #name)
            } else {
                let params = sig.params.iter().map(|p| {
                    let pname = names::ident(&p.name);
                    let pty = self.ty(&p.ty);
                    let pdoc = docs(&p.docs);
                    quote!(#pdoc #pname: #pty)
                });
                quote!(#doc #name { #(#params),* })
            }
        });
        let arms = sigs.iter().map(|sig| {
            let name = names::ident(&sig.name);
            let text = &sig.name;
            if sig.params.is_empty() {
                quote!(Self::#name => #text)
            } else {
                quote!(Self::#name { .. } => #text)
            }
        });
        let body = if sigs.is_empty() {
            quote!(match *self {})
        } else {
            quote!(match self { #(#arms,)* })
        };
        quote! {
            #[doc = #doc]
            #[allow(missing_docs)]
            #derives
            pub enum #ty {
                #(#variants,)*
            }

            impl #ty {
                /// The name of the variant, as written in the spec.
                pub fn name(&self) -> &'static str {
                    #body
                }
            }
        }
    }

    fn snapshot_struct(&self) -> TokenStream {
        let derives = data_derives();
        let ty = &self.snapshot_ty;
        let phase_ty = &self.phase_ty;
        let schema = &self.schema_field;
        let behaviour = &self.behaviour_field;
        let doc = format!(
            " The whole state of [`{}`], as `snapshot` gives it and `restore` takes it.",
            self.machine
        );
        let key = self.m.key.as_ref().map(|k| {
            let name = names::ident(&k.name);
            let kty = self.ty(&k.ty);
            let doc = docs(&k.docs);
            quote!(#doc pub #name: #kty,)
        });
        // serde reads a missing `Option` field as `None`; a snapshot that
        // lacks a field is refused instead, naming it.
        let required = quote!(#[serde(deserialize_with = "::fsm::__private::required")]);
        let fields = self.m.fields.iter().map(|f| {
            let name = names::ident(&f.name);
            let fty = self.ty(&f.ty);
            let doc = docs(&f.docs);
            let required = matches!(f.ty, Ty::Option(_)).then_some(&required);
            quote!(#doc #required pub #name: #fty)
        });
        let derived = self.m.derived.iter().enumerate().map(|(i, d)| {
            let name = names::ident(&d.name);
            let mut dty = self.ty(&d.ty);
            let fallible = self.fallible_derived.get(i).copied().unwrap_or(false);
            if fallible {
                dty = quote!(::core::option::Option<#dty>);
            }
            let required = (fallible || matches!(d.ty, Ty::Option(_))).then_some(&required);
            let doc = docs(&d.docs);
            quote!(#doc #required pub #name: #dty)
        });
        quote! {
            #[doc = #doc]
            #[allow(missing_docs)]
            #derives
            pub struct #ty {
                /// The schema id of the spec the snapshot was taken with
                /// (16 hex digits).
                pub #schema: ::std::string::String,
                /// The behaviour version of the spec the snapshot was taken
                /// with.
                pub #behaviour: u64,
                #key
                pub phase: #phase_ty,
                #(#fields,)*
                #(#derived,)*
            }
        }
    }

    fn machine_struct(&self) -> TokenStream {
        let name = &self.machine;
        let phase_ty = &self.phase_ty;
        let doc = docs_or(
            &self.m.docs,
            &format!(" The state machine `{}`.", self.m.name),
        );
        let key = self.m.key.as_ref().map(|k| {
            let kname = names::ident(&k.name);
            let kty = self.ty(&k.ty);
            quote!(#kname: #kty,)
        });
        let fields = self.m.fields.iter().map(|f| {
            let fname = names::ident(&f.name);
            let fty = self.ty(&f.ty);
            quote!(#fname: #fty)
        });
        let registry = self.m.key.as_ref().map(|_| {
            let registry = &self.registry_ty;
            let doc = format!(" The instances of [`{name}`], one per key.");
            quote! {
                #[doc = #doc]
                pub type #registry = ::fsm::Registry<#name>;
            }
        });
        quote! {
            #doc
            #[derive(
                ::core::fmt::Debug,
                ::core::clone::Clone,
                ::core::cmp::PartialEq,
                ::core::cmp::Eq,
            )]
            pub struct #name {
                #key
                phase: #phase_ty,
                #(#fields,)*
            }

            #registry
        }
    }

    /// The initial value of every field, as `name: value`.
    pub fn initial_fields(&self) -> Vec<TokenStream> {
        let scope = Scope::constant();
        self.m
            .fields
            .iter()
            .map(|f| {
                let name = names::ident(&f.name);
                let value = self.owned(&scope, &f.init);
                quote!(#name: #value)
            })
            .collect()
    }
}

/// A field-less enum with `ALL`, `as_str` and `Display`.
fn plain_enum(name: &proc_macro2::Ident, doc: TokenStream, variants: &[Variant]) -> TokenStream {
    let derives = enum_derives();
    let decls = variants.iter().map(|v| {
        let vname = names::ident(&v.name);
        let vdoc = docs(&v.docs);
        quote!(#vdoc #vname)
    });
    let idents: Vec<_> = variants.iter().map(|v| names::ident(&v.name)).collect();
    let texts = variants.iter().map(|v| v.name.as_str());
    let count = proc_macro2::Literal::usize_unsuffixed(variants.len());
    let as_str = if variants.is_empty() {
        quote!(match self {})
    } else {
        quote!(match self { #(Self::#idents => #texts,)* })
    };
    quote! {
        #doc
        #[allow(missing_docs)]
        #derives
        pub enum #name {
            #(#decls,)*
        }

        impl #name {
            /// Every variant, in declaration order (which is also their order).
            pub const ALL: [Self; #count] = [#(Self::#idents),*];

            /// The name of the variant, as written in the spec.
            pub const fn as_str(self) -> &'static str {
                #as_str
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}
