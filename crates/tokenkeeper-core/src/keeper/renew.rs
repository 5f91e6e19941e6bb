//! Getting a token that stays valid long enough: refresh, or log in again with stored
//! credentials, under the account's cross-process lock.
//!
//! Rules: a refresh refused as `auth` leads to one login when a password is stored; a refused
//! login marks the password refused and it is never sent again until the user stores a new
//! one (Redis Enterprise locks a user after 5 failures). Other failures keep every stored token
//! and are recorded as the account's last error.

use std::time::Duration;

use chrono::{TimeDelta, Utc};

use crate::account::Account;
use crate::error::{ApiError, Error, ErrorKind, Result};
use crate::providers::{StoredTokens, provider_for};
use crate::secret::Secret;
use crate::store::keychain::SecretKind;
use crate::store::state::{self, AccountState, LastError};
use crate::token::TokenSet;

use super::view::AccountView;
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
}

impl Keeper {
    /// A token valid for at least `min_valid`, refreshing first when needed.
    pub async fn token(&self, name: &str, min_valid: Duration) -> Result<Secret> {
        let account = self.find(name)?;
        self.ensure(&account, min_valid, false).await
    }

    /// Refreshes now, whatever the token's expiry.
    pub async fn refresh(&self, name: &str) -> Result<AccountView> {
        let account = self.find(name)?;
        self.ensure(&account, Duration::ZERO, true).await?;
        let state = state::read(&self.paths, account.id)?;
        Ok(AccountView::new(&account, &state, Utc::now()))
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
    async fn ensure(&self, account: &Account, min_valid: Duration, force: bool) -> Result<Secret> {
        let _lock = self
            .lock(&self.paths.account_lock(account.id), &account.name)
            .await?;
        // The account may have been removed or changed while we waited.
        let account = self
            .accounts()?
            .into_iter()
            .find(|a| a.id == account.id)
            .ok_or_else(|| Error::AccountNotFound(account.name.clone()))?;
        let state = state::read(&self.paths, account.id)?;
        let mut stored = self.read_secrets(account.id).await?;
        stored.expires_at = state.expires_at;
        stored.refresh_expires_at = state.refresh_expires_at;
        let min_valid = TimeDelta::from_std(min_valid).unwrap_or(TimeDelta::MAX);
        if !force && let Some(token) = stored.access_valid_for(Utc::now(), min_valid) {
            return Ok(token.clone());
        }
        match self.renew(&account, &stored, &state).await {
            Ok(set) => {
                self.write_secrets(
                    account.id,
                    vec![
                        (SecretKind::Refresh, set.refresh.clone()),
                        (SecretKind::Access, Some(set.access.clone())),
                    ],
                )
                .await?;
                self.record_success(&account, &set, false).await?;
                tracing::info!(account = %account.name, expires_at = %set.expires_at, "token renewed");
                Ok(set.access)
            }
            Err(failure) => {
                let (error, refused) = match failure {
                    Failure::Api(api) => (Error::Api(api), false),
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
                };
                self.record_failure(&account, &error, refused).await?;
                tracing::warn!(account = %account.name, error = %error, "token renewal failed");
                Err(error)
            }
        }
    }

    async fn renew(
        &self,
        account: &Account,
        stored: &StoredTokens,
        state: &AccountState,
    ) -> std::result::Result<TokenSet, Failure> {
        let provider = provider_for(account.provider);
        let mut refused = None;
        if provider.can_refresh(stored, Utc::now()) {
            match provider.refresh(&self.http, account, stored).await {
                Ok(set) => return Ok(set),
                Err(e) if e.kind == ErrorKind::Auth => refused = Some(e),
                Err(e) => return Err(Failure::Api(e)),
            }
        }
        let password = stored.password.as_ref().filter(|_| provider.has_login());
        let Some(password) = password.filter(|_| !state.password_refused) else {
            return Err(needs_login(account, stored, state, refused));
        };
        match provider.login(&self.http, account, password).await {
            Ok(set) => Ok(set),
            Err(e) if e.kind == ErrorKind::Auth => Err(Failure::NeedsLogin {
                reason: format!(
                    "the stored password was refused ({e}); it will not be sent again: store a new one with `tokenkeeper login {} --password-stdin`",
                    account.name
                ),
                api: Some(e),
                password_refused: true,
            }),
            Err(e) => Err(Failure::Api(e)),
        }
    }

    async fn record_failure(&self, account: &Account, error: &Error, refused: bool) -> Result<()> {
        let paths = self.paths.clone();
        let id = account.id;
        let last = LastError::from_error(error, Utc::now());
        let needs_login = matches!(error, Error::NeedsLogin { .. });
        blocking(move || {
            state::update_blocking(&paths, id, |s| {
                s.last_error = Some(last);
                s.needs_login = needs_login;
                s.password_refused |= refused;
            })
        })
        .await
        .map(|_| ())
    }
}

fn needs_login(
    account: &Account,
    stored: &StoredTokens,
    state: &AccountState,
    refused: Option<ApiError>,
) -> Failure {
    let fix = format!(
        "run `tokenkeeper login {} {}`",
        account.name,
        super::supported_flags(account.provider)
    );
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
        (None, true) => format!(
            "the stored password was refused earlier and the token cannot be refreshed; {fix}"
        ),
        (None, false) => format!("no valid token, refresh token or password is stored; {fix}"),
    };
    Failure::NeedsLogin {
        reason,
        api: refused,
        password_refused: false,
    }
}
