//! A person's login in the system browser: the authorization code grant with PKCE and a
//! loopback redirect, as RFC 8252 asks of a native app.
//!
//! TokenKeeper listens on `127.0.0.1` at a port the system picks (§7.3: an IP literal, not
//! `localhost`; the server must accept any port), opens the authorization page with a random
//! `state` (RFC 6749 §10.12) and an S256 code challenge (RFC 7636 §4.2; sent to confidential
//! clients too), and waits for the browser to come back to `/callback`. An answer whose
//! `state` is not this login's is turned away and the wait goes on (a stale tab, or a forged
//! request), an `iss` that is not the issuer ends the login (RFC 9207 §2.4), and the code is
//! exchanged with the verifier and the very same redirect URI (RFC 6749 §4.1.3). With
//! `offline_access`, `prompt=consent` is sent: without it OpenID providers silently leave the
//! refresh token out (OpenID Connect Core §11; seen at oidc-provider).

use std::convert::Infallible;
use std::time::Duration;

use base64::Engine as _;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use super::super::http::Http;
use super::super::{Outcome, ProviderError};
use super::LoginPrompt;
use super::request;
use crate::account::Account;
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;

/// How long the browser has to come back.
pub const BROWSER_TIMEOUT: Duration = Duration::from_secs(300);

/// The path the browser comes back to.
const CALLBACK: &str = "/callback";

/// What came back to the callback with this login's `state`.
#[derive(Debug)]
struct Callback {
    code: Option<Secret>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

/// 32 random bytes, base64url without padding (43 characters: a PKCE verifier, RFC 7636 §4.1,
/// or a `state`).
fn random_text() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The S256 challenge of a verifier (RFC 7636 §4.2).
pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Signs a person in in the browser and exchanges the code for tokens.
pub async fn authorize(
    http: &Http,
    account: &Account,
    client_secret: Option<&Secret>,
    prompt: &dyn LoginPrompt,
    timeout: Duration,
) -> Outcome {
    let client = request::Client::of(http, account, client_secret)?;
    let settings = client.settings;
    let endpoint = request::endpoint(settings.endpoints.authorization.as_ref(), "authorization")?;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
        ApiError::local(
            ErrorKind::Transient,
            "loopback",
            format!("cannot listen on 127.0.0.1 for the browser's return: {e}"),
        )
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| ApiError::local(ErrorKind::Transient, "loopback", e.to_string()))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}{CALLBACK}");
    let state = random_text();
    let verifier = Secret::new(random_text());
    let mut url = endpoint;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &settings.client_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge", &challenge(verifier.expose()))
            .append_pair("code_challenge_method", "S256");
        if let Some(scope) = settings.scope_parameter() {
            query.append_pair("scope", &scope);
        }
        if settings.is_openid() {
            query.append_pair("nonce", &random_text());
        }
        if settings.asks_offline_access() {
            query.append_pair("prompt", "consent");
        }
        for (name, value) in settings.audience_parameters() {
            query.append_pair(name, value);
        }
    }
    let (tx, mut rx) = mpsc::channel::<Callback>(1);
    let server = tokio::spawn(serve(listener, state, tx));
    let cancel = prompt.cancellation().unwrap_or_default();
    prompt.open_browser(&url);
    let received = tokio::select! {
        received = tokio::time::timeout(timeout, rx.recv()) => received,
        () = cancel.cancelled() => {
            server.abort();
            return Err(super::cancelled().into());
        }
    };
    server.abort();
    let callback = match received {
        Ok(Some(callback)) => callback,
        Ok(None) | Err(_) => {
            return Err(ApiError::local(
                ErrorKind::Auth,
                "login_timeout",
                format!(
                    "the browser did not come back within {} s: the login was not finished (if the server showed an error page, its redirect settings may not allow {redirect_uri})",
                    timeout.as_secs()
                ),
            )
            .into());
        }
    };
    if let Some(error) = callback.error {
        let kind = request::kind_for_code(&error, 400);
        return Err(ApiError::answered(
            if error == "access_denied" {
                ErrorKind::Auth
            } else {
                kind
            },
            400,
            Some(crate::text::clean_server_text(&error, 60)),
            callback
                .error_description
                .map(|d| crate::text::clean_server_text(&d, 300))
                .unwrap_or_else(|| "the server refused the login".to_owned()),
        )
        .into());
    }
    if settings.iss_parameter || callback.iss.is_some() {
        let expected = account.url.as_str().trim_end_matches('/');
        let iss = callback.iss.as_deref().unwrap_or_default();
        if iss.trim_end_matches('/') != expected {
            return Err(ApiError::local(
                ErrorKind::Auth,
                "issuer_mismatch",
                format!(
                    "the answer came from the issuer {:?}, not {expected}: refused (RFC 9207), nothing was exchanged",
                    crate::text::clean_server_text(iss, 200)
                ),
            )
            .into());
        }
    }
    let Some(code) = callback.code else {
        return Err(ApiError::local(
            ErrorKind::Protocol,
            "no_code",
            "the browser came back without a code",
        )
        .into());
    };
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", verifier.expose()),
    ];
    let reply = client.token(&params).await?;
    let set = request::parse_token_answer(&reply, settings.assumed_lifetime_secs())?;
    missing_refresh(settings, set)
}

