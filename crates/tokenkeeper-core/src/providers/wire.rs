//! What we send and receive that carries a secret, kept in buffers that are zeroed before their
//! memory is given back: JSON bodies with a password or a refresh token, `Authorization` header
//! values, and the answer body as it is read.
//!
//! Each is built in one allocation sized for the worst case up front, so no reallocation leaves
//! an unzeroed copy behind, and handed to reqwest as [`Bytes`] that own the zeroing buffer
//! ([`Bytes::from_owner`]): reqwest and hyper share that buffer instead of copying it. What
//! hyper and rustls copy inside themselves (the TLS record being encrypted) is out of our reach;
//! SECURITY.md says so.

use bytes::Bytes;
use reqwest::header::HeaderValue;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{ApiError, ErrorKind};

/// Bytes zeroed when the last reference to them goes.
fn wiped(buf: Zeroizing<Vec<u8>>) -> Bytes {
    Bytes::from_owner(buf)
}

/// A JSON request body, zeroed once sent and dropped.
#[derive(Clone)]
pub struct JsonBody(Bytes);

impl std::fmt::Debug for JsonBody {
    /// It may hold a password: only its size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JsonBody({} bytes)", self.0.len())
    }
}

impl JsonBody {
    /// An object of string fields, e.g. `{"username": …, "password": …}`.
    pub fn fields(fields: &[(&str, &str)]) -> Self {
        // A character becomes at most six bytes in JSON (`\u001f`); quotes, colon and comma
        // add six more a field.
        let worst: usize = fields
            .iter()
            .map(|(k, v)| 6 * (k.len() + v.len()) + 6)
            .sum();
        let mut buf = Zeroizing::new(Vec::with_capacity(worst + 2));
        let map = Fields(fields);
        // Writing strings to a Vec cannot fail.
        if serde_json::to_writer(&mut *buf, &map).is_err() {
            buf.clear();
        }
        Self(wiped(buf))
    }

    /// Any JSON value without secrets (Redis Enterprise's `{"ttl": …}`).
    pub fn value(value: &serde_json::Value) -> Self {
        Self(Bytes::from(value.to_string()))
    }

    /// The bytes to send.
    pub fn bytes(&self) -> Bytes {
        self.0.clone()
    }
}

/// A request body: its bytes and what they are.
pub trait Payload: std::fmt::Debug + Sync {
    /// The bytes to send.
    fn bytes(&self) -> Bytes;
    /// Its `Content-Type`.
    fn content_type(&self) -> &'static str;
}

impl Payload for JsonBody {
    fn bytes(&self) -> Bytes {
        self.0.clone()
    }

    fn content_type(&self) -> &'static str {
        "application/json"
    }
}

/// An `application/x-www-form-urlencoded` request body (OAuth 2.0's token requests), zeroed
/// once sent and dropped.
#[derive(Clone)]
pub struct FormBody(Bytes);

impl std::fmt::Debug for FormBody {
    /// It may hold a refresh token or a client secret: only its size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FormBody({} bytes)", self.0.len())
    }
}

impl FormBody {
    /// `k=v&k=v`, each name and value form-encoded.
    pub fn fields(fields: &[(&str, &str)]) -> Self {
        // A byte becomes at most three (`%XX`); `=` and `&` add two a field.
        let worst: usize = fields
            .iter()
            .map(|(k, v)| 3 * (k.len() + v.len()) + 2)
            .sum();
        let mut buf = Zeroizing::new(Vec::with_capacity(worst));
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                buf.push(b'&');
            }
            extend_encoded(&mut buf, name);
            buf.push(b'=');
            extend_encoded(&mut buf, value);
        }
        Self(wiped(buf))
    }
}

impl Payload for FormBody {
    fn bytes(&self) -> Bytes {
        self.0.clone()
    }

    fn content_type(&self) -> &'static str {
        "application/x-www-form-urlencoded"
    }
}

/// Appends `text` form-encoded (`application/x-www-form-urlencoded`: space as `+`, all but
/// letters, digits and `*-._` as `%XX`). `buf` must have room for three bytes a byte.
fn extend_encoded(buf: &mut Vec<u8>, text: &str) {
    for piece in url::form_urlencoded::byte_serialize(text.as_bytes()) {
        buf.extend_from_slice(piece.as_bytes());
    }
}

/// Text form-encoded as RFC 6749 §2.3.1 wants a client id and secret before they go into HTTP
/// Basic, in a buffer zeroed when dropped.
pub fn form_encoded(text: &str) -> Zeroizing<String> {
    let mut buf = Zeroizing::new(Vec::with_capacity(3 * text.len()));
    extend_encoded(&mut buf, text);
    // Form encoding writes ASCII only.
    Zeroizing::new(String::from_utf8(std::mem::take(&mut *buf)).unwrap_or_default())
}

/// Serializes borrowed pairs as an object without copying them into a map.
struct Fields<'a>(&'a [(&'a str, &'a str)]);

