//! Turns the text of a `.fsm` file into tokens.
//!
//! The token list keeps the trivia the parser and the formatter need:
//! `//` comments ([`TokenKind::Comment`]) and `///` doc comments
//! ([`TokenKind::DocComment`]); whitespace is dropped. It always ends with
//! one [`TokenKind::Eof`] token whose span is empty and sits at the end of
//! the text.
//!
//! Lexing never fails. A run of characters that starts no token becomes one
//! [`TokenKind::Error`] token and one FSM0004 diagnostic; the parser stays
//! silent about error tokens so that one bad character is reported once. An
//! integer literal that is not one becomes `Int(0)` plus FSM0006, and an
//! unterminated string becomes a string token up to the end of its line plus
//! FSM0005.
//!
//! `domain`, `max_depth`, `max_states`, `max_collection`, `reach` and
//! `allow_overflow` are
//! lexed as identifiers: they are keywords only inside `verify { }`, which
//! the parser decides.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The reserved words of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    Machine,
    Key,
    Extern,
    Enum,
    Phases,
    Initial,
    Terminal,
    State,
    Input,
    Effect,
    Guard,
    Guards,
    Action,
    Do,
    Const,
    Derive,
    Transition,
    On,
    From,
    Except,
    Stay,
    Ignore,
    In,
    Invariant,
    Verify,
    Emit,
    If,
    Else,
    True,
    False,
    None,
    Some,
    All,
    Any,
    Phase,
    Target,
    Impl,
    Fn,
}

impl Keyword {
    pub const ALL: &'static [Keyword] = &[
        Keyword::Machine,
        Keyword::Key,
        Keyword::Extern,
        Keyword::Enum,
        Keyword::Phases,
        Keyword::Initial,
        Keyword::Terminal,
        Keyword::State,
        Keyword::Input,
        Keyword::Effect,
        Keyword::Guard,
        Keyword::Guards,
        Keyword::Action,
        Keyword::Do,
        Keyword::Const,
        Keyword::Derive,
        Keyword::Transition,
        Keyword::On,
        Keyword::From,
        Keyword::Except,
        Keyword::Stay,
        Keyword::Ignore,
        Keyword::In,
        Keyword::Invariant,
        Keyword::Verify,
        Keyword::Emit,
        Keyword::If,
        Keyword::Else,
        Keyword::True,
        Keyword::False,
        Keyword::None,
        Keyword::Some,
        Keyword::All,
        Keyword::Any,
        Keyword::Phase,
        Keyword::Target,
        Keyword::Impl,
        Keyword::Fn,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Keyword::Machine => "machine",
            Keyword::Key => "key",
            Keyword::Extern => "extern",
            Keyword::Enum => "enum",
            Keyword::Phases => "phases",
            Keyword::Initial => "initial",
            Keyword::Terminal => "terminal",
            Keyword::State => "state",
            Keyword::Input => "input",
            Keyword::Effect => "effect",
            Keyword::Guard => "guard",
            Keyword::Guards => "guards",
            Keyword::Action => "action",
            Keyword::Do => "do",
            Keyword::Const => "const",
            Keyword::Derive => "derive",
            Keyword::Transition => "transition",
            Keyword::On => "on",
            Keyword::From => "from",
            Keyword::Except => "except",
            Keyword::Stay => "stay",
            Keyword::Ignore => "ignore",
            Keyword::In => "in",
            Keyword::Invariant => "invariant",
            Keyword::Verify => "verify",
            Keyword::Emit => "emit",
            Keyword::If => "if",
            Keyword::Else => "else",
            Keyword::True => "true",
            Keyword::False => "false",
            Keyword::None => "none",
            Keyword::Some => "some",
            Keyword::All => "all",
            Keyword::Any => "any",
            Keyword::Phase => "phase",
            Keyword::Target => "target",
            Keyword::Impl => "impl",
            Keyword::Fn => "fn",
        }
    }

    pub fn from_word(word: &str) -> Option<Keyword> {
        Keyword::ALL.iter().copied().find(|k| k.as_str() == word)
    }

    /// Whether an item of a machine starts with this keyword.
    pub const fn starts_item(self) -> bool {
        matches!(
            self,
            Keyword::Key
                | Keyword::Extern
                | Keyword::Enum
                | Keyword::Phases
                | Keyword::Initial
                | Keyword::Terminal
                | Keyword::State
                | Keyword::Input
                | Keyword::Effect
                | Keyword::Guard
                | Keyword::Guards
                | Keyword::Action
                | Keyword::Const
                | Keyword::Derive
                | Keyword::Transition
                | Keyword::Ignore
                | Keyword::Invariant
                | Keyword::Verify
                | Keyword::Impl
        )
    }
}

