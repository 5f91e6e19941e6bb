//! Small request/response helpers shared by the five API modules: JSON answers, lenient JSON body
//! parsing, and `Authorization` header parsing (Basic, Bearer, JWT).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::Value;

/// A JSON answer with the given status (a status outside 100..=999 becomes 500).
pub(crate) fn json(status: u16, body: &Value) -> Response {
    json_text(status, body.to_string())
}

/// An answer of already serialised JSON (`application/json; charset=UTF-8`).
pub(crate) fn json_text(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

/// The request body as JSON: `Ok(None)` when empty, `Err(())` when it is not JSON.
pub(crate) fn body_json(body: &[u8]) -> Result<Option<Value>, ()> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body).map(Some).map_err(|_| ())
}

/// A string field of a JSON object body.
pub(crate) fn str_field(body: Option<&Value>, name: &str) -> Option<String> {
    body?.get(name)?.as_str().map(str::to_owned)
}

/// The `Authorization` header split into (scheme, credentials).
pub(crate) fn authorization(headers: &HeaderMap) -> Option<(&str, &str)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    Some((scheme, rest.trim()))
}

/// `Authorization: Basic` decoded into (user, password).
pub(crate) fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let (scheme, encoded) = authorization(headers)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The credentials of `Authorization: <scheme> <token>`, matching the scheme word case-insensitively.
pub(crate) fn token_with_scheme<'a>(headers: &'a HeaderMap, wanted: &str) -> Option<&'a str> {
    let (scheme, token) = authorization(headers)?;
    scheme.eq_ignore_ascii_case(wanted).then_some(token)
}

/// Seconds as an RFC 3339 UTC time.
pub(crate) fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_basic_and_bodies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic dTpwOnc="),
        );
        assert_eq!(basic(&h), Some(("u".into(), "p:w".into())));
        assert_eq!(token_with_scheme(&h, "bearer"), None);
        assert_eq!(body_json(b"  "), Ok(None));
        assert!(body_json(b"{x").is_err());
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
