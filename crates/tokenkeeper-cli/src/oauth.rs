//! `tokenkeeper add --provider oauth2` and `tokenkeeper login` for such accounts: the OAuth 2.0
//! settings from the flags and the server's discovery document, and the sign-in shown on the
//! terminal (the page opened in the browser, or the device code to type).

use std::sync::Arc;

use tokenkeeper_core::account::parse_base_url;
use tokenkeeper_core::keeper::InitialSecret;
use tokenkeeper_core::providers::oauth2::device::UserCode;
use tokenkeeper_core::providers::oauth2::discovery::Discovery;
use tokenkeeper_core::providers::oauth2::{
    ClientAuth, Endpoints, Grant, LoginPrompt, OAuthSettings,
};
use tokenkeeper_core::providers::tls::TlsSettings;
use tokenkeeper_core::{Error, Keeper, Secret};
use url::Url;

use crate::args::{AddArgs, OAuthArgs, SecretSource};
use crate::input;

/// Shows a sign-in on the terminal (stderr: stdout stays for what scripts read).
#[derive(Debug)]
pub struct Terminal {
    /// Open the sign-in page in the default browser too.
    pub open_browser: bool,
}

impl LoginPrompt for Terminal {
    fn open_browser(&self, url: &Url) {
        eprintln!(
            "Sign in in your browser; TokenKeeper waits up to 5 minutes for it to come back.\nIf no browser opens, open this page:\n  {url}"
        );
        if self.open_browser
            && let Err(e) = webbrowser::open(url.as_str())
        {
            eprintln!("(no browser could be opened: {e})");
        }
    }

    fn show_device_code(&self, code: &UserCode) {
        eprintln!(
            "On any device, open {} and enter the code {} (valid {} minutes).",
            code.verification_uri,
            code.user_code,
            code.expires_in.div_ceil(60)
        );
        if let Some(complete) = &code.verification_uri_complete {
            eprintln!("Or open this page, with the code filled in:\n  {complete}");
        }
        eprintln!("Waiting for the sign-in...");
    }
}

