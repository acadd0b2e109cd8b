//! The turn and session admission of one session, backed by one machine
//! generated from `machines/turn.fsm`.
//!
//! The two handles share the bound run and the host lifecycle, so they are
//! one [`TurnRuntime`] over one [`fsm::Shared`] machine: a prepare, a start
//! and a commit serialize on the same lock and see each other at once.
//! Every transition, including the commit that follows the end of a
//! direct run, is decided by the spec; this module only converts between
//! the contract's types and the spec's and projects the snapshot.

use std::collections::BTreeSet;
use std::sync::Arc;

use fsm::{Authority, DriveError, FromQuery, Shared, Step};

use crate::LoopState;
use crate::handles::{
    DslTransitionError, SessionAdmissionHandle, TurnStateHandle, TurnStateSnapshot,
};
use crate::lifecycle::{InputId, RunId};
use crate::ops::{AsyncOpRef, OperationId};
use crate::retry::LlmRetrySchedule;
use crate::turn_execution_authority as contract;
use crate::turn_execution_authority::TurnFailureReason;
use crate::types::SessionId;

fsm::machine!("../../machines/turn.fsm");

/// The turn flow and session admission of one session: the machine behind
/// one lock.
pub struct TurnRuntime {
    machine: Shared<Turn>,
}

impl TurnRuntime {
    /// A session's turn: `Ready`, host attached, no run bound.
    pub fn new() -> Self {
        Self {
            machine: Shared::new("Turn", Turn::new()),
        }
    }

    /// Drives `input` for a method whose contract arguments the spec takes
    /// unpacked.
    fn drive_unpacked(
        &self,
        context: &'static str,
        input: TurnInput,
    ) -> Result<(), DslTransitionError> {
        <Result<(), DslTransitionError> as fsm::FromDrive<Turn>>::from_drive(
            context,
            Authority::drive(self, context, input),
        )
    }
}

impl Default for TurnRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for TurnRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnRuntime").finish_non_exhaustive()
    }
}

impl Authority<Turn> for TurnRuntime {
    fn drive(
        &self,
        context: &'static str,
        input: TurnInput,
    ) -> Result<Step<TurnPhase, TurnEffect>, DriveError> {
        self.machine.drive(context, input)
    }

    fn read<R>(&self, f: impl FnOnce(&Turn) -> R) -> R {
        Authority::<Turn>::read(&self.machine, f)
    }
}

super::contract_conversions!(Turn);

// ── contract ↔ spec conversions ────────────────────────────────────────

impl From<TurnPhase> for contract::TurnPhase {
    fn from(phase: TurnPhase) -> Self {
        match phase {
            TurnPhase::Ready => Self::Ready,
            TurnPhase::ApplyingPrimitive => Self::ApplyingPrimitive,
            TurnPhase::CallingLlm => Self::CallingLlm,
            TurnPhase::WaitingForOps => Self::WaitingForOps,
            TurnPhase::DrainingBoundary => Self::DrainingBoundary,
            TurnPhase::Extracting => Self::Extracting,
            TurnPhase::ErrorRecovery => Self::ErrorRecovery,
            TurnPhase::Cancelling => Self::Cancelling,
            TurnPhase::Completed => Self::Completed,
            TurnPhase::Failed => Self::Failed,
            TurnPhase::Cancelled => Self::Cancelled,
        }
    }
}

/// The contract's `None` kind is no primitive at all.
impl From<contract::TurnPrimitiveKind> for Option<TurnPrimitiveKind> {
    fn from(kind: contract::TurnPrimitiveKind) -> Self {
        match kind {
            contract::TurnPrimitiveKind::None => None,
            contract::TurnPrimitiveKind::ConversationTurn => {
                Some(TurnPrimitiveKind::ConversationTurn)
            }
            contract::TurnPrimitiveKind::ImmediateAppend => {
                Some(TurnPrimitiveKind::ImmediateAppend)
            }
            contract::TurnPrimitiveKind::ImmediateContextAppend => {
                Some(TurnPrimitiveKind::ImmediateContextAppend)
            }
        }
    }
}

