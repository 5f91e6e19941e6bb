//! Smartling Authentication API v2: `POST /auth-api/v2/authenticate` with
//! `{"userIdentifier", "userSecret"}` and `POST /auth-api/v2/authenticate/refresh` with
//! `{"refreshToken"}`.
//!
//! Both answer `{"response": {"code": "SUCCESS", "data": {accessToken, refreshToken,
//! expiresIn, refreshExpiresIn, tokenType}}}`; expiry comes from the relative `expiresIn` and
//! `refreshExpiresIn`. Every refresh rotates the refresh token. Errors are
//! `{"response": {"code", "errors": [{"key", "message", "details"}]}}`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::http::{Auth, Http, JsonBody, Reply, kind_for_status};
use super::{
    Outcome, Provider, ProviderError, StoredTokens, access_token, lenient, missing_field, required,
    username,
};
use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;
use crate::token::{TokenSet, add_secs};

/// The Smartling adapter.
#[derive(Debug)]
pub struct Smartling;

#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "lenient::object")]
    response: Option<Body>,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default, deserialize_with = "lenient::text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    data: Option<Data>,
    #[serde(default, deserialize_with = "lenient::list")]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    #[serde(default, deserialize_with = "lenient::token")]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::token")]
    refresh_token: Option<String>,
    expires_in: Option<Value>,
    refresh_expires_in: Option<Value>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default, deserialize_with = "lenient::text")]
    key: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    message: Option<String>,
    /// An object or `null`; its `field`, when it names one, joins the error's fields.
    #[serde(default)]
    details: Option<Value>,
}

