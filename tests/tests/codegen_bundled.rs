//! Every bundled spec in `machines/` compiles through `machine!` (with the
//! extern types it names provided here) and runs a first input.

#![deny(warnings)]

use fsm::Machine;
use fsm_tests::bundled::{self, *};
use fsm_tests::{handles, lifecycle, peer_correlation};

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
        stems,
        bundled::STEMS,
        "add each bundled spec to `bundled!` in tests/src/bundled.rs \
         (CONTRIBUTING.md, recipe \"adding or changing a bundled machine\")"
    );
}

/// A fresh machine starts in its spec's initial phase and satisfies every
/// invariant.
fn starts_clean<M: Machine>(key: M::Key)
where
    M::Phase: std::fmt::Debug,
{
    let m = M::create(key);
    assert_eq!(
        format!("{:?}", m.phase()),
        M::INFO.initial,
        "{}",
        M::INFO.name
    );
    m.check_invariants().unwrap();
    assert!(!m.is_terminal(), "{} starts terminal", M::INFO.name);
}

#[test]
fn bundled_machines_start_in_their_initial_phase_and_satisfy_their_invariants() {
    starts_clean::<auth_lease::AuthLease>(handles::LeaseKey("k".into()));
    starts_clean::<comms_drain::CommsDrain>(());
    starts_clean::<interaction_stream::InteractionStream>(peer_correlation::PeerCorrelationId(
        "c".into(),
    ));
    starts_clean::<mcp_server::McpServers>(());
    starts_clean::<model_routing::ModelRouting>(());
    starts_clean::<peer_ingress::PeerIngress>(());
    starts_clean::<peer_interaction::PeerInteraction>(peer_correlation::PeerCorrelationId(
        "c".into(),
    ));
    starts_clean::<realtime_turn::RealtimeTurn>(());
    starts_clean::<session_context::SessionContext>(());
    starts_clean::<tool_surface::ToolSurface>(());
    starts_clean::<turn::Turn>(());
    assert_eq!(bundled::STEMS.len(), 11, "add new machines above");
}

#[test]
fn turn_runs_a_conversation_turn() {
    use turn::{ContentShape, Turn, TurnPhase, TurnPrimitiveKind};
    let mut t = Turn::new();
    let run = lifecycle::RunId("r1".into());
    t.start_conversation_run(
        run.clone(),
        Some(TurnPrimitiveKind::ConversationTurn),
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

/// Every field of `M`'s snapshot is required on restore: `null` is a value
/// (an `Option` field reads it as `none`), a missing field is an error that
/// names it, never a silent `none`.
fn every_snapshot_field_is_required<M>(key: M::Key) -> usize
where
    M: Machine,
    M::Snapshot: serde::Serialize + serde::de::DeserializeOwned,
{
    let full = serde_json::to_value(M::create(key).snapshot()).unwrap();
    let serde_json::Value::Object(fields) = &full else {
        panic!("{}: a snapshot is a JSON object", M::INFO.name);
    };
    for name in fields.keys() {
        let mut partial = fields.clone();
        partial.remove(name);
        let err = serde_json::from_value::<M::Snapshot>(serde_json::Value::Object(partial))
            .err()
            .unwrap_or_else(|| panic!("{}: a snapshot without `{name}` is read", M::INFO.name));
        assert!(
            err.to_string().contains(&format!("missing field `{name}`")),
            "{}: {err}",
            M::INFO.name
        );
    }
    let count = fields.len();
    serde_json::from_value::<M::Snapshot>(full).unwrap();
    count
}

#[test]
fn restoring_refuses_a_snapshot_missing_any_field() {
    let checked = [
        every_snapshot_field_is_required::<auth_lease::AuthLease>(handles::LeaseKey("k".into())),
        every_snapshot_field_is_required::<comms_drain::CommsDrain>(()),
        every_snapshot_field_is_required::<interaction_stream::InteractionStream>(
            peer_correlation::PeerCorrelationId("c".into()),
        ),
        every_snapshot_field_is_required::<mcp_server::McpServers>(()),
        every_snapshot_field_is_required::<model_routing::ModelRouting>(()),
        every_snapshot_field_is_required::<peer_ingress::PeerIngress>(()),
        every_snapshot_field_is_required::<peer_interaction::PeerInteraction>(
            peer_correlation::PeerCorrelationId("c".into()),
        ),
        every_snapshot_field_is_required::<realtime_turn::RealtimeTurn>(()),
        every_snapshot_field_is_required::<session_context::SessionContext>(()),
        every_snapshot_field_is_required::<tool_surface::ToolSurface>(()),
        every_snapshot_field_is_required::<turn::Turn>(()),
    ];
    assert_eq!(
        checked.len(),
        bundled::STEMS.len(),
        "add new machines above"
    );
    // An `Option` field given as `null` is read as `none`.
    let mut lease =
        serde_json::to_value(auth_lease::AuthLease::new(handles::LeaseKey("k".into())).snapshot())
            .unwrap();
    lease["expires_at"] = serde_json::Value::Null;
    let back: auth_lease::AuthLeaseSnapshot = serde_json::from_value(lease).unwrap();
    assert_eq!(back.expires_at, None);
}

#[test]
fn always_emits_follows_every_path_and_every_ignore() {
    let auth = <auth_lease::AuthLease as Machine>::INFO;
    assert!(auth.always_emits("Acquire", "CredentialPublished"));
    assert!(auth.always_emits("Acquire", "EmitLifecycleEvent"));
    assert!(!auth.always_emits("Release", "CredentialPublished"));
    assert!(!auth.always_emits("NoSuchInput", "CredentialPublished"));
    let turn = <turn::Turn as Machine>::INFO;
    // Every admission transition accepts the input; only some branches
    // submit a run.
    assert!(turn.always_emits("AcceptWithCompletion", "IngressAccepted"));
    assert!(!turn.always_emits("AcceptWithCompletion", "SubmitRunPrimitive"));
    let accept_immediate = turn.transition("accept_immediate").unwrap();
    assert_eq!(
        accept_immediate.always_emits,
        &["IngressAccepted", "PostAdmissionSignal"]
    );
    // Both transitions of `EnsureDrainRunning` spawn, but an `ignore`
    // accepts it without a spawn while a drain runs.
    let drain = <comms_drain::CommsDrain as Machine>::INFO;
    assert!(
        drain
            .transitions
            .iter()
            .filter(|t| t.input == "EnsureDrainRunning")
            .all(|t| t.always_emits == ["SpawnDrainTask"])
    );
    assert!(!drain.always_emits("EnsureDrainRunning", "SpawnDrainTask"));
    // Usable in a constant: a spec change that breaks it fails the build.
    const {
        assert!(
            <auth_lease::AuthLease as Machine>::INFO
                .always_emits("CompleteRefresh", "CredentialPublished")
        );
    }
}
