//! The parse tree: mirrors the text of a `.fsm` file, with a byte span on
//! every node. Produced by `parser`, consumed by `check` (lowering to the
//! model) and by `fmt`. Nothing here is resolved or checked yet.
//!
//! Parsing never fails: a syntax error leaves a partial tree (items that
//! could not be parsed are dropped, expressions become `ExprKind::Error`)
//! plus diagnostics.

use crate::span::Span;

/// An identifier with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `///` doc comment lines attached to the item that follows them, with the
/// leading `///` and one space removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Docs {
    pub lines: Vec<String>,
    pub span: Option<Span>,
}

impl Docs {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub machines: Vec<Machine>,
    /// Every `//` comment (not doc comment) in the file, in order, with its
    /// text after the `//`. Used by `fmt` to preserve comments.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// `machine Name { items }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub docs: Docs,
    pub name: Ident,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub docs: Docs,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// `key name: Type`
    Key { name: Ident, ty: TypeExpr },
    /// `extern Name = path::to::Type`
    Extern { name: Ident, path: Vec<Ident> },
    /// `enum Name { A, B }`, or `enum Name = path::to::Name { A, B }` for
    /// an enum bound to a Rust enum (`rust_path` is the path as written).
    Enum {
        name: Ident,
        rust_path: Option<Vec<Ident>>,
        variants: Vec<Variant>,
    },
    /// `phases { A, B, C }`
    Phases(Vec<Variant>),
    /// `phases Name = A | B`: a named set of phases
    PhaseSet { name: Ident, phases: Vec<Ident> },
    /// `const NAME: Type = value`
    Const {
        name: Ident,
        ty: TypeExpr,
        value: Expr,
    },
    /// `initial A`
    Initial(Ident),
    /// `terminal A, B`
    Terminal(Vec<Ident>),
    /// `state { field: Type = init ... }`
    State(Vec<Field>),
    /// `input Name(param: Type, ...)`
    Input(Signature),
    /// `effect Name(param: Type, ...)`
    Effect(Signature),
    /// `guards { name: expr  name(param: Type): expr ... }`: machine-level
    /// guards, reusable by transitions
    Guards(Vec<MachineGuard>),
    /// `action name(param: Type) { statements }`: a reusable block
    Action(Action),
    /// `derive name: Type = expr`
    Derive {
        name: Ident,
        ty: TypeExpr,
        value: Expr,
    },
    /// `transition ...`
    Transition(Transition),
    /// `ignore Input in Sources`
    Ignore {
        inputs: Vec<Ident>,
        sources: Sources,
        span: Span,
    },
    /// `invariant name: expr`
    /// `invariant [always] name: expr`; `always` asks for the check after
    /// every input in release builds too.
    Invariant {
        name: Ident,
        expr: Expr,
        always: bool,
    },
    /// `verify { ... }`
    Verify(Vec<VerifySetting>),
    /// `impl Trait { fn method(params) = target ... }`: a handle binding
    Impl {
        trait_name: Ident,
        methods: Vec<ImplMethod>,
    },
}

/// One line of an `impl` block: `fn name(a, b) = target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImplMethod {
    pub docs: Docs,
    pub name: Ident,
    pub params: Vec<Ident>,
    /// The span of `(...)`, when written.
    pub params_span: Option<Span>,
    pub target: ImplTarget,
    /// `= Input(a.b, c)`: what each input parameter is built from, when
    /// written (only after an input).
    pub args: Option<Vec<ArgPath>>,
    pub span: Span,
}

/// A method parameter or a field path inside one: `reason.message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgPath {
    pub param: Ident,
    pub fields: Vec<Ident>,
    pub span: Span,
}

/// What the right side of an `impl` line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImplTarget {
    /// `= Input`
    Input(Ident),
    /// `= snapshot`
    Snapshot(Span),
    /// `= phase`
    Phase(Span),
    /// `= field name`
    Field(Ident),
    /// `= derive name`
    Derive(Ident),
}

/// A phase or enum variant, with its docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub docs: Docs,
    pub name: Ident,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub docs: Docs,
    pub name: Ident,
    pub ty: TypeExpr,
    pub init: Expr,
    pub span: Span,
}

/// The name and parameters of an input or effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub name: Ident,
    pub params: Vec<Param>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub docs: Docs,
    pub name: Ident,
    pub ty: TypeExpr,
}

/// A type as written: `u64`, `Option<RunId>`, `Map<String, SurfaceBase>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeExpr {
    pub name: Ident,
    pub args: Vec<TypeExpr>,
    pub span: Span,
}

/// A guard line of a transition: `guard name: expr` (a local guard),
/// `guard name` or `guard name(args)` (a reference to a machine-level
/// guard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardDef {
    pub name: Ident,
    /// The arguments of a reference, `guard name(a, b)`; empty otherwise.
    pub args: Vec<Expr>,
    /// The condition of a local guard.
    pub expr: Option<Expr>,
    pub span: Span,
}

