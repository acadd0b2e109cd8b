//! The `machine!` proc-macro: generates a state machine from a `.fsm` spec;
//! and `#[implement]`, which writes a handwritten trait's methods from the
//! spec's `impl Trait { … }` block.
//!
//! Thin by design: it resolves and reads the file, hands the bytes to
//! `fsm_core::compile`, and either expands to `fsm_core::codegen::generate`
//! of the checked model (each spec warning a `#[deprecated]` use, so rustc
//! prints it) or turns every error diagnostic into a `compile_error!`
//! carrying the text `fsm check` prints, beside a stub of the machine
//! (`stub.rs`) so the code using it adds no errors.
//!
//! Paths are relative to the invoking crate's manifest directory
//! (`CARGO_MANIFEST_DIR`), or to `FSM_MANIFEST_DIR` when that is set (tests
//! run through trybuild, whose generated crate lives elsewhere, set it).
//! The expansion includes the spec with `include_str!`, so editing the spec
//! recompiles its users.

mod implement;
mod stub;

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use std::io;
use std::path::{Path, PathBuf};
use syn::LitStr;
use syn::parse::{ParseStream, Parser};

/// Generates the state machine described by a `.fsm` spec.
///
/// ```text
/// fsm::machine!("machines/auth_lease.fsm");
/// ```
///
/// The path is relative to the crate's `Cargo.toml` directory. A spec that
/// `fsm check` rejects does not compile: each error becomes a compile error
/// with the diagnostic `fsm check` prints.
#[proc_macro]
pub fn machine(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand(input.into()).into()
}

/// Implements a handwritten trait from the spec's `impl Trait { … }` block.
///
/// ```text
/// fsm::machine!("machines/turn.fsm");
///
/// #[fsm::implement("machines/turn.fsm", TurnStateHandle)]
/// impl TurnStateHandle for TurnHandle {
///     fn start(&self, run_id: RunId) -> Result<(), TurnError>;
///     fn snapshot(&self) -> TurnStateSnapshot;
/// }
/// ```
///
/// The impl lists the trait's methods without bodies; the attribute writes
/// them. Each must take `&self` and have a line in the spec's
/// `impl TurnStateHandle` block with the same parameter names, in the same
/// order; every line of that block must have its method here. Methods
/// written with a body are left alone, unless the spec binds them.
///
/// The machine (`Turn`, its `TurnInput`) must be in scope, and the handle
/// type must implement `fsm::Authority<Turn>`. A method bound to an input
/// converts each argument with `From` into the input's parameter type (a
/// mismatch is an error at the parameter), drives the input with
/// `Authority::drive`, and returns `FromDrive::from_drive` of the outcome. A
/// query reads an owned value (the snapshot, the phase, a clone of a field,
/// a derived value) with `Authority::read` and returns
/// `FromQuery::<Turn, _>::from_query` of it, or of the poisoned-lock error.
/// Both receive `"Trait::method"` as context.
#[proc_macro_attribute]
pub fn implement(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    implement::expand(attr.into(), item.into()).into()
}

/// The variable that overrides `CARGO_MANIFEST_DIR` for resolving paths.
const OVERRIDE_VAR: &str = "FSM_MANIFEST_DIR";

