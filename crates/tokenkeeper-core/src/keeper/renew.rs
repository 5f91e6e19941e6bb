//! Getting a token that stays valid long enough: refresh, or log in again with stored
//! credentials, under the account's cross-process lock.
//!
//! Rules: a refresh refused as `auth` leads to one login when a password is stored; a refused
//! login marks the password refused and it is never sent again until the user stores a new
//! one (Redis Enterprise locks a user after 5 failures). Other failures keep every stored token
//! and are recorded as the account's last error. [`Keeper::attempt`] is the one entry point
//! for the CLI (state from and to the state file) and the engine (state it keeps in memory).

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

use crate::account::Account;
use crate::error::{ApiError, Error, ErrorKind, Result};
use crate::providers::{ProviderError, StoredTokens, oauth2, provider_for};
use crate::secret::Secret;
use crate::store::history;
use crate::store::history::{HistoryEntry, Outcome};
use crate::store::keychain::SecretKind;
use crate::store::state::{self, AccountState};
use crate::token::TokenSet;

use super::view::{AccountView, works_until};
use super::{Keeper, blocking};

/// Why no token could be had.
enum Failure {
    /// Worth trying again later (transient), or needs a settings change (config, protocol).
    Api(ApiError),
    /// Only the user can fix this.
    NeedsLogin {
        reason: String,
        api: Option<ApiError>,
        password_refused: bool,
    },
    /// A local failure on the way (the keychain refused to store a rotated refresh token).
    Local(Error),
}

/// Where an attempt reads and writes the account's state.
#[derive(Debug)]
pub enum StateSource<'a> {
    /// The state file, re-read after taking the lock and written before releasing it
    /// (the CLI). The account is also checked to still exist in the config file.
    File,
    /// State the caller keeps (the engine); nothing is read from or written to files.
    Given(&'a AccountState),
}

/// The outcome of one attempt.
#[derive(Debug)]
pub struct Attempt {
    /// The token, or why there is none.
    pub result: Result<Secret>,
    /// The account's state after the attempt.
    pub state: AccountState,
    /// True when the API was asked (a refresh or login happened or failed).
    pub contacted_api: bool,
    /// How long the API calls took.
    pub latency: Duration,
}

/// A token with what a script may want to know about it.
#[derive(Debug)]
pub struct TokenInfo {
    /// The access token.
    pub token: Secret,
    /// Its expiry (local clock).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Until when it really works: its expiry, or where a refresh revokes the previous token,
    /// the earliest moment the next refresh may come ([`Keeper::works_until`]).
    pub valid_until: Option<chrono::DateTime<chrono::Utc>>,
    /// Its fingerprint (first 8 hex of its SHA-256).
    pub fingerprint: String,
}

/// What one locked attempt came to.
enum Step {
    /// Done, well or not.
    Done(Box<Attempt>),
    /// A handout the current token cannot serve, on an API whose refresh revokes it, while an
    /// earlier handout was promised it until then: try again at that time (the lock released).
    WaitUntil(DateTime<Utc>),
}

impl Keeper {
    /// A token valid for at least `min_valid` with its expiry and fingerprint, refreshing
    /// first when needed (what `tokenkeeper token` and the token agent answer).
    pub async fn token_info(&self, name: &str, min_valid: Duration) -> Result<TokenInfo> {
        let account = self.find(name)?;
        let attempt = self
            .attempt(&account, StateSource::File, min_valid, false)
            .await;
        let token = attempt.result?;
        Ok(TokenInfo {
            fingerprint: crate::token::fingerprint(token.expose()),
            expires_at: attempt.state.expires_at,
            valid_until: self.works_until(&account, &attempt.state),
            token,
        })
    }

    /// Promises the token `info` handed out for all the time it works (`info.valid_until`), as
    /// Copy says it: where a refresh revokes the previous token, no handout rotates it before
    /// then. Nothing happens when the token is no longer the current one or the API does not
    /// revoke.
    pub async fn promise_whole(&self, name: &str, info: &TokenInfo) -> Result<()> {
        let account = self.find(name)?;
        let Some(until) = info.valid_until else {
            return Ok(());
        };
        if !account.revokes_on_refresh() {
            return Ok(());
        }
        let _lock = self
            .lock(&self.paths.account_lock(account.id), &account.name)
            .await?;
        let state = state::read(&self.paths, account.id)?;
        if state.token_fingerprint.as_deref() == Some(info.fingerprint.as_str()) {
            self.promise(&account, state, until, false).await?;
        }
        Ok(())
    }