/// The URL to store and the OAuth settings for `tokenkeeper add --provider oauth2`, reading
/// the discovery document when an issuer is given.
pub async fn settings(
    keeper: &Keeper,
    args: &AddArgs,
    tls: &TlsSettings,
) -> Result<(Url, OAuthSettings), Error> {
    let o = &args.oauth;
    let client_id = o
        .client_id
        .clone()
        .ok_or_else(|| Error::InvalidInput("an oauth2 account needs --client-id".to_owned()))?;
    let grant: Grant = o.grant.as_deref().unwrap_or("authorization-code").parse()?;
    let issuer = o.issuer.as_deref().or(args.url.as_deref());
    let typed_endpoints = o.token_endpoint.is_some();
    let (url, endpoints, discovery) = match (issuer, typed_endpoints) {
        (Some(issuer), false) => {
            let issuer = parse_base_url(issuer)?;
            let found = keeper.discover(&issuer, tls, args.allow_plain_http).await?;
            eprintln!(
                "discovered {}: grants {}; client authentication {}",
                found.issuer,
                found
                    .grants
                    .iter()
                    .map(|g| g.id())
                    .collect::<Vec<_>>()
                    .join(", "),
                found
                    .client_auth
                    .iter()
                    .map(|m| m.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            (found.issuer.clone(), found.endpoints.clone(), Some(found))
        }
        (_, true) => {
            let endpoints = typed(o)?;
            let url = match issuer {
                Some(u) => parse_base_url(u)?,
                None => endpoints.token.clone(),
            };
            (url, endpoints, None)
        }
        (None, false) => {
            return Err(Error::InvalidInput(
                "an oauth2 account needs --issuer (discovery), or --token-endpoint and the other endpoints its grant uses".to_owned(),
            ));
        }
    };
    if let Some(found) = &discovery
        && !found.grants.contains(&grant)
    {
        return Err(Error::InvalidInput(format!(
            "{} does not offer the {} grant (it offers: {})",
            found.issuer,
            grant.id(),
            found
                .grants
                .iter()
                .map(|g| g.id())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let client_auth = match &o.client_auth {
        Some(text) => text.parse()?,
        None if !o.client_secret_stdin => ClientAuth::None,
        None => discovery
            .as_ref()
            .and_then(|d| d.client_auth.iter().copied().find(|m| m.has_secret()))
            .unwrap_or(ClientAuth::ClientSecretBasic),
    };
    let mut scopes: Vec<String> = o
        .scopes
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty()
        && grant.is_interactive()
        && let Some(found) = &discovery
    {
        scopes = ["openid", "offline_access"]
            .into_iter()
            .filter(|s| found.scopes.iter().any(|f| f == s))
            .map(str::to_owned)
            .collect();
    }
    let settings = OAuthSettings {
        grant,
        client_id,
        client_auth,
        scopes,
        resource: o.resource.clone(),
        audience: o.audience.clone(),
        endpoints,
        discovered: discovery.is_some(),
        iss_parameter: discovery
            .as_ref()
            .is_some_and(|d: &Discovery| d.iss_parameter),
        default_lifetime_secs: o.default_lifetime,
        revokes_on_refresh: o.revokes_on_refresh,
    };
    settings.check()?;
    Ok((url, settings))
}

/// The endpoints typed in.
fn typed(o: &OAuthArgs) -> Result<Endpoints, Error> {
    let parse = |what: &str, text: &Option<String>| -> Result<Option<Url>, Error> {
        text.as_deref()
            .map(|t| {
                Url::parse(t.trim()).map_err(|e| {
                    Error::InvalidInput(format!(
                        "the {what} endpoint {:?}: {e}",
                        tokenkeeper_core::account::redact_url_text(t)
                    ))
                })
            })
            .transpose()
    };
    let token = parse("token", &o.token_endpoint)?
        .ok_or_else(|| Error::InvalidInput("--token-endpoint is needed".to_owned()))?;
    Ok(Endpoints {
        token,
        authorization: parse("authorization", &o.authorization_endpoint)?,
        device_authorization: parse("device authorization", &o.device_endpoint)?,
        revocation: parse("revocation", &o.revocation_endpoint)?,
    })
}

/// What an OAuth 2.0 account's command read from stdin: a client secret
/// (`--client-secret-stdin`), a refresh token from another tool (`--refresh-token-stdin`), or
/// nothing.
#[derive(Debug)]
pub enum Typed {
    /// Nothing was read.
    Nothing,
    /// The client secret.
    ClientSecret(Secret),
    /// A refresh token.
    RefreshToken(Secret),
}

impl Typed {
    /// Reads what the flags name (one secret: stdin holds one).
    pub fn read(client_secret: bool, source: &SecretSource) -> Result<Self, Error> {
        if source.password_stdin || source.token_stdin {
            return Err(Error::InvalidInput(
                "an oauth2 account takes --client-secret-stdin or --refresh-token-stdin".to_owned(),
            ));
        }
        match (client_secret, source.refresh_token_stdin) {
            (true, true) => Err(Error::InvalidInput(
                "stdin holds one secret: --client-secret-stdin or --refresh-token-stdin, not both"
                    .to_owned(),
            )),
            (true, false) => Ok(Self::ClientSecret(input::read_stdin()?)),
            (false, true) => Ok(Self::RefreshToken(input::read_stdin()?)),
            (false, false) => Ok(Self::Nothing),
        }
    }
}

/// The credential an OAuth 2.0 account is added or signed in again with: a sign-in shown on
/// the terminal, a refresh token typed in, or for client credentials the client secret.
pub fn credential(grant: Grant, typed: Typed, open_browser: bool) -> Result<InitialSecret, Error> {
    let client_secret = match typed {
        Typed::RefreshToken(refresh) => return Ok(InitialSecret::RefreshToken(refresh)),
        Typed::ClientSecret(secret) => Some(secret),
        Typed::Nothing => None,
    };
    if grant.is_interactive() {
        return Ok(InitialSecret::SignIn {
            client_secret,
            prompt: Arc::new(Terminal {
                open_browser: open_browser && grant == Grant::AuthorizationCode,
            }),
        });
    }
    client_secret.map(InitialSecret::Password).ok_or_else(|| {
        Error::InvalidInput(
            "the client-credentials grant needs the client secret: pass it on stdin with --client-secret-stdin"
                .to_owned(),
        )
    })
}
