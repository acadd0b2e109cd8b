//! Code generation: the checked [`Model`] of one machine to Rust tokens.
//!
//! [`generate`] reads only the model and returns the items the `machine!`
//! proc-macro expands to (and `fsm expand` prints). For a machine `M`:
//!
//! - types ([`items`]): `MPhase`, the spec's enums, `MInput`, `MEffect`,
//!   `MSnapshot`, the machine struct `M`, and for a keyed machine the alias
//!   `MRegistry`;
//! - `impl ::fsm::Machine for M` and the inherent API ([`machine`]): `new`,
//!   `phase`, one method per input, getters, `INFO`, snapshot and restore;
//! - `apply` ([`apply`]): a native `match` on the input and then on the
//!   phase, one private method per transition;
//! - a private *view* of the state ([`view`]) that derived values and
//!   invariants are evaluated on, so they read the same code whether the
//!   state is the machine's or a transition's staged copy.
//!
//! The generated code names only `::fsm`, `::core` and `::std` (and the
//! paths of the spec's externs), uses checked arithmetic everywhere, and
//! contains nothing that can panic.

mod apply;
mod expr;
mod items;
mod machine;
pub mod names;
mod view;

use crate::model::{DerivedId, EnumId, FieldId, Model, PhaseId, Ty, VariantId};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// Generates the Rust items for `model`.
///
/// A model whose names would clash in Rust (say an input `Release` and a
/// field `release`, which both want the method `release`) yields a
/// `compile_error!` naming the clash instead.
pub fn generate(model: &Model) -> TokenStream {
    let g = Gen::new(model);
    if let Some(message) = g.name_clash() {
        let machine = &g.machine;
        return quote! {
            ::core::compile_error!(#message);
            pub struct #machine;
        };
    }
    let mut out = TokenStream::new();
    out.extend(g.items());
    out.extend(g.view());
    out.extend(g.machine_impls());
    out.extend(g.apply_impl());
    out
}

/// What every part of codegen shares: the model and the names derived from
/// it.
pub(crate) struct Gen<'a> {
    pub m: &'a Model,
    pub machine: Ident,
    pub phase_ty: Ident,
    pub input_ty: Ident,
    pub effect_ty: Ident,
    pub snapshot_ty: Ident,
    pub registry_ty: Ident,
    pub view_ty: Ident,
    /// Per derived value: whether evaluating it can overflow (its getter then
    /// returns an `Option`).
    pub fallible_derived: Vec<bool>,
    /// Per derived value: the fields it reads, directly or through other
    /// derived values.
    pub derived_reads: Vec<Reads>,
    /// What the view holds: everything derived values and invariants read.
    pub view_reads: Reads,
    /// The name of the snapshot's schema id field (`schema`, or
    /// `spec_schema` when a spec name takes it).
    pub schema_field: Ident,
    /// The name of the snapshot's behaviour version field (`behaviour`, or
    /// `spec_behaviour`).
    pub behaviour_field: Ident,
}

/// The parts of the state an expression reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reads {
    pub fields: std::collections::BTreeSet<FieldId>,
    pub key: bool,
    pub phase: bool,
}

impl Reads {
    fn add(&mut self, other: &Reads) {
        self.fields.extend(other.fields.iter().copied());
        self.key |= other.key;
        self.phase |= other.phase;
    }
}

impl<'a> Gen<'a> {
    fn new(m: &'a Model) -> Self {
        let name = names::ident(&m.name);
        let base = name.to_string();
        let base = base.trim_start_matches("r#");
        let mut g = Gen {
            m,
            machine: name.clone(),
            phase_ty: format_ident!("{base}Phase"),
            input_ty: format_ident!("{base}Input"),
            effect_ty: format_ident!("{base}Effect"),
            snapshot_ty: format_ident!("{base}Snapshot"),
            registry_ty: format_ident!("{base}Registry"),
            view_ty: format_ident!("__{base}View"),
            fallible_derived: Vec::new(),
            derived_reads: Vec::new(),
            view_reads: Reads::default(),
            schema_field: format_ident!("schema"),
            behaviour_field: format_ident!("behaviour"),
        };
        for d in &m.derived {
            let fallible = g.expr_fallible(&d.expr);
            let reads = g.expr_reads(&d.expr);
            g.fallible_derived.push(fallible);
            g.derived_reads.push(reads);
        }
        let mut view_reads = Reads::default();
        for r in &g.derived_reads {
            view_reads.add(r);
        }
        for inv in &m.invariants {
            view_reads.add(&g.expr_reads(&inv.expr));
        }
        g.view_reads = view_reads;
        let taken = |n: &str| {
            m.fields.iter().any(|f| f.name == n)
                || m.derived.iter().any(|d| d.name == n)
                || m.key.as_ref().is_some_and(|k| k.name == n)
        };
        if taken("schema") {
            g.schema_field = format_ident!("spec_schema");
        }
        if taken("behaviour") {
            g.behaviour_field = format_ident!("spec_behaviour");
        }
        g
    }

