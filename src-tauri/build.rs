//! Declares the app's commands, so each gets its own `allow-<command>` permission and the
//! window's capability (capabilities/main.json) grants exactly the ones the UI calls.

include!("src/command_names.rs");

fn main() {
    println!("cargo::rerun-if-changed=src/command_names.rs");
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(&NAMES));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error={e:#}");
    }
}
