//! WordPress JWT Auth Pro: login, rotating refresh with token families, HTML-stripped
//! WordPress errors, rate limits with Retry-After: as the real plugin (0.2.1) does them, and as
//! its documentation says (the emulator's `documented` variant), both of which must work.

use tokenkeeper_core::{ErrorKind, Secret};
use tokenkeeper_emulators::{Api, EmulatorConfig, FaultAction, FaultTarget};

use crate::helpers::{
    account, assert_api_error, assert_expires_in, fault, http, login, refresh, start, start_with,
    stored_from,
};

#[tokio::test]
async fn login_and_rotating_refresh() {
    let emu = start(Api::JwtAuthPro).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    assert_expires_in(first.expires_at, 7 * 86_400);
    let second = refresh(&acc, &stored_from(&first)).await.unwrap();
    assert!(second.refresh.is_some());
    assert_ne!(second.refresh, first.refresh, "refresh token rotates");
    refresh(&acc, &stored_from(&second)).await.unwrap();
    assert_eq!(emu.stats().refresh_token_reuse, 0);
}

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
async fn wrong_password_message_is_stripped_of_html() {
    for (config, code, start_of_message) in [
        (
            EmulatorConfig::for_api(Api::JwtAuthPro),
            "jwt_auth_failed",
            "Error: The password you entered",
        ),
        (
            documented(),
            "[jwt_auth] incorrect_password",
            "ERROR: The password you entered",
        ),
    ] {
        let emu = start_with(config, Api::JwtAuthPro).await;
        let dir = tempfile::tempdir().unwrap();
        let acc = account(&emu, dir.path());
        let err = tokenkeeper_core::providers::provider_for(acc.provider)
            .login(&http(), &acc, &Secret::new("nope"))
            .await
            .unwrap_err()
            .error;
        assert_api_error(&err, ErrorKind::Auth, Some(403), Some(code));
        assert!(!err.message.contains('<'), "{}", err.message);
        assert!(err.message.starts_with(start_of_message), "{}", err.message);
    }
}

#[tokio::test]
async fn documented_refresh_failure_and_rate_limit() {
    let mut config = documented();
    config.rate_limits = true;
    let emu = start_with(config, Api::JwtAuthPro).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let set = login(&emu, &acc).await.unwrap();
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::ApiError { status: 403 },
    ));
    let err = refresh(&acc, &stored_from(&set)).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Auth, Some(403), None);
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
async fn expiry_holds_under_skew() {
    for offset in [3600, -3600] {
        let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
        config.clock_offset_secs = offset;
        config.token_ttl = Some(600);
        let emu = start_with(config, Api::JwtAuthPro).await;
        let dir = tempfile::tempdir().unwrap();
        let acc = account(&emu, dir.path());
        let set = login(&emu, &acc).await.unwrap();
        assert_expires_in(set.expires_at, 600);
        let again = refresh(&acc, &stored_from(&set)).await.unwrap();
        assert_expires_in(again.expires_at, 600);
    }
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
