//! WordPress's answers byte for byte: JSON as PHP's `json_encode` writes it (keys in the order
//! PHP built them, `/` escaped as `\/`, non-ASCII as `\uXXXX`), WP_Error bodies, and the REST
//! server's own checks of a request (JSON body, required and typed parameters).

use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::http;

/// `value` serialised the way PHP's `json_encode` (no flags) does.
pub(super) fn php_json<T: Serialize>(value: &T) -> String {
    let plain = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    let mut out = String::with_capacity(plain.len() + 16);
    for c in plain.chars() {
        match c {
            // Outside strings JSON has neither, so escaping them everywhere is exact.
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// A JSON answer written by PHP.
pub(super) fn wp_json<T: Serialize>(status: u16, body: &T) -> Response {
    http::json_text(status, php_json(body))
}

/// The `data` of a WP_Error, in WordPress's key order.
#[derive(Debug, Default, Serialize)]
pub(super) struct ErrorData {
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_error_code: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_error_message: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
}

#[derive(Serialize)]
struct WpError<'a> {
    code: &'a str,
    message: &'a str,
    data: ErrorData,
}

/// A WP_Error answer with `data` beyond the status.
pub(super) fn wp_error_with(code: &str, message: &str, data: ErrorData) -> Response {
    let status = data.status;
    wp_json(
        status,
        &WpError {
            code,
            message,
            data,
        },
    )
}

/// `{"code","message","data":{"status"}}`.
pub(super) fn wp_error(status: u16, code: &str, message: &str) -> Response {
    wp_error_with(
        code,
        message,
        ErrorData {
            status,
            ..ErrorData::default()
        },
    )
}

/// 400 for a body that is not JSON.
pub(super) fn invalid_json() -> Response {
    wp_error_with(
        "rest_invalid_json",
        "Invalid JSON body passed.",
        ErrorData {
            status: 400,
            json_error_code: Some(4),
            json_error_message: Some("Syntax error"),
            ..ErrorData::default()
        },
    )
}

/// 404 for a route (or a method of it) that does not exist.
pub(super) fn no_route() -> Response {
    wp_error(
        404,
        "rest_no_route",
        "No route was found matching the URL and request method.",
    )
}

/// The request's parameters: the JSON body's object (none when empty or not an object).
pub(super) fn params(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match http::body_json(body) {
        Ok(Some(Value::Object(map))) => Ok(map),
        Ok(_) => Ok(Map::new()),
        Err(()) => Err(invalid_json()),
    }
}

/// WordPress's checks of `required: true, type: string` arguments, in the order registered:
/// missing (or null) ones first, then ones that are not strings.
pub(super) fn require(params: &Map<String, Value>, names: &[&str]) -> Result<(), Response> {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| params.get(*n).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        return Err(wp_error_with(
            "rest_missing_callback_param",
            &format!("Missing parameter(s): {}", missing.join(", ")),
            ErrorData {
                status: 400,
                params: Some(json!(missing)),
                ..ErrorData::default()
            },
        ));
    }
    let invalid: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !params.get(*n).is_some_and(Value::is_string))
        .collect();
    if invalid.is_empty() {
        return Ok(());
    }
    let mut messages = Map::new();
    let mut details = Map::new();
    for name in &invalid {
        let message = format!("{name} is not of type string.");
        details.insert(
            (*name).to_owned(),
            json!({ "code": "rest_invalid_type", "message": message, "data": { "param": name } }),
        );
        messages.insert((*name).to_owned(), Value::from(message));
    }
    Err(wp_error_with(
        "rest_invalid_param",
        &format!("Invalid parameter(s): {}", invalid.join(", ")),
        ErrorData {
            status: 400,
            params: Some(Value::Object(messages)),
            details: Some(Value::Object(details)),
            ..ErrorData::default()
        },
    ))
}

/// A string parameter (after `require`), trimmed as `sanitize_text_field` would.
pub(super) fn string(params: &Map<String, Value>, name: &str) -> String {
    params
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_json_escapes_slashes_and_non_ascii() {
        let v = json!({ "m": "</a> é 😀" });
        assert_eq!(php_json(&v), r#"{"m":"<\/a> \u00e9 \ud83d\ude00"}"#);
    }

    #[test]
    fn required_parameters_in_wordpress_order() {
        let Err(missing) = require(&Map::new(), &["username", "password"]) else {
            panic!("nothing was missing");
        };
        assert_eq!(missing.status(), 400);
        let params = json!({ "username": 5, "password": "x" });
        let map = params.as_object().cloned().unwrap_or_default();
        assert!(require(&map, &["username", "password"]).is_err());
        assert!(require(&map, &["password"]).is_ok());
    }
}
