//! The `fsm` command: checks and formats `.fsm` state-machine specs.
//!
//! Each subcommand lives in `cmd/`; `files` turns paths into spec files and
//! `output` owns colour, printing and exit codes.

mod cmd;
mod files;
mod output;

use clap::{Parser, Subcommand};
use output::ColorChoice;
use std::process::ExitCode;

/// Check, format and inspect `.fsm` state-machine specs.
#[derive(Debug, Parser)]
#[command(name = "fsm", version, about, max_term_width = 100)]
struct Cli {
    /// When to colour diagnostics: `auto` colours only when stderr is a
    /// terminal and `NO_COLOR` is unset or empty.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(cmd::check::Args),
    Fmt(cmd::fmt::Args),
    Expand(cmd::expand::Args),
    Verify(cmd::verify::Args),
    Export(cmd::export::Args),
    Graph(cmd::graph::Args),
    Doc(cmd::doc::Args),
    Diff(cmd::diff::Args),
    Explain(cmd::explain::Args),
    Lsp(cmd::lsp::Args),
    View(cmd::view::Args),
    Sim(cmd::sim::Args),
    Replay(cmd::replay::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli.color.resolve();
    let outcome = match cli.command {
        Command::Check(args) => cmd::check::run(&args, color),
        Command::Fmt(args) => cmd::fmt::run(&args, color),
        Command::Expand(args) => cmd::expand::run(&args, color),
        Command::Verify(args) => cmd::verify::run(&args, color),
        Command::Export(args) => cmd::export::run(&args, color),
        Command::Graph(args) => cmd::graph::run(&args, color),
        Command::Doc(args) => cmd::doc::run(&args, color),
        Command::Diff(args) => cmd::diff::run(&args, color),
        Command::Explain(args) => cmd::explain::run(&args, color),
        Command::Lsp(args) => cmd::lsp::run(&args, color),
        Command::View(args) => cmd::view::run(&args, color),
        Command::Sim(args) => cmd::sim::run(&args, color),
        Command::Replay(args) => cmd::replay::run(&args, color),
    };
    ExitCode::from(outcome.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Outcome;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn outcomes_combine_to_the_worst() {
        assert_eq!(Outcome::Clean.max(Outcome::SpecErrors), Outcome::SpecErrors);
        assert_eq!(Outcome::Trouble.max(Outcome::SpecErrors).code(), 2);
    }
}
