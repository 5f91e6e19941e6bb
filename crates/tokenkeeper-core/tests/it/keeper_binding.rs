//! Secrets carry their server with them ([`tokenkeeper_core::store::binding`]): for every API,
//! two servers that record every request they receive (the old one, and a new one that the
//! account's trust settings would reach), and whatever changes the account's settings — a
//! config.json edited by hand or by a sync tool, a refresh that waited on the lock while an edit
//! moved the account, a login with another kind of secret — none of the old server's secrets
//! reaches the new one, and the account says why and needs a login. The typed-again path
//! (`edit_with_login`) still works in one step.

use std::time::Duration;

use tokenkeeper_core::keeper::{AccountChanges, InitialSecret, StateSource};
use tokenkeeper_core::store::keychain::SecretKind;
use tokenkeeper_core::store::state::Status;
use tokenkeeper_core::{Error, Keeper, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, FaultAction, FaultTarget, testcerts};

use crate::api_table::{ApiRow, for_every_api};
use crate::helpers::{
    PASSWORD, USER, fault, first_secret, keeper, new_account, start_with, stored,
};

for_every_api!(
    a_hand_edited_address_sends_nothing_stored_to_the_new_server,
    hand_edited_trust_settings_send_nothing_to_the_same_server,
    a_refresh_that_waited_on_an_edit_sends_the_new_secrets_to_the_new_server_only,
    a_login_with_another_kind_of_secret_replaces_every_stored_one,
);

/// The new server's password: not the old one's, so the old one would be recognised.
const NEW_PASSWORD: &str = "n3w-server-passw0rd";

/// Two servers of `api` reachable with the same trust settings (TLS ones serve one certificate,
/// which the account's CA file holds), both recording; an account added on the old one.
struct Two {
    old: Emulator,
    new: Emulator,
    dir: tempfile::TempDir,
    keeper: Keeper,
    /// The secret the account was added with.
    given: String,
}

async fn two_servers(row: &ApiRow) -> Two {
    let mut config = EmulatorConfig::for_api(row.api);
    if config.tls {
        config.tls_identity = Some(testcerts::ca_and_leaf(&["127.0.0.1", "localhost"]).1);
    }
    let old = start_with(config.clone(), row.api).await;
    config.users = vec![(USER.to_owned(), NEW_PASSWORD.to_owned())];
    let new = start_with(config, row.api).await;
    old.record();
    new.record();
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    let secret = first_secret(&old);
    let given = match &secret {
        InitialSecret::Password(s)
        | InitialSecret::RefreshToken(s)
        | InitialSecret::AccessToken(s) => s.expose().to_owned(),
        InitialSecret::SignIn { .. } => unreachable!("the emulators take a typed secret"),
    };
    keeper
        .add(new_account(&old, dir.path(), "acc"), secret)
        .await
        .unwrap();
    Two {
        old,
        new,
        dir,
        keeper,
        given,
    }
}

impl Two {
    /// Every secret the account holds now, and the one it was added with.
    fn secrets(&self) -> Vec<String> {
        let mut all = vec![self.given.clone(), PASSWORD.to_owned()];
        for kind in SecretKind::ALL {
            if let Some(s) = stored(&self.keeper, "acc", kind) {
                all.push(s.expose().to_owned());
            }
        }
        all
    }

    /// The secret that proves the account against the new server.
    fn new_secret(&self) -> InitialSecret {
        if self.new.api() == Api::GenericJwt {
            InitialSecret::RefreshToken(Secret::new(self.new.issue_refresh_token(USER)))
        } else {
            InitialSecret::Password(Secret::new(NEW_PASSWORD))
        }
    }

