//! The token answer reader against what real servers send: oidc-provider's answers (recorded in
//! docs/OIDC-PLAN.md), GitHub's lower-case `bearer` without `expires_in`, Keycloak's
//! `refresh_expires_in`, numbers as strings, `null`s, proxy pages, and the error bodies of
//! RFC 6749 §5.2.

use base64::Engine as _;
use chrono::{TimeDelta, Utc};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use super::parse_token_answer;
use crate::error::ErrorKind;
use crate::providers::http::Reply;

fn reply(status: u16, content_type: &str, body: &str) -> Reply {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
    Reply::from_parts(status, headers, body.as_bytes().to_vec(), Utc::now())
}

fn json(status: u16, body: serde_json::Value) -> Reply {
    reply(status, "application/json; charset=utf-8", &body.to_string())
}

/// A JWT (unsigned: the reader never verifies, the resource server does) with these claims.
fn jwt(claims: serde_json::Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2ln",
        engine.encode(br#"{"alg":"RS256","typ":"at+jwt","kid":"tk-rs256"}"#),
        engine.encode(claims.to_string())
    )
}

const OPAQUE: &str = "Fb1BZpN9Wq2v0sZ3Lx8d7Yh6Tj5Rk4Pm3Qn2Vc1Xa0";

#[test]
fn an_oidc_provider_answer_gives_the_token_its_lifetime_and_the_rotated_refresh_token() {
    let answer = json(
        200,
        serde_json::json!({
            "access_token": OPAQUE, "expires_in": 30, "id_token": "eyJ.x.y",
            "refresh_token": "R2", "scope": "openid offline_access", "token_type": "Bearer"
        }),
    );
    let set = parse_token_answer(&answer, 3600).unwrap();
    assert_eq!(set.access.expose(), OPAQUE);
    assert_eq!(set.refresh.as_ref().map(|r| r.expose()), Some("R2"));
    assert_eq!(set.expires_at - answer.sent_at, TimeDelta::seconds(30));
}

#[test]
fn lower_case_bearer_and_a_numeric_string_lifetime_are_read() {
    let answer = json(
        200,
        serde_json::json!({"access_token": OPAQUE, "token_type": "bearer", "expires_in": "120"}),
    );
    let set = parse_token_answer(&answer, 3600).unwrap();
    assert_eq!(set.expires_at - answer.sent_at, TimeDelta::seconds(120));
    assert!(
        set.refresh.is_none(),
        "no refresh token: the stored one is kept"
    );
}

#[test]
fn without_expires_in_a_jwts_own_lifetime_then_the_assumed_one() {
    let access = jwt(serde_json::json!({"iat": 1_000, "exp": 1_300, "sub": "alice"}));
    let answer = json(
        200,
        serde_json::json!({"access_token": access, "token_type": "Bearer"}),
    );
    let set = parse_token_answer(&answer, 3600).unwrap();
    assert_eq!(set.expires_at - answer.sent_at, TimeDelta::seconds(300));
    // GitHub's OAuth app tokens: no lifetime at all.
    let answer = json(
        200,
        serde_json::json!({"access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a", "token_type": "bearer", "scope": "repo", "expires_in": null}),
    );
    let set = parse_token_answer(&answer, 900).unwrap();
    assert_eq!(set.expires_at - answer.sent_at, TimeDelta::seconds(900));
}

#[test]
fn keycloaks_refresh_lifetime_is_kept() {
    let answer = json(
        200,
        serde_json::json!({"access_token": OPAQUE, "expires_in": 300, "refresh_expires_in": 1800,
            "refresh_token": "R", "token_type": "Bearer", "not-before-policy": 0}),
    );
    let set = parse_token_answer(&answer, 3600).unwrap();
    assert_eq!(
        set.refresh_expires_at.map(|at| at - answer.sent_at),
        Some(TimeDelta::seconds(1800))
    );
}

#[test]
fn githubs_expiring_user_tokens_carry_the_refresh_tokens_lifetime_under_its_own_name() {
    // As GitHub documents "Refreshing user access tokens" for GitHub Apps.
    let answer = json(
        200,
        serde_json::json!({"access_token": "ghu_16C7e42F292c6912E7710c838347Ae178B4a",
            "expires_in": 28800, "refresh_token": "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
            "refresh_token_expires_in": 15811200, "scope": "", "token_type": "bearer"}),
    );
    let set = parse_token_answer(&answer, 3600).unwrap();
    assert_eq!(set.expires_at - answer.sent_at, TimeDelta::seconds(28800));
    assert_eq!(
        set.refresh_expires_at.map(|at| at - answer.sent_at),
        Some(TimeDelta::seconds(15_811_200))
    );
}

