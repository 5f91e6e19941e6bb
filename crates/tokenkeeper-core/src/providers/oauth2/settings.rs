//! An OAuth 2.0 / OpenID Connect account's settings, kept in the config file with the account
//! (no secret): which grant, which client, what to ask for, and where the server's endpoints
//! are (found by discovery or typed in). The account's `url` is the issuer, or, for a server
//! without discovery, its token endpoint.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};

/// How TokenKeeper gets the account's first token, and later ones.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grant {
    /// Authorization code with PKCE in the system browser, a loopback redirect (RFC 6749
    /// §4.1, RFC 7636, RFC 8252); then the refresh token.
    AuthorizationCode,
    /// The device authorization grant (RFC 8628): a code typed on another device; then the
    /// refresh token.
    DeviceCode,
    /// Client credentials (RFC 6749 §4.4): a service account; a new token before expiry, no
    /// refresh token.
    ClientCredentials,
}

impl Grant {
    /// Every grant, the usual one first.
    pub const ALL: [Self; 3] = [
        Self::AuthorizationCode,
        Self::DeviceCode,
        Self::ClientCredentials,
    ];

    /// The id used in the config and the CLI (`--grant`).
    pub fn id(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization-code",
            Self::DeviceCode => "device-code",
            Self::ClientCredentials => "client-credentials",
        }
    }

    /// The `grant_type` value RFC 6749 and RFC 8628 give it, as discovery lists it.
    pub fn grant_type(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            Self::ClientCredentials => "client_credentials",
        }
    }

    /// A person signs in (in a browser), so the client secret, if any, only accompanies the
    /// requests and a refresh token keeps the account going.
    pub fn is_interactive(self) -> bool {
        !matches!(self, Self::ClientCredentials)
    }
}

impl std::str::FromStr for Grant {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|g| g.id() == text)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown grant {text:?}; expected one of: {}",
                    Self::ALL.map(Self::id).join(", ")
                ))
            })
    }
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1; the names are the
/// ones discovery's `token_endpoint_auth_methods_supported` uses).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// A public client: `client_id` in the body, no secret (PKCE protects the code).
    #[default]
    None,
    /// HTTP Basic with the form-encoded client id and secret (what every server must accept).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the body.
    ClientSecretPost,
}

impl ClientAuth {
    /// Every method.
    pub const ALL: [Self; 3] = [Self::None, Self::ClientSecretBasic, Self::ClientSecretPost];

    /// Its name in discovery documents and the CLI.
    pub fn id(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
        }
    }

    /// The method sends a client secret.
    pub fn has_secret(self) -> bool {
        !matches!(self, Self::None)
    }
}

impl std::str::FromStr for ClientAuth {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.id() == text)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown client authentication {text:?}; expected one of: {}",
                    Self::ALL.map(Self::id).join(", ")
                ))
            })
    }
}

/// The server's endpoints an account uses.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// Where tokens come from (every grant).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub token: Url,
    /// Where the browser signs in (authorization code).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Url>,
    /// Where a device login starts (RFC 8628).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization: Option<Url>,
    /// Where tokens are revoked when the account is removed (RFC 7009).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<Url>,
}

impl Endpoints {
    /// The endpoints a secret is sent to (a refresh token, a client secret, a device code):
    /// part of what a stored secret is bound to ([`crate::store::binding`]). The authorization
    /// endpoint gets none (only the client id, in the browser).
    pub fn receiving_secrets(&self) -> Vec<&Url> {
        std::iter::once(&self.token)
            .chain(self.device_authorization.as_ref())
            .chain(self.revocation.as_ref())
            .collect()
    }

    /// Every endpoint, with its name (for checks and messages).
    pub fn all(&self) -> Vec<(&'static str, &Url)> {
        let mut all = vec![("token", &self.token)];
        all.extend(self.authorization.as_ref().map(|u| ("authorization", u)));
        all.extend(
            self.device_authorization
                .as_ref()
                .map(|u| ("device authorization", u)),
        );
        all.extend(self.revocation.as_ref().map(|u| ("revocation", u)));
        all
    }
}

/// The OAuth 2.0 part of an account (`Account::oauth`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthSettings {
    /// How tokens are obtained.
    pub grant: Grant,
    /// The client id the server registered.
    pub client_id: String,
    /// How the client authenticates; a secret, when one is sent, is in the keychain.
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// Scopes asked for (`openid`, `offline_access`, an API's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// RFC 8707 resource indicator, sent on every token request (the token's audience).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The `audience` parameter some servers take instead (Auth0, Okta's custom servers); sent
    /// on every token request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The endpoints.
    pub endpoints: Endpoints,
    /// The account's URL is an issuer whose discovery document gave the endpoints.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub discovered: bool,
    /// The server puts `iss` in its authorization answers (RFC 9207): it is checked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub iss_parameter: bool,
    /// The lifetime assumed, in seconds, when an answer has neither `expires_in` nor a JWT
    /// with `exp` (default [`DEFAULT_LIFETIME_SECS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_lifetime_secs: Option<u64>,
    /// A refresh revokes the previous access token at this server (GitHub's apps: "that
    /// refresh token and the old user access token will no longer work"), so tokens handed out
    /// are promised no further than the next refresh, as for JWT Auth Pro
    /// ([`crate::account::Account::revokes_on_refresh`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revokes_on_refresh: bool,
}

