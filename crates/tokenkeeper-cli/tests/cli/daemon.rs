//! `tokenkeeper daemon` against the emulators: keeps every API fresh, follows accounts added
//! and removed by other processes, logs no secret, stops cleanly on SIGTERM (SIGINT and SIGHUP
//! alike), refuses a second daemon, and survives `kill -9` in the middle of a slow refresh.
//! Also `tokenkeeper demo`.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, Fault, FaultAction, FaultTarget};

use crate::helpers::{Env, USER, blocking};

/// A daemon process whose stderr is collected as it runs.
pub(crate) struct Daemon {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Daemon {
    pub(crate) fn start(env: &Env) -> Self {
        Self::start_with(env.command(&["daemon"]))
    }

    /// Starts `cmd` (a `tokenkeeper daemon` command line) and waits until it says so.
    pub(crate) fn start_with(mut cmd: Command) -> Self {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let daemon = Self { child, log };
        daemon.wait_for("background started", Duration::from_secs(10));
        daemon
    }

    /// The daemon's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    #[track_caller]
    pub(crate) fn wait_for(&self, needle: &str, within: Duration) {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if self.log().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{needle:?} not logged within {within:?}:\n{}", self.log());
    }

    /// SIGTERM, then the exit code and how long it took.
    pub(crate) fn terminate(self) -> (i32, Duration, String) {
        self.signal("-TERM")
    }

    /// Sends a signal (`-TERM`, `-INT`, `-HUP`), then the exit code and how long it took.
    fn signal(mut self, signal: &str) -> (i32, Duration, String) {
        let pid = self.child.id().to_string();
        let sent = Instant::now();
        let status = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(status.success());
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code().unwrap_or(-1);
            }
            assert!(
                sent.elapsed() < Duration::from_secs(10),
                "daemon did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = sent.elapsed();
        std::thread::sleep(Duration::from_millis(100));
        (code, took, self.log())
    }

