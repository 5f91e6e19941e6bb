//! The config directory and the files in it.
//!
//! Chosen by `--config-dir`, else `TOKENKEEPER_CONFIG_DIR`, else the platform's config
//! directory (`~/.config/tokenkeeper` on Linux). Created with mode 0700.

use std::path::{Path, PathBuf};

use crate::account::AccountId;
use crate::error::{Error, Result};

/// Environment variable that overrides the config directory.
pub const CONFIG_DIR_ENV: &str = "TOKENKEEPER_CONFIG_DIR";

/// The files of one config directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    dir: PathBuf,
}

impl Paths {
    /// Uses `dir` as the config directory.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Resolves the config directory from an explicit choice, the environment, or the platform.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self> {
        if let Some(dir) = explicit {
            return Ok(Self::new(dir));
        }
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(Self::new(dir));
        }
        directories::ProjectDirs::from("", "", "tokenkeeper")
            .map(|d| Self::new(d.config_dir()))
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "cannot find a home directory; pass --config-dir or set {CONFIG_DIR_ENV}"
                ))
            })
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Account settings (JSON).
    pub fn config_file(&self) -> PathBuf {
        self.dir.join("config.json")
    }

    /// Status, expiry and last error of each account (JSON, no secrets).
    pub fn state_file(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    /// Folder of lock files.
    pub fn lock_dir(&self) -> PathBuf {
        self.dir.join("locks")
    }

    /// Lock held while an account's tokens are refreshed or changed.
    pub fn account_lock(&self, id: AccountId) -> PathBuf {
        self.lock_dir().join(format!("{id}.lock"))
    }

    /// Folder of per-account attempt histories.
    pub fn history_dir(&self) -> PathBuf {
        self.dir.join("history")
    }

    /// One account's attempt history.
    pub fn history_file(&self, id: AccountId) -> PathBuf {
        self.history_dir().join(format!("{id}.jsonl"))
    }

    /// Lock held while the config file is changed.
    pub fn config_lock(&self) -> PathBuf {
        self.lock_dir().join("config.lock")
    }

    /// Lock held by the one daemon (or app) running the engine for this directory.
    pub fn engine_lock(&self) -> PathBuf {
        self.lock_dir().join("engine.lock")
    }

    /// Lock held while the state file is changed.
    pub fn state_lock(&self) -> PathBuf {
        self.lock_dir().join("state.lock")
    }

    /// Creates the directory and its lock folder (mode 0700) if missing.
    pub fn ensure(&self) -> Result<()> {
        for dir in [self.dir.clone(), self.lock_dir()] {
            create_private_dir(&dir)?;
        }
        Ok(())
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| Error::io(dir, e))
}
