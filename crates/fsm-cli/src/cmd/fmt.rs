//! `fsm fmt`: rewrites specs in the canonical layout.
//!
//! A spec with syntax errors is reported and left untouched. A file is
//! written only when its text changes, through a temporary file in the same
//! folder renamed over it, so a failure never leaves a half-written spec.

use crate::files::{self, io_message};
use crate::output::{self, Outcome, count};
use fsm_core::{Diagnostic, SourceFile, render};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Format specs in place.
///
/// Exits with 0 when every spec is formatted (or was rewritten), 1 when a
/// spec has syntax errors or, with `--check`, would change, and 2 when a path
/// cannot be used or a file cannot be read or written.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files, or folders searched recursively for `*.fsm` files
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Write nothing: print what would change, as a unified diff of each
    /// file on stdout (`--- path`, `+++ path`, hunks with 3 lines of
    /// context), and exit with 1 if anything would
    #[arg(long)]
    check: bool,
}

pub fn run(args: &Args, color: bool) -> Outcome {
    let collected = files::collect(&args.paths);
    let mut outcome = Outcome::Clean;
    for message in &collected.errors {
        output::error(message, color);
        outcome = Outcome::Trouble;
    }
    let mut changed = 0;
    let mut unchanged = 0;
    let mut invalid = 0;
    for path in &collected.files {
        let name = path.display().to_string();
        let bytes = match files::read(path) {
            Ok(bytes) => bytes,
            Err(message) => {
                output::error(&message, color);
                outcome = Outcome::Trouble;
                continue;
            }
        };
        let (source, formatted) = match format_bytes(&name, &bytes) {
            Ok(pair) => pair,
            Err((source, diags)) => {
                output::eprint(&render::render(&source, &diags, color));
                invalid += 1;
                outcome = outcome.max(Outcome::SpecErrors);
                continue;
            }
        };
        if formatted == source.text() {
            unchanged += 1;
        } else if args.check {
            output::print(&diff(&name, source.text(), &formatted));
            changed += 1;
            outcome = outcome.max(Outcome::SpecErrors);
        } else {
            match write_atomically(path, &formatted) {
                Ok(()) => changed += 1,
                Err(err) => {
                    output::error(
                        &format!("cannot write `{name}`: {}", io_message(&err)),
                        color,
                    );
                    outcome = Outcome::Trouble;
                }
            }
        }
    }
    if changed + unchanged + invalid > 0 {
        let mut summary = if args.check {
            format!(
                "{} would be reformatted, {} already formatted",
                count(changed, "file", "files"),
                unchanged
            )
        } else {
            format!(
                "reformatted {}, {} unchanged",
                count(changed, "file", "files"),
                unchanged
            )
        };
        if invalid > 0 {
            summary.push_str(&format!(", {} with syntax errors left untouched", invalid));
        }
        output::eprint(&format!("{summary}\n"));
    }
    outcome
}

/// The source and its formatted text, or the source and the diagnostics that
/// stop formatting. The formatted text keeps the file's line ending (that of
/// its first line: `\n`, `\r\n` or `\r`) and its byte order mark; the
/// source is the text as read, without the mark.
fn format_bytes(
    name: &str,
    bytes: &[u8],
) -> Result<(SourceFile, String), (SourceFile, Vec<Diagnostic>)> {
    let bom = bytes.starts_with(fsm_core::BOM);
    let text = match std::str::from_utf8(fsm_core::strip_bom(bytes)) {
        Ok(text) if bytes.len() <= fsm_core::MAX_SOURCE_LEN => text,
        // Not UTF-8 or too large: `compile` stops before parsing and says why.
        _ => {
            let compilation = fsm_core::compile(name, bytes);
            return Err((compilation.source, compilation.diagnostics));
        }
    };
    let eol = line_ending(text);
    // The formatter works on `\n` lines; the text goes back to `eol` after.
    let parsed = if eol == "\n" {
        SourceFile::new(name, text)
    } else {
        SourceFile::new(name, text.replace("\r\n", "\n").replace('\r', "\n"))
    };
    match fsm_core::fmt::format(&parsed) {
        Ok(formatted) => {
            let mut out = String::with_capacity(formatted.len() + 3);
            if bom {
                out.push('\u{feff}');
            }
            if eol == "\n" {
                out.push_str(&formatted);
            } else {
                out.push_str(&formatted.replace('\n', eol));
            }
            let original = if bom {
                format!("\u{feff}{text}")
            } else {
                text.to_owned()
            };
            Ok((SourceFile::new(name, original), out))
        }
        Err(diags) => Err((parsed, diags)),
    }
}

