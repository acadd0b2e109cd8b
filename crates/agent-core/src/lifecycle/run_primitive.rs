//! Values that parameterize the primitives a run executes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The name of a model, stored as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModelId(String);

impl ModelId {
    /// Wraps a model name without validating it.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The model name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
