//! The glue between the backend and Tauri: starts the backend (or the demo), follows its
//! changes to update the window, the tray menu and the notifications, runs the tray's actions
//! and hands a daemon's config directory over to the app when the daemon stops.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokenkeeper_core::Keeper;
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_demo::{Demo, FAULT_EVERY};

use crate::backend::Backend;
use crate::backend::clipboard::SystemClipboard;
use crate::backend::notices::{Notice, Notifier};
use crate::backend::owner::TAKEOVER_EVERY;
use crate::error::AppError;
use crate::tray::{self, TrayAction};
use crate::window;

/// The event that carries a new [`crate::dto::Overview`] to the window.
pub const OVERVIEW_EVENT: &str = "overview";
/// Changes closer together than this are shown once.
const SETTLE: Duration = Duration::from_millis(100);
/// Time-based news (a hard limit coming closer) is looked for at least this often.
const RECHECK: Duration = Duration::from_secs(30);

/// What the app keeps for its whole life (Tauri managed state).
#[derive(Debug)]
pub struct Shell {
    /// The backend.
    pub backend: Arc<Backend>,
    /// The demo, in demo mode (removed on quit).
    pub demo: Arc<Mutex<Option<Demo>>>,
}

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
static PAINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Notes when the process started (for the first-paint log line).
pub fn started() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// Logs the window's first paint with the time since the process started (once; a window
/// rebuilt later logs at debug level).
pub fn painted() {
    let ms = STARTED.get().map_or(0, |t| t.elapsed().as_millis());
    if PAINTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::debug!("window painted, {ms} ms after start");
    } else {
        eprintln!("first paint after {ms} ms");
    }
}

/// The shell, started once (Tauri managed state). The window opens before the backend is up,
/// so its first paint does not wait for the keychain check and the engine; whatever needs the
/// backend first (the window's first command or the start-up task) starts it, and every other
/// caller waits for that one start. A failed start is kept and given to every caller: the
/// window shows it.
#[derive(Debug)]
pub struct Started {
    config_dir: Option<PathBuf>,
    demo: bool,
    shell: tokio::sync::OnceCell<Result<Shell, AppError>>,
}

impl Started {
    /// What [`Started::get`] will start: over `config_dir` (or the platform's), or the demo.
    pub fn new(config_dir: Option<PathBuf>, demo: bool) -> Self {
        Self {
            config_dir,
            demo,
            shell: tokio::sync::OnceCell::new(),
        }
    }

    /// The shell, starting it on the first call.
    pub async fn get(&self) -> Result<&Shell, AppError> {
        self.shell
            .get_or_init(|| start(self.config_dir.clone(), self.demo))
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The shell if it has started (never waits).
    pub fn now(&self) -> Option<&Shell> {
        self.shell.get().and_then(|r| r.as_ref().ok())
    }
}

/// Starts the backend behind the window (see [`Started`]), then follows it, watches for a
/// daemon's config directory to free up and, in the demo, injects faults. A backend that cannot
/// start is said on stderr and in the window, which opens for it.
pub fn begin<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let started = app.state::<Started>();
        match started.get().await {
            Ok(shell) => {
                follow(app.clone(), shell.backend.clone());
                take_over_when_free(shell.backend.clone());
                if shell.demo.lock().map(|d| d.is_some()).unwrap_or(false) {
                    inject_faults(shell.demo.clone());
                }
            }
            Err(e) => {
                eprintln!("tokenkeeper-app: cannot start: {e}");
                window::show(&app);
            }
        }
    });
}

/// Opens the config directory (or starts the demo) and the backend over it.
pub async fn start(config_dir: Option<PathBuf>, demo: bool) -> Result<Shell, AppError> {
    let (keeper, demo) = if demo {
        let demo = Demo::start().await?;
        (demo.keeper().clone(), Some(demo))
    } else {
        (Keeper::open(Paths::resolve(config_dir)?), None)
    };
    let backend =
        Backend::start(keeper, Arc::new(SystemClipboard::default()), demo.is_some()).await?;
    Ok(Shell {
        backend,
        demo: Arc::new(Mutex::new(demo)),
    })
}

fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "cannot show a notification");
    }
}

