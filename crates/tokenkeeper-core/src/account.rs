//! Accounts: who to ask for a token and how. Settings only, never a secret.
//!
//! An [`Account`] is what the config file stores for each configured API account.
//! Its [`AccountId`] is a random UUID made once at creation, so keychain entries keyed by it
//! never collide across config directories, and renaming would not orphan them.

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use crate::cert::CertFingerprint;
use crate::error::{Error, Result};
pub use crate::provider_kind::ProviderKind;
use crate::providers::tls::TlsSettings;

/// Stable identity of an account (keychain key, lock file, state entry).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(type = "string"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(Uuid);

impl AccountId {
    /// A fresh random id.
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }

    /// The id of the keychain check's throwaway entry (no account has it).
    pub fn probe() -> Self {
        Self(Uuid::nil())
    }
}

impl std::str::FromStr for AccountId {
    type Err = Error;

    /// An id as `Display` writes it (what the UI and the tray menu carry).
    fn from_str(text: &str) -> Result<Self> {
        Uuid::parse_str(text)
            .map(Self)
            .map_err(|_| Error::InvalidInput(format!("not an account id: {text:?}")))
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One configured account. Contains no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Stable identity.
    pub id: AccountId,
    /// Unique name chosen by the user (`tokenkeeper token NAME`).
    pub name: String,
    /// Which API.
    pub provider: ProviderKind,
    /// Base URL of the API (for jwt-auth-pro: the WordPress site root).
    pub url: Url,
    /// User name or identifier for login, where the API has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Requested token lifetime in seconds (Redis Enterprise `ttl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// Extra CA certificate (PEM file) to trust for this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// The server's certificate pinned by its SHA-256 fingerprint (`--trust-cert`): trusted
    /// whatever its issuer and names. Not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_cert: Option<CertFingerprint>,
    /// Skip TLS certificate verification (flagged everywhere it is shown).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
    /// When the account was added.
    pub created_at: DateTime<Utc>,
    /// Fixed refresh lead in seconds (default: the larger of 60 s and 20 % of the lifetime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_lead_secs: Option<u64>,
    /// JWT Auth Pro: the site has plain permalinks, so its REST API answers only at
    /// `/?rest_route=/…`, not under `/wp-json/`. Found by the first login or refresh (a 404 on
    /// one form tries the other) and kept up to date by later ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plain_permalinks: bool,
    /// The user allowed plain HTTP to a host that is not this machine (secrets travel in
    /// clear); without it such a request is refused before anything is sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_plain_http: bool,
    /// A command run after each new token of this account (program and arguments, no shell);
    /// overrides the settings' hook. See [`crate::hooks`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<Vec<String>>,
    /// Labels to find and group accounts by (`prod`, `client-a`); see [`normalize_tags`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Kept in the tray's menu even when there are too many accounts to list them all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// OAuth 2.0 / OpenID Connect: the grant, client and endpoints (`oauth2` accounts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<crate::providers::oauth2::OAuthSettings>,
}

/// The most tags an account keeps.
pub const MAX_TAGS: usize = 16;

/// The longest tag, in characters.
pub const TAG_MAX_LEN: usize = 32;

/// The longest account name, in characters.
pub const NAME_MAX_LEN: usize = 64;

/// The largest refresh lead an account or the settings may set, in seconds (a day).
pub const REFRESH_LEAD_MAX_SECS: u64 = 86_400;

/// The largest secret, in bytes of UTF-8 (one line).
pub const SECRET_MAX_BYTES: usize = 16 * 1024;

/// Host names that are this machine besides the loopback addresses (`127.0.0.0/8`, `::1`).
pub const LOOPBACK_NAMES: &[&str] = &["localhost"];

/// Checks a refresh lead: at most [`REFRESH_LEAD_MAX_SECS`].
pub fn check_refresh_lead(lead: Option<u64>) -> Result<()> {
    match lead {
        Some(secs) if secs > REFRESH_LEAD_MAX_SECS => Err(Error::InvalidInput(format!(
            "refresh lead {secs} s: at most {REFRESH_LEAD_MAX_SECS} seconds before expiry"
        ))),
        _ => Ok(()),
    }
}

/// Checks and tidies tags: lower-case, 1 to 32 of `a-z 0-9 - _ . :`, no duplicates, at most
/// [`MAX_TAGS`]; the order given is kept.
pub fn normalize_tags<S: AsRef<str>>(tags: &[S]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.as_ref().trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        let ok = tag.len() <= TAG_MAX_LEN
            && tag
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.:".contains(c));
        if !ok {
            return Err(Error::InvalidInput(format!(
                "tag {tag:?}: use up to {TAG_MAX_LEN} of a-z, 0-9, '-', '_', '.', ':'"
            )));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(Error::InvalidInput(format!(
            "at most {MAX_TAGS} tags an account"
        )));
    }
    Ok(out)
}

impl Account {
    /// Joins a path onto the base URL, keeping any path prefix the base URL has.
    pub fn endpoint(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}{path}"));
        url.set_query(None);
        url
    }

