//! The generic JWT service as the real one (the KirjaSwappi Spring backend) answers, read from its
//! source: errors of its own are `{"error":{"code","message","target"}}` (nulls left out, the
//! target the request path, no details, no `innererror`; message keys without a text come back
//! as the key), Jackson and argument errors leave out the target, exceptions it has no handler
//! for (an expired, foreign or malformed JWT) get Spring Boot's default body
//! `{"timestamp","status","error","path"}` with a 500, and its request filter answers a bad
//! `Authorization: Bearer` token with a bare 401 `{"code","message","target","details"}` (no
//! outer `error`) before any handler runs.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::{LOGIN, REFRESH};
use crate::faults::Endpoint;
use crate::http;
use crate::state::Shared;

type Answer = Result<Response, Response>;

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: &'a str,
    target: &'a str,
}

#[derive(Serialize)]
struct Error<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Vec<Detail<'a>>>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Error<'a>,
}

#[derive(Serialize)]
struct SpringDefault<'a> {
    timestamp: String,
    status: u16,
    error: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tokens<'a> {
    jwt_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
}

/// Jackson's output as Spring sends it (`application/json`).
fn send<T: Serialize>(status: u16, body: &T) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let text = serde_json::to_string(body).unwrap_or_default();
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The envelope; `target` is the request path for the service's own errors.
fn envelope(status: u16, code: &str, message: &str, target: Option<&str>) -> Response {
    send(
        status,
        &Envelope {
            error: Error {
                code,
                message,
                target,
                details: None,
            },
        },
    )
}

/// Spring Boot's default error body for `status` at `path` (server clock, milliseconds).
pub(super) fn default_error(s: &Shared, status: u16, path: &str) -> Response {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|c| c.canonical_reason())
        .unwrap_or("Error");
    let timestamp = chrono::DateTime::<chrono::Utc>::from(s.clock.now_system())
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string();
    send(
        status,
        &SpringDefault {
            timestamp,
            status,
            error: reason,
            path,
        },
    )
}

fn path_of(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Login => LOGIN,
        Endpoint::Refresh | Endpoint::Other => REFRESH,
    }
}

fn user_not_found(name: &str, path: &str) -> Response {
    let message = format!("User {name} does not exist.");
    envelope(404, "userNotFound", &message, Some(path))
}

/// The real service's error for `status` at `endpoint`.
pub(super) fn api_error(s: &Shared, status: u16, endpoint: Endpoint) -> Response {
    let path = path_of(endpoint);
    match (status, endpoint) {
        (400, Endpoint::Refresh) => invalid_refresh_token(),
        (400, _) => invalid_json(),
        (401, _) => invalid_credentials(path),
        (404, _) => {
            let name = s.lock().users.first().map(|u| u.username.clone());
            user_not_found(&name.unwrap_or_default(), path)
        }
        _ => default_error(s, status, path),
    }
}

fn invalid_json() -> Response {
    envelope(
        400,
        "invalidJsonPayload",
        "Request body contains invalid JSON",
        None,
    )
}

fn invalid_credentials(path: &str) -> Response {
    envelope(
        401,
        "invalidCredentials",
        "Please provide valid credentials.",
        Some(path),
    )
}

fn invalid_refresh_token() -> Response {
    envelope(
        400,
        "invalidRefreshToken",
        "Please provide a valid refresh token.",
        Some(REFRESH),
    )
}

/// The filter's bare 401 for a Bearer token it cannot use (`jjwt`'s message in the detail).
fn invalid_jwt(path: &str, reason: &str) -> Response {
    send(
        401,
        &Error {
            code: "invalidJwtToken",
            message: "Please provide a valid JWT token.",
            target: Some(path),
            details: Some(vec![Detail {
                code: "invalidJwtToken",
                message: reason,
                target: path,
            }]),
        },
    )
}

