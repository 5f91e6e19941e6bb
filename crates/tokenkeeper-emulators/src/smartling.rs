//! Smartling Authentication API v2 emulator: `POST /auth-api/v2/authenticate`
//! (`{"userIdentifier","userSecret"}`) and `POST /auth-api/v2/authenticate/refresh` (`{"refreshToken"}`,
//! rotating: the presented token dies, reusing it revokes its family). Each authenticate starts an
//! SSO session (`smartling_session_secs`, a day by default): no token outlives it (`expiresIn` and
//! `refreshExpiresIn` shrink towards its end), and once it is over a refresh is refused. Answers
//! and errors are wrapped in `{"response":{"code", "data" | "errors":[{"key","message","details"}]}}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use crate::faults::Endpoint;
use crate::http;
use crate::state::Shared;
use crate::users::Check;

const AUTHENTICATE: &str = "/auth-api/v2/authenticate";
const REFRESH: &str = "/auth-api/v2/authenticate/refresh";

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(AUTHENTICATE, post(authenticate))
        .route(REFRESH, post(refresh))
}

pub(crate) fn endpoint(path: &str) -> Endpoint {
    match path {
        AUTHENTICATE => Endpoint::Login,
        REFRESH => Endpoint::Refresh,
        _ => Endpoint::Other,
    }
}

fn code_for(status: u16) -> &'static str {
    match status {
        400 => "VALIDATION_ERROR",
        401 => "AUTHENTICATION_ERROR",
        403 => "AUTHORIZATION_ERROR",
        404 => "NOT_FOUND_ERROR",
        423 => "RESOURCE_LOCKED",
        429 => "MAX_OPERATIONS_LIMIT_EXCEEDED",
        503 => "MAINTENANCE_MODE_ERROR",
        _ => "GENERAL_ERROR",
    }
}

fn error(status: u16, key: &str, message: &str, details: Value) -> Response {
    let body = json!({ "response": {
        "code": code_for(status),
        "errors": [{ "key": key, "message": message, "details": details }],
    }});
    http::json(status, &body)
}

fn invalid_token() -> Response {
    error(401, "invalid_token", "Invalid token", Value::Null)
}

fn missing_field(field: &str) -> Response {
    let message = format!("Required field '{field}' is missing or not a string");
    error(
        400,
        "required_field_missing",
        &message,
        json!({ "field": field }),
    )
}

/// The documented error for `status`.
pub(crate) fn api_error(status: u16) -> Response {
    let (key, message) = match status {
        400 => ("invalid_parameter", "The request is not valid"),
        401 => ("invalid_token", "Invalid token"),
        403 => (
            "forbidden",
            "The user is not authorized to perform this operation",
        ),
        404 => ("not_found", "The requested resource was not found"),
        405 => ("method_not_allowed", "Method not allowed"),
        423 => ("resource_locked", "The resource is locked"),
        429 => ("too_many_requests", "Too many simultaneous API requests"),
        503 => ("maintenance_mode", "Smartling is in maintenance mode"),
        _ => ("general_error", "Unexpected server error"),
    };
    error(status, key, message, Value::Null)
}

/// Lifetimes of an answer's tokens: (expiresIn, refreshExpiresIn).
type Lifetimes = (u64, u64);

/// The success envelope; tokens are left out when `None` (for faults); lifetimes default to the
/// configured ones.
pub(crate) fn success_body(
    s: &Shared,
    access: Option<&str>,
    refresh: Option<&str>,
    lifetimes: Option<Lifetimes>,
) -> Value {
    let (expires_in, refresh_expires_in) = lifetimes.unwrap_or((s.token_ttl, s.refresh_ttl));
    let mut data = json!({
        "expiresIn": expires_in,
        "refreshExpiresIn": refresh_expires_in,
        "tokenType": "Bearer",
    });
    if let Some(access) = access {
        data["accessToken"] = json!(access);
    }
    if let Some(refresh) = refresh {
        data["refreshToken"] = json!(refresh);
    }
    json!({ "response": { "code": "SUCCESS", "data": data } })
}

/// A new access token for `user` (capped to what is left of the session) with `refresh`.
fn token_response(
    s: &Shared,
    user: &str,
    refresh: &str,
    refresh_expires_in: u64,
    session_left: Option<u64>,
) -> Result<Response, Response> {
    let expires_in = session_left.map_or(s.token_ttl, |left| s.token_ttl.min(left));
    let issued = s
        .issue_access(user, expires_in)
        .map_err(|_| api_error(500))?;
    let lifetimes = (expires_in, refresh_expires_in);
    Ok(http::json(
        200,
        &success_body(s, Some(&issued.token), Some(refresh), Some(lifetimes)),
    ))
}

fn parse(body: &[u8]) -> Result<Option<Value>, Response> {
    http::body_json(body).map_err(|()| {
        error(
            400,
            "invalid_json",
            "The request body is not valid JSON",
            Value::Null,
        )
    })
}

async fn authenticate(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    s.tally(Endpoint::Login, authenticate_inner(&s, &body))
}

fn authenticate_inner(s: &Shared, body: &[u8]) -> Result<Response, Response> {
    let body = parse(body)?;
    let user = http::str_field(body.as_ref(), "userIdentifier")
        .ok_or_else(|| missing_field("userIdentifier"))?;
    let secret =
        http::str_field(body.as_ref(), "userSecret").ok_or_else(|| missing_field("userSecret"))?;
    let checked = s.lock().users.check(&user, &secret);
    let Check::Ok(user) = checked else {
        return Err(error(
            401,
            "invalid_credentials",
            "Invalid user identifier or user secret",
            Value::Null,
        ));
    };
    let family = s.start_family(&user.username).map_err(|_| api_error(500))?;
    token_response(
        s,
        &user.username,
        &family.token,
        family.refresh_expires_in,
        family.session_left,
    )
}

async fn refresh(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    s.tally(Endpoint::Refresh, refresh_inner(&s, &body))
}

fn refresh_inner(s: &Shared, body: &[u8]) -> Result<Response, Response> {
    let body = parse(body)?;
    let token = http::str_field(body.as_ref(), "refreshToken")
        .ok_or_else(|| missing_field("refreshToken"))?;
    let accepted = s.use_refresh(&token, true).map_err(|_| invalid_token())?;
    let new_refresh = accepted.new_refresh.ok_or_else(|| api_error(500))?;
    token_response(
        s,
        &accepted.user,
        &new_refresh,
        accepted.refresh_expires_in,
        accepted.session_left,
    )
}
