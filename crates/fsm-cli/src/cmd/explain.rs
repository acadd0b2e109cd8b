//! `fsm explain CODE`: the section of `docs/diagnostics.md` about a
//! diagnostic code, as the binary embeds it.

use crate::output::{self, Outcome};
use fsm_core::diagnostic::Code;

/// The diagnostics reference, embedded at build time.
const REFERENCE: &str = include_str!("../../../../docs/diagnostics.md");

/// Explain a diagnostic code: what fires it, what the checker says, and the
/// fix, with examples (the code's section of `docs/diagnostics.md`).
///
/// Exits with 0, or 2 for a code that does not exist.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A diagnostic code, e.g. `FSM0405` (case does not matter)
    #[arg(value_name = "CODE")]
    code: String,
}

pub fn run(args: &Args, color: bool) -> Outcome {
    let wanted = args.code.trim().to_ascii_uppercase();
    let Some(code) = Code::ALL.iter().find(|c| c.as_str() == wanted) else {
        let first = Code::ALL.first().map_or("", |c| c.as_str());
        let last = Code::ALL.last().map_or("", |c| c.as_str());
        output::error(
            &format!(
                "unknown diagnostic code `{}`: codes run from {first} to {last} \
                 (docs/diagnostics.md lists them)",
                args.code
            ),
            color,
        );
        return Outcome::Trouble;
    };
    match section(*code) {
        Some(text) => {
            output::print(text);
            Outcome::Clean
        }
        None => {
            output::error(
                &format!("no explanation of {code} in the embedded reference"),
                color,
            );
            Outcome::Trouble
        }
    }
}

/// The section `## FSM0405: …` of the reference, up to the next `## `
/// heading (the trailing blank lines left out, one newline kept).
fn section(code: Code) -> Option<&'static str> {
    let heading = format!("## {code}: ");
    let mut offset = 0;
    let mut start = None;
    for line in REFERENCE.split_inclusive('\n') {
        match start {
            None if line.starts_with(&heading) => start = Some(offset),
            Some(start) if line.starts_with("## ") => {
                return Some(trim(&REFERENCE[start..offset]));
            }
            _ => {}
        }
        offset += line.len();
    }
    start.map(|start| trim(&REFERENCE[start..]))
}

fn trim(text: &str) -> &str {
    let end = text.trim_end().len();
    // Keep the newline that ends the last line.
    let end = (end + 1).min(text.len());
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_section() {
        for code in Code::ALL {
            let text = section(*code).unwrap_or_else(|| panic!("no section for {code}"));
            let heading = format!("## {code}: {}\n", code.title());
            assert!(text.starts_with(&heading), "{code}: {text}");
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{code}");
            // Exactly one section: no other heading of its level.
            assert_eq!(text.matches("\n## ").count(), 0, "{code}");
            assert!(text.contains(code.as_str()), "{code}");
        }
    }

    #[test]
    fn a_section_ends_before_the_next() {
        let text = section(Code::Overlap).expect("FSM0405");
        assert!(text.contains("error[FSM0405]: transitions `open` and `jam` overlap"));
        assert!(!text.contains("FSM0406"), "{text}");
        assert!(text.ends_with("exclude each other.\n"), "{text}");
    }
}
