//! The front end never panics, never hangs, and locates every error inside
//! the file, whatever it is given: arbitrary bytes, arbitrary token soup,
//! mutations of real specs, and pathological nesting and size.

use fsm_core::{Compilation, compile};
use proptest::prelude::*;
use std::sync::mpsc;
use std::time::Duration;

/// Generous: parse + check of any input here takes milliseconds. The bound
/// only turns a hang into a failure instead of a stuck CI run.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// Compiles on a thread with a 2 MiB stack (the default for test threads and
/// smaller than rustc's), failing if it panics, overflows or hangs.
fn compile_guarded(bytes: Vec<u8>) -> Compilation {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let c = compile("input.fsm", &bytes);
            let _ = tx.send(c);
        })
        .expect("spawn compile thread");
    match rx.recv_timeout(HANG_LIMIT) {
        Ok(c) => {
            handle.join().expect("compile thread");
            c
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("compile panicked"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("compile did not finish in {HANG_LIMIT:?}"),
    }
}

fn assert_located(c: &Compilation) {
    let len = c.source.text().len() as u32;
    for d in &c.diagnostics {
        for label in &d.labels {
            assert!(
                label.span.start <= label.span.end && label.span.end <= len,
                "{} label {:?} outside file of {len} bytes",
                d.code,
                label.span
            );
        }
        assert!(
            d.labels.iter().any(|l| l.primary),
            "{} has no primary label",
            d.code
        );
    }
    if c.has_errors() {
        assert!(c.model.is_none(), "a model escaped with errors");
    }
}

fn check(bytes: Vec<u8>) {
    let c = compile_guarded(bytes);
    assert_located(&c);
}

/// Words the lexer knows, plus some it does not.
const VOCAB: &[&str] = &[
    "machine",
    "M",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    ",",
    ":",
    "::",
    ".",
    "..",
    "..=",
    "->",
    "=",
    "==",
    "!=",
    "<=",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "+=",
    "-=",
    "!",
    "&&",
    "||",
    "|",
    ";",
    "phases",
    "initial",
    "terminal",
    "state",
    "input",
    "effect",
    "guard",
    "derive",
    "transition",
    "on",
    "from",
    "except",
    "stay",
    "ignore",
    "in",
    "invariant",
    "verify",
    "emit",
    "if",
    "else",
    "true",
    "false",
    "none",
    "some",
    "all",
    "any",
    "phase",
    "key",
    "extern",
    "enum",
    "domain",
    "max_depth",
    "reach",
    "guards",
    "action",
    "do",
    "const",
    "target",
    "impl",
    "fn",
    "snapshot",
    "field",
    "A",
    "B",
    "x",
    "y",
    "u64",
    "bool",
    "Option",
    "Set",
    "Map",
    "List",
    "String",
    "0",
    "1",
    "340282366920938463463374607431768211456",
    "\"s\"",
    "\"unterminated",
    "///doc\n",
    "//c\n",
    "\n",
    "@",
    "é",
    "\u{0}",
];

fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(VOCAB), 0..200)
        .prop_map(|words| words.join(" ").into_bytes())
}

fn seeds() -> Vec<Vec<u8>> {
    let root = fsm_tests::repo_root();
    let mut seeds: Vec<Vec<u8>> = fsm_tests::all_specs()
        .into_iter()
        .filter_map(|p| std::fs::read(root.join(p)).ok())
        .collect();
    let lang = std::fs::read_to_string(root.join("docs/language.md")).unwrap_or_default();
    seeds.extend(
        fsm_tests::fsm_blocks(&lang)
            .into_iter()
            .map(String::into_bytes),
    );
    if seeds.is_empty() {
        seeds.push(b"machine M { phases { A } initial A }".to_vec());
    }
    seeds
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, word: &'static str },
    Duplicate { at: usize, len: usize },
    Truncate { at: usize },
    Flip { at: usize, byte: u8 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), prop::sample::select(VOCAB))
            .prop_map(|(at, word)| Mutation::Insert { at, word }),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
    ]
}

