//! The state file: what is known about each account's tokens, without the tokens.
//!
//! Expiry times, last refresh, last error (the API's status, code and message), and the
//! `needs_login` / `password_refused` flags. Shared by every process through read-modify-write
//! under the state lock. The state can always be rebuilt by refreshing, so a corrupt state file
//! is moved aside to `state.json.corrupt` (and logged) rather than stopping the program.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::atomic::write_atomic_with;
use super::lock::FileLock;
use super::paths::Paths;
use crate::account::AccountId;
use crate::cert::CertificateProblem;
use crate::error::{Error, ErrorKind, Result};
use crate::token::TokenSet;

/// Current format version.
pub const VERSION: u32 = 1;

/// Status of an account, as `list` shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Token valid, not yet due for refresh.
    Fresh,
    /// Token valid but within its refresh lead.
    Expiring,
    /// No valid token.
    Expired,
    /// The last attempt failed; see `last_error`.
    Error,
    /// The user must act (log in again, store a new password or token).
    NeedsLogin,
}

impl Status {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fresh => "fresh",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
            Self::Error => "error",
            Self::NeedsLogin => "needs_login",
        }
    }
}

/// The last failure, in the API's own words where there were any.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastError {
    /// HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// The API's code, or ours for local failures.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// How it was classified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ErrorKind>,
    /// A refused server certificate: what was presented, so it can be shown and trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Box<CertificateProblem>>,
    /// When it happened.
    pub at: DateTime<Utc>,
}

impl LastError {
    /// Summarises an error for the state file (never includes a secret: errors carry none).
    pub fn from_error(err: &Error, at: DateTime<Utc>) -> Self {
        match err.api() {
            Some(api) => Self {
                status: api.status,
                code: api.code.clone(),
                message: match err {
                    Error::NeedsLogin { reason, .. } => reason.clone(),
                    _ => api.message.clone(),
                },
                kind: Some(api.kind),
                certificate: api.certificate.clone(),
                at,
            },
            None => Self {
                status: None,
                code: Some(err.code().to_owned()),
                // The account's name is beside it wherever it is shown: the reason alone.
                message: match err {
                    Error::NeedsLogin { reason, .. } => reason.clone(),
                    Error::OriginChanged { secret, change, .. } => {
                        crate::error::origin_changed_reason(secret, change)
                    }
                    _ => err.to_string(),
                },
                kind: None,
                certificate: None,
                at,
            },
        }
    }
}

