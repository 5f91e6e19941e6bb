//! A digest of each account's settings, for the keeper's check under the lock that an account
//! is still what the config file holds (see [`Cache`]), read one account at a time.

use std::path::Path;

use serde::de::DeserializeSeed;

use super::config;
use super::stream::ConfigSeed;
use crate::account::Account;
use crate::error::Result;

/// What each account's settings were when the config file was last read, as a digest per
/// account, read again only when the file changed: the keeper re-reads an account under its
/// lock before every attempt, and at 10,000 accounts neither a parse each time nor a second
/// parsed copy of every account (about 15 MiB) is worth it. The caller's own copy of the
/// account is used when its digest matches; only a changed account costs a parse. A change is
/// seen by the file's length, modification time and (on Unix) inode: every write replaces the
/// file by rename, so each write is a new inode.
#[derive(Debug, Default)]
pub struct Cache {
    last: std::sync::Mutex<Option<(Stamp, std::sync::Arc<Digests>)>>,
}

/// Each account's settings digest ([`digest`]).
pub type Digests = std::collections::HashMap<crate::account::AccountId, [u8; 32]>;

/// The SHA-256 of an account's settings as the config file stores them.
pub fn digest(account: &Account) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(serde_json::to_vec(account).unwrap_or_default()).into()
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }
}

impl Cache {
    /// Every account's digest in the config at `path` now. One caller reads the file while
    /// the others wait for its answer, so a burst of attempts costs one read.
    pub fn digests(&self, path: &Path) -> Result<std::sync::Arc<Digests>> {
        let stamp = Stamp::of(path);
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(stamp) = &stamp
            && let Some((seen, digests)) = last.as_ref()
            && seen == stamp
        {
            return Ok(digests.clone());
        }
        let digests = std::sync::Arc::new(digests_of(path)?);
        if let Some(stamp) = stamp {
            *last = Some((stamp, digests.clone()));
        }
        Ok(digests)
    }
}

/// Every account's digest in the config file, with [`config::load`]'s checks (version, unique names
/// and ids), but one account parsed at a time: no second copy of 10,000 accounts, even for
/// a moment.
fn digests_of(path: &Path) -> Result<Digests> {
    let Some(text) = config::read(path)? else {
        return Ok(Digests::new());
    };
    config::check_version(path, &text)?;
    let mut unique = config::Unique::default();
    let mut digests = Digests::new();
    let mut duplicate = None;
    let mut each = |account: Account| {
        if duplicate.is_none() {
            match unique.check(&account) {
                Ok(()) => drop(digests.insert(account.id, digest(&account))),
                Err(reason) => duplicate = Some(reason),
            }
        }
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    ConfigSeed(&mut each)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| config::corrupt(path, &config::describe(&e)))?;
    match duplicate {
        Some(reason) => Err(config::corrupt(path, &reason)),
        None => Ok(digests),
    }
}

#[cfg(test)]
mod tests {
    use super::{Cache, digest, digests_of};
    use crate::account::{Account, ProviderKind};
    use crate::error::Error;
    use crate::store::config::{self, Config};
    use crate::testing::TestAccount;

    fn account(name: &str) -> Account {
        TestAccount::new(name, ProviderKind::Smartling)
            .username("user")
            .build()
    }

    #[test]
    fn each_account_is_digested_as_a_full_parse_would() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        assert!(
            digests_of(&path).unwrap().is_empty(),
            "no file, no accounts"
        );
        let mut b = account("b");
        b.hook = Some(vec!["notify".to_owned()]);
        let config = Config {
            settings: config::Settings {
                refresh_lead_secs: Some(30),
                ..config::Settings::default()
            },
            accounts: vec![account("a"), b],
            ..Config::default()
        };
        config::save(&path, &config).unwrap();
        let digests = digests_of(&path).unwrap();
        assert_eq!(digests.len(), 2);
        for a in &config::load(&path).unwrap().accounts {
            assert_eq!(digests[&a.id], digest(a), "{}", a.name);
        }
        assert_ne!(digest(&config.accounts[0]), digest(&config.accounts[1]));
    }

    #[test]
    fn what_load_refuses_the_digests_refuse() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let same_name = Config {
            accounts: vec![account("same"), account("same")],
            ..Config::default()
        };
        let mut twin = account("twin");
        let first = account("first");
        twin.id = first.id;
        let same_id = Config {
            accounts: vec![first, twin],
            ..Config::default()
        };
        for config in [same_name, same_id] {
            config::save(&path, &config).unwrap();
            let err = digests_of(&path).unwrap_err();
            assert!(
                matches!(&err, Error::FileCorrupt { reason, .. } if reason.contains("appears twice")),
                "{err:?}"
            );
        }
        for (text, want) in [
            (r#"{"version": 99, "accounts": []}"#, "FileVersion"),
            (r#"{"accounts": []}"#, "no `version` key"),
            (
                r#"{"version": 1, "settings": {"refresh_lead_secs": "soon"}}"#,
                "line",
            ),
            (r#"{"version": 1, "accounts": [{"name": 3}]}"#, "line"),
            (r#"{"version": 1, "accounts": []} trailing"#, "line"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = digests_of(&path).unwrap_err();
            let load_err = config::load(&path).unwrap_err();
            assert_eq!(
                std::mem::discriminant(&err),
                std::mem::discriminant(&load_err),
                "{text}: {err:?} against {load_err:?}"
            );
            assert!(format!("{err:?}").contains(want), "{text}: {err:?}");
        }
    }

    #[test]
    fn the_cache_reads_again_only_when_the_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let mut config = Config {
            accounts: vec![account("a")],
            ..Config::default()
        };
        config::save(&path, &config).unwrap();
        let cache = Cache::default();
        let first = cache.digests(&path).unwrap();
        assert!(std::sync::Arc::ptr_eq(
            &first,
            &cache.digests(&path).unwrap()
        ));
        config.accounts.push(account("b"));
        config::save(&path, &config).unwrap();
        let second = cache.digests(&path).unwrap();
        assert_eq!(second.len(), 2, "a rewrite (new inode) is seen");
    }
}
