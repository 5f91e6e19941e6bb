//! End-to-end harness for the desktop app: a small W3C WebDriver client (the dozen calls the
//! suites need, over reqwest) for tauri-driver, plus helpers for the CLI, the clipboard and
//! the notification log. `scripts/e2e.sh` starts Xvfb, a private D-Bus session with an
//! unlocked gnome-keyring, a notification daemon (python-dbusmock) and tauri-driver, then runs
//! `cargo test -p tokenkeeper-e2e`; outside that environment every test fails at once, saying
//! so (a plain `cargo test` lists them as ignored).

pub mod app;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// An environment variable the runner sets, or a clear failure.
pub fn env(name: &str) -> Result<String> {
    std::env::var(name)
        .with_context(|| format!("{name} is not set: run the end-to-end tests with scripts/e2e.sh"))
}

/// The built app (embedded UI).
pub fn app_binary() -> Result<PathBuf> {
    Ok(PathBuf::from(env("TOKENKEEPER_APP")?))
}

/// Runs `tokenkeeper` on a config directory, with `stdin` given.
pub fn cli(config_dir: &Path, args: &[&str], stdin: Option<&str>) -> Result<Output> {
    use std::io::Write;
    let mut child = Command::new(env("TOKENKEEPER_CLI")?)
        .arg("--config-dir")
        .arg(config_dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run tokenkeeper")?;
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.unwrap_or_default().as_bytes())?;
    }
    let out = child.wait_with_output()?;
    Ok(out)
}

/// Runs `tokenkeeper` and returns its stdout, failing with its stderr.
pub fn cli_ok(config_dir: &Path, args: &[&str], stdin: Option<&str>) -> Result<String> {
    let out = cli(config_dir, args, stdin)?;
    if !out.status.success() {
        bail!(
            "tokenkeeper {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// What the X clipboard holds (`xclip -selection clipboard -o [-t TARGET]`).
pub fn clipboard(target: Option<&str>) -> Result<String> {
    let mut cmd = Command::new("xclip");
    cmd.args(["-selection", "clipboard", "-o"]);
    if let Some(t) = target {
        cmd.args(["-t", t]);
    }
    let out = cmd.output().context("cannot run xclip")?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The notification daemon's log of calls (python-dbusmock `-l`).
pub fn notifications() -> Result<String> {
    Ok(std::fs::read_to_string(env("TOKENKEEPER_NOTIFY_LOG")?).unwrap_or_default())
}

/// Polls `check` every 200 ms for at most `secs`.
pub async fn eventually<T>(
    secs: u64,
    what: &str,
    mut check: impl AsyncFnMut() -> Result<Option<T>>,
) -> Result<T> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut last_error = None;
    loop {
        match check().await {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
        if tokio::time::Instant::now() >= deadline {
            match last_error {
                Some(e) => bail!("timed out after {secs} s waiting for {what}: {e:#}"),
                None => bail!("timed out after {secs} s waiting for {what}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Where the end-to-end tests' screenshots go: `target/e2e-screenshots/` (looked at after a
/// run, never committed), or `TOKENKEEPER_SCREENSHOT_DIR`, which `scripts/screenshots.sh` sets
/// to `docs/screenshots/` when the README's pictures are renewed on purpose.
pub fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("TOKENKEEPER_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots")
        });
    // The directory may not exist yet in a fresh clone; a failure shows at the screenshot.
    let _ = std::fs::create_dir_all(&dir);
    dir
}