    /// Until when the account's current token works ([`works_until`]).
    pub fn works_until(&self, account: &Account, state: &AccountState) -> Option<DateTime<Utc>> {
        works_until(account, state)
    }

    /// A token valid for at least `min_valid`, refreshing first when needed.
    pub async fn token(&self, name: &str, min_valid: Duration) -> Result<Secret> {
        let account = self.find(name)?;
        self.attempt(&account, StateSource::File, min_valid, false)
            .await
            .result
    }

    /// Refreshes now, whatever the token's expiry.
    pub async fn refresh(&self, name: &str) -> Result<AccountView> {
        let account = self.find(name)?;
        let attempt = self
            .attempt(&account, StateSource::File, Duration::ZERO, true)
            .await;
        attempt.result?;
        self.view(&account, &attempt.state)
    }

    /// Refreshes every account; one result per account, in config order.
    pub async fn refresh_all(&self) -> Result<Vec<(String, Result<AccountView>)>> {
        let mut results = Vec::new();
        for account in self.accounts()? {
            let result = self.refresh(&account.name).await;
            results.push((account.name, result));
        }
        Ok(results)
    }

    /// The heart: lock, re-read, decide, renew, store (refresh token first), record.
    ///
    /// Unless `force`, a stored token valid for `min_valid` more is returned as it is.
    pub async fn attempt(
        &self,
        account: &Account,
        source: StateSource<'_>,
        min_valid: Duration,
        force: bool,
    ) -> Attempt {
        let given = match &source {
            StateSource::Given(s) => Some((*s).clone()),
            StateSource::File => None,
        };
        let outcome = loop {
            let source = match &source {
                StateSource::Given(s) => StateSource::Given(s),
                StateSource::File => StateSource::File,
            };
            match self.attempt_locked(account, source, min_valid, force).await {
                Ok(Step::WaitUntil(at)) => {
                    tracing::info!(account = %account.name, until = %at, "a token handed out earlier was promised until then, and a refresh would revoke it: waiting");
                    tokio::time::sleep(self.clock.sleep_for(at)).await;
                }
                Ok(Step::Done(attempt)) => break Ok(*attempt),
                Err(error) => break Err(error),
            }
        };
        match outcome {
            Ok(attempt) => attempt,
            Err(error) => {
                // A local failure (keychain, lock): the caller's state records it.
                let mut state = given.unwrap_or_default();
                state.apply_failure(&error, self.clock.now(), false);
                Attempt {
                    result: Err(error),
                    state,
                    contacted_api: false,
                    latency: Duration::ZERO,
                }
            }
        }
    }

