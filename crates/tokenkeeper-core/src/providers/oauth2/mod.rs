//! OAuth 2.0 and OpenID Connect: any server that speaks the standard protocol is an account.
//!
//! The adapter refreshes with the `refresh_token` grant (RFC 6749 §6) and logs in with client
//! credentials (§4.4); a person's first login is the authorization code with PKCE in the
//! system browser ([`authorize`]) or the device authorization grant ([`device`]). The server's
//! endpoints come from its discovery document ([`discovery`]) or are typed in; they are the
//! account's settings ([`settings`]). Every token request goes through [`request`]: a form,
//! the client authentication the account chose, the resource and audience, and one reader of
//! the answer. docs/API-EVIDENCE.md names the RFC section behind each rule, and docs/OIDC-PLAN.md
//! what the certified server in `tests/oidc/` answered.

pub mod authorize;
pub mod device;
pub mod discovery;
mod request;
pub mod revoke;
pub mod settings;
pub mod setup;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::http::{Http, Reply};
use super::{Outcome, Provider, StoredTokens, required};
use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;

pub use request::parse_token_answer;
pub use settings::{ClientAuth, Endpoints, Grant, OAuthSettings};
pub use setup::OAuthRequest;

/// The OAuth 2.0 / OpenID Connect adapter.
#[derive(Debug)]
pub struct OAuth2;

/// Shows a person what to do to sign in: open a page, or type a code on another device. The
/// CLI prints (and opens the browser unless told not to); the app shows it in its window.
pub trait LoginPrompt: Send + Sync + std::fmt::Debug {
    /// The authorization page to open in the browser (authorization code).
    fn open_browser(&self, url: &url::Url);
    /// The code to type at the verification page (device authorization).
    fn show_device_code(&self, code: &device::UserCode);
    /// Ends the wait for the person when cancelled (the window's Cancel); the sign-in then
    /// fails with `sign_in_cancelled` and nothing is stored. None: the wait ends only by
    /// itself (the CLI: Ctrl-C ends the process).
    fn cancellation(&self) -> Option<tokio_util::sync::CancellationToken> {
        None
    }
}

/// The error of a sign-in cancelled while it waited for the person.
pub(crate) fn cancelled() -> ApiError {
    ApiError::local(
        ErrorKind::Auth,
        "sign_in_cancelled",
        "the sign-in was cancelled: nothing was stored",
    )
}

/// A refreshed ID token must name the same issuer and user as the one the sign-in gave
/// (OpenID Connect Core §12.2): tokens for another `sub` are another person's, never handed
/// out. None when both agree, or either token is missing (a refresh may come without one).
pub fn other_subject(
    before: Option<&serde_json::Map<String, serde_json::Value>>,
    after: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Option<ApiError> {
    let (before, after) = (before?, after?);
    let differs = |claim: &str| {
        let (b, a) = (before.get(claim)?, after.get(claim)?);
        (a != b).then(|| {
            let show = |v: &serde_json::Value| crate::text::clean_server_text(&v.to_string(), 100);
            format!("{claim} {} (was {})", show(a), show(b))
        })
    };
    let changed = differs("sub").or_else(|| differs("iss"))?;
    Some(ApiError::local(
        ErrorKind::Auth,
        "other_subject",
        format!(
            "the refreshed ID token names another user ({changed}): its tokens were dropped, not handed out (OpenID Connect Core §12.2); sign in again"
        ),
    ))
}

/// The account's OAuth settings, or a config error (an `oauth2` account without them: a
/// config file edited by hand).
pub(crate) fn settings_of(account: &Account) -> Result<&OAuthSettings, ApiError> {
    account.oauth.as_ref().ok_or_else(|| {
        ApiError::local(
            ErrorKind::Config,
            "no_oauth_settings",
            "the account has no OAuth 2.0 settings (client id, endpoints): add it again",
        )
    })
}

#[async_trait]
impl Provider for OAuth2 {
    fn kind(&self) -> ProviderKind {
        ProviderKind::OAuth2
    }

    fn can_refresh(&self, stored: &StoredTokens, now: DateTime<Utc>) -> bool {
        stored.usable_refresh(now).is_some()
    }

    fn parse(&self, reply: &Reply) -> Outcome {
        parse_token_answer(reply, settings::DEFAULT_LIFETIME_SECS)
    }

    /// Client credentials: `password` is the client secret. A refresh token in the answer is
    /// dropped (RFC 6749 §4.4.3: there should be none; the next token comes the same way).
    async fn login(&self, http: &Http, account: &Account, password: &Secret) -> Outcome {
        let settings = settings_of(account)?;
        if settings.grant != Grant::ClientCredentials {
            return Err(ApiError::local(
                ErrorKind::Auth,
                "interactive_login",
                "this account signs in in the browser or with a device code, not with a stored secret",
            )
            .into());
        }
        let mut params = vec![("grant_type", "client_credentials")];
        let scope = settings.scope_parameter();
        params.extend(scope.as_deref().map(|s| ("scope", s)));
        let client = request::Client::of(http, account, Some(password))?;
        let reply = client.token(&params).await?;
        let mut set = parse_token_answer(&reply, settings.assumed_lifetime_secs())?;
        set.refresh = None;
        set.refresh_expires_at = None;
        Ok(set)
    }

    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let client = request::Client::of(http, account, stored.client_secret.as_ref())?;
        let settings = client.settings;
        let token = required(stored.refresh.as_ref(), "refresh token")?;
        // No `scope`: the grant's own is kept (RFC 6749 §6), never narrowed by accident.
        let params = [
            ("grant_type", "refresh_token"),
            ("refresh_token", token.expose()),
        ];
        let reply = client.token(&params).await?;
        parse_token_answer(&reply, settings.assumed_lifetime_secs())
            .map_err(|e| e.spent_if(reply.is_api_success()))
    }

    /// `invalid_grant` on a refresh: the grant is gone at the server (oidc-provider revokes
    /// its access tokens with it; docs/OIDC-PLAN.md).
    fn refusal_ends_grant(&self) -> bool {
        true
    }
}