    /// A WordPress REST route (`/jwt-auth/v1/token`) in the form the site answers: under
    /// `/wp-json` (pretty permalinks) or as `/?rest_route=` (plain permalinks).
    pub fn wp_rest_endpoint(&self, route: &str, plain_permalinks: bool) -> Url {
        if !plain_permalinks {
            return self.endpoint(&format!("/wp-json{route}"));
        }
        // As WordPress writes it in its own links: the route's slashes left as they are.
        let mut url = self.endpoint("/");
        url.set_query(Some(&format!("rest_route={route}")));
        url
    }

    /// What the account trusts for TLS.
    pub fn tls_settings(&self) -> TlsSettings {
        TlsSettings {
            ca_cert: self.ca_cert.clone(),
            trust_cert: self.trust_cert,
            insecure: self.insecure,
        }
    }

    /// The fixed refresh lead, if the account sets one.
    ///
    /// An API whose refresh revokes the previous token ([`crate::capabilities`]) is refreshed
    /// late unless the account says otherwise: every token handed out works until the next
    /// refresh, so the later it comes, the longer each lives ([`crate::engine::policy::LATE_LEAD`]).
    pub fn refresh_lead(&self) -> Option<std::time::Duration> {
        self.refresh_lead_secs
            .map(std::time::Duration::from_secs)
            .or_else(|| {
                self.revokes_on_refresh()
                    .then_some(crate::engine::policy::LATE_LEAD)
            })
    }

    /// A refresh revokes the previous access token at this account's server: the API does
    /// ([`crate::capabilities::Capabilities::revokes_on_refresh`]), or the OAuth 2.0 account
    /// says its server does. The one rule every handout, promise and plan asks.
    pub fn revokes_on_refresh(&self) -> bool {
        crate::capabilities::of(self.provider).revokes_on_refresh
            || self.oauth.as_ref().is_some_and(|o| o.revokes_on_refresh)
    }

    /// True when the URL sends traffic in clear text beyond this machine.
    pub fn is_plain_http_off_loopback(&self) -> bool {
        self.url.scheme() == "http" && !is_loopback_host(&self.url)
    }

    /// The API is on this machine (`localhost`, `127.0.0.0/8`, `::1`).
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.url)
    }
}

/// The URL's host is this machine: a name in [`LOOPBACK_NAMES`], `127.0.0.0/8` or `::1`. The one
/// rule for plain HTTP, proxies and the certificate check (the form's copy is generated).
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => LOOPBACK_NAMES.iter().any(|n| d.eq_ignore_ascii_case(n)),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks that a CA file names a readable file (a PEM file's contents are read when a request
/// is made and when a secret's binding is taken).
pub fn check_ca_file(path: &std::path::Path) -> Result<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "CA file {}: no such file",
            path.display()
        )))
    }
}

/// Checks an account name: 1 to 64 of `A-Z a-z 0-9 . _ -`, not starting with `-`.
pub fn validate_name(name: &str) -> Result<()> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if name.is_empty() || name.len() > NAME_MAX_LEN || !ok_chars || name.starts_with('-') {
        return Err(Error::InvalidInput(format!(
            "invalid account name {name:?}: use 1 to {NAME_MAX_LEN} letters, digits, '.', '_' or '-', not starting with '-'"
        )));
    }
    Ok(())
}

/// A URL typed by the user, as it may be quoted in a message: whatever stands before an `@`
/// in its authority (`user:password@`) and after a `?` or `#` is replaced by `***`, even when
/// the URL does not parse.
pub fn redact_url_text(text: &str) -> String {
    let text = match text.find(['?', '#']) {
        Some(i) => format!("{}***", text.get(..=i).unwrap_or_default()),
        None => text.to_owned(),
    };
    let text = text.as_str();
    let Some(scheme_end) = text.find("://") else {
        return text.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = text.get(authority_start..).unwrap_or_default();
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_len).unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => format!(
            "{}***{}",
            text.get(..authority_start).unwrap_or_default(),
            text.get(authority_start + at..).unwrap_or_default()
        ),
        None => text.to_owned(),
    }
}

