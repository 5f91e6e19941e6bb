//! The shared HTTP client: timeouts, TLS options, size limits, and turning transport
//! failures and unreadable answers into typed [`ApiError`]s.
//!
//! Providers call [`Http::post`] and get a [`Reply`] (status, headers, body of at most
//! [`MAX_BODY`] bytes, the send instant and the server's `Date`), or an `ApiError` for
//! anything that never became a readable answer.

use std::collections::HashMap;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::tls::{self, Refusals, TlsSettings};
use super::transport::{self, Cause};
use super::wire;
use crate::account::Account;
use crate::cert::{CertificateProblem, CertificateReport};
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
pub enum Auth<'a> {
    /// No `Authorization` header.
    None,
    /// `Authorization: <scheme> <token>` (e.g. `JWT`, `Bearer`).
    Scheme(&'static str, &'a str),
    /// HTTP Basic.
    Basic(&'a str, &'a str),
}

impl std::fmt::Debug for Auth<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Scheme(scheme, _) => write!(f, "Scheme({scheme}, ***)"),
            Self::Basic(user, _) => write!(f, "Basic({user}, ***)"),
        }
    }
}

/// A readable HTTP answer.
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

impl Drop for Reply {
    /// The body may hold a token: zeroed before its memory is given back.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.body);
    }
}

impl std::fmt::Debug for Reply {
    /// The body may hold a token: only its size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .field("sent_at", &self.sent_at)
            .field("server_date", &self.server_date)
            .finish_non_exhaustive()
    }
}

impl Reply {
    /// An answer from its parts (the `Date` header is read from `headers`).
    pub fn from_parts(
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
        sent_at: DateTime<Utc>,
    ) -> Self {
        let server_date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_http_date);
        Self {
            status,
            headers,
            body,
            sent_at,
            server_date,
        }
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// True for a success whose body is a JSON object: the API itself answered (a captive
    /// portal's or proxy's page is not), so a rotating refresh was most likely carried out.
    pub fn is_api_success(&self) -> bool {
        self.is_success()
            && serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&self.body)
                .is_ok()
    }

    /// Parses the body as JSON of type `T`, or a protocol error describing what came instead.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            if looks_like_json(&self.body) {
                // serde's words quote the offending value, which in a success body may be a
                // token: say where, not what.
                let what = match e.classify() {
                    serde_json::error::Category::Data => "JSON of an unexpected shape",
                    serde_json::error::Category::Eof => "truncated JSON",
                    _ => "malformed JSON",
                };
                ApiError::protocol(
                    self.status,
                    format!(
                        "unreadable answer: {what} at line {} column {}",
                        e.line(),
                        e.column()
                    ),
                )
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

    /// A description of a body we could not read: its content type and its readable text,
    /// whole (an error that quotes it is masked before it is cut: [`ApiError::masked`]).
    pub fn describe_body(&self) -> String {
        let ctype = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no content type");
        if self.body.is_empty() {
            return format!("an empty body ({ctype})");
        }
        let text = page_text(&String::from_utf8_lossy(&self.body));
        if text.is_empty() {
            format!("a {} byte body ({ctype})", self.body.len())
        } else {
            format!("{ctype}: \"{text}\"")
        }
    }

    /// The error for a non-2xx answer whose body is not in the API's error format.
    ///
    /// A 401 or 403 that is not in the API's own words comes from something in front of it
    /// (a firewall's, proxy's or CDN's page): it says nothing about the credentials, so it is
    /// not `auth` (which could mark a password as refused) but `transient`, and the stored
    /// secrets are kept. Our words come first and the page's last, so the cut that
    /// [`ApiError::masked`] makes shortens the page, not what we say about it.
    pub fn unrecognised_error(&self) -> ApiError {
        let (kind, message) = if matches!(self.status, 401 | 403) {
            (
                ErrorKind::Transient,
                format!(
                    "refused by something other than the API (a proxy, firewall or CDN?), so the stored credentials are kept: {}",
                    self.describe_body()
                ),
            )
        } else {
            (
                kind_for_status(self.status),
                format!("unexpected answer: {}", self.describe_body()),
            )
        };
        ApiError::answered(kind, self.status, None, message)
            .with_retry_after(self.retry_after_secs())
    }
}

