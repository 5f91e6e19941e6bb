//! WordPress JWT Auth Pro: `POST /wp-json/jwt-auth/v1/token` with `{"username", "password"}`
//! and `POST /wp-json/jwt-auth/v1/token/refresh` with `{"refresh_token"}`.
//!
//! Both answer a TokenResponse `{token, user_id, user_email, ..., refresh_token}`; every refresh
//! rotates the refresh token (token families: reusing an old one can revoke them all). Expiry
//! comes from the JWT. Errors are WordPress REST errors `{"code", "message", "data": {"status"}}`
//! whose messages may hold HTML, which is stripped.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::http::{Auth, Http, Reply, kind_for_status, strip_html};
use super::{Provider, StoredTokens, from_jwt, non_empty, required, username};
use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;
use crate::token::TokenSet;

/// The JWT Auth Pro adapter.
#[derive(Debug)]
pub struct JwtAuthPro;

#[derive(Deserialize)]
struct Success {
    token: Option<String>,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct Failure {
    code: Option<String>,
    message: Option<String>,
}

fn parse(reply: &Reply) -> Result<TokenSet, ApiError> {
    if !reply.is_success() {
        return Err(error_of(reply));
    }
    let body: Success = reply.json()?;
    let access = non_empty(reply.status, "token", body.token)?;
    // A missing refresh_token keeps the stored one (plugin versions without rotation).
    let refresh = body
        .refresh_token
        .filter(|t| !t.trim().is_empty())
        .map(Secret::new);
    from_jwt(reply, access, refresh)
}

fn error_of(reply: &Reply) -> ApiError {
    match reply.json::<Failure>() {
        Ok(Failure {
            code: Some(code),
            message,
        }) => {
            let kind = if code == "jwt_auth_rate_limited" {
                ErrorKind::Transient
            } else {
                kind_for_status(reply.status)
            };
            ApiError {
                kind,
                status: Some(reply.status),
                code: Some(code),
                message: message
                    .map(|m| strip_html(&m))
                    .unwrap_or_else(|| "no message".to_owned()),
                fields: Vec::new(),
                retry_after_secs: reply.retry_after_secs(),
            }
        }
        _ => reply.unrecognised_error(),
    }
}

#[async_trait]
impl Provider for JwtAuthPro {
    fn kind(&self) -> ProviderKind {
        ProviderKind::JwtAuthPro
    }

    fn has_login(&self) -> bool {
        true
    }

    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool {
        stored.usable_refresh(now).is_some()
    }

    async fn login(
        &self,
        http: &Http,
        account: &Account,
        password: &Secret,
    ) -> Result<TokenSet, ApiError> {
        let user = username(account)?;
        let body = json!({ "username": user, "password": password.expose() });
        let url = account.endpoint("/wp-json/jwt-auth/v1/token");
        parse(&http.post(account, url, Auth::None, Some(&body)).await?)
    }

    async fn refresh(
        &self,
        http: &Http,
        account: &Account,
        stored: &StoredTokens,
    ) -> Result<TokenSet, ApiError> {
        let token = required(stored.refresh.as_ref(), "refresh token")?;
        let body = json!({ "refresh_token": token.expose() });
        let url = account.endpoint("/wp-json/jwt-auth/v1/token/refresh");
        parse(&http.post(account, url, Auth::None, Some(&body)).await?)
    }
}
