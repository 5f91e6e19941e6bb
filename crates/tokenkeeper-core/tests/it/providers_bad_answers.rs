//! Bad answers from every API: garbage, HTML error pages, truncated JSON, a 200 without the
//! token, a token that is not a JWT, a token no bearer header can carry, error messages with
//! terminal escape sequences, a huge body, a dropped connection, a timeout (each run for every
//! API from its row in `api_table.rs`), nothing listening. Each must be a clear typed error,
//! never a panic, a half-read token or a server's control characters.

use std::time::Duration;

use tokenkeeper_core::providers::{Http, provider_for};
use tokenkeeper_core::token::TokenSet;
use tokenkeeper_core::{Account, ApiError, ErrorKind, Secret};
use tokenkeeper_emulators::{Api, FaultAction, FaultTarget};

use crate::api_table::{ApiRow, NotJwt, RefreshToken, for_every_api};
use crate::helpers::{PASSWORD, account, assert_api_error, fault, start};

for_every_api!(
    unreadable_success_answers_are_protocol_errors,
    a_token_that_is_not_a_jwt_is_refused_where_a_jwt_is_needed,
    a_token_no_bearer_header_can_carry_is_refused_and_the_rotated_refresh_token_kept,
    an_error_message_with_escape_sequences_is_shown_clean_and_short,
    html_error_pages_from_a_proxy_are_summarised,
    huge_answers_stop_being_read_at_one_mebibyte,
    dropped_connections_and_timeouts_are_transient,
);

/// The first call a new account makes: a login (every API has one now; the generic
/// service's is `/api/v1/authenticate`).
async fn first_call(acc: &Account, http: &Http) -> Result<TokenSet, ApiError> {
    provider_for(acc.provider)
        .login(http, acc, &Secret::new(PASSWORD))
        .await
        .map_err(|e| *e.error)
}

async fn unreadable_success_answers_are_protocol_errors(row: &ApiRow) {
    let api = row.api;
    let emu = start(api).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let http = crate::helpers::http();
    for action in [
        FaultAction::Garbage,
        FaultAction::Truncated,
        FaultAction::MissingToken,
        FaultAction::Html { status: 200 },
    ] {
        emu.push_fault(fault(FaultTarget::Login, action.clone()));
        let err = first_call(&acc, &http).await.unwrap_err();
        assert_api_error(&err, ErrorKind::Protocol, Some(200), Some("bad_response"));
        assert!(!err.message.is_empty(), "{api:?} {action:?}");
    }
    // Still fine afterwards.
    first_call(&acc, &http).await.unwrap();
}

async fn a_token_that_is_not_a_jwt_is_refused_where_a_jwt_is_needed(row: &ApiRow) {
    let api = row.api;
    let emu = start(api).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    emu.push_fault(fault(FaultTarget::Login, FaultAction::NotJwt));
    let result = first_call(&acc, &crate::helpers::http()).await;
    match row.not_jwt {
        NotJwt::Accepted => assert!(result.is_ok(), "{result:?}"),
        NotJwt::Refused(naming) => {
            let err = result.unwrap_err();
            assert_api_error(&err, ErrorKind::Protocol, Some(200), Some("bad_response"));
            assert!(err.message.contains(naming), "{api:?}: {}", err.message);
        }
    }
}

/// Access tokens that would carry a line, a word or a quote of the server's into a header,
/// `exec`'s environment or the clipboard.
const NOT_BEARER: [&str; 4] = [
    "abc\r\nX-Injected: yes",
    "abc\nX-Injected: yes",
    "abc def",
    "abc\"; rm -rf ~; \"",
];

async fn a_token_no_bearer_header_can_carry_is_refused_and_the_rotated_refresh_token_kept(
    row: &ApiRow,
) {
    let api = row.api;
    let emu = start(api).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let http = crate::helpers::http();
    let refused = |err: &ApiError| {
        assert_api_error(err, ErrorKind::Protocol, Some(200), Some("bad_response"));
        assert!(
            err.message
                .contains("has characters a bearer token cannot have"),
            "{api:?}: {}",
            err.message
        );
        assert!(
            !err.message.contains("abc"),
            "quotes the token: {}",
            err.message
        );
    };
    // A login answer.
    for token in NOT_BEARER {
        emu.push_fault(fault(
            FaultTarget::Login,
            FaultAction::RotateThenToken(token.into()),
        ));
        refused(&first_call(&acc, &http).await.unwrap_err());
    }
    // A refresh answer, whose rotated refresh token must survive: each next refresh uses the
    // one the refused answer carried.
    let set = first_call(&acc, &http).await.unwrap();
    let mut stored = crate::helpers::stored_from(&set);
    for token in NOT_BEARER {
        emu.push_fault(fault(
            FaultTarget::Refresh,
            FaultAction::RotateThenToken(token.into()),
        ));
        let failure = provider_for(acc.provider)
            .refresh(&http, &acc, &stored)
            .await
            .unwrap_err();
        refused(&failure.error);
        match row.refresh_token {
            RefreshToken::Rotated => {
                let rotated = failure.rotated_refresh.expect("the rotated refresh token");
                assert_ne!(Some(&rotated), stored.refresh.as_ref());
                assert!(failure.spent, "{api:?}: the old pair is spent");
                stored.refresh = Some(rotated);
            }
            RefreshToken::Kept | RefreshToken::None => {
                assert!(!failure.spent, "{api:?}");
            }
        }
    }
    let fresh = provider_for(acc.provider)
        .refresh(&http, &acc, &stored)
        .await
        .map_err(|e| *e.error)
        .unwrap();
    assert!(tokenkeeper_core::token::is_bearer_token(
        fresh.access.expose()
    ));
}

