//! The operations the CLI and the app call: add, list, show, remove, token, refresh.
//!
//! [`Keeper`] ties one config directory, a secret store and the HTTP client together. Every
//! change to an account's tokens happens under that account's cross-process lock, after
//! re-reading what is stored (another process may have refreshed meanwhile), and a rotated
//! refresh token is stored before anything else. Lock order: account, then config, then state.

mod edit;
mod oauth;
mod renew;
mod secrets;
pub mod view;

pub use edit::{AccountChanges, Edited, origin_changed};
pub use renew::{Attempt, StateSource, TokenInfo};

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::account::{Account, AccountId, ProviderKind, validate_name};
use crate::capabilities::{self, Credential};
use crate::cert::{CertFingerprint, CertificateReport};
use crate::clock::{Clock, SystemClock};
use crate::error::{CredentialProblem, Error, Result};
use crate::providers::oauth2::{self, Grant, LoginPrompt, OAuthSettings};
use crate::providers::tls::TlsSettings;
use crate::providers::{Http, StoredTokens, provider_for};
use crate::secret::Secret;
use crate::store::config;
use crate::store::digests;
use crate::store::keychain::{Keychain, SecretKind, SecretStore};
use crate::store::lock::FileLock;
use crate::store::paths::Paths;
use crate::store::state::{self, AccountState};
use crate::token::{TokenSet, decode_jwt};

pub use view::{AccountDetail, AccountView, works_until};

/// The one secret given when an account is added or its credentials are replaced.
#[derive(Debug)]
pub enum InitialSecret {
    /// Password or user secret: TokenKeeper can log in again by itself.
    Password(Secret),
    /// A refresh token.
    RefreshToken(Secret),
    /// A current access token (Redis Enterprise, ECE): refreshed while it is valid.
    AccessToken(Secret),
    /// OAuth 2.0: a person signs in, in the browser or with a device code (the account's
    /// grant says which), shown by `prompt`; a confidential client's secret goes with it and
    /// is stored for the refreshes.
    SignIn {
        /// The client secret, when the client authenticates with one.
        client_secret: Option<Secret>,
        /// Shows the page to open or the code to type.
        prompt: Arc<dyn LoginPrompt>,
    },
}

impl InitialSecret {
    /// What an OAuth 2.0 account with this grant is added or signed in again with: a person's
    /// sign-in shown by `prompt` (with the client secret, for a confidential client), or for
    /// client credentials the client secret, which is then the account's password.
    pub fn oauth(
        grant: Grant,
        client_secret: Option<Secret>,
        prompt: Arc<dyn LoginPrompt>,
    ) -> Result<Self> {
        if grant.is_interactive() {
            return Ok(Self::SignIn {
                client_secret,
                prompt,
            });
        }
        client_secret.map(Self::Password).ok_or_else(|| {
            Error::InvalidInput("the client-credentials grant needs the client secret".to_owned())
        })
    }

    /// The secret given, if the credential is one (a sign-in is not).
    fn secret(&self) -> Option<&Secret> {
        match self {
            Self::Password(s) | Self::RefreshToken(s) | Self::AccessToken(s) => Some(s),
            Self::SignIn { .. } => None,
        }
    }

    /// Every secret given: what must never come back in a message.
    fn exposed(&self) -> Vec<&str> {
        match self {
            Self::SignIn { client_secret, .. } => {
                client_secret.iter().map(Secret::expose).collect()
            }
            other => other.secret().map(Secret::expose).into_iter().collect(),
        }
    }

    /// Which kind of secret this is.
    pub fn credential(&self) -> Credential {
        match self {
            Self::Password(_) => Credential::Password,
            Self::RefreshToken(_) => Credential::RefreshToken,
            Self::AccessToken(_) => Credential::AccessToken,
            Self::SignIn { .. } => Credential::SignIn,
        }
    }
}

/// Settings of an account to add.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// Unique name.
    pub name: String,
    /// Which API.
    pub provider: ProviderKind,
    /// Base URL (checked again by [`Keeper::add`] with [`crate::account::parse_base_url`]).
    pub url: url::Url,
    /// User name for login.
    pub username: Option<String>,
    /// Requested token lifetime (Redis Enterprise).
    pub ttl: Option<u64>,
    /// Extra CA certificate file.
    pub ca_cert: Option<PathBuf>,
    /// A pinned server certificate.
    pub trust_cert: Option<CertFingerprint>,
    /// Skip TLS verification.
    pub insecure: bool,
    /// Fixed refresh lead in seconds.
    pub refresh_lead_secs: Option<u64>,
    /// Allow plain HTTP to a host that is not this machine (secrets travel in clear).
    pub allow_plain_http: bool,
    /// Tags to find and group it by (checked with [`crate::account::normalize_tags`]).
    pub tags: Vec<String>,
    /// OAuth 2.0 settings (`oauth2` accounts only; checked with [`OAuthSettings::check`]).
    pub oauth: Option<OAuthSettings>,
}

