//! Changing what is configured, without new credentials: an account's settings (the desktop
//! app's edit form) and the settings for every account. Both happen under the config lock, so
//! a CLI `add` or `remove` at the same moment cannot be lost; the refresh engine follows the
//! config file and picks the change up.
//!
//! Secrets are bound to what they were proven against ([`crate::store::binding`], checked on
//! every read that sends one, whatever changed the settings). An edit here keeps the keychain
//! tidy and the account's status true at once: a change of the server (scheme, host, port or
//! base path) or of what the account trusts (`insecure`, the pinned certificate, the CA file)
//! either comes with the secret typed again and proven against the new settings
//! ([`Keeper::edit_with_login`]), or deletes the stored secrets before the change is saved
//! ([`Keeper::edit`]).

use std::path::PathBuf;

use crate::account::{Account, validate_name};
use crate::cert::CertFingerprint;
use crate::error::{Error, Result};
use crate::store::binding::Binding;
use crate::store::config;

use super::{InitialSecret, Keeper, absolute, check_secret};

/// Changes to an account's settings; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct AccountChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new base URL (checked again here with [`crate::account::parse_base_url`]).
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
    /// Allow plain HTTP to another machine, or not.
    pub allow_plain_http: Option<bool>,
    /// A new hook (program and arguments), or none ([`crate::hooks`]).
    pub hook: Option<Option<Vec<String>>>,
    /// New tags (tidied and checked here with [`crate::account::normalize_tags`]).
    pub tags: Option<Vec<String>>,
    /// Pinned to the tray, or not.
    pub pinned: Option<bool>,
}

impl AccountChanges {
    /// True when no setting is named (every field `None`).
    pub fn is_empty(&self) -> bool {
        let Self {
            name,
            url,
            username,
            ttl,
            ca_cert,
            trust_cert,
            insecure,
            refresh_lead_secs,
            allow_plain_http,
            hook,
            tags,
            pinned,
        } = self;
        name.is_none()
            && url.is_none()
            && username.is_none()
            && ttl.is_none()
            && ca_cert.is_none()
            && trust_cert.is_none()
            && insecure.is_none()
            && refresh_lead_secs.is_none()
            && allow_plain_http.is_none()
            && hook.is_none()
            && tags.is_none()
            && pinned.is_none()
    }
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
        allow_plain_http,
        hook,
        tags,
        pinned,
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
    if let Some(v) = allow_plain_http {
        account.allow_plain_http = v;
    }
    if let Some(v) = hook {
        account.hook = v.filter(|c| !c.is_empty());
    }
    if let Some(v) = tags {
        // Checked by `check` before any change is made.
        account.tags = crate::account::normalize_tags(&v).unwrap_or(v);
    }
    if let Some(v) = pinned {
        account.pinned = v;
    }
}

/// True when secrets proven with `before` cannot be used with `after`: their bindings differ
/// ([`crate::store::binding`]: another scheme, host, port or base path, or other trust
/// settings), or a CA file cannot be read to tell.
pub fn origin_changed(before: &Account, after: &Account) -> bool {
    match (Binding::of(before), Binding::of(after)) {
        (Ok(before), Ok(after)) => before != after,
        _ => true,
    }
}

/// Checks changes the way an account being added is checked, whoever asks (the app's form,
/// `tokenkeeper edit`, `trust`, `tags`).
fn check(current: &Account, changes: &AccountChanges) -> Result<()> {
    if let Some(new_name) = &changes.name {
        validate_name(new_name)?;
    }
    if let Some(url) = &changes.url {
        crate::account::parse_base_url(url.as_str())?;
    }
    if let Some(ttl) = changes.ttl {
        crate::capabilities::of(current.provider).check_ttl(ttl)?;
    }
    if let Some(Some(path)) = &changes.ca_cert {
        crate::account::check_ca_file(path)?;
    }
    if let Some(lead) = changes.refresh_lead_secs {
        crate::account::check_refresh_lead(lead)?;
    }
    if let Some(tags) = &changes.tags {
        crate::account::normalize_tags(tags)?;
    }
    Ok(())
}