fn mutate(mut text: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let n = text.len().max(1);
        match *m {
            Mutation::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(text.len());
                if at < end {
                    text.drain(at..end);
                }
            }
            Mutation::Insert { at, word } => {
                let at = at % (text.len() + 1);
                text.splice(at..at, format!(" {word} ").into_bytes());
            }
            Mutation::Duplicate { at, len } => {
                let at = at % n;
                let end = (at + len).min(text.len());
                if at < end {
                    let copy = text[at..end].to_vec();
                    text.splice(end..end, copy);
                }
            }
            Mutation::Truncate { at } => text.truncate(at % n),
            Mutation::Flip { at, byte } => {
                if !text.is_empty() {
                    let at = at % text.len();
                    text[at] = byte;
                }
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check(bytes);
    }

    #[test]
    fn arbitrary_token_sequences_never_panic(bytes in token_soup()) {
        check(bytes);
    }

    #[test]
    fn token_soup_inside_a_machine_never_panics(bytes in token_soup()) {
        let mut text = b"machine M { phases { A, B } initial A ".to_vec();
        text.extend(bytes);
        text.extend(b" }");
        check(text);
    }

    #[test]
    fn mutated_specs_never_panic(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds();
        let text = seeds[seed.index(seeds.len())].clone();
        check(mutate(text, &mutations));
    }
}

fn machine_around(body: &str) -> Vec<u8> {
    format!(
        "machine M {{ phases {{ A }} initial A state {{ x: bool = false }} invariant i: {body} }}"
    )
    .into_bytes()
}

#[test]
fn deep_parentheses_do_not_overflow() {
    let n = 100_000;
    let body = format!("{}x{}", "(".repeat(n), ")".repeat(n));
    let c = compile_guarded(machine_around(&body));
    assert_located(&c);
    assert!(c.has_errors(), "nesting this deep is reported");
}

#[test]
fn deep_unclosed_brackets_do_not_overflow() {
    for open in ["(", "[", "{", "!", "-", "some(", "Option<"] {
        let c = compile_guarded(machine_around(&open.repeat(100_000)));
        assert_located(&c);
        assert!(c.has_errors());
    }
}

#[test]
fn deep_nested_ifs_do_not_overflow() {
    let n = 50_000;
    let text = format!(
        "machine M {{ phases {{ A }} initial A input I state {{ x: bool = false }}\n\
         transition t on I from A -> stay {{ {} x = true {} }} }}",
        "if x { ".repeat(n),
        "} ".repeat(n)
    );
    let c = compile_guarded(text.into_bytes());
    assert_located(&c);
}

#[test]
fn long_operator_chains_do_not_overflow() {
    // Left-associative chains are loops, not recursion: no error expected
    // beyond what the checker says about types.
    let body = vec!["x"; 50_000].join(" || ");
    let c = compile_guarded(machine_around(&body));
    assert_located(&c);
}

#[test]
fn very_large_input_is_handled() {
    // Just under the size limit: many inputs and transitions.
    let mut text = String::from("machine Big { phases { A, B } initial A\n");
    let mut i = 0;
    while text.len() < fsm_core::MAX_SOURCE_LEN - 200 {
        text.push_str(&format!("input I{i} transition t{i} on I{i} from A -> B\n"));
        i += 1;
    }
    text.push('}');
    let c = compile_guarded(text.into_bytes());
    assert_located(&c);

    let over = vec![b' '; fsm_core::MAX_SOURCE_LEN + 1];
    let c = compile_guarded(over);
    assert_eq!(c.diagnostics.len(), 1);
    assert_eq!(c.diagnostics[0].code, fsm_core::Code::FileTooLarge);
}

#[test]
fn invalid_utf8_and_empty_files_are_diagnosed() {
    let c = compile_guarded(b"machine M { \xff }".to_vec());
    assert_eq!(c.diagnostics[0].code, fsm_core::Code::InvalidUtf8);
    assert_eq!(c.diagnostics[0].span().start, 12);
    for empty in [&b""[..], b"   \n\t"] {
        let c = compile_guarded(empty.to_vec());
        assert_eq!(c.diagnostics[0].code, fsm_core::Code::EmptyFile);
    }
}
