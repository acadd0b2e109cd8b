//! [`AuthLeaseHandle`], backed by the keyed machine of
//! `machines/auth_lease.fsm`: one instance per [`LeaseKey`].
//!
//! The registry of instances sits behind one lock together with what the
//! registry keeps per key beyond an instance's life: the publication
//! counter (*generation*) and the wall-clock time of the current
//! publication. Both change only on the spec's `CredentialPublished`
//! effect and on an instance's retirement, in the same critical section as
//! the input that caused them.
//!
//! A bound method's return value is built from the machine's step alone
//! (`fsm::FromDrive`): `acquire_lease` and `complete_refresh` return the
//! generation and publication time the registry stamped into the step's
//! `CredentialPublished` effect, inside the same critical section.
//!
//! `restore_auth_lifecycle_snapshot` and `release_credential_lifecycle`
//! are the runtime's overrides of the seed's default bodies: a restore is
//! one atomic step that installs the lease in the snapshot's phase
//! (`Restore`) and restores the snapshot's generation and publication time
//! instead of publishing anew; releasing the credential lifecycle keeps a
//! lease that has a sign-in flow registered.
//!
//! The seed's refresh methods carry no ticket, so a refresh begun before
//! the user signed in again can complete over the newer credential (see
//! the spec). [`AuthLeaseRuntime::begin_refresh_ticketed`] and
//! [`AuthLeaseRuntime::complete_refresh_ticketed`] close that hazard.

use std::collections::BTreeMap;
use std::sync::Arc;

use fsm::{DriveError, FromDrive, KeyedAuthority, Shared, Step};

use crate::connection::{BindingId, ProfileId, RealmId};
use crate::handles::{self, AuthLeaseHandle, AuthLeaseTransition, DslTransitionError, LeaseKey};
use crate::runtime::{contract_conversions, dsl_error};
use crate::types::SessionId;

/// The generated machine, kept apart from the contract types of the same
/// names (`AuthLeasePhase`, `AuthLeaseSnapshot`).
#[allow(dead_code)]
mod spec {
    fsm::machine!("../../machines/auth_lease.fsm");
}

use spec::{AuthLease, AuthLeaseEffect, AuthLeaseInput, AuthLeasePhase, RefreshFailure};

/// This flow's part of a session.
pub(crate) struct Parts {
    leases: Arc<AuthLeaseRuntime>,
}

impl Parts {
    pub(crate) fn new(_session_id: &SessionId) -> Self {
        Parts {
            leases: Arc::new(AuthLeaseRuntime::new()),
        }
    }
}

impl crate::runtime::SessionRuntimeBindings {
    /// The session's credential leases, one per [`LeaseKey`]: publication,
    /// the single-flight refresh, re-authentication and release, with the
    /// per-key generation consumers stamp derived material with. Every
    /// call returns a handle to the same leases.
    pub fn auth_lease(&self) -> Arc<dyn AuthLeaseHandle> {
        self.auth_lease.leases.clone()
    }

    /// The same leases as [`auth_lease`](Self::auth_lease), with the
    /// methods the seed's trait lacks: ticketed refreshes and sign-in flow
    /// registration.
    pub fn auth_leases(&self) -> Arc<AuthLeaseRuntime> {
        self.auth_lease.leases.clone()
    }
}

/// The leases of a session and what the registry keeps per key.
#[derive(Default)]
struct LeaseBook {
    leases: spec::AuthLeaseRegistry,
    /// Per key, how many credentials were ever published. Kept when the
    /// instance is released, so a re-acquired credential gets a larger
    /// number.
    generations: BTreeMap<LeaseKey, u64>,
    /// Per key, when the current credential was published (epoch ms, wall
    /// clock). Dropped with the instance.
    published_at_ms: BTreeMap<LeaseKey, u64>,
}

impl LeaseBook {
    /// Applies `input` to the instance of `key`, then books what the step
    /// reports: a publication bumps the key's generation, records the time
    /// and stamps both into the `CredentialPublished` effect; an instance
    /// the registry retired takes its publication time with it.
    fn apply(
        &mut self,
        key: LeaseKey,
        input: AuthLeaseInput,
    ) -> Result<Step<AuthLeasePhase, AuthLeaseEffect>, fsm::Rejection> {
        let mut step = self.leases.apply_retiring(key.clone(), input)?;
        for effect in &mut step.effects {
            if let AuthLeaseEffect::CredentialPublished {
                generation,
                published_at_ms,
                ..
            } = effect
            {
                let counter = self.generations.entry(key.clone()).or_insert(0);
                *counter = counter.saturating_add(1);
                let at = wall_clock_ms();
                self.published_at_ms.insert(key.clone(), at);
                *generation = *counter;
                *published_at_ms = Some(at);
            }
        }
        if !self
            .leases
            .get(&key)
            .is_some_and(AuthLease::credential_present)
        {
            self.published_at_ms.remove(&key);
        }
        Ok(step)
    }

