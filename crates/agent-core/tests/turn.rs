//! The turn flow through `TurnStateHandle`, on a session from
//! `SessionRuntimeBindings::new`: ordinary runs, the barrier, boundaries
//! and cooperative cancel, extraction, retries, failures, the runtime's
//! end-of-run reports and every kind of rejection.

use std::collections::BTreeSet;
use std::sync::Arc;

use agent_core::LoopState;
use agent_core::SessionRuntimeBindings;
use agent_core::event::AgentErrorClass;
use agent_core::handles::{
    DslRejectionKind, DslTransitionError, TurnStateHandle, TurnStateSnapshot,
};
use agent_core::lifecycle::RunId;
use agent_core::ops::{AsyncOpRef, OperationId};
use agent_core::retry::{LlmRetryFailure, LlmRetryFailureKind, LlmRetryPlan, LlmRetrySchedule};
use agent_core::turn_execution_authority::{
    ContentShape, TurnFailureReason, TurnPhase, TurnPrimitiveKind, TurnTerminalCauseKind,
    TurnTerminalOutcome,
};
use agent_core::types::SessionId;

fn session() -> SessionRuntimeBindings {
    SessionRuntimeBindings::new(SessionId::new())
}

fn turn() -> Arc<dyn TurnStateHandle> {
    session().turn_state()
}

fn start(turn: &dyn TurnStateHandle, run: &RunId) {
    turn.start_conversation_run(
        run.clone(),
        TurnPrimitiveKind::ConversationTurn,
        ContentShape::Conversation,
        true,
        false,
        2,
    )
    .expect("a conversation run starts");
}

/// A conversation run that has reached its first model call.
fn calling(turn: &dyn TurnStateHandle) -> RunId {
    let run = RunId::new();
    start(turn, &run);
    turn.primitive_applied().expect("the primitive applies");
    run
}

/// Runs `call`, expects it refused with `kind` in `context` (naming
/// `guard` for a guard rejection), and checks nothing changed.
fn refused(
    turn: &dyn TurnStateHandle,
    call: impl FnOnce() -> Result<(), DslTransitionError>,
    context: &str,
    kind: DslRejectionKind,
    guard: Option<&str>,
) -> DslTransitionError {
    let before = turn.snapshot();
    let err = call().expect_err("the call is refused");
    assert_eq!(err.context, context, "{err}");
    assert_eq!(err.kind, kind, "{err}");
    if let Some(guard) = guard {
        assert!(err.reason.contains(&format!("guard `{guard}`")), "{err}");
    }
    assert_eq!(turn.snapshot(), before, "a refused call changed the turn");
    err
}

fn guard(
    turn: &dyn TurnStateHandle,
    call: impl FnOnce() -> Result<(), DslTransitionError>,
    context: &str,
    name: &str,
) {
    refused(
        turn,
        call,
        context,
        DslRejectionKind::GuardRejected,
        Some(name),
    );
}

fn no_match(
    turn: &dyn TurnStateHandle,
    call: impl FnOnce() -> Result<(), DslTransitionError>,
    context: &str,
) {
    refused(
        turn,
        call,
        context,
        DslRejectionKind::NoMatchingTransition,
        None,
    );
}

fn failure(cause: TurnTerminalCauseKind, message: &str) -> TurnFailureReason {
    TurnFailureReason::with_cause(cause, AgentErrorClass::Llm, message)
}

fn retry(attempt: u32) -> LlmRetrySchedule {
    LlmRetrySchedule {
        failure: LlmRetryFailure {
            provider: "p".into(),
            kind: LlmRetryFailureKind::RateLimited,
            retry_after_ms: None,
            duration_ms: None,
            message: "slow down".into(),
        },
        plan: LlmRetryPlan {
            attempt,
            max_retries: 3,
            computed_delay_ms: 100,
            selected_delay_ms: 250,
            retry_after_hint_ms: None,
            rate_limit_floor_applied: false,
            budget_capped: false,
        },
    }
}