/// The lifetime assumed when the server does not say one (RFC 6749 §5.1 makes `expires_in`
/// only RECOMMENDED; GitHub's OAuth app tokens, for one, have none).
pub const DEFAULT_LIFETIME_SECS: u64 = 3600;

/// The longest client id, scope list, resource or audience, in bytes.
pub const FIELD_MAX_BYTES: usize = 2048;

impl OAuthSettings {
    /// Checks what was typed or discovered: a client id, printable fields, endpoints that are
    /// http(s) URLs without credentials, the endpoints the grant needs, a secret where the
    /// grant needs one.
    pub fn check(&self) -> Result<()> {
        let printable = |what: &str, text: &str| {
            if text.len() > FIELD_MAX_BYTES || text.chars().any(char::is_control) {
                Err(Error::InvalidInput(format!(
                    "{what}: at most {FIELD_MAX_BYTES} bytes of printable text"
                )))
            } else {
                Ok(())
            }
        };
        if self.client_id.trim().is_empty() {
            return Err(Error::InvalidInput(
                "an OAuth 2.0 account needs the client id the server registered".to_owned(),
            ));
        }
        printable("client id", &self.client_id)?;
        for scope in &self.scopes {
            printable("scope", scope)?;
            if scope.is_empty() || scope.contains([' ', '"', '\\']) {
                return Err(Error::InvalidInput(format!(
                    "scope {scope:?}: one word each (no spaces, quotes or backslashes)"
                )));
            }
        }
        for (what, value) in [("resource", &self.resource), ("audience", &self.audience)] {
            if let Some(value) = value {
                printable(what, value)?;
            }
        }
        for (what, url) in self.endpoints.all() {
            check_endpoint(what, url)?;
        }
        match self.grant {
            Grant::AuthorizationCode if self.endpoints.authorization.is_none() => {
                Err(Error::InvalidInput(
                    "the authorization-code grant needs the server's authorization endpoint"
                        .to_owned(),
                ))
            }
            Grant::DeviceCode if self.endpoints.device_authorization.is_none() => {
                Err(Error::InvalidInput(
                    "the device-code grant needs the server's device authorization endpoint (this server's discovery document names none)"
                        .to_owned(),
                ))
            }
            Grant::ClientCredentials if !self.client_auth.has_secret() => {
                Err(Error::InvalidInput(
                    "the client-credentials grant authenticates with a client secret: choose client_secret_basic or client_secret_post"
                        .to_owned(),
                ))
            }
            _ => Ok(()),
        }
    }

    /// The scopes as one parameter (RFC 6749 §3.3: space-separated).
    pub fn scope_parameter(&self) -> Option<String> {
        (!self.scopes.is_empty()).then(|| self.scopes.join(" "))
    }

    /// The scopes ask for a refresh token (`offline_access`, OpenID Connect Core §11).
    pub fn asks_offline_access(&self) -> bool {
        self.scopes.iter().any(|s| s == "offline_access")
    }

    /// The scopes make it an OpenID Connect login (`openid`).
    pub fn is_openid(&self) -> bool {
        self.scopes.iter().any(|s| s == "openid")
    }

    /// The client secret is stored apart from a password: it accompanies the requests of a
    /// grant a person signs in to (for client credentials it *is* the login, stored as the
    /// account's password).
    pub fn keeps_client_secret(&self) -> bool {
        self.grant.is_interactive() && self.client_auth.has_secret()
    }

    /// The lifetime assumed when an answer does not say one.
    pub fn assumed_lifetime_secs(&self) -> u64 {
        self.default_lifetime_secs.unwrap_or(DEFAULT_LIFETIME_SECS)
    }

    /// The parameters every token request carries besides the grant's own: the resource and
    /// audience (a server gives a token for another audience, or none, without them).
    pub fn audience_parameters(&self) -> Vec<(&'static str, &str)> {
        let mut params = Vec::new();
        params.extend(self.resource.as_deref().map(|r| ("resource", r)));
        params.extend(self.audience.as_deref().map(|a| ("audience", a)));
        params
    }
}

/// An endpoint: http or https, a host, no credentials or fragment (a query is allowed: some
/// servers version their endpoints with one).
pub fn check_endpoint(what: &str, url: &Url) -> Result<()> {
    let shown = crate::account::redact_url_text(url.as_str());
    let problem = if !matches!(url.scheme(), "http" | "https") {
        Some("the scheme must be http or https")
    } else if url.host().is_none() {
        Some("no host")
    } else if !url.username().is_empty() || url.password().is_some() {
        Some("no credentials in the URL")
    } else if url.fragment().is_some() {
        Some("no fragment")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::InvalidInput(format!(
            "the {what} endpoint {shown:?}: {problem}"
        ))),
        None => Ok(()),
    }
}