fn iso_millis(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Is `token` a JWT of this server (either key), and its `exp`?
fn ours(s: &Shared, token: &str) -> Option<i64> {
    s.keys
        .decode_access(token)
        .map(|c| c.exp)
        .or_else(|| s.decode_refresh(token).map(|c| c.exp))
}

/// The request filter: a Bearer token must be a valid JWT of this server, else 401 (malformed,
/// expired) or 500 (signed with another key: an exception nobody handles).
fn filter(s: &Shared, headers: &HeaderMap, path: &str) -> Result<(), Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(());
    };
    let Some(jwt) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
        return Ok(());
    };
    let periods = jwt.matches('.').count();
    if periods != 2 {
        let reason = format!(
            "Invalid compact JWT string: Compact JWSs must contain exactly 2 period characters, \
             and compact JWEs must contain exactly 4.  Found: {periods}"
        );
        return Err(invalid_jwt(path, &reason));
    }
    let Some(exp) = ours(s, jwt) else {
        return Err(default_error(s, 500, path));
    };
    let now = s.now();
    if exp <= now {
        let reason = format!(
            "JWT expired {} milliseconds ago at {}. Current time: {}. Allowed clock skew: 0 milliseconds.",
            (now - exp) * 1000,
            iso_millis(exp),
            iso_millis(now)
        );
        return Err(invalid_jwt(path, &reason));
    }
    Ok(())
}

/// The JSON object of the body; Jackson refuses an empty or broken one.
fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Response> {
    match http::body_json(body) {
        Ok(Some(Value::Object(map))) => Ok(map),
        _ => Err(invalid_json()),
    }
}

/// A `String` field as Jackson binds it: scalars become text, null or absent is `None`,
/// anything else is unreadable.
fn text(map: &serde_json::Map<String, Value>, name: &str) -> Result<Option<String>, Response> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
        Some(_) => Err(invalid_json()),
    }
}

fn blank(value: Option<&String>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

/// `POST /api/v1/authenticate`.
pub(super) fn login(s: &Shared, headers: &HeaderMap, body: &[u8]) -> Answer {
    filter(s, headers, LOGIN)?;
    let map = object(body)?;
    let username = text(&map, "username")?;
    let password = text(&map, "password")?;
    if blank(username.as_ref()) {
        let code = "usernameCannotBeBlank";
        return Err(envelope(400, code, code, Some(LOGIN)));
    }
    if blank(password.as_ref()) {
        let message = "Please provide password.";
        return Err(envelope(400, "passwordCannotBeBlank", message, Some(LOGIN)));
    }
    let name = username.unwrap_or_default().to_lowercase();
    let user = s.lock().users.exact(&name).cloned();
    let user = user.ok_or_else(|| user_not_found(&name, LOGIN))?;
    if Some(&user.password) != password.as_ref() {
        return Err(invalid_credentials(LOGIN));
    }
    let access = s
        .issue_access(&user.username, s.token_ttl)
        .map_err(|_| default_error(s, 500, LOGIN))?;
    let refresh = s
        .issue_refresh(&user.username)
        .map_err(|_| default_error(s, 500, LOGIN))?;
    Ok(send(
        200,
        &Tokens {
            jwt_token: &access.token,
            refresh_token: Some(&refresh),
        },
    ))
}

/// `POST /api/v1/authenticate/refresh`: no rotation.
pub(super) fn refresh(s: &Shared, headers: &HeaderMap, body: &[u8]) -> Answer {
    filter(s, headers, REFRESH)?;
    let map = object(body)?;
    let token = text(&map, "refreshToken")?.unwrap_or_default();
    if token.trim().is_empty() {
        // jjwt: "CharSequence cannot be null or empty." (IllegalArgumentException).
        return Err(envelope(
            400,
            "invalidArgument",
            "Invalid request argument",
            None,
        ));
    }
    let crash = || default_error(s, 500, REFRESH);
    let now = s.now();
    if s.decode_refresh(&token).is_none() {
        // An access token is a valid JWT too, just the wrong type.
        let claims = s.keys.decode_access(&token).ok_or_else(crash)?;
        if claims.exp <= now || s.check_access(&token).is_none() {
            return Err(crash());
        }
        if s.lock().users.exact(&claims.sub).is_none() {
            return Err(user_not_found(&claims.sub, REFRESH));
        }
        return Err(invalid_refresh_token());
    }
    // Expired: ExpiredJwtException; revoked by `revoke_all`: as if the secret had changed.
    let accepted = s.use_refresh(&token, false).map_err(|_| crash())?;
    if s.lock().users.exact(&accepted.user).is_none() {
        return Err(user_not_found(&accepted.user, REFRESH));
    }
    let access = s
        .issue_access(&accepted.user, s.token_ttl)
        .map_err(|_| crash())?;
    Ok(send(
        200,
        &Tokens {
            jwt_token: &access.token,
            refresh_token: None,
        },
    ))
}