fn looks_like_json(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// The readable text of an HTML or text body: the `<title>` if any, else the text with tags
/// stripped, whitespace collapsed, control characters and escape sequences removed. Not cut:
/// an error quoting it is masked whole first, then shortened ([`ApiError::masked`]).
pub fn page_text(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let source = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(start), Some(end)) if end > start + 7 => text.get(start + 7..end).unwrap_or(text),
        _ => text,
    };
    let cleaned = crate::text::clean_server_text(&strip_html(source), crate::text::UNCAPPED);
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// The default classification of an HTTP status: every 5xx is temporary (Cloudflare's 520–530
/// included) except 501 Not Implemented and 505 HTTP Version Not Supported.
pub fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::Auth,
        408 | 425 | 429 => ErrorKind::Transient,
        501 | 505 => ErrorKind::Config,
        500..=599 => ErrorKind::Transient,
        _ => ErrorKind::Config,
    }
}

pub use super::wire::{JsonBody, authorization};

/// HTTP clients, one per distinct TLS setting, shared by all accounts that use it.
#[derive(Clone, Debug)]
pub struct Http {
    /// By TLS settings, and whether the host is this machine (never through a proxy).
    clients: Arc<Mutex<HashMap<(TlsSettings, bool), reqwest::Client>>>,
    refusals: Arc<Refusals>,
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
            refusals: Arc::default(),
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

    fn client_for(&self, account: &Account, loopback: bool) -> Result<reqwest::Client, ApiError> {
        let key = (account.tls_settings(), loopback);
        if let Ok(map) = self.clients.lock()
            && let Some(client) = map.get(&key)
        {
            return Ok(client.clone());
        }
        let tls = tls::client_config(&key.0, self.refusals.clone())?;
        let client = build_client(tls, self.connect_timeout, self.total_timeout, key.1)?;
        if let Ok(mut map) = self.clients.lock() {
            map.insert(key, client.clone());
        }
        Ok(client)
    }

