//! The external tool surface flow, through `ExternalToolSurfaceHandle`:
//! staging, boundaries, background completion, call accounting, removal
//! draining, alignment and shutdown.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;

use agent_core::SessionRuntimeBindings;
use agent_core::handles::{
    DslRejectionKind, DslTransitionError, ExternalToolSurfaceEffect, ExternalToolSurfaceHandle,
    ExternalToolSurfaceInput, SurfaceSnapshot,
};
use agent_core::tool_scope::{
    ExternalToolSurfaceBaseState, ExternalToolSurfaceDeltaOperation, ExternalToolSurfaceDeltaPhase,
    ExternalToolSurfaceFailureCause, ExternalToolSurfaceGlobalPhase, ExternalToolSurfacePendingOp,
    ExternalToolSurfaceStagedOp,
};
use agent_core::types::SessionId;

fn surfaces() -> Arc<dyn ExternalToolSurfaceHandle> {
    SessionRuntimeBindings::new(SessionId::new()).external_tool_surface()
}

fn snap(h: &dyn ExternalToolSurfaceHandle, id: &str) -> SurfaceSnapshot {
    h.surface_snapshot(id).expect("surface is known")
}

fn staged_seq(h: &dyn ExternalToolSurfaceHandle, id: &str) -> u64 {
    snap(h, id).staged_intent_sequence.expect("a staged op")
}

/// Stages an add, applies it and completes it; returns nothing, the
/// surface is live and visible afterwards.
fn add_live(h: &dyn ExternalToolSurfaceHandle, id: &str) {
    h.stage_add(id.to_owned(), 0).unwrap();
    let seq = staged_seq(h, id);
    h.apply_boundary(id.to_owned(), 0, seq, 1).unwrap();
    let task = snap(h, id).pending_task_sequence.unwrap();
    h.mark_pending_succeeded(id.to_owned(), task, seq).unwrap();
}

fn delta(
    id: &str,
    operation: ExternalToolSurfaceDeltaOperation,
    phase: ExternalToolSurfaceDeltaPhase,
    cause: Option<ExternalToolSurfaceFailureCause>,
) -> ExternalToolSurfaceEffect {
    ExternalToolSurfaceEffect::EmitExternalToolDelta {
        surface_id: id.to_owned(),
        operation,
        phase,
        cause,
    }
}

/// Asserts a guard rejection naming `guard`, with `context`, that left
/// the whole state as it was.
fn assert_guard(
    h: &dyn ExternalToolSurfaceHandle,
    before: &agent_core::handles::SurfaceDiagnosticSnapshot,
    result: Result<(), DslTransitionError>,
    context: &str,
    guard: &str,
) {
    let err = result.expect_err("the input is refused");
    assert_eq!(err.kind, DslRejectionKind::GuardRejected, "{err}");
    assert_eq!(err.context, context);
    assert!(
        err.reason.contains(&format!("guard `{guard}`")),
        "expected guard `{guard}`: {}",
        err.reason
    );
    assert_eq!(&h.diagnostic_snapshot(), before);
}

use ExternalToolSurfaceDeltaOperation as Op;
use ExternalToolSurfaceDeltaPhase as Phase;

#[test]
fn a_new_session_operates_with_no_surface() {
    let h = surfaces();
    let d = h.diagnostic_snapshot();
    assert_eq!(d.surface_phase, ExternalToolSurfaceGlobalPhase::Operating);
    assert!(d.known_surfaces.is_empty() && d.visible_surfaces.is_empty());
    assert!(d.entries.is_empty());
    assert!(!d.has_pending_or_staged && !h.has_pending_or_staged());
    assert_eq!((h.snapshot_epoch(), h.snapshot_aligned_epoch()), (0, 0));
    assert_eq!(h.surface_snapshot("alpha"), None);
}

