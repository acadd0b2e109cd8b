//! `fsm sim`: an interactive simulator of one machine over the evaluator
//! (`fsm_tools::eval`), with line editing and completion (`rustyline`), or
//! driven by a script.

use crate::files;
use crate::output::{self, Outcome};
use fsm_core::Model;
use fsm_core::model::{InputId, ParamId, Ty};
use fsm_tools::eval::{self, InputValue, Outcome as Step, State, Value};
use fsm_tools::trace::{self, Recorded, RejectionKind, Trace};
use fsm_tools::verify;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

/// Simulate a machine: type inputs (`Push`, `Lock(3)`, `Lock(code: 3)`)
/// to step it and see the transition, effects and changed fields, or why
/// it was rejected; `:help` lists the commands (`:state`, `:inputs`,
/// `:undo`, `:reset`, `:goto GOAL`, `:save FILE`, `:load FILE`, …).
///
/// With `--script FILE`, or when standard input is not a terminal, the
/// lines are read without a prompt, each echoed after `> `; the first line
/// that is an error (a bad input, a failed `:expect`, a trace that
/// diverges) stops the run with exit 1. Exit 2 when a file cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file
    #[arg(value_name = "SPEC")]
    spec: PathBuf,

    /// The machine to simulate: a check that the spec defines it
    #[arg(long, value_name = "NAME")]
    machine: Option<String>,

    /// The key of a keyed machine, in spec syntax (`3`, `"front"`, or
    /// `front` for a string); by default the one `fsm verify` uses
    #[arg(long, value_name = "VALUE")]
    key: Option<String>,

    /// Read the lines from FILE instead of the terminal
    #[arg(long, value_name = "FILE")]
    script: Option<PathBuf>,
}

/// The largest script or trace read.
const MAX_SCRIPT: usize = 16 * 1024 * 1024;
pub const MAX_TRACE: usize = 64 * 1024 * 1024;

/// The most instances of one input `:inputs` tries.
const MAX_TRIED: u128 = 4096;

/// The most completion candidates offered for one parameter.
const MAX_CANDIDATES: usize = 200;

const COMMANDS: &[(&str, &str)] = &[
    (
        ":state",
        "the phase, every field and derived value, the enabled inputs",
    ),
    (
        ":inputs",
        "which inputs are accepted now, and for which values",
    ),
    (":undo", "take back the last input"),
    (
        ":reset",
        "back to the initial state, forgetting every input",
    ),
    (
        ":goto GOAL",
        "reset, then replay the shortest inputs to a `reach` goal of `verify { }`",
    ),
    (
        ":save FILE",
        "write the inputs so far as a trace (JSON lines)",
    ),
    (
        ":load FILE",
        "reset, then replay a trace, stopping where it diverges",
    ),
    (
        ":expect WHAT",
        "fail unless: `phase P`, `transition T`, `ignored`, `rejected [KIND [NAME]]`, `field NAME VALUE`",
    ),
    (":help", "this list"),
    (":quit", "leave (also Ctrl-D)"),
];

pub fn run(args: &Args, color: bool) -> Outcome {
    let model = match files::compile_machine(&args.spec, args.machine.as_deref(), color) {
        Ok(model) => model,
        Err(outcome) => return outcome,
    };
    let key = match start_key(&model, args.key.as_deref()) {
        Ok(key) => key,
        Err(message) => {
            output::error(&message, color);
            return Outcome::Trouble;
        }
    };
    let mut session = match Session::new(&model, key) {
        Ok(session) => session,
        Err(message) => {
            output::error(&message, color);
            return Outcome::SpecErrors;
        }
    };
    if let Some(path) = &args.script {
        let text = match files::read_text(path, MAX_SCRIPT) {
            Ok(text) => text,
            Err(message) => {
                output::error(&message, color);
                return Outcome::Trouble;
            }
        };
        let name = path.display().to_string();
        return session.run_script(&name, text.lines().map(str::to_owned), color);
    }
    if !std::io::stdin().is_terminal() {
        let mut failure = None;
        let lines = std::io::stdin()
            .lock()
            .lines()
            .map_while(|line| line.map_err(|e| failure = Some(files::io_message(&e))).ok());
        let outcome = session.run_script("<stdin>", lines, color);
        if let Some(message) = failure {
            output::error(&format!("cannot read standard input: {message}"), color);
            return outcome.max(Outcome::Trouble);
        }
        return outcome;
    }
    session.run_interactive(color)
}

