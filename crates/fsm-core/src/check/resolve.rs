//! Declarations. Collects the items of one machine into symbol tables, gives
//! every definition its index, resolves written types, and reports what is
//! wrong among the declarations themselves: duplicates, shadowing, the
//! phase set (`initial`, `terminal`, named phase sets, no phases), cycles
//! among derived values and cycles among actions.
//!
//! After this pass: each name table maps a name to its *first* definition
//! (later duplicates are reported and keep their own index); every declared
//! type is resolved (`None` when it failed, already reported); `initial` is
//! resolved when it can be; every phase set is resolved (`None` when a
//! member failed); `derived` is in dependency order (the members of a
//! cycle, reported, come in declaration order); `action_order` lists the
//! actions each after the actions it uses (the members of a cycle are left
//! out and marked). No expression has been looked at beyond the names a
//! derived value reads and the actions a block uses.

use super::{MAX_DEPTH, duplicate, types, unknown};
use crate::ast::{self, Ident};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    ConstId, DerivedId, EffectId, EnumId, ExternId, FieldId, GuardId, InputId, ParamId, PhaseId,
    Ty, TyNames, VariantId,
};
use crate::span::Span;
use std::collections::{BTreeSet, HashMap};

/// Index into `Symbols::actions`.
pub(super) type ActionId = usize;

pub(super) struct ExternSym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub path: String,
}

pub(super) struct EnumSym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub rust_path: Option<String>,
    pub variants: &'a [ast::Variant],
    pub variant_by_name: HashMap<String, VariantId>,
}

pub(super) struct PhaseSym<'a> {
    pub def: &'a ast::Variant,
    pub terminal: bool,
}

/// `phases Name = A | B`.
pub(super) struct PhaseSetSym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    /// Sorted and deduplicated; `None` when a member failed (reported).
    pub phases: Option<Vec<PhaseId>>,
}

pub(super) struct ConstSym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub ty: Option<Ty>,
    pub value: &'a ast::Expr,
}

pub(super) struct KeySym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub ty: Option<Ty>,
}

pub(super) struct FieldSym<'a> {
    pub def: &'a ast::Field,
    pub ty: Option<Ty>,
}

pub(super) struct DerivedSym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub ty: Option<Ty>,
    pub expr: &'a ast::Expr,
}

pub(super) struct SigSym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub params: Vec<ParamSym<'a>>,
    pub param_by_name: HashMap<String, ParamId>,
}

pub(super) struct ParamSym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub ty: Option<Ty>,
    /// It has the name of a field, derived value, constant or the key
    /// (reported): reads and writes of the name are then not checked.
    pub shadows: bool,
}

/// A machine-level guard (an entry of `guards { }`).
pub(super) struct GuardSym<'a> {
    pub def: &'a ast::MachineGuard,
    pub params: Vec<ParamSym<'a>>,
    pub param_by_name: HashMap<String, ParamId>,
}

pub(super) struct ActionSym<'a> {
    pub def: &'a ast::Action,
    pub params: Vec<ParamSym<'a>>,
    pub param_by_name: HashMap<String, ParamId>,
    /// In a cycle of actions using each other (reported).
    pub in_cycle: bool,
}

pub(super) struct InvariantSym<'a> {
    pub name: &'a Ident,
    pub docs: &'a ast::Docs,
    pub expr: &'a ast::Expr,
    pub always: bool,
}

pub(super) struct IgnoreSym<'a> {
    pub inputs: &'a [Ident],
    pub sources: &'a ast::Sources,
    pub span: Span,
}

#[derive(Clone, Copy)]
pub(super) enum TypeSym {
    Enum(EnumId),
    Extern(ExternId),
}

/// Everything declared in one machine.
pub(super) struct Symbols<'a> {
    pub machine: &'a ast::Machine,
    pub externs: Vec<ExternSym<'a>>,
    pub enums: Vec<EnumSym<'a>>,
    /// User-defined types (enums and externs) by name.
    pub types: HashMap<String, TypeSym>,
    pub phases: Vec<PhaseSym<'a>>,
    pub phase_by_name: HashMap<String, PhaseId>,
    pub phase_sets: Vec<PhaseSetSym<'a>>,
    /// Phase sets by name (never the name of a phase).
    pub phase_set_by_name: HashMap<String, usize>,
    /// Every enum variant with a given name, in enum order.
    pub variants_by_name: HashMap<String, Vec<(EnumId, VariantId)>>,
    pub initial: Option<PhaseId>,
    pub key: Option<KeySym<'a>>,
    /// The names of further `key` lines (reported): not checked further.
    pub extra_keys: Vec<&'a Ident>,
    pub consts: Vec<ConstSym<'a>>,
    pub const_by_name: HashMap<String, ConstId>,
    pub fields: Vec<FieldSym<'a>>,
    pub field_by_name: HashMap<String, FieldId>,
    /// In dependency order.
    pub derived: Vec<DerivedSym<'a>>,
    pub derived_by_name: HashMap<String, DerivedId>,
    pub inputs: Vec<SigSym<'a>>,
    pub input_by_name: HashMap<String, InputId>,
    pub effects: Vec<SigSym<'a>>,
    pub effect_by_name: HashMap<String, EffectId>,
    pub guards: Vec<GuardSym<'a>>,
    pub guard_by_name: HashMap<String, GuardId>,
    pub actions: Vec<ActionSym<'a>>,
    pub action_by_name: HashMap<String, ActionId>,
    /// Each action after the actions it uses; actions in a cycle are not in
    /// it.
    pub action_order: Vec<ActionId>,
    pub transitions: Vec<(&'a ast::Docs, &'a ast::Transition)>,
    pub ignores: Vec<IgnoreSym<'a>>,
    pub invariants: Vec<InvariantSym<'a>>,
    pub verify: Vec<&'a ast::VerifySetting>,
}

