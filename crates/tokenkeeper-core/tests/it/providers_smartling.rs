//! Smartling: the refresh token's own lifetime, reuse detection, its error keys and Retry-After.
//! Lifetimes and rotation, every documented error code, expiresIn under skew, a wrong password
//! and a revoked token are in `providers_every_api.rs` (its row in `api_table.rs`).

use tokenkeeper_core::ErrorKind;
use tokenkeeper_core::providers::StoredTokens;
use tokenkeeper_emulators::{Api, FaultAction, FaultTarget};

use crate::helpers::{
    account, assert_api_error, assert_expires_in, fault, login, refresh, start, stored_from,
};

#[tokio::test]
async fn reusing_a_rotated_refresh_token_is_refused_and_detected() {
    let emu = start(Api::Smartling).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    let second = refresh(&acc, &stored_from(&first)).await.unwrap();
    let err = refresh(&acc, &stored_from(&first)).await.unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Auth,
        Some(401),
        Some("AUTHENTICATION_ERROR"),
    );
    assert_eq!(emu.stats().refresh_token_reuse, 1);
    // The family is revoked: the newest token dies too.
    let err = refresh(&acc, &stored_from(&second)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
}

#[tokio::test]
async fn expired_refresh_token_is_known_before_asking() {
    let emu = start(Api::Smartling).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let first = login(&emu, &acc).await.unwrap();
    assert_expires_in(first.refresh_expires_at.unwrap(), 3660);
    let provider = tokenkeeper_core::providers::provider_for(acc.provider);
    let mut stored = stored_from(&first);
    assert!(provider.can_refresh(&stored, chrono::Utc::now()));
    stored.refresh_expires_at = Some(chrono::Utc::now() - chrono::TimeDelta::seconds(1));
    assert!(!provider.can_refresh(&stored, chrono::Utc::now()));
    assert!(!provider.can_refresh(&StoredTokens::default(), chrono::Utc::now()));
}

#[tokio::test]
async fn invalid_token_key_and_retry_after_are_kept() {
    let emu = start(Api::Smartling).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let set = login(&emu, &acc).await.unwrap();
    emu.revoke_all();
    let err = refresh(&acc, &stored_from(&set)).await.unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Auth,
        Some(401),
        Some("AUTHENTICATION_ERROR"),
    );
    assert_eq!(err.fields, vec!["invalid_token".to_owned()]);
    assert_eq!(err.message, "Invalid token");
    emu.push_fault(fault(
        FaultTarget::Login,
        FaultAction::Respond {
            status: 429,
            headers: vec![("retry-after".into(), "17".into())],
            body: r#"{"response":{"code":"MAX_OPERATIONS_LIMIT_EXCEEDED","errors":[{"key":"too_many_requests","message":"Slow down","details":null}]}}"#.into(),
        },
    ));
    let err = login(&emu, &acc).await.unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Transient,
        Some(429),
        Some("MAX_OPERATIONS_LIMIT_EXCEEDED"),
    );
    assert_eq!(err.retry_after_secs, Some(17));
}
