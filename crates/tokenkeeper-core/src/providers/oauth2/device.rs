//! A person's login on another device: the device authorization grant (RFC 8628).
//!
//! TokenKeeper asks the device authorization endpoint for a code (§3.1), shows the user code
//! and the verification page (§3.3; the app with a Copy button, the CLI on stderr), and polls
//! the token endpoint (§3.4) every `interval` seconds (5 when the server names none), 5 more
//! after each `slow_down`, until the person approves, declines (`access_denied`), or the code
//! expires (`expired_token`, or its `expires_in` passed). Polling stops at the first success:
//! a poll after it is a replay, and oidc-provider then revokes the tokens it just gave.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::super::http::Http;
use super::super::{Outcome, lenient};
use super::LoginPrompt;
use super::request::{self, ErrorAnswer};
use crate::account::Account;
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;

/// The poll interval when the server names none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// How long a code lives when the server does not say (it must: §3.2 makes it REQUIRED).
const DEFAULT_EXPIRY: Duration = Duration::from_secs(600);

/// The longest a code is waited for, whatever the server says (RFC 8628 §3.2's example is
/// 1800 s): a server's `expires_in` of years is no reason to poll for years, nor to overflow the
/// clock arithmetic of the wait and the window's countdown.
pub const MAX_EXPIRY: Duration = Duration::from_secs(24 * 3600);

/// What the person needs: the code and where to type it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserCode {
    /// The code to type (`WDJB-MJHT`).
    pub user_code: String,
    /// Where to type it.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub verification_uri: Url,
    /// The page with the code filled in, when the server gives one.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub verification_uri_complete: Option<Url>,
    /// Seconds until the code expires.
    pub expires_in: u64,
}

#[derive(Deserialize)]
struct Authorization {
    #[serde(default, deserialize_with = "lenient::token")]
    device_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    user_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    verification_uri: Option<String>,
    /// Google's name for it, before the RFC.
    #[serde(default, deserialize_with = "lenient::text")]
    verification_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    verification_uri_complete: Option<String>,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    interval: Option<Value>,
}

/// Signs a person in with a device code and returns the tokens.
pub async fn authorize(
    http: &Http,
    account: &Account,
    client_secret: Option<&Secret>,
    prompt: &dyn LoginPrompt,
) -> Outcome {
    let client = request::Client::of(http, account, client_secret)?;
    let settings = client.settings;
    let endpoint = request::endpoint(
        settings.endpoints.device_authorization.as_ref(),
        "device authorization",
    )?;
    let scope = settings.scope_parameter();
    let mut params = Vec::new();
    params.extend(scope.as_deref().map(|s| ("scope", s)));
    let reply = client.post_ok(endpoint, &params, true).await?;
    let answer: Authorization = reply.json()?;
    let bad = |what: &str| {
        ApiError::protocol(
            reply.status,
            format!("the device authorization answer has no usable {what}"),
        )
    };
    let device_code = Secret::new(answer.device_code.ok_or_else(|| bad("device_code"))?);
    let user_code = answer
        .user_code
        .map(|c| crate::text::clean_server_text(&c, 64))
        .ok_or_else(|| bad("user_code"))?;
    let page = |text: Option<String>| {
        text.and_then(|t| Url::parse(&t).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    let verification_uri = page(answer.verification_uri.or(answer.verification_url))
        .ok_or_else(|| bad("verification_uri"))?;
    let lifetime = lenient::seconds(answer.expires_in.as_ref())
        .and_then(|s| u64::try_from(s).ok())
        .map_or(DEFAULT_EXPIRY, Duration::from_secs)
        .min(MAX_EXPIRY);
    let mut interval = lenient::seconds(answer.interval.as_ref())
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_INTERVAL, Duration::from_secs)
        .min(lifetime);
    let cancel = prompt.cancellation().unwrap_or_default();
    prompt.show_device_code(&UserCode {
        user_code,
        verification_uri,
        verification_uri_complete: page(answer.verification_uri_complete),
        expires_in: lifetime.as_secs(),
    });
    let deadline = tokio::time::Instant::now() + lifetime;
    let params = [
        ("grant_type", super::Grant::DeviceCode.grant_type()),
        ("device_code", device_code.expose()),
    ];
    loop {
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = cancel.cancelled() => return Err(super::cancelled().into()),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(expired(lifetime).into());
        }
        // A server or network hiccup does not end the login: the code lives on.
        let reply = match client.token(&params).await {
            Ok(reply) => reply,
            Err(e) if e.kind == ErrorKind::Transient => continue,
            Err(e) => return Err(e.into()),
        };
        if reply.is_success() {
            let set = request::parse_token_answer(&reply, settings.assumed_lifetime_secs())?;
            return super::authorize::missing_refresh(settings, set);
        }
        let code = reply.json::<ErrorAnswer>().ok().and_then(|a| a.error);
        match code.as_deref() {
            Some("authorization_pending") => {}
            Some("slow_down") => interval += Duration::from_secs(5),
            Some("expired_token") => return Err(expired(lifetime).into()),
            Some("access_denied") => {
                return Err(ApiError::answered(
                    ErrorKind::Auth,
                    reply.status,
                    Some("access_denied".to_owned()),
                    "the sign-in was declined on the verification page",
                )
                .into());
            }
            _ => {
                let error = request::error_of(&reply);
                if error.kind != ErrorKind::Transient {
                    return Err(error.into());
                }
            }
        }
    }
}

fn expired(lifetime: Duration) -> ApiError {
    ApiError::local(
        ErrorKind::Auth,
        "expired_token",
        format!(
            "the code was not used within its {} s: start the login again",
            lifetime.as_secs()
        ),
    )
}