/// A person's login is only worth keeping with a refresh token: without one the account
/// would need the browser again at the first expiry. Said now, with the likely cause.
pub(super) fn missing_refresh(
    settings: &super::OAuthSettings,
    set: crate::token::TokenSet,
) -> Outcome {
    if set.refresh.is_some() {
        return Ok(set);
    }
    let hint = if settings.asks_offline_access() {
        "the server did not grant offline access"
    } else {
        "add the scope offline_access (OpenID Connect) or what the server names for it"
    };
    Err(ProviderError::from(ApiError::local(
        ErrorKind::Config,
        "no_refresh_token",
        format!(
            "the login worked but the server gave no refresh token, so TokenKeeper could not keep the account fresh: {hint}"
        ),
    )))
}

/// Serves the loopback redirect until this login's answer came (then the task is ended).
async fn serve(listener: TcpListener, state: String, tx: mpsc::Sender<Callback>) {
    let state = std::sync::Arc::new(state);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, say: try again shortly rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let state = state.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let answer = answer(&request, &state, &tx);
                async move { Ok::<_, Infallible>(answer) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            // A browser's half-open or dropped connection is no concern of the login.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

/// The page the browser gets, after handing this login's answer on.
fn answer(
    request: &Request<Incoming>,
    state: &str,
    tx: &mpsc::Sender<Callback>,
) -> Response<Full<Bytes>> {
    if request.uri().path() != CALLBACK {
        return page(
            StatusCode::NOT_FOUND,
            "Not found",
            "TokenKeeper is waiting for a sign-in here; there is nothing else.",
        );
    }
    let query = request.uri().query().unwrap_or_default();
    let mut callback = Callback {
        code: None,
        error: None,
        error_description: None,
        iss: None,
    };
    let mut given_state = None;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "code" => callback.code = Some(Secret::new(value.into_owned())),
            "state" => given_state = Some(value.into_owned()),
            "error" => callback.error = Some(value.into_owned()),
            "error_description" => callback.error_description = Some(value.into_owned()),
            "iss" => callback.iss = Some(value.into_owned()),
            _ => {}
        }
    }
    if given_state.as_deref() != Some(state) {
        tracing::warn!(
            "a sign-in answer with another login's state came to the loopback redirect: turned away"
        );
        return page(
            StatusCode::BAD_REQUEST,
            "Not this sign-in",
            "This answer does not belong to the sign-in TokenKeeper is waiting for (an older tab?). Nothing was done with it.",
        );
    }
    let failed = callback.error.is_some();
    if tx.try_send(callback).is_err() {
        return page(
            StatusCode::OK,
            "Already done",
            "TokenKeeper already has this sign-in. You can close this tab.",
        );
    }
    if failed {
        page(
            StatusCode::OK,
            "Sign-in refused",
            "The server did not sign you in; TokenKeeper shows its reason. You can close this tab.",
        )
    } else {
        page(
            StatusCode::OK,
            "Signed in",
            "TokenKeeper has the sign-in. You can close this tab.",
        )
    }
}

/// A small HTML page (no script, nothing from the request in it).
fn page(status: StatusCode, title: &str, text: &str) -> Response<Full<Bytes>> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} · TokenKeeper</title></head>\
         <body style=\"font-family: sans-serif; margin: 3em\"><h1>{title}</h1><p>{text}</p></body></html>"
    );
    let mut response = Response::new(Full::new(Bytes::from(html)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        hyper::header::REFERRER_POLICY,
        hyper::header::HeaderValue::from_static("no-referrer"),
    );
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_s256_challenge_is_rfc_7636s_example() {
        // RFC 7636 Appendix B.
        assert_eq!(
            super::challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_texts_are_43_url_safe_characters() {
        let a = super::random_text();
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, super::random_text());
    }
}