    async fn attempt_locked(
        &self,
        account: &Account,
        source: StateSource<'_>,
        min_valid: Duration,
        force: bool,
    ) -> Result<Step> {
        let _lock = self
            .lock(&self.paths.account_lock(account.id), &account.name)
            .await?;
        let from_file = matches!(source, StateSource::File);
        let revokes = account.revokes_on_refresh();
        // The account as it is now, under its lock: an edit may have changed its server while
        // this attempt waited, and the secrets are checked against the settings they go to.
        let account = self.current(account)?;
        let mut state = match source {
            StateSource::Given(state) => state.clone(),
            StateSource::File => state::read(&self.paths, account.id)?,
        };
        let min_valid = TimeDelta::from_std(min_valid).unwrap_or(TimeDelta::MAX);
        // The common case needs only the access token: read the rest when renewing.
        let mut known_access = None;
        // The state file does not name the token the keychain holds yet (a background rotated
        // it and writes the file within a second): a promise writes this state with it.
        let mut file_behind = false;
        if !force {
            let access = match self.read_secret(&account, SecretKind::Access).await {
                Ok(access) => access,
                Err(e) => {
                    return self
                        .unbound(&account, state, e)
                        .await
                        .map(|a| Step::Done(Box::new(a)));
                }
            };
            let now = self.clock.now();
            // The keychain may hold a newer token than this state names: another process
            // refreshed (its state file entry names it; the engine's copy is then behind), or
            // the background did and writes the file within a second. The token's own state is
            // taken, so no one rotates a token just handed out, thinking it old.
            if let Some(token) = &access {
                let fingerprint = crate::token::fingerprint(token.expose());
                if state.token_fingerprint.as_deref() != Some(fingerprint.as_str()) {
                    if !from_file {
                        let paths = self.paths.clone();
                        let id = account.id;
                        if let Ok(on_disk) = blocking(move || state::read(&paths, id)).await
                            && on_disk.token_fingerprint.as_deref() == Some(fingerprint.as_str())
                        {
                            state = on_disk;
                        }
                    }
                    if state.token_fingerprint.as_deref() != Some(fingerprint.as_str())
                        && let Some((obtained, expires)) = jwt_times(token)
                    {
                        state.obtained_at = Some(obtained);
                        state.expires_at = Some(expires);
                        state.token_fingerprint = Some(fingerprint);
                        state.promised_until = None;
                        file_behind = from_file;
                    }
                }
            }
            // The engine never rotates a token before what a handout promised (it plans not to;
            // this holds when its plan was made from older news).
            if !from_file
                && revokes
                && let (Some(token), Some(promised), Some(expires)) =
                    (&access, state.promised_until, state.expires_at)
                && promised > now
                && expires > promised
            {
                return Ok(Step::Done(Box::new(Attempt {
                    result: Ok(token.clone()),
                    state,
                    contacted_api: false,
                    latency: Duration::ZERO,
                })));
            }
            // A handout promises no further than the token works (`works_until`); the engine
            // (state given) goes by its expiry.
            let current = StoredTokens {
                access: access.clone(),
                expires_at: if from_file {
                    self.works_until(&account, &state)
                } else {
                    state.expires_at
                },
                ..StoredTokens::default()
            };
            if let Some(token) = current.access_valid_for(now, min_valid) {
                let token = token.clone();
                if from_file && revokes {
                    state = self
                        .promise(&account, state, now + min_valid, file_behind)
                        .await?;
                }
                return Ok(Step::Done(Box::new(Attempt {
                    result: Ok(token),
                    state,
                    contacted_api: false,
                    latency: Duration::ZERO,
                })));
            }
            // A refresh now would revoke a token promised to an earlier handout: wait for
            // that promise to end (it ends before the token could be rotated anyway).
            if from_file
                && revokes
                && access.is_some()
                && let Some(promised) = state.promised_until.filter(|p| *p > now)
                && state.expires_at.is_some_and(|e| e >= promised)
            {
                return Ok(Step::WaitUntil(promised));
            }
            known_access = Some(access);
        }
        let mut stored = match self.read_renewal_secrets(&account, known_access).await {
            Ok(stored) => stored,
            Err(e) => {
                return self
                    .unbound(&account, state, e)
                    .await
                    .map(|a| Step::Done(Box::new(a)));
            }
        };
        stored.expires_at = state.expires_at;
        stored.refresh_expires_at = state.refresh_expires_at;
        let started = Instant::now();
        let outcome = self
            .renew(&account, &mut stored, &mut state, !from_file)
            .await;
        let latency = started.elapsed();
        let result = match outcome {
            Ok(set) => {
                // The new refresh token first: after a rotation it exists nowhere else.
                self.write_secrets(
                    &account,
                    vec![
                        (SecretKind::Refresh, set.refresh.clone()),
                        (SecretKind::Access, Some(set.access.clone())),
                    ],
                )
                .await?;
                self.record_site_form(&account, &set).await?;
                let now = self.clock.now();
                state.apply_success(&set, now, false);
                tracing::debug!(account = %account.name, expires_at = %set.expires_at, "token renewed");
                match self.works_until(&account, &state) {
                    // A handout the API cannot keep: said, not hidden (the new token is kept).
                    Some(until) if from_file && !force && until - now < min_valid => {
                        Err(Error::LifetimeTooShort {
                            name: account.name.clone(),
                            lifetime_secs: secs(set.expires_at - set.obtained_at),
                            works_secs: secs(until - now),
                            asked_secs: secs(min_valid),
                            revokes,
                        })
                    }
                    _ => {
                        if from_file && !force && revokes {
                            state.promised_until = Some(now + min_valid);
                        }
                        Ok(set.access)
                    }
                }
            }
            Err(failure) => {
                let (error, refused) = into_error(&account, failure);
                state.apply_failure(&error, self.clock.now(), refused);
                if refused && !from_file {
                    // A refused password must be on disk before the lock is released, so no
                    // other process sends it again in the second before the engine flushes.
                    let paths = self.paths.clone();
                    let (id, entry) = (account.id, state.clone());
                    blocking(move || state::store_blocking(&paths, id, &entry)).await?;
                }
                tracing::debug!(account = %account.name, error = %error, "token renewal failed");
                Err(error)
            }
        };
        if from_file {
            let paths = self.paths.clone();
            let (id, entry) = (account.id, state.clone());
            let history = HistoryEntry {
                at: self.clock.now() - TimeDelta::from_std(latency).unwrap_or_default(),
                outcome: if result.is_ok() {
                    Outcome::Refreshed
                } else {
                    Outcome::Failed
                },
                latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
                error: result
                    .as_ref()
                    .err()
                    .and_then(|_| state.last_error.clone())
                    .map(Box::new),
            };
            state = blocking(move || {
                if let Err(e) = history::append_blocking(&paths, id, &[history]) {
                    tracing::warn!(error = %e, "cannot write attempt history");
                }
                state::store_blocking(&paths, id, &entry)
            })
            .await?;
        }
        Ok(Step::Done(Box::new(Attempt {
            result,
            state,
            contacted_api: true,
            latency,
        })))
    }

