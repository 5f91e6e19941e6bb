//! The window's commands: each adapts one call to the backend (the logic lives there). Every
//! command here is listed in `build.rs`, so each has its own permission, and the window's
//! capability grants exactly these. Errors reach the UI as [`AppError`] (`{code, message,
//! kind}`).

use tauri::State;

use crate::dto::{AccountForm, AccountInfo, AppSettings, Copied, LoginForm, Overview, Revealed};
use crate::error::{AppError, ErrorCode};
use crate::shell::Started;
use tokenkeeper_core::keeper::AccountView;

include!("command_names.rs");

/// Everything the main window shows.
#[tauri::command]
pub async fn get_overview(started: State<'_, Started>) -> Result<Overview, AppError> {
    Ok(started.get().await?.backend.overview().await)
}

/// One account in detail.
#[tauri::command]
pub async fn get_account(started: State<'_, Started>, id: String) -> Result<AccountInfo, AppError> {
    started.get().await?.backend.details(&id).await
}

/// Adds an account (the first login runs; nothing is stored on failure).
#[tauri::command]
pub async fn add_account(
    started: State<'_, Started>,
    form: AccountForm,
) -> Result<AccountView, AppError> {
    started.get().await?.backend.add(form).await
}

/// Changes an account's settings (and logs in with a typed secret).
#[tauri::command]
pub async fn edit_account(
    started: State<'_, Started>,
    id: String,
    form: AccountForm,
) -> Result<AccountView, AppError> {
    started.get().await?.backend.edit(&id, form).await
}

/// Removes an account and its keychain entries.
#[tauri::command]
pub async fn remove_account(started: State<'_, Started>, id: String) -> Result<(), AppError> {
    started.get().await?.backend.remove(&id).await
}

/// Stores a new secret for an account that needs login.
#[tauri::command]
pub async fn login_account(
    started: State<'_, Started>,
    id: String,
    form: LoginForm,
) -> Result<AccountView, AppError> {
    started.get().await?.backend.login(&id, form).await
}

/// Refreshes an account now.
#[tauri::command]
pub async fn refresh_account(started: State<'_, Started>, id: String) -> Result<(), AppError> {
    started.get().await?.backend.refresh(&id).await
}

/// Copies a fresh token to the clipboard, in Rust: the token does not reach the web view.
#[tauri::command]
pub async fn copy_token(started: State<'_, Started>, id: String) -> Result<Copied, AppError> {
    started.get().await?.backend.copy(&id).await
}

/// The token itself, for Reveal.
#[tauri::command]
pub async fn reveal_token(started: State<'_, Started>, id: String) -> Result<Revealed, AppError> {
    started.get().await?.backend.reveal(&id).await
}

fn autostart_error(e: impl std::fmt::Display) -> AppError {
    AppError::new(
        ErrorCode::Files,
        format!("cannot change start at login: {e}"),
    )
}

/// The settings window's values.
#[tauri::command]
pub async fn get_settings(started: State<'_, Started>) -> Result<AppSettings, AppError> {
    let shell = started.get().await?;
    Ok(shell.backend.settings(shell.autostart.is_enabled()))
}

/// Saves the settings window's values (start at login: the background only).
#[tauri::command]
pub async fn save_settings(
    started: State<'_, Started>,
    settings: AppSettings,
) -> Result<AppSettings, AppError> {
    let shell = started.get().await?;
    shell.backend.save_settings(&settings).await?;
    if shell.autostart.is_enabled() != settings.autostart {
        shell
            .autostart
            .set(settings.autostart)
            .map_err(autostart_error)?;
    }
    Ok(shell.backend.settings(shell.autostart.is_enabled()))
}

/// The window has painted its first screen (cold-start benchmarks read the log line).
#[tauri::command]
pub fn ui_painted() {
    crate::shell::painted();
}

/// Probes the keychain again (the banner's Retry).
#[tauri::command]
pub async fn check_keychain(started: State<'_, Started>) -> Result<Option<AppError>, AppError> {
    Ok(started.get().await?.backend.check_keychain().await)
}

#[cfg(test)]
mod tests {
    use super::NAMES;

    /// The window may call exactly these commands and listen to events: no clipboard,
    /// notification, window, menu or tray permission (Rust does those).
    #[test]
    fn the_window_is_granted_only_its_commands_and_event_listening() {
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let mut expected = vec!["core:event:allow-listen", "core:event:allow-unlisten"];
        let allows: Vec<String> = NAMES
            .iter()
            .map(|n| format!("allow-{}", n.replace('_', "-")))
            .collect();
        expected.extend(allows.iter().map(String::as_str));
        assert_eq!(granted, expected);
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        assert!(capability.get("remote").is_none(), "no remote content");
    }

    /// The window is granted exactly the commands its UI calls: each command in `NAMES` is
    /// called by `ui/src/ipc.ts`, and `ipc.ts` calls nothing else.
    #[test]
    fn every_granted_command_is_one_the_ui_calls() {
        let ipc = include_str!("../../ui/src/ipc.ts");
        let called: Vec<&str> = ipc
            .split("call<")
            .skip(1)
            .filter_map(|rest| rest.split_once(">(\"")?.1.split('"').next())
            .collect();
        let mut sorted_called = called.clone();
        sorted_called.sort_unstable();
        let mut granted = NAMES.to_vec();
        granted.sort_unstable();
        assert_eq!(sorted_called, granted, "ipc.ts calls {called:?}");
    }

    /// The CSP allows nothing but the app's own files and its IPC.
    #[test]
    fn the_csp_is_strict() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = &config["app"]["security"]["csp"];
        assert_eq!(csp["default-src"], "'self'");
        assert_eq!(csp["script-src"], "'self'");
        assert_eq!(csp["object-src"], "'none'");
        assert_eq!(csp["connect-src"], "ipc: http://ipc.localhost");
        for (directive, value) in csp.as_object().unwrap() {
            let value = value.as_str().unwrap();
            assert!(
                !value.contains("unsafe") && !value.contains("http:") && !value.contains("https:")
                    || directive == "connect-src",
                "{directive}: {value}"
            );
        }
        assert!(
            config["build"].get("devUrl").is_none(),
            "the UI is embedded"
        );
    }
}
