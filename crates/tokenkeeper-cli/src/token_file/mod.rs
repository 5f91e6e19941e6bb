//! `tokenkeeper exec NAME --token-file -- COMMAND…`: for programs that outlive a token. The
//! token goes into a private file, in a folder of its own only this user can open, whose path
//! the command gets in `BEARER_TOKEN_FILE` (the WLCG bearer-token discovery convention) or the
//! variable the user names. Where that folder is made and how it is closed to others is the
//! platform's ([`platform`]: 0700/0600 in the session's memory on Unix, a protected DACL in the
//! user's temporary folder on Windows).
//!
//! While the command runs the file is replaced atomically (write beside, then rename) before
//! its token gets short of `--min-valid`, through the token agent when one runs. What the user
//! sends TokenKeeper reaches the command (Unix signals are passed on; on Windows the command
//! shares the console and gets Ctrl+C and Ctrl+Break itself, while TokenKeeper lives on); the
//! exit code is the command's (128 + the signal's number when a signal ended it, as shells say
//! it); the file and its folder are removed when the command ends, however it ends. When the
//! file can no longer be kept (an error after the command started), the command is stopped
//! (Unix: SIGTERM, then SIGKILL after a grace time; Windows: ended) and waited for before
//! TokenKeeper reports the error: nothing runs on with a file no one refreshes.
//!
//! Each run holds a lock on `lock` in its folder; a run killed without warning leaves its
//! folder behind, unlocked, and the next run removes it ([`sweep`]).

#[cfg(unix)]
#[path = "unix.rs"]
mod platform;
#[cfg(windows)]
#[path = "windows.rs"]
mod platform;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use tokenkeeper_core::keeper::TokenInfo;
use tokenkeeper_core::{Error, Keeper};

use platform::Forwarded;

/// How long to wait before trying again after a failed refresh, at most.
const RETRY_AT_MOST: Duration = Duration::from_secs(30);
/// How often a token without a known expiry is asked for again.
const NO_EXPIRY_POLL: Duration = Duration::from_secs(60);
/// How a run's directory is named (then random letters).
const PREFIX: &str = "exec-";
/// The file a run holds locked while it lives.
const LOCK: &str = "lock";

/// Runs the command with the token file kept fresh; returns its exit code.
pub async fn run(
    keeper: &Keeper,
    name: &str,
    var: &str,
    min_valid: u64,
    program: &OsString,
    args: &[OsString],
) -> Result<ExitCode, Error> {
    let min_valid = Duration::from_secs(min_valid);
    let info = crate::token_info(keeper, name, min_valid).await?;
    let base = platform::base_dir(keeper)?;
    sweep(&base);
    let private = Private::make(&base)?;
    let file = private.token_file();
    write_atomically(&file, &info)?;
    // Listening before the command starts: a signal sent meanwhile is passed on too, and a
    // failure here leaves no command behind.
    let mut signals = Forwarded::new()?;
    // The command gets the core size limit the user had, not TokenKeeper's 0 (as plain `exec`).
    let spawned = tokenkeeper_core::hardening::with_users_core_limit(|| {
        tokio::process::Command::new(program)
            .args(args)
            .env(var, &file)
            .spawn()
    });
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return Ok(crate::child::cannot_run(&program.to_string_lossy(), &e)),
    };
    // Every error from here on stops the command first: it must not run on with a token file
    // that is no longer refreshed (and about to be removed).
    match keep_fresh(
        keeper,
        name,
        min_valid,
        &file,
        info,
        &mut child,
        &mut signals,
    )
    .await
    {
        Ok(status) => Ok(crate::child::exit_code(status)),
        Err(e) => {
            eprintln!(
                "tokenkeeper: {name}: the token file cannot be kept: stopping {}",
                program.to_string_lossy()
            );
            platform::stop(&mut child).await;
            Err(e)
        }
    }
    // `private` goes last: the file is removed once the command has ended.
}

