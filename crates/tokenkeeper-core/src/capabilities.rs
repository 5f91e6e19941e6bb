//! What each API can do, in one table: its name, its usual address, what it logs in with,
//! which secrets an account can be set up with, whether the client may ask for a token
//! lifetime. The core checks secrets against it ([`crate::keeper`]), the CLI words its flags
//! from it, and the app exports it to the web UI (`ui/src/bindings/Providers.ts`), so the
//! form's choices are the core's rules and not a copy of them.

use serde::{Deserialize, Serialize};

use crate::provider_kind::ProviderKind;

/// A secret a user can set an account up with.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// A password or user secret: TokenKeeper can log in again by itself.
    Password,
    /// A refresh token.
    RefreshToken,
    /// A current access token, refreshed while it is valid.
    AccessToken,
    /// A person signs in (OAuth 2.0: in the browser, or with a code on another device).
    SignIn,
}

impl Credential {
    /// In words, with its article ("a refresh token").
    pub fn words(self) -> &'static str {
        match self {
            Self::Password => "a password",
            Self::RefreshToken => "a refresh token",
            Self::AccessToken => "a current access token",
            Self::SignIn => "a sign-in in the browser",
        }
    }
}

/// One API's row of the table.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    /// Which API.
    pub provider: ProviderKind,
    /// Its name, as people call it.
    pub label: &'static str,
    /// An example base URL with the API's usual port.
    pub example_url: &'static str,
    /// The port it usually listens on (https).
    pub default_port: u16,
    /// What the API calls the user name of a login.
    pub username_label: &'static str,
    /// What the API calls the password of a login (Smartling: "User secret").
    pub password_label: &'static str,
    /// The secrets an account can be set up with, the usual one first. A password means the
    /// API has a login, so TokenKeeper can log in again by itself.
    #[cfg_attr(feature = "ts", ts(as = "Vec<Credential>"))]
    pub credentials: &'static [Credential],
    /// The client may ask for a token lifetime (Redis Enterprise's `ttl`).
    pub requested_ttl: bool,
    /// The `Authorization` scheme the API takes its token with: `JWT` (Redis Enterprise,
    /// literally) or `Bearer`.
    pub auth_scheme: &'static str,
    /// A refresh revokes the previous access token on the server (the real JWT Auth Pro does):
    /// a token handed out works until TokenKeeper's next refresh, not until its `exp`. The
    /// background then refreshes late (a short lead) and never before what it promised a
    /// handout ([`crate::keeper`]); docs/API-EVIDENCE.md, "Does a refresh revoke the previous
    /// access token?", has the evidence for each API.
    pub revokes_on_refresh: bool,
}

/// The token lifetimes (seconds) an API that takes one accepts (Redis Enterprise: 1 s to a day).
pub const TTL_RANGE_SECS: std::ops::RangeInclusive<u64> = 1..=86_400;

impl ProviderKind {
    /// Human name (from the table).
    pub fn label(self) -> &'static str {
        of(self).label
    }
}

impl Capabilities {
    /// Checks a requested token lifetime: only an API that takes one, and in its range.
    pub fn check_ttl(&self, ttl: Option<u64>) -> crate::Result<()> {
        match ttl {
            None => Ok(()),
            Some(_) if !self.requested_ttl => Err(crate::Error::InvalidInput(format!(
                "{} does not take a requested token lifetime (its server decides)",
                self.label
            ))),
            Some(t) if !TTL_RANGE_SECS.contains(&t) => Err(crate::Error::InvalidInput(format!(
                "token lifetime: {} accepts {} to {} seconds",
                self.label,
                TTL_RANGE_SECS.start(),
                TTL_RANGE_SECS.end()
            ))),
            Some(_) => Ok(()),
        }
    }

    /// Whether an account can be set up with `credential`.
    pub fn accepts(&self, credential: Credential) -> bool {
        self.credentials.contains(&credential)
    }

    /// Whether the API has a login (TokenKeeper can log in again with a stored password).
    pub fn has_login(&self) -> bool {
        self.accepts(Credential::Password)
    }

