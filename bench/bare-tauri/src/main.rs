//! A bare Tauri 2 window: the floor TokenKeeper's desktop app is measured against
//! (`scripts/bench-desktop.sh`). Its page says when it first painted, as the app's does.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// The page has painted: say so once, with the time since the process started.
#[tauri::command]
fn painted() {
    let ms = STARTED.get().map_or(0, |t| t.elapsed().as_millis());
    eprintln!("first paint after {ms} ms");
}

fn main() -> std::process::ExitCode {
    STARTED.get_or_init(Instant::now);
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .setup(|app| {
            tauri::WebviewWindowBuilder::new(
                app,
                "main",
                tauri::WebviewUrl::App("index.html".into()),
            )
            .title("Bare Tauri")
            .inner_size(960.0, 680.0)
            .build()?;
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bare-tauri: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
