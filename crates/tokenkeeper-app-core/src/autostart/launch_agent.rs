//! Start at login on macOS: a LaunchAgent (`~/Library/LaunchAgents/dev.tokenkeeper.background.plist`)
//! that launchd runs when the user logs in (`RunAtLoad`), not kept alive: Quit in the tray
//! stays quit until the next login. Its log goes where `StandardErrorPath` says.

use std::path::{Path, PathBuf};

/// The agent's label, and its file's name (`<label>.plist`).
pub(super) const LABEL: &str = "dev.tokenkeeper.background";

/// The user's LaunchAgents folder: `~/Library/LaunchAgents`.
pub fn dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| Path::new(&h).join("Library").join("LaunchAgents"))
}

/// The agent's file name.
pub(super) fn file_name() -> String {
    format!("{LABEL}.plist")
}

/// The property list for `command` (the program, then its arguments), its stderr in `log`.
pub(super) fn plist(command: &[String], log: Option<&Path>) -> String {
    let mut out = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
        "<plist version=\"1.0\">\n<dict>\n",
    ));
    out.push_str(&format!("  <key>Label</key>\n  <string>{LABEL}</string>\n"));
    out.push_str("  <key>ProgramArguments</key>\n  <array>\n");
    for arg in command {
        out.push_str(&format!("    <string>{}</string>\n", escape(arg)));
    }
    out.push_str("  </array>\n  <key>RunAtLoad</key>\n  <true/>\n");
    out.push_str("  <key>ProcessType</key>\n  <string>Interactive</string>\n");
    if let Some(log) = log {
        out.push_str(&format!(
            "  <key>StandardErrorPath</key>\n  <string>{}</string>\n",
            escape(&log.display().to_string())
        ));
    }
    out.push_str("</dict>\n</plist>\n");
    out
}

/// Escapes XML's five special characters.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