#[test]
fn register_makes_a_surface_known_without_staging_it() {
    let h = surfaces();
    h.register("alpha".into()).unwrap();
    assert_eq!(
        snap(&*h, "alpha"),
        SurfaceSnapshot {
            surface_id: "alpha".into(),
            base_state: None,
            pending_op: ExternalToolSurfacePendingOp::None,
            staged_op: ExternalToolSurfaceStagedOp::None,
            staged_intent_sequence: None,
            pending_task_sequence: None,
            pending_lineage_sequence: None,
            inflight_calls: 0,
            last_delta_operation: None,
            last_delta_phase: None,
            removal_draining_since_ms: None,
            removal_timeout_at_ms: None,
            removal_applied_at_turn: None,
        }
    );
    assert_eq!(
        h.diagnostic_snapshot().known_surfaces,
        BTreeSet::from(["alpha".to_owned()])
    );
    assert!(!h.has_pending_or_staged());
    assert_eq!(h.snapshot_epoch(), 0);
}

#[test]
fn an_add_is_staged_applied_at_a_boundary_and_completed() {
    let h = surfaces();
    h.stage_add("alpha".into(), 5).unwrap();
    let s = snap(&*h, "alpha");
    assert_eq!(s.staged_op, ExternalToolSurfaceStagedOp::Add);
    assert_eq!(s.staged_intent_sequence, Some(1));
    assert!(h.has_pending_or_staged());
    assert!(h.visible_surfaces().is_empty());

    let applied = h
        .apply_surface_input(ExternalToolSurfaceInput::ApplyBoundary {
            surface_id: "alpha".into(),
            now_ms: 10,
            staged_intent_sequence: 1,
            applied_at_turn: 4,
        })
        .unwrap();
    assert_eq!(applied.phase, ExternalToolSurfaceGlobalPhase::Operating);
    assert_eq!(
        applied.effects,
        vec![
            ExternalToolSurfaceEffect::ScheduleSurfaceCompletion {
                surface_id: "alpha".into(),
                operation: Op::Add,
                pending_task_sequence: 1,
                staged_intent_sequence: 1,
                applied_at_turn: 4,
            },
            delta("alpha", Op::Add, Phase::Pending, None),
        ]
    );
    let s = snap(&*h, "alpha");
    assert_eq!(s.pending_op, ExternalToolSurfacePendingOp::Add);
    assert_eq!(s.staged_op, ExternalToolSurfaceStagedOp::None);
    assert_eq!(s.staged_intent_sequence, None);
    assert_eq!(
        (s.pending_task_sequence, s.pending_lineage_sequence),
        (Some(1), Some(1))
    );
    assert_eq!(h.pending_surfaces(), BTreeSet::from(["alpha".to_owned()]));
    assert_eq!(h.snapshot_epoch(), 1);
    assert!(h.visible_surfaces().is_empty());

    let done = h
        .apply_surface_input(ExternalToolSurfaceInput::MarkPendingSucceeded {
            surface_id: "alpha".into(),
            pending_task_sequence: 1,
            staged_intent_sequence: 1,
        })
        .unwrap();
    assert_eq!(
        done.effects,
        vec![
            ExternalToolSurfaceEffect::RefreshVisibleSurfaceSet { snapshot_epoch: 2 },
            delta("alpha", Op::Add, Phase::Applied, None),
        ]
    );
    let s = snap(&*h, "alpha");
    assert_eq!(s.base_state, Some(ExternalToolSurfaceBaseState::Active));
    assert_eq!(s.pending_op, ExternalToolSurfacePendingOp::None);
    // Resolved sequences read 0, not nothing.
    assert_eq!(
        (s.pending_task_sequence, s.pending_lineage_sequence),
        (Some(0), Some(0))
    );
    assert_eq!(
        (s.last_delta_operation, s.last_delta_phase),
        (Some(Op::Add), Some(Phase::Applied))
    );
    assert_eq!(h.visible_surfaces(), BTreeSet::from(["alpha".to_owned()]));
    assert!(h.pending_surfaces().is_empty() && !h.has_pending_or_staged());
    assert_eq!(h.snapshot_epoch(), 2);
}