impl TyNames for Symbols<'_> {
    fn enum_name(&self, id: EnumId) -> &str {
        self.enums
            .get(id.index())
            .map_or("?", |e| e.name.name.as_str())
    }

    fn extern_name(&self, id: ExternId) -> &str {
        self.externs
            .get(id.index())
            .map_or("?", |e| e.name.name.as_str())
    }
}

/// The names of the built-in types, which user types cannot take.
pub(super) const BUILTIN_TYPES: [&str; 15] = [
    "bool", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "String", "Option", "Set", "Map",
    "List", "Phase",
];

impl<'a> Symbols<'a> {
    pub fn ty_name(&self, ty: &Ty) -> String {
        ty.display(self)
    }

    pub fn phase_name(&self, id: PhaseId) -> &'a str {
        self.phases
            .get(id.index())
            .map_or("?", |p| p.def.name.name.as_str())
    }

    pub fn phase_ids(&self) -> impl Iterator<Item = PhaseId> + use<> {
        (0..self.phases.len()).map(PhaseId::from_index)
    }

    pub fn phase_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.phases.iter().map(|p| p.def.name.name.as_str())
    }

    pub fn enum_sym(&self, id: EnumId) -> Option<&EnumSym<'a>> {
        self.enums.get(id.index())
    }

    pub fn input(&self, id: InputId) -> Option<&SigSym<'a>> {
        self.inputs.get(id.index())
    }

    pub fn field(&self, id: FieldId) -> Option<&FieldSym<'a>> {
        self.fields.get(id.index())
    }

    /// A phase by name, or an FSM0101 diagnostic with a suggestion.
    pub fn lookup_phase(&self, id: &Ident) -> Result<PhaseId, Diagnostic> {
        if let Some(p) = self.phase_by_name.get(&id.name) {
            return Ok(*p);
        }
        let d = unknown(Code::UnknownPhase, "phase", id, self.phase_names());
        Err(if self.phase_set_by_name.contains_key(&id.name) {
            d.with_note(format!(
                "`{}` is a phase set; one phase is needed here",
                id.name
            ))
        } else {
            d
        })
    }

    /// The phases a name stands for in a list of phases: a phase, or the
    /// members of a phase set. `Ok(None)` when the set failed (reported).
    pub fn lookup_phases(&self, id: &Ident) -> Result<Option<Vec<PhaseId>>, Diagnostic> {
        if let Some(set) = self
            .phase_set_by_name
            .get(&id.name)
            .and_then(|i| self.phase_sets.get(*i))
        {
            return Ok(set.phases.clone());
        }
        let names = self
            .phase_names()
            .chain(self.phase_sets.iter().map(|s| s.name.name.as_str()));
        match self.phase_by_name.get(&id.name) {
            Some(p) => Ok(Some(vec![*p])),
            None => Err(unknown(Code::UnknownPhase, "phase", id, names)),
        }
    }

    /// What a name that is not a value in some scope is, for a note:
    /// "`x` is an input".
    pub fn describe(&self, name: &str) -> Option<String> {
        if self.input_by_name.contains_key(name) {
            return Some(format!("`{name}` is an input, not a value"));
        }
        if self.effect_by_name.contains_key(name) {
            return Some(format!("`{name}` is an effect, not a value"));
        }
        if self.guard_by_name.contains_key(name) {
            return Some(format!(
                "`{name}` is a guard; a transition uses it with a `guard {name}` line"
            ));
        }
        if self.action_by_name.contains_key(name) {
            return Some(format!(
                "`{name}` is an action; a block runs it with `do {name}`"
            ));
        }
        if self.types.contains_key(name) || BUILTIN_TYPES.contains(&name) {
            return Some(format!("`{name}` is a type, not a value"));
        }
        None
    }
}

/// Builds the symbol tables of one machine.
pub(super) fn declare<'a>(machine: &'a ast::Machine, diags: &mut Vec<Diagnostic>) -> Symbols<'a> {
    let mut s = Symbols {
        machine,
        externs: Vec::new(),
        enums: Vec::new(),
        types: HashMap::new(),
        phases: Vec::new(),
        phase_by_name: HashMap::new(),
        phase_sets: Vec::new(),
        phase_set_by_name: HashMap::new(),
        variants_by_name: HashMap::new(),
        initial: None,
        key: None,
        extra_keys: Vec::new(),
        consts: Vec::new(),
        const_by_name: HashMap::new(),
        fields: Vec::new(),
        field_by_name: HashMap::new(),
        derived: Vec::new(),
        derived_by_name: HashMap::new(),
        inputs: Vec::new(),
        input_by_name: HashMap::new(),
        effects: Vec::new(),
        effect_by_name: HashMap::new(),
        guards: Vec::new(),
        guard_by_name: HashMap::new(),
        actions: Vec::new(),
        action_by_name: HashMap::new(),
        action_order: Vec::new(),
        transitions: Vec::new(),
        ignores: Vec::new(),
        invariants: Vec::new(),
        verify: Vec::new(),
    };
    let items = Items::collect(machine);
    declare_types(&mut s, &items, diags);
    declare_phases(&mut s, &items, diags);
    declare_values(&mut s, &items, diags);
    declare_signatures(&mut s, &items, diags);
    declare_named_items(&mut s, &items, diags);
    declare_actions(&mut s, &items, diags);
    s
}

