//! The window and the background: two processes per config directory.
//!
//! The **background** (`tokenkeeper daemon`) runs the engine, the token agent, the tray,
//! notifications and the clipboard, with no GTK or WebKit. The **window** (`tokenkeeper-app`)
//! lives while it is open: it reads the shared files for what it shows, changes accounts
//! through the keeper as the CLI does (the engine follows the config directory), and asks the
//! background for what needs the engine or must outlive the window (Copy, whose clear-after
//! delay runs in the background; Refresh now).
//!
//! - [`protocol`]: one JSON line each way, versioned, never a token;
//! - [`server`]: the background serves `<key>.ctl` beside the agent's socket (same private
//!   directory, same peer check);
//! - [`client`]: the window's [`Remote`];
//! - here: the socket's path, starting the background ([`Launch`]) and the window's
//!   [`supervise`] loop: watch the background, start it when none runs, start it again when it
//!   dies, and tell the window to close when the user quits the background.

pub mod client;
pub mod protocol;
pub mod server;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokenkeeper_core::store::paths::Paths;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use ts_rs::TS;

pub use client::Remote;
use protocol::{Event, TrayState};

/// The socket's suffix beside the agent's.
const SUFFIX: &str = "ctl";
/// How long a started background has to answer.
const START_WITHIN: Duration = Duration::from_secs(15);
/// Starts this close together count as one run of failures.
const FAILURES_FORGOTTEN_AFTER: Duration = Duration::from_secs(60);
/// After this many failed starts in a row the window stops trying for a while.
const MAX_QUICK_STARTS: u32 = 3;
/// How long it waits then.
const PAUSE_AFTER_FAILURES: Duration = Duration::from_secs(30);

/// The window's socket for this config directory (`None` without a runtime directory).
pub fn socket_path(paths: &Paths) -> Option<PathBuf> {
    tokenkeeper_core::agent::sibling_socket_path(paths, SUFFIX)
}

/// Where a background started by the window writes its log: beside its socket (in memory), or
/// on Windows, where the socket is a pipe, in the config directory.
pub fn log_path(paths: &Paths) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        tokenkeeper_core::agent::sibling_socket_path(paths, "log")
    }
    #[cfg(windows)]
    {
        Some(paths.dir().join("background.log"))
    }
}

/// The background as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BackgroundState {
    /// The engine runs in the window's own process (the demo).
    Here,
    /// Being started.
    Starting,
    /// Refreshing; `tray` says whether its tray icon shows.
    Running {
        /// Its tray.
        tray: TrayState,
        /// How often it stopped unexpectedly while this window was open (and was started
        /// again): the window says so, since a crash should not pass unnoticed.
        restarts: u32,
    },
    /// It stopped without being quit (killed, crashed): being started again.
    Lost,
    /// It cannot be started: why (it is tried again now and then).
    Failed {
        /// What went wrong, naming the fix when there is one.
        message: String,
    },
}

/// Starts the background for a config directory.
pub trait Launch: Send + Sync + std::fmt::Debug {
    /// Starts it, detached (it outlives the window). Returns once it is spawned.
    fn launch(&self) -> Result<(), String>;

    /// Where what it starts writes its log, for messages.
    fn log_path(&self) -> Option<&Path> {
        None
    }
}

/// Starts the background for a config directory detached ([`spawn_detached`]), its output in
/// `log`: `tokenkeeper daemon --config-dir DIR` when the CLI is beside this executable (or
/// named by `TOKENKEEPER_CLI`; it becomes `tokenkeeper-background`, its command line kept, so
/// `pgrep -f 'tokenkeeper daemon'` and service managers see one name), else the background's
/// own binary beside it ([`background_program`]), else `tokenkeeper` on `PATH`.
#[derive(Debug)]
pub struct BackgroundLauncher {
    program: PathBuf,
    config_dir: PathBuf,
    log: Option<PathBuf>,
}

