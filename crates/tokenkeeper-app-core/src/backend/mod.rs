//! The app's backend, free of Tauri so it is tested without a window: one [`Backend`] per
//! config directory, owning (or following) the refresh engine, answering the window's
//! commands and the tray's actions through the same functions, and keeping copied tokens on
//! the clipboard no longer than asked.
//!
//! - [`owner`]: the engine ownership rule (in-process unless a daemon holds the directory);
//! - [`clipboard`]: the clipboard for secrets (the `tokenkeeper-clipboard` crate);
//! - [`forms`]: the add, edit and log-in forms as core requests;
//! - [`notices`]: which changes deserve a desktop notification;
//! - [`prefs`]: the app's own preferences file.

/// The clipboard for secrets, its own crate so the background can use it without Tauri.
pub use tokenkeeper_clipboard as clipboard;
pub mod forms;
pub mod notices;
pub mod owner;
pub mod prefs;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokenkeeper_core::account::{Account, AccountId};
use tokenkeeper_core::engine::EngineCommand;
use tokenkeeper_core::engine::events::Event;
use tokenkeeper_core::keeper::AccountView;
use tokenkeeper_core::{Error, Keeper, Secret};
use tokio::sync::{Mutex as AsyncMutex, broadcast, watch as channel};

use crate::background::protocol::CopyForm;
use crate::background::{self, BackgroundState, Launch, Remote};
use crate::dto::{
    AccountForm, AccountInfo, AccountRow, AppSettings, Copied, LoginForm, Overview, Revealed,
};
use crate::error::{AppError, ErrorCode};
use clipboard::SecretClipboard;
use owner::{Owner, bump};
use prefs::Prefs;

/// Copy and Reveal hand out tokens valid for at least this long.
pub const MIN_VALID: Duration = Duration::from_secs(60);
/// A revealed token is hidden again after this long.
pub const HIDE_AFTER_SECS: u64 = 30;

/// The token last put on the clipboard, and which copy that was: a clear timer clears only its
/// own copy (a later Copy of the same token starts its own delay).
#[derive(Debug)]
struct Copy {
    generation: u64,
    token: Secret,
}

/// What the files say, as the window's first screen: read before the window's page loads and
/// embedded in it, so the list paints without waiting for the backend (no keychain, no
/// background; the backend's own overview follows at once).
pub fn files_overview(keeper: &Keeper) -> Overview {
    let now = Utc::now();
    let (accounts, problem) = match keeper.list() {
        Ok(views) => (
            views
                .into_iter()
                .map(|view| AccountRow {
                    view,
                    refreshing: false,
                })
                .collect(),
            None,
        ),
        Err(e) => (Vec::new(), Some(AppError::from(e))),
    };
    Overview {
        accounts,
        engine: crate::dto::EngineOwner::Daemon,
        config_dir: keeper.paths().dir().display().to_string(),
        demo: false,
        keychain: None,
        problem,
        background: BackgroundState::Starting,
        generated_at: now,
    }
}

/// The app's state behind the window and the tray.
#[derive(Debug)]
pub struct Backend {
    keeper: Keeper,
    owner: AsyncMutex<Option<Owner>>,
    changed: channel::Sender<u64>,
    events: broadcast::Sender<Event>,
    keychain: Mutex<Option<AppError>>,
    clipboard: Arc<dyn SecretClipboard>,
    copied: Arc<Mutex<Option<Copy>>>,
    prefs: Mutex<Prefs>,
    demo: bool,
    /// In a window process: the background that copies and refreshes.
    remote: Option<Remote>,
    background: channel::Receiver<BackgroundState>,
    quit: channel::Receiver<bool>,
    supervisor: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

fn blocking_error(e: tokio::task::JoinError) -> AppError {
    AppError::new(
        ErrorCode::Internal,
        format!("a clipboard task failed: {e} (please report it)"),
    )
}

impl Backend {
    /// Opens the config directory of `keeper`: runs the engine here, or follows the daemon
    /// that holds the directory.
    pub async fn start(
        keeper: Keeper,
        clipboard: Arc<dyn SecretClipboard>,
        demo: bool,
    ) -> Result<Arc<Self>, AppError> {
        Self::open(keeper, clipboard, demo, false).await
    }

