//! The cases every API has, run for every API from its row in `api_table.rs`: the first tokens
//! and a refresh (lifetime, a new token, what becomes of the refresh token), every documented
//! error of a refresh, the expiry with the server's clock an hour off, a wrong password, and a
//! refresh after the server revoked every token. What only one API does is in its own file.

use tokenkeeper_core::providers::{StoredTokens, provider_for};
use tokenkeeper_core::token::TokenSet;
use tokenkeeper_core::{Account, ApiError, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, FaultAction, FaultTarget};

use crate::api_table::{ApiRow, Code, First, RefreshToken, Refusal, for_every_api};
use crate::helpers::{
    USER, account, assert_api_error, assert_expires_in, fault, http, login, refresh, start_with,
    stored_from, with_refresh,
};

for_every_api!(
    first_tokens_then_a_refresh,
    every_documented_error_keeps_status_kind_and_code,
    expiry_holds_with_the_server_clock_an_hour_off,
    a_wrong_password_is_refused_with_the_api_code,
    a_revoked_token_is_refused_as_the_api_says,
);

/// The account's first tokens ([`ApiRow::first`]) and what is stored after them.
async fn first_tokens(row: &ApiRow, emu: &Emulator, acc: &Account) -> (TokenSet, StoredTokens) {
    match row.first {
        First::Login => {
            let set = login(emu, acc).await.unwrap();
            let stored = stored_from(&set);
            (set, stored)
        }
        First::IssuedRefreshToken => {
            let stored = with_refresh(&emu.issue_refresh_token(USER));
            let set = refresh(acc, &stored).await.unwrap();
            (set, stored)
        }
    }
}

/// The emulator as the row's API runs by default, changed by `change`.
async fn emulator(row: &ApiRow, change: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut config = EmulatorConfig::for_api(row.api);
    change(&mut config);
    start_with(config, row.api).await
}

#[track_caller]
fn assert_refusal(err: &ApiError, expected: &Refusal, api: Api) {
    assert_api_error(
        err,
        expected.kind,
        Some(expected.status),
        expected.code.exact(),
    );
    assert!(!err.message.contains('<'), "{api:?}: {}", err.message);
    assert!(
        err.message.starts_with(expected.message),
        "{api:?}: {}",
        err.message
    );
}

async fn first_tokens_then_a_refresh(row: &ApiRow) {
    let emu = emulator(row, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let (first, stored) = first_tokens(row, &emu, &acc).await;
    assert_expires_in(first.expires_at, row.lifetime);
    let second = refresh(&acc, &stored).await.unwrap();
    assert_ne!(second.access, first.access, "a new access token");
    assert_expires_in(second.expires_at, row.lifetime);
    match row.refresh_token {
        RefreshToken::None => {
            assert!(
                first.refresh.is_none(),
                "{:?} has no refresh token",
                row.api
            );
            assert!(second.refresh.is_none());
        }
        RefreshToken::Kept => {
            assert!(second.refresh.is_none(), "keeps the stored refresh token");
            if row.first == First::IssuedRefreshToken {
                assert!(first.refresh.is_none(), "keeps the stored refresh token");
            }
        }
        RefreshToken::Rotated => {
            assert!(second.refresh.is_some());
            assert_ne!(second.refresh, first.refresh, "refresh token rotates");
            // The rotated one works in turn, and nothing was presented twice.
            let third = refresh(&acc, &stored_from(&second)).await.unwrap();
            assert_ne!(third.access, second.access);
            assert_eq!(emu.stats().refresh_token_reuse, 0);
        }
    }
}

async fn every_documented_error_keeps_status_kind_and_code(row: &ApiRow) {
    let emu = emulator(row, |config| config.documented = row.errors_documented).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let (_, stored) = first_tokens(row, &emu, &acc).await;
    for &(status, kind, code) in row.errors {
        emu.push_fault(fault(
            FaultTarget::Refresh,
            FaultAction::ApiError { status },
        ));
        let err = refresh(&acc, &stored).await.unwrap_err();
        assert_api_error(&err, kind, Some(status), code.exact());
        if let Code::Any = code {
            assert!(
                err.code.is_some(),
                "status {status}: the API's code kept: {err:?}"
            );
        }
    }
    // The faults consumed nothing: the stored tokens still work.
    refresh(&acc, &stored).await.unwrap();
}

async fn expiry_holds_with_the_server_clock_an_hour_off(row: &ApiRow) {
    // The API's own lifetime, and one set on the server.
    for (token_ttl, lifetime) in [(None, row.lifetime), (Some(900), 900)] {
        for offset in [3600, -3600] {
            let emu = emulator(row, |config| {
                config.clock_offset_secs = offset;
                config.token_ttl = token_ttl;
            })
            .await;
            let dir = tempfile::tempdir().unwrap();
            let acc = account(&emu, dir.path());
            let (set, stored) = first_tokens(row, &emu, &acc).await;
            assert_expires_in(set.expires_at, lifetime);
            let again = refresh(&acc, &stored).await.unwrap();
            assert_expires_in(again.expires_at, lifetime);
        }
    }
}

async fn a_wrong_password_is_refused_with_the_api_code(row: &ApiRow) {
    let emu = emulator(row, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let err = provider_for(acc.provider)
        .login(&http(), &acc, &Secret::new("wrong"))
        .await
        .unwrap_err()
        .error;
    assert_refusal(&err, &row.wrong_password, row.api);
}

async fn a_revoked_token_is_refused_as_the_api_says(row: &ApiRow) {
    let emu = emulator(row, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let (_, stored) = first_tokens(row, &emu, &acc).await;
    emu.revoke_all();
    let err = refresh(&acc, &stored).await.unwrap_err();
    assert_refusal(&err, &row.revoked, row.api);
}