    fn generation(&self, key: &LeaseKey) -> u64 {
        self.generations.get(key).copied().unwrap_or(0)
    }

    /// The runtime's restore (flows 7.4), in one critical section.
    fn restore(
        &mut self,
        key: &LeaseKey,
        snapshot: &handles::AuthLeaseSnapshot,
        expires_at: Option<u64>,
    ) -> Result<(), fsm::Rejection> {
        let live_phase = match snapshot.phase {
            Some(handles::AuthLeasePhase::Released) | None => None,
            Some(phase) => Some(phase),
        };
        let Some(phase) = live_phase.filter(|_| snapshot.credential_present) else {
            // An empty snapshot: no credential. A lease with a sign-in flow
            // is kept, credential cleared, and never loses generations;
            // any other lease goes, and the key's generation becomes the
            // snapshot's.
            self.published_at_ms.remove(key);
            if self.leases.get(key).is_some_and(AuthLease::sign_in_flow) {
                self.apply(key.clone(), AuthLeaseInput::ReleaseCredentialLifecycle)?;
                let current = self.generation(key);
                self.generations
                    .insert(key.clone(), current.max(snapshot.generation));
            } else {
                self.leases.remove(key);
                if snapshot.generation == 0 {
                    self.generations.remove(key);
                } else {
                    self.generations.insert(key.clone(), snapshot.generation);
                }
            }
            return Ok(());
        };
        // A credential whose expiry the caller does not know is not
        // restored.
        let Some(expires_at) = expires_at else {
            return Ok(());
        };
        let input = AuthLeaseInput::RestoreCredential {
            to: phase.into(),
            expires_at_ts: Some(expires_at),
        };
        self.apply(key.clone(), input)?;
        let current = self.generation(key);
        self.generations
            .insert(key.clone(), current.max(snapshot.generation));
        match snapshot.credential_published_at_millis {
            Some(at) => self.published_at_ms.insert(key.clone(), at),
            None => self.published_at_ms.remove(key),
        };
        Ok(())
    }

    /// The contract's view of one key: the instance's state if there is
    /// one, joined with the registry's generation and publication time.
    fn snapshot(&self, key: &LeaseKey) -> handles::AuthLeaseSnapshot {
        let generation = self.generations.get(key).copied().unwrap_or(0);
        match self.leases.get(key) {
            Some(lease) => handles::AuthLeaseSnapshot {
                phase: Some(fsm::Machine::phase(lease).into()),
                expires_at: lease.expires_at(),
                credential_present: lease.credential_present(),
                generation,
                credential_published_at_millis: if lease.credential_present() {
                    self.published_at_ms.get(key).copied()
                } else {
                    None
                },
            },
            None => handles::AuthLeaseSnapshot {
                phase: None,
                expires_at: None,
                credential_present: false,
                generation,
                credential_published_at_millis: None,
            },
        }
    }
}

/// The current wall-clock time in epoch milliseconds (0 before the epoch,
/// saturating far after it).
fn wall_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The session's credential leases: the registry and its side maps behind
/// one lock. Implements [`AuthLeaseHandle`]; the inherent methods add what
/// the seed's trait lacks.
pub struct AuthLeaseRuntime {
    book: Shared<LeaseBook>,
}

impl AuthLeaseRuntime {
    fn new() -> Self {
        Self {
            book: Shared::new("AuthLease", LeaseBook::default()),
        }
    }
}

impl KeyedAuthority<AuthLease> for AuthLeaseRuntime {
    fn drive_key(
        &self,
        context: &'static str,
        key: LeaseKey,
        input: AuthLeaseInput,
    ) -> Result<Step<AuthLeasePhase, AuthLeaseEffect>, DriveError> {
        self.book
            .with(|book| book.apply(key, input))
            .map_err(|rejection| DriveError { context, rejection })
    }

    fn read_key<R>(&self, key: &LeaseKey, f: impl FnOnce(&AuthLease) -> R) -> Option<R> {
        self.book.read(|book| book.leases.get(key).map(f))
    }
}