    /// Records that the current token was promised to work until `until` (kept if an earlier
    /// promise reaches further), in the state file, where the background and other processes
    /// see it ([`state::promise_blocking`]: only the promise changes, never a newer state;
    /// when `file_behind`, the file's entry for an older token is replaced by `state`). Called
    /// under the account's lock.
    async fn promise(
        &self,
        account: &Account,
        mut state: AccountState,
        until: DateTime<Utc>,
        file_behind: bool,
    ) -> Result<AccountState> {
        if state.promised_until.is_some_and(|p| p >= until) {
            return Ok(state);
        }
        let Some(fingerprint) = state.token_fingerprint.clone() else {
            return Ok(state);
        };
        let paths = self.paths.clone();
        let id = account.id;
        let behind = file_behind.then(|| state.clone());
        let on_disk = blocking(move || {
            state::promise_blocking(&paths, id, &fingerprint, until, behind.as_ref())
        })
        .await?;
        state.keep_promise_of(&on_disk);
        Ok(state)
    }

    /// A read of the secrets failed: when they were bound to other settings (deleted now), the
    /// account needs a login, which the state file says at once, for every process; other
    /// failures go up as they are.
    async fn unbound(
        &self,
        account: &Account,
        mut state: AccountState,
        error: Error,
    ) -> Result<Attempt> {
        if !matches!(error, Error::OriginChanged { .. }) {
            return Err(error);
        }
        state.apply_failure(&error, self.clock.now(), false);
        let paths = self.paths.clone();
        let (id, entry) = (account.id, state.clone());
        let state = blocking(move || state::store_blocking(&paths, id, &entry)).await?;
        Ok(Attempt {
            result: Err(error),
            state,
            contacted_api: false,
            latency: Duration::ZERO,
        })
    }

