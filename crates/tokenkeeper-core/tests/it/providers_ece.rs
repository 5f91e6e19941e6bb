//! Elastic Cloud Enterprise: `_login`, Bearer `_refresh` without a body, the SSO redirect, 3.x
//! answers, the Basic fallback, fields and header-only codes. Lifetimes, every documented
//! error, `session_expiration_time` with the `Date` correction (skew), a wrong password and a
//! revoked token are in `providers_every_api.rs` (its row in `api_table.rs`).

use tokenkeeper_core::ErrorKind;
use tokenkeeper_emulators::{Api, EmulatorConfig, FaultAction, FaultTarget};

use crate::helpers::{
    account, assert_api_error, assert_expires_in, fault, login, refresh, start, start_with,
    stored_from,
};

#[tokio::test]
async fn login_then_bearer_refresh() {
    let emu = start(Api::Ece).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    refresh(&acc, &stored_from(&first)).await.unwrap();
    let stats = emu.stats();
    assert_eq!(stats.refreshes, 1);
    // As elastic/cloud-sdk-go does it: the refresh carries no body, the login one.
    assert_eq!(stats.last_refresh_had_body, Some(false));
    assert_eq!(stats.last_login_had_body, Some(true));
}

#[tokio::test]
async fn a_login_redirected_to_single_sign_on_is_a_clear_config_error() {
    let mut config = EmulatorConfig::for_api(Api::Ece);
    config.ece_sso = true;
    let emu = start_with(config, Api::Ece).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let err = login(&emu, &acc).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Config, Some(302), Some("sso_redirect"));
    assert!(
        err.message.contains("single sign-on") && err.message.contains("current access token"),
        "{}",
        err.message
    );
    assert!(
        !err.message.contains("state="),
        "the redirect's query is not quoted: {}",
        err.message
    );
}

#[tokio::test]
async fn version_3_answers_fall_back_to_the_jwt_exp() {
    let mut config = EmulatorConfig::for_api(Api::Ece);
    config.ece_legacy_3x = true;
    config.clock_offset_secs = 3600;
    let emu = start_with(config, Api::Ece).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let set = login(&emu, &acc).await.unwrap();
    assert_expires_in(set.expires_at, 300);
}

#[tokio::test]
async fn login_falls_back_to_basic_refresh_when_login_is_missing() {
    let emu = start(Api::Ece).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    emu.push_fault(fault(
        FaultTarget::Login,
        FaultAction::ApiError { status: 404 },
    ));
    let set = login(&emu, &acc).await.unwrap();
    assert_expires_in(set.expires_at, 300);
}

#[tokio::test]
async fn fields_and_header_only_codes_are_kept() {
    let emu = start(Api::Ece).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let set = login(&emu, &acc).await.unwrap();
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::Respond {
            status: 400,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-cloud-error-codes".into(), "root.invalid_json_request".into()),
            ],
            body: r#"{"errors":[{"code":"root.invalid_json_request","message":"bad field","fields":["ttl"]}]}"#.into(),
        },
    ));
    let err = refresh(&acc, &stored_from(&set)).await.unwrap_err();
    assert_eq!(err.fields, vec!["ttl".to_owned()]);
    assert_eq!(err.code.as_deref(), Some("root.invalid_json_request"));
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::Respond {
            status: 502,
            headers: vec![(
                "x-cloud-error-codes".into(),
                "authc.authentication_cluster_error".into(),
            )],
            body: "Bad gateway".into(),
        },
    ));
    let err = refresh(&acc, &stored_from(&set)).await.unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Transient,
        Some(502),
        Some("authc.authentication_cluster_error"),
    );
}
