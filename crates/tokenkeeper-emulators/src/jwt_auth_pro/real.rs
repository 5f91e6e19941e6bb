//! JWT Auth Pro 0.2.1 as it runs (read from its source, compared with a real server): WordPress
//! checks the JSON body and the required parameters, then the licence, then the plugin's handler
//! counts the request against the per-IP rate limit. Login answers the TokenResponse with an
//! opaque 32-hex refresh token; a refresh answers `{access_token, expires_in, token_type,
//! refresh_token}` and revokes the old row (its refresh token *and* its access token); an old
//! refresh token presented again is just "Invalid refresh token." (no family revocation; counted
//! as a reuse in the stats). Access tokens are checked in `checks`.

use axum::response::Response;
use serde::Serialize;

use super::errors::{self, ErrorData, wp_error, wp_json};
use super::table::{RefreshMiss, Revocation, Row};
use super::{INVALID_REFRESH, licensed, limit_headers, wordpress, wpjwt};
use crate::faults::Endpoint;
use crate::ratelimit::{self, Verdict};
use crate::state::{Shared, ttl_i64};

pub(super) type Answer = Result<Response, Response>;

/// An access token and the refresh token of its row.
#[derive(Debug)]
pub(crate) struct Pair {
    pub access: String,
    pub refresh: String,
}

#[derive(Serialize)]
struct LoginBody<'a> {
    token: &'a str,
    user_id: u64,
    user_email: String,
    user_nicename: String,
    user_display_name: String,
    refresh_token: &'a str,
}

#[derive(Serialize)]
struct RefreshBody<'a> {
    access_token: &'a str,
    expires_in: i64,
    token_type: &'static str,
    refresh_token: &'a str,
}

fn internal_error() -> Response {
    wp_error(
        500,
        "internal_server_error",
        "<p>There has been a critical error on this website.</p><p><a href=\"https://wordpress.org/documentation/article/faq-troubleshooting/\">Learn more about troubleshooting WordPress.</a></p>",
    )
}

fn rate_limited(verdict: Verdict) -> Response {
    let response = errors::wp_error_with(
        "jwt_auth_rate_limited",
        "Rate limit exceeded",
        ErrorData {
            status: 429,
            retry_after: Some(verdict.retry_after),
            ..ErrorData::default()
        },
    );
    limit_headers(response, verdict, true)
}

/// The plugin's handler part: count the request against the IP's window (when `rate_limits`),
/// then `run`; its answer carries the window's headers (`Retry-After` too on success).
pub(super) fn limited(s: &Shared, ip: &str, run: impl FnOnce() -> Answer) -> Answer {
    if !s.rate_limits {
        return run();
    }
    let now = s.now();
    let verdict = s
        .lock()
        .limits
        .hit(&format!("ip:{ip}"), ratelimit::REAL_PER_MINUTE, now);
    if !verdict.allowed {
        s.count(|stats| stats.rate_limited += 1);
        return Err(rate_limited(verdict));
    }
    match run() {
        Ok(r) => Ok(limit_headers(r, verdict, true)),
        Err(r) => Err(limit_headers(r, verdict, false)),
    }
}

/// Sign an access token for `user` and store a new row for it (in `family`, else a new one).
fn issue(s: &Shared, user_id: u64, ttl: u64, family: Option<u64>) -> Result<(Pair, i64), Response> {
    let now = s.now();
    let access = wpjwt::encode(&s.keys, &s.site_url, user_id, now, ttl_i64(ttl))
        .map_err(|_| internal_error())?;
    let refresh = format!("{:032x}", rand::random::<u128>());
    let access_exp = now.saturating_add(ttl_i64(ttl));
    let mut inner = s.lock();
    let family = family.unwrap_or_else(|| inner.wp_tokens.new_family());
    let row = Row {
        user_id,
        access: access.clone(),
        access_exp,
        refresh: refresh.clone(),
        refresh_exp: now.saturating_add(ttl_i64(s.refresh_ttl)),
        family,
        revoked: None,
    };
    inner.wp_tokens.insert(row, now);
    Ok((Pair { access, refresh }, access_exp))
}