    /// Rewrites config.json as a person or a sync tool would: text in, text out.
    fn edit_config_by_hand(&self, change: impl FnOnce(&mut serde_json::Value)) {
        let path = self.keeper.paths().config_file();
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        change(&mut json["accounts"][0]);
        std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}

#[track_caller]
fn assert_received_none(server: &Emulator, secrets: &[String], what: &str) {
    let received = server.received();
    for secret in secrets {
        assert!(
            !received.contains(secret.as_str()),
            "{what}: the server received a secret ({} bytes) that was stored for other settings",
            secret.len()
        );
    }
}

#[track_caller]
fn assert_nothing_stored(keeper: &Keeper) {
    for kind in SecretKind::ALL {
        assert!(
            stored(keeper, "acc", kind).is_none(),
            "{kind:?} still stored"
        );
    }
}

async fn a_hand_edited_address_sends_nothing_stored_to_the_new_server(row: &ApiRow) {
    let two = two_servers(row).await;
    let old_secrets = two.secrets();
    let new_url = two.new.base_url();
    two.edit_config_by_hand(|account| account["url"] = new_url.clone().into());
    // `token --min-valid 1` would hand out the old server's token: it says why instead.
    let err = two
        .keeper
        .token("acc", Duration::from_secs(1))
        .await
        .unwrap_err();
    let Error::OriginChanged { change, .. } = &err else {
        panic!("{:?}: {err}", row.api);
    };
    assert!(change.contains("the address changed"), "{change}");
    assert!(err.to_string().contains("log in again"), "{err}");
    assert_nothing_stored(&two.keeper);
    let view = &two.keeper.list().unwrap()[0];
    assert_eq!(view.status, Status::NeedsLogin);
    assert!(
        view.last_error
            .as_ref()
            .is_some_and(|e| e.message.contains("the address changed")),
        "{:?}",
        view.last_error
    );
    // Every other path finds nothing to send either.
    assert!(matches!(
        two.keeper.refresh("acc").await.unwrap_err(),
        Error::NeedsLogin { .. }
    ));
    assert_eq!(two.new.stats().requests, 0, "{:?}", row.api);
    assert_received_none(&two.new, &old_secrets, "new server");
    // Logging in against the new server works in one step.
    two.keeper.login("acc", two.new_secret()).await.unwrap();
    let token = two
        .keeper
        .token("acc", Duration::from_secs(60))
        .await
        .unwrap();
    assert!(two.new.access_token_valid(token.expose()));
    assert_received_none(&two.new, &old_secrets, "new server after the login");
    drop(two.dir);
}

async fn hand_edited_trust_settings_send_nothing_to_the_same_server(row: &ApiRow) {
    type Change = fn(&mut serde_json::Value, &std::path::Path);
    let changes: [(&str, Change); 4] = [
        ("verification was turned off", |a, _| {
            a["insecure"] = true.into();
        }),
        ("pinned", |a, _| {
            a["trust_cert"] = format!("{:064x}", 7).into();
        }),
        ("CA file", |a, dir| {
            let other = dir.join("other-ca.pem");
            std::fs::write(&other, testcerts::ca_and_leaf(&["elsewhere.example"]).0).unwrap();
            a["ca_cert"] = other.display().to_string().into();
        }),
        ("the address changed", |a, _| {
            let url = format!(
                "{}/other-base",
                a["url"].as_str().unwrap().trim_end_matches('/')
            );
            a["url"] = url.into();
        }),
    ];
    for (word, change) in changes {
        let two = two_servers(row).await;
        let secrets = two.secrets();
        let before = two.old.stats().requests;
        let dir = two.dir.path().to_owned();
        two.edit_config_by_hand(|a| change(a, &dir));
        let err = two.keeper.refresh("acc").await.unwrap_err();
        assert!(
            matches!(&err, Error::OriginChanged { change, .. } if change.contains(word)),
            "{:?} {word}: {err}",
            row.api
        );
        assert_eq!(
            two.old.stats().requests,
            before,
            "{:?} {word}: a request was sent",
            row.api
        );
        assert_nothing_stored(&two.keeper);
        assert_received_none(&two.new, &secrets, word);
    }
}

async fn a_refresh_that_waited_on_an_edit_sends_the_new_secrets_to_the_new_server_only(
    row: &ApiRow,
) {
    let two = two_servers(row).await;
    let old_secrets = two.secrets();
    // What the engine holds: the account and state as they were before the edit.
    let stale = two.keeper.find("acc").unwrap();
    let state = tokenkeeper_core::store::state::read(two.keeper.paths(), stale.id).unwrap();
    let changes = AccountChanges {
        url: Some(tokenkeeper_core::account::parse_base_url(&two.new.base_url()).unwrap()),
        ..AccountChanges::default()
    };
    // The new server answers the edit's login slowly, so the edit holds the account lock
    // while the engine's attempt, made with its old copy, starts and waits for it.
    two.new.push_fault(fault(
        FaultTarget::Any,
        FaultAction::Delay(Duration::from_millis(300)),
    ));
    let edit = two.keeper.edit_with_login("acc", changes, two.new_secret());
    let keeper = two.keeper.clone();
    let new = &two.new;
    let racing = async move {
        while new.stats().requests == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        keeper
            .attempt(&stale, StateSource::Given(&state), Duration::ZERO, true)
            .await
    };
    let (edited, attempt) = tokio::join!(edit, racing);
    edited.unwrap();
    let old_requests_after = two.old.stats().requests;
    let token = attempt.result.unwrap();
    assert!(
        two.new.access_token_valid(token.expose()),
        "{:?}: the attempt used the settings as they are now",
        row.api
    );
    assert_received_none(&two.new, &old_secrets, "new server");
    let new_secrets: Vec<String> = two
        .secrets()
        .into_iter()
        .filter(|s| !old_secrets.contains(s))
        .chain([NEW_PASSWORD.to_owned()])
        .collect();
    assert_received_none(&two.old, &new_secrets, "old server");
    assert_eq!(
        two.old.stats().requests,
        old_requests_after,
        "{:?}: the old server was asked after the edit",
        row.api
    );
}

async fn a_login_with_another_kind_of_secret_replaces_every_stored_one(row: &ApiRow) {
    let two = two_servers(row).await;
    let account = two.keeper.find("acc").unwrap();
    let caps = tokenkeeper_core::capabilities::of(account.provider);
    let Some(other) = caps
        .credentials
        .iter()
        .find(|c| **c != tokenkeeper_core::capabilities::Credential::Password)
    else {
        return;
    };
    let secret = match other {
        tokenkeeper_core::capabilities::Credential::AccessToken => {
            InitialSecret::AccessToken(Secret::new(two.old.issue_access_token(USER, 600)))
        }
        _ => InitialSecret::RefreshToken(Secret::new(two.old.issue_refresh_token(USER))),
    };
    if stored(&two.keeper, "acc", SecretKind::Password).is_none() {
        // Added with a refresh token (the generic service): a password first.
        two.keeper
            .login("acc", InitialSecret::Password(Secret::new(PASSWORD)))
            .await
            .unwrap();
    }
    assert!(stored(&two.keeper, "acc", SecretKind::Password).is_some());
    two.keeper.login("acc", secret).await.unwrap();
    assert_eq!(
        stored(&two.keeper, "acc", SecretKind::Password),
        None,
        "{:?}: the old password stayed beside the new {other:?}",
        row.api
    );
    // Moved to the new server by hand, nothing of the old login follows.
    let secrets = two.secrets();
    let new_url = two.new.base_url();
    two.edit_config_by_hand(|a| a["url"] = new_url.clone().into());
    assert!(two.keeper.refresh("acc").await.is_err());
    assert_received_none(&two.new, &secrets, "new server");
}
