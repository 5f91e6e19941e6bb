//! Start at login: the **background** only (`tokenkeeper daemon`); the window opens on demand.
//! One rule, three places, one module each: an XDG autostart entry on Linux ([`xdg`]), a
//! LaunchAgent on macOS ([`launch_agent`]), the `Run` key on Windows ([`run_key`]). The
//! window's Settings and `tokenkeeper autostart` (which the Windows installer runs) both use
//! [`Autostart::for_this_system`], so they start the same command.

pub mod launch_agent;
pub mod run_key;
pub mod xdg;

use std::path::{Path, PathBuf};

use tokenkeeper_core::store::paths::Paths;

pub use xdg::dir;

/// Where Start at login is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// An XDG autostart entry in this folder.
    Xdg(PathBuf),
    /// A LaunchAgent in this folder (`~/Library/LaunchAgents`).
    LaunchAgent(PathBuf),
    /// The `Run` key of the Windows registry (`HKEY_CURRENT_USER`).
    RunKey,
}

/// Start at login of one command.
#[derive(Clone, Debug)]
pub struct Autostart {
    place: Place,
    command: Vec<String>,
    log: Option<PathBuf>,
}

impl Autostart {
    /// `command` (the program, then its arguments) started at login from `place`; its log in
    /// `log` where the place says where stderr goes (a LaunchAgent).
    pub fn new(place: Place, command: Vec<String>, log: Option<PathBuf>) -> Self {
        Self {
            place,
            command,
            log,
        }
    }

    /// This system's Start at login of the background over `paths`, named on its command line
    /// when the user named it (`config_dir`; made absolute), its log where the window's
    /// background writes its own ([`crate::background::log_path`]) when no terminal shows it.
    /// `None` when the place cannot be found (no home folder).
    pub fn for_this_system(paths: &Paths, config_dir: Option<&Path>) -> Option<Self> {
        let config_dir =
            config_dir.map(|d| std::path::absolute(d).unwrap_or_else(|_| d.to_owned()));
        let config_dir = config_dir.as_deref();
        let log = crate::background::log_path(paths);
        let place = if cfg!(windows) {
            Place::RunKey
        } else if cfg!(target_os = "macos") {
            Place::LaunchAgent(launch_agent::dir()?)
        } else {
            Place::Xdg(xdg::dir()?)
        };
        // On Windows the background's own program (no console window, its log in a file);
        // elsewhere `tokenkeeper daemon`, which becomes it.
        let background = crate::background::background_program().filter(|_| cfg!(windows));
        let command = match background {
            Some(program) => login_command(&program, config_dir, log.as_deref()),
            None => login_command(&crate::background::cli_program(), config_dir, None),
        };
        Some(Self::new(place, command, log))
    }

    /// Where it is kept, for messages.
    pub fn place(&self) -> String {
        match &self.place {
            Place::Xdg(dir) => dir.join(xdg::FILE).display().to_string(),
            Place::LaunchAgent(dir) => dir.join(launch_agent::file_name()).display().to_string(),
            Place::RunKey => format!(r"HKEY_CURRENT_USER\{}\{}", run_key::KEY, run_key::VALUE),
        }
    }

    /// The text written: the entry, the property list or the registry value.
    pub fn text(&self) -> String {
        match &self.place {
            Place::Xdg(_) => xdg::entry(&self.command),
            Place::LaunchAgent(_) => launch_agent::plist(&self.command, self.log.as_deref()),
            Place::RunKey => run_key::command_line(&self.command),
        }
    }

    /// Whether ours starts TokenKeeper at login.
    pub fn is_enabled(&self) -> bool {
        match &self.place {
            Place::Xdg(dir) => dir.join(xdg::FILE).is_file(),
            Place::LaunchAgent(dir) => dir.join(launch_agent::file_name()).is_file(),
            Place::RunKey => matches!(run_key::read(), Ok(Some(_))),
        }
    }

    /// Replaces an older version's XDG entry with ours (Start at login stays on); nothing
    /// when there is none, and nothing elsewhere.
    pub fn migrate(&self) -> std::io::Result<()> {
        if let Place::Xdg(dir) = &self.place
            && dir.join(xdg::OLD_FILE).is_file()
        {
            self.set(true)?;
        }
        Ok(())
    }

    /// Turns Start at login on (written anew, so a moved program is found again) or off.
    pub fn set(&self, enabled: bool) -> std::io::Result<()> {
        match &self.place {
            Place::Xdg(dir) => {
                remove(&dir.join(xdg::OLD_FILE))?;
                write_or_remove(dir, xdg::FILE, enabled.then(|| self.text()))
            }
            Place::LaunchAgent(dir) => write_or_remove(
                dir,
                &launch_agent::file_name(),
                enabled.then(|| self.text()),
            ),
            Place::RunKey if enabled => run_key::write(&self.text()),
            Place::RunKey => run_key::remove(),
        }
    }
}

/// What runs at login: `program daemon [--config-dir DIR] [--log-file LOG]`.
fn login_command(program: &Path, config_dir: Option<&Path>, log: Option<&Path>) -> Vec<String> {
    let text = |p: &Path| p.display().to_string();
    let mut command = vec![text(program), "daemon".to_owned()];
    if let Some(dir) = config_dir {
        command.extend(["--config-dir".to_owned(), text(dir)]);
    }
    if let Some(log) = log {
        command.extend(["--log-file".to_owned(), text(log)]);
    }
    command
}

/// Writes `text` to `dir/file` atomically (0600), or removes the file when `None`.
fn write_or_remove(dir: &Path, file: &str, text: Option<String>) -> std::io::Result<()> {
    let path = dir.join(file);
    match text {
        Some(text) => {
            std::fs::create_dir_all(dir)?;
            tokenkeeper_core::store::atomic::write_atomic(&path, text.as_bytes())
                .map_err(|e| std::io::Error::other(e.to_string()))
        }
        None => remove(&path),
    }
}

fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
