//! The machine's API: the inherent `impl` (`new`, `phase`, getters, one
//! method per input, `INFO`) and `impl ::fsm::Machine` (snapshot, restore,
//! invariants; `apply` comes from [`super::apply`]).

use super::Gen;
use super::names::{self, docs};
use crate::model::{TStmt, TStmtKind, Ty};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

fn docs_or(lines: &[String], fallback: &str) -> TokenStream {
    if lines.is_empty() {
        quote!(#[doc = #fallback])
    } else {
        docs(lines)
    }
}

impl Gen<'_> {
    pub fn machine_impls(&self) -> TokenStream {
        let machine = &self.machine;
        let phase_ty = &self.phase_ty;
        let input_ty = &self.input_ty;
        let effect_ty = &self.effect_ty;
        let initial = self.phase_variant(self.m.initial);
        let fields = self.initial_fields();
        let info = self.info();
        let step = quote!(::fsm::Step<#phase_ty, #effect_ty>);

        let (new, key_getter) = match (&self.m.key, self.key_ident()) {
            (Some(k), Some(key)) => {
                let kty = self.ty(&k.ty);
                let doc = docs_or(&k.docs, &format!(" The key `{}` of this instance.", k.name));
                (
                    quote! {
                        /// A machine in its initial state, for `key`.
                        pub fn new(#key: #kty) -> Self {
                            Self { #key, phase: #initial, #(#fields,)* }
                        }
                    },
                    Some(quote! {
                        #doc
                        pub fn #key(&self) -> &#kty {
                            &self.#key
                        }
                    }),
                )
            }
            _ => (
                quote! {
                    /// A machine in its initial state.
                    pub fn new() -> Self {
                        Self { phase: #initial, #(#fields,)* }
                    }
                },
                None,
            ),
        };

        let field_getters = self.m.fields.iter().map(|f| {
            let name = names::ident(&f.name);
            let doc = docs_or(&f.docs, &format!(" The field `{}`.", f.name));
            let (ty, body) = self.getter(&f.ty, quote!(self.#name));
            quote! {
                #doc
                pub fn #name(&self) -> #ty {
                    #body
                }
            }
        });
        let derived_getters = self.m.derived.iter().enumerate().map(|(i, d)| {
            let name = names::ident(&d.name);
            let mut doc = docs_or(&d.docs, &format!(" The derived value `{}`.", d.name));
            let mut ty = self.ty(&d.ty);
            if self.fallible_derived.get(i).copied().unwrap_or(false) {
                ty = quote!(::core::option::Option<#ty>);
                doc.extend(quote! {
                    #[doc = ""]
                    #[doc = " `None` when evaluating it overflows."]
                });
            }
            quote! {
                #doc
                pub fn #name(&self) -> #ty {
                    self.__view().#name()
                }
            }
        });
        let input_methods = self.m.inputs.iter().map(|input| {
            let method = self.input_method(&input.name);
            let variant = names::ident(&input.name);
            let doc = docs_or(
                &input.docs,
                &format!(" Applies the input `{}`.", input.name),
            );
            let params: Vec<_> = input.params.iter().map(|p| names::ident(&p.name)).collect();
            let types = input.params.iter().map(|p| self.ty(&p.ty));
            let value = if params.is_empty() {
                quote!(#input_ty::#variant)
            } else {
                quote!(#input_ty::#variant { #(#params),* })
            };
            quote! {
                #doc
                pub fn #method(&mut self, #(#params: #types),*)
                    -> ::core::result::Result<#step, ::fsm::Rejection>
                {
                    ::fsm::Machine::apply(self, #value)
                }
            }
        });
        let consts = self
            .m
            .consts
            .iter()
            .filter(|c| self.is_const_ty(&c.ty))
            .map(|c| {
                let name = names::ident(&c.name);
                let ty = self.ty(&c.ty);
                let value = self.owned(&super::expr::Scope::constant(), &c.value);
                let doc = docs_or(&c.docs, &format!(" The constant `{}` of the spec.", c.name));
                quote! {
                    #doc
                    pub const #name: #ty = #value;
                }
            });
        let reject = (!self.m.inputs.is_empty()).then(|| {
            let name = &self.m.name;
            quote! {
                #[inline]
                fn __reject(
                    phase: #phase_ty,
                    input: &'static str,
                    kind: ::fsm::RejectionKind,
                ) -> ::fsm::Rejection {
                    ::fsm::Rejection { machine: #name, phase: phase.as_str(), input, kind }
                }
            }
        });
        let default = self.m.key.is_none().then(|| {
            quote! {
                #[automatically_derived]
                impl ::core::default::Default for #machine {
                    fn default() -> Self {
                        Self::new()
                    }
                }
            }
        });
        let trait_impl = self.trait_impl();
        quote! {
            impl #machine {
                /// The static description of the machine.
                pub const INFO: &'static ::fsm::MachineInfo = #info;

                #(#consts)*

                #new

                /// The current phase.
                pub fn phase(&self) -> #phase_ty {
                    self.phase
                }

                #key_getter
                #(#field_getters)*
                #(#derived_getters)*
                #(#input_methods)*
                #reject
            }

            #default
            #trait_impl
        }
    }

    /// Whether values of `ty` can be written in a Rust `const`.
    fn is_const_ty(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Bool | Ty::Int(_) | Ty::Phase => true,
            Ty::Enum(e) => self.enum_is_generated(*e),
            Ty::Option(t) => self.is_const_ty(t),
            _ => false,
        }
    }

    /// The return type and body of a getter of a value of type `ty` at
    /// `place`: a copy for `Copy` types, `&str` for strings, a reference
    /// otherwise.
    fn getter(&self, ty: &Ty, place: TokenStream) -> (TokenStream, TokenStream) {
        if self.is_copy(ty) {
            (self.ty(ty), place)
        } else if *ty == Ty::String {
            (quote!(&str), quote!(&#place))
        } else {
            let t = self.ty(ty);
            (quote!(&#t), quote!(&#place))
        }
    }

    fn trait_impl(&self) -> TokenStream {
        let machine = &self.machine;
        let name = &self.m.name;
        let phase_ty = &self.phase_ty;
        let input_ty = &self.input_ty;
        let effect_ty = &self.effect_ty;
        let snapshot_ty = &self.snapshot_ty;
        let schema = &self.schema_field;
        let behaviour = &self.behaviour_field;
        let (key_ty, create, key_fn) = match (&self.m.key, self.key_ident()) {
            (Some(k), Some(key)) => {
                let kty = self.ty(&k.ty);
                (
                    kty.clone(),
                    quote!(fn create(key: #kty) -> Self { Self::new(key) }),
                    quote!(fn key(&self) -> &#kty { &self.#key }),
                )
            }
            _ => (
                quote!(()),
                quote!(
                    fn create(_key: ()) -> Self {
                        Self::new()
                    }
                ),
                quote!(
                    fn key(&self) -> &() {
                        &()
                    }
                ),
            ),
        };

        // snapshot
        let key_ident = self.key_ident();
        let snap_key = key_ident
            .as_ref()
            .map(|k| quote!(#k: ::core::clone::Clone::clone(&self.#k),));
        let snap_fields = self.m.fields.iter().map(|f| {
            let n = names::ident(&f.name);
            if self.is_copy(&f.ty) {
                quote!(#n: self.#n)
            } else {
                quote!(#n: ::core::clone::Clone::clone(&self.#n))
            }
        });
        let snap_derived = self.m.derived.iter().map(|d| {
            let n = names::ident(&d.name);
            quote!(#n: self.#n())
        });

        // restore
        let restore_key = key_ident.as_ref().map(|k| quote!(#k: __snapshot.#k,));
        let restore_fields = self.m.fields.iter().map(|f| {
            let n = names::ident(&f.name);
            quote!(#n: __snapshot.#n)
        });
        let consistency = self.m.derived.iter().map(|d| {
            let n = names::ident(&d.name);
            let text = &d.name;
            quote! {
                let __recomputed = __machine.#n();
                if __recomputed != __snapshot.#n {
                    return ::core::result::Result::Err(::fsm::RestoreError::Inconsistent {
                        machine: #name,
                        reason: ::std::format!(
                            "derived value `{}` is {:?} in the snapshot but {:?} in its state",
                            #text,
                            __snapshot.#n,
                            __recomputed,
                        ),
                    });
                }
            }
        });
        let check = if self.m.invariants.is_empty() {
            quote!(::core::result::Result::Ok(()))
        } else {
            quote! {
                match self.__view().__failing_invariant(true) {
                    ::core::option::Option::Some(invariant) => {
                        ::core::result::Result::Err(::fsm::InvariantViolation { machine: #name, invariant })
                    }
                    ::core::option::Option::None => ::core::result::Result::Ok(()),
                }
            }
        };
        let apply = self.apply_body();
        let terminal: Vec<_> = self
            .m
            .phases
            .iter()
            .filter(|p| p.terminal)
            .map(|p| names::ident(&p.name))
            .collect();
        let is_terminal = if terminal.is_empty() {
            TokenStream::new()
        } else {
            quote! {
                fn is_terminal(&self) -> bool {
                    ::core::matches!(self.phase, #(#phase_ty::#terminal)|*)
                }
            }
        };
        quote! {
            #[automatically_derived]
            impl ::fsm::Machine for #machine {
                type Phase = #phase_ty;
                type Input = #input_ty;
                type Effect = #effect_ty;
                type Snapshot = #snapshot_ty;
                type Key = #key_ty;

                const INFO: &'static ::fsm::MachineInfo = #machine::INFO;

                #create

                #key_fn

                fn phase(&self) -> #phase_ty {
                    self.phase
                }

                fn apply(
                    &mut self,
                    input: #input_ty,
                ) -> ::core::result::Result<::fsm::Step<#phase_ty, #effect_ty>, ::fsm::Rejection> {
                    #apply
                }

                fn snapshot(&self) -> #snapshot_ty {
                    #snapshot_ty {
                        #schema: ::std::string::ToString::to_string(#machine::INFO.schema),
                        #behaviour: #machine::INFO.behaviour,
                        #snap_key
                        phase: self.phase,
                        #(#snap_fields,)*
                        #(#snap_derived,)*
                    }
                }

                fn restore_with(
                    __snapshot: #snapshot_ty,
                    __policy: ::fsm::RestorePolicy,
                ) -> ::core::result::Result<Self, ::fsm::RestoreError> {
                    if __snapshot.#schema != #machine::INFO.schema {
                        return ::core::result::Result::Err(::fsm::RestoreError::Schema {
                            machine: #name,
                            expected: #machine::INFO.schema,
                            found: __snapshot.#schema,
                        });
                    }
                    if __policy == ::fsm::RestorePolicy::Strict
                        && __snapshot.#behaviour != #machine::INFO.behaviour
                    {
                        return ::core::result::Result::Err(::fsm::RestoreError::Behaviour {
                            machine: #name,
                            expected: #machine::INFO.behaviour,
                            found: __snapshot.#behaviour,
                        });
                    }
                    let __machine = Self {
                        #restore_key
                        phase: __snapshot.phase,
                        #(#restore_fields,)*
                    };
                    #(#consistency)*
                    ::fsm::Machine::check_invariants(&__machine)?;
                    ::core::result::Result::Ok(__machine)
                }

                fn check_invariants(&self) -> ::core::result::Result<(), ::fsm::InvariantViolation> {
                    #check
                }

                #is_terminal
            }
        }
    }

    /// The `MachineInfo` literal.
    fn info(&self) -> TokenStream {
        let m = self.m;
        let name = &m.name;
        let schema = crate::versions::schema_version(m).to_string();
        let behaviour = Literal::u64_suffixed(crate::versions::behaviour_version(m));
        let phases = m.phases.iter().map(|p| p.name.as_str());
        let initial = m.phase_name(m.initial);
        let terminal = m
            .phases
            .iter()
            .filter(|p| p.terminal)
            .map(|p| p.name.as_str());
        let inputs = m.inputs.iter().map(|i| i.name.as_str());
        let effects = m.effects.iter().map(|e| e.name.as_str());
        let invariants = m.invariants.iter().map(|i| i.name.as_str());
        let transitions = m.transitions.iter().map(|t| {
            let tname = &t.name;
            let input = m.input(t.input).map_or("?", |i| i.name.as_str());
            let sources = t.sources.iter().map(|p| m.phase_name(*p));
            let target = match t.target {
                Some(p) => {
                    let p = m.phase_name(p);
                    quote!(::core::option::Option::Some(#p))
                }
                None => quote!(::core::option::Option::None),
            };
            let guards = t.guards.iter().map(|g| g.name.as_str());
            let effects = emitted_effects(&t.body)
                .into_iter()
                .map(|e| m.effect(e).map_or("?", |e| e.name.as_str()));
            let surely = surely_emitted(&t.body);
            let always_emits = emitted_effects(&t.body)
                .into_iter()
                .filter(|e| surely.contains(e))
                .map(|e| m.effect(e).map_or("?", |e| e.name.as_str()));
            let writes = written_fields(&t.body)
                .into_iter()
                .map(|f| m.field(f).map_or("?", |f| f.name.as_str()));
            quote! {
                ::fsm::TransitionInfo {
                    name: #tname,
                    input: #input,
                    sources: &[#(#sources),*],
                    target: #target,
                    guards: &[#(#guards),*],
                    effects: &[#(#effects),*],
                    always_emits: &[#(#always_emits),*],
                    writes: &[#(#writes),*],
                }
            }
        });
        let ignored = m
            .ignores
            .iter()
            .map(|i| m.input(i.input).map_or("?", |i| i.name.as_str()));
        quote! {
            &::fsm::MachineInfo {
                name: #name,
                schema: #schema,
                behaviour: #behaviour,
                phases: &[#(#phases),*],
                initial: #initial,
                terminal: &[#(#terminal),*],
                inputs: &[#(#inputs),*],
                effects: &[#(#effects),*],
                transitions: &[#(#transitions),*],
                ignored_inputs: &[#(#ignored),*],
                invariants: &[#(#invariants),*],
            }
        }
    }
}

/// The fields a block may write, in declaration order.
pub(crate) fn written_fields(body: &[TStmt]) -> std::collections::BTreeSet<crate::model::FieldId> {
    let mut out = std::collections::BTreeSet::new();
    for s in body {
        s.walk(&mut |s| match &s.kind {
            TStmtKind::Assign { field, .. }
            | TStmtKind::Insert { field, .. }
            | TStmtKind::Remove { field, .. }
            | TStmtKind::Push { field, .. }
            | TStmtKind::Clear { field } => {
                out.insert(*field);
            }
            TStmtKind::Emit { .. } | TStmtKind::If { .. } => {}
        });
    }
    out
}

/// The effects a block emits whichever way its `if`s go.
pub(crate) fn surely_emitted(body: &[TStmt]) -> std::collections::BTreeSet<crate::model::EffectId> {
    let mut out = std::collections::BTreeSet::new();
    for s in body {
        match &s.kind {
            TStmtKind::Emit { effect, .. } => {
                out.insert(*effect);
            }
            TStmtKind::If {
                then, otherwise, ..
            } => {
                let otherwise = surely_emitted(otherwise);
                out.extend(surely_emitted(then).intersection(&otherwise).copied());
            }
            _ => {}
        }
    }
    out
}

/// The effects a block may emit, in order of first appearance.
pub(crate) fn emitted_effects(body: &[TStmt]) -> Vec<crate::model::EffectId> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for s in body {
        s.walk(&mut |s| {
            if let TStmtKind::Emit { effect, .. } = &s.kind
                && seen.insert(*effect)
            {
                out.push(*effect);
            }
        });
    }
    out
}
