//! No keychain, and a locked keychain: a clear error naming the fix, no plaintext fallback,
//! and nothing lost. Each case runs in a D-Bus session of its own so the shared test keyring
//! is never locked under the other tests.

use std::process::Command;
use std::sync::Arc;

use tokenkeeper_emulators::Api;

use crate::helpers::{Env, PASSWORD, USER, blocking, run_command, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_keychain_nothing_is_stored_anywhere() {
    let emu = Arc::new(start(Api::Smartling).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        let url = em.base_url();
        let mut cmd = e.command(&[
            "add",
            "s",
            "--provider",
            "smartling",
            "--url",
            &url,
            "--username",
            USER,
            "--password-stdin",
        ]);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        let run = run_command(cmd, Some(&format!("{PASSWORD}\n")));
        let run = run.fails_with(4, "keychain unavailable");
        assert!(
            run.stderr.contains("never stored elsewhere"),
            "{}",
            run.stderr
        );
        assert_eq!(e.run(&["list", "--json"], None).ok().stdout.trim(), "[]");
        assert!(!e.config_dir_text().contains(PASSWORD));
    })
    .await;
}

/// Runs `script` in a fresh D-Bus session with its own unlocked gnome-keyring; `$TK` is the
/// binary with `--config-dir`. Each step's output lands in `$OUT/<step>.{code,out,err}`.
fn in_private_session(env: &Env, script: &str) -> std::path::PathBuf {
    let home = env.dir.path().join("home");
    let out = env.dir.path().join("out");
    std::fs::create_dir_all(home.join("run")).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let prelude = r#"
set -u
step() { name=$1; shift; "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.code"; }
lock() { dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null; }
unlock() { printf tk | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null 2>&1; sleep 0.5; }
printf tk | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"#;
    let mut cmd = Command::new("dbus-run-session");
    cmd.args(["--", "bash", "-c", &format!("{prelude}\n{script}")])
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("OUT", &out)
        .env("TK_BIN", env!("CARGO_BIN_EXE_tokenkeeper"))
        .env("TK_DIR", env.config_dir())
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    let run = run_command(cmd, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

fn step(out: &std::path::Path, name: &str) -> (i32, String, String) {
    let read =
        |ext: &str| std::fs::read_to_string(out.join(format!("{name}.{ext}"))).unwrap_or_default();
    (
        read("code").trim().parse().unwrap_or(-1),
        read("out"),
        read("err"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_locked_keychain_is_named_and_loses_nothing() {
    let emu = Arc::new(start(Api::JwtAuthPro).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    let out = blocking(move || {
        let url = em.base_url();
        let script = format!(
            r#"
TK() {{ "$TK_BIN" --config-dir "$TK_DIR" "$@"; }}
echo {PASSWORD} | step add TK add wp --provider jwt-auth-pro --url {url} --username {USER} --password-stdin
step token1 TK token wp
lock
step refresh_locked TK refresh wp
echo {PASSWORD} | step add_locked TK add other --provider jwt-auth-pro --url {url} --username {USER} --password-stdin
step list_locked TK list --json
unlock
step token2 TK token wp
step refresh2 TK refresh wp
step token3 TK token wp
"#
        );
        in_private_session(&e, &script)
    })
    .await;
    let (code, _, err) = step(&out, "add");
    assert_eq!(code, 0, "{err}");
    let (code, token1, _) = step(&out, "token1");
    assert_eq!(code, 0);
    for name in ["refresh_locked", "add_locked"] {
        let (code, _, err) = step(&out, name);
        assert_eq!(code, 4, "{name}: {err}");
        assert!(err.contains("keychain locked"), "{name}: {err}");
        assert!(err.contains("unlock it and retry"), "{name}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (_, list, _) = step(&out, "list_locked");
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the locked add stored nothing"
    );
    // After unlocking, the same token is still there and refreshing works: nothing was lost.
    let (code, token2, err) = step(&out, "token2");
    assert_eq!(code, 0, "{err}");
    assert_eq!(token1, token2);
    let (code, _, err) = step(&out, "refresh2");
    assert_eq!(code, 0, "{err}");
    let (_, token3, _) = step(&out, "token3");
    assert_ne!(token3, token2);
    assert_eq!(emu.stats().refresh_token_reuse, 0);
    assert_eq!(
        emu.stats().logins,
        1,
        "the locked attempt consumed no refresh token"
    );
}