#[test]
fn a_restage_replaces_the_op_and_a_boundary_with_the_old_sequence_is_refused() {
    let h = surfaces();
    h.stage_add("alpha".into(), 0).unwrap();
    h.stage_remove("alpha".into(), 0).unwrap();
    h.stage_add("alpha".into(), 0).unwrap();
    assert_eq!(staged_seq(&*h, "alpha"), 3);
    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.apply_boundary("alpha".into(), 0, 2, 1),
        "ExternalToolSurfaceHandle::apply_boundary",
        "sequence_matches",
    );
    h.apply_boundary("alpha".into(), 0, 3, 1).unwrap();
    assert_eq!(
        snap(&*h, "alpha").pending_lineage_sequence,
        Some(3),
        "the pending op descends from the latest stage"
    );
}

#[test]
fn a_completion_must_echo_both_sequences() {
    let h = surfaces();
    h.stage_add("alpha".into(), 0).unwrap();
    h.apply_boundary("alpha".into(), 0, 1, 1).unwrap();
    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.mark_pending_succeeded("alpha".into(), 2, 1),
        "ExternalToolSurfaceHandle::mark_pending_succeeded",
        "task_matches",
    );
    assert_guard(
        &*h,
        &before,
        h.mark_pending_succeeded("alpha".into(), 1, 7),
        "ExternalToolSurfaceHandle::mark_pending_succeeded",
        "lineage_matches",
    );
    assert_guard(
        &*h,
        &before,
        h.mark_pending_failed(
            "alpha".into(),
            9,
            1,
            ExternalToolSurfaceFailureCause::PendingFailed,
        ),
        "ExternalToolSurfaceHandle::mark_pending_failed",
        "task_matches",
    );
    h.mark_pending_succeeded("alpha".into(), 1, 1).unwrap();
    // A duplicate report of the same completion is stale now.
    let after = h.diagnostic_snapshot();
    let err = h.mark_pending_succeeded("alpha".into(), 1, 1).unwrap_err();
    assert_eq!(err.kind, DslRejectionKind::GuardRejected);
    assert_eq!(h.diagnostic_snapshot(), after);
}

#[test]
fn a_failed_add_leaves_the_surface_absent_and_invisible() {
    let h = surfaces();
    h.stage_add("alpha".into(), 0).unwrap();
    h.apply_boundary("alpha".into(), 0, 1, 1).unwrap();
    let epoch = h.snapshot_epoch();
    let failed = h
        .apply_surface_input(ExternalToolSurfaceInput::MarkPendingFailed {
            surface_id: "alpha".into(),
            pending_task_sequence: 1,
            staged_intent_sequence: 1,
            cause: ExternalToolSurfaceFailureCause::PendingFailed,
        })
        .unwrap();
    assert_eq!(
        failed.effects,
        vec![delta(
            "alpha",
            Op::Add,
            Phase::Failed,
            Some(ExternalToolSurfaceFailureCause::PendingFailed)
        )]
    );
    let s = snap(&*h, "alpha");
    assert_eq!(s.base_state, None);
    assert_eq!(s.pending_op, ExternalToolSurfacePendingOp::None);
    assert_eq!(
        (s.last_delta_operation, s.last_delta_phase),
        (Some(Op::Add), Some(Phase::Failed))
    );
    assert!(h.visible_surfaces().is_empty());
    assert_eq!(h.snapshot_epoch(), epoch, "nothing became visible");
}

#[test]
fn a_failure_report_needs_a_pending_op() {
    let h = surfaces();
    add_live(&*h, "alpha");
    // The resolved surface reads task and lineage 0: a (0, 0) report
    // must still not announce a failure.
    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.mark_pending_failed(
            "alpha".into(),
            0,
            0,
            ExternalToolSurfaceFailureCause::PendingFailed,
        ),
        "ExternalToolSurfaceHandle::mark_pending_failed",
        "pending_add",
    );
}

