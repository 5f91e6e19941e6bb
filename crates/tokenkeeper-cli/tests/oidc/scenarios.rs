//! What a person and a script do with an OAuth 2.0 account, against the real server.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use crate::browser::Browser;
use crate::helpers::{Env, Run};
use crate::server::{BASIC, Oidc, POST, PUBLIC};

/// `tokenkeeper add` (or `login`) running, and what it printed on stderr so far.
struct Signing {
    child: Child,
    stderr: tokio::io::Lines<BufReader<tokio::process::ChildStderr>>,
    seen: String,
}

impl Signing {
    /// Starts the command, with `stdin` written and closed.
    async fn start(env: &Env, args: &[&str], stdin: Option<&str>) -> Self {
        let mut cmd = tokio::process::Command::from(env.command(args));
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            use tokio::io::AsyncWriteExt;
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(text.as_bytes()).await.unwrap();
        }
        let stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        Self {
            child,
            stderr,
            seen: String::new(),
        }
    }

    /// Reads stderr until a line `pick` takes.
    async fn until<T>(&mut self, pick: impl Fn(&str) -> Option<T>) -> T {
        let read = async {
            while let Some(line) = self.stderr.next_line().await.unwrap() {
                self.seen.push_str(&line);
                self.seen.push('\n');
                if let Some(found) = pick(&line) {
                    return Some(found);
                }
            }
            None
        };
        match tokio::time::timeout(Duration::from_secs(30), read).await {
            Ok(Some(found)) => found,
            _ => panic!("not seen on stderr:\n{}", self.seen),
        }
    }

    /// The sign-in page's address the command printed.
    async fn sign_in_url(&mut self, issuer: &str) -> String {
        let prefix = format!("{issuer}/auth?");
        self.until(|line| {
            let line = line.trim();
            line.starts_with(&prefix).then(|| line.to_owned())
        })
        .await
    }

    /// Waits for the command to end.
    async fn finish(mut self) -> Run {
        let mut rest = String::new();
        while let Ok(Ok(Some(line))) =
            tokio::time::timeout(Duration::from_secs(60), self.stderr.next_line()).await
        {
            rest.push_str(&line);
            rest.push('\n');
        }
        let output = tokio::time::timeout(Duration::from_secs(60), self.child.wait_with_output())
            .await
            .expect("the command ends")
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: self.seen + &rest,
        }
    }
}

/// `tokenkeeper add NAME --provider oauth2 --issuer … --no-browser` plus `extra`.
fn add_args<'a>(name: &'a str, issuer: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "add",
        name,
        "--provider",
        "oauth2",
        "--issuer",
        issuer,
        "--no-browser",
    ];
    args.extend_from_slice(extra);
    args
}

/// Adds an account that signs in in the browser (as alice) and returns what the command said.
async fn add_signed_in(
    env: &Env,
    oidc: &Oidc,
    name: &str,
    extra: &[&str],
    stdin: Option<&str>,
) -> Run {
    let args = add_args(name, &oidc.issuer, extra);
    let mut signing = Signing::start(env, &args, stdin).await;
    let url = signing.sign_in_url(&oidc.issuer).await;
    let landed = Browser::default()
        .sign_in(
            oidc.client(),
            &url,
            &oidc.issuer,
            ("alice", "alice-password"),
        )
        .await;
    assert_eq!(landed.status, 200, "{}", landed.page);
    assert!(landed.page.contains("Signed in"), "{}", landed.page);
    signing.finish().await
}

/// The secret the keychain holds for an account (`refresh`, `access`, `client-secret`,
/// `password`), as `secret-tool` shows it, without its binding.
fn stored(env: &Env, name: &str, kind: &str) -> Option<String> {
    let show = env.run(&["show", name, "--json"], None).ok().json();
    let user = format!("{}/{kind}", show["id"].as_str().unwrap());
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "tokenkeeper", "username", &user])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let token = text
        .strip_prefix("tokenkeeper-bound-v1 ")
        .and_then(|rest| rest.split_once('\n'))
        .map_or(text.as_str(), |(_, t)| t)
        .trim()
        .to_owned();
    (!token.is_empty()).then_some(token)
}

