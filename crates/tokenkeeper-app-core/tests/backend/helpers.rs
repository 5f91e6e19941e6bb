//! Shared setup: an emulator, a config directory, a backend over it and a "CLI" keeper over
//! the same directory and secret store (what another process would see).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokenkeeper_app_core::backend::Backend;
use tokenkeeper_app_core::backend::clipboard::MemoryClipboard;
use tokenkeeper_app_core::dto::{AccountForm, Credential};
use tokenkeeper_core::account::AccountId;
use tokenkeeper_core::keeper::InitialSecret;
use tokenkeeper_core::store::keychain::{MemoryStore, SecretKind as Kind, SecretStore};
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::testing::TestAccount;
use tokenkeeper_core::{Error, Keeper, ProviderKind, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig};

pub const USER: &str = "admin@example.com";
pub const PASSWORD: &str = "s3cret";

/// A secret store that can be locked, like a keychain whose session locked it.
#[derive(Debug, Default)]
pub struct LockableStore {
    inner: MemoryStore,
    pub locked: AtomicBool,
}

impl LockableStore {
    fn check(&self) -> tokenkeeper_core::Result<()> {
        if self.locked.load(Ordering::SeqCst) {
            return Err(Error::KeychainLocked(
                "org.freedesktop.Secret.Error.IsLocked".into(),
            ));
        }
        Ok(())
    }
}

impl SecretStore for LockableStore {
    fn get(&self, id: AccountId, kind: Kind) -> tokenkeeper_core::Result<Option<Secret>> {
        self.check()?;
        self.inner.get(id, kind)
    }
    fn set(&self, id: AccountId, kind: Kind, value: &Secret) -> tokenkeeper_core::Result<()> {
        self.check()?;
        self.inner.set(id, kind, value)
    }
    fn delete(&self, id: AccountId, kind: Kind) -> tokenkeeper_core::Result<()> {
        self.check()?;
        self.inner.delete(id, kind)
    }
}

pub struct Setup {
    pub dir: tempfile::TempDir,
    pub emu: Emulator,
    pub store: Arc<LockableStore>,
    pub clipboard: Arc<MemoryClipboard>,
}

impl Setup {
    pub async fn new(api: Api) -> Self {
        let mut config = EmulatorConfig::for_api(api);
        config.users = vec![(USER.to_owned(), PASSWORD.to_owned())];
        Self {
            dir: tempfile::tempdir().unwrap(),
            emu: Emulator::start(api, config).await.unwrap(),
            store: Arc::new(LockableStore::default()),
            clipboard: Arc::new(MemoryClipboard::default()),
        }
    }

    pub fn paths(&self) -> Paths {
        Paths::new(self.dir.path().join("config"))
    }

    /// What another process (the CLI) sees: the same directory and secrets.
    pub fn cli(&self) -> Keeper {
        Keeper::with_store(self.paths(), self.store.clone())
    }

    pub async fn backend(&self) -> Arc<Backend> {
        Backend::start_engine(self.cli(), self.clipboard.clone(), false)
            .await
            .unwrap()
    }

    pub fn ca_file(&self) -> Option<String> {
        let pem = self.emu.ca_cert_pem()?;
        let path = self.dir.path().join("ca.pem");
        std::fs::write(&path, pem).unwrap();
        Some(path.display().to_string())
    }

    pub fn form(&self, name: &str) -> AccountForm {
        AccountForm {
            name: name.to_owned(),
            provider: self.emu.api().id().parse::<ProviderKind>().unwrap(),
            url: self.emu.base_url(),
            username: Some(USER.to_owned()),
            secret_kind: Credential::Password,
            secret: PASSWORD.to_owned(),
            ttl: None,
            refresh_lead_secs: None,
            ca_cert: self.ca_file(),
            trust_cert: None,
            insecure: false,
            allow_plain_http: false,
            tags: vec!["prod".to_owned()],
            oauth: None,
        }
    }

    /// Adds an account the way `tokenkeeper add` does.
    pub async fn add_with_cli(&self, name: &str) {
        let form = self.form(name);
        let new = TestAccount::new(name, form.provider)
            .url(&form.url)
            .username(USER)
            .ca_cert(form.ca_cert.map(Into::into))
            .build_new();
        self.cli()
            .add(new, InitialSecret::Password(Secret::new(PASSWORD)))
            .await
            .unwrap();
    }
}

/// Waits (at most `secs`) until the backend's overview satisfies `check`.
pub async fn eventually(
    backend: &Backend,
    secs: u64,
    what: &str,
    check: impl Fn(&tokenkeeper_app_core::dto::Overview) -> bool,
) -> tokenkeeper_app_core::dto::Overview {
    let mut changes = backend.changes();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let overview = backend.overview().await;
        if check(&overview) {
            return overview;
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        assert!(
            !left.is_zero(),
            "timed out waiting for: {what}: {overview:#?}"
        );
        let _ = tokio::time::timeout(left.min(Duration::from_millis(250)), changes.changed()).await;
    }
}
