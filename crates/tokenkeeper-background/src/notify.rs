//! Desktop notifications over D-Bus (`org.freedesktop.Notifications.Notify`), on the session
//! bus the tray already uses: one method call, without GTK and without a second zbus major
//! version (notify-rust 4.19 brings zbus 6; ksni and the keychain use zbus 5). Which changes
//! deserve one is decided by `tokenkeeper_app_core::backend::notices`, as in the app.

use std::collections::HashMap;
use std::sync::Arc;

use tokenkeeper_app_core::backend::Backend;
use tokenkeeper_app_core::backend::notices::{Notice, Notifier};

use crate::Overviews;
use tokio::task::JoinHandle;
use zbus::zvariant::Value;

/// The session's notification service.
#[derive(Debug, Clone, Default)]
pub struct Notifications {
    bus: Option<zbus::Connection>,
}

impl Notifications {
    /// Connects to the session bus (none: notifications are logged and dropped).
    pub async fn connect() -> Self {
        match zbus::Connection::session().await {
            Ok(bus) => Self { bus: Some(bus) },
            Err(e) => {
                tracing::info!(reason = %e, "no session bus: no notifications");
                Self { bus: None }
            }
        }
    }

    /// Shows one notification.
    pub async fn show(&self, title: &str, body: &str) {
        let Some(bus) = &self.bus else { return };
        let hints: HashMap<&str, Value<'_>> = HashMap::new();
        let sent = bus
            .call_method(
                Some("org.freedesktop.Notifications"),
                "/org/freedesktop/Notifications",
                Some("org.freedesktop.Notifications"),
                "Notify",
                &(
                    "TokenKeeper",
                    0_u32,
                    "dialog-password",
                    title,
                    body,
                    Vec::<&str>::new(),
                    hints,
                    -1_i32,
                ),
            )
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "cannot show a notification");
        }
    }
}

/// Follows the overviews (see [`crate::overviews`]): failures, needs-login and coming hard
/// limits become notifications (when the user has them on).
pub fn follow(
    backend: Arc<Backend>,
    notifications: Notifications,
    mut overviews: Overviews,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut notifier = Notifier::default();
        loop {
            let overview = overviews.borrow_and_update().clone();
            let now = chrono::Utc::now();
            for notice in notifier.observe(&overview.accounts, now) {
                if !backend.prefs().notifications {
                    continue;
                }
                if let Notice::HardLimitSoon { id, .. } = &notice
                    && backend.can_log_in_again(*id).await
                {
                    continue;
                }
                let (title, body) = notice.text(now);
                notifications.show(&title, &body).await;
            }
            if overviews.changed().await.is_err() {
                break;
            }
        }
    })
}