    fn kill_9(mut self) {
        self.child.kill().unwrap();
        let _ = self.child.wait();
    }
}

/// A test that fails midway leaves no daemon behind.
impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The throwaway config dir the demo names in its header.
fn demo_dir(stdout: &str) -> &str {
    stdout
        .split("--config-dir ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|dir| dir.trim_matches('\''))
        .expect("the demo names its directory")
}

async fn short_lived(api: Api, ttl: u64) -> Emulator {
    let mut config = EmulatorConfig::for_api(api);
    config.token_ttl = Some(ttl);
    config.refresh_ttl = Some(3600);
    Emulator::start(api, config).await.unwrap()
}

fn add_short(env: &Env, name: &str, emu: &Emulator, ttl: u64) {
    let (run, _) = env.add(name, emu);
    run.ok();
    if emu.api() == Api::RedisEnterprise {
        // Redis tokens last what the account asks for: re-add with --ttl.
        env.run(&["remove", name], None).ok();
        let ca = env.ca_file(emu).unwrap().display().to_string();
        let ttl = ttl.to_string();
        let url = emu.base_url();
        env.run(
            &[
                "add",
                name,
                "--provider",
                "redis-enterprise",
                "--url",
                &url,
                "--username",
                USER,
                "--ca-cert",
                &ca,
                "--ttl",
                &ttl,
                "--password-stdin",
            ],
            Some("s3cret\n"),
        )
        .ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn daemon_keeps_every_api_fresh_follows_changes_and_stops_on_sigterm() {
    let mut emus = Vec::new();
    for api in Api::ALL {
        emus.push(Arc::new(short_lived(api, 8).await));
    }
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emus.clone());
    blocking(move || {
        let mut secrets = vec!["s3cret".to_owned()];
        for emu in &em {
            add_short(&e, &format!("d-{}", emu.api().id()), emu, 8);
        }
        let daemon = Daemon::start(&e);
        // 8 s tokens are refreshed 5 s after they came (half their life, 4 s, is under the 5 s
        // floor between refreshes): within 12 s each is renewed twice.
        std::thread::sleep(Duration::from_secs(12));
        for emu in &em {
            assert!(
                emu.stats().refreshes >= 2,
                "{:?} refreshed {:?}",
                emu.api(),
                emu.stats()
            );
        }
        // Another process adds an account: the daemon picks it up and keeps it fresh.
        let generic = em.iter().find(|m| m.api() == Api::GenericJwt).unwrap();
        let rt = generic.issue_refresh_token(USER);
        secrets.push(rt.clone());
        e.run(
            &[
                "add",
                "late",
                "--provider",
                "generic-jwt",
                "--url",
                &generic.base_url(),
                "--refresh-token-stdin",
            ],
            Some(&format!("{rt}\n")),
        )
        .ok();
        daemon.wait_for("account added account=\"late\"", Duration::from_secs(5));
        daemon.wait_for("token refreshed account=\"late\"", Duration::from_secs(10));
        // ... and removes one: the daemon drops it.
        e.run(&["remove", "d-ece"], None).ok();
        daemon.wait_for("account removed account=\"d-ece\"", Duration::from_secs(5));
        for account in ["d-smartling", "late"] {
            secrets.push(
                e.run(&["token", account, "--min-valid", "1"], None)
                    .ok()
                    .stdout
                    .trim()
                    .to_owned(),
            );
        }
        let (code, took, log) = daemon.terminate();
        assert_eq!(code, 0, "{log}");
        assert!(took < Duration::from_secs(5), "stopped in {took:?}");
        assert!(log.contains("background stopped"), "{log}");
        // No token or password in the log: every access token here is a JWT ("eyJ...").
        assert!(!log.contains("eyJ"), "a token reached the log:\n{log}");
        for secret in &secrets {
            assert!(!log.contains(secret.as_str()), "a secret reached the log");
        }
        let list = e.run(&["list", "--json"], None).ok().json();
        let items = list.as_array().unwrap();
        assert_eq!(items.len(), 5);
        for item in items {
            assert_ne!(item["status"], "needs_login", "{item}");
            assert_ne!(item["status"], "error", "{item}");
            assert!(item["last_error"].is_null(), "{item}");
            assert!(
                item["next_refresh_at"].is_string(),
                "the daemon's plan is listed: {item}"
            );
        }
        for name in [
            "d-redis-enterprise",
            "d-smartling",
            "d-generic-jwt",
            "d-jwt-auth-pro",
            "late",
        ] {
            e.run(&["remove", name], None).ok();
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_daemon_on_the_same_directory_is_refused() {
    let emu = Arc::new(short_lived(Api::GenericJwt, 60).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.add("g", &em).0.ok();
        let first = Daemon::start(&e);
        e.run(&["daemon"], None).fails_with(2, "already refreshing");
        // Ctrl-C (SIGINT) stops it as cleanly as SIGTERM.
        let (code, took, log) = first.signal("-INT");
        assert_eq!(code, 0, "{log}");
        assert!(took < Duration::from_secs(5), "stopped in {took:?}");
        assert!(log.contains("background stopped"), "{log}");
        e.run(&["remove", "g"], None).ok();
    })
    .await;
}

/// The terminal a daemon runs in is closed (SIGHUP): it stops as on SIGTERM, through the same
/// clean stop (the engine writes its state, a token it copied is taken off the clipboard),
/// rather than being killed by the signal's default action.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_closed_terminal_stops_the_daemon_as_sigterm_does() {
    let emu = Arc::new(short_lived(Api::GenericJwt, 60).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.add("g", &em).0.ok();
        let daemon = Daemon::start(&e);
        let (code, took, log) = daemon.signal("-HUP");
        assert_eq!(code, 0, "stopped, not killed by the signal: {log}");
        assert!(took < Duration::from_secs(5), "stopped in {took:?}");
        assert!(log.contains("SIGHUP: stopping"), "{log}");
        assert!(log.contains("background stopped"), "{log}");
        let list = e.run(&["list", "--json"], None).ok().json();
        assert!(
            list[0]["next_refresh_at"].is_string(),
            "the daemon's state was written: {list}"
        );
        // The directory is free again: a new daemon starts.
        let again = Daemon::start(&e);
        let (code, _, log) = again.terminate();
        assert_eq!(code, 0, "{log}");
        e.run(&["remove", "g"], None).ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_in_the_middle_of_a_slow_refresh_loses_nothing() {
    let rotating = [
        Arc::new(short_lived(Api::JwtAuthPro, 8).await),
        Arc::new(short_lived(Api::Smartling, 8).await),
    ];
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), rotating.clone());
    blocking(move || {
        for emu in &em {
            e.add(emu.api().id(), emu).0.ok();
            emu.push_fault(Fault {
                target: FaultTarget::Refresh,
                times: 1,
                action: FaultAction::Delay(Duration::from_secs(8)),
            });
        }
        let before: Vec<u64> = em.iter().map(|m| m.stats().requests).collect();
        let daemon = Daemon::start(&e);
        // Wait until both slow refreshes are in flight, then kill without warning.
        let until = Instant::now() + Duration::from_secs(10);
        while em
            .iter()
            .zip(&before)
            .any(|(m, b)| m.stats().requests <= *b)
        {
            assert!(Instant::now() < until, "the refreshes never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon.kill_9();
        for emu in &em {
            emu.clear_faults();
        }
        let daemon = Daemon::start(&e);
        for emu in &em {
            daemon.wait_for(
                &format!("token refreshed account=\"{}\"", emu.api().id()),
                Duration::from_secs(10),
            );
        }
        let (code, _, log) = daemon.terminate();
        assert_eq!(code, 0, "{log}");
        for emu in &em {
            // Tokens of 8 s: what is left of one.
            let token = e
                .run(&["token", emu.api().id(), "--min-valid", "1"], None)
                .ok()
                .stdout;
            assert!(
                emu.access_token_valid(token.trim()),
                "{:?}: the stored token works",
                emu.api()
            );
            let stats = emu.stats();
            assert_eq!(stats.refresh_token_reuse, 0, "{:?}: {stats:?}", emu.api());
            assert_eq!(
                stats.logins,
                1,
                "{:?}: no login was needed: {stats:?}",
                emu.api()
            );
            e.run(&["remove", emu.api().id()], None).ok();
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refresh_token_consumed_but_never_stored_falls_back_to_login() {
    let emu = Arc::new(short_lived(Api::JwtAuthPro, 8).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.add("wp", &em).0.ok();
        // The server rotates the token, then stalls its answer: the daemon dies not knowing.
        em.push_fault(Fault {
            target: FaultTarget::Refresh,
            times: 1,
            action: FaultAction::DelayAfter(Duration::from_secs(8)),
        });
        let daemon = Daemon::start(&e);
        let until = Instant::now() + Duration::from_secs(10);
        while em.stats().refreshes == 0 {
            assert!(
                Instant::now() < until,
                "the refresh never reached the server"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon.kill_9();
        let daemon = Daemon::start(&e);
        e.run(&["refresh", "wp"], None).ok();
        let (code, _, log) = daemon.terminate();
        assert_eq!(code, 0, "{log}");
        let stats = em.stats();
        assert_eq!(
            stats.refresh_token_reuse, 1,
            "the dead token was presented once: {stats:?}"
        );
        assert_eq!(
            stats.logins, 2,
            "then the stored password logged in again: {stats:?}"
        );
        let token = e
            .run(&["token", "wp", "--min-valid", "1"], None)
            .ok()
            .stdout;
        assert!(em.access_token_valid(token.trim()));
        let item = e.run(&["list", "--json"], None).ok().json()[0].clone();
        assert_eq!(item["status"], "fresh", "{item}");
        e.run(&["remove", "wp"], None).ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_runs_and_cleans_up_after_itself() {
    let env = Arc::new(Env::new());
    let e = env.clone();
    blocking(move || {
        let run = e
            .run(&["demo", "--duration", "6", "--no-faults"], None)
            .ok();
        for api in Api::ALL {
            assert!(
                run.stdout.contains(&format!("demo-{}", api.id())),
                "{}",
                run.stdout
            );
        }
        assert!(run.stdout.contains("fresh"), "{}", run.stdout);
        assert!(run.stdout.contains("demo stopped"), "{}", run.stdout);
        let dir = demo_dir(&run.stdout);
        assert!(!std::path::Path::new(dir).exists(), "{dir} was removed");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ctrl_c_stops_the_demo_and_it_cleans_up() {
    stop_the_demo_with("-INT").await;
}

/// Closing the terminal the demo runs in (SIGHUP) cleans up as Ctrl-C does, and so does a
/// plain `kill` (SIGTERM); before, both left the demo's accounts, keychain entries and
/// directory behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_closed_terminal_stops_the_demo_and_it_cleans_up() {
    stop_the_demo_with("-HUP").await;
    stop_the_demo_with("-TERM").await;
}

/// Starts the demo, asks it for a token from another terminal, then sends it `signal`: it exits
/// with 0 within 5 s, having removed its directory.
async fn stop_the_demo_with(signal: &'static str) {
    let env = Arc::new(Env::new());
    let e = env.clone();
    blocking(move || {
        let mut cmd = e.command(&["demo", "--no-faults"]);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let pid = child.id().to_string();
        // Read the screen as it comes; the header gives a command for another terminal.
        let stdout_pipe = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let mut all = String::new();
            for line in std::io::BufRead::lines(std::io::BufReader::new(stdout_pipe)) {
                let line = line.unwrap_or_default();
                let _ = tx.send(line.clone());
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        let hint = loop {
            let line = rx.recv_timeout(Duration::from_secs(20)).unwrap();
            if line.starts_with("In another terminal") {
                break rx.recv_timeout(Duration::from_secs(5)).unwrap();
            }
        };
        // Another terminal knows nothing of the demo's private session bus.
        let other = Command::new("sh")
            .args(["-c", hint.trim()])
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("TOKENKEEPER_CONFIG_DIR")
            .output()
            .unwrap();
        let token = String::from_utf8_lossy(&other.stdout);
        assert!(
            other.status.success() && token.trim().len() > 20,
            "{hint}: {token} {}",
            String::from_utf8_lossy(&other.stderr)
        );
        std::thread::sleep(Duration::from_secs(1));
        let sent = Instant::now();
        assert!(
            Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap()
                .success()
        );
        let output = child.wait_with_output().unwrap();
        let stdout = reader.join().unwrap();
        assert_eq!(output.status.code(), Some(0), "{stdout}");
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "stopped in {:?}",
            sent.elapsed()
        );
        assert!(stdout.contains("demo stopped"), "{stdout}");
        let dir = demo_dir(&stdout);
        assert!(!std::path::Path::new(dir).exists(), "{dir} was removed");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn needs_login_stops_the_daemon_trying_until_tokenkeeper_login() {
    // The documented service refuses a forgotten refresh token with 401 (the real one answers
    // its default 500, which is retried as temporary).
    let mut config = EmulatorConfig::for_api(Api::GenericJwt);
    config.token_ttl = Some(8);
    config.documented = true;
    let emu = Arc::new(Emulator::start(Api::GenericJwt, config).await.unwrap());
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.add("g", &em).0.ok();
        let daemon = Daemon::start(&e);
        // The server forgets every token: the refresh is refused and there is no password.
        // (Unparked, a failing account would be retried after 1, 2, 4 s... within the wait.)
        em.revoke_all();
        daemon.wait_for("needs login", Duration::from_secs(10));
        let requests = em.stats().requests;
        std::thread::sleep(Duration::from_secs(5));
        assert_eq!(
            em.stats().requests,
            requests,
            "nothing was tried while it needs login"
        );
        let item = e.run(&["list", "--json"], None).ok().json()[0].clone();
        assert_eq!(item["status"], "needs_login", "{item}");
        // The user acts: a new refresh token. The daemon picks it up and keeps it fresh again.
        let rt = em.issue_refresh_token(USER);
        e.run(
            &["login", "g", "--refresh-token-stdin"],
            Some(&format!("{rt}\n")),
        )
        .ok();
        daemon.wait_for(
            "account state changed by another process",
            Duration::from_secs(5),
        );
        let refreshed_before = daemon.log().matches("token refreshed").count();
        let until = Instant::now() + Duration::from_secs(10);
        while daemon.log().matches("token refreshed").count() == refreshed_before {
            assert!(
                Instant::now() < until,
                "the daemon did not resume:\n{}",
                daemon.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let (code, _, log) = daemon.terminate();
        assert_eq!(code, 0, "{log}");
        let item = e.run(&["list", "--json"], None).ok().json()[0].clone();
        assert_eq!(item["status"], "fresh", "{item}");
        e.run(&["remove", "g"], None).ok();
    })
    .await;
}

#[test]
fn the_daemon_becomes_the_background_binary_and_keeps_its_command_line() {
    let background = std::path::Path::new(env!("CARGO_BIN_EXE_tokenkeeper"))
        .with_file_name("tokenkeeper-background");
    assert!(
        background.is_file(),
        "{} is missing: build the workspace (cargo build --workspace) before these tests",
        background.display()
    );
    let env = Env::new();
    let daemon = Daemon::start(&env);
    let pid = daemon.pid();
    // Same process, now the smaller binary (no CLI commands, no demo emulators).
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    assert_eq!(exe, background.canonicalize().unwrap());
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let args: Vec<String> = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    assert!(args[0].ends_with("tokenkeeper"), "{args:?}");
    assert_eq!(args[1], "daemon", "{args:?}");
    assert_eq!(args[2], "--config-dir", "{args:?}");
    // What a user sees is unchanged: the same refusal, words and exit code, for a second one.
    env.run(&["daemon"], None)
        .fails_with(2, "already refreshing");
    let (code, _, log) = daemon.terminate();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("background stopped"), "{log}");
}

/// A hook on every new token: `hook --all` for every account, `hook NAME` for one (it wins).
/// The daemon runs it after each refresh with the account's name, API, expiry and fingerprint
/// in its environment and the token on stdin only: the token never appears in its arguments or
/// environment. A failing hook is in the account's history; the token is still fine.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hook_gets_every_new_token_on_its_stdin_only() {
    let emu = short_lived(Api::Ece, 8).await;
    let env = Env::new();
    add_short(&env, "acc", &emu, 8);
    add_short(&env, "bad", &emu, 8);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hook.log");
    let script = format!(
        r#"{{ echo "args: $*"; env | sed 's/^/env: /'; echo "stdin: $(cat)"; echo end; }} >> {}"#,
        log.display()
    );
    let set = env
        .run(
            &[
                "hook", "--all", "--", "sh", "-c", &script, "hook", "one arg",
            ],
            None,
        )
        .ok();
    assert!(
        set.stdout.starts_with("hook of every account: sh -c"),
        "{}",
        set.stdout
    );
    env.run(
        &["hook", "bad", "--", "sh", "-c", "echo nope >&2; exit 4"],
        None,
    )
    .ok();
    assert_eq!(
        env.run(&["hook", "bad"], None).ok().stdout.trim(),
        "hook of bad: sh -c 'echo nope >&2; exit 4'"
    );
    let daemon = Daemon::start(&env);
    let until = std::time::Instant::now() + Duration::from_secs(30);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.matches("end\n").count() >= 2 {
            break text;
        }
        assert!(std::time::Instant::now() < until, "the hook ran {text:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(daemon);
    let runs: Vec<&str> = text.split("end\n").filter(|r| !r.is_empty()).collect();
    assert!(runs.len() >= 2, "{text}");
    for run in runs.iter().take(2) {
        let token = run
            .lines()
            .find_map(|l| l.strip_prefix("stdin: "))
            .unwrap_or_else(|| panic!("no stdin line in {run}"));
        assert!(token.len() > 20, "a token on stdin: {run}");
        let claims = tokenkeeper_core::token::decode_claims(token).unwrap();
        assert_eq!(claims["sub"], crate::helpers::USER);
        let others: String = run.lines().filter(|l| !l.starts_with("stdin: ")).collect();
        assert!(!others.contains(token), "the token only on stdin: {run}");
        assert!(run.contains("args: one arg"), "{run}");
        assert!(run.contains("env: TOKENKEEPER_ACCOUNT=acc"), "{run}");
        assert!(run.contains("env: TOKENKEEPER_PROVIDER=ece"), "{run}");
        assert!(run.contains("env: TOKENKEEPER_EXPIRES_AT=20"), "{run}");
        assert!(
            run.contains(&format!(
                "env: TOKENKEEPER_FINGERPRINT={}",
                tokenkeeper_core::token::fingerprint(token)
            )),
            "{run}"
        );
    }
    // The failing hook of "bad": in its history, with its words; the token itself is fine.
    let show = env.run(&["show", "bad", "--json"], None).ok().json();
    let history = show["history"].as_array().unwrap();
    let failed = history
        .iter()
        .find(|h| h["outcome"] == "hook_failed")
        .unwrap_or_else(|| panic!("no hook failure in {show}"));
    let message = failed["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("exit status: 4") && message.contains("nope"),
        "{message}"
    );
    env.run(&["token", "bad", "--min-valid", "1"], None).ok();
}

/// A new token made by another process while the background runs (`tokenkeeper refresh`) gets
/// the hook too: the background learns it from the state file and runs the hook once for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hook_runs_for_a_token_another_process_made_while_the_background_runs() {
    // Hour-long tokens: the background makes none of its own in this test.
    let emu = short_lived(Api::Smartling, 3600).await;
    let env = Env::new();
    add_short(&env, "acc", &emu, 3600);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hook.log");
    let script = format!(
        r#"echo "$TOKENKEEPER_FINGERPRINT" >> {}; cat > /dev/null"#,
        log.display()
    );
    env.run(&["hook", "acc", "--", "sh", "-c", &script], None)
        .ok();
    let daemon = Daemon::start(&env);
    std::thread::sleep(Duration::from_secs(2));
    assert!(!log.exists(), "no new token yet, no hook");
    env.run(&["refresh", "acc"], None).ok();
    let fingerprint = env.run(&["token", "acc", "--json"], None).ok().json()["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains(&fingerprint)) {
        assert!(
            std::time::Instant::now() < until,
            "the hook did not run for {fingerprint}: {:?}",
            std::fs::read_to_string(&log)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    drop(daemon);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!("{fingerprint}\n"),
        "once, for that token"
    );
}
