//! The engine's one task: a timer structure of wall-clock deadlines, a queue of accounts due
//! now, at most `concurrency` attempts in flight, driven by a closed set of [`Command`]s.
//!
//! There is no task per account and no polling loop: between deadlines the task sleeps,
//! except for one wake-up a minute (of monotonic time). Deadlines are wall-clock times, so that
//! wake-up catches a suspend/resume (monotonic timers stop during sleep) and runs whatever fell
//! due meanwhile.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::FutureExt;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::cache::{Flush, Replaced, StateCache};
use super::events::{Event, EventKind};
use super::policy::{Policy, Retry};
use super::{AccountSnapshot, Metrics};
use crate::account::{Account, AccountId};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::keeper::{Attempt, Keeper, StateSource};
use crate::store::history::{HistoryEntry, Outcome};
use crate::store::state::AccountState;

/// What the engine can be asked to do.
#[derive(Debug)]
pub enum Command {
    /// Take on an account (or update it if known).
    Add(Account),
    /// New settings for an account.
    Update(Account),
    /// Drop an account.
    Remove(AccountId),
    /// Refresh this account now, whatever its expiry.
    RefreshNow(AccountId),
    /// The whole account list as it is now (e.g. the config file changed): add, update and
    /// remove to match.
    Sync(Vec<Account>),
    /// The state file changed on disk: take newer entries (e.g. after `tokenkeeper login`).
    Reload,
    /// Report every account's settings and state.
    Snapshot(oneshot::Sender<Vec<AccountSnapshot>>),
}

/// Messages from the engine's own helpers.
enum Internal {
    Done(Box<Done>),
    Flushed(Result<Replaced>),
}

struct Done {
    id: AccountId,
    generation: u64,
    due_at: Option<DateTime<Utc>>,
    started_at: DateTime<Utc>,
    attempt: Attempt,
}

struct Entry {
    account: Account,
    deadline: Option<DateTime<Utc>>,
    in_flight: bool,
    /// Distinguishes this entry from an earlier one of the same account (removed, re-added).
    generation: u64,
    /// A forced refresh was asked for while an attempt ran: run it when that one ends.
    force_after: bool,
}

/// What the runner needs from the rest of the core: one attempt at an account, the config
/// directory for the state file, and the clock. [`Keeper`] is the real one; timing tests use a
/// scripted one under tokio's paused clock.
#[async_trait::async_trait]
pub trait Attempter: Send + Sync + std::fmt::Debug + 'static {
    /// One attempt (see [`Keeper::attempt`]).
    async fn attempt(
        &self,
        account: &Account,
        state: &AccountState,
        min_valid: Duration,
        force: bool,
    ) -> Attempt;
    /// Where the state file lives.
    fn paths(&self) -> &crate::store::paths::Paths;
    /// The clock to schedule by.
    fn clock(&self) -> Arc<dyn Clock>;
}

#[async_trait::async_trait]
impl Attempter for Keeper {
    async fn attempt(
        &self,
        account: &Account,
        state: &AccountState,
        min_valid: Duration,
        force: bool,
    ) -> Attempt {
        Keeper::attempt(self, account, StateSource::Given(state), min_valid, force).await
    }

    fn paths(&self) -> &crate::store::paths::Paths {
        Keeper::paths(self)
    }

    fn clock(&self) -> Arc<dyn Clock> {
        Keeper::clock(self).clone()
    }
}

pub(super) struct Runner {
    pub keeper: Arc<dyn Attempter>,
    pub policy: Policy,
    pub concurrency: usize,
    pub flush_every: Duration,
    pub shutdown_grace: Duration,
    pub clock: Arc<dyn Clock>,
    pub cache: StateCache,
    pub events: broadcast::Sender<Event>,
    pub metrics: Arc<Metrics>,
    entries: HashMap<AccountId, Entry>,
    schedule: BTreeSet<(DateTime<Utc>, AccountId)>,
    /// Accounts due now: id, forced, and the deadline it was due at.
    ready: VecDeque<(AccountId, bool, Option<DateTime<Utc>>)>,
    in_flight: usize,
    tasks: JoinSet<()>,
    internal_tx: mpsc::UnboundedSender<Internal>,
    internal_rx: mpsc::UnboundedReceiver<Internal>,
    flushing: bool,
    generations: u64,
}

