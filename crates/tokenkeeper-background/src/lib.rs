//! TokenKeeper's background, one process per user and config directory, with no GTK or
//! WebKit: the refresh engine and the token agent (as `tokenkeeper daemon` always had), plus
//! what the desktop app used to keep alive with its window closed: the tray
//! ([`tray`]: StatusNotifierItem over D-Bus on Linux, tray-icon on Windows and macOS), notifications ([`notify`]) and the clipboard
//! (Copy, and the clear-after delay). It serves the window on its socket
//! (`tokenkeeper_app_core::background`); the window is a process of its own that comes and
//! goes. `tokenkeeper daemon` runs [`run`].

pub mod host;
pub mod log;
pub mod notify;
pub mod tray;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use tokenkeeper_app_core::backend::Backend;
use tokenkeeper_app_core::background::{self, protocol::TrayState, server};
use tokenkeeper_app_core::dto::Overview;
use tokenkeeper_app_core::error::AppError;
use tokenkeeper_app_core::tray::TrayAction;
use tokenkeeper_clipboard::SystemClipboard;
use tokenkeeper_core::Keeper;
use tokenkeeper_core::engine::events::Event;
use tokio::sync::{mpsc, watch};

/// How the background runs.
pub struct Options {
    /// Show a tray icon (off: `--no-tray`).
    pub tray: bool,
    /// Called with every engine event (the background logs them).
    pub on_event: Box<dyn Fn(&Event) + Send + Sync>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options").field("tray", &self.tray).finish()
    }
}

/// Why [`run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// `stop` completed (a signal).
    Stopped,
    /// The user chose Quit in the tray (open windows were told to close).
    Quit,
}

/// Runs the background over `keeper`'s config directory until `stop` completes or the user
/// quits from the tray. Fails at once when another process already runs this directory's
/// engine.
pub async fn run(
    keeper: Keeper,
    options: Options,
    stop: impl Future<Output = ()>,
) -> Result<Ended, AppError> {
    let backend =
        Backend::start_engine(keeper.clone(), Arc::new(SystemClipboard::default()), false).await?;
    let (tray_state, tray_seen) = watch::channel(if options.tray {
        TrayState::Starting
    } else {
        TrayState::Off
    });
    let server = match background::socket_path(keeper.paths()) {
        Some(path) => match server::serve(&path, backend.clone(), tray_seen) {
            Ok(server) => Some(server),
            Err(e) => {
                tracing::warn!(error = %e, "no socket for the window");
                None
            }
        },
        None => {
            tracing::warn!(
                "the config directory's path is too long for a Unix socket: no socket for the window"
            );
            None
        }
    };
    let notifications = notify::Notifications::connect().await;
    let (feed, overviews_task) = overviews(backend.clone()).await;
    let notifier = notify::follow(backend.clone(), notifications.clone(), feed.clone());
    let (actions, mut chosen) = mpsc::unbounded_channel();
    let tray = options
        .tray
        .then(|| tray::run(feed, actions.clone(), tray_state.clone()));
    // The hooks run here, where the engine runs for real (the demo never comes here).
    let hooks = tokenkeeper_core::hooks::follow(keeper.clone(), backend.events());
    let on_event = options.on_event;
    let mut events = backend.events();
    let log = tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => on_event(&event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(skipped = n, "events came faster than they could be logged");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    tracing::info!(dir = %keeper.paths().dir().display(), "background started");
    tokio::pin!(stop);
    let ended = loop {
        tokio::select! {
            () = &mut stop => break Ended::Stopped,
            action = chosen.recv() => match action {
                Some(TrayAction::Quit) | None => break Ended::Quit,
                Some(action) => act(&backend, &notifications, action, &keeper),
            },
        }
    };
    if ended == Ended::Quit
        && let Some(server) = &server
    {
        server.announce_quit();
        // The windows read it before the socket goes.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tracing::info!("stopping");
    if let Some(tray) = tray {
        tray.abort();
    }
    notifier.abort();
    hooks.abort();
    overviews_task.abort();
    drop(server);
    backend.shutdown().await;
    log.abort();
    tracing::info!("background stopped");
    Ok(ended)
}

/// The overview as the tray and the notifications read it, made once for both.
pub type Overviews = watch::Receiver<Arc<Overview>>;

/// Changes closer together than this make one overview.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(100);
/// Time-based news (the time left, a hard limit coming closer) is made at least this often.
const RECHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// Makes the backend's overview on every change (settled) and every half minute, once for
/// every reader (at 10,000 accounts one overview is the costly part of a change).
pub async fn overviews(backend: Arc<Backend>) -> (Overviews, tokio::task::JoinHandle<()>) {
    let (tx, rx) = watch::channel(Arc::new(backend.overview().await));
    let task = tokio::spawn(async move {
        let mut changes = backend.changes();
        loop {
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(RECHECK) => {}
            }
            tokio::time::sleep(SETTLE).await;
            changes.borrow_and_update();
            if tx.send(Arc::new(backend.overview().await)).is_err() {
                break;
            }
        }
    });
    (rx, task)
}

/// Time allowed for a clean stop after a signal.
const STOP_WITHIN: std::time::Duration = std::time::Duration::from_millis(4500);

/// [`run`] until SIGINT, SIGTERM, SIGHUP or the tray's Quit; after a signal the stop is bounded
/// ([`STOP_WITHIN`]: the engine writes its state, the clipboard is cleared).
pub async fn run_until_signal(keeper: Keeper, options: Options) -> Result<Ended, AppError> {
    run_until(keeper, options, std::future::pending()).await
}

/// [`run_until_signal`], stopping at `stop` too (as after a signal).
pub async fn run_until(
    keeper: Keeper,
    options: Options,
    stop: impl Future<Output = ()>,
) -> Result<Ended, AppError> {
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        tokio::select! {
            () = shutdown_signal() => {}
            () = stop => {}
        }
        let _ = stopped_tx.send(());
    };
    let running = run(keeper, options, stop);
    tokio::pin!(running);
    tokio::select! {
        ended = &mut running => ended,
        () = async {
            let _ = stopped_rx.await;
            tokio::time::sleep(STOP_WITHIN).await;
        } => {
            tracing::warn!("the engine did not stop in time");
            Ok(Ended::Stopped)
        }
    }
}