/// A new row for `username` (user id 0 when unknown), as a login would make.
pub(crate) fn issue_pair(s: &Shared, username: &str, ttl: u64) -> Option<Pair> {
    let id = s.lock().users.by_login(username).map_or(0, |u| u.id);
    issue(s, id, ttl, None).ok().map(|(pair, _)| pair)
}

/// `POST /token`.
pub(super) fn token(s: &Shared, ip: &str, body: &[u8]) -> Answer {
    let params = errors::params(body)?;
    errors::require(&params, &["username", "password"])?;
    licensed(s)?;
    let username = errors::string(&params, "username");
    let password = params
        .get("password")
        .and_then(|p| p.as_str())
        .unwrap_or_default()
        .to_owned();
    limited(s, ip, || {
        let user = wordpress::authenticate(s, &username, &password)
            .map_err(|message| wp_error(403, "jwt_auth_failed", &message))?;
        let (pair, _) = issue(s, user.id, s.token_ttl, None)?;
        Ok(wp_json(
            200,
            &LoginBody {
                token: &pair.access,
                user_id: user.id,
                user_email: user.email(),
                user_nicename: user.nicename(),
                user_display_name: user.display_name(),
                refresh_token: &pair.refresh,
            },
        ))
    })
}

/// `POST /token/refresh`.
pub(super) fn refresh(s: &Shared, ip: &str, body: &[u8]) -> Answer {
    let params = errors::params(body)?;
    errors::require(&params, &["refresh_token"])?;
    licensed(s)?;
    let presented = errors::string(&params, "refresh_token");
    limited(s, ip, || {
        let now = s.now();
        let invalid = || wp_error(403, INVALID_REFRESH, "Invalid refresh token.");
        // One step under the lock: of two refreshes with one token, only the first succeeds.
        let old = {
            let mut inner = s.lock();
            let found = inner.wp_tokens.find_refresh(&presented, now);
            let id = match found {
                Ok(id) => id,
                Err(miss) => {
                    if miss == RefreshMiss::Revoked(Revocation::Rotated) {
                        inner.stats.refresh_token_reuse += 1;
                    }
                    return Err(invalid());
                }
            };
            let Some(row) = inner.wp_tokens.row(id).cloned() else {
                return Err(invalid());
            };
            if inner.users.by_id(row.user_id).is_none() {
                return Err(wp_error(403, "jwt_auth_user_not_found", "User not found."));
            }
            inner.wp_tokens.revoke(id, Revocation::Rotated);
            inner.stats.access_tokens_revoked += 1;
            row
        };
        let (pair, exp) = issue(s, old.user_id, s.token_ttl, Some(old.family))?;
        Ok(wp_json(
            200,
            &RefreshBody {
                access_token: &pair.access,
                // As the plugin counts it: after issuing.
                expires_in: exp - s.now(),
                token_type: "Bearer",
                refresh_token: &pair.refresh,
            },
        ))
    })
}

/// The real plugin's (or WordPress's) error for `status`.
pub(super) fn api_error(s: &Shared, status: u16, endpoint: Endpoint) -> Response {
    match (status, endpoint) {
        (400, _) => errors::invalid_json(),
        (401, _) => wp_error(
            401,
            "rest_forbidden",
            "Please activate your JWT Auth Pro license.",
        ),
        (403, Endpoint::Login) => {
            let name = s.lock().users.first().map(|u| u.username.clone());
            let name = name.unwrap_or_else(|| "admin".to_owned());
            let message = wordpress::authenticate(s, &name, "\u{1}wrong")
                .err()
                .unwrap_or_default();
            wp_error(403, "jwt_auth_failed", &message)
        }
        (403, Endpoint::Refresh) => wp_error(403, INVALID_REFRESH, "Invalid refresh token."),
        (403, _) => wp_error(403, "jwt_auth_invalid_token", "Invalid token"),
        (404 | 405, _) => errors::no_route(),
        (429, _) => rate_limited(Verdict {
            allowed: false,
            limit: ratelimit::REAL_PER_MINUTE,
            remaining: 0,
            reset: s.now() + 60,
            retry_after: 60,
        }),
        (500, _) => internal_error(),
        _ => wp_error(status, "rest_error", "The request could not be completed."),
    }
}