    /// Sends a POST with an optional body (JSON, or a form: [`wire::Payload`]) and reads the
    /// answer.
    pub async fn post(
        &self,
        account: &Account,
        url: Url,
        auth: Auth<'_>,
        body: Option<&dyn wire::Payload>,
    ) -> Result<Reply, ApiError> {
        let (client, url) = self.prepare(account, url)?;
        let mut request = client
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json");
        request = match auth {
            Auth::None => request,
            Auth::Scheme(scheme, token) => request.header(
                reqwest::header::AUTHORIZATION,
                authorization(scheme, token)?,
            ),
            Auth::Basic(user, password) => {
                request.header(reqwest::header::AUTHORIZATION, wire::basic(user, password)?)
            }
        };
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, body.content_type())
                .body(body.bytes());
        }
        self.exchange(request).await
    }

    /// Sends a GET that asks for JSON (an OAuth 2.0 discovery document) and reads the answer.
    pub async fn get(&self, account: &Account, url: Url) -> Result<Reply, ApiError> {
        let (client, url) = self.prepare(account, url)?;
        let request = client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        self.exchange(request).await
    }

    /// The client for a request to `url` with `account`'s trust settings, after the plain HTTP
    /// rule: plain HTTP to another machine carries secrets in clear, so only when the user said
    /// so, checked before anything is sent, on the URL the request goes to (an OAuth 2.0
    /// account's endpoints may be on other hosts than its URL).
    fn prepare(&self, account: &Account, url: Url) -> Result<(reqwest::Client, Url), ApiError> {
        let off_loopback = !crate::account::is_loopback_host(&url);
        if url.scheme() == "http" && off_loopback && !account.allow_plain_http {
            return Err(ApiError::local(
                ErrorKind::Config,
                "plain_http",
                format!(
                    "{} is plain HTTP to another machine, which would carry the secrets unencrypted: use https, or allow it explicitly (--allow-plain-http, or \"Allow plain HTTP\" in the app)",
                    crate::account::redact_url_text(url.as_str())
                ),
            ));
        }
        let client = self.client_for(account, !off_loopback)?;
        tracing::debug!(url = %crate::account::redact_url_text(url.as_str()), proxy = %proxy_for(&url, !off_loopback), "sending");
        Ok((client, url))
    }

    /// Sends a request and reads its answer, at most [`MAX_BODY`] bytes of it.
    async fn exchange(&self, request: reqwest::RequestBuilder) -> Result<Reply, ApiError> {
        let sent_at = self.clock.now();
        let mut response = request.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if response
            .content_length()
            .is_some_and(|len| len > MAX_BODY as u64)
        {
            return Err(too_large(status));
        }
        let expected = response.content_length().unwrap_or(0).min(MAX_BODY as u64);
        let mut body = wire::Received::with_capacity(usize::try_from(expected).unwrap_or(0));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(e))?
        {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large(status));
            }
            body.extend(&chunk);
        }
        Ok(Reply::from_parts(status, headers, body.into_vec(), sent_at))
    }

    /// The certificate chain `url`'s server presents and whether `settings` would trust it.
    /// Nothing is sent: the handshake is abandoned once the chain is seen.
    pub async fn inspect(
        &self,
        url: &Url,
        settings: &TlsSettings,
    ) -> Result<CertificateReport, ApiError> {
        if url.scheme() != "https" {
            return Err(ApiError::local(
                ErrorKind::Config,
                "not_https",
                format!(
                    "{} is not an https URL: there is no certificate to show",
                    safe_url(url)
                ),
            ));
        }
        let config = tls::inspect_config(settings, self.refusals.clone())?;
        let loopback = crate::account::is_loopback_host(url);
        let client = build_client(config, self.connect_timeout, self.total_timeout, loopback)?;
        let host = url.host_str().unwrap_or_default().to_owned();
        match client.get(url.clone()).send().await {
            Ok(_) => Err(ApiError::local(
                ErrorKind::Protocol,
                "tls",
                "the connection did not stop at the certificate check",
            )),
            Err(e) => match self.refusals.take_inspection(&host) {
                Some(report) => Ok(report),
                None => Err(self.transport_error(e)),
            },
        }
    }

    fn transport_error(&self, err: reqwest::Error) -> ApiError {
        let mut text = chain(&err);
        if let Some(url) = err.url() {
            text = text.replace(url.as_str(), &safe_url(url));
        }
        let target = target_of(&err);
        if err.is_timeout() {
            return ApiError::local(
                ErrorKind::Transient,
                "timeout",
                format!("no answer from {target} in time: {}", root_cause(&err)),
            );
        }
        let host = err
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or("the host")
            .to_owned();
        match transport::cause(&err) {
            // A connection cut mid-TLS or mid-answer is transient.
            Cause::Cut => {
                return ApiError::local(
                    ErrorKind::Transient,
                    "network",
                    format!("connection to {target} failed: {}", root_cause(&err)),
                );
            }
            // Certificate problems need the user.
            Cause::Tls => {
                if let Some(problem) = self.refusals.take(&host) {
                    return certificate_error(problem);
                }
                return ApiError::local(
                    ErrorKind::Config,
                    "tls",
                    format!("TLS failure talking to {target}: {}", root_cause(&err)),
                );
            }
            // "Temporary failure" (EAI_AGAIN, as right after a resume) is worth retrying;
            // "no such host" needs the user.
            Cause::Dns { temporary: true } => {
                return ApiError::local(
                    ErrorKind::Transient,
                    "dns_temporary",
                    format!(
                        "cannot resolve {host} right now (temporary DNS failure): {}",
                        root_cause(&err)
                    ),
                );
            }
            Cause::Dns { temporary: false } => {
                return ApiError::local(
                    ErrorKind::Config,
                    "dns",
                    format!("cannot resolve host {host}: {}", root_cause(&err)),
                );
            }
            Cause::Other => {}
        }
        if err.is_builder() {
            return ApiError::local(ErrorKind::Config, "bad_url", text);
        }
        if err.is_connect() {
            return ApiError::local(
                ErrorKind::Transient,
                "network",
                format!("cannot connect to {target}: {}", root_cause(&err)),
            );
        }
        if err.is_body() || err.is_decode() || err.is_request() {
            return ApiError::local(
                ErrorKind::Transient,
                "network",
                format!("connection to {target} failed: {}", root_cause(&err)),
            );
        }
        ApiError::local(ErrorKind::Transient, "network", text)
    }
}