/// Keeps the file fresh until the command ends; returns how it ended.
async fn keep_fresh(
    keeper: &Keeper,
    name: &str,
    min_valid: Duration,
    file: &Path,
    info: TokenInfo,
    child: &mut tokio::process::Child,
    signals: &mut Forwarded,
) -> Result<std::process::ExitStatus, Error> {
    let Some(pid) = child.id() else {
        return Err(Error::Internal("the command has no process id".to_owned()));
    };
    let mut current = info;
    let mut need = min_valid;
    let mut wait = next_wake(&current, min_valid);
    loop {
        tokio::select! {
            status = child.wait() => return status.map_err(|e| Error::io("the command", e)),
            signal = signals.next() => {
                // The command decides what a signal means; its exit ends this loop.
                signals.pass_on(pid, signal);
            }
            () = tokio::time::sleep(wait) => {
                need = match works_until(&current) {
                    // A token that outlives the one in the file (refreshes unless the engine
                    // already has a newer one). Where a refresh revokes the previous token, the
                    // one in the file works until the next rotation, not its expiry.
                    Some(at) => remaining(at) + Duration::from_secs(1),
                    None => need,
                };
                match crate::token_info(keeper, name, need.max(min_valid)).await {
                    Ok(info) => {
                        if info.fingerprint != current.fingerprint {
                            write_atomically(file, &info)?;
                            tracing::info!(fingerprint = %info.fingerprint, "token file replaced");
                        }
                        current = info;
                        wait = next_wake(&current, min_valid);
                    }
                    Err(e) => {
                        // The file keeps the token it has; the command is not disturbed.
                        eprintln!("tokenkeeper: {name}: cannot renew the token file: {}", crate::words::message(&e));
                        wait = works_until(&current)
                            .map_or(RETRY_AT_MOST, |at| (remaining(at) / 2).clamp(Duration::from_secs(1), RETRY_AT_MOST));
                    }
                }
            }
        }
    }
}

/// A run's private directory and the lock that says it is alive, dropped in the order the
/// platform needs: on Unix the directory is removed while the lock is still held; Windows
/// cannot remove a folder with a file open in it, so there the lock goes first.
struct Private {
    #[cfg(windows)]
    _lock: std::fs::File,
    dir: tempfile::TempDir,
    #[cfg(not(windows))]
    _lock: std::fs::File,
}

impl Private {
    /// Makes `exec-XXXXXX` (this user's only) in `base` and takes its lock. The lock file is
    /// made and locked under another name, then renamed to [`LOCK`]: a [`sweep`] never finds
    /// it unlocked while its run lives.
    fn make(base: &Path) -> Result<Self, Error> {
        // Removed with everything in it when dropped. Made inside a private folder, then closed
        // to everyone else itself (tempfile leaves it to the umask or the parent's ACL).
        let dir = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir_in(base)
            .map_err(|e| Error::io(base, e))?;
        platform::keep_private(dir.path()).map_err(|e| Error::io(dir.path(), e))?;
        let making = dir.path().join("lock.new");
        let lock = platform::new_private_file(&making).map_err(|e| Error::io(&making, e))?;
        lock.lock().map_err(|e| Error::io(&making, e))?;
        let held = dir.path().join(LOCK);
        std::fs::rename(&making, &held).map_err(|e| Error::io(&held, e))?;
        Ok(Self { dir, _lock: lock })
    }

    fn token_file(&self) -> PathBuf {
        self.dir.path().join("token")
    }
}

/// Removes what runs killed without warning (SIGKILL, a crash) left in `base`: each `exec-*`
/// directory whose lock no process holds. One being made (no lock yet) and one whose run
/// lives (locked) are left alone; what cannot be removed is left for the next run.
fn sweep(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let is_run = entry.file_name().to_string_lossy().starts_with(PREFIX)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_run {
            continue;
        }
        let path = entry.path();
        let Ok(lock) = std::fs::File::open(path.join(LOCK)) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            // Closed first: Windows cannot remove a folder with a file open in it.
            drop(lock);
            match std::fs::remove_dir_all(&path) {
                Ok(()) => {
                    tracing::info!(dir = %path.display(), "removed the token file of a run that was killed")
                }
                Err(e) => {
                    tracing::debug!(dir = %path.display(), error = %e, "cannot remove a stale token file")
                }
            }
        }
    }
}