struct EnumItem<'a> {
    docs: &'a ast::Docs,
    name: &'a Ident,
    rust_path: Option<&'a [Ident]>,
    variants: &'a [ast::Variant],
}

/// The items of a machine, sorted by kind, each kind in source order.
struct Items<'a> {
    keys: Vec<(&'a ast::Docs, &'a Ident, &'a ast::TypeExpr)>,
    externs: Vec<(&'a ast::Docs, &'a Ident, &'a [Ident])>,
    enums: Vec<EnumItem<'a>>,
    phases: Vec<&'a ast::Variant>,
    phase_items: usize,
    phase_sets: Vec<(&'a ast::Docs, &'a Ident, &'a [Ident])>,
    consts: Vec<(&'a ast::Docs, &'a Ident, &'a ast::TypeExpr, &'a ast::Expr)>,
    actions: Vec<(&'a ast::Docs, &'a ast::Action)>,
    initials: Vec<&'a Ident>,
    terminals: Vec<&'a Ident>,
    fields: Vec<&'a ast::Field>,
    inputs: Vec<(&'a ast::Docs, &'a ast::Signature)>,
    effects: Vec<(&'a ast::Docs, &'a ast::Signature)>,
    guards: Vec<&'a ast::MachineGuard>,
    derived: Vec<(&'a ast::Docs, &'a Ident, &'a ast::TypeExpr, &'a ast::Expr)>,
    transitions: Vec<(&'a ast::Docs, &'a ast::Transition)>,
    ignores: Vec<IgnoreSym<'a>>,
    invariants: Vec<InvariantSym<'a>>,
    verify: Vec<&'a ast::VerifySetting>,
}

impl<'a> Items<'a> {
    fn collect(machine: &'a ast::Machine) -> Self {
        let mut it = Items {
            keys: Vec::new(),
            externs: Vec::new(),
            enums: Vec::new(),
            phases: Vec::new(),
            phase_items: 0,
            phase_sets: Vec::new(),
            consts: Vec::new(),
            actions: Vec::new(),
            initials: Vec::new(),
            terminals: Vec::new(),
            fields: Vec::new(),
            inputs: Vec::new(),
            effects: Vec::new(),
            guards: Vec::new(),
            derived: Vec::new(),
            transitions: Vec::new(),
            ignores: Vec::new(),
            invariants: Vec::new(),
            verify: Vec::new(),
        };
        for item in &machine.items {
            let docs = &item.docs;
            match &item.kind {
                ast::ItemKind::Key { name, ty } => it.keys.push((docs, name, ty)),
                ast::ItemKind::Extern { name, path } => it.externs.push((docs, name, path)),
                ast::ItemKind::Enum {
                    name,
                    rust_path,
                    variants,
                } => it.enums.push(EnumItem {
                    docs,
                    name,
                    rust_path: rust_path.as_deref(),
                    variants,
                }),
                ast::ItemKind::Phases(vs) => {
                    it.phase_items += 1;
                    it.phases.extend(vs);
                }
                ast::ItemKind::PhaseSet { name, phases } => {
                    it.phase_sets.push((docs, name, phases));
                }
                ast::ItemKind::Const { name, ty, value } => it.consts.push((docs, name, ty, value)),
                ast::ItemKind::Action(a) => it.actions.push((docs, a)),
                ast::ItemKind::Initial(id) => it.initials.push(id),
                ast::ItemKind::Terminal(ids) => it.terminals.extend(ids),
                ast::ItemKind::State(fields) => it.fields.extend(fields),
                ast::ItemKind::Input(sig) => it.inputs.push((docs, sig)),
                ast::ItemKind::Effect(sig) => it.effects.push((docs, sig)),
                ast::ItemKind::Guards(gs) => it.guards.extend(gs),
                ast::ItemKind::Derive { name, ty, value } => {
                    it.derived.push((docs, name, ty, value))
                }
                ast::ItemKind::Transition(t) => it.transitions.push((docs, t)),
                ast::ItemKind::Ignore {
                    inputs,
                    sources,
                    span,
                } => it.ignores.push(IgnoreSym {
                    inputs,
                    sources,
                    span: *span,
                }),
                ast::ItemKind::Invariant { name, expr, always } => {
                    it.invariants.push(InvariantSym {
                        name,
                        docs,
                        expr,
                        always: *always,
                    })
                }
                ast::ItemKind::Verify(settings) => it.verify.extend(settings),
                // Checked by `bindings`, which reads the items itself.
                ast::ItemKind::Impl { .. } => {}
            }
        }
        it
    }
}

/// Maps each name to the index of its first definition, reporting later
/// definitions as duplicates.
pub(super) fn first_wins<'n>(
    diags: &mut Vec<Diagnostic>,
    what: &str,
    names: impl IntoIterator<Item = &'n Ident>,
) -> HashMap<String, usize> {
    let mut map: HashMap<String, (usize, Span)> = HashMap::new();
    for (i, id) in names.into_iter().enumerate() {
        match map.get(&id.name) {
            Some(&(_, first)) => diags.push(duplicate(what, id, first)),
            None => {
                map.insert(id.name.clone(), (i, id.span));
            }
        }
    }
    map.into_iter().map(|(k, (i, _))| (k, i)).collect()
}

fn ids<T>(map: HashMap<String, usize>, f: fn(usize) -> T) -> HashMap<String, T> {
    map.into_iter().map(|(k, i)| (k, f(i))).collect()
}

fn declare_types<'a>(s: &mut Symbols<'a>, items: &Items<'a>, diags: &mut Vec<Diagnostic>) {
    // Enums and externs share one namespace, which the built-in types are
    // part of too.
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let mut claim = |id: &'a Ident, diags: &mut Vec<Diagnostic>| -> bool {
        if BUILTIN_TYPES.contains(&id.name.as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::Duplicate,
                    format!("`{}` is a built-in type", id.name),
                    id.span,
                    "this name is taken by a built-in type",
                )
                .with_help("choose another name"),
            );
            return false;
        }
        if let Some(first) = seen.get(id.name.as_str()) {
            diags.push(duplicate("type", id, *first));
            return false;
        }
        seen.insert(&id.name, id.span);
        true
    };
    // Claim in source order so that "first defined here" is really first.
    let mut order: Vec<(Span, bool, usize)> = Vec::new();
    order.extend(
        items
            .externs
            .iter()
            .enumerate()
            .map(|(i, e)| (e.1.span, true, i)),
    );
    order.extend(
        items
            .enums
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.span, false, i)),
    );
    order.sort();
    for (_, is_extern, i) in order {
        if is_extern {
            let Some(&(_, name, _)) = items.externs.get(i) else {
                continue;
            };
            if claim(name, diags) {
                s.types
                    .insert(name.name.clone(), TypeSym::Extern(ExternId::from_index(i)));
            }
        } else {
            let Some(name) = items.enums.get(i).map(|e| e.name) else {
                continue;
            };
            if claim(name, diags) {
                s.types
                    .insert(name.name.clone(), TypeSym::Enum(EnumId::from_index(i)));
            }
        }
    }
    for &(docs, name, path) in &items.externs {
        s.externs.push(ExternSym {
            name,
            docs,
            path: path_string(path),
        });
    }
    for (e, item) in items.enums.iter().enumerate() {
        let (docs, name, variants) = (item.docs, item.name, item.variants);
        let variant_by_name = ids(
            first_wins(
                diags,
                &format!("variant {{}} of `{}`", name.name),
                variants.iter().map(|v| &v.name),
            ),
            VariantId::from_index,
        );
        for (v, variant) in variants.iter().enumerate() {
            let entry = s
                .variants_by_name
                .entry(variant.name.name.clone())
                .or_default();
            // A duplicate variant is reported above; keep the first only.
            if !entry.iter().any(|(id, _)| id.index() == e) {
                entry.push((EnumId::from_index(e), VariantId::from_index(v)));
            }
        }
        s.enums.push(EnumSym {
            name,
            docs,
            rust_path: item.rust_path.map(path_string),
            variants,
            variant_by_name,
        });
    }
}

