//! The checked model of one machine: what codegen, the model checker, the
//! diagrams and the exports read. Never built by hand: `check` lowers the
//! AST into it and guarantees what this module documents.
//!
//! Guarantees of a model returned by `check` (it is only returned when the
//! spec has no errors):
//! - every name is resolved: definitions refer to each other by index
//!   (`PhaseId`, `FieldId`, …), and every index is valid for this model;
//! - names are unique within their kind (phases, fields, inputs, …);
//! - every expression is typed (`TExpr::ty`), literals fit their types, and
//!   bare variants are resolved;
//! - `derived` is in dependency order: a derived value reads only derived
//!   values with a smaller index;
//! - transition sources are sorted, deduplicated and non-empty; terminal
//!   phases are absorbing; no two transitions are statically overlapping;
//! - machine-level guards and actions are inlined where they are used:
//!   a transition's guards and body read only the state, constants, its
//!   input's parameters and (in the body only) `target`; phase sets are
//!   expanded (a set read in an expression is a `Collection` of phases).
//!
//! Each definition keeps its name, its doc comment lines and the span of its
//! name in the source, so diagnostics and generated docs can point back.

use crate::span::Span;
use serde::Serialize;

macro_rules! ids {
    ($( $(#[$doc:meta])* $name:ident; )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the model's vector of this kind.
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            pub(crate) fn from_index(i: usize) -> Self {
                Self(u32::try_from(i).unwrap_or(u32::MAX))
            }
        }
    )*};
}

ids! {
    /// Index into `Model::phases`.
    PhaseId;
    /// Index into `Model::fields`.
    FieldId;
    /// Index into `Model::inputs`.
    InputId;
    /// Index into `Model::effects`.
    EffectId;
    /// Index into `Model::enums`.
    EnumId;
    /// Index into `Enum::variants` of one enum.
    VariantId;
    /// Index into `Model::externs`.
    ExternId;
    /// Index into `Model::guards` (machine-level guards).
    GuardId;
    /// Index into `Model::derived` (which is in dependency order).
    DerivedId;
    /// Index into `Model::transitions`.
    TransitionId;
    /// Index into `Model::consts`.
    ConstId;
    /// Index into the parameters of one input or effect.
    ParamId;
    /// A quantifier variable: its nesting level inside one expression tree
    /// (0 for the outermost quantifier).
    VarId;
}

// ---------------------------------------------------------------- types

/// A fixed-width integer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IntTy {
    U8,
    U16,
    U32,
    U64,
    I8,
    I16,
    I32,
    I64,
}

impl IntTy {
    pub const ALL: [IntTy; 8] = [
        IntTy::U8,
        IntTy::U16,
        IntTy::U32,
        IntTy::U64,
        IntTy::I8,
        IntTy::I16,
        IntTy::I32,
        IntTy::I64,
    ];

    /// The name as written in a spec (and in Rust).
    pub const fn name(self) -> &'static str {
        match self {
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
        }
    }

    pub fn from_name(name: &str) -> Option<IntTy> {
        IntTy::ALL.into_iter().find(|t| t.name() == name)
    }

    pub const fn is_signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }

    pub const fn min_value(self) -> i128 {
        match self {
            IntTy::U8 | IntTy::U16 | IntTy::U32 | IntTy::U64 => 0,
            IntTy::I8 => i8::MIN as i128,
            IntTy::I16 => i16::MIN as i128,
            IntTy::I32 => i32::MIN as i128,
            IntTy::I64 => i64::MIN as i128,
        }
    }

    pub const fn max_value(self) -> i128 {
        match self {
            IntTy::U8 => u8::MAX as i128,
            IntTy::U16 => u16::MAX as i128,
            IntTy::U32 => u32::MAX as i128,
            IntTy::U64 => u64::MAX as i128,
            IntTy::I8 => i8::MAX as i128,
            IntTy::I16 => i16::MAX as i128,
            IntTy::I32 => i32::MAX as i128,
            IntTy::I64 => i64::MAX as i128,
        }
    }

    pub const fn contains(self, value: i128) -> bool {
        value >= self.min_value() && value <= self.max_value()
    }
}

