//! Every token request of the OAuth 2.0 adapter and the one reader of its answers.
//!
//! A request is a form POSTed to the token endpoint with `Accept: application/json` (a server
//! may answer an error as an HTML page otherwise), the client authentication the account chose
//! (RFC 6749 §2.3.1: HTTP Basic with the id and secret form-encoded first; or both in the body;
//! or only the client id for a public client), and the account's resource and audience.
//!
//! An answer (§5.1) is read lenient where servers differ and strict where a mistake would hand
//! out a bad token: `token_type` compared without case (GitHub sends `bearer`), `expires_in` as
//! a number or numeric string counted from when the request was sent, else the access token's
//! JWT `exp − iat`, else the lifetime the account assumes. A `refresh_token` travels out of
//! any answer that carried one, whatever else is wrong with it. Errors (§5.2) keep the
//! server's `error` and `error_description`.

use serde::Deserialize;
use serde_json::Value;

use super::super::http::{Auth, Http, Reply, kind_for_status};
use super::super::wire::{self, FormBody};
use super::super::{Outcome, ProviderError, access_token, lenient};
use super::settings::{ClientAuth, OAuthSettings};
use crate::account::Account;
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;
use crate::token::add_secs;

/// A token answer (RFC 6749 §5.1), every member optional so each is checked where it matters.
#[derive(Deserialize)]
struct Answer {
    #[serde(default, deserialize_with = "lenient::token")]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default, deserialize_with = "lenient::token")]
    refresh_token: Option<String>,
    /// Some servers say how long the refresh token lasts: Keycloak as `refresh_expires_in`,
    /// GitHub as `refresh_token_expires_in`.
    #[serde(default, alias = "refresh_token_expires_in")]
    refresh_expires_in: Option<Value>,
    /// OpenID Connect's ID token: its claims are shown, the token is not kept.
    #[serde(default, deserialize_with = "lenient::token")]
    id_token: Option<String>,
}

/// An error answer (RFC 6749 §5.2; RFC 8628 §3.5 adds the device flow's codes).
#[derive(Deserialize)]
pub(super) struct ErrorAnswer {
    #[serde(default, deserialize_with = "lenient::text")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub error_description: Option<String>,
}

/// One account's client at its server: every request it sends carries the client's
/// authentication.
#[derive(Clone, Copy)]
pub(super) struct Client<'a> {
    pub http: &'a Http,
    pub account: &'a Account,
    pub settings: &'a OAuthSettings,
    /// The client secret, when the client authenticates with one.
    pub secret: Option<&'a Secret>,
}

impl<'a> Client<'a> {
    /// The account's client, with `secret` (the stored client secret, or for client
    /// credentials the password).
    pub fn of(
        http: &'a Http,
        account: &'a Account,
        secret: Option<&'a Secret>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            http,
            account,
            settings: super::settings_of(account)?,
            secret,
        })
    }

    /// POSTs a token request: `params` (the grant's own), the client's authentication, the
    /// resource and audience.
    pub async fn token(&self, params: &[(&str, &str)]) -> Result<Reply, ApiError> {
        self.post(self.settings.endpoints.token.clone(), params, true)
            .await
    }

    /// POSTs a form to one of the server's endpoints with the client's authentication
    /// (`audience`: add the resource and audience parameters, which token requests carry).
    pub async fn post(
        &self,
        url: url::Url,
        params: &[(&str, &str)],
        audience: bool,
    ) -> Result<Reply, ApiError> {
        let settings = self.settings;
        let mut fields: Vec<(&str, &str)> = params.to_vec();
        if audience {
            fields.extend(settings.audience_parameters());
        }
        let secret = match (settings.client_auth, self.secret) {
            (ClientAuth::None, _) => None,
            (_, Some(secret)) => Some(secret),
            (_, None) => {
                return Err(ApiError::local(
                    ErrorKind::Auth,
                    "no_client_secret",
                    format!(
                        "the client authenticates with {} but no client secret is stored",
                        settings.client_auth.id()
                    ),
                ));
            }
        };
        // Basic needs both form-encoded first (RFC 6749 §2.3.1; a secret with `:` or `%`
        // breaks otherwise: seen at oidc-provider).
        let basic = match (settings.client_auth, secret) {
            (ClientAuth::ClientSecretBasic, Some(secret)) => Some((
                wire::form_encoded(&settings.client_id),
                wire::form_encoded(secret.expose()),
            )),
            _ => None,
        };
        match (settings.client_auth, secret) {
            (ClientAuth::ClientSecretPost, Some(secret)) => {
                fields.push(("client_id", &settings.client_id));
                fields.push(("client_secret", secret.expose()));
            }
            (ClientAuth::None, _) => fields.push(("client_id", &settings.client_id)),
            _ => {}
        }
        let auth = match &basic {
            Some((id, secret)) => Auth::Basic(id.as_str(), secret.as_str()),
            None => Auth::None,
        };
        let body = FormBody::fields(&fields);
        self.http.post(self.account, url, auth, Some(&body)).await
    }

    /// [`Client::post`] whose answer must be a success: the server's error otherwise.
    pub async fn post_ok(
        &self,
        url: url::Url,
        params: &[(&str, &str)],
        audience: bool,
    ) -> Result<Reply, ApiError> {
        let reply = self.post(url, params, audience).await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(error_of(&reply))
        }
    }
}