fn declare_phases<'a>(s: &mut Symbols<'a>, items: &Items<'a>, diags: &mut Vec<Diagnostic>) {
    let machine = s.machine;
    s.phase_by_name = ids(
        first_wins(diags, "phase", items.phases.iter().map(|v| &v.name)),
        PhaseId::from_index,
    );
    s.phases = items
        .phases
        .iter()
        .map(|def| PhaseSym {
            def,
            terminal: false,
        })
        .collect();
    if s.phases.is_empty() {
        let what = if items.phase_items == 0 {
            "this machine declares no phases"
        } else {
            "the `phases` list is empty"
        };
        diags.push(
            Diagnostic::new(
                Code::NoPhases,
                format!("machine `{}` has no phases", machine.name.name),
                machine.name.span,
                what,
            )
            .with_help("declare its phases: `phases { Idle, Running }` and `initial Idle`"),
        );
    }

    // `initial`: exactly one line.
    let mut initials = items.initials.iter();
    match initials.next() {
        Some(first) => {
            match s.lookup_phase(first) {
                Ok(p) => s.initial = Some(p),
                // With no phases at all, FSM0407 says it all.
                Err(d) if !s.phases.is_empty() => diags.push(d),
                Err(_) => {}
            }
            for again in initials {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateInitial,
                        "more than one initial phase",
                        again.span,
                        "second `initial` here",
                    )
                    .with_secondary(first.span, "first `initial` here")
                    .with_help("a machine starts in exactly one phase: keep one `initial` line"),
                );
            }
        }
        None if !s.phases.is_empty() => {
            let first = s.phase_name(PhaseId(0));
            diags.push(
                Diagnostic::new(
                    Code::MissingInitial,
                    format!("machine `{}` has no initial phase", machine.name.name),
                    machine.name.span,
                    "no `initial` line in this machine",
                )
                .with_help(format!("say where it starts, e.g. `initial {first}`")),
            );
        }
        None => {}
    }

    declare_phase_sets(s, items, diags);

    // `terminal`: any number, each phase or set once.
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for id in &items.terminals {
        if let Some(first) = seen.get(id.name.as_str()) {
            diags.push(duplicate("terminal phase", id, *first));
            continue;
        }
        seen.insert(&id.name, id.span);
        match s.lookup_phases(id) {
            Ok(phases) => {
                for p in phases.into_iter().flatten() {
                    if let Some(ph) = s.phases.get_mut(p.index()) {
                        ph.terminal = true;
                    }
                }
            }
            Err(d) if !s.phases.is_empty() => diags.push(d),
            Err(_) => {}
        }
    }
}