/// A unified diff from `before` to `after`, both named `name`. Line endings
/// are shown as `\n` and a byte order mark is left out: the formatter keeps
/// both, so they never differ.
fn diff(name: &str, before: &str, after: &str) -> String {
    fn lines(text: &str) -> String {
        text.trim_start_matches('\u{feff}')
            .replace("\r\n", "\n")
            .replace('\r', "\n")
    }
    let (before, after) = (lines(before), lines(after));
    similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

/// The line ending of the first line of `text`; `\n` when it has none.
fn line_ending(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text[i..].starts_with('\r') => "\r",
        _ => "\n",
    }
}

/// Replaces the file at `path` (or, for a symbolic link, the file it points
/// to) with `text`, keeping its permissions.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let target = if fs::symlink_metadata(path)?.file_type().is_symlink() {
        fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = fs::metadata(&target)?.permissions();
    for attempt in 0..100u32 {
        let temp = dir.join(format!(".{file_name}.{}-{attempt}.tmp", std::process::id()));
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        };
        let result = file
            .write_all(text.as_bytes())
            .and_then(|()| file.set_permissions(permissions.clone()))
            .and_then(|()| file.sync_all())
            .and_then(|()| fs::rename(&temp, &target));
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        return result;
    }
    Err(io::Error::other("no free name for a temporary file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp_file() {
        let dir = std::env::temp_dir().join(format!("fsm-fmt-unit-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        assert!(fs::create_dir_all(&dir).is_ok());
        let path = dir.join("a.fsm");
        assert!(fs::write(&path, "old").is_ok());
        assert!(write_atomically(&path, "new").is_ok());
        assert_eq!(fs::read_to_string(&path).ok().as_deref(), Some("new"));
        let entries = fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert_eq!(entries, 1);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn line_endings_and_byte_order_mark_are_kept() {
        let spec = "machine A {\n// c\nphases { P }\ninitial P\n}\n";
        let formatted = match format_bytes("a.fsm", spec.as_bytes()) {
            Ok((_, formatted)) => formatted,
            Err((_, diags)) => panic!("{diags:?}"),
        };
        assert!(!formatted.contains('\r'));
        for eol in ["\r\n", "\r"] {
            let input = spec.replace('\n', eol);
            let Ok((source, out)) = format_bytes("a.fsm", input.as_bytes()) else {
                panic!("{eol:?} does not format");
            };
            assert_eq!(out, formatted.replace('\n', eol), "{eol:?}");
            assert_eq!(source.text(), input);
        }
        let with_bom = format!("\u{feff}{spec}");
        let Ok((source, out)) = format_bytes("a.fsm", with_bom.as_bytes()) else {
            panic!("a byte order mark does not format");
        };
        assert_eq!(out, format!("\u{feff}{formatted}"));
        assert_eq!(source.text(), with_bom);
        // Formatting twice changes nothing.
        let Ok((_, again)) = format_bytes("a.fsm", out.as_bytes()) else {
            panic!("formatted text does not format");
        };
        assert_eq!(again, out);
    }

    #[test]
    fn check_shows_a_unified_diff() {
        let text = diff("d.fsm", "a\r\nb\r\n  c\r\nd\r\n", "a\r\nb\r\nc\r\nd\r\n");
        assert_eq!(
            text,
            "--- d.fsm\n+++ d.fsm\n@@ -1,4 +1,4 @@\n a\n b\n-  c\n+c\n d\n"
        );
        let text = diff("d.fsm", "\u{feff}x\n", "\u{feff}x\ny\n");
        assert_eq!(text, "--- d.fsm\n+++ d.fsm\n@@ -1 +1,2 @@\n x\n+y\n");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused() {
        let result = format_bytes("x.fsm", b"machine \xff {}");
        assert!(matches!(result, Err((_, diags)) if !diags.is_empty()));
    }
}
