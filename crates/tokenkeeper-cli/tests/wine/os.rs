//! What Windows does its own way, seen from inside Windows by the probe (`probe/probe.c`):
//! `exec --token-file`'s folder and its DACL, a hook's stdin and environment, Start at login in
//! the `Run` key (and the background it starts), and `remove --all` leaving nothing in
//! Credential Manager.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokenkeeper_emulators::Api;

use crate::helpers::{blocking, start};
use crate::win::{
    WinEnv, kill_windows_processes, linux_path, probe, probed, registry_value, short_lived,
    windows_path, with_account,
};

/// The one entry of a DACL in SDDL (`D:P(A;…;…;;;SID)`), or `None` when there are more.
fn only_entry(sddl: &str) -> Option<&str> {
    let entries = sddl.strip_prefix("D:")?;
    (entries.matches('(').count() == 1).then_some(entries)
}

/// `exec wp --token-file --min-valid 3 -- COMMAND…` (the 8 s tokens outlive 3 s).
fn token_file_exec(e: &WinEnv, command: &[&str]) -> crate::helpers::Run {
    let mut args = vec!["exec", "wp", "--token-file", "--min-valid", "3", "--"];
    args.extend_from_slice(command);
    e.run(&args, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn the_token_file_is_the_users_alone_kept_fresh_and_removed_at_the_end() {
    with_account(short_lived(Api::JwtAuthPro, 8).await, "wp", move |e, _| {
        let probe = probe();
        // The command reads the file, waits past the token's life, and reads it again.
        let run = token_file_exec(e, &[&probe, "file", "BEARER_TOKEN_FILE", "10"]);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        let seen = probed(&run.stdout);
        let (token, later) = (&seen["token"], &seen["later"]);
        assert_eq!(token.split('.').count(), 3, "a JWT: {}", run.stdout);
        assert!(
            later.split('.').count() == 3 && later != token,
            "replaced before the 8 s token ran out: {}",
            run.stdout
        );
        // Only this user may open the folder and the file: one entry each, this user's; the
        // folder's protected (nothing inherited from %TEMP%) and passed on to what is in it.
        // Wine 8 takes a DACL (success) and keeps none (`dacls_kept=no`: it answers with one
        // made from the Unix mode); there the descriptor TokenKeeper sets is checked by
        // winsec's unit test, run under Wine too.
        let user = &seen["user"];
        assert!(user.starts_with("S-1-5-"), "{}", run.stdout);
        match seen["dacls_kept"].as_str() {
            "yes" => {
                let dir = only_entry(&seen["dir_dacl"]).unwrap_or_else(|| panic!("{}", run.stdout));
                assert!(
                    dir.starts_with("P(A;OICI;") && dir.ends_with(&format!(";;;{user})")),
                    "{}",
                    run.stdout
                );
                let file =
                    only_entry(&seen["file_dacl"]).unwrap_or_else(|| panic!("{}", run.stdout));
                assert!(
                    file.starts_with("(A;") && file.ends_with(&format!(";;;{user})")),
                    "{}",
                    run.stdout
                );
            }
            "no" => eprintln!("this Wine keeps no DACL: {}", seen["dir_dacl"]),
            other => panic!("the probe could not tell ({other}): {}", run.stdout),
        }
        // The folder is in the user's temporary folder, and gone with the command.
        let path = &seen["path"];
        assert!(
            path.to_ascii_lowercase()
                .contains(r"\temp\tokenkeeper\exec-"),
            "{path}"
        );
        let on_linux = linux_path(path);
        assert!(
            !on_linux.exists() && !on_linux.parent().unwrap().exists(),
            "{} is removed",
            on_linux.display()
        );
        // The command's exit code is ours, and its folder goes then too.
        let before = std::fs::read_dir(on_linux.parent().unwrap().parent().unwrap())
            .unwrap()
            .count();
        let run = token_file_exec(e, &["cmd.exe", "/c", "exit 9"]);
        assert_eq!(run.code, 9, "{}", run.stderr);
        let after = std::fs::read_dir(on_linux.parent().unwrap().parent().unwrap())
            .unwrap()
            .count();
        assert_eq!(before, after, "no folder left behind");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn a_hook_gets_each_new_token_on_stdin_only() {
    with_account(short_lived(Api::GenericJwt, 6).await, "g", move |e, _| {
        let out = e.dir.path().join("hook-out.txt");
        e.run(
            &["hook", "g", "--", &probe(), "stdin", &windows_path(&out)],
            None,
        )
        .ok();
        let background = e.daemon();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !std::fs::read_to_string(&out).is_ok_and(|t| t.contains("stdin=ey")) {
            assert!(
                Instant::now() < deadline,
                "no hook ran within 30 s\n{}",
                background.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let text = std::fs::read_to_string(&out).unwrap();
        let seen = probed(&text);
        assert_eq!(seen["TOKENKEEPER_ACCOUNT"], "g", "{text}");
        assert_eq!(seen["TOKENKEEPER_PROVIDER"], "generic-jwt", "{text}");
        assert!(!seen["TOKENKEEPER_FINGERPRINT"].is_empty(), "{text}");
        assert!(!seen["TOKENKEEPER_EXPIRES_AT"].is_empty(), "{text}");
        let token = seen["stdin"].trim();
        assert_eq!(token.split('.').count(), 3, "{text}");
        // The token is on stdin only, in no variable.
        for (key, value) in &seen {
            if key != "stdin" {
                assert!(!value.contains(token), "{key} holds the token");
            }
        }
    })
    .await;
}

const RUN_KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn start_at_login_runs_the_background_from_the_run_key() {
    with_account(start(Api::Smartling).await, "s", move |e, _| {
        // (A run of this test stopped halfway leaves the value in the prefix.)
        e.run(&["autostart", "off"], None).ok();
        assert_eq!(e.run(&["autostart"], None).ok().stdout.trim(), "off");
        let run = e.run(&["autostart", "on"], None).ok();
        assert!(
            run.stdout.contains(r"CurrentVersion\Run\TokenKeeper"),
            "{}",
            run.stdout
        );
        assert_eq!(e.run(&["autostart"], None).ok().stdout.trim(), "on");
        let value = registry_value(RUN_KEY, "TokenKeeper").expect("the Run value");
        let config = windows_path(&e.config_dir());
        let log = format!(r"{config}\background.log");
        assert!(
            value.contains(r#"\tokenkeeper-background.exe" daemon --config-dir "#)
                || value.contains(r"\tokenkeeper-background.exe daemon --config-dir "),
            "the console-less background: {value}"
        );
        assert!(
            value.contains(&config) && value.contains(&format!("--log-file {log}")),
            "{value}"
        );
        // What Explorer runs at logon: the value's command line, as it is (through cmd.exe, which
        // takes one quoted command line; Wine quotes the argument, cmd strips the two quotes).
        let wine = std::env::var("TOKENKEEPER_WINE").unwrap();
        let mut child = std::process::Command::new(wine)
            .args(["cmd.exe", "/c", &value])
            .env("WINEDEBUG", "-all")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let log_file = linux_path(&log);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !std::fs::read_to_string(&log_file).is_ok_and(|t| t.contains("background started")) {
            assert!(
                Instant::now() < deadline,
                "the background did not start (log at {})",
                log_file.display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let run = e.run(&["-v", "token", "s"], None).ok();
        assert!(
            run.stderr.contains("answered by the token agent"),
            "{}",
            run.stderr
        );
        // This test's background only: the tests beside it run theirs in the same prefix.
        let killed = kill_windows_processes("tokenkeeper-background.exe", &config);
        assert!(killed >= 1, "no background of {config} found");
        let _ = child.kill();
        let _ = child.wait();
        e.run(&["autostart", "off"], None).ok();
        assert_eq!(registry_value(RUN_KEY, "TokenKeeper"), None);
        assert_eq!(e.run(&["autostart"], None).ok().stdout.trim(), "off");
        // Off twice is no error.
        e.run(&["autostart", "off"], None).ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn remove_all_leaves_no_account_and_nothing_in_credential_manager() {
    let (ece, redis) = (
        Arc::new(start(Api::Ece).await),
        Arc::new(start(Api::RedisEnterprise).await),
    );
    let env = Arc::new(WinEnv::new());
    let (e, c, r) = (env.clone(), ece.clone(), redis.clone());
    blocking(move || {
        e.add("one", &c).ok();
        e.add("two", &r).ok();
        let ids: Vec<String> = e
            .run(&["list", "--json"], None)
            .ok()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), 2);
        let ours = |targets: Vec<String>| -> Vec<String> {
            targets
                .into_iter()
                .filter(|t| ids.iter().any(|id| t.starts_with(id.as_str())))
                .collect()
        };
        assert!(!ours(crate::win::credential_targets()).is_empty());
        let run = e.run(&["remove", "--all"], None).ok();
        assert!(
            run.stdout.contains("removed one") && run.stdout.contains("removed two"),
            "{}",
            run.stdout
        );
        assert_eq!(ours(crate::win::credential_targets()), Vec::<String>::new());
        assert_eq!(
            e.run(&["list", "--json"], None).ok().json(),
            serde_json::json!([])
        );
        assert!(
            e.run(&["remove", "--all"], None)
                .ok()
                .stdout
                .contains("no accounts")
        );
        let run = e.run(&["remove"], None);
        assert!(
            run.code == 2 && run.stderr.contains("<NAME|--all>"),
            "{}",
            run.stderr
        );
    })
    .await;
}

/// Whether Wine's notification area (its X window "Wine System Tray", which shows only while it
/// holds an icon) is on the screen.
fn wine_tray_viewable() -> bool {
    std::process::Command::new("xwininfo")
        .args(["-name", "Wine System Tray"])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("Map State: IsViewable"))
}

#[track_caller]
fn wait_until(what: &str, within: Duration, check: impl Fn() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < deadline, "{what} within {within:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// With a display the background's notify icon shows in Wine's notification area, with the
/// menu's summary as its tooltip, and goes when the background stops. (Wine relays clicks to
/// the icon's window, but its `Shell_NotifyIconGetRect` is a stub, so tray-icon drops them:
/// the menu itself is not clicked here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine, tokenkeeper.exe and a display: run by scripts/wine.sh under Xvfb"]
async fn tray_icon_shows_with_a_display_and_goes_with_the_background() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "scripts/wine.sh runs this test under xvfb-run"
    );
    with_account(start(Api::Ece).await, "ece", move |e, _| {
        assert!(!wine_tray_viewable(), "no icon before the background");
        let background = e.daemon_with(&["daemon"]);
        background.wait_for("tray shown", Duration::from_secs(30));
        wait_until(
            "the notify icon shows",
            Duration::from_secs(10),
            wine_tray_viewable,
        );
        let pid = background.pid().to_string();
        let status = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(status.success());
        background.wait_for("background stopped", Duration::from_secs(20));
        wait_until("the notify icon goes", Duration::from_secs(10), || {
            !wine_tray_viewable()
        });
    })
    .await;
}

/// A refresh that starts failing is told as the notify icon's balloon (a toast on Windows 10
/// and 11), with the API's words; Wine draws it as a window of its notification area.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine, tokenkeeper.exe and a display: run by scripts/wine.sh under Xvfb"]
async fn tray_balloon_tells_of_a_failing_refresh() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "scripts/wine.sh runs this test under xvfb-run"
    );
    with_account(short_lived(Api::Smartling, 6).await, "sm", move |e, em| {
        let background = e.daemon_with(&["daemon"]);
        background.wait_for("tray shown", Duration::from_secs(30));
        em.push_fault(tokenkeeper_emulators::Fault {
            target: tokenkeeper_emulators::FaultTarget::Refresh,
            times: 50,
            action: tokenkeeper_emulators::FaultAction::ApiError { status: 503 },
        });
        assert!(!balloon_shown(), "no balloon before the failure");
        background.wait_for("refresh failed", Duration::from_secs(30));
        wait_until("a balloon shows", Duration::from_secs(10), balloon_shown);
        assert!(
            !background.log().contains("notification not shown"),
            "{}",
            background.log()
        );
    })
    .await;
}

/// Whether Wine shows a balloon: a window of its notification area's process, without a name
/// and large enough for a title and a line (seen drawn with the title "sm: refresh failed" and
/// the API's words under it), on the screen.
fn balloon_shown() -> bool {
    let Ok(out) = std::process::Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
    else {
        return false;
    };
    let tree = String::from_utf8_lossy(&out.stdout).into_owned();
    tree.lines()
        .filter(|l| l.contains("(has no name): (\"explorer.exe\""))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let id = words.next()?.to_owned();
            let size = l.rsplit(')').next()?.split_whitespace().next()?.to_owned();
            let (w, rest) = size.split_once('x')?;
            let h = rest.split(['+', '-']).next()?;
            let big = w.parse::<u32>().ok()? >= 100 && h.parse::<u32>().ok()? >= 40;
            big.then_some(id)
        })
        .any(|id| {
            std::process::Command::new("xwininfo")
                .args(["-id", &id])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("Map State: IsViewable"))
        })
}
