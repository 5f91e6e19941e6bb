//! A token handed out lives as long as promised where a refresh revokes the previous token
//! (JWT Auth Pro, whose emulator revokes on rotation as the real plugin does): a handout the
//! current token cannot serve waits for an earlier handout's promise to end before it rotates,
//! and a promise the API's tokens cannot keep is said (`LifetimeTooShort`), for every API.

use std::time::{Duration, Instant};

use tokenkeeper_core::Error;
use tokenkeeper_emulators::{Api, EmulatorConfig};

use crate::helpers::with_account_on;

fn short(api: Api, ttl: u64) -> EmulatorConfig {
    let mut config = EmulatorConfig::for_api(api);
    config.token_ttl = Some(ttl);
    config.refresh_ttl = Some(3600);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handout_that_would_revoke_a_promised_token_waits_for_the_promise_to_end() {
    // 40 s tokens: refreshed 15 s before expiry (jitter up to 1.5 s), so a token works 23.5 s.
    let (emu, _dir, keeper) =
        with_account_on(short(Api::JwtAuthPro, 40), Api::JwtAuthPro, "wp").await;
    let first = keeper
        .token_info("wp", Duration::from_secs(5))
        .await
        .unwrap();
    let promised_at = Instant::now();
    let (valid_until, expires_at) = (first.valid_until.unwrap(), first.expires_at.unwrap());
    assert!(
        (expires_at - valid_until).num_milliseconds() >= 15_000,
        "it works until the next refresh, not its expiry: {valid_until} / {expires_at}"
    );
    // Later, a handout that needs more than this token has left: a refresh would revoke the
    // token promised above, so it waits for that promise to end.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let second = {
        let keeper = keeper.clone();
        tokio::spawn(async move { keeper.token_info("wp", Duration::from_secs(21)).await })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        emu.access_token_valid(first.token.expose()),
        "the first token still works within its promise"
    );
    let second = second.await.unwrap().unwrap();
    assert!(
        promised_at.elapsed() >= Duration::from_millis(4900),
        "the rotation came after the promise ended: {:?}",
        promised_at.elapsed()
    );
    assert_ne!(second.fingerprint, first.fingerprint);
    assert!(emu.access_token_valid(second.token.expose()));
    assert!(
        !emu.access_token_valid(first.token.expose()),
        "the server revoked the first token at the rotation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promise_the_apis_tokens_cannot_keep_is_said_and_nothing_is_lost() {
    for api in Api::ALL {
        let (emu, _dir, keeper) = with_account_on(short(api, 30), api, "acc").await;
        let err = keeper
            .token_info("acc", Duration::from_secs(3600))
            .await
            .unwrap_err();
        let Error::LifetimeTooShort {
            lifetime_secs,
            asked_secs,
            revokes,
            ..
        } = &err
        else {
            panic!("{api:?}: {err}");
        };
        assert!((29..=30).contains(lifetime_secs), "{api:?}: {err}");
        assert_eq!(*asked_secs, 3600);
        assert_eq!(*revokes, api == Api::JwtAuthPro, "{api:?}");
        assert!(
            err.to_string().contains("less than the 3600 s asked for"),
            "{err}"
        );
        // The token the attempt brought is kept and works.
        let token = keeper.token("acc", Duration::from_secs(1)).await.unwrap();
        assert!(emu.access_token_valid(token.expose()), "{api:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promise_made_before_the_state_file_names_the_new_token_is_recorded_and_kept() {
    // The background rotated the token and writes state.json within a second: a handout in
    // that second is served the keychain's new token (its JWT's times) and its promise must
    // still reach the file, or the next handout would rotate and revoke the token promised.
    // 30 s tokens: refreshed 15 s before expiry (jitter up to 1.5 s), so a token works 13.5 s.
    let (emu, _dir, keeper) =
        with_account_on(short(Api::JwtAuthPro, 30), Api::JwtAuthPro, "wp").await;
    let state_file = keeper.paths().state_file();
    keeper
        .token_info("wp", Duration::from_secs(1))
        .await
        .unwrap();
    let before = std::fs::read(&state_file).unwrap();
    keeper.refresh("wp").await.unwrap();
    // As if the rotation's state had not been written yet.
    std::fs::write(&state_file, &before).unwrap();
    let handout = keeper
        .token_info("wp", Duration::from_secs(5))
        .await
        .unwrap();
    let promised_at = Instant::now();
    let id = keeper.find("wp").unwrap().id;
    let on_disk = tokenkeeper_core::store::state::read(keeper.paths(), id).unwrap();
    assert_eq!(
        on_disk.token_fingerprint.as_deref(),
        Some(handout.fingerprint.as_str()),
        "the file names the token handed out"
    );
    let promised = on_disk.promised_until.expect("the promise was recorded");
    assert!(promised >= chrono::Utc::now() + chrono::TimeDelta::seconds(4));
    // A handout the token cannot serve (12 s asked, under 12 s left) waits for that promise.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let next = {
        let keeper = keeper.clone();
        tokio::spawn(async move { keeper.token_info("wp", Duration::from_secs(12)).await })
    };
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert!(
        emu.access_token_valid(handout.token.expose()),
        "the token handed out still works within its promise"
    );
    let next = next.await.unwrap().unwrap();
    assert!(
        promised_at.elapsed() >= Duration::from_millis(4900),
        "the rotation came after the promise ended: {:?}",
        promised_at.elapsed()
    );
    assert_ne!(next.fingerprint, handout.fingerprint);
    assert!(emu.access_token_valid(next.token.expose()));
}