impl From<TurnPrimitiveKind> for contract::TurnPrimitiveKind {
    fn from(kind: TurnPrimitiveKind) -> Self {
        match kind {
            TurnPrimitiveKind::ConversationTurn => Self::ConversationTurn,
            TurnPrimitiveKind::ImmediateAppend => Self::ImmediateAppend,
            TurnPrimitiveKind::ImmediateContextAppend => Self::ImmediateContextAppend,
        }
    }
}

impl From<contract::ContentShape> for ContentShape {
    fn from(shape: contract::ContentShape) -> Self {
        match shape {
            contract::ContentShape::Conversation => Self::Conversation,
            contract::ContentShape::ConversationAndContext => Self::ConversationAndContext,
            contract::ContentShape::Context => Self::Context,
            contract::ContentShape::Empty => Self::Empty,
            contract::ContentShape::ImmediateAppend => Self::ImmediateAppend,
            contract::ContentShape::ImmediateContext => Self::ImmediateContext,
        }
    }
}

impl From<ContentShape> for contract::ContentShape {
    fn from(shape: ContentShape) -> Self {
        match shape {
            ContentShape::Conversation => Self::Conversation,
            ContentShape::ConversationAndContext => Self::ConversationAndContext,
            ContentShape::Context => Self::Context,
            ContentShape::Empty => Self::Empty,
            ContentShape::ImmediateAppend => Self::ImmediateAppend,
            ContentShape::ImmediateContext => Self::ImmediateContext,
        }
    }
}

/// The contract's `None` outcome is no outcome at all.
impl From<contract::TurnTerminalOutcome> for Option<TurnTerminalOutcome> {
    fn from(outcome: contract::TurnTerminalOutcome) -> Self {
        match outcome {
            contract::TurnTerminalOutcome::None => None,
            contract::TurnTerminalOutcome::Completed => Some(TurnTerminalOutcome::Completed),
            contract::TurnTerminalOutcome::Failed => Some(TurnTerminalOutcome::Failed),
            contract::TurnTerminalOutcome::Cancelled => Some(TurnTerminalOutcome::Cancelled),
            contract::TurnTerminalOutcome::BudgetExhausted => {
                Some(TurnTerminalOutcome::BudgetExhausted)
            }
            contract::TurnTerminalOutcome::TimeBudgetExceeded => {
                Some(TurnTerminalOutcome::TimeBudgetExceeded)
            }
            contract::TurnTerminalOutcome::StructuredOutputValidationFailed => {
                Some(TurnTerminalOutcome::StructuredOutputValidationFailed)
            }
        }
    }
}

impl From<TurnTerminalOutcome> for contract::TurnTerminalOutcome {
    fn from(outcome: TurnTerminalOutcome) -> Self {
        match outcome {
            TurnTerminalOutcome::Completed => Self::Completed,
            TurnTerminalOutcome::Failed => Self::Failed,
            TurnTerminalOutcome::Cancelled => Self::Cancelled,
            TurnTerminalOutcome::BudgetExhausted => Self::BudgetExhausted,
            TurnTerminalOutcome::TimeBudgetExceeded => Self::TimeBudgetExceeded,
            TurnTerminalOutcome::StructuredOutputValidationFailed => {
                Self::StructuredOutputValidationFailed
            }
        }
    }
}

/// Admission takes ids by reference; the spec stores owned ones.
impl From<&InputId> for InputId {
    fn from(id: &InputId) -> Self {
        id.clone()
    }
}

/// Admission takes ids by reference; the spec stores owned ones.
impl From<&RunId> for RunId {
    fn from(id: &RunId) -> Self {
        id.clone()
    }
}

