//! The stand-in items `machine!` emits next to the errors of a spec that
//! does not compile, so that the code using the machine adds no errors of
//! its own: the spec's diagnostics are the only ones the user reads.
//!
//! The stub is read from the parse tree (there is no checked model), and
//! declares what code around a machine names: the machine type, its
//! `…Phase` (with the phases as variants), `…Input`, `…Effect` and
//! `…Snapshot` types, `impl ::fsm::Machine` (so `Shared<M>`, `Registry<M>`,
//! `impl Authority<M>`, `impl FromDrive<M>` and `impl FromQuery<M, T>` are
//! well-formed), `new`, `phase`, `INFO`, and one method per input taking
//! any arguments. A keyed machine's key has its type when the spec writes
//! it plainly (a scalar, `String`, an extern), `()` otherwise. The variants
//! of inputs and effects and the getters have no stand-in: their types come
//! from the spec, which is broken.
//!
//! No body of the stub can run: it is only ever emitted beside a
//! `compile_error!`, so the crate that holds it never builds. The bodies
//! are `unreachable!` (or a `match` on an empty input or snapshot type). The
//! machine type itself is an ordinary struct, not an empty enum: a call of
//! `new()` that returned an uninhabited type would make rustc warn that the
//! code after it is unreachable, a report about the stub, not the user's
//! code.

use fsm_core::ast::{File, Ident as AstIdent, ItemKind, TypeExpr};
use fsm_core::codegen::names;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// The name of the associated constant that marks a stub: `#[fsm::implement]`
/// on a broken spec reads it, so that it leaves the report of the spec's
/// errors to `machine!` only when the machine in scope is this stub.
pub(crate) const MARKER: &str = "__FSM_SPEC_HAS_ERRORS";

/// The machine's name as the parse tree has it, when it has one.
pub(crate) fn machine_name(ast: Option<&File>) -> Option<&str> {
    ast.and_then(|file| file.machines.first())
        .map(|m| m.name.name.as_str())
        .filter(|n| is_identifier(n))
}

/// Whether codegen would name `name` as it is (not `__fsm_invalid_name`).
fn is_identifier(name: &str) -> bool {
    names::ident(name) != "__fsm_invalid_name"
}

