//! A semantic diff of specs, for reviewers: what changed between two
//! versions of the same machines, read from their checked models (not from
//! their text), classified as *schema* (what a snapshot holds), *behaviour*
//! (what the machine does) or *docs*.
//!
//! [`diff`] takes the two sides as lists of [`Spec`]s, pairs their machines
//! by name and compares each pair ([`compare`]): definitions are matched by
//! name, then a removed and an added definition of the same kind with the
//! same content are taken as a rename, and the rename is applied to the old
//! side before anything else is compared, so the references to a renamed
//! phase, field, input, … are not reported as changes of their own.
//! Expressions and blocks are shown with [`fsm_core::pretty`].
//!
//! The report is printed by [`render`] as text, Markdown or JSON. This
//! module does no I/O: reading files and git revisions is the CLI's job.

mod compare;
pub mod render;

use fsm_core::Compilation;
use serde::Serialize;

pub use compare::compare;

/// One side's spec: how it is shown (a path, or `REV:path`) and its
/// compilation.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    pub path: &'a str,
    pub compilation: &'a Compilation,
}

impl Spec<'_> {
    /// The machine's name: from the model, or from the parse tree when the
    /// spec has errors (`None` when not even that could be read).
    pub fn machine_name(&self) -> Option<&str> {
        if let Some(model) = &self.compilation.model {
            return Some(&model.name);
        }
        let ast = self.compilation.ast.as_ref()?;
        ast.machines.first().map(|m| m.name.name.as_str())
    }
}

/// What kind of definition a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Machine,
    Key,
    Extern,
    Enum,
    Variant,
    Const,
    Phase,
    PhaseSet,
    Field,
    Derived,
    Input,
    Effect,
    Param,
    Guard,
    Action,
    Transition,
    Ignore,
    Invariant,
    Binding,
    Verify,
}

impl Subject {
    /// The word used in text and Markdown output.
    pub const fn word(self) -> &'static str {
        match self {
            Subject::Machine => "machine",
            Subject::Key => "key",
            Subject::Extern => "extern",
            Subject::Enum => "enum",
            Subject::Variant => "variant",
            Subject::Const => "const",
            Subject::Phase => "phase",
            Subject::PhaseSet => "phase set",
            Subject::Field => "field",
            Subject::Derived => "derive",
            Subject::Input => "input",
            Subject::Effect => "effect",
            Subject::Param => "parameter",
            Subject::Guard => "guard",
            Subject::Action => "action",
            Subject::Transition => "transition",
            Subject::Ignore => "ignore",
            Subject::Invariant => "invariant",
            Subject::Binding => "impl",
            Subject::Verify => "verify",
        }
    }
}

/// What happened to the definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Added,
    Removed,
    /// Same content, new name (`old_name` → `name`).
    Renamed,
    /// One aspect changed (`aspect`, `before` → `after`).
    Changed,
}

/// The part of a definition that changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// `///` text.
    Docs,
    /// A type (field, key, const, derived value).
    Type,
    /// A field's initial value or a constant's value.
    Value,
    /// The expression of a derived value, guard, invariant or reach goal.
    Expr,
    /// The order of phases or fields.
    Order,
    /// The variants of an enum (names and order).
    Variants,
    /// The Rust path of an extern or of an enum bound to a Rust enum.
    Path,
    /// The parameters of an input, effect, guard or action.
    Params,
    /// Which phase is `initial`.
    Initial,
    /// Whether a phase is `terminal`.
    Terminal,
    /// The phases of a phase set or an `ignore`.
    Phases,
    /// `invariant always`.
    Always,
    /// A transition's input.
    Input,
    /// A transition's source set.
    Sources,
    /// A transition's target.
    Target,
    /// One guard line of a transition (its name in `detail`).
    Guard,
    /// The name of a guard line of a transition whose condition stayed
    /// the same (`before` → `after`).
    GuardName,
    /// A transition's or an action's statements.
    Block,
    /// The effects a transition may emit.
    Effects,
    /// One method line of an `impl` block (its name in `detail`).
    Method,
    /// A `verify` setting (which one in `detail`).
    Setting,
}

impl Aspect {
    /// The word used in text and Markdown output.
    pub const fn word(self) -> &'static str {
        match self {
            Aspect::Docs => "docs",
            Aspect::Type => "type",
            Aspect::Value => "value",
            Aspect::Expr => "expression",
            Aspect::Order => "order",
            Aspect::Variants => "variants",
            Aspect::Path => "Rust path",
            Aspect::Params => "parameters",
            Aspect::Initial => "initial phase",
            Aspect::Terminal => "terminal",
            Aspect::Phases => "phases",
            Aspect::Always => "checked in",
            Aspect::Input => "input",
            Aspect::Sources => "from",
            Aspect::Target => "target",
            Aspect::Guard => "guard",
            Aspect::GuardName => "guard name",
            Aspect::Block => "block",
            Aspect::Effects => "emits",
            Aspect::Method => "method",
            Aspect::Setting => "setting",
        }
    }
}

