//! Token revocation (RFC 7009) when an account is removed: the refresh token, which at the
//! servers seen revokes the whole grant and its access tokens (§2.1 says it SHOULD); for a
//! client-credentials account, its access token. An access token that is merely replaced is
//! never revoked: at oidc-provider that kills the refresh token too (§2.1 allows it).

use super::super::http::Http;
use super::request;
use crate::account::Account;
use crate::error::ApiError;
use crate::secret::Secret;

/// Which token is revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    /// A refresh token (the grant goes with it).
    Refresh,
    /// An access token.
    Access,
}

/// Asks the server to revoke `token`. `Ok(false)` when the server has no revocation endpoint.
/// The server answers 200 for a token it does not know, too (§2.2).
pub async fn revoke(
    http: &Http,
    account: &Account,
    client_secret: Option<&Secret>,
    token: &Secret,
    hint: Hint,
) -> Result<bool, ApiError> {
    let client = request::Client::of(http, account, client_secret)?;
    let Some(endpoint) = client.settings.endpoints.revocation.clone() else {
        return Ok(false);
    };
    let params = [
        ("token", token.expose()),
        (
            "token_type_hint",
            match hint {
                Hint::Refresh => "refresh_token",
                Hint::Access => "access_token",
            },
        ),
    ];
    client.post_ok(endpoint, &params, false).await?;
    Ok(true)
}
