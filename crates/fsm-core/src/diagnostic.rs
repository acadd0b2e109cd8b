//! Diagnostics as plain data. Every mistake in a spec becomes a `Diagnostic`
//! with a stable code; rendering lives elsewhere (the CLI and the proc-macro
//! render the same data the same way).

use crate::span::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $sev:ident, $title:literal; )*) => {
        /// Every diagnostic code the checker can produce. `docs/diagnostics.md`
        /// explains each one with a failing example and the fix; a test keeps
        /// the two lists equal.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $name, )*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The stable identifier, e.g. `FSM0101`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// The severity a diagnostic with this code has.
            pub const fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$sev,)* }
            }

            /// A short title, used as the heading in `docs/diagnostics.md`.
            pub const fn title(self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }
        }
    };
}

codes! {
    // --- files and tokens (00xx)
    InvalidUtf8 = "FSM0001", Error, "file is not valid UTF-8";
    EmptyFile = "FSM0002", Error, "file is empty";
    FileTooLarge = "FSM0003", Error, "file is too large";
    UnexpectedChar = "FSM0004", Error, "unexpected character";
    UnterminatedString = "FSM0005", Error, "unterminated string literal";
    InvalidNumber = "FSM0006", Error, "invalid integer literal";
    // --- syntax (001x)
    Syntax = "FSM0010", Error, "syntax error";
    TooDeep = "FSM0011", Error, "nesting too deep";
    MachineCount = "FSM0012", Error, "a file holds exactly one machine";
    RustSyntax = "FSM0013", Error, "Rust syntax that a spec writes differently";
    // --- names (01xx)
    UnknownPhase = "FSM0101", Error, "unknown phase";
    UnknownName = "FSM0102", Error, "unknown name";
    UnknownInput = "FSM0103", Error, "unknown input";
    UnknownEffect = "FSM0104", Error, "unknown effect";
    UnknownVariant = "FSM0105", Error, "unknown enum variant";
    UnknownType = "FSM0106", Error, "unknown type";
    UnknownGuard = "FSM0107", Error, "unknown guard";
    UnknownParam = "FSM0108", Error, "unknown parameter";
    UnknownMethod = "FSM0109", Error, "unknown method";
    AmbiguousVariant = "FSM0110", Error, "ambiguous variant";
    UnknownAction = "FSM0111", Error, "unknown action";
    // --- duplicates and shadowing (02xx)
    Duplicate = "FSM0201", Error, "duplicate definition";
    Shadowing = "FSM0202", Error, "name shadows another name";
    // --- types (03xx)
    TypeMismatch = "FSM0301", Error, "mismatched types";
    Arity = "FSM0302", Error, "wrong number of arguments";
    AssignToParam = "FSM0303", Error, "assignment to an input parameter";
    AssignToDerived = "FSM0304", Error, "assignment to a derived value";
    InvalidOperand = "FSM0305", Error, "operator or method not defined for this type";
    LiteralOutOfRange = "FSM0306", Error, "integer literal out of range for its type";
    CannotInfer = "FSM0307", Error, "type cannot be inferred";
    InvalidType = "FSM0308", Error, "type not allowed here";
    DerivedCycle = "FSM0309", Error, "derived values depend on each other in a cycle";
    AssignToReadOnly = "FSM0310", Error, "assignment to a read-only name";
    ActionCycle = "FSM0311", Error, "cycle among actions";
    ActionArgumentReadsWrittenState = "FSM0312", Error, "action argument reads state the action writes";
    // --- structure (04xx)
    MissingInitial = "FSM0401", Error, "missing initial phase";
    DuplicateInitial = "FSM0402", Error, "more than one initial phase";
    TerminalNotAbsorbing = "FSM0403", Error, "transition out of a terminal phase";
    EmptySources = "FSM0404", Error, "transition with an empty source set";
    Overlap = "FSM0405", Error, "transitions overlap";
    IgnoreConflict = "FSM0406", Error, "ignored input is also handled";
    NoPhases = "FSM0407", Error, "machine has no phases";
    InvalidVerify = "FSM0408", Error, "invalid verification setting";
    // --- warnings (05xx)
    UnreachablePhase = "FSM0501", Warning, "unreachable phase";
    UnusedInput = "FSM0502", Warning, "unused input";
    UnusedField = "FSM0503", Warning, "unused state field";
    UnusedGuard = "FSM0504", Warning, "unused guard";
    UnusedEffect = "FSM0505", Warning, "unused effect";
    UnusedAction = "FSM0506", Warning, "unused action";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A label on a byte range: the primary one says what is wrong there, the
/// secondary ones point at related places ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

/// One finding about a spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary one; a diagnostic always has one.
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    /// Mechanical fixes for this finding (a "did you mean" suggestion, a
    /// Rust habit spelled the spec's way), for editors to offer as quick
    /// fixes. Not rendered: the help says the same in words. (A boxed
    /// slice keeps `Diagnostic` small; most have none.)
    #[serde(skip)]
    pub fixes: Box<[Fix]>,
}

/// One suggested change: a title and the replacements that make it. The
/// edits do not overlap and apply to the text the diagnostic was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<(Span, String)>,
}

impl Fix {
    /// A fix that replaces the text at `span` with `text`.
    pub fn replace(message: impl Into<String>, span: Span, text: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            edits: vec![(span, text.into())],
        }
    }
}

impl Diagnostic {
    /// A diagnostic with `code`'s severity and a primary label at `span`.
    pub fn new(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            labels: vec![Label {
                span,
                message: label.into(),
                primary: true,
            }],
            notes: Vec::new(),
            help: None,
            fixes: Box::default(),
        }
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.add_fix(fix);
        self
    }

    pub fn add_fix(&mut self, fix: Fix) {
        let mut fixes = std::mem::take(&mut self.fixes).into_vec();
        fixes.push(fix);
        self.fixes = fixes.into_boxed_slice();
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.labels
            .iter()
            .find(|l| l.primary)
            .map(|l| l.span)
            .unwrap_or_default()
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics into their reporting order: by position, then code.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| (a.span(), a.code, &a.message).cmp(&(b.span(), b.code, &b.message)));
}

/// The closest candidate to `name` by edit distance, if it is close enough to
/// be a likely typo. Used for "did you mean" help.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and transpositions of adjacent characters each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(c.as_str().starts_with("FSM") && c.as_str().len() == 7);
        }
    }

    #[test]
    fn suggestions_find_typos_only() {
        assert_eq!(suggest("Expirng", ["Valid", "Expiring"]), Some("Expiring"));
        assert_eq!(suggest("Zzz", ["Valid", "Expiring"]), None);
        assert_eq!(suggest("Opne", ["Open", "Closed"]), Some("Open"));
    }
}