#[test]
fn a_fresh_turn_is_ready_with_nothing_recorded() {
    let s = turn().snapshot();
    assert_eq!(
        s,
        TurnStateSnapshot {
            active_run_id: None,
            loop_state: LoopState::CallingLlm,
            turn_phase: TurnPhase::Ready,
            primitive_kind: None,
            admitted_content_shape: None,
            vision_enabled: false,
            image_tool_results_enabled: false,
            tool_calls_pending: 0,
            pending_op_refs: BTreeSet::new(),
            barrier_operation_ids: BTreeSet::new(),
            has_barrier_ops: false,
            barrier_satisfied: false,
            boundary_count: 0,
            cancel_after_boundary: false,
            terminal_outcome: None,
            terminal_cause_kind: None,
            extraction_attempts: 0,
            max_extraction_retries: 0,
            llm_retry_attempt: 0,
            llm_retry_max_retries: 0,
            llm_retry_selected_delay_ms: 0,
        }
    );
}

#[test]
fn a_run_without_tools_completes_and_commits_itself() {
    let turn = turn();
    let run = RunId::new();
    start(&*turn, &run);
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::ApplyingPrimitive);
    assert_eq!(s.active_run_id, Some(run.clone()));
    assert_eq!(s.primitive_kind, Some(TurnPrimitiveKind::ConversationTurn));
    assert_eq!(s.admitted_content_shape, Some(ContentShape::Conversation));
    assert!(s.vision_enabled && !s.image_tool_results_enabled);
    assert_eq!(s.max_extraction_retries, 2);

    turn.primitive_applied().unwrap();
    assert_eq!(turn.snapshot().turn_phase, TurnPhase::CallingLlm);
    turn.llm_returned_terminal().unwrap();
    assert_eq!(turn.snapshot().loop_state, LoopState::DrainingEvents);
    turn.boundary_complete().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Completed);
    assert_eq!(s.loop_state, LoopState::Completed);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Completed));
    assert_eq!(s.boundary_count, 1);
    assert_eq!(s.active_run_id, None, "an ended run is not active");

    turn.run_completed(run.clone()).unwrap();
    assert_eq!(turn.snapshot().turn_phase, TurnPhase::Completed);
    // The direct run is committed: the host is no longer running, so the
    // outcome cannot be acknowledged, a second report finds no run, and a
    // new run may start.
    guard(
        &*turn,
        || turn.acknowledge_terminal(TurnTerminalOutcome::Completed),
        "TurnStateHandle::acknowledge_terminal",
        "running",
    );
    guard(
        &*turn,
        || turn.run_completed(run.clone()),
        "TurnStateHandle::run_completed",
        "run_matches",
    );
    let next = RunId::new();
    start(&*turn, &next);
    let s = turn.snapshot();
    assert_eq!(s.active_run_id, Some(next));
    assert_eq!(s.terminal_outcome, None);
    assert_eq!(s.boundary_count, 0);
}

#[test]
fn tool_calls_wait_for_the_exact_barrier_before_their_boundary() {
    let turn = turn();
    calling(&*turn);
    turn.llm_returned_tool_calls(2).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::WaitingForOps);
    assert_eq!(s.tool_calls_pending, 2);

    let waited = OperationId::new();
    let detached = OperationId::new();
    let refs: BTreeSet<_> = [
        AsyncOpRef::barrier(waited.clone()),
        AsyncOpRef::detached(detached.clone()),
    ]
    .into();
    turn.register_pending_ops(refs.clone(), [waited.clone()].into())
        .unwrap();
    let s = turn.snapshot();
    assert_eq!(s.pending_op_refs, refs);
    assert_eq!(s.barrier_operation_ids, [waited.clone()].into());
    assert!(s.has_barrier_ops && !s.barrier_satisfied);
    assert_eq!(s.tool_calls_pending, 0);

    // A stale or partial report names the wrong set.
    guard(
        &*turn,
        || turn.ops_barrier_satisfied([detached.clone()].into()),
        "TurnStateHandle::ops_barrier_satisfied",
        "ids_match",
    );
    guard(
        &*turn,
        || turn.ops_barrier_satisfied(BTreeSet::new()),
        "TurnStateHandle::ops_barrier_satisfied",
        "ids_match",
    );
    turn.ops_barrier_satisfied([waited.clone()].into()).unwrap();
    let s = turn.snapshot();
    assert!(s.barrier_satisfied && !s.has_barrier_ops);
    assert!(s.pending_op_refs.is_empty() && s.barrier_operation_ids.is_empty());
    // The duplicate report no longer matches.
    guard(
        &*turn,
        || turn.ops_barrier_satisfied([waited.clone()].into()),
        "TurnStateHandle::ops_barrier_satisfied",
        "ids_match",
    );

    turn.tool_calls_resolved().unwrap();
    assert_eq!(turn.snapshot().turn_phase, TurnPhase::DrainingBoundary);
    turn.boundary_continue().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::CallingLlm);
    assert_eq!(s.boundary_count, 1);
    assert!(
        s.barrier_satisfied,
        "the satisfied barrier carries over until the next registration"
    );
}

