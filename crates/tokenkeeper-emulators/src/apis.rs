//! Dispatch from `Api` to the five API modules: the router (with 404/405 in the API's own format and
//! the fault/Date middleware around everything; JWT Auth Pro's permalink forms in front), endpoint
//! classification, errors, success bodies, and the test controls that issue and check tokens.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware;
use axum::response::Response;
use serde_json::Value;

use crate::config::Api;
use crate::faults::Endpoint;
use crate::state::Shared;
use crate::{ece, generic_jwt, inject, jwt_auth_pro, oauth2, redis_enterprise, smartling};

/// The complete app for one emulator.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let routes = match shared.api {
        Api::RedisEnterprise => redis_enterprise::router(),
        Api::Ece => ece::router(),
        Api::Smartling => smartling::router(),
        Api::GenericJwt => generic_jwt::router(&shared),
        Api::JwtAuthPro => jwt_auth_pro::router(),
        Api::OAuth2 => oauth2::router(),
    };
    let app = routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            inject::middleware,
        ))
        .with_state(shared.clone());
    match shared.api {
        Api::JwtAuthPro => jwt_auth_pro::permalinks::front(app, shared),
        _ => app,
    }
}

async fn not_found(State(s): State<Arc<Shared>>, req: Request) -> Response {
    match s.api {
        Api::JwtAuthPro => jwt_auth_pro::not_found(&s, &req),
        Api::GenericJwt => generic_jwt::not_found(&s, req.uri().path()),
        _ => api_error(&s, 404, Endpoint::Other),
    }
}

async fn method_not_allowed(State(s): State<Arc<Shared>>, req: Request) -> Response {
    match s.api {
        // WordPress answers a route without the method as an unknown route.
        Api::JwtAuthPro if !s.documented => api_error(&s, 404, Endpoint::Other),
        Api::GenericJwt => generic_jwt::method_not_allowed(&s, req.uri().path()),
        _ => api_error(&s, 405, Endpoint::Other),
    }
}

/// Which kind of endpoint `path` is for this API.
pub(crate) fn endpoint(s: &Shared, path: &str) -> Endpoint {
    match s.api {
        Api::RedisEnterprise => redis_enterprise::endpoint(path),
        Api::Ece => ece::endpoint(path),
        Api::Smartling => smartling::endpoint(path),
        Api::GenericJwt => generic_jwt::endpoint(s, path),
        Api::JwtAuthPro => jwt_auth_pro::endpoint(path),
        Api::OAuth2 => oauth2::endpoint(path),
    }
}

/// The API's own error answer for `status` (the real server's, or the documented one).
pub(crate) fn api_error(s: &Shared, status: u16, endpoint: Endpoint) -> Response {
    match s.api {
        Api::RedisEnterprise => redis_enterprise::api_error(status, endpoint),
        Api::Ece => ece::api_error(status, endpoint),
        Api::Smartling => smartling::api_error(status),
        Api::GenericJwt => generic_jwt::api_error(s, status, endpoint),
        Api::JwtAuthPro => jwt_auth_pro::api_error(s, status, endpoint),
        Api::OAuth2 => oauth2::api_error(status),
    }
}

/// JSON pointer of the access token in the API's success body for `endpoint`.
pub(crate) fn access_token_pointer(s: &Shared, endpoint: Endpoint) -> &'static str {
    match s.api {
        Api::RedisEnterprise => "/access_token",
        Api::Ece => "/token",
        Api::Smartling => "/response/data/accessToken",
        Api::GenericJwt => "/jwtToken",
        Api::JwtAuthPro => jwt_auth_pro::access_token_pointer(s, endpoint),
        Api::OAuth2 => "/access_token",
    }
}

/// A success body in the API's shape for `endpoint` carrying `token` as the access token (left
/// out when `None`). It never carries a refresh token: faults change no server state, so the
/// client's one stays valid.
pub(crate) fn success_body(s: &Shared, endpoint: Endpoint, token: Option<&str>) -> Value {
    match s.api {
        Api::RedisEnterprise => redis_enterprise::success_body(token),
        Api::Ece => ece::success_body(s, token, s.now().saturating_add_unsigned(s.token_ttl)),
        Api::Smartling => smartling::success_body(s, token, None, None),
        Api::GenericJwt => generic_jwt::success_body(token),
        Api::JwtAuthPro => jwt_auth_pro::fault_body(s, endpoint, token),
        Api::OAuth2 => oauth2::success_body(s, token, None),
    }
}

/// A refresh token for `username`, as a login would issue.
pub(crate) fn issue_refresh(s: &Shared, username: &str) -> String {
    match s.api {
        Api::JwtAuthPro if !s.documented => jwt_auth_pro::issue_pair(s, username, s.token_ttl)
            .map(|pair| pair.refresh)
            .unwrap_or_default(),
        _ => s.issue_refresh(username).unwrap_or_default(),
    }
}

/// An access token for `username`, valid `ttl` seconds from now.
pub(crate) fn issue_access(s: &Shared, username: &str, ttl: u64) -> String {
    let issued = match s.api {
        Api::JwtAuthPro if !s.documented => {
            jwt_auth_pro::issue_pair(s, username, ttl).map(|pair| pair.access)
        }
        _ => s
            .issue_access(username, ttl)
            .ok()
            .map(|issued| issued.token),
    };
    issued.unwrap_or_default()
}

/// Would this server accept `token` as an access token now?
pub(crate) fn access_valid(s: &Shared, token: &str) -> bool {
    match s.api {
        Api::JwtAuthPro if !s.documented => jwt_auth_pro::access_valid(s, token),
        _ => s.check_access(token).is_some(),
    }
}
