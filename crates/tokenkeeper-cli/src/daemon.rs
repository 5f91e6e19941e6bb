//! `tokenkeeper daemon`: the background (`tokenkeeper_background::run`: the engine, the token
//! agent, the window's socket, the tray, notifications, Copy) in the foreground until SIGINT,
//! SIGTERM, SIGHUP or the tray's Quit, logging each event on stderr (never a token or password).
//!
//! Where `tokenkeeper-background` is installed beside this binary (the packages do), this
//! process becomes it ([`exec_background`]: the same process, its command line kept): that
//! binary has no CLI commands and no demo emulators, so the process that runs all day maps
//! less. Without it, the same code runs here.

#[cfg(unix)]
use std::path::Path;

use tokenkeeper_background::{Ended, Options};
use tokenkeeper_core::{Error, Keeper};

/// Runs until a signal or Quit; returns after the engine wrote its state.
pub async fn run(keeper: Keeper, tray: bool) -> Result<(), Error> {
    let options = Options {
        tray,
        on_event: Box::new(tokenkeeper_background::log::event),
    };
    match tokenkeeper_background::run_until_signal(keeper, options).await {
        Ok(Ended::Quit) => tracing::info!("quit from the tray"),
        Ok(Ended::Stopped) => {}
        Err(e) => return Err(Error::InvalidInput(e.message)),
    }
    Ok(())
}

/// Becomes `tokenkeeper-background daemon --config-dir DIR …` (same process id, so a service
/// manager and `pgrep -f 'tokenkeeper daemon'` see no difference). Returns only when there is
/// no such binary, or it cannot be run (then the background runs here).
#[cfg(unix)]
pub fn exec_background(config_dir: &Path, tray: bool, verbose: u8) {
    use std::os::unix::process::CommandExt;
    let Some(binary) = tokenkeeper_app_core::background::background_program() else {
        return;
    };
    let mut cmd = std::process::Command::new(&binary);
    if let Some(arg0) = std::env::args_os().next() {
        cmd.arg0(arg0);
    }
    cmd.arg("daemon").arg("--config-dir").arg(config_dir);
    if !tray {
        cmd.arg("--no-tray");
    }
    for _ in 0..verbose {
        cmd.arg("-v");
    }
    let e = cmd.exec();
    tracing::warn!(binary = %binary.display(), error = %e, "cannot run the background binary; running the background here");
}
