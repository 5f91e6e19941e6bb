//! Redis Enterprise Software over TLS: login (Basic + ttl), `JWT` refresh, errors, skew, CA.

use tokenkeeper_core::token::decode_claims;
use tokenkeeper_core::{ErrorKind, Secret};
use tokenkeeper_emulators::{Api, EmulatorConfig, FaultAction, FaultTarget};

use crate::helpers::{
    account, account_for, assert_api_error, assert_expires_in, fault, login, refresh, start,
    start_with, stored_from,
};

#[tokio::test]
async fn login_then_refresh_with_the_jwt_scheme() {
    let emu = start(Api::RedisEnterprise).await;
    assert!(emu.base_url().starts_with("https://"), "served over TLS");
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    assert!(
        first.refresh.is_none(),
        "Redis Enterprise has no refresh token"
    );
    assert_expires_in(first.expires_at, 300);
    assert_eq!(
        decode_claims(first.access.expose()).unwrap()["sub"],
        crate::helpers::USER
    );
    let second = refresh(&acc, &stored_from(&first)).await.unwrap();
    assert_ne!(second.access, first.access);
    assert_expires_in(second.expires_at, 300);
    let stats = emu.stats();
    assert_eq!((stats.logins, stats.refreshes), (1, 1));
}

#[tokio::test]
async fn ttl_is_sent_and_honoured() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let mut acc = account_for(&emu, dir.path()).ttl(120).build();
    let set = login(&emu, &acc).await.unwrap();
    assert_expires_in(set.expires_at, 120);
    let again = refresh(&acc, &stored_from(&set)).await.unwrap();
    assert_expires_in(again.expires_at, 120);
    acc.ttl = Some(100_000);
    let err = login(&emu, &acc).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Config, Some(400), None);
}

#[tokio::test]
async fn wrong_password_is_an_auth_error_with_the_api_code() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let err = tokenkeeper_core::providers::provider_for(acc.provider)
        .login(&crate::helpers::http(), &acc, &Secret::new("wrong"))
        .await
        .unwrap_err()
        .error;
    assert_api_error(&err, ErrorKind::Auth, Some(401), Some("unauthorized"));
}

#[tokio::test]
async fn an_invalid_token_is_refused_as_auth() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let set = login(&emu, &acc).await.unwrap();
    emu.revoke_all();
    let err = refresh(&acc, &stored_from(&set)).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Auth, Some(401), Some("unauthorized"));
    assert!(err.message.contains("invalid"), "{err}");
}

#[tokio::test]
async fn every_documented_error_keeps_status_code_and_message() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let set = login(&emu, &acc).await.unwrap();
    let cases = [
        (400, ErrorKind::Config),
        (401, ErrorKind::Auth),
        (403, ErrorKind::Auth),
        (404, ErrorKind::Config),
        (503, ErrorKind::Transient),
    ];
    for (status, kind) in cases {
        emu.push_fault(fault(
            FaultTarget::Refresh,
            FaultAction::ApiError { status },
        ));
        let err = refresh(&acc, &stored_from(&set)).await.unwrap_err();
        assert_api_error(&err, kind, Some(status), None);
        assert!(
            err.code.is_some(),
            "status {status}: error_code kept: {err:?}"
        );
    }
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::Respond {
            status: 401,
            headers: vec![("content-type".into(), "application/json".into())],
            body: r#"{"error_code":"password_expired","message":"The password has expired"}"#
                .into(),
        },
    ));
    let err = refresh(&acc, &stored_from(&set)).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Auth, Some(401), Some("password_expired"));
    assert_eq!(err.message, "The password has expired");
}

#[tokio::test]
async fn expiry_is_right_with_the_server_clock_an_hour_off() {
    for offset in [3600, -3600] {
        let mut config = EmulatorConfig::for_api(Api::RedisEnterprise);
        config.clock_offset_secs = offset;
        let emu = start_with(config, Api::RedisEnterprise).await;
        let dir = tempfile::tempdir().unwrap();
        let acc = account(&emu, dir.path());
        let set = login(&emu, &acc).await.unwrap();
        assert_expires_in(set.expires_at, 300);
        let again = refresh(&acc, &stored_from(&set)).await.unwrap();
        assert_expires_in(again.expires_at, 300);
    }
}

#[tokio::test]
async fn self_signed_certificate_needs_the_ca_file_or_insecure() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let mut acc = account_for(&emu, dir.path()).ca_cert(None).build();
    let err = login(&emu, &acc).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Config, None, Some("certificate_untrusted"));
    let presented = err.certificate.as_ref().map(|c| &c.presented[..]);
    assert!(
        presented.is_some_and(|p| p.len() == 1 && p[0].self_signed),
        "{err:?}"
    );
    acc.insecure = true;
    login(&emu, &acc).await.unwrap();
    acc.insecure = false;
    let bogus = dir.path().join("not-a-cert.pem");
    std::fs::write(&bogus, "hello").unwrap();
    acc.ca_cert = Some(bogus);
    let err = login(&emu, &acc).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Config, None, Some("ca_cert"));
}
