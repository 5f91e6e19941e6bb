//! Notifications on Linux: `org.freedesktop.Notifications.Notify` on the session bus the tray
//! already uses: one method call, without GTK and without a second zbus major version
//! (notify-rust 4.19 brings zbus 6; ksni and the keychain use zbus 5).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use zbus::zvariant::Value;

/// The session's notification service.
#[derive(Debug, Clone, Default)]
pub struct Bus {
    bus: Option<zbus::Connection>,
    /// Whether the server reads markup in bodies (its `body-markup` capability), asked before
    /// the first notification.
    markup: Arc<OnceLock<bool>>,
}

impl Bus {
    /// Connects to the session bus (none: notifications are logged and dropped).
    pub async fn connect() -> Self {
        match zbus::Connection::session().await {
            Ok(bus) => Self {
                bus: Some(bus),
                markup: Arc::default(),
            },
            Err(e) => {
                tracing::info!(reason = %e, "no session bus: no notifications");
                Self::default()
            }
        }
    }

    /// Shows one notification. The body is plain text (it may quote an API's words): escaped
    /// for a server that reads markup, so no `<`, `>` or `&` of an API's makes a tag or an
    /// entity. The summary is plain text in the specification.
    pub async fn show(&self, title: &str, body: &str) {
        let Some(bus) = &self.bus else { return };
        let markup = match self.markup.get() {
            Some(markup) => *markup,
            None => match reads_markup(bus).await {
                Some(markup) => *self.markup.get_or_init(|| markup),
                // Asked again next time; escaped meanwhile.
                None => true,
            },
        };
        let body = super::body_text(body, markup);
        let body = body.as_str();
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

/// Whether the notification server reads markup in bodies (`GetCapabilities` lists
/// `body-markup`); `None` when it does not answer, and the body is escaped then: that shows
/// `&lt;` for `<` at worst, where not escaping could let an API's words make markup.
async fn reads_markup(bus: &zbus::Connection) -> Option<bool> {
    let reply = bus
        .call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "GetCapabilities",
            &(),
        )
        .await;
    match reply.and_then(|m| m.body().deserialize::<Vec<String>>()) {
        Ok(caps) => Some(caps.iter().any(|c| c == "body-markup")),
        Err(e) => {
            tracing::debug!(error = %e, "no notification capabilities: escaping the body");
            None
        }
    }
}
