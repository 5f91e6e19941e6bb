//! `tokenkeeper demo`: the whole product with no real account. Starts the five API emulators on
//! loopback, adds one account per API to a throwaway config directory (secrets in the
//! keychain), runs the refresh engine with short token lifetimes and an occasional injected
//! fault, and shows a live table. Ctrl-C, SIGTERM, SIGHUP (its terminal closed) or
//! `--duration` removes the accounts and their keychain entries and deletes the directory.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use chrono::Utc;
use tokenkeeper_core::Error;
use tokenkeeper_core::engine::events::{Event, EventKind};
use tokenkeeper_core::engine::{AccountSnapshot, Engine, EngineConfig};
use tokenkeeper_demo::{Demo, FAULT_EVERY};

use crate::output::{duration, expires_in};

/// Demo options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Stop by itself after this long.
    pub duration: Option<Duration>,
    /// Inject no faults.
    pub no_faults: bool,
}

/// Runs the demo until Ctrl-C (SIGINT), SIGTERM or SIGHUP, or the duration ends; always cleans
/// up.
pub async fn run(options: Options) -> Result<(), Error> {
    let setup = Demo::start().await?;
    let result = show(&setup, options).await;
    cleanup(setup).await;
    result
}

async fn show(setup: &Demo, options: Options) -> Result<(), Error> {
    let engine = Engine::start(setup.keeper().clone(), EngineConfig::default()).await?;
    let mut events = engine.subscribe();
    let mut recent: Vec<String> = Vec::new();
    let tty = std::io::stdout().is_terminal();
    let started = tokio::time::Instant::now();
    let stop_at = options.duration.map(|d| started + d);
    let dir = other_terminal_command(&setup.config_dir().display().to_string());
    let mut ticker = tokio::time::interval(if tty {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(5)
    });
    let mut next_fault = started + Duration::from_secs(15);
    // The background's stop signals: a closed terminal or a `kill` cleans up like Ctrl-C.
    let stop = tokenkeeper_background::shutdown_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            () = sleep_until_opt(stop_at) => break,
            event = events.recv() => {
                if let Ok(event) = event && let Some(line) = describe(&event) {
                    recent.push(line);
                    let excess = recent.len().saturating_sub(6);
                    recent.drain(..excess);
                }
            }
            _ = ticker.tick() => {
                if !options.no_faults && tokio::time::Instant::now() >= next_fault {
                    recent.push(setup.inject_fault());
                    next_fault = tokio::time::Instant::now() + FAULT_EVERY;
                }
                let snapshot = engine.snapshot().await?;
                render(&snapshot, &recent, &dir, tty);
            }
        }
    }
    engine.shutdown().await;
    Ok(())
}

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn describe(e: &Event) -> Option<String> {
    let time = e.at.format("%H:%M:%S");
    let what = match e.kind {
        EventKind::Refreshed => format!("refreshed, valid {}", expires_in(e.expires_at, e.at)),
        EventKind::Failed | EventKind::WillExpire => {
            let err = e
                .last_error
                .as_ref()
                .map(|x| x.message.clone())
                .unwrap_or_default();
            format!(
                "failed ({err}); retrying {}",
                expires_in(e.next_refresh_at, e.at)
            )
        }
        EventKind::NeedsLogin => "needs login".to_owned(),
        _ => return None,
    };
    Some(format!("{time}  {:<24} {what}", e.name))
}

/// A command that works from another terminal: the demo's keyring may be private to its
/// session (scripts/run.sh starts one), so the command carries the session bus address, the
/// binary's absolute path and the config directory. Values are single-quoted for the shell.
fn other_terminal_command(config_dir: &str) -> String {
    let quote = |v: &str| format!("'{}'", v.replace('\'', "'\\''"));
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "tokenkeeper".to_owned());
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS")
        .map(|b| format!("DBUS_SESSION_BUS_ADDRESS={} ", quote(&b)))
        .unwrap_or_default();
    format!(
        "{bus}{} --config-dir {} token demo-smartling",
        quote(&exe),
        quote(config_dir)
    )
}

fn render(snapshot: &[AccountSnapshot], recent: &[String], command: &str, tty: bool) {
    let now = Utc::now();
    let mut rows: Vec<&AccountSnapshot> = snapshot.iter().collect();
    rows.sort_by(|a, b| a.account.name.cmp(&b.account.name));
    let mut out = String::new();
    if tty {
        out.push_str("\x1b[H\x1b[2J");
    }
    out.push_str("TokenKeeper demo: five local API emulators, tokens kept fresh in the background. Ctrl-C to stop.\n");
    out.push_str(&format!("In another terminal:\n  {command}\n\n"));
    out.push_str(&format!(
        "{:<24} {:<17} {:<12} {:<14} {:<14} {}\n",
        "NAME", "PROVIDER", "STATUS", "EXPIRES", "NEXT REFRESH", "LAST ERROR"
    ));
    for s in rows {
        let status = if s.in_flight {
            "refreshing"
        } else {
            s.state.status(now).as_str()
        };
        let error = s
            .state
            .last_error
            .as_ref()
            .map(|e| {
                let code = e.code.clone().unwrap_or_default();
                format!(
                    "{} {code}: {}",
                    e.status.map(|x| x.to_string()).unwrap_or_default(),
                    e.message
                )
            })
            .unwrap_or_default();
        let error: String = error.trim().chars().take(60).collect();
        out.push_str(&format!(
            "{:<24} {:<17} {:<12} {:<14} {:<14} {}\n",
            s.account.name,
            s.account.provider.id(),
            status,
            expires_in(s.state.expires_at, now),
            s.state
                .next_refresh_at
                .map(|t| duration((t - now).num_seconds().max(0)))
                .unwrap_or_else(|| "-".into()),
            error
        ));
    }
    out.push_str("\nRecent:\n");
    for line in recent {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    if !tty {
        out.push('\n');
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
}

async fn cleanup(setup: Demo) {
    for (name, e) in setup.cleanup().await {
        eprintln!("tokenkeeper: could not remove demo account {name}: {e}");
    }
    println!("demo stopped: accounts, keychain entries and the demo directory removed");
}
