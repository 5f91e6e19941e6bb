//! Which API an emulator plays (`Api`) and how it is set up (`EmulatorConfig`, with each API's
//! documented defaults; `TlsIdentity` when it serves a given certificate).

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
    /// A JWT service with only `/api/v1/authenticate/refresh`.
    GenericJwt,
    /// WordPress JWT Auth Pro (`/wp-json/jwt-auth/v1/token[/refresh|/revoke]`).
    JwtAuthPro,
}

impl Api {
    /// All five, in the order the binary prints them.
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
            Api::RedisEnterprise | Api::Ece | Api::GenericJwt => 300,
        }
    }

    /// Documented refresh-token lifetime in seconds (a year where the API says nothing).
    pub(crate) fn default_refresh_ttl(self) -> u64 {
        match self {
            Api::Smartling => 3660,
            Api::JwtAuthPro => 30 * 86_400,
            Api::RedisEnterprise | Api::Ece | Api::GenericJwt => 365 * 86_400,
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
    /// Refresh-token lifetime in seconds; `None` = Smartling 3660, JWT Auth Pro 30 days.
    pub refresh_ttl: Option<u64>,
    /// Server clock = system clock + this offset (JWT iat/exp, Date header, session_expiration_time).
    pub clock_offset_secs: i64,
    /// Accounts as (username, password); default `[("admin@example.com", "s3cret")]`.
    pub users: Vec<(String, String)>,
    /// JWT Auth Pro rate limits (auth 5/min per IP, refresh 10/min per refresh token); default false.
    pub rate_limits: bool,
    /// ECE 3.x: `_login`/`_refresh` answer only `{"token"}`; default false.
    pub ece_legacy_3x: bool,
    /// The server clock runs this many times faster than real time (soak tests: an hour in a
    /// minute); default 1.
    pub clock_speed: f64,
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