impl Runner {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        keeper: Arc<dyn Attempter>,
        policy: Policy,
        concurrency: usize,
        flush_every: Duration,
        shutdown_grace: Duration,
        cache: StateCache,
        events: broadcast::Sender<Event>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let (internal_tx, internal_rx) = mpsc::unbounded_channel();
        Self {
            clock: keeper.clock(),
            keeper,
            policy,
            concurrency: concurrency.max(1),
            flush_every,
            shutdown_grace,
            cache,
            events,
            metrics,
            entries: HashMap::new(),
            schedule: BTreeSet::new(),
            ready: VecDeque::new(),
            in_flight: 0,
            tasks: JoinSet::new(),
            internal_tx,
            internal_rx,
            flushing: false,
            generations: 0,
        }
    }

    /// Runs until cancelled, then lets attempts in flight finish (up to the grace time) and
    /// writes the state file one last time.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>, cancel: CancellationToken) {
        // A flush is armed only while something waits to be written: an idle engine sleeps.
        let mut flush_at: Option<tokio::time::Instant> = None;
        loop {
            self.metrics.wakeups.fetch_add(1, Ordering::Relaxed);
            self.queue_due();
            self.dispatch();
            if flush_at.is_none() && self.cache.is_dirty() {
                flush_at = Some(tokio::time::Instant::now() + self.flush_every);
            }
            let sleep = self.sleep_duration();
            let flush_deadline = flush_at.unwrap_or_else(tokio::time::Instant::now);
            tokio::select! {
                () = cancel.cancelled() => break,
                command = commands.recv() => match command {
                    Some(command) => self.handle(command),
                    None => break,
                },
                Some(message) = self.internal_rx.recv() => self.internal(message),
                () = tokio::time::sleep_until(flush_deadline), if flush_at.is_some() => {
                    flush_at = None;
                    self.start_flush();
                }
                () = tokio::time::sleep(sleep) => {}
            }
        }
        self.shut_down().await;
    }

    /// Until the next deadline, but never more than a minute of monotonic time.
    fn sleep_duration(&self) -> Duration {
        let now = self.clock.now();
        let minute = self.clock.sleep_for(now + TimeDelta::seconds(60));
        match self.schedule.first() {
            Some((at, _)) => self.clock.sleep_for(*at).min(minute),
            None => minute,
        }
    }

    fn queue_due(&mut self) {
        let now = self.clock.now();
        while let Some(&(at, id)) = self.schedule.first() {
            if at > now {
                break;
            }
            self.schedule.remove(&(at, id));
            if let Some(entry) = self.entries.get_mut(&id)
                && entry.deadline == Some(at)
            {
                entry.deadline = None;
            }
            self.ready.push_back((id, false, Some(at)));
        }
    }

    fn dispatch(&mut self) {
        if self.ready.is_empty() || self.in_flight >= self.concurrency {
            return;
        }
        self.reload_if_changed();
        while self.in_flight < self.concurrency {
            let Some((id, force, due_at)) = self.ready.pop_front() else {
                break;
            };
            let Some(entry) = self.entries.get_mut(&id) else {
                continue;
            };
            if entry.in_flight {
                continue;
            }
            // Rescheduled while it waited here (a reload, new settings): one timer only.
            if let Some(stray) = entry.deadline.take() {
                self.schedule.remove(&(stray, id));
            }
            entry.in_flight = true;
            self.in_flight += 1;
            let generation = entry.generation;
            let account = entry.account.clone();
            let state = self.cache.get(id);
            let min_valid = if force {
                Duration::ZERO
            } else {
                let lifetime = state.lifetime().unwrap_or(TimeDelta::seconds(300));
                self.policy.min_valid(lifetime, account.refresh_lead())
            };
            let keeper = self.keeper.clone();
            let tx = self.internal_tx.clone();
            let started_at = self.clock.now();
            self.metrics.dispatched.fetch_add(1, Ordering::Relaxed);
            let clock = self.clock.clone();
            self.tasks.spawn(async move {
                // A panic must not leave the account marked in flight forever.
                let attempt = AssertUnwindSafe(keeper.attempt(&account, &state, min_valid, force))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| {
                        let error = Error::Internal(
                            "an internal error while renewing the token (a bug: see the log)"
                                .to_owned(),
                        );
                        let mut state = state.clone();
                        state.apply_failure(&error, clock.now(), false);
                        Attempt {
                            result: Err(error),
                            state,
                            contacted_api: false,
                            latency: Duration::ZERO,
                        }
                    });
                let done = Done {
                    id,
                    generation,
                    due_at,
                    started_at,
                    attempt,
                };
                let _ = tx.send(Internal::Done(Box::new(done)));
            });
        }
        // Reap finished task handles so the set does not grow.
        while self.tasks.try_join_next().is_some() {}
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Add(account) | Command::Update(account) => self.upsert(account),
            Command::Remove(id) => self.remove(id),
            Command::RefreshNow(id) => {
                if let Some(entry) = self.entries.get_mut(&id) {
                    if entry.in_flight {
                        entry.force_after = true;
                        return;
                    }
                    if let Some(at) = entry.deadline.take() {
                        self.schedule.remove(&(at, id));
                    }
                    self.ready.push_front((id, true, None));
                }
            }
            Command::Sync(accounts) => {
                let keep: std::collections::HashSet<AccountId> =
                    accounts.iter().map(|a| a.id).collect();
                self.cache.retain_accounts(&keep);
                let gone: Vec<AccountId> = self
                    .entries
                    .keys()
                    .filter(|id| !keep.contains(id))
                    .copied()
                    .collect();
                for id in gone {
                    self.remove(id);
                }
                for account in accounts {
                    let unchanged = self
                        .entries
                        .get(&account.id)
                        .is_some_and(|e| e.account == account);
                    if !unchanged {
                        self.upsert(account);
                    }
                }
            }
            Command::Reload => self.reload_if_changed(),
            Command::Snapshot(reply) => {
                let snapshot = self
                    .entries
                    .values()
                    .map(|e| AccountSnapshot {
                        account: e.account.clone(),
                        state: self.cache.get(e.account.id),
                        next_refresh_at: e.deadline,
                        in_flight: e.in_flight,
                    })
                    .collect();
                let _ = reply.send(snapshot);
            }
        }
    }

    fn upsert(&mut self, account: Account) {
        let id = account.id;
        let kind = if self.entries.contains_key(&id) {
            EventKind::Updated
        } else {
            EventKind::Added
        };
        self.generations += 1;
        let generation = self.generations;
        let entry = self.entries.entry(id).or_insert_with(|| Entry {
            account: account.clone(),
            deadline: None,
            in_flight: false,
            generation,
            force_after: false,
        });
        let settings_changed = entry.account != account;
        // Another server or other trust settings: the stored secrets may be bound to the old
        // ones (a config.json edited by hand); an attempt now tells, and says so at once.
        let origin_changed = kind == EventKind::Updated
            && settings_changed
            && crate::keeper::origin_changed(&entry.account, &account);
        entry.account = account;
        self.cache.adopt(id);
        let mut state = self.cache.get(id);
        let stuck = state.needs_login || state.last_error.is_some();
        if kind == EventKind::Updated && settings_changed && stuck {
            // New settings (a trusted certificate, a new URL) are the user acting: try again
            // now rather than at the end of a backoff.
            state.needs_login = false;
            state.next_refresh_at = None;
            state.updated_at = Some(self.clock.now());
            self.cache.set(id, state.clone());
        }
        self.reschedule_from_state(id, &state);
        if origin_changed
            && let Some(entry) = self.entries.get_mut(&id)
            && !entry.in_flight
        {
            if let Some(at) = entry.deadline.take() {
                self.schedule.remove(&(at, id));
            }
            self.ready.push_front((id, false, None));
        }
        self.emit(id, kind, None);
    }

    fn remove(&mut self, id: AccountId) {
        if let Some(entry) = self.entries.remove(&id) {
            if let Some(at) = entry.deadline {
                self.schedule.remove(&(at, id));
            }
            self.cache.remove(id);
            let _ = self.events.send(Event {
                kind: EventKind::Removed,
                at: self.clock.now(),
                account: id,
                name: entry.account.name,
                provider: entry.account.provider,
                status: crate::store::state::Status::Expired,
                expires_at: None,
                next_refresh_at: None,
                last_refresh: None,
                token_fingerprint: None,
                last_error: None,
                due_at: None,
                started_at: None,
                latency_ms: None,
            });
        }
    }

    /// Takes another process's changes to the state file, if any. Not while our own flush
    /// runs: its write changes the file before we learn its stamp, and a whole re-read each
    /// second for nothing was most of the engine's CPU at 10,000 accounts (BENCHMARKS.md);
    /// the flush's answer (`Stale`, or a stamp followed by this check) sees the others.
    fn reload_if_changed(&mut self) {
        if !self.flushing && self.cache.changed_on_disk() {
            self.reload();
        }
    }

    fn reload(&mut self) {
        self.metrics.state_reloads.fetch_add(1, Ordering::Relaxed);
        match self.cache.reload() {
            Ok(changed) => {
                for id in changed {
                    let in_flight = self.entries.get(&id).is_some_and(|e| e.in_flight);
                    if self.entries.contains_key(&id) && !in_flight {
                        let state = self.cache.get(id);
                        self.reschedule_from_state(id, &state);
                        self.emit(id, EventKind::Reloaded, None);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot re-read the state file"),
        }
    }

    /// Plans the next attempt from a state read from disk or just taken on.
    fn reschedule_from_state(&mut self, id: AccountId, state: &AccountState) {
        let Some(entry) = self.entries.get(&id) else {
            return;
        };
        if entry.in_flight {
            return;
        }
        let now = self.clock.now();
        let next = if state.needs_login {
            None
        } else {
            match (
                state.obtained_at,
                state.expires_at,
                state.last_error.is_some(),
            ) {
                (Some(obtained), Some(expires), false) => Some(self.policy.next_refresh(
                    obtained,
                    expires,
                    entry.account.refresh_lead(),
                    rand::random(),
                )),
                // Unknown, or failing: retry at the planned time if there is one, else now.
                _ => Some(state.next_refresh_at.unwrap_or(now)),
            }
        };
        self.set_deadline(id, next);
    }

    fn set_deadline(&mut self, id: AccountId, next: Option<DateTime<Utc>>) {
        let Some(entry) = self.entries.get_mut(&id) else {
            return;
        };
        if let Some(old) = entry.deadline.take() {
            self.schedule.remove(&(old, id));
        }
        entry.deadline = next;
        if let Some(at) = next {
            self.schedule.insert((at, id));
        }
        // The plan is part of the state others read (`tokenkeeper list`, the app).
        let mut state = self.cache.get(id);
        if state.next_refresh_at != next {
            state.next_refresh_at = next;
            self.cache.set(id, state);
        }
    }

    fn internal(&mut self, message: Internal) {
        match message {
            Internal::Done(done) => self.finish(*done),
            Internal::Flushed(result) => {
                self.flushing = false;
                match result {
                    Ok(Replaced::Written(stamp)) => {
                        self.cache.set_stamp(stamp);
                        // Another process may have written since (skipped while we flushed).
                        self.reload_if_changed();
                    }
                    Ok(Replaced::Stale) => {
                        // Another process wrote meanwhile: take its newer entries, write again.
                        self.reload();
                        self.cache.mark_dirty();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot write the state file");
                        self.cache.mark_dirty();
                    }
                }
            }
        }
    }

    fn finish(&mut self, done: Done) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let Done {
            id,
            generation,
            due_at,
            started_at,
            attempt,
        } = done;
        let Some(entry) = self.entries.get_mut(&id) else {
            return;
        };
        if entry.generation != generation {
            // The account was removed and added again meanwhile: this result is not its.
            return;
        }
        entry.in_flight = false;
        if std::mem::take(&mut entry.force_after) {
            self.ready.push_front((id, true, None));
        }
        let now = self.clock.now();
        let mut state = attempt.state;
        let latency_ms = u64::try_from(attempt.latency.as_millis()).unwrap_or(u64::MAX);
        let (mut kind, outcome, next) = match &attempt.result {
            Ok(_) => {
                let next = match (state.obtained_at, state.expires_at) {
                    (Some(o), Some(e)) => {
                        self.policy
                            .next_refresh(o, e, entry.account.refresh_lead(), rand::random())
                    }
                    _ => now + TimeDelta::seconds(60),
                };
                // A token issued (nearly) expired, or found so, must not cause a refresh loop.
                let next = self.policy.spaced(next, started_at);
                if attempt.contacted_api {
                    self.metrics.refreshed.fetch_add(1, Ordering::Relaxed);
                    (EventKind::Refreshed, Outcome::Refreshed, Some(next))
                } else {
                    (EventKind::AlreadyFresh, Outcome::AlreadyFresh, Some(next))
                }
            }
            Err(error) => {
                self.metrics.failed.fetch_add(1, Ordering::Relaxed);
                let retry = self.policy.retry(
                    now,
                    error.api().map(|a| a.kind),
                    error.needs_login(),
                    state.failures.max(1),
                    error.api().and_then(|a| a.retry_after()),
                    state.expires_at,
                    rand::random(),
                );
                match retry {
                    Retry::At { at, after_expiry } => {
                        let kind = if after_expiry {
                            EventKind::WillExpire
                        } else {
                            EventKind::Failed
                        };
                        (kind, Outcome::Failed, Some(at))
                    }
                    Retry::Park => (EventKind::NeedsLogin, Outcome::Failed, None),
                }
            }
        };
        if matches!(kind, EventKind::Failed) && state.needs_login {
            kind = EventKind::NeedsLogin;
        }
        state.next_refresh_at = next;
        let history = HistoryEntry {
            at: started_at,
            outcome,
            latency_ms,
            error: attempt
                .result
                .as_ref()
                .err()
                .and_then(|_| state.last_error.clone())
                .map(Box::new),
        };
        if outcome != Outcome::AlreadyFresh {
            self.cache.push_history(id, history);
        }
        self.cache.set(id, state);
        self.set_deadline(id, next);
        let timing = Some((due_at, started_at, latency_ms));
        self.emit(id, kind, timing);
    }

    fn emit(
        &self,
        id: AccountId,
        kind: EventKind,
        timing: Option<(Option<DateTime<Utc>>, DateTime<Utc>, u64)>,
    ) {
        let Some(entry) = self.entries.get(&id) else {
            return;
        };
        let state = self.cache.get(id);
        let now = self.clock.now();
        let _ = self.events.send(Event {
            kind,
            at: now,
            account: id,
            name: entry.account.name.clone(),
            provider: entry.account.provider,
            status: state
                .status_with_lead(now, entry.account.refresh_lead().or(self.policy.fixed_lead)),
            expires_at: state.expires_at,
            next_refresh_at: entry.deadline,
            last_refresh: state.last_refresh,
            token_fingerprint: state.token_fingerprint.clone(),
            last_error: state.last_error.clone(),
            due_at: timing.and_then(|t| t.0),
            started_at: timing.map(|t| t.1),
            latency_ms: timing.map(|t| t.2),
        });
    }

    fn start_flush(&mut self) {
        if self.flushing || !self.cache.is_dirty() {
            return;
        }
        self.flushing = true;
        let flush = self.cache.take_flush();
        let paths = self.keeper.paths().clone();
        let tx = self.internal_tx.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(Internal::Flushed(flush.write_blocking(&paths)));
        });
    }

    async fn shut_down(mut self) {
        let deadline = tokio::time::Instant::now() + self.shutdown_grace;
        while self.in_flight > 0 {
            match tokio::time::timeout_at(deadline, self.internal_rx.recv()).await {
                Ok(Some(message)) => self.internal(message),
                _ => break,
            }
        }
        self.tasks.abort_all();
        // Wait for a flush still running, then write what is left.
        while self.flushing {
            match tokio::time::timeout_at(deadline, self.internal_rx.recv()).await {
                Ok(Some(message)) => self.internal(message),
                _ => break,
            }
        }
        for _ in 0..2 {
            let flush: Flush = self.cache.take_flush();
            let paths = self.keeper.paths().clone();
            match tokio::task::spawn_blocking(move || flush.write_blocking(&paths)).await {
                Ok(Ok(Replaced::Written(_))) => break,
                Ok(Ok(Replaced::Stale)) => self.reload(),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "cannot write the state file at shutdown");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "state flush task failed");
                    break;
                }
            }
        }
    }
}
