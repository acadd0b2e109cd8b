//! `fsm export`: one spec to TLA+, Promela or JSON.

use crate::files::io_message;
use crate::output::{self, Outcome};
use fsm_tools::export::{self, Format as ExportFormat};
use std::path::{Path, PathBuf};

/// Export a spec for another tool: TLA+ (a module and its TLC
/// configuration), Promela (for SPIN) or JSON (the checked model).
///
/// Exits with 0 when the export was written, 1 when the spec has errors or
/// cannot be exported in that format, and 2 when a file cannot be read or
/// written.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// The format to write
    #[arg(long, value_enum)]
    format: Format,

    /// Where to write. A path ending in `/` or an existing folder is a
    /// folder, which receives `<Machine>.<ext>` (TLA+: `<Machine>.tla` and
    /// `<Machine>.cfg`); any other path is the file to write (TLA+: the
    /// module, its `.cfg` beside it; TLC wants it named `<Machine>.tla`).
    /// Missing folders are created. Without it the export goes to stdout;
    /// TLA+ then prints the module, a `\* ==== <Machine>.cfg ====` line and
    /// the configuration.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Tla,
    Promela,
    Json,
}

impl Format {
    fn export(self) -> ExportFormat {
        match self {
            Format::Tla => ExportFormat::Tla,
            Format::Promela => ExportFormat::Promela,
            Format::Json => ExportFormat::Json,
        }
    }
}

pub fn run(args: &Args, color: bool) -> Outcome {
    let name = args.file.display().to_string();
    let compilation = match crate::files::compile_file(&args.file, color) {
        Ok(compilation) => compilation,
        Err(outcome) => return outcome,
    };
    let Some(model) = &compilation.model else {
        return Outcome::SpecErrors;
    };
    let format = args.format.export();
    let files = match export::export(model, format) {
        Ok(files) => files,
        Err(err) => {
            output::error(
                &format!("cannot export `{name}` to {}: {err}", format.name()),
                color,
            );
            return Outcome::SpecErrors;
        }
    };
    match &args.out {
        None => {
            let mut text = String::new();
            for (i, file) in files.iter().enumerate() {
                if i > 0 {
                    text.push_str(&format!("\\* ==== {} ====\n", file.name));
                }
                text.push_str(&file.text);
            }
            output::print(&text);
            Outcome::Clean
        }
        Some(out) => match write(out, format, &files) {
            Ok(()) => Outcome::Clean,
            Err(message) => {
                output::error(&message, color);
                Outcome::Trouble
            }
        },
    }
}

/// Where each file of the export goes: see `Args::out`.
fn destinations(
    out: &Path,
    format: ExportFormat,
    files: &[export::File],
) -> Result<Vec<PathBuf>, String> {
    let trailing = out
        .as_os_str()
        .to_string_lossy()
        .ends_with(std::path::is_separator);
    if trailing || out.is_dir() {
        return Ok(files.iter().map(|file| out.join(&file.name)).collect());
    }
    let Some(first) = files.first() else {
        return Ok(Vec::new());
    };
    if format == ExportFormat::Tla && out.file_name() != Some(first.name.as_ref()) {
        return Err(format!(
            "cannot write the TLA+ module `{}` to `{}`: TLC reads a module from a file of \
             its name; give a folder (`--out {}/`) or a path ending in `{}`",
            first.name.trim_end_matches(".tla"),
            out.display(),
            out.display(),
            first.name
        ));
    }
    Ok(files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            if i == 0 {
                out.to_path_buf()
            } else {
                let ext = Path::new(&file.name).extension().unwrap_or_default();
                out.with_extension(ext)
            }
        })
        .collect())
}

fn write(out: &Path, format: ExportFormat, files: &[export::File]) -> Result<(), String> {
    let paths = destinations(out, format, files)?;
    for (path, file) in paths.iter().zip(files) {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create `{}`: {}", dir.display(), io_message(&e)))?;
        }
        std::fs::write(path, &file.text)
            .map_err(|e| format!("cannot write `{}`: {}", path.display(), io_message(&e)))?;
    }
    Ok(())
}
