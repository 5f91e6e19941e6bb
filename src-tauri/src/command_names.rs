// The window's commands, by name: `build.rs` declares them (so each gets its own
// `allow-<command>` permission) and `commands.rs` lists them, from this one file.
/// Every command's name.
pub const NAMES: [&str; 13] = [
    "get_overview",
    "get_account",
    "add_account",
    "edit_account",
    "remove_account",
    "login_account",
    "refresh_account",
    "copy_token",
    "reveal_token",
    "get_settings",
    "save_settings",
    "check_keychain",
    "ui_painted",
];
