//! Edits of a complete JSON answer, for the faults that change what a handler (or the API's own
//! error builder) answered: the access token set or removed (`RotateThen*`), or the error code
//! or message replaced (`ApiErrorCode`, `ApiErrorMessage`). Status and headers are kept; the
//! length is counted anew.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::Value;

use crate::apis;
use crate::config::Api;
use crate::faults::Endpoint;
use crate::state::Shared;

/// The largest answer read (success and error bodies are a few hundred bytes).
const EDIT_LIMIT: usize = 64 * 1024;

/// `response` with its JSON body changed by `edit`; a body that is not JSON passes unchanged.
async fn edit_json(s: &Shared, response: Response, edit: impl FnOnce(&mut Value)) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, EDIT_LIMIT).await else {
        return apis::api_error(s, 500, Endpoint::Other);
    };
    let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    edit(&mut json);
    // The body changed length: hyper counts the new one.
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(json.to_string()))
}

/// Set the string at `pointer` (its parent must exist).
fn set(json: &mut Value, pointer: &str, value: Option<&str>) {
    let (parent, field) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    if let Some(object) = json.pointer_mut(parent).and_then(Value::as_object_mut) {
        match value {
            Some(value) => {
                object.insert(field.to_owned(), Value::from(value));
            }
            None => {
                object.remove(field);
            }
        }
    }
}

/// The handler's 2xx JSON answer with the access token field set to `token` (removed when
/// `None`); any other answer passes unchanged.
pub(crate) async fn token(
    s: &Shared,
    endpoint: Endpoint,
    response: Response,
    token: Option<&str>,
) -> Response {
    if !response.status().is_success() {
        return response;
    }
    let pointer = apis::access_token_pointer(s, endpoint);
    edit_json(s, response, |json| set(json, pointer, token)).await
}

/// Smartling's key and message for the codes its SDKs know beyond the status's default.
fn smartling_entry(code: &str) -> Option<(&'static str, &'static str)> {
    match code {
        "ACCESS_DENIED_ERROR" => Some(("access_denied", "Access denied")),
        "RESOURCE_LOCKED" => Some(("resource_locked", "The resource is locked")),
        "AUTHORIZATION_ERROR" => Some((
            "forbidden",
            "The user is not authorized to perform this operation",
        )),
        _ => None,
    }
}

/// An API error answer with its code replaced by `code`.
pub(crate) async fn error_code(s: &Shared, mut response: Response, code: &str) -> Response {
    if s.api == Api::Ece
        && let Ok(value) = HeaderValue::from_str(code)
    {
        response.headers_mut().insert("x-cloud-error-codes", value);
    }
    let pointer = match s.api {
        Api::RedisEnterprise => "/error_code",
        Api::Ece => "/errors/0/code",
        Api::Smartling => "/response/code",
        Api::GenericJwt => "/error/code",
        Api::JwtAuthPro => "/code",
        Api::OAuth2 => "/error",
    };
    let smartling = (s.api == Api::Smartling)
        .then(|| smartling_entry(code))
        .flatten();
    edit_json(s, response, |json| {
        if s.api != Api::OAuth2 && json.get("error").is_some_and(Value::is_string) {
            // Spring's default body has no code of its own: the service's envelope stands in.
            *json = serde_json::json!({ "error": { "code": code, "message": code } });
        }
        set(json, pointer, Some(code));
        if let Some((key, message)) = smartling {
            set(json, "/response/errors/0/key", Some(key));
            set(json, "/response/errors/0/message", Some(message));
        }
    })
    .await
}

/// Where each API's error bodies carry their message (the generic service's bare shape and its
/// envelope both).
const MESSAGE_POINTERS: [&str; 4] = [
    "/message",
    "/error/message",
    "/errors/0/message",
    "/response/errors/0/message",
];

/// An API error answer with its message replaced by `message`, wherever the body has one.
pub(crate) async fn error_message(s: &Shared, response: Response, message: &str) -> Response {
    edit_json(s, response, |json| {
        for pointer in MESSAGE_POINTERS {
            if json.pointer(pointer).is_some_and(Value::is_string) {
                set(json, pointer, Some(message));
            }
        }
    })
    .await
}
