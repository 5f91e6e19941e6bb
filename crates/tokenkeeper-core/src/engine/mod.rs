//! The refresh engine: keeps every account's token fresh in the background, for the CLI
//! background and the demo alike.
//!
//! - [`policy`]: when to refresh and when to retry (pure).
//! - [`runner`]: the one task with the timer structure and bounded concurrency.
//! - [`cache`]: account states in memory, written to the state file in batches.
//! - [`events`]: what the engine reports (broadcast); the attempt history is kept by
//!   [`crate::store::history`].
//! - [`watch`]: follows the config directory so accounts added or removed by other processes
//!   are picked up without a restart.
//!
//! Each attempt goes through [`Keeper::attempt`](crate::keeper::Keeper::attempt), the same code
//! as `tokenkeeper token`, under the same cross-process lock.

pub mod cache;
pub mod events;
pub mod policy;
pub mod runner;
pub mod watch;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::account::Account;
use crate::error::{Error, Result};
use crate::keeper::{Keeper, blocking};
use crate::store::state::AccountState;

use crate::store::history::HistoryEntry;
use cache::StateCache;
use events::Event;
use policy::Policy;
use runner::{Command, Runner};

pub use runner::Attempter;

/// Engine settings. `Default` gives the documented behaviour.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Refresh timing.
    pub policy: Policy,
    /// Most attempts in flight at once.
    pub concurrency: usize,
    /// How often pending state is written to the state file.
    pub flush_every: Duration,
    /// How long shutdown waits for attempts in flight.
    pub shutdown_grace: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            concurrency: 8,
            flush_every: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(4),
        }
    }
}

impl EngineConfig {
    /// The defaults with the config file's `[settings]` applied.
    pub fn from_settings(settings: &crate::store::config::Settings) -> Self {
        let mut config = Self::default();
        if let Some(n) = settings.concurrency {
            config.concurrency = n.max(1);
        }
        config.policy.fixed_lead = settings.refresh_lead_secs.map(Duration::from_secs);
        config
    }
}

/// Counters for benchmarks and diagnostics.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Times the runner woke up (timers, commands, results).
    pub wakeups: AtomicU64,
    /// Attempts started.
    pub dispatched: AtomicU64,
    /// Attempts that obtained a new token.
    pub refreshed: AtomicU64,
    /// Attempts that failed.
    pub failed: AtomicU64,
    /// Re-reads of the state file after another process changed it.
    pub state_reloads: AtomicU64,
}

/// A copy of the counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MetricsSnapshot {
    /// Timer wake-ups.
    pub wakeups: u64,
    /// Attempts started.
    pub dispatched: u64,
    /// New tokens.
    pub refreshed: u64,
    /// Failures.
    pub failed: u64,
    /// Re-reads of the state file after another process changed it.
    pub state_reloads: u64,
}

/// One account as the engine sees it.
#[derive(Clone, Debug, Serialize)]
pub struct AccountSnapshot {
    /// Settings.
    pub account: Account,
    /// State.
    pub state: AccountState,
    /// Next planned attempt (none when parked or running).
    pub next_refresh_at: Option<chrono::DateTime<chrono::Utc>>,
    /// An attempt is running.
    pub in_flight: bool,
}

/// A tokio runtime sized for the engine: two workers and a small blocking pool (keychain
/// calls, file writes). An unbounded pool lets glibc give each of many threads its own malloc
/// arena, which more than doubled the resident memory at 10,000 accounts (BENCHMARKS.md).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(2)
        .enable_all()
        .build()
}

/// A running engine.
#[derive(Debug)]
pub struct Engine {
    paths: crate::store::paths::Paths,
    commands: mpsc::Sender<Command>,
    events: broadcast::Sender<Event>,
    metrics: Arc<Metrics>,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl Engine {
    /// Starts the engine with every account of the keeper's config directory.
    pub async fn start(keeper: Keeper, config: EngineConfig) -> Result<Self> {
        let accounts = keeper.accounts()?;
        Self::start_with(Arc::new(keeper), accounts, config).await
    }

    /// Starts the engine over any [`Attempter`] with these accounts (timing tests).
    pub async fn start_with(
        keeper: Arc<dyn Attempter>,
        accounts: Vec<Account>,
        config: EngineConfig,
    ) -> Result<Self> {
        let paths = keeper.paths().clone();
        let cache_paths = paths.clone();
        let cache = blocking(move || StateCache::load_blocking(cache_paths)).await?;
        let (events, _) = broadcast::channel(1024);
        let (commands, receiver) = mpsc::channel(1024);
        let metrics = Arc::new(Metrics::default());
        let cancel = CancellationToken::new();
        let runner = Runner::new(
            keeper,
            config.policy,
            config.concurrency,
            config.flush_every,
            config.shutdown_grace,
            cache,
            events.clone(),
            metrics.clone(),
        );
        let task = tokio::spawn(runner.run(receiver, cancel.clone()));
        let engine = Self {
            paths,
            commands,
            events,
            metrics,
            cancel,
            task,
        };
        engine.send(Command::Sync(accounts)).await?;
        Ok(engine)
    }

    /// Receives every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// A handle to send commands from elsewhere (e.g. the config watcher).
    pub fn commands(&self) -> mpsc::Sender<Command> {
        self.commands.clone()
    }

    /// Sends a command.
    pub async fn send(&self, command: Command) -> Result<()> {
        self.commands
            .send(command)
            .await
            .map_err(|_| Error::InvalidInput("the engine has stopped".to_owned()))
    }

    /// An account's recent attempts, oldest first (the last 50, from its history file; what
    /// the engine has not written yet appears within a second).
    pub async fn history(&self, id: crate::account::AccountId) -> Result<Vec<HistoryEntry>> {
        let paths = self.paths.clone();
        blocking(move || Ok(crate::store::history::read_blocking(&paths, id))).await
    }

    /// Every account's settings and state.
    pub async fn snapshot(&self) -> Result<Vec<AccountSnapshot>> {
        let (tx, rx) = oneshot::channel();
        self.send(Command::Snapshot(tx)).await?;
        rx.await
            .map_err(|_| Error::InvalidInput("the engine has stopped".to_owned()))
    }

    /// The counters now.
    pub fn metrics(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            wakeups: self.metrics.wakeups.load(Ordering::Relaxed),
            state_reloads: self.metrics.state_reloads.load(Ordering::Relaxed),
            dispatched: self.metrics.dispatched.load(Ordering::Relaxed),
            refreshed: self.metrics.refreshed.load(Ordering::Relaxed),
            failed: self.metrics.failed.load(Ordering::Relaxed),
        }
    }

    /// Stops: attempts in flight may finish (up to the grace time), state is written.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "engine task failed");
        }
    }
}

pub use runner::Command as EngineCommand;
