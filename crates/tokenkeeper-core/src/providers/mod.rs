//! One module per API behind one trait, [`Provider`], plus the shared HTTP client.
//!
//! A provider turns each answer into a [`TokenSet`] or an [`ApiError`] that keeps the
//! API's status, code, message and fields and carries an [`ErrorKind`](crate::ErrorKind).
//! Every access token is read through one function, `access_token`, which refuses one with
//! characters a bearer token cannot have.
//! Providers hold no state: what is stored for an account comes in as [`StoredTokens`].

pub mod http;
mod lenient;
pub mod tls;
mod transport;
pub mod wire;

mod ece;
mod generic_jwt;
mod jwt_auth_pro;
pub mod oauth2;
mod redis_enterprise;
mod smartling;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;
use crate::token::TokenSet;

pub use http::Http;

/// A token is not used for a refresh when it has less than this left (a login is used instead,
/// where there is one). Small, because short-lived tokens are refreshed close to expiry.
pub const USABLE_MARGIN: TimeDelta = TimeDelta::seconds(2);

/// What the keychain holds for an account, with the expiry times from the state file.
#[derive(Clone, Debug, Default)]
pub struct StoredTokens {
    /// Current access token.
    pub access: Option<Secret>,
    /// Its expiry (local clock).
    pub expires_at: Option<DateTime<Utc>>,
    /// Current refresh token.
    pub refresh: Option<Secret>,
    /// Its expiry, when the API tells.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// Password or user secret for a new login (OAuth 2.0 client credentials: the client
    /// secret).
    pub password: Option<Secret>,
    /// An OAuth 2.0 client's secret that accompanies each request of a grant a person signed
    /// in to (read only for such accounts).
    pub client_secret: Option<Secret>,
}

impl StoredTokens {
    /// The access token if it stays valid for at least `min_valid` from `now`.
    pub fn access_valid_for(&self, now: DateTime<Utc>, min_valid: TimeDelta) -> Option<&Secret> {
        match (&self.access, self.expires_at) {
            (Some(token), Some(expires)) if expires - now >= min_valid => Some(token),
            _ => None,
        }
    }

    /// Every stored secret's text: what may have been sent, and must not come back in a message.
    pub fn exposed(&self) -> Vec<&str> {
        [
            &self.access,
            &self.refresh,
            &self.password,
            &self.client_secret,
        ]
        .into_iter()
        .flatten()
        .map(Secret::expose)
        .collect()
    }

    /// The refresh token unless it is known to have expired.
    pub fn usable_refresh(&self, now: DateTime<Utc>) -> Option<&Secret> {
        let alive = self
            .refresh_expires_at
            .is_none_or(|at| at - now > USABLE_MARGIN);
        self.refresh.as_ref().filter(|_| alive)
    }
}

/// A failed login or refresh.
///
/// When a success answer carried a new refresh token but was otherwise unusable (a broken
/// access token, a missing field), the server may already have retired the old refresh token:
/// the new one travels here so the caller stores it before reporting the error.
#[derive(Debug)]
pub struct ProviderError {
    /// What went wrong, in the API's words (boxed: a `Result` stays small).
    pub error: Box<ApiError>,
    /// A refresh token the answer carried, to be stored in any case.
    pub rotated_refresh: Option<Secret>,
    /// The server accepted a rotating refresh (it answered with a success status and a JSON
    /// object, so it was the API and not a proxy's page) but the answer could not be used: it has most likely retired the old refresh token *and* the
    /// old access token (JWT Auth Pro revokes both), so neither may be handed out as fresh.
    pub spent: bool,
}

impl From<ApiError> for ProviderError {
    fn from(error: ApiError) -> Self {
        Self {
            error: Box::new(error),
            rotated_refresh: None,
            spent: false,
        }
    }
}

impl ProviderError {
    /// An unusable answer that still carried a new refresh token.
    fn rotated(error: ApiError, refresh: Option<Secret>) -> Self {
        Self {
            error: Box::new(error),
            rotated_refresh: refresh,
            spent: false,
        }
    }

    /// Marks the failure of a rotating refresh whose answer had a success status: the server
    /// has most likely retired the pair that was sent (see [`ProviderError::spent`]).
    fn spent_if(mut self, success_status: bool) -> Self {
        self.spent = success_status;
        self
    }
}

/// What a login or refresh comes to.
pub type Outcome = Result<TokenSet, ProviderError>;

