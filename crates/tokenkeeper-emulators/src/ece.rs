//! Elastic Cloud Enterprise emulator: `POST /api/v1/users/auth/_login` (`{"username","password"}`) and
//! `POST /api/v1/users/auth/_refresh` (no body; `Authorization: Bearer <token>` or Basic user:password).
//! Answers `{"token","session_expiration_time"}` (3.x: only `{"token"}`); a login asking for a
//! redirect (`login_state.path`), or any login with `ece_sso`, answers 302 to
//! `/sso/token#<token>?state=<path>` with no body. Errors are
//! `{"errors":[{"code","message","fields"}]}` plus the `x-cloud-error-codes` header.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::faults::Endpoint;
use crate::http;
use crate::state::Shared;
use crate::users::Check;

const LOGIN: &str = "/api/v1/users/auth/_login";
const REFRESH: &str = "/api/v1/users/auth/_refresh";
const UNAUTHORIZED: &str = "The authentication token is invalid or expired.";
const UNAUTHENTICATED: &str = "The supplied authentication is invalid.";

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(LOGIN, post(login))
        .route(REFRESH, post(refresh))
}

pub(crate) fn endpoint(path: &str) -> Endpoint {
    match path {
        LOGIN => Endpoint::Login,
        REFRESH => Endpoint::Refresh,
        _ => Endpoint::Other,
    }
}

fn error(status: u16, code: &'static str, message: &str, fields: &[&str]) -> Response {
    let body = json!({ "errors": [{ "code": code, "message": message, "fields": fields }] });
    let mut response = http::json(status, &body);
    response
        .headers_mut()
        .insert("x-cloud-error-codes", HeaderValue::from_static(code));
    response
}

/// The documented error for `status` (503 is version 2.1's variant of 502; the code of 449 is a
/// guess: the API spec lists 449 only for other endpoints, and the SDK reads no code for it).
pub(crate) fn api_error(status: u16, endpoint: Endpoint) -> Response {
    let (code, message) = match (status, endpoint) {
        (400, _) => (
            "root.invalid_json_request",
            "The request body is not valid.",
        ),
        (401, Endpoint::Login) => ("root.unauthenticated", UNAUTHENTICATED),
        (401, _) => ("root.unauthorized", UNAUTHORIZED),
        (403, _) => (
            "root.forbidden",
            "You do not have permission to perform this operation.",
        ),
        (404, _) => (
            "root.resource_not_found",
            "The requested resource could not be found.",
        ),
        (405, _) => (
            "root.method_not_allowed",
            "The HTTP method is not allowed on this resource.",
        ),
        (449, _) => (
            "root.needs_elevated_permissions",
            "Elevated permissions are required to perform this operation.",
        ),
        (501, _) => (
            "authc.no_authentication_cluster",
            "The administrator needs to configure the authentication cluster.",
        ),
        (502 | 503, _) => (
            "authc.authentication_cluster_error",
            "The authentication cluster failed to process the request.",
        ),
        _ => ("root.unexpected_error", "An unexpected error occurred."),
    };
    error(status, code, message, &[])
}

/// The success body for `token` (or without it, for faults).
pub(crate) fn success_body(s: &Shared, token: Option<&str>, exp: i64) -> Value {
    let mut body = json!({});
    if let Some(token) = token {
        body["token"] = json!(token);
    }
    if !s.ece_legacy_3x {
        body["session_expiration_time"] = json!(http::rfc3339(exp));
    }
    body
}

fn token_response(s: &Shared, sub: &str) -> Result<Response, Response> {
    let issued = s
        .issue_access(sub, s.token_ttl)
        .map_err(|_| api_error(500, Endpoint::Other))?;
    Ok(http::json(
        200,
        &success_body(s, Some(&issued.token), issued.exp),
    ))
}

async fn login(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    s.tally(Endpoint::Login, login_inner(&s, &body))
}

fn login_inner(s: &Shared, body: &[u8]) -> Result<Response, Response> {
    let malformed = |fields: &[&str]| {
        error(
            400,
            "root.invalid_json_request",
            "The request body is not valid.",
            fields,
        )
    };
    let body = http::body_json(body).map_err(|()| malformed(&[]))?;
    let username = http::str_field(body.as_ref(), "username");
    let password = http::str_field(body.as_ref(), "password");
    let (Some(username), Some(password)) = (username, password) else {
        return Err(malformed(&["username", "password"]));
    };
    let redirect = body
        .as_ref()
        .and_then(|b| b.pointer("/login_state/path"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let checked = s.lock().users.check(&username, &password);
    let Check::Ok(user) = checked else {
        return Err(error(401, "root.unauthenticated", UNAUTHENTICATED, &[]));
    };
    match redirect {
        Some(path) => sso_redirect(s, &user.username, &path),
        None if s.ece_sso => sso_redirect(s, &user.username, ""),
        None => token_response(s, &user.username),
    }
}

/// `s` percent-encoded for a URL (unreserved characters and `/` kept).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// 302 to `/sso/token#<token>?state=<state>`, no body.
fn sso_redirect(s: &Shared, sub: &str, state: &str) -> Result<Response, Response> {
    let issued = s
        .issue_access(sub, s.token_ttl)
        .map_err(|_| api_error(500, Endpoint::Other))?;
    let location = format!(
        "/sso/token#{}?state={}",
        issued.token,
        percent_encode(state)
    );
    let value = HeaderValue::from_str(&location).map_err(|_| api_error(500, Endpoint::Other))?;
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(header::LOCATION, value);
    Ok(response)
}

async fn refresh(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    s.tally(Endpoint::Refresh, refresh_inner(&s, &headers))
}

fn refresh_inner(s: &Shared, headers: &HeaderMap) -> Result<Response, Response> {
    let refused = || error(401, "root.unauthorized", UNAUTHORIZED, &[]);
    if let Some(token) = http::token_with_scheme(headers, "Bearer") {
        let claims = s.check_access(token).ok_or_else(refused)?;
        return token_response(s, &claims.sub);
    }
    if let Some((name, password)) = http::basic(headers) {
        let checked = s.lock().users.check(&name, &password);
        if let Check::Ok(user) = checked {
            return token_response(s, &user.username);
        }
    }
    Err(refused())
}
