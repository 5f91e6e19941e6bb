//! Elastic Cloud Enterprise: `POST /api/v1/users/auth/_login` and
//! `POST /api/v1/users/auth/_refresh` with `Authorization: Bearer <token>`.
//!
//! The refresh sends no body, as the official Go SDK (elastic/cloud-sdk-go, behind ecctl and
//! terraform-provider-ec) does. Success is `{"token", "session_expiration_time"}`; older
//! versions answer only `{"token"}`, and then the JWT's `exp` counts. A login may be answered
//! with a 302 (single sign-on), and any call with 449 (elevated permissions needed): both are
//! config errors that say so. The absolute expiry is corrected with the server's `Date` header. Errors are
//! `{"errors": [{"code", "message", "fields"}]}` plus the `x-cloud-error-codes` header. When
//! `_login` is missing (404/405), login falls back to `_refresh` with Basic credentials, as the
//! seed page's curl example does.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::http::{Auth, Http, JsonBody, Reply, kind_for_status};
use super::{
    Outcome, Provider, StoredTokens, USABLE_MARGIN, access_token, lenient, required, username,
};
use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;
use crate::token::{TokenSet, correct_absolute_checked, jwt_expiry};

/// The Elastic Cloud Enterprise adapter.
#[derive(Debug)]
pub struct Ece;

const LOGIN: &str = "/api/v1/users/auth/_login";
const REFRESH: &str = "/api/v1/users/auth/_refresh";

#[derive(Deserialize)]
struct Success {
    #[serde(default, deserialize_with = "lenient::token")]
    token: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    session_expiration_time: Option<String>,
}

#[derive(Deserialize)]
struct Failure {
    #[serde(default, deserialize_with = "lenient::list")]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default, deserialize_with = "lenient::text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    message: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    fields: Vec<String>,
}

fn parse(reply: &Reply) -> Outcome {
    if !reply.is_success() {
        return Err(error_of(reply).into());
    }
    let body: Success = reply.json()?;
    let access = access_token(reply.status, "token", body.token)?;
    let absolute = body
        .session_expiration_time
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    let expires_at = match absolute {
        Some(at) => {
            correct_absolute_checked(at, reply.server_date, reply.sent_at).ok_or_else(|| {
                ApiError::protocol(reply.status, "session_expiration_time is out of range")
            })?
        }
        None => jwt_expiry(
            access.expose(),
            reply.sent_at,
            reply.server_date,
            reply.status,
        )?,
    };
    Ok(TokenSet {
        access,
        refresh: None,
        expires_at,
        refresh_expires_at: None,
        obtained_at: reply.sent_at,
        plain_permalinks: None,
        id_claims: None,
    })
}

fn error_of(reply: &Reply) -> ApiError {
    if (300..400).contains(&reply.status) {
        return redirected(reply);
    }
    let mut error = body_error(reply);
    if reply.status == 449 {
        // Not a refused token: the API wants a re-authentication with elevated permissions for
        // this call, which a login with the same password does not give.
        // Our words first: a long message of the API's is what a cut shortens.
        error.kind = ErrorKind::Config;
        error.message = format!(
            "ECE asks for elevated permissions (HTTP 449), which a token refresh cannot give \
             (check the user's role in the ECE console): {}",
            error.message
        );
    }
    error
}

/// A login answered with a redirect (the API spec lists 302): the installation signs users in
/// through single sign-on, which has no password login for TokenKeeper to repeat. The target's
/// host is named, never its path or query (an SSO request may carry state).
fn redirected(reply: &Reply) -> ApiError {
    let target = reply
        .headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .map(|host| format!(" to {host}"))
        .unwrap_or_default();
    ApiError::answered(
        ErrorKind::Config,
        reply.status,
        Some("sso_redirect".to_owned()),
        format!(
            "the request was redirected (HTTP {}){target}: this ECE signs users in through single \
             sign-on, so there is no password login to keep; sign in in a browser and add the \
             account with its current access token, which is then refreshed while it is valid",
            reply.status
        ),
    )
}

fn body_error(reply: &Reply) -> ApiError {
    let header_code = reply
        .headers
        .get("x-cloud-error-codes")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let parsed = reply
        .json::<Failure>()
        .ok()
        .filter(|f| !f.errors.is_empty());
    let Some(failure) = parsed else {
        let mut err = reply.unrecognised_error();
        err.code = header_code;
        return err;
    };
    let messages: Vec<String> = failure
        .errors
        .iter()
        .filter_map(|e| e.message.clone())
        .collect();
    let code = failure
        .errors
        .iter()
        .find_map(|e| e.code.clone())
        .or(header_code);
    let message = if messages.is_empty() {
        "no message".to_owned()
    } else {
        messages.join("; ")
    };
    ApiError::answered(kind_for_status(reply.status), reply.status, code, message)
        .with_fields(failure.errors.into_iter().flat_map(|e| e.fields).collect())
        .with_retry_after(reply.retry_after_secs())
}

#[async_trait]
impl Provider for Ece {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Ece
    }

    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool {
        stored.access_valid_for(now, USABLE_MARGIN).is_some()
    }

    fn parse(&self, reply: &Reply) -> Outcome {
        parse(reply)
    }

    async fn login(&self, http: &Http, account: &Account, password: &Secret) -> Outcome {
        let user = username(account)?;
        let body = JsonBody::fields(&[("username", user), ("password", password.expose())]);
        let reply = http
            .post(account, account.endpoint(LOGIN), Auth::None, Some(&body))
            .await?;
        if matches!(reply.status, 404 | 405) {
            let reply = http
                .post(
                    account,
                    account.endpoint(REFRESH),
                    Auth::Basic(user, password.expose()),
                    None,
                )
                .await?;
            return parse(&reply);
        }
        parse(&reply)
    }

    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let token = required(stored.access.as_ref(), "access token")?;
        let reply = http
            .post(
                account,
                account.endpoint(REFRESH),
                Auth::Scheme(
                    crate::capabilities::of(ProviderKind::Ece).auth_scheme,
                    token.expose(),
                ),
                None,
            )
            .await?;
        parse(&reply)
    }
}