    /// The background's backend: runs the engine here, or fails when another process already
    /// does (one background per config directory).
    pub async fn start_engine(
        keeper: Keeper,
        clipboard: Arc<dyn SecretClipboard>,
    ) -> Result<Arc<Self>, AppError> {
        Self::open(keeper, clipboard, false, true).await
    }

    async fn open(
        keeper: Keeper,
        clipboard: Arc<dyn SecretClipboard>,
        demo: bool,
        engine_required: bool,
    ) -> Result<Arc<Self>, AppError> {
        let (changed, _) = channel::channel(0);
        let (events, _) = broadcast::channel(256);
        let owner = if engine_required {
            Owner::start_engine(&keeper, &changed, &events).await?
        } else {
            Owner::start(&keeper, &changed, &events).await?
        };
        let backend = Self::assemble(keeper, owner, changed, events, clipboard, demo, None);
        backend.check_keychain().await;
        Ok(backend)
    }

    /// A window's backend: follows the files, and the background (started by `launcher` when
    /// none runs) copies and refreshes.
    pub async fn start_window(
        keeper: Keeper,
        launcher: Arc<dyn Launch>,
    ) -> Result<Arc<Self>, AppError> {
        let (changed, _) = channel::channel(0);
        let (events, _) = broadcast::channel(16);
        keeper.paths().ensure()?;
        let owner = Owner::follow(&keeper, &changed)?;
        let remote = Remote::at(background::socket_path(keeper.paths()).ok_or_else(|| {
            AppError::new(
                ErrorCode::Background,
                "the config directory's path is too long for the Unix socket where the window \
                 finds its background: use a shorter --config-dir",
            )
        })?);
        let notify = changed.clone();
        let supervised = background::supervise(remote.clone(), launcher, move || bump(&notify));
        let backend = Self::assemble(
            keeper,
            owner,
            changed,
            events,
            Arc::new(BackgroundCopies),
            false,
            Some((remote, supervised)),
        );
        backend.check_keychain().await;
        Ok(backend)
    }

    fn assemble(
        keeper: Keeper,
        owner: Owner,
        changed: channel::Sender<u64>,
        events: broadcast::Sender<Event>,
        clipboard: Arc<dyn SecretClipboard>,
        demo: bool,
        window: Option<(Remote, background::Supervised)>,
    ) -> Arc<Self> {
        let prefs = prefs::load(&prefs::file(keeper.paths())).unwrap_or_default();
        let (remote, background, quit, supervisor) = match window {
            Some((remote, s)) => (Some(remote), s.state, s.quit, Some(s.task)),
            None => (
                None,
                channel::channel(BackgroundState::Here).1,
                channel::channel(false).1,
                None,
            ),
        };
        Arc::new(Self {
            keeper,
            owner: AsyncMutex::new(Some(owner)),
            changed,
            events,
            keychain: Mutex::new(None),
            clipboard,
            copied: Arc::new(Mutex::new(None)),
            prefs: Mutex::new(prefs),
            demo,
            remote,
            background,
            quit,
            supervisor: Mutex::new(supervisor),
        })
    }

    /// The background as the window shows it ([`BackgroundState::Here`] when the engine runs
    /// in this process).
    pub fn background(&self) -> BackgroundState {
        self.background.borrow().clone()
    }

    /// Becomes `true` when the user quit the background (the window then closes).
    pub fn quit_requested(&self) -> channel::Receiver<bool> {
        self.quit.clone()
    }

    /// The keeper over the config directory.
    pub fn keeper(&self) -> &Keeper {
        &self.keeper
    }

    /// Follows changes: the value changes whenever the window or the tray should update.
    pub fn changes(&self) -> channel::Receiver<u64> {
        self.changed.subscribe()
    }

