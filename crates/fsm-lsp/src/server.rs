//! The protocol: open documents, dispatch of requests and notifications,
//! and the capabilities announced to the client.

use crate::document::Document;
use crate::features;
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf,
    PublishDiagnosticsParams, RenameOptions, SemanticTokensFullOptions, SemanticTokensOptions,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
    WorkDoneProgressOptions,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;

/// What the server tells the client it can do.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), ">".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        code_lens_provider: Some(lsp_types::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        semantic_tokens_provider: Some(
            SemanticTokensOptions {
                legend: features::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }
            .into(),
        ),
        ..ServerCapabilities::default()
    }
}

/// The state of one session: the open documents, and where the
/// initialize/shutdown handshake is.
#[derive(Debug, Default)]
pub struct Server {
    /// By URI, as the client spells it.
    documents: HashMap<String, Document>,
    initialized: bool,
    shut_down: bool,
}

type Answer = Result<Value, (ErrorCode, String)>;

impl Server {
    /// Handles one message; returns the messages to send and whether the
    /// session is over (`exit`).
    pub fn handle(&mut self, message: Message) -> (Vec<Message>, bool) {
        match message {
            Message::Request(req) => (vec![Message::Response(self.request(req))], false),
            Message::Notification(n) => {
                if n.method == "exit" {
                    return (Vec::new(), true);
                }
                (self.notification(n), false)
            }
            Message::Response(_) => (Vec::new(), false),
        }
    }

    /// Whether the client has asked for `shutdown`.
    pub fn is_shut_down(&self) -> bool {
        self.shut_down
    }

    /// The open document at `uri`.
    pub fn document(&self, uri: &Uri) -> Option<&Document> {
        self.documents.get(uri.as_str())
    }

