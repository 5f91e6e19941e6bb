//! The glue between the backend and Tauri: starts the window's backend (or the demo), sends
//! every change to the window, and closes the window when the user quits the background.
//!
//! The window is a process of its own: the background (`tokenkeeper daemon`, started by the
//! backend when none runs) refreshes, copies and draws the tray. The demo is the exception: its
//! emulators and throwaway accounts live in this process and end with its window, so its engine
//! runs here, with notifications but no tray.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokenkeeper_app_core::autostart::Autostart;
use tokenkeeper_app_core::background::BackgroundLauncher;
use tokenkeeper_core::Keeper;
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_demo::{Demo, FAULT_EVERY};

use crate::backend::Backend;
use crate::backend::clipboard::SystemClipboard;
use crate::error::AppError;
use crate::window;

/// The event that carries a new [`crate::dto::Overview`] to the window.
pub const OVERVIEW_EVENT: &str = "overview";
/// Changes closer together than this are shown once.
const SETTLE: Duration = Duration::from_millis(100);

/// What the app keeps for its whole life (Tauri managed state).
#[derive(Debug)]
pub struct Shell {
    /// The backend.
    pub backend: Arc<Backend>,
    /// The demo, in demo mode (removed on quit).
    pub demo: Arc<Mutex<Option<Demo>>>,
    /// Start at login (the background only); `None` without a home folder.
    pub autostart: Option<Autostart>,
}

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
static PAINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Notes when the process started (for the first-paint log line).
pub fn started() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// Logs the window's first paint with the time since the process started (once).
pub fn painted() {
    let ms = STARTED.get().map_or(0, |t| t.elapsed().as_millis());
    if PAINTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::debug!("window painted, {ms} ms after start");
    } else {
        eprintln!("first paint after {ms} ms");
    }
}

/// The shell, started once (Tauri managed state). The window opens before the backend is up,
/// so its first paint does not wait for the keychain check or the background; whatever needs
/// the backend first (the window's first command or the start-up task) starts it, and every
/// other caller waits for that one start. A failed start is kept and given to every caller:
/// the window shows it.
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

/// Starts the backend behind the window (see [`Started`]), then follows it and, in the demo,
/// injects faults. A backend that cannot start is said on stderr and in the window.
pub fn begin<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let started = app.state::<Started>();
        match started.get().await {
            Ok(shell) => {
                follow(app.clone(), shell.backend.clone());
                close_when_quit(app.clone(), shell.backend.clone());
                if shell.demo.lock().map(|d| d.is_some()).unwrap_or(false) {
                    let notifications =
                        tokenkeeper_background::notify::Notifications::connect().await;
                    let (feed, _made) =
                        tokenkeeper_background::overviews(shell.backend.clone()).await;
                    tokenkeeper_background::notify::follow(
                        shell.backend.clone(),
                        notifications,
                        feed,
                    );
                    inject_faults(shell.demo.clone());
                }
            }
            Err(e) => eprintln!("tokenkeeper-app: cannot start: {e}"),
        }
    });
}

/// Opens the config directory (the background serves it; started when none runs), or starts
/// the demo in this process.
pub async fn start(config_dir: Option<PathBuf>, demo: bool) -> Result<Shell, AppError> {
    let autostart = Paths::resolve(config_dir.clone())
        .ok()
        .and_then(|paths| Autostart::for_this_system(&paths, config_dir.as_deref()));
    // An older version's Start at login entry becomes ours (the demo leaves it alone).
    if !demo
        && let Some(autostart) = &autostart
        && let Err(e) = autostart.migrate()
    {
        tracing::warn!(error = %e, "cannot replace the older Start at login entry");
    }
    if demo {
        let demo = Demo::start().await?;
        let backend = Backend::start_engine(
            demo.keeper().clone(),
            Arc::new(SystemClipboard::default()),
            true,
        )
        .await?;
        return Ok(Shell {
            backend,
            demo: Arc::new(Mutex::new(Some(demo))),
            autostart,
        });
    }
    let keeper = Keeper::open(Paths::resolve(config_dir)?);
    let launcher = Arc::new(BackgroundLauncher::new(keeper.paths()));
    let backend = Backend::start_window(keeper, launcher).await?;
    Ok(Shell {
        backend,
        demo: Arc::new(Mutex::new(None)),
        autostart,
    })
}

/// The script that embeds what the files say in the window's page (see
/// `tokenkeeper_app_core::backend::files_overview`); `None` for the demo (its accounts do not
/// exist yet) or when the config directory cannot be resolved (the backend then says why).
pub fn first_overview_script(config_dir: Option<PathBuf>, demo: bool) -> Option<String> {
    if demo {
        return None;
    }
    let keeper = Keeper::open(Paths::resolve(config_dir).ok()?);
    let overview = tokenkeeper_app_core::backend::files_overview(&keeper);
    // Files that cannot be read: the backend says why, in its own way.
    if overview.problem.is_some() {
        return None;
    }
    let json = serde_json::to_string(&overview).ok()?;
    Some(format!("window.__TOKENKEEPER_FIRST_OVERVIEW__ = {json};"))
}

/// Follows the backend: every change goes to the window.
pub fn follow<R: Runtime>(app: AppHandle<R>, backend: Arc<Backend>) {
    tauri::async_runtime::spawn(async move {
        let mut changes = backend.changes();
        loop {
            let overview = backend.overview().await;
            if let Err(e) = app.emit_to(window::MAIN, OVERVIEW_EVENT, &overview) {
                tracing::debug!(error = %e, "no window to update");
            }
            if changes.changed().await.is_err() {
                break;
            }
            tokio::time::sleep(SETTLE).await;
            changes.borrow_and_update();
        }
    });
}

/// Quit in the tray stops the background and closes this window with it.
fn close_when_quit<R: Runtime>(app: AppHandle<R>, backend: Arc<Backend>) {
    tauri::async_runtime::spawn(async move {
        let mut quit = backend.quit_requested();
        if quit.wait_for(|q| *q).await.is_ok() {
            app.exit(0);
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

#[cfg(test)]
mod tests {
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