/// What an edit without a new secret did.
#[derive(Debug)]
pub struct Edited {
    /// The account as saved.
    pub account: Account,
    /// The server or the trust settings changed: the stored secrets were deleted, and the
    /// account needs a login.
    pub secrets_deleted: bool,
}

impl Keeper {
    /// Applies `changes` to the account named `name`. When they move the account to another
    /// origin or trust setting, its stored secrets are deleted with the change and it needs a
    /// login (see the module's doc).
    pub async fn edit(&self, name: &str, changes: AccountChanges) -> Result<Edited> {
        let current = self.find(name)?;
        check(&current, &changes)?;
        let mut candidate = current.clone();
        apply(&mut candidate, changes.clone());
        if !origin_changed(&current, &candidate) {
            let _config_lock = self.lock(&self.paths.config_lock(), name).await?;
            let account = self.save_changes(name, changes)?;
            return Ok(Edited {
                account,
                secrets_deleted: false,
            });
        }
        // Lock order: account, then config, then state. The secrets go first: when deleting
        // fails (a locked keychain) nothing changed; a refresh that starts after this re-reads
        // the new settings and finds no secret (and any secret it found would be bound to the
        // old settings: see crate::store::binding).
        let _account_lock = self
            .lock(&self.paths.account_lock(current.id), name)
            .await?;
        self.delete_secrets(current.id).await?;
        let account = {
            let _config_lock = self.lock(&self.paths.config_lock(), name).await?;
            self.save_changes(name, changes)?
        };
        let change = match (Binding::of(&current), Binding::of(&account)) {
            (Ok(before), Ok(after)) => before.changes_to(&after),
            _ => "the CA file can no longer be read".to_owned(),
        };
        let mut entry = crate::store::state::read(&self.paths, account.id)?;
        entry.apply_failure(
            &Error::OriginChanged {
                name: account.name.clone(),
                secret: "secrets".to_owned(),
                change,
            },
            self.clock.now(),
            false,
        );
        let paths = self.paths.clone();
        let id = account.id;
        super::blocking(move || crate::store::state::store_blocking(&paths, id, &entry)).await?;
        tracing::info!(account = %account.name, "server or trust settings changed: stored secrets deleted");
        Ok(Edited {
            account,
            secrets_deleted: true,
        })
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
        let found = self.find(name)?;
        check(&found, &changes)?;
        let _account_lock = self.lock(&self.paths.account_lock(found.id), name).await?;
        let current = self.current(&found)?;
        let mut candidate = current.clone();
        apply(&mut candidate, changes.clone());
        check_secret(
            name,
            candidate.provider,
            candidate.username.is_some(),
            candidate.oauth.as_ref(),
            &secret,
        )?;
        self.probe_secrets(candidate.id).await?;
        let set = self.first_token(&candidate, &secret, false).await?;
        // Every secret of the old settings goes first; then the settings; then what the new
        // ones were proven with. A failure leaves the old settings with the old secrets, or
        // the new settings with none: never a secret with settings it was not proven against.
        self.delete_secrets(current.id).await?;
        let mut account = {
            let _config_lock = self.lock(&self.paths.config_lock(), &current.name).await?;
            self.save_changes(&current.name, changes)?
        };
        self.record_site_form(&account, &set).await?;
        if let Some(plain) = set.plain_permalinks {
            account.plain_permalinks = plain;
        }
        let is_password = matches!(secret, InitialSecret::Password(_));
        let initial = self.initial_secrets(&secret, &set);
        self.write_secrets(&account, initial).await?;
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
        crate::account::check_refresh_lead(cfg.settings.refresh_lead_secs)?;
        config::save(&self.paths.config_file(), &cfg)?;
        Ok(cfg.settings)
    }

    /// Fails now, naming the fix, when the keychain is missing or locked (writes and deletes a
    /// throwaway entry of its own).
    pub async fn check_keychain(&self) -> Result<()> {
        self.probe_secrets(crate::account::AccountId::probe()).await
    }
}
