//! The engine's view of every account's state: in memory, written whole to `state.json` at
//! most once a second (streamed, under the state lock), and re-read when another process
//! changed the file (then newer entries win, by `updated_at`, before the next write).
//! Per-refresh file rewrites would not scale to thousands of accounts; this keeps the file
//! current within a second.

use std::collections::{HashMap, HashSet};

use crate::account::AccountId;
use crate::error::Result;
use crate::store::history::HistoryEntry;
use crate::store::paths::Paths;
use crate::store::state::{self, AccountState};

pub use crate::store::state::{Replaced, Stamp, stamp_of};

/// What a flush writes.
#[derive(Debug, Default)]
pub struct Flush {
    /// Every known account's state.
    pub states: Vec<(AccountId, AccountState)>,
    /// History lines to append.
    pub history: Vec<(AccountId, Vec<HistoryEntry>)>,
    /// The state file's stamp when we last read or wrote it.
    pub expected: Stamp,
}

impl Flush {
    /// Writes it (blocking). `Stale` when another process changed the state file meanwhile.
    pub fn write_blocking(self, paths: &Paths) -> Result<Replaced> {
        for (id, entries) in &self.history {
            if let Err(e) = crate::store::history::append_blocking(paths, *id, entries) {
                tracing::warn!(error = %e, "cannot write attempt history");
            }
        }
        state::replace_all_blocking(paths, &self.states, self.expected)
    }
}

/// Accounts' states as the engine knows them.
#[derive(Debug)]
pub struct StateCache {
    paths: Paths,
    entries: HashMap<AccountId, AccountState>,
    dirty: HashSet<AccountId>,
    history: HashMap<AccountId, Vec<HistoryEntry>>,
    stamp: Stamp,
    /// Accounts removed while the engine ran: their entries are never taken back from the
    /// file nor written again.
    removed: HashSet<AccountId>,
    /// The file holds entries we dropped: rewrite it at the next flush.
    rewrite: bool,
}

impl StateCache {
    /// Loads the state file (blocking).
    pub fn load_blocking(paths: Paths) -> Result<Self> {
        let stamp = stamp_of(&paths);
        let entries = state::load(&paths.state_file())?
            .accounts
            .into_iter()
            .collect();
        Ok(Self {
            paths,
            entries,
            dirty: HashSet::new(),
            history: HashMap::new(),
            stamp,
            removed: HashSet::new(),
            rewrite: false,
        })
    }

    /// An account's state (default when unknown).
    pub fn get(&self, id: AccountId) -> AccountState {
        self.entries.get(&id).cloned().unwrap_or_default()
    }

    /// Replaces an account's state; written at the next flush.
    pub fn set(&mut self, id: AccountId, state: AccountState) {
        self.entries.insert(id, state);
        self.dirty.insert(id);
    }

    /// Queues a history entry; written at the next flush.
    pub fn push_history(&mut self, id: AccountId, entry: HistoryEntry) {
        self.history.entry(id).or_default().push(entry);
    }

    /// Forgets an account for good: its entry leaves the file at the next flush, and is not
    /// taken back if an older copy shows up there.
    pub fn remove(&mut self, id: AccountId) {
        self.entries.remove(&id);
        self.dirty.remove(&id);
        self.history.remove(&id);
        self.removed.insert(id);
        self.rewrite = true;
    }

    /// Takes an account (back) on: an id forgotten by [`StateCache::retain_accounts`] that
    /// turns out to be configured after all (a config read that raced an `add`) is written
    /// again from now on.
    pub fn adopt(&mut self, id: AccountId) {
        self.removed.remove(&id);
    }

    /// Forgets the entries of accounts that are not configured (left behind by an earlier run).
    pub fn retain_accounts(&mut self, configured: &HashSet<AccountId>) {
        let stale: Vec<AccountId> = self
            .entries
            .keys()
            .filter(|id| !configured.contains(id))
            .copied()
            .collect();
        for id in stale {
            self.remove(id);
        }
    }

    /// True when something waits to be written.
    pub fn is_dirty(&self) -> bool {
        self.rewrite || !self.dirty.is_empty() || !self.history.is_empty()
    }

    /// Takes what waits to be written: every state (the file is rewritten whole) and the
    /// pending history.
    pub fn take_flush(&mut self) -> Flush {
        self.dirty.clear();
        self.rewrite = false;
        Flush {
            states: self
                .entries
                .iter()
                .map(|(id, s)| (*id, s.clone()))
                .collect(),
            history: self.history.drain().collect(),
            expected: self.stamp,
        }
    }

    /// Marks everything as waiting to be written (after a flush found the file stale).
    pub fn mark_dirty(&mut self) {
        self.dirty.extend(self.entries.keys().copied());
        self.rewrite = true;
    }

