//! Generic JWT service emulator: only `POST /api/v1/authenticate/refresh` (`{"refreshToken"}` →
//! `{"jwtToken"}`); the refresh token does not rotate and comes from `Emulator::issue_refresh_token`.
//! Errors follow the Microsoft REST guidelines shape `{"error":{"code","message","target","details"}}`.

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

const REFRESH: &str = "/api/v1/authenticate/refresh";

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new().route(REFRESH, post(refresh))
}

pub(crate) fn endpoint(path: &str) -> Endpoint {
    if path == REFRESH {
        Endpoint::Refresh
    } else {
        Endpoint::Other
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
pub(crate) fn api_error(status: u16) -> Response {
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

pub(crate) fn success_body(token: Option<&str>) -> Value {
    match token {
        Some(token) => json!({ "jwtToken": token }),
        None => json!({}),
    }
}

async fn refresh(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    s.tally(Endpoint::Refresh, refresh_inner(&s, &body))
}

fn refresh_inner(s: &Shared, body: &[u8]) -> Result<Response, Response> {
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
        .map_err(|_| api_error(500))?;
    Ok(http::json(200, &success_body(Some(&issued.token))))
}
