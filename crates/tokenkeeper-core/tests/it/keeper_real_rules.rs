//! The renewal rules that real servers and real clients taught us (docs/API-EVIDENCE.md),
//! through the keeper against the emulators that now copy them: a refresh token that is a JWT
//! carries its own expiry; the generic service's login lets an account outlive its 7-day
//! refresh token; Smartling's refresh tokens die with the user's SSO session, so the last
//! refresh before that is a login instead.

use chrono::{TimeDelta, Utc};
use tokenkeeper_core::keeper::InitialSecret;
use tokenkeeper_core::keeper::Keeper;
use tokenkeeper_core::store::keychain::SecretKind;
use tokenkeeper_core::store::state;
use tokenkeeper_core::{Error, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig};

use crate::helpers::{USER, keeper, new_account, start, start_with, stored};

#[tokio::test]
async fn the_generic_service_with_a_password_logs_in_and_keeps_its_refresh_token() {
    let emu = start(Api::GenericJwt).await;
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    keeper
        .add(
            new_account(&emu, dir.path(), "svc"),
            InitialSecret::Password(Secret::new(crate::helpers::PASSWORD)),
        )
        .await
        .unwrap();
    assert_eq!(emu.stats().logins, 1);
    let refresh = stored(&keeper, "svc", SecretKind::Refresh);
    assert!(refresh.is_some(), "the login's refresh token is kept");
    let view = &keeper.list().unwrap()[0];
    let days = (view.refresh_expires_at.unwrap() - Utc::now()).num_hours();
    assert!(
        (167..=168).contains(&days),
        "its own exp says 7 days: {days} h"
    );
    // Refreshes do not rotate: the same refresh token goes on working.
    for _ in 0..2 {
        keeper.refresh("svc").await.unwrap();
        assert_eq!(stored(&keeper, "svc", SecretKind::Refresh), refresh);
    }
    assert_eq!((emu.stats().refreshes, emu.stats().logins), (2, 1));

    // Eight days on (the server's clock): the refresh token has expired. The service answers
    // that with its default 500; the token's own exp, read against the answer's Date, says
    // why, and the stored password logs in once instead of a 500 retried forever.
    emu.advance_clock(8 * 86_400);
    let view = keeper.refresh("svc").await.unwrap();
    assert!(view.last_error.is_none());
    assert_eq!(emu.stats().logins, 2, "one login");
    assert_ne!(
        stored(&keeper, "svc", SecretKind::Refresh),
        refresh,
        "the new refresh token"
    );
}

#[tokio::test]
async fn an_expired_refresh_token_without_a_password_needs_login_and_says_why() {
    let emu = start(Api::GenericJwt).await;
    let (_dir, keeper) = from_refresh_token(&emu, "svc").await;
    emu.advance_clock(8 * 86_400);
    let err = keeper.refresh("svc").await.unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("refresh token expired"), "{text}");
    assert!(
        text.contains("store new credentials (a password or a refresh token)"),
        "every secret kind the API takes: {text}"
    );
    assert!(keeper.list().unwrap()[0].status == tokenkeeper_core::store::state::Status::NeedsLogin);
}

#[tokio::test]
async fn a_refresh_token_known_to_have_expired_is_not_sent() {
    let emu = start(Api::GenericJwt).await;
    let (_dir, keeper) = from_refresh_token(&emu, "svc").await;
    // What the state file knows: its own exp has passed (as after a week without the laptop).
    let id = keeper.find("svc").unwrap().id;
    let mut entry = state::read(keeper.paths(), id).unwrap();
    let expired = Utc::now() - TimeDelta::hours(1);
    entry.refresh_expires_at = Some(expired);
    state::store_blocking(keeper.paths(), id, &entry).unwrap();
    let requests = emu.stats().requests;
    let err = keeper.refresh("svc").await.unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    assert!(
        err.to_string().contains("the refresh token expired at"),
        "{err}"
    );
    assert_eq!(emu.stats().requests, requests, "nothing was sent");
}

#[tokio::test]
async fn smartling_logs_in_again_when_the_session_leaves_no_room_for_a_refresh() {
    // The identity server caps a refreshed token's lifetime to what is left of the user's SSO
    // session; here the session lasts 600 s and access tokens 480 s.
    let mut config = EmulatorConfig::for_api(Api::Smartling);
    config.smartling_session_secs = Some(600);
    let emu = start_with(config, Api::Smartling).await;
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    keeper
        .add(
            new_account(&emu, dir.path(), "s"),
            InitialSecret::Password(Secret::new(crate::helpers::PASSWORD)),
        )
        .await
        .unwrap();
    // 300 s into the session a refresh gives tokens that both end with it.
    emu.advance_clock(300);
    keeper.refresh("s").await.unwrap();
    let view = &keeper.list().unwrap()[0];
    let left = (view.refresh_expires_at.unwrap() - Utc::now()).num_seconds();
    assert!(
        (295..=300).contains(&left),
        "refreshExpiresIn shrank with the session: {left}"
    );
    assert_eq!((emu.stats().refreshes, emu.stats().logins), (1, 1));
    // The refresh token would not outlive the next access token: a login, not a refresh.
    keeper.refresh("s").await.unwrap();
    assert_eq!(
        (emu.stats().refreshes, emu.stats().logins),
        (1, 2),
        "logged in instead"
    );
    let view = &keeper.list().unwrap()[0];
    let left = (view.refresh_expires_at.unwrap() - Utc::now()).num_seconds();
    assert!(left > 500, "a new session: {left}");
    assert_eq!(
        emu.stats().refreshes_after_session_end,
        0,
        "never refreshed into the dead end"
    );
}

#[tokio::test]
async fn without_a_password_smartling_refreshes_until_the_session_ends_then_needs_login() {
    let mut config = EmulatorConfig::for_api(Api::Smartling);
    config.smartling_session_secs = Some(600);
    let emu = start_with(config, Api::Smartling).await;
    let (_dir, keeper) = from_refresh_token(&emu, "s").await;
    emu.advance_clock(300);
    keeper.refresh("s").await.unwrap();
    keeper.refresh("s").await.unwrap();
    assert_eq!(emu.stats().logins, 0);
    emu.advance_clock(400);
    let err = keeper.refresh("s").await.unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
}

/// A keeper with one account `name` added from a refresh token the emulator issued (no
/// password stored).
async fn from_refresh_token(emu: &Emulator, name: &str) -> (tempfile::TempDir, Keeper) {
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    let given = Secret::new(emu.issue_refresh_token(USER));
    keeper
        .add(
            new_account(emu, dir.path(), name),
            InitialSecret::RefreshToken(given),
        )
        .await
        .unwrap();
    (dir, keeper)
}
