//! `fsm lsp`: the language server, over stdin and stdout.

use crate::output::{self, Outcome};

/// Run the language server for `.fsm` specs on stdin and stdout (LSP over
/// JSON-RPC with Content-Length framing), for editors.
///
/// Exits with 0 after the client's `shutdown` and `exit`, and 2 when the
/// transport fails (malformed framing or JSON, a closed pipe) or `exit`
/// comes without `shutdown`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, color: bool) -> Outcome {
    match fsm_lsp::serve_stdio() {
        Ok(()) => Outcome::Clean,
        Err(message) => {
            output::error(&format!("fsm lsp: {message}"), color);
            Outcome::Trouble
        }
    }
}