    /// The accepted secrets in words: "a password or a refresh token".
    pub fn credentials_in_words(&self) -> String {
        self.credentials
            .iter()
            .map(|c| c.words())
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// Every API's row, in display order ([`ProviderKind::ALL`]).
pub const TABLE: [Capabilities; 6] = [
    Capabilities {
        provider: ProviderKind::RedisEnterprise,
        label: "Redis Enterprise Software",
        example_url: "https://cluster.example.com:9443",
        default_port: 9443,
        username_label: "User name or email",
        password_label: "Password",
        credentials: &[Credential::Password, Credential::AccessToken],
        requested_ttl: true,
        auth_scheme: "JWT",
        revokes_on_refresh: false,
    },
    Capabilities {
        provider: ProviderKind::Ece,
        label: "Elastic Cloud Enterprise",
        example_url: "https://coordinator.example.com:12443",
        default_port: 12443,
        username_label: "User name",
        password_label: "Password",
        credentials: &[Credential::Password, Credential::AccessToken],
        requested_ttl: false,
        auth_scheme: "Bearer",
        revokes_on_refresh: false,
    },
    Capabilities {
        provider: ProviderKind::Smartling,
        label: "Smartling",
        example_url: "https://api.smartling.com",
        default_port: 443,
        username_label: "User identifier",
        password_label: "User secret",
        credentials: &[Credential::Password, Credential::RefreshToken],
        requested_ttl: false,
        auth_scheme: "Bearer",
        revokes_on_refresh: false,
    },
    // The real service logs in too (docs/API-EVIDENCE.md): with a password an account outlives
    // its refresh token's 7 days.
    Capabilities {
        provider: ProviderKind::GenericJwt,
        label: "JWT service (/api/v1/authenticate)",
        example_url: "https://auth.example.com",
        default_port: 443,
        username_label: "User name",
        password_label: "Password",
        credentials: &[Credential::Password, Credential::RefreshToken],
        requested_ttl: false,
        auth_scheme: "Bearer",
        revokes_on_refresh: false,
    },
    Capabilities {
        provider: ProviderKind::JwtAuthPro,
        label: "WordPress JWT Auth Pro",
        example_url: "https://blog.example.com",
        default_port: 443,
        username_label: "User name or email",
        password_label: "Password",
        credentials: &[Credential::Password, Credential::RefreshToken],
        requested_ttl: false,
        auth_scheme: "Bearer",
        revokes_on_refresh: true,
    },
    // Which credential an account takes follows its grant (`OAuthSettings::grant`): a sign-in
    // for the authorization code and device grants, the client secret (the "password", which
    // logs in again by itself) for client credentials. A refresh leaves the previous access
    // token working at oidc-provider (docs/OIDC-PLAN.md).
    Capabilities {
        provider: ProviderKind::OAuth2,
        label: "OAuth 2.0 / OpenID Connect",
        example_url: "https://login.example.com/realms/main",
        default_port: 443,
        username_label: "User name",
        password_label: "Client secret",
        credentials: &[
            Credential::SignIn,
            Credential::Password,
            Credential::RefreshToken,
        ],
        requested_ttl: false,
        auth_scheme: "Bearer",
        revokes_on_refresh: false,
    },
];

/// The row of one API.
pub fn of(provider: ProviderKind) -> &'static Capabilities {
    let index = match provider {
        ProviderKind::RedisEnterprise => 0,
        ProviderKind::Ece => 1,
        ProviderKind::Smartling => 2,
        ProviderKind::GenericJwt => 3,
        ProviderKind::JwtAuthPro => 4,
        ProviderKind::OAuth2 => 5,
    };
    &TABLE[index]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::provider_for;

    #[test]
    fn one_row_per_api_in_display_order() {
        let order: Vec<ProviderKind> = TABLE.iter().map(|c| c.provider).collect();
        assert_eq!(order, ProviderKind::ALL);
        for kind in ProviderKind::ALL {
            assert_eq!(of(kind).provider, kind);
        }
    }

    #[test]
    fn every_vendor_api_has_an_adapter_and_logs_in_with_a_password_first() {
        assert_eq!(
            provider_for(ProviderKind::OAuth2).kind(),
            ProviderKind::OAuth2
        );
        assert_eq!(
            of(ProviderKind::OAuth2).credentials,
            [
                Credential::SignIn,
                Credential::Password,
                Credential::RefreshToken
            ]
        );
        for kind in ProviderKind::ALL
            .into_iter()
            .filter(|k| *k != ProviderKind::OAuth2)
        {
            assert_eq!(provider_for(kind).kind(), kind);
            assert!(of(kind).has_login(), "{kind}");
            assert_eq!(
                of(kind).credentials.first(),
                Some(&Credential::Password),
                "{kind}"
            );
        }
    }

    #[test]
    fn the_example_urls_parse_and_carry_the_usual_port() {
        for row in &TABLE {
            let url = crate::account::parse_base_url(row.example_url).unwrap();
            assert_eq!(
                url.port_or_known_default(),
                Some(row.default_port),
                "{}",
                row.label
            );
        }
    }

    #[test]
    fn redis_enterprise_takes_its_token_as_jwt_and_the_others_as_bearer() {
        for kind in ProviderKind::ALL {
            let expected = if kind == ProviderKind::RedisEnterprise {
                "JWT"
            } else {
                "Bearer"
            };
            assert_eq!(of(kind).auth_scheme, expected, "{kind}");
        }
    }

    #[test]
    fn credentials_in_words() {
        assert_eq!(
            of(ProviderKind::Ece).credentials_in_words(),
            "a password or a current access token"
        );
        assert_eq!(
            of(ProviderKind::Smartling).credentials_in_words(),
            "a password or a refresh token"
        );
    }
}
