//! What a server says it is and supports: its discovery document (OpenID Connect Discovery
//! 1.0 §4 at `ISSUER/.well-known/openid-configuration`; RFC 8414 §3 at
//! `/.well-known/oauth-authorization-server` inserted between the host and the issuer's path).
//!
//! The document's `issuer` must be the issuer asked for (OIDC Discovery §4.3, RFC 8414 §3.3):
//! a document that names another is refused, so one server cannot pass off another's
//! endpoints. The endpoints it names become the account's ([`super::settings::Endpoints`]);
//! what it supports is shown by the app's form and checked by `tokenkeeper add`.

use serde::{Deserialize, Serialize};
use url::Url;

use super::super::http::{Http, Reply};
use super::super::lenient;
use super::settings::{ClientAuth, Endpoints, Grant};
use crate::account::Account;
use crate::error::{ApiError, ErrorKind};

/// A discovery document, the parts TokenKeeper uses.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Discovery {
    /// The issuer, as the document names it (equal to the one asked for).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub issuer: Url,
    /// Where the document was found.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub document: Url,
    /// The endpoints it names.
    pub endpoints: Endpoints,
    /// The grants it lists that TokenKeeper can use (all three when it lists none: RFC 8414
    /// §2's default is only `authorization_code` and `implicit`, but many servers omit the
    /// list).
    pub grants: Vec<Grant>,
    /// The client authentication methods it lists that TokenKeeper can use (RFC 8414 §2's
    /// default when absent: `client_secret_basic`).
    pub client_auth: Vec<ClientAuth>,
    /// The scopes it lists (often incomplete: an API's own scopes may be missing).
    pub scopes: Vec<String>,
    /// It puts `iss` in authorization answers (RFC 9207).
    pub iss_parameter: bool,
    /// It lists PKCE's `S256` (absent: the server may still accept it; it is always sent).
    pub pkce_s256: bool,
}

#[derive(Deserialize)]
struct Document {
    #[serde(default, deserialize_with = "lenient::text")]
    issuer: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    token_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    authorization_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    device_authorization_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    revocation_endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    grant_types_supported: Vec<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    token_endpoint_auth_methods_supported: Vec<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    scopes_supported: Vec<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: Option<bool>,
}

