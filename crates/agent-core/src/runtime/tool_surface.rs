//! [`ExternalToolSurfaceHandle`], backed by the machine of
//! `machines/tool_surface.fsm`.
//!
//! The handle is the machine behind a lock. Every bound method is written
//! by `#[fsm::implement]`; by hand there are only the conversions between
//! the contract's types and the spec's, `apply_surface_input` (which turns
//! the contract's input into the machine's and hands back the converted
//! effects) and `surface_snapshot` (one surface out of the snapshot).

use std::collections::BTreeSet;
use std::sync::Arc;

use fsm::{Authority, DriveError, FromQuery, Shared, Step};

use crate::handles::{
    DslTransitionError, ExternalToolSurfaceEffect, ExternalToolSurfaceHandle,
    ExternalToolSurfaceInput, ExternalToolSurfaceTransition, SurfaceDiagnosticSnapshot,
    SurfaceSnapshot,
};
use crate::runtime::{contract_conversions, dsl_error};
use crate::tool_scope::{self as contract, ExternalToolSurfaceFailureCause};
use crate::types::SessionId;

/// The generated machine, kept apart from the contract types of the same
/// names.
#[allow(dead_code)]
mod spec {
    fsm::machine!("../../machines/tool_surface.fsm");
}

use spec::{
    ExternalToolSurfaceBaseState, ExternalToolSurfaceDeltaPhase, SurfaceOp, ToolSurface,
    ToolSurfaceEffect, ToolSurfaceInput, ToolSurfacePhase, ToolSurfaceSnapshot,
};

/// This flow's part of a session.
pub(crate) struct Parts {
    surface: Arc<ToolSurfaceRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Parts {
            surface: Arc::new(ToolSurfaceRuntime::new()),
        }
    }
}

impl crate::runtime::SessionRuntimeBindings {
    /// The session's external tool surfaces (MCP servers and the like):
    /// staging, boundary application, background completion, call
    /// accounting and removal draining. Every call returns a handle to the
    /// same surfaces.
    pub fn external_tool_surface(&self) -> Arc<dyn ExternalToolSurfaceHandle> {
        self.tool_surface.surface.clone()
    }
}

/// The session's tool surfaces: one machine behind one lock.
pub(crate) struct ToolSurfaceRuntime {
    machine: Shared<ToolSurface>,
}

impl ToolSurfaceRuntime {
    fn new() -> Self {
        Self {
            machine: Shared::new("ToolSurface", ToolSurface::new()),
        }
    }
}

impl Authority<ToolSurface> for ToolSurfaceRuntime {
    fn drive(
        &self,
        context: &'static str,
        input: ToolSurfaceInput,
    ) -> Result<Step<ToolSurfacePhase, ToolSurfaceEffect>, DriveError> {
        self.machine.drive(context, input)
    }

    fn read<R>(&self, f: impl FnOnce(&ToolSurface) -> R) -> R {
        Authority::<ToolSurface>::read(&self.machine, f)
    }
}

contract_conversions!(ToolSurface);

#[fsm::implement("../../machines/tool_surface.fsm", ExternalToolSurfaceHandle)]
impl ExternalToolSurfaceHandle for ToolSurfaceRuntime {
    fn apply_surface_input(
        &self,
        input: ExternalToolSurfaceInput,
    ) -> Result<ExternalToolSurfaceTransition, DslTransitionError> {
        let (context, input) = machine_input(input);
        let step =
            Authority::<ToolSurface>::drive(self, context, input).map_err(|e| dsl_error(&e))?;
        Ok(ExternalToolSurfaceTransition {
            phase: step.to.into(),
            effects: step.effects.into_iter().map(Into::into).collect(),
        })
    }

    fn register(&self, surface_id: String) -> Result<(), DslTransitionError>;
    fn stage_add(&self, surface_id: String, now_ms: u64) -> Result<(), DslTransitionError>;
    fn stage_remove(&self, surface_id: String, now_ms: u64) -> Result<(), DslTransitionError>;
    fn stage_reload(&self, surface_id: String, now_ms: u64) -> Result<(), DslTransitionError>;
    fn apply_boundary(
        &self,
        surface_id: String,
        now_ms: u64,
        staged_intent_sequence: u64,
        applied_at_turn: u64,
    ) -> Result<(), DslTransitionError>;
    fn mark_pending_succeeded(
        &self,
        surface_id: String,
        pending_task_sequence: u64,
        staged_intent_sequence: u64,
    ) -> Result<(), DslTransitionError>;
    fn mark_pending_failed(
        &self,
        surface_id: String,
        pending_task_sequence: u64,
        staged_intent_sequence: u64,
        cause: ExternalToolSurfaceFailureCause,
    ) -> Result<(), DslTransitionError>;
    fn call_started(&self, surface_id: String) -> Result<(), DslTransitionError>;
    fn call_finished(&self, surface_id: String) -> Result<(), DslTransitionError>;
    fn finalize_removal_clean(&self, surface_id: String) -> Result<(), DslTransitionError>;
    fn finalize_removal_forced(&self, surface_id: String) -> Result<(), DslTransitionError>;
    fn snapshot_aligned(&self, epoch: u64) -> Result<(), DslTransitionError>;
    fn shutdown_surface(&self) -> Result<(), DslTransitionError>;

