//! The OAuth 2.0 adapter through the keeper against the emulated token endpoint, for what the
//! certified server in `tests/oidc/` cannot be made to do: a proxy's page or a server error in
//! the way of a rotating refresh, an answer lost after the server rotated, a slow endpoint with
//! a second caller waiting, an answer that rotated but carried no token, and a client secret the
//! server refuses. Each case checks what is stored afterwards and what the next call does.

use std::time::Duration;

use tokenkeeper_core::keeper::InitialSecret;
use tokenkeeper_core::providers::Http;
use tokenkeeper_core::providers::oauth2::{ClientAuth, Endpoints, Grant, OAuthSettings};
use tokenkeeper_core::store::keychain::SecretKind;
use tokenkeeper_core::testing::TestAccount;
use tokenkeeper_core::{Error, ErrorKind, Keeper, ProviderKind, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, FaultAction, FaultTarget};

use crate::helpers::{PASSWORD, USER, fault, keeper, stored};

fn settings(emu: &Emulator, grant: Grant, client_id: &str, auth: ClientAuth) -> OAuthSettings {
    let base = emu.base_url();
    OAuthSettings {
        grant,
        client_id: client_id.to_owned(),
        client_auth: auth,
        scopes: vec!["openid".to_owned(), "offline_access".to_owned()],
        resource: None,
        audience: None,
        endpoints: Endpoints {
            token: format!("{base}/token").parse().unwrap(),
            authorization: Some(format!("{base}/authorize").parse().unwrap()),
            device_authorization: None,
            revocation: None,
        },
        discovered: false,
        iss_parameter: false,
        default_lifetime_secs: None,
        revokes_on_refresh: false,
    }
}

/// An emulated server and a keeper whose public-client account `acc` was added from a refresh
/// token; `total` is the keeper's request timeout.
async fn public_account(total: Duration) -> (Emulator, tempfile::TempDir, Keeper) {
    let emu = Emulator::start(Api::OAuth2, EmulatorConfig::for_api(Api::OAuth2))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path()).with_http(Http::with_timeouts(Duration::from_secs(5), total));
    let new = TestAccount::new("acc", ProviderKind::OAuth2)
        .url(&emu.base_url())
        .oauth(settings(
            &emu,
            Grant::AuthorizationCode,
            "tk-public",
            ClientAuth::None,
        ))
        .build_new();
    let refresh = emu.issue_refresh_token(USER);
    keeper
        .add(new, InitialSecret::RefreshToken(Secret::new(refresh)))
        .await
        .unwrap();
    (emu, dir, keeper)
}

fn refresh_token(keeper: &Keeper) -> String {
    stored(keeper, "acc", SecretKind::Refresh)
        .unwrap()
        .expose()
        .to_owned()
}

#[tokio::test]
async fn a_page_or_an_error_in_the_way_of_a_refresh_keeps_the_refresh_token() {
    let (emu, _dir, keeper) = public_account(Duration::from_secs(10)).await;
    for action in [
        FaultAction::Garbage,
        FaultAction::Html { status: 200 },
        FaultAction::Html { status: 502 },
        FaultAction::ApiError { status: 503 },
        FaultAction::Truncated,
    ] {
        let before = refresh_token(&keeper);
        emu.push_fault(fault(FaultTarget::Refresh, action.clone()));
        let err = keeper.refresh("acc").await.unwrap_err();
        let Error::Api(api) = &err else {
            panic!("{action:?}: {err}");
        };
        assert!(
            matches!(api.kind, ErrorKind::Protocol | ErrorKind::Transient),
            "{action:?}: {err}"
        );
        assert_eq!(refresh_token(&keeper), before, "{action:?}: kept");
        keeper.refresh("acc").await.unwrap();
        assert_ne!(
            refresh_token(&keeper),
            before,
            "{action:?}: the next one rotates"
        );
    }
    assert_eq!(emu.stats().refresh_token_reuse, 0);
}

