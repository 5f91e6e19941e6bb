//! The `tokenkeeper-emulators` binary: starts all five emulators on loopback, prints one line per API
//! (`<id> <base_url>`, plus the CA file written for TLS ones), then waits for Ctrl-C.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Loopback emulators of the five token APIs TokenKeeper manages"
)]
struct Args {
    /// Listen on ports N..N+4 (in the order printed); default: random free ports.
    #[arg(long, value_name = "N")]
    port_base: Option<u16>,
    /// Folder for the CA files of TLS emulators; default: a new folder in the temp dir.
    #[arg(long, value_name = "DIR")]
    ca_dir: Option<PathBuf>,
    /// Account as USER:PASSWORD (repeatable); default admin@example.com:s3cret.
    #[arg(long = "user", value_name = "USER:PASSWORD")]
    users: Vec<String>,
    /// Server clock offset in seconds.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    clock_offset: i64,
    /// Access-token lifetime in seconds for every API (default: each API's own).
    #[arg(long)]
    token_ttl: Option<u64>,
    /// Enable JWT Auth Pro's rate limits (real: 60 a minute per IP; documented: 5 and 10).
    #[arg(long)]
    rate_limits: bool,
    /// Answer as the vendors' documentation says instead of as the real servers do.
    #[arg(long)]
    documented: bool,
    /// JWT Auth Pro runs without a licence (every route: 401 rest_forbidden).
    #[arg(long)]
    unlicensed: bool,
    /// JWT Auth Pro on a site with plain permalinks (only /?rest_route=... answers).
    #[arg(long)]
    plain_permalinks: bool,
    /// ECE answers a login with an SSO redirect (302).
    #[arg(long)]
    ece_sso: bool,
    /// Smartling SSO session length in seconds (0: no cap); default a day.
    #[arg(long, value_name = "SECS")]
    smartling_session: Option<u64>,
    /// ECE answers like 3.x (only {"token"}).
    #[arg(long)]
    ece_legacy_3x: bool,
    /// Serve Redis Enterprise over plain HTTP too.
    #[arg(long)]
    no_tls: bool,
}

fn config(args: &Args, api: Api, index: u16) -> anyhow::Result<EmulatorConfig> {
    let mut config = EmulatorConfig::for_api(api);
    let port = match args.port_base {
        Some(base) => base.checked_add(index).context("--port-base too high")?,
        None => 0,
    };
    config.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    config.tls = config.tls && !args.no_tls;
    config.token_ttl = args.token_ttl;
    config.clock_offset_secs = args.clock_offset;
    config.rate_limits = args.rate_limits;
    config.ece_legacy_3x = args.ece_legacy_3x;
    config.documented = args.documented;
    config.unlicensed = args.unlicensed;
    config.plain_permalinks = args.plain_permalinks;
    config.ece_sso = args.ece_sso;
    if let Some(secs) = args.smartling_session {
        config.smartling_session_secs = (secs > 0).then_some(secs);
    }
    if !args.users.is_empty() {
        config.users = args
            .users
            .iter()
            .map(|pair| {
                pair.split_once(':')
                    .map(|(u, p)| (u.to_owned(), p.to_owned()))
                    .with_context(|| format!("--user {pair}: expected USER:PASSWORD"))
            })
            .collect::<anyhow::Result<_>>()?;
    }
    Ok(config)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let ca_dir = match &args.ca_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("tokenkeeper-emulators-{}", std::process::id())),
    };
    let mut running = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for (index, api) in (0u16..).zip(Api::ALL) {
        let emulator = Emulator::start(api, config(&args, api, index)?)
            .await
            .with_context(|| format!("starting the {api} emulator"))?;
        let mut line = format!("{} {}", api.id(), emulator.base_url());
        if let Some(pem) = emulator.ca_cert_pem() {
            std::fs::create_dir_all(&ca_dir)
                .with_context(|| format!("creating {}", ca_dir.display()))?;
            let path = ca_dir.join(format!("{}-ca.pem", api.id()));
            std::fs::write(&path, pem).with_context(|| format!("writing {}", path.display()))?;
            line.push(' ');
            line.push_str(&path.display().to_string());
        }
        writeln!(stdout, "{line}")?;
        if api == Api::GenericJwt {
            // Documented: no login endpoint; hand out a refresh token for each account (on stderr,
            // keeping stdout 5 lines).
            for (user, _) in &config(&args, api, index)?.users {
                eprintln!(
                    "generic-jwt refresh token for {user}: {}",
                    emulator.issue_refresh_token(user)
                );
            }
        }
        running.push(emulator);
    }
    stdout.flush()?;
    drop(stdout);
    wait_for_signal().await;
    for emulator in running {
        emulator.shutdown().await;
    }
    Ok(())
}
