//! The window's OAuth 2.0 path without a window: the form's discovery, a service account
//! added from the form, and a person's sign-in shown while it waits and cancelled with nothing
//! stored. The sign-in played to its end against a certified server is the e2e suite's
//! (`tests/e2e/tests/oauth.rs`) and the CLI's (`crates/tokenkeeper-cli/tests/oidc/`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenkeeper_app_core::backend::sign_in::{Browser, SignInStep};
use tokenkeeper_app_core::dto::{AccountForm, Credential, LoginForm};
use tokenkeeper_app_core::error::ErrorCode;
use tokenkeeper_core::ProviderKind;
use tokenkeeper_core::providers::oauth2::{Grant, OAuthRequest};
use tokenkeeper_core::store::keychain::{SecretKind, SecretStore};
use tokenkeeper_emulators::Api;
use url::Url;

use crate::helpers::{PASSWORD, Setup, USER, eventually};

/// The person's browser: it notes the pages it was asked to open, and opens none.
#[derive(Debug, Default)]
struct Pages(Mutex<Vec<Url>>);

impl Browser for Pages {
    fn open(&self, url: &Url) -> Result<(), String> {
        self.0.lock().unwrap().push(url.clone());
        Ok(())
    }
}

fn form(s: &Setup, name: &str, request: OAuthRequest, secret: &str) -> AccountForm {
    AccountForm {
        provider: ProviderKind::OAuth2,
        username: None,
        secret_kind: Credential::SignIn,
        secret: secret.to_owned(),
        oauth: Some(request),
        ..s.form(name)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_account_is_added_from_the_form_with_what_discovery_found() {
    let s = Setup::new(Api::OAuth2).await;
    let base = s.emu.base_url().trim_end_matches('/').to_owned();
    let backend = s.backend().await;
    let found = backend
        .discover(&form(&s, "svc", OAuthRequest::default(), ""))
        .await
        .unwrap();
    assert_eq!(
        found.issuer.as_str().trim_end_matches('/'),
        s.emu.base_url().trim_end_matches('/')
    );
    assert!(
        found.grants.contains(&Grant::ClientCredentials),
        "{found:?}"
    );
    let request = OAuthRequest {
        client_id: USER.to_owned(),
        grant: Some(Grant::ClientCredentials),
        ..OAuthRequest::default()
    };
    let view = backend
        .add(form(&s, "svc", request, PASSWORD))
        .await
        .unwrap();
    assert_eq!(view.provider, ProviderKind::OAuth2);
    let account = s.cli().find("svc").unwrap();
    let settings = account.oauth.expect("the settings are stored");
    assert!(settings.discovered);
    assert_eq!(settings.grant, Grant::ClientCredentials);
    // The client secret is the service account's password (it logs in again by itself),
    // stored bound to the server and its token endpoint.
    let stored = s
        .store
        .get(account.id, SecretKind::Password)
        .unwrap()
        .expect("the client secret is stored");
    assert!(
        stored.expose().ends_with(&format!("\n{PASSWORD}")),
        "{stored:?}"
    );
    assert!(
        stored.expose().contains(&format!("{base}/token\"")),
        "bound to the token endpoint"
    );
    assert_eq!(backend.overview().await.sign_in, None, "nothing waits");
    let token = s.cli().token("svc", Duration::from_secs(60)).await.unwrap();
    assert!(!token.expose().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_shows_its_page_while_it_waits_and_cancel_stores_nothing() {
    let s = Setup::new(Api::OAuth2).await;
    let backend = s.backend().await;
    let pages = Arc::new(Pages::default());
    backend.set_browser(pages.clone());
    let base = s.emu.base_url();
    let base = base.trim_end_matches('/');
    let request = OAuthRequest {
        client_id: "tokenkeeper".to_owned(),
        token_endpoint: Some(format!("{base}/token")),
        authorization_endpoint: Some(format!("{base}/authorize")),
        scopes: vec!["openid offline_access".to_owned()],
        ..OAuthRequest::default()
    };
    let mut f = form(&s, "person", request, "");
    f.url = String::new();
    let adding = tokio::spawn({
        let backend = backend.clone();
        async move { backend.add(f).await }
    });
    let shown = eventually(&backend, 10, "the sign-in page shown", |o| {
        o.sign_in.as_ref().is_some_and(|s| s.step.is_some())
    })
    .await
    .sign_in
    .unwrap();
    assert_eq!(shown.account, "person");
    let Some(SignInStep::Browser { url }) = shown.step else {
        panic!("a browser sign-in: {shown:?}");
    };
    let page = Url::parse(&url).unwrap();
    assert_eq!(
        pages.0.lock().unwrap().as_slice(),
        std::slice::from_ref(&page),
        "opened once"
    );
    let query: std::collections::HashMap<_, _> = page.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(
        query["redirect_uri"].starts_with("http://127.0.0.1:"),
        "{query:?}"
    );
    assert_eq!(query["scope"], "openid offline_access");
    assert!(
        !url.contains("code_verifier"),
        "the verifier never leaves the backend"
    );
    // A second sign-in waits for this one.
    let e = backend
        .login(
            "nonexistent",
            LoginForm {
                secret_kind: Credential::SignIn,
                secret: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    backend.open_sign_in().unwrap();
    assert_eq!(
        pages.0.lock().unwrap().len(),
        2,
        "Open again opens it again"
    );
    assert!(backend.cancel_sign_in());
    let e = adding.await.unwrap().unwrap_err();
    assert!(e.message.contains("cancelled"), "{}", e.message);
    assert!(s.cli().accounts().unwrap().is_empty(), "nothing was added");
    assert_eq!(backend.overview().await.sign_in, None, "the prompt is gone");
    assert!(!backend.cancel_sign_in(), "nothing left to cancel");
}
