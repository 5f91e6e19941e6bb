//! TokenKeeper's desktop app: the window, a thin Tauri 2 shell over `tokenkeeper-app-core`. It
//! lives while its window is open; the background (`tokenkeeper daemon`: engine, agent, tray,
//! notifications, clipboard) refreshes with the window closed, and is started by the window
//! when none runs.
//!
//! - [`backend`], [`dto`], [`error`]: the `tokenkeeper-app-core` crate (free of Tauri);
//! - [`commands`]: the window's commands (declared once in `tokenkeeper-app-core`), each a
//!   line or a few into the backend;
//! - [`shell`]: starts the backend and follows it to update the window;
//! - [`window`]: the main window (a second launch focuses it).

pub use tokenkeeper_app_core::{backend, dto, error};
pub mod commands;
pub mod shell;
pub mod window;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tauri::{Manager, RunEvent};
use tauri_plugin_window_state::StateFlags;

/// Command-line options of the app.
#[derive(Debug, Parser)]
#[command(name = "tokenkeeper-app", version, about = "TokenKeeper desktop app")]
pub struct Args {
    /// Make sure the background runs, and open no window (what start at login did in versions
    /// that kept the engine in the app; their autostart entries still say `--hidden`).
    #[arg(long)]
    pub hidden: bool,
    /// The built-in demo: five local API emulators, one account each, in a throwaway config
    /// directory (removed on quit).
    #[arg(long)]
    pub demo: bool,
    /// Config directory (default: TOKENKEEPER_CONFIG_DIR, else the platform's, as the CLI).
    #[arg(long, value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
}

/// The async runtime for the engine and the commands: two workers and a small blocking pool
/// (keychain, clipboard and file calls), like the background's (see BENCHMARKS.md on arenas).
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_name("tokenkeeper")
        .enable_all()
        .build()
}

/// SIGTERM (logout, `kill`) and SIGINT (Ctrl+C), listened for from the start (before the
/// window exists, so none is missed), end the app the way closing its window does: in the
/// demo, a token it copied is cleared from the clipboard and the engine stops cleanly.
#[cfg(unix)]
struct Signals(tokio::signal::unix::Signal, tokio::signal::unix::Signal);

#[cfg(unix)]
fn listen_for_signals(runtime: &tokio::runtime::Runtime) -> Option<Signals> {
    use tokio::signal::unix::{SignalKind, signal};
    let _entered = runtime.enter();
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => Some(Signals(term, int)),
        _ => {
            tracing::warn!(
                "cannot listen for SIGTERM and SIGINT: a copied token is cleared only on Quit"
            );
            None
        }
    }
}

#[cfg(unix)]
fn exit_on_signals(app: tauri::AppHandle, signals: Option<Signals>) {
    let Some(Signals(mut term, mut int)) = signals else {
        return;
    };
    tauri::async_runtime::spawn(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: quitting"),
            _ = int.recv() => tracing::info!("SIGINT: quitting"),
        }
        app.exit(0);
    });
}

/// `--hidden`: starts the background when none answers, and returns (no window).
fn ensure_background(runtime: &tokio::runtime::Runtime, config_dir: Option<PathBuf>) -> ExitCode {
    use tokenkeeper_app_core::background::{self, BackgroundLauncher, Launch, Remote};
    let paths = match tokenkeeper_core::store::paths::Paths::resolve(config_dir) {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("tokenkeeper-app: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(socket) = background::socket_path(&paths) else {
        eprintln!(
            "tokenkeeper-app: the config directory's path is too long for the background's socket"
        );
        return ExitCode::FAILURE;
    };
    let remote = Remote::at(socket);
    runtime.block_on(async move {
        if remote.status().await.is_ok() {
            return ExitCode::SUCCESS;
        }
        match BackgroundLauncher::new(&paths).launch() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tokenkeeper-app: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Runs the window until it closes.
pub fn run() -> ExitCode {
    shell::started();
    // Before any secret is read: no core dump of this process, ever.
    let hardened = tokenkeeper_core::hardening::harden();
    let args = Args::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TOKENKEEPER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    tokenkeeper_core::hardening::report(&hardened);
    tokenkeeper_core::hardening::deny_debuggers();
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokenkeeper-app: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    #[cfg(unix)]
    let signals = listen_for_signals(&runtime);
    tauri::async_runtime::set(runtime.handle().clone());
    let Args {
        hidden,
        demo,
        config_dir,
    } = args;
    if hidden && !demo {
        return ensure_background(&runtime, config_dir);
    }
    let built = tauri::Builder::default()
        // First: a second launch hands over to the first (which shows its window) and exits
        // here, before this process starts a backend of its own.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            window::show_later(app);
        }))
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(StateFlags::all() & !StateFlags::VISIBLE)
                .build(),
        )
        .invoke_handler(commands::handler())
        .setup(move |app| {
            // The window first: its web view loads while the backend starts (keychain check,
            // the background), and its first command waits for that start.
            let first = shell::first_overview_script(config_dir.clone(), demo);
            app.manage(shell::Started::new(config_dir, demo));
            let handle = app.handle().clone();
            window::show_with(&handle, first.as_deref());
            #[cfg(unix)]
            exit_on_signals(handle.clone(), signals);
            shell::begin(handle);
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match built {
        Ok(app) => app,
        Err(e) => {
            eprintln!("tokenkeeper-app: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    app.run(move |app, event| {
        // The window closed (or the background was quit): this process ends; the background
        // refreshes on. The demo's engine and emulators end here.
        if let RunEvent::Exit = event {
            let Some(shell) = app.try_state::<shell::Started>() else {
                return;
            };
            let Some(shell) = shell.now() else { return };
            let (backend, demo) = (shell.backend.clone(), shell.demo.clone());
            tauri::async_runtime::block_on(async move {
                backend.shutdown().await;
                let demo = demo.lock().ok().and_then(|mut d| d.take());
                if let Some(demo) = demo {
                    for (name, e) in demo.cleanup().await {
                        tracing::warn!(account = %name, error = %e, "demo account left behind");
                    }
                }
            });
        }
    });
    ExitCode::SUCCESS
}
