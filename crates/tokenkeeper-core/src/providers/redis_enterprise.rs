//! Redis Enterprise Software: `POST /v1/users/authorize` (Basic) and
//! `POST /v1/users/refresh_jwt` with `Authorization: JWT <token>`.
//!
//! There is no refresh token: the current JWT must still be valid to refresh it, so a token that
//! expired (e.g. during sleep) can only be replaced by a new login. Expiry comes from the JWT.
//! Errors are `{"error_code", "message"}`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::http::{Auth, Http, JsonBody, Reply, kind_for_status};
use super::{
    Outcome, Provider, StoredTokens, USABLE_MARGIN, access_token, from_jwt, lenient, required,
    username,
};
use crate::account::{Account, ProviderKind};
use crate::error::ApiError;
use crate::secret::Secret;

/// The Redis Enterprise Software adapter.
#[derive(Debug)]
pub struct RedisEnterprise;

/// `access_token` as the REST reference documents it; `jwt` as redis-developer/redis-enterprise-rs
/// models the same answer (docs/API-EVIDENCE.md): both are read.
#[derive(Deserialize)]
struct Success {
    #[serde(default, deserialize_with = "lenient::token")]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::token")]
    jwt: Option<String>,
}

#[derive(Deserialize)]
struct Failure {
    #[serde(default, deserialize_with = "lenient::text")]
    error_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    message: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    description: Option<String>,
}

fn ttl_body(account: &Account) -> Option<JsonBody> {
    account
        .ttl
        .map(|ttl| JsonBody::value(&json!({ "ttl": ttl })))
}

fn error_of(reply: &Reply) -> ApiError {
    match reply.json::<Failure>() {
        Ok(f) if f.error_code.is_some() || f.message.is_some() || f.description.is_some() => {
            ApiError::answered(
                kind_for_status(reply.status),
                reply.status,
                f.error_code,
                f.message
                    .or(f.description)
                    .unwrap_or_else(|| "no message".to_owned()),
            )
            .with_retry_after(reply.retry_after_secs())
        }
        _ => reply.unrecognised_error(),
    }
}

#[async_trait]
impl Provider for RedisEnterprise {
    fn kind(&self) -> ProviderKind {
        ProviderKind::RedisEnterprise
    }

    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool {
        stored.access_valid_for(now, USABLE_MARGIN).is_some()
    }

    fn parse(&self, reply: &Reply) -> Outcome {
        if !reply.is_success() {
            return Err(error_of(reply).into());
        }
        let body: Success = reply.json()?;
        let access = access_token(reply.status, "access_token", body.access_token.or(body.jwt))?;
        from_jwt(reply, access, None)
    }

    async fn login(&self, http: &Http, account: &Account, password: &Secret) -> Outcome {
        let user = username(account)?;
        let url = account.endpoint("/v1/users/authorize");
        let body = ttl_body(account);
        let reply = http
            .post(
                account,
                url,
                Auth::Basic(user, password.expose()),
                body.as_ref().map(|b| b as &dyn super::wire::Payload),
            )
            .await?;
        self.parse(&reply)
    }

    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let token = required(stored.access.as_ref(), "access token")?;
        let url = account.endpoint("/v1/users/refresh_jwt");
        let body = ttl_body(account);
        let reply = http
            .post(
                account,
                url,
                Auth::Scheme(
                    crate::capabilities::of(ProviderKind::RedisEnterprise).auth_scheme,
                    token.expose(),
                ),
                body.as_ref().map(|b| b as &dyn super::wire::Payload),
            )
            .await?;
        self.parse(&reply)
    }
}