    /// The Rust type of a spec type.
    pub fn ty(&self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Bool => quote!(bool),
            Ty::Int(i) => {
                let t = names::internal(i.name());
                quote!(#t)
            }
            Ty::String => quote!(::std::string::String),
            Ty::Option(t) => {
                let t = self.ty(t);
                quote!(::core::option::Option<#t>)
            }
            Ty::Set(t) => {
                let t = self.ty(t);
                quote!(::std::collections::BTreeSet<#t>)
            }
            Ty::Map(k, v) => {
                let k = self.ty(k);
                let v = self.ty(v);
                quote!(::std::collections::BTreeMap<#k, #v>)
            }
            Ty::List(t) => {
                let t = self.ty(t);
                quote!(::std::vec::Vec<#t>)
            }
            Ty::Enum(e) => self.enum_ty(*e),
            Ty::Phase => {
                let p = &self.phase_ty;
                quote!(#p)
            }
            Ty::Extern(e) => match self.m.extern_def(*e) {
                Some(ext) => names::path(&ext.path),
                None => quote!(::core::compile_error!("unknown extern type")),
            },
        }
    }

    /// Whether values of `ty` are `Copy` in the generated code (so reads
    /// copy instead of cloning).
    pub fn is_copy(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Bool | Ty::Int(_) | Ty::Phase => true,
            // A bound Rust enum has unit variants only and is required to
            // be `Copy` like a generated one.
            Ty::Enum(_) => true,
            Ty::Option(t) => self.is_copy(t),
            Ty::String | Ty::Set(_) | Ty::Map(..) | Ty::List(_) | Ty::Extern(_) => false,
        }
    }

    /// Whether the spec enum is generated here (as opposed to bound to an
    /// existing Rust enum).
    pub fn enum_is_generated(&self, e: EnumId) -> bool {
        self.m
            .enum_def(e)
            .is_some_and(|def| def.rust_path.is_none())
    }

    /// The enum's type: the generated enum, or the Rust enum it is bound to.
    pub fn enum_ty(&self, e: EnumId) -> TokenStream {
        match self.m.enum_def(e) {
            Some(def) => match &def.rust_path {
                Some(path) => names::path(path),
                None => {
                    let name = names::ident(&def.name);
                    quote!(#name)
                }
            },
            None => quote!(::core::compile_error!("unknown enum")),
        }
    }

    pub fn variant(&self, e: EnumId, v: VariantId) -> TokenStream {
        let ty = self.enum_ty(e);
        let variant = names::ident(self.m.variant_name(e, v));
        quote!(#ty::#variant)
    }

    pub fn phase_variant(&self, p: PhaseId) -> TokenStream {
        let ty = &self.phase_ty;
        let variant = names::ident(self.m.phase_name(p));
        quote!(#ty::#variant)
    }

    pub fn field_ty(&self, f: FieldId) -> Option<&'a Ty> {
        self.m.field(f).map(|f| &f.ty)
    }

    pub fn derived_ident(&self, d: DerivedId) -> Ident {
        names::ident(
            self.m
                .derived_value(d)
                .map_or("__fsm_unknown_derived", |d| d.name.as_str()),
        )
    }

    pub fn derived_fallible(&self, d: DerivedId) -> bool {
        self.fallible_derived
            .get(d.index())
            .copied()
            .unwrap_or(false)
    }

    pub fn key_ident(&self) -> Option<Ident> {
        self.m.key.as_ref().map(|k| names::ident(&k.name))
    }

    /// The Rust method name of an input's convenience method.
    pub fn input_method(&self, name: &str) -> Ident {
        names::ident(&names::snake_case(name))
    }

    /// A clash between generated names, as a message for `compile_error!`.
    fn name_clash(&self) -> Option<String> {
        let m = self.m;
        let mut types: BTreeMap<String, String> = BTreeMap::new();
        let mut clash = None;
        let mut claim = |map: &mut BTreeMap<String, String>, name: String, owner: String| {
            if let Some(previous) = map.get(&name) {
                if clash.is_none() {
                    clash = Some(format!(
                        "cannot generate machine `{}`: {previous} and {owner} both need the Rust name `{name}`",
                        m.name
                    ));
                }
            } else {
                map.insert(name, owner);
            }
        };
        let machine = format!("machine `{}`", m.name);
        for (ty, what) in [
            (&self.machine, machine.clone()),
            (&self.phase_ty, format!("the phase enum of {machine}")),
            (&self.input_ty, format!("the input enum of {machine}")),
            (&self.effect_ty, format!("the effect enum of {machine}")),
            (&self.snapshot_ty, format!("the snapshot of {machine}")),
        ] {
            claim(&mut types, ty.to_string(), what);
        }
        if m.key.is_some() {
            claim(
                &mut types,
                self.registry_ty.to_string(),
                format!("the registry of {machine}"),
            );
        }
        for e in m.enums.iter().filter(|e| e.rust_path.is_none()) {
            claim(
                &mut types,
                names::ident(&e.name).to_string(),
                format!("enum `{}`", e.name),
            );
        }
        let mut methods: BTreeMap<String, String> = BTreeMap::new();
        claim(&mut methods, "new".into(), "the constructor".into());
        claim(&mut methods, "phase".into(), "the phase getter".into());
        claim(
            &mut methods,
            "INFO".into(),
            "the machine description".into(),
        );
        for c in &m.consts {
            claim(
                &mut methods,
                names::ident(&c.name).to_string(),
                format!("constant `{}`", c.name),
            );
        }
        if let Some(k) = &m.key {
            claim(
                &mut methods,
                names::ident(&k.name).to_string(),
                format!("key `{}`", k.name),
            );
        }
        for f in &m.fields {
            claim(
                &mut methods,
                names::ident(&f.name).to_string(),
                format!("field `{}`", f.name),
            );
        }
        for d in &m.derived {
            claim(
                &mut methods,
                names::ident(&d.name).to_string(),
                format!("derived value `{}`", d.name),
            );
        }
        for i in &m.inputs {
            claim(
                &mut methods,
                self.input_method(&i.name).to_string(),
                format!("input `{}`", i.name),
            );
        }
        clash
    }
}