/// Parses and checks a base URL: http or https, with a host, no credentials, query or fragment.
/// Messages never repeat credentials the URL holds.
pub fn parse_base_url(text: &str) -> Result<Url> {
    let shown = redact_url_text(text.trim());
    let url = Url::parse(text.trim())
        .map_err(|e| Error::InvalidInput(format!("invalid URL {shown:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidInput(format!(
            "invalid URL {shown:?}: the scheme must be http or https"
        )));
    }
    if url.host().is_none() {
        return Err(Error::InvalidInput(format!(
            "invalid URL {shown:?}: no host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidInput(format!(
            "invalid URL {shown:?}: put no credentials in the URL; pass the secret on stdin"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidInput(format!(
            "invalid URL {shown:?}: no query or fragment allowed"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags_are_tidied_and_checked() {
        let tags = super::normalize_tags(&[" Prod", "client-a", "prod", "", "eu:west.1"]).unwrap();
        assert_eq!(tags, ["prod", "client-a", "eu:west.1"]);
        for bad in ["has space", "ünï", "a/b", &"x".repeat(33)] {
            let err = super::normalize_tags(&[bad]).unwrap_err();
            assert!(err.to_string().contains("tag"), "{bad}: {err}");
        }
        let many: Vec<String> = (0..=super::MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert!(super::normalize_tags(&many).is_err());
    }

    use super::{ProviderKind, parse_base_url, redact_url_text, validate_name};
    use crate::testing::TestAccount;

    #[test]
    fn provider_ids_round_trip() {
        for p in ProviderKind::ALL {
            assert_eq!(p.id().parse::<ProviderKind>().ok(), Some(p));
        }
        assert!("redis".parse::<ProviderKind>().is_err());
    }

    #[test]
    fn names_are_checked() {
        for good in ["a", "prod-redis", "x.y_z-1"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-x", "a b", "a/b", &"x".repeat(65)] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(parse_base_url("https://cluster.example:9443").is_ok());
        for bad in [
            "cluster:9443",
            "ftp://x",
            "https://user:pw@x",
            "https://x/?a=1",
            "not a url",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn url_errors_never_repeat_credentials() {
        for (bad, secret) in [
            ("https://user:PASSWORD@host", "PASSWORD"),
            ("https://user:PASSWORD@", "PASSWORD"),
            ("https://PASSWORD@host:99999", "PASSWORD"),
            ("ftp://u:PASSWORD@host/x", "PASSWORD"),
            ("https://host/?token=SECRETTOKEN", "SECRETTOKEN"),
            ("https://host/#SECRETTOKEN", "SECRETTOKEN"),
            ("not a url ://a:PASSWORD@b", "PASSWORD"),
        ] {
            let message = parse_base_url(bad).err().map(|e| e.to_string());
            let message = message.unwrap_or_default();
            assert!(message.starts_with("invalid URL"), "{bad}: {message}");
            assert!(!message.contains(secret), "{bad}: {message}");
        }
        assert_eq!(
            redact_url_text("https://u:p@h:1/x@y"),
            "https://***@h:1/x@y"
        );
        assert_eq!(redact_url_text("https://h/p"), "https://h/p");
    }

    #[test]
    fn endpoint_keeps_path_prefix() {
        let account = TestAccount::new("wp", ProviderKind::JwtAuthPro)
            .url("https://site.example/blog/")
            .build();
        assert_eq!(
            account.endpoint("/wp-json/jwt-auth/v1/token").as_str(),
            "https://site.example/blog/wp-json/jwt-auth/v1/token"
        );
        assert_eq!(
            account
                .wp_rest_endpoint("/jwt-auth/v1/token", false)
                .as_str(),
            "https://site.example/blog/wp-json/jwt-auth/v1/token"
        );
        assert_eq!(
            account
                .wp_rest_endpoint("/jwt-auth/v1/token/refresh", true)
                .as_str(),
            "https://site.example/blog/?rest_route=/jwt-auth/v1/token/refresh"
        );
    }
}
