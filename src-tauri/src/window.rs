//! The main window: closing it ends this process (the background refreshes on). Size and
//! position come back through the window-state plugin (never its visibility).

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// The main window's label.
pub const MAIN: &str = "main";

/// Shows the main window, creating it if it was closed.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    show_with(app, None);
}

/// Shows the main window; a new one runs `init` before its page's own script (the first
/// overview, embedded).
pub fn show_with<R: Runtime>(app: &AppHandle<R>, init: Option<&str>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let mut builder = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("TokenKeeper")
        .inner_size(960.0, 680.0)
        .min_inner_size(560.0, 420.0);
    if let Some(script) = init {
        builder = builder.initialization_script(script);
    }
    let built = builder.build();
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
