//! One engine per config directory: the engine's backend (the background's, the demo's) runs
//! it under the directory's lock, serves the token agent while it runs, and follows the CLI's
//! changes; a second one for the same directory is refused.

use std::sync::Arc;
use std::time::Duration;

use tokenkeeper_app_core::backend::Backend;
use tokenkeeper_app_core::backend::clipboard::MemoryClipboard;
use tokenkeeper_app_core::background::BackgroundState;
use tokenkeeper_core::store::lock::FileLock;
use tokenkeeper_emulators::Api;

use crate::helpers::{Setup, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_runs_once_per_directory_and_shutdown_frees_it() {
    let s = Setup::new(Api::Smartling).await;
    s.paths().ensure().unwrap();
    // Another process holds the directory: a second engine is refused, saying so.
    let other = FileLock::try_acquire(&s.paths().engine_lock())
        .unwrap()
        .unwrap();
    let err = Backend::start_engine(s.cli(), Arc::new(MemoryClipboard::default()), false)
        .await
        .unwrap_err();
    assert!(err.message.contains("already refreshing"), "{err:?}");
    drop(other);
    // Free: the engine runs here and schedules the accounts.
    let backend = s.backend().await;
    assert!(matches!(*backend, Backend::Engine(_)));
    assert_eq!(backend.background(), BackgroundState::Here);
    s.add_with_cli("acc").await;
    let o = eventually(&backend, 5, "the engine plans a refresh", |o| {
        o.accounts.len() == 1 && o.accounts[0].view.next_refresh_at.is_some()
    })
    .await;
    assert_eq!(o.accounts[0].view.name, "acc");
    // Refresh now goes to the engine: a new token arrives as a change.
    let id = o.accounts[0].view.id.to_string();
    let before = o.accounts[0].view.token_fingerprint.clone();
    backend.refresh(&id).await.unwrap();
    eventually(&backend, 5, "a new token", |o| {
        o.accounts[0].view.token_fingerprint != before
    })
    .await;
    // While it runs, no other engine can take the directory.
    assert!(
        FileLock::try_acquire(&s.paths().engine_lock())
            .unwrap()
            .is_none()
    );
    backend.shutdown().await;
    assert!(
        FileLock::try_acquire(&s.paths().engine_lock())
            .unwrap()
            .is_some(),
        "shutdown frees the directory"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_engine_here_cli_adds_and_removes_show_within_seconds() {
    let s = Setup::new(Api::JwtAuthPro).await;
    let backend = s.backend().await;
    assert_eq!(backend.overview().await.background, BackgroundState::Here);
    s.add_with_cli("one").await;
    s.add_with_cli("two").await;
    eventually(&backend, 5, "both accounts, scheduled", |o| {
        o.accounts.len() == 2 && o.accounts.iter().all(|a| a.view.next_refresh_at.is_some())
    })
    .await;
    s.cli().remove("one").await.unwrap();
    let o = eventually(&backend, 5, "one account left", |o| o.accounts.len() == 1).await;
    assert_eq!(o.accounts[0].view.name, "two");
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_serves_the_token_agent_while_it_runs() {
    let s = Setup::new(Api::Smartling).await;
    s.paths().ensure().unwrap();
    let socket = tokenkeeper_core::agent::socket_path(&s.paths()).unwrap();
    s.add_with_cli("acc").await;
    assert!(!socket.exists(), "no engine, no agent");
    assert!(
        tokenkeeper_core::agent::client::token(&s.paths(), "acc", Duration::from_secs(60))
            .await
            .is_none()
    );
    let backend = s.backend().await;
    let info = tokenkeeper_core::agent::client::token(&s.paths(), "acc", Duration::from_secs(60))
        .await
        .expect("the engine's agent answers")
        .unwrap();
    let direct = s.cli().token("acc", Duration::ZERO).await.unwrap();
    assert_eq!(info.token.expose(), direct.expose());
    assert_eq!(
        info.fingerprint,
        tokenkeeper_core::token::fingerprint(direct.expose())
    );
    backend.shutdown().await;
    assert!(!socket.exists(), "the socket goes with the engine");
}