/// What is known about one account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    /// Access token expiry (local clock).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Refresh token expiry, when known.
    #[serde(default)]
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// When the current access token was obtained.
    #[serde(default)]
    pub obtained_at: Option<DateTime<Utc>>,
    /// Last successful login or refresh.
    #[serde(default)]
    pub last_refresh: Option<DateTime<Utc>>,
    /// The current access token's fingerprint ([`crate::token::fingerprint`]): not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_fingerprint: Option<String>,
    /// Last failure; cleared by a success.
    #[serde(default)]
    pub last_error: Option<LastError>,
    /// Nothing stored can obtain a token: the user must act.
    #[serde(default)]
    pub needs_login: bool,
    /// The stored password was refused; it is not sent again until a new one is stored.
    #[serde(default)]
    pub password_refused: bool,
    /// When the engine plans the next refresh, if it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_refresh_at: Option<DateTime<Utc>>,
    /// Until when the current token was promised to work to whoever it was handed to
    /// (`token --min-valid`, Copy, the agent), where a refresh revokes the previous token: no
    /// refresh comes before it ([`crate::keeper`]). Cleared with each new token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_until: Option<DateTime<Utc>>,
    /// Consecutive failed attempts (reset by a success).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failures: u32,
    /// When this entry last changed: the newer entry wins when processes' views are merged.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// OpenID Connect: the claims of the last ID token (decoded, unverified; no signature, so
    /// nothing that could be presented anywhere), for the details view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_claims: Option<serde_json::Map<String, serde_json::Value>>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl AccountState {
    /// Records a successful login or refresh.
    pub fn apply_success(&mut self, set: &TokenSet, now: DateTime<Utc>, new_credentials: bool) {
        self.expires_at = Some(set.expires_at);
        self.obtained_at = Some(set.obtained_at);
        self.promised_until = None;
        self.token_fingerprint = Some(crate::token::fingerprint(set.access.expose()));
        if set.refresh.is_some() || set.refresh_expires_at.is_some() {
            self.refresh_expires_at = set.refresh_expires_at;
        }
        // A refresh may come without an ID token (OpenID Connect Core §12.2): the last one's
        // claims stay.
        if set.id_claims.is_some() {
            self.id_claims.clone_from(&set.id_claims);
        }
        self.last_refresh = Some(now);
        self.last_error = None;
        self.needs_login = false;
        self.failures = 0;
        if new_credentials {
            self.password_refused = false;
        }
        self.updated_at = Some(now);
    }

    /// Records a failed attempt; every stored token is kept.
    pub fn apply_failure(&mut self, err: &Error, now: DateTime<Utc>, password_refused: bool) {
        self.last_error = Some(LastError::from_error(err, now));
        self.needs_login = err.needs_login();
        if matches!(err, Error::OriginChanged { .. }) {
            // The tokens were deleted with the secrets.
            self.expires_at = None;
            self.token_fingerprint = None;
            self.refresh_expires_at = None;
            self.promised_until = None;
        }
        self.password_refused |= password_refused;
        self.failures = self.failures.saturating_add(1);
        self.updated_at = Some(now);
    }

    /// The token's lifetime when it was obtained.
    pub fn lifetime(&self) -> Option<TimeDelta> {
        Some(self.expires_at? - self.obtained_at?)
    }

    /// True when `other` is a newer view of the same account than `self`.
    pub fn is_older_than(&self, other: &AccountState) -> bool {
        match (self.updated_at, other.updated_at) {
            (Some(a), Some(b)) => a < b,
            (None, Some(_)) => true,
            _ => false,
        }
    }

    /// The status at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> Status {
        self.status_with_lead(now, None)
    }

    /// The status at `now` for an account with a fixed refresh lead (`expiring` = within it).
    pub fn status_with_lead(
        &self,
        now: DateTime<Utc>,
        fixed_lead: Option<std::time::Duration>,
    ) -> Status {
        if self.needs_login {
            return Status::NeedsLogin;
        }
        if self.last_error.is_some() {
            return Status::Error;
        }
        match self.expires_at {
            Some(at) if at <= now => Status::Expired,
            Some(at) => {
                let lifetime = self.obtained_at.map(|o| at - o).unwrap_or_default();
                let lead = crate::engine::policy::Policy::default().lead(lifetime, fixed_lead);
                if at - now <= lead {
                    Status::Expiring
                } else {
                    Status::Fresh
                }
            }
            None => Status::Expired,
        }
    }
}

/// The state file's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Format version.
    pub version: u32,
    /// Per account.
    #[serde(default)]
    pub accounts: BTreeMap<AccountId, AccountState>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            version: VERSION,
            accounts: BTreeMap::new(),
        }
    }
}

/// Reads the state file; missing is empty; corrupt is moved aside and treated as empty.
pub fn load(path: &Path) -> Result<State> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => return Err(Error::io(path, e)),
    };
    match parse(path, &bytes) {
        Err(Error::FileCorrupt { reason, .. }) => {
            let aside = path.with_extension("json.corrupt");
            tracing::warn!(path = %path.display(), error = %reason, "state file is corrupt; moved aside and rebuilt");
            std::fs::rename(path, &aside).map_err(|e| Error::io(path, e))?;
            Ok(State::default())
        }
        other => other,
    }
}

