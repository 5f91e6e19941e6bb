//! Redis Enterprise Software REST API emulator: `POST /v1/users/authorize` (Basic header or
//! `{"username","password"}` body, optional `{"ttl"}`, lockout after 5 failures in 15 minutes) and
//! `POST /v1/users/refresh_jwt` (`Authorization: JWT <token>`). Errors are `{"error_code","message"}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use crate::faults::Endpoint;
use crate::http;
use crate::state::Shared;
use crate::users::Check;

const AUTHORIZE: &str = "/v1/users/authorize";
const REFRESH: &str = "/v1/users/refresh_jwt";
const INVALID_TOKEN: &str = "The token is invalid or password has expired";
const MAX_TTL: u64 = 86_400;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(AUTHORIZE, post(authorize))
        .route(REFRESH, post(refresh_jwt))
}

pub(crate) fn endpoint(path: &str) -> Endpoint {
    match path {
        AUTHORIZE => Endpoint::Login,
        REFRESH => Endpoint::Refresh,
        _ => Endpoint::Other,
    }
}

fn error(status: u16, code: &str, message: &str) -> Response {
    http::json(status, &json!({ "error_code": code, "message": message }))
}

/// The documented error for `status`; a login's 401 is `password_expired`.
pub(crate) fn api_error(status: u16, endpoint: Endpoint) -> Response {
    let (code, message) = match (status, endpoint) {
        (400, _) => ("bad_request", "The request is malformed"),
        (401, Endpoint::Login) => ("password_expired", "The password has expired"),
        (401, _) => ("unauthorized", INVALID_TOKEN),
        (403, _) => ("forbidden", "Insufficient permissions for this operation"),
        (404, _) => ("not_found", "The requested resource does not exist"),
        (405, _) => ("method_not_allowed", "Method not allowed"),
        (503, _) => ("node_not_responding", "node not responding"),
        _ => ("internal_error", "Internal server error"),
    };
    error(status, code, message)
}

/// The success body, with or without the token (for faults).
pub(crate) fn success_body(token: Option<&str>) -> Value {
    match token {
        Some(token) => json!({ "access_token": token }),
        None => json!({}),
    }
}

fn ttl(body: Option<&Value>, default: u64) -> Result<u64, Response> {
    match body.and_then(|b| b.get("ttl")) {
        None | Some(Value::Null) => Ok(default),
        Some(value) => match value.as_u64() {
            Some(ttl) if (1..=MAX_TTL).contains(&ttl) => Ok(ttl),
            _ => Err(error(
                400,
                "invalid_ttl",
                "ttl must be an integer between 1 and 86400",
            )),
        },
    }
}

fn token_response(s: &Shared, sub: &str, ttl: u64) -> Result<Response, Response> {
    let issued = s
        .issue_access(sub, ttl)
        .map_err(|_| api_error(500, Endpoint::Other))?;
    Ok(http::json(200, &success_body(Some(&issued.token))))
}

async fn authorize(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    s.tally(Endpoint::Login, authorize_inner(&s, &headers, &body))
}

fn authorize_inner(s: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Response, Response> {
    let body =
        http::body_json(body).map_err(|()| error(400, "bad_request", "Malformed JSON body"))?;
    let ttl = ttl(body.as_ref(), s.token_ttl)?;
    let credentials = http::basic(headers).or_else(|| {
        let user = http::str_field(body.as_ref(), "username")?;
        let password = http::str_field(body.as_ref(), "password")?;
        Some((user, password))
    });
    let Some((name, password)) = credentials else {
        return Err(error(
            401,
            "unauthorized",
            "Authentication credentials are required",
        ));
    };
    let now = s.now();
    let user = {
        let mut inner = s.lock();
        let check = inner.users.check(&name, &password);
        let known = match &check {
            Check::Ok(user) | Check::WrongPassword(user) => Some(user.username.clone()),
            Check::UnknownUser => None,
        };
        if let Some(known) = &known
            && inner.lockouts.is_locked(known, now)
        {
            return Err(error(
                401,
                "user_locked",
                "The user is locked after too many failed login attempts",
            ));
        }
        match check {
            Check::Ok(user) => {
                inner.lockouts.record_success(&user.username);
                user
            }
            Check::WrongPassword(user) => {
                inner.lockouts.record_failure(&user.username, now);
                return Err(error(401, "unauthorized", "Invalid username or password"));
            }
            Check::UnknownUser => {
                return Err(error(401, "unauthorized", "Invalid username or password"));
            }
        }
    };
    token_response(s, &user.username, ttl)
}

async fn refresh_jwt(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    s.tally(Endpoint::Refresh, refresh_inner(&s, &headers, &body))
}

fn refresh_inner(s: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Response, Response> {
    // The scheme word is literally `JWT`: `Bearer` (or `jwt`) is refused.
    let token = match http::authorization(headers) {
        Some(("JWT", token)) => token,
        _ => return Err(error(401, "unauthorized", INVALID_TOKEN)),
    };
    let claims = s
        .check_access(token)
        .ok_or_else(|| error(401, "unauthorized", INVALID_TOKEN))?;
    let body =
        http::body_json(body).map_err(|()| error(400, "bad_request", "Malformed JSON body"))?;
    let ttl = ttl(body.as_ref(), s.token_ttl)?;
    token_response(s, &claims.sub, ttl)
}
