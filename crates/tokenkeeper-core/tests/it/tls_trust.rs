//! Certificate trust against servers set up the way admins set them up: openssl's `req -x509`
//! self-signed certificate (CA:TRUE, no SAN), rcgen's clean leaf, a private CA, an expired and
//! a wrong-host certificate; by CA file, by pinned fingerprint, and `tokenkeeper cert`'s view.

use std::path::{Path, PathBuf};
use std::process::Command;

use tokenkeeper_core::cert::{CertFingerprint, CertProblemKind, CertificateProblem};
use tokenkeeper_core::providers::tls::TlsSettings;
use tokenkeeper_core::{Account, ApiError, ErrorKind};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig, TlsIdentity, testcerts};

use crate::helpers::{account_for, http, login, refresh, start_with, stored_from};

async fn redis_serving(identity: &TlsIdentity) -> Emulator {
    let mut config = EmulatorConfig::for_api(Api::RedisEnterprise);
    config.tls = true;
    config.tls_identity = Some(identity.clone());
    start_with(config, Api::RedisEnterprise).await
}

fn pem_file(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

/// The fingerprint exactly as `openssl x509 -noout -fingerprint -sha256` prints it, parsed from
/// its whole output line (what a user pastes).
fn openssl_fingerprint(pem: &Path) -> CertFingerprint {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(pem)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).parse().unwrap()
}

fn problem(err: &ApiError, kind: CertProblemKind) -> &CertificateProblem {
    assert_eq!(err.kind, ErrorKind::Config, "{err:?}");
    assert_eq!(err.code.as_deref(), Some(kind.code()), "{err:?}");
    let problem = err.certificate.as_deref().expect("the presented chain");
    assert_eq!(problem.kind, kind);
    assert_eq!(problem.host, "127.0.0.1");
    problem
}

/// An account for `emu` that trusts nothing beyond the system's roots.
fn bare_account(emu: &Emulator, dir: &Path) -> Account {
    account_for(emu, dir).ca_cert(None).build()
}

#[tokio::test]
async fn an_openssl_self_signed_certificate_works_with_ca_cert_and_with_trust_cert() {
    let identity = testcerts::openssl_self_signed("cluster.example.com").unwrap();
    let emu = redis_serving(&identity).await;
    let dir = tempfile::tempdir().unwrap();
    let cert = pem_file(dir.path(), "cluster.pem", &identity.cert_pem);
    let fingerprint = openssl_fingerprint(&cert);

    // Trusting nothing: refused, and the error says what was presented.
    let mut acc = bare_account(&emu, dir.path());
    let err = login(&emu, &acc).await.unwrap_err();
    let refused = problem(&err, CertProblemKind::Untrusted);
    let leaf = &refused.presented[0];
    assert!(leaf.self_signed && leaf.is_ca, "{leaf:?}");
    assert_eq!(leaf.subject, "CN=cluster.example.com");
    assert_eq!(leaf.sha256, fingerprint);
    assert!(leaf.names.is_empty(), "openssl's one-liner has no SAN");
    assert!(
        err.message.contains(&fingerprint.to_string()),
        "{}",
        err.message
    );
    assert!(err.message.contains("self-signed"), "{}", err.message);

    // Its own certificate as the CA file: trusted as it is (CA:TRUE, no SAN, an IP).
    acc.ca_cert = Some(cert.clone());
    let set = login(&emu, &acc).await.unwrap();
    refresh(&acc, &stored_from(&set)).await.unwrap();

    // Pinned by the fingerprint openssl prints.
    acc.ca_cert = None;
    acc.trust_cert = Some(fingerprint);
    let set = login(&emu, &acc).await.unwrap();
    refresh(&acc, &stored_from(&set)).await.unwrap();

    // Pinned to another certificate (a renewal, or someone in between): both are named.
    let other = CertFingerprint::of(b"the certificate before renewal");
    acc.trust_cert = Some(other);
    let err = login(&emu, &acc).await.unwrap_err();
    let changed = problem(&err, CertProblemKind::PinChanged);
    assert_eq!(changed.pinned, Some(other));
    assert_eq!(changed.presented[0].sha256, fingerprint);
    assert!(err.message.contains(&other.to_string()), "{}", err.message);
    assert!(
        err.message.contains(&fingerprint.to_string()),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_private_ca_in_the_file_keeps_full_verification() {
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, leaf) = testcerts::ca_and_leaf(&["127.0.0.1", "localhost"]);
    let emu = redis_serving(&leaf).await;
    let mut acc = bare_account(&emu, dir.path());
    acc.ca_cert = Some(pem_file(dir.path(), "ca.pem", &ca_pem));
    login(&emu, &acc).await.unwrap();

    // The same CA, a leaf for another host: the name is checked.
    let (ca_pem, leaf) = testcerts::ca_and_leaf(&["other.example"]);
    let emu = redis_serving(&leaf).await;
    let mut acc = bare_account(&emu, dir.path());
    acc.ca_cert = Some(pem_file(dir.path(), "ca2.pem", &ca_pem));
    let err = login(&emu, &acc).await.unwrap_err();
    let wrong = problem(&err, CertProblemKind::WrongHost);
    assert_eq!(wrong.presented[0].names, ["other.example"]);
    assert!(err.message.contains("other.example"), "{}", err.message);
}

#[tokio::test]
async fn an_expired_certificate_is_refused_even_when_trusted_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let identity = testcerts::expired(&["127.0.0.1"]);
    let emu = redis_serving(&identity).await;
    let cert = pem_file(dir.path(), "old.pem", &identity.cert_pem);
    let mut acc = bare_account(&emu, dir.path());
    acc.ca_cert = Some(cert.clone());
    let err = login(&emu, &acc).await.unwrap_err();
    let expired = problem(&err, CertProblemKind::Expired);
    assert!(expired.presented[0].is_expired_at(chrono::Utc::now()));
    assert!(err.message.contains("expired on"), "{}", err.message);
    acc.ca_cert = None;
    acc.trust_cert = Some(openssl_fingerprint(&cert));
    let err = login(&emu, &acc).await.unwrap_err();
    problem(&err, CertProblemKind::Expired);
}

