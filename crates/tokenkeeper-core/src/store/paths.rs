//! The config directory and the files in it.
//!
//! Chosen by `--config-dir`, else `TOKENKEEPER_CONFIG_DIR`, else the platform's config
//! directory (`~/.config/tokenkeeper` on Linux). Created with mode 0700.

use std::path::{Path, PathBuf};

use crate::account::AccountId;
use crate::error::{Error, Result};

/// Environment variable that overrides the config directory.
pub const CONFIG_DIR_ENV: &str = "TOKENKEEPER_CONFIG_DIR";

/// Why there is no platform config directory.
#[cfg(windows)]
const NO_PLATFORM_DIR: &str = "cannot find the user's AppData folder (%APPDATA% is not set)";
#[cfg(not(windows))]
const NO_PLATFORM_DIR: &str = "cannot find a home directory";

/// The platform's config directory for TokenKeeper: `%APPDATA%\tokenkeeper\config` on Windows,
/// read from the variable Windows sets at logon to the user's roaming AppData known folder (as
/// Go's `os.UserConfigDir` does), so `tokenkeeper.exe` never loads shell32 and COM only to ask
/// for it (every `token` a script runs starts faster for it: BENCHMARKS.md).
#[cfg(windows)]
fn platform_dir() -> Option<PathBuf> {
    windows_config_dir(std::env::var_os("APPDATA"))
}

/// `APPDATA\tokenkeeper\config`, when `APPDATA` is an absolute path (a relative one would move
/// with the working folder).
#[cfg(windows)]
fn windows_config_dir(appdata: Option<std::ffi::OsString>) -> Option<PathBuf> {
    let appdata = PathBuf::from(appdata.filter(|d| !d.is_empty())?);
    appdata
        .is_absolute()
        .then(|| appdata.join("tokenkeeper").join("config"))
}

/// The platform's config directory for TokenKeeper (`directories`' choice:
/// `~/.config/tokenkeeper` on Linux, `~/Library/Application Support/tokenkeeper` on macOS).
#[cfg(not(windows))]
fn platform_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "tokenkeeper").map(|d| d.config_dir().to_owned())
}

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
        platform_dir().map(Self::new).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{NO_PLATFORM_DIR}; pass --config-dir or set {CONFIG_DIR_ENV}"
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

    /// Lock held while an account's history is appended to or trimmed: a trim rewrites the
    /// file, and an append from another process in between would land in the replaced file.
    pub fn history_lock(&self, id: AccountId) -> PathBuf {
        self.lock_dir().join(format!("{id}.history.lock"))
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

    /// Lock held by the one background (or demo) running the engine for this directory.
    pub fn engine_lock(&self) -> PathBuf {
        self.lock_dir().join("engine.lock")
    }

    /// Lock held while the state file is changed.
    pub fn state_lock(&self) -> PathBuf {
        self.lock_dir().join("state.lock")
    }

    /// Creates the directory and its lock and history folders (mode 0700) if missing, and
    /// checks the directory the way ssh checks `~/.ssh`: one that another user owns or can
    /// write is refused, naming the fix. TokenKeeper's own folders in it are made 0700 again
    /// if an older version left them looser.
    pub fn ensure(&self) -> Result<()> {
        create_private_dir(&self.dir)?;
        check_private_dir(&self.dir)?;
        for dir in [self.lock_dir(), self.history_dir()] {
            create_private_dir(&dir)?;
            tighten(&dir);
        }
        Ok(())
    }
}

/// Refuses a directory another user owns, or that its group or others can write.
#[cfg(unix)]
fn check_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(Error::InvalidInput(format!(
            "the config directory {} belongs to another user (uid {}): use a directory of your own (--config-dir or TOKENKEEPER_CONFIG_DIR)",
            dir.display(),
            meta.uid()
        )));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(Error::InvalidInput(format!(
            "the config directory {} can be written by other users (mode {mode:03o}): run `chmod 700 {}`",
            dir.display(),
            dir.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

/// Makes a folder of TokenKeeper's own 0700 (best effort: it was just created or checked).
fn tighten(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(dir)
            && meta.permissions().mode() & 0o777 != 0o700
        {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
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

#[cfg(all(test, windows))]
mod windows_tests {
    use std::ffi::OsString;
    use std::path::PathBuf;

    #[test]
    fn the_config_folder_is_under_appdata_when_it_names_a_folder() {
        let roaming = OsString::from(r"C:\Users\ana\AppData\Roaming");
        assert_eq!(
            super::windows_config_dir(Some(roaming)),
            Some(PathBuf::from(
                r"C:\Users\ana\AppData\Roaming\tokenkeeper\config"
            ))
        );
        let unc = OsString::from(r"\\server\profiles\ana");
        assert_eq!(
            super::windows_config_dir(Some(unc)),
            Some(PathBuf::from(r"\\server\profiles\ana\tokenkeeper\config"))
        );
        for unset in [
            None,
            Some(OsString::new()),
            Some(OsString::from(r"AppData\Roaming")),
        ] {
            assert_eq!(super::windows_config_dir(unset.clone()), None, "{unset:?}");
        }
    }
}

#[cfg(all(test, unix))]
mod private_tests {
    use std::os::unix::fs::PermissionsExt;

    use super::Paths;
    use crate::account::AccountId;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn every_folder_and_file_is_private_and_a_shared_directory_is_refused()
    -> Result<(), Box<dyn std::error::Error>> {
        let top = tempfile::tempdir()?;
        let paths = Paths::new(top.path().join("config"));
        paths.ensure()?;
        for dir in [
            paths.dir().to_owned(),
            paths.lock_dir(),
            paths.history_dir(),
        ] {
            assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        }
        // Files TokenKeeper creates: locks and history.
        let id = AccountId::generate();
        drop(crate::store::lock::FileLock::try_acquire(
            &paths.account_lock(id),
        )?);
        let entry = crate::store::history::HistoryEntry {
            at: chrono::Utc::now(),
            outcome: crate::store::history::Outcome::Refreshed,
            latency_ms: 1,
            error: None,
        };
        crate::store::history::append_blocking(&paths, id, &[entry])?;
        assert_eq!(mode(&paths.account_lock(id)), 0o600);
        assert_eq!(mode(&paths.history_file(id)), 0o600);
        // An older version's looser history folder is tightened.
        std::fs::set_permissions(paths.history_dir(), std::fs::Permissions::from_mode(0o755))?;
        paths.ensure()?;
        assert_eq!(mode(&paths.history_dir()), 0o700);
        // A directory others can write is refused, naming the fix.
        std::fs::set_permissions(paths.dir(), std::fs::Permissions::from_mode(0o777))?;
        let err = paths
            .ensure()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("can be written by other users") && err.contains("chmod 700"),
            "{err}"
        );
        std::fs::set_permissions(paths.dir(), std::fs::Permissions::from_mode(0o700))?;
        // One another user owns (only root can hand it over, as CI runs).
        if rustix::process::geteuid().is_root() {
            std::os::unix::fs::chown(paths.dir(), Some(65_534), None)?;
            let err = paths
                .ensure()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("belongs to another user"), "{err}");
            std::os::unix::fs::chown(paths.dir(), Some(0), None)?;
        }
        paths.ensure()?;
        Ok(())
    }
}