/// Time left until `at` (zero when past).
fn remaining(at: chrono::DateTime<chrono::Utc>) -> Duration {
    (at - chrono::Utc::now()).to_std().unwrap_or_default()
}

/// Until when the token works: its expiry, or a revoking API's next rotation.
fn works_until(info: &TokenInfo) -> Option<chrono::DateTime<chrono::Utc>> {
    info.valid_until.or(info.expires_at)
}

/// When to look again: while the token has more than twice `min_valid` left, when it gets
/// there; a shorter-lived token at half its remaining life (at least a second).
fn next_wake(info: &TokenInfo, min_valid: Duration) -> Duration {
    let Some(at) = works_until(info) else {
        return NO_EXPIRY_POLL;
    };
    let left = remaining(at);
    let margin = min_valid * 2;
    if left > margin {
        left - margin
    } else {
        (left / 2).max(Duration::from_secs(1))
    }
}

/// Writes the token beside the file (0600, new) and renames it over the file, so a reader sees
/// the old token or the new one, never half of either.
fn write_atomically(file: &Path, info: &TokenInfo) -> Result<(), Error> {
    let tmp: PathBuf = file.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    let mut out = platform::new_private_file(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let line = zeroize::Zeroizing::new(format!("{}\n", info.token.expose()));
    out.write_all(line.as_bytes())
        .and_then(|()| out.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    platform::replace(&tmp, file).map_err(|e| Error::io(file, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(left_secs: i64) -> TokenInfo {
        TokenInfo {
            token: tokenkeeper_core::Secret::new("t"),
            expires_at: Some(chrono::Utc::now() + chrono::TimeDelta::seconds(left_secs)),
            valid_until: None,
            fingerprint: "f".to_owned(),
        }
    }

    #[test]
    fn a_long_token_is_looked_at_when_twice_min_valid_is_left() {
        let wake = next_wake(&info(480), Duration::from_secs(60));
        assert!(
            (Duration::from_secs(355)..=Duration::from_secs(360)).contains(&wake),
            "{wake:?}"
        );
    }

    #[test]
    fn a_short_token_is_looked_at_halfway_and_never_in_a_busy_loop() {
        let wake = next_wake(&info(6), Duration::from_secs(60));
        assert!(
            (Duration::from_secs(2)..=Duration::from_secs(3)).contains(&wake),
            "{wake:?}"
        );
        assert_eq!(
            next_wake(&info(-5), Duration::from_secs(60)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn a_sweep_removes_only_the_directories_whose_run_is_gone() {
        let base = tempfile::tempdir().unwrap();
        let make = |name: &str, lock: bool| {
            let dir = base.path().join(name);
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("token"), "t\n").unwrap();
            if lock {
                std::fs::write(dir.join(LOCK), "").unwrap();
            }
            dir
        };
        let killed = make("exec-killed", true);
        let being_made = make("exec-new", false);
        let other = make("other", true);
        // A run that lives holds its lock.
        let living = Private::make(base.path()).unwrap();
        std::fs::write(living.token_file(), "t\n").unwrap();
        sweep(base.path());
        assert!(!killed.exists(), "an unlocked run's directory is removed");
        assert!(living.token_file().exists(), "a living run's file stays");
        assert!(being_made.exists() && other.exists());
        let gone = living.dir.path().to_owned();
        drop(living);
        assert!(!gone.exists(), "a run removes its own directory");
    }

    #[test]
    fn the_file_is_private_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        write_atomically(&file, &info(60)).unwrap();
        let mut next = info(60);
        next.token = tokenkeeper_core::Secret::new("second");
        write_atomically(&file, &next).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "second\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!file.with_extension("new").exists());
    }
}