    fn surface_snapshot(&self, surface_id: &str) -> Option<SurfaceSnapshot> {
        Authority::<ToolSurface>::read(self, |m| {
            surface_entry(&fsm::Machine::snapshot(m), surface_id)
        })
    }

    fn diagnostic_snapshot(&self) -> SurfaceDiagnosticSnapshot;
    fn visible_surfaces(&self) -> BTreeSet<String>;
    fn removing_surfaces(&self) -> BTreeSet<String>;
    fn pending_surfaces(&self) -> BTreeSet<String>;
    fn has_pending_or_staged(&self) -> bool;
    fn snapshot_epoch(&self) -> u64;
    fn snapshot_aligned_epoch(&self) -> u64;
}

/// The machine's input for a contract input, with the context its
/// rejection carries: that of the plain method driving the same input.
fn machine_input(input: ExternalToolSurfaceInput) -> (&'static str, ToolSurfaceInput) {
    use ExternalToolSurfaceInput as C;
    use ToolSurfaceInput as M;
    match input {
        C::StageAdd { surface_id, now_ms } => (
            "ExternalToolSurfaceHandle::stage_add",
            M::StageAdd { surface_id, now_ms },
        ),
        C::StageRemove { surface_id, now_ms } => (
            "ExternalToolSurfaceHandle::stage_remove",
            M::StageRemove { surface_id, now_ms },
        ),
        C::StageReload { surface_id, now_ms } => (
            "ExternalToolSurfaceHandle::stage_reload",
            M::StageReload { surface_id, now_ms },
        ),
        C::ApplyBoundary {
            surface_id,
            now_ms,
            staged_intent_sequence,
            applied_at_turn,
        } => (
            "ExternalToolSurfaceHandle::apply_boundary",
            M::ApplyBoundary {
                surface_id,
                now_ms,
                staged_intent_sequence,
                applied_at_turn,
            },
        ),
        C::MarkPendingSucceeded {
            surface_id,
            pending_task_sequence,
            staged_intent_sequence,
        } => (
            "ExternalToolSurfaceHandle::mark_pending_succeeded",
            M::MarkPendingSucceeded {
                surface_id,
                pending_task_sequence,
                staged_intent_sequence,
            },
        ),
        C::MarkPendingFailed {
            surface_id,
            pending_task_sequence,
            staged_intent_sequence,
            cause,
        } => (
            "ExternalToolSurfaceHandle::mark_pending_failed",
            M::MarkPendingFailed {
                surface_id,
                pending_task_sequence,
                staged_intent_sequence,
                cause,
            },
        ),
        C::CallStarted { surface_id } => (
            "ExternalToolSurfaceHandle::call_started",
            M::CallStarted { surface_id },
        ),
        C::CallFinished { surface_id } => (
            "ExternalToolSurfaceHandle::call_finished",
            M::CallFinished { surface_id },
        ),
        C::FinalizeRemovalClean { surface_id } => (
            "ExternalToolSurfaceHandle::finalize_removal_clean",
            M::FinalizeRemovalClean { surface_id },
        ),
        C::FinalizeRemovalForced { surface_id } => (
            "ExternalToolSurfaceHandle::finalize_removal_forced",
            M::FinalizeRemovalForced { surface_id },
        ),
        C::SnapshotAligned { epoch } => (
            "ExternalToolSurfaceHandle::snapshot_aligned",
            M::SnapshotAligned { epoch },
        ),
        C::Shutdown => ("ExternalToolSurfaceHandle::shutdown_surface", M::Shutdown),
    }
}

/// One surface of a snapshot; `None` when the machine has never heard of
/// it (not known, and in none of the per-surface maps).
fn surface_entry(s: &ToolSurfaceSnapshot, surface_id: &str) -> Option<SurfaceSnapshot> {
    let tracked = s.known_surfaces.contains(surface_id)
        || s.base_state.contains_key(surface_id)
        || s.pending_op.contains_key(surface_id)
        || s.staged_op.contains_key(surface_id);
    if !tracked {
        return None;
    }
    Some(SurfaceSnapshot {
        surface_id: surface_id.to_owned(),
        base_state: s.base_state.get(surface_id).copied().map(Into::into),
        pending_op: pending_op(s.pending_op.get(surface_id).copied()),
        staged_op: staged_op(s.staged_op.get(surface_id).copied()),
        staged_intent_sequence: s.staged_sequence.get(surface_id).copied(),
        pending_task_sequence: s.task_sequence.get(surface_id).copied(),
        pending_lineage_sequence: s.lineage_sequence.get(surface_id).copied(),
        inflight_calls: s.inflight_calls.get(surface_id).copied().unwrap_or(0),
        last_delta_operation: s
            .last_delta_operation
            .get(surface_id)
            .copied()
            .map(Into::into),
        last_delta_phase: s.last_delta_phase.get(surface_id).copied().map(Into::into),
        removal_draining_since_ms: s.removal_draining_since_ms.get(surface_id).copied(),
        removal_timeout_at_ms: s.removal_timeout_at_ms.get(surface_id).copied(),
        removal_applied_at_turn: s.removal_applied_at_turn.get(surface_id).copied(),
    })
}

