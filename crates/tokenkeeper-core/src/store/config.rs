//! The config file: a versioned JSON list of accounts and settings. Never a secret.
//!
//! JSON rather than TOML: at 10,000 accounts the TOML parser needed a ~28 MiB transient
//! (BENCHMARKS.md); serde_json reads straight into the structs.
//!
//! Written atomically under the config lock. A file that cannot be parsed is reported and
//! left exactly as it is: every write first loads the file, so a corrupt file stops the write.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::atomic::write_atomic_with;
use crate::account::Account;
use crate::error::{Error, Result};

/// Current format version.
pub const VERSION: u32 = 1;

/// The config file's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Format version.
    pub version: u32,
    /// Settings for every account.
    #[serde(default, skip_serializing_if = "Settings::is_default")]
    pub settings: Settings,
    /// Configured accounts.
    #[serde(default)]
    pub accounts: Vec<Account>,
}

/// Settings for every account (`[settings]` in the config file).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Fixed refresh lead in seconds for accounts that set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_lead_secs: Option<u64>,
    /// Most refreshes in flight at once (default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    /// A command run after each new token of every account that names none of its own
    /// (program and arguments, no shell). See [`crate::hooks`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<Vec<String>>,
}

impl Settings {
    /// The global refresh lead, if set.
    pub fn refresh_lead(&self) -> Option<std::time::Duration> {
        self.refresh_lead_secs.map(std::time::Duration::from_secs)
    }

    fn is_default(&self) -> bool {
        self == &Self::default()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            version: VERSION,
            settings: Settings::default(),
            accounts: Vec::new(),
        }
    }
}

impl Config {
    /// The account with this name.
    pub fn find(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.name == name)
    }
}

/// The config file's text; `None` when there is no file.
pub(super) fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            Err(corrupt(path, "not UTF-8 text"))
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Reads the config file; a missing file is an empty config.
pub fn load(path: &Path) -> Result<Config> {
    match read(path)? {
        Some(text) => parse(path, &text),
        None => Ok(Config::default()),
    }
}

/// Parses and checks config text (`path` only names the file in errors): valid JSON of a
/// version this build understands, unique account names and ids.
pub fn parse(path: &Path, text: &str) -> Result<Config> {
    check_version(path, text)?;
    let config: Config = serde_json::from_str(text).map_err(|e| corrupt(path, &describe(&e)))?;
    let mut unique = Unique::default();
    for account in &config.accounts {
        unique
            .check(account)
            .map_err(|reason| corrupt(path, &reason))?;
    }
    Ok(config)
}

/// The rule that no two accounts share a name or an id, checked one account at a time (by
/// [`parse`], and by the digests' stream, which never holds every account).
#[derive(Default)]
pub(super) struct Unique {
    names: HashSet<String>,
    ids: HashSet<crate::account::AccountId>,
}

impl Unique {
    /// Takes `account` in; why not, when its name or id came before.
    pub(super) fn check(&mut self, account: &Account) -> std::result::Result<(), String> {
        if !self.names.insert(account.name.clone()) {
            return Err(format!("account name {:?} appears twice", account.name));
        }
        if !self.ids.insert(account.id) {
            return Err(format!("account id {} appears twice", account.id));
        }
        Ok(())
    }
}

/// Valid JSON with a `version` this build understands.
pub(super) fn check_version(path: &Path, text: &str) -> Result<()> {
    #[derive(Deserialize)]
    struct VersionOnly {
        version: Option<u32>,
    }
    let probe: VersionOnly =
        serde_json::from_str(text).map_err(|e| corrupt(path, &describe(&e)))?;
    match probe.version {
        None => Err(corrupt(path, "no `version` key")),
        Some(found) if found > VERSION => Err(Error::FileVersion {
            path: path.to_owned(),
            found,
            supported: VERSION,
        }),
        Some(_) => Ok(()),
    }
}

/// Writes the config file atomically (pretty JSON, streamed).
pub fn save(path: &Path, config: &Config) -> Result<()> {
    write_atomic_with(path, |w| {
        serde_json::to_writer_pretty(&mut *w, config).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// One line: "line N column M: <parser message>".
pub(super) fn describe(err: &serde_json::Error) -> String {
    let message = err.to_string();
    // serde_json appends " at line N column M"; put the position first.
    match message.rsplit_once(" at line ") {
        Some((what, at)) => format!("line {at}: {what}"),
        None => message,
    }
}

pub(super) fn corrupt(path: &Path, reason: &str) -> Error {
    Error::FileCorrupt {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Config, VERSION, load, save};
    use crate::account::{Account, ProviderKind};
    use crate::error::Error;
    use crate::testing::TestAccount;

    fn account(name: &str) -> Account {
        TestAccount::new(name, ProviderKind::Smartling)
            .username("user")
            .build()
    }

    #[test]
    fn round_trips_and_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        assert_eq!(load(&path).unwrap(), Config::default());
        let config = Config {
            version: VERSION,
            settings: super::Settings {
                refresh_lead_secs: Some(120),
                concurrency: None,
                hook: Some(vec!["update-env".to_owned(), "--quiet".to_owned()]),
            },
            accounts: vec![account("a"), {
                let mut b = account("b");
                b.hook = Some(vec!["kubectl-apply".to_owned()]);
                b
            }],
        };
        save(&path, &config).unwrap();
        assert_eq!(load(&path).unwrap(), config);
    }

    #[test]
    fn corrupt_file_is_reported_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        for bad in [
            "{\"version\": 1, \"accounts\": [{\"name\":",
            "{\"accounts\": []}",
            "{\"version\": 1, \"accounts\": [{\"name\": \"x\"}]}",
            "version = 1",
            "\u{0}\u{1}garbage",
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = load(&path).unwrap_err();
            assert!(matches!(err, Error::FileCorrupt { .. }), "{bad:?}: {err}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), bad);
        }
        std::fs::write(&path, "{\"version\": 99}").unwrap();
        assert!(matches!(
            load(&path).unwrap_err(),
            Error::FileVersion { found: 99, .. }
        ));
    }

    #[test]
    fn duplicate_names_are_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let config = Config {
            accounts: vec![account("same"), account("same")],
            ..Config::default()
        };
        save(&path, &config).unwrap();
        assert!(matches!(
            load(&path).unwrap_err(),
            Error::FileCorrupt { .. }
        ));
    }
}