impl BackgroundLauncher {
    /// Starts the CLI beside this executable, else [`background_program`], else
    /// `tokenkeeper` on `PATH`, for this config directory.
    pub fn new(paths: &Paths) -> Self {
        let program = sibling_program("tokenkeeper", "TOKENKEEPER_CLI")
            .or_else(background_program)
            .unwrap_or_else(|| PathBuf::from("tokenkeeper"));
        Self::with_program(program, paths)
    }

    /// Starts `program` (either binary: both take `daemon --config-dir DIR`).
    pub fn with_program(program: PathBuf, paths: &Paths) -> Self {
        Self {
            program,
            config_dir: paths.dir().to_owned(),
            log: log_path(paths),
        }
    }
}

/// What to do when no background program can be found or run: the message is the fix.
pub fn cannot_start(program: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!(
            "its program was not found ({}). The tokenkeeper package installs it beside the \
             app; in a source tree, build it beside the app with `cargo build -p \
             tokenkeeper-background -p tokenkeeper-cli` (scripts/build-app.sh does), or set \
             TOKENKEEPER_BACKGROUND to its path",
            program.display()
        )
    } else {
        format!("cannot start {}: {e}", program.display())
    }
}

/// The background's own binary: `TOKENKEEPER_BACKGROUND`, else `tokenkeeper-background` beside
/// this executable.
pub fn background_program() -> Option<PathBuf> {
    sibling_program("tokenkeeper-background", "TOKENKEEPER_BACKGROUND")
}

/// One of TokenKeeper's binaries: the path in `env` when set, else `name` (with the platform's
/// `.exe`) beside this executable (they are installed in the same directory, and built into the
/// same one).
pub fn sibling_program(name: &str, env: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let exe = std::env::current_exe().ok()?;
    // `.exe` on Windows.
    let beside = exe
        .parent()?
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    beside.is_file().then_some(beside)
}

/// The `tokenkeeper` binary: `TOKENKEEPER_CLI`, else beside this executable, else on `PATH`.
pub fn cli_program() -> PathBuf {
    sibling_program("tokenkeeper", "TOKENKEEPER_CLI")
        .unwrap_or_else(|| PathBuf::from("tokenkeeper"))
}

/// Starts `cmd` detached from this process: in a process group of its own (a Ctrl+C meant for
/// this process's terminal does not reach it), no stdin or stdout, reaped by a thread when it
/// ends so it never lingers as a zombie.
pub fn spawn_detached(cmd: &mut std::process::Command) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        /// No console of its own, and out of this console's Ctrl+C group.
        const DETACHED_PROCESS: u32 = 0x0000_0008;
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        cmd.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
    }
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()?;
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// The log of the background this window starts: its last run only (the runtime directory is
/// memory), 0600.
pub fn log_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

impl Launch for BackgroundLauncher {
    fn log_path(&self) -> Option<&Path> {
        self.log.as_deref()
    }

    fn launch(&self) -> Result<(), String> {
        let mut cmd = std::process::Command::new(&self.program);
        cmd.arg("daemon")
            .arg("--config-dir")
            .arg(&self.config_dir)
            // Its log lives in memory: warnings and its own start and stop, not every refresh
            // (unless the user asked for more).
            .env(
                "TOKENKEEPER_LOG",
                std::env::var_os("TOKENKEEPER_LOG")
                    .unwrap_or_else(|| "warn,tokenkeeper_background=info".into()),
            );
        match self.log.as_deref().map(log_file) {
            Some(Ok(file)) => cmd.stderr(file),
            _ => cmd.stderr(std::process::Stdio::null()),
        };
        spawn_detached(&mut cmd).map_err(|e| cannot_start(&self.program, &e))
    }
}

/// What [`supervise`] reports.
#[derive(Debug)]
pub struct Supervised {
    /// The background's state, as it changes.
    pub state: watch::Receiver<BackgroundState>,
    /// Becomes `true` when the user quit the background: the window closes.
    pub quit: watch::Receiver<bool>,
    /// The loop (aborted when the window closes).
    pub task: JoinHandle<()>,
}

