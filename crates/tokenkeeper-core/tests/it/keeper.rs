//! The Keeper's operations against the emulators and the real keychain: add, token, refresh,
//! re-login, refused passwords, rotation, failures that must lose nothing, remove.

use std::time::Duration;

use tokenkeeper_core::capabilities::Credential;
use tokenkeeper_core::error::CredentialProblem;
use tokenkeeper_core::keeper::InitialSecret;
use tokenkeeper_core::store::keychain::{Keychain, SecretKind, SecretStore};
use tokenkeeper_core::store::state::Status;
use tokenkeeper_core::{Error, ErrorKind, ProviderKind, Secret};
use tokenkeeper_emulators::{Api, FaultAction, FaultTarget};

use crate::helpers::{
    USER, config_dir_text, fault, first_secret, keeper, kind_of, new_account, start, stored,
    with_account,
};

#[tokio::test]
async fn full_cycle_for_every_provider_keeps_secrets_out_of_the_config_dir() {
    for api in Api::ALL {
        let emu = start(api).await;
        let dir = tempfile::tempdir().unwrap();
        let keeper = keeper(dir.path());
        let secret = first_secret(&emu);
        let given = match &secret {
            InitialSecret::Password(s)
            | InitialSecret::RefreshToken(s)
            | InitialSecret::AccessToken(s) => s.clone(),
            InitialSecret::SignIn { .. } => unreachable!("the emulators take a typed secret"),
        };
        let view = keeper
            .add(new_account(&emu, dir.path(), "acc"), secret)
            .await
            .unwrap();
        assert_eq!(view.status, Status::Fresh, "{api:?}");
        let token = keeper.token("acc", Duration::from_secs(60)).await.unwrap();
        assert_eq!(
            Some(token.clone()),
            stored(&keeper, "acc", SecretKind::Access)
        );
        let refreshed = keeper.refresh("acc").await.unwrap();
        assert!(refreshed.last_error.is_none());
        let newer = keeper.token("acc", Duration::from_secs(60)).await.unwrap();
        assert_ne!(newer, token, "{api:?}: refresh gave a new token");
        let refresh_token = stored(&keeper, "acc", SecretKind::Refresh);
        let text = config_dir_text(&keeper);
        for secret in [Some(given), Some(token), Some(newer), refresh_token]
            .into_iter()
            .flatten()
        {
            assert!(
                !text.contains(secret.expose()),
                "{api:?}: a secret is in the config dir"
            );
        }
        let id = keeper.find("acc").unwrap().id;
        keeper.remove("acc").await.unwrap();
        for kind in SecretKind::ALL {
            assert_eq!(
                Keychain::new().get(id, kind).unwrap(),
                None,
                "{api:?} {kind:?} removed"
            );
        }
        assert!(matches!(keeper.find("acc"), Err(Error::AccountNotFound(_))));
        assert!(
            !config_dir_text(&keeper).contains(&id.to_string()),
            "state entry removed"
        );
    }
}

#[tokio::test]
async fn a_failed_add_stores_nothing() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    let err = keeper
        .add(
            new_account(&emu, dir.path(), "bad"),
            InitialSecret::Password(Secret::new("wrong")),
        )
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.status, api.code.as_deref()),
        (Some(401), Some("unauthorized"))
    );
    assert!(keeper.list().unwrap().is_empty());
    // Wrong secret kind for the API: refused before any request.
    let requests = emu.stats().requests;
    let err = keeper
        .add(
            new_account(&emu, dir.path(), "bad"),
            InitialSecret::RefreshToken(Secret::new("x")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Credentials(CredentialProblem::Unsupported {
                given: Credential::RefreshToken,
                ..
            })
        ),
        "a typed refusal: {err}"
    );
    assert!(
        err.to_string()
            .contains("cannot be set up with a refresh token"),
        "{err}"
    );
    assert_eq!(emu.stats().requests, requests);
    // Names are unique.
    keeper
        .add(new_account(&emu, dir.path(), "ok"), first_secret(&emu))
        .await
        .unwrap();
    let err = keeper
        .add(new_account(&emu, dir.path(), "ok"), first_secret(&emu))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccountExists(_)), "{err}");
    keeper.remove("ok").await.unwrap();
}