/// `phases Name = A | B`: names share the namespace of phases; members are
/// phases (not other sets).
fn declare_phase_sets<'a>(s: &mut Symbols<'a>, items: &Items<'a>, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for &(docs, name, members) in &items.phase_sets {
        if let Some(p) = s.phase_by_name.get(&name.name) {
            let first = s
                .phases
                .get(p.index())
                .map_or(name.span, |x| x.def.name.span);
            diags.push(duplicate("phase or phase set", name, first));
        } else if let Some(first) = seen.get(name.name.as_str()) {
            diags.push(duplicate("phase set", name, *first));
        } else {
            seen.insert(&name.name, name.span);
            s.phase_set_by_name
                .insert(name.name.clone(), s.phase_sets.len());
        }
        let mut ok = true;
        let mut phases = BTreeSet::new();
        let mut listed: HashMap<&str, Span> = HashMap::new();
        for m in members {
            if let Some(first) = listed.get(m.name.as_str()) {
                diags.push(duplicate("phase {} in the phase set", m, *first));
                continue;
            }
            listed.insert(&m.name, m.span);
            match s.lookup_phase(m) {
                Ok(p) => {
                    phases.insert(p);
                }
                Err(d) => {
                    ok = false;
                    let is_set = items.phase_sets.iter().any(|(_, n, _)| n.name == m.name);
                    if is_set {
                        diags.push(
                            Diagnostic::new(
                                Code::UnknownPhase,
                                format!("`{}` is a phase set, not a phase", m.name),
                                m.span,
                                "a phase set here",
                            )
                            .with_note("a phase set lists phases, not other sets")
                            .with_help(format!("list the phases of `{}` here", m.name)),
                        );
                    } else if !s.phases.is_empty() {
                        diags.push(d);
                    }
                }
            }
        }
        s.phase_sets.push(PhaseSetSym {
            name,
            docs,
            phases: ok.then(|| phases.into_iter().collect()),
        });
    }
}

/// Fields, derived values and the key: they share the value namespace.
fn declare_values<'a>(s: &mut Symbols<'a>, items: &Items<'a>, diags: &mut Vec<Diagnostic>) {
    // The key.
    let mut keys = items.keys.iter();
    if let Some(&(docs, name, te)) = keys.next() {
        let ty = types::resolve(s, diags, te);
        if let Some(t) = &ty
            && types::contains_collection(t)
        {
            diags.push(
                Diagnostic::new(
                    Code::InvalidType,
                    "a key cannot be a collection",
                    te.span,
                    format!("`{}` is a collection", s.ty_name(t)),
                )
                .with_note("a key is compared, ordered and hashed: use a scalar, a string, an enum or an extern"),
            );
        }
        s.key = Some(KeySym { name, docs, ty });
        for (_, again, _) in keys {
            s.extra_keys.push(again);
            diags.push(
                Diagnostic::new(
                    Code::Duplicate,
                    "duplicate `key`",
                    again.span,
                    "second key here",
                )
                .with_secondary(name.span, "first key here")
                .with_help("a machine has at most one key"),
            );
        }
    }

    // Fields.
    s.field_by_name = ids(
        first_wins(diags, "field", items.fields.iter().map(|f| &f.name)),
        FieldId::from_index,
    );
    for def in &items.fields {
        let ty = types::resolve(s, diags, &def.ty);
        s.fields.push(FieldSym { def, ty });
    }

    // Derived values, declared in source order, then put in dependency order.
    let by_name = first_wins(diags, "derived value", items.derived.iter().map(|d| d.1));
    let mut declared = Vec::new();
    for &(docs, name, te, expr) in &items.derived {
        let ty = types::resolve(s, diags, te);
        declared.push(DerivedSym {
            name,
            docs,
            ty,
            expr,
        });
    }
    let order = derived_order(
        &declared,
        &by_name,
        &s.field_by_name,
        s.key.as_ref(),
        &items.consts,
        diags,
    );
    let mut new_index = vec![0usize; declared.len()];
    let mut slots: Vec<Option<DerivedSym<'a>>> = declared.into_iter().map(Some).collect();
    for old in order {
        if let Some(d) = slots.get_mut(old).and_then(Option::take) {
            if let Some(slot) = new_index.get_mut(old) {
                *slot = s.derived.len();
            }
            s.derived.push(d);
        }
    }
    // First definition wins, as for every other table.
    let derived_by_name = by_name
        .into_iter()
        .filter_map(|(name, old)| Some((name, DerivedId::from_index(*new_index.get(old)?))))
        .collect();
    s.derived_by_name = derived_by_name;

    // Constants.
    s.const_by_name = ids(
        first_wins(diags, "constant", items.consts.iter().map(|c| c.1)),
        ConstId::from_index,
    );
    for &(docs, name, te, value) in &items.consts {
        let ty = types::resolve(s, diags, te);
        s.consts.push(ConstSym {
            name,
            docs,
            ty,
            value,
        });
    }

    // Shadowing between the kinds: report the later definition.
    let mut values: Vec<(&Ident, &str)> = Vec::new();
    if let Some(k) = &s.key {
        values.push((k.name, "key"));
    }
    values.extend(s.fields.iter().map(|f| (&f.def.name, "field")));
    values.extend(s.derived.iter().map(|d| (d.name, "derived value")));
    values.extend(s.consts.iter().map(|c| (c.name, "constant")));
    values.sort_by_key(|(id, _)| id.span);
    let mut first: HashMap<&str, (&Ident, &str)> = HashMap::new();
    for (id, kind) in values {
        match first.get(id.name.as_str()) {
            Some(&(prev, prev_kind)) if prev_kind != kind => diags.push(
                Diagnostic::new(
                    Code::Shadowing,
                    format!("{kind} `{}` shadows {prev_kind} `{}`", id.name, prev.name),
                    id.span,
                    format!("this {kind} has the name of a {prev_kind}"),
                )
                .with_secondary(
                    prev.span,
                    format!("{prev_kind} `{}` defined here", prev.name),
                )
                .with_help(format!("rename the {kind}")),
            ),
            Some(_) => {} // same kind: reported as a duplicate
            None => {
                first.insert(&id.name, (id, kind));
            }
        }
    }
}