    fn request(&mut self, req: Request) -> Response {
        let Request { id, method, params } = req;
        let answer = if method == "initialize" {
            if self.initialized {
                Err((ErrorCode::InvalidRequest, "already initialized".into()))
            } else {
                self.initialized = true;
                Ok(serde_json::json!({
                    "capabilities": capabilities(),
                    "serverInfo": {"name": "fsm", "version": env!("CARGO_PKG_VERSION")},
                }))
            }
        } else if !self.initialized {
            Err((
                ErrorCode::ServerNotInitialized,
                "the first request must be `initialize`".into(),
            ))
        } else if self.shut_down {
            Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            ))
        } else if method == "shutdown" {
            self.shut_down = true;
            Ok(Value::Null)
        } else {
            // Every answer is computed without panicking; should one still
            // panic, the request fails and the session goes on.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.dispatch(&method, params)
            }))
            .unwrap_or_else(|_| {
                Err((
                    ErrorCode::InternalError,
                    format!("internal error while answering `{method}`"),
                ))
            })
        };
        respond(id, answer)
    }

    fn dispatch(&mut self, method: &str, params: Value) -> Answer {
        use lsp_types::request::*;
        let docs = &self.documents;
        match method {
            HoverRequest::METHOD => with::<HoverRequest>(params, |p| {
                let at = &p.text_document_position_params;
                Ok(doc(docs, &at.text_document.uri).and_then(|d| features::hover(d, at.position)))
            }),
            GotoDefinition::METHOD => with::<GotoDefinition>(params, |p| {
                let at = &p.text_document_position_params;
                Ok(doc(docs, &at.text_document.uri).and_then(|d| {
                    features::definition(d, &at.text_document.uri, at.position)
                        .map(lsp_types::GotoDefinitionResponse::Scalar)
                }))
            }),
            References::METHOD => with::<References>(params, |p| {
                let at = &p.text_document_position;
                Ok(doc(docs, &at.text_document.uri).map(|d| {
                    features::references(
                        d,
                        &at.text_document.uri,
                        at.position,
                        p.context.include_declaration,
                    )
                }))
            }),
            PrepareRenameRequest::METHOD => with::<PrepareRenameRequest>(params, |p| {
                let d = doc(docs, &p.text_document.uri).ok_or_else(unopened)?;
                features::prepare_rename(d, p.position)
                    .map(Some)
                    .map_err(|m| (ErrorCode::RequestFailed, m))
            }),
            Rename::METHOD => with::<Rename>(params, |p| {
                let at = &p.text_document_position;
                let d = doc(docs, &at.text_document.uri).ok_or_else(unopened)?;
                features::rename(d, &at.text_document.uri, at.position, &p.new_name)
                    .map(Some)
                    .map_err(|m| (ErrorCode::RequestFailed, m))
            }),
            Completion::METHOD => with::<Completion>(params, |p| {
                let at = &p.text_document_position;
                Ok(doc(docs, &at.text_document.uri).map(|d| {
                    lsp_types::CompletionResponse::Array(features::completion(d, at.position))
                }))
            }),
            DocumentSymbolRequest::METHOD => with::<DocumentSymbolRequest>(params, |p| {
                Ok(doc(docs, &p.text_document.uri)
                    .map(|d| lsp_types::DocumentSymbolResponse::Nested(features::symbols(d))))
            }),
            Formatting::METHOD => with::<Formatting>(params, |p| {
                let d = doc(docs, &p.text_document.uri).ok_or_else(unopened)?;
                features::format(d)
                    .map(Some)
                    .map_err(|m| (ErrorCode::RequestFailed, m))
            }),
            SemanticTokensFullRequest::METHOD => with::<SemanticTokensFullRequest>(params, |p| {
                Ok(doc(docs, &p.text_document.uri)
                    .map(|d| lsp_types::SemanticTokensResult::Tokens(features::semantic_tokens(d))))
            }),
            CodeActionRequest::METHOD => with::<CodeActionRequest>(params, |p| {
                Ok(doc(docs, &p.text_document.uri)
                    .map(|d| features::code_actions(d, &p.text_document.uri, p.range)))
            }),
            CodeLensRequest::METHOD => with::<CodeLensRequest>(params, |p| {
                Ok(doc(docs, &p.text_document.uri).map(features::code_lenses))
            }),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method `{method}`"),
            )),
        }
    }

    fn notification(&mut self, n: Notification) -> Vec<Message> {
        if !self.initialized {
            return Vec::new();
        }
        let uri = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                self.open(p.text_document.uri.clone(), p.text_document.text);
                p.text_document.uri
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                // Full sync: the last change holds the whole text. A range
                // edit (from a client that ignored the sync kind) is applied.
                let mut text = match self.documents.get(p.text_document.uri.as_str()) {
                    Some(d) => d.text.clone(),
                    None => String::new(),
                };
                for change in p.content_changes {
                    match change.range {
                        None => text = change.text,
                        Some(range) => {
                            let lines = crate::position::LineIndex::new(&text);
                            let span = lines.span(&text, range);
                            text.replace_range(span.range(), &change.text);
                        }
                    }
                }
                self.open(p.text_document.uri.clone(), text);
                p.text_document.uri
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidSaveTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                if let Some(text) = p.text {
                    self.open(p.text_document.uri.clone(), text);
                }
                p.text_document.uri
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidCloseTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                self.documents.remove(p.text_document.uri.as_str());
                // Clear what was published for it.
                return vec![publish(p.text_document.uri, Vec::new())];
            }
            _ => return Vec::new(),
        };
        match self.documents.get(uri.as_str()) {
            Some(d) => {
                let diagnostics = features::diagnostics(d, &uri);
                vec![publish(uri, diagnostics)]
            }
            None => Vec::new(),
        }
    }

    /// Compiles `text` as the new content of `uri`.
    pub fn open(&mut self, uri: Uri, text: String) {
        let name = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("spec.fsm")
            .to_owned();
        self.documents
            .insert(uri.as_str().to_owned(), Document::new(&name, text));
    }
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Message {
    Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.to_owned(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        },
    ))
}

fn doc<'d>(docs: &'d HashMap<String, Document>, uri: &Uri) -> Option<&'d Document> {
    docs.get(uri.as_str())
}

fn unopened() -> (ErrorCode, String) {
    (
        ErrorCode::InvalidParams,
        "the document is not open".to_owned(),
    )
}

fn parse<P: DeserializeOwned>(params: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

/// Parses the parameters of request `R`, answers with `f`.
fn with<R: lsp_types::request::Request>(
    params: Value,
    f: impl FnOnce(R::Params) -> Result<R::Result, (ErrorCode, String)>,
) -> Answer
where
    R::Params: DeserializeOwned,
    R::Result: Serialize,
{
    let result = f(parse::<R::Params>(params)?)?;
    serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

fn respond(id: RequestId, answer: Answer) -> Response {
    match answer {
        Ok(value) => Response::new_ok(id, value),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}