#[tokio::test]
async fn a_refused_refresh_logs_in_again_with_the_stored_password() {
    let (emu, _dir, keeper) = with_account(Api::Smartling, "s").await;
    emu.revoke_all();
    let view = keeper.refresh("s").await.unwrap();
    assert_eq!(view.status, Status::Fresh);
    assert_eq!(emu.stats().logins, 2);
    keeper.remove("s").await.unwrap();
}

#[tokio::test]
async fn a_refused_password_is_never_sent_again_until_replaced() {
    let (emu, _dir, keeper) = with_account(Api::RedisEnterprise, "r").await;
    emu.set_password(USER, "rotated-by-admin");
    emu.revoke_all();
    let err = keeper.refresh("r").await.unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    assert_eq!(emu.stats().failed_logins, 1);
    for _ in 0..5 {
        // The token still looks valid by our clock, so force the renewal.
        let err = keeper.refresh("r").await.unwrap_err();
        assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
        let err = keeper
            .token("r", Duration::from_secs(3600))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    }
    assert_eq!(
        emu.stats().failed_logins,
        1,
        "the refused password was not retried"
    );
    let view = &keeper.list().unwrap()[0];
    assert_eq!(view.status, Status::NeedsLogin);
    assert_eq!(view.last_error.as_ref().unwrap().status, Some(401));
    // A new token is not a new password: the refused one stays refused.
    let fresh = emu.issue_access_token(USER, 300);
    keeper
        .login("r", InitialSecret::AccessToken(Secret::new(fresh)))
        .await
        .unwrap();
    assert!(keeper.show("r").await.unwrap().password_refused);
    // A wrong new password is refused and loses nothing: the old token is still stored.
    let before = stored(&keeper, "r", SecretKind::Access);
    assert!(before.is_some());
    let err = keeper
        .login("r", InitialSecret::Password(Secret::new("still-wrong")))
        .await
        .unwrap_err();
    assert_eq!(err.api().and_then(|a| a.status), Some(401), "{err}");
    assert_eq!(stored(&keeper, "r", SecretKind::Access), before);
    keeper
        .login(
            "r",
            InitialSecret::Password(Secret::new("rotated-by-admin")),
        )
        .await
        .unwrap();
    keeper.token("r", Duration::from_secs(60)).await.unwrap();
    assert_eq!(keeper.list().unwrap()[0].status, Status::Fresh);
    keeper.remove("r").await.unwrap();
}

#[tokio::test]
async fn rotated_refresh_tokens_are_stored_and_never_reused() {
    let (emu, _dir, keeper) = with_account(Api::JwtAuthPro, "wp").await;
    let mut seen = vec![stored(&keeper, "wp", SecretKind::Refresh).unwrap()];
    for _ in 0..3 {
        keeper.refresh("wp").await.unwrap();
        let current = stored(&keeper, "wp", SecretKind::Refresh).unwrap();
        assert!(!seen.contains(&current), "a new refresh token each time");
        seen.push(current);
    }
    assert_eq!(emu.stats().refresh_token_reuse, 0);
    assert_eq!(emu.stats().logins, 1);
    keeper.remove("wp").await.unwrap();
}

#[tokio::test]
async fn failures_keep_every_stored_token_and_are_recorded() {
    let (emu, _dir, keeper) = with_account(Api::Smartling, "s").await;
    let access = stored(&keeper, "s", SecretKind::Access);
    let refresh = stored(&keeper, "s", SecretKind::Refresh);
    for action in [
        FaultAction::Drop,
        FaultAction::Garbage,
        FaultAction::Html { status: 503 },
        FaultAction::Huge,
    ] {
        emu.push_fault(fault(FaultTarget::Refresh, action.clone()));
        let err = keeper.refresh("s").await.unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{action:?}: {err}");
        assert_eq!(
            stored(&keeper, "s", SecretKind::Access),
            access,
            "{action:?}"
        );
        assert_eq!(
            stored(&keeper, "s", SecretKind::Refresh),
            refresh,
            "{action:?}"
        );
        let view = &keeper.list().unwrap()[0];
        assert_eq!(view.status, Status::Error);
        assert!(view.last_error.is_some());
    }
    // The kept token still works, and a success clears the error.
    let view = keeper.refresh("s").await.unwrap();
    assert_eq!(view.status, Status::Fresh);
    assert!(view.last_error.is_none());
    assert_eq!(emu.stats().logins, 1, "no login was needed");
    keeper.remove("s").await.unwrap();
}

