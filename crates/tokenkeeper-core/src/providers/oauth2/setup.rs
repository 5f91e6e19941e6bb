//! An OAuth 2.0 account's settings from what a person chose (the CLI's flags, the window's
//! form) and what the server's discovery document says: the one place the defaults are picked
//! (the grant, the client authentication, the scopes a person's sign-in asks for) and a choice
//! the server does not offer is refused. `tokenkeeper add --provider oauth2` and the window's
//! add form both end here, through `Keeper::oauth_settings`.

use serde::{Deserialize, Serialize};
use url::Url;

use super::discovery::Discovery;
use super::settings::{ClientAuth, Endpoints, Grant, OAuthSettings};
use crate::account::{parse_base_url, redact_url_text};
use crate::error::{Error, Result};

/// What a person chose for an OAuth 2.0 account; what is left out is taken from the server's
/// discovery document or the defaults below.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthRequest {
    /// The client id the server registered.
    pub client_id: String,
    /// The grant; none: the authorization code.
    pub grant: Option<Grant>,
    /// The client authentication; none: `none` without a client secret, else the first
    /// method with a secret the server lists (`client_secret_basic` when it lists none).
    pub client_auth: Option<ClientAuth>,
    /// A client secret goes with the request (typed, or on stdin).
    pub with_client_secret: bool,
    /// The scopes; none for a person's sign-in: `openid` and `offline_access` where the
    /// server lists them (so a refresh token comes).
    pub scopes: Vec<String>,
    /// RFC 8707's `resource`.
    pub resource: Option<String>,
    /// The `audience` some servers want (Auth0, Okta's custom servers).
    pub audience: Option<String>,
    /// The token endpoint, for a server without discovery (the other endpoints then typed too).
    pub token_endpoint: Option<String>,
    /// The authorization endpoint, typed.
    pub authorization_endpoint: Option<String>,
    /// The device authorization endpoint, typed.
    pub device_endpoint: Option<String>,
    /// The revocation endpoint, typed.
    pub revocation_endpoint: Option<String>,
    /// The lifetime assumed when an answer says none.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub default_lifetime_secs: Option<u64>,
    /// The server revokes an access token when it is refreshed.
    pub revokes_on_refresh: bool,
}

impl OAuthRequest {
    /// The endpoints are typed in: no discovery.
    pub fn typed_endpoints(&self) -> bool {
        self.token_endpoint
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
    }

    /// The grant chosen, or the usual one.
    pub fn grant(&self) -> Grant {
        self.grant.unwrap_or(Grant::AuthorizationCode)
    }

