//! A load check, run by hand: 10,000 Smartling accounts.

use crate::common::*;
use crate::smartling::smartling_refresh;

/// 10,000 accounts each logging in and refreshing once against Smartling (rotation state for all of
/// them), 64 at a time, on loopback. `cargo test -p tokenkeeper-emulators -- --ignored scale`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load check, run by hand"]
async fn scale_ten_thousand_accounts() -> Result<()> {
    use futures_util::StreamExt;

    const ACCOUNTS: usize = 10_000;
    let mut config = EmulatorConfig::for_api(Api::Smartling);
    config.users = (0..ACCOUNTS)
        .map(|i| (format!("user{i}"), format!("pw{i}")))
        .collect();
    let env = Env::with(config, Api::Smartling).await?;
    let started = Instant::now();
    let results: Vec<Result<()>> = futures_util::stream::iter(0..ACCOUNTS)
        .map(|i| {
            let env = &env;
            async move {
                let login = env
                    .post_json(
                        "/auth-api/v2/authenticate",
                        json!({ "userIdentifier": format!("user{i}"), "userSecret": format!("pw{i}") }),
                    )
                    .await?;
                let refresh = str_at(&login.json()?, "/response/data/refreshToken")?.to_owned();
                ensure!(smartling_refresh(env, &refresh).await?.status == 200);
                Ok(())
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let failures = results.iter().filter(|r| r.is_err()).count();
    let elapsed = started.elapsed();
    eprintln!("{} requests in {elapsed:?}", ACCOUNTS * 2);
    ensure!(failures == 0, "{failures} failures");
    let stats = env.emu.stats();
    ensure!(
        (stats.logins, stats.refreshes) == (ACCOUNTS as u64, ACCOUNTS as u64),
        "{stats:?}"
    );
    ensure!(elapsed < Duration::from_secs(60), "too slow: {elapsed:?}");
    Ok(())
}
