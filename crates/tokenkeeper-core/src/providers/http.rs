//! The shared HTTP client: timeouts, TLS options, size limits, and turning transport
//! failures and unreadable answers into typed [`ApiError`]s.
//!
//! Providers call [`Http::post`] and get a [`Reply`] (status, headers, body of at most
//! [`MAX_BODY`] bytes, the send instant and the server's `Date`), or an `ApiError` for
//! anything that never became a readable answer.

use std::collections::HashMap;
use std::error::Error as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::account::Account;
use crate::clock::{Clock, SystemClock};
use crate::error::{ApiError, ErrorKind};
use crate::token::parse_http_date;

/// Largest response body read; anything bigger is refused.
pub const MAX_BODY: usize = 1024 * 1024;
/// Time allowed to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a whole request, body included.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(30);

/// How a request authenticates.
#[derive(Debug)]
pub enum Auth<'a> {
    /// No `Authorization` header.
    None,
    /// `Authorization: <scheme> <token>` (e.g. `JWT`, `Bearer`).
    Scheme(&'static str, &'a str),
    /// HTTP Basic.
    Basic(&'a str, &'a str),
}

/// A readable HTTP answer.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body (at most [`MAX_BODY`] bytes).
    pub body: Vec<u8>,
    /// When the request was sent, in local time.
    pub sent_at: DateTime<Utc>,
    /// The server's `Date` header.
    pub server_date: Option<DateTime<Utc>>,
}

impl Reply {
    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Parses the body as JSON of type `T`, or a protocol error describing what came instead.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            if looks_like_json(&self.body) {
                ApiError::protocol(self.status, format!("unreadable JSON answer: {e}"))
            } else {
                // A success body may be a bare token: never quote it.
                let what = if self.is_success() {
                    self.describe_shape()
                } else {
                    self.describe_body()
                };
                ApiError::protocol(self.status, format!("expected JSON, got {what}"))
            }
        })
    }

    /// The body as a JSON value when it is one.
    pub fn json_value(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `Retry-After` in seconds (delta-seconds or an HTTP date).
    pub fn retry_after_secs(&self) -> Option<u64> {
        let value = self.headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(secs);
        }
        let at = parse_http_date(value)?;
        let base = self.server_date.unwrap_or(self.sent_at);
        Some((at - base).num_seconds().max(0).unsigned_abs())
    }

    /// Content type and size only, for success bodies that may hold a secret.
    pub fn describe_shape(&self) -> String {
        let ctype = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no content type");
        format!("a {} byte body ({ctype})", self.body.len())
    }

    /// A short, safe description of a body we could not read (content type and text excerpt).
    pub fn describe_body(&self) -> String {
        let ctype = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no content type");
        if self.body.is_empty() {
            return format!("an empty body ({ctype})");
        }
        let text = String::from_utf8_lossy(&self.body);
        let excerpt = excerpt_of(&text);
        if excerpt.is_empty() {
            format!("a {} byte body ({ctype})", self.body.len())
        } else {
            format!("{ctype}: \"{excerpt}\"")
        }
    }

    /// The error for a non-2xx answer whose body is not in the API's error format.
    pub fn unrecognised_error(&self) -> ApiError {
        ApiError {
            kind: kind_for_status(self.status),
            status: Some(self.status),
            code: None,
            message: format!("unexpected answer: {}", self.describe_body()),
            fields: Vec::new(),
            retry_after_secs: self.retry_after_secs(),
        }
    }
}

fn looks_like_json(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// A readable excerpt of an HTML or text body: the `<title>` if any, else the text with tags
/// stripped, cut to 160 characters.
pub fn excerpt_of(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let source = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(start), Some(end)) if end > start + 7 => text.get(start + 7..end).unwrap_or(text),
        _ => text,
    };
    let stripped = strip_html(source);
    let collapsed: String = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = collapsed
        .chars()
        .filter(|c| !c.is_control())
        .take(160)
        .collect();
    if collapsed.chars().count() > 160 {
        out.push('…');
    }
    out
}

/// Removes HTML tags and decodes the few entities WordPress puts in messages.
pub fn strip_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .trim()
        .to_owned()
}

/// The default classification of an HTTP status.
pub fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        401 | 403 | 449 => ErrorKind::Auth,
        408 | 425 | 429 | 500 | 502 | 503 | 504 => ErrorKind::Transient,
        501 | 505.. => ErrorKind::Config,
        _ if status >= 500 => ErrorKind::Transient,
        _ => ErrorKind::Config,
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct ClientKey {
    ca_cert: Option<PathBuf>,
    insecure: bool,
}

/// HTTP clients, one per distinct TLS setting, shared by all accounts that use it.
#[derive(Clone, Debug)]
pub struct Http {
    clients: Arc<Mutex<HashMap<ClientKey, reqwest::Client>>>,
    connect_timeout: Duration,
    total_timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl Default for Http {
    fn default() -> Self {
        Self::with_timeouts(CONNECT_TIMEOUT, TOTAL_TIMEOUT)
    }
}

impl Http {
    /// A new, empty client cache with the default timeouts.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new client cache with other timeouts (tests, impatient callers).
    pub fn with_timeouts(connect: Duration, total: Duration) -> Self {
        Self {
            clients: Arc::default(),
            connect_timeout: connect,
            total_timeout: total,
            clock: Arc::new(SystemClock),
        }
    }

    /// Reads send times from another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn client_for(&self, account: &Account) -> Result<reqwest::Client, ApiError> {
        let key = ClientKey {
            ca_cert: account.ca_cert.clone(),
            insecure: account.insecure,
        };
        if let Ok(map) = self.clients.lock()
            && let Some(client) = map.get(&key)
        {
            return Ok(client.clone());
        }
        let client = build_client(&key, self.connect_timeout, self.total_timeout)?;
        if let Ok(mut map) = self.clients.lock() {
            map.insert(key, client.clone());
        }
        Ok(client)
    }