/// Schema, behaviour or docs: see [`classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeClass {
    Schema,
    Behaviour,
    Docs,
}

impl ChangeClass {
    pub const fn word(self) -> &'static str {
        match self {
            ChangeClass::Schema => "schema",
            ChangeClass::Behaviour => "behaviour",
            ChangeClass::Docs => "docs",
        }
    }
}

/// One change of one machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Filled by [`classify`] when the change is made.
    pub class: ChangeClass,
    pub subject: Subject,
    pub op: Op,
    /// The definition's name (its new name for a rename, its old one for a
    /// removal). For a variant or a parameter, `Owner.name`; for a
    /// machine-wide aspect (phase order, initial phase), empty.
    pub name: String,
    /// The old name, for a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_name: Option<String>,
    /// What changed, for `changed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect: Option<Aspect>,
    /// Which guard or method, for those aspects; for a changed action's
    /// block or an added or removed machine-level guard, the transitions
    /// that run or use it (comma-separated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The old value, in spec syntax (`None` when there was none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The new value, in spec syntax (`None` when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// For an enum or a variant: whether the enum is reachable from the
    /// key's or a field's type (on either side), which makes it part of
    /// the snapshot.
    #[serde(skip)]
    pub in_snapshot: bool,
}

/// Whether a change touches the snapshot's schema, the machine's behaviour,
/// or only its docs.
///
/// *Schema* is what a snapshot contains: the key (name, type), the phases
/// (names, order), the fields (names, types, order) and the enums reachable
/// from the key's and the fields' types (names, variants, order). *Docs* is
/// `///` text. Everything else is *behaviour*, including the `verify`
/// settings and the `impl` bindings, which change what the tools check and
/// the generated handle rather than the transitions (the generated spec
/// version leaves those two out).
///
/// This one function decides; keep it in step with any version hash that
/// splits schema from behaviour.
pub fn classify(change: &Change) -> ChangeClass {
    if change.aspect == Some(Aspect::Docs) {
        return ChangeClass::Docs;
    }
    let structural = matches!(change.op, Op::Added | Op::Removed | Op::Renamed);
    let schema = match change.subject {
        // The machine's name names its snapshot type.
        Subject::Machine => structural,
        Subject::Key => structural || change.aspect == Some(Aspect::Type),
        Subject::Phase => structural || change.aspect == Some(Aspect::Order),
        Subject::Field => structural || matches!(change.aspect, Some(Aspect::Type | Aspect::Order)),
        Subject::Enum => {
            change.in_snapshot && (structural || change.aspect == Some(Aspect::Variants))
        }
        Subject::Variant => change.in_snapshot,
        _ => false,
    };
    if schema {
        ChangeClass::Schema
    } else {
        ChangeClass::Behaviour
    }
}

/// How one machine differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Only on the new side.
    Added,
    /// Only on the old side.
    Removed,
    /// Schema or behaviour changes (docs changes may come with them).
    Changed,
    /// Only `///` text changed.
    DocsOnly,
    /// Same model, docs included; only the text differs (layout, `//`
    /// comments).
    FormattingOnly,
    /// Same text.
    Unchanged,
    /// One side has errors: not compared.
    Error,
}

impl Status {
    /// Whether this counts as a semantic change (exit code 1).
    pub const fn is_semantic(self) -> bool {
        matches!(self, Status::Added | Status::Removed | Status::Changed)
    }
}

/// The diff of one machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MachineDiff {
    /// Its new name (its old one when removed).
    pub machine: String,
    /// When the machine itself was renamed (two single files compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_machine: Option<String>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_path: Option<String>,
    pub schema_changed: bool,
    pub behaviour_changed: bool,
    pub docs_changed: bool,
    pub changes: Vec<Change>,
    /// For `error`: the errors, one line each (`path:line:col: …`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl MachineDiff {
    fn new(machine: &str, status: Status, old: Option<&Spec<'_>>, new: Option<&Spec<'_>>) -> Self {
        MachineDiff {
            machine: machine.to_owned(),
            old_machine: None,
            status,
            old_path: old.map(|s| s.path.to_owned()),
            new_path: new.map(|s| s.path.to_owned()),
            schema_changed: false,
            behaviour_changed: false,
            docs_changed: false,
            changes: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// "schema and behaviour changed", "docs only", … (the summary line).
    pub fn summary(&self) -> String {
        match self.status {
            Status::Added => "added".to_owned(),
            Status::Removed => "removed".to_owned(),
            Status::DocsOnly => "docs only".to_owned(),
            Status::FormattingOnly => "formatting only".to_owned(),
            Status::Unchanged => "unchanged".to_owned(),
            Status::Error => "not compared: the spec has errors".to_owned(),
            Status::Changed => {
                let mut parts = Vec::new();
                if self.schema_changed {
                    parts.push("schema");
                }
                if self.behaviour_changed {
                    parts.push("behaviour");
                }
                let mut text = format!("{} changed", parts.join(" and "));
                if self.docs_changed {
                    text.push_str(" (and docs)");
                }
                text
            }
        }
    }
}

/// The diff of two sets of specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The JSON schema's version (see `docs/review.md`).
    pub format: u32,
    /// How the old side was named (a path, or a git revision).
    pub old: String,
    /// How the new side was named.
    pub new: String,
    /// Whether any machine was added, removed, or changed in schema or
    /// behaviour (the exit code is 1 exactly then, unless there are errors).
    pub semantic: bool,
    /// Every machine of either side, sorted by name.
    pub machines: Vec<MachineDiff>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.machines.iter().any(|m| m.status == Status::Error)
    }
}