    /// Records the file's stamp after our own write.
    pub fn set_stamp(&mut self, stamp: Stamp) {
        self.stamp = stamp;
    }

    /// True when another process changed the state file since we last saw it.
    pub fn changed_on_disk(&self) -> bool {
        stamp_of(&self.paths) != self.stamp
    }

    /// Re-reads the state file and takes every entry newer than ours (blocking I/O).
    /// Returns the accounts whose state changed.
    pub fn reload(&mut self) -> Result<Vec<AccountId>> {
        let stamp = stamp_of(&self.paths);
        let on_disk = state::load(&self.paths.state_file())?.accounts;
        self.stamp = stamp;
        let mut changed = Vec::new();
        for (id, theirs) in on_disk {
            if self.removed.contains(&id) {
                // An older writer put it back (e.g. a flush racing `tokenkeeper remove`).
                self.rewrite = true;
                continue;
            }
            match self.entries.get_mut(&id) {
                Some(ours) if !ours.is_older_than(&theirs) => {
                    // Ours is newer, but a handout may have promised the same token longer.
                    let before = ours.promised_until;
                    ours.keep_promise_of(&theirs);
                    if ours.promised_until != before {
                        self.dirty.insert(id);
                    }
                }
                _ => {
                    self.entries.insert(id, theirs);
                    self.dirty.remove(&id);
                    changed.push(id);
                }
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::StateCache;
    use crate::account::AccountId;
    use crate::store::paths::Paths;
    use crate::store::state::{self, AccountState, Replaced};

    fn flush(cache: &mut StateCache, paths: &Paths) {
        let written = cache.take_flush().write_blocking(paths);
        match written {
            Ok(Replaced::Written(stamp)) => cache.set_stamp(stamp),
            other => panic!("flush: {other:?}"),
        }
    }

    #[test]
    fn a_promise_a_handout_recorded_survives_the_backgrounds_newer_state()
    -> crate::error::Result<()> {
        let dir = tempfile::tempdir().map_err(|e| crate::Error::io("tmp", e))?;
        let paths = Paths::new(dir.path().to_path_buf());
        let id = AccountId::generate();
        let now = chrono::Utc::now();
        let token = |fp: &str, at| AccountState {
            token_fingerprint: Some(fp.to_owned()),
            updated_at: Some(at),
            ..AccountState::default()
        };
        state::store_blocking(&paths, id, &token("aaaa", now))?;
        let mut cache = StateCache::load_blocking(paths.clone())?;
        // The background learns something newer about the same token (not yet written) ...
        cache.set(id, token("aaaa", now + chrono::TimeDelta::seconds(1)));
        // ... while a handout in another process promises it for a minute.
        let until = now + chrono::TimeDelta::seconds(60);
        state::promise_blocking(&paths, id, "aaaa", until, None)?;
        // A promise for a token that is no longer the current one changes nothing.
        state::promise_blocking(
            &paths,
            id,
            "bbbb",
            until + chrono::TimeDelta::seconds(60),
            None,
        )?;
        cache.reload()?;
        assert_eq!(cache.get(id).promised_until, Some(until));
        assert_eq!(
            cache.get(id).updated_at,
            Some(now + chrono::TimeDelta::seconds(1)),
            "the background's newer state is kept"
        );
        flush(&mut cache, &paths);
        let on_disk = state::load(&paths.state_file())?.accounts;
        assert_eq!(
            on_disk[&id].promised_until,
            Some(until),
            "and written with it"
        );
        Ok(())
    }

    #[test]
    fn removed_accounts_do_not_come_back() -> crate::error::Result<()> {
        let dir = tempfile::tempdir().map_err(|e| crate::Error::io("tmp", e))?;
        let paths = Paths::new(dir.path().to_path_buf());
        let (kept, gone, stale) = (
            AccountId::generate(),
            AccountId::generate(),
            AccountId::generate(),
        );
        let entry = || AccountState {
            failures: 1,
            ..AccountState::default()
        };
        state::store_many_blocking(
            &paths,
            &[(kept, entry()), (gone, entry()), (stale, entry())],
        )?;
        let mut cache = StateCache::load_blocking(paths.clone())?;
        // An entry left by an earlier run for an account no longer configured.
        cache.retain_accounts(&HashSet::from([kept, gone]));
        cache.remove(gone);
        assert!(cache.is_dirty());
        // Meanwhile an older writer puts the removed account back on disk.
        state::store_blocking(&paths, gone, &entry())?;
        assert!(cache.changed_on_disk());
        cache.reload()?;
        assert_eq!(cache.get(gone), AccountState::default());
        flush(&mut cache, &paths);
        let on_disk = state::load(&paths.state_file())?.accounts;
        assert_eq!(on_disk.keys().copied().collect::<Vec<_>>(), vec![kept]);
        Ok(())
    }
}