/// `token NAME` for a token that works 10 s more (the server's default lifetime is 30 s).
fn token(env: &Env, name: &str) -> String {
    env.run(&["token", name, "--min-valid", "10"], None)
        .ok()
        .stdout
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_public_client_signs_in_in_the_browser_and_rotation_never_loses_the_grant() {
    let oidc = Oidc::start(&[]);
    let env = Env::new();
    let added = add_signed_in(&env, &oidc, "code", &["--client-id", PUBLIC], None).await;
    assert_eq!(added.code, 0, "{added:?}\nserver:\n{}", oidc.log());
    assert!(added.stdout.contains("added code (oauth2)"), "{added:?}");
    // Discovery gave the endpoints; the scopes asked for a refresh token; no secret on disk.
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.config_dir().join("config.json")).unwrap(),
    )
    .unwrap();
    let account = &config["accounts"][0];
    assert_eq!(account["url"], json!(format!("{}/", oidc.issuer)));
    assert_eq!(account["oauth"]["grant"], json!("authorization-code"));
    assert_eq!(account["oauth"]["client_auth"], json!("none"));
    assert_eq!(
        account["oauth"]["scopes"],
        json!(["openid", "offline_access"])
    );
    assert_eq!(
        account["oauth"]["endpoints"]["token"],
        json!(oidc.url("/token"))
    );
    assert_eq!(account["oauth"]["iss_parameter"], json!(true));
    let first = token(&env, "code");
    oidc.assert_active(&first, PUBLIC).await;
    // Who signed in: the ID token's claims in the details, the ID token itself nowhere.
    let show = env.run(&["show", "code", "--json"], None).ok().json();
    assert_eq!(show["id_token_claims"]["sub"], json!("alice"), "{show}");
    assert_eq!(show["id_token_claims"]["iss"], json!(oidc.issuer), "{show}");
    assert_eq!(show["oauth"]["client_id"], json!(PUBLIC), "{show}");
    let text = env.run(&["show", "code"], None).ok().stdout;
    assert!(text.contains("id token claims"), "{text}");
    assert!(
        text.contains("authorization-code grant, client tk-public (none)"),
        "{text}"
    );
    let text = env.config_dir_text();
    let mut refresh = stored(&env, "code", "refresh").expect("a refresh token is stored");
    assert!(!text.contains(&first) && !text.contains(&refresh));
    // Every refresh rotates the refresh token: the new one is stored, the old one is spent,
    // and the token handed out after it is active.
    for round in 0..3 {
        env.run(&["refresh", "code"], None).ok();
        let rotated = stored(&env, "code", "refresh").unwrap();
        assert_ne!(rotated, refresh, "round {round}: the refresh token rotated");
        assert_eq!(oidc.introspect(&refresh).await["active"], json!(false));
        oidc.assert_active(&rotated, PUBLIC).await;
        let handed = token(&env, "code");
        oidc.assert_active(&handed, PUBLIC).await;
        refresh = rotated;
    }
    oidc.assert_never("already used");
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_handed_out_stay_active_over_several_short_lifetimes() {
    let oidc = Oidc::start(&[("OIDC_ACCESS_TTL", "4")]);
    let env = Env::new();
    add_signed_in(&env, &oidc, "short", &["--client-id", PUBLIC], None)
        .await
        .ok();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..6 {
        let run = env.run(&["token", "short", "--min-valid", "3"], None).ok();
        let handed = run.stdout.trim().to_owned();
        oidc.assert_active(&handed, PUBLIC).await;
        seen.insert(handed);
        tokio::time::sleep(Duration::from_millis(1200)).await;
    }
    assert!(
        seen.len() >= 3,
        "new tokens came as the old ones aged: {}",
        seen.len()
    );
    oidc.assert_never("already used");
}