/// The key to start with: `--key` read by the key's type, or the one
/// `fsm verify` checks.
fn start_key(model: &Model, text: Option<&str>) -> Result<Option<Value>, String> {
    match (&model.key, text) {
        (Some(k), Some(text)) => trace::parse_value(model, text, &k.ty)
            .map(Some)
            .map_err(|e| {
                format!(
                    "--key: {e} (the key is `{}: {}`)",
                    k.name,
                    model.ty_name(&k.ty)
                )
            }),
        (Some(_), None) => eval::key_value(model).map_err(|e| e.to_string()),
        (None, Some(_)) => Err(format!("--key: machine `{}` has no key", model.name)),
        (None, None) => Ok(None),
    }
}

/// One input sent, with the state before it and what it did.
struct Sent {
    before: State,
    input: InputValue,
    recorded: Recorded,
}

/// What a line asks the loop to do next.
enum Flow {
    Go,
    Quit,
}

struct Session<'m> {
    model: &'m Model,
    key: Option<Value>,
    state: State,
    history: Vec<Sent>,
    /// The checker's report, computed on the first `:goto`.
    report: Option<verify::Report>,
}

impl<'m> Session<'m> {
    fn new(model: &'m Model, key: Option<Value>) -> Result<Self, String> {
        let state = eval::initial(model, key.clone()).map_err(|e| e.to_string())?;
        Ok(Session {
            model,
            key,
            state,
            history: Vec::new(),
            report: None,
        })
    }

    fn prompt(&self) -> String {
        format!(
            "{}:{}> ",
            self.model.name,
            self.model.phase_name(self.state.phase)
        )
    }