/// The words that are keywords only at the start of a line of `verify { }`.
pub const VERIFY_KEYWORDS: &[&str] = &[
    "domain",
    "max_depth",
    "max_states",
    "max_collection",
    "bound",
    "reach",
    "always_possible",
    "allow_overflow",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A name; its text is the token's span.
    Ident,
    Keyword(Keyword),
    /// A decimal integer literal (its value; the text may have `_`).
    Int(u128),
    /// A string literal, escapes resolved.
    Str(String),
    /// `// text`: the text after `//`, trailing whitespace removed.
    Comment(String),
    /// `/// text`: the text after `///` and one space, trailing whitespace
    /// removed.
    DocComment(String),
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Lt,
    Gt,
    Le,
    Ge,
    EqEq,
    Ne,
    Eq,
    PlusEq,
    MinusEq,
    Comma,
    Colon,
    ColonColon,
    Semi,
    Dot,
    DotDot,
    DotDotEq,
    Arrow,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    AndAnd,
    OrOr,
    Pipe,
    /// Characters that start no token (already reported).
    Error,
    Eof,
}

impl TokenKind {
    /// Comments and doc comments, which the grammar does not see.
    pub fn is_trivia(&self) -> bool {
        matches!(self, TokenKind::Comment(_) | TokenKind::DocComment(_))
    }