impl Discovery {
    /// The grants it offers, as the CLI names them (`authorization-code, device-code`).
    pub fn grant_ids(&self) -> String {
        self.grants
            .iter()
            .map(|g| g.id())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The client authentication methods it offers (`none, client_secret_basic`).
    pub fn client_auth_ids(&self) -> String {
        self.client_auth
            .iter()
            .map(|m| m.id())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The two places a document may be, the OpenID Connect one first.
pub fn document_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/').to_owned();
    let mut oidc = issuer.clone();
    oidc.set_path(&format!("{path}/.well-known/openid-configuration"));
    oidc.set_query(None);
    let mut rfc8414 = issuer.clone();
    rfc8414.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    rfc8414.set_query(None);
    vec![oidc, rfc8414]
}

/// Fetches and checks `issuer`'s discovery document, with `account`'s trust settings (the
/// account may not exist yet: the form's settings).
pub async fn discover(http: &Http, account: &Account, issuer: &Url) -> Result<Discovery, ApiError> {
    let mut last = None;
    for url in document_urls(issuer) {
        let reply = http.get(account, url.clone()).await?;
        // Not there (404, 405, a page that is not JSON): try the other place.
        if reply.is_success() && reply.is_api_success() {
            return read(&reply, issuer, url);
        }
        last = Some((url, reply));
    }
    let Some((url, reply)) = last else {
        return Err(ApiError::local(
            ErrorKind::Config,
            "no_discovery",
            "no discovery URL",
        ));
    };
    let mut error = reply.unrecognised_error();
    error.kind = if reply.status >= 500 {
        ErrorKind::Transient
    } else {
        ErrorKind::Config
    };
    error.message = format!(
        "no discovery document at {} or {} ({}): check the issuer URL, or give the endpoints yourself",
        crate::providers::http::safe_url(&document_urls(issuer)[0]),
        crate::providers::http::safe_url(&url),
        error.message
    );
    Err(error)
}

/// Reads a discovery document found at `document` for `issuer`.
pub fn read(reply: &Reply, issuer: &Url, document: Url) -> Result<Discovery, ApiError> {
    let doc: Document = reply.json()?;
    let bad = |message: String| ApiError::answered(ErrorKind::Config, reply.status, None, message);
    let named = doc.issuer.as_deref().unwrap_or_default();
    if !same_issuer(named, issuer) {
        return Err(bad(format!(
            "the discovery document at {} names the issuer {:?}, not {}: refused (a server may only describe itself)",
            crate::providers::http::safe_url(&document),
            crate::text::clean_server_text(named, 200),
            crate::providers::http::safe_url(issuer)
        )));
    }
    let endpoint = |what: &str, text: Option<&str>| -> Result<Option<Url>, ApiError> {
        let Some(text) = text else { return Ok(None) };
        let url = Url::parse(text).map_err(|e| {
            bad(format!(
                "the discovery document's {what} endpoint is not a URL ({e})"
            ))
        })?;
        super::settings::check_endpoint(what, &url).map_err(|e| bad(e.to_string()))?;
        Ok(Some(url))
    };
    let token = endpoint("token", doc.token_endpoint.as_deref())?
        .ok_or_else(|| bad("the discovery document names no token endpoint".to_owned()))?;
    let endpoints = Endpoints {
        token,
        authorization: endpoint("authorization", doc.authorization_endpoint.as_deref())?,
        device_authorization: endpoint(
            "device authorization",
            doc.device_authorization_endpoint.as_deref(),
        )?,
        revocation: endpoint("revocation", doc.revocation_endpoint.as_deref())?,
    };
    let grants = if doc.grant_types_supported.is_empty() {
        Grant::ALL.to_vec()
    } else {
        Grant::ALL
            .into_iter()
            .filter(|g| {
                doc.grant_types_supported
                    .iter()
                    .any(|t| t == g.grant_type())
            })
            .collect()
    };
    let client_auth = if doc.token_endpoint_auth_methods_supported.is_empty() {
        vec![ClientAuth::ClientSecretBasic]
    } else {
        ClientAuth::ALL
            .into_iter()
            .filter(|m| {
                doc.token_endpoint_auth_methods_supported
                    .iter()
                    .any(|t| t == m.id())
            })
            .collect()
    };
    let issuer = Url::parse(named).map_err(|e| bad(format!("the issuer is not a URL ({e})")))?;
    Ok(Discovery {
        issuer,
        document,
        grants: grants
            .into_iter()
            .filter(|g| match g {
                Grant::AuthorizationCode => endpoints.authorization.is_some(),
                Grant::DeviceCode => endpoints.device_authorization.is_some(),
                Grant::ClientCredentials => true,
            })
            .collect(),
        endpoints,
        client_auth,
        scopes: doc
            .scopes_supported
            .iter()
            .map(|s| crate::text::clean_server_text(s, 100))
            .collect(),
        iss_parameter: doc
            .authorization_response_iss_parameter_supported
            .unwrap_or(false),
        pkce_s256: doc
            .code_challenge_methods_supported
            .iter()
            .any(|m| m == "S256"),
    })
}

/// The issuer a document names is the one asked for: the same text, a trailing `/` aside
/// (people type it either way; the comparison is otherwise exact, as §4.3 asks).
fn same_issuer(named: &str, asked: &Url) -> bool {
    let asked = asked.as_str().trim_end_matches('/');
    !named.is_empty() && named.trim_end_matches('/') == asked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oidc_place_first_then_rfc_8414_between_host_and_path() {
        let urls = document_urls(&Url::parse("https://login.example/realms/dev/").unwrap());
        assert_eq!(
            urls[0].as_str(),
            "https://login.example/realms/dev/.well-known/openid-configuration"
        );
        assert_eq!(
            urls[1].as_str(),
            "https://login.example/.well-known/oauth-authorization-server/realms/dev"
        );
        let root = document_urls(&Url::parse("https://login.example").unwrap());
        assert_eq!(
            root[1].as_str(),
            "https://login.example/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn an_issuer_is_compared_exactly_but_for_a_trailing_slash() {
        let asked = Url::parse("https://login.example/realms/dev").unwrap();
        assert!(same_issuer("https://login.example/realms/dev/", &asked));
        assert!(same_issuer("https://login.example/realms/dev", &asked));
        assert!(!same_issuer("https://login.example/realms/prod", &asked));
        assert!(!same_issuer("https://evil.example/realms/dev", &asked));
        assert!(!same_issuer("", &asked));
    }
}
