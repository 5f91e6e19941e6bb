//! The built-in demo, shared by `tokenkeeper demo` and the desktop app's demo mode: the five
//! API emulators on loopback, a throwaway config directory with one account per API (secrets in
//! the keychain the process was given, which the launch scripts make a throwaway one), short
//! token lifetimes so refreshes happen while you watch, and an occasional injected fault.
//! [`Demo::cleanup`] removes the accounts, their keychain entries and the directory.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokenkeeper_core::account::parse_base_url;
use tokenkeeper_core::keeper::{InitialSecret, NewAccount};
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::{Error, Keeper, ProviderKind, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, Fault, FaultAction, FaultTarget};

/// The demo user of every emulator.
pub const USER: &str = "demo@example.com";
/// Its password.
pub const PASSWORD: &str = "demo-password";
/// How often a fault is injected.
pub const FAULT_EVERY: Duration = Duration::from_secs(20);

/// A running demo: emulators, the throwaway directory and a keeper over it.
#[derive(Debug)]
pub struct Demo {
    emulators: Vec<Arc<Emulator>>,
    dir: tempfile::TempDir,
    keeper: Keeper,
}

/// Short lifetimes so refreshes happen while you watch: seconds per API.
pub fn lifetime(api: Api) -> u64 {
    match api {
        Api::RedisEnterprise => 45,
        Api::Ece => 60,
        Api::Smartling => 90,
        Api::GenericJwt => 30,
        Api::JwtAuthPro => 75,
        Api::OAuth2 => 50,
    }
}

fn emulator_error(e: anyhow::Error) -> Error {
    Error::InvalidInput(format!("cannot start the emulators: {e:#}"))
}

impl Demo {
    /// Starts the five emulators and adds one account each (`demo-<provider>`); on failure
    /// everything made so far is removed.
    pub async fn start() -> Result<Self, Error> {
        let dir = tempfile::Builder::new()
            .prefix("tokenkeeper-demo-")
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let keeper = Keeper::open(Paths::new(dir.path().join("config")));
        let mut emulators = Vec::new();
        for api in Api::ALL {
            let mut config = EmulatorConfig::for_api(api);
            config.users = vec![(USER.to_owned(), PASSWORD.to_owned())];
            config.token_ttl = Some(lifetime(api));
            config.refresh_ttl = Some(3600);
            emulators.push(Arc::new(
                Emulator::start(api, config).await.map_err(emulator_error)?,
            ));
        }
        let demo = Self {
            emulators,
            dir,
            keeper,
        };
        for emu in &demo.emulators {
            if let Err(e) = demo.add(emu).await {
                demo.cleanup().await;
                return Err(e);
            }
        }
        Ok(demo)
    }

    /// The keeper over the demo's config directory.
    pub fn keeper(&self) -> &Keeper {
        &self.keeper
    }

    /// The demo's config directory.
    pub fn config_dir(&self) -> &Path {
        self.keeper.paths().dir()
    }

    /// The running emulators.
    pub fn emulators(&self) -> &[Arc<Emulator>] {
        &self.emulators
    }

    async fn add(&self, emu: &Emulator) -> Result<(), Error> {
        let api = emu.api();
        let ca_cert = match emu.ca_cert_pem() {
            Some(pem) => {
                let path = self.dir.path().join(format!("{}-ca.pem", api.id()));
                std::fs::write(&path, pem).map_err(|e| Error::io(&path, e))?;
                Some(path)
            }
            None => None,
        };
        let provider: ProviderKind = api.id().parse()?;
        let secret = if api == Api::GenericJwt {
            InitialSecret::RefreshToken(Secret::new(emu.issue_refresh_token(USER)))
        } else {
            InitialSecret::Password(Secret::new(PASSWORD))
        };
        let new = NewAccount {
            name: format!("demo-{}", api.id()),
            provider,
            url: parse_base_url(&emu.base_url())?,
            username: Some(USER.to_owned()),
            ttl: (api == Api::RedisEnterprise).then(|| lifetime(api)),
            ca_cert,
            trust_cert: None,
            insecure: false,
            refresh_lead_secs: None,
            allow_plain_http: false,
            tags: vec!["demo".to_owned()],
            oauth: None,
        };
        self.keeper.add(new, secret).await.map(|_| ())
    }

    /// Makes the next refresh at a random emulator fail in a random way (a 503, a dropped
    /// connection, an HTML 502 page or a 3 s delay); returns a line saying which.
    pub fn inject_fault(&self) -> String {
        let mut rng = rand::rng();
        let emu = &self.emulators[rng.random_range(0..self.emulators.len())];
        let (action, text) = match rng.random_range(0..4) {
            0 => (FaultAction::ApiError { status: 503 }, "503 error"),
            1 => (FaultAction::Drop, "dropped connection"),
            2 => (FaultAction::Html { status: 502 }, "HTML 502 page"),
            _ => (FaultAction::Delay(Duration::from_secs(3)), "3 s delay"),
        };
        emu.push_fault(Fault {
            target: FaultTarget::Refresh,
            times: 1,
            action,
        });
        format!(
            "{}  demo: next {} refresh will get a {text}",
            Utc::now().format("%H:%M:%S"),
            emu.api().id()
        )
    }

    /// Removes the accounts and their keychain entries, stops the emulators and deletes the
    /// directory. Returns the accounts that could not be removed, with why.
    pub async fn cleanup(self) -> Vec<(String, Error)> {
        let mut failed = Vec::new();
        for account in self.keeper.accounts().unwrap_or_default() {
            if let Err(e) = self.keeper.remove(&account.name).await {
                failed.push((account.name, e));
            }
        }
        for emu in self.emulators {
            if let Ok(emu) = Arc::try_unwrap(emu) {
                emu.shutdown().await;
            }
        }
        drop(self.dir);
        failed
    }
}
