//! WordPress JWT Auth Pro emulator. Routes (under `/wp-json`, or `/?rest_route=` with plain
//! permalinks; see `permalinks`): `POST /jwt-auth/v1/token` (`{"username","password"}`),
//! `POST /jwt-auth/v1/token/refresh` (`{"refresh_token"}`), `POST /jwt-auth/v1/token/validate`,
//! `POST /jwt-auth/v1/token/revoke`, and one protected WordPress route, `GET /wp/v2/users/me`.
//! By default it answers as the real plugin (0.2.1) does (`real` and `checks`, with its token
//! table in `table`, its JWTs in `wpjwt`, WordPress's login in `wordpress`); `documented: true`
//! answers as its documentation says (`documented`). Errors are WordPress's `{"code","message","data":{"status"}}`.

mod checks;
mod documented;
mod errors;
pub(crate) mod permalinks;
mod real;
pub(crate) mod table;
mod wordpress;
mod wpjwt;

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{Value, json};

use crate::conn::ConnCtx;
use crate::faults::Endpoint;
use crate::http;
use crate::ratelimit::Verdict;
use crate::state::Shared;
use crate::users::User;

pub(crate) use checks::access_valid;
pub(crate) use real::issue_pair;

const TOKEN: &str = "/jwt-auth/v1/token";
const REFRESH: &str = "/jwt-auth/v1/token/refresh";
const REVOKE: &str = "/jwt-auth/v1/token/revoke";
const VALIDATE: &str = "/jwt-auth/v1/token/validate";
const USERS_ME: &str = "/wp/v2/users/me";
const INVALID_REFRESH: &str = "jwt_auth_invalid_refresh_token";

/// The routes, by their REST route (the permalink forms are mapped onto these in front).
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(TOKEN, post(token))
        .route(REFRESH, post(refresh))
        .route(REVOKE, post(revoke))
        .route(VALIDATE, post(validate))
        .route(USERS_ME, get(users_me))
}

pub(crate) fn endpoint(path: &str) -> Endpoint {
    match path {
        TOKEN => Endpoint::Login,
        REFRESH => Endpoint::Refresh,
        _ => Endpoint::Other,
    }
}

/// The client's address as the plugin sees it: the first `X-Forwarded-For` entry, else the peer.
fn client_ip(headers: &HeaderMap, ctx: Option<&ConnCtx>) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .and_then(|v| v.parse::<IpAddr>().ok());
    forwarded
        .or_else(|| ctx.map(|c| c.peer.ip()))
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// 401 `rest_forbidden` when the plugin runs without a licence.
fn licensed(s: &Shared) -> Result<(), Response> {
    if s.unlicensed {
        return Err(errors::wp_error(
            401,
            "rest_forbidden",
            "Please activate your JWT Auth Pro license.",
        ));
    }
    Ok(())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    http::token_with_scheme(headers, "Bearer")
}

fn add_header(response: &mut Response, name: &'static str, value: i64) {
    if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), value);
    }
}

/// `X-RateLimit-Limit/Remaining/Reset`, and `Retry-After` (seconds to the reset) when `retry`.
fn limit_headers(mut response: Response, verdict: Verdict, retry: bool) -> Response {
    add_header(&mut response, "x-ratelimit-limit", i64::from(verdict.limit));
    add_header(
        &mut response,
        "x-ratelimit-remaining",
        i64::from(verdict.remaining),
    );
    add_header(&mut response, "x-ratelimit-reset", verdict.reset);
    if retry {
        add_header(&mut response, "retry-after", verdict.retry_after);
    }
    response
}

/// The user a token names, or a stand-in when tests issued tokens for an unknown name.
fn user_named(s: &Shared, name: &str) -> User {
    s.lock().users.find(name).cloned().unwrap_or_else(|| User {
        id: 0,
        username: name.to_owned(),
        password: String::new(),
    })
}

async fn token(
    State(s): State<Arc<Shared>>,
    ctx: Option<Extension<ConnCtx>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ip = client_ip(&headers, ctx.as_deref());
    let result = if s.documented {
        documented::token(&s, &ip, &body)
    } else {
        real::token(&s, &ip, &body)
    };
    s.tally(Endpoint::Login, result)
}

async fn refresh(
    State(s): State<Arc<Shared>>,
    ctx: Option<Extension<ConnCtx>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = if s.documented {
        documented::refresh(&s, &body)
    } else {
        real::refresh(&s, &client_ip(&headers, ctx.as_deref()), &body)
    };
    s.tally(Endpoint::Refresh, result)
}

async fn revoke(
    State(s): State<Arc<Shared>>,
    ctx: Option<Extension<ConnCtx>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = if s.documented {
        documented::revoke(&s, &headers, &body)
    } else {
        checks::revoke(&s, &client_ip(&headers, ctx.as_deref()), &headers)
    };
    match result {
        Ok(r) | Err(r) => r,
    }
}

async fn validate(
    State(s): State<Arc<Shared>>,
    ctx: Option<Extension<ConnCtx>>,
    headers: HeaderMap,
) -> Response {
    let result = if s.documented {
        documented::validate(&s, &headers)
    } else {
        checks::validate(&s, &client_ip(&headers, ctx.as_deref()), &headers)
    };
    match result {
        Ok(r) | Err(r) => r,
    }
}

async fn users_me(
    State(s): State<Arc<Shared>>,
    ctx: Option<Extension<ConnCtx>>,
    headers: HeaderMap,
) -> Response {
    let ip = client_ip(&headers, ctx.as_deref());
    match checks::users_me(&s, &ip, &headers) {
        Ok(r) | Err(r) => r,
    }
}

/// The fallback: a web server's HTML 404 for `/wp-json/...` with plain permalinks, else
/// WordPress's `rest_no_route`.
pub(crate) fn not_found(s: &Shared, req: &Request) -> Response {
    if permalinks::is_web_server_404(req) {
        return permalinks::web_server_404(&s.site_url);
    }
    api_error(s, 404, Endpoint::Other)
}

/// The error for `status` (the real plugin's, or the documented one).
pub(crate) fn api_error(s: &Shared, status: u16, endpoint: Endpoint) -> Response {
    if s.documented {
        documented::api_error(s, status, endpoint)
    } else {
        real::api_error(s, status, endpoint)
    }
}

/// Where the access token is in a success answer of `endpoint`.
pub(crate) fn access_token_pointer(s: &Shared, endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Refresh if !s.documented => "/access_token",
        _ => "/token",
    }
}

/// A success body for faults, without refresh token: the refresh's shape for the real refresh,
/// else the login's TokenResponse (for the first user).
pub(crate) fn fault_body(s: &Shared, endpoint: Endpoint, token: Option<&str>) -> Value {
    if endpoint == Endpoint::Refresh && !s.documented {
        let mut body = json!({ "expires_in": s.token_ttl, "token_type": "Bearer" });
        if let Some(token) = token {
            body["access_token"] = json!(token);
        }
        return body;
    }
    let name = s.lock().users.first().map(|u| u.username.clone());
    let user = user_named(s, &name.unwrap_or_else(|| "admin".to_owned()));
    documented::success_body(&user, token, None)
}
