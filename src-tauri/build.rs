//! Declares the app's commands, so each gets its own `allow-<command>` permission and the
//! window's capability (capabilities/main.json) grants exactly the ones the UI calls.

/// Keep in step with `commands::NAMES` (a test checks).
const COMMANDS: &[&str] = &[
    "get_overview",
    "get_account",
    "add_account",
    "edit_account",
    "remove_account",
    "login_account",
    "trust_certificate",
    "refresh_account",
    "copy_token",
    "reveal_token",
    "inspect_certificate",
    "get_settings",
    "save_settings",
    "check_keychain",
    "ui_painted",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error={e:#}");
    }
}