/// An endpoint the flow needs, or a config error naming it.
pub(super) fn endpoint(url: Option<&url::Url>, what: &str) -> Result<url::Url, ApiError> {
    url.cloned().ok_or_else(|| {
        ApiError::local(
            ErrorKind::Config,
            "no_endpoint",
            format!("the account has no {what} endpoint"),
        )
    })
}

/// Reads a token endpoint's answer. `assumed_lifetime_secs` is used when the answer says no
/// lifetime and the access token is not a JWT with one.
pub fn parse_token_answer(reply: &Reply, assumed_lifetime_secs: u64) -> Outcome {
    if !reply.is_success() {
        return Err(error_of(reply).into());
    }
    let answer: Answer = reply.json()?;
    // The new refresh token first: the old one may be spent, so it survives whatever is wrong
    // with the rest of the answer.
    let refresh = answer.refresh_token.as_deref().map(Secret::new);
    let rotated = |e: ApiError| ProviderError::rotated(e, refresh.clone());
    if let Some(kind) = answer
        .token_type
        .as_deref()
        .filter(|t| !t.eq_ignore_ascii_case("bearer"))
    {
        return Err(rotated(ApiError::protocol(
            reply.status,
            format!(
                "the server issued a {:?} token; TokenKeeper hands out bearer tokens only (RFC 6750)",
                crate::text::clean_server_text(kind, 40)
            ),
        )));
    }
    let access =
        access_token(reply.status, "access_token", answer.access_token.clone()).map_err(rotated)?;
    let expires_at = match lenient::seconds(answer.expires_in.as_ref()).filter(|s| *s > 0) {
        Some(secs) => add_secs(reply.sent_at, secs).ok_or_else(|| {
            rotated(ApiError::protocol(
                reply.status,
                "\"expires_in\" is out of range",
            ))
        })?,
        None => match crate::token::jwt_expiry(
            access.expose(),
            reply.sent_at,
            reply.server_date,
            reply.status,
        ) {
            Ok(at) => at,
            Err(_) => {
                let secs = i64::try_from(assumed_lifetime_secs).unwrap_or(i64::MAX);
                tracing::info!(
                    assumed_secs = secs,
                    "the token answer says no lifetime and the token is not a JWT: its lifetime is assumed"
                );
                add_secs(reply.sent_at, secs).ok_or_else(|| {
                    rotated(ApiError::protocol(
                        reply.status,
                        "the assumed lifetime is out of range",
                    ))
                })?
            }
        },
    };
    let refresh_expires_at = lenient::seconds(answer.refresh_expires_in.as_ref())
        .filter(|s| *s > 0)
        .and_then(|s| add_secs(reply.sent_at, s));
    let mut set = super::super::token_set(reply, access, refresh, expires_at);
    if refresh_expires_at.is_some() {
        set.refresh_expires_at = refresh_expires_at;
    }
    set.id_claims = answer
        .id_token
        .as_deref()
        .and_then(|t| crate::token::decode_claims(t).ok());
    Ok(set)
}

/// The kind of an OAuth error code (RFC 6749 §5.2, RFC 8628 §3.5, RFC 8707 §2).
pub(super) fn kind_for_code(code: &str, status: u16) -> ErrorKind {
    match code {
        // The grant is gone (expired, revoked, reused, the user removed): only a new login
        // helps. `invalid_client`: the secret or the client is refused.
        "invalid_grant" | "invalid_client" | "access_denied" | "expired_token" => ErrorKind::Auth,
        "invalid_request"
        | "unauthorized_client"
        | "unsupported_grant_type"
        | "invalid_scope"
        | "invalid_target"
        | "unsupported_token_type" => ErrorKind::Config,
        "temporarily_unavailable" | "server_error" | "slow_down" | "authorization_pending" => {
            ErrorKind::Transient
        }
        _ => kind_for_status(status),
    }
}

/// An error answer in the server's words, or what came instead (a proxy's page).
pub(super) fn error_of(reply: &Reply) -> ApiError {
    match reply.json::<ErrorAnswer>() {
        Ok(ErrorAnswer {
            error: Some(code),
            error_description,
        }) => ApiError::answered(
            kind_for_code(&code, reply.status),
            reply.status,
            Some(code),
            error_description.unwrap_or_else(|| "no description".to_owned()),
        )
        .with_retry_after(reply.retry_after_secs()),
        _ => reply.unrecognised_error(),
    }
}
