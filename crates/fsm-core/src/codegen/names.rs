//! Rust identifiers, paths and doc attributes for names taken from a spec.
//!
//! Spec names are ASCII identifiers, but some are Rust keywords: those become
//! raw identifiers (`r#type`), except the four that cannot be raw (`crate`,
//! `self`, `super`, `Self`) and `_`, which get a trailing underscore. Nothing
//! here panics, whatever the string.

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream};
use quote::{TokenStreamExt, quote};

/// Keywords of every edition (strict and reserved), which need `r#`.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An identifier for `name` as an item, field, variant, method or variable.
pub fn ident(name: &str) -> Ident {
    let span = Span::call_site();
    if !is_identifier(name) {
        return Ident::new("__fsm_invalid_name", span);
    }
    if NOT_RAW.contains(&name) {
        return Ident::new(&format!("{name}_"), span);
    }
    if KEYWORDS.contains(&name) {
        return Ident::new_raw(name, span);
    }
    Ident::new(name, span)
}

/// An identifier built by codegen from a spec name (`__p_name`,
/// `AuthLeasePhase`): never a keyword, so never raw.
pub fn internal(name: &str) -> Ident {
    let span = Span::call_site();
    if is_identifier(name) && !KEYWORDS.contains(&name) && !NOT_RAW.contains(&name) {
        Ident::new(name, span)
    } else {
        Ident::new("__fsm_invalid_name", span)
    }
}

/// A Rust path from its `::`-separated text, e.g. `crate::handles::LeaseKey`.
/// A leading `::` is kept. Path keywords (`crate`, `self`, `super`, `Self`)
/// stay as they are; other keywords become raw identifiers.
pub fn path(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    let (leading, rest) = match text.strip_prefix("::") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if leading {
        out.append(Punct::new(':', Spacing::Joint));
        out.append(Punct::new(':', Spacing::Alone));
    }
    for (i, segment) in rest.split("::").enumerate() {
        if i > 0 {
            out.append(Punct::new(':', Spacing::Joint));
            out.append(Punct::new(':', Spacing::Alone));
        }
        let segment = segment.trim();
        if matches!(segment, "crate" | "self" | "super" | "Self") {
            out.append(Ident::new(segment, Span::call_site()));
        } else {
            out.append(ident(segment));
        }
    }
    out
}

/// `snake_case` of an `UpperCamelCase` name: `MarkExpiring` → `mark_expiring`,
/// `HTTPRequest` → `http_request`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j));
            let next = chars.get(i + 1);
            let boundary = match prev {
                None => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                Some(_) => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `#[doc = "..."]` attributes for the doc comment lines of a spec item.
///
/// Markdown treats a block indented by four spaces as code, and rustdoc runs
/// such blocks as Rust doctests. Spec docs use indentation for diagrams, so
/// indented blocks are fenced as `text`.
pub fn docs(lines: &[String]) -> TokenStream {
    let mut out = TokenStream::new();
    for line in fence_indented_blocks(lines) {
        let text = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        out.extend(quote!(#[doc = #text]));
    }
    out
}

fn is_indented(line: &str) -> bool {
    line.starts_with("    ") || line.starts_with('\t')
}

fn fence_indented_blocks(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut in_fence = false;
    let mut in_block = false;
    let mut previous_blank = true;
    for (i, line) in lines.iter().enumerate() {
        let blank = line.trim().is_empty();
        if in_block {
            let continues = is_indented(line)
                || (blank
                    && lines
                        .get(i + 1..)
                        .unwrap_or_default()
                        .iter()
                        .find(|l| !l.trim().is_empty())
                        .is_some_and(|l| is_indented(l)));
            if continues {
                out.push(line.clone());
                continue;
            }
            out.push("```".to_owned());
            in_block = false;
        }
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && previous_blank && !blank && is_indented(line) {
            out.push("```text".to_owned());
            in_block = true;
        }
        out.push(line.clone());
        previous_blank = blank;
    }
    if in_block {
        out.push("```".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("gen").to_string(), "r#gen");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("Self").to_string(), "Self_");
        assert_eq!(ident("lease").to_string(), "lease");
        assert_eq!(ident("no good").to_string(), "__fsm_invalid_name");
    }

    #[test]
    fn paths_keep_path_keywords() {
        assert_eq!(
            path("crate::handles::LeaseKey").to_string(),
            "crate :: handles :: LeaseKey"
        );
        assert_eq!(
            path("::std::time::Instant").to_string(),
            ":: std :: time :: Instant"
        );
        assert_eq!(path("a::type::B").to_string(), "a :: r#type :: B");
    }

    #[test]
    fn snake_case_splits_words_and_acronyms() {
        assert_eq!(snake_case("MarkExpiring"), "mark_expiring");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("Step2Done"), "step2_done");
        assert_eq!(snake_case("Release"), "release");
        assert_eq!(snake_case("Already_Snake"), "already_snake");
    }

    #[test]
    fn indented_doc_blocks_are_fenced() {
        let lines: Vec<String> = ["Moves", "", "    A ──▶ B", "", "    B ──▶ C", "", "Then."]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            fence_indented_blocks(&lines),
            [
                "Moves",
                "",
                "```text",
                "    A ──▶ B",
                "",
                "    B ──▶ C",
                "```",
                "",
                "Then."
            ]
        );
        let fenced: Vec<String> = ["```", "    x", "```"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(fence_indented_blocks(&fenced), fenced);
        let trailing: Vec<String> = ["    x"].iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            fence_indented_blocks(&trailing),
            ["```text", "    x", "```"]
        );
    }
}