/// The version of the JSON output's schema.
pub const FORMAT_VERSION: u32 = 1;

/// Compares two sides. Machines are paired by name; when each side is a
/// single spec (`pair_single`), the two are compared whatever their names
/// (a renamed machine). `errors` gives, for a spec with errors, the lines
/// to report (the caller renders its diagnostics).
pub fn diff(
    old_label: &str,
    new_label: &str,
    old: &[Spec<'_>],
    new: &[Spec<'_>],
    pair_single: bool,
) -> Report {
    let mut machines = Vec::new();
    let name_of = |s: &Spec<'_>| s.machine_name().unwrap_or(s.path).to_owned();
    let mut pairs: Vec<(Option<&Spec<'_>>, Option<&Spec<'_>>)> = Vec::new();
    if pair_single && old.len() == 1 && new.len() == 1 {
        pairs.push((old.first(), new.first()));
    } else {
        let mut names: Vec<String> = old.iter().chain(new).map(name_of).collect();
        names.sort();
        names.dedup();
        for name in &names {
            let o = old.iter().find(|s| &name_of(s) == name);
            let n = new.iter().find(|s| &name_of(s) == name);
            pairs.push((o, n));
        }
    }
    for (o, n) in pairs {
        machines.push(diff_pair(o, n));
    }
    machines.sort_by(|a, b| a.machine.cmp(&b.machine));
    let semantic = machines.iter().any(|m| m.status.is_semantic());
    Report {
        format: FORMAT_VERSION,
        old: old_label.to_owned(),
        new: new_label.to_owned(),
        semantic,
        machines,
    }
}

fn error_lines(spec: &Spec<'_>) -> Vec<String> {
    let c = spec.compilation;
    let errors: Vec<&fsm_core::Diagnostic> =
        c.diagnostics.iter().filter(|d| d.is_error()).collect();
    let mut lines: Vec<String> = errors
        .iter()
        .take(fsm_core::render::MAX_DIAGNOSTICS)
        .map(|d| fsm_core::render::short(&c.source, d))
        .collect();
    if let Some(note) = fsm_core::render::omitted_note(errors.len()) {
        lines.push(format!("{}: note: {note}", spec.path));
    }
    lines
}

fn diff_pair(old: Option<&Spec<'_>>, new: Option<&Spec<'_>>) -> MachineDiff {
    let name = new
        .or(old)
        .map(|s| s.machine_name().unwrap_or(s.path).to_owned())
        .unwrap_or_default();
    let broken: Vec<&Spec<'_>> = [old, new]
        .into_iter()
        .flatten()
        .filter(|s| s.compilation.model.is_none())
        .collect();
    if !broken.is_empty() {
        let mut d = MachineDiff::new(&name, Status::Error, old, new);
        d.errors = broken.iter().flat_map(|s| error_lines(s)).collect();
        return d;
    }
    let (Some(o), Some(n)) = (old, new) else {
        let status = if new.is_some() {
            Status::Added
        } else {
            Status::Removed
        };
        let mut d = MachineDiff::new(&name, status, old, new);
        d.schema_changed = true;
        d.behaviour_changed = true;
        return d;
    };
    let (Some(om), Some(nm)) = (&o.compilation.model, &n.compilation.model) else {
        return MachineDiff::new(&name, Status::Error, old, new);
    };
    let mut d = MachineDiff::new(&name, Status::Unchanged, old, new);
    if om.name != nm.name {
        d.old_machine = Some(om.name.clone());
    }
    d.changes = compare(o.compilation, n.compilation);
    for c in &d.changes {
        match c.class {
            ChangeClass::Schema => d.schema_changed = true,
            ChangeClass::Behaviour => d.behaviour_changed = true,
            ChangeClass::Docs => d.docs_changed = true,
        }
    }
    d.status = if d.schema_changed || d.behaviour_changed {
        Status::Changed
    } else if d.docs_changed {
        Status::DocsOnly
    } else if o.compilation.source.text() != n.compilation.source.text() {
        Status::FormattingOnly
    } else {
        Status::Unchanged
    };
    d
}

#[cfg(test)]
mod tests;
