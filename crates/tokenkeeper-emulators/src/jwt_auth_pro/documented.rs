//! JWT Auth Pro as its documentation describes it (`documented: true`): the refresh answers the
//! login's TokenResponse (`token` and the user fields) with a new `refresh_token`; refresh tokens
//! are JWTs in rotating families, and reusing a rotated-out one revokes the whole family while the
//! old access token stays valid; login failures are `[jwt_auth] incorrect_password` and friends;
//! the revoke endpoint takes the access token and/or the refresh token; the documented rate limits
//! are 5 logins a minute per IP and 10 refreshes a minute per refresh token.

use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::{INVALID_REFRESH, bearer, licensed, user_named};
use crate::faults::Endpoint;
use crate::http;
use crate::ratelimit::{self, Verdict};
use crate::state::{RefreshRefused, Shared};
use crate::users::{Check, User};

/// WordPress's `{"code","message","data":{"status"}}`.
pub(super) fn error(status: u16, code: &str, message: &str) -> Response {
    http::json(
        status,
        &json!({ "code": code, "message": message, "data": { "status": status } }),
    )
}

fn incorrect_password(name: &str) -> Response {
    let what = if name.contains('@') {
        "email address"
    } else {
        "username"
    };
    let message = format!(
        "<strong>ERROR</strong>: The password you entered for the {what} <strong>{name}</strong> is incorrect. \
         <a href=\"/wp-login.php?action=lostpassword\">Lost your password?</a>"
    );
    error(403, "[jwt_auth] incorrect_password", &message)
}

fn invalid_json() -> Response {
    error(400, "rest_invalid_json", "Invalid JSON body passed.")
}

fn rate_limited(verdict: Verdict) -> Response {
    let message = format!(
        "Too many requests. Please try again in {} seconds.",
        verdict.retry_after
    );
    super::limit_headers(error(429, "jwt_auth_rate_limited", &message), verdict, true)
}

/// The documented error for `status` (a login's 403 is WordPress's incorrect-password answer).
pub(super) fn api_error(s: &Shared, status: u16, endpoint: Endpoint) -> Response {
    match (status, endpoint) {
        (400, _) => invalid_json(),
        (401, _) => error(401, "jwt_auth_invalid_token", "Invalid token."),
        (403, Endpoint::Login) => {
            let name = s.lock().users.first().map(|u| u.username.clone());
            incorrect_password(&name.unwrap_or_else(|| "admin".to_owned()))
        }
        (403, Endpoint::Refresh) => error(403, INVALID_REFRESH, "Invalid refresh token."),
        (403, _) => error(403, "jwt_auth_invalid_token", "Invalid token."),
        (404 | 405, _) => error(
            status,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        ),
        (429, _) => {
            let limit = if endpoint == Endpoint::Refresh {
                ratelimit::REFRESH_PER_MINUTE
            } else {
                ratelimit::AUTH_PER_MINUTE
            };
            rate_limited(Verdict {
                allowed: false,
                limit,
                remaining: 0,
                reset: s.now() + 60,
                retry_after: 60,
            })
        }
        (500, _) => error(
            500,
            "internal_server_error",
            "<p>There has been a critical error on this website.</p>",
        ),
        _ => error(status, "rest_error", "The request could not be completed."),
    }
}

/// The TokenResponse for `user`; tokens are left out when `None` (for faults).
pub(super) fn success_body(user: &User, token: Option<&str>, refresh: Option<&str>) -> Value {
    let mut body = json!({
        "user_id": user.id,
        "user_email": user.email(),
        "user_nicename": user.nicename(),
        "user_display_name": user.display_name(),
    });
    if let Some(token) = token {
        body["token"] = json!(token);
    }
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
    }
    body
}

fn token_response(s: &Shared, user: &User, refresh: &str) -> Result<Response, Response> {
    let issued = s
        .issue_access(&user.username, s.token_ttl)
        .map_err(|_| api_error(s, 500, Endpoint::Other))?;
    Ok(http::json(
        200,
        &success_body(user, Some(&issued.token), Some(refresh)),
    ))
}

fn limit(s: &Shared, key: &str, per_minute: u32) -> Option<Verdict> {
    if !s.rate_limits {
        return None;
    }
    let now = s.now();
    Some(s.lock().limits.hit(key, per_minute, now))
}

fn with_limits(
    result: Result<Response, Response>,
    verdict: Option<Verdict>,
) -> Result<Response, Response> {
    match verdict {
        None => result,
        Some(v) => match result {
            Ok(r) => Ok(super::limit_headers(r, v, false)),
            Err(r) => Err(super::limit_headers(r, v, false)),
        },
    }
}

fn refused(s: &Shared, verdict: Verdict) -> Response {
    s.count(|stats| stats.rate_limited += 1);
    rate_limited(verdict)
}

/// `POST /token`.
pub(super) fn token(s: &Shared, ip: &str, body: &[u8]) -> Result<Response, Response> {
    let body = http::body_json(body).map_err(|()| invalid_json())?;
    licensed(s)?;
    let verdict = limit(s, &format!("auth:{ip}"), ratelimit::AUTH_PER_MINUTE);
    match verdict {
        Some(v) if !v.allowed => Err(refused(s, v)),
        _ => with_limits(token_inner(s, body.as_ref()), verdict),
    }
}