/// The stub of the first machine of `ast`; nothing when it has no name.
pub(crate) fn stub(ast: Option<&File>) -> TokenStream {
    let Some(name) = machine_name(ast) else {
        return TokenStream::new();
    };
    let Some(machine) = ast.and_then(|file| file.machines.first()) else {
        return TokenStream::new();
    };
    let ident = names::ident(name);
    let base = name.trim_start_matches("r#");
    let phase_ty = format_ident!("{base}Phase");
    let input_ty = format_ident!("{base}Input");
    let effect_ty = format_ident!("{base}Effect");
    let snapshot_ty = format_ident!("{base}Snapshot");
    let marker = format_ident!("{MARKER}");

    let mut phases: Vec<&str> = Vec::new();
    let mut inputs: Vec<(Ident, usize)> = Vec::new();
    let mut key = None;
    let mut externs = Vec::new();
    // Names the stub defines itself: an input method of the same name would
    // be a second definition.
    let mut methods: Vec<String> = ["new", "phase", "key", "snapshot", "restore", "apply"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for item in &machine.items {
        match &item.kind {
            ItemKind::Phases(list) => {
                for v in list {
                    let n = v.name.name.as_str();
                    if is_identifier(n) && !phases.contains(&n) {
                        phases.push(n);
                    }
                }
            }
            ItemKind::Input(sig) => {
                let method = names::snake_case(&sig.name.name);
                if is_identifier(&method) && !methods.contains(&method) {
                    inputs.push((names::ident(&method), sig.params.len()));
                    methods.push(method);
                }
            }
            ItemKind::Key { ty, .. } => key = Some(ty),
            ItemKind::Extern { name, path } => {
                externs.push((name.name.as_str(), path));
            }
            _ => {}
        }
    }
    // The key's type when it is plainly written (a scalar, `String` or an
    // extern): then `Registry<Door>` and `impl KeyedAuthority<Door>` over
    // it add no errors either; `()` otherwise.
    let key_ty = key.map(|ty| key_type(ty, &externs));
    let keyed = key.is_some();
    let key_ty = key_ty.flatten().unwrap_or_else(|| quote!(()));
    let phase_variants = phases.iter().map(|p| names::ident(p));
    let unreachable = quote!(::core::unreachable!("the spec has errors"));
    let input_methods = inputs.iter().map(|(method, arity)| {
        let args = (0..*arity).map(|i| {
            let arg = format_ident!("_arg{i}");
            quote!(#arg: impl ::core::marker::Sized)
        });
        quote! {
            pub fn #method(&mut self, #(#args),*) -> ::core::result::Result<::fsm::Step<#phase_ty, #effect_ty>, ::fsm::Rejection> {
                #unreachable
            }
        }
    });
    let new = if keyed {
        quote!(pub fn new(_key: #key_ty) -> Self { #unreachable })
    } else {
        quote!(pub fn new() -> Self { #unreachable })
    };
    let empty = quote!(&[]);
    quote! {
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #ident {
            _spec_has_errors: (),
        }

        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum #phase_ty { #(#phase_variants),* }

        impl ::core::fmt::Display for #phase_ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(self, f)
            }
        }

        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum #input_ty {}

        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum #effect_ty {}

        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum #snapshot_ty {}

        impl #ident {
            #[doc(hidden)]
            pub const #marker: () = ();

            pub const INFO: &'static ::fsm::MachineInfo = &::fsm::MachineInfo {
                name: #name,
                schema: "",
                behaviour: 0,
                phases: #empty,
                initial: "",
                terminal: #empty,
                inputs: #empty,
                effects: #empty,
                transitions: #empty,
                ignored_inputs: #empty,
                invariants: #empty,
            };

            #new

            pub fn phase(&self) -> #phase_ty {
                #unreachable
            }

            #(#input_methods)*
        }

        impl ::fsm::Machine for #ident {
            type Phase = #phase_ty;
            type Input = #input_ty;
            type Effect = #effect_ty;
            type Snapshot = #snapshot_ty;
            type Key = #key_ty;
            const INFO: &'static ::fsm::MachineInfo = #ident::INFO;

            fn create(_key: #key_ty) -> Self {
                #unreachable
            }
            fn key(&self) -> &#key_ty {
                #unreachable
            }
            fn phase(&self) -> #phase_ty {
                #unreachable
            }
            fn apply(&mut self, input: #input_ty) -> ::core::result::Result<::fsm::Step<#phase_ty, #effect_ty>, ::fsm::Rejection> {
                match input {}
            }
            fn snapshot(&self) -> #snapshot_ty {
                #unreachable
            }
            fn restore_with(snapshot: #snapshot_ty, _policy: ::fsm::RestorePolicy) -> ::core::result::Result<Self, ::fsm::RestoreError> {
                match snapshot {}
            }
            fn check_invariants(&self) -> ::core::result::Result<(), ::fsm::InvariantViolation> {
                #unreachable
            }
        }
    }
}

/// The Rust type of a key written `ty`, when it is a scalar, `String` or an
/// extern of the spec.
fn key_type(ty: &TypeExpr, externs: &[(&str, &Vec<AstIdent>)]) -> Option<TokenStream> {
    if !ty.args.is_empty() {
        return None;
    }
    let name = ty.name.name.as_str();
    const PLAIN: &[&str] = &[
        "bool", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "String",
    ];
    if PLAIN.contains(&name) {
        let ident = format_ident!("{name}");
        return Some(if name == "String" {
            quote!(::std::string::String)
        } else {
            quote!(#ident)
        });
    }
    let (_, path) = externs.iter().find(|(n, _)| *n == name)?;
    let text = path
        .iter()
        .map(|segment| segment.name.as_str())
        .collect::<Vec<_>>()
        .join("::");
    Some(names::path(&text))
}
