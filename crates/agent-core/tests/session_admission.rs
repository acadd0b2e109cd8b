//! Session admission through `SessionAdmissionHandle`, on a session from
//! `SessionRuntimeBindings::new`: accepting inputs, and preparing and
//! committing the runs the session's turn executes. Admission and the
//! turn share one machine, so the turn handle observes what admission did.

use std::sync::Arc;

use agent_core::SessionRuntimeBindings;
use agent_core::comms::InputSource;
use agent_core::handles::{
    DslRejectionKind, DslTransitionError, SessionAdmissionHandle, TurnStateHandle,
};
use agent_core::lifecycle::{InputId, RunId};
use agent_core::turn_execution_authority::{
    ContentShape, TurnPhase, TurnPrimitiveKind, TurnTerminalOutcome,
};
use agent_core::types::SessionId;

struct Session {
    admission: Arc<dyn SessionAdmissionHandle>,
    turn: Arc<dyn TurnStateHandle>,
}

fn session() -> Session {
    let bindings = SessionRuntimeBindings::new(SessionId::new());
    Session {
        admission: bindings.session_admission(),
        turn: bindings.turn_state(),
    }
}

/// Runs `call`, expects it refused with `kind` in `context` (naming
/// `guard` for a guard rejection), and checks the turn did not change.
fn refused(
    s: &Session,
    call: impl FnOnce() -> Result<(), DslTransitionError>,
    context: &str,
    kind: DslRejectionKind,
    guard: Option<&str>,
) {
    let before = s.turn.snapshot();
    let err = call().expect_err("the call is refused");
    assert_eq!(err.context, context, "{err}");
    assert_eq!(err.kind, kind, "{err}");
    if let Some(guard) = guard {
        assert!(err.reason.contains(&format!("guard `{guard}`")), "{err}");
    }
    assert_eq!(s.turn.snapshot(), before, "a refused call changed the turn");
}

fn guard(s: &Session, call: impl FnOnce() -> Result<(), DslTransitionError>, ctx: &str, g: &str) {
    refused(s, call, ctx, DslRejectionKind::GuardRejected, Some(g));
}

fn start(s: &Session, run: &RunId) -> Result<(), DslTransitionError> {
    s.turn.start_conversation_run(
        run.clone(),
        TurnPrimitiveKind::ConversationTurn,
        ContentShape::ConversationAndContext,
        false,
        false,
        0,
    )
}

const ACCEPT: &str = "SessionAdmissionHandle::accept_with_completion";
const PREPARE: &str = "SessionAdmissionHandle::prepare";
const COMMIT: &str = "SessionAdmissionHandle::commit";

#[test]
fn inputs_are_accepted_on_an_attached_session_without_touching_the_turn() {
    let s = session();
    let before = s.turn.snapshot();
    s.admission
        .ingest("runtime", "work", InputSource::Webhook)
        .unwrap();
    s.admission.accept_without_wake(&InputId::new()).unwrap();
    for (immediate, wake) in [(false, false), (false, true), (true, false), (true, true)] {
        s.admission
            .accept_with_completion(&InputId::new(), immediate, false, wake)
            .unwrap();
    }
    s.admission.recycle().unwrap();
    assert_eq!(s.turn.snapshot(), before);
    // Nothing was bound by accepting: a run can still be prepared.
    s.admission.prepare(&RunId::new()).unwrap();
}

#[test]
fn an_interrupt_needs_a_running_host_and_excludes_immediate_processing() {
    let s = session();
    for immediate in [false, true] {
        guard(
            &s,
            || {
                s.admission
                    .accept_with_completion(&InputId::new(), immediate, true, false)
            },
            ACCEPT,
            "running",
        );
    }
    let run = RunId::new();
    s.admission.prepare(&run).unwrap();
    start(&s, &run).unwrap();
    guard(
        &s,
        || {
            s.admission
                .accept_with_completion(&InputId::new(), true, true, true)
        },
        ACCEPT,
        "not_also_immediate",
    );
    let before = s.turn.snapshot();
    for (immediate, interrupt, wake) in [
        (false, true, false),
        (true, false, false),
        (false, false, false),
        (false, false, true),
    ] {
        s.admission
            .accept_with_completion(&InputId::new(), immediate, interrupt, wake)
            .unwrap();
    }
    s.admission
        .ingest("runtime", "work", InputSource::Rpc)
        .unwrap();
    s.admission.accept_without_wake(&InputId::new()).unwrap();
    assert_eq!(
        s.turn.snapshot(),
        before,
        "an interrupt is a request for the loop; the turn is untouched"
    );
}

