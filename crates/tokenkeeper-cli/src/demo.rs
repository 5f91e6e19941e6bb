//! `tokenkeeper demo`: the whole product with no real account. Starts the five API emulators on
//! loopback, adds one account per API to a throwaway config directory (secrets in the
//! keychain), runs the refresh engine with short token lifetimes and an occasional injected
//! fault, and shows a live table. Ctrl-C (or `--duration`) removes the accounts and their
//! keychain entries and deletes the directory.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokenkeeper_core::account::parse_base_url;
use tokenkeeper_core::engine::events::{Event, EventKind};
use tokenkeeper_core::engine::{AccountSnapshot, Engine, EngineConfig};
use tokenkeeper_core::keeper::{InitialSecret, NewAccount};
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::{Error, Keeper, ProviderKind, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, Fault, FaultAction, FaultTarget};

use crate::output::{duration, expires_in};

const USER: &str = "demo@example.com";
const PASSWORD: &str = "demo-password";

/// Demo options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Stop by itself after this long.
    pub duration: Option<Duration>,
    /// Inject no faults.
    pub no_faults: bool,
}

struct Setup {
    emulators: Vec<Arc<Emulator>>,
    dir: tempfile::TempDir,
    keeper: Keeper,
}

/// Runs the demo until Ctrl-C or the duration ends; always cleans up.
pub async fn run(options: Options) -> Result<(), Error> {
    let setup = start().await?;
    let result = show(&setup, options).await;
    cleanup(setup).await;
    result
}

fn emulator_error(e: anyhow::Error) -> Error {
    Error::InvalidInput(format!("cannot start the emulators: {e:#}"))
}

/// Short lifetimes so refreshes happen while you watch: seconds per API.
fn lifetime(api: Api) -> u64 {
    match api {
        Api::RedisEnterprise => 45,
        Api::Ece => 60,
        Api::Smartling => 90,
        Api::GenericJwt => 30,
        Api::JwtAuthPro => 75,
    }
}

async fn start() -> Result<Setup, Error> {
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
    let setup = Setup {
        emulators,
        dir,
        keeper,
    };
    for emu in &setup.emulators {
        if let Err(e) = add(&setup, emu).await {
            cleanup(setup).await;
            return Err(e);
        }
    }
    Ok(setup)
}

async fn add(setup: &Setup, emu: &Emulator) -> Result<(), Error> {
    let api = emu.api();
    let ca_cert = match emu.ca_cert_pem() {
        Some(pem) => {
            let path = setup.dir.path().join(format!("{}-ca.pem", api.id()));
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
    };
    setup.keeper.add(new, secret).await.map(|_| ())
}

async fn show(setup: &Setup, options: Options) -> Result<(), Error> {
    let engine = Engine::start(setup.keeper.clone(), EngineConfig::default()).await?;
    let mut events = engine.subscribe();
    let mut recent: Vec<String> = Vec::new();
    let tty = std::io::stdout().is_terminal();
    let started = tokio::time::Instant::now();
    let stop_at = options.duration.map(|d| started + d);
    let dir = other_terminal_command(&setup.keeper.paths().dir().display().to_string());
    let mut ticker = tokio::time::interval(if tty {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(5)
    });
    let mut next_fault = started + Duration::from_secs(15);
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            () = sleep_until_opt(stop_at) => break,
            event = events.recv() => {
                if let Ok(event) = event && let Some(line) = describe(&event) {
                    recent.push(line);
                    let excess = recent.len().saturating_sub(6);
                    recent.drain(..excess);
                }
            }
            _ = ticker.tick() => {
                if !options.no_faults && tokio::time::Instant::now() >= next_fault {
                    recent.push(inject_fault(&setup.emulators));
                    next_fault = tokio::time::Instant::now() + Duration::from_secs(20);
                }
                let snapshot = engine.snapshot().await?;
                render(&snapshot, &recent, &dir, tty);
            }
        }
    }
    engine.shutdown().await;
    Ok(())
}

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn inject_fault(emulators: &[Arc<Emulator>]) -> String {
    let mut rng = rand::rng();
    let emu = &emulators[rng.random_range(0..emulators.len())];
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

fn describe(e: &Event) -> Option<String> {
    let time = e.at.format("%H:%M:%S");
    let what = match e.kind {
        EventKind::Refreshed => format!("refreshed, valid {}", expires_in(e.expires_at, e.at)),
        EventKind::Failed | EventKind::WillExpire => {
            let err = e
                .last_error
                .as_ref()
                .map(|x| x.message.clone())
                .unwrap_or_default();
            format!(
                "failed ({err}); retrying {}",
                expires_in(e.next_refresh_at, e.at)
            )
        }
        EventKind::NeedsLogin => "needs login".to_owned(),
        _ => return None,
    };
    Some(format!("{time}  {:<24} {what}", e.name))
}

/// A command that works from another terminal: the demo's keyring may be private to its
/// session (scripts/run.sh starts one), so the command carries the session bus address, the
/// binary's absolute path and the config directory. Values are single-quoted for the shell.
fn other_terminal_command(config_dir: &str) -> String {
    let quote = |v: &str| format!("'{}'", v.replace('\'', "'\\''"));
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "tokenkeeper".to_owned());
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS")
        .map(|b| format!("DBUS_SESSION_BUS_ADDRESS={} ", quote(&b)))
        .unwrap_or_default();
    format!(
        "{bus}{} --config-dir {} token demo-smartling",
        quote(&exe),
        quote(config_dir)
    )
}