/// Watches the background, starting it when none answers and again when it dies; calls
/// `changed` on every change the window should show.
pub fn supervise(
    remote: Remote,
    launcher: Arc<dyn Launch>,
    changed: impl Fn() + Send + Sync + 'static,
) -> Supervised {
    let (state_tx, state) = watch::channel(BackgroundState::Starting);
    let (quit_tx, quit) = watch::channel(false);
    let task = tokio::spawn(async move {
        let set = |s: BackgroundState| {
            if state_tx.send_replace(s.clone()) != s {
                changed();
            }
        };
        let mut failures = 0_u32;
        let mut restarts = 0_u32;
        let mut last_failure = tokio::time::Instant::now();
        loop {
            if let Ok((status, mut events)) = remote.watch().await {
                failures = 0;
                tracing::info!(pid = status.pid, version = %status.version, tray = ?status.tray, "following the background");
                set(BackgroundState::Running {
                    tray: status.tray,
                    restarts,
                });
                loop {
                    match events.next().await {
                        Some(Event::Changed) => {
                            let tray = remote.status().await.map_or(status.tray, |s| s.tray);
                            set(BackgroundState::Running { tray, restarts });
                            changed();
                        }
                        Some(Event::Quitting) => {
                            tracing::info!("the background was quit: closing the window");
                            let _ = quit_tx.send(true);
                            return;
                        }
                        None => break,
                    }
                }
                tracing::warn!("the background stopped without quitting: starting it again");
                set(BackgroundState::Lost);
                restarts += 1;
            }
            if last_failure.elapsed() > FAILURES_FORGOTTEN_AFTER {
                failures = 0;
            }
            if failures >= MAX_QUICK_STARTS {
                tokio::time::sleep(PAUSE_AFTER_FAILURES).await;
                failures = 0;
            }
            let launched = launcher.launch();
            let answered = match launched {
                Ok(()) => wait_for(&remote, launcher.log_path()).await,
                Err(e) => Err(e),
            };
            if let Err(message) = answered {
                failures += 1;
                last_failure = tokio::time::Instant::now();
                tracing::warn!(error = %message, "the background did not start");
                set(BackgroundState::Failed { message });
            }
        }
    });
    Supervised { state, quit, task }
}

/// Waits for a started background to answer (another window may have started it first: any
/// background that answers will do).
async fn wait_for(remote: &Remote, log: Option<&Path>) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + START_WITHIN;
    while tokio::time::Instant::now() < deadline {
        if remote.status().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = log.map_or_else(String::new, |log| format!(" (its log: {})", log.display()));
    Err(format!(
        "the background did not answer within {} s{log}",
        START_WITHIN.as_secs(),
    ))
}

#[cfg(test)]
mod tests {
    use tokenkeeper_core::store::paths::Paths;

    use super::{BackgroundLauncher, Launch};

    #[test]
    fn a_missing_background_program_is_reported_as_its_fix() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("config"));
        let missing = dir.path().join("no-such-dir/tokenkeeper-background");
        let err = BackgroundLauncher::with_program(missing.clone(), &paths)
            .launch()
            .unwrap_err();
        assert!(err.contains(&missing.display().to_string()), "{err}");
        assert!(err.contains("installs it beside the app"), "{err}");
        assert!(
            err.contains("cargo build -p tokenkeeper-background -p tokenkeeper-cli"),
            "{err}"
        );
        assert!(
            !err.contains("No such file"),
            "the fix, not the errno: {err}"
        );
    }

    #[cfg(unix)] // A shell script stands in for the program.
    #[test]
    fn the_program_found_is_started_with_the_config_directory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("config"));
        let seen = dir.path().join("args");
        let program = dir.path().join("tokenkeeper-background");
        std::fs::write(
            &program,
            format!(
                "#!/bin/sh\necho \"$@\" > {}.tmp\nmv {0}.tmp {0}\n",
                seen.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        BackgroundLauncher::with_program(program, &paths)
            .launch()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !seen.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(
            std::fs::read_to_string(&seen).unwrap().trim(),
            format!("daemon --config-dir {}", paths.dir().display())
        );
    }
}
