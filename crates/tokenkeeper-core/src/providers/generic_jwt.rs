//! The generic JWT service: `POST /api/v1/authenticate/refresh` with `{"refreshToken"}`,
//! answering `{"jwtToken"}`.
//!
//! The seed page documents only the refresh. The real service behind it (as far as public code
//! shows, the KirjaSwappi backend; docs/API-EVIDENCE.md) also logs in at
//! `POST /api/v1/authenticate` with `{"username", "password"}` → `{"jwtToken",
//! "refreshToken"}`, so an account may keep a password and outlive its refresh token. The
//! refresh token is not rotated (an answer without `refreshToken` keeps the stored one; one
//! with it replaces it) and is itself a JWT with its own `exp`, read here (moved into local time
//! by the `Date` header) so an expired one is known without asking. Errors come in three
//! shapes: the envelope `{"error": {"code", "message", "target", "details"}}` (an extra
//! `innererror` is tolerated), a bare `{"code", "message"}`, and Spring's default
//! `{"timestamp", "status", "error", "path"}` (which is what an expired or malformed refresh
//! token most likely gets, with a 500).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::http::{Auth, Http, JsonBody, Reply, kind_for_status};
use super::{
    Outcome, Provider, StoredTokens, access_token, from_jwt, jwt_refresh_expiry, lenient, required,
    username,
};
use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;

/// The generic JWT service adapter.
#[derive(Debug)]
pub struct GenericJwt;

const LOGIN: &str = "/api/v1/authenticate";
const REFRESH: &str = "/api/v1/authenticate/refresh";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Success {
    #[serde(default, deserialize_with = "lenient::token")]
    jwt_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::token")]
    refresh_token: Option<String>,
}

/// Any of the three error shapes: the envelope (`error`), a bare `{code, message}`, or
/// Spring's default (`error` is then a string, the status's reason phrase).
#[derive(Deserialize)]
struct Failure {
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "lenient::text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    message: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    path: Option<String>,
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
    let Ok(failure) = reply.json::<Failure>() else {
        return reply.unrecognised_error();
    };
    match failure.error {
        Some(envelope @ serde_json::Value::Object(_)) => {
            match serde_json::from_value::<ErrorBody>(envelope) {
                Ok(body) => envelope_error(reply, body),
                Err(_) => reply.unrecognised_error(),
            }
        }
        // Spring's default body: `error` is the reason phrase, `path` the route.
        Some(serde_json::Value::String(reason)) if failure.path.is_some() => ApiError::answered(
            kind_for_status(reply.status),
            reply.status,
            None,
            format!(
                "{reason} (the server's default error page{})",
                failure
                    .message
                    .filter(|m| !m.trim().is_empty())
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
        )
        .with_retry_after(reply.retry_after_secs()),
        // The bare shape of the service's 401s.
        None if failure.code.is_some() => ApiError::answered(
            kind_for_status(reply.status),
            reply.status,
            failure.code,
            failure.message.unwrap_or_else(|| "no message".to_owned()),
        )
        .with_retry_after(reply.retry_after_secs()),
        _ => reply.unrecognised_error(),
    }
}

fn envelope_error(reply: &Reply, body: ErrorBody) -> ApiError {
    let mut message = body.message.unwrap_or_else(|| "no message".to_owned());
    let details: Vec<String> = body
        .details
        .iter()
        .filter_map(|d| d.message.clone())
        .collect();
    if !details.is_empty() {
        message = format!("{message} ({})", details.join("; "));
    }
    // `target` names a field in the Microsoft guidelines the seed page follows; the real
    // service puts the request's path there, which is not a field.
    let fields = body
        .target
        .into_iter()
        .chain(body.details.into_iter().filter_map(|d| d.target))
        .filter(|t| !t.starts_with('/'))
        .collect();
    // The real service answers a refresh for a user deleted since with 404 `userNotFound`:
    // only new credentials help, as for a refused token.
    let kind = match body.code.as_deref() {
        Some("userNotFound") => ErrorKind::Auth,
        _ => kind_for_status(reply.status),
    };
    ApiError::answered(kind, reply.status, body.code, message)
        .with_fields(fields)
        .with_retry_after(reply.retry_after_secs())
}

/// A refused refresh whose refresh token has passed its own `exp` (by the server's clock, from
/// the answer's `Date`): the service has no error of its own for that (a 500 is most likely),
/// so it is said here, as a refused token: a login follows where a password is stored, else
/// the user is asked for a new one, instead of retrying a 500 forever.
fn expired_refresh(reply: &Reply, refresh: &Secret, error: ApiError) -> ApiError {
    match jwt_refresh_expiry(reply, refresh) {
        Some(at) if at <= reply.sent_at => ApiError::answered(
            ErrorKind::Auth,
            reply.status,
            Some("refresh_token_expired".to_owned()),
            format!(
                "the refresh token expired at {} (its own exp claim); the server answered: {}",
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                error.message
            ),
        ),
        _ => error,
    }
}

#[async_trait]
impl Provider for GenericJwt {
    fn kind(&self) -> ProviderKind {
        ProviderKind::GenericJwt
    }

    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool {
        stored.usable_refresh(now).is_some()
    }

    fn parse(&self, reply: &Reply) -> Outcome {
        if !reply.is_success() {
            return Err(error_of(reply).into());
        }
        let success: Success = reply.json()?;
        let refresh = success
            .refresh_token
            .filter(|t| !t.trim().is_empty())
            .map(Secret::new);
        let access = access_token(reply.status, "jwtToken", success.jwt_token)
            .map_err(|e| super::ProviderError::rotated(e, refresh.clone()))?;
        from_jwt(reply, access, refresh)
    }

    async fn login(&self, http: &Http, account: &Account, password: &Secret) -> Outcome {
        let user = username(account)?;
        let body = JsonBody::fields(&[("username", user), ("password", password.expose())]);
        let url = account.endpoint(LOGIN);
        self.parse(&http.post(account, url, Auth::None, Some(&body)).await?)
    }

    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let token = required(stored.refresh.as_ref(), "refresh token")?;
        let body = JsonBody::fields(&[("refreshToken", token.expose())]);
        let url = account.endpoint(REFRESH);
        let reply = http.post(account, url, Auth::None, Some(&body)).await?;
        if !reply.is_success() {
            return Err(expired_refresh(&reply, token, error_of(&reply)).into());
        }
        let mut set = self.parse(&reply)?;
        if set.refresh.is_none() {
            // Not rotated: the stored refresh token stays, and its own expiry is known now.
            set.refresh_expires_at = jwt_refresh_expiry(&reply, token);
        }
        Ok(set)
    }
}
