//! One engine per config directory: the app runs it unless a daemon holds the directory, then
//! follows the daemon's files, and takes over when the daemon stops.

use std::time::Duration;

use tokenkeeper_app_core::dto::EngineOwner;
use tokenkeeper_core::store::lock::FileLock;
use tokenkeeper_emulators::Api;

use crate::helpers::{Setup, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_runs_the_engine_unless_a_daemon_holds_the_directory_and_takes_over_after() {
    let s = Setup::new(Api::Smartling).await;
    s.paths().ensure().unwrap();
    // A daemon holds the directory.
    let daemon = FileLock::try_acquire(&s.paths().engine_lock())
        .unwrap()
        .unwrap();
    let backend = s.backend().await;
    assert_eq!(backend.overview().await.engine, EngineOwner::Daemon);
    assert!(!backend.take_over_if_free().await.unwrap(), "still held");
    // The app's own accounts appear while following (through the files).
    s.add_with_cli("added-by-cli").await;
    eventually(&backend, 5, "the CLI's account shows", |o| {
        o.accounts.iter().any(|a| a.view.name == "added-by-cli")
    })
    .await;
    // Refresh now acts through the keeper, under the account's lock.
    let id = backend.overview().await.accounts[0].view.id.to_string();
    let before = backend.overview().await.accounts[0]
        .view
        .token_fingerprint
        .clone();
    backend.refresh(&id).await.unwrap();
    let after = eventually(&backend, 5, "a new token", |o| {
        o.accounts[0].view.token_fingerprint != before
    })
    .await;
    assert_eq!(after.engine, EngineOwner::Daemon);
    // The daemon stops: the app takes over and its engine schedules the account.
    drop(daemon);
    assert!(backend.take_over_if_free().await.unwrap());
    let o = eventually(&backend, 5, "the app's engine plans a refresh", |o| {
        o.engine == EngineOwner::App && o.accounts[0].view.next_refresh_at.is_some()
    })
    .await;
    assert_eq!(o.accounts.len(), 1);
    // Now a second app (or daemon) cannot take the directory.
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
    assert_eq!(backend.overview().await.engine, EngineOwner::App);
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
async fn the_app_serves_the_token_agent_only_while_it_runs_the_engine() {
    let s = Setup::new(Api::Smartling).await;
    s.paths().ensure().unwrap();
    let socket = tokenkeeper_core::agent::socket_path(&s.paths()).unwrap();
    // Following a daemon: no agent of the app's.
    let daemon = FileLock::try_acquire(&s.paths().engine_lock())
        .unwrap()
        .unwrap();
    let backend = s.backend().await;
    s.add_with_cli("acc").await;
    assert!(!socket.exists());
    assert!(
        tokenkeeper_core::agent::client::token(&s.paths(), "acc", Duration::from_secs(60))
            .await
            .is_none()
    );
    drop(daemon);
    assert!(backend.take_over_if_free().await.unwrap());
    let info = tokenkeeper_core::agent::client::token(&s.paths(), "acc", Duration::from_secs(60))
        .await
        .expect("the app's agent answers")
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
