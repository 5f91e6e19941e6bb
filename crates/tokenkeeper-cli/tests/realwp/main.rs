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

use std::process::Command;

// The CLI suite's runner (a config dir per test, stdin, exit code, output); its emulator
// helpers are not used here.
#[path = "../cli/helpers.rs"]
#[allow(dead_code)]
mod helpers;

pub(crate) use helpers::{Env, Run};

/// What these tests do with an account beyond running the CLI.
pub(crate) trait Account {
    /// `add NAME` for `alice` at `url` with her password.
    fn add_password(&self, name: &str, url: &str, password: &str) -> Run;
    /// `add NAME` at `url` from a refresh token.
    fn add_refresh_token(&self, name: &str, url: &str, refresh: &str) -> Run;
    /// The token `token NAME` prints.
    fn token(&self, name: &str) -> String;
    /// The account's id (the keychain's key).
    fn id(&self, name: &str) -> String;
    /// The refresh token the keychain holds for the account, looked up as a user would with
    /// `secret-tool` (service `tokenkeeper`, user `<id>/refresh`).
    fn stored_refresh(&self, name: &str) -> String;
    /// `config.json`, or `null` when there is none.
    fn config_json(&self) -> serde_json::Value;
}

impl Account for Env {
    fn add_password(&self, name: &str, url: &str, password: &str) -> Run {
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

    fn add_refresh_token(&self, name: &str, url: &str, refresh: &str) -> Run {
        self.run(
            &[
                "add",
                name,
                "--provider",
                "jwt-auth-pro",
                "--url",
                url,
                "--refresh-token-stdin",
            ],
            Some(&format!("{refresh}\n")),
        )
    }

    fn token(&self, name: &str) -> String {
        self.run(&["token", name], None)
            .ok()
            .stdout
            .trim()
            .to_owned()
    }

    fn id(&self, name: &str) -> String {
        let show = self.run(&["show", name, "--json"], None).ok().json();
        show["id"].as_str().unwrap().to_owned()
    }

    fn stored_refresh(&self, name: &str) -> String {
        let user = format!("{}/refresh", self.id(name));
        let out = Command::new("secret-tool")
            .args(["lookup", "service", "tokenkeeper", "username", &user])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "secret-tool: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The entry holds the token sealed with its binding: `tokenkeeper-bound-v1 {…}\n<token>`.
        let text = String::from_utf8_lossy(&out.stdout);
        let token = text
            .strip_prefix("tokenkeeper-bound-v1 ")
            .and_then(|rest| rest.split_once('\n'))
            .map_or(&*text, |(_, token)| token);
        token.trim().to_owned()
    }

    fn config_json(&self) -> serde_json::Value {
        let text =
            std::fs::read_to_string(self.config_dir().join("config.json")).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }
}

/// Every TokenKeeper entry in the session's keychain, as `secret-tool` lists them.
pub(crate) fn keychain_entries() -> usize {
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
