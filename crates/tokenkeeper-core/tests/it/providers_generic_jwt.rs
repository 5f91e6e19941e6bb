//! The generic JWT service: refresh with a non-rotating refresh token, `jwtToken` answers,
//! JWT-derived expiry under skew, and the Microsoft-style error shape.

use tokenkeeper_core::providers::StoredTokens;
use tokenkeeper_core::{ErrorKind, Secret};
use tokenkeeper_emulators::{Api, EmulatorConfig, FaultAction, FaultTarget};

use crate::helpers::{
    USER, account, assert_api_error, assert_expires_in, fault, login, refresh, start, start_with,
};

fn with_refresh(token: &str) -> StoredTokens {
    StoredTokens {
        refresh: Some(Secret::new(token)),
        ..StoredTokens::default()
    }
}

#[tokio::test]
async fn refresh_token_does_not_rotate() {
    let emu = start(Api::GenericJwt).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let rt = emu.issue_refresh_token(USER);
    let first = refresh(&acc, &with_refresh(&rt)).await.unwrap();
    assert!(first.refresh.is_none(), "keeps the stored refresh token");
    assert_expires_in(first.expires_at, 300);
    let second = refresh(&acc, &with_refresh(&rt)).await.unwrap();
    assert_ne!(first.access, second.access);
}

#[tokio::test]
async fn there_is_no_login() {
    let emu = start(Api::GenericJwt).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let err = login(&emu, &acc).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Config, None, Some("no_login"));
    assert_eq!(emu.stats().requests, 0, "nothing was sent");
}

#[tokio::test]
async fn jwt_expiry_holds_under_skew() {
    for offset in [3600, -3600] {
        let mut config = EmulatorConfig::for_api(Api::GenericJwt);
        config.clock_offset_secs = offset;
        config.token_ttl = Some(900);
        let emu = start_with(config, Api::GenericJwt).await;
        let dir = tempfile::tempdir().unwrap();
        let acc = account(&emu, dir.path());
        let rt = emu.issue_refresh_token(USER);
        let set = refresh(&acc, &with_refresh(&rt)).await.unwrap();
        assert_expires_in(set.expires_at, 900);
    }
}

#[tokio::test]
async fn every_documented_error_with_code_message_and_target() {
    let emu = start(Api::GenericJwt).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let rt = emu.issue_refresh_token(USER);
    for (status, kind) in [
        (400, ErrorKind::Config),
        (401, ErrorKind::Auth),
        (404, ErrorKind::Config),
        (500, ErrorKind::Transient),
    ] {
        emu.push_fault(fault(
            FaultTarget::Refresh,
            FaultAction::ApiError { status },
        ));
        let err = refresh(&acc, &with_refresh(&rt)).await.unwrap_err();
        assert_api_error(&err, kind, Some(status), None);
        assert!(err.code.is_some(), "{err:?}");
    }
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