#[test]
fn an_outstanding_barrier_goes_back_to_the_model_without_a_boundary() {
    let turn = turn();
    calling(&*turn);
    turn.llm_returned_tool_calls(1).unwrap();
    let op = OperationId::new();
    turn.register_pending_ops(
        [AsyncOpRef::barrier(op.clone())].into(),
        [op.clone()].into(),
    )
    .unwrap();
    turn.tool_calls_resolved().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::CallingLlm);
    assert_eq!(s.boundary_count, 0);
    assert_eq!(
        s.barrier_operation_ids,
        [op].into(),
        "the barrier op keeps running"
    );

    // An empty barrier is satisfied at registration.
    turn.register_pending_ops(BTreeSet::new(), BTreeSet::new())
        .unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::WaitingForOps);
    assert!(s.barrier_satisfied);
    turn.tool_calls_resolved().unwrap();
    assert_eq!(turn.snapshot().turn_phase, TurnPhase::DrainingBoundary);
}

#[test]
fn a_barrier_must_be_among_the_registered_ops() {
    let turn = turn();
    calling(&*turn);
    turn.llm_returned_tool_calls(1).unwrap();
    let registered = OperationId::new();
    guard(
        &*turn,
        || {
            turn.register_pending_ops(
                [AsyncOpRef::detached(registered.clone())].into(),
                [OperationId::new()].into(),
            )
        },
        "TurnStateHandle::register_pending_ops",
        "barrier_ops_registered",
    );
}

#[test]
fn a_tool_call_answer_without_calls_is_a_final_answer() {
    let turn = turn();
    calling(&*turn);
    turn.llm_returned_tool_calls(0).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::DrainingBoundary);
    assert_eq!(s.tool_calls_pending, 0);
    // A model result arrives only while a model call is in flight.
    no_match(
        &*turn,
        || turn.llm_returned_terminal(),
        "TurnStateHandle::llm_returned_terminal",
    );
}

#[test]
fn immediate_appends_complete_at_their_one_boundary() {
    let turn = turn();
    let run = RunId::new();
    turn.start_immediate_append(run.clone()).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.primitive_kind, Some(TurnPrimitiveKind::ImmediateAppend));
    assert_eq!(
        s.admitted_content_shape,
        Some(ContentShape::ImmediateAppend)
    );
    turn.primitive_applied().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Completed);
    assert_eq!(s.boundary_count, 1);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Completed));
    turn.run_completed(run).unwrap();

    let run = RunId::new();
    turn.start_immediate_context(run.clone()).unwrap();
    let s = turn.snapshot();
    assert_eq!(
        s.primitive_kind,
        Some(TurnPrimitiveKind::ImmediateContextAppend)
    );
    assert_eq!(
        s.admitted_content_shape,
        Some(ContentShape::ImmediateContext)
    );
    assert_eq!(s.max_extraction_retries, 0);
    turn.primitive_applied().unwrap();
    assert_eq!(turn.snapshot().turn_phase, TurnPhase::Completed);
}