    /// Reads lines without a prompt, echoing each; stops at the first
    /// error.
    fn run_script(
        &mut self,
        name: &str,
        lines: impl Iterator<Item = String>,
        color: bool,
    ) -> Outcome {
        for (i, line) in lines.enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("//") {
                continue;
            }
            output::print(&format!("> {trimmed}\n"));
            let mut out = String::new();
            let result = self.line(trimmed, &mut out);
            output::print(&out);
            match result {
                Ok(Flow::Go) => {}
                Ok(Flow::Quit) => return Outcome::Clean,
                Err(message) => {
                    output::error(&format!("{name}:{}: {message}", i + 1), color);
                    return Outcome::SpecErrors;
                }
            }
        }
        Outcome::Clean
    }

    fn run_interactive(&mut self, color: bool) -> Outcome {
        let config = rustyline::Config::builder()
            .completion_type(rustyline::CompletionType::List)
            .auto_add_history(true)
            .build();
        let mut editor: Editor<SimHelper<'_>, rustyline::history::DefaultHistory> =
            match Editor::with_config(config) {
                Ok(editor) => editor,
                Err(err) => {
                    output::error(&format!("cannot start the line editor: {err}"), color);
                    return Outcome::Trouble;
                }
            };
        editor.set_helper(Some(SimHelper { model: self.model }));
        let key = match (&self.model.key, &self.key) {
            (Some(k), Some(v)) => {
                format!(", key {} = {}", k.name, eval::render_value(self.model, v))
            }
            _ => String::new(),
        };
        output::print(&format!(
            "{}: phase {}{key}. Type an input (Tab completes), or :help.\n",
            self.model.name,
            self.model.phase_name(self.state.phase)
        ));
        loop {
            match editor.readline(&self.prompt()) {
                Ok(line) => {
                    let line = line.trim();
                    if line.is_empty() {
                        continue;
                    }
                    let mut out = String::new();
                    let result = self.line(line, &mut out);
                    output::print(&out);
                    match result {
                        Ok(Flow::Go) => {}
                        Ok(Flow::Quit) => return Outcome::Clean,
                        Err(message) => output::error(&message, color),
                    }
                }
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => return Outcome::Clean,
                Err(err) => {
                    output::error(&format!("cannot read the terminal: {err}"), color);
                    return Outcome::Trouble;
                }
            }
        }
    }

    /// One line: a command or an input.
    fn line(&mut self, line: &str, out: &mut String) -> Result<Flow, String> {
        let Some(command) = line.strip_prefix(':') else {
            let input = trace::parse_input(self.model, line)?;
            self.send(input, out)?;
            return Ok(Flow::Go);
        };
        let (word, rest) = match command.split_once(char::is_whitespace) {
            Some((word, rest)) => (word, rest.trim()),
            None => (command, ""),
        };
        let no_argument = |flow: Result<(), String>| {
            if rest.is_empty() {
                flow.map(|()| Flow::Go)
            } else {
                Err(format!(":{word} takes no argument"))
            }
        };
        match word {
            "state" | "s" => no_argument(self.show_state(out)),
            "inputs" | "i" => no_argument(self.show_inputs(out)),
            "undo" | "u" => no_argument(self.undo(out)),
            "reset" => no_argument(self.reset(out)),
            "goto" => self.goto(rest, out).map(|()| Flow::Go),
            "save" => self.save(rest, out).map(|()| Flow::Go),
            "load" => self.load(rest, out).map(|()| Flow::Go),
            "expect" => self.expect(rest).map(|()| Flow::Go),
            "help" | "h" | "?" => no_argument({
                help(out);
                Ok(())
            }),
            "quit" | "q" | "exit" => Ok(Flow::Quit),
            _ => Err(format!(
                "unknown command `:{word}`; :help lists the commands"
            )),
        }
    }

    /// Steps the machine with `input` and describes what it did.
    fn send(&mut self, input: InputValue, out: &mut String) -> Result<(), String> {
        let model = self.model;
        let outcome = eval::step(model, &self.state, &input).map_err(|e| e.to_string())?;
        let recorded = trace::recorded(model, &self.state, &outcome);
        match &outcome {
            Step::Fired {
                transition,
                state,
                effects,
            } => {
                let name = model
                    .transition(*transition)
                    .map_or("?", |t| t.name.as_str());
                out.push_str(&format!(
                    "transition {name}: {} -> {}\n",
                    model.phase_name(self.state.phase),
                    model.phase_name(state.phase)
                ));
                for (effect, args) in effects {
                    let name = model.effect(*effect).map_or("?", |e| e.name.as_str());
                    out.push_str(&format!(
                        "  emit {}\n",
                        trace::render_call(model, name, args)
                    ));
                }
                changes(model, &self.state, state, out)?;
            }
            Step::Ignored => out.push_str(&format!(
                "ignored in {}\n",
                model.phase_name(self.state.phase)
            )),
            Step::Rejected(eval::Rejected::NoMatchingTransition) => out.push_str(&format!(
                "rejected (no_matching_transition): no transition on {} leaves {}\n",
                model.input(input.input).map_or("?", |i| i.name.as_str()),
                model.phase_name(self.state.phase)
            )),
            Step::Rejected(_) => {
                if let Recorded::Rejected(r) = &recorded {
                    out.push_str(&trace::describe_rejection(r));
                    out.push('\n');
                }
            }
        }
        let before = match outcome {
            Step::Fired { state, .. } => std::mem::replace(&mut self.state, state),
            _ => self.state.clone(),
        };
        self.history.push(Sent {
            before,
            input,
            recorded,
        });
        Ok(())
    }

    fn show_state(&self, out: &mut String) -> Result<(), String> {
        let model = self.model;
        out.push_str(&format!("phase: {}\n", model.phase_name(self.state.phase)));
        if let (Some(k), Some(v)) = (&model.key, &self.state.key) {
            out.push_str(&format!(
                "key: {} = {}\n",
                k.name,
                eval::render_value(model, v)
            ));
        }
        if !model.fields.is_empty() {
            out.push_str("fields:\n");
            for (f, v) in model.fields.iter().zip(&self.state.fields) {
                out.push_str(&format!(
                    "  {} = {}\n",
                    f.name,
                    eval::render_value(model, v)
                ));
            }
        }
        if !model.derived.is_empty() {
            out.push_str("derived:\n");
            let values = eval::derived(model, &self.state).map_err(|e| e.to_string())?;
            for (d, v) in model.derived.iter().zip(values) {
                let text = v.map_or("(arithmetic overflow)".to_owned(), |v| {
                    eval::render_value(model, &v)
                });
                out.push_str(&format!("  {} = {text}\n", d.name));
            }
        }
        let mut enabled = Vec::new();
        let mut untried = Vec::new();
        for i in 0..model.inputs.len() {
            let id = InputId(u32::try_from(i).unwrap_or(u32::MAX));
            let name = model.input(id).map_or("?", |s| s.name.as_str());
            match availability(model, &self.state, id)? {
                Availability::Fires { .. } => enabled.push(name.to_owned()),
                Availability::Untried { .. } => untried.push(name.to_owned()),
                _ => {}
            }
        }
        out.push_str(&format!(
            "enabled: {}\n",
            if enabled.is_empty() {
                "none".to_owned()
            } else {
                enabled.join(", ")
            }
        ));
        if !untried.is_empty() {
            out.push_str(&format!(
                "not tried (no domain to draw values from): {}\n",
                untried.join(", ")
            ));
        }
        Ok(())
    }

    fn show_inputs(&self, out: &mut String) -> Result<(), String> {
        let model = self.model;
        let mut none = Vec::new();
        for i in 0..model.inputs.len() {
            let id = InputId(u32::try_from(i).unwrap_or(u32::MAX));
            let Some(sig) = model.input(id) else { continue };
            let name = &sig.name;
            match availability(model, &self.state, id)? {
                Availability::Fires { fired, tried } => {
                    let mut transitions: Vec<&str> = Vec::new();
                    for (_, t) in &fired {
                        if !transitions.contains(&t.as_str()) {
                            transitions.push(t);
                        }
                    }
                    let examples: Vec<String> = fired
                        .iter()
                        .take(6)
                        .map(|(i, _)| eval::render_input(model, i))
                        .collect();
                    let more = if fired.len() > examples.len() {
                        ", …"
                    } else {
                        ""
                    };
                    if tried == 1 {
                        out.push_str(&format!("  {name}: fires {}\n", transitions.join(", ")));
                    } else {
                        out.push_str(&format!(
                            "  {name}: fires {} for {} of {tried} values: {}{more}\n",
                            transitions.join(", "),
                            fired.len(),
                            examples.join(", ")
                        ));
                    }
                }
                Availability::Refused { first, tried } => {
                    let values = if tried == 1 {
                        String::new()
                    } else {
                        format!(" for all {tried} values")
                    };
                    out.push_str(&format!("  {name}: {first}{values}\n"));
                }
                Availability::Ignored => out.push_str(&format!("  {name}: ignored\n")),
                Availability::Untried {
                    transitions,
                    reason,
                } => out.push_str(&format!(
                    "  {name}: {} may fire; values not tried ({reason})\n",
                    transitions.join(", ")
                )),
                Availability::NoTransition => none.push(name.as_str()),
            }
        }
        if !none.is_empty() {
            out.push_str(&format!("  no transition here: {}\n", none.join(", ")));
        }
        Ok(())
    }

    fn undo(&mut self, out: &mut String) -> Result<(), String> {
        let Some(sent) = self.history.pop() else {
            return Err("nothing to undo".to_owned());
        };
        self.state = sent.before;
        out.push_str(&format!(
            "undid {}; phase {}\n",
            eval::render_input(self.model, &sent.input),
            self.model.phase_name(self.state.phase)
        ));
        Ok(())
    }

    fn restart(&mut self, key: Option<Value>) -> Result<(), String> {
        self.state = eval::initial(self.model, key.clone()).map_err(|e| e.to_string())?;
        self.key = key;
        self.history.clear();
        Ok(())
    }

    fn reset(&mut self, out: &mut String) -> Result<(), String> {
        self.restart(self.key.clone())?;
        out.push_str(&format!(
            "reset; phase {}\n",
            self.model.phase_name(self.state.phase)
        ));
        Ok(())
    }

    fn goto(&mut self, goal: &str, out: &mut String) -> Result<(), String> {
        let model = self.model;
        let names: Vec<&str> = model.verify.reach.iter().map(|r| r.name.as_str()).collect();
        if goal.is_empty() {
            return Err(format!("usage: :goto GOAL ({})", goal_list(&names)));
        }
        let Some(reach) = model.verify.reach.iter().find(|r| r.name == goal) else {
            return Err(format!("no reach goal `{goal}` ({})", goal_list(&names)));
        };
        if self.report.is_none() {
            let report = verify::verify(model, &mut verify::Options::default())
                .map_err(|e| format!("cannot verify `{}`: {e}", model.name))?;
            self.report = Some(report);
        }
        let Some(found) = self
            .report
            .as_ref()
            .and_then(|r| r.goals.iter().find(|g| g.name == goal))
        else {
            return Err(format!("`fsm verify` reports no goal `{goal}`"));
        };
        if !found.reached {
            return Err(format!(
                "goal `{goal}` is not reached within the bounds of `verify {{ }}`"
            ));
        }
        let inputs = found.inputs.clone();
        self.restart(self.key.clone())?;
        out.push_str(&format!(
            "goal {goal}: {} from the initial state\n",
            output::count(inputs.len(), "input", "inputs")
        ));
        for input in inputs {
            out.push_str(&format!("> {}\n", eval::render_input(model, &input)));
            self.send(input, out)?;
        }
        if !eval::holds(model, &self.state, &reach.expr).map_err(|e| e.to_string())? {
            return Err(format!(
                "goal `{goal}` does not hold after its witness with this key (`fsm verify` checks the key {})",
                eval::key_value(model)
                    .ok()
                    .flatten()
                    .map_or("?".to_owned(), |k| eval::render_value(model, &k))
            ));
        }
        out.push_str(&format!("goal {goal} holds\n"));
        Ok(())
    }

    fn save(&self, file: &str, out: &mut String) -> Result<(), String> {
        if file.is_empty() {
            return Err("usage: :save FILE".to_owned());
        }
        let trace = Trace {
            machine: self.model.name.clone(),
            key: self.key.clone(),
            entries: self
                .history
                .iter()
                .map(|s| trace::Entry {
                    line: 0,
                    input: s.input.clone(),
                    recorded: Some(s.recorded.clone()),
                })
                .collect(),
        };
        std::fs::write(file, trace::to_jsonl(self.model, &trace))
            .map_err(|e| format!("cannot write `{file}`: {}", files::io_message(&e)))?;
        out.push_str(&format!(
            "saved {} to {file}\n",
            output::count(self.history.len(), "input", "inputs")
        ));
        Ok(())
    }

    fn load(&mut self, file: &str, out: &mut String) -> Result<(), String> {
        if file.is_empty() {
            return Err("usage: :load FILE".to_owned());
        }
        let text = files::read_text(Path::new(file), MAX_TRACE)?;
        let trace = trace::parse(self.model, &text).map_err(|e| e.located(file))?;
        self.restart(trace.key.clone())?;
        let total = trace.entries.len();
        for (done, entry) in trace.entries.into_iter().enumerate() {
            let outcome =
                eval::step(self.model, &self.state, &entry.input).map_err(|e| e.to_string())?;
            let expected = trace::recorded(self.model, &self.state, &outcome);
            if let Some(recorded) = &entry.recorded
                && let Some(d) = trace::compare(self.model, &expected, recorded)
            {
                out.push_str(&format!(
                    "loaded {done} of {total} inputs; stopped before line {}\n",
                    entry.line
                ));
                return Err(format!(
                    "{file}:{}: {} diverges ({})\n  spec:  {}\n  trace: {}",
                    entry.line,
                    eval::render_input(self.model, &entry.input),
                    d.what,
                    d.expected,
                    d.recorded
                ));
            }
            let before = match outcome {
                Step::Fired { state, .. } => std::mem::replace(&mut self.state, state),
                _ => self.state.clone(),
            };
            self.history.push(Sent {
                before,
                input: entry.input,
                recorded: expected,
            });
        }
        out.push_str(&format!(
            "loaded {} from {file}; phase {}\n",
            output::count(total, "input", "inputs"),
            self.model.phase_name(self.state.phase)
        ));
        Ok(())
    }

    fn expect(&self, what: &str) -> Result<(), String> {
        let model = self.model;
        let (word, rest) = match what.split_once(char::is_whitespace) {
            Some((word, rest)) => (word, rest.trim()),
            None => (what, ""),
        };
        let last = || {
            self.history
                .last()
                .map(|s| &s.recorded)
                .ok_or_else(|| "no input sent yet".to_owned())
        };
        match word {
            "phase" => {
                let now = model.phase_name(self.state.phase);
                if model.phase_by_name(rest).is_none() {
                    return Err(format!("machine `{}` has no phase `{rest}`", model.name));
                }
                if now != rest {
                    return Err(format!("expected phase {rest}, the machine is in {now}"));
                }
                Ok(())
            }
            "transition" => match last()? {
                Recorded::Step {
                    transition: Some(t),
                    ..
                } if t == rest => Ok(()),
                other => Err(format!(
                    "expected transition {rest}, the last input: {}",
                    trace::describe(model, other)
                )),
            },
            "ignored" => match last()? {
                Recorded::Step {
                    transition: None, ..
                } => Ok(()),
                other => Err(format!(
                    "expected the last input to be ignored: {}",
                    trace::describe(model, other)
                )),
            },
            "rejected" => {
                let (kind, name) = match rest.split_once(char::is_whitespace) {
                    Some((k, n)) => (k, n.trim()),
                    None => (rest, ""),
                };
                let wanted = if kind.is_empty() {
                    None
                } else {
                    Some(RejectionKind::from_name(kind).ok_or_else(|| {
                        let kinds: Vec<&str> =
                            RejectionKind::ALL.iter().map(|k| k.as_str()).collect();
                        format!("unknown rejection kind `{kind}` ({})", kinds.join(", "))
                    })?)
                };
                let recorded = last()?;
                let Recorded::Rejected(r) = recorded else {
                    return Err(format!(
                        "expected a rejection, the last input: {}",
                        trace::describe(model, recorded)
                    ));
                };
                let named = match r.kind {
                    RejectionKind::GuardRejected => r.guard.as_deref(),
                    RejectionKind::InvariantViolated => r.invariant.as_deref(),
                    RejectionKind::ArithmeticOverflow => r.transition.as_deref(),
                    RejectionKind::NoMatchingTransition => None,
                };
                let kind_ok = wanted.is_none_or(|k| k == r.kind);
                let name_ok = name.is_empty() || named == Some(name);
                if kind_ok && name_ok {
                    Ok(())
                } else {
                    Err(format!(
                        "expected rejected {rest}, the last input: {}",
                        trace::describe_rejection(r)
                    ))
                }
            }
            "field" => {
                let (name, value) = match rest.split_once(char::is_whitespace) {
                    Some((n, v)) => (n, v.trim()),
                    None => return Err("usage: :expect field NAME VALUE".to_owned()),
                };
                let (ty, actual) = if let Some(f) = model.field_by_name(name) {
                    let ty = model.field(f).map(|f| f.ty.clone());
                    (ty, self.state.fields.get(f.index()).cloned())
                } else if let Some(d) = model.derived.iter().position(|d| d.name == name) {
                    let values = eval::derived(model, &self.state).map_err(|e| e.to_string())?;
                    (
                        model.derived.get(d).map(|d| d.ty.clone()),
                        values.into_iter().nth(d).flatten(),
                    )
                } else {
                    return Err(format!(
                        "machine `{}` has no field or derived value `{name}`",
                        model.name
                    ));
                };
                let (Some(ty), Some(actual)) = (ty, actual) else {
                    return Err(format!("`{name}` has no value (arithmetic overflow)"));
                };
                let want = trace::parse_value(model, value, &ty)
                    .map_err(|e| format!("`{name}: {}`: {e}", model.ty_name(&ty)))?;
                if want == actual {
                    Ok(())
                } else {
                    Err(format!(
                        "expected {name} = {}, it is {}",
                        eval::render_value(model, &want),
                        eval::render_value(model, &actual)
                    ))
                }
            }
            _ => Err(
                "usage: :expect phase P | transition T | ignored | rejected [KIND [NAME]] | field NAME VALUE"
                    .to_owned(),
            ),
        }
    }
}