/// Follows the backend: every change goes to the window (when open) and the tray menu;
/// failures, needs-login and coming hard limits become notifications.
pub fn follow<R: Runtime>(app: AppHandle<R>, backend: Arc<Backend>) {
    tauri::async_runtime::spawn(async move {
        let mut changes = backend.changes();
        let mut notifier = Notifier::default();
        let mut menu_for: Option<Vec<(String, String)>> = None;
        loop {
            let overview = backend.overview().await;
            if let Err(e) = app.emit_to(window::MAIN, OVERVIEW_EVENT, &overview) {
                tracing::debug!(error = %e, "no window to update");
            }
            let names: Vec<(String, String)> = overview
                .accounts
                .iter()
                .map(|r| (r.view.id.to_string(), r.view.name.clone()))
                .collect();
            if menu_for.as_ref() != Some(&names) {
                tray::update(&app, &overview.accounts);
                menu_for = Some(names);
            }
            let now = chrono::Utc::now();
            for notice in notifier.observe(&overview.accounts, now) {
                if !backend.prefs().notifications {
                    continue;
                }
                if let Notice::HardLimitSoon { id, .. } = &notice
                    && backend.can_log_in_again(*id).await
                {
                    continue;
                }
                let (title, body) = notice.text(now);
                notify(&app, &title, &body);
            }
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(RECHECK) => {}
            }
            tokio::time::sleep(SETTLE).await;
            changes.borrow_and_update();
        }
    });
}

/// While a daemon refreshes, checks now and then whether it stopped, and takes over.
pub fn take_over_when_free(backend: Arc<Backend>) {
    tauri::async_runtime::spawn(async move {
        let mut every = tokio::time::interval(TAKEOVER_EVERY);
        loop {
            every.tick().await;
            match backend.take_over_if_free().await {
                Ok(true) => tracing::info!("the daemon stopped: refreshing in the app"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cannot start the engine"),
            }
        }
    });
}

/// In demo mode, makes a refresh fail now and then, as real servers do.
pub fn inject_faults(demo: Arc<Mutex<Option<Demo>>>) {
    tauri::async_runtime::spawn(async move {
        let mut every = tokio::time::interval(FAULT_EVERY);
        every.tick().await;
        loop {
            every.tick().await;
            match demo.lock() {
                Ok(guard) => match guard.as_ref() {
                    Some(demo) => tracing::info!("{}", demo.inject_fault()),
                    None => break,
                },
                Err(_) => break,
            }
        }
    });
}

/// The backend, once started, for the tray's actions (`None` when it could not start).
async fn backend_of<R: Runtime>(app: &AppHandle<R>) -> Option<Arc<Backend>> {
    match app.state::<Started>().get().await {
        Ok(shell) => Some(shell.backend.clone()),
        Err(e) => {
            tracing::warn!(error = %e, "the tray has no backend");
            None
        }
    }
}

/// Runs a tray menu action.
pub fn on_tray<R: Runtime>(app: &AppHandle<R>, action: TrayAction) {
    match action {
        TrayAction::Show => window::show_later(app),
        TrayAction::Quit => app.exit(0),
        TrayAction::RefreshAll => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let Some(backend) = backend_of(&app).await else {
                    return;
                };
                for (name, result) in backend.refresh_all().await {
                    if let Err(e) = result {
                        tracing::warn!(account = %name, error = %e, "refresh failed");
                    }
                }
            });
        }
        TrayAction::Copy(id) => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let Some(backend) = backend_of(&app).await else {
                    return;
                };
                let (title, body) = match backend.copy(&id).await {
                    Ok(copied) => (
                        "Token copied".to_owned(),
                        format!(
                            "Valid for {}; cleared from the clipboard in {} s.",
                            crate::shell::minutes(copied.valid_for_secs),
                            copied.clear_after_secs
                        ),
                    ),
                    Err(e) => ("Cannot copy the token".to_owned(), e.message),
                };
                // The tray has no other way to say what happened.
                if backend.prefs().notifications {
                    notify(&app, &title, &body);
                }
            });
        }
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

    /// A start that fails is kept: every caller gets its error and nothing starts again.
    #[tokio::test]
    async fn a_failed_start_is_kept_and_said_to_every_caller()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("a-file");
        std::fs::write(&file, "")?;
        let started = super::Started::new(Some(file.join("config")), false);
        assert!(started.now().is_none(), "nothing before the first call");
        let Err(first) = started.get().await else {
            return Err("a config directory under a file cannot start".into());
        };
        assert!(
            first.message.contains("Not a directory"),
            "{}",
            first.message
        );
        // The directory appears: the kept failure still stands (the window already shows it).
        std::fs::remove_file(&file)?;
        let Err(second) = started.get().await else {
            return Err("the start ran again".into());
        };
        assert_eq!(second, first);
        assert!(started.now().is_none());
        Ok(())
    }
}