#[test]
fn only_a_live_surface_can_be_reloaded_and_it_stays_visible_meanwhile() {
    let h = surfaces();
    h.register("alpha".into()).unwrap();
    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.stage_reload("alpha".into(), 0),
        "ExternalToolSurfaceHandle::stage_reload",
        "surface_active",
    );

    add_live(&*h, "alpha");
    h.stage_reload("alpha".into(), 0).unwrap();
    let seq = staged_seq(&*h, "alpha");
    assert_eq!(
        snap(&*h, "alpha").staged_op,
        ExternalToolSurfaceStagedOp::Reload
    );
    let applied = h
        .apply_surface_input(ExternalToolSurfaceInput::ApplyBoundary {
            surface_id: "alpha".into(),
            now_ms: 0,
            staged_intent_sequence: seq,
            applied_at_turn: 2,
        })
        .unwrap();
    assert_eq!(
        applied.effects,
        vec![
            ExternalToolSurfaceEffect::ScheduleSurfaceCompletion {
                surface_id: "alpha".into(),
                operation: Op::Reload,
                pending_task_sequence: 2,
                staged_intent_sequence: seq,
                applied_at_turn: 2,
            },
            delta("alpha", Op::Reload, Phase::Pending, None),
        ]
    );
    assert_eq!(h.visible_surfaces(), BTreeSet::from(["alpha".to_owned()]));

    // A failed reload keeps the old live connection.
    h.mark_pending_failed(
        "alpha".into(),
        2,
        seq,
        ExternalToolSurfaceFailureCause::PendingFailed,
    )
    .unwrap();
    let s = snap(&*h, "alpha");
    assert_eq!(s.base_state, Some(ExternalToolSurfaceBaseState::Active));
    assert_eq!(
        (s.last_delta_operation, s.last_delta_phase),
        (Some(Op::Reload), Some(Phase::Failed))
    );
    assert_eq!(h.visible_surfaces(), BTreeSet::from(["alpha".to_owned()]));

    // A successful one republishes the visible set.
    h.stage_reload("alpha".into(), 0).unwrap();
    let seq = staged_seq(&*h, "alpha");
    h.apply_boundary("alpha".into(), 0, seq, 3).unwrap();
    let epoch = h.snapshot_epoch();
    let done = h
        .apply_surface_input(ExternalToolSurfaceInput::MarkPendingSucceeded {
            surface_id: "alpha".into(),
            pending_task_sequence: 3,
            staged_intent_sequence: seq,
        })
        .unwrap();
    assert_eq!(
        done.effects,
        vec![
            ExternalToolSurfaceEffect::RefreshVisibleSurfaceSet {
                snapshot_epoch: epoch + 1
            },
            delta("alpha", Op::Reload, Phase::Applied, None),
        ]
    );
}

