//! Test support: [`TestAccount`], a builder for the accounts tests need, so a test names only the
//! settings it is about instead of writing out every field of [`Account`] or [`NewAccount`].
//!
//! Compiled for this crate's own tests and for crates that turn on the `test-support` feature,
//! which only dev-dependencies do (see Cargo.toml): it is never part of a release build.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::account::{Account, AccountId, ProviderKind, parse_base_url};
use crate::cert::CertFingerprint;
use crate::keeper::NewAccount;

/// An account for a test: `TestAccount::new("name", ProviderKind::Smartling).url(..).build()`.
///
/// The defaults are an account as `tokenkeeper add` would make it with nothing but a name and
/// an API: a fresh id, the API's [`example_url`], created now, no user name, no lifetime, no
/// certificate settings, no fixed lead, pretty permalinks and no plain HTTP beyond this machine.
#[derive(Clone, Debug)]
#[must_use]
pub struct TestAccount {
    account: Account,
}

/// A base URL of the kind each API has (an https URL on a made-up or the public host); tests
/// that send requests set the emulator's with [`TestAccount::url`].
pub fn example_url(provider: ProviderKind) -> &'static str {
    match provider {
        ProviderKind::RedisEnterprise => "https://cluster.example:9443/",
        ProviderKind::Ece => "https://ece.example:12443/",
        ProviderKind::Smartling => "https://api.smartling.com",
        ProviderKind::GenericJwt => "https://auth.example/",
        ProviderKind::JwtAuthPro => "https://site.example/",
        ProviderKind::OAuth2 => "https://login.example/realms/main",
    }
}

impl TestAccount {
    /// An account `name` for `provider`, with the defaults above.
    pub fn new(name: &str, provider: ProviderKind) -> Self {
        let account = Account {
            id: AccountId::generate(),
            name: name.to_owned(),
            provider,
            url: parse_url(example_url(provider)),
            username: None,
            ttl: None,
            ca_cert: None,
            trust_cert: None,
            insecure: false,
            created_at: Utc::now(),
            refresh_lead_secs: None,
            plain_permalinks: false,
            allow_plain_http: false,
            hook: None,
            tags: Vec::new(),
            pinned: false,
            oauth: None,
        };
        Self { account }
    }

    /// OAuth 2.0 settings (for an `oauth2` account).
    pub fn oauth(mut self, settings: crate::providers::oauth2::OAuthSettings) -> Self {
        self.account.oauth = Some(settings);
        self
    }

    /// This id instead of a fresh one.
    pub fn id(mut self, id: AccountId) -> Self {
        self.account.id = id;
        self
    }

    /// The base URL, checked as `tokenkeeper add` checks it (panics when it would be refused).
    pub fn url(mut self, url: &str) -> Self {
        self.account.url = parse_url(url);
        self
    }

    /// The user name to log in as.
    pub fn username(mut self, username: &str) -> Self {
        self.account.username = Some(username.to_owned());
        self
    }

    /// The requested token lifetime in seconds (Redis Enterprise's `ttl`), or none.
    pub fn ttl(mut self, secs: impl Into<Option<u64>>) -> Self {
        self.account.ttl = secs.into();
        self
    }

    /// A CA file to trust, or none.
    pub fn ca_cert(mut self, path: impl Into<Option<PathBuf>>) -> Self {
        self.account.ca_cert = path.into();
        self
    }

    /// A pinned server certificate, or none.
    pub fn trust_cert(mut self, fingerprint: impl Into<Option<CertFingerprint>>) -> Self {
        self.account.trust_cert = fingerprint.into();
        self
    }

