//! The front end of the `fsm` state-machine language.
//!
//! [`compile`] is the one entry point shared by the CLI, the proc-macro and
//! xtask: it takes the bytes of one `.fsm` file and returns the checked
//! model (when there are no errors) and every diagnostic. This crate does no
//! I/O and reads no environment.
//!
//! Pipeline (each stage is a module; see `ARCHITECTURE.md`):
//! bytes → [`span::SourceFile`] → [`lexer`] → [`parser`] ([`ast`]) →
//! [`check`] ([`model`]) → consumers ([`render`], [`fmt`], codegen, …).

pub mod ast;
pub mod check;
pub mod codegen;
pub mod diagnostic;
pub mod fmt;
pub mod lexer;
pub mod model;
pub mod parser;
pub mod pretty;
pub mod render;
pub mod span;
pub mod versions;

pub use diagnostic::{Code, Diagnostic, Fix, Label, Severity};
pub use model::Model;
pub use span::{SourceFile, Span};

/// Files larger than this are refused with FSM0003 before lexing.
pub const MAX_SOURCE_LEN: usize = 4 * 1024 * 1024;

/// The result of compiling one file.
#[derive(Debug, Clone)]
pub struct Compilation {
    /// The file as read (lossily decoded when it was not UTF-8).
    pub source: SourceFile,
    /// The parse tree; `None` when the file could not be read as text.
    pub ast: Option<ast::File>,
    /// The checked model; `Some` exactly when there are no errors.
    pub model: Option<Model>,
    /// Every diagnostic, errors and warnings, in reporting order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| !d.is_error()).count()
    }
}

/// Compiles one `.fsm` file. `name` is how the file is shown in diagnostics
/// (usually its path). Never panics, whatever the bytes.
///
/// A UTF-8 byte order mark at the start is dropped (as rustc does): spans,
/// lines and columns are those of the text after it.
pub fn compile(name: &str, bytes: &[u8]) -> Compilation {
    let (source, early) = decode(name, strip_bom(bytes));
    if let Some(diag) = early {
        return Compilation {
            source,
            ast: None,
            model: None,
            diagnostics: vec![diag],
        };
    }
    let (file, mut diagnostics) = parser::parse(&source);
    let syntax_errors = diagnostics.iter().any(Diagnostic::is_error);
    let (model, check_diags) = check::check(&file);
    // After a syntax error the tree is partial (dropped items, placeholder
    // expressions), so "unused" and "unreachable" findings would be guesses.
    diagnostics.extend(
        check_diags
            .into_iter()
            .filter(|d| d.is_error() || !syntax_errors),
    );
    diagnostic::sort(&mut diagnostics);
    let model = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        model
    };
    Compilation {
        source,
        ast: Some(file),
        model,
        diagnostics,
    }
}

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Turns bytes into a source file, or the one diagnostic that stops
/// compilation before lexing (empty, too large, not UTF-8).
fn decode(name: &str, bytes: &[u8]) -> (SourceFile, Option<Diagnostic>) {
    if bytes.len() > MAX_SOURCE_LEN {
        let source = SourceFile::new(name, "");
        let diag = Diagnostic::new(
            Code::FileTooLarge,
            format!(
                "file is {} bytes, more than the limit of {} bytes",
                bytes.len(),
                MAX_SOURCE_LEN
            ),
            Span::point(0),
            "file starts here",
        )
        .with_help("split the machine, or check that this is the file you meant");
        return (source, Some(diag));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let source = SourceFile::new(name, text);
            if text.trim().is_empty() {
                let diag = Diagnostic::new(
                    Code::EmptyFile,
                    "file is empty",
                    Span::point(0),
                    "expected a `machine`",
                )
                .with_help("a spec holds one `machine Name { ... }`");
                return (source, Some(diag));
            }
            (source, None)
        }
        Err(err) => {
            let valid = err.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let source = SourceFile::new(name, text);
            // The lossy text has the same bytes up to the first invalid one.
            let diag = Diagnostic::new(
                Code::InvalidUtf8,
                "file is not valid UTF-8",
                Span::new(valid as u32, valid as u32 + 1),
                "invalid byte here",
            )
            .with_help("save the file as UTF-8");
            (source, Some(diag))
        }
    }
}