impl Serialize for Fields<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (*k, *v)))
    }
}

/// The `Authorization` header for a token: marked sensitive, so HTTP/2's header compression
/// never indexes it (and `Debug` of the request does not show it), its bytes zeroed when the
/// request is done. A token that cannot travel in a header (a control character) is a config
/// error that does not quote it.
pub fn authorization(scheme: &str, token: &str) -> Result<HeaderValue, ApiError> {
    let mut text = Zeroizing::new(Vec::with_capacity(scheme.len() + 1 + token.len()));
    text.extend_from_slice(scheme.as_bytes());
    text.push(b' ');
    text.extend_from_slice(token.as_bytes());
    header(text)
}

/// HTTP Basic for a user and password, built as [`authorization`] is (reqwest's own
/// `basic_auth` leaves its copies unzeroed).
pub fn basic(user: &str, password: &str) -> Result<HeaderValue, ApiError> {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut plain = Zeroizing::new(Vec::with_capacity(user.len() + 1 + password.len()));
    plain.extend_from_slice(user.as_bytes());
    plain.push(b':');
    plain.extend_from_slice(password.as_bytes());
    let encoded_len = plain.len().div_ceil(3) * 4;
    let mut text = Zeroizing::new(vec![0; "Basic ".len() + encoded_len]);
    text[..6].copy_from_slice(b"Basic ");
    match engine.encode_slice(&*plain, &mut text[6..]) {
        Ok(written) => text.truncate(6 + written),
        Err(_) => return Err(unsendable()),
    }
    header(text)
}

fn header(text: Zeroizing<Vec<u8>>) -> Result<HeaderValue, ApiError> {
    let mut value = HeaderValue::from_maybe_shared(wiped(text)).map_err(|_| unsendable())?;
    value.set_sensitive(true);
    Ok(value)
}

fn unsendable() -> ApiError {
    ApiError::local(
        ErrorKind::Config,
        "bad_token",
        "the stored secret holds characters that cannot be sent in a header",
    )
}

/// An answer body read in chunks into one buffer that is zeroed before it is dropped or
/// grown (growing copies it into a new allocation and wipes the old one).
#[derive(Default)]
pub struct Received(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for Received {
    /// It may hold a token: only its size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Received({} bytes)", self.0.len())
    }
}

impl Received {
    /// A buffer for an answer that announced `expected` bytes (capped by the caller).
    pub fn with_capacity(expected: usize) -> Self {
        Self(Zeroizing::new(Vec::with_capacity(expected)))
    }

    /// Appends a chunk.
    pub fn extend(&mut self, chunk: &[u8]) {
        let needed = self.0.len() + chunk.len();
        if needed > self.0.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(2 * self.0.capacity())));
            bigger.extend_from_slice(&self.0);
            // The old buffer is zeroed as it is dropped here.
            self.0 = bigger;
        }
        self.0.extend_from_slice(chunk);
    }

    /// Bytes read so far.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The body; the caller zeroes it in turn ([`super::http::Reply`] does on drop).
    pub fn into_vec(mut self) -> Vec<u8> {
        std::mem::take(&mut *self.0)
    }

    /// Its capacity (tests check that growing kept one live allocation).
    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.0.capacity()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_body_is_the_json_object_of_its_fields_with_room_for_any_escape() {
        let body = JsonBody::fields(&[("username", "alice"), ("password", "p\"w\\d")]);
        let parsed: serde_json::Value = serde_json::from_slice(&body.bytes()).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({ "username": "alice", "password": "p\"w\\d" })
        );
        // Every character escaped to six bytes still fits the first allocation.
        let worst = "\u{1}".repeat(300);
        let body = JsonBody::fields(&[("password", &worst)]);
        let parsed: serde_json::Value = serde_json::from_slice(&body.bytes()).unwrap();
        assert_eq!(parsed["password"], worst.as_str());
        assert!(!format!("{body:?}").contains('\u{1}'));
    }

    #[test]
    fn headers_are_sensitive_and_basic_is_rfc_7617s() {
        // RFC 7617's own example.
        let value = basic("Aladdin", "open sesame").unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.as_bytes(), b"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        let value = basic("a", "b").unwrap();
        assert_eq!(value.as_bytes(), b"Basic YTpi");
        assert_eq!(
            authorization("JWT", "a.b.c").unwrap().as_bytes(),
            b"JWT a.b.c"
        );
        assert!(basic("admin", "line\nbreak").is_ok(), "base64 hides it");
        assert!(authorization("Bearer", "line\nbreak").is_err());
    }

    #[test]
    fn a_received_body_grows_into_one_buffer() {
        let mut received = Received::with_capacity(4);
        received.extend(b"abcd");
        assert_eq!(received.capacity(), 4);
        received.extend(b"efghij");
        assert!(received.capacity() >= 10);
        received.extend(b"k");
        assert_eq!(received.len(), 11);
        assert_eq!(received.into_vec(), b"abcdefghijk");
    }
}
