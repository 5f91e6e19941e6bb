//! The accounts as both roles change them: the overview from the files, details, add, edit,
//! pin, log in, remove, the settings, and a fresh token for Reveal and Copy. Everything here
//! goes through the core's [`Keeper`] (as the CLI does), so the window and the background act
//! alike; what differs between them (telling the engine, copying) is the role's
//! ([`super::engine_side`], [`super::window_side`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokenkeeper_core::account::{Account, AccountId};
use tokenkeeper_core::keeper::{AccountChanges, AccountDetail, AccountView, InitialSecret};
use tokenkeeper_core::providers::oauth2::discovery::Discovery;
use tokenkeeper_core::{Error, Keeper, ProviderKind, Secret};
use tokio::sync::watch as channel;

use super::forms;
use super::owner::bump;
use super::prefs::{self, Prefs};
use super::sign_in::SignIns;
use crate::background::BackgroundState;
use crate::dto::{AccountForm, AccountRow, AppSettings, Credential, LoginForm, Overview};
use crate::error::{AppError, ErrorCode};

/// Copy and Reveal hand out tokens valid for at least this long.
pub const MIN_VALID: Duration = Duration::from_secs(60);

/// A token handed out, with when it expires and until when it works (for an API whose refresh
/// revokes it, the next refresh).
#[derive(Debug)]
pub struct Fresh {
    /// The token.
    pub token: Secret,
    /// When it expires, when known.
    pub expires_at: Option<DateTime<Utc>>,
    /// Until when it works, when known.
    pub valid_until: Option<DateTime<Utc>>,
}

/// Everything the main window shows, around `rows`.
pub fn overview(
    keeper: &Keeper,
    rows: Result<Vec<AccountRow>, Error>,
    keychain: Option<AppError>,
    demo: bool,
    background: BackgroundState,
    sign_in: Option<super::sign_in::SignInView>,
    now: DateTime<Utc>,
) -> Overview {
    let (accounts, problem) = match rows {
        Ok(rows) => (rows, None),
        Err(e) => (Vec::new(), Some(AppError::from(e))),
    };
    Overview {
        accounts,
        config_dir: keeper.paths().dir().display().to_string(),
        demo,
        keychain,
        problem,
        background,
        sign_in,
        generated_at: now,
    }
}

/// The rows as the files say, in config order.
pub fn rows_from_files(keeper: &Keeper) -> Result<Vec<AccountRow>, Error> {
    keeper.list().map(|views| {
        views
            .into_iter()
            .map(|view| AccountRow {
                view,
                refreshing: false,
            })
            .collect()
    })
}

/// The config directory's accounts, the keychain banner and the app's preferences.
#[derive(Debug)]
pub struct Accounts {
    keeper: Keeper,
    changed: channel::Sender<u64>,
    keychain: Mutex<Option<AppError>>,
    prefs: Mutex<Prefs>,
    sign_ins: Arc<SignIns>,
    demo: bool,
}

impl Accounts {
    /// The accounts of `keeper`'s directory; changes bump `changed`.
    pub fn new(keeper: Keeper, changed: channel::Sender<u64>, demo: bool) -> Self {
        let prefs = prefs::load(&prefs::file(keeper.paths())).unwrap_or_default();
        Self {
            keeper,
            sign_ins: Arc::new(SignIns::new(changed.clone())),
            changed,
            keychain: Mutex::new(None),
            prefs: Mutex::new(prefs),
            demo,
        }
    }

    /// The keeper over the config directory.
    pub fn keeper(&self) -> &Keeper {
        &self.keeper
    }

    /// The sign-in waiting for the person, if any (OAuth 2.0).
    pub fn sign_ins(&self) -> &SignIns {
        &self.sign_ins
    }

    /// The generation counter the window and the tray follow.
    pub fn changed(&self) -> &channel::Sender<u64> {
        &self.changed
    }

    /// Signals a change.
    pub fn touch(&self) {
        bump(&self.changed);
    }

    /// Probes the keychain; remembers (and returns) what is wrong with it.
    pub async fn check_keychain(&self) -> Option<AppError> {
        let problem = self.keeper.check_keychain().await.err().map(AppError::from);
        let changed = match self.keychain.lock() {
            Ok(mut k) => {
                let changed = *k != problem;
                k.clone_from(&problem);
                changed
            }
            Err(_) => false,
        };
        if changed {
            self.touch();
        }
        problem
    }

    /// Keeps the keychain banner in step with what the last operation found.
    pub fn note<T>(&self, result: Result<T, Error>) -> Result<T, AppError> {
        let keychain_failed = matches!(
            &result,
            Err(Error::KeychainLocked(_) | Error::KeychainUnavailable(_))
        );
        let banner = match &result {
            Err(e) if keychain_failed => Some(AppError::from(e.clone())),
            Ok(_) => None,
            Err(_) => return result.map_err(AppError::from),
        };
        if let Ok(mut k) = self.keychain.lock()
            && (keychain_failed || k.is_some())
        {
            *k = banner;
            self.touch();
        }
        result.map_err(AppError::from)
    }

