//! Desktop notifications over D-Bus (`org.freedesktop.Notifications.Notify`), on the session
//! bus the tray already uses: one method call, without GTK and without a second zbus major
//! version (notify-rust 4.19 brings zbus 6; ksni and the keychain use zbus 5). Which changes
//! deserve one is decided by `tokenkeeper_app_core::backend::notices`, as in the app.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use tokenkeeper_app_core::backend::Backend;
use tokenkeeper_app_core::backend::notices::{Notice, Notifier};
use tokenkeeper_core::text::{UNCAPPED, clean_server_text};

use crate::Overviews;
use tokio::task::JoinHandle;
use zbus::zvariant::Value;

/// The session's notification service.
#[derive(Debug, Clone, Default)]
pub struct Notifications {
    bus: Option<zbus::Connection>,
    /// Whether the server reads markup in bodies (its `body-markup` capability), asked before
    /// the first notification.
    markup: Arc<OnceLock<bool>>,
}

impl Notifications {
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
        let body = body_text(body, markup);
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

/// A plain-text body as the notification server must get it: with `&`, `<` and `>` escaped
/// (`&amp;`, `&lt;`, `&gt;`) when it reads markup (the specification's subset: `<b>`, `<i>`,
/// `<a href>`, `<img>`), as it is otherwise. The API's words in it were cleaned of control
/// characters where their error was made; cleaned again here for an error kept by an older
/// version.
pub fn body_text(body: &str, markup: bool) -> String {
    let body = clean_server_text(body, UNCAPPED);
    if !markup {
        return body;
    }
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::body_text;

    #[test]
    fn an_apis_markup_is_escaped_in_a_body_for_a_server_that_reads_markup() {
        let words =
            r#"401 x: <a href="https://evil.example">Log in here</a> & <b>now</b> <img src="x">"#;
        let escaped = body_text(words, true);
        assert_eq!(
            escaped,
            r#"401 x: &lt;a href="https://evil.example"&gt;Log in here&lt;/a&gt; &amp; &lt;b&gt;now&lt;/b&gt; &lt;img src="x"&gt;"#
        );
        assert!(!escaped.contains(['<', '>']), "{escaped}");
        // An entity the API wrote stays the text it was, not the character it names.
        assert_eq!(body_text("&lt;b&gt;", true), "&amp;lt;b&amp;gt;");
        // A server without markup shows the text as it is; control characters go either way.
        assert_eq!(body_text(words, false), words);
        assert_eq!(body_text("a\u{1b}[2Jb\rc", true), "ab c");
    }
}