fn render(snapshot: &[AccountSnapshot], recent: &[String], command: &str, tty: bool) {
    let now = Utc::now();
    let mut rows: Vec<&AccountSnapshot> = snapshot.iter().collect();
    rows.sort_by(|a, b| a.account.name.cmp(&b.account.name));
    let mut out = String::new();
    if tty {
        out.push_str("\x1b[H\x1b[2J");
    }
    out.push_str("TokenKeeper demo: five local API emulators, tokens kept fresh in the background. Ctrl-C to stop.\n");
    out.push_str(&format!("In another terminal:\n  {command}\n\n"));
    out.push_str(&format!(
        "{:<24} {:<17} {:<12} {:<14} {:<14} {}\n",
        "NAME", "PROVIDER", "STATUS", "EXPIRES", "NEXT REFRESH", "LAST ERROR"
    ));
    for s in rows {
        let status = if s.in_flight {
            "refreshing"
        } else {
            s.state.status(now).as_str()
        };
        let error = s
            .state
            .last_error
            .as_ref()
            .map(|e| {
                let code = e.code.clone().unwrap_or_default();
                format!(
                    "{} {code}: {}",
                    e.status.map(|x| x.to_string()).unwrap_or_default(),
                    e.message
                )
            })
            .unwrap_or_default();
        let error: String = error.trim().chars().take(60).collect();
        out.push_str(&format!(
            "{:<24} {:<17} {:<12} {:<14} {:<14} {}\n",
            s.account.name,
            s.account.provider.id(),
            status,
            expires_in(s.state.expires_at, now),
            s.state
                .next_refresh_at
                .map(|t| duration((t - now).num_seconds().max(0)))
                .unwrap_or_else(|| "-".into()),
            error
        ));
    }
    out.push_str("\nRecent:\n");
    for line in recent {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    if !tty {
        out.push('\n');
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
}

async fn cleanup(setup: Setup) {
    for account in setup.keeper.accounts().unwrap_or_default() {
        if let Err(e) = setup.keeper.remove(&account.name).await {
            eprintln!(
                "tokenkeeper: could not remove demo account {}: {e}",
                account.name
            );
        }
    }
    for emu in setup.emulators {
        if let Ok(emu) = Arc::try_unwrap(emu) {
            emu.shutdown().await;
        }
    }
    drop(setup.dir);
    println!("demo stopped: accounts, keychain entries and the demo directory removed");
}