    /// The fixed text of a punctuation token.
    pub fn punct_str(&self) -> Option<&'static str> {
        Some(match self {
            TokenKind::LBrace => "{",
            TokenKind::RBrace => "}",
            TokenKind::LParen => "(",
            TokenKind::RParen => ")",
            TokenKind::LBracket => "[",
            TokenKind::RBracket => "]",
            TokenKind::Lt => "<",
            TokenKind::Gt => ">",
            TokenKind::Le => "<=",
            TokenKind::Ge => ">=",
            TokenKind::EqEq => "==",
            TokenKind::Ne => "!=",
            TokenKind::Eq => "=",
            TokenKind::PlusEq => "+=",
            TokenKind::MinusEq => "-=",
            TokenKind::Comma => ",",
            TokenKind::Colon => ":",
            TokenKind::ColonColon => "::",
            TokenKind::Semi => ";",
            TokenKind::Dot => ".",
            TokenKind::DotDot => "..",
            TokenKind::DotDotEq => "..=",
            TokenKind::Arrow => "->",
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::Percent => "%",
            TokenKind::Bang => "!",
            TokenKind::AndAnd => "&&",
            TokenKind::OrOr => "||",
            TokenKind::Pipe => "|",
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Longest integer literal text quoted in a message.
const QUOTE_LIMIT: usize = 40;

/// Lexes `text`. Never panics; see the module docs for how bad input is
/// handled.
pub fn lex(text: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        diags: Vec::new(),
        bad_runs: Vec::new(),
    };
    lexer.run();
    lexer.finish_bad_runs();
    let end = text.len() as u32;
    lexer.tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::point(end),
    });
    (lexer.tokens, lexer.diags)
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
    /// Each run of bad characters: its token and its diagnostic.
    bad_runs: Vec<(usize, usize)>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start as u32, self.pos as u32),
        });
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.bytes[start];
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if self.peek(1) == b'/' => self.comment(),
                b'"' => self.string(),
                b'0'..=b'9' => self.number(),
                _ if is_ident_start(b) => {
                    while self.pos < self.bytes.len() && is_ident_continue(self.bytes[self.pos]) {
                        self.pos += 1;
                    }
                    let word = &self.text[start..self.pos];
                    let kind = match Keyword::from_word(word) {
                        Some(kw) => TokenKind::Keyword(kw),
                        None => TokenKind::Ident,
                    };
                    self.push(kind, start);
                }
                _ => match self.punct() {
                    Some((kind, len)) => {
                        self.pos += len;
                        self.push(kind, start);
                    }
                    None => self.bad_char(),
                },
            }
        }
    }

    /// The punctuation token at the cursor and its length.
    fn punct(&self) -> Option<(TokenKind, usize)> {
        use TokenKind as T;
        let next = self.peek(1);
        Some(match self.peek(0) {
            b'{' => (T::LBrace, 1),
            b'}' => (T::RBrace, 1),
            b'(' => (T::LParen, 1),
            b')' => (T::RParen, 1),
            b'[' => (T::LBracket, 1),
            b']' => (T::RBracket, 1),
            b',' => (T::Comma, 1),
            b';' => (T::Semi, 1),
            b'*' => (T::Star, 1),
            b'/' => (T::Slash, 1),
            b'%' => (T::Percent, 1),
            b'<' if next == b'=' => (T::Le, 2),
            b'<' => (T::Lt, 1),
            b'>' if next == b'=' => (T::Ge, 2),
            b'>' => (T::Gt, 1),
            b'=' if next == b'=' => (T::EqEq, 2),
            b'=' => (T::Eq, 1),
            b'!' if next == b'=' => (T::Ne, 2),
            b'!' => (T::Bang, 1),
            b'+' if next == b'=' => (T::PlusEq, 2),
            b'+' => (T::Plus, 1),
            b'-' if next == b'>' => (T::Arrow, 2),
            b'-' if next == b'=' => (T::MinusEq, 2),
            b'-' => (T::Minus, 1),
            b':' if next == b':' => (T::ColonColon, 2),
            b':' => (T::Colon, 1),
            b'.' if next == b'.' && self.peek(2) == b'=' => (T::DotDotEq, 3),
            b'.' if next == b'.' => (T::DotDot, 2),
            b'.' => (T::Dot, 1),
            b'&' if next == b'&' => (T::AndAnd, 2),
            b'|' if next == b'|' => (T::OrOr, 2),
            b'|' => (T::Pipe, 1),
            _ => return None,
        })
    }

    /// Skips one character that starts no token. Consecutive bad characters
    /// share one token and one diagnostic.
    fn bad_char(&mut self) {
        let start = self.pos;
        let ch = self.text[start..].chars().next().unwrap_or('\u{fffd}');
        self.pos += ch.len_utf8().max(1);
        let end = self.pos as u32;
        if let Some(last) = self.tokens.last_mut()
            && last.kind == TokenKind::Error
            && last.span.end == start as u32
        {
            last.span.end = end;
            return;
        }
        let span = Span::new(start as u32, end);
        self.tokens.push(Token {
            kind: TokenKind::Error,
            span,
        });
        let mut diag = Diagnostic::new(
            Code::UnexpectedChar,
            format!("unexpected character `{}`", ch.escape_debug()),
            span,
            "not valid here",
        );
        diag = match ch {
            '&' => diag.with_help("use `&&` for a logical and"),
            '\'' => diag.with_help("string literals use double quotes"),
            c if c.is_alphabetic() => {
                diag.with_help("names are made of ASCII letters, digits and `_`")
            }
            _ => diag,
        };
        self.bad_runs
            .push((self.tokens.len() - 1, self.diags.len()));
        self.diags.push(diag);
    }

    /// Widens the diagnostic of each run of bad characters to the run.
    fn finish_bad_runs(&mut self) {
        for &(token, diag) in &self.bad_runs {
            let (Some(tok), Some(diag)) = (self.tokens.get(token), self.diags.get_mut(diag)) else {
                continue;
            };
            let span = tok.span;
            let shown = &self.text[span.range()];
            if shown.chars().nth(1).is_some() {
                diag.message = format!("unexpected characters `{}`", quote(shown));
                if let Some(label) = diag.labels.first_mut() {
                    label.span = span;
                }
            }
        }
    }

    /// `// comment` or `/// doc comment`, to the end of the line (`\n`,
    /// `\r\n` or a lone `\r`).
    fn comment(&mut self) {
        let start = self.pos;
        while self.pos < self.bytes.len() && !matches!(self.bytes[self.pos], b'\n' | b'\r') {
            self.pos += 1;
        }
        let mut end = self.pos;
        if end > start && self.bytes[end - 1] == b'\r' {
            end -= 1;
        }
        let raw = &self.text[start..end];
        let is_doc = raw.starts_with("///") && !raw.starts_with("////");
        let kind = if is_doc {
            let body = &raw[3..];
            let body = body.strip_prefix(' ').unwrap_or(body);
            TokenKind::DocComment(body.trim_end().to_string())
        } else {
            TokenKind::Comment(raw[2..].trim_end().to_string())
        };
        self.tokens.push(Token {
            kind,
            span: Span::new(start as u32, end as u32),
        });
    }

    /// A decimal literal with optional `_` separators. Letters glued to the
    /// digits (`12ab`, `0x1f`) make the whole word one invalid literal.
    fn number(&mut self) {
        let start = self.pos;
        while self.pos < self.bytes.len() && is_ident_continue(self.bytes[self.pos]) {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        let span = Span::new(start as u32, self.pos as u32);
        let value = if text.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            let mut value: Option<u128> = Some(0);
            for b in text.bytes().filter(u8::is_ascii_digit) {
                value = value
                    .and_then(|v| v.checked_mul(10))
                    .and_then(|v| v.checked_add(u128::from(b - b'0')));
            }
            if value.is_none() {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidNumber,
                        format!("integer literal `{}` is too large", quote(text)),
                        span,
                        "does not fit in 128 bits",
                    )
                    .with_note(format!("the largest integer literal is {}", u128::MAX)),
                );
            }
            value.unwrap_or(0)
        } else {
            self.diags.push(
                Diagnostic::new(
                    Code::InvalidNumber,
                    format!("invalid integer literal `{}`", quote(text)),
                    span,
                    "not a decimal integer",
                )
                .with_help("integer literals are decimal digits, optionally separated by `_`"),
            );
            0
        };
        self.tokens.push(Token {
            kind: TokenKind::Int(value),
            span,
        });
    }

    /// A string literal. It ends at the closing quote; a line end or the end
    /// of the file before it leaves the string unterminated.
    fn string(&mut self) {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let Some(ch) = self.text[self.pos..].chars().next() else {
                break self.unterminated(start, value);
            };
            match ch {
                '"' => {
                    self.pos += 1;
                    self.push(TokenKind::Str(value), start);
                    return;
                }
                '\n' | '\r' => break self.unterminated(start, value),
                '\\' => {
                    let esc_start = self.pos;
                    self.pos += 1;
                    let Some(next) = self.text[self.pos..].chars().next() else {
                        break self.unterminated(start, value);
                    };
                    let resolved = match next {
                        '\\' => '\\',
                        '"' => '"',
                        'n' => '\n',
                        't' => '\t',
                        '\n' | '\r' => break self.unterminated(start, value),
                        other => {
                            let span =
                                Span::new(esc_start as u32, (self.pos + other.len_utf8()) as u32);
                            self.diags.push(
                                Diagnostic::new(
                                    Code::UnexpectedChar,
                                    format!(
                                        "unknown escape `\\{}` in a string",
                                        other.escape_debug()
                                    ),
                                    span,
                                    "unknown escape",
                                )
                                .with_help("the escapes are `\\\\`, `\\\"`, `\\n` and `\\t`"),
                            );
                            other
                        }
                    };
                    self.pos += next.len_utf8();
                    value.push(resolved);
                }
                _ => {
                    self.pos += ch.len_utf8();
                    value.push(ch);
                }
            }
        }
    }

    fn unterminated(&mut self, start: usize, mut value: String) {
        // Stop before the line end (and a `\r` in front of it).
        if self.bytes.get(self.pos) == Some(&b'\n')
            && self.pos > start + 1
            && self.bytes[self.pos - 1] == b'\r'
        {
            self.pos -= 1;
            if value.ends_with('\r') {
                value.pop();
            }
        }
        let span = Span::new(start as u32, self.pos as u32);
        self.diags.push(
            Diagnostic::new(
                Code::UnterminatedString,
                "unterminated string literal",
                span,
                "this string has no closing `\"`",
            )
            .with_help("close the string on the same line; write a line break as `\\n`"),
        );
        self.tokens.push(Token {
            kind: TokenKind::Str(value),
            span,
        });
    }
}

