//! Generated `apply` against a handwritten `match` of the same machine
//! (`machines/auth_lease.fsm`), on the same inputs; and `codegen::generate`
//! on every bundled spec.
//!
//! The handwritten machine is what a careful author would write without
//! the language: a `match` on (phase, input), checked arithmetic, the same
//! result types. With `cargo bench` invariant checks are off in both.

use criterion::{Criterion, criterion_group, criterion_main};
use fsm::Machine;
use std::hint::black_box;

mod handles {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct LeaseKey(pub u64);
}

mod generated {
    fsm::machine!("../machines/auth_lease.fsm");
}

mod handwritten {
    use super::handles::LeaseKey;
    use fsm::{Rejection, RejectionKind, Step};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Phase {
        Valid,
        Expiring,
        Refreshing,
        ReauthRequired,
        Released,
    }

    impl Phase {
        fn as_str(self) -> &'static str {
            match self {
                Phase::Valid => "Valid",
                Phase::Expiring => "Expiring",
                Phase::Refreshing => "Refreshing",
                Phase::ReauthRequired => "ReauthRequired",
                Phase::Released => "Released",
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Failure {
        Transient,
        Permanent,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Input {
        Acquire {
            expires_at_ts: Option<u64>,
        },
        MarkExpiring,
        BeginRefresh,
        CompleteRefresh {
            new_expires_at: Option<u64>,
            now: u64,
        },
        RefreshFailed {
            disposition: Failure,
        },
        MarkReauthRequired,
        ReleaseCredentialLifecycle,
        SignInFlowStarted,
        SignInFlowEnded,
        Release,
    }

    impl Input {
        fn name(&self) -> &'static str {
            match self {
                Input::Acquire { .. } => "Acquire",
                Input::MarkExpiring => "MarkExpiring",
                Input::BeginRefresh => "BeginRefresh",
                Input::CompleteRefresh { .. } => "CompleteRefresh",
                Input::RefreshFailed { .. } => "RefreshFailed",
                Input::MarkReauthRequired => "MarkReauthRequired",
                Input::ReleaseCredentialLifecycle => "ReleaseCredentialLifecycle",
                Input::SignInFlowStarted => "SignInFlowStarted",
                Input::SignInFlowEnded => "SignInFlowEnded",
                Input::Release => "Release",
            }
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Effect {
        EmitLifecycleEvent {
            new_state: Phase,
        },
        WakeRefreshLoop,
        CredentialPublished {
            expires_at: Option<u64>,
            generation: u64,
            published_at_ms: Option<u64>,
        },
    }

    #[derive(Debug, Clone)]
    pub struct Lease {
        _key: LeaseKey,
        phase: Phase,
        expires_at: Option<u64>,
        sign_in_flow: bool,
        last_refresh: Option<u64>,
        refresh_attempt: u32,
        credential_present: bool,
    }

    type Result = std::result::Result<Step<Phase, Effect>, Rejection>;

    impl Lease {
        pub fn new(key: LeaseKey) -> Self {
            Lease {
                _key: key,
                phase: Phase::Valid,
                expires_at: None,
                sign_in_flow: false,
                last_refresh: None,
                refresh_attempt: 0,
                credential_present: false,
            }
        }

        fn reject(&self, input: &Input, kind: RejectionKind) -> Rejection {
            Rejection {
                machine: "AuthLease",
                phase: self.phase.as_str(),
                input: input.name(),
                kind,
            }
        }

        fn step(&mut self, name: &'static str, to: Phase, effects: Vec<Effect>) -> Result {
            let from = self.phase;
            // The spec's `invariant always released_holds_nothing`: checked
            // in every build, as the generated code does.
            if to == Phase::Released && self.credential_present {
                return Err(Rejection {
                    machine: "AuthLease",
                    phase: from.as_str(),
                    // Only `release` (on `Release`) enters `Released`.
                    input: "Release",
                    kind: RejectionKind::InvariantViolated {
                        transition: name,
                        invariant: "released_holds_nothing",
                    },
                });
            }
            self.phase = to;
            Ok(Step {
                transition: Some(name),
                from,
                to,
                effects,
            })
        }

        pub fn apply(&mut self, input: Input) -> Result {
            use Phase::*;
            match (self.phase, &input) {
                (Released, Input::Release | Input::ReleaseCredentialLifecycle) => Ok(Step {
                    transition: None,
                    from: Released,
                    to: Released,
                    effects: Vec::new(),
                }),
                (Released, _) => Err(self.reject(&input, RejectionKind::NoMatchingTransition)),
                (_, Input::Acquire { expires_at_ts }) => {
                    self.expires_at = expires_at_ts.filter(|&e| e != u64::MAX);
                    self.refresh_attempt = 0;
                    self.credential_present = true;
                    let effects = vec![
                        Effect::CredentialPublished {
                            expires_at: self.expires_at,
                            generation: 0,
                            published_at_ms: None,
                        },
                        Effect::EmitLifecycleEvent { new_state: Valid },
                    ];
                    self.step("acquire", Valid, effects)
                }
                (Valid, Input::MarkExpiring) => {
                    if !self.credential_present {
                        return Err(self.reject(
                            &input,
                            RejectionKind::GuardRejected {
                                transition: "mark_expiring",
                                guard: "holds_credential",
                            },
                        ));
                    }
                    let effects = vec![Effect::EmitLifecycleEvent {
                        new_state: Expiring,
                    }];
                    self.step("mark_expiring", Expiring, effects)
                }
                (Valid | Expiring, Input::BeginRefresh) => {
                    if !self.credential_present {
                        return Err(self.reject(
                            &input,
                            RejectionKind::GuardRejected {
                                transition: "begin_refresh",
                                guard: "holds_credential",
                            },
                        ));
                    }
                    let effects = vec![
                        Effect::WakeRefreshLoop,
                        Effect::EmitLifecycleEvent {
                            new_state: Refreshing,
                        },
                    ];
                    self.step("begin_refresh", Refreshing, effects)
                }
                (
                    Refreshing,
                    Input::CompleteRefresh {
                        new_expires_at,
                        now,
                    },
                ) => {
                    self.expires_at = new_expires_at.filter(|&e| e != u64::MAX);
                    self.last_refresh = Some(*now);
                    self.refresh_attempt = 0;
                    let effects = vec![
                        Effect::CredentialPublished {
                            expires_at: self.expires_at,
                            generation: 0,
                            published_at_ms: None,
                        },
                        Effect::EmitLifecycleEvent { new_state: Valid },
                    ];
                    self.step("complete_refresh", Valid, effects)
                }
                (Refreshing, Input::RefreshFailed { disposition }) => {
                    let (name, to) = match disposition {
                        Failure::Transient => ("refresh_failed_transient", Expiring),
                        Failure::Permanent => ("refresh_failed_permanent", ReauthRequired),
                    };
                    let Some(attempt) = self.refresh_attempt.checked_add(1) else {
                        return Err(self.reject(
                            &input,
                            RejectionKind::ArithmeticOverflow { transition: name },
                        ));
                    };
                    self.refresh_attempt = attempt;
                    let effects = vec![Effect::EmitLifecycleEvent { new_state: to }];
                    self.step(name, to, effects)
                }
                (Valid | Expiring | Refreshing, Input::MarkReauthRequired) => {
                    if !self.credential_present {
                        return Err(self.reject(
                            &input,
                            RejectionKind::GuardRejected {
                                transition: "mark_reauth_required",
                                guard: "holds_credential",
                            },
                        ));
                    }
                    let effects = vec![Effect::EmitLifecycleEvent {
                        new_state: ReauthRequired,
                    }];
                    self.step("mark_reauth_required", ReauthRequired, effects)
                }
                (_, Input::ReleaseCredentialLifecycle) if !self.sign_in_flow => {
                    self.credential_present = false;
                    let effects = vec![Effect::EmitLifecycleEvent {
                        new_state: Released,
                    }];
                    self.step("release_credential_lifecycle", Released, effects)
                }
                (_, Input::ReleaseCredentialLifecycle) => {
                    self.expires_at = None;
                    self.last_refresh = None;
                    self.refresh_attempt = 0;
                    self.credential_present = false;
                    let effects = vec![Effect::EmitLifecycleEvent {
                        new_state: ReauthRequired,
                    }];
                    self.step("clear_credential_lifecycle", ReauthRequired, effects)
                }
                (_, Input::SignInFlowStarted | Input::SignInFlowEnded) => {
                    let (name, flow) = match input {
                        Input::SignInFlowStarted => ("sign_in_flow_started", true),
                        _ => ("sign_in_flow_ended", false),
                    };
                    self.sign_in_flow = flow;
                    let to = self.phase;
                    self.step(name, to, Vec::new())
                }
                (_, Input::Release) => {
                    self.credential_present = false;
                    self.sign_in_flow = false;
                    let effects = vec![Effect::EmitLifecycleEvent {
                        new_state: Released,
                    }];
                    self.step("release", Released, effects)
                }
                _ => Err(self.reject(&input, RejectionKind::NoMatchingTransition)),
            }
        }
    }
}

/// One lap through every transition but `release` (it ends where it
/// starts, in `Valid` with a credential), with a rejected input.
macro_rules! lap {
    ($input:ident, $failure:ident) => {
        vec![
            $input::MarkExpiring,
            $input::BeginRefresh,
            $input::BeginRefresh,
            $input::RefreshFailed {
                disposition: $failure::Transient,
            },
            $input::BeginRefresh,
            $input::CompleteRefresh {
                new_expires_at: Some(100),
                now: 50,
            },
            $input::BeginRefresh,
            $input::RefreshFailed {
                disposition: $failure::Permanent,
            },
            $input::SignInFlowStarted,
            $input::ReleaseCredentialLifecycle,
            $input::SignInFlowEnded,
            $input::Acquire {
                expires_at_ts: Some(200),
            },
            $input::MarkReauthRequired,
            $input::Acquire {
                expires_at_ts: Some(300),
            },
        ]
    };
}

fn generated_lap() -> Vec<generated::AuthLeaseInput> {
    use generated::{AuthLeaseInput, RefreshFailure};
    lap!(AuthLeaseInput, RefreshFailure)
}

fn handwritten_lap() -> Vec<handwritten::Input> {
    use handwritten::{Failure, Input};
    lap!(Input, Failure)
}

/// Both machines take the same transitions, emit the same effects and
/// reject the same inputs the same way.
fn check_equivalent() {
    let mut g = generated::AuthLease::new(handles::LeaseKey(1));
    let mut h = handwritten::Lease::new(handles::LeaseKey(1));
    let mut gi = generated_lap();
    gi.extend([
        generated::AuthLeaseInput::Release,
        generated::AuthLeaseInput::Release,
    ]);
    let mut hi = handwritten_lap();
    hi.extend([handwritten::Input::Release, handwritten::Input::Release]);
    // From a fresh lease, `MarkExpiring` is refused by a guard first.
    for (a, b) in gi.into_iter().zip(hi) {
        let a = g.apply(a);
        let b = h.apply(b);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.transition, b.transition);
                assert_eq!(a.to.as_str(), format!("{:?}", b.to));
                assert_eq!(format!("{:?}", a.effects), format!("{:?}", b.effects));
            }
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("generated {a:?}, handwritten {b:?}"),
        }
    }
}

fn apply(c: &mut Criterion) {
    check_equivalent();
    let mut group = c.benchmark_group("auth_lease_lap");

    let inputs = generated_lap();
    let mut machine = generated::AuthLease::new(handles::LeaseKey(1));
    machine.acquire(Some(10)).unwrap_or_else(|e| panic!("{e}"));
    group.bench_function("generated", |b| {
        b.iter(|| {
            for input in &inputs {
                let _ = black_box(machine.apply(black_box(input.clone())));
            }
        })
    });
    assert_eq!(machine.phase(), generated::AuthLeasePhase::Valid);

    let inputs = handwritten_lap();
    let mut machine = handwritten::Lease::new(handles::LeaseKey(1));
    let _ = machine.apply(handwritten::Input::Acquire {
        expires_at_ts: Some(10),
    });
    group.bench_function("handwritten", |b| {
        b.iter(|| {
            for input in &inputs {
                let _ = black_box(machine.apply(black_box(input.clone())));
            }
        })
    });
    group.finish();
}

fn generate(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut group = c.benchmark_group("codegen_generate");
    for name in ["auth_lease", "turn", "tool_surface"] {
        let path = format!("machines/{name}.fsm");
        let bytes = std::fs::read(root.join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let Some(model) = fsm_core::compile(&path, &bytes).model else {
            panic!("{path} has errors");
        };
        group.bench_function(name, |b| {
            b.iter(|| fsm_core::codegen::generate(black_box(&model)))
        });
    }
    group.finish();
}

criterion_group!(benches, apply, generate);
criterion_main!(benches);