fn expand(input: TokenStream) -> TokenStream {
    let lit = match parse_argument.parse2(input) {
        Ok(lit) => lit,
        Err(err) => return err.to_compile_error(),
    };
    let spec = match load(&lit) {
        Ok(spec) => spec,
        Err(errors) => return errors,
    };
    let Some(model) = &spec.compilation.model else {
        let errors = spec_errors(lit.span(), &spec.compilation, true);
        let warnings = spec_warnings(lit.span(), &spec.compilation);
        return quote!(#errors #warnings);
    };
    let generated = fsm_core::codegen::generate(model);
    let warnings = spec_warnings(lit.span(), &spec.compilation);
    let include = spec.include();
    quote! {
        #generated
        #warnings
        const _: &str = ::core::include_str!(#include);
    }
}

/// A spec read and compiled.
pub(crate) struct Spec {
    /// The path as written in the macro call (how diagnostics name it).
    pub written: String,
    /// The resolved path.
    pub full: PathBuf,
    pub compilation: fsm_core::Compilation,
}

impl Spec {
    /// The resolved path, for `include_str!`.
    pub fn include(&self) -> String {
        self.full.to_string_lossy().into_owned()
    }
}

/// Resolves, reads and compiles the spec named by `lit`; a path that cannot
/// be read is a `compile_error!` at `lit`.
pub(crate) fn load(lit: &LitStr) -> Result<Spec, TokenStream> {
    let written = lit.value();
    let span = lit.span();
    let full = resolve(&written).map_err(|message| error(span, &message))?;
    // The read path shared with the CLI: regular files only (links
    // followed), at most `fsm_core::MAX_SOURCE_LEN` bytes, so a FIFO or
    // `/dev/zero` cannot hang or swell the compiler.
    let bytes = fsm_read::read_spec(&full).map_err(|err| {
        let reason = match &err {
            fsm_read::ReadError::Io(err) => io_reason(err),
            fsm_read::ReadError::NotRegular if full.is_dir() => "it is a directory".to_owned(),
            other => other.to_string(),
        };
        error(
            span,
            &format!(
                "cannot read spec `{written}`: {reason} (resolved to `{}`)",
                full.display()
            ),
        )
    })?;
    let compilation = fsm_core::compile(&written, &bytes);
    Ok(Spec {
        written,
        full,
        compilation,
    })
}

/// One string literal, optionally followed by a comma.
fn parse_argument(input: ParseStream) -> syn::Result<LitStr> {
    const USAGE: &str =
        "expected the path of a `.fsm` spec, e.g. `machine!(\"machines/name.fsm\")`";
    if input.is_empty() {
        return Err(syn::Error::new(Span::call_site(), USAGE));
    }
    if !input.peek(LitStr) {
        return Err(input.error(format!("{USAGE}: the path must be a string literal")));
    }
    let lit: LitStr = input.parse()?;
    if input.peek(syn::Token![,]) {
        input.parse::<syn::Token![,]>()?;
    }
    if !input.is_empty() {
        return Err(input.error("`machine!` takes one argument: the path of a `.fsm` spec"));
    }
    Ok(lit)
}

/// The absolute path of the spec `written`.
fn resolve(written: &str) -> Result<PathBuf, String> {
    if written.is_empty() {
        return Err("the spec path is empty".to_owned());
    }
    if Path::new(written).is_absolute() || written.starts_with(['/', '\\']) {
        return Err(format!(
            "spec path `{written}` is absolute; give it relative to the crate's manifest directory"
        ));
    }
    let base = std::env::var_os(OVERRIDE_VAR)
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
        .ok_or_else(|| {
            format!("cannot resolve spec `{written}`: `CARGO_MANIFEST_DIR` is not set")
        })?;
    let base = if base.is_absolute() {
        base
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot resolve spec `{written}`: {e}"))?
            .join(base)
    };
    Ok(base.join(written))
}

fn io_reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => err.to_string(),
    }
}

