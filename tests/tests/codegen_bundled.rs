//! Every bundled spec in `machines/` compiles through `machine!` (with the
//! extern types it names provided here) and runs a first input.

#![deny(warnings)]

use fsm::Machine;
use serde::{Deserialize, Serialize};

mod handles {
    use super::*;

    /// `auth_lease.fsm`'s `LeaseKey`.
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct LeaseKey(pub String);
}

mod lifecycle {
    use super::*;

    /// `turn.fsm`'s `RunId`.
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct RunId(pub u64);
}

mod ops {
    use super::*;

    /// `turn.fsm`'s `OperationId`.
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct OperationId(pub u64);
}

mod auth_lease {
    fsm::machine!("../machines/auth_lease.fsm");
}

mod turn {
    fsm::machine!("../machines/turn.fsm");
}

mod tool_surface {
    fsm::machine!("../machines/tool_surface.fsm");
}

/// The specs compiled above, by file stem.
const COMPILED: &[&str] = &["auth_lease", "tool_surface", "turn"];

#[test]
fn every_bundled_spec_is_compiled_here() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../machines");
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "fsm"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    stems.sort();
    assert_eq!(
        stems, COMPILED,
        "add a `machine!` for each bundled spec to this file"
    );
}

#[test]
fn bundled_machines_start_in_their_initial_phase_and_satisfy_their_invariants() {
    let lease = auth_lease::AuthLease::new(handles::LeaseKey("k".into()));
    assert_eq!(lease.phase().as_str(), auth_lease::AuthLease::INFO.initial);
    lease.check_invariants().unwrap();
    let turn = turn::Turn::new();
    assert_eq!(turn.phase().as_str(), turn::Turn::INFO.initial);
    turn.check_invariants().unwrap();
    let surface = tool_surface::ToolSurface::new();
    assert_eq!(
        surface.phase().as_str(),
        tool_surface::ToolSurface::INFO.initial
    );
    surface.check_invariants().unwrap();
}

#[test]
fn turn_runs_a_conversation_turn() {
    use turn::{ContentShape, Turn, TurnPhase, TurnPrimitiveKind};
    let mut t = Turn::new();
    let run = lifecycle::RunId(1);
    t.start_conversation_run(
        run.clone(),
        TurnPrimitiveKind::ConversationTurn,
        ContentShape::Conversation,
        false,
        false,
        0,
    )
    .unwrap();
    assert_eq!(t.phase(), TurnPhase::ApplyingPrimitive);
    assert_eq!(t.current_run_id(), &Some(run));
    t.primitive_applied().unwrap();
    assert_eq!(t.phase(), TurnPhase::CallingLlm);
    let restored = Turn::restore(t.snapshot()).unwrap();
    assert_eq!(restored, t);
}

#[test]
fn tool_surface_stages_and_applies_an_add() {
    use tool_surface::{ToolSurface, ToolSurfaceEffect};
    let mut s = ToolSurface::new();
    s.stage_add("s1".into(), 0).unwrap();
    let step = s.apply_boundary("s1".into(), 0, 1, 1).unwrap();
    assert!(step.effects.iter().any(|e| matches!(
        e,
        ToolSurfaceEffect::ScheduleSurfaceCompletion { surface_id, .. } if surface_id == "s1"
    )));
    // A stale intent sequence is refused by a guard.
    s.stage_add("s2".into(), 0).unwrap();
    let err = s.apply_boundary("s2".into(), 0, 1, 1).unwrap_err();
    assert_eq!(err.kind.guard(), Some("sequence_matches"));
    let restored = ToolSurface::restore(s.snapshot()).unwrap();
    assert_eq!(restored, s);
}