/// One entry of a `guards { }` block: `name: expr` or
/// `name(param: Type, ...): expr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineGuard {
    pub docs: Docs,
    pub name: Ident,
    pub params: Vec<Param>,
    pub expr: Expr,
    pub span: Span,
}

/// `action name(param: Type, ...) { statements }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub name: Ident,
    pub params: Vec<Param>,
    pub body: Block,
}

/// ```text
/// transition name on Input from Sources -> Target
///     guard g: expr
/// { statements }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub name: Ident,
    pub input: Ident,
    pub sources: Sources,
    pub target: Target,
    pub guards: Vec<GuardDef>,
    /// `None` when the transition has no `{ ... }` block.
    pub body: Option<Block>,
}

/// A source set: `A | B`, `*`, or `* except A | B`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sources {
    List(Vec<Ident>),
    All { except: Vec<Ident>, span: Span },
}

impl Sources {
    pub fn span(&self) -> Span {
        match self {
            Sources::List(ids) => ids
                .iter()
                .map(|i| i.span)
                .reduce(Span::to)
                .unwrap_or_default(),
            Sources::All { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Phase(Ident),
    /// `-> stay`
    Stay(Span),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StmtKind {
    /// `field = expr`, `field += expr`, `field -= expr`
    Assign {
        target: Ident,
        op: AssignOp,
        value: Expr,
    },
    /// `field.method(args)`: `insert`, `remove`, `push`, `clear`
    Call {
        target: Ident,
        method: Ident,
        args: Vec<Expr>,
    },
    /// `emit Effect(args)` or `emit Effect` (no parameters)
    Emit { effect: Ident, args: Vec<Arg> },
    /// `if cond { } else if cond { } else { }`
    If {
        cond: Expr,
        then: Block,
        otherwise: Option<Else>,
    },
    /// `do action` or `do action(args)`
    Do { action: Ident, args: Vec<Expr> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Else {
    Block(Block),
    If(Box<Stmt>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
}

/// An argument of an `emit`: positional (`expr`) or named (`name: expr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    Bool(bool),
    /// An integer literal; the value is checked against its type later.
    Int(u128),
    Str(String),
    /// `none`
    None,
    /// `some(expr)`
    Some(Box<Expr>),
    /// A bare name: a field, parameter, derived value, constant, `phase`,
    /// `target`, a phase set, or a bare enum variant / phase name (resolved
    /// by the checker).
    Name(Ident),
    /// `Enum::Variant`
    Path(Ident, Ident),
    /// `[a, b, c]` (a list or set literal; `[]` is any empty collection)
    List(Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `receiver.method(args)`, e.g. `s.contains(x)`, `o.is_some()`
    Method {
        receiver: Box<Expr>,
        method: Ident,
        args: Vec<Expr>,
    },
    /// `all x in coll: body` / `any x in coll: body`
    Quant {
        kind: Quantifier,
        var: Ident,
        coll: Box<Expr>,
        body: Box<Expr>,
    },
    /// `(expr)`; kept so that `fmt` preserves the author's parentheses.
    Paren(Box<Expr>),
    /// Placeholder after a syntax error; the checker skips it silently.
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `x in coll`
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }

    /// Binding power: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In => 3,
            BinaryOp::Add | BinaryOp::Sub => 4,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    All,
    Any,
}

/// One line of a `verify { ... }` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifySetting {
    pub kind: VerifyKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyKind {
    /// `domain u64 = 0..3`, `domain Input.param = ["a", "b"]`,
    /// `domain LeaseKey = ["k1", "k2"]`
    Domain {
        target: DomainTarget,
        values: DomainValues,
    },
    /// `max_depth 8`
    MaxDepth(u64, Span),
    /// `max_states 100000`
    MaxStates(u64, Span),
    /// `max_collection 3`: the bound on the size of sets, maps and lists
    MaxCollection(u64, Span),
    /// `reach name: expr`
    Reach { name: Ident, expr: Expr },
    /// `allow_overflow t1, t2`: transitions whose overflow the author
    /// accepts (`fsm verify` reports no finding for them).
    AllowOverflow(Vec<Ident>),
    /// `always_possible name: expr`: from every reachable state, a state
    /// meeting `expr` is reachable.
    AlwaysPossible { name: Ident, expr: Expr },
    /// `bound expr`: states where `expr` is false are not explored.
    Bound(Expr),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainTarget {
    /// every value of a type: `u64`, `String`, an extern
    Type(TypeExpr),
    /// one parameter of one input: `Acquire.expires_at`
    Param { input: Ident, param: Ident },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainValues {
    /// `lo..hi` (exclusive) or `lo..=hi` (inclusive), as written
    Range {
        lo: u128,
        hi: u128,
        inclusive: bool,
        span: Span,
    },
    /// `["a", "b"]` or `[1, 5, 9]`
    List(Vec<Expr>, Span),
}
