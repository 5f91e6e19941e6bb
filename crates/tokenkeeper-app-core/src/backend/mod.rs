//! The app's backend, free of Tauri so it is tested without a window. A [`Backend`] has one of
//! two roles over a config directory, and the window's commands and the tray's actions go
//! through the same functions in both:
//!
//! - [`Backend::Engine`] ([`engine_side`]): the refresh engine runs here (the background, and
//!   the demo), and Copy uses this process's clipboard;
//! - [`Backend::Window`] ([`window_side`]): the window follows the files and asks its
//!   background for Refresh now and Copy.
//!
//! The parts:
//! - [`accounts`]: what both roles do alike, through the core's keeper (overview from the
//!   files, details, add, edit, pin, log in, remove, settings, a fresh token);
//! - [`owner`]: the engine run here under the directory's lock, or the files followed;
//! - [`copies`]: the clipboard's generations (a clear timer clears only its own copy);
//! - [`clipboard`]: the clipboard for secrets (the `tokenkeeper-clipboard` crate);
//! - [`forms`]: the add, edit and log-in forms as core requests;
//! - [`notices`]: which changes deserve a desktop notification;
//! - [`prefs`]: the app's own preferences file;
//! - [`sign_in`]: an OAuth 2.0 account's sign-in as the window shows it (the page opened, the
//!   device code, Cancel).

pub mod accounts;
/// The clipboard for secrets, its own crate so the background can use it without Tauri.
pub use tokenkeeper_clipboard as clipboard;
pub mod copies;
pub mod engine_side;
pub mod forms;
pub mod notices;
pub mod owner;
pub mod prefs;
pub mod sign_in;
pub mod window_side;

use std::sync::Arc;

use chrono::Utc;
use tokenkeeper_core::Keeper;
use tokenkeeper_core::account::AccountId;
use tokenkeeper_core::engine::EngineCommand;
use tokenkeeper_core::engine::events::Event;
use tokenkeeper_core::keeper::AccountView;
use tokenkeeper_core::providers::oauth2::discovery::Discovery;
use tokio::sync::{broadcast, watch as channel};

pub use accounts::MIN_VALID;
use accounts::{Accounts, overview, rows_from_files};
use engine_side::EngineSide;
use window_side::WindowSide;

use crate::background::protocol::CopyForm;
use crate::background::{BackgroundState, Launch};
use crate::dto::{AccountForm, AccountInfo, AppSettings, Copied, LoginForm, Overview, Revealed};
use crate::error::AppError;
use clipboard::SecretClipboard;
use prefs::Prefs;

/// A revealed token is hidden again after this long.
pub const HIDE_AFTER_SECS: u64 = 30;

/// What the files say, as the window's first screen: read before the window's page loads and
/// embedded in it, so the list paints without waiting for the backend (no keychain, no
/// background; the backend's own overview follows at once).
pub fn files_overview(keeper: &Keeper) -> Overview {
    overview(
        keeper,
        rows_from_files(keeper),
        None,
        false,
        BackgroundState::Starting,
        None,
        Utc::now(),
    )
}

/// The app's state behind the window and the tray, by role.
#[derive(Debug)]
pub enum Backend {
    /// A window: follows the files; its background refreshes and copies.
    Window(WindowSide),
    /// The background or the demo: the engine runs here.
    Engine(EngineSide),
}

impl Backend {
    /// The engine's backend (the background's, or the demo's): runs the engine here, or fails
    /// when another process already does (one engine per config directory).
    pub async fn start_engine(
        keeper: Keeper,
        clipboard: Arc<dyn SecretClipboard>,
        demo: bool,
    ) -> Result<Arc<Self>, AppError> {
        let backend = Arc::new(Self::Engine(
            EngineSide::start(keeper, clipboard, demo).await?,
        ));
        backend.check_keychain().await;
        Ok(backend)
    }

    /// A window's backend: follows the files, and the background (started by `launcher` when
    /// none runs) copies and refreshes.
    pub async fn start_window(
        keeper: Keeper,
        launcher: Arc<dyn Launch>,
    ) -> Result<Arc<Self>, AppError> {
        let backend = Arc::new(Self::Window(WindowSide::start(keeper, launcher)?));
        backend.check_keychain().await;
        Ok(backend)
    }

    fn accounts(&self) -> &Accounts {
        match self {
            Self::Window(w) => &w.accounts,
            Self::Engine(e) => &e.accounts,
        }
    }