fn goal_list(names: &[&str]) -> String {
    if names.is_empty() {
        "the spec's `verify { }` has no `reach` goal".to_owned()
    } else {
        format!("goals: {}", names.join(", "))
    }
}

fn help(out: &mut String) {
    out.push_str(
        "Type an input to send it: `Name`, `Name(arg, …)` or `Name(param: arg, …)`, \
         arguments in spec syntax.\n",
    );
    for (command, what) in COMMANDS {
        out.push_str(&format!("  {command:<13} {what}\n"));
    }
}

/// The fields and derived values that differ between two states.
fn changes(model: &Model, before: &State, after: &State, out: &mut String) -> Result<(), String> {
    for ((f, old), new) in model.fields.iter().zip(&before.fields).zip(&after.fields) {
        if old != new {
            out.push_str(&format!(
                "  {} = {} (was {})\n",
                f.name,
                eval::render_value(model, new),
                eval::render_value(model, old)
            ));
        }
    }
    let old = eval::derived(model, before).map_err(|e| e.to_string())?;
    let new = eval::derived(model, after).map_err(|e| e.to_string())?;
    let show = |v: &Option<Value>| {
        v.as_ref().map_or("(arithmetic overflow)".to_owned(), |v| {
            eval::render_value(model, v)
        })
    };
    for ((d, old), new) in model.derived.iter().zip(&old).zip(&new) {
        if old != new {
            out.push_str(&format!(
                "  {} = {} (was {}, derived)\n",
                d.name,
                show(new),
                show(old)
            ));
        }
    }
    Ok(())
}

