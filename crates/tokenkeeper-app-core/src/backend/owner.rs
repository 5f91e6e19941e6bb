//! One engine per config directory. The app runs the core refresh engine in-process when it
//! can take the directory's engine lock; when a `tokenkeeper daemon` holds it, the app follows
//! the daemon's state through the shared files instead, and takes over when the daemon stops
//! (checked every few seconds). Whoever runs the engine also serves the token agent
//! ([`tokenkeeper_core::agent`]). Either way, every change the app should show bumps one
//! generation counter that the window and the tray follow.

use std::time::Duration;

use tokenkeeper_core::engine::events::Event;
use tokenkeeper_core::engine::watch::{ConfigWatcher, watch};
use tokenkeeper_core::engine::{Engine, EngineConfig};
use tokenkeeper_core::store::lock::FileLock;
use tokenkeeper_core::{Error, Keeper};
use tokio::sync::{broadcast, mpsc, watch as channel};
use tokio::task::JoinHandle;

use crate::dto::EngineOwner;

/// How often a following app checks whether the daemon has stopped.
pub const TAKEOVER_EVERY: Duration = Duration::from_secs(3);

/// Who refreshes, and what keeps the app informed.
#[derive(Debug)]
pub enum Owner {
    /// The engine runs here.
    App {
        /// The engine.
        engine: Engine,
        /// Held while the engine runs: no daemon or other app can start one.
        _lock: FileLock,
        /// Follows the config directory for the engine (CLI adds and removes).
        _watcher: ConfigWatcher,
        /// Serves `tokenkeeper token` over a Unix socket (none without a runtime directory).
        _agent: Option<AgentHandle>,
        /// Forwards engine events to the generation counter.
        forward: JoinHandle<()>,
    },
    /// A daemon refreshes; the app follows the files.
    Daemon {
        /// Follows the config directory.
        _watcher: ConfigWatcher,
        /// Forwards file changes to the generation counter.
        forward: JoinHandle<()>,
    },
}

impl Owner {
    /// Takes the engine if nobody holds it, else follows whoever does.
    pub async fn start(
        keeper: &Keeper,
        changed: &channel::Sender<u64>,
        events: &broadcast::Sender<Event>,
    ) -> Result<Self, Error> {
        match engine_lock(keeper)? {
            Some(lock) => Self::run_engine(keeper, lock, changed, events).await,
            None => Self::follow(keeper, changed),
        }
    }

    /// Takes the engine, or fails when another process holds it.
    pub async fn start_engine(
        keeper: &Keeper,
        changed: &channel::Sender<u64>,
        events: &broadcast::Sender<Event>,
    ) -> Result<Self, Error> {
        match engine_lock(keeper)? {
            Some(lock) => Self::run_engine(keeper, lock, changed, events).await,
            None => Err(Error::InvalidInput(format!(
                "another TokenKeeper daemon or app is already refreshing the accounts in {}",
                keeper.paths().dir().display()
            ))),
        }
    }

    async fn run_engine(
        keeper: &Keeper,
        lock: FileLock,
        changed: &channel::Sender<u64>,
        events: &broadcast::Sender<Event>,
    ) -> Result<Self, Error> {
        let config = EngineConfig::from_settings(&keeper.settings()?);
        let engine = Engine::start(keeper.clone(), config).await?;
        let watcher = watch(keeper.clone(), engine.commands())?;
        let agent = start_agent(keeper);
        let mut from_engine = engine.subscribe();
        let (changed, events) = (changed.clone(), events.clone());
        let forward = tokio::spawn(async move {
            loop {
                match from_engine.recv().await {
                    Ok(event) => {
                        let _ = events.send(event);
                        bump(&changed);
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => bump(&changed),
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Ok(Self::App {
            engine,
            _lock: lock,
            _watcher: watcher,
            _agent: agent,
            forward,
        })
    }

    /// Follows whoever refreshes, through the files.
    pub fn follow(keeper: &Keeper, changed: &channel::Sender<u64>) -> Result<Self, Error> {
        let (tx, mut rx) = mpsc::channel(16);
        let watcher = watch(keeper.clone(), tx)?;
        let changed = changed.clone();
        let forward = tokio::spawn(async move {
            while rx.recv().await.is_some() {
                bump(&changed);
            }
        });
        Ok(Self::Daemon {
            _watcher: watcher,
            forward,
        })
    }

    /// When following a daemon that has stopped, starts the engine here. Returns whether the
    /// owner changed.
    pub async fn take_over_if_free(
        &mut self,
        keeper: &Keeper,
        changed: &channel::Sender<u64>,
        events: &broadcast::Sender<Event>,
    ) -> Result<bool, Error> {
        if matches!(self, Self::App { .. }) {
            return Ok(false);
        }
        let Some(lock) = FileLock::try_acquire(&keeper.paths().engine_lock())? else {
            return Ok(false);
        };
        let new = Self::run_engine(keeper, lock, changed, events).await?;
        if let Self::Daemon { forward, .. } = std::mem::replace(self, new) {
            forward.abort();
        }
        bump(changed);
        Ok(true)
    }

    /// Who refreshes.
    pub fn kind(&self) -> EngineOwner {
        match self {
            Self::App { .. } => EngineOwner::App,
            Self::Daemon { .. } => EngineOwner::Daemon,
        }
    }

    /// The in-process engine, if it runs here.
    pub fn engine(&self) -> Option<&Engine> {
        match self {
            Self::App { engine, .. } => Some(engine),
            Self::Daemon { .. } => None,
        }
    }

    /// Stops the engine (its state is written) or the following.
    pub async fn shutdown(self) {
        match self {
            Self::App {
                engine,
                forward,
                _watcher,
                _agent,
                _lock,
            } => {
                drop(_agent);
                drop(_watcher);
                engine.shutdown().await;
                forward.abort();
            }
            Self::Daemon { forward, .. } => forward.abort(),
        }
    }
}

/// The config directory's engine lock, if no other process holds it.
fn engine_lock(keeper: &Keeper) -> Result<Option<FileLock>, Error> {
    keeper.paths().ensure()?;
    FileLock::try_acquire(&keeper.paths().engine_lock())
}

#[cfg(unix)]
type AgentHandle = tokenkeeper_core::agent::server::Agent;
#[cfg(not(unix))]
type AgentHandle = ();

/// Serves the token agent while the engine runs here (Unix sockets only).
fn start_agent(keeper: &Keeper) -> Option<AgentHandle> {
    #[cfg(unix)]
    match tokenkeeper_core::agent::server::serve(keeper.clone()) {
        Ok(agent) => agent,
        Err(e) => {
            tracing::warn!(error = %e, "no token agent; `tokenkeeper token` works directly");
            None
        }
    }
    #[cfg(not(unix))]
    {
        let _ = keeper;
        None
    }
}

/// Tells followers that something changed.
pub fn bump(changed: &channel::Sender<u64>) {
    changed.send_modify(|g| *g = g.wrapping_add(1));
}
