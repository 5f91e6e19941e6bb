//! `tokenkeeper daemon`: the background (`tokenkeeper_background::run`: the engine, the token
//! agent, the window's socket, the tray, notifications, Copy) in the foreground until SIGINT,
//! SIGTERM or the tray's Quit, logging each event on stderr (never a token or password).

use std::time::Duration;

use tokenkeeper_background::{Ended, Options};
use tokenkeeper_core::engine::events::{Event, EventKind};
use tokenkeeper_core::{Error, Keeper};

/// Time allowed for a clean stop after a signal (the limit is 5 s).
const STOP_WITHIN: Duration = Duration::from_millis(4500);

/// Runs until a signal or Quit; returns after the engine wrote its state.
pub async fn run(keeper: Keeper, tray: bool) -> Result<(), Error> {
    let options = Options {
        tray,
        on_event: Box::new(log_event),
    };
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        shutdown_signal().await;
        let _ = stopped_tx.send(());
    };
    let running = tokenkeeper_background::run(keeper, options, stop);
    tokio::pin!(running);
    let ended = tokio::select! {
        ended = &mut running => ended,
        // After a signal the stop is bounded, as it always was.
        () = async {
            let _ = stopped_rx.await;
            tokio::time::sleep(STOP_WITHIN).await;
        } => {
            tracing::warn!("the engine did not stop in time");
            return Ok(());
        }
    };
    match ended {
        Ok(Ended::Quit) => tracing::info!("quit from the tray"),
        Ok(Ended::Stopped) => {}
        Err(e) => return Err(Error::InvalidInput(e.message)),
    }
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