/// Parses state file bytes (`path` only names the file in errors): `FileCorrupt` when they
/// are not a state file, `FileVersion` when a newer TokenKeeper wrote them.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<State> {
    match serde_json::from_slice::<State>(bytes) {
        Ok(state) if state.version <= VERSION => Ok(state),
        Ok(state) => Err(Error::FileVersion {
            path: path.to_owned(),
            found: state.version,
            supported: VERSION,
        }),
        Err(e) => Err(Error::FileCorrupt {
            path: path.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// Reads one account's state without locking (a reader sees a whole file). Only that
/// account's entry is parsed: the engine asks this before logins and at 10,000 accounts a
/// whole parse each time held both cores (BENCHMARKS.md). A file that does not read as JSON
/// or has no version is left to [`load`] (moved aside, as every reader does).
pub fn read(paths: &Paths, id: AccountId) -> Result<AccountState> {
    use serde::de::DeserializeSeed as _;
    let path = paths.state_file();
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AccountState::default()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    match super::stream::StateEntrySeed::<AccountState>(id, std::marker::PhantomData)
        .deserialize(&mut de)
        .and_then(|found| de.end().map(|()| found))
    {
        Ok((Some(version), _)) if version > VERSION => Err(Error::FileVersion {
            path,
            found: version,
            supported: VERSION,
        }),
        Ok((Some(_), entry)) => Ok(entry.unwrap_or_default()),
        Ok((None, _)) | Err(_) => Ok(load(&path)?.accounts.remove(&id).unwrap_or_default()),
    }
}

/// Changes one account's state under the state lock (blocking: call off the async threads).
pub fn update_blocking(
    paths: &Paths,
    id: AccountId,
    change: impl FnOnce(&mut AccountState),
) -> Result<AccountState> {
    paths.ensure()?;
    let _lock = FileLock::acquire_blocking(&paths.state_lock())?;
    let path = paths.state_file();
    let mut state = load(&path)?;
    let entry = state.accounts.entry(id).or_default();
    change(entry);
    let result = entry.clone();
    save(&path, &state)?;
    Ok(result)
}

/// Replaces one account's state under the state lock (blocking), unless the file holds a
/// newer entry for it. Returns the entry now in the file.
pub fn store_blocking(paths: &Paths, id: AccountId, entry: &AccountState) -> Result<AccountState> {
    store_many_blocking(paths, std::slice::from_ref(&(id, entry.clone())))
        .map(|mut merged| merged.remove(0))
}

/// Writes several entries at once (one read and one write of the file), each unless the file
/// holds a newer one. Returns the entries now in the file, in the same order.
pub fn store_many_blocking(
    paths: &Paths,
    entries: &[(AccountId, AccountState)],
) -> Result<Vec<AccountState>> {
    paths.ensure()?;
    let _lock = FileLock::acquire_blocking(&paths.state_lock())?;
    let path = paths.state_file();
    let mut state = load(&path)?;
    let mut result = Vec::with_capacity(entries.len());
    for (id, entry) in entries {
        let slot = state.accounts.entry(*id).or_default();
        if !entry.is_older_than(slot) {
            *slot = entry.clone();
        }
        result.push(slot.clone());
    }
    save(&path, &state)?;
    Ok(result)
}

/// Records under the state lock that the token with `fingerprint` was promised until `until`
/// (kept where a promise already reaches further), when it is still the account's current
/// token in the file; the entry's `updated_at` is left as it is, so a background that knows a
/// newer state keeps it and takes the promise over (`engine::cache`). Returns the entry.
///
/// `behind`: the caller's state for the token it just read from the keychain under the
/// account's lock, when the file may not name that token yet (the background rotated and
/// writes within a second). Where the file names another token, that entry is older than the
/// keychain and `behind` is written in its place, with the promise; otherwise the promise of
/// a token the file does not name is dropped.
pub fn promise_blocking(
    paths: &Paths,
    id: AccountId,
    fingerprint: &str,
    until: DateTime<Utc>,
    behind: Option<&AccountState>,
) -> Result<AccountState> {
    paths.ensure()?;
    let _lock = FileLock::acquire_blocking(&paths.state_lock())?;
    let path = paths.state_file();
    let mut state = load(&path)?;
    let slot = state.accounts.entry(id).or_default();
    if slot.token_fingerprint.as_deref() != Some(fingerprint) {
        match behind.filter(|b| b.token_fingerprint.as_deref() == Some(fingerprint)) {
            Some(newer) => *slot = newer.clone(),
            None => return Ok(slot.clone()),
        }
    } else if slot.promised_until.is_some_and(|p| p >= until) {
        return Ok(slot.clone());
    }
    slot.promised_until = Some(until);
    let entry = slot.clone();
    save(&path, &state)?;
    Ok(entry)
}

impl AccountState {
    /// Takes `other`'s promise when it is about the same token and reaches further (two views
    /// of one account merged: the background's and the file's).
    pub fn keep_promise_of(&mut self, other: &AccountState) {
        if self.token_fingerprint.is_some()
            && self.token_fingerprint == other.token_fingerprint
            && other.promised_until > self.promised_until
        {
            self.promised_until = other.promised_until;
        }
    }
}

/// Removes one account's state under the state lock (blocking).
pub fn remove_blocking(paths: &Paths, id: AccountId) -> Result<()> {
    paths.ensure()?;
    let _lock = FileLock::acquire_blocking(&paths.state_lock())?;
    let path = paths.state_file();
    let mut state = load(&path)?;
    if state.accounts.remove(&id).is_some() {
        save(&path, &state)?;
    }
    Ok(())
}

fn save(path: &Path, state: &State) -> Result<()> {
    write_atomic_with(path, |w| {
        serde_json::to_writer_pretty(w, state).map_err(std::io::Error::other)
    })
}

/// Identity of the state file's content as last seen: modification time, size and (on Unix)
/// inode; every atomic replacement is a new inode, so a write is seen even within one tick of
/// the file system's clock.
pub type Stamp = Option<(std::time::SystemTime, u64, u64)>;

/// Reads the stamp of the state file.
pub fn stamp_of(paths: &Paths) -> Stamp {
    let meta = std::fs::metadata(paths.state_file()).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.modified().ok()?, meta.len(), inode))
}

/// What [`replace_all_blocking`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replaced {
    /// Written; the file's new stamp.
    Written(Stamp),
    /// Another process changed the file since `expected`: nothing written, re-read first.
    Stale,
}

