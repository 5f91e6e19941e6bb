//! Cross-process locks on files (advisory `flock` through `std::fs::File::lock`).
//!
//! One lock file per account guarantees that no two processes refresh the same account at
//! once: with rotating refresh tokens the loser would send a dead token and the server may
//! revoke the whole family. The lock is released when the [`FileLock`] is dropped, or by the
//! OS when the process dies.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
    path: PathBuf,
}

impl FileLock {
    /// Blocks until the lock on `path` is held. Creates the file if needed.
    pub fn acquire_blocking(path: &Path) -> Result<Self> {
        let file = open(path)?;
        file.lock().map_err(|e| Error::io(path, e))?;
        Ok(Self {
            _file: file,
            path: path.to_owned(),
        })
    }

    /// Takes the lock if it is free now; `None` when another holder has it.
    pub fn try_acquire(path: &Path) -> Result<Option<Self>> {
        let file = open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self {
                _file: file,
                path: path.to_owned(),
            })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io(path, e)),
        }
    }

    /// Waits for the lock without tying up a thread: `try_lock` with short async sleeps
    /// (20 ms, growing to 200 ms); `None` after `timeout`.
    pub async fn acquire(path: &Path, timeout: Duration) -> Result<Option<Self>> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut pause = Duration::from_millis(20);
        loop {
            if let Some(lock) = Self::try_acquire(path)? {
                return Ok(Some(lock));
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Opens (creating if needed) a lock file without truncating it.
fn open(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::FileLock;

    #[tokio::test]
    async fn second_holder_waits_until_first_is_dropped() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("a.lock");
        let first = FileLock::acquire(&path, Duration::from_secs(5)).await?;
        assert!(first.is_some());
        let blocked = FileLock::acquire(&path, Duration::from_millis(200)).await?;
        assert!(blocked.is_none(), "a second holder got the lock");
        drop(first);
        let second = FileLock::acquire(&path, Duration::from_secs(5)).await?;
        assert!(second.is_some());
        Ok(())
    }
}
