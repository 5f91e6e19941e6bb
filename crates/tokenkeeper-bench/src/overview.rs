//! What the app's overview costs at N accounts: the list the window shows and the tray and
//! notifications read on every change. Two ways it is made: from the files (a window, which
//! follows the background) and from a running engine's snapshot (the background). No network:
//! the accounts hold no secret, so the engine's attempts end at once in "needs login".

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use tokenkeeper_app_core::backend::clipboard::MemoryClipboard;
use tokenkeeper_app_core::backend::{Backend, files_overview};
use tokenkeeper_core::account::{Account, AccountId, parse_base_url};
use tokenkeeper_core::store::config::{self, Config};
use tokenkeeper_core::store::keychain::MemoryStore;
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::{Keeper, ProviderKind};

fn median_ms(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(0.0)
}

/// Writes `accounts` accounts and times both overviews `runs` times.
pub async fn run(accounts: usize, runs: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("tokenkeeper-overview-{}", std::process::id()));
    let paths = Paths::new(dir.join("config"));
    paths.ensure()?;
    let list: Vec<Account> = (0..accounts)
        .map(|i| {
            Ok(Account {
                id: AccountId::generate(),
                name: format!("account-{i:05}"),
                provider: ProviderKind::ALL[i % 5],
                url: parse_base_url(&format!("https://host-{i}.example.invalid"))?,
                username: Some("admin".to_owned()),
                ttl: None,
                ca_cert: None,
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
            })
        })
        .collect::<anyhow::Result<_>>()?;
    config::save(
        &paths.config_file(),
        &Config {
            accounts: list,
            ..Config::default()
        },
    )?;
    let keeper = Keeper::with_store(paths, Arc::new(MemoryStore::default()));

    let mut files = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let o = files_overview(&keeper);
        anyhow::ensure!(o.accounts.len() == accounts, "files overview short");
        files.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    let backend = Backend::start_engine(keeper, Arc::new(MemoryClipboard::default()), false)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Let the engine's first attempts settle (each ends in "needs login" without a secret).
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let mut engine = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let o = backend.overview().await;
        anyhow::ensure!(o.accounts.len() == accounts, "engine overview short");
        engine.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    backend.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "benchmark": "overview",
            "accounts": accounts,
            "runs": runs,
            "from_files_median_ms": median_ms(files),
            "from_the_engine_median_ms": median_ms(engine),
        }))?
    );
    Ok(())
}
