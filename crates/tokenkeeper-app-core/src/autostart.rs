//! Start at login: an XDG autostart entry (`$XDG_CONFIG_HOME/autostart/tokenkeeper.desktop`,
//! read by every freedesktop session) that starts the **background** only
//! (`tokenkeeper daemon`); the window opens on demand. The packaged systemd user unit is the
//! other way for sessions without XDG autostart; enabling both would start two backgrounds, of
//! which the second exits at once (the engine lock), so the README names one.
//!
//! An entry written by an older version (`tokenkeeper-app --hidden`, the Tauri autostart
//! plugin's `TokenKeeper.desktop`) is replaced by ours when the window starts
//! ([`Autostart::migrate`]): the user's choice is kept, the old file is gone, and only ours
//! counts as Start at login.

use std::path::{Path, PathBuf};

/// The entry's file name.
const FILE: &str = "tokenkeeper.desktop";
/// What the Tauri autostart plugin wrote (versions that kept the engine in the window).
const OLD_FILE: &str = "TokenKeeper.desktop";

/// The autostart directory: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`.
pub fn dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))
        .map(|c| c.join("autostart"))
}

/// Start at login for `program daemon` over `config_dir` (none: the default directory).
#[derive(Clone, Debug)]
pub struct Autostart {
    dir: PathBuf,
    program: PathBuf,
    config_dir: Option<PathBuf>,
}

impl Autostart {
    /// The entry in `dir` for `program` (the `tokenkeeper` binary).
    pub fn new(dir: PathBuf, program: PathBuf, config_dir: Option<PathBuf>) -> Self {
        Self {
            dir,
            program,
            config_dir,
        }
    }

    /// Whether our entry starts TokenKeeper at login.
    pub fn is_enabled(&self) -> bool {
        self.dir.join(FILE).is_file()
    }

    /// Replaces an older version's entry with ours (Start at login stays on); nothing when
    /// there is none.
    pub fn migrate(&self) -> std::io::Result<()> {
        if self.dir.join(OLD_FILE).is_file() {
            self.set(true)?;
        }
        Ok(())
    }

    /// The entry's text.
    pub fn entry(&self) -> String {
        let mut exec = vec![
            quote(&self.program.display().to_string()),
            "daemon".to_owned(),
        ];
        if let Some(dir) = &self.config_dir {
            exec.push("--config-dir".to_owned());
            exec.push(quote(&dir.display().to_string()));
        }
        format!(
            "[Desktop Entry]\nType=Application\nName=TokenKeeper (background)\nComment=Keeps your API tokens fresh; the tray opens the window\nExec={}\nIcon=tokenkeeper\nTerminal=false\nNoDisplay=true\nX-GNOME-Autostart-enabled=true\n",
            exec.join(" ")
        )
    }

    /// Writes or removes the entry (and an older version's).
    pub fn set(&self, enabled: bool) -> std::io::Result<()> {
        remove(&self.dir.join(OLD_FILE))?;
        let path = self.dir.join(FILE);
        if enabled {
            std::fs::create_dir_all(&self.dir)?;
            tokenkeeper_core::store::atomic::write_atomic(&path, self.entry().as_bytes())
                .map_err(|e| std::io::Error::other(e.to_string()))
        } else {
            remove(&path)
        }
    }
}

fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn the_entry_starts_the_background_only_and_survives_odd_paths() {
        let dir = tempfile::tempdir().unwrap();
        let a = Autostart::new(
            dir.path().join("autostart"),
            "/usr/bin/tokenkeeper".into(),
            Some("/home/a b/100% \"tk\"".into()),
        );
        assert!(!a.is_enabled());
        a.set(true).unwrap();
        assert!(a.is_enabled());
        let text = std::fs::read_to_string(dir.path().join("autostart").join(FILE)).unwrap();
        assert!(
            text.contains(
                "Exec=/usr/bin/tokenkeeper daemon --config-dir \"/home/a b/100%% \\\"tk\\\"\"\n"
            ),
            "{text}"
        );
        assert!(
            !text.contains("tokenkeeper-app"),
            "the window does not start at login"
        );
        a.set(false).unwrap();
        assert!(!a.is_enabled());
    }

    #[test]
    fn an_older_versions_entry_is_replaced_by_ours_and_only_ours_counts() {
        let dir = tempfile::tempdir().unwrap();
        let auto = dir.path().join("autostart");
        std::fs::create_dir_all(&auto).unwrap();
        std::fs::write(
            auto.join(OLD_FILE),
            "Exec=/usr/bin/tokenkeeper-app --hidden\n",
        )
        .unwrap();
        let a = Autostart::new(auto.clone(), "/usr/bin/tokenkeeper".into(), None);
        assert!(!a.is_enabled(), "the old entry is not ours");
        a.migrate().unwrap();
        assert!(a.is_enabled(), "the user's choice is kept");
        assert!(!auto.join(OLD_FILE).exists(), "the old entry is gone");
        assert!(
            std::fs::read_to_string(auto.join(FILE))
                .unwrap()
                .contains("Exec=/usr/bin/tokenkeeper daemon\n")
        );
        // Without an old entry, nothing is written.
        a.set(false).unwrap();
        a.migrate().unwrap();
        assert!(!a.is_enabled());
    }
}
