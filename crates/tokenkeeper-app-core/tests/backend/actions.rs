//! What the window's buttons and the tray's menu do: copy (clipboard rules), reveal, refresh,
//! refresh all, add with the API's error inline, and the keychain banner.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokenkeeper_app_core::backend::MIN_VALID;
use tokenkeeper_app_core::backend::clipboard::SecretClipboard;
use tokenkeeper_app_core::background::protocol::CopyForm;
use tokenkeeper_app_core::dto::AppSettings;
use tokenkeeper_app_core::error::ErrorCode;
use tokenkeeper_app_core::tray::{TrayAction, model};
use tokenkeeper_core::token::fingerprint;
use tokenkeeper_emulators::Api;

use crate::helpers::{Setup, eventually};

async fn set_clear_after(backend: &tokenkeeper_app_core::backend::Backend, secs: u64) {
    backend
        .save_settings(&AppSettings {
            refresh_lead_secs: None,
            clipboard_clear_secs: secs,
            notifications: true,
            autostart: false,
        })
        .await
        .unwrap();
}

/// Copy as header: `Authorization: JWT …` for Redis Enterprise (`Bearer` for the others), the
/// fingerprint the token's, cleared after the same delay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_as_header_copies_the_header_the_api_wants_and_clears_it() {
    let s = Setup::new(Api::RedisEnterprise).await;
    let backend = s.backend().await;
    backend.add(s.form("acc")).await.unwrap();
    let id = backend.overview().await.accounts[0].view.id.to_string();
    set_clear_after(&backend, 1).await;
    let copied = backend.copy_as(&id, CopyForm::Header).await.unwrap();
    let token = s.cli().token("acc", Duration::ZERO).await.unwrap();
    assert_eq!(
        s.clipboard.text(),
        Some(format!("Authorization: JWT {}", token.expose()))
    );
    assert_eq!(copied.fingerprint, fingerprint(token.expose()));
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(s.clipboard.text(), None, "cleared after the delay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_puts_a_fresh_token_on_the_clipboard_and_clears_it_only_if_still_ours() {
    let s = Setup::new(Api::Smartling).await;
    let backend = s.backend().await;
    backend.add(s.form("acc")).await.unwrap();
    let id = backend.overview().await.accounts[0].view.id.to_string();
    set_clear_after(&backend, 1).await;

    let copied = backend.copy(&id).await.unwrap();
    let on_clipboard = s.clipboard.text().expect("the token is on the clipboard");
    assert_eq!(copied.fingerprint, fingerprint(&on_clipboard));
    assert!(
        copied.valid_for_secs >= MIN_VALID.as_secs() as i64,
        "{copied:?}"
    );
    assert_eq!(copied.clear_after_secs, 1);
    // The emulator accepts it as a bearer token.
    let token = s.cli().token("acc", Duration::ZERO).await.unwrap();
    assert_eq!(token.expose(), on_clipboard);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(s.clipboard.text(), None, "cleared after the delay");

    // A second Copy restarts the delay: the first copy's timer leaves it alone.
    backend.copy(&id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    backend.copy(&id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        s.clipboard.text().is_some(),
        "the second copy's own delay runs"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        s.clipboard.text(),
        None,
        "cleared after the second copy's delay"
    );

    // Something else copied meanwhile stays.
    backend.copy(&id).await.unwrap();
    s.clipboard.copy_elsewhere("the user's own text");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(s.clipboard.text().as_deref(), Some("the user's own text"));

    // Quitting clears our token.
    set_clear_after(&backend, 3600).await;
    backend.copy(&id).await.unwrap();
    assert!(s.clipboard.text().is_some());
    backend.shutdown().await;
    assert_eq!(s.clipboard.text(), None, "quit clears our token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_hands_over_the_token_with_its_expiry_and_a_hide_delay() {
    let s = Setup::new(Api::Ece).await;
    let backend = s.backend().await;
    backend.add(s.form("acc")).await.unwrap();
    let id = backend.overview().await.accounts[0].view.id.to_string();
    let revealed = backend.reveal(&id).await.unwrap();
    assert_eq!(
        revealed.token,
        s.cli().token("acc", Duration::ZERO).await.unwrap().expose()
    );
    assert_eq!(revealed.hide_after_secs, 30);
    assert!(format!("{revealed:?}").contains("***"), "Debug hides it");
    assert!(!format!("{revealed:?}").contains(&revealed.token));
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_menu_copies_any_account_and_refreshes_them_all() {
    let s = Setup::new(Api::JwtAuthPro).await;
    let backend = s.backend().await;
    backend.add(s.form("a")).await.unwrap();
    backend.add(s.form("b")).await.unwrap();
    let o = backend.overview().await;
    let menu = model(&o.accounts, chrono::Utc::now());
    // Each account's submenu: its label, and its Copy action.
    let copies: Vec<(String, TrayAction)> = menu
        .iter()
        .filter_map(|e| match e {
            tokenkeeper_app_core::tray::Entry::Account { label, items } => {
                items.iter().find_map(|i| match i {
                    tokenkeeper_app_core::tray::Entry::Item {
                        action: action @ TrayAction::Copy(_),
                        ..
                    } => Some((label.clone(), action.clone())),
                    _ => None,
                })
            }
            _ => None,
        })
        .collect();
    assert_eq!(copies.len(), 2, "one Copy entry per account");
    // "b ▸ Copy token" (as the menu id parses) copies b's token.
    let (_, action) = copies
        .iter()
        .find(|(label, _)| label.starts_with("b · "))
        .unwrap();
    let TrayAction::Copy(id) = TrayAction::parse(&action.id()).unwrap() else {
        panic!("not a copy action");
    };
    backend.copy(&id).await.unwrap();
    assert_eq!(
        s.clipboard.text().unwrap(),
        s.cli().token("b", Duration::ZERO).await.unwrap().expose()
    );
    // Refresh all: every account gets a new token from the engine.
    let before: Vec<_> = o
        .accounts
        .iter()
        .map(|a| a.view.token_fingerprint.clone())
        .collect();
    for (name, result) in backend.refresh_all().await {
        result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    eventually(&backend, 10, "both refreshed", |o| {
        o.accounts
            .iter()
            .zip(&before)
            .all(|(a, b)| a.view.token_fingerprint != *b && !a.refreshing)
    })
    .await;
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_first_login_comes_back_in_the_apis_words_and_stores_nothing() {
    let s = Setup::new(Api::Ece).await;
    let backend = s.backend().await;
    let mut form = s.form("acc");
    form.secret = "wrong".into();
    let e = backend.add(form).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Auth, "{e:?}");
    let api = e.api.expect("the API's words");
    assert_eq!(api.status, Some(401));
    assert_eq!(api.code.as_deref(), Some("root.unauthenticated"));
    assert!(backend.overview().await.accounts.is_empty());
    assert!(s.cli().accounts().unwrap().is_empty(), "nothing stored");
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_keychain_is_a_banner_and_the_list_still_shows_what_the_files_know() {
    let s = Setup::new(Api::Smartling).await;
    s.add_with_cli("acc").await;
    s.store.locked.store(true, Ordering::SeqCst);
    let backend = s.backend().await;
    let o = backend.overview().await;
    let banner = o.keychain.expect("a keychain banner");
    assert_eq!(banner.code, ErrorCode::Keychain);
    assert!(banner.message.contains("unlock it and retry"), "{banner:?}");
    assert_eq!(o.accounts.len(), 1, "the list still shows the account");
    assert!(o.accounts[0].view.expires_at.is_some());
    let id = o.accounts[0].view.id.to_string();
    let e = backend.copy(&id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Keychain);
    assert_eq!(s.clipboard.text(), None);
    // Unlocked: Retry clears the banner, and Copy works again.
    s.store.locked.store(false, Ordering::SeqCst);
    assert!(backend.check_keychain().await.is_none());
    assert!(backend.overview().await.keychain.is_none());
    backend.copy(&id).await.unwrap();
    assert!(s.clipboard.text().is_some());
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_comes_with_what_was_presented_and_trusting_it_works() {
    let s = Setup::new(Api::RedisEnterprise).await;
    assert!(s.emu.base_url().starts_with("https://"), "a TLS emulator");
    let backend = s.backend().await;
    let mut form = s.form("cluster");
    form.ca_cert = None;
    let e = backend.add(form.clone()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Certificate, "{e:?}");
    let problem = e.certificate.expect("what the server presented");
    let leaf = problem.presented.first().expect("a certificate");
    assert!(leaf.self_signed, "{leaf:?}");
    assert!(s.cli().accounts().unwrap().is_empty(), "nothing stored");
    // "Trust this certificate": the same form with the presented fingerprint.
    form.trust_cert = Some(leaf.sha256.to_string());
    backend.add(form).await.unwrap();
    let o = backend.overview().await;
    assert_eq!(o.accounts.len(), 1);
    assert_eq!(o.accounts[0].view.trust_cert, Some(leaf.sha256));
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_with_a_new_secret_proves_the_new_settings_before_saving_them() {
    let s = Setup::new(Api::Smartling).await;
    let backend = s.backend().await;
    backend.add(s.form("acc")).await.unwrap();
    let id = backend.overview().await.accounts[0].view.id.to_string();
    let old_url = s.cli().find("acc").unwrap().url;
    let other = crate::helpers::Setup::new(Api::Smartling).await;
    // The new server refuses the typed secret: nothing is saved.
    let mut form = other.form("acc");
    form.secret = "wrong".into();
    let e = backend.edit(&id, form).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Auth, "{e:?}");
    assert_eq!(
        s.cli().find("acc").unwrap().url,
        old_url,
        "settings unchanged"
    );
    // The right secret: saved, with a token from the new server.
    let view = backend.edit(&id, other.form("acc")).await.unwrap();
    assert_eq!(s.cli().find("acc").unwrap().url.as_str(), view.url);
    assert_ne!(view.url, old_url.as_str());
    assert_eq!(
        s.cli().token("acc", Duration::ZERO).await.unwrap().expose(),
        backend.reveal(&id).await.unwrap().token
    );
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_the_server_without_a_secret_deletes_the_stored_secrets_and_sends_nothing_there() {
    let s = Setup::new(Api::Smartling).await;
    let backend = s.backend().await;
    backend.add(s.form("acc")).await.unwrap();
    let id = backend.overview().await.accounts[0].view.id.to_string();
    let account_id = s.cli().find("acc").unwrap().id;
    // A new address, the secret left empty (as the form allows).
    let other = Setup::new(Api::Smartling).await;
    let mut form = other.form("acc");
    form.secret = String::new();
    let view = backend.edit(&id, form).await.unwrap();
    assert_eq!(
        view.status,
        tokenkeeper_core::store::state::Status::NeedsLogin
    );
    assert!(
        view.last_error
            .as_ref()
            .is_some_and(|e| e.message.contains("never sent to the new settings")),
        "{view:?}"
    );
    use tokenkeeper_core::store::keychain::{SecretKind, SecretStore};
    for kind in SecretKind::ALL {
        assert_eq!(
            s.store.get(account_id, kind).unwrap(),
            None,
            "{kind:?} deleted"
        );
    }
    // Refresh, Copy, Reveal: nothing reaches the new server.
    let _ = backend.refresh(&id).await;
    assert!(backend.copy(&id).await.is_err());
    assert!(backend.reveal(&id).await.is_err());
    assert_eq!(
        other.emu.stats().requests,
        0,
        "the new server received nothing"
    );
    // A change that keeps the server and the trust keeps the secrets.
    let t = Setup::new(Api::Smartling).await;
    let backend = t.backend().await;
    backend.add(t.form("keep")).await.unwrap();
    let id = backend.overview().await.accounts[0].view.id.to_string();
    let mut form = t.form("keep");
    form.secret = String::new();
    form.refresh_lead_secs = Some(90);
    let view = backend.edit(&id, form).await.unwrap();
    assert_eq!(view.status, tokenkeeper_core::store::state::Status::Fresh);
    assert!(backend.copy(&id).await.is_ok());
    backend.shutdown().await;
}
