// The window's commands, declared once: name, arguments, answer. Everything else is made from
// this list: the `WindowApi` trait the shell implements, the Tauri command wrappers and their
// handler (`src-tauri/src/commands.rs`), one permission per command (`src-tauri/build.rs`
// includes this file), and the TypeScript map `ui/src/bindings/Commands.ts` that `ipc.ts` and
// the UI's mock backend are typed by. Adding a command is one line here (and its body in the
// shell's `impl WindowApi`, which the compiler asks for).
//
// Plain comments only: `build.rs` includes this file, where inner doc comments cannot stand.

/// Calls `$callback! { … }` with every command, one `name(arg: Type, …) -> Answer;` each (doc
/// comments kept), so each consumer makes what it needs from the one list.
#[macro_export]
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            /// Everything the main window shows.
            get_overview() -> $crate::dto::Overview;
            /// One account in detail.
            get_account(id: String) -> $crate::dto::AccountInfo;
            /// Adds an account (the first login runs; nothing is stored on failure).
            add_account(form: $crate::dto::AccountForm) -> $crate::dto::AccountView;
            /// What the OAuth 2.0 server at the form's issuer URL supports (its discovery
            /// document), read with the form's trust settings.
            discover_oauth(form: $crate::dto::AccountForm) -> $crate::dto::Discovery;
            /// Cancels the sign-in waiting for the person; false when none waits.
            cancel_sign_in() -> bool;
            /// Opens the waiting sign-in's page in the browser again.
            open_sign_in() -> ();
            /// Copies the code the waiting device sign-in asks for.
            copy_sign_in_code() -> ();
            /// Changes an account's settings (and logs in with a typed secret).
            edit_account(id: String, form: $crate::dto::AccountForm) -> $crate::dto::AccountView;
            /// Pins an account to the tray's menu, or unpins it.
            pin_account(id: String, pinned: bool) -> $crate::dto::AccountView;
            /// Removes an account and its keychain entries.
            remove_account(id: String) -> ();
            /// Stores a new secret for an account that needs login.
            login_account(id: String, form: $crate::dto::LoginForm) -> $crate::dto::AccountView;
            /// Refreshes an account now.
            refresh_account(id: String) -> ();
            /// Copies a fresh token to the clipboard, in Rust: the token does not reach the web
            /// view.
            copy_token(id: String) -> $crate::dto::Copied;
            /// Copies the whole `Authorization` header the account's API wants ("Copy as
            /// header"), under the same clipboard rules.
            copy_header(id: String) -> $crate::dto::Copied;
            /// The token itself, for Reveal.
            reveal_token(id: String) -> $crate::dto::Revealed;
            /// The settings window's values.
            get_settings() -> $crate::dto::AppSettings;
            /// Saves the settings window's values (start at login: the background only).
            save_settings(settings: $crate::dto::AppSettings) -> $crate::dto::AppSettings;
            /// Probes the keychain again (the banner's Retry).
            check_keychain() -> Option<$crate::error::AppError>;
            /// The window has painted its first screen (cold-start benchmarks read the log line).
            ui_painted() -> ();
        }
    };
}
