//! The window and the background as real processes: the window lives while it is open, the
//! background (`tokenkeeper daemon`) refreshes, copies and draws the tray, and the tray is
//! driven through D-Bus itself (com.canonical.dbusmenu), as a desktop's panel drives it, with a
//! StatusNotifierWatcher of the test's own (tests/e2e/sni.py). Run by scripts/e2e.sh.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use serde_json::json;
use tokenkeeper_e2e::app::*;
use tokenkeeper_e2e::{app_binary, cli_ok, clipboard, eventually, notifications};
use tokenkeeper_emulators::Api;

/// Starts the window as a user does (no WebDriver: a driver ends its session, and the app with
/// it, when the last window closes), its output in `dir/app-N.log`.
fn launch(config: &Path, dir: &Path, n: u32) -> Result<std::process::Child> {
    let log = std::fs::File::create(dir.join(format!("app-{n}.log")))?;
    Ok(std::process::Command::new(app_binary()?)
        .arg("--config-dir")
        .arg(config)
        .env("TOKENKEEPER_LOG", "info")
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?)
}

fn logs(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".log") {
            text.push_str(&format!(
                "--- {name}\n{}\n",
                std::fs::read_to_string(entry.path()).unwrap_or_default()
            ));
        }
    }
    text
}

/// The clipboard delay for this config directory (the app's settings file).
fn clear_clipboard_after(config: &Path, secs: u64) -> Result<()> {
    std::fs::create_dir_all(config)?;
    std::fs::write(
        config.join("app.json"),
        format!("{{\"clipboard_clear_secs\":{secs},\"notifications\":true}}"),
    )?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs Xvfb, tauri-driver and a notification daemon: run by scripts/e2e.sh"]
async fn closing_the_window_ends_its_process_and_the_background_refreshes_on() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config");
    let fast = emulator(Api::JwtAuthPro, 12).await?;
    cli_add(&config, "short-lived", &fast, dir.path())?;
    let mut first = launch(&config, dir.path(), 1)?;
    let result = async {
        eventually(30, "the window", async || {
            Ok((windows("count")? == 1).then_some(()))
        })
        .await?;
        // The window started one background.
        let background = eventually(20, "a background", async || {
            Ok(match backgrounds(&config)?[..] {
                [pid] => Some(pid),
                _ => None,
            })
        })
        .await?;
        // A second launch: the first window shows itself, no second window or background.
        let second = launch(&config, dir.path(), 2)?.wait_with_output()?;
        ensure!(second.status.success(), "the second launch exits cleanly");
        tokio::time::sleep(Duration::from_secs(2)).await;
        ensure!(windows("count")? == 1, "one window");
        ensure!(backgrounds(&config)? == [background], "one background");
        // The close button: the window's process ends, as it should.
        ensure!(windows("close")? == 1);
        let status = eventually(15, "the window's process to end", async || {
            Ok(first.try_wait()?)
        })
        .await?;
        ensure!(status.success(), "{status:?}");
        let before = last_refresh(&config, "short-lived")?;
        eventually(30, "a refresh with the window closed", async || {
            Ok((last_refresh(&config, "short-lived")? != before).then_some(()))
        })
        .await?;
        ensure!(
            backgrounds(&config)? == [background],
            "the same background refreshed"
        );
        Ok(())
    }
    .await;
    let _ = first.kill();
    let _ = first.wait();
    stop_backgrounds();
    result.with_context(|| logs(dir.path()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs Xvfb, tauri-driver and a notification daemon: run by scripts/e2e.sh"]
async fn the_tray_copies_refreshes_opens_the_window_and_quits_both_over_dbus() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config");
    let emu = emulator(Api::RedisEnterprise, 900).await?;
    cli_add(&config, "redis-prod", &emu, dir.path())?;
    clear_clipboard_after(&config, 3)?;
    let host = TrayHost::start(dir.path()).await?;
    let mut background = Background::start(&config, dir.path()).await?;
    let result = async {
        eventually(10, "the tray to register", async || {
            Ok((host.registered()? == 1).then_some(()))
        })
        .await?;
        let props = tray(&["props"])?;
        ensure!(
            props.contains("\"Title\": \"TokenKeeper\"")
                && props.contains("\"Status\": \"Active\"")
                && props.contains("1 account, fresh")
                && props.contains("\"IconPixmaps\": 2"),
            "{props}"
        );
        let labels = tray_labels()?;
        ensure!(labels[0] == "1 account, fresh", "{labels:?}");
        let account = labels
            .iter()
            .find(|l| l.starts_with("redis-prod · "))
            .context("the account's entry")?;
        ensure!(account.ends_with("min left"), "time left: {account}");
        for expected in [
            "  Copy token",
            "  Refresh now",
            "Refresh all",
            "Open TokenKeeper",
            "Quit",
        ] {
            ensure!(
                labels.iter().any(|l| l == expected),
                "{expected}: {labels:?}"
            );
        }

        // Copy token: a valid token on the clipboard, marked secret, gone after the delay.
        tray(&["click", "redis-prod ·", "Copy token"])?;
        let token = cli_ok(&config, &["token", "redis-prod"], None)?;
        eventually(10, "the token on the clipboard", async || {
            Ok((clipboard(None)? == token.trim()).then_some(()))
        })
        .await?;
        ensure!(clipboard(Some("TARGETS"))?.contains("x-kde-passwordManagerHint"));
        eventually(10, "a notification", async || {
            Ok(notifications()?.contains("Token copied").then_some(()))
        })
        .await?;
        eventually(10, "the clipboard cleared after 3 s", async || {
            Ok(clipboard(None)?.is_empty().then_some(()))
        })
        .await?;

        // Refresh now: a new token.
        let before = listed(&config)?[0]["token_fingerprint"].clone();
        tray(&["click", "redis-prod ·", "Refresh now"])?;
        eventually(15, "a new token", async || {
            Ok((listed(&config)?[0]["token_fingerprint"] != before).then_some(()))
        })
        .await?;

        // Open TokenKeeper: the window, over this config directory.
        tray(&["click", "Open TokenKeeper"])?;
        eventually(30, "the window", async || {
            Ok((windows("count")? == 1).then_some(()))
        })
        .await?;
        let window = std::process::Command::new("pgrep")
            .args([
                "-f",
                &format!("tokenkeeper-app --config-dir {}", config.display()),
            ])
            .output()?;
        ensure!(
            window.status.success(),
            "the window runs over the same directory"
        );

        // Quit: the background stops, and the window closes with it.
        tray(&["click", "Quit"])?;
        let status = eventually(15, "the background to quit", async || {
            Ok(background.child.try_wait()?)
        })
        .await?;
        ensure!(status.success(), "{status:?}");
        eventually(15, "the window to close", async || {
            Ok((windows("count")? == 0).then_some(()))
        })
        .await?;
        Ok(())
    }
    .await;
    let _ = std::process::Command::new("pkill")
        .args(["-f", "tokenkeeper-app --config-dir"])
        .status();
    result.with_context(|| format!("{}\n{}", background.logged(), logs(dir.path())))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs Xvfb, tauri-driver and a notification daemon: run by scripts/e2e.sh"]
async fn a_token_the_tray_copied_is_given_up_on_sigterm() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config");
    let emu = emulator(Api::Smartling, 900).await?;
    cli_add(&config, "smartling", &emu, dir.path())?;
    let _host = TrayHost::start(dir.path()).await?;
    let mut background = Background::start(&config, dir.path()).await?;
    let result = async {
        eventually(10, "the tray", async || {
            Ok(tray_labels()
                .ok()
                .filter(|l| l.iter().any(|l| l.starts_with("smartling · ")))
                .map(|_| ()))
        })
        .await?;
        tray(&["click", "smartling ·", "Copy token"])?;
        let token = cli_ok(&config, &["token", "smartling"], None)?;
        eventually(10, "the token on the clipboard", async || {
            Ok((clipboard(None)? == token.trim()).then_some(()))
        })
        .await?;
        let watch = ClipWatch::start(dir.path()).await?;
        ensure!(
            std::process::Command::new("kill")
                .args(["-TERM", &background.child.id().to_string()])
                .status()?
                .success()
        );
        let status = eventually(15, "the background to stop", async || {
            Ok(background.child.try_wait()?)
        })
        .await?;
        ensure!(status.success(), "{status:?}");
        // It gave the selection up itself (owner None) before it went: a killed owner shows as
        // "client-closed", which clipboard managers take as a crash and may save what it served.
        let seen = eventually(5, "the selection to change hands", async || {
            let lines = watch.lines()?;
            Ok((lines.len() > 1).then_some(lines))
        })
        .await?;
        ensure!(seen[1..] == ["set 0"], "{seen:?}");
        ensure!(clipboard(None)?.is_empty(), "nothing left to paste");
        Ok(())
    }
    .await;
    result.with_context(|| background.logged())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs Xvfb, tauri-driver and a notification daemon: run by scripts/e2e.sh"]
async fn a_killed_background_is_shown_in_the_window_and_started_again() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config");
    let emu = emulator(Api::Smartling, 900).await?;
    cli_add(&config, "acc", &emu, dir.path())?;
    // No tray host on this desktop.
    let app = start_app(LIGHT, &config).await?;
    let result = async {
        app.wait_for(&card("acc"), 20).await?;
        app.wait_for("[data-banner=info]", 20).await?;
        let said = app.text("[data-banner=info]").await?;
        ensure!(said.contains("No tray on this desktop"), "{said}");
        // Which the user can dismiss for good.
        app.click_css("[data-action=dismiss-no-tray]").await?;
        eventually(10, "the no-tray note gone", async || {
            let left = app
                .execute(
                    "return document.querySelectorAll('[data-banner=info]').length",
                    json!([]),
                )
                .await?;
            Ok((left == json!(0)).then_some(()))
        })
        .await?;
        let first = eventually(20, "one background", async || {
            Ok(match backgrounds(&config)?[..] {
                [pid] => Some(pid),
                _ => None,
            })
        })
        .await?;
        ensure!(
            std::process::Command::new("kill")
                .args(["-KILL", &first.to_string()])
                .status()?
                .success()
        );
        let second = eventually(30, "a new background", async || {
            Ok(match backgrounds(&config)?[..] {
                [pid] if pid != first => Some(pid),
                _ => None,
            })
        })
        .await?;
        ensure!(second != first);
        // "stopped unexpectedly; starting it again…" first, then, once the new one answers:
        app.wait_for("[data-banner=warn]", 20).await?;
        let said = eventually(20, "the banner saying it started again", async || {
            let said = app.text("[data-banner=warn]").await?;
            Ok(
                (said.contains("stopped unexpectedly once") && said.contains("started again"))
                    .then_some(said),
            )
        })
        .await;
        ensure!(said.is_ok(), "{:?}", app.text("[data-banner=warn]").await);
        // And it works: Copy goes through the new background.
        app.click_css(&format!("{} [data-action=copy]", card("acc")))
            .await?;
        let token = cli_ok(&config, &["token", "acc"], None)?;
        eventually(15, "the token on the clipboard", async || {
            Ok((clipboard(None)? == token.trim()).then_some(()))
        })
        .await?;
        Ok(())
    }
    .await;
    finish(app).await?;
    result
}