/// Whether an input is accepted in a state, over its domain's values.
enum Availability {
    /// Some values fire: each with the transition it takes.
    Fires {
        fired: Vec<(InputValue, String)>,
        tried: usize,
    },
    /// Every value is refused: the first refusal, described.
    Refused {
        first: String,
        tried: usize,
    },
    Ignored,
    /// Candidates exist but the values cannot be enumerated.
    Untried {
        transitions: Vec<String>,
        reason: String,
    },
    NoTransition,
}

fn availability(model: &Model, state: &State, input: InputId) -> Result<Availability, String> {
    let candidates: Vec<String> = model
        .candidates(input, state.phase)
        .map(|(_, t)| t.name.clone())
        .collect();
    if candidates.is_empty() {
        return Ok(if model.is_ignored(input, state.phase) {
            Availability::Ignored
        } else {
            Availability::NoTransition
        });
    }
    let instances = match instances_of(model, input) {
        Ok(instances) => instances,
        Err(reason) => {
            return Ok(Availability::Untried {
                transitions: candidates,
                reason,
            });
        }
    };
    let tried = instances.len();
    let mut fired = Vec::new();
    let mut first = None;
    for instance in instances {
        let outcome = eval::step(model, state, &instance).map_err(|e| e.to_string())?;
        match &outcome {
            Step::Fired { transition, .. } => {
                let name = model
                    .transition(*transition)
                    .map_or("?", |t| t.name.as_str());
                fired.push((instance, name.to_owned()));
            }
            _ if first.is_none() => {
                first = Some(trace::describe(
                    model,
                    &trace::recorded(model, state, &outcome),
                ));
            }
            _ => {}
        }
    }
    Ok(if fired.is_empty() {
        Availability::Refused {
            first: first.unwrap_or_else(|| "refused".to_owned()),
            tried,
        }
    } else {
        Availability::Fires { fired, tried }
    })
}