/// The type of a field, parameter, derived value or expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Ty {
    Bool,
    Int(IntTy),
    String,
    Option(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    List(Box<Ty>),
    Enum(EnumId),
    /// The machine's own phase enum.
    Phase,
    Extern(ExternId),
}

/// Looks up the names of user-defined types, to display a `Ty`.
pub trait TyNames {
    fn enum_name(&self, id: EnumId) -> &str;
    fn extern_name(&self, id: ExternId) -> &str;
}

impl Ty {
    /// `Set<T>`, `Map<K, V>` or `List<T>`.
    pub fn is_collection(&self) -> bool {
        matches!(self, Ty::Set(_) | Ty::Map(..) | Ty::List(_))
    }

    /// The type a quantifier variable ranges over: the element of a set or
    /// list, the key of a map.
    pub fn element(&self) -> Option<&Ty> {
        match self {
            Ty::Set(t) | Ty::List(t) | Ty::Map(t, _) => Some(t),
            _ => None,
        }
    }

    /// Whether `<`, `<=`, `>`, `>=` are defined on this type.
    pub fn is_ordered(&self) -> bool {
        matches!(
            self,
            Ty::Int(_) | Ty::String | Ty::Enum(_) | Ty::Phase | Ty::Extern(_)
        )
    }

    /// The type as written in a spec, e.g. `Map<String, Option<u64>>`.
    pub fn display(&self, names: &dyn TyNames) -> String {
        let mut out = String::new();
        self.write(names, &mut out);
        out
    }

    fn write(&self, names: &dyn TyNames, out: &mut String) {
        let generic = |out: &mut String, name: &str, args: &[&Ty]| {
            out.push_str(name);
            out.push('<');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                a.write(names, out);
            }
            out.push('>');
        };
        match self {
            Ty::Bool => out.push_str("bool"),
            Ty::Int(i) => out.push_str(i.name()),
            Ty::String => out.push_str("String"),
            Ty::Option(t) => generic(out, "Option", &[t]),
            Ty::Set(t) => generic(out, "Set", &[t]),
            Ty::Map(k, v) => generic(out, "Map", &[k, v]),
            Ty::List(t) => generic(out, "List", &[t]),
            Ty::Enum(e) => out.push_str(names.enum_name(*e)),
            Ty::Phase => out.push_str("Phase"),
            Ty::Extern(e) => out.push_str(names.extern_name(*e)),
        }
    }
}

// ---------------------------------------------------------------- the model

/// One checked machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// `key name: Type`: one instance per key value.
    pub key: Option<Key>,
    pub externs: Vec<Extern>,
    pub enums: Vec<Enum>,
    pub phases: Vec<Phase>,
    pub initial: PhaseId,
    pub fields: Vec<Field>,
    pub inputs: Vec<Input>,
    pub effects: Vec<Effect>,
    /// `const NAME: Type = value`, in declaration order. Expressions read
    /// them as `TExprKind::Const`.
    pub consts: Vec<Const>,
    /// Named phase sets (`phases Ended = A | B`). Source lists, ignores,
    /// `terminal` and `phase in Set` are already expanded; these are kept
    /// for docs and diagrams.
    pub phase_sets: Vec<PhaseSet>,
    /// Machine-level guards (they read the state and their own parameters).
    pub guards: Vec<Guard>,
    /// Derived values in dependency order.
    pub derived: Vec<Derived>,
    /// In declaration order.
    pub transitions: Vec<Transition>,
    /// One entry per ignored input (several `ignore` lines for one input are
    /// merged).
    pub ignores: Vec<Ignore>,
    pub invariants: Vec<Invariant>,
    pub verify: Verify,
    /// `impl Trait { … }` blocks: how handwritten Rust traits map onto the
    /// machine (L13). Not part of the machine's meaning (the behaviour version
    /// ignores them).
    pub bindings: Vec<Binding>,
    /// Per-input lookups over `transitions` and `ignores`, built once when
    /// the model is assembled, so that [`Model::transitions_on`],
    /// [`Model::candidates`] and [`Model::is_ignored`] cost what they return
    /// rather than a scan of the whole machine.
    #[serde(skip)]
    pub(crate) index: InputIndex,
}

