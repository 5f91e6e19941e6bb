//! The real OS keychain (Secret Service via gnome-keyring in the test command's D-Bus session).

use tokenkeeper_core::store::keychain::{Keychain, SERVICE, SecretKind, SecretStore};
use tokenkeeper_core::{AccountId, Secret};

fn secret_tool_lookup(id: AccountId, kind: SecretKind) -> Option<String> {
    let user = format!("{id}/{}", kind.as_str());
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", SERVICE, "username", &user])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by the test command");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn set_get_replace_delete_round_trip_in_the_real_keychain() {
    let store = Keychain::new();
    let id = AccountId::generate();
    assert_eq!(store.get(id, SecretKind::Refresh).unwrap(), None);
    store
        .set(id, SecretKind::Refresh, &Secret::new("rt-1"))
        .unwrap();
    assert_eq!(
        store.get(id, SecretKind::Refresh).unwrap(),
        Some(Secret::new("rt-1"))
    );
    // Seen by another client of the Secret Service under our service/user names.
    assert_eq!(
        secret_tool_lookup(id, SecretKind::Refresh).as_deref(),
        Some("rt-1")
    );
    store
        .set(id, SecretKind::Refresh, &Secret::new("rt-2"))
        .unwrap();
    assert_eq!(
        store.get(id, SecretKind::Refresh).unwrap(),
        Some(Secret::new("rt-2"))
    );
    // Kinds are separate entries.
    assert_eq!(store.get(id, SecretKind::Access).unwrap(), None);
    store.delete(id, SecretKind::Refresh).unwrap();
    assert_eq!(store.get(id, SecretKind::Refresh).unwrap(), None);
    assert_eq!(secret_tool_lookup(id, SecretKind::Refresh), None);
    // Deleting what is not there is fine.
    store.delete(id, SecretKind::Refresh).unwrap();
}

#[test]
fn two_accounts_never_share_entries() {
    let store = Keychain::new();
    let (a, b) = (AccountId::generate(), AccountId::generate());
    store
        .set(a, SecretKind::Password, &Secret::new("pa"))
        .unwrap();
    store
        .set(b, SecretKind::Password, &Secret::new("pb"))
        .unwrap();
    assert_eq!(
        store.get(a, SecretKind::Password).unwrap(),
        Some(Secret::new("pa"))
    );
    assert_eq!(
        store.get(b, SecretKind::Password).unwrap(),
        Some(Secret::new("pb"))
    );
    store.delete(a, SecretKind::Password).unwrap();
    assert_eq!(
        store.get(b, SecretKind::Password).unwrap(),
        Some(Secret::new("pb"))
    );
    store.delete(b, SecretKind::Password).unwrap();
}
