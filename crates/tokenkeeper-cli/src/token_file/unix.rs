//! The Unix side of `exec --token-file`: the runs' folders in the session's memory (0700, the
//! files 0600), signals passed on to the command, SIGTERM then SIGKILL to stop it.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokenkeeper_core::{Error, Keeper};
use tokio::signal::unix::{SignalKind, signal};

/// How long a command stopped by TokenKeeper has between SIGTERM and SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Closes a run's folder to everyone else (0700).
pub(super) fn keep_private(dir: &Path) -> std::io::Result<()> {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Makes a new file only this user can read (0600); fails when it exists.
pub(super) fn new_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Puts `new` in place of `file` (rename(2): a reader has the old file or the new one).
pub(super) fn replace(new: &Path, file: &Path) -> std::io::Result<()> {
    std::fs::rename(new, file)
}

/// Stops a command TokenKeeper started: SIGTERM, then SIGKILL when it has not ended within
/// [`STOP_GRACE`]; returns once it is gone (waited for, so no zombie either).
pub(super) async fn stop(child: &mut tokio::process::Child) {
    let pid = child
        .id()
        .and_then(|id| rustix::process::Pid::from_raw(i32::try_from(id).ok()?));
    if let Some(pid) = pid
        && rustix::process::kill_process(pid, rustix::process::Signal::TERM).is_ok()
        && tokio::time::timeout(STOP_GRACE, child.wait()).await.is_ok()
    {
        return;
    }
    let _ = child.kill().await;
}

/// Where the runs' directories go: the session's runtime directory, else a private folder on
/// the memory filesystem (Linux's `/dev/shm`), else the agent's `run/` in the config directory.
pub(super) fn base_dir(keeper: &Keeper) -> Result<PathBuf, Error> {
    if let Some(runtime) = tokenkeeper_core::agent::runtime_socket_dir() {
        tokenkeeper_core::local::unix::prepare_dir(&runtime)?;
        return Ok(runtime);
    }
    if let Some(memory) = memory_dir() {
        return Ok(memory);
    }
    let base = tokenkeeper_core::agent::socket_dir(keeper.paths());
    tokenkeeper_core::local::unix::prepare_dir(&base)?;
    Ok(base)
}

/// Linux's shared memory folder, a tmpfs on every common distribution.
#[cfg(target_os = "linux")]
const SHARED_MEMORY: &str = "/dev/shm";

/// `/dev/shm/tokenkeeper-<uid>`, made or checked to be a private folder of this user (0700,
/// ours, not a symlink), when `/dev/shm` is a memory filesystem whose entries others cannot
/// replace (sticky, as a tmpfs for everyone is). `None` otherwise, or when another user holds
/// the name.
#[cfg(target_os = "linux")]
fn memory_dir() -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    // statfs(2)'s f_type of a tmpfs and a ramfs (linux/magic.h).
    const TMPFS_MAGIC: u64 = 0x0102_1994;
    const RAMFS_MAGIC: u64 = 0x8584_58f6;
    let shared = Path::new(SHARED_MEMORY);
    let in_memory = rustix::fs::statfs(shared)
        .is_ok_and(|fs| matches!(u64::try_from(fs.f_type), Ok(TMPFS_MAGIC | RAMFS_MAGIC)));
    let guarded = std::fs::metadata(shared)
        .is_ok_and(|m| m.is_dir() && (m.mode() & 0o1000 != 0 || m.mode() & 0o022 == 0));
    if !in_memory || !guarded {
        tracing::debug!("{SHARED_MEMORY} is not a guarded memory filesystem");
        return None;
    }
    let dir = shared.join(format!(
        "tokenkeeper-{}",
        rustix::process::geteuid().as_raw()
    ));
    match tokenkeeper_core::local::unix::prepare_dir(&dir) {
        Ok(_) => Some(dir),
        Err(e) => {
            tracing::warn!(error = %e, "no private folder in {SHARED_MEMORY}: the token file goes under the config directory");
            None
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn memory_dir() -> Option<PathBuf> {
    None
}

/// The signals passed on to the command.
pub(super) struct Forwarded {
    streams: Vec<(tokio::signal::unix::Signal, rustix::process::Signal)>,
}

impl Forwarded {
    pub(super) fn new() -> Result<Self, Error> {
        use rustix::process::Signal;
        let kinds = [
            (SignalKind::interrupt(), Signal::INT),
            (SignalKind::terminate(), Signal::TERM),
            (SignalKind::hangup(), Signal::HUP),
            (SignalKind::quit(), Signal::QUIT),
            (SignalKind::user_defined1(), Signal::USR1),
            (SignalKind::user_defined2(), Signal::USR2),
            (SignalKind::window_change(), Signal::WINCH),
        ];
        let mut streams = Vec::new();
        for (kind, sig) in kinds {
            let stream = signal(kind).map_err(|e| Error::io("signal handler", e))?;
            streams.push((stream, sig));
        }
        Ok(Self { streams })
    }

    /// The next signal received.
    pub(super) async fn next(&mut self) -> rustix::process::Signal {
        std::future::poll_fn(|cx| {
            for (stream, sig) in &mut self.streams {
                if stream.poll_recv(cx).is_ready() {
                    return std::task::Poll::Ready(*sig);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }

    /// Sends `signal` on to the command `pid`.
    pub(super) fn pass_on(&self, pid: u32, signal: rustix::process::Signal) {
        if let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process(pid, signal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command that ignores SIGTERM is killed after the grace time (the paused clock skips
    /// it); either way it has been waited for when `stop` returns.
    #[tokio::test(start_paused = true)]
    async fn a_command_that_ignores_sigterm_is_killed() {
        use std::os::unix::process::ExitStatusExt;
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new("sh")
            .args(["-c", "trap '' TERM; echo ready; exec sleep 1000"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = tokio::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).await.unwrap();
        assert_eq!(line, "ready\n");
        stop(&mut child).await;
        let status = child.try_wait().unwrap().expect("waited for");
        assert_eq!(status.signal(), Some(9), "{status:?}");
    }
}
