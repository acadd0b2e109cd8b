//! The interactive viewer behind `fsm view`, without sockets: a request
//! goes in ([`Request`]), a response comes out ([`Response`]). The caller
//! serves HTTP and supplies the spec files (their paths, and a way to read
//! one), read again on every request so that edits show on reload.
//!
//! - `GET /`: the index of machines (a spec with errors is marked).
//! - `GET /m/<slug>`: a machine's page: its SVG diagram ([`diagram`]),
//!   detail panels for phases and transitions, and the simulator; a spec
//!   with errors shows its diagnostics instead. A slug is the spec file's
//!   stem (`auth_lease`), with `-2`, `-3`, … when stems repeat.
//! - `GET /assets/view.css`, `GET /assets/view.js`: the embedded style
//!   and script.
//! - `POST /api/<slug>/session`, `/step`, `/undo`, `/reset` (JSON bodies)
//!   and `GET /api/<slug>/trace?session=<id>`: the simulator ([`sim`]),
//!   stepped by [`crate::eval::step`].

pub mod diagram;
pub mod layout;
pub mod page;
pub mod sim;

use fsm_core::{Compilation, Model};
use serde_json::{Value as Json, json};
use sim::{ApiError, Sessions};

/// The largest request body the API reads.
pub const MAX_BODY: usize = 64 * 1024;

/// One spec file as the viewer sees it.
pub struct Spec {
    /// Its name in URLs.
    pub slug: String,
    /// Its path as given on the command line (or found under a folder).
    pub path: String,
    /// Its compilation, or why it could not be read.
    pub loaded: Result<Compilation, String>,
}

impl Spec {
    pub fn model(&self) -> Option<&Model> {
        self.loaded.as_ref().ok().and_then(|c| c.model.as_ref())
    }

    /// Its diagnostics as `fsm check` prints them (without colour), or the
    /// read error.
    pub fn diagnostics_text(&self) -> String {
        match &self.loaded {
            Ok(c) => fsm_core::render::render(&c.source, &c.diagnostics, false),
            Err(message) => format!("error: {message}\n"),
        }
    }
}

/// The slug of each path: its file stem, made unique by a `-N` suffix.
pub fn slugs(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(paths.len());
    for path in paths {
        let stem = std::path::Path::new(path)
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("spec");
        let clean: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut slug = clean.clone();
        let mut n = 2;
        while out.contains(&slug) {
            slug = format!("{clean}-{n}");
            n += 1;
        }
        out.push(slug);
    }
    out
}

/// An HTTP request, as far as the viewer reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The path with its query string, e.g. `/api/door/trace?session=1`.
    pub url: String,
    pub body: Vec<u8>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// A file name to offer the body as a download under.
    pub attachment: Option<String>,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            content_type,
            body: body.into(),
            attachment: None,
        }
    }

    fn html(status: u16, body: String) -> Self {
        Response::new(status, "text/html; charset=utf-8", body)
    }

    fn json(status: u16, body: &Json) -> Self {
        Response::new(status, "application/json", body.to_string())
    }

    fn api_error(e: &ApiError) -> Self {
        Response::json(e.status, &json!({"error": e.message}))
    }

    fn not_found(what: &str) -> Self {
        Response::html(404, page::message("Not found", what))
    }
}

/// Where the spec files come from: listed and read on every request.
pub trait Source {
    /// The spec files' paths, in order.
    fn paths(&self) -> Vec<String>;
    /// The bytes of one spec file, or a message saying why not.
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;
}

/// The viewer: its simulation sessions, and the request handler.
pub struct Viewer {
    sessions: Sessions,
}

impl Viewer {
    /// `seed` makes session ids differ from one server to the next.
    pub fn new(seed: u64) -> Self {
        Viewer {
            sessions: Sessions::new(seed),
        }
    }