/// Every instance of one input over its parameters' domains, or why they
/// cannot be listed (a parameter without a domain, too many values).
fn instances_of(model: &Model, input: InputId) -> Result<Vec<InputValue>, String> {
    let Some(sig) = model.input(input) else {
        return Err("an input that is not in the model".to_owned());
    };
    let mut count: u128 = 1;
    for (j, p) in sig.params.iter().enumerate() {
        let pid = ParamId(u32::try_from(j).unwrap_or(u32::MAX));
        let n = eval::domain_size(model, &p.ty, Some((input, pid)))
            .map_err(|e| format!("`{}`: {e}", p.name))?;
        count = count.saturating_mul(n);
    }
    if count > MAX_TRIED {
        return Err(format!("{count} values, more than {MAX_TRIED}"));
    }
    let mut combos: Vec<Vec<Value>> = vec![Vec::new()];
    for (j, p) in sig.params.iter().enumerate() {
        let pid = ParamId(u32::try_from(j).unwrap_or(u32::MAX));
        let values = eval::domain_values(model, &p.ty, Some((input, pid)))
            .map_err(|e| format!("`{}`: {e}", p.name))?;
        let mut next = Vec::with_capacity(combos.len() * values.len());
        for c in &combos {
            for v in &values {
                let mut c = c.clone();
                c.push(v.clone());
                next.push(c);
            }
        }
        combos = next;
    }
    Ok(combos
        .into_iter()
        .map(|args| InputValue { input, args })
        .collect())
}