/// A refused certificate as an error: what was presented and how to trust it if recognised.
fn certificate_error(problem: CertificateProblem) -> ApiError {
    let mut message = problem.summary();
    if let Some(leaf) = problem.leaf() {
        let date = |t: Option<chrono::DateTime<Utc>>| {
            t.map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "?".to_owned())
        };
        message.push_str(&format!(
            " (subject {}; issuer {}; valid {} to {}; SHA-256 {})",
            leaf.subject,
            leaf.issuer,
            date(leaf.not_before),
            date(leaf.not_after),
            leaf.sha256
        ));
    }
    if let Some(pinned) = problem.pinned {
        message.push_str(&format!("; the trusted one was {pinned}"));
    }
    let mut error = ApiError::local(ErrorKind::Config, problem.kind.code(), message);
    error.certificate = Some(Box::new(problem));
    error
}

/// A URL as it may be shown: no user name or password, no query.
pub fn safe_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.to_string()
}

fn too_large(status: u16) -> ApiError {
    ApiError::answered(
        ErrorKind::Protocol,
        status,
        Some("response_too_large".to_owned()),
        format!(
            "the answer is larger than {} KiB; stopped reading",
            MAX_BODY / 1024
        ),
    )
}

/// Which proxy from the environment a request to `url` goes through, in words for `-vv`
/// (credentials in a proxy URL are never shown): "none" for this machine and for hosts
/// `NO_PROXY` names.
fn proxy_for(url: &Url, loopback: bool) -> String {
    if loopback {
        return "none (this machine)".to_owned();
    }
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let excluded = var(&["NO_PROXY", "no_proxy"]).is_some_and(|list| {
        list.split(',').map(str::trim).any(|entry| {
            let entry = entry.trim_start_matches('.').to_ascii_lowercase();
            entry == "*"
                || (!entry.is_empty() && (host == entry || host.ends_with(&format!(".{entry}"))))
        })
    });
    if excluded {
        return "none (NO_PROXY)".to_owned();
    }
    let chosen = if url.scheme() == "https" {
        var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
    } else {
        var(&["http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"])
    };
    match chosen {
        Some(proxy) => match Url::parse(&proxy) {
            Ok(u) => crate::account::redact_url_text(u.as_str()),
            Err(_) => "a proxy from the environment (unreadable URL)".to_owned(),
        },
        None => "none".to_owned(),
    }
}