#[tokio::test]
async fn a_leaf_trusted_exactly_is_not_checked_for_its_names() {
    let dir = tempfile::tempdir().unwrap();
    let identity = testcerts::wrong_host();
    let emu = redis_serving(&identity).await;
    let mut acc = bare_account(&emu, dir.path());
    let err = login(&emu, &acc).await.unwrap_err();
    problem(&err, CertProblemKind::Untrusted);
    acc.ca_cert = Some(pem_file(dir.path(), "leaf.pem", &identity.cert_pem));
    login(&emu, &acc).await.unwrap();
}

#[tokio::test]
async fn certificate_names_with_escape_sequences_are_shown_clean_and_short() {
    // A server's own certificate whose common name carries a terminal's escape sequences, a
    // carriage return, a bidi override and 1,000 more letters, and whose SANs control
    // characters and 1,000 letters.
    let hostile = format!(
        "\u{1b}]0;pwned\u{7}\u{1b}[2Jevil\r\u{202e}moc.{}.example",
        "a".repeat(1_000)
    );
    let long = format!("{}.example", "b".repeat(1_000));
    let identity = testcerts::named(&hostile, &["127.0.0.1", "\u{1b}[2Jx\u{7}y.example", &long]);
    let emu = redis_serving(&identity).await;
    let dir = tempfile::tempdir().unwrap();
    let url = url::Url::parse(&emu.base_url()).unwrap();
    let report = http().inspect(&url, &TlsSettings::default()).await.unwrap();
    let leaf = &report.presented[0];
    let err = login(&emu, &bare_account(&emu, dir.path()))
        .await
        .unwrap_err();
    let refused = &problem(&err, CertProblemKind::Untrusted).presented[0];
    for cert in [leaf, refused] {
        let described = cert.describe("");
        let texts = [cert.subject.as_str(), cert.issuer.as_str()]
            .into_iter()
            .chain(cert.names.iter().map(String::as_str))
            .chain([err.message.as_str(), described.as_str()]);
        for text in texts {
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']) && !text.contains("pwned"),
                "{text:?}"
            );
        }
        assert!(cert.subject.starts_with("CN=evil moc."), "{}", cert.subject);
        assert!(cert.subject.ends_with('…'), "{}", cert.subject);
        assert!(cert.subject.chars().count() <= 257, "{}", cert.subject);
        assert!(
            cert.names.iter().all(|n| n.chars().count() <= 257),
            "{:?}",
            cert.names
        );
        assert!(
            cert.names
                .iter()
                .any(|n| n.starts_with("bbb") && n.ends_with('…'))
        );
        assert!(
            cert.names.iter().any(|n| n == "xy.example"),
            "{:?}",
            cert.names
        );
        assert!(
            cert.names.iter().any(|n| n == "127.0.0.1"),
            "{:?}",
            cert.names
        );
    }
    assert!(
        err.message.chars().count() <= tokenkeeper_core::error::LOCAL_MESSAGE_CAP + 1,
        "{}",
        err.message
    );
    assert!(err.to_string().contains("CN=evil moc."), "{err}");
}