async fn an_error_message_with_escape_sequences_is_shown_clean_and_short(row: &ApiRow) {
    let api = row.api;
    let emu = start(api).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let message = format!(
        "\u{1b}]0;pwned\u{7}\u{1b}[2JInvalid credentials\rall is well {}",
        "A".repeat(5_000)
    );
    emu.push_fault(fault(
        FaultTarget::Login,
        FaultAction::ApiErrorMessage {
            status: 401,
            message,
        },
    ));
    let err = first_call(&acc, &crate::helpers::http()).await.unwrap_err();
    // What the keeper keeps, logs and shows: the error masked with the secrets sent.
    let err = err.masked(&[PASSWORD]);
    let shown = format!("{err} {err:?}");
    for raw in ["\u{1b}", "\u{7}", "\r", "pwned", "\\u{1b}", "\\r"] {
        assert!(!shown.contains(raw), "{api:?} shows {raw:?}: {shown}");
    }
    assert!(
        err.message.contains("Invalid credentials all is well AAA"),
        "{api:?}: {}",
        err.message
    );
    assert!(err.message.ends_with("A…"), "{api:?}: {}", err.message);
    assert!(
        err.message.chars().count() <= tokenkeeper_core::error::MESSAGE_CAP + 1,
        "{api:?}: {} characters",
        err.message.chars().count()
    );
}

async fn html_error_pages_from_a_proxy_are_summarised(row: &ApiRow) {
    let api = row.api;
    let emu = start(api).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    emu.push_fault(fault(FaultTarget::Login, FaultAction::Html { status: 502 }));
    let err = first_call(&acc, &crate::helpers::http()).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Transient, Some(502), None);
    assert!(
        err.message.contains("text/html"),
        "{api:?}: {}",
        err.message
    );
    assert!(
        !err.message.contains('<'),
        "{api:?}: tags stripped: {}",
        err.message
    );
}

async fn huge_answers_stop_being_read_at_one_mebibyte(row: &ApiRow) {
    let emu = start(row.api).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    emu.push_fault(fault(FaultTarget::Login, FaultAction::Huge));
    let err = first_call(&acc, &crate::helpers::http()).await.unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Protocol,
        Some(200),
        Some("response_too_large"),
    );
}

async fn dropped_connections_and_timeouts_are_transient(row: &ApiRow) {
    let emu = start(row.api).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    emu.push_fault(fault(FaultTarget::Login, FaultAction::Drop));
    let err = first_call(&acc, &crate::helpers::http()).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Transient, None, Some("network"));
    let impatient = Http::with_timeouts(Duration::from_secs(1), Duration::from_millis(500));
    emu.push_fault(fault(
        FaultTarget::Login,
        FaultAction::Delay(Duration::from_secs(3)),
    ));
    let err = first_call(&acc, &impatient).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Transient, None, Some("timeout"));
}

#[tokio::test]
async fn nothing_listening_and_wrong_paths() {
    let emu = start(Api::Smartling).await;
    let dir = tempfile::tempdir().unwrap();
    let mut acc = account(&emu, dir.path());
    // A port with nothing behind it.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    acc.url = format!("http://127.0.0.1:{port}").parse().unwrap();
    let err = first_call(&acc, &crate::helpers::http()).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Transient, None, Some("network"));
    assert!(err.message.contains("cannot connect"), "{}", err.message);
    // The URL of another API: the path is not found there.
    let other = start(Api::GenericJwt).await;
    acc.url = other.base_url().parse().unwrap();
    let err = first_call(&acc, &crate::helpers::http()).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Config, Some(404), None);
}

#[tokio::test]
async fn absurd_numbers_and_bare_tokens_are_refused_without_panic_or_leak() {
    let emu = start(Api::Smartling).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let http = crate::helpers::http();
    // expiresIn far beyond any date: a protocol error, not a crash.
    emu.push_fault(fault(
        FaultTarget::Login,
        FaultAction::Respond {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: r#"{"response":{"code":"SUCCESS","data":{"accessToken":"a","refreshToken":"r","expiresIn":100000000000000000,"refreshExpiresIn":3660,"tokenType":"Bearer"}}}"#.into(),
        },
    ));
    let err = first_call(&acc, &http).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Protocol, Some(200), Some("bad_response"));
    assert!(err.message.contains("out of range"), "{}", err.message);
    // A 200 whose body is a bare token: the error never quotes it.
    emu.push_fault(fault(
        FaultTarget::Login,
        FaultAction::Respond {
            status: 200,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: "bare-secret-token-value".into(),
        },
    ));
    let err = first_call(&acc, &http).await.unwrap_err();
    assert_api_error(&err, ErrorKind::Protocol, Some(200), Some("bad_response"));
    assert!(!err.message.contains("bare-secret"), "{}", err.message);
    assert!(err.message.contains("23 byte body"), "{}", err.message);
}