/// The coarse loop state a turn phase shows as.
fn loop_state(phase: TurnPhase) -> LoopState {
    match phase {
        TurnPhase::Ready | TurnPhase::ApplyingPrimitive | TurnPhase::CallingLlm => {
            LoopState::CallingLlm
        }
        TurnPhase::WaitingForOps => LoopState::WaitingForOps,
        TurnPhase::DrainingBoundary | TurnPhase::Extracting => LoopState::DrainingEvents,
        TurnPhase::ErrorRecovery => LoopState::ErrorRecovery,
        TurnPhase::Cancelling => LoopState::Cancelling,
        TurnPhase::Completed | TurnPhase::Failed | TurnPhase::Cancelled => LoopState::Completed,
    }
}

/// The contract's view of the machine: the run shows as active only while
/// the turn has not ended, and every registered op as a reference whose
/// wait policy says whether the barrier holds it.
fn project(s: TurnSnapshot) -> TurnStateSnapshot {
    let turn_phase = contract::TurnPhase::from(s.phase);
    let pending_op_refs = s
        .pending_op_ids
        .iter()
        .map(|id| {
            if s.barrier_operation_ids.contains(id) {
                AsyncOpRef::barrier(id.clone())
            } else {
                AsyncOpRef::detached(id.clone())
            }
        })
        .collect();
    TurnStateSnapshot {
        active_run_id: if turn_phase.is_terminal() {
            None
        } else {
            s.current_run_id
        },
        loop_state: loop_state(s.phase),
        turn_phase,
        primitive_kind: s.primitive_kind.map(Into::into),
        admitted_content_shape: s.admitted_content_shape.map(Into::into),
        vision_enabled: s.vision_enabled,
        image_tool_results_enabled: s.image_tool_results_enabled,
        tool_calls_pending: s.tool_calls_pending,
        pending_op_refs,
        barrier_operation_ids: s.barrier_operation_ids,
        has_barrier_ops: s.has_barrier_ops,
        barrier_satisfied: s.barrier_satisfied,
        boundary_count: s.boundary_count,
        cancel_after_boundary: s.cancel_after_boundary,
        terminal_outcome: s.terminal_outcome.map(Into::into),
        terminal_cause_kind: s.terminal_cause_kind,
        extraction_attempts: s.extraction_attempts,
        max_extraction_retries: s.max_extraction_retries,
        llm_retry_attempt: s.llm_retry_attempt,
        llm_retry_max_retries: s.llm_retry_max_retries,
        llm_retry_selected_delay_ms: s.llm_retry_selected_delay_ms,
    }
}

impl FromQuery<Turn, TurnSnapshot> for TurnStateSnapshot {
    fn from_query(_context: &'static str, snapshot: TurnSnapshot) -> Self {
        project(snapshot)
    }
}

#[fsm::implement("../../machines/turn.fsm", TurnStateHandle)]
impl TurnStateHandle for TurnRuntime {
    fn start_conversation_run(
        &self,
        run_id: RunId,
        primitive_kind: contract::TurnPrimitiveKind,
        admitted_content_shape: contract::ContentShape,
        vision_enabled: bool,
        image_tool_results_enabled: bool,
        max_extraction_retries: u64,
    ) -> Result<(), DslTransitionError>;
    fn start_immediate_append(&self, run_id: RunId) -> Result<(), DslTransitionError>;
    fn start_immediate_context(&self, run_id: RunId) -> Result<(), DslTransitionError>;
    fn primitive_applied(&self) -> Result<(), DslTransitionError>;
    fn llm_returned_tool_calls(&self, tool_count: u64) -> Result<(), DslTransitionError>;
    fn llm_returned_terminal(&self) -> Result<(), DslTransitionError>;

    /// The spec tracks op ids; a reference's wait policy is implied by the
    /// barrier set (and rebuilt from it in the snapshot).
    fn register_pending_ops(
        &self,
        op_refs: BTreeSet<AsyncOpRef>,
        barrier_operation_ids: BTreeSet<OperationId>,
    ) -> Result<(), DslTransitionError> {
        self.drive_unpacked(
            "TurnStateHandle::register_pending_ops",
            TurnInput::RegisterPendingOps {
                op_ids: op_refs.into_iter().map(|r| r.operation_id).collect(),
                barrier_ids: barrier_operation_ids,
            },
        )
    }