impl NewAccount {
    /// The settings a server is reached with before any account exists (a discovery document
    /// read for a form): no name of its own, no secret.
    pub fn probe(
        provider: ProviderKind,
        url: url::Url,
        tls: &TlsSettings,
        allow_plain_http: bool,
    ) -> Self {
        Self {
            name: "probe".to_owned(),
            provider,
            url,
            username: None,
            ttl: None,
            ca_cert: tls.ca_cert.clone(),
            trust_cert: tls.trust_cert,
            insecure: tls.insecure,
            refresh_lead_secs: None,
            allow_plain_http,
            tags: Vec::new(),
            oauth: None,
        }
    }

    /// The account these settings make (the one place an `Account` is made from settings):
    /// `id`, created `now`, with what only later use sets (hook, pin, plain permalinks) unset.
    fn account(self, id: AccountId, now: chrono::DateTime<chrono::Utc>) -> Result<Account> {
        Ok(Account {
            id,
            name: self.name,
            provider: self.provider,
            url: self.url,
            username: self.username,
            ttl: self.ttl,
            ca_cert: self.ca_cert.map(absolute),
            trust_cert: self.trust_cert,
            insecure: self.insecure,
            created_at: now,
            refresh_lead_secs: self.refresh_lead_secs,
            plain_permalinks: false,
            allow_plain_http: self.allow_plain_http,
            hook: None,
            tags: crate::account::normalize_tags(&self.tags)?,
            pinned: false,
            oauth: self.oauth,
        })
    }
}

/// Default time to wait for another process holding an account's lock.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(90);

/// Access to the accounts of one config directory.
#[derive(Clone, Debug)]
pub struct Keeper {
    paths: Paths,
    secrets: Arc<dyn SecretStore>,
    http: Http,
    clock: Arc<dyn Clock>,
    lock_timeout: Duration,
    config: Arc<digests::Cache>,
}

impl Keeper {
    /// Opens a config directory with the OS keychain.
    pub fn open(paths: Paths) -> Self {
        Self::with_store(paths, Arc::new(Keychain::new()))
    }

    /// Opens a config directory with another secret store (benchmarks, engine tests).
    pub fn with_store(paths: Paths, secrets: Arc<dyn SecretStore>) -> Self {
        Self {
            paths,
            secrets,
            http: Http::new(),
            clock: Arc::new(SystemClock),
            lock_timeout: LOCK_TIMEOUT,
            config: Arc::new(digests::Cache::default()),
        }
    }