/// The whole state as the contract reports it; entries in id order.
impl FromQuery<ToolSurface, ToolSurfaceSnapshot> for SurfaceDiagnosticSnapshot {
    fn from_query(_context: &'static str, s: ToolSurfaceSnapshot) -> Self {
        SurfaceDiagnosticSnapshot {
            surface_phase: s.phase.into(),
            entries: s
                .known_surfaces
                .iter()
                .filter_map(|id| surface_entry(&s, id))
                .collect(),
            has_pending_or_staged: s.has_pending_or_staged,
            snapshot_epoch: s.snapshot_epoch,
            snapshot_aligned_epoch: s.snapshot_aligned_epoch,
            visible_surfaces: s.visible_surfaces,
            known_surfaces: s.known_surfaces,
        }
    }
}

impl From<ToolSurfacePhase> for contract::ExternalToolSurfaceGlobalPhase {
    fn from(phase: ToolSurfacePhase) -> Self {
        match phase {
            ToolSurfacePhase::Operating => Self::Operating,
            ToolSurfacePhase::Shutdown => Self::Shutdown,
        }
    }
}

impl From<ExternalToolSurfaceBaseState> for contract::ExternalToolSurfaceBaseState {
    fn from(state: ExternalToolSurfaceBaseState) -> Self {
        match state {
            ExternalToolSurfaceBaseState::Active => Self::Active,
            ExternalToolSurfaceBaseState::Removing => Self::Removing,
            ExternalToolSurfaceBaseState::Removed => Self::Removed,
        }
    }
}

impl From<SurfaceOp> for contract::ExternalToolSurfaceDeltaOperation {
    fn from(op: SurfaceOp) -> Self {
        match op {
            SurfaceOp::Add => Self::Add,
            SurfaceOp::Remove => Self::Remove,
            SurfaceOp::Reload => Self::Reload,
        }
    }
}

impl From<ExternalToolSurfaceDeltaPhase> for contract::ExternalToolSurfaceDeltaPhase {
    fn from(phase: ExternalToolSurfaceDeltaPhase) -> Self {
        match phase {
            ExternalToolSurfaceDeltaPhase::Pending => Self::Pending,
            ExternalToolSurfaceDeltaPhase::Applied => Self::Applied,
            ExternalToolSurfaceDeltaPhase::Draining => Self::Draining,
            ExternalToolSurfaceDeltaPhase::Failed => Self::Failed,
            ExternalToolSurfaceDeltaPhase::Forced => Self::Forced,
        }
    }
}

fn staged_op(op: Option<SurfaceOp>) -> contract::ExternalToolSurfaceStagedOp {
    match op {
        None => contract::ExternalToolSurfaceStagedOp::None,
        Some(SurfaceOp::Add) => contract::ExternalToolSurfaceStagedOp::Add,
        Some(SurfaceOp::Remove) => contract::ExternalToolSurfaceStagedOp::Remove,
        Some(SurfaceOp::Reload) => contract::ExternalToolSurfaceStagedOp::Reload,
    }
}

/// A pending op is never `Remove` (invariant `pending_is_add_or_reload`);
/// were it one, it would read as nothing pending.
fn pending_op(op: Option<SurfaceOp>) -> contract::ExternalToolSurfacePendingOp {
    match op {
        None | Some(SurfaceOp::Remove) => contract::ExternalToolSurfacePendingOp::None,
        Some(SurfaceOp::Add) => contract::ExternalToolSurfacePendingOp::Add,
        Some(SurfaceOp::Reload) => contract::ExternalToolSurfacePendingOp::Reload,
    }
}

impl From<ToolSurfaceEffect> for ExternalToolSurfaceEffect {
    fn from(effect: ToolSurfaceEffect) -> Self {
        match effect {
            ToolSurfaceEffect::ScheduleSurfaceCompletion {
                surface_id,
                operation,
                pending_task_sequence,
                staged_intent_sequence,
                applied_at_turn,
            } => Self::ScheduleSurfaceCompletion {
                surface_id,
                operation: operation.into(),
                pending_task_sequence,
                staged_intent_sequence,
                applied_at_turn,
            },
            ToolSurfaceEffect::RefreshVisibleSurfaceSet { snapshot_epoch } => {
                Self::RefreshVisibleSurfaceSet { snapshot_epoch }
            }
            ToolSurfaceEffect::EmitExternalToolDelta {
                surface_id,
                operation,
                delta_phase,
                cause,
            } => Self::EmitExternalToolDelta {
                surface_id,
                operation: operation.into(),
                phase: delta_phase.into(),
                cause,
            },
            ToolSurfaceEffect::CloseSurfaceConnection { surface_id } => {
                Self::CloseSurfaceConnection { surface_id }
            }
            ToolSurfaceEffect::RejectSurfaceCall { surface_id, cause } => {
                Self::RejectSurfaceCall { surface_id, cause }
            }
        }
    }
}