#[tokio::test]
async fn inspection_shows_the_chain_and_the_verdict_without_sending_anything() {
    let dir = tempfile::tempdir().unwrap();
    let identity = testcerts::openssl_self_signed("appliance.local").unwrap();
    let emu = redis_serving(&identity).await;
    let cert = pem_file(dir.path(), "appliance.pem", &identity.cert_pem);
    let fingerprint = openssl_fingerprint(&cert);
    let url = url::Url::parse(&emu.base_url()).unwrap();
    let requests = emu.stats().requests;

    let report = http().inspect(&url, &TlsSettings::default()).await.unwrap();
    assert_eq!(report.presented.len(), 1);
    assert_eq!(report.presented[0].sha256, fingerprint);
    assert_eq!(
        report.problem.as_ref().map(|p| p.kind),
        Some(CertProblemKind::Untrusted)
    );
    let trusting = TlsSettings {
        trust_cert: Some(fingerprint),
        ..TlsSettings::default()
    };
    let report = http().inspect(&url, &trusting).await.unwrap();
    assert!(report.problem.is_none(), "{report:?}");
    let by_file = TlsSettings {
        ca_cert: Some(cert),
        ..TlsSettings::default()
    };
    assert!(
        http()
            .inspect(&url, &by_file)
            .await
            .unwrap()
            .problem
            .is_none()
    );
    assert_eq!(
        emu.stats().requests,
        requests,
        "no request reached the server"
    );

    let plain = url::Url::parse("http://127.0.0.1:9/").unwrap();
    let err = http()
        .inspect(&plain, &TlsSettings::default())
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("not_https"), "{err:?}");
    let nobody = url::Url::parse("https://127.0.0.1:9/").unwrap();
    let err = http()
        .inspect(&nobody, &TlsSettings::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err:?}");
}

#[tokio::test]
async fn a_pin_restricts_a_certificate_signed_by_a_trusted_ca_is_certificate_changed() {
    // A TLS-inspecting proxy: its CA is trusted (here through the CA file), and it presents a
    // certificate of its own for the host. The account pinned the server's real certificate.
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, proxy_leaf) = testcerts::ca_and_leaf(&["127.0.0.1", "localhost"]);
    let real = testcerts::rcgen_leaf(&["127.0.0.1"]);
    let real_pem = pem_file(dir.path(), "real.pem", &real.cert_pem);
    let pinned = openssl_fingerprint(&real_pem);
    let emu = redis_serving(&proxy_leaf).await;
    let mut acc = bare_account(&emu, dir.path());
    acc.ca_cert = Some(pem_file(dir.path(), "proxy-ca.pem", &ca_pem));
    // Without the pin, the proxy's certificate passes: it chains to a trusted CA.
    login(&emu, &acc).await.unwrap();
    acc.trust_cert = Some(pinned);
    let err = login(&emu, &acc).await.unwrap_err();
    let changed = problem(&err, CertProblemKind::PinChanged);
    assert_eq!(changed.pinned, Some(pinned), "names the pinned fingerprint");
    let presented = pem_file(dir.path(), "proxy.pem", &proxy_leaf.cert_pem);
    assert_eq!(
        changed.presented[0].sha256,
        openssl_fingerprint(&presented),
        "and the new one"
    );
}