#[tokio::test]
async fn an_answer_lost_after_the_server_rotated_ends_in_needs_login_and_nothing_stale() {
    let (emu, _dir, keeper) = public_account(Duration::from_millis(800)).await;
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::DelayAfter(Duration::from_secs(2)),
    ));
    let err = keeper.refresh("acc").await.unwrap_err();
    assert!(
        matches!(&err, Error::Api(api) if api.kind == ErrorKind::Transient),
        "{err}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The server rotated meanwhile: the refresh token TokenKeeper holds is spent, and sending it
    // again is a reuse, which ends the grant.
    let err = keeper.refresh("acc").await.unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
    assert_eq!(emu.stats().refresh_token_reuse, 1);
    assert!(stored(&keeper, "acc", SecretKind::Access).is_none());
    assert!(stored(&keeper, "acc", SecretKind::Refresh).is_none());
    let err = keeper
        .token("acc", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    // Nothing more was sent: no refresh token is left to send.
    let requests = emu.stats().refresh_requests;
    let _ = keeper
        .token("acc", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(emu.stats().refresh_requests, requests);
}

#[tokio::test]
async fn a_slow_endpoint_is_waited_for_once_and_a_second_caller_gets_its_answer() {
    let (emu, _dir, keeper) = public_account(Duration::from_secs(10)).await;
    let refreshes = emu.stats().refreshes;
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::Delay(Duration::from_millis(700)),
    ));
    let first = keeper.clone();
    let forced = tokio::spawn(async move { first.refresh("acc").await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The second caller asks for more than the current token has: it waits for the lock, then
    // finds the new token and sends nothing.
    let token = keeper.token("acc", Duration::from_secs(60)).await.unwrap();
    forced.await.unwrap().unwrap();
    assert_eq!(emu.stats().refreshes, refreshes + 1);
    assert!(emu.access_token_valid(token.expose()));
    assert_eq!(emu.stats().refresh_token_reuse, 0);
}

#[tokio::test]
async fn an_answer_that_rotated_without_a_token_keeps_the_new_refresh_token() {
    let (emu, _dir, keeper) = public_account(Duration::from_secs(10)).await;
    let before = refresh_token(&keeper);
    emu.push_fault(fault(
        FaultTarget::Refresh,
        FaultAction::RotateThenMissingToken,
    ));
    let err = keeper.refresh("acc").await.unwrap_err();
    assert!(err.to_string().contains("access_token"), "{err}");
    let rotated = refresh_token(&keeper);
    assert_ne!(
        rotated, before,
        "the refresh token the answer carried is stored"
    );
    keeper.refresh("acc").await.unwrap();
    assert_eq!(emu.stats().refresh_token_reuse, 0);
}

#[tokio::test]
async fn client_credentials_log_in_again_and_a_refused_secret_is_not_sent_twice() {
    let emu = Emulator::start(Api::OAuth2, EmulatorConfig::for_api(Api::OAuth2))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    for (name, auth) in [
        ("basic", ClientAuth::ClientSecretBasic),
        ("post", ClientAuth::ClientSecretPost),
    ] {
        let new = TestAccount::new(name, ProviderKind::OAuth2)
            .url(&emu.base_url())
            .oauth(settings(&emu, Grant::ClientCredentials, USER, auth))
            .build_new();
        keeper
            .add(new, InitialSecret::Password(Secret::new(PASSWORD)))
            .await
            .unwrap();
        assert!(stored(&keeper, name, SecretKind::Refresh).is_none());
        keeper.refresh(name).await.unwrap();
        let token = keeper.token(name, Duration::from_secs(60)).await.unwrap();
        assert!(emu.access_token_valid(token.expose()));
    }
    let logins = emu.stats().logins;
    assert_eq!(logins, 4, "each account logged in twice");
    emu.set_password(USER, "rotated-by-the-admin");
    let err = keeper.refresh("basic").await.unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    assert!(err.to_string().contains("invalid_client"), "{err}");
    let failed = emu.stats().failed_logins;
    let _ = keeper.refresh("basic").await.unwrap_err();
    assert_eq!(
        emu.stats().failed_logins,
        failed,
        "the refused secret is not sent again"
    );
}

#[tokio::test]
async fn a_server_that_revokes_at_each_refresh_gets_promises_only_until_the_next_one() {
    let emu = Emulator::start(Api::OAuth2, EmulatorConfig::for_api(Api::OAuth2))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    for (name, revokes) in [("keeps", false), ("revokes", true)] {
        let mut oauth = settings(
            &emu,
            Grant::AuthorizationCode,
            "tk-public",
            ClientAuth::None,
        );
        oauth.revokes_on_refresh = revokes;
        let new = TestAccount::new(name, ProviderKind::OAuth2)
            .url(&emu.base_url())
            .oauth(oauth)
            .build_new();
        let refresh = Secret::new(emu.issue_refresh_token(USER));
        keeper
            .add(new, InitialSecret::RefreshToken(refresh))
            .await
            .unwrap();
        let info = keeper
            .token_info(name, Duration::from_secs(30))
            .await
            .unwrap();
        let (expires, until) = (info.expires_at.unwrap(), info.valid_until.unwrap());
        if revokes {
            // Promised until the background's late refresh, which comes before the expiry.
            assert!(until < expires, "{name}: {until} < {expires}");
            assert!(keeper.find(name).unwrap().revokes_on_refresh());
        } else {
            assert_eq!(until, expires, "{name}");
        }
    }
}

#[tokio::test]
async fn a_token_endpoint_moved_by_hand_in_config_json_gets_no_secret() {
    let old = Emulator::start(Api::OAuth2, EmulatorConfig::for_api(Api::OAuth2))
        .await
        .unwrap();
    let new = Emulator::start(Api::OAuth2, EmulatorConfig::for_api(Api::OAuth2))
        .await
        .unwrap();
    new.record();
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    // The client secret travels in the body, where a recording server would see it.
    let account = TestAccount::new("svc", ProviderKind::OAuth2)
        .url(&old.base_url())
        .oauth(settings(
            &old,
            Grant::ClientCredentials,
            USER,
            ClientAuth::ClientSecretPost,
        ))
        .build_new();
    keeper
        .add(account, InitialSecret::Password(Secret::new(PASSWORD)))
        .await
        .unwrap();
    let token = stored(&keeper, "svc", SecretKind::Access).unwrap();
    // Only the token endpoint moves (the issuer URL stays): a sync tool or a person editing.
    let path = keeper.paths().config_file();
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json["accounts"][0]["oauth"]["endpoints"]["token"] =
        serde_json::json!(format!("{}/token", new.base_url()));
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let err = keeper.refresh("svc").await.unwrap_err();
    assert!(matches!(err, Error::OriginChanged { .. }), "{err}");
    assert!(err.to_string().contains("OAuth endpoints changed"), "{err}");
    let err = keeper
        .token("svc", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NeedsLogin { .. } | Error::OriginChanged { .. }),
        "{err}"
    );
    assert_eq!(new.stats().requests, 0, "the new endpoint was never asked");
    let received = new.received();
    assert!(!received.contains(PASSWORD) && !received.contains(token.expose()));
    assert!(
        stored(&keeper, "svc", SecretKind::Password).is_none(),
        "deleted"
    );
}

/// A JWT-shaped ID token with these claims (unsigned: TokenKeeper only reads its claims).
fn id_token(claims: serde_json::Value) -> String {
    use base64::Engine as _;
    let part = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.c2ln",
        part(serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        part(claims)
    )
}

/// A server's answer to a refresh, with a rotated refresh token and an ID token for `sub`.
fn answer_for(sub: &str, access: &str, refresh: &str) -> FaultAction {
    FaultAction::Respond {
        status: 200,
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: serde_json::json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 300,
            "refresh_token": refresh,
            "id_token": id_token(serde_json::json!({"iss": "https://id.example.com", "sub": sub, "aud": "tk-public", "iat": 1, "exp": 2})),
        })
        .to_string(),
    }
}

