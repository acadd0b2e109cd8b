//! Phases and operations of external tool surfaces.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether the tool-surface machinery as a whole is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalToolSurfaceGlobalPhase {
    /// Surfaces accept changes.
    Operating,
    /// Surfaces are shut down.
    Shutdown,
}

/// The lifecycle of one surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalToolSurfaceBaseState {
    /// Not present.
    Absent,
    /// Present and visible.
    Active,
    /// Being removed; draining calls.
    Removing,
    /// Removed.
    Removed,
}

/// The operation a surface is running in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalToolSurfacePendingOp {
    /// Nothing is running.
    None,
    /// An add is running.
    Add,
    /// A reload is running.
    Reload,
}

/// The operation staged for a surface's next boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalToolSurfaceStagedOp {
    /// Nothing is staged.
    None,
    /// An add is staged.
    Add,
    /// A removal is staged.
    Remove,
    /// A reload is staged.
    Reload,
}

/// The operation a surface delta reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalToolSurfaceDeltaOperation {
    /// No operation.
    None,
    /// An add.
    Add,
    /// A removal.
    Remove,
    /// A reload.
    Reload,
}

/// The phase a surface delta reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalToolSurfaceDeltaPhase {
    /// No phase.
    None,
    /// The operation is pending.
    Pending,
    /// The operation was applied.
    Applied,
    /// The surface is draining.
    Draining,
    /// The operation failed.
    Failed,
    /// The removal was forced.
    Forced,
}

/// Why a surface operation or call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalToolSurfaceFailureCause {
    /// The pending operation failed (`pending_failed`).
    PendingFailed,
    /// The surface is draining (`surface_draining`).
    SurfaceDraining,
    /// The surface is not available (`surface_unavailable`).
    SurfaceUnavailable,
}

impl ExternalToolSurfaceFailureCause {
    /// The external code, the same text as serde.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingFailed => "pending_failed",
            Self::SurfaceDraining => "surface_draining",
            Self::SurfaceUnavailable => "surface_unavailable",
        }
    }
}

impl fmt::Display for ExternalToolSurfaceFailureCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
