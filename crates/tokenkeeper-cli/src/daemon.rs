//! `tokenkeeper daemon`: runs the refresh engine in the foreground until SIGINT or SIGTERM,
//! logging each event on stderr (never a token or password), following the config directory
//! for accounts added or removed by other processes.

use std::time::Duration;

use tokenkeeper_core::engine::events::{Event, EventKind};
use tokenkeeper_core::engine::watch::watch;
use tokenkeeper_core::engine::{Engine, EngineConfig};
use tokenkeeper_core::store::lock::FileLock;
use tokenkeeper_core::{Error, Keeper};
use tokio::sync::broadcast::error::RecvError;

/// Time allowed for a clean stop after a signal (the limit is 5 s).
const STOP_WITHIN: Duration = Duration::from_millis(4500);

/// Runs until a signal; returns after the engine wrote its state.
pub async fn run(keeper: Keeper) -> Result<(), Error> {
    keeper.paths().ensure()?;
    let lock_path = keeper.paths().engine_lock();
    let Some(_engine_lock) = FileLock::try_acquire(&lock_path)? else {
        return Err(Error::InvalidInput(format!(
            "another TokenKeeper daemon or app is already refreshing the accounts in {}",
            keeper.paths().dir().display()
        )));
    };
    let config = EngineConfig::from_settings(&keeper.settings()?);
    let engine = Engine::start(keeper.clone(), config).await?;
    let watcher = watch(keeper.clone(), engine.commands())?;
    // Tokens for `tokenkeeper token` over a Unix socket while this process runs the engine.
    #[cfg(unix)]
    let agent = match tokenkeeper_core::agent::server::serve(keeper.clone()) {
        Ok(agent) => agent,
        Err(e) => {
            tracing::warn!(error = %e, "no token agent; `tokenkeeper token` works directly");
            None
        }
    };
    let mut events = engine.subscribe();
    tracing::info!(dir = %keeper.paths().dir().display(), "daemon started");
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            event = events.recv() => match event {
                Ok(event) => log_event(&event),
                Err(RecvError::Lagged(n)) => tracing::warn!(skipped = n, "events came faster than they could be logged"),
                Err(RecvError::Closed) => break,
            },
        }
    }
    tracing::info!("stopping");
    #[cfg(unix)]
    drop(agent);
    drop(watcher);
    if tokio::time::timeout(STOP_WITHIN, engine.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("engine did not stop in time");
    }
    tracing::info!("daemon stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn log_event(e: &Event) {
    let expires = e
        .expires_at
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| "-".into());
    let next = e
        .next_refresh_at
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| "-".into());
    let error = e
        .last_error
        .as_ref()
        .map(|err| {
            let mut text = String::new();
            if let Some(status) = err.status {
                text.push_str(&format!("{status} "));
            }
            if let Some(code) = &err.code {
                text.push_str(&format!("{code}: "));
            }
            text.push_str(&err.message);
            text
        })
        .unwrap_or_default();
    let (account, provider, status) = (&e.name, e.provider.id(), e.status.as_str());
    match e.kind {
        EventKind::Added | EventKind::Updated | EventKind::Removed | EventKind::Reloaded => {
            tracing::info!(account, provider, status, next_refresh_at = %next, "{}", kind_text(e.kind));
        }
        EventKind::Refreshed | EventKind::AlreadyFresh => {
            let latency_ms = e.latency_ms.unwrap_or(0);
            tracing::info!(account, provider, status, expires_at = %expires, next_refresh_at = %next, latency_ms, "{}", kind_text(e.kind));
        }
        EventKind::Failed => {
            tracing::warn!(account, provider, status, error = %error, next_refresh_at = %next, "refresh failed; will retry");
        }
        EventKind::WillExpire => {
            tracing::warn!(account, provider, status, error = %error, expires_at = %expires, next_refresh_at = %next, "refresh failed; the token expires before the next retry");
        }
        EventKind::NeedsLogin => {
            tracing::error!(account, provider, error = %error, "needs login: run `tokenkeeper login {account}`; not retrying until then");
        }
    }
}

fn kind_text(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Added => "account added",
        EventKind::Updated => "account settings changed",
        EventKind::Removed => "account removed",
        EventKind::Reloaded => "account state changed by another process",
        EventKind::Refreshed => "token refreshed",
        EventKind::AlreadyFresh => "token already refreshed by another process",
        EventKind::Failed | EventKind::WillExpire | EventKind::NeedsLogin => "failed",
    }
}
