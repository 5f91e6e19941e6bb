//! What the suites share: emulators with a known user, accounts added with the CLI, the app
//! under WebDriver, windows as a window manager sees them, the CLI's list, and a watcher of
//! the clipboard's owner.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde_json::Value;
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig};

use crate::webdriver::Session;
use crate::{app_binary, cli_ok, eventually};

pub const USER: &str = "admin@example.com";
pub const PASSWORD: &str = "s3cret";
/// tauri-driver with the default (light) theme, and one started with a dark GTK theme.
pub const LIGHT: u16 = 4444;
pub const DARK: u16 = 4446;

pub async fn emulator(api: Api, ttl: u64) -> Result<Emulator> {
    let mut config = EmulatorConfig::for_api(api);
    config.users = vec![(USER.to_owned(), PASSWORD.to_owned())];
    config.token_ttl = Some(ttl);
    Emulator::start(api, config).await
}

pub fn ca_file(emu: &Emulator, dir: &Path) -> Result<Option<String>> {
    let Some(pem) = emu.ca_cert_pem() else {
        return Ok(None);
    };
    let path = dir.join(format!("{}-ca.pem", emu.api().id()));
    std::fs::write(&path, pem)?;
    Ok(Some(path.display().to_string()))
}

/// Adds an account with the CLI, as a user in a terminal would.
pub fn cli_add(config: &Path, name: &str, emu: &Emulator, dir: &Path) -> Result<()> {
    let url = emu.base_url();
    let mut args = vec![
        "add",
        name,
        "--provider",
        emu.api().id(),
        "--url",
        url.as_str(),
    ];
    let ca = ca_file(emu, dir)?;
    if let Some(ca) = &ca {
        args.extend(["--ca-cert", ca.as_str()]);
    }
    let secret = if emu.api() == Api::GenericJwt {
        args.push("--refresh-token-stdin");
        emu.issue_refresh_token(USER)
    } else {
        args.extend(["--username", USER, "--password-stdin"]);
        PASSWORD.to_owned()
    };
    cli_ok(config, &args, Some(&secret))?;
    Ok(())
}

pub fn card(name: &str) -> String {
    format!("article[data-account=\"{name}\"]")
}

/// Waits up to `secs` for the feedback line of the card `card_css` (Copy's "Copied, valid for
/// …") to contain `words`, and returns what it says.
pub async fn feedback_says(
    app: &Session,
    card_css: &str,
    words: &str,
    secs: u64,
) -> Result<String> {
    let feedback = format!("{card_css} [data-field=feedback]");
    eventually(secs, words, async || {
        let text = app.text(&feedback).await?;
        Ok(text.contains(words).then_some(text))
    })
    .await
}

pub async fn start_app(port: u16, config: &Path) -> Result<Session> {
    let s = Session::start(
        port,
        &app_binary()?,
        &["--config-dir".to_owned(), config.display().to_string()],
    )
    .await?;
    s.wait_for("#app[data-ready=true]", 30).await?;
    Ok(s)
}