#[tokio::test(flavor = "multi_thread")]
async fn confidential_clients_send_their_secret_by_basic_or_in_the_body_and_keep_it_in_the_keychain()
 {
    // The server shows its HTML login and consent forms, which the browser submits.
    let oidc = Oidc::start(&[("OIDC_AUTO_LOGIN", "")]);
    let env = Env::new();
    for (name, (client, secret), method) in [
        ("basic", BASIC, "client_secret_basic"),
        ("post", POST, "client_secret_post"),
    ] {
        let added = add_signed_in(
            &env,
            &oidc,
            name,
            &[
                "--client-id",
                client,
                "--client-auth",
                method,
                "--client-secret-stdin",
            ],
            Some(&format!("{secret}\n")),
        )
        .await;
        assert_eq!(added.code, 0, "{added:?}\nserver:\n{}", oidc.log());
        assert_eq!(stored(&env, name, "client-secret").as_deref(), Some(secret));
        env.run(&["refresh", name], None).ok();
        oidc.assert_active(&token(&env, name), client).await;
        assert!(!env.config_dir_text().contains(secret));
    }
}

/// `tokenkeeper add NAME` with the device flow, running, and the user code it printed.
async fn device_login(env: &Env, oidc: &Oidc, name: &str) -> (Signing, String) {
    let args = add_args(
        name,
        &oidc.issuer,
        &["--client-id", PUBLIC, "--grant", "device-code"],
    );
    let mut signing = Signing::start(env, &args, None).await;
    let code = signing
        .until(|line| {
            line.split("enter the code ").nth(1).map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .await;
    (signing, code)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_device_flow_prints_a_code_and_stops_polling_at_the_first_success() {
    let oidc = Oidc::start(&[]);
    let env = Env::new();
    let (signing, code) = device_login(&env, &oidc, "tv").await;
    oidc.control("/test/device", json!({"user_code": code, "account": "bob"}))
        .await;
    let run = signing.finish().await;
    assert_eq!(run.code, 0, "{run:?}\nserver:\n{}", oidc.log());
    let handed = token(&env, "tv");
    let answer = oidc.introspect(&handed).await;
    assert_eq!(answer["active"], json!(true), "{answer}");
    assert_eq!(answer["sub"], json!("bob"));
    oidc.assert_never("device code already consumed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_login_declined_stores_nothing() {
    let oidc = Oidc::start(&[]);
    let env = Env::new();
    let (signing, code) = device_login(&env, &oidc, "tv").await;
    oidc.control("/test/device", json!({"user_code": code, "action": "deny"}))
        .await;
    let run = signing.finish().await;
    assert_eq!(run.code, 6, "{run:?}");
    assert!(run.stderr.contains("declined"), "{}", run.stderr);
    assert_eq!(env.run(&["list", "--json"], None).ok().json(), json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn client_credentials_come_again_before_expiry_and_a_wrong_secret_is_said() {
    let oidc = Oidc::start(&[("OIDC_CLIENT_CREDENTIALS_TTL", "4")]);
    let env = Env::new();
    let args = add_args(
        "svc",
        &oidc.issuer,
        &[
            "--client-id",
            BASIC.0,
            "--grant",
            "client-credentials",
            "--client-secret-stdin",
        ],
    );
    let run = env.run(&args, Some(&format!("{}\n", BASIC.1))).ok();
    assert!(run.stdout.contains("added svc"), "{run:?}");
    assert_eq!(stored(&env, "svc", "refresh"), None);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..3 {
        let handed = env
            .run(&["token", "svc", "--min-valid", "3"], None)
            .ok()
            .stdout
            .trim()
            .to_owned();
        oidc.assert_active(&handed, BASIC.0).await;
        seen.insert(handed);
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    assert!(
        seen.len() >= 2,
        "a new token came before the old one ran out"
    );
    let wrong = add_args(
        "bad",
        &oidc.issuer,
        &[
            "--client-id",
            BASIC.0,
            "--grant",
            "client-credentials",
            "--client-secret-stdin",
        ],
    );
    env.run(&wrong, Some("not-the-secret\n"))
        .fails_with(6, "invalid_client");
    assert!(!env.config_dir_text().contains("\"bad\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_grant_revoked_on_the_server_needs_login_and_its_token_is_no_longer_handed_out() {
    let oidc = Oidc::start(&[]);
    let env = Env::new();
    add_signed_in(&env, &oidc, "gone", &["--client-id", PUBLIC], None)
        .await
        .ok();
    let before = token(&env, "gone");
    oidc.assert_active(&before, PUBLIC).await;
    let revoked = oidc
        .control("/test/revoke", json!({"account": "alice"}))
        .await;
    assert_eq!(revoked["revoked_grants"], json!(1), "{revoked}");
    env.run(&["refresh", "gone"], None)
        .fails_with(3, "invalid_grant");
    // The token the server revoked with the grant is not handed out again.
    let run = env.run(&["token", "gone", "--min-valid", "10"], None);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(!run.stdout.contains(&before));
    let show = env.run(&["show", "gone", "--json"], None).ok().json();
    assert_eq!(show["status"], json!("needs_login"), "{show}");
    // Signing in again brings the account back.
    let mut signing = Signing::start(&env, &["login", "gone", "--no-browser"], None).await;
    let url = signing.sign_in_url(&oidc.issuer).await;
    Browser::default()
        .sign_in(
            oidc.client(),
            &url,
            &oidc.issuer,
            ("alice", "alice-password"),
        )
        .await;
    let run = signing.finish().await;
    assert_eq!(run.code, 0, "{run:?}");
    oidc.assert_active(&token(&env, "gone"), PUBLIC).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_an_account_revokes_its_grant_at_the_server() {
    let oidc = Oidc::start(&[]);
    let env = Env::new();
    add_signed_in(&env, &oidc, "bye", &["--client-id", PUBLIC], None)
        .await
        .ok();
    let handed = token(&env, "bye");
    let refresh = stored(&env, "bye", "refresh").unwrap();
    env.run(&["remove", "bye"], None).ok();
    assert_eq!(oidc.introspect(&refresh).await["active"], json!(false));
    assert_eq!(oidc.introspect(&handed).await["active"], json!(false));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_with_another_logins_state_is_turned_away_and_the_login_goes_on() {
    let oidc = Oidc::start(&[]);
    let env = Env::new();
    let args = add_args("forged", &oidc.issuer, &["--client-id", PUBLIC]);
    let mut signing = Signing::start(&env, &args, None).await;
    let url = signing.sign_in_url(&oidc.issuer).await;
    let redirect = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    let forged = oidc
        .client()
        .get(format!("{redirect}?code=stolen&state=not-this-one"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let landed = Browser::default()
        .sign_in(
            oidc.client(),
            &url,
            &oidc.issuer,
            ("alice", "alice-password"),
        )
        .await;
    assert_eq!(landed.status, 200);
    let run = signing.finish().await;
    assert_eq!(run.code, 0, "{run:?}");
    oidc.assert_active(&token(&env, "forged"), PUBLIC).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_background_keeps_the_account_fresh_over_several_lifetimes_with_rotation() {
    const SHORT: u64 = 8;
    let oidc = Oidc::start(&[("OIDC_ACCESS_TTL", "8")]);
    let env = Env::new();
    add_signed_in(&env, &oidc, "kept", &["--client-id", PUBLIC], None)
        .await
        .ok();
    let first_refresh = stored(&env, "kept", "refresh").unwrap();
    let mut daemon = tokio::process::Command::from(env.command(&["daemon"]))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let mut seen: Vec<String> = Vec::new();
    // Four lifetimes; every token a script is handed is active at the server.
    while start.elapsed() < Duration::from_secs(SHORT * 4) {
        let handed = env
            .run(&["token", "kept", "--min-valid", "2"], None)
            .ok()
            .stdout
            .trim()
            .to_owned();
        if seen.last() != Some(&handed) {
            oidc.assert_active(&handed, PUBLIC).await;
            seen.push(handed);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    daemon.start_kill().unwrap();
    let output = daemon.wait_with_output().await.unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        seen.len() >= 4,
        "the background refreshed at least three times: {} tokens\n{log}",
        seen.len()
    );
    let last_refresh = stored(&env, "kept", "refresh").unwrap();
    assert_ne!(last_refresh, first_refresh);
    oidc.assert_active(&last_refresh, PUBLIC).await;
    oidc.assert_never("already used");
}

/// A server that answers every request from `answer(path)`: (status, JSON body).
async fn fake_server(answer: impl Fn(&str) -> (u16, String) + Send + Sync + 'static) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answer = std::sync::Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, body) = answer(&path);
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discovery_document_naming_another_issuer_is_refused_and_nothing_is_stored() {
    let url = fake_server(|_| {
        (
            200,
            json!({"issuer": "https://evil.example", "token_endpoint": "https://evil.example/token",
                   "authorization_endpoint": "https://evil.example/auth"})
            .to_string(),
        )
    })
    .await;
    let env = Env::new();
    let args = add_args("mixup", &url, &["--client-id", PUBLIC]);
    // The fake server answers on this runtime while the command runs.
    let run = tokio::task::block_in_place(|| env.run(&args, None));
    run.fails_with(6, "names the issuer \"https://evil.example\"");
    assert_eq!(env.run(&["list", "--json"], None).ok().json(), json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_issuer_with_a_path_is_found_at_rfc_8414s_place_when_the_oidc_one_is_missing() {
    let issuer = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let known = issuer.clone();
    let url = fake_server(move |path| {
        let issuer = known.get().cloned().unwrap_or_default();
        if path == "/.well-known/oauth-authorization-server/tenant/a" {
            (
                200,
                json!({"issuer": issuer, "token_endpoint": format!("{issuer}/token"),
                       "grant_types_supported": ["client_credentials"],
                       "token_endpoint_auth_methods_supported": ["client_secret_post"]})
                .to_string(),
            )
        } else {
            (404, json!({"error": "not_found"}).to_string())
        }
    })
    .await;
    issuer.set(format!("{url}/tenant/a")).unwrap();
    let env = Env::new();
    // The document is found; the grant it does not list is refused before anything is sent.
    let args = add_args(
        "found",
        issuer.get().unwrap(),
        &["--client-id", "svc", "--grant", "device-code"],
    );
    let run = tokio::task::block_in_place(|| env.run(&args, None));
    run.fails_with(
        2,
        "does not offer the device-code grant (it offers: client-credentials)",
    );
}

/// `header`, `exec` and a hook the background runs hand out tokens the server says are active,
/// with `Bearer`, as for the five APIs.
#[tokio::test(flavor = "multi_thread")]
async fn header_exec_and_a_hook_hand_out_active_tokens() {
    let oidc = Oidc::start(&[("OIDC_ACCESS_TTL", "8")]);
    let env = Env::new();
    add_signed_in(&env, &oidc, "api", &["--client-id", PUBLIC], None)
        .await
        .ok();
    let header = env
        .run(&["header", "api", "--min-valid", "3"], None)
        .ok()
        .stdout;
    let bearer = header
        .trim()
        .strip_prefix("Authorization: Bearer ")
        .unwrap_or_else(|| panic!("a Bearer header: {header:?}"));
    oidc.assert_active(bearer, PUBLIC).await;
    let exec = env
        .run(
            &[
                "exec",
                "api",
                "--min-valid",
                "3",
                "--",
                "sh",
                "-c",
                "printf %s \"$TOKENKEEPER_TOKEN\"",
            ],
            None,
        )
        .ok()
        .stdout;
    oidc.assert_active(&exec, PUBLIC).await;
    // The background runs the hook after its next refresh (within one 8 s lifetime), the new
    // token on the hook's stdin.
    let got = env.config_dir().with_file_name("hook-got");
    let script = format!("cat > '{}.tmp' && mv '{0}.tmp' '{0}'", got.display());
    env.run(&["hook", "api", "--", "sh", "-c", &script], None)
        .ok();
    let mut daemon = tokio::process::Command::from(env.command(&["daemon"]))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let hooked = loop {
        if let Ok(text) = std::fs::read_to_string(&got) {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the hook ran within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    daemon.start_kill().unwrap();
    let _ = daemon.wait().await;
    assert_ne!(hooked.trim(), bearer, "a new token, after the refresh");
    oidc.assert_active(hooked.trim(), PUBLIC).await;
    oidc.assert_never("already used");
}
