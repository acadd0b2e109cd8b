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

    /// Where to write: a file, or a folder that receives `<Machine>.<ext>`
    /// (TLA+ always writes `<Machine>.tla` and `<Machine>.cfg` into a
    /// folder, created when missing). Without it the export goes to stdout;
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

fn write(out: &Path, format: ExportFormat, files: &[export::File]) -> Result<(), String> {
    let into_dir = format == ExportFormat::Tla || out.is_dir();
    if into_dir {
        std::fs::create_dir_all(out)
            .map_err(|e| format!("cannot create `{}`: {}", out.display(), io_message(&e)))?;
    }
    for file in files {
        let path = if into_dir {
            out.join(&file.name)
        } else {
            out.to_path_buf()
        };
        std::fs::write(&path, &file.text)
            .map_err(|e| format!("cannot write `{}`: {}", path.display(), io_message(&e)))?;
    }
    Ok(())
}