fn build_client(
    tls: rustls::ClientConfig,
    connect_timeout: Duration,
    total_timeout: Duration,
    loopback: bool,
) -> Result<reqwest::Client, ApiError> {
    let builder = reqwest::Client::builder();
    // This machine is never reached through a proxy from the environment.
    let builder = if loopback {
        builder.no_proxy()
    } else {
        builder
    };
    builder
        .connect_timeout(connect_timeout)
        .timeout(total_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("tokenkeeper/", env!("CARGO_PKG_VERSION")))
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| {
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

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use reqwest::header::HeaderMap;

    use super::{Auth, Reply, kind_for_status, page_text, strip_html};
    use crate::error::{ErrorKind, MESSAGE_CAP};

    fn html_reply(status: u16, body: &str) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("text/html"),
        );
        Reply::from_parts(status, headers, body.as_bytes().to_vec(), Utc::now())
    }

    #[test]
    fn debug_never_shows_what_is_sent_or_received() {
        let shown = format!(
            "{:?} {:?} {:?}",
            Auth::Scheme("JWT", "jwt-secret-value"),
            Auth::Basic("admin", "password-value"),
            Reply::from_parts(200, HeaderMap::new(), b"token-in-body".to_vec(), Utc::now())
        );
        for secret in ["jwt-secret-value", "password-value", "token-in-body"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(
            shown.contains("admin") && shown.contains("body_bytes: 13"),
            "{shown}"
        );
    }

    #[test]
    fn html_is_reduced_to_its_title_or_text() {
        let page =
            "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>";
        assert_eq!(page_text(page), "502 Bad Gateway");
        assert_eq!(
            strip_html(
                "<strong>ERROR</strong>: The password you entered for &quot;admin&quot; is incorrect."
            ),
            "ERROR: The password you entered for \"admin\" is incorrect."
        );
        // Whole: an error quoting it is cut once masked.
        assert_eq!(page_text(&"x".repeat(500)).chars().count(), 500);
        let error = html_reply(502, &"x".repeat(500))
            .unrecognised_error()
            .masked(&[]);
        assert_eq!(error.message.chars().count(), MESSAGE_CAP + 1);
    }

    #[test]
    fn a_proxy_page_echoing_the_password_shows_none_of_it_wherever_the_cut_falls() {
        // A WAF's page that echoes the login it blocked, the password at every place around
        // the old 160-character excerpt and the message's cut. On 403 our words wrap the
        // page's (they used to follow it too); on 502 the page's are quoted.
        let password = "hunter2-correct-horse";
        for status in [403, 502] {
            for pad in 100..=320 {
                let body = format!(
                    "<html><body><p>Request blocked.</p><p>{} {password} was rejected by the \
                     web application firewall.</p></body></html>",
                    "x".repeat(pad)
                );
                let error = html_reply(status, &body)
                    .unrecognised_error()
                    .masked(&[password]);
                let shown = error.to_string();
                for end in 3..=password.len() {
                    assert!(!shown.contains(&password[..end]), "{status} {pad}: {shown}");
                }
                assert!(error.message.chars().count() <= MESSAGE_CAP + 1, "{shown}");
                if status == 403 {
                    assert!(
                        shown.contains("so the stored credentials are kept: text/html"),
                        "{shown}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_page_with_escape_sequences_is_quoted_clean() {
        let body = "<title>\u{1b}]0;pwned\u{7}Blocked\r\n\u{1b}[2J by policy</title>";
        let error = html_reply(403, body).unrecognised_error().masked(&[]);
        assert!(
            error.message.ends_with("text/html: \"Blocked by policy\""),
            "{:?}",
            error.message
        );
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(kind_for_status(401), ErrorKind::Auth);
        assert_eq!(kind_for_status(403), ErrorKind::Auth);
        assert_eq!(kind_for_status(429), ErrorKind::Transient);
        assert_eq!(kind_for_status(503), ErrorKind::Transient);
        assert_eq!(kind_for_status(501), ErrorKind::Config);
        assert_eq!(kind_for_status(505), ErrorKind::Config);
        for transient in [
            500, 502, 504, 507, 520, 521, 522, 523, 524, 525, 526, 527, 530, 599,
        ] {
            assert_eq!(
                kind_for_status(transient),
                ErrorKind::Transient,
                "{transient}"
            );
        }
        assert_eq!(kind_for_status(404), ErrorKind::Config);
        assert_eq!(kind_for_status(400), ErrorKind::Config);
    }
}
