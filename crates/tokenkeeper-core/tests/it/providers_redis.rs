//! Redis Enterprise Software over TLS: login (Basic + ttl), `JWT` refresh, its own error
//! bodies, CA. Lifetimes, documented errors, skew, a wrong password and a revoked token are in
//! `providers_every_api.rs` (its row in `api_table.rs`).

use tokenkeeper_core::ErrorKind;
use tokenkeeper_core::token::decode_claims;
use tokenkeeper_emulators::{Api, FaultAction, FaultTarget};

use crate::helpers::{
    account, account_for, assert_api_error, assert_expires_in, fault, login, refresh, start,
    stored_from,
};

#[tokio::test]
async fn login_then_refresh_with_the_jwt_scheme() {
    let emu = start(Api::RedisEnterprise).await;
    assert!(emu.base_url().starts_with("https://"), "served over TLS");
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    assert_eq!(
        decode_claims(first.access.expose()).unwrap()["sub"],
        crate::helpers::USER
    );
    // The emulator refuses any scheme but `JWT`.
    refresh(&acc, &stored_from(&first)).await.unwrap();
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
async fn a_password_expired_error_keeps_its_code_and_message() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let set = login(&emu, &acc).await.unwrap();
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