/// `text`, shortened for a message.
fn quote(text: &str) -> String {
    let mut shown: String = text.chars().take(QUOTE_LIMIT).collect::<String>();
    shown = shown.escape_debug().to_string();
    if text.chars().nth(QUOTE_LIMIT).is_some() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        let (tokens, diags) = lex(text);
        assert!(diags.is_empty(), "{diags:?}");
        tokens.into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn words_numbers_and_strings() {
        use TokenKind as T;
        assert_eq!(
            kinds("machine Foo domain 1_000 \"a\\\"b\\n\""),
            vec![
                T::Keyword(Keyword::Machine),
                T::Ident,
                T::Ident,
                T::Int(1000),
                T::Str("a\"b\n".into()),
                T::Eof
            ]
        );
    }

    #[test]
    fn punctuation_takes_the_longest_match() {
        use TokenKind as T;
        assert_eq!(
            kinds("0..=3 0..3 a::b -> -= += == != <= >= && || | ! . :"),
            vec![
                T::Int(0),
                T::DotDotEq,
                T::Int(3),
                T::Int(0),
                T::DotDot,
                T::Int(3),
                T::Ident,
                T::ColonColon,
                T::Ident,
                T::Arrow,
                T::MinusEq,
                T::PlusEq,
                T::EqEq,
                T::Ne,
                T::Le,
                T::Ge,
                T::AndAnd,
                T::OrOr,
                T::Pipe,
                T::Bang,
                T::Dot,
                T::Colon,
                T::Eof
            ]
        );
    }

    #[test]
    fn comments_and_doc_comments() {
        use TokenKind as T;
        assert_eq!(
            kinds("// plain  \r\n/// doc\n////not doc\n///x\nfoo"),
            vec![
                T::Comment(" plain".into()),
                T::DocComment("doc".into()),
                T::Comment("//not doc".into()),
                T::DocComment("x".into()),
                T::Ident,
                T::Eof
            ]
        );
        let (tokens, _) = lex("// c\r\n");
        assert_eq!(tokens[0].span, Span::new(0, 4));
    }

    #[test]
    fn a_lone_carriage_return_ends_comments_and_strings() {
        use TokenKind as T;
        assert_eq!(
            kinds("/// doc\rmachine // c\rM"),
            vec![
                T::DocComment("doc".into()),
                T::Keyword(Keyword::Machine),
                T::Comment(" c".into()),
                T::Ident,
                T::Eof
            ]
        );
        let (tokens, diags) = lex("\"open\rx");
        assert_eq!(tokens[0].kind, T::Str("open".into()));
        assert_eq!(tokens[1].kind, T::Ident);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].span(), Span::new(0, 5));
    }

    #[test]
    fn a_byte_order_mark_is_dropped_before_lexing() {
        let c = crate::compile(
            "b.fsm",
            b"\xEF\xBB\xBFmachine A { phases { P } initial P }\n",
        );
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert!(c.source.text().starts_with("machine"));
    }

    #[test]
    fn a_run_of_bad_characters_is_one_error() {
        let (tokens, diags) = lex("a @#€ b $");
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].code, Code::UnexpectedChar);
        assert_eq!(diags[0].span(), Span::new(2, 7));
        assert_eq!(diags[0].message, "unexpected characters `@#€`");
        assert_eq!(
            tokens.iter().filter(|t| t.kind == TokenKind::Error).count(),
            2
        );
    }

    #[test]
    fn bad_numbers() {
        let (tokens, diags) = lex("12ab 999999999999999999999999999999999999999999 7");
        assert_eq!(diags.len(), 2);
        assert!(diags.iter().all(|d| d.code == Code::InvalidNumber));
        assert_eq!(tokens[0].kind, TokenKind::Int(0));
        assert_eq!(tokens[2].kind, TokenKind::Int(7));
        let (tokens, diags) = lex("340282366920938463463374607431768211455");
        assert!(diags.is_empty());
        assert_eq!(tokens[0].kind, TokenKind::Int(u128::MAX));
    }

    #[test]
    fn unterminated_strings_stop_at_the_line_end() {
        let (tokens, diags) = lex("\"abc\r\nx");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::UnterminatedString);
        assert_eq!(tokens[0].kind, TokenKind::Str("abc".into()));
        assert_eq!(tokens[0].span, Span::new(0, 4));
        assert_eq!(tokens[1].kind, TokenKind::Ident);
        let (tokens, diags) = lex("\"abc\\");
        assert_eq!(diags.len(), 1);
        assert_eq!(tokens.last().map(|t| t.span), Some(Span::point(5)));
    }

    #[test]
    fn spans_stay_inside_the_text() {
        for text in ["\"", "\"\\", "€", "1_", "a\u{0}", "/", "&", "//"] {
            let (tokens, diags) = lex(text);
            for t in &tokens {
                assert!(t.span.end as usize <= text.len() && t.span.start <= t.span.end);
            }
            for d in &diags {
                assert!(d.span().end as usize <= text.len());
            }
        }
    }
}
