//! What a Windows user does with the CLI, under Wine: every API's add, token, header, refresh
//! and exec; the agent over the named pipe; a background that keeps accounts fresh and stops on
//! Ctrl+C; a killed background; a lost credential.

use std::sync::Arc;
use std::time::Duration;

use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig};

use crate::helpers::{blocking, start};
use crate::win::{WinEnv, short_lived, with_account};

const ALL: [Api; 5] = [
    Api::RedisEnterprise,
    Api::Ece,
    Api::Smartling,
    Api::GenericJwt,
    Api::JwtAuthPro,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn every_api_adds_hands_out_refreshes_and_runs_a_command() {
    for api in ALL {
        let emu = Arc::new(start(api).await);
        let env = Arc::new(WinEnv::new());
        let (e, em) = (env.clone(), emu.clone());
        blocking(move || {
            let name = api.id();
            e.add(name, &em).ok();
            // The token, stored in Credential Manager, comes back from the API's login.
            let token = e.token(name);
            assert!(token.len() > 20, "{api:?}: {token:?}");
            let logins = em.stats().logins + em.stats().refreshes;
            assert!(logins >= 1, "{api:?}");
            // The header the API wants.
            let header = e.run(&["header", name], None).ok().stdout;
            let scheme = if api == Api::RedisEnterprise {
                "JWT"
            } else {
                "Bearer"
            };
            assert_eq!(
                header.trim(),
                format!("Authorization: {scheme} {token}"),
                "{api:?}"
            );
            // A forced refresh gives a new token, which `token` then hands out.
            e.run(&["refresh", name], None).ok();
            let fresh = e.token(name);
            assert_ne!(fresh, token, "{api:?}: refreshed");
            // exec: the command (Windows' own cmd.exe) gets the token in its environment and
            // its exit code is ours.
            let run = e.run(
                &[
                    "exec",
                    name,
                    "--",
                    "cmd.exe",
                    "/c",
                    "echo %TOKENKEEPER_TOKEN%",
                ],
                None,
            );
            assert_eq!(run.code, 0, "{api:?}: {}", run.stderr);
            assert_eq!(run.stdout.trim(), fresh, "{api:?}");
            let run = e.run(&["exec", name, "--", "cmd.exe", "/c", "exit 7"], None);
            assert_eq!(run.code, 7, "{api:?}: {}", run.stderr);
            // list and show read the same files.
            let list = e.run(&["list", "--json"], None).ok().json();
            assert_eq!(list[0]["name"], name, "{list}");
            assert_eq!(list[0]["status"], "fresh", "{list}");
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn the_agent_answers_over_the_named_pipe_like_the_direct_path() {
    with_account(start(Api::Smartling).await, "s", move |e, _| {
        // No background: `token` goes to Credential Manager and the API itself.
        let direct = e.run(&["-v", "token", "s"], None).ok();
        assert!(
            direct.stderr.contains("no token agent answered"),
            "{}",
            direct.stderr
        );
        let background = e.daemon();
        let through = e.run(&["-v", "token", "s"], None).ok();
        assert!(
            through.stderr.contains("answered by the token agent"),
            "{}\n{}",
            through.stderr,
            background.log()
        );
        assert_eq!(through.stdout, direct.stdout, "the same token either way");
        // Errors come back the same way, with the same exit code.
        let missing = e
            .run(&["token", "nope"], None)
            .fails_with(2, "no account named \"nope\"");
        let direct_missing = {
            let mut cmd = e.command(&["token", "nope"]);
            cmd.env("TOKENKEEPER_NO_AGENT", "1");
            crate::helpers::run_command(cmd, None)
        };
        assert_eq!(direct_missing.code, missing.code);
        assert_eq!(direct_missing.stderr, missing.stderr);
        drop(background);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn the_background_keeps_tokens_fresh_and_stops_cleanly_on_ctrl_c() {
    with_account(short_lived(Api::JwtAuthPro, 8).await, "wp", move |e, em| {
        let refreshes = em.stats().refreshes;
        let mut background = e.daemon();
        // Several lifetimes of 8 s: the background refreshes before each token expires.
        std::thread::sleep(Duration::from_secs(26));
        assert!(
            em.stats().refreshes >= refreshes + 3,
            "{} refreshes in 26 s of 8 s tokens\n{}",
            em.stats().refreshes - refreshes,
            background.log()
        );
        let show = e.run(&["show", "wp", "--json"], None).ok().json();
        assert_eq!(show["status"], "fresh", "{show}");
        // Ctrl+C (Wine turns SIGINT into the console event) to `tokenkeeper.exe daemon`: the
        // installed background it runs as its child (a program without a console) is told
        // through its stdin and stops cleanly; then the daemon ends, with success.
        let pid = background.pid();
        let status = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        background.wait_for("background stopped", Duration::from_secs(20));
        let log = background.log();
        assert!(log.contains("Ctrl+C: stopping the background"), "{log}");
        assert!(
            log.contains("the tokenkeeper daemon that started it is stopping it"),
            "{log}"
        );
        let ended = background.wait_exit(Duration::from_secs(10));
        assert!(ended.success(), "{ended:?}\n{log}");
        // Nothing of it is left: no agent answers.
        let run = e.run(&["-v", "token", "wp", "--min-valid", "1"], None);
        assert!(
            run.stderr.contains("no token agent answered"),
            "{}",
            run.stderr
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn a_killed_background_frees_the_folder_and_tokens_still_come() {
    with_account(start(Api::Ece).await, "ece", move |e, _| {
        let first = e.daemon();
        // One background per folder: a second one is refused.
        e.run(&["daemon", "--no-tray"], None)
            .fails_with(2, "already refreshing");
        first.kill();
        // Killed: no agent answers, and `token` goes directly.
        let run = e.run(&["-v", "token", "ece"], None).ok();
        assert!(
            run.stderr.contains("no token agent answered"),
            "{}",
            run.stderr
        );
        // The lock went with the process: a new background starts and answers.
        let second = e.daemon();
        let run = e.run(&["-v", "token", "ece"], None).ok();
        assert!(
            run.stderr.contains("answered by the token agent"),
            "{}\n{}",
            run.stderr,
            second.log()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn a_lost_credential_needs_login_and_login_brings_the_account_back() {
    with_account(start(Api::RedisEnterprise).await, "r", move |e, _| {
        let id = e.run(&["show", "r", "--json"], None).ok().json()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Its secrets leave Credential Manager (another tool, a profile reset).
        assert!(crate::win::delete_credential(&format!(
            "{id}/password.tokenkeeper"
        )));
        assert!(crate::win::delete_credential(&format!(
            "{id}/access.tokenkeeper"
        )));
        let show = e.run(&["show", "r", "--json"], None).ok().json();
        assert_eq!(show["stored_secrets"], serde_json::json!([]), "{show}");
        e.run(&["refresh", "r"], None).fails_with(3, "needs login");
        e.run(&["login", "r", "--password-stdin"], Some("s3cret\n"))
            .ok();
        assert!(!e.token("r").is_empty());
    })
    .await;
}

/// Credential Manager keeps 2,560 bytes of UTF-16 per credential: 4 KB secrets of every kind
/// (a password, a refresh token, an access token) are kept in parts and come back whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Wine and tokenkeeper.exe: run by scripts/wine.sh"]
async fn four_kilobyte_secrets_of_every_kind_are_kept_in_parts_and_come_back_whole() {
    // A refresh token and access tokens of about 4 KB (the generic service's are JWTs).
    let mut generic = EmulatorConfig::for_api(Api::GenericJwt);
    generic.token_padding = 4000;
    let generic = Arc::new(Emulator::start(Api::GenericJwt, generic).await.unwrap());
    // A 4 KB password (ECE), and 4 KB access tokens.
    let long_password = "p".repeat(4096);
    let mut ece = EmulatorConfig::for_api(Api::Ece);
    ece.token_padding = 4000;
    ece.users = vec![(crate::helpers::USER.to_owned(), long_password.clone())];
    let ece = Arc::new(Emulator::start(Api::Ece, ece).await.unwrap());
    let env = Arc::new(WinEnv::new());
    let (e, g, c) = (env.clone(), generic.clone(), ece.clone());
    blocking(move || {
        e.add("g", &g).ok();
        let first = e.token("g");
        assert!(first.len() > 4000, "{}", first.len());
        // The 4 KB refresh token, read back whole from its parts, refreshes.
        e.run(&["refresh", "g"], None).ok();
        let second = e.token("g");
        assert!(second.len() > 4000 && second != first);
        assert!(g.stats().refreshes >= 1);
        let id = e.run(&["show", "g", "--json"], None).ok().json()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let targets = crate::win::credential_targets();
        for kind in ["access", "refresh"] {
            assert!(
                targets
                    .iter()
                    .any(|t| t.starts_with(&format!("{id}/{kind}#"))),
                "{kind} in parts: {targets:?}"
            );
        }
        // Only the current generation's parts are left: 4 KB is 4 parts of 1,280.
        let access_parts = targets
            .iter()
            .filter(|t| t.starts_with(&format!("{id}/access#")))
            .count();
        assert_eq!(access_parts, second.len().div_ceil(1280), "{targets:?}");

        // The 4 KB password: the server forgets every token, so the refresh is refused and
        // the account logs in again with the stored password, read back whole.
        let run = e.run(
            &[
                "add",
                "c",
                "--provider",
                "ece",
                "--url",
                &c.base_url(),
                "--username",
                crate::helpers::USER,
                "--password-stdin",
            ],
            Some(&format!("{long_password}\n")),
        );
        run.ok();
        let logins = c.stats().logins;
        c.revoke_all();
        e.run(&["refresh", "c"], None).ok();
        assert_eq!(
            c.stats().logins,
            logins + 1,
            "logged in again with the 4 KB password"
        );
        assert!(e.token("c").len() > 4000);
    })
    .await;
}