    fn tool_calls_resolved(&self) -> Result<(), DslTransitionError>;
    fn ops_barrier_satisfied(
        &self,
        operation_ids: BTreeSet<OperationId>,
    ) -> Result<(), DslTransitionError>;
    fn boundary_continue(&self) -> Result<(), DslTransitionError>;
    fn boundary_complete(&self) -> Result<(), DslTransitionError>;
    fn enter_extraction(&self, max_retries: u32) -> Result<(), DslTransitionError>;
    fn extraction_start(&self) -> Result<(), DslTransitionError>;
    fn extraction_validation_passed(&self) -> Result<(), DslTransitionError>;
    fn extraction_validation_failed(&self, error: String) -> Result<(), DslTransitionError>;
    fn extraction_failed(&self, error: String) -> Result<(), DslTransitionError>;

    /// The plan's attempt, limit and selected delay, and the failure's
    /// message.
    fn recoverable_failure(&self, retry: LlmRetrySchedule) -> Result<(), DslTransitionError>;
    fn fatal_failure(&self, reason: TurnFailureReason) -> Result<(), DslTransitionError>;
    fn retry_requested(&self, retry_attempt: u32) -> Result<(), DslTransitionError>;
    fn cancel_now(&self) -> Result<(), DslTransitionError>;
    fn request_cancel_after_boundary(&self) -> Result<(), DslTransitionError>;
    fn cancellation_observed(&self) -> Result<(), DslTransitionError>;
    fn acknowledge_terminal(
        &self,
        outcome: contract::TurnTerminalOutcome,
    ) -> Result<(), DslTransitionError>;
    fn turn_limit_reached(&self) -> Result<(), DslTransitionError>;
    fn budget_exhausted(&self) -> Result<(), DslTransitionError>;
    fn time_budget_exceeded(&self) -> Result<(), DslTransitionError>;
    fn force_cancel_no_run(&self) -> Result<(), DslTransitionError>;
    fn run_completed(&self, run_id: RunId) -> Result<(), DslTransitionError>;

    /// The reason's cause and message; like `run_completed`, the spec
    /// commits a direct run in the same step.
    fn run_failed(
        &self,
        run_id: RunId,
        reason: TurnFailureReason,
    ) -> Result<(), DslTransitionError>;
    fn run_cancelled(&self, run_id: RunId) -> Result<(), DslTransitionError>;
    fn snapshot(&self) -> TurnStateSnapshot;
}

#[fsm::implement("../../machines/turn.fsm", SessionAdmissionHandle)]
impl SessionAdmissionHandle for TurnRuntime {
    fn ingest(
        &self,
        runtime_id: &str,
        work_id: &str,
        origin: crate::comms::InputSource,
    ) -> Result<(), DslTransitionError>;
    fn accept_with_completion(
        &self,
        input_id: &InputId,
        request_immediate_processing: bool,
        interrupt_yielding: bool,
        wake_if_idle: bool,
    ) -> Result<(), DslTransitionError>;
    fn accept_without_wake(&self, input_id: &InputId) -> Result<(), DslTransitionError>;
    fn prepare(&self, run_id: &RunId) -> Result<(), DslTransitionError>;
    fn commit(&self, input_id: &InputId, run_id: &RunId) -> Result<(), DslTransitionError>;
    fn recycle(&self) -> Result<(), DslTransitionError>;
}

/// This flow's part of a session: the one runtime both handles share.
pub(crate) struct Parts {
    runtime: Arc<TurnRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Parts {
            runtime: Arc::new(TurnRuntime::new()),
        }
    }
}

impl crate::runtime::SessionRuntimeBindings {
    /// The session's turn. It shares the bound run and the host lifecycle
    /// with [`Self::session_admission`]: both handles drive one machine.
    pub fn turn_state(&self) -> Arc<dyn TurnStateHandle> {
        self.turn.runtime.clone()
    }

