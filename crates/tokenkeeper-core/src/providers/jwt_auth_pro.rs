//! WordPress JWT Auth Pro: `POST <site>/wp-json/jwt-auth/v1/token` with `{"username",
//! "password"}` and `POST …/token/refresh` with `{"refresh_token"}`.
//!
//! What the real plugin (0.2.1) answers, which is not what its documentation says: a login gives
//! `{token, user_id, user_email, user_nicename, user_display_name, refresh_token}` without a
//! lifetime (the JWT's `exp` says it); a refresh gives `{access_token, expires_in, token_type,
//! refresh_token}`, where the documentation promises the login's shape with `token`. Both
//! shapes are read. Every refresh rotates the pair and revokes the old refresh token *and the
//! old access token*, so an unusable refresh answer marks the failure `spent`. A site with
//! plain permalinks has no `/wp-json/` routing and answers at `/?rest_route=/jwt-auth/v1/…`: a
//! 404 on one form tries the other once (the request never reached the plugin, so nothing was
//! spent), and the form that answered travels back in the token set. The plugin's JWTs hold
//! only whole seconds and it looks tokens up by their hash, so a refresh within the second of
//! the previous token returns the bytes it has just revoked: then the refresh is repeated once,
//! a second later. Errors are WordPress REST
//! errors `{"code", "message", "data": {"status"}}` whose messages may hold HTML, stripped
//! here. Sources for each field: docs/API-EVIDENCE.md.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::http::{Auth, Http, JsonBody, Reply, kind_for_status, strip_html};
use super::{
    Outcome, Provider, ProviderError, StoredTokens, access_token, lenient, required, token_set,
    username,
};
use crate::account::{Account, ProviderKind};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;
use crate::token::{add_secs, jwt_expiry};

/// The JWT Auth Pro adapter.
#[derive(Debug)]
pub struct JwtAuthPro;

const LOGIN: &str = "/jwt-auth/v1/token";
const REFRESH: &str = "/jwt-auth/v1/token/refresh";

/// Both answers in one: the real refresh (`access_token`, `expires_in`) and the documented
/// TokenResponse / real login (`token`).
#[derive(Deserialize)]
struct Success {
    #[serde(default, deserialize_with = "lenient::token")]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::token")]
    token: Option<String>,
    #[serde(default)]
    expires_in: Option<Value>,
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
            let kind = match code.as_str() {
                "jwt_auth_rate_limited" => ErrorKind::Transient,
                // The plugin without a licence refuses every route with 401: the site's
                // problem, not a refused password or token.
                "rest_forbidden" => ErrorKind::Config,
                _ => kind_for_status(reply.status),
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
        let rotated = |e: ApiError| ProviderError::rotated(e, refresh.clone());
        let access = match (body.access_token, body.token) {
            (Some(t), _) => access_token(reply.status, "access_token", Some(t)),
            (None, Some(t)) => access_token(reply.status, "token", Some(t)),
            (None, None) => Err(ApiError::protocol(
                reply.status,
                "the answer has no \"access_token\" (nor a \"token\") field",
            )),
        }
        .map_err(rotated)?;
        // `expires_in` where the server gives it (the refresh), else the JWT (the login). When
        // both are there, the earlier: never later than the truth.
        let from_jwt = jwt_expiry(
            access.expose(),
            reply.sent_at,
            reply.server_date,
            reply.status,
        );
        let relative =
            lenient::seconds(body.expires_in.as_ref()).and_then(|s| add_secs(reply.sent_at, s));
        let expires_at = match (relative, from_jwt) {
            (Some(rel), Ok(jwt)) => rel.min(jwt),
            (Some(rel), Err(_)) => rel,
            (None, Ok(jwt)) => jwt,
            (None, Err(e)) => return Err(rotated(e)),
        };
        Ok(token_set(reply, access, refresh, expires_at))
    }

    async fn login(&self, http: &Http, account: &Account, password: &Secret) -> Outcome {
        let user = username(account)?;
        let body = JsonBody::fields(&[("username", user), ("password", password.expose())]);
        let (reply, plain) = post(http, account, LOGIN, &body).await?;
        let mut set = self.parse(&reply)?;
        set.plain_permalinks = Some(plain);
        Ok(set)
    }

    async fn refresh(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let set = self.refresh_once(http, account, stored).await?;
        if stored.access.as_ref() != Some(&set.access) {
            return Ok(set);
        }
        // The plugin's JWTs carry nothing but whole seconds, and it finds a token's record by
        // the token's hash: a refresh within the second of the previous token gives the very
        // bytes it has just revoked, and the server refuses them. Refresh once more, with the
        // new refresh token, in the next second.
        tracing::debug!(account = %account.name, "the refresh gave the revoked token's twin: refreshing again in the next second");
        tokio::time::sleep(SAME_SECOND).await;
        let next = StoredTokens {
            refresh: set.refresh.clone(),
            ..StoredTokens::default()
        };
        match self.refresh_once(http, account, &next).await {
            Ok(fresh) => Ok(fresh),
            // The first answer rotated too: its refresh token must not be lost.
            Err(mut e) => {
                e.rotated_refresh = e.rotated_refresh.or(set.refresh);
                e.spent = true;
                Err(e)
            }
        }
    }
}

/// Long enough to be in the next whole second of the server's clock.
const SAME_SECOND: std::time::Duration = std::time::Duration::from_millis(1100);

impl JwtAuthPro {
    async fn refresh_once(&self, http: &Http, account: &Account, stored: &StoredTokens) -> Outcome {
        let token = required(stored.refresh.as_ref(), "refresh token")?;
        let body = JsonBody::fields(&[("refresh_token", token.expose())]);
        let (reply, plain) = post(http, account, REFRESH, &body).await?;
        let mut set = self
            .parse(&reply)
            .map_err(|e| e.spent_if(reply.is_api_success()))?;
        set.plain_permalinks = Some(plain);
        Ok(set)
    }
}

/// Posts to a route in the form the account knows; a 404 there (the web server found no such
/// path, so the plugin never saw the request) tries the other form once. Returns the answer
/// and whether it came from the plain-permalinks form.
async fn post(
    http: &Http,
    account: &Account,
    route: &str,
    body: &JsonBody,
) -> Result<(Reply, bool), ApiError> {
    let known = account.plain_permalinks;
    let url = account.wp_rest_endpoint(route, known);
    let reply = http.post(account, url, Auth::None, Some(body)).await?;
    if reply.status != 404 {
        return Ok((reply, known));
    }
    let url = account.wp_rest_endpoint(route, !known);
    let other = http.post(account, url, Auth::None, Some(body)).await?;
    if other.status == 404 {
        // Neither form: what was tried, then the first answer's words (last, so a cut
        // shortens those).
        let mut error = error_of(&reply);
        error.message = format!(
            "neither {} nor {} answered (is the JWT Auth Pro plugin active on this site?): {}",
            account.wp_rest_endpoint(route, false).path(),
            account
                .wp_rest_endpoint(route, true)
                .query()
                .map(|q| format!("/?{q}"))
                .unwrap_or_default(),
            error.message,
        );
        return Err(error);
    }
    Ok((other, !known))
}
