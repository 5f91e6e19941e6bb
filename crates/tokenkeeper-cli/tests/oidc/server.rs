//! The certified OpenID Provider of `tests/oidc/provider.mjs` (panva's oidc-provider), one per
//! test on a port the system picks, killed when the test ends (also when the test process dies:
//! the server exits when its stdin closes). Its stderr, with the real reason of every refused
//! request, goes to a file that a failing assertion prints.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub const PUBLIC: &str = "tk-public";
pub const BASIC: (&str, &str) = ("tk-basic", "tk-basic-secret");
pub const POST: (&str, &str) = ("tk-post", "tk-post-secret");

#[derive(Debug)]
pub struct Oidc {
    child: Child,
    pub issuer: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl Oidc {
    /// Starts the server with these `OIDC_*` settings.
    pub fn start(env: &[(&str, &str)]) -> Self {
        // The workspace's tests/oidc, from this crate or the e2e suite (which includes this
        // file: tests/e2e/tests/oauth.rs).
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|p| p.join("tests/oidc"))
            .find(|d| d.join("provider.mjs").exists())
            .expect("the workspace's tests/oidc/provider.mjs");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "tests/oidc has no node_modules: run scripts/setup.sh (npm ci in tests/oidc)"
        );
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("oidc.log");
        // One signing key for every server of this run (see provider.mjs).
        let key = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oidc-signing-key.json");
        // Ready in about a second. In 2 of 4 full CI runs one start in the suite never printed
        // its ready line (node alive, nothing on stderr but oidc-provider's warning; cause not
        // found): such a start is ended and made again, and each attempt's stderr is kept.
        let mut tried = String::new();
        let (child, line) = (1..=3)
            .find_map(|attempt| {
                let mut child = Command::new("node")
                    .arg(dir.join("provider.mjs"))
                    .arg("0")
                    .env("OIDC_KEY_FILE", &key)
                    .envs(env.iter().copied())
                    .env("OIDC_EXIT_ON_STDIN_EOF", "1")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(std::fs::File::create(&log).unwrap())
                    .spawn()
                    .expect("node (scripts/setup.sh installs it)");
                let stdout = child.stdout.take().unwrap();
                let (tx, rx) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let mut line = String::new();
                    let _ = std::io::BufReader::new(stdout).read_line(&mut line);
                    let _ = tx.send(line);
                });
                match rx.recv_timeout(Duration::from_secs(40)) {
                    Ok(line) => Some((child, line)),
                    Err(_) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        let said = std::fs::read_to_string(&log).unwrap_or_default();
                        tried.push_str(&format!("attempt {attempt}: not ready in 40 s:\n{said}\n"));
                        None
                    }
                }
            })
            .unwrap_or_else(|| panic!("provider.mjs never got ready:\n{tried}"));
        if !tried.is_empty() {
            eprintln!("provider.mjs started again:\n{tried}");
        }
        let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!(
                "bad ready line {line:?}: {e}\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            child,
            issuer: ready["issuer"].as_str().unwrap().to_owned(),
            log,
            _dir: tmp,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
        }
    }

    /// What the server wrote on stderr so far (the reason of each refusal).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The server never refused a request for this reason (its log says each one: a refresh
    /// token "already used" means a reuse, which revokes the grant).
    #[track_caller]
    pub fn assert_never(&self, reason: &str) {
        let log = self.log();
        assert!(!log.contains(reason), "the server said {reason:?}:\n{log}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// POSTs to a `/test/` control endpoint.
    pub async fn control(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// What the server's introspection endpoint (RFC 7662) says of a token, asked by the
    /// confidential client (it may ask about every client's tokens).
    pub async fn introspect(&self, token: &str) -> Value {
        let response = self
            .http
            .post(self.url("/token/introspection"))
            .basic_auth(BASIC.0, Some(BASIC.1))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "introspection");
        response.json().await.unwrap()
    }

    /// The token is active at the server, for `client`.
    pub async fn assert_active(&self, token: &str, client: &str) {
        let answer = self.introspect(token).await;
        assert_eq!(
            answer["active"],
            json!(true),
            "introspection: {answer}\nserver log:\n{}",
            self.log()
        );
        assert_eq!(answer["client_id"], json!(client), "{answer}");
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.http
    }
}

impl Drop for Oidc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
