//! The Windows side of `exec --token-file`: the runs' folders in the user's temporary folder
//! (`%TEMP%\tokenkeeper`), each closed to everyone but this user by a protected DACL that its
//! files inherit ([`tokenkeeper_core::winsec::keep_folder_to_current_user`]); Ctrl+C and
//! Ctrl+Break held while the command (which shares the console, so gets them itself) decides;
//! a command that must stop is ended.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokenkeeper_core::winsec::keep_folder_to_current_user;
use tokenkeeper_core::{Error, Keeper};

/// How long a replace waits for readers that opened the file without sharing its deletion.
const REPLACE_PATIENCE: Duration = Duration::from_secs(2);

/// `%TEMP%\tokenkeeper` (under the user's own `AppData\Local`), closed to everyone else.
pub(super) fn base_dir(_keeper: &Keeper) -> Result<PathBuf, Error> {
    let base = std::env::temp_dir().join("tokenkeeper");
    std::fs::create_dir_all(&base).map_err(|e| Error::io(&base, e))?;
    keep_folder_to_current_user(&base).map_err(|e| Error::io(&base, e))?;
    Ok(base)
}

/// Closes a run's folder to everyone else (its files inherit that).
pub(super) fn keep_private(dir: &Path) -> std::io::Result<()> {
    keep_folder_to_current_user(dir)
}

/// Makes a new file (fails when it exists); its folder's DACL makes it this user's only.
pub(super) fn new_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Puts `new` in place of `file` (MoveFileEx, replacing: a reader has the old file or the new
/// one). A reader that opened the file without sharing its deletion blocks that for a moment:
/// tried again until [`REPLACE_PATIENCE`] has passed.
pub(super) fn replace(new: &Path, file: &Path) -> std::io::Result<()> {
    let deadline = std::time::Instant::now() + REPLACE_PATIENCE;
    loop {
        match std::fs::rename(new, file) {
            Err(e)
                if e.kind() == std::io::ErrorKind::PermissionDenied
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// Ends a command TokenKeeper started (Windows has no SIGTERM for a console program), and
/// waits for it.
pub(super) async fn stop(child: &mut tokio::process::Child) {
    let _ = child.kill().await;
}

/// Ctrl+C and Ctrl+Break, held so this process lives on while the command decides.
pub(super) struct Forwarded {
    ctrl_c: tokio::signal::windows::CtrlC,
    ctrl_break: tokio::signal::windows::CtrlBreak,
}

impl Forwarded {
    pub(super) fn new() -> Result<Self, Error> {
        let ctrl_c =
            tokio::signal::windows::ctrl_c().map_err(|e| Error::io("Ctrl+C handler", e))?;
        let ctrl_break =
            tokio::signal::windows::ctrl_break().map_err(|e| Error::io("Ctrl+Break handler", e))?;
        Ok(Self { ctrl_c, ctrl_break })
    }

    /// The next console event received.
    pub(super) async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.ctrl_c.recv() => "Ctrl+C",
            _ = self.ctrl_break.recv() => "Ctrl+Break",
        }
    }

    /// Nothing to send: the command, in the same console, got the event too.
    pub(super) fn pass_on(&self, _pid: u32, event: &str) {
        tracing::debug!(event, "the command got the console event itself");
    }
}
