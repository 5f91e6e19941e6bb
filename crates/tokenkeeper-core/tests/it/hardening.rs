//! What real servers send beyond their documentation: a rotation followed by a broken
//! answer, proxy and CDN pages, `null`s and odd types where lists and strings belong, secrets
//! echoed back in messages, tokens signed with algorithms we do not verify.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use serde_json::json;
use tokenkeeper_core::keeper::InitialSecret;
use tokenkeeper_core::providers::StoredTokens;
use tokenkeeper_core::store::keychain::SecretKind;
use tokenkeeper_core::store::state::Status;
use tokenkeeper_core::{Error, ErrorKind, Secret};
use tokenkeeper_emulators::{Api, FaultAction, FaultTarget};

use crate::helpers::{
    USER, account, assert_api_error, assert_expires_in, config_dir_text, fault, login, refresh,
    start, stored, with_account, with_account_on,
};

fn respond(status: u16, content_type: &str, body: &str) -> FaultAction {
    FaultAction::Respond {
        status,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.into(),
    }
}

/// The rotating APIs' broken answers after the server rotated (and, as the real JWT Auth Pro
/// does, revoked the old access token with the old refresh token).
/// Smartling's access token is opaque (its expiry is `expiresIn`), and so may the real JWT
/// Auth Pro's be (its refresh answer has `expires_in`), so "abc" is no error there; a missing
/// token is. The documented JWT Auth Pro answer has no lifetime: there a token that is not a
/// JWT is unusable too.
fn rotated_then_broken() -> [(Api, bool, FaultAction); 4] {
    [
        (Api::Smartling, false, FaultAction::RotateThenMissingToken),
        (Api::JwtAuthPro, false, FaultAction::RotateThenMissingToken),
        (Api::JwtAuthPro, true, FaultAction::RotateThenMissingToken),
        (Api::JwtAuthPro, true, FaultAction::RotateThenNotJwt),
    ]
}

fn config(api: Api, documented: bool) -> tokenkeeper_emulators::EmulatorConfig {
    let mut config = tokenkeeper_emulators::EmulatorConfig::for_api(api);
    config.documented = documented;
    config
}

#[tokio::test]
async fn a_rotation_followed_by_a_broken_answer_logs_in_once_with_the_stored_password() {
    for (api, documented, broken) in rotated_then_broken() {
        let (emu, _dir, keeper) = with_account_on(config(api, documented), api, "rot").await;
        let access_before = stored(&keeper, "rot", SecretKind::Access);
        let logins = emu.stats().logins;
        // Time passes between the login and the refresh, as it does (the real plugin's tokens
        // for one user within one second are identical, so a revoked one and a new one would
        // be the same bytes; see docs/API-EVIDENCE.md).
        emu.advance_clock(2);
        emu.push_fault(fault(FaultTarget::Refresh, broken.clone()));
        let view = keeper.refresh("rot").await.unwrap();
        assert_eq!(view.status, Status::Fresh, "{api:?} {broken:?}");
        let stats = emu.stats();
        assert_eq!(
            stats.logins,
            logins + 1,
            "exactly one login: {api:?} {broken:?}"
        );
        let access = stored(&keeper, "rot", SecretKind::Access);
        assert!(
            access.is_some() && access != access_before,
            "{api:?} {broken:?}"
        );
        assert!(emu.access_token_valid(access.unwrap().expose()));
        // The pair the login gave works on.
        keeper.refresh("rot").await.unwrap();
        let stats = emu.stats();
        assert_eq!(
            (stats.refresh_token_reuse, stats.families_revoked),
            (0, 0),
            "{api:?} {broken:?}"
        );
        assert_eq!(stats.logins, logins + 1, "{api:?} {broken:?}");
    }
}

