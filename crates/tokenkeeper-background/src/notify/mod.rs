//! Desktop notifications: which changes deserve one is decided by
//! `tokenkeeper_app_core::backend::notices`, as in the app; how one is shown is the platform's.
//! Linux: the freedesktop notification service on D-Bus ([`dbus`]). Windows: a balloon from the
//! tray's notify icon, which Windows 10 and 11 show as a toast in the Action Center
//! (`crate::host`; none without the tray). macOS: Notification Center through `osascript`'s
//! `display notification` ([`applescript`]), which needs no bundle identifier or permission
//! prompt of the background's own.

pub mod applescript;
#[cfg(not(any(windows, target_os = "macos")))]
mod dbus;

use std::sync::Arc;

use tokenkeeper_app_core::backend::Backend;
use tokenkeeper_app_core::backend::notices::{Notice, Notifier};
use tokenkeeper_core::text::{UNCAPPED, clean_server_text};
use tokio::task::JoinHandle;

use crate::Overviews;

/// Where notifications go.
#[derive(Debug, Clone, Default)]
pub struct Notifications {
    #[cfg(not(any(windows, target_os = "macos")))]
    bus: dbus::Bus,
}

impl Notifications {
    /// Connects to the platform's notification service (Linux: the session bus; without one,
    /// notifications are logged and dropped).
    pub async fn connect() -> Self {
        Self {
            #[cfg(not(any(windows, target_os = "macos")))]
            bus: dbus::Bus::connect().await,
        }
    }

    /// Shows one notification; `body` is plain text (it may quote an API's words).
    pub async fn show(&self, title: &str, body: &str) {
        #[cfg(not(any(windows, target_os = "macos")))]
        self.bus.show(title, body).await;
        #[cfg(windows)]
        if let Err(e) = crate::host::notify(title, &body_text(body, false)) {
            tracing::info!(reason = %e, "notification not shown");
        }
        #[cfg(target_os = "macos")]
        applescript::show(title, &body_text(body, false)).await;
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