    /// The background as the window shows it ([`BackgroundState::Here`] when the engine runs
    /// in this process).
    pub fn background(&self) -> BackgroundState {
        match self {
            Self::Window(w) => w.background(),
            Self::Engine(_) => BackgroundState::Here,
        }
    }

    /// Becomes `true` when the user quit the background (the window then closes; never with
    /// the engine here).
    pub fn quit_requested(&self) -> channel::Receiver<bool> {
        match self {
            Self::Window(w) => w.quit_requested(),
            Self::Engine(_) => channel::channel(false).1,
        }
    }

    /// The keeper over the config directory.
    pub fn keeper(&self) -> &Keeper {
        self.accounts().keeper()
    }

    /// Follows changes: the value changes whenever the window or the tray should update.
    pub fn changes(&self) -> channel::Receiver<u64> {
        self.accounts().changed().subscribe()
    }

    /// The engine's events; in a window, none (the channel is closed at once: its engine runs
    /// in the background, which has its own).
    pub fn events(&self) -> broadcast::Receiver<Event> {
        match self {
            Self::Window(_) => broadcast::channel(1).1,
            Self::Engine(e) => e.events(),
        }
    }

    /// Signals a change (after the app changed something itself).
    pub fn touch(&self) {
        self.accounts().touch();
    }

    /// Probes the keychain; remembers (and returns) what is wrong with it.
    pub async fn check_keychain(&self) -> Option<AppError> {
        self.accounts().check_keychain().await
    }

    /// Everything the main window shows.
    pub async fn overview(&self) -> Overview {
        match self {
            Self::Window(w) => w.overview(),
            Self::Engine(e) => e.overview().await,
        }
    }

    /// One account in detail: JWT header and claims, history, stored secret names.
    pub async fn details(&self, id: &str) -> Result<AccountInfo, AppError> {
        let account = self.accounts().account(id)?;
        let detail = self.accounts().detail(&account).await?;
        let refreshing = match self {
            Self::Window(_) => false,
            Self::Engine(e) => e.is_refreshing(account.id).await,
        };
        Ok(AccountInfo { detail, refreshing })
    }

    /// The one tail of every change: the engine here hears of it at once (rather than when its
    /// config watcher notices, so the next overview already shows it), and followers update.
    async fn after_change(&self, commands: Vec<EngineCommand>) {
        if let Self::Engine(e) = self {
            for command in commands {
                e.tell(command).await;
            }
        }
        self.touch();
    }

    /// Adds an account: the first login runs, and nothing is stored when it fails.
    pub async fn add(&self, form: AccountForm) -> Result<AccountView, AppError> {
        let (view, account) = self.accounts().add(&form).await?;
        self.after_change(vec![EngineCommand::Add(account)]).await;
        Ok(view)
    }

    /// What an OAuth 2.0 server at the form's issuer URL supports (its discovery document).
    pub async fn discover(&self, form: &AccountForm) -> Result<Discovery, AppError> {
        self.accounts().discover(form).await
    }

    /// Cancels the sign-in waiting for the person (the add or login then stores nothing);
    /// false when none waits.
    pub fn cancel_sign_in(&self) -> bool {
        self.accounts().sign_ins().cancel()
    }

    /// Opens the waiting sign-in's page in the browser again.
    pub fn open_sign_in(&self) -> Result<(), AppError> {
        self.accounts().sign_ins().open_again()
    }

    /// Opens sign-in pages with `browser` (tests play the person; the app: the system's).
    pub fn set_browser(&self, browser: Arc<dyn sign_in::Browser>) {
        self.accounts().sign_ins().set_browser(browser);
    }

    /// Copies the code the waiting device sign-in asks for (to type it on the page).
    pub async fn copy_sign_in_code(&self) -> Result<(), AppError> {
        let code = self.accounts().sign_ins().code().ok_or_else(|| {
            AppError::new(
                crate::error::ErrorCode::NotFound,
                "no device sign-in is waiting",
            )
        })?;
        let clipboard = match self {
            Self::Window(w) => w.clipboard(),
            Self::Engine(e) => e.clipboard(),
        };
        tokio::task::spawn_blocking(move || clipboard.set_secret(&code))
            .await
            .map_err(|e| AppError::new(crate::error::ErrorCode::Internal, e.to_string()))?
            .map_err(|e| AppError::new(crate::error::ErrorCode::Internal, e))
    }

