//! `fsm graph`: the diagram of a machine, as Mermaid or Graphviz DOT.

use crate::files::io_message;
use crate::output::{self, Outcome};
use fsm_tools::graph;
use std::path::PathBuf;

/// Draw a machine's phases and transitions.
///
/// The diagram goes to stdout, or to the file given with `--out`. Exits
/// with 0 when it is written, 1 when the spec has errors (reported on
/// stderr as `fsm check` reports them), and 2 when a file cannot be read or
/// written.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// `mermaid` (a `stateDiagram-v2`, which GitHub renders in Markdown) or
    /// `dot` (Graphviz)
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    format: Format,

    /// Write the diagram to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Leave out the `ignore: …` self-loops
    #[arg(long)]
    hide_ignores: bool,

    /// Draw all the self-loops of a phase as one edge, labels joined
    #[arg(long)]
    collapse_self_loops: bool,

    /// The direction of the ranks (`--format dot` only): top to bottom,
    /// left to right, bottom to top, right to left
    #[arg(long, value_enum, value_name = "DIR")]
    rankdir: Option<RankDir>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[clap(rename_all = "UPPER")]
enum RankDir {
    Tb,
    Lr,
    Bt,
    Rl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Mermaid,
    Dot,
}

pub fn run(args: &Args, color: bool) -> Outcome {
    if args.rankdir.is_some() && args.format != Format::Dot {
        output::error("`--rankdir` applies to `--format dot` only", color);
        return Outcome::Trouble;
    }
    let compilation = match crate::files::compile_file(&args.file, color) {
        Ok(compilation) => compilation,
        Err(outcome) => return outcome,
    };
    let Some(model) = &compilation.model else {
        return Outcome::SpecErrors;
    };
    let text = diagram(model, args.format, &options(args));
    match &args.out {
        None => {
            output::print(&text);
            Outcome::Clean
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => Outcome::Clean,
            Err(err) => {
                output::error(
                    &format!("cannot write `{}`: {}", path.display(), io_message(&err)),
                    color,
                );
                Outcome::Trouble
            }
        },
    }
}

fn options(args: &Args) -> graph::Options {
    graph::Options {
        hide_ignores: args.hide_ignores,
        collapse_self_loops: args.collapse_self_loops,
        rankdir: args.rankdir.map(|dir| match dir {
            RankDir::Tb => graph::RankDir::TopBottom,
            RankDir::Lr => graph::RankDir::LeftRight,
            RankDir::Bt => graph::RankDir::BottomTop,
            RankDir::Rl => graph::RankDir::RightLeft,
        }),
    }
}

fn diagram(model: &fsm_core::Model, format: Format, options: &graph::Options) -> String {
    match format {
        Format::Mermaid => graph::mermaid_with(model, options),
        Format::Dot => graph::dot_with(model, options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_draw_the_transition() {
        let spec = "machine Door {\n    phases { Closed, Open }\n    initial Closed\n    input Push\n    transition push on Push from Closed -> Open\n}\n";
        let compilation = fsm_core::compile("door.fsm", spec.as_bytes());
        let model = compilation.model.expect("spec compiles");
        let options = graph::Options::default();
        let mermaid = diagram(&model, Format::Mermaid, &options);
        assert!(mermaid.contains("    Closed --> Open: Push\n"), "{mermaid}");
        let dot = diagram(&model, Format::Dot, &options);
        assert!(
            dot.contains("    \"Closed\" -> \"Open\" [label=\"Push\"];\n"),
            "{dot}"
        );
    }
}
