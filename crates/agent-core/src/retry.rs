//! Scheduled retries of failed model calls.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A failed model call and the plan for retrying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmRetrySchedule {
    /// What failed.
    pub failure: LlmRetryFailure,
    /// When and how often to retry.
    pub plan: LlmRetryPlan,
}

/// A retryable model-call failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmRetryFailure {
    /// The provider that failed.
    pub provider: String,
    /// The kind of failure.
    pub kind: LlmRetryFailureKind,
    /// The provider's retry-after hint, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// How long the failed call took, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// A human-readable description.
    pub message: String,
}

/// The plan for one retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmRetryPlan {
    /// The retry's number, starting at one.
    pub attempt: u32,
    /// The most retries allowed.
    pub max_retries: u32,
    /// The backoff delay computed by the policy, in milliseconds.
    pub computed_delay_ms: u64,
    /// The delay actually used, in milliseconds.
    pub selected_delay_ms: u64,
    /// The provider's retry-after hint, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_hint_ms: Option<u64>,
    /// Whether the rate-limit minimum raised the delay.
    pub rate_limit_floor_applied: bool,
    /// Whether the remaining budget lowered the delay.
    pub budget_capped: bool,
}

impl LlmRetryPlan {
    /// The delay actually used.
    pub fn selected_delay(&self) -> Duration {
        Duration::from_millis(self.selected_delay_ms)
    }
}

/// The kinds of model-call failure that are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LlmRetryFailureKind {
    /// The provider rate-limited the call.
    RateLimited,
    /// The network timed out.
    NetworkTimeout,
    /// The call exceeded its time limit.
    CallTimeout,
    /// The provider returned a retryable error.
    RetryableProviderError,
}
