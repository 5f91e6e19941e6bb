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
}