contract_conversions!(AuthLease);

/// Every accepted step of the inputs whose methods return the publication
/// (`acquire_lease`, `complete_refresh`, `complete_refresh_ticketed`)
/// emits `CredentialPublished`, whichever way its `if`s go: asserted at
/// compile time from the spec, so the conversion below never fails.
const _: () = {
    let info = <AuthLease as fsm::Machine>::INFO;
    assert!(info.always_emits("Acquire", "CredentialPublished"));
    assert!(info.always_emits("CompleteRefresh", "CredentialPublished"));
    assert!(info.always_emits("CompleteTicketedRefresh", "CredentialPublished"));
};

/// The publication the registry stamped into the step's
/// `CredentialPublished` effect (always there: see the assertion above).
impl FromDrive<AuthLease> for Result<AuthLeaseTransition, DslTransitionError> {
    fn from_drive(
        context: &'static str,
        result: Result<Step<AuthLeasePhase, AuthLeaseEffect>, DriveError>,
    ) -> Self {
        let step = result.map_err(|e| dsl_error(&e))?;
        step.effects
            .iter()
            .find_map(|effect| match effect {
                AuthLeaseEffect::CredentialPublished {
                    generation,
                    published_at_ms,
                    ..
                } => Some(AuthLeaseTransition::new(*generation, *published_at_ms)),
                _ => None,
            })
            .ok_or_else(|| {
                DslTransitionError::no_matching(
                    context,
                    format!(
                        "transition `{}` published no credential",
                        step.transition.unwrap_or("none")
                    ),
                )
            })
    }
}