/// Drives the turn of the bound `run` to `Completed`.
fn complete(s: &Session, run: &RunId) {
    start(s, run).unwrap();
    s.turn.primitive_applied().unwrap();
    s.turn.llm_returned_terminal().unwrap();
    s.turn.boundary_complete().unwrap();
}

#[test]
fn a_prepared_run_is_started_by_the_turn_and_committed_by_admission() {
    let s = session();
    let run = RunId::new();
    s.admission.prepare(&run).unwrap();
    let s0 = s.turn.snapshot();
    assert_eq!(s0.turn_phase, TurnPhase::Ready);
    assert_eq!(
        s0.active_run_id,
        Some(run.clone()),
        "the prepared run is bound"
    );

    complete(&s, &run);
    s.turn
        .acknowledge_terminal(TurnTerminalOutcome::Completed)
        .unwrap();
    assert_eq!(s.turn.snapshot().active_run_id, Some(run.clone()));

    guard(
        &s,
        || s.admission.commit(&InputId::new(), &RunId::new()),
        COMMIT,
        "run_matches",
    );
    s.admission.commit(&InputId::new(), &run).unwrap();
    let after = s.turn.snapshot();
    assert_eq!(after.active_run_id, None, "committing unbinds the run");
    assert_eq!(after.turn_phase, TurnPhase::Ready);
    // The host is free again: a second commit finds no run, the turn no
    // longer runs, and a new run can be prepared.
    guard(
        &s,
        || s.admission.commit(&InputId::new(), &run),
        COMMIT,
        "running",
    );
    guard(
        &s,
        || {
            s.turn.fatal_failure(
                agent_core::turn_execution_authority::TurnFailureReason::new(
                    agent_core::event::AgentErrorClass::Llm,
                    "down",
                ),
            )
        },
        "TurnStateHandle::fatal_failure",
        "running",
    );
    s.admission.prepare(&RunId::new()).unwrap();
}

#[test]
fn the_runs_end_commits_a_prepared_run_too() {
    // A runtime that relies on `run_*` to commit, as for a direct run, is
    // not left running the prepared run for good.
    let s = session();
    let run = RunId::new();
    s.admission.prepare(&run).unwrap();
    complete(&s, &run);
    s.turn.run_completed(run.clone()).unwrap();
    let after = s.turn.snapshot();
    assert_eq!(after.active_run_id, None);
    assert_eq!(after.turn_phase, TurnPhase::Completed);
    assert_eq!(after.terminal_outcome, Some(TurnTerminalOutcome::Completed));
    // Admission's own commit then finds nothing left to commit.
    guard(
        &s,
        || s.admission.commit(&InputId::new(), &run),
        COMMIT,
        "running",
    );
    s.admission.prepare(&RunId::new()).unwrap();
}

#[test]
fn a_prepared_run_that_never_started_ends_with_its_own_outcome() {
    // The turn still shows the previous run's end when the next run is
    // prepared; reporting the new run's failure must not keep that
    // outcome.
    for cancelled in [false, true] {
        let s = session();
        let first = RunId::new();
        complete(&s, &first);
        s.turn.run_completed(first).unwrap();
        let next = RunId::new();
        s.admission.prepare(&next).unwrap();
        assert_eq!(s.turn.snapshot().turn_phase, TurnPhase::Completed);
        if cancelled {
            s.turn.run_cancelled(next).unwrap();
        } else {
            s.turn
                .run_failed(
                    next,
                    agent_core::turn_execution_authority::TurnFailureReason::new(
                        agent_core::event::AgentErrorClass::Llm,
                        "never started",
                    ),
                )
                .unwrap();
        }
        let after = s.turn.snapshot();
        let (phase, outcome) = if cancelled {
            (TurnPhase::Cancelled, TurnTerminalOutcome::Cancelled)
        } else {
            (TurnPhase::Failed, TurnTerminalOutcome::Failed)
        };
        assert_eq!(after.turn_phase, phase);
        assert_eq!(after.terminal_outcome, Some(outcome));
        assert_eq!(after.active_run_id, None, "the run is committed");
    }
}