/// The transitions and the `ignore` of each input, in compressed rows:
/// the transitions of input `i` are `transitions[starts[i]..starts[i + 1]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InputIndex {
    starts: Vec<u32>,
    transitions: Vec<TransitionId>,
    /// Per input: its entry in `Model::ignores`, if any.
    ignores: Vec<Option<u32>>,
}

impl InputIndex {
    fn build(inputs: usize, transitions: &[Transition], ignores: &[Ignore]) -> Self {
        let mut counts = vec![0u32; inputs + 1];
        for t in transitions {
            if let Some(c) = counts.get_mut(t.input.index() + 1) {
                *c += 1;
            }
        }
        for i in 1..counts.len() {
            let before = counts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = counts.get_mut(i) {
                *c += before;
            }
        }
        let mut next = counts.clone();
        let mut ids = vec![TransitionId(0); transitions.len()];
        for (i, t) in transitions.iter().enumerate() {
            if let Some(slot) = next.get_mut(t.input.index()) {
                if let Some(id) = ids.get_mut(*slot as usize) {
                    *id = TransitionId::from_index(i);
                }
                *slot += 1;
            }
        }
        let mut by_input = vec![None; inputs];
        for (i, ig) in ignores.iter().enumerate() {
            if let Some(slot) = by_input.get_mut(ig.input.index()) {
                slot.get_or_insert(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        InputIndex {
            starts: counts,
            transitions: ids,
            ignores: by_input,
        }
    }

    fn transitions(&self, input: InputId) -> &[TransitionId] {
        let i = input.index();
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.transitions.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// `impl Trait { fn method(params) = target … }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Binding {
    /// The trait's name as written (the Rust side names its path).
    pub trait_name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub methods: Vec<MethodBinding>,
}

/// One trait method and what it maps to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodBinding {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// The Rust method's parameter names (after `&self`), in order. For an
    /// input they map by position onto the input's parameters (after the
    /// key, in a keyed machine), unless `args` says otherwise.
    pub params: Vec<String>,
    pub target: BindingTarget,
    /// `= Input(a.b, c)`: for each input parameter, the method parameter
    /// (an index into `params`) and the field path inside it it is built
    /// from.
    pub args: Option<Vec<BindingArg>>,
}

/// One argument of `= Input(reason.message, …)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BindingArg {
    /// Index into the method's `params`.
    pub param: usize,
    /// Field names, outermost first.
    pub fields: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BindingTarget {
    /// `= Input`: applies the input.
    Input(InputId),
    /// `= snapshot`: the whole snapshot.
    Snapshot,
    /// `= phase`: the current phase.
    Phase,
    /// `= field name`.
    Field(FieldId),
    /// `= derive name`.
    Derived(DerivedId),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Key {
    pub name: String,
    pub docs: Vec<String>,
    pub ty: Ty,
    pub span: Span,
}

/// `extern Name = path::to::Type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extern {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// The Rust path as written, e.g. `crate::handles::LeaseKey`.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enum {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// In declaration order, which is also their ordering.
    pub variants: Vec<Variant>,
    /// `enum Name = path::to::Enum { ... }`: the Rust enum used in place of
    /// a generated one (it has exactly these unit variants).
    pub rust_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// Absorbing: every transition from it stays in it.
    pub terminal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub ty: Ty,
    /// A constant expression of type `ty`.
    pub init: TExpr,
}

/// The name and parameters of an input or an effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signature {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub params: Vec<Param>,
}

pub type Input = Signature;
pub type Effect = Signature;

impl Signature {
    pub fn param(&self, id: ParamId) -> Option<&Param> {
        self.params.get(id.index())
    }

    pub fn param_by_name(&self, name: &str) -> Option<ParamId> {
        position(&self.params, |p| p.name == name).map(ParamId::from_index)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub name: String,
    pub docs: Vec<String>,
    pub ty: Ty,
    pub span: Span,
}

/// `const NAME: Type = value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Const {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub ty: Ty,
    /// A constant expression of type `ty` (it reads no state, parameter or
    /// other constant).
    pub value: TExpr,
}

/// `phases Name = A | B`: a named set of phases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseSet {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// Sorted and deduplicated.
    pub phases: Vec<PhaseId>,
}

/// A machine-level guard: a named condition over the state and its own
/// parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guard {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// `guard name(param: Type, ...)`; empty for a guard over the state only.
    pub params: Vec<Param>,
    /// Of type `bool`. `TExprKind::Param` here reads the guard's own
    /// parameters; transitions hold a copy with the arguments substituted.
    pub expr: TExpr,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derived {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub ty: Ty,
    /// Of type `ty`; reads only fields, the key, `phase` and derived values
    /// with a smaller index.
    pub expr: TExpr,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub input: InputId,
    /// Sorted, deduplicated, never empty.
    pub sources: Vec<PhaseId>,
    /// `None` for `-> stay`.
    pub target: Option<PhaseId>,
    /// In written order; all must hold.
    pub guards: Vec<TransitionGuard>,
    /// The statements of the block, in written order.
    pub body: Vec<TStmt>,
}

impl Transition {
    /// The phase after the transition fires from `source`.
    pub fn target_from(&self, source: PhaseId) -> PhaseId {
        self.target.unwrap_or(source)
    }