#[test]
fn a_removal_drains_calls_then_finalizes_cleanly() {
    let h = surfaces();
    add_live(&*h, "alpha");
    h.call_started("alpha".into()).unwrap();
    assert_eq!(snap(&*h, "alpha").inflight_calls, 1);
    h.stage_remove("alpha".into(), 0).unwrap();
    let seq = staged_seq(&*h, "alpha");
    let epoch = h.snapshot_epoch();
    let applied = h
        .apply_surface_input(ExternalToolSurfaceInput::ApplyBoundary {
            surface_id: "alpha".into(),
            now_ms: 1_000,
            staged_intent_sequence: seq,
            applied_at_turn: 7,
        })
        .unwrap();
    assert_eq!(
        applied.effects,
        vec![
            ExternalToolSurfaceEffect::RefreshVisibleSurfaceSet {
                snapshot_epoch: epoch + 1
            },
            delta("alpha", Op::Remove, Phase::Draining, None),
        ]
    );
    let s = snap(&*h, "alpha");
    assert_eq!(s.base_state, Some(ExternalToolSurfaceBaseState::Removing));
    assert_eq!(s.removal_draining_since_ms, Some(1_000));
    assert_eq!(s.removal_timeout_at_ms, Some(31_000));
    assert_eq!(s.removal_applied_at_turn, Some(7));
    assert!(h.visible_surfaces().is_empty());
    assert_eq!(h.removing_surfaces(), BTreeSet::from(["alpha".to_owned()]));

    // New calls on a draining surface are answered with a rejection effect.
    let call = h
        .apply_surface_input(ExternalToolSurfaceInput::CallStarted {
            surface_id: "alpha".into(),
        })
        .unwrap();
    assert_eq!(
        call.effects,
        vec![ExternalToolSurfaceEffect::RejectSurfaceCall {
            surface_id: "alpha".into(),
            cause: ExternalToolSurfaceFailureCause::SurfaceDraining,
        }]
    );
    assert_eq!(snap(&*h, "alpha").inflight_calls, 1);

    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.finalize_removal_clean("alpha".into()),
        "ExternalToolSurfaceHandle::finalize_removal_clean",
        "drained",
    );
    h.call_finished("alpha".into()).unwrap();
    let epoch = h.snapshot_epoch();
    let done = h
        .apply_surface_input(ExternalToolSurfaceInput::FinalizeRemovalClean {
            surface_id: "alpha".into(),
        })
        .unwrap();
    assert_eq!(
        done.effects,
        vec![
            ExternalToolSurfaceEffect::CloseSurfaceConnection {
                surface_id: "alpha".into()
            },
            ExternalToolSurfaceEffect::RefreshVisibleSurfaceSet {
                snapshot_epoch: epoch + 1
            },
            delta("alpha", Op::Remove, Phase::Applied, None),
        ]
    );
    let s = snap(&*h, "alpha");
    assert_eq!(s.base_state, Some(ExternalToolSurfaceBaseState::Removed));
    assert_eq!(
        (
            s.removal_draining_since_ms,
            s.removal_timeout_at_ms,
            s.removal_applied_at_turn
        ),
        (None, None, None)
    );
    assert!(h.removing_surfaces().is_empty());
    // A removed surface can be added again.
    add_live(&*h, "alpha");
    assert_eq!(h.visible_surfaces(), BTreeSet::from(["alpha".to_owned()]));
}

#[test]
fn a_forced_removal_abandons_calls_in_flight() {
    let h = surfaces();
    add_live(&*h, "alpha");
    h.call_started("alpha".into()).unwrap();
    h.call_started("alpha".into()).unwrap();
    h.stage_remove("alpha".into(), 0).unwrap();
    let seq = staged_seq(&*h, "alpha");
    h.apply_boundary("alpha".into(), 0, seq, 1).unwrap();
    let epoch = h.snapshot_epoch();
    let forced = h
        .apply_surface_input(ExternalToolSurfaceInput::FinalizeRemovalForced {
            surface_id: "alpha".into(),
        })
        .unwrap();
    assert_eq!(
        forced.effects,
        vec![
            ExternalToolSurfaceEffect::CloseSurfaceConnection {
                surface_id: "alpha".into()
            },
            ExternalToolSurfaceEffect::RefreshVisibleSurfaceSet {
                snapshot_epoch: epoch + 1
            },
            delta("alpha", Op::Remove, Phase::Forced, None),
        ]
    );
    let s = snap(&*h, "alpha");
    assert_eq!(s.inflight_calls, 0);
    assert_eq!(s.base_state, Some(ExternalToolSurfaceBaseState::Removed));
    // Only a draining surface can be finalized.
    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.finalize_removal_forced("alpha".into()),
        "ExternalToolSurfaceHandle::finalize_removal_forced",
        "removing",
    );
}

