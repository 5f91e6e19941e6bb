//! `tokenkeeper.exe` as a Windows process: the installed background it runs for `daemon` (and
//! what it says without it), its config folder under `%APPDATA%`, and the browser a sign-in
//! opens. (That the release build imports no GUI, shell or COM library is checked where it is
//! built, by scripts/bench-wine.sh: a debug build, without LTO, imports every raw-dylib
//! function its dependencies name.)

use std::process::{Command, Stdio};

use tokenkeeper_emulators::Api;

use crate::helpers::{PASSWORD, USER, blocking, run_command, start};
use crate::win::{WinEnv, linux_path, windows_path, wine_tool};

/// `daemon` with no `tokenkeeper-background.exe` beside the CLI says what is missing (the CLI
/// has no tray or clipboard of its own to run the background with).
#[test]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
fn daemon_without_the_installed_background_says_what_is_missing() {
    let e = WinEnv::new();
    let alone = e.dir.path().join("alone");
    std::fs::create_dir(&alone).unwrap();
    let exe = alone.join("tokenkeeper.exe");
    std::fs::copy(std::env::var("TOKENKEEPER_WINE_EXE").unwrap(), &exe).unwrap();
    let mut cmd = Command::new(std::env::var("TOKENKEEPER_WINE").unwrap());
    cmd.arg(&exe)
        .arg("--config-dir")
        .arg(windows_path(&e.config_dir()))
        .args(["daemon", "--no-tray"])
        .env("WINEDEBUG", "-all")
        .env_remove("TOKENKEEPER_BACKGROUND");
    run_command(cmd, None).fails_with(2, "tokenkeeper-background.exe is not installed beside");
}

/// Without `--config-dir`, accounts go to `%APPDATA%\tokenkeeper\config` (README's table), the
/// folder Windows names for the user's roaming application data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn the_config_folder_is_under_appdata_by_default() {
    let emu = std::sync::Arc::new(start(Api::Ece).await);
    let em = emu.clone();
    blocking(move || {
        let out = wine_tool(&["cmd", "/c", "echo %APPDATA%"]);
        let appdata = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(
            appdata.to_ascii_lowercase().ends_with(r"\appdata\roaming"),
            "{appdata}"
        );
        let folder = linux_path(&format!(r"{appdata}\tokenkeeper"));
        let _ = std::fs::remove_dir_all(&folder);
        let (wine, exe) = (
            std::env::var("TOKENKEEPER_WINE").unwrap(),
            std::env::var("TOKENKEEPER_WINE_EXE").unwrap(),
        );
        let tk = |args: &[&str]| {
            let mut cmd = Command::new(&wine);
            cmd.arg(&exe)
                .args(args)
                .env("WINEDEBUG", "-all")
                .env_remove("TOKENKEEPER_CONFIG_DIR")
                .stderr(Stdio::piped());
            cmd
        };
        let url = em.base_url();
        let add = [
            "add",
            "ece",
            "--provider",
            "ece",
            "--url",
            &url,
            "--username",
            USER,
            "--password-stdin",
        ];
        run_command(tk(&add), Some(&format!("{PASSWORD}\n"))).ok();
        let config = std::fs::read_to_string(folder.join("config").join("config.json"));
        let listed = run_command(tk(&["list"]), None).ok();
        run_command(tk(&["remove", "--all"]), None).ok();
        let _ = std::fs::remove_dir_all(&folder);
        let config = config.unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
        assert!(config.contains("\"ece\""), "{config}");
        assert!(listed.stdout.contains("ece"), "{}", listed.stdout);
    })
    .await;
    drop(emu);
}

/// An OAuth 2.0 sign-in opens its page in the user's browser from Windows too: through the
/// shell's URL handler (`rundll32 url.dll,FileProtocolHandler`, which Wine hands to
/// `winebrowser`, here told to run a script that writes down the page), not the CLI's own
/// shell32. Nothing is stored while the sign-in waits, nor when it is given up.
#[test]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
fn a_sign_in_opens_its_page_in_the_browser() {
    use std::os::unix::fs::PermissionsExt;
    let e = WinEnv::new();
    let opened = e.dir.path().join("opened.txt");
    let browser = e.dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            opened.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let key = r"HKCU\Software\Wine\WineBrowser";
    let set = wine_tool(&[
        "reg",
        "add",
        key,
        "/v",
        "Browsers",
        "/d",
        &browser.display().to_string(),
        "/f",
    ]);
    assert!(set.status.success(), "{set:?}");
    let mut signing_in = e
        .command(&[
            "add",
            "o",
            "--provider",
            "oauth2",
            "--client-id",
            "tokenkeeper",
            "--authorization-endpoint",
            "http://127.0.0.1:9/authorize",
            "--token-endpoint",
            "http://127.0.0.1:9/token",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    let page = loop {
        if let Ok(text) = std::fs::read_to_string(&opened)
            && let Some(line) = text.lines().next()
        {
            break Some(line.to_owned());
        }
        if std::time::Instant::now() > deadline || signing_in.try_wait().unwrap().is_some() {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let _ = signing_in.kill();
    let out = signing_in.wait_with_output().unwrap();
    let _ = wine_tool(&["reg", "delete", key, "/v", "Browsers", "/f"]);
    let said = String::from_utf8_lossy(&out.stderr);
    let page = page.unwrap_or_else(|| panic!("no page opened; the CLI said:\n{said}"));
    let url = url::Url::parse(&page).unwrap_or_else(|e| panic!("{page}: {e}"));
    assert_eq!(
        url.as_str().split('?').next(),
        Some("http://127.0.0.1:9/authorize"),
        "{page}"
    );
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(
        query.get("client_id").map(String::as_str),
        Some("tokenkeeper"),
        "{page}"
    );
    assert_eq!(
        query.get("code_challenge_method").map(String::as_str),
        Some("S256"),
        "{page}"
    );
    assert!(
        query
            .get("redirect_uri")
            .is_some_and(|r| r.starts_with("http://127.0.0.1:")),
        "{page}"
    );
    // The page the CLI printed is the one the browser got.
    assert!(said.contains(&page), "{said}\n{page}");
    // Nothing stored.
    e.run(&["show", "o"], None)
        .fails_with(2, r#"no account named "o""#);
}