    pub fn has_source(&self, phase: PhaseId) -> bool {
        self.sources.binary_search(&phase).is_ok()
    }
}

/// One `guard` line of a transition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionGuard {
    /// The name rejections report.
    pub name: String,
    /// Of type `bool`; for a reference to a machine-level guard, a copy of
    /// that guard's expression.
    pub expr: TExpr,
    pub span: Span,
    /// `Some` when the line is `guard name` naming a machine-level guard.
    pub machine_guard: Option<GuardId>,
}

/// Inputs accepted as no-ops in some phases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignore {
    pub input: InputId,
    /// Sorted and deduplicated.
    pub phases: Vec<PhaseId>,
    /// The first `ignore` line for this input.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invariant {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// Of type `bool`, over the state only.
    pub expr: TExpr,
    /// `invariant always …`: checked after every accepted input in every
    /// build, not only when `fsm::CHECK_INVARIANTS` is on.
    #[serde(skip_serializing_if = "is_false")]
    pub always: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The `verify { ... }` settings (all blocks merged).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verify {
    pub domains: Vec<Domain>,
    pub max_depth: Option<u64>,
    pub max_states: Option<u64>,
    pub max_collection: Option<u64>,
    pub reach: Vec<Reach>,
    /// `always_possible name: expr`: from every reachable state a state
    /// meeting the expression is reachable (same shape as a reach goal).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub always_possible: Vec<Reach>,
    /// `bound expr`: the model checker does not explore states where the
    /// expression is false.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bounds: Vec<Bound>,
    /// `allow_overflow`: transitions whose arithmetic overflow `fsm verify`
    /// does not report.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow_overflow: Vec<TransitionId>,
    /// The first domain of each target, built with the model's index so
    /// the lookups below do not scan `domains`.
    #[serde(skip)]
    pub(crate) index: DomainIndex,
}

/// Per domain target, the position of its first domain in
/// `Verify::domains`; `len` is the number of domains it was built from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DomainIndex {
    len: usize,
    by_type: std::collections::HashMap<Ty, usize>,
    by_param: std::collections::HashMap<(InputId, ParamId), usize>,
}

impl DomainIndex {
    fn build(domains: &[Domain]) -> Self {
        let mut index = DomainIndex {
            len: domains.len(),
            ..DomainIndex::default()
        };
        for (i, d) in domains.iter().enumerate() {
            match &d.target {
                DomainTarget::Type(t) => {
                    index.by_type.entry(t.clone()).or_insert(i);
                }
                DomainTarget::Param { input, param } => {
                    index.by_param.entry((*input, *param)).or_insert(i);
                }
            }
        }
        index
    }
}

impl Verify {
    /// Whether the index describes `domains` (it always does in a model
    /// returned by `check`; a `Verify` assembled by hand falls back to a
    /// scan).
    fn indexed(&self) -> bool {
        self.index.len == self.domains.len()
    }

    /// The domain declared for every value of `ty`, if any.
    pub fn domain_for_type(&self, ty: &Ty) -> Option<&Domain> {
        if self.indexed() {
            return self
                .index
                .by_type
                .get(ty)
                .and_then(|&i| self.domains.get(i));
        }
        self.domains
            .iter()
            .find(|d| matches!(&d.target, DomainTarget::Type(t) if t == ty))
    }