#[tokio::test]
async fn token_refreshes_only_when_it_would_expire_within_min_valid() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    let mut new = new_account(&emu, dir.path(), "r");
    new.ttl = Some(120);
    keeper.add(new, first_secret(&emu)).await.unwrap();
    let a = keeper.token("r", Duration::from_secs(60)).await.unwrap();
    assert_eq!(emu.stats().refreshes, 0);
    let b = keeper.token("r", Duration::from_secs(110)).await.unwrap();
    assert_eq!(emu.stats().refreshes, 0);
    assert_eq!(a, b);
    // Past what a token lives: it refreshes, says the API's tokens do not live that long, and
    // keeps the new one.
    let err = keeper
        .token("r", Duration::from_secs(125))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LifetimeTooShort {
                asked_secs: 125,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(emu.stats().refreshes, 1);
    let c = keeper.token("r", Duration::from_secs(110)).await.unwrap();
    assert_eq!(emu.stats().refreshes, 1, "the new token was kept");
    assert_ne!(b, c);
    keeper.remove("r").await.unwrap();
}

#[tokio::test]
async fn without_a_password_a_refused_refresh_means_needs_login() {
    // The documented service refuses a revoked refresh token with 401 (the real one answers
    // its default 500, which is retried: see keeper_real_rules).
    let mut config = tokenkeeper_emulators::EmulatorConfig::for_api(Api::GenericJwt);
    config.documented = true;
    let (emu, _dir, keeper) = crate::helpers::with_account_on(config, Api::GenericJwt, "g").await;
    emu.revoke_all();
    let err = keeper.refresh("g").await.unwrap_err();
    match &err {
        Error::NeedsLogin {
            api: Some(api),
            reason,
            ..
        } => {
            assert_eq!(api.kind, ErrorKind::Auth);
            assert!(
                reason.contains("store new credentials (a password or a refresh token)"),
                "{reason}"
            );
            assert!(
                !reason.contains("tokenkeeper"),
                "the core names no CLI command: {reason}"
            );
        }
        other => panic!("expected needs login, got {other}"),
    }
    assert_eq!(keeper.list().unwrap()[0].status, Status::NeedsLogin);
    let fresh = emu.issue_refresh_token(USER);
    keeper
        .login("g", InitialSecret::RefreshToken(Secret::new(fresh)))
        .await
        .unwrap();
    assert_eq!(keeper.list().unwrap()[0].status, Status::Fresh);
    keeper.remove("g").await.unwrap();
}

#[tokio::test]
async fn a_corrupt_config_is_reported_and_never_overwritten() {
    let emu = start(Api::Ece).await;
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    keeper.paths().ensure().unwrap();
    let garbage = "{\"version\": 1, \"accounts\": [{\"name\": }]}";
    std::fs::write(keeper.paths().config_file(), garbage).unwrap();
    assert!(matches!(keeper.list(), Err(Error::FileCorrupt { .. })));
    let err = keeper
        .add(new_account(&emu, dir.path(), "e"), first_secret(&emu))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::FileCorrupt { .. }), "{err}");
    assert_eq!(
        std::fs::read_to_string(keeper.paths().config_file()).unwrap(),
        garbage
    );
    assert_eq!(
        emu.stats().requests,
        0,
        "nothing was asked of the API either"
    );
}

#[test]
fn provider_kinds_match_emulator_ids() {
    for api in Api::ALL.into_iter().chain([Api::OAuth2]) {
        assert_eq!(kind_of(api).id(), api.id());
    }
    // The five vendors' APIs, and OAuth 2.0 (emulated apart from them: Api::ALL is the five).
    assert_eq!(ProviderKind::ALL.len(), Api::ALL.len() + 1);
}

