//! The main window. It is a view, not the app: closing it destroys it (its WebKit processes
//! go with it) while the engine and the tray live on; Show builds a fresh one, which asks the
//! backend for the current state. Size and position come back through the window-state
//! plugin (never its visibility).

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// The main window's label.
pub const MAIN: &str = "main";

/// Shows the main window, creating it if it was closed.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let built = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("TokenKeeper")
        .inner_size(960.0, 680.0)
        .min_inner_size(560.0, 420.0)
        .build();
    if let Err(e) = built {
        tracing::error!(error = %e, "cannot open the window");
    }
}

/// Shows the main window from a task of its own: for callers inside an event handler of the
/// event loop (the tray menu, a second launch), where building a window in place can
/// deadlock on some platforms.
pub fn show_later<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move { show(&app) });
}
