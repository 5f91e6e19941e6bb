//! The engine's role (the background, and the demo): the refresh engine runs in this process
//! ([`EngineHere`]), so the overview shows its plans, Refresh now goes to it, and Copy puts
//! the token on this process's clipboard ([`Copies`]), whose clear-after delay outlives any
//! window.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use tokenkeeper_core::account::AccountId;
use tokenkeeper_core::engine::EngineCommand;
use tokenkeeper_core::engine::events::Event;
use tokenkeeper_core::keeper::AccountView;
use tokenkeeper_core::{Error, Keeper, Secret};
use tokio::sync::{Mutex as AsyncMutex, broadcast, watch as channel};

use super::accounts::Accounts;
use super::clipboard::SecretClipboard;
use super::copies::Copies;
use super::owner::EngineHere;
use crate::background::BackgroundState;
use crate::background::protocol::CopyForm;
use crate::dto::{AccountRow, Copied, Overview};
use crate::error::AppError;

/// The engine, its events and the clipboard, with the accounts.
#[derive(Debug)]
pub struct EngineSide {
    pub(super) accounts: Accounts,
    /// `None` once shut down.
    here: AsyncMutex<Option<EngineHere>>,
    events: broadcast::Sender<Event>,
    copies: Copies,
}

impl EngineSide {
    /// Starts the engine over `keeper`'s directory, or fails when another process runs it.
    pub async fn start(
        keeper: Keeper,
        clipboard: Arc<dyn SecretClipboard>,
        demo: bool,
    ) -> Result<Self, AppError> {
        let (changed, _) = channel::channel(0);
        let (events, _) = broadcast::channel(256);
        let here = EngineHere::start(&keeper, &changed, &events).await?;
        Ok(Self {
            accounts: Accounts::new(keeper, changed, demo),
            here: AsyncMutex::new(Some(here)),
            events,
            copies: Copies::new(clipboard),
        })
    }

    /// The engine's events.
    pub fn events(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// The overview: the engine's states are fresher than the files.
    pub async fn overview(&self) -> Overview {
        let now = Utc::now();
        let rows = self.rows(now).await;
        self.accounts.overview(rows, BackgroundState::Here, now)
    }

    async fn rows(&self, now: chrono::DateTime<Utc>) -> Result<Vec<AccountRow>, Error> {
        let here = self.here.lock().await;
        let Some(here) = here.as_ref() else {
            return self.accounts.rows_from_files();
        };
        // The config gives the global lead and the order (read once).
        let cfg = self.accounts.keeper().config()?;
        let snapshot = here.engine().snapshot().await?;
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
        let order: HashMap<AccountId, usize> = cfg
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id, i))
            .collect();
        rows.sort_by_key(|r| order.get(&r.view.id).copied().unwrap_or(usize::MAX));
        Ok(rows)
    }

    /// Whether an attempt for the account runs now.
    pub async fn is_refreshing(&self, id: AccountId) -> bool {
        let here = self.here.lock().await;
        match here.as_ref() {
            Some(here) => here
                .engine()
                .snapshot()
                .await
                .map(|s| s.iter().any(|a| a.account.id == id && a.in_flight))
                .unwrap_or(false),
            None => false,
        }
    }

    /// Tells the engine at once, rather than when the config watcher notices, so the next
    /// overview already shows the change.
    pub async fn tell(&self, command: EngineCommand) {
        let here = self.here.lock().await;
        if let Some(here) = here.as_ref()
            && let Err(e) = here.engine().send(command).await
        {
            tracing::warn!(error = %e, "the engine has stopped");
        }
    }

    /// Refresh now: the engine does it (so it never overlaps its own attempt) and the result
    /// arrives as a change.
    pub async fn refresh(&self, id: &str) -> Result<(), AppError> {
        let account = self.accounts.account(id)?;
        let sent = match self.here.lock().await.as_ref() {
            Some(here) => Some(
                here.engine()
                    .send(EngineCommand::RefreshNow(account.id))
                    .await,
            ),
            None => None,
        };
        match sent {
            Some(result) => {
                result.map_err(AppError::from)?;
                self.accounts.touch();
                Ok(())
            }
            // Shut down: under the account's lock, as the CLI does.
            None => self.accounts.refresh(&account).await,
        }
    }

    /// Copies a fresh token (or the whole `Authorization` header the account's API wants) to
    /// the clipboard, marked as a secret, and clears it after the configured delay if the
    /// clipboard still holds it. The token never reaches the UI.
    pub async fn copy(&self, id: &str, form: CopyForm) -> Result<Copied, AppError> {
        let account = self.accounts.account(id)?;
        let fresh = self.accounts.fresh_token(&account).await?;
        let fingerprint = tokenkeeper_core::token::fingerprint(fresh.token.expose());
        let value = match form {
            CopyForm::Token => fresh.token,
            CopyForm::Header => Secret::new(format!(
                "Authorization: {} {}",
                tokenkeeper_core::capabilities::of(account.provider).auth_scheme,
                fresh.token.expose()
            )),
        };
        let clear_after_secs = self.accounts.prefs().clipboard_clear_secs;
        self.copies
            .put(value, std::time::Duration::from_secs(clear_after_secs))
            .await?;
        Ok(Copied {
            expires_at: fresh.expires_at,
            // Until it stops working: for an API whose refresh revokes it, the next refresh.
            valid_for_secs: fresh
                .valid_until
                .map_or(0, |at| (at - Utc::now()).num_seconds().max(0)),
            fingerprint,
            clear_after_secs,
        })
    }

    /// This process's clipboard.
    pub fn clipboard(&self) -> Arc<dyn SecretClipboard> {
        self.copies.clipboard()
    }

    /// Stops: the clipboard loses our token, the engine writes its state and frees the
    /// directory.
    pub async fn shutdown(&self) {
        self.copies.clear_last().await;
        if let Some(here) = self.here.lock().await.take() {
            here.shutdown().await;
        }
    }
}