#[test]
fn removing_a_surface_that_is_not_live_only_drops_the_staged_op() {
    let h = surfaces();
    h.stage_remove("ghost".into(), 0).unwrap();
    let applied = h
        .apply_surface_input(ExternalToolSurfaceInput::ApplyBoundary {
            surface_id: "ghost".into(),
            now_ms: 0,
            staged_intent_sequence: 1,
            applied_at_turn: 1,
        })
        .unwrap();
    assert!(applied.effects.is_empty());
    let s = snap(&*h, "ghost");
    assert_eq!(s.staged_op, ExternalToolSurfaceStagedOp::None);
    assert_eq!(s.base_state, None);
    assert_eq!(s.last_delta_phase, None);
    assert_eq!(h.snapshot_epoch(), 0);
    assert!(!h.has_pending_or_staged());
    assert!(h.diagnostic_snapshot().known_surfaces.contains("ghost"));
}

#[test]
fn a_boundary_waits_for_the_pending_op_and_needs_a_staged_one() {
    let h = surfaces();
    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.apply_boundary("alpha".into(), 0, 0, 1),
        "ExternalToolSurfaceHandle::apply_boundary",
        "sequence_matches",
    );
    h.stage_add("alpha".into(), 0).unwrap();
    h.apply_boundary("alpha".into(), 0, 1, 1).unwrap();
    // Even a removal waits until the add completes.
    h.stage_remove("alpha".into(), 0).unwrap();
    let seq = staged_seq(&*h, "alpha");
    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.apply_boundary("alpha".into(), 0, seq, 2),
        "ExternalToolSurfaceHandle::apply_boundary",
        "nothing_pending",
    );
    h.mark_pending_succeeded("alpha".into(), 1, 1).unwrap();
    h.apply_boundary("alpha".into(), 0, seq, 2).unwrap();
    assert_eq!(
        snap(&*h, "alpha").base_state,
        Some(ExternalToolSurfaceBaseState::Removing)
    );
    // A draining surface cannot be added back before it is removed.
    h.stage_add("alpha".into(), 0).unwrap();
    let seq = staged_seq(&*h, "alpha");
    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.apply_boundary("alpha".into(), 0, seq, 3),
        "ExternalToolSurfaceHandle::apply_boundary",
        "not_removing",
    );
}

#[test]
fn calls_are_counted_on_live_surfaces_and_rejected_elsewhere() {
    let h = surfaces();
    let unknown = h
        .apply_surface_input(ExternalToolSurfaceInput::CallStarted {
            surface_id: "ghost".into(),
        })
        .unwrap();
    assert_eq!(
        unknown.effects,
        vec![ExternalToolSurfaceEffect::RejectSurfaceCall {
            surface_id: "ghost".into(),
            cause: ExternalToolSurfaceFailureCause::SurfaceUnavailable,
        }]
    );
    assert_eq!(h.surface_snapshot("ghost"), None);

    add_live(&*h, "alpha");
    let started = h
        .apply_surface_input(ExternalToolSurfaceInput::CallStarted {
            surface_id: "alpha".into(),
        })
        .unwrap();
    assert!(started.effects.is_empty());
    h.call_started("alpha".into()).unwrap();
    assert_eq!(snap(&*h, "alpha").inflight_calls, 2);
    h.call_finished("alpha".into()).unwrap();
    h.call_finished("alpha".into()).unwrap();
    assert_eq!(snap(&*h, "alpha").inflight_calls, 0);

    let before = h.diagnostic_snapshot();
    assert_guard(
        &*h,
        &before,
        h.call_finished("alpha".into()),
        "ExternalToolSurfaceHandle::call_finished",
        "call_in_flight",
    );
    assert_guard(
        &*h,
        &before,
        h.call_finished("ghost".into()),
        "ExternalToolSurfaceHandle::call_finished",
        "call_base_live",
    );
}

