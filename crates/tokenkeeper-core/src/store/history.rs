//! Per-account attempt history on disk: `history/<id>.jsonl`, one JSON line per attempt,
//! appended, trimmed to the last [`HISTORY_LEN`] entries when it grows past 32 KiB.
//! Holds times, outcomes, latencies and the API's error words; never a secret. Several
//! processes append (the engine, the CLI, a hook's runner): each append and trim holds the
//! account's history lock, so a trim never drops an entry appended while it ran.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::AccountId;
use crate::error::{Error, Result};
use crate::store::state::LastError;

use super::atomic::write_atomic;
use super::lock::FileLock;
use super::paths::Paths;

/// Outcome of one attempt, for the history.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new token.
    Refreshed,
    /// Another process had refreshed already.
    AlreadyFresh,
    /// Failed; see the error.
    Failed,
    /// A new token, but the account's hook failed (see the error; the token is fine).
    HookFailed,
}

/// One attempt in an account's history (the last [`HISTORY_LEN`] are kept).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it started.
    pub at: DateTime<Utc>,
    /// What came of it.
    pub outcome: Outcome,
    /// Milliseconds spent talking to the API.
    pub latency_ms: u64,
    /// The failure, if any (boxed: most attempts succeed, and 50 entries × many accounts
    /// stay in memory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Box<LastError>>,
}

/// How many attempts an account's history keeps.
pub const HISTORY_LEN: usize = 50;

/// Past this size the file is trimmed to the last [`HISTORY_LEN`] entries.
const TRIM_BYTES: u64 = 32 * 1024;

/// Appends entries to an account's history (blocking).
pub fn append_blocking(paths: &Paths, id: AccountId, entries: &[HistoryEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    paths.ensure()?;
    let path = paths.history_file(id);
    let _held = FileLock::acquire_blocking(&paths.history_lock(id))?;
    let mut text = String::new();
    for entry in entries {
        if let Ok(line) = serde_json::to_string(entry) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(|e| Error::io(&path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(&path, e))?;
    // Trim by size, so appending stays one write: lines are ~100-400 bytes.
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    // Closed before a trim replaces it: Windows refuses to rename over a file still open.
    drop(file);
    if size > TRIM_BYTES {
        let kept = read_blocking(paths, id);
        let mut out = String::new();
        for entry in kept {
            if let Ok(line) = serde_json::to_string(&entry) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        write_atomic(&path, out.as_bytes())?;
    }
    Ok(())
}

/// The last [`HISTORY_LEN`] entries, oldest first; unreadable lines are skipped.
pub fn read_blocking(paths: &Paths, id: AccountId) -> Vec<HistoryEntry> {
    let Ok(text) = std::fs::read_to_string(paths.history_file(id)) else {
        return Vec::new();
    };
    let all: Vec<HistoryEntry> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let skip = all.len().saturating_sub(HISTORY_LEN);
    all.into_iter().skip(skip).collect()
}

/// Deletes an account's history.
pub fn remove_blocking(paths: &Paths, id: AccountId) {
    let lock = paths.history_lock(id);
    let held = FileLock::acquire_blocking(&lock);
    let _ = std::fs::remove_file(paths.history_file(id));
    if held.is_ok() {
        let _ = std::fs::remove_file(&lock);
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::{HISTORY_LEN, HistoryEntry, Outcome};
    use super::{append_blocking, read_blocking, remove_blocking};
    use crate::account::AccountId;
    use crate::store::paths::Paths;

    #[test]
    fn keeps_the_last_fifty_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path());
        let id = AccountId::generate();
        for i in 0..500u64 {
            let entry = HistoryEntry {
                at: Utc::now(),
                outcome: Outcome::Refreshed,
                latency_ms: i,
                error: None,
            };
            append_blocking(&paths, id, &[entry]).unwrap();
        }
        let kept = read_blocking(&paths, id);
        assert_eq!(kept.len(), HISTORY_LEN);
        assert_eq!(kept.first().map(|e| e.latency_ms), Some(450));
        assert_eq!(kept.last().map(|e| e.latency_ms), Some(499));
        let size = std::fs::metadata(paths.history_file(id)).unwrap().len();
        assert!(size <= super::TRIM_BYTES + 200, "trimmed: {size} bytes");
        remove_blocking(&paths, id);
        assert!(read_blocking(&paths, id).is_empty());
        assert!(
            !paths.history_lock(id).exists(),
            "the lock file goes with the history"
        );
    }

    /// Four writers at once (the engine, the CLI, hooks) while the file is trimmed over and
    /// over: what each wrote since the last trim is all there. Without the lock, an append
    /// that lands while another writer rewrites the file goes into the replaced file and is
    /// lost: a gap in that writer's run (checked: it fails so).
    #[test]
    fn concurrent_appends_survive_the_trims() {
        const WRITERS: u64 = 4;
        const EACH: u64 = 150;
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path());
        for _round in 0..8 {
            let id = AccountId::generate();
            let writers: Vec<_> = (0..WRITERS)
                .map(|w| {
                    let paths = paths.clone();
                    std::thread::spawn(move || {
                        for i in 0..EACH {
                            let entry = HistoryEntry {
                                at: Utc::now(),
                                outcome: Outcome::Refreshed,
                                latency_ms: w * 1000 + i,
                                error: None,
                            };
                            append_blocking(&paths, id, &[entry]).unwrap();
                        }
                    })
                })
                .collect();
            for writer in writers {
                writer.join().unwrap();
            }
            // Every line in the file, not only the last fifty.
            let text = std::fs::read_to_string(paths.history_file(id)).unwrap();
            let all: Vec<u64> = text
                .lines()
                .map(|l| serde_json::from_str::<HistoryEntry>(l).unwrap().latency_ms)
                .collect();
            assert!(all.len() >= HISTORY_LEN, "{} lines", all.len());
            for w in 0..WRITERS {
                let mine: Vec<u64> = all
                    .iter()
                    .filter(|l| *l / 1000 == w)
                    .map(|l| l % 1000)
                    .collect();
                if let Some(first) = mine.first() {
                    let run: Vec<u64> = (*first..EACH).collect();
                    assert_eq!(
                        mine, run,
                        "writer {w}'s entries since the last trim, without a gap"
                    );
                }
            }
        }
    }
}