#[test]
fn a_cooperative_cancel_ends_the_turn_at_the_next_boundary() {
    // At a continuation boundary.
    let turn = turn();
    calling(&*turn);
    turn.request_cancel_after_boundary().unwrap();
    let s = turn.snapshot();
    assert!(s.cancel_after_boundary);
    assert_eq!(s.turn_phase, TurnPhase::CallingLlm, "only a flag is raised");
    turn.llm_returned_terminal().unwrap();
    turn.boundary_continue().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Cancelled);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Cancelled));
    assert!(
        !s.cancel_after_boundary,
        "the boundary consumed the request"
    );
    assert_eq!(s.boundary_count, 1);

    // At the final boundary.
    let turn = self::turn();
    calling(&*turn);
    turn.llm_returned_terminal().unwrap();
    turn.request_cancel_after_boundary().unwrap();
    turn.boundary_complete().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Cancelled);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Cancelled));

    // At the immediate boundary.
    let turn = self::turn();
    turn.start_immediate_append(RunId::new()).unwrap();
    turn.request_cancel_after_boundary().unwrap();
    turn.primitive_applied().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Cancelled);
    assert!(!s.cancel_after_boundary);
    assert_eq!(s.boundary_count, 1);
}

#[test]
fn cancel_now_waits_for_the_loop_to_observe_it() {
    let turn = turn();
    // Nothing to cancel before a run.
    no_match(&*turn, || turn.cancel_now(), "TurnStateHandle::cancel_now");
    no_match(
        &*turn,
        || turn.request_cancel_after_boundary(),
        "TurnStateHandle::request_cancel_after_boundary",
    );
    calling(&*turn);
    turn.cancel_now().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Cancelling);
    assert_eq!(s.loop_state, LoopState::Cancelling);
    assert_eq!(s.terminal_outcome, None);
    turn.cancel_now().unwrap();
    assert_eq!(turn.snapshot(), s, "a repeated cancel changes nothing");
    turn.cancellation_observed().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Cancelled);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Cancelled));
    no_match(
        &*turn,
        || turn.cancellation_observed(),
        "TurnStateHandle::cancellation_observed",
    );
    no_match(&*turn, || turn.cancel_now(), "TurnStateHandle::cancel_now");
}

#[test]
fn force_cancel_no_run_cancels_only_a_turn_without_a_run() {
    let session = session();
    let turn = session.turn_state();
    turn.force_cancel_no_run().unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Cancelled);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Cancelled));
    assert_eq!(s.active_run_id, None);
    no_match(
        &*turn,
        || turn.force_cancel_no_run(),
        "TurnStateHandle::force_cancel_no_run",
    );

    // A ready turn whose run admission already bound.
    let session = self::session();
    let turn = session.turn_state();
    session.session_admission().prepare(&RunId::new()).unwrap();
    guard(
        &*turn,
        || turn.force_cancel_no_run(),
        "TurnStateHandle::force_cancel_no_run",
        "host_free",
    );
}

#[test]
fn starts_are_checked_for_kind_shape_and_phase_and_replace_the_bound_run() {
    let session = session();
    let turn = session.turn_state();
    let ctx = "TurnStateHandle::start_conversation_run";
    for kind in [TurnPrimitiveKind::None, TurnPrimitiveKind::ImmediateAppend] {
        guard(
            &*turn,
            || {
                turn.start_conversation_run(
                    RunId::new(),
                    kind,
                    ContentShape::Conversation,
                    false,
                    false,
                    0,
                )
            },
            ctx,
            "conversation_kind",
        );
    }
    guard(
        &*turn,
        || {
            turn.start_conversation_run(
                RunId::new(),
                TurnPrimitiveKind::ConversationTurn,
                ContentShape::ImmediateContext,
                false,
                false,
                0,
            )
        },
        ctx,
        "conversation_shape",
    );
    // No start while a turn is in flight.
    let run = calling(&*turn);
    no_match(
        &*turn,
        || turn.start_immediate_append(RunId::new()),
        "TurnStateHandle::start_immediate_append",
    );
    turn.cancel_now().unwrap();
    turn.cancellation_observed().unwrap();
    // The ended run is still bound until the runtime reports it; a start
    // of another run replaces it (the runtime moved on), and the old run's
    // late report finds it no longer bound.
    let next = RunId::new();
    turn.start_immediate_context(next.clone()).unwrap();
    assert_eq!(turn.snapshot().active_run_id, Some(next.clone()));
    guard(
        &*turn,
        || turn.run_cancelled(run),
        "TurnStateHandle::run_cancelled",
        "run_matches",
    );
    turn.primitive_applied().unwrap();
    turn.run_completed(next).unwrap();
    assert_eq!(turn.snapshot().active_run_id, None);
}