    /// Uses another clock (tests, soaks at accelerated time); the HTTP client follows it.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.http = self.http.with_clock(clock.clone());
        self.clock = clock;
        self
    }

    /// Uses another HTTP client (other timeouts).
    pub fn with_http(mut self, http: Http) -> Self {
        self.http = http.with_clock(self.clock.clone());
        self
    }

    /// The clock in use.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Changes how long to wait for another process's lock.
    pub fn set_lock_timeout(&mut self, timeout: Duration) {
        self.lock_timeout = timeout;
    }

    /// The config directory's files.
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// The settings for every account.
    pub fn settings(&self) -> Result<config::Settings> {
        Ok(config::load(&self.paths.config_file())?.settings)
    }

    /// The config as it is now: every account in its order, and the settings.
    pub fn config(&self) -> Result<config::Config> {
        config::load(&self.paths.config_file())
    }

    /// One account's state as the state file holds it (only that entry is read).
    pub fn state(&self, id: AccountId) -> Result<AccountState> {
        state::read(&self.paths, id)
    }

    /// All configured accounts.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        Ok(config::load(&self.paths.config_file())?.accounts)
    }

    /// `account` as the config file says now: the caller's copy when it is still what the file
    /// holds (a digest compared, the file parsed again only when it changed), else the file's;
    /// `AccountNotFound` when it was removed.
    pub(crate) fn current(&self, account: &Account) -> Result<Account> {
        let path = self.paths.config_file();
        match self.config.digests(&path)?.get(&account.id) {
            None => Err(Error::AccountNotFound(account.name.clone())),
            Some(digest) if *digest == digests::digest(account) => Ok(account.clone()),
            Some(_) => config::load(&path)?
                .accounts
                .into_iter()
                .find(|a| a.id == account.id)
                .ok_or_else(|| Error::AccountNotFound(account.name.clone())),
        }
    }

    /// The account with this name.
    pub fn find(&self, name: &str) -> Result<Account> {
        config::load(&self.paths.config_file())?
            .find(name)
            .cloned()
            .ok_or_else(|| Error::AccountNotFound(name.to_owned()))
    }

    /// Every account with its status, from the config and state files (no keychain access).
    pub fn list(&self) -> Result<Vec<AccountView>> {
        let cfg = config::load(&self.paths.config_file())?;
        let states = state::load(&self.paths.state_file())?.accounts;
        let now = self.clock.now();
        let lead = cfg.settings.refresh_lead();
        Ok(cfg
            .accounts
            .iter()
            .map(|a| {
                AccountView::new(
                    a,
                    &states.get(&a.id).cloned().unwrap_or_default(),
                    now,
                    lead,
                )
            })
            .collect())
    }

    /// An account's view now, with the config's global refresh lead.
    pub(crate) fn view(&self, account: &Account, state: &AccountState) -> Result<AccountView> {
        let lead = self.settings()?.refresh_lead();
        Ok(AccountView::new(account, state, self.clock.now(), lead))
    }

    /// One account in detail: which secrets are stored and the token's JWT claims.
    pub async fn show(&self, name: &str) -> Result<AccountDetail> {
        let account = self.find(name)?;
        let state = state::read(&self.paths, account.id)?;
        // For display only: a secret bound to other settings is not shown as usable (it is
        // deleted by the next attempt, under the account lock).
        let stored = match self.read_secrets(&account, secrets::Use::Look).await {
            Err(Error::OriginChanged { .. }) => StoredTokens::default(),
            other => other?,
        };
        let stored_secrets = [
            ("password", stored.password.is_some()),
            ("refresh", stored.refresh.is_some()),
            ("access", stored.access.is_some()),
            ("client-secret", stored.client_secret.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect();
        let jwt = stored
            .access
            .as_ref()
            .and_then(|t| decode_jwt(t.expose()).ok());
        let (jwt_header, claims) = match jwt {
            Some(jwt) => (Some(jwt.header), Some(jwt.claims)),
            None => (None, None),
        };
        Ok(AccountDetail {
            view: self.view(&account, &state)?,
            ttl: account.ttl,
            refresh_lead_secs: account.refresh_lead_secs,
            ca_cert: account.ca_cert.as_ref().map(|p| p.display().to_string()),
            created_at: account.created_at,
            stored_secrets,
            password_refused: state.password_refused,
            jwt_header,
            claims,
            id_token_claims: state.id_claims.clone(),
            oauth: account.oauth.clone(),
            history: {
                let paths = self.paths.clone();
                let id = account.id;
                blocking(move || Ok(crate::store::history::read_blocking(&paths, id))).await?
            },
        })
    }

    /// Adds an account after proving it works: logs in (or refreshes) once, and stores
    /// nothing if that fails.
    pub async fn add(&self, new: NewAccount, secret: InitialSecret) -> Result<AccountView> {
        validate_name(&new.name)?;
        crate::account::parse_base_url(new.url.as_str())?;
        capabilities::of(new.provider).check_ttl(new.ttl)?;
        crate::account::check_refresh_lead(new.refresh_lead_secs)?;
        if let Some(path) = &new.ca_cert {
            crate::account::check_ca_file(path)?;
        }
        check_oauth(new.provider, new.oauth.as_ref())?;
        check_secret(
            &new.name,
            new.provider,
            new.username.is_some(),
            new.oauth.as_ref(),
            &secret,
        )?;
        self.paths.ensure()?;
        if config::load(&self.paths.config_file())?
            .find(&new.name)
            .is_some()
        {
            return Err(Error::AccountExists(new.name));
        }
        let mut account = new.account(AccountId::generate(), self.clock.now())?;
        // A locked keychain must fail before the API is asked (no wasted login or rotation).
        self.probe_secrets(account.id).await?;
        // A new account stores nothing on failure (not even a rotated refresh token).
        let set = self.first_token(&account, &secret, false).await?;
        account.plain_permalinks = set.plain_permalinks.unwrap_or(false);
        let _config_lock = self.lock(&self.paths.config_lock(), &account.name).await?;
        let mut cfg = config::load(&self.paths.config_file())?;
        if cfg.find(&account.name).is_some() {
            return Err(Error::AccountExists(account.name));
        }
        let initial = self.initial_secrets(&secret, &set);
        if let Err(e) = self.write_secrets(&account, initial).await {
            self.delete_secrets(account.id).await.ok();
            return Err(e);
        }
        cfg.accounts.push(account.clone());
        if let Err(e) = config::save(&self.paths.config_file(), &cfg) {
            self.delete_secrets(account.id).await.ok();
            return Err(e);
        }
        let state = self.record_success(&account, &set, true).await?;
        self.view(&account, &state)
    }

    /// Replaces an account's credentials (a new password, refresh token or token), proving
    /// them first; clears `needs_login`.
    pub async fn login(&self, name: &str, secret: InitialSecret) -> Result<AccountView> {
        let found = self.find(name)?;
        check_secret(
            name,
            found.provider,
            found.username.is_some(),
            found.oauth.as_ref(),
            &secret,
        )?;
        let _lock = self.lock(&self.paths.account_lock(found.id), name).await?;
        // The settings the new secret is proven against, as they are under the lock.
        let account = self.current(&found)?;
        // A locked keychain must fail before the API is asked (no wasted login or rotation).
        self.probe_secrets(account.id).await?;
        let set = self.first_token(&account, &secret, true).await?;
        self.record_site_form(&account, &set).await?;
        // The new secret replaces every stored one: an old password left beside a new token
        // would be sent when that token's session ends.
        self.delete_secrets(account.id).await?;
        let initial = self.initial_secrets(&secret, &set);
        self.write_secrets(&account, initial).await?;
        // Only a new password clears "password refused" (no other password is stored now; a
        // sign-in leaves none).
        let is_password = matches!(
            secret,
            InitialSecret::Password(_) | InitialSecret::SignIn { .. }
        );
        let state = self.record_success(&account, &set, is_password).await?;
        self.view(&account, &state)
    }

    /// Removes an account: its keychain entries first (kept if the keychain fails), then its
    /// settings and state.
    pub async fn remove(&self, name: &str) -> Result<()> {
        let account = self.find(name)?;
        let account_lock_path = self.paths.account_lock(account.id);
        let account_lock = self.lock(&account_lock_path, name).await?;
        let _config_lock = self.lock(&self.paths.config_lock(), name).await?;
        let mut cfg = config::load(&self.paths.config_file())?;
        let before = cfg.accounts.len();
        cfg.accounts.retain(|a| a.id != account.id);
        if cfg.accounts.len() == before {
            return Err(Error::AccountNotFound(name.to_owned()));
        }
        self.revoke(&account).await;
        self.delete_secrets(account.id).await?;
        config::save(&self.paths.config_file(), &cfg)?;
        let paths = self.paths.clone();
        blocking(move || {
            crate::store::history::remove_blocking(&paths, account.id);
            state::remove_blocking(&paths, account.id)
        })
        .await?;
        drop(account_lock);
        std::fs::remove_file(&account_lock_path).ok();
        Ok(())
    }

    /// Pins the server certificate of an account by its SHA-256 fingerprint (SSH-style
    /// trust: that exact certificate, whatever its issuer or names). Like any change of what
    /// an account trusts, it comes with the secret typed again and proven against the new
    /// certificate (`secret`), or deletes the stored secrets ([`Keeper::edit`]).
    pub async fn trust(
        &self,
        name: &str,
        fingerprint: CertFingerprint,
        secret: Option<InitialSecret>,
    ) -> Result<Edited> {
        let changes = AccountChanges {
            trust_cert: Some(Some(fingerprint)),
            ..AccountChanges::default()
        };
        match secret {
            Some(secret) => Ok(Edited {
                account: self.edit_with_login(name, changes, secret).await?,
                secrets_deleted: false,
            }),
            None => self.edit(name, changes).await,
        }
    }

    /// The certificate chain a server presents, and whether `settings` would trust it.
    /// Nothing is trusted or stored, and no request is sent.
    pub async fn inspect_certificate(
        &self,
        url: &url::Url,
        settings: &TlsSettings,
    ) -> Result<CertificateReport> {
        Ok(self.http.inspect(url, settings).await?)
    }

    /// Keeps the account's `plain_permalinks` in step with the URL form the site last
    /// answered at (a WordPress site whose permalink setting changed), under the config lock.
    pub(crate) async fn record_site_form(&self, account: &Account, set: &TokenSet) -> Result<()> {
        let Some(plain) = set
            .plain_permalinks
            .filter(|p| *p != account.plain_permalinks)
        else {
            return Ok(());
        };
        let _config_lock = self.lock(&self.paths.config_lock(), &account.name).await?;
        let mut cfg = config::load(&self.paths.config_file())?;
        if let Some(stored) = cfg.accounts.iter_mut().find(|a| a.id == account.id) {
            stored.plain_permalinks = plain;
            config::save(&self.paths.config_file(), &cfg)?;
            tracing::info!(account = %account.name, plain_permalinks = plain, "the site answers at another URL form now: recorded");
        }
        Ok(())
    }

    /// The first token with a secret the user gives. For an account that exists already
    /// (`keep_rotated`), a refresh token carried by an otherwise unusable answer is stored.
    async fn first_token(
        &self,
        account: &Account,
        secret: &InitialSecret,
        keep_rotated: bool,
    ) -> Result<TokenSet> {
        let provider = provider_for(account.provider);
        let result = match secret {
            InitialSecret::Password(password) => {
                provider.login(&self.http, account, password).await
            }
            InitialSecret::RefreshToken(refresh) => {
                let stored = StoredTokens {
                    refresh: Some(refresh.clone()),
                    ..StoredTokens::default()
                };
                provider.refresh(&self.http, account, &stored).await
            }
            InitialSecret::AccessToken(access) => {
                let stored = StoredTokens {
                    access: Some(access.clone()),
                    ..StoredTokens::default()
                };
                provider.refresh(&self.http, account, &stored).await
            }
            InitialSecret::SignIn {
                client_secret,
                prompt,
            } => {
                let grant = account.oauth.as_ref().map(|o| o.grant);
                let secret = client_secret.as_ref();
                match grant {
                    Some(Grant::DeviceCode) => {
                        oauth2::device::authorize(&self.http, account, secret, prompt.as_ref())
                            .await
                    }
                    _ => {
                        oauth2::authorize::authorize(
                            &self.http,
                            account,
                            secret,
                            prompt.as_ref(),
                            oauth2::authorize::BROWSER_TIMEOUT,
                        )
                        .await
                    }
                }
            }
        };
        match result {
            Ok(set) => Ok(set),
            Err(failure) => {
                if keep_rotated && let Some(rotated) = failure.rotated_refresh {
                    self.write_secrets(account, vec![(SecretKind::Refresh, Some(rotated))])
                        .await?;
                }
                Err(Error::Api((*failure.error).masked(&secret.exposed())))
            }
        }
    }

    fn initial_secrets(
        &self,
        secret: &InitialSecret,
        set: &TokenSet,
    ) -> Vec<(SecretKind, Option<Secret>)> {
        let (password, given_refresh, client_secret) = match secret {
            InitialSecret::Password(p) => (Some(p.clone()), None, None),
            InitialSecret::RefreshToken(r) => (None, Some(r.clone()), None),
            InitialSecret::AccessToken(_) => (None, None, None),
            InitialSecret::SignIn { client_secret, .. } => (None, None, client_secret.clone()),
        };
        vec![
            (SecretKind::Refresh, set.refresh.clone().or(given_refresh)),
            (SecretKind::Access, Some(set.access.clone())),
            (SecretKind::Password, password),
            (SecretKind::ClientSecret, client_secret),
        ]
    }

    async fn lock(&self, path: &std::path::Path, name: &str) -> Result<FileLock> {
        self.paths.ensure()?;
        FileLock::acquire(path, self.lock_timeout)
            .await?
            .ok_or_else(|| Error::LockTimeout {
                name: name.to_owned(),
                secs: self.lock_timeout.as_secs(),
            })
    }

    async fn record_success(
        &self,
        account: &Account,
        set: &TokenSet,
        new_credentials: bool,
    ) -> Result<AccountState> {
        let paths = self.paths.clone();
        let id = account.id;
        let mut entry = state::read(&self.paths, id)?;
        entry.apply_success(set, self.clock.now(), new_credentials);
        blocking(move || state::store_blocking(&paths, id, &entry)).await
    }
}

/// OAuth 2.0 settings go with an `oauth2` account, and only with one, and are sound.
fn check_oauth(provider: ProviderKind, oauth: Option<&OAuthSettings>) -> Result<()> {
    match (provider, oauth) {
        (ProviderKind::OAuth2, Some(oauth)) => oauth.check(),
        (ProviderKind::OAuth2, None) => Err(Error::InvalidInput(
            "an OAuth 2.0 account needs its client id and the server's endpoints (an issuer to discover them from, or the endpoints)".to_owned(),
        )),
        (_, Some(_)) => Err(Error::InvalidInput(format!(
            "{} takes no OAuth 2.0 settings",
            provider.label()
        ))),
        (_, None) => Ok(()),
    }
}

/// Checks that the provider can use this kind of secret, before any network call.
fn check_secret(
    name: &str,
    provider: ProviderKind,
    has_username: bool,
    oauth: Option<&OAuthSettings>,
    secret: &InitialSecret,
) -> Result<()> {
    let given = secret.credential();
    if let Some(oauth) = oauth {
        return check_oauth_secret(name, oauth, secret);
    }
    let Some(value) = secret.secret() else {
        return Err(Error::Credentials(CredentialProblem::Unsupported {
            provider,
            given,
        }));
    };
    check_typed(name, value, given)?;
    if !capabilities::of(provider).accepts(given) {
        return Err(Error::Credentials(CredentialProblem::Unsupported {
            provider,
            given,
        }));
    }
    if given == Credential::Password && !has_username {
        return Err(Error::Credentials(CredentialProblem::NoUsername {
            provider,
        }));
    }
    Ok(())
}

/// The credential an OAuth 2.0 account's grant takes: a sign-in (with the client secret when
/// the client authenticates with one), a refresh token from another tool for a public client,
/// or, for client credentials, the client secret.
fn check_oauth_secret(name: &str, oauth: &OAuthSettings, secret: &InitialSecret) -> Result<()> {
    let interactive = oauth.grant.is_interactive();
    let (typed, given) = match secret {
        InitialSecret::SignIn { client_secret, .. } if interactive => {
            (client_secret.as_ref(), Credential::SignIn)
        }
        InitialSecret::Password(s) if !interactive => (Some(s), Credential::Password),
        // A confidential client's refresh token would need its secret too.
        InitialSecret::RefreshToken(s) if interactive && !oauth.client_auth.has_secret() => {
            return check_typed(name, s, Credential::RefreshToken);
        }
        other => {
            return Err(Error::InvalidInput(format!(
                "the {} grant takes {}, not {}",
                oauth.grant.id(),
                if interactive {
                    "a sign-in in the browser (or, for a public client, a refresh token)"
                } else {
                    "the client secret"
                },
                other.credential().words()
            )));
        }
    };
    match typed {
        Some(_) if !oauth.client_auth.has_secret() => Err(Error::InvalidInput(
            "a public client (client authentication none) sends no client secret: leave it out, or choose client_secret_basic or client_secret_post".to_owned(),
        )),
        None if oauth.client_auth.has_secret() => Err(Error::Credentials(
            CredentialProblem::Empty {
                name: name.to_owned(),
                given,
            },
        )),
        Some(s) => check_typed(name, s, given),
        None => Ok(()),
    }
}

/// A typed secret: not empty, one line, at most [`crate::account::SECRET_MAX_BYTES`].
fn check_typed(name: &str, secret: &Secret, given: Credential) -> Result<()> {
    if secret.is_empty() {
        return Err(Error::Credentials(CredentialProblem::Empty {
            name: name.to_owned(),
            given,
        }));
    }
    if secret.expose().contains(['\n', '\r']) || secret.len() > crate::account::SECRET_MAX_BYTES {
        return Err(Error::InvalidInput(format!(
            "the secret must be one line of at most {} KiB",
            crate::account::SECRET_MAX_BYTES / 1024
        )));
    }
    Ok(())
}

/// What to store to let an account obtain tokens again, in the core's words: "store new
/// credentials (a password or a refresh token)". The CLI and the app add their own way to do
/// it (a `tokenkeeper login` command, a Log in button).
pub(crate) fn store_new_credentials(provider: ProviderKind) -> String {
    format!(
        "store new credentials ({})",
        capabilities::of(provider).credentials_in_words()
    )
}

fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

/// Runs blocking work (keychain, file locks) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(format!("a keychain task failed: {e}")))?
}
