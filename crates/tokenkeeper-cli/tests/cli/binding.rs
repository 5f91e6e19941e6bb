//! Secrets stay with their server, through the CLI as shipped, for all five APIs: two servers
//! that record every request, and `edit`, `trust`, a config.json rewritten by hand (with a
//! daemon running, too). None of the old server's secrets reaches the new one; each case says
//! what happened and the command that logs in again; the typed-again path works in one step.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, TlsIdentity, testcerts};

use crate::daemon::Daemon;
use crate::helpers::{Env, PASSWORD, USER, blocking};

/// The new server's password (not the old one's, so the old one would be recognised).
const NEW_PASSWORD: &str = "n3w-server-passw0rd";

async fn server(
    api: Api,
    password: &str,
    tls: Option<&TlsIdentity>,
    bind: Option<SocketAddr>,
) -> Emulator {
    let mut config = EmulatorConfig::for_api(api);
    config.users = vec![(USER.to_owned(), password.to_owned())];
    if let Some(identity) = tls {
        config.tls = true;
        config.tls_identity = Some(identity.clone());
    }
    if let Some(addr) = bind {
        config.bind = addr;
    }
    let emu = Emulator::start(api, config).await.unwrap();
    emu.record();
    emu
}

/// The stdin flag and secret that log in to `emu` (its password, or a refresh token it
/// issued for the generic service, which has no login).
fn secret_for(emu: &Emulator, password: &str) -> (&'static str, String) {
    if emu.api() == Api::GenericJwt {
        ("--refresh-token-stdin", emu.issue_refresh_token(USER))
    } else {
        ("--password-stdin", password.to_owned())
    }
}

#[track_caller]
fn assert_received_none(emu: &Emulator, secrets: &[String], what: &str) {
    let received = emu.received();
    for secret in secrets {
        assert!(
            !received.contains(secret.as_str()),
            "{:?} {what}: received a secret stored for other settings",
            emu.api()
        );
    }
}

/// An old and a new server of `api`, both recording. TLS servers share one certificate, which
/// the account's CA file holds: the new server is reachable with the account's trust settings.
async fn old_and_new(api: Api) -> (Emulator, Emulator) {
    let identity = (api == Api::RedisEnterprise)
        .then(|| testcerts::ca_and_leaf(&["127.0.0.1", "localhost"]).1);
    let old = server(api, PASSWORD, identity.as_ref(), None).await;
    let new = server(api, NEW_PASSWORD, identity.as_ref(), None).await;
    (old, new)
}

/// A config dir with the account `acc` added on `emu`: the secret given and its first token.
fn added_on(emu: &Emulator) -> (Env, String, String) {
    let env = Env::new();
    let (added, given) = env.add("acc", emu);
    added.ok();
    let token = env
        .run(&["token", "acc"], None)
        .ok()
        .stdout
        .trim()
        .to_owned();
    (env, given, token)
}

