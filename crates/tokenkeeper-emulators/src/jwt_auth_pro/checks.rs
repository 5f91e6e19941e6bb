//! The plugin's check of an access token (`ValidateTokenAction`: php-jwt, the `iss`, then the
//! token's first row) and the routes built on it: `/token/validate`, `/token/revoke` and the
//! protected WordPress route `/wp/v2/users/me` (the real plugin's; `users_me` serves the documented
//! variant too).

use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Serialize;

use super::errors::{wp_error, wp_json};
use super::real::{Answer, limited};
use super::table::{AccessRow, Revocation};
use super::{licensed, wpjwt};
use crate::state::Shared;

#[derive(Serialize)]
struct Status {
    status: u16,
}

#[derive(Serialize)]
struct CodeBody {
    code: &'static str,
    data: Status,
}

#[derive(Serialize)]
struct RevokedData {
    status: u16,
    revoked_at: String,
}

#[derive(Serialize)]
struct RevokedBody {
    code: &'static str,
    data: RevokedData,
}

/// The first fields of WordPress's user object.
#[derive(Serialize)]
struct Me {
    id: u64,
    name: String,
    url: &'static str,
    description: &'static str,
    link: String,
    slug: String,
}

/// The token of `Authorization` as the plugin's `extractToken` reads it.
fn extract_token(headers: &HeaderMap) -> Result<String, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(wp_error(
            403,
            "jwt_auth_no_auth_header",
            "Authorization header not found.",
        ));
    };
    let token = String::from_utf8_lossy(value.as_bytes()).replace("Bearer ", "");
    if token.trim().is_empty() {
        return Err(wp_error(
            403,
            "jwt_auth_bad_auth_header",
            "Authorization header malformed.",
        ));
    }
    Ok(token.trim().to_owned())
}

/// `ValidateTokenAction` without its rate limit: the token's row id, or the plugin's 403.
fn check(s: &Shared, token: &str) -> Result<u64, Response> {
    let payload = wpjwt::decode(&s.keys, token, s.now())
        .map_err(|message| wp_error(403, "jwt_auth_invalid_token", &message))?;
    if payload.get("iss").and_then(|v| v.as_str()) != Some(s.site_url.as_str()) {
        return Err(wp_error(
            403,
            "jwt_auth_bad_iss",
            "The iss do not match with this server",
        ));
    }
    if payload.pointer("/data/user/id").is_none() {
        return Err(wp_error(
            403,
            "jwt_auth_bad_request",
            "User ID not found in the token",
        ));
    }
    match s.lock().wp_tokens.access(token) {
        AccessRow::Live(id) => Ok(id),
        AccessRow::Missing | AccessRow::Revoked => Err(wp_error(
            403,
            "jwt_auth_revoked_token",
            "This token has been revoked",
        )),
    }
}

/// Would `/token/validate` accept `token` now?
pub(crate) fn access_valid(s: &Shared, token: &str) -> bool {
    check(s, token).is_ok()
}

/// `POST /token/validate`.
pub(super) fn validate(s: &Shared, ip: &str, headers: &HeaderMap) -> Answer {
    licensed(s)?;
    let token = extract_token(headers)?;
    limited(s, ip, || {
        check(s, &token)?;
        Ok(wp_json(
            200,
            &CodeBody {
                code: "jwt_auth_valid_token",
                data: Status { status: 200 },
            },
        ))
    })
}

/// `POST /token/revoke`: the Bearer token's row (so its refresh token too).
pub(super) fn revoke(s: &Shared, ip: &str, headers: &HeaderMap) -> Answer {
    licensed(s)?;
    let token = extract_token(headers)?;
    limited(s, ip, || {
        let id = check(s, &token)?;
        if !s.lock().wp_tokens.revoke(id, Revocation::Revoked) {
            return Err(wp_error(
                403,
                "jwt_auth_token_already_revoked",
                "Token has already been revoked",
            ));
        }
        s.count(|stats| stats.access_tokens_revoked += 1);
        let revoked_at = chrono::DateTime::from_timestamp(s.now(), 0)
            .unwrap_or_default()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        Ok(wp_json(
            200,
            &RevokedBody {
                code: "jwt_auth_token_revoked",
                data: RevokedData {
                    status: 200,
                    revoked_at,
                },
            },
        ))
    })
}

fn not_logged_in() -> Response {
    wp_error(
        401,
        "rest_not_logged_in",
        "You are not currently logged in.",
    )
}

/// `GET /wp/v2/users/me`: a protected route. A Bearer token is checked (and counted against the
/// rate limit) as `/token/validate` would; any failure but the rate limit leaves the request
/// anonymous: 401 `rest_not_logged_in`.
pub(super) fn users_me(s: &Shared, ip: &str, headers: &HeaderMap) -> Answer {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .filter(|v| v.starts_with("Bearer"))
        .map(|v| v.replace("Bearer ", "").trim().to_owned());
    let Some(token) = bearer else {
        return Err(not_logged_in());
    };
    let mut limits = None;
    let user_id = if s.documented {
        let claims = s.check_access(&token).ok_or_else(not_logged_in)?;
        s.lock().users.find(&claims.sub).map(|u| u.id)
    } else {
        let mut row = None;
        let checked = limited(s, ip, || {
            row = Some(check(s, &token)?);
            Ok(wp_json(200, &Status { status: 200 }))
        });
        match checked {
            Err(r) if r.status() == 429 => return Err(r),
            Err(r) => return Err(with_limit_headers(not_logged_in(), &r)),
            Ok(r) => {
                limits = Some(r);
                row.and_then(|id| s.lock().wp_tokens.row(id).map(|r| r.user_id))
            }
        }
    };
    let user = user_id.and_then(|id| s.lock().users.by_id(id).cloned());
    let Some(user) = user else {
        return Err(match &limits {
            Some(checked) => with_limit_headers(not_logged_in(), checked),
            None => not_logged_in(),
        });
    };
    let me = Me {
        id: user.id,
        name: user.display_name(),
        url: "",
        description: "",
        link: format!("{}/author/{}/", s.site_url, user.nicename()),
        slug: user.nicename(),
    };
    let response = wp_json(200, &me);
    Ok(match &limits {
        Some(checked) => with_limit_headers(response, checked),
        None => response,
    })
}

/// `response` with the rate-limit headers `from` carries (PHP's `header()` is global: what the
/// token check set goes out with whatever the route answers).
fn with_limit_headers(mut response: Response, from: &Response) -> Response {
    for (name, value) in from.headers() {
        if name.as_str().starts_with("x-ratelimit-") || name == header::RETRY_AFTER {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}