    /// The domain declared for one input parameter, if any.
    pub fn domain_for_param(&self, input: InputId, param: ParamId) -> Option<&Domain> {
        if self.indexed() {
            return self
                .index
                .by_param
                .get(&(input, param))
                .and_then(|&i| self.domains.get(i));
        }
        self.domains.iter().find(|d| {
            matches!(d.target, DomainTarget::Param { input: i, param: p } if i == input && p == param)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Domain {
    pub target: DomainTarget,
    pub values: DomainValues,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum DomainTarget {
    /// Every value of this type.
    Type(Ty),
    /// One parameter of one input.
    Param { input: InputId, param: ParamId },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum DomainValues {
    /// Every integer from `lo` to `hi`, both included (`lo <= hi`).
    Range { lo: i128, hi: i128 },
    /// Constant expressions. Their type is the domain's type, except that
    /// an extern is given abstract values as strings (`String` in place of
    /// the extern, also inside `Option`, …).
    List(Vec<TExpr>),
}

/// `reach name: expr`: a state the model checker must be able to reach.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reach {
    pub name: String,
    pub span: Span,
    /// Of type `bool`, over the state only.
    pub expr: TExpr,
}

/// `bound expr`: a state constraint of the model checker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bound {
    pub span: Span,
    /// Of type `bool`, over the state only.
    pub expr: TExpr,
}

// ---------------------------------------------------------------- expressions

/// A typed expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TExprKind {
    Bool(bool),
    /// An integer literal, already checked to fit `ty` (negative literals
    /// are folded: `-5` is `Int(-5)`).
    Int(i128),
    Str(String),
    /// `none`; `ty` is `Option<T>`.
    None,
    /// `some(e)`
    Some(Box<TExpr>),
    /// A read of a state field.
    Field(FieldId),
    /// A read of a parameter of the transition's input (in
    /// `Model::guards`, of the guard itself).
    Param(ParamId),
    Derived(DerivedId),
    /// The machine's key value.
    Key,
    /// `phase`: the current phase (the source phase inside a transition).
    CurrentPhase,
    /// `target`: the phase the transition goes to (the current phase for
    /// `-> stay`). Only inside a transition's statements.
    Target,
    /// A read of a constant.
    Const(ConstId),
    /// An enum variant literal.
    Variant(EnumId, VariantId),
    /// A phase literal (`Valid` or `Phase::Valid`).
    Phase(PhaseId),
    /// A quantifier variable.
    Var(VarId),
    /// `[a, b]`: `ty` says whether it is a set, a list or (only when empty)
    /// a map.
    Collection(Vec<TExpr>),
    Unary(UnOp, Box<TExpr>),
    Binary(BinOp, Box<TExpr>, Box<TExpr>),
    Method {
        method: Method,
        receiver: Box<TExpr>,
        args: Vec<TExpr>,
    },
    /// `all x in coll: body` / `any x in coll: body`; over a map, `x` ranges
    /// over the keys.
    Quant {
        kind: Quantifier,
        var: VarId,
        name: String,
        coll: Box<TExpr>,
        body: Box<TExpr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum UnOp {
    /// `!b`
    Not,
    /// `-n` on a signed integer (checked).
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `x in coll` on a set or a list.
    In,
    /// Checked integer arithmetic.
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    pub const fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }

    /// Whether the operator is integer arithmetic (which can overflow).
    pub const fn is_arithmetic(self) -> bool {
        matches!(
            self,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Quantifier {
    All,
    Any,
}

/// The methods expressions can call. Receiver and argument types:
///
/// | Method | Receiver | Arguments | Result |
/// |---|---|---|---|
/// | `contains` | `Set<T>`, `List<T>`, `Option<T>` | `T` | `bool` |
/// | `len` | `String`, `Set`, `Map`, `List` | | `u64` |
/// | `is_empty` | `String`, `Set`, `Map`, `List` | | `bool` |
/// | `is_some`, `is_none` | `Option<T>` | | `bool` |
/// | `unwrap_or` | `Option<T>` | `T` | `T` |
/// | `contains_key` | `Map<K, V>` | `K` | `bool` |
/// | `get` | `Map<K, V>` | `K` | `Option<V>` |
/// | `get_or` | `Map<K, V>` | `K`, `V` | `V` |
/// | `first`, `last` | `List<T>` | | `Option<T>` |
/// | `keys` | `Map<K, V>` | | `Set<K>` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Method {
    Contains,
    Len,
    IsEmpty,
    IsSome,
    IsNone,
    UnwrapOr,
    ContainsKey,
    Get,
    GetOr,
    First,
    Last,
    Keys,
}

impl Method {
    pub const ALL: [Method; 12] = [
        Method::Contains,
        Method::Len,
        Method::IsEmpty,
        Method::IsSome,
        Method::IsNone,
        Method::UnwrapOr,
        Method::ContainsKey,
        Method::Get,
        Method::GetOr,
        Method::First,
        Method::Last,
        Method::Keys,
    ];

    /// The name as written in a spec.
    pub const fn name(self) -> &'static str {
        match self {
            Method::Contains => "contains",
            Method::Len => "len",
            Method::IsEmpty => "is_empty",
            Method::IsSome => "is_some",
            Method::IsNone => "is_none",
            Method::UnwrapOr => "unwrap_or",
            Method::ContainsKey => "contains_key",
            Method::Get => "get",
            Method::GetOr => "get_or",
            Method::First => "first",
            Method::Last => "last",
            Method::Keys => "keys",
        }
    }

    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl TExpr {
    /// Structural equality that ignores spans (and quantifier variable
    /// names): two expressions that compute the same thing the same way.
    pub fn same_as(&self, other: &TExpr) -> bool {
        use TExprKind as K;
        if self.ty != other.ty {
            return false;
        }
        let all = |a: &[TExpr], b: &[TExpr]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
        };
        match (&self.kind, &other.kind) {
            (K::Some(a), K::Some(b)) => a.same_as(b),
            (K::Collection(a), K::Collection(b)) => all(a, b),
            (K::Unary(o1, a), K::Unary(o2, b)) => o1 == o2 && a.same_as(b),
            (K::Binary(o1, a1, b1), K::Binary(o2, a2, b2)) => {
                o1 == o2 && a1.same_as(a2) && b1.same_as(b2)
            }
            (
                K::Method {
                    method: m1,
                    receiver: r1,
                    args: a1,
                },
                K::Method {
                    method: m2,
                    receiver: r2,
                    args: a2,
                },
            ) => m1 == m2 && r1.same_as(r2) && all(a1, a2),
            (
                K::Quant {
                    kind: k1,
                    var: v1,
                    coll: c1,
                    body: b1,
                    ..
                },
                K::Quant {
                    kind: k2,
                    var: v2,
                    coll: c2,
                    body: b2,
                    ..
                },
            ) => k1 == k2 && v1 == v2 && c1.same_as(c2) && b1.same_as(b2),
            (a, b) => a == b,
        }
    }

    /// Calls `f` on this expression and every subexpression, parents first.
    pub fn walk(&self, f: &mut dyn FnMut(&TExpr)) {
        f(self);
        match &self.kind {
            TExprKind::Some(e) | TExprKind::Unary(_, e) => e.walk(f),
            TExprKind::Collection(es) => es.iter().for_each(|e| e.walk(f)),
            TExprKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            TExprKind::Method { receiver, args, .. } => {
                receiver.walk(f);
                args.iter().for_each(|e| e.walk(f));
            }
            TExprKind::Quant { coll, body, .. } => {
                coll.walk(f);
                body.walk(f);
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- statements

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TStmt {
    pub kind: TStmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AssignOp {
    /// `=`
    Set,
    /// `+=` (checked)
    Add,
    /// `-=` (checked)
    Sub,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TStmtKind {
    /// `field = value`, `field += value`, `field -= value`; `value` has the
    /// field's type.
    Assign {
        field: FieldId,
        op: AssignOp,
        value: TExpr,
    },
    /// `set.insert(x)` (`value` is `None`) or `map.insert(k, v)`.
    Insert {
        field: FieldId,
        key: TExpr,
        value: Option<TExpr>,
    },
    /// `set.remove(x)` or `map.remove(k)`.
    Remove { field: FieldId, key: TExpr },
    /// `list.push(x)`
    Push { field: FieldId, value: TExpr },
    /// `set.clear()`, `map.clear()`, `list.clear()`
    Clear { field: FieldId },
    /// `emit Effect(...)`: one argument per parameter, in the effect's
    /// parameter order (whatever order named arguments were written in).
    Emit { effect: EffectId, args: Vec<TExpr> },
    /// `if cond { then } else { otherwise }`; `else if` is an `If` alone in
    /// `otherwise`.
    If {
        cond: TExpr,
        then: Vec<TStmt>,
        otherwise: Vec<TStmt>,
    },
}

impl TStmt {
    /// Calls `f` on this statement and every nested statement, parents first.
    pub fn walk(&self, f: &mut dyn FnMut(&TStmt)) {
        f(self);
        if let TStmtKind::If {
            then, otherwise, ..
        } = &self.kind
        {
            then.iter().chain(otherwise).for_each(|s| s.walk(f));
        }
    }

    /// The expressions directly held by this statement (not by nested ones).
    pub fn exprs(&self) -> Vec<&TExpr> {
        match &self.kind {
            TStmtKind::Assign { value, .. } | TStmtKind::Push { value, .. } => vec![value],
            TStmtKind::Insert { key, value, .. } => std::iter::once(key).chain(value).collect(),
            TStmtKind::Remove { key, .. } => vec![key],
            TStmtKind::Clear { .. } => vec![],
            TStmtKind::Emit { args, .. } => args.iter().collect(),
            TStmtKind::If { cond, .. } => vec![cond],
        }
    }
}

// ---------------------------------------------------------------- lookups

fn position<T>(items: &[T], pred: impl Fn(&T) -> bool) -> Option<usize> {
    items.iter().position(pred)
}

impl TyNames for Model {
    fn enum_name(&self, id: EnumId) -> &str {
        self.enums.get(id.index()).map_or("?", |e| e.name.as_str())
    }

    fn extern_name(&self, id: ExternId) -> &str {
        self.externs
            .get(id.index())
            .map_or("?", |e| e.name.as_str())
    }
}

impl Model {
    /// The type as written in the spec.
    pub fn ty_name(&self, ty: &Ty) -> String {
        ty.display(self)
    }

    pub fn phase(&self, id: PhaseId) -> Option<&Phase> {
        self.phases.get(id.index())
    }

    pub fn phase_name(&self, id: PhaseId) -> &str {
        self.phase(id).map_or("?", |p| p.name.as_str())
    }

    pub fn phase_ids(&self) -> impl Iterator<Item = PhaseId> + '_ {
        (0..self.phases.len()).map(PhaseId::from_index)
    }

    pub fn phase_by_name(&self, name: &str) -> Option<PhaseId> {
        position(&self.phases, |p| p.name == name).map(PhaseId::from_index)
    }

    pub fn terminal_phases(&self) -> impl Iterator<Item = PhaseId> + '_ {
        self.phase_ids()
            .filter(|id| self.phase(*id).is_some_and(|p| p.terminal))
    }

    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.get(id.index())
    }

    pub fn field_by_name(&self, name: &str) -> Option<FieldId> {
        position(&self.fields, |f| f.name == name).map(FieldId::from_index)
    }

    pub fn input(&self, id: InputId) -> Option<&Input> {
        self.inputs.get(id.index())
    }

    pub fn input_by_name(&self, name: &str) -> Option<InputId> {
        position(&self.inputs, |i| i.name == name).map(InputId::from_index)
    }

    pub fn effect(&self, id: EffectId) -> Option<&Effect> {
        self.effects.get(id.index())
    }

    pub fn effect_by_name(&self, name: &str) -> Option<EffectId> {
        position(&self.effects, |e| e.name == name).map(EffectId::from_index)
    }

    pub fn enum_def(&self, id: EnumId) -> Option<&Enum> {
        self.enums.get(id.index())
    }

    pub fn enum_by_name(&self, name: &str) -> Option<EnumId> {
        position(&self.enums, |e| e.name == name).map(EnumId::from_index)
    }

    pub fn variant_name(&self, id: EnumId, variant: VariantId) -> &str {
        self.enum_def(id)
            .and_then(|e| e.variants.get(variant.index()))
            .map_or("?", |v| v.name.as_str())
    }

    pub fn extern_def(&self, id: ExternId) -> Option<&Extern> {
        self.externs.get(id.index())
    }

    pub fn constant(&self, id: ConstId) -> Option<&Const> {
        self.consts.get(id.index())
    }

    pub fn const_by_name(&self, name: &str) -> Option<ConstId> {
        position(&self.consts, |c| c.name == name).map(ConstId::from_index)
    }

    pub fn guard(&self, id: GuardId) -> Option<&Guard> {
        self.guards.get(id.index())
    }

    pub fn guard_by_name(&self, name: &str) -> Option<GuardId> {
        position(&self.guards, |g| g.name == name).map(GuardId::from_index)
    }

    pub fn derived_value(&self, id: DerivedId) -> Option<&Derived> {
        self.derived.get(id.index())
    }

    pub fn derived_by_name(&self, name: &str) -> Option<DerivedId> {
        position(&self.derived, |d| d.name == name).map(DerivedId::from_index)
    }

    pub fn transition(&self, id: TransitionId) -> Option<&Transition> {
        self.transitions.get(id.index())
    }

    pub fn transition_by_name(&self, name: &str) -> Option<TransitionId> {
        position(&self.transitions, |t| t.name == name).map(TransitionId::from_index)
    }

    pub fn transitions_with_ids(&self) -> impl Iterator<Item = (TransitionId, &Transition)> {
        self.transitions
            .iter()
            .enumerate()
            .map(|(i, t)| (TransitionId::from_index(i), t))
    }

    /// Builds the per-input index; `check` calls it once the model is
    /// assembled.
    pub(crate) fn with_index(mut self) -> Self {
        self.index = InputIndex::build(self.inputs.len(), &self.transitions, &self.ignores);
        self.verify.index = DomainIndex::build(&self.verify.domains);
        self
    }

    /// The ids of the transitions triggered by `input`, in declaration
    /// order (from the index: no scan of the other transitions).
    pub fn transition_ids_on(&self, input: InputId) -> &[TransitionId] {
        self.index.transitions(input)
    }

    /// The transitions triggered by `input`, in declaration order.
    pub fn transitions_on(
        &self,
        input: InputId,
    ) -> impl Iterator<Item = (TransitionId, &Transition)> {
        self.transition_ids_on(input)
            .iter()
            .filter_map(|&id| self.transition(id).map(|t| (id, t)))
    }

    /// The transitions that may fire for `input` in `phase` (the candidates
    /// of the selection rule), in declaration order.
    pub fn candidates(
        &self,
        input: InputId,
        phase: PhaseId,
    ) -> impl Iterator<Item = (TransitionId, &Transition)> {
        self.transitions_on(input)
            .filter(move |(_, t)| t.has_source(phase))
    }

    /// The `ignore` entry of `input`, if it has one.
    pub fn ignore_of(&self, input: InputId) -> Option<&Ignore> {
        let i = self.index.ignores.get(input.index()).copied().flatten()?;
        self.ignores.get(i as usize)
    }

    /// The candidates of `input` in every phase that has some: `(phase,
    /// candidates in declaration order)`, sorted by phase. Costs the sources
    /// of the input's transitions, not phases × transitions, so callers
    /// that need every phase of an input use it rather than
    /// [`Model::candidates`] once per phase.
    pub fn candidates_by_phase(&self, input: InputId) -> Vec<(PhaseId, Vec<TransitionId>)> {
        let mut by_phase: std::collections::BTreeMap<PhaseId, Vec<TransitionId>> =
            std::collections::BTreeMap::new();
        for (id, t) in self.transitions_on(input) {
            for &source in &t.sources {
                by_phase.entry(source).or_default().push(id);
            }
        }
        by_phase.into_iter().collect()
    }

    /// Whether an `ignore` makes `input` a no-op in `phase`.
    pub fn is_ignored(&self, input: InputId, phase: PhaseId) -> bool {
        self.ignore_of(input)
            .is_some_and(|i| i.phases.binary_search(&phase).is_ok())
    }

    pub fn invariant_by_name(&self, name: &str) -> Option<&Invariant> {
        self.invariants.iter().find(|i| i.name == name)
    }
}