#[test]
fn structured_output_retries_then_completes_even_when_exhausted() {
    let turn = turn();
    calling(&*turn);
    turn.llm_returned_terminal().unwrap();
    turn.enter_extraction(1).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Extracting);
    assert_eq!(
        s.max_extraction_retries, 1,
        "the extraction budget replaces the start's"
    );
    no_match(
        &*turn,
        || turn.enter_extraction(1),
        "TurnStateHandle::enter_extraction",
    );
    turn.extraction_start().unwrap();
    turn.llm_returned_terminal().unwrap();
    turn.enter_extraction(1).unwrap();
    turn.extraction_validation_failed("bad".into()).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::CallingLlm);
    assert_eq!(s.extraction_attempts, 1);
    turn.llm_returned_terminal().unwrap();
    turn.enter_extraction(1).unwrap();
    turn.extraction_validation_failed("still bad".into())
        .unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Completed);
    assert_eq!(s.extraction_attempts, 2);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Completed));
    assert_eq!(s.terminal_cause_kind, None);

    // Passing, and failing outright while the extraction call runs.
    let turn = self::turn();
    calling(&*turn);
    turn.llm_returned_terminal().unwrap();
    turn.enter_extraction(0).unwrap();
    turn.extraction_validation_passed().unwrap();
    assert_eq!(turn.snapshot().turn_phase, TurnPhase::Completed);
    let turn = self::turn();
    calling(&*turn);
    turn.extraction_failed("no answer".into()).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Completed);
    assert_eq!(s.extraction_attempts, 1);
}

#[test]
fn only_the_planned_retry_resumes_a_recoverable_failure() {
    let turn = turn();
    calling(&*turn);
    guard(
        &*turn,
        || turn.recoverable_failure(retry(0)),
        "TurnStateHandle::recoverable_failure",
        "retry_planned",
    );
    turn.recoverable_failure(retry(1)).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::ErrorRecovery);
    assert_eq!(s.loop_state, LoopState::ErrorRecovery);
    assert_eq!(
        (
            s.llm_retry_attempt,
            s.llm_retry_max_retries,
            s.llm_retry_selected_delay_ms
        ),
        (1, 3, 250)
    );
    no_match(
        &*turn,
        || turn.recoverable_failure(retry(2)),
        "TurnStateHandle::recoverable_failure",
    );
    guard(
        &*turn,
        || turn.retry_requested(2),
        "TurnStateHandle::retry_requested",
        "attempt_matches",
    );
    turn.retry_requested(1).unwrap();
    assert_eq!(turn.snapshot().turn_phase, TurnPhase::CallingLlm);
    no_match(
        &*turn,
        || turn.retry_requested(1),
        "TurnStateHandle::retry_requested",
    );
}