    async fn renew(
        &self,
        account: &Account,
        stored: &mut StoredTokens,
        state: &mut AccountState,
        state_may_be_stale: bool,
    ) -> std::result::Result<TokenSet, Failure> {
        let provider = provider_for(account.provider);
        let now = self.clock.now();
        // A refresh token that will not outlive the next access token (Smartling caps both to
        // what is left of the user's SSO session) leads to a dead end: log in instead where a
        // password can be sent.
        let dead_end = crate::capabilities::of(account.provider).has_login()
            && refresh_is_dead_end(stored, state, now);
        let login_instead = dead_end
            && self
                .usable_password(account, stored, state, state_may_be_stale)
                .await?
                .is_some();
        let mut refused = None;
        let mut spent = None;
        if login_instead {
            tracing::info!(account = %account.name, "the refresh token would not outlive the next access token: logging in again instead");
        } else if provider.can_refresh(stored, now) {
            match provider.refresh(&self.http, account, stored).await {
                // Another user's tokens end the grant: none of them is stored or handed out.
                Ok(set) => {
                    match oauth2::other_subject(state.id_claims.as_ref(), set.id_claims.as_ref()) {
                        None => return Ok(set),
                        Some(e) => {
                            tracing::warn!(account = %account.name, error = %e, "refused a refresh for another user");
                            self.forget_grant(account, stored, state).await?;
                            refused = Some(e);
                        }
                    }
                }
                Err(failure) => {
                    let was_spent = failure.spent;
                    match self.keep_rotated(account, stored, failure).await? {
                        e if e.kind == ErrorKind::Auth => {
                            if provider.refusal_ends_grant() {
                                self.forget_grant(account, stored, state).await?;
                            }
                            refused = Some(e);
                        }
                        e if was_spent => {
                            tracing::warn!(account = %account.name, "an unusable answer to a rotating refresh: the old access token is no longer handed out");
                            self.retire_access(account, stored, state).await?;
                            spent = Some(e);
                        }
                        e => return Err(Failure::Api(e)),
                    }
                }
            }
        }
        let password = self
            .usable_password(account, stored, state, state_may_be_stale)
            .await?;
        let Some(password) = password else {
            if let Some(e) = spent {
                return Err(Failure::Api(spent_error(account, e, stored)));
            }
            return Err(needs_login(account, stored, state, refused, now));
        };
        let result = match provider.login(&self.http, account, &password).await {
            Ok(set) => return Ok(set),
            Err(failure) => self.keep_rotated(account, stored, failure).await?,
        };
        match result {
            e if e.kind == ErrorKind::Auth => Err(Failure::NeedsLogin {
                reason: format!(
                    "the stored password was refused ({e}); it will not be sent again: store a new password"
                ),
                api: Some(e),
                password_refused: true,
            }),
            e => Err(Failure::Api(e)),
        }
    }

    /// The stored password if a login may send it: the API has a login, a password is stored
    /// (read from the keychain only now, when a login is near), and it was not refused, here
    /// or (when the engine's copy of the state may be a second old) in another process.
    /// `state.password_refused` is brought up to date with what the state file says.
    async fn usable_password(
        &self,
        account: &Account,
        stored: &mut StoredTokens,
        state: &mut AccountState,
        state_may_be_stale: bool,
    ) -> std::result::Result<Option<Secret>, Failure> {
        if !crate::capabilities::of(account.provider).has_login() {
            return Ok(None);
        }
        if stored.password.is_none() {
            stored.password = self
                .read_secret(account, SecretKind::Password)
                .await
                .map_err(Failure::Local)?;
        }
        if stored.password.is_some() && state_may_be_stale && !state.password_refused {
            let paths = self.paths.clone();
            let id = account.id;
            if let Ok(on_disk) = blocking(move || state::read(&paths, id)).await {
                state.password_refused = on_disk.password_refused && !on_disk.is_older_than(state);
            }
        }
        Ok(stored.password.clone().filter(|_| !state.password_refused))
    }

    /// After a rotating refresh was answered with a success that could not be used, the
    /// server has most likely revoked the old access token with the old refresh token: it is
    /// deleted, so no one is handed a token the server refuses, and its expiry is forgotten.
    async fn retire_access(
        &self,
        account: &Account,
        stored: &mut StoredTokens,
        state: &mut AccountState,
    ) -> std::result::Result<(), Failure> {
        self.delete_secret(account.id, SecretKind::Access)
            .await
            .map_err(Failure::Local)?;
        stored.access = None;
        stored.expires_at = None;
        state.expires_at = None;
        state.token_fingerprint = None;
        Ok(())
    }

    /// The server ended the grant: its access and refresh tokens are deleted, so neither is
    /// handed out or sent again; the account needs a login.
    async fn forget_grant(
        &self,
        account: &Account,
        stored: &mut StoredTokens,
        state: &mut AccountState,
    ) -> std::result::Result<(), Failure> {
        tracing::warn!(account = %account.name, "the server ended the grant: its tokens are dropped");
        self.retire_access(account, stored, state).await?;
        self.delete_secret(account.id, SecretKind::Refresh)
            .await
            .map_err(Failure::Local)?;
        stored.refresh = None;
        stored.refresh_expires_at = None;
        Ok(())
    }

