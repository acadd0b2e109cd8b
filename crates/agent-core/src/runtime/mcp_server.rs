//! [`McpServerLifecycleHandle`], backed by the machine of
//! `machines/mcp_server.fsm`: the connection state of every MCP server the
//! session was told about, and the set still connecting.

use crate::handles::{DslTransitionError, McpServerLifecycleHandle};
use crate::runtime::contract_conversions;
use crate::types::SessionId;
use fsm::{DriveError, Shared, Step};
use std::collections::BTreeSet;
use std::sync::Arc;

fsm::machine!("../../machines/mcp_server.fsm");

contract_conversions!(McpServers);

/// The session's MCP servers: the machine behind its lock.
pub struct McpServerRuntime {
    machine: Shared<McpServers>,
}

impl McpServerRuntime {
    /// No server reported yet.
    pub fn new() -> Self {
        Self {
            machine: Shared::new("McpServers", McpServers::new()),
        }
    }
}

impl Default for McpServerRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl fsm::Authority<McpServers> for McpServerRuntime {
    fn drive(
        &self,
        context: &'static str,
        input: McpServersInput,
    ) -> Result<Step<McpServersPhase, McpServersEffect>, DriveError> {
        self.machine.drive(context, input)
    }

    fn read<R>(&self, f: impl FnOnce(&McpServers) -> R) -> R {
        Shared::read(&self.machine, f)
    }
}

#[fsm::implement("../../machines/mcp_server.fsm", McpServerLifecycleHandle)]
impl McpServerLifecycleHandle for McpServerRuntime {
    fn apply_connect_pending(&self, server_id: &str) -> Result<(), DslTransitionError>;
    fn apply_connected(&self, server_id: &str) -> Result<(), DslTransitionError>;
    fn apply_failed(&self, server_id: &str, error: &str) -> Result<(), DslTransitionError>;
    fn apply_disconnected(&self, server_id: &str) -> Result<(), DslTransitionError>;
    fn apply_reload(&self, server_id: &str) -> Result<(), DslTransitionError>;
    fn pending_server_ids(&self) -> BTreeSet<String>;
}

/// This flow's part of a session.
pub(crate) struct Parts {
    handle: Arc<McpServerRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Self {
            handle: Arc::new(McpServerRuntime::new()),
        }
    }
}

impl crate::runtime::SessionRuntimeBindings {
    /// The connection state of the session's MCP servers; the agent loop
    /// announces `pending_server_ids` before every model call.
    pub fn mcp_server_lifecycle(&self) -> Arc<dyn McpServerLifecycleHandle> {
        self.mcp_server.handle.clone()
    }
}
