//! An OAuth 2.0 authorization server's token endpoint, for what the certified server in
//! `tests/oidc/` cannot be made to do (a 500 after a rotation was committed, a proxy's page, a
//! slow answer: the shared fault injection). It answers as oidc-provider does (recorded in
//! docs/OIDC-PLAN.md): discovery at `/.well-known/openid-configuration` naming this server as
//! its issuer; `POST /token` with a form, `grant_type=refresh_token` (rotating every time; a
//! reused refresh token revokes its family and is `invalid_grant`) or `client_credentials`
//! (the client id and secret, by HTTP Basic form-encoded or in the body, are the emulator's user
//! name and password); every `invalid_grant` says only `grant request is invalid`. Public
//! clients name themselves with `client_id`; any id is accepted.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::faults::Endpoint;
use crate::http;
use crate::state::Shared;
use crate::users::Check;

const DISCOVERY: &str = "/.well-known/openid-configuration";
const TOKEN: &str = "/token";

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(DISCOVERY, get(discovery))
        .route(TOKEN, post(token))
}

/// `/token` takes both grants; faults aimed at refreshes hit it (a client-credentials "login"
/// is faulted with `FaultTarget::Any`).
pub(crate) fn endpoint(path: &str) -> Endpoint {
    match path {
        TOKEN => Endpoint::Refresh,
        _ => Endpoint::Other,
    }
}

/// An RFC 6749 §5.2 error body.
fn error(status: u16, code: &str, description: &str) -> Response {
    http::json(
        status,
        &json!({ "error": code, "error_description": description }),
    )
}

/// oidc-provider's one answer to every refused grant.
fn invalid_grant() -> Response {
    error(400, "invalid_grant", "grant request is invalid")
}

/// The error oidc-provider gives for `status`.
pub(crate) fn api_error(status: u16) -> Response {
    match status {
        400 => error(400, "invalid_request", "invalid request"),
        401 => error(401, "invalid_client", "client authentication failed"),
        403 => error(403, "access_denied", "access denied"),
        404 => error(
            404,
            "invalid_request",
            "unrecognized route or not allowed method",
        ),
        405 => error(
            405,
            "invalid_request",
            "unrecognized route or not allowed method",
        ),
        503 => error(503, "temporarily_unavailable", "temporarily unavailable"),
        _ => error(status, "server_error", "oops! something went wrong"),
    }
}

/// A success body carrying `access` (left out when `None`).
pub(crate) fn success_body(s: &Shared, access: Option<&str>, refresh: Option<&str>) -> Value {
    let mut body = json!({ "expires_in": s.token_ttl, "token_type": "Bearer" });
    if let Some(access) = access {
        body["access_token"] = json!(access);
    }
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
        body["scope"] = json!("openid offline_access");
    }
    body
}

async fn discovery(State(s): State<Arc<Shared>>) -> Response {
    let issuer = &s.site_url;
    http::json(
        200,
        &json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}{TOKEN}"),
            "grant_types_supported": ["refresh_token", "client_credentials"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "offline_access"],
        }),
    )
}

async fn token(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    match form.get("grant_type").map(String::as_str) {
        Some("refresh_token") => s.tally(Endpoint::Refresh, refresh(&s, &headers, &form)),
        Some("client_credentials") => {
            s.tally(Endpoint::Login, client_credentials(&s, &headers, &form))
        }
        Some(_) => error(
            400,
            "unsupported_grant_type",
            "unsupported grant_type requested",
        ),
        None => error(
            400,
            "invalid_request",
            "missing required parameter 'grant_type'",
        ),
    }
}

/// The client's id and secret, from HTTP Basic (each form-decoded, RFC 6749 §2.3.1) or the body.
fn client(headers: &HeaderMap, form: &HashMap<String, String>) -> (Option<String>, Option<String>) {
    if let Some((id, secret)) = http::basic(headers) {
        let decode = |t: &str| {
            url::form_urlencoded::parse(format!("x={t}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return (decode(&id), decode(&secret));
    }
    (
        form.get("client_id").cloned(),
        form.get("client_secret").cloned(),
    )
}

fn refresh(
    s: &Shared,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Response, Response> {
    let (id, _) = client(headers, form);
    if id.is_none() {
        return Err(error(401, "invalid_client", "client authentication failed"));
    }
    let token = form.get("refresh_token").ok_or_else(|| {
        error(
            400,
            "invalid_request",
            "missing required parameter 'refresh_token'",
        )
    })?;
    let accepted = s.use_refresh(token, true).map_err(|_| invalid_grant())?;
    let new_refresh = accepted.new_refresh.ok_or_else(|| api_error(500))?;
    let issued = s
        .issue_access(&accepted.user, s.token_ttl)
        .map_err(|_| api_error(500))?;
    Ok(http::json(
        200,
        &success_body(s, Some(&issued.token), Some(&new_refresh)),
    ))
}

fn client_credentials(
    s: &Shared,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Response, Response> {
    let (Some(id), Some(secret)) = client(headers, form) else {
        return Err(error(401, "invalid_client", "client authentication failed"));
    };
    let checked = s.lock().users.check(&id, &secret);
    let Check::Ok(user) = checked else {
        return Err(error(401, "invalid_client", "client authentication failed"));
    };
    let issued = s
        .issue_access(&user.username, s.token_ttl)
        .map_err(|_| api_error(500))?;
    Ok(http::json(200, &success_body(s, Some(&issued.token), None)))
}