/// The order in which derived values can be computed: each after the
/// derived values it reads, declaration order otherwise. Reports cycles.
fn derived_order(
    declared: &[DerivedSym<'_>],
    by_name: &HashMap<String, usize>,
    fields: &HashMap<String, FieldId>,
    key: Option<&KeySym<'_>>,
    consts: &[(&ast::Docs, &Ident, &ast::TypeExpr, &ast::Expr)],
    diags: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let n = declared.len();
    // deps[i]: the derived values `i` reads, with the span of the first read.
    let mut deps: Vec<Vec<(usize, Span)>> = Vec::with_capacity(n);
    for d in declared {
        let mut names = Vec::new();
        read_names(d.expr, &mut Vec::new(), &mut names, 0);
        let mut out: Vec<(usize, Span)> = Vec::new();
        for (name, span) in names {
            // Fields, the key and constants win over derived values of the
            // same name.
            if fields.contains_key(name)
                || key.is_some_and(|k| k.name.name == name)
                || consts.iter().any(|c| c.1.name == name)
            {
                continue;
            }
            if let Some(&j) = by_name.get(name)
                && !out.iter().any(|(k, _)| *k == j)
            {
                out.push((j, span));
            }
        }
        deps.push(out);
    }
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        // Every value whose dependencies are all done, in declaration order.
        let ready: Vec<usize> = (0..n)
            .filter(|&i| {
                !done[i]
                    && deps[i]
                        .iter()
                        .all(|(j, _)| done.get(*j).copied().unwrap_or(true))
            })
            .collect();
        if !ready.is_empty() {
            for i in ready {
                done[i] = true;
                order.push(i);
            }
            continue;
        }
        // What is left is blocked by a cycle: find one, report it, release it.
        let Some(start) = (0..n).find(|&i| !done[i]) else {
            break;
        };
        let cycle = find_cycle(start, &deps, &done);
        report_cycle(&cycle, declared, &deps, diags);
        let members: BTreeSet<usize> = cycle.iter().copied().collect();
        for i in members {
            done[i] = true;
            order.push(i);
        }
    }
    order
}

/// Follows undone dependencies from `start` until a node repeats; returns
/// the cycle in dependency order.
fn find_cycle(start: usize, deps: &[Vec<(usize, Span)>], done: &[bool]) -> Vec<usize> {
    let mut path = vec![start];
    let mut cur = start;
    loop {
        let next = deps.get(cur).and_then(|ds| {
            ds.iter()
                .map(|(j, _)| *j)
                .find(|j| !done.get(*j).copied().unwrap_or(true))
        });
        let Some(next) = next else { return path };
        if let Some(pos) = path.iter().position(|&p| p == next) {
            return path.split_off(pos);
        }
        path.push(next);
        cur = next;
        if path.len() > deps.len() {
            return path;
        }
    }
}