/// One API's way to log in and refresh.
#[async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// Which API.
    fn kind(&self) -> ProviderKind;
    /// True when [`Provider::refresh`] can work with what is stored now.
    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool;
    /// Reads an answer of the login or refresh endpoint (both answer alike in every API).
    /// Pure: the fuzz targets feed it whatever they like.
    fn parse(&self, reply: &http::Reply) -> Outcome;
    /// Logs in with stored credentials.
    async fn login(&self, http: &Http, account: &Account, password: &Secret) -> Outcome;
    /// Refreshes with what is stored.
    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome;
    /// A refused refresh (an `auth` error) means the server ended the whole grant, its access
    /// tokens with it (OAuth 2.0's `invalid_grant`: revoked, reused, expired), so the stored
    /// tokens are dropped rather than handed out or sent again.
    fn refusal_ends_grant(&self) -> bool {
        false
    }
}

/// The provider for an API.
pub fn provider_for(kind: ProviderKind) -> &'static dyn Provider {
    match kind {
        ProviderKind::RedisEnterprise => &redis_enterprise::RedisEnterprise,
        ProviderKind::Ece => &ece::Ece,
        ProviderKind::Smartling => &smartling::Smartling,
        ProviderKind::GenericJwt => &generic_jwt::GenericJwt,
        ProviderKind::JwtAuthPro => &jwt_auth_pro::JwtAuthPro,
        ProviderKind::OAuth2 => &oauth2::OAuth2,
    }
}

/// The account's user name, required for a login.
fn username(account: &Account) -> Result<&str, ApiError> {
    account.username.as_deref().ok_or_else(|| {
        ApiError::local(
            ErrorKind::Config,
            "no_username",
            format!(
                "{} needs a user name to log in (add the account with --username)",
                account.provider.label()
            ),
        )
    })
}

/// The stored token a refresh needs, or a config error naming it.
fn required<'a>(secret: Option<&'a Secret>, what: &str) -> Result<&'a Secret, ApiError> {
    secret.ok_or_else(|| {
        ApiError::local(
            ErrorKind::Auth,
            "no_token",
            format!("no usable {what} is stored"),
        )
    })
}

/// A token set whose expiry comes from the access token's JWT claims (`exp − iat` counted
/// from when the request was sent). A refresh token the answer carried survives any error.
fn from_jwt(reply: &http::Reply, access: Secret, refresh: Option<Secret>) -> Outcome {
    let expires_at = match crate::token::jwt_expiry(
        access.expose(),
        reply.sent_at,
        reply.server_date,
        reply.status,
    ) {
        Ok(at) => at,
        Err(e) => return Err(ProviderError::rotated(e, refresh)),
    };
    Ok(token_set(reply, access, refresh, expires_at))
}

/// A token set from one answer: obtained when its request was sent; the refresh token's own
/// expiry read when it is a JWT.
fn token_set(
    reply: &http::Reply,
    access: Secret,
    refresh: Option<Secret>,
    expires_at: DateTime<Utc>,
) -> TokenSet {
    TokenSet {
        refresh_expires_at: refresh.as_ref().and_then(|r| jwt_refresh_expiry(reply, r)),
        access,
        refresh,
        expires_at,
        obtained_at: reply.sent_at,
        plain_permalinks: None,
        id_claims: None,
    }
}

/// When a refresh token that is a JWT expires, in this machine's clock: its `exp` claim moved
/// by the server's `Date` header (a refresh token may have been issued long before this
/// answer, so `exp − iat` would overshoot). `None` for opaque refresh tokens.
fn jwt_refresh_expiry(reply: &http::Reply, refresh: &Secret) -> Option<DateTime<Utc>> {
    crate::token::jwt_absolute_expiry(refresh.expose(), reply.server_date, reply.sent_at)
}

/// A success body without the token field.
fn missing_field(status: u16, field: &str) -> ApiError {
    ApiError::protocol(status, format!("the answer has no {field:?} field"))
}

/// The access token of a success answer, the one way every provider reads it: present, and
/// made only of the characters RFC 6750 allows a bearer token (`b64token`), since it goes into
/// `Authorization` headers, `tokenkeeper header`'s output, `exec`'s environment and the
/// clipboard, where a line break, a space or a quote would smuggle in a line or a word of the
/// server's choosing. Refused as a bad answer that never quotes the token; a caller that
/// read a rotated refresh token from the same answer keeps it (`ProviderError::rotated`).
fn access_token(status: u16, field: &str, value: Option<String>) -> Result<Secret, ApiError> {
    let token = match value {
        Some(v) if !v.trim().is_empty() => Secret::new(v),
        _ => return Err(missing_field(status, field)),
    };
    if crate::token::is_bearer_token(token.expose()) {
        Ok(token)
    } else {
        Err(ApiError::protocol(
            status,
            format!(
                "the {field:?} in the answer has characters a bearer token cannot have (RFC 6750 \
                 allows letters, digits and -._~+/ with = at the end): refused, so it never \
                 reaches a header, a command's environment or the clipboard"
            ),
        ))
    }
}
