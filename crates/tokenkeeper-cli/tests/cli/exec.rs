//! `tokenkeeper exec NAME [--env VAR] -- COMMAND…`: the command gets a fresh token in its
//! environment and its exit code passes through. With `--token-file`: a private file kept fresh,
//! in memory, removed however the run ends (by the next run after a SIGKILL), and a command
//! that is stopped when the file cannot be kept.

use tokenkeeper_emulators::Api;

use crate::helpers::{Env, blocking, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_runs_the_command_with_the_token_and_passes_its_exit_code() {
    let emu = start(Api::GenericJwt).await;
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    let token = e.run(&["token", "acc"], None).ok().stdout.trim().to_owned();

    let run = e.run(
        &[
            "exec",
            "acc",
            "--",
            "sh",
            "-c",
            r#"test "$TOKENKEEPER_TOKEN" = "$1" && exit 7"#,
            "sh",
            &token,
        ],
        None,
    );
    assert_eq!(
        run.code, 7,
        "the token is there and the exit code passes: {}",
        run.stderr
    );

    let run = e
        .run(
            &[
                "exec",
                "acc",
                "--env",
                "API_TOKEN",
                "--",
                "sh",
                "-c",
                "printf %s \"$API_TOKEN\"",
            ],
            None,
        )
        .ok();
    assert_eq!(run.stdout, token);
    assert!(
        !e.run(&["exec", "acc", "--", "sh", "-c", "exit 0"], None)
            .ok()
            .stderr
            .contains(&token)
    );

    e.run(&["exec", "acc", "--", "/nonexistent/program"], None)
        .fails_with(127, "cannot run /nonexistent/program");
    e.run(&["exec", "acc", "--env", "1BAD", "--", "true"], None)
        .fails_with(2, "--env");
    // No token, no command: an unknown account fails before anything runs.
    let marker = e.dir.path().join("ran");
    let touch = format!("touch {}", marker.display());
    e.run(&["exec", "nope", "--", "sh", "-c", &touch], None)
        .fails_with(2, "no account named");
    assert!(!marker.exists());
}

/// A Smartling account whose tokens live `ttl` seconds (its refresh token rotates too).
async fn short_lived(ttl: u64) -> tokenkeeper_emulators::Emulator {
    let mut config = tokenkeeper_emulators::EmulatorConfig::for_api(Api::Smartling);
    config.token_ttl = Some(ttl);
    config.refresh_ttl = Some(3600);
    tokenkeeper_emulators::Emulator::start(Api::Smartling, config)
        .await
        .unwrap()
}

/// `exec --token-file`: a command that runs for more than three token lifetimes, reading the
/// file twice a second, never reads an expired token; the file is private, replaced whole, in
/// `BEARER_TOKEN_FILE`, and gone when the command ends; the exit code is the command's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_file_stays_fresh_for_a_command_that_outlives_three_tokens() {
    const TTL: u64 = 6;
    let emu = short_lived(TTL).await;
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    let script = r#"
        test -z "$TOKENKEEPER_TOKEN" || exit 90
        stat -c '%a' "$BEARER_TOKEN_FILE" "$(dirname "$BEARER_TOKEN_FILE")"
        echo "$BEARER_TOKEN_FILE"
        i=0
        while [ $i -lt 44 ]; do
          echo "$(date +%s.%N) $(cat "$BEARER_TOKEN_FILE")"
          sleep 0.5
          i=$((i + 1))
        done
        exit 7
    "#;
    let run = tokio::task::spawn_blocking(move || {
        let run = e.run(
            &[
                "exec",
                "acc",
                "--token-file",
                "--min-valid",
                "2",
                "--",
                "sh",
                "-c",
                script,
            ],
            None,
        );
        (run, e)
    });
    let (run, _e) = run.await.unwrap();
    assert_eq!(run.code, 7, "the command's exit code: {}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("600"),
        "the file is 0600: {}",
        run.stdout
    );
    assert_eq!(
        lines.next(),
        Some("700"),
        "its directory 0700: {}",
        run.stdout
    );
    let path = std::path::PathBuf::from(lines.next().unwrap());
    assert!(!path.exists(), "the file is removed when the command ends");
    assert!(!path.parent().unwrap().exists(), "and its directory");
    let mut tokens = Vec::new();
    for line in lines {
        let (at, token) = line.split_once(' ').unwrap();
        let at: f64 = at.parse().unwrap();
        assert!(!token.is_empty(), "never an empty read: {line}");
        let claims = tokenkeeper_core::token::decode_claims(token).unwrap();
        let exp = claims["exp"].as_f64().unwrap();
        assert!(exp > at, "read at {at} a token that expired at {exp}");
        if tokens.last() != Some(&token.to_owned()) {
            tokens.push(token.to_owned());
        }
    }
    assert!(
        tokens.len() >= 4,
        "over 22 s of {TTL} s tokens the file was replaced: {} tokens",
        tokens.len()
    );
}

/// Signals sent to TokenKeeper reach the command; the file goes away however it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_reach_the_command_and_the_file_goes_with_it() {
    let emu = start(Api::Ece).await;
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    let mut cmd = e.command(&[
        "exec",
        "acc",
        "--token-file",
        "--env",
        "MY_TOKEN_FILE",
        "--",
        "sh",
        "-c",
        r#"trap 'exit 42' TERM; echo "$MY_TOKEN_FILE"; while :; do sleep 0.1; done"#,
    ]);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut path = String::new();
    std::io::BufRead::read_line(&mut out, &mut path).unwrap();
    let path = std::path::PathBuf::from(path.trim());
    assert!(path.exists(), "{}", path.display());
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(42),
        "the command's trap ran and its code passed"
    );
    assert!(!path.exists(), "the file is removed");
}

