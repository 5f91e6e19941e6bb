//! WordPress JWT Auth Pro: token families, HTML-stripped WordPress errors, rate limits with
//! Retry-After: as the real plugin (0.2.1) does them, and as its documentation says (the
//! emulator's `documented` variant), both of which must work. The real plugin's login and
//! rotating refresh, expiry under skew, its wrong-password answer and a revoked token, and the
//! documented refresh failure are in `providers_every_api.rs` (its row in `api_table.rs`).

use tokenkeeper_core::{ErrorKind, Secret};
use tokenkeeper_emulators::{Api, EmulatorConfig};

use crate::helpers::{
    account, assert_api_error, assert_expires_in, http, login, refresh, start, start_with,
    stored_from,
};

fn documented() -> EmulatorConfig {
    let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
    config.documented = true;
    config
}

#[tokio::test]
async fn the_documented_shape_works_too() {
    let emu = start_with(documented(), Api::JwtAuthPro).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    let second = refresh(&acc, &stored_from(&first)).await.unwrap();
    assert_ne!(second.refresh, first.refresh, "refresh token rotates");
    assert_expires_in(second.expires_at, 7 * 86_400);
}

#[tokio::test]
async fn reuse_is_refused_and_the_real_plugin_keeps_the_family() {
    // The real plugin: 403 jwt_auth_invalid_refresh_token, and the newest token still works.
    let emu = start(Api::JwtAuthPro).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    let second = refresh(&acc, &stored_from(&first)).await.unwrap();
    let err = refresh(&acc, &stored_from(&first)).await.unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Auth,
        Some(403),
        Some("jwt_auth_invalid_refresh_token"),
    );
    let stats = emu.stats();
    assert_eq!((stats.refresh_token_reuse, stats.families_revoked), (1, 0));
    refresh(&acc, &stored_from(&second)).await.unwrap();
    // As documented: the reuse revokes the whole family.
    let emu = start_with(documented(), Api::JwtAuthPro).await;
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    let second = refresh(&acc, &stored_from(&first)).await.unwrap();
    let err = refresh(&acc, &stored_from(&first)).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Auth, Some(403), None);
    let stats = emu.stats();
    assert_eq!((stats.refresh_token_reuse, stats.families_revoked), (1, 1));
    let err = refresh(&acc, &stored_from(&second)).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Auth, Some(403), None);
}

#[tokio::test]
async fn the_documented_wrong_password_message_is_stripped_of_html_too() {
    let emu = start_with(documented(), Api::JwtAuthPro).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let err = tokenkeeper_core::providers::provider_for(acc.provider)
        .login(&http(), &acc, &Secret::new("nope"))
        .await
        .unwrap_err()
        .error;
    assert_api_error(
        &err,
        ErrorKind::Auth,
        Some(403),
        Some("[jwt_auth] incorrect_password"),
    );
    assert!(!err.message.contains('<'), "{}", err.message);
    assert!(
        err.message.starts_with("ERROR: The password you entered"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn the_documented_rate_limit_is_five_logins_a_minute() {
    let mut config = documented();
    config.rate_limits = true;
    let emu = start_with(config, Api::JwtAuthPro).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    login(&emu, &acc).await.unwrap();
    // Authentication is limited to 5 a minute per IP.
    let mut limited = None;
    for _ in 0..6 {
        if let Err(e) = login(&emu, &acc).await {
            limited = Some(e);
            break;
        }
    }
    let err = limited.expect("the sixth login within a minute is rate limited");
    assert_api_error(
        &err,
        ErrorKind::Transient,
        Some(429),
        Some("jwt_auth_rate_limited"),
    );
    assert!(
        err.retry_after_secs.is_some_and(|s| s > 0 && s <= 60),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_real_plugin_limits_every_route_to_sixty_a_minute_per_ip() {
    let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
    config.rate_limits = true;
    let emu = start_with(config, Api::JwtAuthPro).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    // A refresh and logins share the one limit.
    let set = login(&emu, &acc).await.unwrap();
    refresh(&acc, &stored_from(&set)).await.unwrap();
    let mut limited = None;
    for i in 0..60 {
        if let Err(e) = login(&emu, &acc).await {
            limited = Some((i, e));
            break;
        }
    }
    let (i, err) = limited.expect("the 61st request within a minute is limited");
    assert!(i <= 58, "{i} logins passed after the first two requests");
    assert_api_error(
        &err,
        ErrorKind::Transient,
        Some(429),
        Some("jwt_auth_rate_limited"),
    );
    assert!(
        err.retry_after_secs.is_some_and(|s| s > 0 && s <= 60),
        "{err:?}"
    );
}