    /// The rows as the files say, in config order.
    pub fn rows_from_files(&self) -> Result<Vec<AccountRow>, Error> {
        rows_from_files(&self.keeper)
    }

    /// The overview around `rows`.
    pub fn overview(
        &self,
        rows: Result<Vec<AccountRow>, Error>,
        background: BackgroundState,
        now: DateTime<Utc>,
    ) -> Overview {
        let keychain = self.keychain.lock().ok().and_then(|k| k.clone());
        let sign_in = self.sign_ins.current();
        overview(
            &self.keeper,
            rows,
            keychain,
            self.demo,
            background,
            sign_in,
            now,
        )
    }

    /// The account with this id (its string form, as the UI has it).
    pub fn account(&self, id: &str) -> Result<Account, AppError> {
        let gone = || {
            AppError::new(
                ErrorCode::NotFound,
                "this account no longer exists (it was removed elsewhere)",
            )
        };
        let id: AccountId = id.parse().map_err(|_| gone())?;
        self.by_id(id).map_err(AppError::from)?.ok_or_else(gone)
    }

    fn by_id(&self, id: AccountId) -> Result<Option<Account>, Error> {
        Ok(self.keeper.accounts()?.into_iter().find(|a| a.id == id))
    }

    /// The account's view as the list shows it.
    pub fn view(&self, id: AccountId) -> Result<AccountView, AppError> {
        self.keeper
            .list()
            .map_err(AppError::from)?
            .into_iter()
            .find(|v| v.id == id)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "the account disappeared"))
    }

    /// One account in detail: JWT header and claims, history, stored secret names.
    pub async fn detail(&self, account: &Account) -> Result<AccountDetail, AppError> {
        let detail = self.keeper.show(&account.name).await;
        self.note(detail)
    }

    /// Adds an account: the first login runs, and nothing is stored when it fails.
    pub async fn add(&self, form: &AccountForm) -> Result<(AccountView, Account), AppError> {
        let view = if form.provider == ProviderKind::OAuth2 {
            self.add_oauth(form).await?
        } else {
            let (new, secret) = forms::new_account(form)?;
            let result = self.keeper.add(new, secret).await;
            self.note(result)?
        };
        let account = self.keeper.find(&view.name).map_err(AppError::from)?;
        Ok((view, account))
    }

    /// An OAuth 2.0 account: its settings settled from the form and the server's discovery
    /// document, then the first token by the person's sign-in (shown in the window while it
    /// waits) or, for a service account, by the client secret.
    async fn add_oauth(&self, form: &AccountForm) -> Result<AccountView, AppError> {
        let add = forms::new_oauth_account(form)?;
        let settled = self
            .keeper
            .oauth_settings(
                Some(&add.issuer),
                &add.request,
                &add.tls,
                add.allow_plain_http(),
            )
            .await;
        let (url, settings, _) = self.note(settled)?;
        let grant = settings.grant;
        let new = add.account(url, settings);
        let (prompt, _shown) = self.sign_ins.begin(&new.name)?;
        let secret =
            InitialSecret::oauth(grant, add.client_secret, prompt).map_err(AppError::from)?;
        let result = self.keeper.add(new, secret).await;
        self.note(result)
    }

    /// What the server at `form`'s issuer URL says it supports (its discovery document), with
    /// the form's trust settings; nothing is stored.
    pub async fn discover(&self, form: &AccountForm) -> Result<Discovery, AppError> {
        let issuer =
            tokenkeeper_core::account::parse_base_url(&form.url).map_err(AppError::from)?;
        let tls = forms::tls(form)?;
        let result = self
            .keeper
            .discover(&issuer, &tls, form.allow_plain_http)
            .await;
        self.note(result)
    }

    /// Changes an account's settings. With a typed secret, the new settings are first proven
    /// with it (the first login runs against them) and nothing is saved if that fails.
    pub async fn edit(&self, id: &str, form: &AccountForm) -> Result<Account, AppError> {
        let current = self.account(id)?;
        let (changes, secret) = forms::changes(form, &current)?;
        match secret {
            Some(secret) => {
                let result = self
                    .keeper
                    .edit_with_login(&current.name, changes, secret)
                    .await;
                self.note(result)
            }
            // Without a secret, a change of server or trust deletes the stored secrets (the
            // account then needs a login, and the list says why).
            None => Ok(self
                .keeper
                .edit(&current.name, changes)
                .await
                .map_err(AppError::from)?
                .account),
        }
    }

    /// Pins an account to the tray's menu (kept there among many accounts), or unpins it.
    pub async fn pin(&self, id: &str, pinned: bool) -> Result<Account, AppError> {
        let current = self.account(id)?;
        let changes = AccountChanges {
            pinned: Some(pinned),
            ..Default::default()
        };
        Ok(self
            .keeper
            .edit(&current.name, changes)
            .await
            .map_err(AppError::from)?
            .account)
    }

    /// Stores a new secret for an account (the way out of "needs login").
    pub async fn login(&self, id: &str, form: &LoginForm) -> Result<AccountView, AppError> {
        let account = self.account(id)?;
        // An OAuth 2.0 account signs in again (shown in the window while it waits), or for a
        // service account takes its client secret; a public client may take a refresh token.
        let (secret, _shown) = match &account.oauth {
            Some(oauth) if form.secret_kind != Credential::RefreshToken => {
                let (prompt, shown) = self.sign_ins.begin(&account.name)?;
                let client_secret = (!form.secret.is_empty()).then(|| Secret::new(&form.secret));
                let secret = InitialSecret::oauth(oauth.grant, client_secret, prompt)
                    .map_err(AppError::from)?;
                (secret, Some(shown))
            }
            _ => (forms::login(form)?, None),
        };
        let result = self.keeper.login(&account.name, secret).await;
        self.note(result)
    }

    /// Removes an account and its keychain entries.
    pub async fn remove(&self, id: &str) -> Result<Account, AppError> {
        let account = self.account(id)?;
        let result = self.keeper.remove(&account.name).await;
        self.note(result)?;
        Ok(account)
    }

    /// Refreshes through the keeper, under the account's cross-process lock.
    pub async fn refresh(&self, account: &Account) -> Result<(), AppError> {
        let result = self.keeper.refresh(&account.name).await;
        self.touch();
        self.note(result).map(|_| ())
    }

    /// A token valid for at least a minute (refreshed first when needed, under the
    /// cross-process lock), with its expiry, recorded as promised for as long as it works.
    pub async fn fresh_token(&self, account: &Account) -> Result<Fresh, AppError> {
        // A minute, or half of what a token of this API works when that is less (a short-lived
        // token is handed out while it has half its time left, not rotated at every Copy).
        // This account's state alone (not every account's view, which reads the whole config).
        let window = self.keeper.state(account.id).ok().and_then(|state| {
            let works = self.keeper.works_until(account, &state)?;
            (works - state.obtained_at?).to_std().ok()
        });
        let ask = window.map_or(MIN_VALID, |w| {
            (w / 2).clamp(Duration::from_secs(1), MIN_VALID)
        });
        let result = match self.keeper.token_info(&account.name, ask).await {
            // The API's tokens live less than a minute (or are rotated sooner): the one just
            // obtained is handed out for what it has left, and that time is said.
            Err(Error::LifetimeTooShort { works_secs, .. }) if works_secs > 1 => {
                let left = Duration::from_secs(works_secs - 1);
                self.keeper.token_info(&account.name, left).await
            }
            other => other,
        };
        let info = self.note(result)?;
        // Copy and Reveal say how long the token works: that is what they promise.
        if let Err(e) = self.keeper.promise_whole(&account.name, &info).await {
            tracing::warn!(account = %account.name, error = %e, "cannot record how long a handed-out token was promised");
        }
        self.touch();
        Ok(Fresh {
            valid_until: info.valid_until.or(info.expires_at),
            expires_at: info.expires_at,
            token: info.token,
        })
    }

    /// The app's preferences.
    pub fn prefs(&self) -> Prefs {
        self.prefs.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// The settings window's values (`autostart` is the caller's: it belongs to the plugin).
    pub fn settings(&self, autostart: bool) -> AppSettings {
        let prefs = self.prefs();
        AppSettings {
            refresh_lead_secs: self
                .keeper
                .settings()
                .ok()
                .and_then(|s| s.refresh_lead_secs),
            clipboard_clear_secs: prefs.clipboard_clear_secs,
            notifications: prefs.notifications,
            autostart,
        }
    }

    /// Saves the settings window's values (but `autostart`, the caller's).
    pub async fn save_settings(&self, settings: &AppSettings) -> Result<(), AppError> {
        let prefs = Prefs {
            clipboard_clear_secs: settings.clipboard_clear_secs,
            notifications: settings.notifications,
        };
        prefs.check().map_err(AppError::from)?;
        let lead = settings.refresh_lead_secs;
        if self
            .keeper
            .settings()
            .ok()
            .and_then(|s| s.refresh_lead_secs)
            != lead
        {
            self.keeper
                .update_settings(|s| s.refresh_lead_secs = lead)
                .await
                .map_err(AppError::from)?;
        }
        prefs::save(&prefs::file(self.keeper.paths()), &prefs).map_err(AppError::from)?;
        if let Ok(mut p) = self.prefs.lock() {
            *p = prefs;
        }
        self.touch();
        Ok(())
    }

    /// Whether the account has a stored password (it can log in again by itself).
    pub async fn can_log_in_again(&self, id: AccountId) -> bool {
        let Ok(Some(account)) = self.by_id(id) else {
            return false;
        };
        self.keeper
            .show(&account.name)
            .await
            .map(|d| d.stored_secrets.contains(&"password") && !d.password_refused)
            .unwrap_or(false)
    }
}