#[test]
fn after_shutdown_nothing_new_is_staged_but_work_under_way_completes() {
    let h = surfaces();
    add_live(&*h, "alpha");
    h.stage_add("beta".into(), 0).unwrap();
    let seq = staged_seq(&*h, "beta");
    h.apply_boundary("beta".into(), 0, seq, 1).unwrap();
    h.call_started("alpha".into()).unwrap();

    let down = h
        .apply_surface_input(ExternalToolSurfaceInput::Shutdown)
        .unwrap();
    assert_eq!(down.phase, ExternalToolSurfaceGlobalPhase::Shutdown);
    assert!(down.effects.is_empty());
    // A second shutdown is an accepted no-op; nothing was cleared.
    h.shutdown_surface().unwrap();
    let before = h.diagnostic_snapshot();
    assert_eq!(
        before.surface_phase,
        ExternalToolSurfaceGlobalPhase::Shutdown
    );
    assert_eq!(
        before.visible_surfaces,
        BTreeSet::from(["alpha".to_owned()])
    );

    for (result, context) in [
        (
            h.stage_add("gamma".into(), 0),
            "ExternalToolSurfaceHandle::stage_add",
        ),
        (
            h.stage_remove("alpha".into(), 0),
            "ExternalToolSurfaceHandle::stage_remove",
        ),
        (
            h.stage_reload("alpha".into(), 0),
            "ExternalToolSurfaceHandle::stage_reload",
        ),
        (
            h.apply_boundary("beta".into(), 0, seq, 2),
            "ExternalToolSurfaceHandle::apply_boundary",
        ),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition, "{err}");
        assert_eq!(err.context, context);
        assert_eq!(h.diagnostic_snapshot(), before);
    }
    let err = h
        .apply_surface_input(ExternalToolSurfaceInput::StageAdd {
            surface_id: "gamma".into(),
            now_ms: 0,
        })
        .unwrap_err();
    assert_eq!(err.context, "ExternalToolSurfaceHandle::stage_add");
    assert_eq!(err.kind, DslRejectionKind::NoMatchingTransition);

    // Completions, call accounting and alignment keep working.
    let task = snap(&*h, "beta").pending_task_sequence.unwrap();
    let done = h
        .apply_surface_input(ExternalToolSurfaceInput::MarkPendingSucceeded {
            surface_id: "beta".into(),
            pending_task_sequence: task,
            staged_intent_sequence: seq,
        })
        .unwrap();
    assert_eq!(done.phase, ExternalToolSurfaceGlobalPhase::Shutdown);
    h.call_finished("alpha".into()).unwrap();
    h.register("delta".into()).unwrap();
    h.snapshot_aligned(h.snapshot_epoch()).unwrap();
    assert_eq!(h.snapshot_aligned_epoch(), h.snapshot_epoch());
    assert_eq!(
        h.visible_surfaces(),
        BTreeSet::from(["alpha".to_owned(), "beta".to_owned()])
    );
}

#[test]
fn alignment_records_the_reported_epoch_even_an_older_one() {
    let h = surfaces();
    add_live(&*h, "alpha");
    assert_eq!(h.snapshot_epoch(), 2);
    let aligned = h
        .apply_surface_input(ExternalToolSurfaceInput::SnapshotAligned { epoch: 2 })
        .unwrap();
    assert!(aligned.effects.is_empty());
    assert_eq!(h.snapshot_aligned_epoch(), 2);
    h.snapshot_aligned(1).unwrap();
    assert_eq!(h.snapshot_aligned_epoch(), 1);
    assert_eq!(h.diagnostic_snapshot().snapshot_aligned_epoch, 1);
}