    /// The session's admission: accepts inputs, and prepares and commits
    /// the runs the turn of [`Self::turn_state`] executes.
    pub fn session_admission(&self) -> Arc<dyn SessionAdmissionHandle> {
        self.turn.runtime.clone()
    }
}

#[cfg(test)]
mod tests {
    //! What the handles discard: the effects admission emits, read from
    //! the machine directly.

    use super::*;
    use fsm::Machine;

    #[test]
    fn a_panic_inside_the_critical_section_leaves_the_turn_in_service() {
        let turn = TurnRuntime::new();
        let run = RunId::new();
        TurnStateHandle::start_immediate_append(&turn, run.clone()).unwrap();
        let before = TurnStateHandle::snapshot(&turn);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            turn.machine.with(|_| panic!("a holder fails on purpose"));
        }));
        assert!(panicked.is_err());
        // Transitions are atomic: the machine is as it was, and it serves.
        assert_eq!(TurnStateHandle::snapshot(&turn), before);
        TurnStateHandle::primitive_applied(&turn).unwrap();
        TurnStateHandle::run_completed(&turn, run).unwrap();
        let after = TurnStateHandle::snapshot(&turn);
        assert_eq!(after.turn_phase, contract::TurnPhase::Completed);
        assert_eq!(after.active_run_id, None);
    }

    fn accept(
        turn: &mut Turn,
        immediate: bool,
        interrupt: bool,
        wake: bool,
    ) -> Result<Vec<TurnEffect>, fsm::Rejection> {
        turn.apply(TurnInput::AcceptWithCompletion {
            input_id: InputId::new(),
            request_immediate_processing: immediate,
            interrupt_yielding: interrupt,
            wake_if_idle: wake,
        })
        .map(|step| step.effects)
    }

    fn signals(effects: &[TurnEffect]) -> Vec<String> {
        effects
            .iter()
            .map(|e| match e {
                TurnEffect::IngressAccepted { .. } => "accepted".to_owned(),
                TurnEffect::PostAdmissionSignal { signal } => signal.as_str().to_owned(),
                other => other.name().to_owned(),
            })
            .collect()
    }

    fn running() -> Turn {
        let mut turn = Turn::new();
        turn.apply(TurnInput::Prepare { run: RunId::new() })
            .expect("a fresh session prepares");
        turn
    }

    #[test]
    fn an_attached_host_wakes_the_loop_or_submits_a_run() {
        let mut turn = Turn::new();
        for wake in [false, true] {
            let effects = accept(&mut turn, false, false, wake).expect("queued");
            assert_eq!(signals(&effects), ["accepted", "WakeLoop"]);
        }
        let effects = accept(&mut turn, true, false, false).expect("immediate");
        assert_eq!(
            signals(&effects),
            [
                "accepted",
                "RequestImmediateProcessing",
                "SubmitRunPrimitive"
            ]
        );
    }

    #[test]
    fn a_running_host_queues_wakes_or_asks_its_run_to_yield() {
        let mut turn = running();
        let effects = accept(&mut turn, false, false, false).expect("queued");
        assert_eq!(signals(&effects), ["accepted"]);
        let effects = accept(&mut turn, false, false, true).expect("woken");
        assert_eq!(signals(&effects), ["accepted", "WakeLoop"]);
        let effects = accept(&mut turn, false, true, false).expect("interrupt");
        assert_eq!(
            signals(&effects),
            [
                "accepted",
                "InterruptYielding",
                "CancelAfterBoundaryRequested"
            ]
        );
        let effects = accept(&mut turn, true, false, false).expect("immediate");
        assert_eq!(
            signals(&effects),
            [
                "accepted",
                "RequestImmediateProcessing",
                "CancelAfterBoundaryRequested"
            ]
        );
    }

    #[test]
    fn an_interrupt_needs_a_run_and_excludes_immediate_processing() {
        let mut turn = Turn::new();
        let err = accept(&mut turn, false, true, false).expect_err("nothing to interrupt");
        assert_eq!(err.kind.guard(), Some("running"));
        let mut turn = running();
        let err = accept(&mut turn, true, true, true).expect_err("both requests");
        assert_eq!(err.kind.guard(), Some("not_also_immediate"));
    }

    #[test]
    fn prepare_recycle_and_ingest_emit_what_the_loop_acts_on() {
        let mut turn = Turn::new();
        let step = turn
            .apply(TurnInput::Ingest {
                runtime_id: "rt".into(),
                work_id: "w".into(),
                origin: crate::comms::InputSource::Rpc,
            })
            .expect("ingest");
        assert_eq!(signals(&step.effects), ["ResolveAdmission"]);
        let step = turn.apply(TurnInput::Recycle).expect("recycle");
        assert_eq!(signals(&step.effects), ["InitiateRecycle"]);
        let step = turn
            .apply(TurnInput::Prepare { run: RunId::new() })
            .expect("prepare");
        assert_eq!(signals(&step.effects), ["SubmitRunPrimitive"]);
    }

    /// A small deterministic generator for the walk below.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }

        fn flip(&mut self) -> bool {
            self.below(2) == 1
        }

        fn pick<T: Clone>(&mut self, items: &[T]) -> T {
            let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
            items[i].clone()
        }
    }

    /// Any input of the spec, over small domains (two runs, two ops).
    fn any_input(r: &mut Rng, runs: &[RunId], ops: &[OperationId]) -> TurnInput {
        let ids = |r: &mut Rng| -> BTreeSet<OperationId> {
            ops.iter().filter(|_| r.flip()).cloned().collect()
        };
        let run = r.pick(runs);
        let cause = r.pick(&[
            contract::TurnTerminalCauseKind::Unknown,
            contract::TurnTerminalCauseKind::LlmFailure,
            contract::TurnTerminalCauseKind::ToolFailure,
        ]);
        let small = r.below(3);
        // Most steps move a turn on; the rest are any input at all.
        let which = if r.below(10) < 7 {
            r.pick(&[0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 18, 20])
        } else {
            r.below(36)
        };
        match which {
            0 => TurnInput::StartConversationRun {
                run,
                kind: r.pick(&[
                    Some(TurnPrimitiveKind::ConversationTurn),
                    Some(TurnPrimitiveKind::ConversationTurn),
                    Some(TurnPrimitiveKind::ImmediateAppend),
                    None,
                ]),
                shape: r.pick(&[
                    ContentShape::Conversation,
                    ContentShape::Context,
                    ContentShape::ImmediateContext,
                ]),
                vision: r.flip(),
                image_tool_results: r.flip(),
                max_retries: small,
            },
            1 => TurnInput::StartImmediateAppend { run },
            2 => TurnInput::StartImmediateContext { run },
            3 => TurnInput::PrimitiveApplied,
            4 => TurnInput::LlmReturnedToolCalls { tool_count: small },
            5 => TurnInput::LlmReturnedTerminal,
            6 => TurnInput::RegisterPendingOps {
                op_ids: ids(r),
                barrier_ids: ids(r),
            },
            7 => TurnInput::ToolCallsResolved,
            8 => TurnInput::OpsBarrierSatisfied {
                operation_ids: ids(r),
            },
            9 => TurnInput::BoundaryContinue,
            10 => TurnInput::BoundaryComplete,
            11 => TurnInput::EnterExtraction { max_retries: small },
            12 => TurnInput::ExtractionStart,
            13 => TurnInput::ExtractionValidationPassed,
            14 => TurnInput::ExtractionValidationFailed { error: "e".into() },
            15 => TurnInput::ExtractionFailed { error: "e".into() },
            16 => TurnInput::RecoverableFailure {
                retry_attempt: u32::try_from(small).unwrap_or(0),
                max_retries: 2,
                selected_delay_ms: 10,
                error: "e".into(),
            },
            17 => TurnInput::FatalFailure {
                cause,
                error: "e".into(),
            },
            18 => TurnInput::RetryRequested {
                retry_attempt: u32::try_from(small).unwrap_or(0),
            },
            19 => TurnInput::CancelNow,
            20 => TurnInput::RequestCancelAfterBoundary,
            21 => TurnInput::CancellationObserved,
            22 => TurnInput::AcknowledgeTerminal {
                outcome: r.pick(&[None, Some(TurnTerminalOutcome::Completed)]),
            },
            23 => TurnInput::TurnLimitReached,
            24 => TurnInput::BudgetExhausted,
            25 => TurnInput::TimeBudgetExceeded,
            26 => TurnInput::ForceCancelNoRun,
            27 => TurnInput::RunCompleted { run },
            28 => TurnInput::RunFailed {
                run,
                cause,
                error: "e".into(),
            },
            29 => TurnInput::RunCancelled { run },
            30 => TurnInput::Ingest {
                runtime_id: "rt".into(),
                work_id: "w".into(),
                origin: crate::comms::InputSource::Stdin,
            },
            31 => TurnInput::AcceptWithCompletion {
                input_id: InputId::from_uuid(uuid::Uuid::nil()),
                request_immediate_processing: r.flip(),
                interrupt_yielding: r.flip(),
                wake_if_idle: r.flip(),
            },
            32 => TurnInput::AcceptWithoutWake {
                input_id: InputId::from_uuid(uuid::Uuid::nil()),
            },
            33 => TurnInput::Prepare { run },
            34 => TurnInput::Commit {
                input_id: InputId::from_uuid(uuid::Uuid::nil()),
                run,
            },
            _ => TurnInput::Recycle,
        }
    }

    /// Random walks over every input: no accepted input ever breaks an
    /// invariant or overflows (invariants are checked after every apply in
    /// test builds), a refusal leaves the machine as it was, and every
    /// transition of the spec is taken somewhere.
    #[test]
    fn random_walks_keep_the_invariants_and_take_every_transition() {
        let runs = [
            RunId::from_uuid(uuid::Uuid::from_u128(1)),
            RunId::from_uuid(uuid::Uuid::from_u128(2)),
        ];
        let ops = [
            OperationId(uuid::Uuid::from_u128(1)),
            OperationId(uuid::Uuid::from_u128(2)),
        ];
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let mut taken = BTreeSet::new();
        for _ in 0..3_000 {
            let mut turn = Turn::new();
            for _ in 0..60 {
                let before = turn.snapshot();
                match turn.apply(any_input(&mut r, &runs, &ops)) {
                    Ok(step) => {
                        taken.extend(step.transition);
                    }
                    Err(rejection) => {
                        assert!(
                            matches!(
                                rejection.kind,
                                fsm::RejectionKind::NoMatchingTransition
                                    | fsm::RejectionKind::GuardRejected { .. }
                            ),
                            "{rejection}"
                        );
                        assert_eq!(turn.snapshot(), before, "{rejection}");
                    }
                }
            }
        }
        let missing: Vec<_> = Turn::INFO
            .transitions
            .iter()
            .map(|t| t.name)
            .filter(|name| !taken.contains(name))
            .collect();
        assert!(missing.is_empty(), "never taken: {missing:?}");
    }

    #[test]
    fn the_projection_marks_barrier_ops_and_hides_an_ended_run() {
        let barrier = OperationId::new();
        let detached = OperationId::new();
        let mut s = Turn::new().snapshot();
        s.phase = TurnPhase::WaitingForOps;
        s.current_run_id = Some(RunId::new());
        s.pending_op_ids = [barrier.clone(), detached.clone()].into();
        s.barrier_operation_ids = [barrier.clone()].into();
        let view = project(s.clone());
        assert_eq!(
            view.pending_op_refs,
            [AsyncOpRef::barrier(barrier), AsyncOpRef::detached(detached)].into()
        );
        assert_eq!(view.loop_state, LoopState::WaitingForOps);
        assert!(view.active_run_id.is_some());
        s.phase = TurnPhase::Failed;
        let view = project(s);
        assert_eq!(view.active_run_id, None);
        assert_eq!(view.loop_state, LoopState::Completed);
    }
}
