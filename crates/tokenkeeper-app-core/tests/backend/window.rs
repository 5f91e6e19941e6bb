//! A window's backend and its background, over the real socket, with the background in this
//! process (started by the launcher the window calls): the window copies through the
//! background, sees it die and start again, and closes when the user quits it. The real
//! processes are tested end to end (tests/e2e/tests/background.rs).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenkeeper_app_core::backend::Backend;
use tokenkeeper_app_core::backend::clipboard::{MemoryClipboard, SecretClipboard};
use tokenkeeper_app_core::background::protocol::{CopyForm, TrayState};
use tokenkeeper_app_core::background::{self, BackgroundState, Launch, server};
use tokenkeeper_app_core::error::ErrorCode;
use tokenkeeper_core::Keeper;
use tokenkeeper_emulators::Api;
use tokio::sync::watch;

use crate::helpers::{Setup, eventually};

/// Starts a background in this process: an engine backend and its socket. Each launch counts.
#[derive(Debug)]
struct InProcess {
    keeper: Keeper,
    clipboard: Arc<MemoryClipboard>,
    #[allow(clippy::type_complexity)]
    running: Arc<Mutex<Option<(Arc<Backend>, server::Server, watch::Sender<TrayState>)>>>,
    launches: Arc<Mutex<u32>>,
}

impl Launch for InProcess {
    fn launch(&self) -> Result<(), String> {
        *self.launches.lock().unwrap() += 1;
        let (keeper, clipboard, running) = (
            self.keeper.clone(),
            self.clipboard.clone(),
            self.running.clone(),
        );
        tokio::spawn(async move {
            let backend = Backend::start_engine(keeper.clone(), clipboard, false)
                .await
                .unwrap();
            let path = background::socket_path(keeper.paths()).unwrap();
            let (tray_state, tray) = watch::channel(TrayState::Shown);
            let served = server::serve(&path, backend.clone(), tray).unwrap();
            *running.lock().unwrap() = Some((backend, served, tray_state));
        });
        Ok(())
    }
}

impl InProcess {
    /// Kills the background: its engine stops (its lock freed, as a dying process frees it),
    /// then its socket and connections close without a word.
    async fn kill(&self) {
        let taken = self.running.lock().unwrap().take();
        if let Some((backend, served, _tray)) = taken {
            backend.shutdown().await;
            drop(served);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_copies_through_its_background_and_starts_it_again_when_it_dies() {
    let s = Setup::new(Api::Smartling).await;
    s.add_with_cli("acc").await;
    let background_clipboard = Arc::new(MemoryClipboard::default());
    let launcher = Arc::new(InProcess {
        keeper: s.cli(),
        clipboard: background_clipboard.clone(),
        running: Arc::new(Mutex::new(None)),
        launches: Arc::new(Mutex::new(0)),
    });
    let window = Backend::start_window(s.cli(), launcher.clone())
        .await
        .unwrap();
    let o = eventually(&window, 20, "the background running", |o| {
        o.background
            == BackgroundState::Running {
                tray: TrayState::Shown,
                restarts: 0,
            }
    })
    .await;
    assert_eq!(
        *launcher.launches.lock().unwrap(),
        1,
        "none ran: one started"
    );
    let id = o.accounts[0].view.id.to_string();

    // Copy: the background's clipboard holds the token; the window's never does.
    let copied = window.copy(&id).await.unwrap();
    let token = s.cli().token("acc", Duration::ZERO).await.unwrap();
    assert_eq!(background_clipboard.text().as_deref(), Some(token.expose()));
    assert_eq!(
        copied.fingerprint,
        tokenkeeper_core::token::fingerprint(token.expose())
    );
    // Copy as header: the background puts the whole header there, in the API's scheme.
    let header = window.copy_as(&id, CopyForm::Header).await.unwrap();
    assert_eq!(header.fingerprint, copied.fingerprint);
    assert_eq!(
        background_clipboard.text(),
        Some(format!("Authorization: Bearer {}", token.expose())),
        "Smartling takes a Bearer token"
    );

    // Killed: the window sees it go, starts another, and counts it.
    launcher.kill().await;
    eventually(&window, 20, "a new background", |o| {
        o.background
            == BackgroundState::Running {
                tray: TrayState::Shown,
                restarts: 1,
            }
    })
    .await;
    assert_eq!(*launcher.launches.lock().unwrap(), 2);
    window.refresh(&id).await.unwrap();

    // Quit (the tray): the window is told to close.
    let mut quit = window.quit_requested();
    let running = launcher.running.lock().unwrap().take();
    let (backend, served, _tray) = running.unwrap();
    served.announce_quit();
    tokio::time::timeout(Duration::from_secs(10), quit.wait_for(|q| *q))
        .await
        .unwrap()
        .unwrap();
    drop(served);
    backend.shutdown().await;
    window.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_that_cannot_start_is_said_and_copy_says_why() {
    #[derive(Debug)]
    struct Broken;
    impl Launch for Broken {
        fn launch(&self) -> Result<(), String> {
            Err("cannot start /nowhere/tokenkeeper: No such file or directory".to_owned())
        }
    }
    let s = Setup::new(Api::Smartling).await;
    s.add_with_cli("acc").await;
    let window = Backend::start_window(s.cli(), Arc::new(Broken))
        .await
        .unwrap();
    let o = eventually(&window, 20, "the failure said", |o| {
        matches!(&o.background, BackgroundState::Failed { message } if message.contains("/nowhere/tokenkeeper"))
    })
    .await;
    let err = window
        .copy(&o.accounts[0].view.id.to_string())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Background);
    assert!(err.message.contains("not running"), "{}", err.message);
    window.shutdown().await;
}