/// Completes when the process is asked to stop: SIGINT (Ctrl-C), SIGTERM (logout, `kill`,
/// systemd) or SIGHUP (the terminal it runs in was closed). All three end it the same clean
/// way: the engine writes its state and a token it copied is taken off the clipboard.
#[cfg(unix)]
pub async fn shutdown_signal() {
    use tokio::signal::unix::{Signal, SignalKind, signal};
    async fn next(stream: Option<&mut Signal>) {
        match stream {
            Some(stream) => {
                stream.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    let open = |kind: SignalKind, name: &str| match signal(kind) {
        Ok(stream) => Some(stream),
        Err(e) => {
            tracing::warn!(signal = name, error = %e, "cannot listen for the signal");
            None
        }
    };
    let mut int = open(SignalKind::interrupt(), "SIGINT");
    let mut term = open(SignalKind::terminate(), "SIGTERM");
    let mut hup = open(SignalKind::hangup(), "SIGHUP");
    tokio::select! {
        () = next(int.as_mut()) => tracing::info!("SIGINT: stopping"),
        () = next(term.as_mut()) => tracing::info!("SIGTERM: stopping"),
        () = next(hup.as_mut()) => tracing::info!("SIGHUP: stopping"),
    }
}

/// Completes when the process is asked to stop: Ctrl+C or Ctrl+Break in its console, its
/// console closed, or the user logging off or the system shutting down. Each ends it the same
/// clean way as on Unix.
#[cfg(windows)]
pub async fn shutdown_signal() {
    use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close, ctrl_logoff, ctrl_shutdown};
    macro_rules! listen {
        ($open:ident, $name:literal) => {
            async {
                match $open() {
                    Ok(mut stream) => {
                        stream.recv().await;
                        tracing::info!(concat!($name, ": stopping"));
                    }
                    Err(e) => {
                        tracing::warn!(event = $name, error = %e, "cannot listen for the console event");
                        std::future::pending::<()>().await;
                    }
                }
            }
        };
    }
    tokio::select! {
        () = listen!(ctrl_c, "Ctrl+C") => {}
        () = listen!(ctrl_break, "Ctrl+Break") => {}
        () = listen!(ctrl_close, "console closed") => {}
        () = listen!(ctrl_logoff, "log off") => {}
        () = listen!(ctrl_shutdown, "shutdown") => {}
    }
}

/// Completes when this process's standard input ends: the `tokenkeeper daemon` that started it
/// as its child on Windows (`--stop-when-stdin-closes`) closes it to stop it cleanly, since a
/// program without a console gets no Ctrl+C; it ends too when that process ends. Read on a
/// thread of its own, not the runtime's (a pending read there would hold the runtime's end).
pub fn stdin_closed() -> impl Future<Output = ()> {
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let reader = std::thread::Builder::new()
        .name("stdin".to_owned())
        .spawn(move || {
            use std::io::Read;
            let mut stdin = std::io::stdin().lock();
            let mut buf = [0u8; 64];
            while let Ok(n) = stdin.read(&mut buf) {
                if n == 0 {
                    break;
                }
            }
            let _ = closed_tx.send(());
        });
    async move {
        match reader {
            Ok(_) => {
                if closed_rx.await.is_ok() {
                    tracing::info!("the tokenkeeper daemon that started it is stopping it");
                    return;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot watch standard input"),
        }
        std::future::pending::<()>().await;
    }
}

/// Runs a tray action (Quit is the caller's).
fn act(
    backend: &Arc<Backend>,
    notifications: &notify::Notifications,
    action: TrayAction,
    keeper: &Keeper,
) {
    let (backend, notifications) = (backend.clone(), notifications.clone());
    match action {
        TrayAction::Open => open_window(keeper),
        TrayAction::Copy(id) => {
            tokio::spawn(async move {
                let (title, body) = match backend.copy(&id).await {
                    Ok(copied) => (
                        "Token copied".to_owned(),
                        format!(
                            "Valid for {}; cleared from the clipboard in {} s.",
                            minutes(copied.valid_for_secs),
                            copied.clear_after_secs
                        ),
                    ),
                    Err(e) => ("Cannot copy the token".to_owned(), e.message),
                };
                // The tray has no other way to say what happened.
                if backend.prefs().notifications {
                    notifications.show(&title, &body).await;
                }
            });
        }
        TrayAction::Refresh(id) => {
            tokio::spawn(async move {
                if let Err(e) = backend.refresh(&id).await {
                    tracing::warn!(error = %e, "refresh failed");
                }
            });
        }
        TrayAction::RefreshAll => {
            tokio::spawn(async move {
                for (name, result) in backend.refresh_all().await {
                    if let Err(e) = result {
                        tracing::warn!(account = %name, error = %e, "refresh failed");
                    }
                }
            });
        }
        TrayAction::Quit => {}
    }
}

/// Starts the window (`tokenkeeper-app`: `TOKENKEEPER_APP`, else beside this executable, else
/// on `PATH`); a window already open takes the launch over and shows itself.
fn open_window(keeper: &Keeper) {
    let program = background::sibling_program("tokenkeeper-app", "TOKENKEEPER_APP")
        .unwrap_or_else(|| PathBuf::from("tokenkeeper-app"));
    let mut cmd = std::process::Command::new(&program);
    cmd.arg("--config-dir").arg(keeper.paths().dir());
    if let Err(e) = background::spawn_detached(&mut cmd) {
        tracing::warn!(program = %program.display(), error = %e, "cannot open the window");
    }
}

/// "7m", "1h 5m", "45s": how long a token stays valid, in words.
pub fn minutes(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{}s", s.max(0)),
        s if s < 3600 => format!("{}m", s / 60),
        s => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn validity_reads_in_minutes() {
        assert_eq!(super::minutes(-3), "0s");
        assert_eq!(super::minutes(45), "45s");
        assert_eq!(super::minutes(7 * 60 + 59), "7m");
        assert_eq!(super::minutes(3900), "1h 5m");
    }
}
