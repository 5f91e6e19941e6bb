//! Secrets in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) through the `keyring` crate, behind the [`SecretStore`] trait.
//!
//! Entries: service `tokenkeeper`, user `<account-id>/<kind>` (kind: password, refresh,
//! access). Keychain calls are blocking D-Bus round trips: call them off the async threads.
//! A missing or locked keychain is an error that says what to do; there is no plaintext
//! fallback. [`MemoryStore`] exists for benchmarks and engine tests that measure the engine
//! rather than the keychain.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use crate::account::AccountId;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// Keychain service name of every entry.
pub const SERVICE: &str = "tokenkeeper";

/// Which secret of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// Password or user secret for login.
    Password,
    /// Refresh token.
    Refresh,
    /// Current access token.
    Access,
}

impl SecretKind {
    /// All kinds.
    pub const ALL: [Self; 3] = [Self::Password, Self::Refresh, Self::Access];

    /// Name used in the keychain entry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Refresh => "refresh",
            Self::Access => "access",
        }
    }
}

/// Somewhere to keep secrets. Blocking.
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// Reads a secret; `None` when there is none.
    fn get(&self, id: AccountId, kind: SecretKind) -> Result<Option<Secret>>;
    /// Creates or replaces a secret.
    fn set(&self, id: AccountId, kind: SecretKind, value: &Secret) -> Result<()>;
    /// Deletes a secret; deleting a missing one is not an error.
    fn delete(&self, id: AccountId, kind: SecretKind) -> Result<()>;

    /// Proves the store can be written now (a locked keychain fails here), by writing and
    /// deleting an entry that holds no secret. Used before asking an API for anything.
    fn probe(&self, id: AccountId) -> Result<()> {
        self.set(id, SecretKind::Access, &Secret::new("tokenkeeper-probe"))?;
        self.delete(id, SecretKind::Access)
    }
}

/// The OS keychain.
#[derive(Debug, Default)]
pub struct Keychain;

impl Keychain {
    fn entry(id: AccountId, kind: SecretKind) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, &format!("{id}/{}", kind.as_str())).map_err(|e| {
            match (e, keyring::Entry::store_status()) {
                // The store is made once per process; its own error says why it is missing.
                (keyring::Error::NoDefaultStore, Err(why)) => {
                    Error::KeychainUnavailable(why.to_string())
                }
                (other, _) => map_error(other),
            }
        })
    }
}

impl SecretStore for Keychain {
    fn get(&self, id: AccountId, kind: SecretKind) -> Result<Option<Secret>> {
        match Self::entry(id, kind)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn set(&self, id: AccountId, kind: SecretKind, value: &Secret) -> Result<()> {
        Self::entry(id, kind)?
            .set_password(value.expose())
            .map_err(map_error)
    }

    fn delete(&self, id: AccountId, kind: SecretKind) -> Result<()> {
        match Self::entry(id, kind)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

fn map_error(err: keyring::Error) -> Error {
    let text = err.to_string();
    match err {
        keyring::Error::NoStorageAccess(_) => Error::KeychainLocked(text),
        keyring::Error::PlatformFailure(_) => {
            let lower = text.to_ascii_lowercase();
            if lower.contains("locked") || lower.contains("prompt") || lower.contains("dismissed") {
                Error::KeychainLocked(text)
            } else {
                Error::KeychainUnavailable(text)
            }
        }
        keyring::Error::NoDefaultStore => Error::KeychainUnavailable(text),
        _ => Error::Keychain(text),
    }
}

/// Secrets in memory only: for benchmarks and engine tests, never for users.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<(AccountId, SecretKind), Secret>>,
}

impl MemoryStore {
    fn map(&self) -> Result<std::sync::MutexGuard<'_, HashMap<(AccountId, SecretKind), Secret>>> {
        self.map
            .lock()
            .map_err(|_| Error::Keychain("memory store poisoned".into()))
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, id: AccountId, kind: SecretKind) -> Result<Option<Secret>> {
        Ok(self.map()?.get(&(id, kind)).cloned())
    }

    fn set(&self, id: AccountId, kind: SecretKind, value: &Secret) -> Result<()> {
        self.map()?.insert((id, kind), value.clone());
        Ok(())
    }

    fn delete(&self, id: AccountId, kind: SecretKind) -> Result<()> {
        self.map()?.remove(&(id, kind));
        Ok(())
    }
}
