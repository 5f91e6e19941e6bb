//! Many processes at once on one rotating account: the cross-process lock must serialise
//! them, each must use the newest refresh token, and none may be reused.

use std::sync::Arc;

use tokenkeeper_emulators::Api;

use crate::helpers::{Env, blocking, run_command, start};

fn spawn_many(env: &Env, args: &[&str], n: usize) -> Vec<crate::helpers::Run> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            let cmd = env.command(args);
            std::thread::spawn(move || run_command(cmd, None))
        })
        .collect();
    children.into_iter().map(|c| c.join().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_refreshes_never_reuse_a_refresh_token() {
    for api in [Api::JwtAuthPro, Api::Smartling] {
        let emu = Arc::new(start(api).await);
        let env = Arc::new(Env::new());
        let (e, em) = (env.clone(), emu.clone());
        blocking(move || {
            e.add("rot", &em).0.ok();
            let logins = em.stats().logins;
            for run in spawn_many(&e, &["refresh", "rot"], 8) {
                run.ok();
            }
            let stats = em.stats();
            assert_eq!(
                stats.refresh_token_reuse, 0,
                "{api:?}: a refresh token was reused"
            );
            assert_eq!(stats.families_revoked, 0, "{api:?}");
            // JWT Auth Pro's tokens hold whole seconds and the plugin finds them by hash: a
            // refresh within the second of the previous one answers the twin of the token it
            // has just revoked, and is repeated once a second later. Eight refreshes in turn
            // take a few seconds, so some of them need that second request.
            let expected = if api == Api::JwtAuthPro {
                8..=16
            } else {
                8..=8
            };
            assert!(
                expected.contains(&stats.refreshes),
                "{api:?}: each process refreshed in turn: {} refreshes",
                stats.refreshes
            );
            assert_eq!(
                stats.logins, logins,
                "{api:?}: no fallback login was needed"
            );
            let token = e.run(&["token", "rot"], None).ok().stdout;
            assert!(
                em.access_token_valid(token.trim()),
                "{api:?}: the server accepts the token kept after eight rotations"
            );
            e.run(&["remove", "rot"], None).ok();
        })
        .await;
    }
}

/// Pretends the stored token expires in `secs` (the state file is ours to edit).
fn age_token(env: &Env, secs: i64) {
    let path = env.config_dir().join("state.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let soon = (chrono::Utc::now() + chrono::TimeDelta::seconds(secs)).to_rfc3339();
    for entry in state["accounts"].as_object_mut().unwrap().values_mut() {
        entry["expires_at"] = soon.clone().into();
    }
    std::fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_token_requests_share_one_refresh() {
    let emu = Arc::new(start(Api::JwtAuthPro).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.add("wp", &em).0.ok();
        // The refresh comes in another second of the server's clock than the login (within
        // the same one the real plugin answers the revoked token's twin; see above).
        em.advance_clock(2);
        age_token(&e, 10);
        // All eight need a token valid for 60 s; the first to take the lock refreshes, the
        // others re-read what it stored and find it good enough.
        let runs = spawn_many(&e, &["token", "wp", "--min-valid", "60"], 8);
        let tokens: std::collections::HashSet<String> =
            runs.into_iter().map(|r| r.ok().stdout).collect();
        assert_eq!(tokens.len(), 1, "all got the same token");
        assert_eq!(em.stats().refreshes, 1, "one refresh served all eight");
        assert_eq!(em.stats().refresh_token_reuse, 0);
        e.run(&["remove", "wp"], None).ok();
    })
    .await;
}