    /// Sends a POST with an optional JSON body and reads the answer.
    pub async fn post(
        &self,
        account: &Account,
        url: Url,
        auth: Auth<'_>,
        body: Option<&Value>,
    ) -> Result<Reply, ApiError> {
        let client = self.client_for(account)?;
        let mut request = client
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json");
        request = match auth {
            Auth::None => request,
            Auth::Scheme(scheme, token) => {
                request.header(reqwest::header::AUTHORIZATION, format!("{scheme} {token}"))
            }
            Auth::Basic(user, password) => request.basic_auth(user, Some(password)),
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let sent_at = self.clock.now();
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if response
            .content_length()
            .is_some_and(|len| len > MAX_BODY as u64)
        {
            return Err(too_large(status));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large(status));
            }
            body.extend_from_slice(&chunk);
        }
        let server_date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_http_date);
        Ok(Reply {
            status,
            headers,
            body,
            sent_at,
            server_date,
        })
    }
}

fn too_large(status: u16) -> ApiError {
    ApiError {
        kind: ErrorKind::Protocol,
        status: Some(status),
        code: Some("response_too_large".to_owned()),
        message: format!(
            "the answer is larger than {} KiB; stopped reading",
            MAX_BODY / 1024
        ),
        fields: Vec::new(),
        retry_after_secs: None,
    }
}

fn build_client(
    key: &ClientKey,
    connect_timeout: Duration,
    total_timeout: Duration,
) -> Result<reqwest::Client, ApiError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(total_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("tokenkeeper/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = &key.ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            ApiError::local(
                ErrorKind::Config,
                "ca_cert",
                format!("cannot read CA certificate {}: {e}", path.display()),
            )
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            ApiError::local(
                ErrorKind::Config,
                "ca_cert",
                format!("{} is not a PEM certificate: {e}", path.display()),
            )
        })?;
        if certs.is_empty() {
            return Err(ApiError::local(
                ErrorKind::Config,
                "ca_cert",
                format!("{} holds no PEM certificate", path.display()),
            ));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if key.insecure {
        builder = builder.danger_accept_invalid_certs(true);
    }
    builder.build().map_err(|e| {
        ApiError::local(
            ErrorKind::Config,
            "http_client",
            format!("cannot set up HTTP client: {}", chain(&e)),
        )
    })
}

/// Full error chain as one line.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// The innermost cause, which usually says the most (e.g. "Connection refused").
fn root_cause(err: &dyn std::error::Error) -> String {
    let mut last = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

fn target_of(err: &reqwest::Error) -> String {
    err.url()
        .map(|u| {
            let host = u.host_str().unwrap_or("?");
            match u.port_or_known_default() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }
        })
        .unwrap_or_else(|| "the server".to_owned())
}

fn transport_error(err: reqwest::Error) -> ApiError {
    let text = chain(&err);
    let lower = text.to_ascii_lowercase();
    if err.is_timeout() {
        return ApiError::local(
            ErrorKind::Transient,
            "timeout",
            format!(
                "no answer from {} in time: {}",
                target_of(&err),
                root_cause(&err)
            ),
        );
    }
    // Certificate problems need the user (a CA file); a connection cut mid-TLS is transient.
    let cut = lower.contains("close_notify") || lower.contains("unexpected eof");
    if !cut && (lower.contains("certificate") || lower.contains("handshake")) {
        return ApiError::local(
            ErrorKind::Config,
            "tls",
            format!(
                "TLS failure talking to {}: {}",
                target_of(&err),
                root_cause(&err)
            ),
        );
    }
    if err.is_builder() {
        return ApiError::local(ErrorKind::Config, "bad_url", text);
    }
    let dns = err
        .source()
        .map(chain)
        .is_some_and(|s| s.contains("dns error") || s.contains("failed to lookup"));
    if dns {
        return ApiError::local(
            ErrorKind::Config,
            "dns",
            format!("cannot resolve host: {text}"),
        );
    }
    if err.is_connect() {
        return ApiError::local(
            ErrorKind::Transient,
            "network",
            format!(
                "cannot connect to {}: {}",
                target_of(&err),
                root_cause(&err)
            ),
        );
    }
    if err.is_body() || err.is_decode() || err.is_request() {
        return ApiError::local(
            ErrorKind::Transient,
            "network",
            format!(
                "connection to {} failed: {}",
                target_of(&err),
                root_cause(&err)
            ),
        );
    }
    ApiError::local(ErrorKind::Transient, "network", text)
}

#[cfg(test)]
mod tests {
    use super::{excerpt_of, kind_for_status, strip_html};
    use crate::error::ErrorKind;

    #[test]
    fn html_is_reduced_to_its_title_or_text() {
        let page =
            "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>";
        assert_eq!(excerpt_of(page), "502 Bad Gateway");
        assert_eq!(
            strip_html(
                "<strong>ERROR</strong>: The password you entered for &quot;admin&quot; is incorrect."
            ),
            "ERROR: The password you entered for \"admin\" is incorrect."
        );
        assert_eq!(excerpt_of(&"x".repeat(500)).chars().count(), 161);
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(kind_for_status(401), ErrorKind::Auth);
        assert_eq!(kind_for_status(403), ErrorKind::Auth);
        assert_eq!(kind_for_status(429), ErrorKind::Transient);
        assert_eq!(kind_for_status(503), ErrorKind::Transient);
        assert_eq!(kind_for_status(501), ErrorKind::Config);
        assert_eq!(kind_for_status(404), ErrorKind::Config);
        assert_eq!(kind_for_status(400), ErrorKind::Config);
    }
}