    /// Skip TLS certificate verification.
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.account.insecure = insecure;
        self
    }

    /// When the account was added, instead of now.
    pub fn created_at(mut self, at: DateTime<Utc>) -> Self {
        self.account.created_at = at;
        self
    }

    /// A fixed refresh lead in seconds, or none.
    pub fn refresh_lead_secs(mut self, secs: impl Into<Option<u64>>) -> Self {
        self.account.refresh_lead_secs = secs.into();
        self
    }

    /// The site answers only at `/?rest_route=` (JWT Auth Pro).
    pub fn plain_permalinks(mut self, plain: bool) -> Self {
        self.account.plain_permalinks = plain;
        self
    }

    /// Plain HTTP to a host that is not this machine is allowed.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.account.allow_plain_http = allow;
        self
    }

    /// The account, as the config file would hold it.
    pub fn build(self) -> Account {
        self.account
    }

    /// The settings [`crate::Keeper::add`] takes for this account (the keeper makes the id and
    /// the creation time, and finds the permalink form, itself).
    pub fn build_new(self) -> NewAccount {
        let a = self.account;
        NewAccount {
            name: a.name,
            provider: a.provider,
            url: a.url,
            username: a.username,
            ttl: a.ttl,
            ca_cert: a.ca_cert,
            trust_cert: a.trust_cert,
            insecure: a.insecure,
            refresh_lead_secs: a.refresh_lead_secs,
            allow_plain_http: a.allow_plain_http,
            tags: a.tags,
            oauth: a.oauth,
        }
    }
}

/// A URL a test wrote, checked as user input is.
#[allow(
    clippy::expect_used,
    reason = "a test's own URL: a bad one is the test's mistake"
)]
fn parse_url(url: &str) -> url::Url {
    parse_base_url(url).expect("a valid test URL")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn defaults_are_an_account_with_nothing_but_a_name_and_an_api() {
        for provider in ProviderKind::ALL {
            let account = TestAccount::new("a", provider).build();
            assert_eq!(account.name, "a");
            assert_eq!(account.provider, provider);
            assert_eq!(account.url, parse_base_url(example_url(provider)).unwrap());
            assert_eq!(account.username, None);
            assert_eq!(account.tls_settings().ca_cert, None);
            assert!(!account.insecure && !account.plain_permalinks && !account.allow_plain_http);
            assert!((Utc::now() - account.created_at).num_seconds() < 5);
        }
        let (a, b) = (
            TestAccount::new("a", ProviderKind::Ece).build(),
            TestAccount::new("a", ProviderKind::Ece).build(),
        );
        assert_ne!(a.id, b.id, "a fresh id each");
    }

    #[test]
    fn every_setting_lands_in_the_account_and_in_the_new_account() {
        let fingerprint = CertFingerprint::of(b"certificate");
        let builder = TestAccount::new("wp", ProviderKind::JwtAuthPro)
            .url("https://site.example/blog/")
            .username("admin")
            .ttl(120)
            .ca_cert(PathBuf::from("/ca.pem"))
            .trust_cert(fingerprint)
            .insecure(true)
            .refresh_lead_secs(90)
            .plain_permalinks(true)
            .allow_plain_http(true);
        let account = builder.clone().build();
        assert_eq!(account.url.as_str(), "https://site.example/blog/");
        assert_eq!(account.username.as_deref(), Some("admin"));
        assert_eq!(account.ttl, Some(120));
        assert_eq!(account.ca_cert, Some(PathBuf::from("/ca.pem")));
        assert_eq!(account.trust_cert, Some(fingerprint));
        assert!(account.insecure && account.plain_permalinks && account.allow_plain_http);
        assert_eq!(account.refresh_lead_secs, Some(90));

        let new = builder.build_new();
        assert_eq!(
            (new.name.as_str(), new.provider, &new.url),
            ("wp", account.provider, &account.url)
        );
        assert_eq!(new.username, account.username);
        assert_eq!(new.ttl, account.ttl);
        assert_eq!(new.ca_cert, account.ca_cert);
        assert_eq!(new.trust_cert, account.trust_cert);
        assert!(new.insecure && new.allow_plain_http);
        assert_eq!(new.refresh_lead_secs, account.refresh_lead_secs);
    }

    #[test]
    fn an_id_and_a_creation_time_can_be_given() {
        let id = AccountId::generate();
        let at = Utc::now() - chrono::TimeDelta::days(3);
        let account = TestAccount::new("a", ProviderKind::Smartling)
            .id(id)
            .created_at(at)
            .build();
        assert_eq!((account.id, account.created_at), (id, at));
    }
}