    /// The endpoints typed in.
    fn endpoints(&self) -> Result<Endpoints> {
        let parse = |what: &str, text: &Option<String>| -> Result<Option<Url>> {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| {
                    Url::parse(t).map_err(|e| {
                        Error::InvalidInput(format!(
                            "the {what} endpoint {:?}: {e}",
                            redact_url_text(t)
                        ))
                    })
                })
                .transpose()
        };
        let token = parse("token", &self.token_endpoint)?
            .ok_or_else(|| Error::InvalidInput("the token endpoint is needed".to_owned()))?;
        Ok(Endpoints {
            token,
            authorization: parse("authorization", &self.authorization_endpoint)?,
            device_authorization: parse("device authorization", &self.device_endpoint)?,
            revocation: parse("revocation", &self.revocation_endpoint)?,
        })
    }

    /// The account's URL and settings from this request, the issuer given and what its
    /// discovery document said (`None`: the endpoints are typed in). Checked whole.
    pub fn settle(
        &self,
        issuer: Option<&str>,
        discovery: Option<&Discovery>,
    ) -> Result<(Url, OAuthSettings)> {
        let grant = self.grant();
        let (url, endpoints) = match discovery {
            Some(found) => {
                if !found.grants.contains(&grant) {
                    return Err(Error::InvalidInput(format!(
                        "{} does not offer the {} grant (it offers: {})",
                        found.issuer,
                        grant.id(),
                        found.grant_ids()
                    )));
                }
                (found.issuer.clone(), found.endpoints.clone())
            }
            None => {
                let endpoints = self.endpoints()?;
                let url = match issuer.map(str::trim).filter(|i| !i.is_empty()) {
                    Some(issuer) => parse_base_url(issuer)?,
                    None => endpoints.token.clone(),
                };
                (url, endpoints)
            }
        };
        let client_auth = match self.client_auth {
            Some(chosen) => chosen,
            None if !self.with_client_secret => ClientAuth::None,
            None => discovery
                .and_then(|d| d.client_auth.iter().copied().find(|m| m.has_secret()))
                .unwrap_or(ClientAuth::ClientSecretBasic),
        };
        let mut scopes: Vec<String> = self
            .scopes
            .iter()
            .flat_map(|s| s.split_whitespace())
            .map(str::to_owned)
            .collect();
        if scopes.is_empty()
            && grant.is_interactive()
            && let Some(found) = discovery
        {
            scopes = ["openid", "offline_access"]
                .into_iter()
                .filter(|s| found.scopes.iter().any(|f| f == s))
                .map(str::to_owned)
                .collect();
        }
        let text = |t: &Option<String>| {
            t.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let settings = OAuthSettings {
            grant,
            client_id: self.client_id.trim().to_owned(),
            client_auth,
            scopes,
            resource: text(&self.resource),
            audience: text(&self.audience),
            endpoints,
            discovered: discovery.is_some(),
            iss_parameter: discovery.is_some_and(|d| d.iss_parameter),
            default_lifetime_secs: self.default_lifetime_secs,
            revokes_on_refresh: self.revokes_on_refresh,
        };
        settings.check()?;
        Ok((url, settings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discovery(grants: Vec<Grant>, auth: Vec<ClientAuth>, scopes: &[&str]) -> Discovery {
        let u = |p: &str| Url::parse(&format!("https://id.example.com{p}")).unwrap();
        Discovery {
            issuer: u("/"),
            document: u("/.well-known/openid-configuration"),
            endpoints: Endpoints {
                token: u("/token"),
                authorization: Some(u("/auth")),
                device_authorization: Some(u("/device")),
                revocation: None,
            },
            grants,
            client_auth: auth,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            iss_parameter: true,
            pkce_s256: true,
        }
    }

    #[test]
    fn a_sign_in_asks_for_what_the_server_lists_of_openid_and_offline_access() {
        let found = discovery(Grant::ALL.to_vec(), vec![], &["openid", "email"]);
        let request = OAuthRequest {
            client_id: " cli ".into(),
            ..OAuthRequest::default()
        };
        let (url, s) = request.settle(None, Some(&found)).unwrap();
        assert_eq!(url.as_str(), "https://id.example.com/");
        assert_eq!(s.client_id, "cli");
        assert_eq!(s.scopes, ["openid"]);
        assert_eq!(s.client_auth, ClientAuth::None);
        assert!(s.discovered && s.iss_parameter);
    }

    #[test]
    fn a_client_secret_takes_the_first_method_with_a_secret_the_server_lists() {
        let found = discovery(
            Grant::ALL.to_vec(),
            vec![ClientAuth::None, ClientAuth::ClientSecretPost],
            &[],
        );
        let request = OAuthRequest {
            client_id: "svc".into(),
            grant: Some(Grant::ClientCredentials),
            with_client_secret: true,
            ..OAuthRequest::default()
        };
        let (_, s) = request.settle(None, Some(&found)).unwrap();
        assert_eq!(s.client_auth, ClientAuth::ClientSecretPost);
        assert!(
            s.scopes.is_empty(),
            "a service account asks for no scope by default"
        );
    }

    #[test]
    fn a_grant_the_server_does_not_offer_is_refused_and_named() {
        let found = discovery(vec![Grant::AuthorizationCode], vec![], &[]);
        let request = OAuthRequest {
            client_id: "cli".into(),
            grant: Some(Grant::DeviceCode),
            ..OAuthRequest::default()
        };
        let e = request.settle(None, Some(&found)).unwrap_err().to_string();
        assert!(e.contains("does not offer the device-code grant"), "{e}");
        assert!(e.contains("authorization-code"), "{e}");
    }

    #[test]
    fn typed_endpoints_need_the_token_endpoint_and_the_grants_own() {
        let mut request = OAuthRequest {
            client_id: "cli".into(),
            grant: Some(Grant::ClientCredentials),
            with_client_secret: true,
            ..OAuthRequest::default()
        };
        let e = request.settle(None, None).unwrap_err().to_string();
        assert!(e.contains("token endpoint is needed"), "{e}");
        request.token_endpoint = Some("https://id.example.com/token".into());
        let (url, s) = request.settle(None, None).unwrap();
        assert_eq!(
            url.as_str(),
            "https://id.example.com/token",
            "the token endpoint is the URL"
        );
        assert_eq!(s.client_auth, ClientAuth::ClientSecretBasic);
        request.grant = Some(Grant::AuthorizationCode);
        let e = request.settle(None, None).unwrap_err().to_string();
        assert!(e.contains("authorization endpoint"), "{e}");
        request.token_endpoint = Some("not a url".into());
        let e = request.settle(None, None).unwrap_err().to_string();
        assert!(e.contains("the token endpoint"), "{e}");
    }
}
