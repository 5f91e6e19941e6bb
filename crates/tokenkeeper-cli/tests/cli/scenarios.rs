//! The everyday flows, per provider: add, token, list, show, refresh, remove.

use std::sync::Arc;

use serde_json::Value;
use tokenkeeper_core::token::decode_claims;
use tokenkeeper_emulators::{Api, Emulator, Fault, FaultAction, FaultTarget};

use crate::helpers::{Env, USER, blocking, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn add_then_token_list_show_refresh_remove_for_every_provider() {
    for api in Api::ALL {
        let emu = start(api).await;
        let env = Arc::new(Env::new());
        let emu_url = emu.base_url();
        let e = env.clone();
        let emu = Arc::new(emu);
        let em = emu.clone();
        blocking(move || {
            let (run, secret) = e.add("acc", &em);
            let run = run.ok();
            assert!(run.stdout.starts_with("added acc"), "{}", run.stdout);
            // `token` prints only the token and a newline.
            let token = e.run(&["token", "acc"], None).ok().stdout;
            assert!(
                token.ends_with('\n') && token.lines().count() == 1,
                "{token:?}"
            );
            let token = token.trim_end().to_owned();
            let claims = decode_claims(&token).unwrap();
            // The real JWT Auth Pro names the user by id only (`data.user.id`).
            if api == Api::JwtAuthPro {
                assert!(
                    claims["data"]["user"]["id"].is_string(),
                    "{api:?}: {claims:?}"
                );
            } else {
                assert_eq!(claims["sub"], USER, "{api:?}");
            }
            // list --json: the documented fields.
            let list = e.run(&["list", "--json"], None).ok().json();
            let item = &list.as_array().unwrap()[0];
            assert_eq!(item["name"], "acc");
            assert_eq!(item["provider"], api.id());
            assert_eq!(item["url"].as_str().unwrap().trim_end_matches('/'), emu_url);
            assert_eq!(item["status"], "fresh");
            assert!(
                chrono::DateTime::parse_from_rfc3339(item["expires_at"].as_str().unwrap()).is_ok()
            );
            assert_eq!(item["last_error"], Value::Null);
            // show: settings and claims, never a secret.
            let show = e.run(&["show", "acc"], None).ok().stdout;
            assert!(show.contains("claims") && show.contains(USER), "{show}");
            let show_json = e.run(&["show", "acc", "--json"], None).ok();
            for text in [&show, &show_json.stdout] {
                assert!(!text.contains(&token), "{api:?}: show printed the token");
                assert!(!text.contains(&secret), "{api:?}: show printed the secret");
            }
            assert!(
                show_json.json()["stored_secrets"]
                    .as_array()
                    .unwrap()
                    .contains(&"access".into())
            );
            // refresh gives a new token; token then prints it.
            e.run(&["refresh", "acc"], None).ok();
            let newer = e
                .run(&["token", "acc"], None)
                .ok()
                .stdout
                .trim_end()
                .to_owned();
            assert_ne!(newer, token, "{api:?}");
            // The attempt is in the history `show` prints, without the token.
            let show = e.run(&["show", "acc"], None).ok().stdout;
            assert!(
                show.contains("recent attempts") && show.contains("refreshed"),
                "{show}"
            );
            assert!(!show.contains(&newer));
            // The fingerprint tells which token a script holds, without showing it.
            let fingerprint = tokenkeeper_core::token::fingerprint(&newer);
            assert_eq!(fingerprint.len(), 8);
            assert!(
                show.contains(&format!("fingerprint {fingerprint}")),
                "{show}"
            );
            let listed = e.run(&["list", "--json"], None).ok().json();
            assert_eq!(
                listed[0]["token_fingerprint"],
                fingerprint.as_str(),
                "{api:?}"
            );
            e.run(&["remove", "acc"], None).ok();
            assert_eq!(
                e.run(&["list", "--json"], None).ok().json(),
                Value::Array(vec![])
            );
            e.run(&["token", "acc"], None)
                .fails_with(2, "no account named");
        })
        .await;
        assert_eq!(emu.stats().refresh_token_reuse, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_secret_ever_reaches_the_config_dir_or_the_logs() {
    let emus = Arc::new(futures_emulators().await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emus.clone());
    blocking(move || {
        let mut secrets = Vec::new();
        let mut logs = String::new();
        for (i, emu) in em.iter().enumerate() {
            let name = format!("a{i}");
            let (run, secret) = e.add(&name, emu);
            let run = run.ok();
            logs.push_str(&run.stderr);
            secrets.push(secret);
            for args in [
                vec!["-vv", "refresh", name.as_str()],
                vec!["-vv", "token", name.as_str(), "--min-valid", "1"],
                vec!["-vv", "show", name.as_str()],
                vec!["-vv", "list"],
            ] {
                let run = e.run(&args, None).ok();
                logs.push_str(&run.stderr);
                if args[1] == "token" {
                    secrets.push(run.stdout.trim_end().to_owned());
                }
            }
        }
        assert!(
            logs.contains("token renewed"),
            "debug logs were produced: {logs}"
        );
        let text = e.config_dir_text();
        assert!(
            text.contains("a0") && text.contains("expires_at"),
            "config and state were written"
        );
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret is in the config dir"
            );
            assert!(!logs.contains(secret.as_str()), "a secret is in the logs");
        }
        for i in 0..em.len() {
            e.run(&["remove", &format!("a{i}")], None).ok();
        }
        let text = e.config_dir_text();
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret is in the config dir after remove"
            );
        }
    })
    .await;
}

