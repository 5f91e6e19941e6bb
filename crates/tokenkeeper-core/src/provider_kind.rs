//! Which API an account talks to (the five vendors' and any OAuth 2.0 server): its id in the config, the CLI and the UI. What
//! each API can do is the capabilities table's ([`crate::capabilities`]), which also names it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The supported APIs: five vendors' and the standard protocol.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// Redis Enterprise Software REST API.
    RedisEnterprise,
    /// Elastic Cloud Enterprise API.
    Ece,
    /// Smartling Authentication API v2.
    Smartling,
    /// A JWT service with `/api/v1/authenticate/refresh`.
    GenericJwt,
    /// WordPress JWT Auth Pro plugin.
    JwtAuthPro,
    /// Any OAuth 2.0 / OpenID Connect server.
    #[serde(rename = "oauth2")]
    OAuth2,
}

impl ProviderKind {
    /// All providers, in display order.
    pub const ALL: [Self; 6] = [
        Self::RedisEnterprise,
        Self::Ece,
        Self::Smartling,
        Self::GenericJwt,
        Self::JwtAuthPro,
        Self::OAuth2,
    ];

    /// The id used in config, CLI and UI.
    pub fn id(self) -> &'static str {
        match self {
            Self::RedisEnterprise => "redis-enterprise",
            Self::Ece => "ece",
            Self::Smartling => "smartling",
            Self::GenericJwt => "generic-jwt",
            Self::JwtAuthPro => "jwt-auth-pro",
            Self::OAuth2 => "oauth2",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A provider id that names none of them (an [`crate::Error::InvalidInput`] where it
/// meets the rest of the program).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider {given:?}; expected one of: {}", ProviderKind::ALL.map(ProviderKind::id).join(", "))]
pub struct UnknownProvider {
    /// What was given.
    pub given: String,
}

impl FromStr for ProviderKind {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, UnknownProvider> {
        Self::ALL
            .into_iter()
            .find(|p| p.id() == s)
            .ok_or_else(|| UnknownProvider {
                given: s.to_owned(),
            })
    }
}
