//! Secrets are bound to their origin: an edit that changes the server (scheme, host, port) or
//! the trust settings without a new secret deletes the stored secrets, and nothing stored for
//! the old server is ever sent to the new one (the emulators count what they receive).

use std::time::Duration;

use tokenkeeper_core::keeper::{AccountChanges, InitialSecret};
use tokenkeeper_core::store::keychain::SecretKind;
use tokenkeeper_core::store::state::Status;
use tokenkeeper_core::{Error, Secret};
use tokenkeeper_emulators::Api;

use crate::helpers::{PASSWORD, start, stored, with_account};

#[tokio::test]
async fn a_new_server_without_a_new_secret_gets_nothing_stored_for_the_old_one() {
    let (old, _dir, keeper) = with_account(Api::JwtAuthPro, "wp").await;
    let new = start(Api::JwtAuthPro).await;
    let changes = AccountChanges {
        url: Some(tokenkeeper_core::account::parse_base_url(&new.base_url()).unwrap()),
        ..AccountChanges::default()
    };
    let edited = keeper.edit("wp", changes).await.unwrap();
    assert!(edited.secrets_deleted);
    for kind in SecretKind::ALL {
        assert_eq!(stored(&keeper, "wp", kind), None, "{kind:?}");
    }
    let old_requests = old.stats().requests;
    let err = keeper
        .token("wp", Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NeedsLogin { .. }), "{err}");
    assert_eq!(keeper.list().unwrap()[0].status, Status::NeedsLogin);
    assert_eq!(new.stats().requests, 0, "the new server received nothing");
    assert_eq!(old.stats().requests, old_requests);
    // The user logs in against the new server: a working account again.
    keeper
        .login("wp", InitialSecret::Password(Secret::new(PASSWORD)))
        .await
        .unwrap();
    assert_eq!(new.stats().logins, 1);
}

#[tokio::test]
async fn a_trust_change_deletes_the_secrets_and_other_changes_keep_them() {
    let (_emu, _dir, keeper) = with_account(Api::Smartling, "s").await;
    // A new refresh lead: same server, same trust.
    let edited = keeper
        .edit(
            "s",
            AccountChanges {
                refresh_lead_secs: Some(Some(90)),
                ..AccountChanges::default()
            },
        )
        .await
        .unwrap();
    assert!(!edited.secrets_deleted);
    assert!(stored(&keeper, "s", SecretKind::Password).is_some());
    // Verification switched off: the secrets do not follow.
    let edited = keeper
        .edit(
            "s",
            AccountChanges {
                insecure: Some(true),
                ..AccountChanges::default()
            },
        )
        .await
        .unwrap();
    assert!(edited.secrets_deleted);
    assert_eq!(stored(&keeper, "s", SecretKind::Password), None);
}
