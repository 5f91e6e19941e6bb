//! Generic JWT service emulator. By default it answers as the real service behind the seed page
//! does (the KirjaSwappi Spring backend; `spring`): `POST /api/v1/authenticate`
//! (`{"username","password"}` → `{"jwtToken","refreshToken"}`) and `POST
//! /api/v1/authenticate/refresh` (`{"refreshToken"}` → `{"jwtToken"}`; the refresh token, a JWT
//! with its own `exp`, does not rotate). With `documented: true` only the refresh exists (refresh
//! tokens come from `Emulator::issue_refresh_token`) and errors follow the Microsoft REST
//! guidelines shape `{"error":{"code","message","target","details"}}`.

mod spring;

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

const LOGIN: &str = "/api/v1/authenticate";
const REFRESH: &str = "/api/v1/authenticate/refresh";

pub(crate) fn router(s: &Shared) -> Router<Arc<Shared>> {
    let routes = Router::new().route(REFRESH, post(refresh));
    if s.documented {
        routes
    } else {
        routes.route(LOGIN, post(login))
    }
}

pub(crate) fn endpoint(s: &Shared, path: &str) -> Endpoint {
    match path {
        REFRESH => Endpoint::Refresh,
        LOGIN if !s.documented => Endpoint::Login,
        _ => Endpoint::Other,
    }
}

fn error(status: u16, code: &str, message: &str, target: &str, detail_code: &str) -> Response {
    let body = json!({ "error": {
        "code": code,
        "message": message,
        "target": target,
        "details": [{ "code": detail_code, "message": message, "target": target }],
    }});
    http::json(status, &body)
}

/// The documented error for `status`.
fn documented_error(status: u16) -> Response {
    let (code, message) = match status {
        400 => ("BadRequest", "The request is invalid."),
        401 => (
            "Unauthorized",
            "The refresh token is invalid or has been revoked.",
        ),
        403 => ("Forbidden", "The operation is not allowed."),
        404 => ("NotFound", "The requested resource was not found."),
        405 => (
            "MethodNotAllowed",
            "The HTTP method is not allowed on this resource.",
        ),
        503 => (
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
        ),
        _ => ("InternalServerError", "An internal server error occurred."),
    };
    error(status, code, message, "", code)
}

/// The error for `status` (the real service's, or the documented one).
pub(crate) fn api_error(s: &Shared, status: u16, endpoint: Endpoint) -> Response {
    if s.documented {
        documented_error(status)
    } else {
        spring::api_error(s, status, endpoint)
    }
}

/// An unknown path.
pub(crate) fn not_found(s: &Shared, path: &str) -> Response {
    if s.documented {
        documented_error(404)
    } else {
        spring::default_error(s, 404, path)
    }
}

/// A known path with another method.
pub(crate) fn method_not_allowed(s: &Shared, path: &str) -> Response {
    if s.documented {
        documented_error(405)
    } else {
        spring::default_error(s, 405, path)
    }
}

pub(crate) fn success_body(token: Option<&str>) -> Value {
    match token {
        Some(token) => json!({ "jwtToken": token }),
        None => json!({}),
    }
}

async fn login(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    s.tally(Endpoint::Login, spring::login(&s, &headers, &body))
}

async fn refresh(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let result = if s.documented {
        documented_refresh(&s, &body)
    } else {
        spring::refresh(&s, &headers, &body)
    };
    s.tally(Endpoint::Refresh, result)
}

fn documented_refresh(s: &Shared, body: &[u8]) -> Result<Response, Response> {
    let body = http::body_json(body).map_err(|()| {
        error(
            400,
            "BadRequest",
            "The request body is not valid JSON.",
            "body",
            "InvalidJson",
        )
    })?;
    let token = http::str_field(body.as_ref(), "refreshToken").ok_or_else(|| {
        let message = "The refreshToken field is required.";
        error(400, "BadRequest", message, "refreshToken", "MissingField")
    })?;
    let accepted = s.use_refresh(&token, false).map_err(|_| {
        let message = "The refresh token is invalid or has been revoked.";
        error(
            401,
            "Unauthorized",
            message,
            "refreshToken",
            "InvalidRefreshToken",
        )
    })?;
    let issued = s
        .issue_access(&accepted.user, s.token_ttl)
        .map_err(|_| documented_error(500))?;
    Ok(http::json(200, &success_body(Some(&issued.token))))
}
