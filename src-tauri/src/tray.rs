//! The tray icon, drawn by Tauri from the model in `tokenkeeper_app_core::tray`. Without the
//! appindicator library (or a tray host) the app runs on without one.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Runtime};

pub use tokenkeeper_app_core::tray::{Entry, TrayAction, model};

use crate::dto::AccountRow;

/// The tray icon's id.
pub const TRAY_ID: &str = "main";

fn build<R: Runtime>(app: &AppHandle<R>, entries: &[Entry]) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    for entry in entries {
        match entry {
            Entry::Item {
                action,
                label,
                enabled,
            } => menu.append(&MenuItem::with_id(
                app,
                action.id(),
                label,
                *enabled,
                None::<&str>,
            )?)?,
            Entry::Accounts(items) => {
                let sub = Submenu::with_id(app, "copy-token", "Copy token", true)?;
                for item in items {
                    if let Entry::Item {
                        action,
                        label,
                        enabled,
                    } = item
                    {
                        sub.append(&MenuItem::with_id(
                            app,
                            action.id(),
                            label,
                            *enabled,
                            None::<&str>,
                        )?)?;
                    }
                }
                menu.append(&sub)?;
            }
            Entry::Separator => menu.append(&PredefinedMenuItem::separator(app)?)?,
        }
    }
    Ok(menu)
}

/// Creates the tray icon. Without the appindicator library (or a tray host) the app runs on
/// without one: the library is loaded at run time and its absence panics inside tray-icon.
pub fn create<R: Runtime>(
    app: &AppHandle<R>,
    on_action: impl Fn(&AppHandle<R>, TrayAction) + Send + Sync + 'static,
) -> bool {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let menu = build(app, &model(&[]))?;
        let mut builder = TrayIconBuilder::with_id(TRAY_ID)
            .tooltip("TokenKeeper")
            .menu(&menu)
            .on_menu_event(move |app, event| {
                if let Some(action) = TrayAction::parse(event.id().as_ref()) {
                    on_action(app, action);
                }
            });
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        builder.build(app).map(|_| ())
    }));
    match attempt {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "no tray icon");
            false
        }
        Err(_) => {
            tracing::warn!("no tray icon: the appindicator library is missing");
            false
        }
    }
}

/// Rebuilds the menu for these accounts.
pub fn update<R: Runtime>(app: &AppHandle<R>, rows: &[AccountRow]) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match build(app, &model(rows)) {
        Ok(menu) => {
            if let Err(e) = tray.set_menu(Some(menu)) {
                tracing::warn!(error = %e, "cannot update the tray menu");
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot build the tray menu"),
    }
}
