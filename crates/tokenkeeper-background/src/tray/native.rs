//! The tray on Windows and macOS: `tray-icon` (a notify icon on Windows, an NSStatusItem on
//! macOS) with the menu of `tokenkeeper_app_core::tray`, on an event loop of its own
//! ([`crate::host`]: a thread of its own on Windows, the main thread on macOS, where AppKit
//! wants it). The loop waits for the system's events a quarter second at a time, passes the
//! chosen menu entries and a left click (Open) to the background as `TrayAction`s, and redraws
//! the menu when the overview changes. The tray goes when the task [`run`] returns is aborted.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokenkeeper_app_core::background::protocol::TrayState;
use tokenkeeper_app_core::dto::AccountRow;
use tokenkeeper_app_core::tray::{Entry, TrayAction, model, summary};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tray_icon::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use crate::Overviews;

/// How long the loop waits for the system's events before it looks at the overview again.
const TICK: Duration = Duration::from_millis(250);

/// Sets the flag when dropped (the tray's task aborted): the loop ends and the icon goes.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Shows the tray over the overviews until the returned task is aborted; actions go to
/// `actions`, the tray's state to `state`.
pub fn run(
    overviews: Overviews,
    actions: mpsc::UnboundedSender<TrayAction>,
    state: watch::Sender<TrayState>,
) -> JoinHandle<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let looped = Looped {
        overviews,
        actions,
        state: state.clone(),
        stop: stop.clone(),
    };
    if let Err(e) = crate::host::start(Box::new(move || looped.run())) {
        tracing::info!(reason = %e, "no tray");
        state.send_replace(TrayState::Off);
    }
    tokio::spawn(async move {
        let _stop = StopOnDrop(stop);
        std::future::pending::<()>().await;
    })
}

/// What the tray's loop holds.
struct Looped {
    overviews: Overviews,
    actions: mpsc::UnboundedSender<TrayAction>,
    state: watch::Sender<TrayState>,
    stop: Arc<AtomicBool>,
}

impl Looped {
    /// Runs on the event loop's thread until stopped.
    fn run(mut self) {
        crate::host::prepare();
        let rows = self.overviews.borrow_and_update().accounts.clone();
        let tray = match build(&rows) {
            Ok(tray) => tray,
            Err(e) => {
                tracing::info!(reason = %e, "no tray");
                self.state.send_replace(TrayState::Unavailable);
                return;
            }
        };
        tracing::info!("tray shown");
        self.state.send_replace(TrayState::Shown);
        while !self.stop.load(Ordering::Relaxed) {
            crate::host::wait_for_events(TICK);
            while let Ok(event) = MenuEvent::receiver().try_recv() {
                if let Some(action) = TrayAction::parse(event.id.as_ref()) {
                    let _ = self.actions.send(action);
                }
            }
            while let Ok(event) = TrayIconEvent::receiver().try_recv() {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    let _ = self.actions.send(TrayAction::Open);
                }
            }
            match self.overviews.has_changed() {
                Ok(true) => {
                    let rows = self.overviews.borrow_and_update().accounts.clone();
                    redraw(&tray, &rows);
                }
                Ok(false) => {}
                // The background is going.
                Err(_) => break,
            }
        }
        #[cfg(windows)]
        crate::host::icon_gone();
        drop(tray);
        tracing::debug!("tray gone");
    }
}

/// The icon with its menu and tooltip.
fn build(rows: &[AccountRow]) -> Result<TrayIcon, String> {
    let mut builder = TrayIconBuilder::new()
        .with_id("tokenkeeper")
        .with_tooltip(tooltip(rows))
        .with_menu(Box::new(menu(rows)))
        .with_menu_on_left_click(false);
    if let Some(icon) = super::icons().into_iter().next() {
        let icon = tray_icon::Icon::from_rgba(icon.rgba, icon.width, icon.height)
            .map_err(|e| e.to_string())?;
        builder = builder.with_icon(icon);
    }
    #[cfg(windows)]
    {
        builder = builder.with_guid(crate::host::icon_guid());
    }
    let tray = builder.build().map_err(|e| e.to_string())?;
    #[cfg(windows)]
    crate::host::icon_shown(tray.window_handle());
    Ok(tray)
}

fn redraw(tray: &TrayIcon, rows: &[AccountRow]) {
    tray.set_menu(Some(Box::new(menu(rows))));
    if let Err(e) = tray.set_tooltip(Some(tooltip(rows))) {
        tracing::debug!(error = %e, "cannot set the tray's tooltip");
    }
}

fn tooltip(rows: &[AccountRow]) -> String {
    format!("TokenKeeper: {}", summary(rows))
}

/// The menu of the model.
fn menu(rows: &[AccountRow]) -> Menu {
    let menu = Menu::new();
    for entry in model(rows, chrono::Utc::now()) {
        let appended = match &entry {
            Entry::Separator => menu.append(&PredefinedMenuItem::separator()),
            Entry::Account { label, items } => {
                let sub = Submenu::new(text(label), true);
                for item in items {
                    if let Entry::Item { action, label } = item {
                        let _ =
                            sub.append(&MenuItem::with_id(action.id(), text(label), true, None));
                    }
                }
                menu.append(&sub)
            }
            Entry::Item { action, label } => {
                menu.append(&MenuItem::with_id(action.id(), text(label), true, None))
            }
            Entry::Label(label) => menu.append(&MenuItem::new(text(label), false, None)),
        };
        if let Err(e) = appended {
            tracing::debug!(error = %e, "a tray menu entry could not be added");
        }
    }
    menu
}

/// A label as the menu shows it: Windows reads one `&` as a keyboard mnemonic, so it is doubled.
fn text(label: &str) -> String {
    if cfg!(windows) {
        label.replace('&', "&&")
    } else {
        label.to_owned()
    }
}
