//! The scale and idle benchmarks: an engine over many accounts, emulators in another process.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokenkeeper_core::account::{Account, AccountId, ProviderKind, parse_base_url};
use tokenkeeper_core::engine::events::EventKind;
use tokenkeeper_core::engine::{Engine, EngineConfig};
use tokenkeeper_core::store::config::{self, Config};
use tokenkeeper_core::store::keychain::{MemoryStore, SecretKind, SecretStore};
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::{Keeper, Secret};
use tokio::sync::broadcast::error::RecvError;

use crate::emulators;
use crate::proc::{cpu_seconds, peak_rss_mib};

const USER: &str = "admin@example.com";
const PASSWORD: &str = "s3cret";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Runs one benchmark and prints its figures.
pub async fn run(accounts: usize, lifetime: u64, seconds: u64, idle: bool) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("tokenkeeper-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let emus = emulators::start(lifetime, &dir)?;
    let paths = Paths::new(dir.join("config"));
    paths.ensure()?;
    let store = Arc::new(MemoryStore::default());
    let mut list = Vec::with_capacity(accounts);
    for i in 0..accounts {
        let provider = ProviderKind::ALL[i % 5];
        let (url, ca) = &emus.urls[provider.id()];
        let account = Account {
            id: AccountId::generate(),
            name: format!("bench-{i}"),
            provider,
            url: parse_base_url(url)?,
            username: Some(USER.to_owned()),
            ttl: (provider == ProviderKind::RedisEnterprise).then_some(lifetime),
            ca_cert: ca.clone(),
            trust_cert: None,
            insecure: false,
            created_at: Utc::now(),
            refresh_lead_secs: None,
            plain_permalinks: false,
            allow_plain_http: false,
            hook: None,
            tags: Vec::new(),
            pinned: false,
            oauth: None,
        };
        let (kind, secret) = match provider {
            ProviderKind::GenericJwt => (SecretKind::Refresh, emus.generic_refresh_token.clone()),
            _ => (SecretKind::Password, PASSWORD.to_owned()),
        };
        store.set(account.id, kind, &Secret::new(secret))?;
        list.push(account);
    }
    config::save(
        &paths.config_file(),
        &Config {
            accounts: list,
            ..Config::default()
        },
    )?;
    let keeper = Keeper::with_store(paths, store.clone());
    // Count only what the engine uses from here on, not the benchmark's own setup (writing
    // 10,000 accounts' config): reset the peak.
    crate::proc::reset_peak_rss();
    let rss_before_engine = crate::proc::rss_mib();
    let started = Instant::now();
    let engine = Engine::start(keeper, EngineConfig::default()).await?;
    let mut events = engine.subscribe();
    // Warm-up: every account gets its first token (a cold start with everything due at once).
    while engine.metrics().refreshed < accounts as u64 {
        if let Ok(Err(RecvError::Closed)) =
            tokio::time::timeout(Duration::from_secs(1), events.recv()).await
        {
            anyhow::bail!("engine stopped");
        }
        if started.elapsed() > Duration::from_secs(600) {
            anyhow::bail!("warm-up took over 10 minutes");
        }
    }
    let warm_up = started.elapsed();
    let peak_after_warm_up = peak_rss_mib();
    if idle {
        // Let the warm-up's flush land, then measure a quiet engine.
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let cpu0 = cpu_seconds();
    let precise0 = crate::proc::cpu_by_thread();
    let m0 = engine.metrics();
    let t0 = Instant::now();
    let until = t0 + Duration::from_secs(seconds);
    let mut lateness_ms = Vec::new();
    let mut expiry: HashMap<AccountId, DateTime<Utc>> = HashMap::new();
    let (mut missed, mut lagged, mut failed) = (0u64, 0u64, 0u64);
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match tokio::time::timeout(left, events.recv()).await {
            Err(_) => break,
            Ok(Err(RecvError::Closed)) => break,
            Ok(Err(RecvError::Lagged(n))) => lagged += n,
            Ok(Ok(event)) => {
                if let (Some(due), Some(start)) = (event.due_at, event.started_at) {
                    lateness_ms
                        .push((start - due).num_microseconds().unwrap_or(0).max(0) as f64 / 1000.0);
                }
                match event.kind {
                    EventKind::Refreshed => {
                        if let (Some(previous), Some(start)) =
                            (expiry.get(&event.account), event.started_at)
                            && start >= *previous
                        {
                            missed += 1;
                        }
                        if let Some(at) = event.expires_at {
                            expiry.insert(event.account, at);
                        }
                    }
                    EventKind::Failed | EventKind::WillExpire | EventKind::NeedsLogin => {
                        failed += 1
                    }
                    _ => {}
                }
            }
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let cpu_precise = crate::proc::cpu_since(&precise0);
    let m1 = engine.metrics();
    let (keychain_entries, keychain_bytes) = store.held();
    engine.shutdown().await;
    drop(emus);
    let _ = std::fs::remove_dir_all(&dir);
    lateness_ms.sort_by(f64::total_cmp);
    let refreshes = m1.refreshed - m0.refreshed;
    let report = serde_json::json!({
        "benchmark": if idle { "idle" } else { "scale" },
        "accounts": accounts,
        "token_lifetime_s": lifetime,
        "warm_up_s": warm_up.as_secs_f64(),
        "measured_s": elapsed,
        "refreshes": refreshes,
        "failed": failed,
        "missed": missed,
        "events_lagged": lagged,
        "cpu_s": cpu,
        "cpu_s_per_1000_refreshes": if refreshes > 0 { cpu * 1000.0 / refreshes as f64 } else { 0.0 },
        "cpu_s_per_minute": cpu * 60.0 / elapsed,
        "cpu_s_live_threads_ns_resolution": cpu_precise,
        "wakeups": m1.wakeups - m0.wakeups,
        // Re-reads of state.json: only after another process wrote it (none here).
        "state_reloads": m1.state_reloads,
        "peak_rss_mib": peak_rss_mib(),
        "peak_rss_after_warm_up_mib": peak_after_warm_up,
        "rss_at_end_mib": crate::proc::rss_mib(),
        "rss_before_engine_mib": rss_before_engine,
        // The stand-in keychain lives in this process (a real one is another process).
        "keychain_stand_in": {
            "entries": keychain_entries,
            "value_mib": keychain_bytes as f64 / (1024.0 * 1024.0),
        },
        "lateness_ms": {
            "samples": lateness_ms.len(),
            "p50": percentile(&lateness_ms, 0.5),
            "p99": percentile(&lateness_ms, 0.99),
            "max": lateness_ms.last().copied().unwrap_or(0.0),
        },
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