/// OpenID Connect Core §12.2: a refreshed ID token for another `sub` is another person's
/// session. Its tokens are neither stored nor handed out, and the account needs a sign-in.
#[tokio::test]
async fn a_refresh_that_names_another_user_is_refused_and_nothing_of_it_is_kept() {
    let (emu, _dir, keeper) = public_account(Duration::from_secs(10)).await;
    emu.push_fault(fault(
        FaultTarget::Refresh,
        answer_for("alice", "access-alice-1", "refresh-alice-2"),
    ));
    keeper.refresh("acc").await.unwrap();
    assert_eq!(refresh_token(&keeper), "refresh-alice-2");
    // The same user again (and a refresh without an ID token) is fine.
    emu.push_fault(fault(
        FaultTarget::Refresh,
        answer_for("alice", "access-alice-2", "refresh-alice-3"),
    ));
    keeper.refresh("acc").await.unwrap();
    emu.push_fault(fault(
        FaultTarget::Refresh,
        answer_for("mallory", "access-mallory", "refresh-mallory"),
    ));
    let err = keeper.refresh("acc").await.unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    let words = err.to_string();
    assert!(words.contains("another user"), "{words}");
    assert!(
        words.contains("\"mallory\"") && words.contains("\"alice\""),
        "{words}"
    );
    assert!(stored(&keeper, "acc", SecretKind::Refresh).is_none());
    assert!(stored(&keeper, "acc", SecretKind::Access).is_none());
    let err = keeper
        .token("acc", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    let shown = keeper.show("acc").await.unwrap();
    assert_eq!(
        shown.id_token_claims.as_ref().and_then(|c| c.get("sub")),
        Some(&serde_json::json!("alice")),
        "the other user's claims are not recorded as the account's"
    );
}