    /// The in-process engine's events (none arrive while a daemon refreshes).
    pub fn events(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Signals a change (after the app changed something itself).
    pub fn touch(&self) {
        bump(&self.changed);
    }

    /// When a daemon refreshed and has stopped, starts the engine here (never in a window
    /// process: its supervisor starts the background again instead).
    pub async fn take_over_if_free(&self) -> Result<bool, AppError> {
        if self.remote.is_some() {
            return Ok(false);
        }
        let mut owner = self.owner.lock().await;
        match owner.as_mut() {
            Some(owner) => Ok(owner
                .take_over_if_free(&self.keeper, &self.changed, &self.events)
                .await?),
            None => Ok(false),
        }
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
    fn note<T>(&self, result: Result<T, Error>) -> Result<T, AppError> {
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
            bump(&self.changed);
        }
        result.map_err(AppError::from)
    }

    /// Everything the main window shows.
    pub async fn overview(&self) -> Overview {
        let now = Utc::now();
        let keychain = self.keychain.lock().ok().and_then(|k| k.clone());
        let owner = self.owner.lock().await;
        let engine_owner = owner
            .as_ref()
            .map_or(crate::dto::EngineOwner::App, Owner::kind);
        let rows = match owner.as_ref().and_then(Owner::engine) {
            // The engine's states are fresher than the file; the config gives the global lead
            // and the order (read once).
            Some(engine) => match (self.keeper.config(), engine.snapshot().await) {
                (Ok(cfg), Ok(snapshot)) => {
                    let lead = cfg.settings.refresh_lead();
                    let mut rows: Vec<AccountRow> = snapshot
                        .into_iter()
                        .map(|s| {
                            let mut view = AccountView::new(&s.account, &s.state, now, lead);
                            view.next_refresh_at = s.next_refresh_at;
                            AccountRow {
                                view,
                                refreshing: s.in_flight,
                            }
                        })
                        .collect();
                    // Config order, indexed once (10,000 accounts sort in milliseconds).
                    let order: std::collections::HashMap<AccountId, usize> = cfg
                        .accounts
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (a.id, i))
                        .collect();
                    rows.sort_by_key(|r| order.get(&r.view.id).copied().unwrap_or(usize::MAX));
                    Ok(rows)
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
            // The files, in config order.
            None => self.keeper.list().map(|views| {
                views
                    .into_iter()
                    .map(|view| AccountRow {
                        view,
                        refreshing: false,
                    })
                    .collect()
            }),
        };
        drop(owner);
        let (accounts, problem) = match rows {
            Ok(rows) => (rows, None),
            Err(e) => (Vec::new(), Some(AppError::from(e))),
        };
        Overview {
            accounts,
            engine: engine_owner,
            config_dir: self.keeper.paths().dir().display().to_string(),
            demo: self.demo,
            keychain,
            problem,
            background: self.background(),
            generated_at: now,
        }
    }

    fn account(&self, id: &str) -> Result<Account, AppError> {
        let gone = || {
            AppError::new(
                ErrorCode::NotFound,
                "this account no longer exists (it was removed elsewhere)",
            )
        };
        let id: AccountId = id.parse().map_err(|_| gone())?;
        let accounts = self.keeper.accounts().map_err(AppError::from)?;
        accounts.into_iter().find(|a| a.id == id).ok_or_else(gone)
    }

    async fn is_refreshing(&self, id: AccountId) -> bool {
        let owner = self.owner.lock().await;
        match owner.as_ref().and_then(Owner::engine) {
            Some(engine) => engine
                .snapshot()
                .await
                .map(|s| s.iter().any(|a| a.account.id == id && a.in_flight))
                .unwrap_or(false),
            None => false,
        }
    }

    /// One account in detail: JWT header and claims, history, stored secret names.
    pub async fn details(&self, id: &str) -> Result<AccountInfo, AppError> {
        let account = self.account(id)?;
        let detail = self.keeper.show(&account.name).await;
        let detail = self.note(detail)?;
        Ok(AccountInfo {
            detail,
            refreshing: self.is_refreshing(account.id).await,
        })
    }

    /// Tells the engine here (if it runs here) at once, rather than when the config
    /// watcher notices, so the next overview already shows the change.
    async fn tell_engine(&self, command: EngineCommand) {
        let owner = self.owner.lock().await;
        if let Some(engine) = owner.as_ref().and_then(Owner::engine)
            && let Err(e) = engine.send(command).await
        {
            tracing::warn!(error = %e, "the engine has stopped");
        }
    }

    /// Adds an account: the first login runs, and nothing is stored when it fails.
    pub async fn add(&self, form: AccountForm) -> Result<AccountView, AppError> {
        let (new, secret) = forms::new_account(&form)?;
        let result = self.keeper.add(new, secret).await;
        let view = self.note(result)?;
        if let Ok(account) = self.keeper.find(&view.name) {
            self.tell_engine(EngineCommand::Add(account)).await;
        }
        self.touch();
        Ok(view)
    }

    /// Changes an account's settings. With a typed secret, the new settings are first proven
    /// with it (the first login runs against them) and nothing is saved if that fails.
    pub async fn edit(&self, id: &str, form: AccountForm) -> Result<AccountView, AppError> {
        let current = self.account(id)?;
        let (changes, secret) = forms::changes(&form, &current)?;
        let account = match secret {
            Some(secret) => {
                let result = self
                    .keeper
                    .edit_with_login(&current.name, changes, secret)
                    .await;
                self.note(result)?
            }
            // Without a secret, a change of server or trust deletes the stored secrets (the
            // account then needs a login, and the list says why).
            None => {
                self.keeper
                    .edit(&current.name, changes)
                    .await
                    .map_err(AppError::from)?
                    .account
            }
        };
        self.tell_engine(EngineCommand::Update(account.clone()))
            .await;
        self.tell_engine(EngineCommand::Reload).await;
        self.touch();
        let view = self.keeper.list().map_err(AppError::from)?;
        view.into_iter()
            .find(|v| v.id == account.id)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "the account disappeared"))
    }

