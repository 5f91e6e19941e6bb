//! What the engine tells the world: one [`Event`] per change, on a broadcast channel. An event
//! never holds a secret. (The per-account attempt history lives in [`crate::store::history`].)

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::{AccountId, ProviderKind};
use crate::store::state::{LastError, Status};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The engine took the account on (at start, or added later).
    Added,
    /// The account's settings changed.
    Updated,
    /// The account was removed.
    Removed,
    /// A new token was obtained (refresh or login).
    Refreshed,
    /// Another process had already refreshed: nothing was asked of the API.
    AlreadyFresh,
    /// The attempt failed; a retry is scheduled.
    Failed,
    /// The attempt failed and the retry can only come after the token expires.
    WillExpire,
    /// The user must act; the engine no longer tries this account.
    NeedsLogin,
    /// The account's state was changed by another process (e.g. `tokenkeeper login`).
    Reloaded,
}

/// One change of one account, as the background logs it and the app shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub at: DateTime<Utc>,
    /// Which account.
    pub account: AccountId,
    /// Its name.
    pub name: String,
    /// Its API.
    pub provider: ProviderKind,
    /// Status after the change.
    pub status: Status,
    /// Token expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Next planned attempt (none when parked).
    pub next_refresh_at: Option<DateTime<Utc>>,
    /// Last successful refresh.
    pub last_refresh: Option<DateTime<Utc>>,
    /// The current token's fingerprint (first 8 hex of its SHA-256).
    #[serde(default)]
    pub token_fingerprint: Option<String>,
    /// Last failure, with the API's code and message.
    pub last_error: Option<LastError>,
    /// For attempts: when it was due.
    pub due_at: Option<DateTime<Utc>>,
    /// For attempts: when it started.
    pub started_at: Option<DateTime<Utc>>,
    /// For attempts: milliseconds spent talking to the API.
    pub latency_ms: Option<u64>,
}
