//! The MCP server lifecycle handle of a session, through
//! `McpServerLifecycleHandle` only.

use std::collections::BTreeSet;
use std::sync::Arc;

use agent_core::SessionRuntimeBindings;
use agent_core::handles::{DslRejectionKind, DslTransitionError, McpServerLifecycleHandle};
use agent_core::types::SessionId;

fn servers() -> Arc<dyn McpServerLifecycleHandle> {
    SessionRuntimeBindings::new(SessionId::new()).mcp_server_lifecycle()
}

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn servers_that_start_connecting_are_pending() {
    let s = servers();
    assert!(s.pending_server_ids().is_empty());
    s.apply_connect_pending("search").unwrap();
    s.apply_connect_pending("files").unwrap();
    assert_eq!(s.pending_server_ids(), ids(&["files", "search"]));
}

#[test]
fn every_settled_state_leaves_the_pending_set() {
    let s = servers();
    for id in ["a", "b", "c", "d"] {
        s.apply_connect_pending(id).unwrap();
    }
    s.apply_connected("a").unwrap();
    assert_eq!(s.pending_server_ids(), ids(&["b", "c", "d"]));
    s.apply_failed("b", "connection refused").unwrap();
    assert_eq!(s.pending_server_ids(), ids(&["c", "d"]));
    s.apply_disconnected("c").unwrap();
    assert_eq!(s.pending_server_ids(), ids(&["d"]));
}

#[test]
fn a_reload_reconnects_from_any_state() {
    let s = servers();
    s.apply_connect_pending("a").unwrap();
    s.apply_connected("a").unwrap();
    s.apply_connect_pending("b").unwrap();
    s.apply_failed("b", "timeout").unwrap();
    s.apply_disconnected("c").unwrap();
    assert!(s.pending_server_ids().is_empty());
    for id in ["a", "b", "c", "d"] {
        s.apply_reload(id).unwrap();
    }
    assert_eq!(s.pending_server_ids(), ids(&["a", "b", "c", "d"]));
    s.apply_connected("b").unwrap();
    assert_eq!(s.pending_server_ids(), ids(&["a", "c", "d"]));
}

#[test]
fn repeated_and_unannounced_reports_are_taken() {
    let s = servers();
    s.apply_connect_pending("a").unwrap();
    s.apply_connect_pending("a").unwrap();
    assert_eq!(s.pending_server_ids(), ids(&["a"]));
    s.apply_connected("a").unwrap();
    s.apply_connected("a").unwrap();
    s.apply_connected("never-pending").unwrap();
    s.apply_failed("a", "lost").unwrap();
    s.apply_failed("a", "lost again").unwrap();
    assert!(s.pending_server_ids().is_empty());
    s.apply_connect_pending("a").unwrap();
    assert_eq!(s.pending_server_ids(), ids(&["a"]));
}

#[test]
fn an_unnamed_server_is_refused_by_every_method() {
    let s = servers();
    s.apply_connect_pending("a").unwrap();
    let before = s.pending_server_ids();
    type Call = Box<dyn Fn(&dyn McpServerLifecycleHandle) -> Result<(), DslTransitionError>>;
    let calls: [(&str, Call); 5] = [
        (
            "McpServerLifecycleHandle::apply_connect_pending",
            Box::new(|s| s.apply_connect_pending("")),
        ),
        (
            "McpServerLifecycleHandle::apply_connected",
            Box::new(|s| s.apply_connected("")),
        ),
        (
            "McpServerLifecycleHandle::apply_failed",
            Box::new(|s| s.apply_failed("", "boom")),
        ),
        (
            "McpServerLifecycleHandle::apply_disconnected",
            Box::new(|s| s.apply_disconnected("")),
        ),
        (
            "McpServerLifecycleHandle::apply_reload",
            Box::new(|s| s.apply_reload("")),
        ),
    ];
    for (context, call) in calls {
        let err = call(&*s).unwrap_err();
        assert_eq!(err.kind, DslRejectionKind::GuardRejected, "{err}");
        assert_eq!(err.context, context);
        assert!(err.reason.contains("`server_named`"), "{}", err.reason);
        assert_eq!(s.pending_server_ids(), before);
    }
}

#[test]
fn sessions_track_their_own_servers() {
    let a = servers();
    let b = servers();
    a.apply_connect_pending("x").unwrap();
    assert!(b.pending_server_ids().is_empty());
    b.apply_connected("x").unwrap();
    assert_eq!(a.pending_server_ids(), ids(&["x"]));
}

#[test]
fn concurrent_reports_are_all_recorded() {
    let s = servers();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                for i in 0..25 {
                    let id = format!("t{t}-{i}");
                    s.apply_connect_pending(&id).unwrap();
                    if i % 2 == 0 {
                        s.apply_connected(&id).unwrap();
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let pending = s.pending_server_ids();
    assert_eq!(pending.len(), 4 * 12);
    assert!(pending.iter().all(|id| {
        id.rsplit('-')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n % 2 == 1)
    }));
}
