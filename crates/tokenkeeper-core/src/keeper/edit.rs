//! Changing what is configured, without new credentials: an account's settings (the desktop
//! app's edit form) and the settings for every account. Both happen under the config lock, so
//! a CLI `add` or `remove` at the same moment cannot be lost; the refresh engine follows the
//! config file and picks the change up.

use std::path::PathBuf;

use crate::account::{Account, validate_name};
use crate::cert::CertFingerprint;
use crate::error::{Error, Result};
use crate::store::config;

use super::{InitialSecret, Keeper, absolute, check_secret};

/// Changes to an account's settings; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct AccountChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new base URL (already checked with [`crate::account::parse_base_url`]).
    pub url: Option<url::Url>,
    /// A new user name, or none.
    pub username: Option<Option<String>>,
    /// A new requested lifetime (Redis Enterprise), or none.
    pub ttl: Option<Option<u64>>,
    /// A new CA file, or none.
    pub ca_cert: Option<Option<PathBuf>>,
    /// A new pinned certificate, or none.
    pub trust_cert: Option<Option<CertFingerprint>>,
    /// Skip TLS verification, or not.
    pub insecure: Option<bool>,
    /// A new fixed refresh lead, or none (the global one then applies).
    pub refresh_lead_secs: Option<Option<u64>>,
}

fn apply(account: &mut Account, changes: AccountChanges) {
    let AccountChanges {
        name: new_name,
        url,
        username,
        ttl,
        ca_cert,
        trust_cert,
        insecure,
        refresh_lead_secs,
    } = changes;
    if let Some(v) = new_name {
        account.name = v;
    }
    if let Some(v) = url {
        account.url = v;
    }
    if let Some(v) = username {
        account.username = v.filter(|u| !u.is_empty());
    }
    if let Some(v) = ttl {
        account.ttl = v;
    }
    if let Some(v) = ca_cert {
        account.ca_cert = v.map(absolute);
    }
    if let Some(v) = trust_cert {
        account.trust_cert = v;
    }
    if let Some(v) = insecure {
        account.insecure = v;
    }
    if let Some(v) = refresh_lead_secs {
        account.refresh_lead_secs = v;
    }
}

impl Keeper {
    /// Applies `changes` to the account named `name`; returns the account as saved.
    pub async fn edit(&self, name: &str, changes: AccountChanges) -> Result<Account> {
        if let Some(new_name) = &changes.name {
            validate_name(new_name)?;
        }
        let _config_lock = self.lock(&self.paths.config_lock(), name).await?;
        self.save_changes(name, changes)
    }

    /// Under the config lock: applies and saves.
    fn save_changes(&self, name: &str, changes: AccountChanges) -> Result<Account> {
        let mut cfg = config::load(&self.paths.config_file())?;
        if let Some(new_name) = &changes.name
            && new_name != name
            && cfg.find(new_name).is_some()
        {
            return Err(Error::AccountExists(new_name.clone()));
        }
        let account = cfg
            .accounts
            .iter_mut()
            .find(|a| a.name == name)
            .ok_or_else(|| Error::AccountNotFound(name.to_owned()))?;
        apply(account, changes);
        let account = account.clone();
        config::save(&self.paths.config_file(), &cfg)?;
        Ok(account)
    }

    /// Applies `changes` and logs in with a new secret as one step: the first token is asked
    /// of the server with the new settings while the account is locked, and only when it
    /// comes are the settings saved and the secret stored; on failure nothing changes (no
    /// old credential is ever sent to a new address).
    pub async fn edit_with_login(
        &self,
        name: &str,
        changes: AccountChanges,
        secret: InitialSecret,
    ) -> Result<Account> {
        if let Some(new_name) = &changes.name {
            validate_name(new_name)?;
        }
        let current = self.find(name)?;
        let _account_lock = self
            .lock(&self.paths.account_lock(current.id), name)
            .await?;
        let mut candidate = current.clone();
        apply(&mut candidate, changes.clone());
        check_secret(
            name,
            candidate.provider,
            candidate.username.is_some(),
            &secret,
        )?;
        self.probe_secrets(candidate.id).await?;
        let set = self.first_token(&candidate, &secret, true).await?;
        let account = {
            let _config_lock = self.lock(&self.paths.config_lock(), name).await?;
            self.save_changes(name, changes)?
        };
        let is_password = matches!(secret, InitialSecret::Password(_));
        let initial = self.initial_secrets(&secret, &set);
        self.write_secrets(account.id, initial).await?;
        self.record_success(&account, &set, is_password).await?;
        Ok(account)
    }

    /// Changes the settings for every account (e.g. the default refresh lead).
    pub async fn update_settings(
        &self,
        change: impl FnOnce(&mut config::Settings),
    ) -> Result<config::Settings> {
        let _config_lock = self.lock(&self.paths.config_lock(), "settings").await?;
        let mut cfg = config::load(&self.paths.config_file())?;
        change(&mut cfg.settings);
        config::save(&self.paths.config_file(), &cfg)?;
        Ok(cfg.settings)
    }

    /// Fails now, naming the fix, when the keychain is missing or locked (writes and deletes a
    /// throwaway entry of its own).
    pub async fn check_keychain(&self) -> Result<()> {
        self.probe_secrets(crate::account::AccountId::probe()).await
    }
}
