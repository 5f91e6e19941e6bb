//! The CLI against the **real** JWT Auth Pro plugin on a real WordPress (`../shared/realwp`),
//! not our emulator of it: adding with a password and with a refresh token, `token`,
//! `token --json`, `exec`, forced refreshes (every rotation checked in the server's own
//! `wp_jwt_auth_tokens` table), the daemon over several short access lifetimes, a password
//! changed on the server, the server stopped and back, a wrong password, a site with plain
//! permalinks and an unusable refresh answer after the server rotated.
//!
//! The tests are `#[ignore]`d in the plain workspace run: `scripts/realwp.sh` starts the kit and
//! runs them one at a time (they share one server, one rate limit of 60 requests a minute and
//! one user) in a private keyring session. The server's answer to `/token/validate` is the
//! judge of every token handed out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod kit;
mod proxy;
mod scenarios;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// One isolated config dir.
#[derive(Debug)]
pub struct Env {
    pub dir: tempfile::TempDir,
}

/// What a run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails_with(self, code: i32, needle: &str) -> Self {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(
            self.stderr.contains(needle),
            "{needle:?} not in {:?}",
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

#[allow(clippy::new_without_default)] // a new directory each time, not a default value
impl Env {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenkeeper"));
        cmd.arg("--config-dir").arg(self.config_dir()).args(args);
        cmd.env_remove("TOKENKEEPER_CONFIG_DIR")
            .env_remove("TOKENKEEPER_LOG");
        cmd
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(input) = stdin {
            let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        }
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// `add NAME` for `alice` at `url` with her password.
    pub fn add_password(&self, name: &str, url: &str, password: &str) -> Run {
        self.run(
            &[
                "add",
                name,
                "--provider",
                "jwt-auth-pro",
                "--url",
                url,
                "--username",
                "alice",
                "--password-stdin",
            ],
            Some(&format!("{password}\n")),
        )
    }

    /// The token `token NAME` prints.
    pub fn token(&self, name: &str) -> String {
        self.run(&["token", name], None)
            .ok()
            .stdout
            .trim()
            .to_owned()
    }

    /// The account's id (the keychain's key).
    pub fn id(&self, name: &str) -> String {
        let show = self.run(&["show", name, "--json"], None).ok().json();
        show["id"].as_str().unwrap().to_owned()
    }

    /// The refresh token the keychain holds for the account (`secret-tool`, as a user would
    /// look it up: service `tokenkeeper`, user `<id>/refresh`).
    pub fn stored_refresh(&self, name: &str) -> String {
        let out = Command::new("secret-tool")
            .args([
                "lookup",
                "service",
                "tokenkeeper",
                "username",
                &format!("{}/refresh", self.id(name)),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "secret-tool: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn config_json(&self) -> serde_json::Value {
        let text =
            std::fs::read_to_string(self.config_dir().join("config.json")).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }
}

/// Every TokenKeeper entry in the session's keychain, as `secret-tool` lists them.
pub fn keychain_entries() -> usize {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", "tokenkeeper"])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines()
        .filter(|l| l.starts_with("attribute.username = "))
        .count()
}
