//! Serving given certificates (`testcerts`), checked with the real `openssl`: what appliances ship
//! (openssl's self-signed one), keys in traditional PEM forms, rcgen's leaf with a wrong host or
//! expired, a private CA and its leaf.

use crate::common::*;

/// Run the real `openssl` with `args` and `input` on stdin: (exit status success, stdout).
fn openssl_status(args: &[&str], input: &str) -> Result<(bool, String)> {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running openssl")?;
    let mut stdin = child.stdin.take().context("openssl stdin")?;
    stdin.write_all(input.as_bytes())?;
    drop(stdin);
    let output = child.wait_with_output()?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

/// `openssl_status` that must succeed.
fn openssl(args: &[&str], input: &str) -> Result<String> {
    let (ok, stdout) = openssl_status(args, input)?;
    ensure!(ok, "openssl {args:?} failed: {stdout}");
    Ok(stdout)
}

/// Does `openssl x509 -text` output name `field: key = value`? (OpenSSL 3.5 prints `key=value`,
/// older ones `key = value`.)
fn has_name(text: &str, field: &str, key: &str, value: &str) -> bool {
    text.contains(&format!("{field}: {key} = {value}"))
        || text.contains(&format!("{field}: {key}={value}"))
}

/// The certificates' text as `openssl x509 -noout -text` prints it.
fn cert_text(pem: &str) -> Result<String> {
    openssl(&["x509", "-noout", "-text"], pem)
}

/// What the server on `port` presents, seen by `openssl s_client` offering h2 and http/1.1:
/// (the first certificate's PEM, the ALPN line).
async fn served(port: u16) -> Result<(String, String)> {
    let connect = format!("127.0.0.1:{port}");
    let text = tokio::task::spawn_blocking(move || {
        openssl(
            &[
                "s_client",
                "-connect",
                &connect,
                "-alpn",
                "h2,http/1.1",
                "-showcerts",
            ],
            "",
        )
    })
    .await??;
    let begin = text
        .find("-----BEGIN CERTIFICATE-----")
        .with_context(|| format!("no certificate: {text}"))?;
    let end_marker = "-----END CERTIFICATE-----";
    let end = text[begin..]
        .find(end_marker)
        .context("unterminated certificate")?;
    let pem = text[begin..begin + end + end_marker.len()].to_owned();
    let alpn = text
        .lines()
        .find(|line| line.contains("ALPN"))
        .unwrap_or_default()
        .to_owned();
    Ok((pem, alpn))
}

fn port_of(emu: &Emulator) -> Result<u16> {
    Ok(emu
        .base_url()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .parse()?)
}

/// The first PEM certificate in `pem`, whitespace-trimmed (for comparing what was served).
fn first_cert(pem: &str) -> String {
    let end_marker = "-----END CERTIFICATE-----";
    pem.find(end_marker)
        .map(|end| pem[..end + end_marker.len()].trim().to_owned())
        .unwrap_or_default()
}

/// A Redis Enterprise emulator serving `identity`.
async fn serving(identity: &TlsIdentity) -> Result<Emulator> {
    let mut config = EmulatorConfig::for_api(Api::RedisEnterprise);
    config.tls_identity = Some(identity.clone());
    Emulator::start(Api::RedisEnterprise, config).await
}

/// A client trusting only `ca_pems`.
fn trusting(ca_pems: &[&str]) -> Result<reqwest::Client> {
    let roots = ca_pems
        .iter()
        .map(|pem| reqwest::Certificate::from_pem(pem.as_bytes()))
        .collect::<reqwest::Result<Vec<_>>>()?;
    Ok(http()
        .timeout(Duration::from_secs(10))
        .tls_certs_only(roots)
        .build()?)
}

/// A client that checks no certificate at all (only the TLS handshake itself).
fn trusting_anything() -> Result<reqwest::Client> {
    Ok(http()
        .timeout(Duration::from_secs(10))
        .tls_danger_accept_invalid_certs(true)
        .build()?)
}

/// A Redis login through `client` to `host` (the emulator's port): the status, or the error chain.
async fn login_via(
    client: &reqwest::Client,
    host: &str,
    emu: &Emulator,
) -> Result<std::result::Result<u16, String>> {
    let url = format!("https://{host}:{}/v1/users/authorize", port_of(emu)?);
    match client
        .post(url)
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
    {
        Ok(response) => Ok(Ok(response.status().as_u16())),
        Err(error) => {
            let mut chain = format!("{error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                chain.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            Ok(Err(chain))
        }
    }
}

#[tokio::test]
async fn openssl_self_signed_is_what_appliances_ship_and_is_served_as_given() -> Result<()> {
    let identity =
        tokio::task::spawn_blocking(|| testcerts::openssl_self_signed("appliance.example"))
            .await??;
    let text = cert_text(&identity.cert_pem)?;
    ensure!(text.contains("CA:TRUE"), "{text}");
    ensure!(!text.contains("Subject Alternative Name"), "{text}");
    ensure!(
        has_name(&text, "Subject", "CN", "appliance.example"),
        "{text}"
    );
    ensure!(
        text.contains("rsaEncryption") && text.contains("2048 bit"),
        "{text}"
    );
    ensure!(identity.key_pem.contains("BEGIN PRIVATE KEY"));
    // Debug never shows the key.
    let debug = format!("{identity:?}");
    let key_line = identity.key_pem.lines().nth(1).unwrap_or("missing");
    ensure!(
        debug.contains("***") && !debug.contains(key_line),
        "{debug}"
    );
    ensure!(testcerts::openssl_self_signed("a/b").is_err());

    let emu = serving(&identity).await?;
    ensure!(emu.base_url().starts_with("https://127.0.0.1:"));
    ensure!(emu.ca_cert_pem().as_deref() == Some(identity.cert_pem.as_str()));
    let (pem, alpn) = served(port_of(&emu)?).await?;
    ensure!(pem == first_cert(&identity.cert_pem), "served {pem}");
    ensure!(alpn.contains("http/1.1") && !alpn.contains("h2"), "{alpn}");
    // The RSA key really serves: a client checking nothing logs in.
    ensure!(login_via(&trusting_anything()?, "127.0.0.1", &emu).await? == Ok(200));
    // A strict client (webpki) refuses it even when trusting exactly this certificate.
    let strict = login_via(&trusting(&[&identity.cert_pem])?, "127.0.0.1", &emu).await?;
    ensure!(strict.is_err(), "{strict:?}");
    Ok(())
}

#[tokio::test]
async fn tls_identity_keys_in_traditional_pem_forms_are_served() -> Result<()> {
    // RSA in the traditional PKCS#1 form ("BEGIN RSA PRIVATE KEY").
    let mut rsa =
        tokio::task::spawn_blocking(|| testcerts::openssl_self_signed("pkcs1.example")).await??;
    rsa.key_pem = openssl(&["rsa", "-traditional"], &rsa.key_pem)?;
    ensure!(
        rsa.key_pem.contains("BEGIN RSA PRIVATE KEY"),
        "{}",
        rsa.key_pem
    );
    let emu = serving(&rsa).await?;
    ensure!(served(port_of(&emu)?).await?.0 == first_cert(&rsa.cert_pem));
    ensure!(login_via(&trusting_anything()?, "127.0.0.1", &emu).await? == Ok(200));

    // EC in the SEC1 form ("BEGIN EC PRIVATE KEY"); the certificate verifies fully.
    let mut ec = testcerts::rcgen_leaf(&["127.0.0.1", "localhost"]);
    ensure!(
        ec.key_pem.contains("BEGIN PRIVATE KEY"),
        "rcgen writes PKCS#8"
    );
    ec.key_pem = openssl(&["ec"], &ec.key_pem)?;
    ensure!(
        ec.key_pem.contains("BEGIN EC PRIVATE KEY"),
        "{}",
        ec.key_pem
    );
    let emu = serving(&ec).await?;
    ensure!(login_via(&trusting(&[&ec.cert_pem])?, "localhost", &emu).await? == Ok(200));

    // A key that is not one, or one not matching the certificate: start fails.
    let mut broken = ec.clone();
    broken.key_pem = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n".into();
    ensure!(serving(&broken).await.is_err());
    let mut mismatched = ec.clone();
    mismatched.key_pem = testcerts::rcgen_leaf(&["localhost"]).key_pem;
    ensure!(serving(&mismatched).await.is_err());
    Ok(())
}

#[tokio::test]
async fn rcgen_leaf_verifies_wrong_host_and_expired_do_not() -> Result<()> {
    let leaf = testcerts::rcgen_leaf(&["127.0.0.1", "localhost"]);
    ensure!(!cert_text(&leaf.cert_pem)?.contains("CA:TRUE"));
    let emu = serving(&leaf).await?;
    ensure!(emu.ca_cert_pem().as_deref() == Some(leaf.cert_pem.as_str()));
    let client = trusting(&[&leaf.cert_pem])?;
    for host in ["127.0.0.1", "localhost"] {
        ensure!(login_via(&client, host, &emu).await? == Ok(200), "{host}");
    }
    let for_host = cert_text(&testcerts::for_host(&["host.example"]).cert_pem)?;
    ensure!(for_host.contains("DNS:host.example"), "{for_host}");

    let wrong = testcerts::wrong_host();
    let text = cert_text(&wrong.cert_pem)?;
    ensure!(
        text.contains("DNS:other.example") && !text.contains("127.0.0.1"),
        "{text}"
    );
    let emu = serving(&wrong).await?;
    ensure!(served(port_of(&emu)?).await?.0 == first_cert(&wrong.cert_pem));
    let refused = login_via(&trusting(&[&wrong.cert_pem])?, "localhost", &emu).await?;
    ensure!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("not valid for name")),
        "{refused:?}"
    );

    let expired = testcerts::expired(&["127.0.0.1", "localhost"]);
    // Not valid now, and ended about a year ago (not a moment ago).
    ensure!(!openssl_status(&["x509", "-noout", "-checkend", "0"], &expired.cert_pem)?.0);
    let dates = openssl(&["x509", "-noout", "-dates"], &expired.cert_pem)?;
    let field = |name: &str| -> Result<i64> {
        let value = dates
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .with_context(|| format!("no {name}: {dates}"))?;
        let time = chrono::NaiveDateTime::parse_from_str(value.trim(), "%b %e %H:%M:%S %Y GMT")?;
        Ok(time.and_utc().timestamp())
    };
    let year = 365 * 86_400;
    ensure!(near(field("notAfter=")?, now() - year, 86_400), "{dates}");
    ensure!(
        near(field("notBefore=")?, now() - 2 * year, 86_400),
        "{dates}"
    );
    let emu = serving(&expired).await?;
    let refused = login_via(&trusting(&[&expired.cert_pem])?, "127.0.0.1", &emu).await?;
    ensure!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("certificate expired")),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn ca_and_leaf_verify_through_the_ca_file_only() -> Result<()> {
    let (ca, leaf) = testcerts::ca_and_leaf(&["127.0.0.1", "localhost"]);
    let ca_text = cert_text(&ca)?;
    ensure!(
        ca_text.contains("CA:TRUE") && ca_text.contains("Certificate Sign"),
        "{ca_text}"
    );
    let leaf_text = cert_text(&leaf.cert_pem)?;
    ensure!(
        !leaf_text.contains("CA:TRUE")
            && has_name(&leaf_text, "Issuer", "CN", "TokenKeeper test CA"),
        "{leaf_text}"
    );
    // openssl agrees the chain is complete.
    let dir = tempfile::tempdir()?;
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca)?;
    let ca_path = ca_file.to_string_lossy().into_owned();
    let verified = openssl(&["verify", "-CAfile", &ca_path], &leaf.cert_pem)?;
    ensure!(verified.contains("OK"), "{verified}");

    let emu = serving(&leaf).await?;
    ensure!(emu.ca_cert_pem().as_deref() == Some(leaf.cert_pem.as_str()));
    let client = trusting(&[&ca])?;
    for host in ["127.0.0.1", "localhost"] {
        ensure!(login_via(&client, host, &emu).await? == Ok(200), "{host}");
    }
    // Another CA (even one with the same name) does not do.
    let (other_ca, _) = testcerts::ca_and_leaf(&["localhost"]);
    let refused = login_via(&trusting(&[&other_ca])?, "localhost", &emu).await?;
    ensure!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("invalid peer certificate: BadSignature")),
        "{refused:?}"
    );
    Ok(())
}