    /// After a failed call: stores a refresh token the answer carried (the server may have
    /// retired the old one already), and masks any secret the API echoed in its words.
    async fn keep_rotated(
        &self,
        account: &Account,
        stored: &StoredTokens,
        failure: ProviderError,
    ) -> std::result::Result<ApiError, Failure> {
        let error = (*failure.error).masked(&stored.exposed());
        if let Some(rotated) = failure.rotated_refresh {
            tracing::warn!(account = %account.name, error = %error, "unusable answer carried a new refresh token: stored it");
            self.write_secrets(account, vec![(SecretKind::Refresh, Some(rotated))])
                .await
                .map_err(Failure::Local)?;
        }
        Ok(error)
    }
}

/// A JWT's issue and expiry times (`iat`, else its expiry's own moment; `exp`), if it is one.
fn jwt_times(token: &Secret) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let jwt = crate::token::decode_jwt(token.expose()).ok()?;
    let at = |claim: &str| {
        jwt.claims
            .get(claim)
            .and_then(serde_json::Value::as_i64)
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
    };
    let expires = at("exp")?;
    Some((at("iat").unwrap_or(expires), expires))
}

/// Whole seconds of a span (0 when negative).
fn secs(span: TimeDelta) -> u64 {
    u64::try_from(span.num_seconds()).unwrap_or(0)
}

fn into_error(account: &Account, failure: Failure) -> (Error, bool) {
    match failure {
        Failure::Api(api) => (Error::Api(api), false),
        Failure::Local(error) => (error, false),
        Failure::NeedsLogin {
            reason,
            api,
            password_refused,
        } => (
            Error::NeedsLogin {
                name: account.name.clone(),
                reason,
                api: api.map(Box::new),
            },
            password_refused,
        ),
    }
}

/// The refresh token would not outlive the access token a refresh gives now: the refresh
/// token's known expiry is closer than the current token's lifetime.
fn refresh_is_dead_end(
    stored: &StoredTokens,
    state: &AccountState,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    match (
        stored.refresh.as_ref(),
        stored.refresh_expires_at,
        state.lifetime(),
    ) {
        (Some(_), Some(refresh_expires), Some(lifetime)) => refresh_expires - now <= lifetime,
        _ => false,
    }
}

/// The error for an unusable answer to a rotating refresh when no login can follow.
fn spent_error(account: &Account, error: ApiError, stored: &StoredTokens) -> ApiError {
    let next = if stored.refresh.is_some() {
        "the next refresh uses the refresh token it carried".to_owned()
    } else {
        format!(
            "if the next refresh is refused, {}",
            super::store_new_credentials(account.provider)
        )
    };
    let mut error = error;
    error.message = format!(
        "{}; the server has most likely revoked the old token with this answer, so it is no longer handed out; {next}",
        error.message
    );
    error
}

fn needs_login(
    account: &Account,
    stored: &StoredTokens,
    state: &AccountState,
    refused: Option<ApiError>,
    now: chrono::DateTime<chrono::Utc>,
) -> Failure {
    let fix = super::store_new_credentials(account.provider);
    let refresh_expired = stored.refresh.is_some()
        && stored
            .refresh_expires_at
            .is_some_and(|at| at - now <= crate::providers::USABLE_MARGIN);
    let reason = match (
        &refused,
        state.password_refused && stored.password.is_some(),
    ) {
        (Some(e), true) => format!(
            "the refresh was refused ({e}) and the stored password was refused earlier; {fix}"
        ),
        (Some(e), false) => {
            format!("the refresh was refused ({e}) and no password is stored; {fix}")
        }
        (None, _) if refresh_expired => format!(
            "the refresh token expired at {} and {}; {fix}",
            stored
                .refresh_expires_at
                .map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default(),
            if state.password_refused && stored.password.is_some() {
                "the stored password was refused earlier"
            } else {
                "no password is stored"
            }
        ),
        (None, true) => format!(
            "the stored password was refused earlier and the token cannot be refreshed; {fix}"
        ),
        // Nothing stored, and the account already needed a login: the reason it did (a change
        // of settings that deleted the secrets, a refused password) stays the reason.
        (None, false) if state.needs_login && state.last_error.is_some() => state
            .last_error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
        (None, false) => format!("no valid token, refresh token or password is stored; {fix}"),
    };
    Failure::NeedsLogin {
        reason,
        api: refused,
        password_refused: false,
    }
}
