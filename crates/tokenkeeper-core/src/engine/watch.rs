//! Follows the config directory: when `config.json` changes (another process added or removed
//! an account) the engine gets the new account list; when `state.json` changes (e.g. after
//! `tokenkeeper login`) it re-reads newer states. Uses the OS's file notifications (inotify on
//! Linux) through `notify`: no polling.

use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::runner::Command;
use crate::error::{Error, Result};
use crate::keeper::Keeper;

/// Changes arriving within this window are handled once (an atomic write is several events).
const SETTLE: Duration = Duration::from_millis(150);

/// A running watcher; dropping it stops watching.
#[derive(Debug)]
pub struct ConfigWatcher {
    _watcher: notify::RecommendedWatcher,
    task: JoinHandle<()>,
}

impl Drop for ConfigWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone, Copy, Default)]
struct Changed {
    config: bool,
    state: bool,
}

/// Starts watching the keeper's config directory, sending commands to the engine.
pub fn watch(keeper: Keeper, commands: mpsc::Sender<Command>) -> Result<ConfigWatcher> {
    keeper.paths().ensure()?;
    let dir = keeper.paths().dir().to_owned();
    let (tx, mut rx) = mpsc::unbounded_channel::<Changed>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        // Opening or reading a file is not a change. Counted, the watcher's own read of the
        // config (and every `overview` the app computes) set off the next read, forever.
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        let mut changed = Changed::default();
        for path in &event.paths {
            match path.file_name().and_then(|n| n.to_str()) {
                Some("config.json") => changed.config = true,
                Some("state.json") => changed.state = true,
                _ => {}
            }
        }
        if changed.config || changed.state {
            let _ = tx.send(changed);
        }
    })
    .map_err(|e| watch_error(&dir, e))?;
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| watch_error(&dir, e))?;
    let task = tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            tokio::time::sleep(SETTLE).await;
            let mut changed = first;
            while let Ok(more) = rx.try_recv() {
                changed.config |= more.config;
                changed.state |= more.state;
            }
            if changed.config {
                match keeper.accounts() {
                    Ok(accounts) => {
                        if commands.send(Command::Sync(accounts)).await.is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "config changed but cannot be read; keeping the accounts as they were")
                    }
                }
            }
            if changed.state && commands.send(Command::Reload).await.is_err() {
                break;
            }
        }
    });
    Ok(ConfigWatcher {
        _watcher: watcher,
        task,
    })
}

fn watch_error(dir: &std::path::Path, e: notify::Error) -> Error {
    Error::io(
        dir,
        std::io::Error::other(format!("cannot watch for changes: {e}")),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::watch;
    use crate::engine::runner::Command;
    use crate::keeper::Keeper;
    use crate::store::keychain::MemoryStore;
    use crate::store::paths::Paths;

    const EMPTY: &str = r#"{"version": 1, "accounts": []}"#;

    /// Reading the files (as the watcher itself, the app and the CLI do) is not a change;
    /// writing them is, once.
    #[tokio::test]
    async fn reading_the_files_is_not_a_change_but_writing_them_is() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let paths = Paths::new(dir.path());
        paths.ensure()?;
        std::fs::write(paths.config_file(), EMPTY)?;
        let keeper = Keeper::with_store(paths.clone(), Arc::new(MemoryStore::default()));
        assert!(keeper.accounts()?.is_empty());
        let (tx, mut rx) = mpsc::channel(16);
        let _watcher = watch(keeper.clone(), tx)?;
        for _ in 0..5 {
            std::fs::read(paths.config_file())?;
            keeper.accounts()?;
        }
        let quiet = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await;
        assert!(quiet.is_err(), "reading the config was taken for a change");

        std::fs::write(paths.config_file(), EMPTY)?;
        let changed = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await?;
        assert!(
            matches!(changed, Some(Command::Sync(_))),
            "a write is a change"
        );
        // The watcher read the new config to send it: that read is not another change.
        let quiet = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await;
        assert!(
            quiet.is_err(),
            "the watcher's own read was taken for a change"
        );
        Ok(())
    }
}
