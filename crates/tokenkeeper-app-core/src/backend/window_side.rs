//! The window's role: it follows the shared files for what it shows ([`Follower`]), changes
//! accounts through the keeper as the CLI does (the background's engine follows the config
//! directory), and asks the background ([`Remote`]) for what needs the engine or must outlive
//! the window: Refresh now, and Copy (whose clear-after delay runs in the background). A
//! supervisor keeps a background running and says how it is.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokenkeeper_core::Keeper;
use tokio::sync::watch as channel;
use tokio::task::JoinHandle;

use super::accounts::Accounts;
use super::clipboard::{SecretClipboard, SystemClipboard};
use super::owner::{Follower, bump};
use crate::background::protocol::CopyForm;
use crate::background::{self, BackgroundState, Launch, Remote};
use crate::dto::{Copied, Overview};
use crate::error::{AppError, ErrorCode};

/// The window's backend: the accounts, the files followed, and the background.
#[derive(Debug)]
pub struct WindowSide {
    pub(super) accounts: Accounts,
    _follower: Follower,
    remote: Remote,
    background: channel::Receiver<BackgroundState>,
    quit: channel::Receiver<bool>,
    supervisor: Mutex<Option<JoinHandle<()>>>,
    /// The window's own clipboard, for a device sign-in's code only (tokens are copied by the
    /// background); opened on first use.
    clipboard: Arc<dyn SecretClipboard>,
}

impl WindowSide {
    /// Follows `keeper`'s directory; the background (started by `launcher` when none runs)
    /// copies and refreshes.
    pub fn start(keeper: Keeper, launcher: Arc<dyn Launch>) -> Result<Self, AppError> {
        let (changed, _) = channel::channel(0);
        keeper.paths().ensure()?;
        let follower = Follower::start(&keeper, &changed)?;
        let remote = Remote::at(background::socket_path(keeper.paths()).ok_or_else(|| {
            AppError::new(
                ErrorCode::Background,
                "the config directory's path is too long for the local socket where the window \
                 finds its background: use a shorter --config-dir",
            )
        })?);
        let notify = changed.clone();
        let supervised = background::supervise(remote.clone(), launcher, move || bump(&notify));
        Ok(Self {
            accounts: Accounts::new(keeper, changed, false),
            _follower: follower,
            remote,
            background: supervised.state,
            quit: supervised.quit,
            supervisor: Mutex::new(Some(supervised.task)),
            clipboard: Arc::new(SystemClipboard::default()),
        })
    }

    /// The background as the window shows it.
    pub fn background(&self) -> BackgroundState {
        self.background.borrow().clone()
    }

    /// Becomes `true` when the user quit the background (the window then closes).
    pub fn quit_requested(&self) -> channel::Receiver<bool> {
        self.quit.clone()
    }

    /// The overview, as the files say.
    pub fn overview(&self) -> Overview {
        let now = Utc::now();
        self.accounts
            .overview(self.accounts.rows_from_files(), self.background(), now)
    }

    /// Refresh now, by the background's engine.
    pub async fn refresh(&self, id: &str) -> Result<(), AppError> {
        let account = self.accounts.account(id)?;
        let result = self.remote.refresh(&account.id.to_string()).await;
        self.accounts.touch();
        result
    }

    /// Copy, by the background (its clear-after delay outlives this window).
    pub async fn copy(&self, id: &str, form: CopyForm) -> Result<Copied, AppError> {
        let account = self.accounts.account(id)?;
        let result = self.remote.copy(&account.id.to_string(), form).await;
        self.accounts.touch();
        result
    }

    /// The window's clipboard (a device sign-in's code).
    pub fn clipboard(&self) -> Arc<dyn SecretClipboard> {
        Arc::clone(&self.clipboard)
    }

    /// Stops watching the background (it lives on).
    pub fn shutdown(&self) {
        if let Some(task) = self.supervisor.lock().ok().and_then(|mut s| s.take()) {
            task.abort();
        }
    }
}