#[fsm::implement("../../machines/auth_lease.fsm", AuthLeaseHandle)]
impl AuthLeaseHandle for AuthLeaseRuntime {
    fn acquire_lease(
        &self,
        lease_key: &LeaseKey,
        expires_at: u64,
    ) -> Result<AuthLeaseTransition, DslTransitionError>;
    fn mark_expiring(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;
    fn begin_refresh(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;
    fn complete_refresh(
        &self,
        lease_key: &LeaseKey,
        new_expires_at: u64,
        now: u64,
    ) -> Result<AuthLeaseTransition, DslTransitionError>;
    fn refresh_failed(
        &self,
        lease_key: &LeaseKey,
        permanent: bool,
    ) -> Result<(), DslTransitionError>;
    fn mark_reauth_required(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;
    fn release_lease(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;
    fn release_credential_lifecycle(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError>;

    /// The runtime's override of the seed's default (flows 7.4), one atomic
    /// step under the registry's lock:
    /// - an empty snapshot (no credential, no phase, or `Released`) removes
    ///   the publication time; a lease with a sign-in flow is kept with its
    ///   credential cleared and its generation never lowered, any other is
    ///   deleted and the key's generation set to exactly the snapshot's;
    /// - a present snapshot with an `expires_at` installs the lease directly
    ///   in the snapshot's phase (`RestoreCredential`: fresh counters, `u64::MAX` as
    ///   no expiry), raises the generation to the snapshot's if it is
    ///   larger (never lowers it, never bumps it) and restores the
    ///   publication time;
    /// - a present snapshot without `expires_at` changes nothing.
    fn restore_auth_lifecycle_snapshot(
        &self,
        lease_key: &LeaseKey,
        snapshot: &handles::AuthLeaseSnapshot,
        expires_at: Option<u64>,
    ) -> Result<(), DslTransitionError> {
        const CONTEXT: &str = "AuthLeaseHandle::restore_auth_lifecycle_snapshot";
        self.book
            .with(|book| book.restore(lease_key, snapshot, expires_at))
            .map_err(|rejection| {
                dsl_error(&DriveError {
                    context: CONTEXT,
                    rejection,
                })
            })
    }

    fn snapshot(&self, lease_key: &LeaseKey) -> handles::AuthLeaseSnapshot {
        self.book.read(|book| book.snapshot(lease_key))
    }
}

impl AuthLeaseRuntime {
    /// [`AuthLeaseHandle::begin_refresh`], returning the ticket to complete
    /// it with: the key's generation when the refresh began.
    pub fn begin_refresh_ticketed(&self, lease_key: &LeaseKey) -> Result<u64, DslTransitionError> {
        const CONTEXT: &str = "AuthLeaseRuntime::begin_refresh_ticketed";
        self.book
            .with(|book| {
                book.apply(lease_key.clone(), AuthLeaseInput::BeginRefresh)?;
                Ok(book.generation(lease_key))
            })
            .map_err(|rejection| {
                dsl_error(&DriveError {
                    context: CONTEXT,
                    rejection,
                })
            })
    }

    /// [`AuthLeaseHandle::complete_refresh`] for the refresh that
    /// [`begin_refresh_ticketed`](Self::begin_refresh_ticketed) returned
    /// `ticket` for. Refused (`GuardRejected`, guard `ticket_current`) when
    /// a newer credential was published since the refresh began: the
    /// refresh's credential would overwrite it.
    pub fn complete_refresh_ticketed(
        &self,
        lease_key: &LeaseKey,
        ticket: u64,
        new_expires_at: u64,
        now: u64,
    ) -> Result<AuthLeaseTransition, DslTransitionError> {
        const CONTEXT: &str = "AuthLeaseRuntime::complete_refresh_ticketed";
        let step = self.book.with(|book| {
            let input = AuthLeaseInput::CompleteTicketedRefresh {
                new_expires_at: Some(new_expires_at),
                now,
                ticket,
                generation: book.generation(lease_key),
            };
            book.apply(lease_key.clone(), input)
        });
        FromDrive::<AuthLease>::from_drive(
            CONTEXT,
            step.map_err(|rejection| DriveError {
                context: CONTEXT,
                rejection,
            }),
        )
    }

    /// Registers a sign-in flow on the lease: until it ends,
    /// [`AuthLeaseHandle::release_credential_lifecycle`] keeps the lease.
    pub fn sign_in_flow_started(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError> {
        self.drive_unit(
            "AuthLeaseRuntime::sign_in_flow_started",
            lease_key,
            AuthLeaseInput::SignInFlowStarted,
        )
    }

    /// The lease's sign-in flow ended.
    pub fn sign_in_flow_ended(&self, lease_key: &LeaseKey) -> Result<(), DslTransitionError> {
        self.drive_unit(
            "AuthLeaseRuntime::sign_in_flow_ended",
            lease_key,
            AuthLeaseInput::SignInFlowEnded,
        )
    }

    fn drive_unit(
        &self,
        context: &'static str,
        lease_key: &LeaseKey,
        input: AuthLeaseInput,
    ) -> Result<(), DslTransitionError> {
        self.drive_key(context, lease_key.clone(), input)
            .map(|_| ())
            .map_err(|e| dsl_error(&e))
    }
}

impl From<handles::AuthLeasePhase> for AuthLeasePhase {
    fn from(phase: handles::AuthLeasePhase) -> Self {
        match phase {
            handles::AuthLeasePhase::Valid => Self::Valid,
            handles::AuthLeasePhase::Expiring => Self::Expiring,
            handles::AuthLeasePhase::Refreshing => Self::Refreshing,
            handles::AuthLeasePhase::ReauthRequired => Self::ReauthRequired,
            handles::AuthLeasePhase::Released => Self::Released,
        }
    }
}

impl From<&LeaseKey> for LeaseKey {
    fn from(key: &LeaseKey) -> Self {
        key.clone()
    }
}

/// `true` is a permanent failure.
impl From<bool> for RefreshFailure {
    fn from(permanent: bool) -> Self {
        if permanent {
            RefreshFailure::Permanent
        } else {
            RefreshFailure::Transient
        }
    }
}

impl From<AuthLeasePhase> for handles::AuthLeasePhase {
    fn from(phase: AuthLeasePhase) -> Self {
        match phase {
            AuthLeasePhase::Valid => Self::Valid,
            AuthLeasePhase::Expiring => Self::Expiring,
            AuthLeasePhase::Refreshing => Self::Refreshing,
            AuthLeasePhase::ReauthRequired => Self::ReauthRequired,
            AuthLeasePhase::Released => Self::Released,
        }
    }
}

/// A lease key as it appears in the machine's snapshots: its three parts.
#[derive(serde::Serialize)]
struct LeaseKeyRef<'a> {
    realm: &'a RealmId,
    binding: &'a BindingId,
    profile: Option<&'a ProfileId>,
}

#[derive(serde::Deserialize)]
struct LeaseKeyOwned {
    realm: RealmId,
    binding: BindingId,
    profile: Option<ProfileId>,
}

impl serde::Serialize for LeaseKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        LeaseKeyRef {
            realm: &self.realm,
            binding: &self.binding,
            profile: self.profile.as_ref(),
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for LeaseKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = LeaseKeyOwned::deserialize(deserializer)?;
        Ok(LeaseKey::new(key.realm, key.binding, key.profile))
    }
}