#[test]
fn the_diagnostic_snapshot_lists_every_known_surface_in_id_order() {
    let h = surfaces();
    add_live(&*h, "zeta");
    h.stage_add("alpha".into(), 0).unwrap();
    h.register("mu".into()).unwrap();
    let d = h.diagnostic_snapshot();
    let ids: Vec<&str> = d.entries.iter().map(|e| e.surface_id.as_str()).collect();
    assert_eq!(ids, ["alpha", "mu", "zeta"]);
    assert!(d.has_pending_or_staged);
    assert_eq!(d.visible_surfaces, BTreeSet::from(["zeta".to_owned()]));
    for entry in &d.entries {
        assert_eq!(Some(entry), h.surface_snapshot(&entry.surface_id).as_ref());
    }
}

#[test]
fn errors_through_apply_surface_input_name_the_matching_method() {
    let h = surfaces();
    let before = h.diagnostic_snapshot();
    let cases = [
        (
            ExternalToolSurfaceInput::StageReload {
                surface_id: "a".into(),
                now_ms: 0,
            },
            "ExternalToolSurfaceHandle::stage_reload",
        ),
        (
            ExternalToolSurfaceInput::ApplyBoundary {
                surface_id: "a".into(),
                now_ms: 0,
                staged_intent_sequence: 1,
                applied_at_turn: 1,
            },
            "ExternalToolSurfaceHandle::apply_boundary",
        ),
        (
            ExternalToolSurfaceInput::MarkPendingSucceeded {
                surface_id: "a".into(),
                pending_task_sequence: 1,
                staged_intent_sequence: 1,
            },
            "ExternalToolSurfaceHandle::mark_pending_succeeded",
        ),
        (
            ExternalToolSurfaceInput::MarkPendingFailed {
                surface_id: "a".into(),
                pending_task_sequence: 1,
                staged_intent_sequence: 1,
                cause: ExternalToolSurfaceFailureCause::PendingFailed,
            },
            "ExternalToolSurfaceHandle::mark_pending_failed",
        ),
        (
            ExternalToolSurfaceInput::CallFinished {
                surface_id: "a".into(),
            },
            "ExternalToolSurfaceHandle::call_finished",
        ),
        (
            ExternalToolSurfaceInput::FinalizeRemovalClean {
                surface_id: "a".into(),
            },
            "ExternalToolSurfaceHandle::finalize_removal_clean",
        ),
        (
            ExternalToolSurfaceInput::FinalizeRemovalForced {
                surface_id: "a".into(),
            },
            "ExternalToolSurfaceHandle::finalize_removal_forced",
        ),
    ];
    for (input, context) in cases {
        let err = h.apply_surface_input(input).unwrap_err();
        assert_eq!(err.context, context);
        assert_eq!(err.kind, DslRejectionKind::GuardRejected);
        assert!(err.reason.contains("guard `"), "{}", err.reason);
        assert_eq!(h.diagnostic_snapshot(), before);
    }
}

#[test]
fn handles_of_one_session_share_the_surfaces_and_sessions_are_apart() {
    let session = SessionRuntimeBindings::new(SessionId::new());
    let a = session.external_tool_surface();
    let b = session.external_tool_surface();
    add_live(&*a, "alpha");
    assert_eq!(b.visible_surfaces(), BTreeSet::from(["alpha".to_owned()]));
    let other = surfaces();
    assert!(other.visible_surfaces().is_empty());
    assert_eq!(other.surface_snapshot("alpha"), None);
}

#[test]
fn concurrent_stages_mint_distinct_sequences() {
    let h = surfaces();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let h = Arc::clone(&h);
            std::thread::spawn(move || {
                for i in 0..25 {
                    h.stage_add(format!("s{t}-{i}"), 0).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let d = h.diagnostic_snapshot();
    let seqs: BTreeSet<u64> = d
        .entries
        .iter()
        .map(|e| e.staged_intent_sequence.unwrap())
        .collect();
    assert_eq!(d.entries.len(), 200);
    assert_eq!(seqs, (1..=200).collect());
}