#[tokio::test]
async fn a_rotation_followed_by_a_broken_answer_without_a_password_hands_out_no_revoked_token() {
    for (api, documented, broken) in rotated_then_broken() {
        let emu = crate::helpers::start_with(config(api, documented), api).await;
        let dir = tempfile::tempdir().unwrap();
        let keeper = crate::helpers::keeper(dir.path());
        let given = Secret::new(emu.issue_refresh_token(USER));
        keeper
            .add(
                crate::helpers::new_account(&emu, dir.path(), "rot"),
                InitialSecret::RefreshToken(given),
            )
            .await
            .unwrap();
        let before = stored(&keeper, "rot", SecretKind::Refresh);
        // Seconds pass between the calls, as they do (see above).
        emu.advance_clock(2);
        emu.push_fault(fault(FaultTarget::Refresh, broken.clone()));
        let err = keeper.refresh("rot").await.unwrap_err();
        assert_eq!(
            err.api().map(|e| e.kind),
            Some(ErrorKind::Protocol),
            "{api:?} {broken:?}: {err}"
        );
        assert!(err.to_string().contains("no longer handed out"), "{err}");
        // The new refresh token is stored; the old access token is gone, everywhere.
        let after = stored(&keeper, "rot", SecretKind::Refresh);
        assert!(after.is_some() && after != before, "{api:?} {broken:?}");
        assert_eq!(
            stored(&keeper, "rot", SecretKind::Access),
            None,
            "{api:?} {broken:?}"
        );
        let view = &keeper.list().unwrap()[0];
        assert_eq!(
            (view.token_fingerprint.as_deref(), view.expires_at),
            (None, None)
        );
        assert_eq!(view.status, Status::Error);
        // A script asking for a token gets a new one (through the kept refresh token), never
        // the old one, and nothing logged in.
        emu.advance_clock(2);
        let token = keeper
            .token("rot", std::time::Duration::from_secs(60))
            .await
            .unwrap();
        assert!(emu.access_token_valid(token.expose()), "{api:?} {broken:?}");
        let stats = emu.stats();
        assert_eq!(
            (stats.logins, stats.refresh_token_reuse),
            (0, 0),
            "{api:?} {broken:?}"
        );
    }
}

#[tokio::test]
async fn a_proxy_page_with_a_success_status_spends_nothing() {
    // A captive portal or proxy answering 200 with its own page: the API never saw the refresh,
    // so the stored tokens stay and nothing logs in.
    let (emu, _dir, keeper) = with_account(Api::JwtAuthPro, "wp").await;
    let access = stored(&keeper, "wp", SecretKind::Access);
    let logins = emu.stats().logins;
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::Html { status: 200 },
    ));
    let err = keeper.refresh("wp").await.unwrap_err();
    assert_eq!(err.api().map(|e| e.kind), Some(ErrorKind::Protocol));
    assert_eq!(stored(&keeper, "wp", SecretKind::Access), access);
    assert_eq!(emu.stats().logins, logins);
}

#[tokio::test]
async fn every_5xx_is_temporary_but_501_and_505() {
    let emu = start(Api::JwtAuthPro).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    for status in [500, 502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 530] {
        emu.push_fault(fault(FaultTarget::Login, FaultAction::Html { status }));
        let err = login(&emu, &acc).await.unwrap_err();
        assert_api_error(&err, ErrorKind::Transient, Some(status), None);
        assert!(err.message.contains(&status.to_string()), "{err:?}");
    }
    for status in [501, 505] {
        emu.push_fault(fault(FaultTarget::Login, FaultAction::Html { status }));
        let err = login(&emu, &acc).await.unwrap_err();
        assert_api_error(&err, ErrorKind::Config, Some(status), None);
    }
}

/// A Cloudflare-style block page: HTML with a title, served with 403.
const BLOCK_PAGE: &str = "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body><h1>Sorry, you have been blocked</h1></body></html>";

