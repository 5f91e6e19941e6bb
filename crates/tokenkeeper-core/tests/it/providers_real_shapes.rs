//! Answers as real servers and real clients have them, fed straight to each provider's parser
//! (no emulator between: the emulators are written from the same evidence). Bodies are the
//! real JWT Auth Pro 0.2.1's, captured from `../shared/realwp`; the others follow the real
//! clients named in docs/API-EVIDENCE.md.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use tokenkeeper_core::providers::http::Reply;
use tokenkeeper_core::providers::provider_for;
use tokenkeeper_core::{ErrorKind, ProviderKind};

fn jwt(claims: serde_json::Value) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"HS256"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// A JWT as the server issues it now, living `secs`.
fn jwt_for(secs: i64) -> String {
    let now = Utc::now().timestamp();
    jwt(
        serde_json::json!({ "iss": "http://127.0.0.1:8881", "iat": now, "nbf": now, "exp": now + secs, "data": { "user": { "id": "2" } } }),
    )
}

fn reply(status: u16, body: &str, headers: &[(&'static str, &str)]) -> Reply {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    Reply::from_parts(status, map, body.as_bytes().to_vec(), Utc::now())
}

fn about(at: DateTime<Utc>, secs: i64) -> bool {
    let expected = Utc::now() + TimeDelta::seconds(secs);
    (at - expected).num_seconds().abs() <= 2
}

const WP: ProviderKind = ProviderKind::JwtAuthPro;

#[test]
fn jwt_auth_pro_reads_the_real_refresh_answer() {
    // What the real plugin answers a refresh (TokenRefreshRequestHandler): not `token`.
    let body = serde_json::json!({
        "access_token": jwt_for(120), "expires_in": 120, "token_type": "Bearer",
        "refresh_token": "d20fbe5bdd13c97443e6d63912e50235",
    });
    let set = provider_for(WP)
        .parse(&reply(200, &body.to_string(), &[]))
        .unwrap();
    assert!(about(set.expires_at, 120));
    assert_eq!(
        set.refresh.as_ref().map(|r| r.expose()),
        Some("d20fbe5bdd13c97443e6d63912e50235")
    );
    assert_eq!(
        set.refresh_expires_at, None,
        "an opaque refresh token says nothing of its expiry"
    );
}

#[test]
fn jwt_auth_pro_reads_the_real_login_and_the_documented_shape() {
    // The real login (and the documentation's TokenResponse for both): `token`, no lifetime.
    let body = serde_json::json!({
        "token": jwt_for(300), "user_id": 2, "user_email": "alice@example.test",
        "user_nicename": "alice", "user_display_name": "Alice",
        "refresh_token": "1ac2284d73a5a7e1c8fc68a6535f4e47",
    });
    let set = provider_for(WP)
        .parse(&reply(200, &body.to_string(), &[]))
        .unwrap();
    assert!(about(set.expires_at, 300), "the JWT's exp counts");
}

#[test]
fn jwt_auth_pro_takes_the_earlier_of_expires_in_and_the_jwt() {
    for (expires_in, jwt_secs, expected) in [
        (serde_json::json!(60), 120, 60),
        (serde_json::json!("90"), 120, 90),
        (serde_json::json!(600), 120, 120),
        (serde_json::json!(null), 120, 120),
        (serde_json::json!("soon"), 120, 120),
        (serde_json::json!(-5), 120, 120),
    ] {
        let body = serde_json::json!({ "access_token": jwt_for(jwt_secs), "expires_in": expires_in, "refresh_token": "r" });
        let set = provider_for(WP)
            .parse(&reply(200, &body.to_string(), &[]))
            .unwrap();
        assert!(
            about(set.expires_at, expected),
            "{expires_in}: {}",
            set.expires_at
        );
    }
    // An opaque access token with a lifetime is fine; without one it is not.
    let opaque = serde_json::json!({ "access_token": "opaque-token", "expires_in": 120 });
    let set = provider_for(WP)
        .parse(&reply(200, &opaque.to_string(), &[]))
        .unwrap();
    assert!(about(set.expires_at, 120));
    let opaque = serde_json::json!({ "access_token": "opaque-token", "refresh_token": "new" });
    let err = provider_for(WP)
        .parse(&reply(200, &opaque.to_string(), &[]))
        .unwrap_err();
    assert_eq!(err.error.kind, ErrorKind::Protocol);
    assert_eq!(
        err.rotated_refresh.as_ref().map(|r| r.expose()),
        Some("new"),
        "the new refresh token survives"
    );
}

#[test]
fn jwt_auth_pro_without_a_token_names_both_fields_and_keeps_the_rotated_refresh_token() {
    let body =
        serde_json::json!({ "expires_in": 120, "token_type": "Bearer", "refresh_token": "new" });
    let err = provider_for(WP)
        .parse(&reply(200, &body.to_string(), &[]))
        .unwrap_err();
    assert_eq!(err.error.kind, ErrorKind::Protocol);
    assert!(
        err.error.message.contains("access_token") && err.error.message.contains("token"),
        "{}",
        err.error.message
    );
    assert_eq!(
        err.rotated_refresh.as_ref().map(|r| r.expose()),
        Some("new")
    );
}

#[test]
fn jwt_auth_pro_errors_as_the_real_plugin_sends_them() {
    let wrong_password = r#"{"code":"jwt_auth_failed","message":"<strong>Error:<\/strong> The password you entered for the username <strong>alice<\/strong> is incorrect. <a href=\"http:\/\/127.0.0.1:8881\/wp-login.php?action=lostpassword\">Lost your password?<\/a>","data":{"status":403}}"#;
    let err = provider_for(WP)
        .parse(&reply(403, wrong_password, &[]))
        .unwrap_err()
        .error;
    assert_eq!(
        (err.kind, err.code.as_deref()),
        (ErrorKind::Auth, Some("jwt_auth_failed"))
    );
    assert_eq!(
        err.message,
        "Error: The password you entered for the username alice is incorrect. Lost your password?"
    );
    let reused = r#"{"code":"jwt_auth_invalid_refresh_token","message":"Invalid refresh token.","data":{"status":403}}"#;
    let err = provider_for(WP)
        .parse(&reply(403, reused, &[]))
        .unwrap_err()
        .error;
    assert_eq!(err.kind, ErrorKind::Auth);
    // Unlicensed: the site's problem, never a refused password.
    let unlicensed = r#"{"code":"rest_forbidden","message":"Please activate your JWT Auth Pro license.","data":{"status":401}}"#;
    let err = provider_for(WP)
        .parse(&reply(401, unlicensed, &[]))
        .unwrap_err()
        .error;
    assert_eq!((err.kind, err.status), (ErrorKind::Config, Some(401)));
    assert!(err.message.contains("license"), "{}", err.message);
    let limited = r#"{"code":"jwt_auth_rate_limited","message":"Rate limit exceeded. Please try again later.","data":{"status":429,"retry_after":42}}"#;
    let err = provider_for(WP)
        .parse(&reply(429, limited, &[("retry-after", "42")]))
        .unwrap_err()
        .error;
    assert_eq!(
        (err.kind, err.retry_after_secs),
        (ErrorKind::Transient, Some(42))
    );
    let missing = r#"{"code":"rest_missing_callback_param","message":"Missing parameter(s): refresh_token","data":{"status":400,"params":["refresh_token"]}}"#;
    let err = provider_for(WP)
        .parse(&reply(400, missing, &[]))
        .unwrap_err()
        .error;
    assert_eq!(
        (err.kind, err.code.as_deref()),
        (ErrorKind::Config, Some("rest_missing_callback_param"))
    );
}

const GENERIC: ProviderKind = ProviderKind::GenericJwt;

#[test]
fn generic_jwt_reads_its_three_error_shapes() {
    // The envelope, as the real service writes it: nulls left out, `target` is the path.
    let envelope = r#"{"error":{"code":"invalidCredentials","message":"Invalid username or password","target":"/api/v1/authenticate"}}"#;
    let err = provider_for(GENERIC)
        .parse(&reply(401, envelope, &[]))
        .unwrap_err()
        .error;
    assert_eq!(
        (err.kind, err.code.as_deref()),
        (ErrorKind::Auth, Some("invalidCredentials"))
    );
    assert!(
        err.fields.is_empty(),
        "a path is not a field: {:?}",
        err.fields
    );
    // The documented shape, with details and an innererror.
    let documented = r#"{"error":{"code":"BadArgument","message":"Invalid refresh token","target":"refreshToken","details":[{"code":"Malformed","message":"not a JWT","target":"refreshToken"}],"innererror":{"code":"x"}}}"#;
    let err = provider_for(GENERIC)
        .parse(&reply(400, documented, &[]))
        .unwrap_err()
        .error;
    assert_eq!(err.fields, vec!["refreshToken", "refreshToken"]);
    assert!(err.message.contains("not a JWT"), "{}", err.message);
    // Bare, as its 401s on protected routes come.
    let bare = r#"{"code":"invalidToken","message":"The token is invalid"}"#;
    let err = provider_for(GENERIC)
        .parse(&reply(401, bare, &[]))
        .unwrap_err()
        .error;
    assert_eq!(
        (err.kind, err.code.as_deref(), err.message.as_str()),
        (
            ErrorKind::Auth,
            Some("invalidToken"),
            "The token is invalid"
        )
    );
    // Spring's default error body.
    let spring = r#"{"timestamp":"2026-12-04T15:00:00.000+00:00","status":500,"error":"Internal Server Error","path":"/api/v1/authenticate/refresh"}"#;
    let err = provider_for(GENERIC)
        .parse(&reply(500, spring, &[]))
        .unwrap_err()
        .error;
    assert_eq!((err.kind, err.status), (ErrorKind::Transient, Some(500)));
    assert!(
        err.message.starts_with("Internal Server Error"),
        "{}",
        err.message
    );
    // A user deleted since: only new credentials help.
    let gone = r#"{"error":{"code":"userNotFound","message":"User not found"}}"#;
    let err = provider_for(GENERIC)
        .parse(&reply(404, gone, &[]))
        .unwrap_err()
        .error;
    assert_eq!(err.kind, ErrorKind::Auth);
}

#[test]
fn generic_jwt_login_answer_carries_a_refresh_token_whose_own_exp_is_read() {
    // The refresh token is a JWT of its own; its expiry is its `exp` in the server's clock,
    // moved into ours by the Date header (here the server runs an hour ahead).
    let server_now = Utc::now() + TimeDelta::hours(1);
    let refresh = jwt(
        serde_json::json!({ "sub": "alice", "iat": server_now.timestamp() - 3 * 86_400, "exp": server_now.timestamp() + 4 * 86_400 }),
    );
    let body = serde_json::json!({ "jwtToken": jwt_for(300), "refreshToken": refresh });
    let date = httpdate::fmt_http_date(server_now.into());
    let set = provider_for(GENERIC)
        .parse(&reply(200, &body.to_string(), &[("date", &date)]))
        .unwrap();
    assert!(about(set.expires_at, 300));
    let refresh_expires = set.refresh_expires_at.unwrap();
    assert!(about(refresh_expires, 4 * 86_400), "{refresh_expires}");
}

const ECE: ProviderKind = ProviderKind::Ece;

#[test]
fn ece_redirect_and_elevation_are_config_errors_that_say_so() {
    let redirect = reply(
        302,
        "",
        &[(
            "location",
            "https://sso.example.com/saml/login?RelayState=secret-state",
        )],
    );
    let err = provider_for(ECE).parse(&redirect).unwrap_err().error;
    assert_eq!(
        (err.kind, err.code.as_deref()),
        (ErrorKind::Config, Some("sso_redirect"))
    );
    assert!(
        err.message.contains("sso.example.com") && err.message.contains("single sign-on"),
        "{}",
        err.message
    );
    assert!(
        !err.message.contains("secret-state") && !err.message.contains("/saml"),
        "{}",
        err.message
    );
    let elevate = r#"{"errors":[{"code":"root.needs_elevated_permissions","message":"This action requires elevated permissions"}]}"#;
    let err = provider_for(ECE)
        .parse(&reply(449, elevate, &[]))
        .unwrap_err()
        .error;
    assert_eq!(
        (err.kind, err.code.as_deref()),
        (ErrorKind::Config, Some("root.needs_elevated_permissions"))
    );
    assert!(
        err.message.contains("elevated permissions (HTTP 449)"),
        "{}",
        err.message
    );
    // An answer without session_expiration_time (older versions): the JWT's exp.
    let old = serde_json::json!({ "token": jwt_for(900) });
    let set = provider_for(ECE)
        .parse(&reply(200, &old.to_string(), &[]))
        .unwrap();
    assert!(about(set.expires_at, 900));
}

const SMARTLING: ProviderKind = ProviderKind::Smartling;

#[test]
fn smartling_error_codes_the_sdks_know() {
    for (status, code, kind) in [
        (401, "ACCESS_DENIED_ERROR", ErrorKind::Auth),
        (401, "AUTHENTICATION_ERROR", ErrorKind::Auth),
        (403, "AUTHORIZATION_ERROR", ErrorKind::Auth),
        (423, "RESOURCE_LOCKED", ErrorKind::Transient),
        (429, "MAX_OPERATIONS_LIMIT_EXCEEDED", ErrorKind::Transient),
        (503, "MAINTENANCE_MODE_ERROR", ErrorKind::Transient),
    ] {
        let body = serde_json::json!({ "response": { "code": code, "errors": [
            { "key": "some_key", "message": "words", "details": { "field": "userIdentifier" } },
            { "key": "other", "message": "more", "details": null },
        ] } });
        let err = provider_for(SMARTLING)
            .parse(&reply(status, &body.to_string(), &[]))
            .unwrap_err()
            .error;
        assert_eq!((err.kind, err.code.as_deref()), (kind, Some(code)));
        assert_eq!(err.fields, vec!["some_key", "userIdentifier", "other"]);
        assert_eq!(err.message, "words; more");
    }
}

#[test]
fn redis_enterprise_reads_the_documented_and_the_client_modelled_field() {
    for field in ["access_token", "jwt"] {
        let body = serde_json::json!({ field: jwt_for(300) });
        let set = provider_for(ProviderKind::RedisEnterprise)
            .parse(&reply(200, &body.to_string(), &[]))
            .unwrap();
        assert!(about(set.expires_at, 300), "{field}");
    }
}