pub(crate) fn error(span: Span, message: &str) -> TokenStream {
    quote_spanned!(span=> ::core::compile_error!(#message);)
}

/// The text of one diagnostic as a compiler message: what `fsm check`
/// prints, its first line `[FSM0101] unknown phase …` rather than
/// `error[FSM0101]: …`, since rustc prints its own `error: ` (or
/// `warning: `) before it.
pub(crate) fn message(source: &fsm_core::SourceFile, diag: &fsm_core::Diagnostic) -> String {
    let text = fsm_core::render::render(source, std::slice::from_ref(diag), false);
    let text = text.trim_end();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let prefix = format!("{}[{}]: ", diag.severity.as_str(), diag.code);
    let head = match first.strip_prefix(&prefix) {
        Some(message) => format!("[{}] {message}", diag.code),
        None => first.to_owned(),
    };
    if rest.is_empty() {
        head
    } else {
        format!("{head}\n{rest}")
    }
}

/// One `compile_error!` per error diagnostic, plus (with `stub`) a stub of
/// the machine's items (see [`stub`]) so that uses of it do not add errors
/// of their own.
pub(crate) fn spec_errors(
    span: Span,
    compilation: &fsm_core::Compilation,
    stub: bool,
) -> TokenStream {
    let mut out = TokenStream::new();
    let errors: Vec<&fsm_core::Diagnostic> = compilation
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    // As `fsm check`: at most `MAX_DIAGNOSTICS`, long lines windowed (by
    // `render`), and one closing note for the rest.
    for diag in errors.iter().take(fsm_core::render::MAX_DIAGNOSTICS) {
        out.extend(error(span, &message(&compilation.source, diag)));
    }
    if let Some(note) = fsm_core::render::omitted_note(errors.len()) {
        out.extend(error(
            span,
            &format!("{}: {note}", compilation.source.name()),
        ));
    }
    if out.is_empty() {
        out.extend(error(span, "the spec has errors"));
    }
    if stub {
        out.extend(stub::stub(compilation.ast.as_ref()));
    }
    out
}

/// The spec's warnings as compiler warnings. A proc-macro cannot emit a
/// warning on stable Rust; the use of a `#[deprecated]` item can: each
/// warning is a deprecated constant, used at once, whose note is the
/// diagnostic. rustc prints `warning: use of deprecated constant …: [FSM0502]
/// unused input …` with the spec's `path:line:col` and snippet, at `span`;
/// `#[allow(deprecated)]` on the call silences them, `-D warnings` denies
/// them.
pub(crate) fn spec_warnings(span: Span, compilation: &fsm_core::Compilation) -> TokenStream {
    let warnings: Vec<&fsm_core::Diagnostic> = compilation
        .diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .collect();
    let mut notes: Vec<String> = warnings
        .iter()
        .take(fsm_core::render::MAX_DIAGNOSTICS)
        .map(|diag| message(&compilation.source, diag))
        .collect();
    if let Some(note) = fsm_core::render::omitted_note(warnings.len()) {
        notes.push(format!("{}: {note}", compilation.source.name()));
    }
    notes
        .iter()
        .map(|note| {
            let name = quote_spanned!(span=> fsm_spec_warning);
            quote_spanned! {span=>
                const _: () = {
                    #[deprecated(note = #note)]
                    #[allow(non_upper_case_globals)]
                    const #name: () = ();
                    #name
                };
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `compile_error!`s of a spec: their count and total size.
    fn errors_of(spec: &str) -> (usize, usize) {
        let compilation = fsm_core::compile("x.fsm", spec.as_bytes());
        let text = spec_errors(Span::call_site(), &compilation, false).to_string();
        (text.matches("compile_error").count(), text.len())
    }

    #[test]
    fn errors_are_capped_and_long_lines_windowed() {
        // 8000 unclosed machines on one 96 KB line: thousands of errors,
        // each once a copy of the whole line (290 MB of compiler output).
        let (count, bytes) = errors_of(&"machine M { ".repeat(8000));
        assert_eq!(count, fsm_core::render::MAX_DIAGNOSTICS + 1);
        assert!(bytes < 200_000, "{bytes} bytes of compile errors");
        let phases = vec!["A"; 10_000].join(", ");
        let (count, bytes) = errors_of(&format!("machine M {{ phases {{ {phases} }} initial A }}"));
        assert_eq!(count, fsm_core::render::MAX_DIAGNOSTICS + 1);
        assert!(bytes < 300_000, "{bytes} bytes of compile errors");
    }

    #[test]
    fn the_last_error_says_how_many_were_left_out() {
        let phases = vec!["A"; 300].join(", ");
        let compilation = fsm_core::compile(
            "x.fsm",
            format!("machine M {{ phases {{ {phases} }} initial A }}").as_bytes(),
        );
        let text = spec_errors(Span::call_site(), &compilation, false).to_string();
        assert!(
            text.contains("x.fsm: ... and 99 more diagnostics"),
            "{}",
            &text[text.len().saturating_sub(300)..]
        );
    }

    #[test]
    fn messages_carry_the_code_once_and_no_severity() {
        let compilation = fsm_core::compile(
            "x.fsm",
            b"machine M { phases { A, B } initial C input I transition t on I from A -> B }",
        );
        let error = compilation
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .unwrap();
        let text = message(&compilation.source, error);
        assert!(text.starts_with("[FSM0101] unknown phase `C`\n"), "{text}");
        assert!(text.contains("--> x.fsm:1:37"), "{text}");
        let spec = b"machine M { phases { A, B } initial A input I input J transition t on I from A -> B }";
        let compilation = fsm_core::compile("x.fsm", spec);
        assert!(compilation.model.is_some());
        let warnings = spec_warnings(Span::call_site(), &compilation).to_string();
        assert_eq!(warnings.matches("deprecated").count(), 1, "{warnings}");
        assert!(
            warnings.contains("[FSM0502] input `J` is never used"),
            "{warnings}"
        );
    }

    #[test]
    fn a_broken_spec_stands_a_stub_in_for_its_machine() {
        let compilation = fsm_core::compile(
            "x.fsm",
            b"machine Door { phases { A, B } initial C input Push input Push(n: u8) }",
        );
        let text = spec_errors(Span::call_site(), &compilation, true).to_string();
        assert_eq!(text.matches("compile_error").count(), 2, "{text}");
        for item in [
            "pub struct Door",
            "pub enum DoorPhase { A , B }",
            "pub enum DoorInput { }",
            "pub enum DoorEffect { }",
            "pub enum DoorSnapshot { }",
            "impl :: fsm :: Machine for Door",
            stub::MARKER,
        ] {
            assert!(text.contains(item), "{item} in {text}");
        }
        // One method per input name, whatever its duplicates.
        assert_eq!(text.matches("pub fn push").count(), 1, "{text}");
        assert!(text.contains("type Key = () ;"), "{text}");
        assert!(text.contains("pub fn new () -> Self"), "{text}");
    }

    #[test]
    fn the_stub_of_a_keyed_machine_has_its_key_type() {
        let stub_of = |key: &str| {
            let spec = format!(
                "machine Lease {{ extern LeaseKey = crate::handles::LeaseKey key id: {key} \
                 phases {{ A }} initial B }}"
            );
            let compilation = fsm_core::compile("x.fsm", spec.as_bytes());
            assert!(compilation.model.is_none());
            spec_errors(Span::call_site(), &compilation, true).to_string()
        };
        let text = stub_of("u64");
        assert!(text.contains("type Key = u64 ;"), "{text}");
        assert!(text.contains("pub fn new (_key : u64) -> Self"), "{text}");
        let text = stub_of("LeaseKey");
        assert!(
            text.contains("type Key = crate :: handles :: LeaseKey ;"),
            "{text}"
        );
        // A key type the stub cannot read is `()`.
        let text = stub_of("Option<u8>");
        assert!(text.contains("type Key = () ;"), "{text}");
    }
}