/// Writes the whole state (the engine's view of every account) if nobody else changed the file
/// since `expected`. Streams the JSON: no copy of the file is held in memory.
pub fn replace_all_blocking(
    paths: &Paths,
    entries: &[(AccountId, AccountState)],
    expected: Stamp,
) -> Result<Replaced> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        version: u32,
        accounts: BTreeMap<&'a AccountId, &'a AccountState>,
    }
    paths.ensure()?;
    let _lock = FileLock::acquire_blocking(&paths.state_lock())?;
    if stamp_of(paths) != expected {
        return Ok(Replaced::Stale);
    }
    let state = Borrowed {
        version: VERSION,
        accounts: entries.iter().map(|(id, s)| (id, s)).collect(),
    };
    write_atomic_with(&paths.state_file(), |w| {
        serde_json::to_writer_pretty(w, &state).map_err(std::io::Error::other)
    })?;
    Ok(Replaced::Written(stamp_of(paths)))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, Utc};

    use super::{AccountState, LastError, Status, load, read, update_blocking};
    use crate::account::AccountId;
    use crate::error::Error;
    use crate::store::paths::Paths;

    #[test]
    fn status_follows_flags_then_time() {
        let now = Utc::now();
        let mut s = AccountState {
            expires_at: Some(now + TimeDelta::seconds(3000)),
            obtained_at: Some(now - TimeDelta::seconds(600)),
            ..Default::default()
        };
        assert_eq!(s.status(now), Status::Fresh);
        s.expires_at = Some(now + TimeDelta::seconds(59));
        assert_eq!(s.status(now), Status::Expiring);
        s.expires_at = Some(now - TimeDelta::seconds(1));
        assert_eq!(s.status(now), Status::Expired);
        s.last_error = Some(LastError {
            status: Some(503),
            code: None,
            message: "down".into(),
            kind: None,
            certificate: None,
            at: now,
        });
        assert_eq!(s.status(now), Status::Error);
        s.needs_login = true;
        assert_eq!(s.status(now), Status::NeedsLogin);
        // A 60 s token is "expiring" only in its second half (lead capped at half the lifetime).
        s.last_error = None;
        s.needs_login = false;
        s.obtained_at = Some(now);
        s.expires_at = Some(now + TimeDelta::seconds(54));
        assert_eq!(s.status(now + TimeDelta::seconds(6)), Status::Fresh);
        assert_eq!(s.status(now + TimeDelta::seconds(31)), Status::Expiring);
        // An account's own lead decides when it counts as expiring.
        let lead = Some(std::time::Duration::from_secs(10));
        assert_eq!(
            s.status_with_lead(now + TimeDelta::seconds(31), lead),
            Status::Fresh
        );
        assert_eq!(
            s.status_with_lead(now + TimeDelta::seconds(45), lead),
            Status::Expiring
        );
    }

    #[test]
    fn corrupt_state_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path());
        std::fs::write(paths.state_file(), "{not json").unwrap();
        let id = AccountId::generate();
        let updated = update_blocking(&paths, id, |s| s.needs_login = true).unwrap();
        assert!(updated.needs_login);
        assert_eq!(
            std::fs::read_to_string(paths.state_file().with_extension("json.corrupt")).unwrap(),
            "{not json"
        );
        assert!(load(&paths.state_file()).unwrap().accounts[&id].needs_login);
    }

    #[test]
    fn one_entry_is_read_as_a_whole_load_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path());
        let absent = AccountId::generate();
        assert_eq!(
            read(&paths, absent).unwrap(),
            AccountState::default(),
            "no file"
        );
        let ids: Vec<AccountId> = (0..5).map(|_| AccountId::generate()).collect();
        let now = Utc::now();
        for (i, id) in ids.iter().enumerate() {
            update_blocking(&paths, *id, |s| {
                s.expires_at = Some(now + TimeDelta::seconds(60 * i as i64));
                s.password_refused = i % 2 == 0;
                s.last_error = (i == 3).then(|| LastError {
                    status: Some(401),
                    code: Some("E1".into()),
                    message: "refused".into(),
                    kind: None,
                    certificate: None,
                    at: now,
                });
            })
            .unwrap();
        }
        let whole = load(&paths.state_file()).unwrap().accounts;
        for id in &ids {
            assert_eq!(read(&paths, *id).unwrap(), whole[id]);
        }
        assert_eq!(read(&paths, absent).unwrap(), AccountState::default());
        assert!(read(&paths, ids[0]).unwrap().password_refused);
        assert!(!read(&paths, ids[1]).unwrap().password_refused);
    }

    #[test]
    fn one_entry_read_refuses_what_load_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path());
        let id = AccountId::generate();
        std::fs::write(paths.state_file(), r#"{"version": 9, "accounts": {}}"#).unwrap();
        assert!(matches!(
            read(&paths, id).unwrap_err(),
            Error::FileVersion { found: 9, .. }
        ));
        for bad in [
            "{not json",
            r#"{"accounts": {}}"#,
            r#"{"version": 1, "accounts": {}} and more"#,
        ] {
            std::fs::write(paths.state_file(), bad).unwrap();
            assert_eq!(read(&paths, id).unwrap(), AccountState::default(), "{bad}");
            assert_eq!(
                std::fs::read_to_string(paths.state_file().with_extension("json.corrupt")).unwrap(),
                bad,
                "moved aside, as load does"
            );
            assert!(!paths.state_file().exists());
        }
    }
}
