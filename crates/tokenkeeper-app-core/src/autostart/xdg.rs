//! Start at login on freedesktop systems: an XDG autostart entry
//! (`$XDG_CONFIG_HOME/autostart/tokenkeeper.desktop`, read by every freedesktop session). The
//! packaged systemd user unit is the other way for sessions without XDG autostart; enabling both
//! would start two backgrounds, of which the second exits at once (the engine lock), so the
//! README names one.
//!
//! An entry written by an older version (`tokenkeeper-app --hidden`, the Tauri autostart
//! plugin's `TokenKeeper.desktop`) is replaced by ours when the window starts
//! ([`super::Autostart::migrate`]): the user's choice is kept, the old file is gone, and only
//! ours counts as Start at login.

use std::path::{Path, PathBuf};

/// The entry's file name.
pub(super) const FILE: &str = "tokenkeeper.desktop";
/// What the Tauri autostart plugin wrote (versions that kept the engine in the window).
pub(super) const OLD_FILE: &str = "TokenKeeper.desktop";

/// The autostart directory: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`.
pub fn dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))
        .map(|c| c.join("autostart"))
}

/// The entry's text for `command` (the program, then its arguments).
pub(super) fn entry(command: &[String]) -> String {
    let exec: Vec<String> = command.iter().map(|a| quote(a)).collect();
    format!(
        "[Desktop Entry]\nType=Application\nName=TokenKeeper (background)\nComment=Keeps your API tokens fresh; the tray opens the window\nExec={}\nIcon=tokenkeeper\nTerminal=false\nNoDisplay=true\nX-GNOME-Autostart-enabled=true\n",
        exec.join(" ")
    )
}

/// Quotes an `Exec` argument as the Desktop Entry spec asks (double quotes, with `"`, `` ` ``,
/// `$` and `\` escaped), when it holds anything but plain characters.
fn quote(arg: &str) -> String {
    let plain = arg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_.+,:@".contains(c));
    if plain && !arg.is_empty() {
        return arg.to_owned();
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out.replace('%', "%%")
}
