//! Secrets in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) through the keyring ecosystem (`keyring-core` and the platform stores
//! the `keyring` crate bundles), behind the [`SecretStore`] trait.
//!
//! Entries: service `tokenkeeper`, user `<account-id>/<kind>` (kind: password, refresh,
//! access); on Windows a secret longer than a credential holds is kept in parts
//! (`<account-id>/<kind>#<generation>.<n>`, [`parts`]), and credentials stay on this machine
//! (they do not roam). Keychain calls are blocking (D-Bus round trips on Linux): call them off
//! the async threads.
//! A missing or locked keychain is an error that says what to do; there is no plaintext
//! fallback. [`MemoryStore`] exists for benchmarks and engine tests that measure the engine
//! rather than the keychain.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use keyring_core::CredentialStore;

use zeroize::Zeroizing;

use super::parts;
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
    /// An OAuth 2.0 client's secret, sent with each request of a grant a person signed in to.
    ClientSecret,
    /// A throwaway entry that proves the keychain can be written (never holds a secret).
    Probe,
}

impl SecretKind {
    /// The kinds that hold an account's secrets.
    pub const ALL: [Self; 4] = [
        Self::Password,
        Self::Refresh,
        Self::Access,
        Self::ClientSecret,
    ];

    /// Name used in the keychain entry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Refresh => "refresh",
            Self::Access => "access",
            Self::ClientSecret => "client-secret",
            Self::Probe => "probe",
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
        self.set(id, SecretKind::Probe, &Secret::new("tokenkeeper-probe"))?;
        self.delete(id, SecretKind::Probe)
    }
}

/// The OS keychain.
///
/// The platform store is connected on first use and cached; when connecting fails (no session
/// bus, no Secret Service yet) the next call tries again, so a long-running background
/// recovers once the keychain appears instead of failing until restarted.
#[derive(Default)]
pub struct Keychain {
    store: Mutex<Option<Arc<CredentialStore>>>,
}

impl fmt::Debug for Keychain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keychain")
    }
}

impl Keychain {
    /// A keychain that connects on first use.
    pub fn new() -> Self {
        Self::default()
    }

    fn store(&self) -> Result<Arc<CredentialStore>> {
        let mut slot = self
            .store
            .lock()
            .map_err(|_| Error::Keychain("keychain connection poisoned".into()))?;
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let store = platform_store().map_err(|e| Error::KeychainUnavailable(e.to_string()))?;
        *slot = Some(store.clone());
        Ok(store)
    }

    fn entry(&self, user: &str) -> Result<keyring_core::Entry> {
        #[cfg(windows)]
        {
            // On this machine only: a token does not roam to the user's other computers.
            let local = HashMap::from([("persistence", "Local")]);
            self.store()?
                .build(SERVICE, user, Some(&local))
                .map_err(map_error)
        }
        #[cfg(not(windows))]
        {
            self.store()?.build(SERVICE, user, None).map_err(map_error)
        }
    }

    /// Drops the cached connection after a failure that may mean the service went away.
    fn forget_on(&self, err: &Error) {
        if matches!(err, Error::KeychainUnavailable(_))
            && let Ok(mut slot) = self.store.lock()
        {
            *slot = None;
        }
    }

    fn run<T>(&self, op: impl FnOnce(&Self) -> Result<T>) -> Result<T> {
        let result = op(self);
        if let Err(e) = &result {
            self.forget_on(e);
        }
        result
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

/// The most a keychain entry holds, in UTF-16 units: Credential Manager's 2,560 bytes of
/// UTF-16; longer secrets go in parts ([`parts`]). The other keychains take any length.
#[cfg(windows)]
const ENTRY_LIMIT: Option<usize> = Some(1280);
#[cfg(not(windows))]
const ENTRY_LIMIT: Option<usize> = None;

fn user(id: AccountId, kind: SecretKind) -> String {
    format!("{id}/{}", kind.as_str())
}

impl parts::Entries for Keychain {
    fn read(&self, user: &str) -> Result<Option<Zeroizing<String>>> {
        match self.entry(user)?.get_password() {
            Ok(value) => Ok(Some(Zeroizing::new(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn write(&self, user: &str, value: &str) -> Result<()> {
        self.entry(user)?.set_password(value).map_err(map_error)
    }

    fn remove(&self, user: &str) -> Result<()> {
        match self.entry(user)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

impl SecretStore for Keychain {
    fn get(&self, id: AccountId, kind: SecretKind) -> Result<Option<Secret>> {
        self.run(|k| Ok(parts::read(k, &user(id, kind))?.map(|v| Secret::new(v.as_str()))))
    }

    fn set(&self, id: AccountId, kind: SecretKind, value: &Secret) -> Result<()> {
        self.run(|k| parts::write(k, &user(id, kind), value.expose(), ENTRY_LIMIT))
    }

    fn delete(&self, id: AccountId, kind: SecretKind) -> Result<()> {
        self.run(|k| parts::remove(k, &user(id, kind)))
    }
}

fn map_error(err: keyring_core::Error) -> Error {
    let text = err.to_string();
    match err {
        keyring_core::Error::NoStorageAccess(_) => Error::KeychainLocked(text),
        keyring_core::Error::PlatformFailure(_) => {
            let lower = text.to_ascii_lowercase();
            if lower.contains("locked") || lower.contains("prompt") || lower.contains("dismissed") {
                Error::KeychainLocked(text)
            } else {
                Error::KeychainUnavailable(text)
            }
        }
        keyring_core::Error::NoDefaultStore => Error::KeychainUnavailable(text),
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

    /// How many entries it holds and the bytes of their values: a real keychain keeps these
    /// in its own process, so a benchmark reports them apart from the engine's memory.
    pub fn held(&self) -> (usize, usize) {
        self.map()
            .map(|map| (map.len(), map.values().map(Secret::len).sum()))
            .unwrap_or_default()
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