    /// Changes an account's settings. With a typed secret, the new settings are first proven
    /// with it (the first login runs against them) and nothing is saved if that fails.
    pub async fn edit(&self, id: &str, form: AccountForm) -> Result<AccountView, AppError> {
        let account = self.accounts().edit(id, &form).await?;
        let id = account.id;
        self.after_change(vec![EngineCommand::Update(account), EngineCommand::Reload])
            .await;
        self.accounts().view(id)
    }

    /// Pins an account to the tray's menu (kept there among many accounts), or unpins it.
    pub async fn pin(&self, id: &str, pinned: bool) -> Result<AccountView, AppError> {
        let account = self.accounts().pin(id, pinned).await?;
        let id = account.id;
        self.after_change(vec![EngineCommand::Update(account)])
            .await;
        self.accounts().view(id)
    }

    /// Stores a new secret for an account (the way out of "needs login").
    pub async fn login(&self, id: &str, form: LoginForm) -> Result<AccountView, AppError> {
        let view = self.accounts().login(id, &form).await?;
        self.after_change(vec![EngineCommand::Reload]).await;
        Ok(view)
    }

    /// Removes an account and its keychain entries.
    pub async fn remove(&self, id: &str) -> Result<(), AppError> {
        let account = self.accounts().remove(id).await?;
        self.after_change(vec![EngineCommand::Remove(account.id)])
            .await;
        Ok(())
    }

    /// Refreshes now, by the engine (here, or the window's background): it never overlaps its
    /// own attempt, and the result arrives as a change.
    pub async fn refresh(&self, id: &str) -> Result<(), AppError> {
        match self {
            Self::Window(w) => w.refresh(id).await,
            Self::Engine(e) => e.refresh(id).await,
        }
    }

    /// Refreshes every account (the tray's Refresh all).
    pub async fn refresh_all(&self) -> Vec<(String, Result<(), AppError>)> {
        let mut results = Vec::new();
        for account in self.keeper().accounts().unwrap_or_default() {
            let result = self.refresh(&account.id.to_string()).await;
            results.push((account.name, result));
        }
        results
    }

    /// Copies a fresh token to the clipboard (marked as a secret) and clears it after the
    /// configured delay if the clipboard still holds it. The token never reaches the UI.
    pub async fn copy(&self, id: &str) -> Result<Copied, AppError> {
        self.copy_as(id, CopyForm::Token).await
    }

    /// Copy, of the token alone or of the whole `Authorization` header the account's API wants
    /// ("Copy as header"), under the same clipboard rules; in a window, the background copies.
    pub async fn copy_as(&self, id: &str, form: CopyForm) -> Result<Copied, AppError> {
        match self {
            Self::Window(w) => w.copy(id, form).await,
            Self::Engine(e) => e.copy(id, form).await,
        }
    }

    /// The token itself, for Reveal (the only way a token reaches the web view).
    pub async fn reveal(&self, id: &str) -> Result<Revealed, AppError> {
        let account = self.accounts().account(id)?;
        let fresh = self.accounts().fresh_token(&account).await?;
        Ok(Revealed {
            token: fresh.token.expose().to_owned(),
            expires_at: fresh.expires_at,
            hide_after_secs: HIDE_AFTER_SECS,
        })
    }

    /// The app's preferences.
    pub fn prefs(&self) -> Prefs {
        self.accounts().prefs()
    }

    /// The settings window's values (`autostart` is the caller's: it belongs to the plugin).
    pub fn settings(&self, autostart: bool) -> AppSettings {
        self.accounts().settings(autostart)
    }

    /// Saves the settings window's values (but `autostart`, the caller's).
    pub async fn save_settings(&self, settings: &AppSettings) -> Result<(), AppError> {
        self.accounts().save_settings(settings).await
    }

    /// Whether the account has a stored password (it can log in again by itself).
    pub async fn can_log_in_again(&self, id: AccountId) -> bool {
        self.accounts().can_log_in_again(id).await
    }

    /// Stops: with the engine here, the clipboard loses our token and the engine writes its
    /// state; a window stops watching its background (which lives on).
    pub async fn shutdown(&self) {
        match self {
            Self::Window(w) => w.shutdown(),
            Self::Engine(e) => e.shutdown().await,
        }
    }
}