#[tokio::test]
async fn a_proxy_page_on_401_or_403_never_marks_the_password_refused() {
    for status in [401, 403] {
        let (emu, _dir, keeper) = with_account(Api::JwtAuthPro, "wp").await;
        let password = stored(&keeper, "wp", SecretKind::Password);
        let refresh_token = stored(&keeper, "wp", SecretKind::Refresh);
        // The refresh is refused by the API itself, then the login meets the proxy's page.
        emu.push_fault(fault(
            FaultTarget::Refresh,
            FaultAction::ApiError { status: 403 },
        ));
        emu.push_fault(fault(
            FaultTarget::Login,
            respond(status, "text/html; charset=UTF-8", BLOCK_PAGE),
        ));
        let err = keeper.refresh("wp").await.unwrap_err();
        let api = err.api().cloned().unwrap();
        assert_eq!(api.kind, ErrorKind::Transient, "{err}");
        assert!(
            api.message.contains("Attention Required! | Cloudflare"),
            "{}",
            api.message
        );
        let show = keeper.show("wp").await.unwrap();
        assert!(!show.password_refused, "{status}");
        assert_eq!(show.view.status, Status::Error);
        assert_eq!(stored(&keeper, "wp", SecretKind::Password), password);
        assert_eq!(stored(&keeper, "wp", SecretKind::Refresh), refresh_token);
        // With the proxy gone, the stored password logs in again by itself.
        emu.push_fault(fault(
            FaultTarget::Refresh,
            FaultAction::ApiError { status: 403 },
        ));
        keeper.refresh("wp").await.unwrap();
        assert_eq!(keeper.show("wp").await.unwrap().view.status, Status::Fresh);
    }
}

#[tokio::test]
async fn nulls_and_odd_types_keep_the_api_code_and_message() {
    let cases: [(Api, u16, serde_json::Value, &str, &str); 6] = [
        (
            Api::Ece,
            401,
            json!({"errors": [{"code": "root.unauthorized", "message": "The supplied token is invalid", "fields": null}]}),
            "root.unauthorized",
            "The supplied token is invalid",
        ),
        (
            Api::Ece,
            502,
            json!({"errors": [{"code": "authc.authentication_cluster_error", "message": 42, "fields": "x"}]}),
            "authc.authentication_cluster_error",
            "42",
        ),
        (
            Api::GenericJwt,
            401,
            json!({"error": {"code": "InvalidRefreshToken", "message": "Refresh token expired", "target": null, "details": null, "innererror": null}}),
            "InvalidRefreshToken",
            "Refresh token expired",
        ),
        (
            Api::Smartling,
            401,
            json!({"response": {"code": "AUTHENTICATION_ERROR", "errors": null}}),
            "AUTHENTICATION_ERROR",
            "no message",
        ),
        (
            Api::Smartling,
            400,
            json!({"response": {"code": "VALIDATION_ERROR", "errors": [{"key": "refreshToken", "message": "Invalid refresh token", "details": null}]}}),
            "VALIDATION_ERROR",
            "Invalid refresh token",
        ),
        (
            Api::RedisEnterprise,
            401,
            json!({"error_code": "password_expired", "message": null, "description": "The password has expired"}),
            "password_expired",
            "The password has expired",
        ),
    ];
    for (api, status, body, code, message) in cases {
        let emu = start(api).await;
        let dir = tempfile::tempdir().unwrap();
        let acc = account(&emu, dir.path());
        emu.push_fault(fault(
            FaultTarget::Any,
            respond(status, "application/json", &body.to_string()),
        ));
        let stored = StoredTokens {
            access: Some(Secret::new(emu.issue_access_token(USER, 300))),
            refresh: Some(Secret::new(emu.issue_refresh_token(USER))),
            expires_at: Some(Utc::now() + chrono::TimeDelta::seconds(300)),
            ..StoredTokens::default()
        };
        let err = refresh(&acc, &stored).await.unwrap_err();
        assert_eq!(err.status, Some(status), "{api:?}: {err:?}");
        assert_eq!(err.code.as_deref(), Some(code), "{api:?}: {err:?}");
        assert!(err.message.contains(message), "{api:?}: {err:?}");
    }
}

/// A JWT signed with an algorithm `jsonwebtoken` does not know, as a server might send it.
fn foreign_jwt(alg: &str, lifetime: i64) -> String {
    let now = Utc::now().timestamp();
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT", "kid": "k-1"}).to_string()),
        URL_SAFE_NO_PAD.encode(json!({"sub": USER, "iat": now, "exp": now + lifetime}).to_string()),
        URL_SAFE_NO_PAD.encode(b"a signature we cannot and need not check")
    )
}

