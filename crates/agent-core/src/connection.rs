//! Identities of auth realms, bindings and profiles.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not a valid identity slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The text is empty.
    #[error("identity slug is empty")]
    Empty,
    /// The text holds a character outside the slug alphabet.
    #[error(
        "identity slug contains invalid character {0:?}; must be ASCII alphanumeric or one of '-', '_', '.'"
    )]
    InvalidChar(char),
}

fn validate_slug(text: &str) -> Result<(), IdentityError> {
    if text.is_empty() {
        return Err(IdentityError::Empty);
    }
    match text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        Some(bad) => Err(IdentityError::InvalidChar(bad)),
        None => Ok(()),
    }
}

macro_rules! slug_identifier {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// A non-empty slug of ASCII alphanumerics, `-`, `_` and `.`.
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps a slug.
            pub fn parse(text: impl Into<String>) -> Result<Self, IdentityError> {
                let text = text.into();
                validate_slug(&text)?;
                Ok(Self(text))
            }

            /// The slug text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdentityError;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_identifier!(
    /// The identity of an auth realm.
    RealmId
);
slug_identifier!(
    /// The identity of a credential binding within a realm.
    BindingId
);
slug_identifier!(
    /// The identity of a profile within a binding.
    ProfileId
);

/// A reference to the credential binding a connection authenticates with.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuthBindingRef {
    /// The realm.
    pub realm: RealmId,
    /// The binding within the realm.
    pub binding: BindingId,
    /// The profile within the binding, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileId>,
}

impl AuthBindingRef {
    /// True for realm `env_default`, binding `default` and no profile.
    pub fn is_env_default(&self) -> bool {
        self.realm.as_str() == "env_default"
            && self.binding.as_str() == "default"
            && self.profile.is_none()
    }
}
