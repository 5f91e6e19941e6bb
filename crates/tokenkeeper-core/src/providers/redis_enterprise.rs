//! Redis Enterprise Software: `POST /v1/users/authorize` (Basic) and
//! `POST /v1/users/refresh_jwt` with `Authorization: JWT <token>`.
//!
//! There is no refresh token: the current JWT must still be valid to refresh it, so a token that
//! expired (e.g. during sleep) can only be replaced by a new login. Expiry comes from the JWT.
//! Errors are `{"error_code", "message"}`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::http::{Auth, Http, Reply, kind_for_status};
use super::{Provider, StoredTokens, USABLE_MARGIN, from_jwt, non_empty, required, username};
use crate::account::{Account, ProviderKind};
use crate::error::ApiError;
use crate::secret::Secret;
use crate::token::TokenSet;

/// The Redis Enterprise Software adapter.
#[derive(Debug)]
pub struct RedisEnterprise;

#[derive(Deserialize)]
struct Success {
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct Failure {
    error_code: Option<String>,
    message: Option<String>,
    description: Option<String>,
}

fn ttl_body(account: &Account) -> Option<Value> {
    account.ttl.map(|ttl| json!({ "ttl": ttl }))
}

fn parse(reply: &Reply) -> Result<TokenSet, ApiError> {
    if !reply.is_success() {
        return Err(error_of(reply));
    }
    let body: Success = reply.json()?;
    let access = non_empty(reply.status, "access_token", body.access_token)?;
    from_jwt(reply, access, None)
}

fn error_of(reply: &Reply) -> ApiError {
    match reply.json::<Failure>() {
        Ok(f) if f.error_code.is_some() || f.message.is_some() || f.description.is_some() => {
            ApiError {
                kind: kind_for_status(reply.status),
                status: Some(reply.status),
                code: f.error_code,
                message: f
                    .message
                    .or(f.description)
                    .unwrap_or_else(|| "no message".to_owned()),
                fields: Vec::new(),
                retry_after_secs: reply.retry_after_secs(),
            }
        }
        _ => reply.unrecognised_error(),
    }
}

#[async_trait]
impl Provider for RedisEnterprise {
    fn kind(&self) -> ProviderKind {
        ProviderKind::RedisEnterprise
    }

    fn has_login(&self) -> bool {
        true
    }

    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool {
        stored.access_valid_for(now, USABLE_MARGIN).is_some()
    }

    async fn login(
        &self,
        http: &Http,
        account: &Account,
        password: &Secret,
    ) -> Result<TokenSet, ApiError> {
        let user = username(account)?;
        let url = account.endpoint("/v1/users/authorize");
        let body = ttl_body(account);
        let reply = http
            .post(
                account,
                url,
                Auth::Basic(user, password.expose()),
                body.as_ref(),
            )
            .await?;
        parse(&reply)
    }

    async fn refresh(
        &self,
        http: &Http,
        account: &Account,
        stored: &StoredTokens,
    ) -> Result<TokenSet, ApiError> {
        let token = required(stored.access.as_ref(), "access token")?;
        let url = account.endpoint("/v1/users/refresh_jwt");
        let body = ttl_body(account);
        let reply = http
            .post(
                account,
                url,
                Auth::Scheme("JWT", token.expose()),
                body.as_ref(),
            )
            .await?;
        parse(&reply)
    }
}
