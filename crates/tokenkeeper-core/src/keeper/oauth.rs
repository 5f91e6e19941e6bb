//! The keeper's OAuth 2.0 operations besides tokens: reading a server's discovery document for
//! a form or `tokenkeeper add`, settling a new account's settings from it, and revoking an
//! account's grant when it is removed.

use url::Url;

use super::{Keeper, secrets::Use};
use crate::account::{Account, AccountId, ProviderKind};
use crate::error::Result;
use crate::providers::oauth2::setup::OAuthRequest;
use crate::providers::oauth2::{OAuthSettings, discovery, revoke};
use crate::providers::tls::TlsSettings;

impl Keeper {
    /// A new account's URL and OAuth settings: `issuer`'s discovery document is read unless
    /// the endpoints are typed in, then [`OAuthRequest::settle`] picks what was left out and
    /// refuses what the server does not offer. The document read is returned too, so a
    /// caller can say what the server offers.
    pub async fn oauth_settings(
        &self,
        issuer: Option<&str>,
        request: &OAuthRequest,
        tls: &TlsSettings,
        allow_plain_http: bool,
    ) -> Result<(Url, OAuthSettings, Option<discovery::Discovery>)> {
        let issuer = issuer.map(str::trim).filter(|i| !i.is_empty());
        let found = match (issuer, request.typed_endpoints()) {
            (Some(issuer), false) => {
                let issuer = crate::account::parse_base_url(issuer)?;
                Some(self.discover(&issuer, tls, allow_plain_http).await?)
            }
            (_, true) => None,
            (None, false) => {
                return Err(crate::error::Error::InvalidInput(
                    "an OAuth 2.0 account needs the issuer URL (its discovery document), or the token endpoint and the other endpoints its grant uses".to_owned(),
                ));
            }
        };
        let (url, settings) = request.settle(issuer, found.as_ref())?;
        Ok((url, settings, found))
    }

    /// Reads `issuer`'s discovery document with these trust settings (nothing is stored).
    pub async fn discover(
        &self,
        issuer: &Url,
        tls: &TlsSettings,
        allow_plain_http: bool,
    ) -> Result<discovery::Discovery> {
        let probe =
            super::NewAccount::probe(ProviderKind::OAuth2, issuer.clone(), tls, allow_plain_http)
                .account(AccountId::probe(), self.clock.now())?;
        Ok(discovery::discover(&self.http, &probe, issuer).await?)
    }

    /// Revokes the account's grant at its server before it is removed (RFC 7009), where the
    /// server offers revocation: the refresh token, else the access token. Under the account
    /// lock. A failure is logged and does not stop the removal (the server may be gone).
    pub(super) async fn revoke(&self, account: &Account) {
        let Some(oauth) = &account.oauth else { return };
        if oauth.endpoints.revocation.is_none() {
            return;
        }
        let stored = match self.read_secrets(account, Use::Look).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(account = %account.name, error = %e, "cannot read the tokens to revoke them");
                return;
            }
        };
        let (token, hint) = match (&stored.refresh, &stored.access) {
            (Some(refresh), _) => (refresh, revoke::Hint::Refresh),
            (None, Some(access)) => (access, revoke::Hint::Access),
            (None, None) => return,
        };
        // Client credentials authenticate with the secret stored as the password.
        let client_secret = if oauth.keeps_client_secret() {
            stored.client_secret.as_ref()
        } else {
            stored.password.as_ref()
        };
        match revoke::revoke(&self.http, account, client_secret, token, hint).await {
            Ok(_) => tracing::info!(account = %account.name, "the grant was revoked at the server"),
            Err(e) => {
                let e = e.masked(&stored.exposed());
                tracing::warn!(account = %account.name, error = %e, "the server did not revoke the grant; the account is removed anyway");
            }
        }
    }
}
