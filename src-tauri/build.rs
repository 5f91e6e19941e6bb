//! Declares the app's commands, so each gets its own `allow-<command>` permission and the
//! window's capability (capabilities/main.json) grants exactly the ones the UI calls. The names
//! come from the one command list, `tokenkeeper-app-core`'s `src/commands/list.rs`.

include!("../crates/tokenkeeper-app-core/src/commands/list.rs");

/// The declared commands' names (the types are not needed here).
macro_rules! names {
    ($( $(#[$meta:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $answer:ty; )*) => {
        [$(stringify!($name)),*]
    };
}

fn main() {
    println!("cargo::rerun-if-changed=../crates/tokenkeeper-app-core/src/commands/list.rs");
    const NAMES: &[&str] = &with_commands!(names);
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(NAMES));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error={e:#}");
    }
}
