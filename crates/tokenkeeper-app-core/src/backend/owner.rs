//! One engine per config directory. [`EngineHere`] runs the core refresh engine (in the
//! background, or the demo) under the directory's engine lock, and serves the token agent
//! ([`tokenkeeper_core::agent`]) while it runs; a second one for the same directory fails.
//! [`Follower`] is the window's side: it follows the shared files, whoever changes them.
//! Either way, every change the app should show bumps one generation counter that the window
//! and the tray follow.

use tokenkeeper_core::engine::events::Event;
use tokenkeeper_core::engine::watch::{ConfigWatcher, watch};
use tokenkeeper_core::engine::{Engine, EngineConfig};
use tokenkeeper_core::store::lock::FileLock;
use tokenkeeper_core::{Error, Keeper};
use tokio::sync::{broadcast, mpsc, watch as channel};
use tokio::task::JoinHandle;

/// The engine, run here: the background's, or the demo's.
#[derive(Debug)]
pub struct EngineHere {
    /// The engine.
    engine: Engine,
    /// Held while the engine runs: no other process can start one for this directory.
    _lock: FileLock,
    /// Follows the config directory for the engine (the CLI's and the window's changes).
    _watcher: ConfigWatcher,
    /// Serves `tokenkeeper token` over a local socket (none without a runtime directory).
    _agent: Option<AgentHandle>,
    /// Forwards engine events to the generation counter.
    forward: JoinHandle<()>,
}

impl EngineHere {
    /// Takes the directory's engine lock and starts the engine, or fails when another process
    /// holds it (one engine per config directory).
    pub async fn start(
        keeper: &Keeper,
        changed: &channel::Sender<u64>,
        events: &broadcast::Sender<Event>,
    ) -> Result<Self, Error> {
        keeper.paths().ensure()?;
        let Some(lock) = FileLock::try_acquire(&keeper.paths().engine_lock())? else {
            return Err(Error::InvalidInput(format!(
                "another TokenKeeper background is already refreshing the accounts in {}",
                keeper.paths().dir().display()
            )));
        };
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
        Ok(Self {
            engine,
            _lock: lock,
            _watcher: watcher,
            _agent: agent,
            forward,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Stops the agent and the engine (its state is written), then frees the directory.
    pub async fn shutdown(self) {
        let Self {
            engine,
            _lock,
            _watcher,
            _agent,
            forward,
        } = self;
        drop(_agent);
        drop(_watcher);
        engine.shutdown().await;
        forward.abort();
    }
}

/// The window's view of the files: every change in the config directory (whoever made it)
/// bumps the generation counter. Stops when dropped.
#[derive(Debug)]
pub struct Follower {
    /// Follows the config directory.
    _watcher: ConfigWatcher,
    /// Forwards file changes to the generation counter.
    forward: JoinHandle<()>,
}

impl Follower {
    /// Follows the config directory of `keeper`.
    pub fn start(keeper: &Keeper, changed: &channel::Sender<u64>) -> Result<Self, Error> {
        let (tx, mut rx) = mpsc::channel(16);
        let watcher = watch(keeper.clone(), tx)?;
        let changed = changed.clone();
        let forward = tokio::spawn(async move {
            while rx.recv().await.is_some() {
                bump(&changed);
            }
        });
        Ok(Self {
            _watcher: watcher,
            forward,
        })
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.forward.abort();
    }
}

type AgentHandle = tokenkeeper_core::agent::server::Agent;

/// Serves the token agent while the engine runs here.
fn start_agent(keeper: &Keeper) -> Option<AgentHandle> {
    match tokenkeeper_core::agent::server::serve(keeper.clone()) {
        Ok(agent) => agent,
        Err(e) => {
            tracing::warn!(error = %e, "no token agent; `tokenkeeper token` works directly");
            None
        }
    }
}

/// Tells followers that something changed.
pub fn bump(changed: &channel::Sender<u64>) {
    changed.send_modify(|g| *g = g.wrapping_add(1));
}
