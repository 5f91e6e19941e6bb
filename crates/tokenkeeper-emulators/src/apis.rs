//! Dispatch from `Api` to the five API modules: the router (with 404/405 in the API's own format and
//! the fault/Date middleware around everything), endpoint classification, errors and success bodies.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::middleware;
use axum::response::Response;
use serde_json::Value;

use crate::config::Api;
use crate::faults::Endpoint;
use crate::state::Shared;
use crate::{ece, generic_jwt, inject, jwt_auth_pro, redis_enterprise, smartling};

/// The complete app for one emulator.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let routes = match shared.api {
        Api::RedisEnterprise => redis_enterprise::router(),
        Api::Ece => ece::router(),
        Api::Smartling => smartling::router(),
        Api::GenericJwt => generic_jwt::router(),
        Api::JwtAuthPro => jwt_auth_pro::router(),
    };
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            inject::middleware,
        ))
        .with_state(shared)
}

async fn not_found(State(s): State<Arc<Shared>>) -> Response {
    api_error(&s, 404, Endpoint::Other)
}

async fn method_not_allowed(State(s): State<Arc<Shared>>) -> Response {
    api_error(&s, 405, Endpoint::Other)
}

/// Which kind of endpoint `path` is for this API.
pub(crate) fn endpoint(api: Api, path: &str) -> Endpoint {
    match api {
        Api::RedisEnterprise => redis_enterprise::endpoint(path),
        Api::Ece => ece::endpoint(path),
        Api::Smartling => smartling::endpoint(path),
        Api::GenericJwt => generic_jwt::endpoint(path),
        Api::JwtAuthPro => jwt_auth_pro::endpoint(path),
    }
}

/// The API's own documented error answer for `status`.
pub(crate) fn api_error(s: &Shared, status: u16, endpoint: Endpoint) -> Response {
    match s.api {
        Api::RedisEnterprise => redis_enterprise::api_error(status, endpoint),
        Api::Ece => ece::api_error(status, endpoint),
        Api::Smartling => smartling::api_error(status),
        Api::GenericJwt => generic_jwt::api_error(status),
        Api::JwtAuthPro => jwt_auth_pro::api_error(s, status, endpoint),
    }
}

/// JSON pointer of the access token in the API's success body.
pub(crate) fn access_token_pointer(api: Api) -> &'static str {
    match api {
        Api::RedisEnterprise => "/access_token",
        Api::Ece | Api::JwtAuthPro => "/token",
        Api::Smartling => "/response/data/accessToken",
        Api::GenericJwt => "/jwtToken",
    }
}

/// A success body in the API's shape carrying `token` as the access token (left out when `None`).
/// It never carries a refresh token: faults change no server state, so the client's one stays valid.
pub(crate) fn success_body(s: &Shared, token: Option<&str>) -> Value {
    match s.api {
        Api::RedisEnterprise => redis_enterprise::success_body(token),
        Api::Ece => ece::success_body(s, token, s.now().saturating_add_unsigned(s.token_ttl)),
        Api::Smartling => smartling::success_body(s, token, None),
        Api::GenericJwt => generic_jwt::success_body(token),
        Api::JwtAuthPro => {
            let name = s.lock().users.first().map(|u| u.username.clone());
            let user = jwt_auth_pro::user_named(s, &name.unwrap_or_else(|| "admin".to_owned()));
            jwt_auth_pro::success_body(&user, token, None)
        }
    }
}