    /// Answers one request.
    pub fn handle(&mut self, source: &dyn Source, request: &Request) -> Response {
        let (path, query) = request
            .url
            .split_once('?')
            .unwrap_or((request.url.as_str(), ""));
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let get = request.method == "GET" || request.method == "HEAD";
        let post = request.method == "POST";
        match (segments.as_slice(), get, post) {
            ([], true, _) => Response::html(200, page::index(&load_all(source))),
            (["assets", "view.css"], true, _) => {
                Response::new(200, "text/css; charset=utf-8", page::CSS)
            }
            (["assets", "view.js"], true, _) => {
                Response::new(200, "text/javascript; charset=utf-8", page::JS)
            }
            (["favicon.ico"], true, _) => Response::new(204, "text/plain", ""),
            (["m", slug], true, _) => match load_one(source, slug) {
                None => Response::not_found(&format!("No spec is named `{slug}`.")),
                Some(spec) => match (&spec.loaded, spec.model()) {
                    (Ok(c), Some(model)) => {
                        let warnings = if c.diagnostics.is_empty() {
                            String::new()
                        } else {
                            spec.diagnostics_text()
                        };
                        Response::html(200, page::machine(&spec, model, &warnings))
                    }
                    _ => Response::html(200, page::errors(&spec)),
                },
            },
            (["api", slug, "trace"], true, _) => {
                let id = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("session="))
                    .unwrap_or("");
                match self.with_model(source, slug, |s, model| s.trace(id, slug, model)) {
                    Ok(text) => Response {
                        status: 200,
                        content_type: "application/x-ndjson; charset=utf-8",
                        body: text.into_bytes(),
                        attachment: Some(format!("{slug}.trace.jsonl")),
                    },
                    Err(e) => Response::api_error(&e),
                }
            }
            (["api", slug, action], _, true) => self.api(source, slug, action, &request.body),
            (["api", ..], _, _) | (["m", _], _, _) | ([], _, _) => {
                Response::new(405, "text/plain; charset=utf-8", "method not allowed\n")
            }
            _ => Response::not_found(&format!("Nothing is at `{path}`.")),
        }
    }

    fn api(&mut self, source: &dyn Source, slug: &str, action: &str, body: &[u8]) -> Response {
        if body.len() > MAX_BODY {
            return Response::api_error(&ApiError {
                status: 413,
                message: format!("the request body is over {MAX_BODY} bytes"),
            });
        }
        let parsed: Json = if body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => {
                    return Response::api_error(&ApiError {
                        status: 400,
                        message: format!("the request body is not JSON: {e}"),
                    });
                }
            }
        };
        let id = parsed
            .get("session")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned();
        let result = self.with_model(source, slug, |s, model| match action {
            "session" => s.start(slug, model),
            "step" => match parsed.get("input") {
                Some(input) => s.step(&id, slug, model, input),
                None => Err(ApiError {
                    status: 400,
                    message: "`input` is missing".to_owned(),
                }),
            },
            "undo" => s.undo(&id, slug, model),
            "reset" => s.reset(&id, slug, model),
            other => Err(ApiError {
                status: 404,
                message: format!("no API action `{other}`"),
            }),
        });
        match result {
            Ok(view) => Response::json(200, &view),
            Err(e) => Response::api_error(&e),
        }
    }

    fn with_model<T>(
        &mut self,
        source: &dyn Source,
        slug: &str,
        f: impl FnOnce(&mut Sessions, &Model) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let spec = load_one(source, slug).ok_or_else(|| ApiError {
            status: 404,
            message: format!("no spec is named `{slug}`"),
        })?;
        let model = spec.model().ok_or_else(|| ApiError {
            status: 409,
            message: format!("`{}` has errors; reload the page to see them", spec.path),
        })?;
        f(&mut self.sessions, model)
    }
}

fn load(source: &dyn Source, slug: String, path: String) -> Spec {
    let loaded = source
        .read(&path)
        .map(|bytes| fsm_core::compile(&path, &bytes));
    Spec { slug, path, loaded }
}

fn load_all(source: &dyn Source) -> Vec<Spec> {
    let paths = source.paths();
    slugs(&paths)
        .into_iter()
        .zip(paths)
        .map(|(slug, path)| load(source, slug, path))
        .collect()
}

fn load_one(source: &dyn Source, slug: &str) -> Option<Spec> {
    let paths = source.paths();
    let (slug, path) = slugs(&paths)
        .into_iter()
        .zip(paths)
        .find(|(s, _)| s == slug)?;
    Some(load(source, slug, path))
}

/// Whether a request's `Host` header names this server on the loopback
/// address (`127.0.0.1:PORT` or `localhost:PORT`): other names are refused,
/// so a web page cannot reach the viewer through a name it controls.
pub fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else { return false };
    let host = host.trim().to_ascii_lowercase();
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

#[cfg(test)]
mod tests;