#[tokio::test]
async fn tokens_signed_with_any_algorithm_are_read_for_their_expiry() {
    let emu = start(Api::GenericJwt).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let stored = StoredTokens {
        refresh: Some(Secret::new(emu.issue_refresh_token(USER))),
        ..StoredTokens::default()
    };
    for alg in ["ES256K", "EdDSA", "Ed448", "ML-DSA-44", "RS512"] {
        let body = json!({ "jwtToken": foreign_jwt(alg, 900) }).to_string();
        emu.push_fault(fault(
            FaultTarget::Refresh,
            respond(200, "application/json", &body),
        ));
        let set = refresh(&acc, &stored).await.unwrap();
        assert_expires_in(set.expires_at, 900);
    }
    // Still an error: not three parts, or a payload that is not JSON.
    for bad in ["only.two", "a.b.c"] {
        let body = json!({ "jwtToken": bad }).to_string();
        emu.push_fault(fault(
            FaultTarget::Refresh,
            respond(200, "application/json", &body),
        ));
        let err = refresh(&acc, &stored).await.unwrap_err();
        assert_api_error(&err, ErrorKind::Protocol, Some(200), Some("bad_response"));
    }
}

#[tokio::test]
async fn secrets_the_api_echoes_are_masked_everywhere_they_are_kept() {
    let (emu, _dir, keeper) = with_account(Api::GenericJwt, "g").await;
    let refresh_token = stored(&keeper, "g", SecretKind::Refresh)
        .unwrap()
        .expose()
        .to_owned();
    let echo = json!({"error": {
        "code": "InvalidRefreshToken",
        "message": format!("refresh token {refresh_token} is not valid"),
        "target": refresh_token,
        "details": [{"code": "x", "message": format!("token: {}", foreign_jwt("HS256", 60))}],
    }});
    emu.push_fault(fault(
        FaultTarget::Refresh,
        respond(400, "application/json", &echo.to_string()),
    ));
    let err = keeper.refresh("g").await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains(&refresh_token), "{text}");
    assert!(!text.contains("eyJ"), "{text}");
    assert!(text.contains("refresh token *** is not valid"), "{text}");
    let on_disk = config_dir_text(&keeper);
    assert!(on_disk.contains("is not valid"), "the error was recorded");
    assert!(!on_disk.contains(&refresh_token), "{on_disk}");
    assert!(!on_disk.contains("eyJ"), "{on_disk}");
}

#[tokio::test]
async fn a_success_body_of_the_wrong_shape_is_never_quoted() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let acc = account(&emu, dir.path());
    let token = emu.issue_access_token(USER, 300);
    for body in [
        json!(token).to_string(),
        json!({"access_token": [token]}).to_string(),
        json!({"access_token": {"value": token}}).to_string(),
        format!("{{\"access_token\": \"{token}\""),
    ] {
        emu.push_fault(fault(
            FaultTarget::Login,
            respond(200, "application/json", &body),
        ));
        let err = login(&emu, &acc).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Protocol, "{err:?}");
        let text = format!("{err} {err:?}");
        assert!(!text.contains(&token), "{text}");
        assert!(!text.contains("eyJ"), "{text}");
    }
}

#[tokio::test]
async fn a_refresh_token_given_to_login_survives_a_broken_answer() {
    let (emu, _dir, keeper) = with_account(Api::Smartling, "s").await;
    let fresh = emu.issue_refresh_token(USER);
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::RotateThenMissingToken,
    ));
    let err = keeper
        .login("s", InitialSecret::RefreshToken(Secret::new(fresh.clone())))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Api(ref e) if e.kind == ErrorKind::Protocol),
        "{err}"
    );
    let kept = stored(&keeper, "s", SecretKind::Refresh).unwrap();
    assert_ne!(
        kept.expose(),
        fresh,
        "the rotated one replaced the spent one"
    );
    keeper.refresh("s").await.unwrap();
    assert_eq!(emu.stats().refresh_token_reuse, 0);
}