    /// Pins an account to the tray's menu (kept there among many accounts), or unpins it.
    pub async fn pin(&self, id: &str, pinned: bool) -> Result<AccountView, AppError> {
        let current = self.account(id)?;
        let changes = tokenkeeper_core::keeper::AccountChanges {
            pinned: Some(pinned),
            ..Default::default()
        };
        let account = self
            .keeper
            .edit(&current.name, changes)
            .await
            .map_err(AppError::from)?
            .account;
        self.tell_engine(EngineCommand::Update(account.clone()))
            .await;
        self.touch();
        let view = self.keeper.list().map_err(AppError::from)?;
        view.into_iter()
            .find(|v| v.id == account.id)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "the account disappeared"))
    }

    /// Stores a new secret for an account (the way out of "needs login").
    pub async fn login(&self, id: &str, form: LoginForm) -> Result<AccountView, AppError> {
        let account = self.account(id)?;
        let secret = forms::login(&form)?;
        let result = self.keeper.login(&account.name, secret).await;
        let view = self.note(result)?;
        self.tell_engine(EngineCommand::Reload).await;
        self.touch();
        Ok(view)
    }

    /// Removes an account and its keychain entries.
    pub async fn remove(&self, id: &str) -> Result<(), AppError> {
        let account = self.account(id)?;
        let result = self.keeper.remove(&account.name).await;
        self.note(result)?;
        self.tell_engine(EngineCommand::Remove(account.id)).await;
        self.touch();
        Ok(())
    }

    /// Refreshes now. With the engine here, the engine does it (so it never overlaps its own
    /// attempt) and the result arrives as a change; with a daemon, the keeper does it under
    /// the account's lock and the result is returned.
    pub async fn refresh(&self, id: &str) -> Result<(), AppError> {
        let account = self.account(id)?;
        if let Some(remote) = &self.remote {
            let result = remote.refresh(&account.id.to_string()).await;
            self.touch();
            return result;
        }
        let owner = self.owner.lock().await;
        if let Some(engine) = owner.as_ref().and_then(Owner::engine) {
            engine
                .send(EngineCommand::RefreshNow(account.id))
                .await
                .map_err(AppError::from)?;
            drop(owner);
            self.touch();
            return Ok(());
        }
        drop(owner);
        let result = self.keeper.refresh(&account.name).await;
        self.touch();
        self.note(result).map(|_| ())
    }

    /// Refreshes every account (the tray's Refresh all).
    pub async fn refresh_all(&self) -> Vec<(String, Result<(), AppError>)> {
        let mut results = Vec::new();
        for account in self.keeper.accounts().unwrap_or_default() {
            let result = self.refresh(&account.id.to_string()).await;
            results.push((account.name, result));
        }
        results
    }

    /// A token valid for at least a minute (refreshed first when needed, under the
    /// cross-process lock), with its expiry.
    async fn fresh_token(
        &self,
        account: &Account,
    ) -> Result<
        (
            Secret,
            Option<chrono::DateTime<Utc>>,
            Option<chrono::DateTime<Utc>>,
        ),
        AppError,
    > {
        // The token and its expiry in one step (no second read of both files for the expiry).
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
            // The API's tokens live less than a minute (or are rotated sooner): Copy hands out
            // the one just obtained, for what it has left, and says that time.
            Err(tokenkeeper_core::Error::LifetimeTooShort { works_secs, .. }) if works_secs > 1 => {
                let left = Duration::from_secs(works_secs - 1);
                self.keeper.token_info(&account.name, left).await
            }
            other => other,
        };
        let info = self.note(result)?;
        // Copy says how long the token works: that is what it promises.
        if let Err(e) = self.keeper.promise_whole(&account.name, &info).await {
            tracing::warn!(account = %account.name, error = %e, "cannot record how long a copied token was promised");
        }
        self.touch();
        Ok((
            info.token,
            info.expires_at,
            info.valid_until.or(info.expires_at),
        ))
    }

    /// Copies a fresh token to the clipboard (marked as a secret) and clears it after the
    /// configured delay if the clipboard still holds it. The token never reaches the UI.
    pub async fn copy(&self, id: &str) -> Result<Copied, AppError> {
        self.copy_as(id, CopyForm::Token).await
    }

    /// Copy, of the token alone or of the whole `Authorization` header the account's API wants
    /// ("Copy as header"), under the same clipboard rules.
    pub async fn copy_as(&self, id: &str, form: CopyForm) -> Result<Copied, AppError> {
        let account = self.account(id)?;
        if let Some(remote) = &self.remote {
            // The background copies, so its clear-after delay outlives this window.
            let result = remote.copy(&account.id.to_string(), form).await;
            self.touch();
            return result;
        }
        let (token, expires_at, valid_until) = self.fresh_token(&account).await?;
        let fingerprint = tokenkeeper_core::token::fingerprint(token.expose());
        let token = match form {
            CopyForm::Token => token,
            CopyForm::Header => tokenkeeper_core::Secret::new(format!(
                "Authorization: {} {}",
                tokenkeeper_core::capabilities::of(account.provider).auth_scheme,
                token.expose()
            )),
        };
        let clipboard = self.clipboard.clone();
        let value = token.clone();
        tokio::task::spawn_blocking(move || clipboard.set_secret(value.expose()))
            .await
            .map_err(blocking_error)?
            .map_err(|e| AppError::new(ErrorCode::Local, e))?;
        let generation = match self.copied.lock() {
            Ok(mut copied) => {
                let generation = copied.as_ref().map_or(1, |c| c.generation.wrapping_add(1));
                *copied = Some(Copy {
                    generation,
                    token: token.clone(),
                });
                generation
            }
            Err(_) => 0,
        };
        let clear_after_secs = self.prefs().clipboard_clear_secs;
        let (clipboard, copied) = (self.clipboard.clone(), self.copied.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(clear_after_secs)).await;
            let _ = tokio::task::spawn_blocking(move || {
                clear_if_ours(&*clipboard, &copied, Some(generation))
            })
            .await;
        });
        Ok(Copied {
            expires_at,
            // Until it stops working: for an API whose refresh revokes it, the next refresh.
            valid_for_secs: valid_until.map_or(0, |at| (at - Utc::now()).num_seconds().max(0)),
            fingerprint,
            clear_after_secs,
        })
    }

    /// The token itself, for Reveal (the only way a token reaches the web view).
    pub async fn reveal(&self, id: &str) -> Result<Revealed, AppError> {
        let account = self.account(id)?;
        let (token, expires_at, _) = self.fresh_token(&account).await?;
        Ok(Revealed {
            token: token.expose().to_owned(),
            expires_at,
            hide_after_secs: HIDE_AFTER_SECS,
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
        if !(1..=3600).contains(&settings.clipboard_clear_secs) {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "clipboard clear delay: 1 to 3600 seconds",
            ));
        }
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
        let prefs = Prefs {
            clipboard_clear_secs: settings.clipboard_clear_secs,
            notifications: settings.notifications,
        };
        prefs::save(&prefs::file(self.keeper.paths()), &prefs).map_err(AppError::from)?;
        if let Ok(mut p) = self.prefs.lock() {
            *p = prefs;
        }
        self.touch();
        Ok(())
    }

    /// Whether the account has a stored password (it can log in again by itself).
    pub async fn can_log_in_again(&self, id: AccountId) -> bool {
        let Some(account) = self
            .keeper
            .accounts()
            .ok()
            .and_then(|a| a.into_iter().find(|a| a.id == id))
        else {
            return false;
        };
        self.keeper
            .show(&account.name)
            .await
            .map(|d| d.stored_secrets.contains(&"password") && !d.password_refused)
            .unwrap_or(false)
    }

    /// Clears the clipboard if it still holds the token we copied last.
    pub async fn clear_clipboard_if_ours(&self) {
        let (clipboard, copied) = (self.clipboard.clone(), self.copied.clone());
        let _ =
            tokio::task::spawn_blocking(move || clear_if_ours(&*clipboard, &copied, None)).await;
    }

    /// Stops: the clipboard loses our token, the engine writes its state.
    pub async fn shutdown(&self) {
        if let Some(task) = self.supervisor.lock().ok().and_then(|mut s| s.take()) {
            task.abort();
        }
        self.clear_clipboard_if_ours().await;
        if let Some(owner) = self.owner.lock().await.take() {
            owner.shutdown().await;
        }
    }
}

/// The window's clipboard: none, since the background copies (its clear-after delay must outlive
/// the window). Were a path in the window ever to copy by itself, it fails, saying so, rather
/// than report a copy that never reached the clipboard.
#[derive(Debug)]
struct BackgroundCopies;

impl SecretClipboard for BackgroundCopies {
    fn set_secret(&self, _: &str) -> Result<(), String> {
        Err("the window does not copy by itself: the background does (please report it)".into())
    }

    fn text(&self) -> Option<String> {
        None
    }

    fn clear(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Clears the clipboard if it still holds our last copy (`generation`: only if that copy is
/// still the last one; `None`: whichever is last, as on quit).
fn clear_if_ours(
    clipboard: &dyn SecretClipboard,
    copied: &Mutex<Option<Copy>>,
    generation: Option<u64>,
) {
    let Ok(mut last) = copied.lock() else {
        return;
    };
    let Some(copy) = last.as_ref() else {
        return;
    };
    if generation.is_some_and(|g| g != copy.generation) {
        return;
    }
    if clipboard.text().is_some_and(|t| t == copy.token.expose()) {
        let _ = clipboard.clear();
    }
    *last = None;
}
