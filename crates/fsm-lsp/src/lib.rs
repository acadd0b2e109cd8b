//! A language server for `.fsm` specs, over stdio, on `lsp-server` (the
//! synchronous JSON-RPC transport) and `lsp-types`.
//!
//! Each open document is compiled in full on every change (the whole
//! pipeline takes a few milliseconds even for the largest bundled spec) and
//! kept as a [`Document`]: its text, line index, compilation and symbol
//! [`index::Index`]. Every request is answered from that snapshot.
//!
//! [`Server::handle`] turns one incoming message into the outgoing ones, so
//! the protocol logic runs without a transport in tests and benchmarks;
//! [`serve_stdio`] wires it to stdin and stdout.

pub mod document;
pub mod features;
pub mod index;
pub mod position;
mod server;

pub use document::Document;
pub use server::{Server, capabilities};

use lsp_server::Connection;

/// Serves one client over stdin and stdout until it sends `exit` or closes
/// the stream. An error is a transport failure (malformed framing or JSON,
/// a closed pipe), as a sentence.
pub fn serve_stdio() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let served = serve(&connection);
    drop(connection);
    let joined = io.join().map_err(|e| format!("transport failed: {e}"));
    served.and(joined)
}

/// Serves one client over `connection`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let mut server = Server::default();
    for message in &connection.receiver {
        let (out, exit) = server.handle(message);
        for m in out {
            connection
                .sender
                .send(m)
                .map_err(|_| "the client closed the connection".to_owned())?;
        }
        if exit {
            // The protocol asks for a failure exit when `exit` comes
            // without `shutdown` first.
            return match server.is_shut_down() {
                true => Ok(()),
                false => Err("`exit` before `shutdown`".to_owned()),
            };
        }
    }
    Ok(())
}