fn report_cycle(
    cycle: &[usize],
    declared: &[DerivedSym<'_>],
    deps: &[Vec<(usize, Span)>],
    diags: &mut Vec<Diagnostic>,
) {
    let name = |i: usize| declared.get(i).map_or("?", |d| d.name.name.as_str());
    let Some(&first) = cycle.first() else { return };
    let Some(def) = declared.get(first) else {
        return;
    };
    let mut path: Vec<String> = cycle.iter().map(|&i| format!("`{}`", name(i))).collect();
    path.push(format!("`{}`", name(first)));
    let message = if cycle.len() == 1 {
        format!("derived value `{}` reads itself", name(first))
    } else {
        format!(
            "derived values {} depend on each other",
            path[..cycle.len()].join(", ")
        )
    };
    let mut d = Diagnostic::new(Code::DerivedCycle, message, def.name.span, "in this cycle");
    for (k, &i) in cycle.iter().enumerate() {
        let next = cycle.get(k + 1).copied().unwrap_or(first);
        if let Some((_, span)) = deps
            .get(i)
            .and_then(|ds| ds.iter().find(|(j, _)| *j == next))
        {
            d = d.with_secondary(*span, format!("`{}` reads `{}` here", name(i), name(next)));
        }
    }
    diags.push(
        d.with_note(format!("cycle: {}", path.join(" → ")))
            .with_help("compute one of them from the state directly"),
    );
}

/// Every bare name an expression reads, minus quantifier variables.
pub(super) fn read_names<'e>(
    e: &'e ast::Expr,
    bound: &mut Vec<&'e str>,
    out: &mut Vec<(&'e str, Span)>,
    depth: u32,
) {
    use ast::ExprKind as K;
    if depth > MAX_DEPTH {
        return;
    }
    let d = depth + 1;
    match &e.kind {
        K::Name(id) => {
            if !bound.contains(&id.name.as_str()) {
                out.push((&id.name, id.span));
            }
        }
        K::Some(x) | K::Unary(_, x) | K::Paren(x) => read_names(x, bound, out, d),
        K::List(xs) => xs.iter().for_each(|x| read_names(x, bound, out, d)),
        K::Binary(_, a, b) => {
            read_names(a, bound, out, d);
            read_names(b, bound, out, d);
        }
        K::Method { receiver, args, .. } => {
            read_names(receiver, bound, out, d);
            args.iter().for_each(|x| read_names(x, bound, out, d));
        }
        K::Quant {
            var, coll, body, ..
        } => {
            read_names(coll, bound, out, d);
            bound.push(&var.name);
            read_names(body, bound, out, d);
            bound.pop();
        }
        K::Bool(_) | K::Int(_) | K::Str(_) | K::None | K::Path(..) | K::Error => {}
    }
}

fn declare_signatures<'a>(s: &mut Symbols<'a>, items: &Items<'a>, diags: &mut Vec<Diagnostic>) {
    s.input_by_name = ids(
        first_wins(
            diags,
            "input",
            items.inputs.iter().map(|(_, sig)| &sig.name),
        ),
        InputId::from_index,
    );
    s.effect_by_name = ids(
        first_wins(
            diags,
            "effect",
            items.effects.iter().map(|(_, sig)| &sig.name),
        ),
        EffectId::from_index,
    );
    for (is_input, list) in [(true, &items.inputs), (false, &items.effects)] {
        for &(docs, sig) in list {
            // Effect parameters are never read, so they shadow nothing.
            let owner = is_input.then(|| format!("input `{}`", sig.name.name));
            let (params, param_by_name) = declare_params(s, &sig.params, owner.as_deref(), diags);
            let sym = SigSym {
                name: &sig.name,
                docs,
                params,
                param_by_name,
            };
            if is_input {
                s.inputs.push(sym);
            } else {
                s.effects.push(sym);
            }
        }
    }
}

/// The parameters of an input, effect, guard or action: duplicates,
/// types, and (with an `owner`, for parameters that are read) shadowing.
fn declare_params<'a>(
    s: &Symbols<'a>,
    params: &'a [ast::Param],
    owner: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<ParamSym<'a>>, HashMap<String, ParamId>) {
    let by_name = ids(
        first_wins(diags, "parameter", params.iter().map(|p| &p.name)),
        ParamId::from_index,
    );
    let syms = params
        .iter()
        .map(|p| ParamSym {
            name: &p.name,
            docs: &p.docs,
            ty: types::resolve(s, diags, &p.ty),
            shadows: owner.is_some_and(|o| shadowed_by_param(s, o, &p.name, diags)),
        })
        .collect();
    (syms, by_name)
}

/// A parameter that is read may not take the name of a field, a derived
/// value, a constant or the key: where it is in scope the name would be
/// ambiguous. Returns whether it does (reported).
fn shadowed_by_param(
    s: &Symbols<'_>,
    owner: &str,
    param: &Ident,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let name = param.name.as_str();
    let other = if let Some(f) = s
        .field_by_name
        .get(name)
        .and_then(|f| s.fields.get(f.index()))
    {
        Some(("field", f.def.name.span))
    } else if let Some(d) = s
        .derived_by_name
        .get(name)
        .and_then(|d| s.derived.get(d.index()))
    {
        Some(("derived value", d.name.span))
    } else if let Some(c) = s
        .const_by_name
        .get(name)
        .and_then(|c| s.consts.get(c.index()))
    {
        Some(("constant", c.name.span))
    } else {
        s.key
            .as_ref()
            .filter(|k| k.name.name == name)
            .map(|k| ("key", k.name.span))
    };
    let Some((kind, span)) = other else {
        return false;
    };
    {
        diags.push(
            Diagnostic::new(
                Code::Shadowing,
                format!("parameter `{name}` of {owner} shadows {kind} `{name}`"),
                param.span,
                format!("this parameter has the name of a {kind}"),
            )
            .with_secondary(span, format!("{kind} `{name}` defined here"))
            .with_help(format!("rename the parameter, e.g. `new_{name}`")),
        );
    }
    true
}

