//! `tokenkeeper add --provider oauth2` and `tokenkeeper login` for such accounts: the OAuth 2.0
//! settings from the flags and the server's discovery document, and the sign-in shown on the
//! terminal (the page opened in the browser, or the device code to type).

use std::sync::Arc;

use tokenkeeper_core::keeper::InitialSecret;
use tokenkeeper_core::providers::oauth2::device::UserCode;
use tokenkeeper_core::providers::oauth2::{Grant, LoginPrompt, OAuthRequest, OAuthSettings};
use tokenkeeper_core::providers::tls::TlsSettings;
use tokenkeeper_core::{Error, Keeper, Secret};
use url::Url;

use crate::args::{AddArgs, SecretSource};
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
            && let Err(e) = tokenkeeper_app_core::browser::open(url)
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

/// The URL to store and the OAuth settings for `tokenkeeper add --provider oauth2`: the flags
/// as an [`OAuthRequest`], settled by the core (`Keeper::oauth_settings`, the window's form's
/// path too), which reads the discovery document when an issuer is given.
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
    let issuer = o.issuer.as_deref().or(args.url.as_deref());
    if issuer.is_none() && o.token_endpoint.is_none() {
        return Err(Error::InvalidInput(
            "an oauth2 account needs --issuer (discovery), or --token-endpoint and the other endpoints its grant uses".to_owned(),
        ));
    }
    let request = OAuthRequest {
        client_id,
        grant: o.grant.as_deref().map(str::parse).transpose()?,
        client_auth: o.client_auth.as_deref().map(str::parse).transpose()?,
        with_client_secret: o.client_secret_stdin,
        scopes: o.scopes.clone(),
        resource: o.resource.clone(),
        audience: o.audience.clone(),
        token_endpoint: o.token_endpoint.clone(),
        authorization_endpoint: o.authorization_endpoint.clone(),
        device_endpoint: o.device_endpoint.clone(),
        revocation_endpoint: o.revocation_endpoint.clone(),
        default_lifetime_secs: o.default_lifetime,
        revokes_on_refresh: o.revokes_on_refresh,
    };
    let (url, settings, found) = keeper
        .oauth_settings(issuer, &request, tls, args.allow_plain_http)
        .await?;
    if let Some(found) = found {
        eprintln!(
            "discovered {}: grants {}; client authentication {}",
            found.issuer,
            found.grant_ids(),
            found.client_auth_ids()
        );
    }
    Ok((url, settings))
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
    let prompt = Arc::new(Terminal {
        open_browser: open_browser && grant == Grant::AuthorizationCode,
    });
    InitialSecret::oauth(grant, client_secret, prompt).map_err(|e| match e {
        Error::InvalidInput(words) => Error::InvalidInput(format!(
            "{words}: pass it on stdin with --client-secret-stdin"
        )),
        other => other,
    })
}
