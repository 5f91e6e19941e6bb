//! The certificate workflow a user follows with a self-signed server: `tokenkeeper cert URL`
//! to see it, `add --trust-cert` or `--ca-cert` to trust it, `tokenkeeper trust` after a
//! renewal, and errors that name the exact command.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, TlsIdentity, testcerts};

use crate::helpers::{Env, PASSWORD, USER, blocking};

async fn redis_serving(identity: &TlsIdentity, bind: Option<SocketAddr>) -> Emulator {
    let mut config = EmulatorConfig::for_api(Api::RedisEnterprise);
    config.tls_identity = Some(identity.clone());
    if let Some(addr) = bind {
        config.bind = addr;
    }
    Emulator::start(Api::RedisEnterprise, config).await.unwrap()
}

/// What `openssl x509 -noout -fingerprint -sha256` prints, as a user would paste it.
fn openssl_fingerprint_line(env: &Env, identity: &TlsIdentity) -> String {
    let path = env.dir.path().join("server.pem");
    std::fs::write(&path, &identity.cert_pem).unwrap();
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `AB:CD:…` from openssl's `sha256 Fingerprint=AB:CD:…`.
fn hex_of(line: &str) -> String {
    line.split('=').nth(1).unwrap().to_owned()
}

fn add_redis<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "add",
        "cluster",
        "--provider",
        "redis-enterprise",
        "--url",
        url,
        "--username",
        USER,
        "--password-stdin",
    ];
    args.extend(extra);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cert_shows_the_chain_then_add_trusts_it_by_fingerprint_or_file() {
    let identity = testcerts::openssl_self_signed("cluster.example.com").unwrap();
    let emu = Arc::new(redis_serving(&identity, None).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        let url = em.base_url();
        let line = openssl_fingerprint_line(&e, &identity);
        let fp = hex_of(&line);

        let shown = e.run(&["cert", &url], None).ok();
        assert!(
            shown.stdout.contains(&format!("SHA-256:  {fp}")),
            "{}",
            shown.stdout
        );
        assert!(
            shown
                .stdout
                .contains("CN=cluster.example.com (self-signed, CA:TRUE)")
        );
        assert!(
            shown.stdout.contains("verdict: NOT trusted"),
            "{}",
            shown.stdout
        );
        assert!(shown.stdout.contains(&format!("--trust-cert {fp}")));
        let json = e.run(&["cert", &url, "--json"], None).ok();
        let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(report["presented"][0]["sha256"], fp.as_str());
        assert_eq!(report["problem"]["kind"], "untrusted");
        let trusted = e.run(&["cert", &url, "--trust-cert", &line], None).ok();
        assert!(
            trusted.stdout.contains("verdict: trusted"),
            "{}",
            trusted.stdout
        );

        // Not trusted: a clear error naming the exact flag, and nothing stored.
        let refused = e
            .run(&add_redis(&url, &[]), Some(&format!("{PASSWORD}\n")))
            .fails_with(6, "presented a self-signed certificate that is not trusted");
        assert!(
            refused.stderr.contains(&format!("--trust-cert {fp}")),
            "{}",
            refused.stderr
        );
        assert!(!e.config_dir_text().contains("cluster.example.com"));

        // Pinned with openssl's whole line, pasted as it is.
        e.run(
            &add_redis(&url, &["--trust-cert", &line]),
            Some(&format!("{PASSWORD}\n")),
        )
        .ok();
        let show: serde_json::Value =
            serde_json::from_str(&e.run(&["show", "cluster", "--json"], None).ok().stdout).unwrap();
        assert_eq!(show["trust_cert"], fp.as_str());
        let list = e.run(&["list", "--json"], None).ok();
        assert!(list.stdout.contains(&fp), "{}", list.stdout);
        let human = e.run(&["show", "cluster"], None).ok();
        assert!(
            human.stdout.contains(&format!("SHA-256 {fp}")),
            "{}",
            human.stdout
        );
        e.run(&["token", "cluster"], None).ok();
        e.run(&["remove", "cluster"], None).ok();

        // Or the server's own certificate as the CA file.
        let pem = e.dir.path().join("server.pem");
        e.run(
            &add_redis(&url, &["--ca-cert", &pem.display().to_string()]),
            Some(&format!("{PASSWORD}\n")),
        )
        .ok();
        e.run(&["refresh", "cluster"], None).ok();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_renewed_certificate_is_named_and_accepted_with_trust() {
    let first = testcerts::openssl_self_signed("cluster.example.com").unwrap();
    let emu = redis_serving(&first, None).await;
    let addr: SocketAddr = emu
        .base_url()
        .trim_start_matches("https://")
        .parse()
        .unwrap();
    let env = Arc::new(Env::new());
    let e = env.clone();
    let url = emu.base_url();
    let first_line = blocking(move || {
        let line = openssl_fingerprint_line(&e, &first);
        e.run(
            &add_redis(&url, &["--trust-cert", &line]),
            Some(&format!("{PASSWORD}\n")),
        )
        .ok();
        line
    })
    .await;
    // The admin renews the certificate: same address, another certificate.
    emu.shutdown().await;
    let renewed = testcerts::openssl_self_signed("cluster.example.com").unwrap();
    let _emu = redis_serving(&renewed, Some(addr)).await;
    let e = env.clone();
    blocking(move || {
        let new_fp = hex_of(&openssl_fingerprint_line(&e, &renewed));
        let old_fp = hex_of(&first_line);
        let failed = e
            .run(&["refresh", "cluster"], None)
            .fails_with(6, "certificate_changed");
        assert!(failed.stderr.contains(&old_fp), "{}", failed.stderr);
        assert!(failed.stderr.contains(&new_fp), "{}", failed.stderr);
        assert!(
            failed
                .stderr
                .contains(&format!("tokenkeeper trust cluster {new_fp}")),
            "{}",
            failed.stderr
        );
        // Trusting the new certificate comes with the password, proven against it (without
        // one the stored secrets would be deleted: tests/cli/binding.rs).
        let trusted = e
            .run(
                &["trust", "cluster", &new_fp, "--password-stdin"],
                Some(&format!("{PASSWORD}\n")),
            )
            .ok();
        assert!(
            trusted.stdout.contains("logged in with the new settings"),
            "{}",
            trusted.stdout
        );
        e.run(&["token", "cluster"], None).ok();
        e.run(&["trust", "cluster", "not-a-fingerprint"], None)
            .fails_with(2, "invalid certificate fingerprint");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_file_replaces_the_system_roots_for_its_account() {
    // The "system store" is a CA of the test's own, through SSL_CERT_FILE (which the platform
    // verifier reads); the server's certificate chains to it.
    let (system_ca, leaf) = testcerts::ca_and_leaf(&["127.0.0.1", "localhost"]);
    let (other_ca, _) = testcerts::ca_and_leaf(&["elsewhere.example"]);
    let emu = Arc::new(redis_serving(&leaf, None).await);
    let env = Arc::new(Env::new());
    let (e, em) = (env.clone(), emu.clone());
    blocking(move || {
        let system = e.dir.path().join("system-roots.pem");
        std::fs::write(&system, &system_ca).unwrap();
        let other = e.dir.path().join("other-ca.pem");
        std::fs::write(&other, &other_ca).unwrap();
        let url = em.base_url();
        let run = |args: &[&str]| {
            let mut cmd = e.command(args);
            cmd.env("SSL_CERT_FILE", &system);
            crate::helpers::run_command(cmd, Some(&format!("{PASSWORD}\n")))
        };
        // With the system's roots, the server is trusted.
        run(&add_redis(&url, &[])).ok();
        e.run(&["remove", "cluster"], None).ok();
        // With a CA file of another CA, the system's roots no longer count for this account
        // (as curl's --cacert): refused, and nothing is stored.
        let other_text = other.display().to_string();
        run(&add_redis(&url, &["--ca-cert", &other_text]))
            .fails_with(6, "presented a certificate that was refused");
        assert_eq!(e.run(&["list", "--json"], None).ok().stdout.trim(), "[]");
    })
    .await;
}