// ---------------------------------------------------------------- completion

/// Completes input names, parameter values from their domains, and the
/// `:` commands with their arguments.
struct SimHelper<'m> {
    model: &'m Model,
}

impl Helper for SimHelper<'_> {}
impl Hinter for SimHelper<'_> {
    type Hint = String;
}
impl Highlighter for SimHelper<'_> {}
impl Validator for SimHelper<'_> {}

impl Completer for SimHelper<'_> {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        Ok(complete(self.model, before))
    }
}

fn pairs(prefix: &str, words: impl Iterator<Item = (String, String)>) -> Vec<Pair> {
    words
        .filter(|(display, _)| display.starts_with(prefix))
        .take(MAX_CANDIDATES)
        .map(|(display, replacement)| Pair {
            display,
            replacement,
        })
        .collect()
}

/// The completions of the text before the cursor: where the completed
/// word starts, and the candidates.
fn complete(model: &Model, before: &str) -> (usize, Vec<Pair>) {
    let same = |w: &str| (w.to_owned(), w.to_owned());
    if let Some(command) = before.strip_prefix(':') {
        let Some((word, rest)) = command.split_once(' ') else {
            let names = COMMANDS.iter().map(|(c, _)| {
                let name = c.split(' ').next().unwrap_or(c);
                let takes = c.contains(' ');
                (
                    name.to_owned(),
                    format!("{name}{}", if takes { " " } else { "" }),
                )
            });
            return (0, pairs(before, names));
        };
        let start = before.len() - rest.len();
        let words: Vec<(String, String)> = match word {
            "goto" => model.verify.reach.iter().map(|r| same(&r.name)).collect(),
            "expect" => {
                let Some((what, arg)) = rest.split_once(' ') else {
                    let subs = ["phase ", "transition ", "ignored", "rejected ", "field "];
                    return (
                        start,
                        pairs(
                            rest,
                            subs.iter().map(|s| (s.trim().to_owned(), (*s).to_owned())),
                        ),
                    );
                };
                let start = before.len() - arg.len();
                let words: Vec<(String, String)> = match what {
                    "phase" => model.phases.iter().map(|p| same(&p.name)).collect(),
                    "transition" => model.transitions.iter().map(|t| same(&t.name)).collect(),
                    "rejected" => RejectionKind::ALL
                        .iter()
                        .map(|k| same(k.as_str()))
                        .collect(),
                    "field" => model
                        .fields
                        .iter()
                        .map(|f| same(&f.name))
                        .chain(model.derived.iter().map(|d| same(&d.name)))
                        .collect(),
                    _ => Vec::new(),
                };
                return (start, pairs(arg, words.into_iter()));
            }
            _ => Vec::new(),
        };
        return (start, pairs(rest, words.into_iter()));
    }
    let Some(open) = before.find('(') else {
        let start = before.len() - before.trim_start().len();
        let names = model.inputs.iter().map(|i| {
            let open = if i.params.is_empty() { "" } else { "(" };
            (i.name.clone(), format!("{}{open}", i.name))
        });
        return (start, pairs(before.trim_start(), names));
    };
    let name = before[..open].trim();
    let Some(input) = model.input_by_name(name) else {
        return (before.len(), Vec::new());
    };
    let Some(sig) = model.input(input) else {
        return (before.len(), Vec::new());
    };
    let args = &before[open + 1..];
    let (index, segment) = current_argument(args);
    let mut partial = segment.trim_start();
    let mut param = index;
    // A named argument: `param: value`.
    if let Some((pname, value)) = partial.split_once(':')
        && !value.starts_with(':')
        && let Some(j) = sig.params.iter().position(|p| p.name == pname.trim())
    {
        param = j;
        partial = value.trim_start();
    }
    let Some(p) = sig.params.get(param) else {
        return (before.len(), Vec::new());
    };
    let pid = ParamId(u32::try_from(param).unwrap_or(u32::MAX));
    let close = if index + 1 >= sig.params.len() {
        ")"
    } else {
        ", "
    };
    let values = eval::domain_values(model, &p.ty, Some((input, pid))).unwrap_or_default();
    let words = values.iter().map(|v| {
        let text = eval::render_value(model, v);
        (text.clone(), format!("{text}{close}"))
    });
    let mut candidates = pairs(partial, words);
    if matches!(p.ty, Ty::Bool) && candidates.is_empty() {
        candidates = pairs(
            partial,
            ["false", "true"]
                .iter()
                .map(|b| ((*b).to_owned(), format!("{b}{close}"))),
        );
    }
    (before.len() - partial.len(), candidates)
}