pub fn app_running() -> bool {
    std::process::Command::new("pgrep")
        .args(["-f", "tokenkeeper-app"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Ends the session and waits for the app to be gone (the next session needs the
/// single-instance name free again), and stops the backgrounds the windows started.
pub async fn finish(app: Session) -> Result<()> {
    let _ = app.quit().await;
    let gone = eventually(10, "the app to exit", async || {
        Ok((!app_running()).then_some(()))
    })
    .await;
    if gone.is_err() {
        let _ = std::process::Command::new("pkill")
            .args(["-f", "tokenkeeper-app"])
            .status();
    }
    stop_backgrounds();
    Ok(())
}

/// Stops every background (`tokenkeeper daemon`) started by this suite's windows.
pub fn stop_backgrounds() {
    if let Ok(cli) = crate::env("TOKENKEEPER_CLI") {
        let _ = std::process::Command::new("pkill")
            .args(["-f", &format!("{cli} daemon")])
            .status();
    }
}

/// The process ids of the backgrounds serving `config` (newest last).
pub fn backgrounds(config: &Path) -> Result<Vec<u32>> {
    let out = std::process::Command::new("pgrep")
        .args(["-f", &format!("daemon --config-dir {}$", config.display())])
        .output()?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect())
}

pub fn listed(config: &Path) -> Result<Value> {
    Ok(serde_json::from_str(&cli_ok(
        config,
        &["list", "--json"],
        None,
    )?)?)
}

/// How many windows titled TokenKeeper are on the screen (tests/e2e/xwin.py).
pub fn windows(command: &str) -> Result<usize> {
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("xwin.py"))
        .args([command, "TokenKeeper"])
        .output()
        .context("cannot run xwin.py")?;
    ensure!(
        out.status.success(),
        "xwin.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}

pub fn last_refresh(config: &Path, name: &str) -> Result<Value> {
    listed(config)?
        .as_array()
        .context("a list")?
        .iter()
        .find(|a| a["name"] == name)
        .map(|a| a["last_refresh"].clone())
        .context("listed")
}

/// Watches the CLIPBOARD selection's owner (tests/e2e/clipwatch.py), killed when dropped.
#[derive(Debug)]
pub struct ClipWatch {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl ClipWatch {
    pub async fn start(dir: &Path) -> Result<Self> {
        let log = dir.join("clipwatch.log");
        let child = std::process::Command::new("/usr/bin/python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("clipwatch.py"))
            .stdout(std::fs::File::create(&log)?)
            .spawn()
            .context("cannot run clipwatch.py")?;
        let watch = Self { child, log };
        eventually(10, "clipwatch.py to watch", async || {
            Ok(watch
                .lines()?
                .first()
                .is_some_and(|l| l == "ready")
                .then_some(()))
        })
        .await?;
        Ok(watch)
    }

    /// What it saw since it started watching.
    pub fn lines(&self) -> Result<Vec<String>> {
        Ok(std::fs::read_to_string(&self.log)?
            .lines()
            .map(str::to_owned)
            .collect())
    }
}

impl Drop for ClipWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tray host on the test's session bus (tests/e2e/sni.py watcher), stopped when dropped.
#[derive(Debug)]
pub struct TrayHost {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl TrayHost {
    /// Starts one and waits until it owns its name.
    pub async fn start(dir: &Path) -> Result<Self> {
        let log = dir.join("sni-watcher.log");
        let child = std::process::Command::new("/usr/bin/python3")
            .arg(sni_script())
            .arg("watcher")
            .stdout(std::fs::File::create(&log)?)
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("cannot run sni.py")?;
        let host = Self { child, log };
        eventually(10, "the tray host", async || {
            Ok(std::fs::read_to_string(&host.log)?
                .starts_with("ready")
                .then_some(()))
        })
        .await?;
        Ok(host)
    }

    /// The items that registered so far.
    pub fn registered(&self) -> Result<usize> {
        Ok(std::fs::read_to_string(&self.log)?
            .lines()
            .filter(|l| l.starts_with("registered "))
            .count())
    }
}

impl Drop for TrayHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sni_script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sni.py")
}

/// Asks the tray over D-Bus, as a panel does (tests/e2e/sni.py `items`, `props`, `menu`,
/// `click LABEL…`); its stdout.
pub fn tray(args: &[&str]) -> Result<String> {
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(sni_script())
        .args(args)
        .output()
        .context("cannot run sni.py")?;
    ensure!(
        out.status.success(),
        "sni.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The tray menu's labels, depth first (a submenu's items follow it, indented by two spaces).
pub fn tray_labels() -> Result<Vec<String>> {
    fn walk(items: &[Value], depth: usize, out: &mut Vec<String>) {
        for item in items {
            if item["separator"] == true {
                out.push(format!("{}---", "  ".repeat(depth)));
            } else {
                out.push(format!(
                    "{}{}",
                    "  ".repeat(depth),
                    item["label"].as_str().unwrap_or_default()
                ));
            }
            walk(
                item["children"].as_array().map_or(&[], |v| v),
                depth + 1,
                out,
            );
        }
    }
    let menu: Value = serde_json::from_str(&tray(&["menu"])?)?;
    let mut out = Vec::new();
    walk(menu.as_array().map_or(&[], |v| v), 0, &mut out);
    Ok(out)
}

/// `tokenkeeper daemon` started as a user or their session would, its stderr in `log`;
/// killed when dropped.
#[derive(Debug)]
pub struct Background {
    /// The process.
    pub child: std::process::Child,
    /// Its log.
    pub log: std::path::PathBuf,
}

impl Background {
    /// Starts it over `config` and waits for its first line of work.
    pub async fn start(config: &Path, dir: &Path) -> Result<Self> {
        let log = dir.join("background.log");
        let child = std::process::Command::new(crate::env("TOKENKEEPER_CLI")?)
            .arg("daemon")
            .arg("--config-dir")
            .arg(config)
            .env("TOKENKEEPER_LOG", "info")
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        let background = Self { child, log };
        eventually(15, "the background to start", async || {
            Ok(std::fs::read_to_string(&background.log)?
                .contains("background started")
                .then_some(()))
        })
        .await?;
        Ok(background)
    }

    /// What it logged.
    pub fn logged(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
