//! Bad input and bad answers end in one or two plain lines on stderr, a meaningful exit code,
//! and nothing stored.

use std::sync::Arc;

use tokenkeeper_emulators::{Api, Fault, FaultAction, FaultTarget};

use crate::helpers::{Env, PASSWORD, USER, blocking, start};

fn add_args<'a>(url: &'a str, provider: &'a str, flag: &'a str) -> Vec<&'a str> {
    vec![
        "add",
        "x",
        "--provider",
        provider,
        "--url",
        url,
        "--username",
        USER,
        flag,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_is_refused_before_anything_is_stored() {
    let emu = Arc::new(start(Api::Smartling).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        let url = em.base_url();
        // Empty stdin, and only a newline.
        for input in ["", "\n"] {
            e.run(
                &add_args(&url, "smartling", "--password-stdin"),
                Some(input),
            )
            .fails_with(2, "no secret given on stdin");
        }
        // A secret of several lines.
        e.run(
            &add_args(&url, "smartling", "--password-stdin"),
            Some("a\nb\n"),
        )
        .fails_with(2, "one line");
        // Bad URLs.
        for bad in [
            "localhost:8080",
            "ftp://x",
            "https://u:p@host",
            "not a url",
            "",
        ] {
            e.run(
                &add_args(bad, "smartling", "--password-stdin"),
                Some("pw\n"),
            )
            .fails_with(2, "invalid URL");
        }
        // Unknown provider; wrong kind of secret for the API; missing username.
        e.run(&add_args(&url, "redis", "--password-stdin"), Some("pw\n"))
            .fails_with(2, "unknown provider");
        e.run(&add_args(&url, "smartling", "--token-stdin"), Some("t\n"))
            .fails_with(2, "cannot be set up with --token-stdin");
        e.run(
            &[
                "add",
                "x",
                "--provider",
                "smartling",
                "--url",
                &url,
                "--password-stdin",
            ],
            Some("pw\n"),
        )
        .fails_with(2, "needs --username");
        // No secret flag at all, or two: clap's usage error.
        let run = e.run(
            &["add", "x", "--provider", "smartling", "--url", &url],
            Some("pw\n"),
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        // Bad names.
        e.run(
            &[
                "add",
                "a/b",
                "--provider",
                "smartling",
                "--url",
                &url,
                "--username",
                USER,
                "--password-stdin",
            ],
            Some("pw\n"),
        )
        .fails_with(2, "invalid account name");
        // CA file that does not exist.
        e.run(
            &[
                "add",
                "x",
                "--provider",
                "smartling",
                "--url",
                &url,
                "--username",
                USER,
                "--ca-cert",
                "/nonexistent.pem",
                "--password-stdin",
            ],
            Some("pw\n"),
        )
        .fails_with(2, "no such file");
        // A refresh lead over a day: the core's rule, as the window's form meets it
        // (`a_good_form_becomes_a_request_and_bad_fields_are_named`).
        e.run(
            &[
                "add",
                "x",
                "--provider",
                "smartling",
                "--url",
                &url,
                "--username",
                USER,
                "--refresh-lead",
                "86401",
                "--password-stdin",
            ],
            Some("pw\n"),
        )
        .fails_with(2, "at most 86400");
        assert_eq!(em.stats().requests, 0, "nothing was sent");
        assert_eq!(e.run(&["list", "--json"], None).ok().stdout.trim(), "[]");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_credentials_print_the_api_error_and_store_nothing() {
    for (api, needle) in [
        (Api::RedisEnterprise, "unauthorized"),
        (Api::Ece, "root.unauthenticated"),
        (Api::Smartling, "AUTHENTICATION_ERROR"),
        (Api::JwtAuthPro, "jwt_auth_failed"),
        (Api::GenericJwt, "invalidCredentials"),
    ] {
        let emu = Arc::new(start(api).await);
        let env = Arc::new(Env::new());
        let (e, em) = (env.clone(), emu.clone());
        blocking(move || {
            let url = em.base_url();
            let ca = e.ca_file(&em).map(|p| p.display().to_string());
            let mut args = add_args(&url, api.id(), "--password-stdin");
            if let Some(ca) = &ca {
                args.extend(["--ca-cert", ca]);
            }
            let run = e.run(&args, Some("wrong-password\n")).fails_with(6, needle);
            assert!(
                !run.stderr.contains("wrong-password"),
                "the secret is not echoed"
            );
            assert_eq!(e.run(&["list", "--json"], None).ok().stdout.trim(), "[]");
        })
        .await;
    }
    // A refresh token the generic service does not know: as the real service, its default 500
    // (nothing tells that apart from a server fault, so it is reported as temporary).
    let emu = Arc::new(start(Api::GenericJwt).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        e.run(
            &add_args(&em.base_url(), "generic-jwt", "--refresh-token-stdin"),
            Some("unknown\n"),
        )
        .fails_with(5, "HTTP 500");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_answers_and_unreachable_servers_are_clear() {
    let emu = Arc::new(start(Api::JwtAuthPro).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        let url = em.base_url();
        let args = add_args(&url, "jwt-auth-pro", "--password-stdin");
        let cases = [
            (FaultAction::Garbage, 6, "expected JSON"),
            (FaultAction::Html { status: 502 }, 5, "HTTP 502"),
            (FaultAction::Huge, 6, "larger than 1024 KiB"),
            (FaultAction::Drop, 5, "network"),
            (
                FaultAction::MissingToken,
                6,
                "no \"access_token\" (nor a \"token\") field",
            ),
            (FaultAction::NotJwt, 6, "not a JWT"),
        ];
        for (action, code, needle) in cases {
            em.push_fault(Fault {
                target: FaultTarget::Login,
                times: 1,
                action,
            });
            e.run(&args, Some(&format!("{PASSWORD}\n")))
                .fails_with(code, needle);
        }
        assert_eq!(e.run(&["list", "--json"], None).ok().stdout.trim(), "[]");
        // Nothing listening.
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let dead = format!("http://127.0.0.1:{}", free.local_addr().unwrap().port());
        drop(free);
        e.run(
            &add_args(&dead, "jwt-auth-pro", "--password-stdin"),
            Some("pw\n"),
        )
        .fails_with(5, "cannot connect");
        // A self-signed server without --ca-cert.
    })
    .await;
    let tls = Arc::new(start(Api::RedisEnterprise).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), tls.clone());
    blocking(move || {
        let url = em.base_url();
        e.run(
            &add_args(&url, "redis-enterprise", "--password-stdin"),
            Some("s3cret\n"),
        )
        .fails_with(6, "presented a self-signed certificate that is not trusted")
        .stderr
        .contains("again with --trust-cert ")
        .then_some(())
        .expect("a hint names --trust-cert");
        let mut insecure = add_args(&url, "redis-enterprise", "--password-stdin");
        insecure.push("--insecure");
        let run = e.run(&insecure, Some("s3cret\n")).ok();
        assert!(
            run.stderr.contains("TLS verification is disabled"),
            "{}",
            run.stderr
        );
        let table = e.run(&["list"], None).ok().stdout;
        assert!(table.contains("insecure TLS"), "{table}");
        e.run(&["remove", "x"], None).ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_corrupt_config_is_reported_and_left_alone() {
    let env = Env::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let path = env.config_dir().join("config.json");
    std::fs::write(&path, "{\"version\": 1, \"accounts\": [{\"name\": \"x\"}]}").unwrap();
    env.run(&["list"], None).fails_with(1, "corrupt");
    env.run(
        &[
            "add",
            "y",
            "--provider",
            "generic-jwt",
            "--url",
            "http://127.0.0.1:1",
            "--refresh-token-stdin",
        ],
        Some("rt\n"),
    )
    .fails_with(1, "corrupt");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"version\": 1, \"accounts\": [{\"name\": \"x\"}]}"
    );
}

#[test]
fn plain_http_to_another_machine_is_refused_before_anything_is_sent() {
    let env = Env::new();
    // A host that does not resolve: a request would fail at DNS; the refusal comes first.
    let url = "http://api.example.invalid:8080";
    let run = env
        .run(
            &add_args(url, "generic-jwt", "--refresh-token-stdin"),
            Some("rt\n"),
        )
        .fails_with(6, "plain HTTP to another machine");
    assert!(run.stderr.contains("--allow-plain-http"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("dns"),
        "nothing was sent: {}",
        run.stderr
    );
    // Allowed explicitly: then it is sent (and fails at DNS here, as it should).
    let mut args = add_args(url, "generic-jwt", "--refresh-token-stdin");
    args.push("--allow-plain-http");
    let run = env.run(&args, Some("rt\n"));
    assert_ne!(run.code, 0);
    assert!(
        !run.stderr.contains("plain HTTP to another machine"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("dns") || run.stderr.contains("resolve"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_machine_is_never_reached_through_a_proxy_from_the_environment() {
    let emu = Arc::new(start(Api::Smartling).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        // A proxy that is not there: a request sent through it would fail.
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = format!("http://127.0.0.1:{}", dead.local_addr().unwrap().port());
        drop(dead);
        let mut cmd = e.command(&add_args(&em.base_url(), "smartling", "--password-stdin"));
        cmd.arg("-vv");
        for var in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
            cmd.env(var, &proxy);
        }
        cmd.env_remove("NO_PROXY").env_remove("no_proxy");
        let run = crate::helpers::run_command(cmd, Some(&format!("{PASSWORD}\n"))).ok();
        assert!(
            run.stderr.contains("proxy=none (this machine)"),
            "-vv says which proxy: {}",
            run.stderr
        );
    })
    .await;
}

/// The core says what an account needs in its own terms ("store new credentials (a password or
/// a refresh token)"); the CLI adds its own commands for it, one per secret kind the API takes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn needs_login_names_the_login_commands_of_the_accounts_api() {
    let emu = Arc::new(start(Api::GenericJwt).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        let token = em.issue_refresh_token(USER);
        e.run(
            &add_args(&em.base_url(), "generic-jwt", "--refresh-token-stdin"),
            Some(&format!("{token}\n")),
        )
        .ok();
        em.advance_clock(8 * 86_400);
        let out = e
            .run(&["refresh", "x"], None)
            .fails_with(3, "store new credentials (a password or a refresh token)");
        assert!(
            out.stderr.contains(
                "hint: run `tokenkeeper login x --password-stdin` or `tokenkeeper login x --refresh-token-stdin`"
            ),
            "{}",
            out.stderr
        );
    })
    .await;
}
