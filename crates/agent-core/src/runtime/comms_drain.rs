//! [`CommsDrainHandle`], backed by the machine of `machines/comms_drain.fsm`.
//!
//! The host spawns and aborts the drain task itself; the machine records
//! what the host reports. Exit reports are facts and are always taken (a
//! respawnable exit of a drain that is not `PersistentHost` is classified
//! as a clean exit); a second spawn while a drain runs contradicts the
//! record and is refused. Its effects tell the host what to spawn; this
//! handle returns only whether the input was taken.

use crate::handles::{self, CommsDrainHandle, DslTransitionError};
use crate::runtime::contract_conversions;
use crate::types::SessionId;
use fsm::{DriveError, Shared, Step};
use std::sync::Arc;

fsm::machine!("../../machines/comms_drain.fsm");

contract_conversions!(CommsDrain);

impl From<handles::DrainMode> for DrainMode {
    fn from(mode: handles::DrainMode) -> Self {
        match mode {
            handles::DrainMode::Timed => Self::Timed,
            handles::DrainMode::AttachedSession => Self::AttachedSession,
            handles::DrainMode::PersistentHost => Self::PersistentHost,
        }
    }
}

impl From<DrainMode> for handles::DrainMode {
    fn from(mode: DrainMode) -> Self {
        match mode {
            DrainMode::Timed => Self::Timed,
            DrainMode::AttachedSession => Self::AttachedSession,
            DrainMode::PersistentHost => Self::PersistentHost,
        }
    }
}

impl From<handles::DrainExitReason> for DrainExitReason {
    fn from(reason: handles::DrainExitReason) -> Self {
        match reason {
            handles::DrainExitReason::IdleTimeout => Self::IdleTimeout,
            handles::DrainExitReason::Dismissed => Self::Dismissed,
            handles::DrainExitReason::Failed => Self::Failed,
            handles::DrainExitReason::Aborted => Self::Aborted,
            handles::DrainExitReason::SessionShutdown => Self::SessionShutdown,
        }
    }
}

impl From<DrainExitReason> for handles::DrainExitReason {
    fn from(reason: DrainExitReason) -> Self {
        match reason {
            DrainExitReason::IdleTimeout => Self::IdleTimeout,
            DrainExitReason::Dismissed => Self::Dismissed,
            DrainExitReason::Failed => Self::Failed,
            DrainExitReason::Aborted => Self::Aborted,
            DrainExitReason::SessionShutdown => Self::SessionShutdown,
        }
    }
}

/// The session's comms drain: the machine behind its lock.
pub struct CommsDrainRuntime {
    machine: Shared<CommsDrain>,
}

impl CommsDrainRuntime {
    /// No drain task yet.
    pub fn new() -> Self {
        Self {
            machine: Shared::new("CommsDrain", CommsDrain::new()),
        }
    }
}

impl Default for CommsDrainRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl fsm::Authority<CommsDrain> for CommsDrainRuntime {
    fn drive(
        &self,
        context: &'static str,
        input: CommsDrainInput,
    ) -> Result<Step<CommsDrainPhase, CommsDrainEffect>, DriveError> {
        self.machine.drive(context, input)
    }

    fn read<R>(&self, f: impl FnOnce(&CommsDrain) -> R) -> R {
        Shared::read(&self.machine, f)
    }
}

#[fsm::implement("../../machines/comms_drain.fsm", CommsDrainHandle)]
impl CommsDrainHandle for CommsDrainRuntime {
    fn ensure_drain_running(&self) -> Result<(), DslTransitionError>;
    fn spawn_drain(&self, mode: handles::DrainMode) -> Result<(), DslTransitionError>;
    fn stop_drain(&self) -> Result<(), DslTransitionError>;
    fn drain_exited_clean(&self) -> Result<(), DslTransitionError>;
    fn drain_exited_respawnable(&self) -> Result<(), DslTransitionError>;
    fn notify_drain_exited(
        &self,
        reason: handles::DrainExitReason,
    ) -> Result<(), DslTransitionError>;
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<CommsDrainRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Self {
            handle: Arc::new(CommsDrainRuntime::new()),
        }
    }
}

impl crate::runtime::SessionRuntimeBindings {
    /// The lifecycle of the session's comms drain task. The session starts
    /// with no drain; `ensure_drain_running` asks the host for one.
    pub fn comms_drain(&self) -> Arc<dyn CommsDrainHandle> {
        self.comms_drain.handle.clone()
    }
}