fn token_inner(s: &Shared, body: Option<&Value>) -> Result<Response, Response> {
    let name = http::str_field(body, "username").unwrap_or_default();
    let password = http::str_field(body, "password").unwrap_or_default();
    if name.is_empty() {
        return Err(error(
            403,
            "[jwt_auth] empty_username",
            "<strong>Error:</strong> The username field is empty.",
        ));
    }
    if password.is_empty() {
        return Err(error(
            403,
            "[jwt_auth] empty_password",
            "<strong>Error:</strong> The password field is empty.",
        ));
    }
    let checked = s.lock().users.check(&name, &password);
    match checked {
        Check::Ok(user) => {
            let refresh = s
                .issue_refresh(&user.username)
                .map_err(|_| api_error(s, 500, Endpoint::Other))?;
            token_response(s, &user, &refresh)
        }
        Check::WrongPassword(_) => Err(incorrect_password(&name)),
        Check::UnknownUser if name.contains('@') => Err(error(
            403,
            "[jwt_auth] invalid_email",
            "Unknown email address. Check again or try your username.",
        )),
        Check::UnknownUser => Err(error(
            403,
            "[jwt_auth] invalid_username",
            &format!(
                "<strong>Error:</strong> The username <strong>{name}</strong> is not registered on this site."
            ),
        )),
    }
}

/// `POST /token/refresh`.
pub(super) fn refresh(s: &Shared, body: &[u8]) -> Result<Response, Response> {
    let body = http::body_json(body).map_err(|()| invalid_json())?;
    let Some(token) = http::str_field(body.as_ref(), "refresh_token") else {
        let body = json!({
            "code": "rest_missing_callback_param",
            "message": "Missing parameter(s): refresh_token",
            "data": { "status": 400, "params": ["refresh_token"] },
        });
        return Err(http::json(400, &body));
    };
    licensed(s)?;
    let verdict = limit(
        s,
        &format!("refresh:{token}"),
        ratelimit::REFRESH_PER_MINUTE,
    );
    if let Some(v) = verdict.filter(|v| !v.allowed) {
        return Err(refused(s, v));
    }
    let result = match s.use_refresh(&token, true) {
        Ok(accepted) => match accepted.new_refresh {
            Some(new_refresh) => token_response(s, &user_named(s, &accepted.user), &new_refresh),
            None => Err(api_error(s, 500, Endpoint::Other)),
        },
        Err(RefreshRefused::Expired) => Err(error(403, INVALID_REFRESH, "Refresh token expired.")),
        Err(RefreshRefused::Reused) => Err(error(
            403,
            INVALID_REFRESH,
            "Refresh token reuse detected. All tokens of this session have been revoked.",
        )),
        Err(RefreshRefused::Invalid | RefreshRefused::SessionOver) => {
            Err(error(403, INVALID_REFRESH, "Invalid refresh token."))
        }
    };
    with_limits(result, verdict)
}

fn no_auth_header() -> Response {
    error(
        403,
        "jwt_auth_no_auth_header",
        "Authorization header not found.",
    )
}

/// `POST /token/revoke`: the Bearer (or body `token`) access token and/or the body's refresh
/// token (its whole family).
pub(super) fn revoke(s: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Response, Response> {
    let body = http::body_json(body).map_err(|()| invalid_json())?;
    licensed(s)?;
    let access = bearer(headers)
        .map(str::to_owned)
        .or_else(|| http::str_field(body.as_ref(), "token"));
    let refresh = http::str_field(body.as_ref(), "refresh_token");
    if access.is_none() && refresh.is_none() {
        return Err(no_auth_header());
    }
    let mut revoked = false;
    if let Some(claims) = access.as_deref().and_then(|t| s.check_access(t)) {
        s.revoke_access(&claims);
        s.count(|stats| stats.access_tokens_revoked += 1);
        revoked = true;
    }
    if let Some(refresh) = refresh {
        revoked |= s.revoke_refresh(&refresh);
    }
    if !revoked {
        return Err(error(403, "jwt_auth_invalid_token", "Invalid token."));
    }
    let body = json!({ "code": "jwt_auth_token_revoked", "message": "Token revoked.", "data": { "status": 200 } });
    Ok(http::json(200, &body))
}

/// `POST /token/validate`.
pub(super) fn validate(s: &Shared, headers: &HeaderMap) -> Result<Response, Response> {
    licensed(s)?;
    let Some(token) = bearer(headers) else {
        if headers.contains_key(header::AUTHORIZATION) {
            return Err(error(
                403,
                "jwt_auth_bad_auth_header",
                "Authorization header malformed.",
            ));
        }
        return Err(no_auth_header());
    };
    if s.check_access(token).is_none() {
        return Err(error(403, "jwt_auth_invalid_token", "Invalid token."));
    }
    Ok(http::json(
        200,
        &json!({ "code": "jwt_auth_valid_token", "data": { "status": 200 } }),
    ))
}
