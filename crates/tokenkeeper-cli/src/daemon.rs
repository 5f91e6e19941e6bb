//! `tokenkeeper daemon`: the background (`tokenkeeper_background::run`: the engine, the token
//! agent, the window's socket, the tray, notifications, Copy) in the foreground until SIGINT,
//! SIGTERM, SIGHUP or the tray's Quit, logging each event on stderr (never a token or password).
//!
//! Where `tokenkeeper-background` is installed beside this binary (the packages do), it runs
//! in this one's place: that binary has no CLI commands and no demo emulators, so the process
//! that runs all day maps less. On Unix this process becomes it ([`exec_background`]: the
//! same process, its command line kept); without it, the same code runs here ([`run`]).
//!
//! On Windows, which has no exec, it runs as this process's child ([`run_installed`]), always:
//! so `tokenkeeper.exe` never loads the tray's, the clipboard's and the notifications' GUI
//! libraries, and every `token` a script runs starts that much faster (BENCHMARKS.md).

use std::path::{Path, PathBuf};

use tokenkeeper_app_core::background::background_program;
use tokenkeeper_core::Error;

/// Runs until a signal or Quit; returns after the engine wrote its state.
#[cfg(not(windows))]
pub async fn run(keeper: tokenkeeper_core::Keeper, tray: bool) -> Result<(), Error> {
    use tokenkeeper_background::{Ended, Options};
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

/// `tokenkeeper-background daemon --config-dir DIR …` with this command's options.
fn background_command(
    binary: &Path,
    config_dir: &Path,
    tray: bool,
    verbose: u8,
) -> std::process::Command {
    let mut cmd = std::process::Command::new(binary);
    cmd.arg("daemon").arg("--config-dir").arg(config_dir);
    if !tray {
        cmd.arg("--no-tray");
    }
    for _ in 0..verbose {
        cmd.arg("-v");
    }
    cmd
}

/// The config folder as the background is given it: absolute, so that a relative
/// `--config-dir` still names the same folder whatever the background's working folder.
pub fn background_dir(dir: &Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned())
}

/// Becomes `tokenkeeper-background daemon --config-dir DIR …` (same process id, so a service
/// manager and `pgrep -f 'tokenkeeper daemon'` see no difference). Returns only when there is
/// no such binary, or it cannot be run (then the background runs here).
#[cfg(unix)]
pub fn exec_background(config_dir: &Path, tray: bool, verbose: u8) {
    use std::os::unix::process::CommandExt;
    let Some(binary) = background_program() else {
        return;
    };
    let mut cmd = background_command(&binary, config_dir, tray, verbose);
    if let Some(arg0) = std::env::args_os().next() {
        cmd.arg0(arg0);
    }
    let e = cmd.exec();
    tracing::warn!(binary = %binary.display(), error = %e, "cannot run the background binary; running the background here");
}

/// Runs `tokenkeeper-background.exe daemon …` as a child and ends with its exit code. The
/// child is in a job that ends it when this process ends (killed too: the folder's lock goes
/// with both, as with the one process on Unix). It is a program without a console, so no
/// console event reaches it: a Ctrl+C, Ctrl+Break or closed console this process gets closes
/// the child's standard input instead (`--stop-when-stdin-closes`), which it stops cleanly on,
/// and this process waits for it to finish writing its state.
#[cfg(windows)]
pub async fn run_installed(
    config_dir: &Path,
    tray: bool,
    verbose: u8,
) -> Result<std::process::ExitCode, Error> {
    use tokenkeeper_core::winproc::KillOnClose;
    let Some(binary) = background_program() else {
        return Err(Error::InvalidInput(format!(
            "tokenkeeper-background.exe is not installed beside {}: reinstall TokenKeeper",
            std::env::current_exe()
                .map_or_else(|_| "tokenkeeper.exe".into(), |p| p.display().to_string())
        )));
    };
    let mut cmd = background_command(&binary, config_dir, tray, verbose);
    cmd.arg("--stop-when-stdin-closes")
        .stdin(std::process::Stdio::piped());
    let mut events = ConsoleEvents::new()?;
    let job = KillOnClose::new()
        .inspect_err(|e| tracing::warn!(error = %e, "no job object: the background would outlive a killed tokenkeeper.exe"))
        .ok();
    let mut child = match tokio::process::Command::from(cmd).spawn() {
        Ok(child) => child,
        Err(e) => return Ok(crate::child::cannot_run(&binary.display().to_string(), &e)),
    };
    if let (Some(job), Some(handle)) = (&job, child.raw_handle())
        && let Err(e) = job.assign(handle)
    {
        tracing::warn!(error = %e, "the background is not in this process's job: it would outlive a killed tokenkeeper.exe");
    }
    let mut stdin = child.stdin.take();
    loop {
        tokio::select! {
            status = child.wait() => {
                let status = status.map_err(|e| Error::io(&binary, e))?;
                return Ok(crate::child::exit_code(status));
            }
            event = events.next() => {
                if stdin.take().is_some() {
                    tracing::info!("{event}: stopping the background");
                }
            }
        }
    }
}

/// The console events that stop a background, held so this process lives on until its child
/// has stopped.
#[cfg(windows)]
struct ConsoleEvents {
    ctrl_c: tokio::signal::windows::CtrlC,
    ctrl_break: tokio::signal::windows::CtrlBreak,
    ctrl_close: tokio::signal::windows::CtrlClose,
}

#[cfg(windows)]
impl ConsoleEvents {
    fn new() -> Result<Self, Error> {
        use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close};
        Ok(Self {
            ctrl_c: ctrl_c().map_err(|e| Error::io("Ctrl+C handler", e))?,
            ctrl_break: ctrl_break().map_err(|e| Error::io("Ctrl+Break handler", e))?,
            ctrl_close: ctrl_close().map_err(|e| Error::io("console close handler", e))?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.ctrl_c.recv() => "Ctrl+C",
            _ = self.ctrl_break.recv() => "Ctrl+Break",
            _ = self.ctrl_close.recv() => "console closed",
        }
    }
}