/// Which argument the cursor is in (counting top-level commas) and the
/// text of that argument so far.
fn current_argument(args: &str) -> (usize, &str) {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut index = 0;
    let mut start = 0;
    for (i, c) in args.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                index += 1;
                start = i + 1;
            }
            _ => {}
        }
    }
    (index, &args[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(spec: &str) -> Model {
        fsm_core::compile("t.fsm", spec.as_bytes())
            .model
            .expect("the spec compiles")
    }

    const SPEC: &str = "machine M {
        phases { A, B }
        initial A
        enum Kind { Red, Green }
        input Go(n: u8, k: Kind)
        input Stop
        input Flip(up: bool)
        transition go on Go from A -> B
        transition stop on Stop from B -> A
        transition flip on Flip from A -> stay
        verify { domain u8 = 1..3 reach at_b: phase == B }
    }";

    fn displays(model: &Model, before: &str) -> (usize, Vec<String>) {
        let (start, pairs) = complete(model, before);
        (start, pairs.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn completes_inputs_values_and_commands() {
        let m = model(SPEC);
        assert_eq!(displays(&m, "G"), (0, vec!["Go(".to_owned()]));
        assert_eq!(displays(&m, "S"), (0, vec!["Stop".to_owned()]));
        assert_eq!(
            displays(&m, "Go("),
            (3, vec!["1, ".to_owned(), "2, ".to_owned()])
        );
        assert_eq!(
            displays(&m, "Go(1, K"),
            (6, vec!["Kind::Red)".to_owned(), "Kind::Green)".to_owned()])
        );
        assert_eq!(
            displays(&m, "Go(k: Kind::G").1,
            vec!["Kind::Green, ".to_owned()]
        );
        assert_eq!(displays(&m, "Flip(t").1, vec!["true)".to_owned()]);
        assert_eq!(displays(&m, ":go"), (0, vec![":goto ".to_owned()]));
        assert_eq!(displays(&m, ":goto a"), (6, vec!["at_b".to_owned()]));
        assert_eq!(
            displays(&m, ":expect phase "),
            (14, vec!["A".to_owned(), "B".to_owned()])
        );
        assert!(displays(&m, "Nope(").1.is_empty());
    }

    #[test]
    fn the_current_argument_skips_nested_commas_and_strings() {
        assert_eq!(current_argument("1, [2, 3], \"a,b\", x"), (3, " x"));
        assert_eq!(current_argument(""), (0, ""));
    }
}
