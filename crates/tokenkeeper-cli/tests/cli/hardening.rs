//! No core dump of a process that holds secrets: the CLI and the daemon make themselves
//! non-dumpable and set their core size limit to 0 before they read a secret, and the command
//! `exec` starts gets the limit back.

use std::sync::Arc;

use tokenkeeper_emulators::Api;

use crate::daemon::Daemon;
use crate::helpers::{Env, blocking, start};

/// The soft core size limit of a process, as `/proc/PID/limits` says it.
fn core_limit(pid: &str) -> String {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .to_owned();
    line.split_whitespace().nth(4).unwrap().to_owned()
}

#[test]
fn the_cli_is_not_dumpable_and_writes_no_core() {
    let env = Env::new();
    // The process reads its own state with prctl(PR_GET_DUMPABLE) and getrlimit, and says it.
    let run = env.run(&["-vv", "list"], None).ok();
    assert!(
        run.stderr
            .contains("process hardened dumpable=false core_limit=Some(0)"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_daemon_runs_with_a_core_limit_of_zero() {
    let env = Env::new();
    // Started with core dumps allowed (many machines default to 0, which would prove nothing).
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "ulimit -S -c unlimited && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_tokenkeeper"))
        .arg("--config-dir")
        .arg(env.config_dir())
        .arg("daemon")
        .env_remove("TOKENKEEPER_CONFIG_DIR");
    let daemon = Daemon::start_with(cmd);
    assert_eq!(core_limit(&daemon.pid().to_string()), "0");
    let (code, _, log) = daemon.terminate();
    assert_eq!(code, 0, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_started_by_exec_gets_the_users_core_limit_back() {
    let emu = Arc::new(start(Api::Smartling).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.add("acc", &em).0.ok();
        // The user's own soft limit (what `ulimit -c` set), not TokenKeeper's 0: plain `exec`,
        // and `--token-file`, where TokenKeeper stays to keep the file fresh.
        for form in ["", "--token-file"] {
            let script = format!(
                "ulimit -S -c 1024 && exec '{}' --config-dir '{}' exec acc {form} -- sh -c 'ulimit -S -c'",
                env!("CARGO_BIN_EXE_tokenkeeper"),
                e.config_dir().display()
            );
            let out = std::process::Command::new("sh")
                .args(["-c", &script])
                .env_remove("TOKENKEEPER_CONFIG_DIR")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{form}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1024", "{form}");
        }
    })
    .await;
}