async fn futures_emulators() -> Vec<tokenkeeper_emulators::Emulator> {
    let mut out = Vec::new();
    for api in Api::ALL {
        out.push(start(api).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn status_and_last_error_persist_between_runs() {
    let emu = Arc::new(start(Api::Smartling).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.add("s", &em).0.ok();
        em.push_fault(Fault {
            target: FaultTarget::Refresh,
            times: 1,
            action: FaultAction::ApiError { status: 503 },
        });
        e.run(&["refresh", "s"], None)
            .fails_with(5, "MAINTENANCE_MODE_ERROR");
        let item = e.run(&["list", "--json"], None).ok().json()[0].clone();
        assert_eq!(item["status"], "error");
        assert_eq!(item["last_error"]["status"], 503);
        assert_eq!(item["last_error"]["code"], "MAINTENANCE_MODE_ERROR");
        assert!(item["last_error"]["message"].as_str().unwrap().len() > 3);
        let table = e.run(&["list"], None).ok().stdout;
        assert!(table.contains("MAINTENANCE_MODE_ERROR"), "{table}");
        e.run(&["refresh", "--all"], None).ok();
        let item = e.run(&["list", "--json"], None).ok().json()[0].clone();
        assert_eq!(item["status"], "fresh");
        assert_eq!(item["last_error"], Value::Null);
        e.run(&["remove", "s"], None).ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_all_exits_with_the_class_of_its_worst_failure() {
    let flaky = Arc::new(start(Api::Smartling).await);
    let refused = Arc::new(start(Api::Smartling).await);
    let env = Arc::new(Env::new());
    let (e, fl, rf) = (env.clone(), flaky.clone(), refused.clone());
    blocking(move || {
        e.add("flaky", &fl).0.ok();
        e.add("refused", &rf).0.ok();
        let down = |emu: &Emulator| {
            emu.push_fault(Fault {
                target: FaultTarget::Refresh,
                times: 1,
                action: FaultAction::ApiError { status: 503 },
            })
        };
        // A temporary failure alone: 5, try again.
        down(&fl);
        let run = e.run(&["refresh", "--all"], None);
        assert_eq!(run.code, 5, "{}", run.stderr);
        assert!(run.stdout.contains("refreshed refused"), "{}", run.stdout);
        // With an account that needs a login beside it: 3, what the user must do.
        down(&fl);
        rf.set_password(USER, "a-new-password");
        rf.revoke_all();
        let run = e.run(&["refresh", "--all"], None);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert!(
            run.stderr.contains("flaky"),
            "both are said: {}",
            run.stderr
        );
        assert!(run.stderr.contains("refused"), "{}", run.stderr);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn config_dir_can_come_from_the_environment() {
    let emu = Arc::new(start(Api::GenericJwt).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.add("g", &em).0.ok();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tokenkeeper"));
        cmd.args(["list", "--json"])
            .env("TOKENKEEPER_CONFIG_DIR", e.config_dir());
        let run = crate::helpers::run_command(cmd, None).ok();
        assert_eq!(run.json()[0]["name"], "g");
        e.run(&["remove", "g"], None).ok();
    })
    .await;
}

/// `header` prints the whole header each API wants (`JWT` for Redis Enterprise, `Bearer` for
/// the others) with the same token `token` prints, one line for `curl -H @<(…)`; `token --json`
/// carries the scheme too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn header_prints_the_authorization_header_each_api_wants() {
    for api in Api::ALL {
        let emu = Arc::new(start(api).await);
        let env = Arc::new(Env::new());
        let (e, em) = (env.clone(), emu.clone());
        blocking(move || {
            e.add("acc", &em).0.ok();
            let scheme = if api == Api::RedisEnterprise {
                "JWT"
            } else {
                "Bearer"
            };
            let token = e.run(&["token", "acc"], None).ok().stdout;
            let header = e.run(&["header", "acc"], None).ok().stdout;
            assert_eq!(
                header,
                format!("Authorization: {scheme} {}", token),
                "{api:?}"
            );
            assert_eq!(header.lines().count(), 1, "{header:?}");
            let json = e.run(&["token", "acc", "--json"], None).ok().json();
            assert_eq!(json["scheme"], scheme, "{api:?}");
            assert_eq!(json["token"].as_str().unwrap(), token.trim_end());
            e.run(&["header", "nope"], None)
                .fails_with(2, "no account named \"nope\"");
        })
        .await;
    }
}

/// Tags: given at `add` (repeatable), changed with `tags NAME --add/--remove/--clear`, shown by
/// `list --json`; a bad tag is refused with a clear message and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tags_are_set_at_add_changed_later_and_listed() {
    let emu = Arc::new(start(Api::GenericJwt).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        let token = em.issue_refresh_token(USER);
        let url = em.base_url();
        e.run(
            &[
                "add",
                "svc",
                "--provider",
                "generic-jwt",
                "--url",
                &url,
                "--tag",
                "Prod",
                "--tag",
                "client-a",
                "--refresh-token-stdin",
            ],
            Some(&format!("{token}\n")),
        )
        .ok();
        let tags =
            |e: &Env| -> Value { e.run(&["list", "--json"], None).ok().json()[0]["tags"].clone() };
        assert_eq!(tags(&e), serde_json::json!(["prod", "client-a"]));
        let out = e
            .run(
                &["tags", "svc", "--add", "eu", "--remove", "client-a"],
                None,
            )
            .ok();
        assert_eq!(out.stdout.trim(), "svc: prod eu");
        assert_eq!(tags(&e), serde_json::json!(["prod", "eu"]));
        e.run(&["tags", "svc", "--add", "has space"], None)
            .fails_with(2, "tag \"has space\"");
        assert_eq!(
            tags(&e),
            serde_json::json!(["prod", "eu"]),
            "nothing changed"
        );
        assert_eq!(
            e.run(&["tags", "svc", "--clear"], None).ok().stdout.trim(),
            "svc: no tags"
        );
        assert_eq!(tags(&e), serde_json::json!([]));
        // Pinned to the tray, and back.
        assert_eq!(
            e.run(&["pin", "svc"], None).ok().stdout.trim(),
            "svc is pinned to the tray"
        );
        assert_eq!(
            e.run(&["list", "--json"], None).ok().json()[0]["pinned"],
            true
        );
        assert_eq!(
            e.run(&["pin", "svc", "--off"], None).ok().stdout.trim(),
            "svc is not pinned"
        );
        assert_eq!(
            e.run(&["list", "--json"], None).ok().json()[0]["pinned"],
            false
        );
        e.run(&["pin", "nope"], None)
            .fails_with(2, "no account named");
        // The token still works: tags are settings only.
        e.run(&["token", "svc"], None).ok();
    })
    .await;
}

/// `remove --all`: every account and its keychain entries; none left is no error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_all_removes_every_account_and_its_secrets() {
    let (ece, smartling) = (start(Api::Ece).await, start(Api::Smartling).await);
    let env = Arc::new(Env::new());
    let (e, c, s) = (env.clone(), Arc::new(ece), Arc::new(smartling));
    blocking(move || {
        e.add("one", &c).0.ok();
        e.add("two", &s).0.ok();
        let ids: Vec<String> = e
            .run(&["list", "--json"], None)
            .ok()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        let run = e.run(&["remove", "--all"], None).ok();
        assert!(
            run.stdout.contains("removed one and its keychain entries")
                && run.stdout.contains("removed two and its keychain entries"),
            "{}",
            run.stdout
        );
        assert_eq!(
            e.run(&["list", "--json"], None).ok().json(),
            Value::Array(vec![])
        );
        use tokenkeeper_core::store::keychain::{Keychain, SecretKind, SecretStore};
        let keychain = Keychain::new();
        for id in ids {
            let id = id.parse().unwrap();
            for kind in SecretKind::ALL {
                assert!(
                    keychain.get(id, kind).unwrap().is_none(),
                    "{id}/{kind:?} is gone from the keychain"
                );
            }
        }
        let run = e.run(&["remove", "--all"], None).ok();
        assert_eq!(run.stdout, "no accounts to remove\n");
        let run = e.run(&["remove"], None);
        assert_eq!(run.code, 2, "{}", run.stderr);
    })
    .await;
}

/// `autostart`: the same XDG entry the window's Settings write, on and off.
#[test]
fn autostart_writes_and_removes_the_xdg_entry() {
    let env = Env::new();
    let xdg = env.dir.path().join("xdg");
    let run = |args: &[&str]| {
        let mut cmd = env.command(args);
        cmd.env("XDG_CONFIG_HOME", &xdg);
        crate::helpers::run_command(cmd, None)
    };
    assert_eq!(run(&["autostart"]).ok().stdout, "off\n");
    let entry = xdg.join("autostart/tokenkeeper.desktop");
    let out = run(&["autostart", "on"]).ok().stdout;
    assert!(out.contains(&entry.display().to_string()), "{out}");
    let text = std::fs::read_to_string(&entry).unwrap();
    let exec = format!(
        "Exec={} daemon --config-dir {}\n",
        env!("CARGO_BIN_EXE_tokenkeeper"),
        env.config_dir().display()
    );
    assert!(text.contains(&exec), "{exec} in\n{text}");
    assert_eq!(run(&["autostart"]).ok().stdout, "on\n");
    run(&["autostart", "off"]).ok();
    assert!(!entry.exists());
    assert_eq!(run(&["autostart"]).ok().stdout, "off\n");
    let wrong = run(&["autostart", "maybe"]);
    assert!(
        wrong.code == 2 && wrong.stderr.contains("possible values: on, off"),
        "{}",
        wrong.stderr
    );
}