fn edit_config_by_hand(env: &Env, change: impl FnOnce(&mut serde_json::Value)) {
    let path = env.config_dir().join("config.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    change(&mut json["accounts"][0]);
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edit_and_a_hand_edited_config_never_send_secrets_to_another_server() {
    for api in Api::ALL {
        let (old, new) = old_and_new(api).await;
        blocking(move || {
            let (env, given, old_token) = added_on(&old);
            let old_secrets = vec![given, old_token, PASSWORD.to_owned()];

            // config.json edited by hand: `token --min-valid 1` says why instead of handing out
            // the old server's token, with its own exit code and the command that fixes it.
            let new_url = new.base_url();
            edit_config_by_hand(&env, |a| a["url"] = new_url.clone().into());
            let refused = env
                .run(&["token", "acc", "--min-valid", "1"], None)
                .fails_with(7, "the address changed");
            assert!(
                refused.stderr.contains("tokenkeeper login acc"),
                "{}",
                refused.stderr
            );
            assert!(refused.stdout.is_empty());
            env.run(&["refresh", "acc"], None)
                .fails_with(3, "needs login");
            let listed = env.run(&["list", "--json"], None).ok().json();
            assert_eq!(listed[0]["status"], "needs_login", "{api:?}");
            assert_eq!(new.stats().requests, 0, "{api:?}: the new server was asked");

            // Logged in against the new server: one step.
            let (flag, secret) = secret_for(&new, NEW_PASSWORD);
            env.run(&["login", "acc", flag], Some(&format!("{secret}\n")))
                .ok();
            let token = env
                .run(&["token", "acc"], None)
                .ok()
                .stdout
                .trim()
                .to_owned();
            assert!(new.access_token_valid(&token), "{api:?}");
            let new_secrets = vec![secret, token, NEW_PASSWORD.to_owned()];

            // `edit --url` without a secret: the secrets are deleted, and it says so.
            let old_url = old.base_url();
            let edited = env.run(&["edit", "acc", "--url", &old_url], None).ok();
            assert!(edited.stdout.contains("were deleted"), "{}", edited.stdout);
            assert!(
                edited.stdout.contains("tokenkeeper login acc"),
                "{}",
                edited.stdout
            );
            env.run(&["token", "acc"], None)
                .fails_with(3, "needs login");

            // `edit --url` with the secret: proven against the new settings, in one step.
            let (flag, secret) = secret_for(&old, PASSWORD);
            let moved = env
                .run(
                    &["edit", "acc", "--url", &old_url, flag],
                    Some(&format!("{secret}\n")),
                )
                .ok();
            assert!(
                moved.stdout.contains("logged in with the new settings"),
                "{}",
                moved.stdout
            );
            let token = env
                .run(&["token", "acc"], None)
                .ok()
                .stdout
                .trim()
                .to_owned();
            assert!(old.access_token_valid(&token), "{api:?}");

            // A wrong secret with a new URL changes nothing.
            let new_url = new.base_url();
            env.run(
                &["edit", "acc", "--url", &new_url, "--password-stdin"],
                Some("wrong-password\n"),
            );
            let shown = env.run(&["show", "acc", "--json"], None).ok().json();
            assert_eq!(
                shown["url"].as_str().unwrap().trim_end_matches('/'),
                old_url
            );

            assert_received_none(&new, &old_secrets, "new server");
            assert_received_none(&old, &new_secrets, "old server");
        })
        .await;
    }
}

/// What a certificate's fingerprint is, as `openssl x509 -fingerprint -sha256` prints it.
fn fingerprint(env: &Env, identity: &TlsIdentity) -> String {
    let path = env.dir.path().join("server.pem");
    std::fs::write(&path, &identity.cert_pem).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&path)
        .output()
        .unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    line.trim().split('=').nth(1).unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trust_asks_for_the_secret_or_deletes_the_old_ones() {
    for api in Api::ALL {
        let first = testcerts::ca_and_leaf(&["127.0.0.1"]).1;
        let old = server(api, PASSWORD, Some(&first), None).await;
        let addr: SocketAddr = old
            .base_url()
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        let env = Env::new();
        let first_fp = fingerprint(&env, &first);
        let (flag, given) = secret_for(&old, PASSWORD);
        let url = old.base_url();
        let env = blocking(move || {
            env.run(
                &[
                    "add",
                    "acc",
                    "--provider",
                    api.id(),
                    "--url",
                    &url,
                    "--username",
                    USER,
                    "--trust-cert",
                    &first_fp,
                    flag,
                ],
                Some(&format!("{given}\n")),
            )
            .ok();
            env
        })
        .await;
        let old_token = env
            .run(&["token", "acc"], None)
            .ok()
            .stdout
            .trim()
            .to_owned();
        // Someone else answers at the same address with another certificate.
        old.shutdown().await;
        let other = testcerts::ca_and_leaf(&["127.0.0.1"]).1;
        let new = server(api, NEW_PASSWORD, Some(&other), Some(addr)).await;
        let (flag, secret) = secret_for(&new, NEW_PASSWORD);
        blocking(move || {
            let new_fp = fingerprint(&env, &other);
            let failed = env
                .run(&["refresh", "acc"], None)
                .fails_with(6, "certificate_changed");
            assert!(
                failed
                    .stderr
                    .contains(&format!("tokenkeeper trust acc {new_fp} --password-stdin")),
                "{}",
                failed.stderr
            );
            // Trusted without a secret: the old ones are deleted, and it says how to log in.
            let trusted = env.run(&["trust", "acc", &new_fp], None).ok();
            assert!(
                trusted.stdout.contains("were deleted"),
                "{}",
                trusted.stdout
            );
            assert!(
                trusted.stdout.contains("tokenkeeper login acc"),
                "{}",
                trusted.stdout
            );
            env.run(&["token", "acc"], None)
                .fails_with(3, "needs login");
            assert_eq!(new.stats().requests, 0, "{api:?}: the new server was asked");
            // With the secret: proven against the new certificate, in one step.
            let trusted = env
                .run(
                    &["trust", "acc", &new_fp, flag],
                    Some(&format!("{secret}\n")),
                )
                .ok();
            assert!(
                trusted.stdout.contains("logged in with the new settings"),
                "{}",
                trusted.stdout
            );
            let token = env
                .run(&["token", "acc"], None)
                .ok()
                .stdout
                .trim()
                .to_owned();
            assert!(new.access_token_valid(&token), "{api:?}");
            assert_received_none(&new, &[PASSWORD.to_owned(), old_token], "new server");
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_daemon_following_a_hand_edited_config_sends_nothing_and_says_why() {
    for api in Api::ALL {
        let (old, new) = old_and_new(api).await;
        blocking(move || {
            let (env, given, old_token) = added_on(&old);
            let daemon = Daemon::start(&env);
            let new_url = new.base_url();
            edit_config_by_hand(&env, |a| a["url"] = new_url.clone().into());
            // The background sees the change and says so at once (not at the next refresh).
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let listed = env.run(&["list", "--json"], None).ok().json();
                if listed[0]["status"] == "needs_login" {
                    let message = listed[0]["last_error"]["message"].as_str().unwrap_or("");
                    assert!(message.contains("the address changed"), "{message}");
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{api:?}: the background did not notice"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            daemon.wait_for("needs login", Duration::from_secs(10));
            // The agent does not hand out the old token either.
            env.run(&["token", "acc", "--min-valid", "1"], None)
                .fails_with(3, "needs login");
            assert_eq!(new.stats().requests, 0, "{api:?}: the new server was asked");
            assert_received_none(&new, &[given, old_token, PASSWORD.to_owned()], "new server");
            drop(daemon);
        })
        .await;
    }
}