#[tokio::test]
async fn expiring_follows_the_global_refresh_lead_too() {
    use tokenkeeper_core::store::{config, state};
    let (_emu, _dir, keeper) = with_account(Api::Smartling, "s").await;
    let id = keeper.find("s").unwrap().id;
    // A one-hour token with 20 minutes left: fresh by the default lead (12 minutes)...
    let now = chrono::Utc::now();
    state::update_blocking(keeper.paths(), id, |entry| {
        entry.obtained_at = Some(now - chrono::TimeDelta::minutes(40));
        entry.expires_at = Some(now + chrono::TimeDelta::minutes(20));
    })
    .unwrap();
    assert_eq!(keeper.list().unwrap()[0].status, Status::Fresh);
    // ...expiring once the config's global lead is 25 minutes.
    let path = keeper.paths().config_file();
    let mut cfg = config::load(&path).unwrap();
    cfg.settings.refresh_lead_secs = Some(25 * 60);
    config::save(&path, &cfg).unwrap();
    assert_eq!(keeper.list().unwrap()[0].status, Status::Expiring);
    assert_eq!(
        keeper.show("s").await.unwrap().view.status,
        Status::Expiring
    );
    // An account's own lead still wins.
    cfg.accounts[0].refresh_lead_secs = Some(60);
    config::save(&path, &cfg).unwrap();
    assert_eq!(keeper.list().unwrap()[0].status, Status::Fresh);
}

/// A secret store that counts its round trips.
#[derive(Debug, Default)]
struct Counting {
    inner: tokenkeeper_core::store::keychain::MemoryStore,
    reads: std::sync::atomic::AtomicUsize,
    writes: std::sync::atomic::AtomicUsize,
    password_reads: std::sync::atomic::AtomicUsize,
}

impl SecretStore for Counting {
    fn get(
        &self,
        id: tokenkeeper_core::AccountId,
        kind: SecretKind,
    ) -> tokenkeeper_core::Result<Option<Secret>> {
        use std::sync::atomic::Ordering::SeqCst;
        self.reads.fetch_add(1, SeqCst);
        if kind == SecretKind::Password {
            self.password_reads.fetch_add(1, SeqCst);
        }
        self.inner.get(id, kind)
    }
    fn set(
        &self,
        id: tokenkeeper_core::AccountId,
        kind: SecretKind,
        value: &Secret,
    ) -> tokenkeeper_core::Result<()> {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.set(id, kind, value)
    }
    fn delete(
        &self,
        id: tokenkeeper_core::AccountId,
        kind: SecretKind,
    ) -> tokenkeeper_core::Result<()> {
        self.inner.delete(id, kind)
    }
}

#[tokio::test]
async fn a_refresh_reads_the_password_only_when_it_must_log_in() {
    use std::sync::atomic::Ordering::SeqCst;
    let emu = start(Api::Smartling).await;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Counting::default());
    let keeper = tokenkeeper_core::Keeper::with_store(
        tokenkeeper_core::store::paths::Paths::new(dir.path().join("config")),
        store.clone(),
    );
    keeper
        .add(new_account(&emu, dir.path(), "s"), first_secret(&emu))
        .await
        .unwrap();
    let counts = || {
        (
            store.reads.swap(0, SeqCst),
            store.writes.swap(0, SeqCst),
            store.password_reads.swap(0, SeqCst),
        )
    };
    counts();
    // A refresh that works: the access and refresh tokens read, the rotated pair written.
    keeper.refresh("s").await.unwrap();
    assert_eq!(counts(), (2, 2, 0), "reads, writes, password reads");
    // A fresh token: one read.
    keeper.token("s", Duration::from_secs(60)).await.unwrap();
    assert_eq!(counts(), (1, 0, 0));
    // A refused refresh: now the password is read, to log in again.
    emu.revoke_all();
    keeper.refresh("s").await.unwrap();
    let (_, _, password_reads) = counts();
    assert_eq!(password_reads, 1);
    assert_eq!(emu.stats().logins, 2);
}
