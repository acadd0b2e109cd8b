//! `fsm expand`: prints the Rust that `fsm::machine!` generates for a spec,
//! formatted, so it can be read and reviewed.

use crate::output::{self, Outcome};
use std::path::PathBuf;

/// Print the Rust code generated from a spec.
///
/// The code goes to stdout. Exits with 0 when it is printed, 1 when the spec
/// has errors (reported on stderr as `fsm check` reports them), and 2 when
/// the file cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file
    #[arg(value_name = "FILE")]
    file: PathBuf,
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
    match expand(model) {
        Ok(code) => {
            output::print(&code);
            Outcome::Clean
        }
        Err(err) => {
            output::error(
                &format!("the code generated for `{name}` does not parse: {err}"),
                color,
            );
            Outcome::Trouble
        }
    }
}

/// The generated code of `model`, formatted.
pub fn expand(model: &fsm_core::Model) -> Result<String, syn::Error> {
    let tokens = fsm_core::codegen::generate(model);
    let file = syn::parse2::<syn::File>(tokens)?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_to_formatted_rust() {
        let spec = "machine Door {\n    phases { Closed, Open }\n    initial Closed\n    input Push\n    transition push on Push from Closed -> Open\n}\n";
        let compilation = fsm_core::compile("door.fsm", spec.as_bytes());
        let model = compilation.model.expect("spec compiles");
        let code = expand(&model).expect("generated code parses");
        assert!(code.contains("pub enum DoorPhase {"), "{code}");
        assert!(code.contains("impl ::fsm::Machine for Door {"), "{code}");
        assert!(code.contains("pub fn push(\n"), "{code}");
    }
}
