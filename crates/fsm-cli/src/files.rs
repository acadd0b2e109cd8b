//! Turning the paths given on the command line into the list of spec files.
//!
//! A file is taken as given, whatever its extension. A folder is searched
//! recursively for `*.fsm` files, skipping hidden entries (names starting
//! with `.`), in sorted order so that output is deterministic. Symbolic links
//! are followed, but every folder is entered at most once, so a link loop
//! cannot hang the walk. A file reached twice is listed once.

use crate::output::{self, Outcome};
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Folders nested deeper than this below a given path are not entered.
const MAX_DEPTH: usize = 64;

/// The extension of spec files looked for in folders.
pub const SPEC_EXTENSION: &str = "fsm";

/// The spec files found, and a message for each path that could not be used.
#[derive(Debug, Default)]
pub struct Collected {
    pub files: Vec<PathBuf>,
    pub errors: Vec<String>,
}

/// Collects the spec files named by `paths`, in order.
pub fn collect(paths: &[PathBuf]) -> Collected {
    let mut walk = Walk::default();
    for path in paths {
        walk.top_level(path);
    }
    walk.out
}

#[derive(Default)]
struct Walk {
    out: Collected,
    seen_files: HashSet<PathBuf>,
    seen_dirs: HashSet<PathBuf>,
}

impl Walk {
    fn top_level(&mut self, path: &Path) {
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) => {
                self.out.errors.push(format!(
                    "cannot read `{}`: {}",
                    path.display(),
                    io_message(&err)
                ));
                return;
            }
        };
        if meta.is_file() {
            self.add_file(path);
        } else if meta.is_dir() {
            let before = self.out.files.len();
            let errors_before = self.out.errors.len();
            self.dir(path, 0);
            let found_none = self.out.files.len() == before;
            if found_none && self.out.errors.len() == errors_before {
                self.out.errors.push(no_spec_message(path));
            }
        } else {
            self.out.errors.push(format!(
                "`{}` is neither a file nor a folder",
                path.display()
            ));
        }
    }

    fn add_file(&mut self, path: &Path) {
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.seen_files.insert(key) {
            self.out.files.push(path.to_path_buf());
        }
    }

    fn dir(&mut self, dir: &Path, depth: usize) {
        let key = match fs::canonicalize(dir) {
            Ok(key) => key,
            Err(err) => {
                self.out.errors.push(format!(
                    "cannot read `{}`: {}",
                    dir.display(),
                    io_message(&err)
                ));
                return;
            }
        };
        if !self.seen_dirs.insert(key) {
            return;
        }
        if depth > MAX_DEPTH {
            self.out.errors.push(format!(
                "`{}` is nested more than {MAX_DEPTH} folders deep",
                dir.display()
            ));
            return;
        }
        let entries = match read_dir_sorted(dir) {
            Ok(entries) => entries,
            Err(err) => {
                self.out.errors.push(format!(
                    "cannot read `{}`: {}",
                    dir.display(),
                    io_message(&err)
                ));
                return;
            }
        };
        for path in entries {
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            let is_spec = path.extension().is_some_and(|ext| ext == SPEC_EXTENSION);
            // `metadata` follows links. Something named like a spec that
            // cannot be read as one (a dangling link, a FIFO, a device) is
            // reported; anything else is none of our business.
            match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.dir(&path, depth + 1),
                Ok(meta) if meta.is_file() && is_spec => self.add_file(&path),
                Ok(_) if is_spec => self
                    .out
                    .errors
                    .push(fsm_read::ReadError::NotRegular.message(&path.display().to_string())),
                Ok(_) => {}
                Err(err) if is_spec => self.out.errors.push(format!(
                    "cannot read `{}`: {}",
                    path.display(),
                    io_message(&err)
                )),
                Err(_) => {}
            }
        }
    }
}

/// The error for a folder with no spec file under it.
pub fn no_spec_message(path: &Path) -> String {
    format!(
        "no `.{SPEC_EXTENSION}` file found under `{}`",
        path.display()
    )
}

fn read_dir_sorted(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        entries.push(entry?.path());
    }
    entries.sort();
    Ok(entries)
}

/// Reads the spec at `path` through the one bounded read path
/// ([`fsm_read::read_spec`]: regular files only, at most
/// [`fsm_core::MAX_SOURCE_LEN`] bytes), or says why it cannot.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    fsm_read::read_spec(path).map_err(|err| err.message(&path.display().to_string()))
}

/// Reads and compiles the one spec a command works on, printing its
/// diagnostics on stderr. The compilation comes back when the file could be
/// read; the outcome otherwise (I/O trouble, reported).
pub fn compile_file(path: &Path, color: bool) -> Result<fsm_core::Compilation, Outcome> {
    let name = path.display().to_string();
    let bytes = match read(path) {
        Ok(bytes) => bytes,
        Err(message) => {
            output::error(&message, color);
            return Err(Outcome::Trouble);
        }
    };
    let compilation = fsm_core::compile(&name, &bytes);
    if !compilation.diagnostics.is_empty() {
        output::eprint(&fsm_core::render::render(
            &compilation.source,
            &compilation.diagnostics,
            color,
        ));
    }
    Ok(compilation)
}

/// Reads a file that is not a spec (a trace, a script) through the same
/// bounded path: a regular file of at most `limit` bytes, as UTF-8 text.
pub fn read_text(path: &Path, limit: usize) -> Result<String, String> {
    let name = path.display().to_string();
    let bytes = fsm_read::read_regular(path, limit).map_err(|err| err.message(&name))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{name}` is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Compiles the spec of a command that runs one machine (`sim`,
/// `replay`): its diagnostics are printed; a spec with errors is exit 1,
/// an unreadable one exit 2, and `machine`, when given, must be the
/// spec's machine (exit 2 otherwise).
pub fn compile_machine(
    path: &Path,
    machine: Option<&str>,
    color: bool,
) -> Result<fsm_core::Model, Outcome> {
    let compilation = compile_file(path, color)?;
    let Some(model) = compilation.model else {
        return Err(Outcome::SpecErrors);
    };
    if let Some(name) = machine
        && name != model.name
    {
        output::error(
            &format!(
                "`{}` defines machine `{}`, not `{name}`",
                path.display(),
                model.name
            ),
            color,
        );
        return Err(Outcome::Trouble);
    }
    Ok(model)
}

/// An I/O error as a lowercase message without the `(os error N)` suffix.
pub use fsm_read::io_message;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_messages_are_lowercase_without_os_code() {
        let err = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(io_message(&err), "entity not found");
        let err = io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&err), "no such file or directory");
    }
}
