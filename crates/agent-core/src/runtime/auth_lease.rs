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
//! (`fsm::FromDrive`), but `acquire_lease` and `complete_refresh` return
//! the publication the registry stamped. The authority hands that stamp
//! over through a per-thread slot: it is written right after the lock is
//! released and taken by the conversion that the same generated method
//! runs next, on the same thread.

use std::collections::BTreeMap;
use std::sync::Arc;

use fsm::{DriveError, DriveErrorKind, FromDrive, KeyedAuthority, PoisonedError, Shared, Step};

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
        if !self.leases.contains(&key) {
            self.published_at_ms.remove(&key);
        }
        Ok(step)
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
/// one lock.
pub(crate) struct AuthLeaseRuntime {
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
        match self.book.with(|book| book.apply(key, input)) {
            Ok(Ok(step)) => Ok(step),
            Ok(Err(rejection)) => Err(DriveError {
                context,
                kind: DriveErrorKind::Rejected(rejection),
            }),
            Err(poisoned) => Err(DriveError {
                context,
                kind: DriveErrorKind::Poisoned(poisoned),
            }),
        }
    }

    fn read_key<R>(
        &self,
        key: &LeaseKey,
        f: impl FnOnce(&AuthLease) -> R,
    ) -> Result<Option<R>, PoisonedError> {
        self.book.read(|book| book.leases.get(key).map(f))
    }
}

contract_conversions!(AuthLease;);

/// The publication the registry stamped into the step's
/// `CredentialPublished` effect.
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

    fn snapshot(&self, lease_key: &LeaseKey) -> handles::AuthLeaseSnapshot {
        self.book
            .read(|book| book.snapshot(lease_key))
            .unwrap_or(handles::AuthLeaseSnapshot {
                phase: None,
                expires_at: None,
                credential_present: false,
                generation: 0,
                credential_published_at_millis: None,
            })
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
