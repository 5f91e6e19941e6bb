//! The generic JWT service: `POST /api/v1/authenticate/refresh` with `{"refreshToken"}`,
//! answering `{"jwtToken"}`.
//!
//! No login endpoint is documented, so the account is set up with a refresh token, which the
//! service does not rotate. Expiry comes from the JWT. Errors follow the Microsoft REST API
//! Guidelines: `{"error": {"code", "message", "target", "details": [...]}}` (an extra
//! `innererror` is tolerated).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::http::{Auth, Http, Reply, kind_for_status};
use super::{Outcome, Provider, StoredTokens, from_jwt, lenient, non_empty, required};
use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;

/// The generic JWT service adapter.
#[derive(Debug)]
pub struct GenericJwt;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Success {
    #[serde(default, deserialize_with = "lenient::token")]
    jwt_token: Option<String>,
}

#[derive(Deserialize)]
struct Failure {
    #[serde(default, deserialize_with = "lenient::object")]
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, deserialize_with = "lenient::text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    message: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    target: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    details: Vec<Detail>,
}

#[derive(Deserialize)]
struct Detail {
    #[serde(default, deserialize_with = "lenient::text")]
    message: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    target: Option<String>,
}

fn error_of(reply: &Reply) -> ApiError {
    let Some(body) = reply.json::<Failure>().ok().and_then(|f| f.error) else {
        return reply.unrecognised_error();
    };
    let mut message = body.message.unwrap_or_else(|| "no message".to_owned());
    let details: Vec<String> = body
        .details
        .iter()
        .filter_map(|d| d.message.clone())
        .collect();
    if !details.is_empty() {
        message = format!("{message} ({})", details.join("; "));
    }
    let fields = body
        .target
        .into_iter()
        .chain(body.details.into_iter().filter_map(|d| d.target))
        .collect();
    ApiError::answered(
        kind_for_status(reply.status),
        reply.status,
        body.code,
        message,
    )
    .with_fields(fields)
    .with_retry_after(reply.retry_after_secs())
}

#[async_trait]
impl Provider for GenericJwt {
    fn kind(&self) -> ProviderKind {
        ProviderKind::GenericJwt
    }

    fn has_login(&self) -> bool {
        false
    }

    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool {
        stored.usable_refresh(now).is_some()
    }

    fn parse(&self, reply: &Reply) -> Outcome {
        if !reply.is_success() {
            return Err(error_of(reply).into());
        }
        let success: Success = reply.json()?;
        let access = non_empty(reply.status, "jwtToken", success.jwt_token)?;
        from_jwt(reply, access, None)
    }

    async fn login(&self, _http: &Http, _account: &Account, _password: &Secret) -> Outcome {
        Err(ApiError::local(
            ErrorKind::Config,
            "no_login",
            "this API documents no login; add the account with --refresh-token-stdin",
        )
        .into())
    }

    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let token = required(stored.refresh.as_ref(), "refresh token")?;
        let body = json!({ "refreshToken": token.expose() });
        let url = account.endpoint("/api/v1/authenticate/refresh");
        self.parse(&http.post(account, url, Auth::None, Some(&body)).await?)
    }
}