impl ErrorItem {
    /// The key, and the field the details name.
    fn fields(self) -> impl Iterator<Item = String> {
        let field = self
            .details
            .as_ref()
            .and_then(|d| d.get("field"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.key.into_iter().chain(field)
    }
}

fn parse(reply: &Reply) -> Outcome {
    if !reply.is_success() {
        return Err(error_of(reply).into());
    }
    let envelope: Envelope = reply.json()?;
    let Some(body) = envelope.response else {
        return Err(
            ApiError::protocol(reply.status, "the answer has no \"response\" object").into(),
        );
    };
    let Some(data) = body.data.as_ref() else {
        return Err(match body.code.as_deref() {
            Some("SUCCESS") => {
                ApiError::protocol(reply.status, "the answer has no \"data\" object").into()
            }
            code => success_status_error(reply.status, code).into(),
        });
    };
    // The new refresh token first: the old one is spent, so it must survive whatever is wrong
    // with the rest of the answer.
    let refresh = data
        .refresh_token
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(Secret::new);
    let rotated = |e: ApiError| ProviderError::rotated(e, refresh.clone());
    if body.code.as_deref() != Some("SUCCESS") {
        return Err(rotated(success_status_error(
            reply.status,
            body.code.as_deref(),
        )));
    }
    let access =
        access_token(reply.status, "accessToken", data.access_token.clone()).map_err(rotated)?;
    let Some(refresh_token) = refresh.clone() else {
        return Err(missing_field(reply.status, "refreshToken").into());
    };
    let expires_in = lenient::seconds(data.expires_in.as_ref())
        .filter(|s| *s > 0)
        .ok_or_else(|| {
            rotated(ApiError::protocol(
                reply.status,
                "the answer has no usable \"expiresIn\"",
            ))
        })?;
    let expires_at = add_secs(reply.sent_at, expires_in).ok_or_else(|| {
        rotated(ApiError::protocol(
            reply.status,
            "\"expiresIn\" is out of range",
        ))
    })?;
    let refresh_expires_at = lenient::seconds(data.refresh_expires_in.as_ref())
        .filter(|s| *s > 0)
        .and_then(|s| add_secs(reply.sent_at, s));
    Ok(TokenSet {
        access,
        refresh: Some(refresh_token),
        expires_at,
        refresh_expires_at,
        obtained_at: reply.sent_at,
        plain_permalinks: None,
        id_claims: None,
    })
}

fn error_of(reply: &Reply) -> ApiError {
    match reply.json::<Envelope>() {
        Ok(Envelope {
            response: Some(body),
        }) if body.code.is_some() => body_error(reply, body),
        _ => reply.unrecognised_error(),
    }
}

/// The response codes the API documents, with the two the Java SDK also knows
/// (`ACCESS_DENIED_ERROR`, 401; `RESOURCE_LOCKED`, 423).
const KNOWN_CODES: [&str; 9] = [
    "VALIDATION_ERROR",
    "AUTHENTICATION_ERROR",
    "ACCESS_DENIED_ERROR",
    "RESOURCE_LOCKED",
    "AUTHORIZATION_ERROR",
    "NOT_FOUND_ERROR",
    "MAX_OPERATIONS_LIMIT_EXCEEDED",
    "GENERAL_ERROR",
    "MAINTENANCE_MODE_ERROR",
];

/// An error code in a success status. Nothing from the body is quoted (any value in a body
/// that may carry tokens could be one): a documented code is named, anything else is not.
fn success_status_error(status: u16, code: Option<&str>) -> ApiError {
    match code.and_then(|c| KNOWN_CODES.into_iter().find(|known| *known == c)) {
        Some(known) => ApiError::answered(
            kind_for_code(known, status),
            status,
            Some(known.to_owned()),
            "the API reported this error with a success status",
        ),
        None => ApiError::protocol(
            status,
            "a success status whose response code is not \"SUCCESS\"",
        ),
    }
}

fn kind_for_code(code: &str, status: u16) -> ErrorKind {
    match code {
        "AUTHENTICATION_ERROR" | "ACCESS_DENIED_ERROR" | "AUTHORIZATION_ERROR" => ErrorKind::Auth,
        "VALIDATION_ERROR" | "NOT_FOUND_ERROR" => ErrorKind::Config,
        "MAX_OPERATIONS_LIMIT_EXCEEDED"
        | "GENERAL_ERROR"
        | "MAINTENANCE_MODE_ERROR"
        | "RESOURCE_LOCKED" => ErrorKind::Transient,
        _ if (200..300).contains(&status) => ErrorKind::Protocol,
        _ => kind_for_status(status),
    }
}

fn body_error(reply: &Reply, body: Body) -> ApiError {
    let code = body.code.unwrap_or_else(|| "UNKNOWN".to_owned());
    let messages: Vec<String> = body
        .errors
        .iter()
        .filter_map(|e| e.message.clone())
        .collect();
    let message = if messages.is_empty() {
        "no message".to_owned()
    } else {
        messages.join("; ")
    };
    ApiError::answered(
        kind_for_code(&code, reply.status),
        reply.status,
        Some(code),
        message,
    )
    .with_fields(
        body.errors
            .into_iter()
            .flat_map(ErrorItem::fields)
            .collect(),
    )
    .with_retry_after(reply.retry_after_secs())
}

#[async_trait]
impl Provider for Smartling {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Smartling
    }

    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool {
        stored.usable_refresh(now).is_some()
    }

    fn parse(&self, reply: &Reply) -> Outcome {
        parse(reply)
    }

    async fn login(&self, http: &Http, account: &Account, password: &Secret) -> Outcome {
        let user = username(account)?;
        let body = JsonBody::fields(&[("userIdentifier", user), ("userSecret", password.expose())]);
        let url = account.endpoint("/auth-api/v2/authenticate");
        parse(&http.post(account, url, Auth::None, Some(&body)).await?)
    }

    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let token = required(stored.refresh.as_ref(), "refresh token")?;
        let body = JsonBody::fields(&[("refreshToken", token.expose())]);
        let url = account.endpoint("/auth-api/v2/authenticate/refresh");
        let reply = http.post(account, url, Auth::None, Some(&body)).await?;
        parse(&reply).map_err(|e| e.spent_if(reply.is_api_success()))
    }
}
