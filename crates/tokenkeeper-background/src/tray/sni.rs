//! The tray on Linux and the BSDs, over StatusNotifierItem on D-Bus (ksni: no GTK). Without a
//! StatusNotifierItem host there is no tray; it is tried again now and then (a desktop may
//! start its panel after the background).

use std::time::Duration;

use ksni::menu::{StandardItem, SubMenu};
use ksni::{Icon, MenuItem, ToolTip, TrayMethods};
use tokenkeeper_app_core::background::protocol::TrayState;
use tokenkeeper_app_core::dto::AccountRow;
use tokenkeeper_app_core::tray::{Entry, TrayAction, model, needs_attention, summary};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::Overviews;

/// How often a missing tray host is looked for again.
const RETRY: Duration = Duration::from_secs(30);

/// The tray as ksni sees it.
#[derive(Debug)]
struct KeeperTray {
    rows: Vec<AccountRow>,
    actions: mpsc::UnboundedSender<TrayAction>,
    state: watch::Sender<TrayState>,
    icon: Vec<Icon>,
}

impl KeeperTray {
    fn send(&self, action: TrayAction) {
        let _ = self.actions.send(action);
    }
}

fn item(entry: &Entry) -> MenuItem<KeeperTray> {
    match entry {
        Entry::Item { action, label } => {
            let action = action.clone();
            StandardItem {
                label: label.replace('_', "__"),
                activate: Box::new(move |tray: &mut KeeperTray| tray.send(action.clone())),
                ..Default::default()
            }
            .into()
        }
        Entry::Label(label) => StandardItem {
            label: label.replace('_', "__"),
            enabled: false,
            ..Default::default()
        }
        .into(),
        Entry::Account { label, items } => SubMenu {
            label: label.replace('_', "__"),
            submenu: items.iter().map(item).collect(),
            ..Default::default()
        }
        .into(),
        Entry::Separator => MenuItem::Separator,
    }
}

impl ksni::Tray for KeeperTray {
    fn id(&self) -> String {
        "tokenkeeper".to_owned()
    }

    fn title(&self) -> String {
        "TokenKeeper".to_owned()
    }

    fn status(&self) -> ksni::Status {
        if needs_attention(&self.rows) {
            ksni::Status::NeedsAttention
        } else {
            ksni::Status::Active
        }
    }

    fn icon_name(&self) -> String {
        "tokenkeeper".to_owned()
    }

    fn icon_pixmap(&self) -> Vec<Icon> {
        self.icon.clone()
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            title: "TokenKeeper".to_owned(),
            description: summary(&self.rows),
            ..Default::default()
        }
    }

    /// A left click opens the window.
    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(TrayAction::Open);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        model(&self.rows, chrono::Utc::now())
            .iter()
            .map(item)
            .collect()
    }

    fn watcher_online(&self) {
        tracing::info!("a tray host appeared: the tray shows");
        self.state.send_replace(TrayState::Shown);
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        tracing::info!(?reason, "the tray host went away");
        self.state.send_replace(TrayState::Unavailable);
        true
    }
}

/// The app's icon as ARGB32 pixmaps (what StatusNotifierItem carries).
fn icon() -> Vec<Icon> {
    super::icons()
        .into_iter()
        .map(|i| Icon {
            width: i32::try_from(i.width).unwrap_or(0),
            height: i32::try_from(i.height).unwrap_or(0),
            data: i
                .rgba
                .chunks_exact(4)
                .flat_map(|p| [p[3], p[0], p[1], p[2]])
                .collect(),
        })
        .collect()
}

/// Runs the tray over the overviews (see [`crate::overviews`]) until the returned task is
/// aborted; actions go to `actions`, the tray's state to `state`.
pub fn run(
    mut overviews: Overviews,
    actions: mpsc::UnboundedSender<TrayAction>,
    state: watch::Sender<TrayState>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let icon = icon();
        let mut said = false;
        loop {
            let rows = overviews.borrow_and_update().accounts.clone();
            let tray = KeeperTray {
                rows,
                actions: actions.clone(),
                state: state.clone(),
                icon: icon.clone(),
            };
            match tray.spawn().await {
                Ok(handle) => {
                    tracing::info!("tray shown");
                    state.send_replace(TrayState::Shown);
                    follow(&mut overviews, &handle).await;
                    handle.shutdown().await;
                    return;
                }
                // No session bus (a server, a systemd unit outside a desktop session): no tray,
                // and none will come.
                Err(ksni::Error::Dbus(e)) => {
                    tracing::info!(reason = %e, "no session bus: no tray");
                    state.send_replace(TrayState::Off);
                    return;
                }
                // No tray host yet: said once, tried again now and then (a panel may start
                // after the background).
                Err(e) => {
                    // Not a fault (GNOME has no tray host without an extension): said once, at
                    // info, and the window says it too.
                    if said {
                        tracing::debug!(reason = %e, "still no tray host");
                    } else {
                        tracing::info!(reason = %e, "no tray: this desktop has no StatusNotifierItem host; the window is the way in");
                        said = true;
                    }
                    state.send_replace(TrayState::Unavailable);
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    })
}

/// Keeps the menu in step with the overviews until they end.
async fn follow(overviews: &mut Overviews, handle: &ksni::Handle<KeeperTray>) {
    while overviews.changed().await.is_ok() {
        let rows = overviews.borrow_and_update().accounts.clone();
        if handle.update(|tray| tray.rows = rows).await.is_none() {
            return;
        }
    }
}
