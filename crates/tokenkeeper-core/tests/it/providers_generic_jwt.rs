//! The generic JWT service: a login with its own refresh token, the real service's default 500,
//! and the documented Microsoft-style error shape. The non-rotating refresh, `jwtToken`
//! lifetimes, JWT-derived expiry under skew, every documented error, a wrong password and a
//! revoked token are in `providers_every_api.rs` (its row in `api_table.rs`).

use tokenkeeper_core::ErrorKind;
use tokenkeeper_emulators::{Api, EmulatorConfig, FaultAction, FaultTarget};

use crate::helpers::{
    USER, account, assert_api_error, assert_expires_in, fault, login, refresh, start, start_with,
    with_refresh,
};

#[tokio::test]
async fn logs_in_with_a_password_as_the_real_service_does() {
    let emu = start(Api::GenericJwt).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let set = login(&emu, &acc).await.unwrap();
    assert_expires_in(set.expires_at, 300);
    let refresh_token = set
        .refresh
        .clone()
        .expect("the login answers a refresh token");
    let days = (set.refresh_expires_at.unwrap() - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "its own exp: 7 days, {days} h");
    // The refresh keeps it (no rotation), and knows its expiry.
    let again = refresh(&acc, &with_refresh(refresh_token.expose()))
        .await
        .unwrap();
    assert!(again.refresh.is_none());
    assert_eq!(
        again.refresh_expires_at.map(|t| t.timestamp() / 10),
        set.refresh_expires_at.map(|t| t.timestamp() / 10)
    );
}

#[tokio::test]
async fn the_real_service_answers_an_unknown_refresh_token_with_its_default_500() {
    let emu = start(Api::GenericJwt).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    // Not a JWT it signed: Spring's default error body, a 500, retried as temporary.
    let err = refresh(&acc, &with_refresh("not-issued"))
        .await
        .unwrap_err();
    assert_api_error(&err, ErrorKind::Transient, Some(500), None);
    assert!(
        err.message.starts_with("Internal Server Error"),
        "{}",
        err.message
    );
    // An access token sent as a refresh token: 400 invalidRefreshToken.
    let set = login(&emu, &acc).await.unwrap();
    let err = refresh(&acc, &with_refresh(set.access.expose()))
        .await
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Config,
        Some(400),
        Some("invalidRefreshToken"),
    );
}

#[tokio::test]
async fn the_documented_service_refuses_unknown_tokens_and_keeps_error_targets() {
    let mut config = EmulatorConfig::for_api(Api::GenericJwt);
    config.documented = true;
    let emu = start_with(config, Api::GenericJwt).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let rt = emu.issue_refresh_token(USER);
    let err = refresh(&acc, &with_refresh("not-issued"))
        .await
        .unwrap_err();
    assert_api_error(&err, ErrorKind::Auth, Some(401), None);
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::Respond {
            status: 400,
            headers: vec![("content-type".into(), "application/json".into())],
            body: r#"{"error":{"code":"BadArgument","message":"Invalid refresh token","target":"refreshToken","details":[{"code":"Malformed","message":"not base64","target":"refreshToken"}],"innererror":{"trace":"x"}}}"#.into(),
        },
    ));
    let err = refresh(&acc, &with_refresh(&rt)).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Config, Some(400), Some("BadArgument"));
    assert_eq!(err.message, "Invalid refresh token (not base64)");
    assert_eq!(
        err.fields,
        vec!["refreshToken".to_owned(), "refreshToken".to_owned()]
    );
}