#[test]
fn failures_need_a_cause_and_record_it() {
    let turn = turn();
    let run = calling(&*turn);
    guard(
        &*turn,
        || turn.fatal_failure(failure(TurnTerminalCauseKind::Unknown, "?")),
        "TurnStateHandle::fatal_failure",
        "known_cause",
    );
    turn.fatal_failure(failure(TurnTerminalCauseKind::LlmFailure, "down"))
        .unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Failed);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Failed));
    assert_eq!(
        s.terminal_cause_kind,
        Some(TurnTerminalCauseKind::LlmFailure)
    );
    no_match(
        &*turn,
        || turn.fatal_failure(failure(TurnTerminalCauseKind::ToolFailure, "again")),
        "TurnStateHandle::fatal_failure",
    );
    guard(
        &*turn,
        || turn.run_failed(run.clone(), failure(TurnTerminalCauseKind::Unknown, "?")),
        "TurnStateHandle::run_failed",
        "known_cause",
    );
    turn.run_failed(run, failure(TurnTerminalCauseKind::ToolFailure, "late"))
        .unwrap();
    let s = turn.snapshot();
    assert_eq!(
        s.terminal_cause_kind,
        Some(TurnTerminalCauseKind::LlmFailure),
        "realizing a failure keeps the recorded cause"
    );
}

#[test]
fn limits_fail_the_turn_with_their_own_outcome() {
    for (hit, outcome, cause) in [
        (
            (|t: &dyn TurnStateHandle| t.turn_limit_reached())
                as fn(&dyn TurnStateHandle) -> Result<(), DslTransitionError>,
            TurnTerminalOutcome::Failed,
            TurnTerminalCauseKind::TurnLimitReached,
        ),
        (
            |t| t.budget_exhausted(),
            TurnTerminalOutcome::BudgetExhausted,
            TurnTerminalCauseKind::BudgetExhausted,
        ),
        (
            |t| t.time_budget_exceeded(),
            TurnTerminalOutcome::TimeBudgetExceeded,
            TurnTerminalCauseKind::TimeBudgetExceeded,
        ),
    ] {
        let turn = turn();
        let run = calling(&*turn);
        hit(&*turn).unwrap();
        let s = turn.snapshot();
        assert_eq!(s.turn_phase, TurnPhase::Failed);
        assert_eq!(s.terminal_outcome, Some(outcome));
        assert_eq!(s.terminal_cause_kind, Some(cause));
        // The runtime's report realizes the failure without changing it.
        turn.run_failed(run, failure(TurnTerminalCauseKind::LlmFailure, "x"))
            .unwrap();
        let s = turn.snapshot();
        assert_eq!(s.terminal_outcome, Some(outcome));
        assert_eq!(s.terminal_cause_kind, Some(cause));
    }
    // Before any run, the host runs nothing to fail.
    let turn = turn();
    guard(
        &*turn,
        || turn.budget_exhausted(),
        "TurnStateHandle::budget_exhausted",
        "running",
    );
}

#[test]
fn end_of_run_reports_never_flip_an_outcome_and_end_a_turn_in_flight() {
    // A failed turn stays failed when the runtime reports completion.
    let turn = turn();
    let run = calling(&*turn);
    turn.budget_exhausted().unwrap();
    guard(
        &*turn,
        || turn.run_completed(RunId::new()),
        "TurnStateHandle::run_completed",
        "run_matches",
    );
    turn.run_completed(run).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Failed);
    assert_eq!(
        s.terminal_outcome,
        Some(TurnTerminalOutcome::BudgetExhausted)
    );

    // A turn in flight ends with the report's own outcome.
    let turn = self::turn();
    let run = calling(&*turn);
    turn.run_cancelled(run.clone()).unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Cancelled);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Cancelled));
    guard(
        &*turn,
        || turn.run_cancelled(run.clone()),
        "TurnStateHandle::run_cancelled",
        "run_matches",
    );

    let turn = self::turn();
    let run = calling(&*turn);
    turn.run_failed(run, failure(TurnTerminalCauseKind::HookDenied, "no"))
        .unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Failed);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Failed));
    assert_eq!(
        s.terminal_cause_kind,
        Some(TurnTerminalCauseKind::HookDenied)
    );
}