fn declare_named_items<'a>(s: &mut Symbols<'a>, items: &Items<'a>, diags: &mut Vec<Diagnostic>) {
    s.guard_by_name = ids(
        first_wins(diags, "guard", items.guards.iter().map(|g| &g.name)),
        GuardId::from_index,
    );
    for &def in &items.guards {
        let owner = format!("guard `{}`", def.name.name);
        let (params, param_by_name) = declare_params(s, &def.params, Some(&owner), diags);
        s.guards.push(GuardSym {
            def,
            params,
            param_by_name,
        });
    }
    first_wins(
        diags,
        "transition",
        items.transitions.iter().map(|(_, t)| &t.name),
    );
    s.transitions.clone_from(&items.transitions);
    first_wins(diags, "invariant", items.invariants.iter().map(|i| i.name));
    s.invariants = items
        .invariants
        .iter()
        .map(|i| InvariantSym {
            name: i.name,
            docs: i.docs,
            expr: i.expr,
            always: i.always,
        })
        .collect();
    s.ignores = items
        .ignores
        .iter()
        .map(|i| IgnoreSym {
            inputs: i.inputs,
            sources: i.sources,
            span: i.span,
        })
        .collect();
    s.verify.clone_from(&items.verify);
}

fn path_string(path: &[Ident]) -> String {
    path.iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

/// Actions: names, parameters, and the order in which they can be lowered
/// (each after the actions it uses). Reports cycles.
fn declare_actions<'a>(s: &mut Symbols<'a>, items: &Items<'a>, diags: &mut Vec<Diagnostic>) {
    s.action_by_name = first_wins(diags, "action", items.actions.iter().map(|(_, a)| &a.name));
    for &(_, def) in &items.actions {
        let owner = format!("action `{}`", def.name.name);
        let (params, param_by_name) = declare_params(s, &def.params, Some(&owner), diags);
        s.actions.push(ActionSym {
            def,
            params,
            param_by_name,
            in_cycle: false,
        });
    }
    // deps[i]: the actions `i` uses, with the span of the first `do`.
    let mut deps: Vec<Vec<(usize, Span)>> = Vec::with_capacity(s.actions.len());
    for a in &s.actions {
        let mut used = Vec::new();
        actions_used(&a.def.body.stmts, &mut used, 0);
        let mut out: Vec<(usize, Span)> = Vec::new();
        for id in used {
            if let Some(&j) = s.action_by_name.get(&id.name)
                && !out.iter().any(|(k, _)| *k == j)
            {
                out.push((j, id.span));
            }
        }
        deps.push(out);
    }
    let n = s.actions.len();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut placed = 0;
    while placed < n {
        let ready: Vec<usize> = (0..n)
            .filter(|&i| {
                !done[i]
                    && deps[i]
                        .iter()
                        .all(|(j, _)| done.get(*j).copied().unwrap_or(true))
            })
            .collect();
        if !ready.is_empty() {
            for i in ready {
                done[i] = true;
                placed += 1;
                order.push(i);
            }
            continue;
        }
        let Some(start) = (0..n).find(|&i| !done[i]) else {
            break;
        };
        let cycle = find_cycle(start, &deps, &done);
        report_action_cycle(&cycle, &s.actions, &deps, diags);
        for &i in &cycle {
            if let Some(a) = s.actions.get_mut(i) {
                a.in_cycle = true;
            }
            if !done[i] {
                done[i] = true;
                placed += 1;
            }
        }
    }
    s.action_order = order;
}

/// The `do` statements of a block, nested ones included.
fn actions_used<'a>(stmts: &'a [ast::Stmt], out: &mut Vec<&'a Ident>, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    for st in stmts {
        match &st.kind {
            ast::StmtKind::Do { action, .. } => out.push(action),
            ast::StmtKind::If {
                then, otherwise, ..
            } => {
                actions_used(&then.stmts, out, depth + 1);
                match otherwise {
                    Some(ast::Else::Block(b)) => actions_used(&b.stmts, out, depth + 1),
                    Some(ast::Else::If(next)) => {
                        actions_used(std::slice::from_ref(next.as_ref()), out, depth + 1);
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
}

fn report_action_cycle(
    cycle: &[usize],
    actions: &[ActionSym<'_>],
    deps: &[Vec<(usize, Span)>],
    diags: &mut Vec<Diagnostic>,
) {
    let name = |i: usize| actions.get(i).map_or("?", |a| a.def.name.name.as_str());
    let Some(&first) = cycle.first() else { return };
    let Some(def) = actions.get(first) else {
        return;
    };
    let mut path: Vec<String> = cycle.iter().map(|&i| format!("`{}`", name(i))).collect();
    path.push(format!("`{}`", name(first)));
    let message = if cycle.len() == 1 {
        format!("action `{}` runs itself", name(first))
    } else {
        format!(
            "actions {} run each other in a cycle",
            path[..cycle.len()].join(", ")
        )
    };
    let mut d = Diagnostic::new(
        Code::ActionCycle,
        message,
        def.def.name.span,
        "in this cycle",
    );
    for (k, &i) in cycle.iter().enumerate() {
        let next = cycle.get(k + 1).copied().unwrap_or(first);
        if let Some((_, span)) = deps
            .get(i)
            .and_then(|ds| ds.iter().find(|(j, _)| *j == next))
        {
            d = d.with_secondary(*span, format!("`{}` runs `{}` here", name(i), name(next)));
        }
    }
    diags.push(
        d.with_note(format!("cycle: {}", path.join(" → ")))
            .with_help(
                "an action is inlined where it is used, so it cannot run itself, even indirectly",
            ),
    );
}
