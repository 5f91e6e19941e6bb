//! The token agent of `tokenkeeper daemon`: `tokenkeeper token` asks it first and gets the same
//! answers, errors and exit codes as the direct path; it falls back when no agent answers; bad
//! requests get an error and never stop the agent; another user is refused.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokenkeeper_core::agent::socket_path_in;
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_emulators::{Api, Fault, FaultAction, FaultTarget};

use crate::daemon::Daemon;
use crate::helpers::{Env, Run, run_command, start};

/// A runtime directory of the test's own (the socket lives in `<it>/tokenkeeper/`).
struct Runtime(tempfile::TempDir);

impl Runtime {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        Self(dir)
    }

    fn socket(&self, env: &Env) -> PathBuf {
        socket_path_in(
            &self.0.path().join("tokenkeeper"),
            &Paths::new(env.config_dir()),
        )
    }

    fn run(&self, env: &Env, args: &[&str], agent: bool) -> Run {
        let mut cmd = env.command(args);
        cmd.env("XDG_RUNTIME_DIR", self.0.path());
        if !agent {
            cmd.env("TOKENKEEPER_NO_AGENT", "1");
        }
        run_command(cmd, None)
    }

    fn daemon(&self, env: &Env) -> Daemon {
        let mut cmd = env.command(&["daemon"]);
        cmd.env("XDG_RUNTIME_DIR", self.0.path());
        let daemon = Daemon::start_with(cmd);
        let socket = self.socket(env);
        let until = Instant::now() + Duration::from_secs(5);
        while !socket.exists() {
            assert!(
                Instant::now() < until,
                "no agent socket at {}",
                socket.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }
}

/// An emulator of `api`, a runtime directory and a config directory with one account, "acc".
async fn one_account(api: Api) -> (tokenkeeper_emulators::Emulator, Runtime, Env) {
    let emu = start(api).await;
    let rt = Runtime::new();
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    (emu, rt, e)
}

fn exchange(socket: &Path, request: &[u8]) -> String {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).unwrap();
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemons_agent_answers_like_the_direct_path() {
    let (emu, rt, e) = one_account(Api::Smartling).await;
    let daemon = rt.daemon(&e);
    let socket = rt.socket(&e);
    let mode = std::fs::metadata(socket.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "the socket directory is private");

    let via = rt.run(&e, &["-vv", "token", "acc"], true).ok();
    assert!(
        via.stderr.contains("answered by the token agent"),
        "{}",
        via.stderr
    );
    let direct = rt.run(&e, &["-vv", "token", "acc"], false).ok();
    assert!(!direct.stderr.contains("token agent"), "{}", direct.stderr);
    assert_eq!(via.stdout, direct.stdout, "the same token either way");

    // --json: token, expiry and fingerprint, the same either way.
    let json = rt.run(&e, &["token", "acc", "--json"], true).ok().json();
    assert_eq!(json["token"].as_str().unwrap(), via.stdout.trim());
    assert_eq!(
        json["fingerprint"].as_str().unwrap(),
        tokenkeeper_core::token::fingerprint(via.stdout.trim())
    );
    assert_eq!(
        json,
        rt.run(&e, &["token", "acc", "--json"], false).ok().json()
    );

    // --min-valid past what the API's tokens live: the agent refreshes (under the lock), then
    // says no token lives that long (exit 8, as the direct path would); the new token is kept,
    // and the direct path sees it too.
    let refreshed = rt.run(&e, &["-vv", "token", "acc", "--min-valid", "100000"], true);
    assert!(refreshed.stderr.contains("answered by the token agent"));
    assert_eq!(refreshed.code, 8, "{}", refreshed.stderr);
    assert!(
        refreshed
            .stderr
            .contains("less than the 100000 s asked for"),
        "{}",
        refreshed.stderr
    );
    let after = rt.run(&e, &["token", "acc"], false).ok().stdout;
    assert_ne!(after, via.stdout, "a refreshed token");
    assert_eq!(rt.run(&e, &["token", "acc"], true).ok().stdout, after);

    // Another process refreshes: the agent hands over the new token, never the one it had.
    rt.run(&e, &["refresh", "acc"], false).ok();
    let newest = rt.run(&e, &["token", "acc"], false).ok().stdout;
    assert_ne!(newest, refreshed.stdout);
    assert_eq!(rt.run(&e, &["token", "acc"], true).ok().stdout, newest);

    // The same errors and exit codes: an unknown account, and the API failing a refresh.
    emu.push_fault(Fault {
        target: FaultTarget::Refresh,
        times: 3,
        action: FaultAction::ApiError { status: 503 },
    });
    for args in [
        &["token", "nope"][..],
        &["token", "acc", "--min-valid", "100000"],
    ] {
        let (a, d) = (rt.run(&e, args, true), rt.run(&e, args, false));
        assert_eq!((a.code, &a.stderr), (d.code, &d.stderr), "{args:?}");
        assert_ne!(a.code, 0);
    }
    rt.run(&e, &["token", "acc", "--min-valid", "100000"], true)
        .fails_with(5, "MAINTENANCE_MODE_ERROR");
    let unknown = rt.run(&e, &["token", "nope"], true);
    unknown.fails_with(2, "no account named \"nope\"");

    // The agent never writes the token anywhere.
    let token = newest.trim().to_owned();
    assert!(!e.config_dir_text().contains(&token));
    assert!(!daemon.log().contains(&token));

    let (code, _, _) = daemon.terminate();
    assert_eq!(code, 0);
    assert!(!socket.exists(), "the socket goes with the daemon");
    rt.run(&e, &["token", "acc"], true).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_an_error_and_the_agent_serves_on() {
    let (_emu, rt, e) = one_account(Api::JwtAuthPro).await;
    let daemon = rt.daemon(&e);
    let socket = rt.socket(&e);
    for (request, word) in [
        (b"garbage\n".to_vec(), "not JSON"),
        (
            br#"{"v":9,"op":"token","name":"acc","min_valid_secs":1}"#.to_vec(),
            "version 9",
        ),
        (b"{\"op\":\"ping\"}\n".to_vec(), "no version"),
        (br#"{"v":1,"op":"rm -rf"}"#.to_vec(), "not a request"),
        (vec![b'x'; 10_000], "longer than 4096"),
    ] {
        let mut request = request;
        if !request.ends_with(b"\n") && request.len() < 5000 {
            request.push(b'\n');
        }
        let answer = exchange(&socket, &request);
        let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v["v"], 1);
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(word), "{word}: {answer}");
    }
    // A client that connects and says nothing is given up on, not waited for forever.
    let silent = UnixStream::connect(&socket).unwrap();
    assert!(exchange(&socket, b"{\"v\":1,\"op\":\"ping\"}\n").contains("\"pong\":true"));
    drop(silent);
    rt.run(&e, &["-vv", "token", "acc"], true).ok();
    let (code, _, log) = daemon.terminate();
    assert_eq!(code, 0, "{log}");
}

/// Where scripts really run (cron, systemd timers without a session, many ssh sessions) there
/// is no `XDG_RUNTIME_DIR`: the daemon serves its agent from `run/` in the config directory
/// (0700, checked like the runtime one), and `token -v` says the agent answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_runtime_directory_the_agent_lives_in_the_config_directory() {
    let emu = start(Api::RedisEnterprise).await;
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    let no_runtime = |args: &[&str]| {
        let mut cmd = e.command(args);
        cmd.env_remove("XDG_RUNTIME_DIR");
        cmd
    };
    let socket = socket_path_in(&e.config_dir().join("run"), &Paths::new(e.config_dir()));
    let _daemon = Daemon::start_with(no_runtime(&["daemon"]));
    let until = Instant::now() + Duration::from_secs(5);
    while !socket.exists() {
        assert!(
            Instant::now() < until,
            "no agent socket at {}",
            socket.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mode = std::fs::metadata(socket.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "the socket directory is private");

    let via = run_command(no_runtime(&["-v", "token", "acc"]), None).ok();
    assert!(
        via.stderr.contains("answered by the token agent"),
        "{}",
        via.stderr
    );
    let mut direct = no_runtime(&["-v", "token", "acc"]);
    direct.env("TOKENKEEPER_NO_AGENT", "1");
    let direct = run_command(direct, None).ok();
    assert_eq!(via.stdout, direct.stdout, "the same token either way");
    assert!(!via.stdout.trim().is_empty());
}

/// `token -v` says when no agent answered and the direct path was taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_v_says_when_no_agent_answered() {
    let (_emu, rt, e) = one_account(Api::Smartling).await;
    let run = rt.run(&e, &["-v", "token", "acc"], true).ok();
    assert!(
        run.stderr.contains("no token agent answered"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.trim().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_answering_agent_token_works_directly_and_quickly() {
    let (_emu, rt, e) = one_account(Api::Ece).await;
    let expected = rt.run(&e, &["token", "acc"], false).ok().stdout;
    // No socket at all.
    rt.run(&e, &["token", "acc"], true).ok();
    // A socket nobody listens on (a crashed agent's).
    let socket = rt.socket(&e);
    std::fs::create_dir(socket.parent().unwrap()).unwrap();
    std::fs::set_permissions(
        socket.parent().unwrap(),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    drop(UnixListener::bind(&socket).unwrap());
    assert_eq!(rt.run(&e, &["token", "acc"], true).ok().stdout, expected);
    // An agent that accepts and never answers.
    std::fs::remove_file(&socket).unwrap();
    let hung = UnixListener::bind(&socket).unwrap();
    let keep = std::thread::spawn(move || {
        let held: Vec<_> = hung.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(5));
        drop(held);
    });
    let started = Instant::now();
    let run = rt.run(&e, &["-vv", "token", "acc"], true).ok();
    assert_eq!(run.stdout, expected);
    assert!(!run.stderr.contains("answered by the token agent"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    keep.join().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_of_another_user_is_refused() {
    assert!(
        std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
            .ok()
            == Some(0),
        "this test runs as root (as the test command does) to connect as another user with setpriv"
    );
    let (_emu, rt, e) = one_account(Api::Smartling).await;
    let daemon = rt.daemon(&e);
    let socket = rt.socket(&e);
    // Let "nobody" reach the socket, so only the agent's own check stands in the way.
    for (path, mode) in [
        (rt.0.path(), 0o711),
        (socket.parent().unwrap(), 0o711),
        (&socket, 0o777),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let client = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"v":1,"op":"token","name":"acc","min_valid_secs":60}\n')
except BrokenPipeError:
    pass  # the agent may refuse and close before the request is sent
print(s.makefile().readline(), end="")
"#;
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "/usr/bin/python3",
            "-c",
            client,
        ])
        .arg(&socket)
        .output()
        .unwrap();
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(answer.contains("refused"), "{answer}");
    assert!(
        !answer.contains("\"token\":{"),
        "no token for another user: {answer}"
    );
    // Its stderr is read by another thread: the line may land just after the answer.
    daemon.wait_for(
        "refused a client of another user",
        std::time::Duration::from_secs(5),
    );
    // And it goes on serving its own user.
    rt.run(&e, &["token", "acc"], true).ok();
    daemon.terminate();
}

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.push((entry.path(), meta.len(), meta.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_token_on_the_direct_path_writes_no_file() {
    let (_emu, rt, e) = one_account(Api::GenericJwt).await;
    rt.run(&e, &["token", "acc"], false).ok();
    let before = snapshot(&e.config_dir());
    std::thread::sleep(Duration::from_millis(20));
    for _ in 0..3 {
        rt.run(&e, &["token", "acc"], false).ok();
    }
    assert_eq!(
        snapshot(&e.config_dir()),
        before,
        "nothing changed, nothing written"
    );
}