/// An `exec --token-file` run whose command sleeps; a test that fails midway leaves neither
/// process behind.
struct Sleeping {
    tokenkeeper: std::process::Child,
    file: std::path::PathBuf,
    command: String,
}

impl Sleeping {
    /// Starts the run; its command prints its file and its process id, then sleeps.
    fn start(e: &Env) -> Self {
        let mut cmd = e.command(&[
            "exec",
            "acc",
            "--token-file",
            "--",
            "sh",
            "-c",
            r#"echo "$BEARER_TOKEN_FILE"; echo $$; exec sleep 1000 >/dev/null 2>&1"#,
        ]);
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut tokenkeeper = cmd.spawn().unwrap();
        let mut out = std::io::BufReader::new(tokenkeeper.stdout.take().unwrap());
        let mut file = String::new();
        let mut command = String::new();
        std::io::BufRead::read_line(&mut out, &mut file).unwrap();
        std::io::BufRead::read_line(&mut out, &mut command).unwrap();
        let run = Self {
            tokenkeeper,
            file: std::path::PathBuf::from(file.trim()),
            command: command.trim().to_owned(),
        };
        assert!(run.file.exists(), "{}", run.file.display());
        run
    }
}

impl Drop for Sleeping {
    fn drop(&mut self) {
        let _ = self.tokenkeeper.kill();
        let _ = self.tokenkeeper.wait();
        if !self.command.is_empty() {
            signal("-KILL", &self.command);
        }
    }
}

/// `kill SIGNAL PID`, quietly: the process may be gone already.
fn signal(signal: &str, pid: &str) {
    let _ = std::process::Command::new("kill")
        .args([signal, pid])
        .stderr(std::process::Stdio::null())
        .status();
}

/// A run killed with SIGKILL cannot clean up: its directory stays, unlocked, and the next run
/// removes it; the directory of a run that still lives is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_a_killed_run_left_is_removed_by_the_next_run() {
    let emu = start(Api::Ece).await;
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    blocking(move || {
        let mut killed = Sleeping::start(&e);
        let mut living = Sleeping::start(&e);
        killed.tokenkeeper.kill().unwrap();
        killed.tokenkeeper.wait().unwrap();
        signal("-KILL", &killed.command);
        assert!(killed.file.exists(), "a SIGKILL leaves the file behind");
        e.run(&["exec", "acc", "--token-file", "--", "true"], None)
            .ok();
        assert!(
            !killed.file.parent().unwrap().exists(),
            "the next run removed the killed run's directory"
        );
        assert!(living.file.exists(), "a living run's file stays");
        signal("-TERM", &living.tokenkeeper.id().to_string());
        let status = living.tokenkeeper.wait().unwrap();
        assert_eq!(status.code(), Some(143), "the command ended by SIGTERM");
        assert!(!living.file.exists(), "and its file with it");
    })
    .await;
}

/// Without `XDG_RUNTIME_DIR` (cron, ssh) the file is on the memory filesystem, never on disk:
/// in a private `/dev/shm/tokenkeeper-<uid>/` where `/dev/shm` is a tmpfs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_runtime_directory_the_token_file_stays_in_memory() {
    use std::os::unix::fs::MetadataExt;
    let emu = start(Api::Ece).await;
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    let shm_is_tmpfs = std::process::Command::new("stat")
        .args(["-f", "-c", "%T", "/dev/shm"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "tmpfs");
    let uid = std::fs::metadata(e.dir.path()).unwrap().uid();
    let run = blocking(move || {
        let mut cmd = e.command(&[
            "exec",
            "acc",
            "--token-file",
            "--",
            "sh",
            "-c",
            r#"f="$BEARER_TOKEN_FILE"; echo "$f"; stat -f -c %T "$f"; stat -c '%a %u' "$(dirname "$(dirname "$f")")""#,
        ]);
        cmd.env_remove("XDG_RUNTIME_DIR");
        let run = crate::helpers::run_command(cmd, None).ok();
        (run, e)
    });
    let (run, e) = run.await;
    let mut lines = run.stdout.lines();
    let path = std::path::PathBuf::from(lines.next().unwrap());
    assert!(!path.exists(), "removed when the command ended");
    if shm_is_tmpfs {
        assert!(
            path.starts_with(format!("/dev/shm/tokenkeeper-{uid}")),
            "{}",
            path.display()
        );
        assert_eq!(lines.next(), Some("tmpfs"), "{}", run.stdout);
        assert_eq!(
            lines.next(),
            Some(format!("700 {uid}").as_str()),
            "a private folder of this user: {}",
            run.stdout
        );
    } else {
        // No memory filesystem: the agent's private folder in the config directory.
        assert!(
            path.starts_with(e.config_dir().join("run")),
            "{}",
            path.display()
        );
    }
}

/// An error after the command started (here the command removed the file's directory, so the
/// next token cannot be written) stops the command before TokenKeeper reports it: nothing
/// runs on with a token file no one refreshes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_after_the_command_started_stops_the_command() {
    let emu = short_lived(4).await;
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    let run = blocking(move || {
        e.run(
            &[
                "exec",
                "acc",
                "--token-file",
                "--min-valid",
                "1",
                "--",
                "sh",
                "-c",
                r#"echo $$; rm -r "$(dirname "$BEARER_TOKEN_FILE")"; exec sleep 1000 >/dev/null 2>&1"#,
            ],
            None,
        )
    });
    let run = run.await;
    let pid = run.stdout.trim().to_owned();
    let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
    signal("-KILL", &pid);
    assert!(!pid.is_empty(), "{run:?}");
    assert!(!alive, "the command was stopped: {run:?}");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("stopping sh"), "{}", run.stderr);
}