#[test]
fn acknowledging_keeps_only_the_outcome_and_the_bound_run() {
    let turn = turn();
    let run = calling(&*turn);
    no_match(
        &*turn,
        || turn.acknowledge_terminal(TurnTerminalOutcome::Completed),
        "TurnStateHandle::acknowledge_terminal",
    );
    turn.llm_returned_tool_calls(1).unwrap();
    turn.time_budget_exceeded().unwrap();
    turn.acknowledge_terminal(TurnTerminalOutcome::Failed)
        .unwrap();
    let s = turn.snapshot();
    assert_eq!(s.turn_phase, TurnPhase::Ready);
    assert_eq!(s.terminal_outcome, Some(TurnTerminalOutcome::Failed));
    assert_eq!(s.terminal_cause_kind, None);
    assert_eq!((s.primitive_kind, s.admitted_content_shape), (None, None));
    assert_eq!((s.tool_calls_pending, s.max_extraction_retries), (0, 0));
    assert!(!s.vision_enabled);
    assert_eq!(
        s.active_run_id,
        Some(run.clone()),
        "acknowledging is not committing"
    );
    turn.fatal_failure(failure(TurnTerminalCauseKind::FatalFailure, "x"))
        .unwrap();
    // The contract's `None` outcome keeps no outcome.
    turn.acknowledge_terminal(TurnTerminalOutcome::None)
        .unwrap();
    assert_eq!(turn.snapshot().terminal_outcome, None);
    // The run is still bound; a start of another run replaces it.
    let next = RunId::new();
    turn.start_immediate_append(next.clone()).unwrap();
    assert_eq!(turn.snapshot().active_run_id, Some(next));
}

#[test]
fn inputs_of_another_phase_are_caller_errors() {
    let turn = turn();
    for (call, context) in [
        (
            (|t: &dyn TurnStateHandle| t.primitive_applied())
                as fn(&dyn TurnStateHandle) -> Result<(), DslTransitionError>,
            "TurnStateHandle::primitive_applied",
        ),
        (
            |t| t.llm_returned_tool_calls(1),
            "TurnStateHandle::llm_returned_tool_calls",
        ),
        (
            |t| t.tool_calls_resolved(),
            "TurnStateHandle::tool_calls_resolved",
        ),
        (
            |t| t.boundary_continue(),
            "TurnStateHandle::boundary_continue",
        ),
        (
            |t| t.boundary_complete(),
            "TurnStateHandle::boundary_complete",
        ),
        (
            |t| t.extraction_start(),
            "TurnStateHandle::extraction_start",
        ),
        (
            |t| t.extraction_validation_passed(),
            "TurnStateHandle::extraction_validation_passed",
        ),
        (
            |t| t.register_pending_ops(BTreeSet::new(), BTreeSet::new()),
            "TurnStateHandle::register_pending_ops",
        ),
    ] {
        no_match(&*turn, || call(&*turn), context);
    }
    // A run reported before any run is bound.
    guard(
        &*turn,
        || turn.run_completed(RunId::new()),
        "TurnStateHandle::run_completed",
        "run_matches",
    );
    let err = refused(
        &*turn,
        || turn.boundary_complete(),
        "TurnStateHandle::boundary_complete",
        DslRejectionKind::NoMatchingTransition,
        None,
    );
    assert!(
        err.to_string()
            .starts_with("DSL transition rejected in TurnStateHandle::boundary_complete: "),
        "{err}"
    );
}

#[test]
fn racing_starts_bind_exactly_one_run() {
    let session = session();
    let turn = session.turn_state();
    let runs: Vec<RunId> = (0..8).map(|_| RunId::new()).collect();
    let winners: Vec<RunId> = std::thread::scope(|scope| {
        let tasks: Vec<_> = runs
            .iter()
            .map(|run| {
                let turn = Arc::clone(&turn);
                let run = run.clone();
                scope.spawn(move || turn.start_immediate_append(run.clone()).ok().map(|()| run))
            })
            .collect();
        tasks
            .into_iter()
            .filter_map(|t| t.join().expect("no start panics"))
            .collect()
    });
    assert_eq!(winners.len(), 1, "exactly one start wins");
    assert_eq!(turn.snapshot().active_run_id, winners.first().cloned());
    // The handles of one session share the turn.
    assert_eq!(session.turn_state().snapshot(), turn.snapshot());
}
