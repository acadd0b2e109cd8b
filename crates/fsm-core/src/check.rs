//! placeholder
use crate::{ast, diagnostic::Diagnostic, model::Model};
pub fn check(_file: &ast::File) -> (Option<Model>, Vec<Diagnostic>) {
    (None, vec![])
}
