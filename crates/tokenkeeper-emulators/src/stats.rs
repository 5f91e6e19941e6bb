//! Counters every emulator keeps, read with `Emulator::stats`.

/// What an emulator has seen since it started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Successful logins (password or secret accepted).
    pub logins: u64,
    /// Refused logins (wrong password, locked, malformed, rate limited).
    pub failed_logins: u64,
    /// Successful refreshes.
    pub refreshes: u64,
    /// Refused refreshes.
    pub failed_refreshes: u64,
    /// A rotated-out refresh token presented again (Smartling, JWT Auth Pro).
    pub refresh_token_reuse: u64,
    /// Refresh-token families revoked because of reuse.
    pub families_revoked: u64,
    /// Every request received, faulted or not.
    pub requests: u64,
    /// Requests to the refresh endpoint, faulted or not.
    pub refresh_requests: u64,
    /// Of those, the ones that carried a request body (any bytes at all).
    pub refresh_requests_with_body: u64,
    /// Whether the latest request to the refresh endpoint carried a body (`None`: none yet).
    pub last_refresh_had_body: Option<bool>,
    /// Whether the latest request to the login endpoint carried a body (`None`: none yet).
    pub last_login_had_body: Option<bool>,
    /// Access tokens revoked by the server (JWT Auth Pro: by a rotation in the real mode, or by
    /// the revoke endpoint).
    pub access_tokens_revoked: u64,
    /// Requests refused with 429 by the emulator's own rate limits (`rate_limits`).
    pub rate_limited: u64,
    /// Smartling refreshes refused because the SSO session was over.
    pub refreshes_after_session_end: u64,
}