#[test]
fn only_one_run_is_bound_at_a_time() {
    let s = session();
    let prepared = RunId::new();
    s.admission.prepare(&prepared).unwrap();
    guard(
        &s,
        || s.admission.prepare(&RunId::new()),
        PREPARE,
        "host_free",
    );
    guard(&s, || s.admission.prepare(&prepared), PREPARE, "host_free");
    guard(
        &s,
        || s.admission.recycle(),
        "SessionAdmissionHandle::recycle",
        "host_free",
    );
    // A start of another run replaces the prepared one: the runtime moved
    // on to a new run id, and that run's end commits it.
    let replacing = RunId::new();
    start(&s, &replacing).unwrap();
    assert_eq!(s.turn.snapshot().active_run_id, Some(replacing.clone()));
    guard(
        &s,
        || s.turn.run_cancelled(prepared.clone()),
        "TurnStateHandle::run_cancelled",
        "run_matches",
    );
    s.turn.run_cancelled(replacing).unwrap();
    assert_eq!(s.turn.snapshot().active_run_id, None);
    s.admission.prepare(&RunId::new()).unwrap();

    // A direct run started by the turn binds the host too.
    let s = session();
    let direct = RunId::new();
    start(&s, &direct).unwrap();
    guard(
        &s,
        || s.admission.prepare(&RunId::new()),
        PREPARE,
        "host_free",
    );
}

#[test]
fn a_direct_run_is_committed_by_the_turn_so_admission_cannot_commit_it() {
    let s = session();
    let run = RunId::new();
    s.turn.start_immediate_append(run.clone()).unwrap();
    // Committing a turn still in flight would strand it.
    refused(
        &s,
        || s.admission.commit(&InputId::new(), &run),
        COMMIT,
        DslRejectionKind::NoMatchingTransition,
        None,
    );
    s.turn.primitive_applied().unwrap();
    s.turn.run_completed(run.clone()).unwrap();
    guard(
        &s,
        || s.admission.commit(&InputId::new(), &run),
        COMMIT,
        "running",
    );
    s.admission.recycle().unwrap();
    s.admission.prepare(&RunId::new()).unwrap();
}

#[test]
fn a_prepared_run_that_never_started_can_be_committed() {
    let s = session();
    let run = RunId::new();
    s.admission.prepare(&run).unwrap();
    let before = s.turn.snapshot();
    s.admission.commit(&InputId::new(), &run).unwrap();
    let after = s.turn.snapshot();
    assert_eq!(after.active_run_id, None);
    assert_eq!(after.turn_phase, before.turn_phase);
    // With no run bound, the turn may be force-cancelled.
    s.turn.force_cancel_no_run().unwrap();
}

#[test]
fn a_commit_racing_a_second_commit_succeeds_once() {
    let s = session();
    let run = RunId::new();
    s.admission.prepare(&run).unwrap();
    let results: Vec<bool> = std::thread::scope(|scope| {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let admission = Arc::clone(&s.admission);
                let run = run.clone();
                scope.spawn(move || admission.commit(&InputId::new(), &run).is_ok())
            })
            .collect();
        tasks
            .into_iter()
            .map(|t| t.join().expect("no commit panics"))
            .collect()
    });
    assert_eq!(results.iter().filter(|ok| **ok).count(), 1);
    assert_eq!(s.turn.snapshot().active_run_id, None);
}
