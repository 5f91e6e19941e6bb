//! The background's log: one line per engine event on stderr (never a token or password), in the
//! words a user reading `journalctl --user -u tokenkeeper-daemon` needs.

use tokenkeeper_core::engine::events::{Event, EventKind};

/// The background's log on stderr, or in `file` (its last run only; a background started at
/// login on Windows has no console): its events at info by default (they are its output), other
/// crates' at warn; `-v` and `-vv` say more; `TOKENKEEPER_LOG` (an `EnvFilter`) overrides.
pub fn init(verbose: u8, file: Option<std::fs::File>) {
    let default = match verbose {
        0 => "warn,tokenkeeper=info,tokenkeeper_background=info,tokenkeeper_core=warn",
        1 => "warn,tokenkeeper=info,tokenkeeper_background=info,tokenkeeper_core=info",
        _ => "info,tokenkeeper=debug,tokenkeeper_background=debug,tokenkeeper_core=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOKENKEEPER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match file {
        Some(file) => builder
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .try_init(),
        None => builder
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
    };
}

/// Logs one engine event.
pub fn event(e: &Event) {
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
