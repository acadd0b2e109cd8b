//! `fsm view`: a local web page per machine, with its diagram, details and
//! a simulator, served on 127.0.0.1 (`fsm_tools::view` answers requests;
//! this module only serves HTTP).

use crate::output::{self, Outcome};
use fsm_tools::view::{self, Request, Source, Viewer};
use std::io::Read as _;
use std::path::PathBuf;

/// Serve an interactive page per machine on 127.0.0.1.
///
/// Prints `fsm view: http://127.0.0.1:PORT/` as its first line, then serves
/// until interrupted. The spec files (and folders, searched for `.fsm`
/// files) are read again on every request, so an edit shows on reload; a
/// spec with errors shows its diagnostics. Exits with 2 when the port
/// cannot be opened or no spec file is found.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files or folders
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,

    /// The port to listen on (0: any free port)
    #[arg(long, default_value_t = 7878)]
    port: u16,
}

/// The spec files named on the command line, collected anew each time.
struct Files<'a>(&'a [PathBuf]);

impl Source for Files<'_> {
    fn paths(&self) -> Vec<String> {
        crate::files::collect(self.0)
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        crate::files::read(std::path::Path::new(path))
    }
}

pub fn run(args: &Args, color: bool) -> Outcome {
    let collected = crate::files::collect(&args.paths);
    for message in &collected.errors {
        output::error(message, color);
    }
    if collected.files.is_empty() {
        return Outcome::Trouble;
    }
    let server = match tiny_http::Server::http(("127.0.0.1", args.port)) {
        Ok(server) => server,
        Err(e) => {
            output::error(
                &format!("cannot listen on 127.0.0.1:{}: {e}", args.port),
                color,
            );
            return Outcome::Trouble;
        }
    };
    let Some(port) = server.server_addr().to_ip().map(|a| a.port()) else {
        output::error("the server has no IP address", color);
        return Outcome::Trouble;
    };
    output::print(&format!("fsm view: http://127.0.0.1:{port}/\n"));
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id());
    let mut viewer = Viewer::new(seed);
    let files = Files(&args.paths);
    for request in server.incoming_requests() {
        serve(&mut viewer, &files, port, request);
    }
    Outcome::Clean
}

fn serve(viewer: &mut Viewer, files: &Files<'_>, port: u16, mut request: tiny_http::Request) {
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_owned());
    let response = if !view::host_allowed(host.as_deref(), port) {
        plain(403, "the viewer answers only to 127.0.0.1 and localhost\n")
    } else {
        let mut body = Vec::new();
        let limit = u64::try_from(view::MAX_BODY).unwrap_or(u64::MAX) + 1;
        match request.as_reader().take(limit).read_to_end(&mut body) {
            Ok(_) => {
                let answer = viewer.handle(
                    files,
                    &Request {
                        method: request.method().as_str().to_owned(),
                        url: request.url().to_owned(),
                        body,
                    },
                );
                let mut response =
                    tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
                response = add(response, "Content-Type", answer.content_type);
                response = add(response, "Cache-Control", "no-store");
                if let Some(name) = answer.attachment {
                    response = add(
                        response,
                        "Content-Disposition",
                        &format!("attachment; filename=\"{name}\""),
                    );
                }
                response
            }
            Err(e) => plain(400, &format!("cannot read the request: {e}\n")),
        }
    };
    // A client that went away is not the server's trouble.
    let _ = request.respond(response);
}

fn plain(status: u16, text: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    add(
        tiny_http::Response::from_data(text.as_bytes().to_vec()).with_status_code(status),
        "Content-Type",
        "text/plain; charset=utf-8",
    )
}

/// `response` with one more header; a header that is not valid (never
/// the case for the ASCII this module builds) is left out.
fn add<R: std::io::Read>(
    response: tiny_http::Response<R>,
    name: &str,
    value: &str,
) -> tiny_http::Response<R> {
    match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}
