//! Which API an emulator plays (`Api`) and how it is set up (`EmulatorConfig`: by default as the
//! real server behaves, `documented` for the vendor documentation's variant; `TlsIdentity` when
//! it serves a given certificate).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

/// One of the five token APIs TokenKeeper talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Api {
    /// Redis Enterprise Software REST API (`/v1/users/authorize`, `/v1/users/refresh_jwt`).
    RedisEnterprise,
    /// Elastic Cloud Enterprise (`/api/v1/users/auth/_login`, `/api/v1/users/auth/_refresh`).
    Ece,
    /// Smartling Authentication API v2 (`/auth-api/v2/authenticate[/refresh]`).
    Smartling,
    /// A JWT service (`/api/v1/authenticate[/refresh]`; documented: only the refresh).
    GenericJwt,
    /// WordPress JWT Auth Pro (`/wp-json/jwt-auth/v1/token[/refresh|/revoke|/validate]`).
    JwtAuthPro,
    /// An OAuth 2.0 server's token endpoint (`/token`, `/.well-known/openid-configuration`):
    /// for faults the certified server in `tests/oidc/` cannot be made to show. Not one of
    /// [`Api::ALL`], the five vendors' APIs.
    OAuth2,
}

impl Api {
    /// The five vendors' APIs, in the order the binary prints them.
    pub const ALL: [Api; 5] = [
        Api::RedisEnterprise,
        Api::Ece,
        Api::Smartling,
        Api::GenericJwt,
        Api::JwtAuthPro,
    ];

    /// The provider id used everywhere in TokenKeeper.
    pub fn id(self) -> &'static str {
        match self {
            Api::RedisEnterprise => "redis-enterprise",
            Api::Ece => "ece",
            Api::Smartling => "smartling",
            Api::GenericJwt => "generic-jwt",
            Api::JwtAuthPro => "jwt-auth-pro",
            Api::OAuth2 => "oauth2",
        }
    }

    /// The inverse of [`Api::id`].
    pub fn from_id(id: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|api| api.id() == id)
    }

    /// Documented access-token lifetime in seconds.
    pub(crate) fn default_token_ttl(self) -> u64 {
        match self {
            Api::Smartling => 480,
            Api::JwtAuthPro => 7 * 86_400,
            Api::RedisEnterprise | Api::Ece | Api::GenericJwt | Api::OAuth2 => 300,
        }
    }

    /// Refresh-token lifetime in seconds: the real server's (generic JWT: 7 days, the Spring
    /// backend's default), else the documented one (a year where the API says nothing).
    pub(crate) fn default_refresh_ttl(self, documented: bool) -> u64 {
        match self {
            Api::Smartling => 3660,
            Api::JwtAuthPro => 30 * 86_400,
            Api::GenericJwt if !documented => 7 * 86_400,
            Api::RedisEnterprise | Api::Ece | Api::GenericJwt => 365 * 86_400,
            Api::OAuth2 => 3600,
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How one emulator is started. Build it with [`EmulatorConfig::for_api`] and change fields.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Address to listen on; default `127.0.0.1:0` (a free port).
    pub bind: SocketAddr,
    /// Serve HTTPS; default true for Redis Enterprise only. The certificate is `tls_identity`, or
    /// when that is `None` a self-signed one made at start (SANs 127.0.0.1 and localhost).
    pub tls: bool,
    /// The certificate chain and key to serve when `tls` (see [`crate::testcerts`]); default `None`.
    pub tls_identity: Option<TlsIdentity>,
    /// Access-token lifetime in seconds; `None` = the API's documented default.
    pub token_ttl: Option<u64>,
    /// Refresh-token lifetime in seconds; `None` = Smartling 3660, JWT Auth Pro 30 days, generic
    /// JWT 7 days (documented variant: a year).
    pub refresh_ttl: Option<u64>,
    /// Server clock = system clock + this offset (JWT iat/exp, Date header, session_expiration_time).
    pub clock_offset_secs: i64,
    /// Accounts as (username, password); default `[("admin@example.com", "s3cret")]`.
    pub users: Vec<(String, String)>,
    /// JWT Auth Pro rate limits; default false. Real: 60 requests a minute per IP over token,
    /// refresh, validate, revoke and protected routes. Documented variant: authentication 5 a
    /// minute per IP, refresh 10 a minute per refresh token.
    pub rate_limits: bool,
    /// ECE 3.x: `_login`/`_refresh` answer only `{"token"}`; default false.
    pub ece_legacy_3x: bool,
    /// The server clock runs this many times faster than real time (soak tests: an hour in a
    /// minute); default 1.
    pub clock_speed: f64,
    /// Answer as the vendor's documentation says instead of as the real server does (JWT Auth
    /// Pro, generic JWT; see `docs/EMULATORS-SPEC.md`); default false (the real server).
    pub documented: bool,
    /// JWT Auth Pro without a licence: every `jwt-auth/v1` route answers 401 `rest_forbidden`;
    /// default false.
    pub unlicensed: bool,
    /// JWT Auth Pro on a site with plain permalinks: `/wp-json/...` is a web server's HTML 404,
    /// only `/?rest_route=/...` reaches the API; default false (both forms answer).
    pub plain_permalinks: bool,
    /// ECE behind SSO: a successful `_login` answers 302 with the token in the `Location`
    /// fragment and no body (as when the request asks for `login_state.path`); default false.
    pub ece_sso: bool,
    /// Smartling SSO session length in seconds, started by each authenticate: refreshed tokens
    /// never outlive it, and once it is over a refresh is refused; `None` = no cap. Default
    /// `Some(86400)`.
    pub smartling_session_secs: Option<u64>,
    /// Characters of filler (a `pad` claim) in every access and refresh JWT the emulator signs
    /// (not JWT Auth Pro's own format): tokens as long as those of a user in many groups
    /// (4 KB and more); default 0.
    pub token_padding: usize,
}

impl EmulatorConfig {
    /// The defaults for `api`.
    pub fn for_api(api: Api) -> Self {
        EmulatorConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            tls: api == Api::RedisEnterprise,
            tls_identity: None,
            token_ttl: None,
            refresh_ttl: None,
            clock_offset_secs: 0,
            users: vec![("admin@example.com".to_owned(), "s3cret".to_owned())],
            rate_limits: false,
            ece_legacy_3x: false,
            clock_speed: 1.0,
            documented: false,
            unlicensed: false,
            plain_permalinks: false,
            ece_sso: false,
            smartling_session_secs: Some(86_400),
            token_padding: 0,
        }
    }
}

/// A certificate chain and its private key, both PEM, for an emulator to serve.
///
/// `cert_pem` holds the leaf first, then any intermediates. `key_pem` may be PKCS#8
/// (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`) or SEC1 (`BEGIN EC PRIVATE KEY`).
/// `Debug` never prints the key.
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_pem: String,
    pub key_pem: String,
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"***")
            .finish()
    }
}
