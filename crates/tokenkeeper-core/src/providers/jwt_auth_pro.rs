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
use super::{
    Outcome, Provider, ProviderError, StoredTokens, from_jwt, lenient, non_empty, required,
    username,
};
use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;

/// The JWT Auth Pro adapter.
#[derive(Debug)]
pub struct JwtAuthPro;

#[derive(Deserialize)]
struct Success {
    #[serde(default, deserialize_with = "lenient::token")]
    token: Option<String>,
    #[serde(default, deserialize_with = "lenient::token")]
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct Failure {
    #[serde(default, deserialize_with = "lenient::text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    message: Option<String>,
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
            ApiError::answered(
                kind,
                reply.status,
                Some(code),
                message
                    .map(|m| strip_html(&m))
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "no message".to_owned()),
            )
            .with_retry_after(reply.retry_after_secs())
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

    fn parse(&self, reply: &Reply) -> Outcome {
        if !reply.is_success() {
            return Err(error_of(reply).into());
        }
        let body: Success = reply.json()?;
        // The new refresh token first: the old one may be spent already, so it must survive
        // whatever is wrong with the rest. A missing one keeps the stored one (plugin versions
        // without rotation).
        let refresh = body
            .refresh_token
            .filter(|t| !t.trim().is_empty())
            .map(Secret::new);
        let access = non_empty(reply.status, "token", body.token)
            .map_err(|e| ProviderError::rotated(e, refresh.clone()))?;
        from_jwt(reply, access, refresh)
    }

    async fn login(&self, http: &Http, account: &Account, password: &Secret) -> Outcome {
        let user = username(account)?;
        let body = json!({ "username": user, "password": password.expose() });
        let url = account.endpoint("/wp-json/jwt-auth/v1/token");
        self.parse(&http.post(account, url, Auth::None, Some(&body)).await?)
    }

    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let token = required(stored.refresh.as_ref(), "refresh token")?;
        let body = json!({ "refresh_token": token.expose() });
        let url = account.endpoint("/wp-json/jwt-auth/v1/token/refresh");
        self.parse(&http.post(account, url, Auth::None, Some(&body)).await?)
    }
}
