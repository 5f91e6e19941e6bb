//! Shared setup: emulators, accounts pointing at them, time assertions.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokenkeeper_core::account::Account;
use tokenkeeper_core::keeper::{InitialSecret, NewAccount};
use tokenkeeper_core::providers::{Http, StoredTokens, provider_for};
use tokenkeeper_core::store::keychain::{Keychain, SecretKind, SecretStore};
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::testing::TestAccount;
use tokenkeeper_core::token::TokenSet;
use tokenkeeper_core::{ApiError, Keeper, ProviderKind, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, Fault, FaultAction, FaultTarget};

pub const USER: &str = "admin@example.com";
pub const PASSWORD: &str = "s3cret";

pub fn kind_of(api: Api) -> ProviderKind {
    api.id().parse().unwrap()
}

pub async fn start(api: Api) -> Emulator {
    start_with(EmulatorConfig::for_api(api), api).await
}

pub async fn start_with(config: EmulatorConfig, api: Api) -> Emulator {
    Emulator::start(api, config).await.unwrap()
}

/// Writes the emulator's CA (if TLS) into `dir` and returns its path.
pub fn ca_file(emu: &Emulator, dir: &Path) -> Option<PathBuf> {
    let pem = emu.ca_cert_pem()?;
    let path = dir.join(format!("{}-ca.pem", emu.api().id()));
    std::fs::write(&path, pem).unwrap();
    Some(path)
}

/// An account `name` for the emulator, as a builder: its URL, [`USER`], trusting its CA (written
/// into `dir`).
pub fn account_named(emu: &Emulator, dir: &Path, name: &str) -> TestAccount {
    TestAccount::new(name, kind_of(emu.api()))
        .url(&emu.base_url())
        .username(USER)
        .ca_cert(ca_file(emu, dir))
}

/// [`account_named`] `<api>-test`, as a builder (for settings beyond those).
pub fn account_for(emu: &Emulator, dir: &Path) -> TestAccount {
    account_named(emu, dir, &format!("{}-test", emu.api().id()))
}

/// An account `<api>-test` for the emulator, trusting its CA.
pub fn account(emu: &Emulator, dir: &Path) -> Account {
    account_for(emu, dir).build()
}

pub fn http() -> Http {
    Http::with_timeouts(Duration::from_secs(5), Duration::from_secs(10))
}

pub async fn login(emu: &Emulator, account: &Account) -> Result<TokenSet, ApiError> {
    let _ = emu;
    provider_for(account.provider)
        .login(&http(), account, &Secret::new(PASSWORD))
        .await
        .map_err(|e| *e.error)
}

pub async fn refresh(account: &Account, stored: &StoredTokens) -> Result<TokenSet, ApiError> {
    provider_for(account.provider)
        .refresh(&http(), account, stored)
        .await
        .map_err(|e| *e.error)
}

/// What would be stored after obtaining `set`.
pub fn stored_from(set: &TokenSet) -> StoredTokens {
    StoredTokens {
        access: Some(set.access.clone()),
        expires_at: Some(set.expires_at),
        refresh: set.refresh.clone(),
        refresh_expires_at: set.refresh_expires_at,
        password: Some(Secret::new(PASSWORD)),
        client_secret: None,
    }
}

/// What is stored for an account that has only `token`, a refresh token.
pub fn with_refresh(token: &str) -> StoredTokens {
    StoredTokens {
        refresh: Some(Secret::new(token)),
        ..StoredTokens::default()
    }
}

/// Asserts `at` is `secs` from now, within a few seconds (request time, Date header rounding).
pub fn assert_expires_in(at: DateTime<Utc>, secs: i64) {
    let expected = Utc::now() + TimeDelta::seconds(secs);
    let diff = (at - expected).num_seconds().abs();
    assert!(diff <= 3, "expiry {at} is {diff}s away from now+{secs}s");
}

pub fn fault(target: FaultTarget, action: FaultAction) -> Fault {
    Fault {
        target,
        times: 1,
        action,
    }
}

/// Asserts an API error's kind, status and code.
#[track_caller]
pub fn assert_api_error(
    err: &ApiError,
    kind: tokenkeeper_core::ErrorKind,
    status: Option<u16>,
    code: Option<&str>,
) {
    assert_eq!(err.kind, kind, "{err:?}");
    assert_eq!(err.status, status, "{err:?}");
    if let Some(code) = code {
        assert_eq!(err.code.as_deref(), Some(code), "{err:?}");
    }
    assert!(!err.message.is_empty(), "{err:?}");
}

// Keeper set-up shared by the keeper and hardening tests.

pub fn keeper(dir: &Path) -> Keeper {
    Keeper::open(Paths::new(dir.join("config")))
}

/// [`account_named`] as `Keeper::add` takes it.
pub fn new_account(emu: &Emulator, dir: &Path, name: &str) -> NewAccount {
    account_named(emu, dir, name).build_new()
}

/// An emulator, a config dir and a keeper with one account `name` already added.
pub async fn with_account(api: Api, name: &str) -> (Emulator, tempfile::TempDir, Keeper) {
    with_account_on(EmulatorConfig::for_api(api), api, name).await
}

/// [`with_account`] with an emulator set up as `config` says.
pub async fn with_account_on(
    config: EmulatorConfig,
    api: Api,
    name: &str,
) -> (Emulator, tempfile::TempDir, Keeper) {
    let emu = start_with(config, api).await;
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    keeper
        .add(new_account(&emu, dir.path(), name), first_secret(&emu))
        .await
        .unwrap();
    (emu, dir, keeper)
}

pub fn first_secret(emu: &Emulator) -> InitialSecret {
    if emu.api() == Api::GenericJwt {
        InitialSecret::RefreshToken(Secret::new(emu.issue_refresh_token(USER)))
    } else {
        InitialSecret::Password(Secret::new(PASSWORD))
    }
}

/// The secret the keychain holds (opened from its binding's seal).
pub fn stored(keeper: &Keeper, name: &str, kind: SecretKind) -> Option<Secret> {
    let id = keeper.find(name).unwrap().id;
    Keychain::new()
        .get(id, kind)
        .unwrap()
        .and_then(|sealed| tokenkeeper_core::store::binding::secret_of(&sealed))
}

/// Every file under the config dir, as text.
pub fn config_dir_text(keeper: &Keeper) -> String {
    let mut out = String::new();
    let mut dirs = vec![keeper.paths().dir().to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                out.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}