#[test]
fn a_token_of_another_type_is_refused_and_the_rotated_refresh_token_still_travels() {
    let answer = json(
        200,
        serde_json::json!({"access_token": OPAQUE, "token_type": "DPoP", "expires_in": 30, "refresh_token": "R3"}),
    );
    let failure = parse_token_answer(&answer, 3600).unwrap_err();
    assert_eq!(failure.error.kind, ErrorKind::Protocol);
    assert!(
        failure.error.message.contains("\"DPoP\""),
        "{}",
        failure.error.message
    );
    assert_eq!(
        failure.rotated_refresh.as_ref().map(|r| r.expose()),
        Some("R3")
    );
}

#[test]
fn an_access_token_that_cannot_travel_in_a_header_is_refused_unquoted() {
    let answer = json(
        200,
        serde_json::json!({"access_token": "abc\r\nX-Evil: 1", "token_type": "Bearer", "refresh_token": "R4"}),
    );
    let failure = parse_token_answer(&answer, 3600).unwrap_err();
    assert_eq!(failure.error.kind, ErrorKind::Protocol);
    assert!(!failure.error.message.contains("X-Evil"));
    assert_eq!(
        failure.rotated_refresh.as_ref().map(|r| r.expose()),
        Some("R4")
    );
}

#[test]
fn odd_types_and_nulls_are_no_token() {
    for body in [
        serde_json::json!({"access_token": null, "token_type": "Bearer"}),
        serde_json::json!({"access_token": 12345, "token_type": "Bearer"}),
        serde_json::json!({"access_token": {"value": OPAQUE}}),
        serde_json::json!({"access_token": "   "}),
        serde_json::json!({}),
    ] {
        let failure = parse_token_answer(&json(200, body.clone()), 3600).unwrap_err();
        assert_eq!(failure.error.kind, ErrorKind::Protocol, "{body}");
        assert!(
            failure.error.message.contains("access_token"),
            "{body}: {}",
            failure.error.message
        );
    }
}

#[test]
fn every_documented_error_code_keeps_the_servers_words_and_its_kind() {
    for (status, code, kind) in [
        (400, "invalid_grant", ErrorKind::Auth),
        (401, "invalid_client", ErrorKind::Auth),
        (400, "invalid_request", ErrorKind::Config),
        (400, "unauthorized_client", ErrorKind::Config),
        (400, "unsupported_grant_type", ErrorKind::Config),
        (400, "invalid_scope", ErrorKind::Config),
        (400, "invalid_target", ErrorKind::Config),
        (503, "temporarily_unavailable", ErrorKind::Transient),
        (500, "server_error", ErrorKind::Transient),
    ] {
        let answer = json(
            status,
            serde_json::json!({"error": code, "error_description": "grant request is invalid"}),
        );
        let failure = parse_token_answer(&answer, 3600).unwrap_err();
        assert_eq!(failure.error.kind, kind, "{code}");
        assert_eq!(failure.error.code.as_deref(), Some(code));
        assert_eq!(failure.error.status, Some(status));
        assert!(failure.error.message.contains("grant request is invalid"));
        assert!(failure.rotated_refresh.is_none());
    }
}

#[test]
fn a_proxys_page_is_not_the_servers_word() {
    // A 401 page from something in front of the server says nothing of the refresh token.
    let page = reply(
        401,
        "text/html",
        "<html><head><title>401 Authorization Required</title></head><body>nginx</body></html>",
    );
    let failure = parse_token_answer(&page, 3600).unwrap_err();
    assert_eq!(failure.error.kind, ErrorKind::Transient);
    // A captive portal's 200 page: a bad answer, nothing rotated.
    let portal = reply(
        200,
        "text/html",
        "<html><title>Sign in to Wi-Fi</title></html>",
    );
    let failure = parse_token_answer(&portal, 3600).unwrap_err();
    assert_eq!(failure.error.kind, ErrorKind::Protocol);
    assert!(!portal.is_api_success(), "not counted as a spent rotation");
    let gateway = reply(
        502,
        "text/html",
        "<html><title>502 Bad Gateway</title></html>",
    );
    assert_eq!(
        parse_token_answer(&gateway, 3600).unwrap_err().error.kind,
        ErrorKind::Transient
    );
}
