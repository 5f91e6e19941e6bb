//! `tokenkeeper-background`: the background as a binary of its own, without the CLI's commands
//! and the demo's emulators, so the process that stays up all day maps less (BENCHMARKS.md).
//! `tokenkeeper daemon` becomes it when it is installed beside the CLI, keeping its command
//! line (`tokenkeeper daemon --config-dir DIR`), its messages and its exit codes.
//!
//! On Windows it is a program without a console window (what Start at login runs), so its log
//! goes to `--log-file`, or to stderr when whoever started it gave it one (the window does).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Parser};
use tokenkeeper_app_core::error::ErrorCode;
use tokenkeeper_background::{Ended, Options};
use tokenkeeper_core::Keeper;
use tokenkeeper_core::store::paths::Paths;

/// The background's options (what `tokenkeeper daemon` passes on).
#[derive(Debug, Parser)]
#[command(
    name = "tokenkeeper-background",
    version,
    about = "TokenKeeper's background: keeps every account fresh, serves tokens, the tray and the window (run as `tokenkeeper daemon`)"
)]
struct Args {
    /// `daemon`, as `tokenkeeper daemon` runs it (nothing else is accepted).
    #[arg(value_parser = ["daemon"], hide = true)]
    command: Option<String>,
    /// Config directory (default: TOKENKEEPER_CONFIG_DIR, else the platform's).
    #[arg(long, value_name = "DIR")]
    config_dir: Option<PathBuf>,
    /// No tray icon.
    #[arg(long)]
    no_tray: bool,
    /// Write the log to this file (made private; its last run only) instead of stderr.
    #[arg(long, value_name = "FILE")]
    log_file: Option<PathBuf>,
    /// More log (-v, -vv).
    #[arg(short, long, action = ArgAction::Count)]
    verbose: u8,
    /// Stop (cleanly, as on Ctrl+C) when standard input ends: how `tokenkeeper daemon` on
    /// Windows, which runs this program as its child, stops it.
    #[arg(long, hide = true)]
    stop_when_stdin_closes: bool,
}

fn main() -> ExitCode {
    // Before any secret is read: no core dump of this process, ever.
    let hardened = tokenkeeper_core::hardening::harden();
    let args = Args::parse();
    let log_file = match args
        .log_file
        .as_deref()
        .map(tokenkeeper_app_core::background::log_file)
    {
        Some(Ok(file)) => Some(file),
        Some(Err(e)) => {
            eprintln!("tokenkeeper: cannot write the log: {e}");
            return ExitCode::from(2);
        }
        None => None,
    };
    tokenkeeper_background::log::init(args.verbose, log_file);
    tokenkeeper_core::hardening::report(&hardened);
    tokenkeeper_core::hardening::deny_debuggers();
    let runtime = match tokenkeeper_core::engine::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokenkeeper: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let paths = match Paths::resolve(args.config_dir) {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("tokenkeeper: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Options {
        tray: !args.no_tray,
        on_event: Box::new(tokenkeeper_background::log::event),
    };
    // On macOS the main thread is kept for the tray (AppKit's rule) and this runs beside it.
    let stdin_stops = args.stop_when_stdin_closes;
    let ran = tokenkeeper_background::host::main(move || {
        runtime.block_on(async move {
            let stop = async move {
                if stdin_stops {
                    tokenkeeper_background::stdin_closed().await;
                } else {
                    std::future::pending::<()>().await;
                }
            };
            tokenkeeper_background::run_until(Keeper::open(paths), options, stop).await
        })
    });
    match ran {
        Ok(Ended::Quit) => {
            tracing::info!("quit from the tray");
            ExitCode::SUCCESS
        }
        Ok(Ended::Stopped) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tokenkeeper: {e}");
            ExitCode::from(match e.code {
                ErrorCode::InvalidInput | ErrorCode::NotFound => 2,
                ErrorCode::Keychain => 4,
                _ => 1,
            })
        }
    }
}
