//! Certificates for tests, made the way admins and appliances make them, each a [`TlsIdentity`] to
//! put in [`EmulatorConfig::tls_identity`](crate::EmulatorConfig::tls_identity):
//!
//! - [`openssl_self_signed`]: the `openssl req -x509` one-liner many appliances ship (RSA 2048,
//!   basicConstraints CA:TRUE, no subjectAltName), made by the real `openssl` binary;
//! - [`rcgen_leaf`] / [`for_host`]: a clean self-signed leaf for the given SANs (like the default);
//! - [`expired`]: the same, whose validity ended a year ago;
//! - [`wrong_host`]: a clean leaf for `other.example` only;
//! - [`named`]: a self-signed leaf with a common name of its own beside its SANs (any text: a
//!   hostile server's, with control characters in it);
//! - [`ca_and_leaf`]: a private CA and a leaf it signed, so a client trusting only the CA file
//!   verifies the whole chain.
//!
//! The rcgen ones panic when rcgen cannot encode a SAN given (a bug in the test, like a failed
//! assertion); the server's own default certificate uses the fallible form.

use std::process::Command;
use std::time::{Duration, SystemTime};

use anyhow::{Context, ensure};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::config::TlsIdentity;

const YEAR: Duration = Duration::from_secs(365 * 86_400);

/// Run `openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=<cn> -keyout K -out C` in a
/// temporary folder and return what it wrote. OpenSSL 3 writes a PKCS#8 key, a certificate with
/// basicConstraints CA:TRUE and no subjectAltName. Blocks while openssl makes the RSA key.
pub fn openssl_self_signed(cn: &str) -> anyhow::Result<TlsIdentity> {
    ensure!(
        !cn.is_empty() && !cn.contains(['/', '\\', '=', '+']),
        "a common name without / \\ = + is needed, got {cn:?}"
    );
    let dir = tempfile::tempdir().context("making a temporary folder")?;
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let output = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
        ])
        .arg("-subj")
        .arg(format!("/CN={cn}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .context("running openssl (is it installed?)")?;
    ensure!(
        output.status.success(),
        "openssl req failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(TlsIdentity {
        cert_pem: std::fs::read_to_string(&cert).context("reading openssl's certificate")?,
        key_pem: std::fs::read_to_string(&key).context("reading openssl's key")?,
    })
}

/// A clean self-signed leaf (ECDSA P-256, not a CA) for `sans` (IP addresses or DNS names),
/// valid from 1975 to 4096, as the emulator makes by default.
///
/// # Panics
/// When rcgen cannot encode one of `sans`.
pub fn rcgen_leaf(sans: &[&str]) -> TlsIdentity {
    made(try_rcgen_leaf(sans), "a self-signed leaf")
}

/// The certificate for these hosts: [`rcgen_leaf`].
///
/// # Panics
/// When rcgen cannot encode one of `sans`.
pub fn for_host(sans: &[&str]) -> TlsIdentity {
    rcgen_leaf(sans)
}

/// A clean self-signed leaf for `other.example` only: a client connecting to 127.0.0.1 or
/// localhost, even trusting this certificate, must refuse the name.
pub fn wrong_host() -> TlsIdentity {
    rcgen_leaf(&["other.example"])
}

/// A self-signed leaf for `sans` whose validity ended: valid from two years ago to one year ago.
///
/// # Panics
/// When rcgen cannot encode one of `sans`.
pub fn expired(sans: &[&str]) -> TlsIdentity {
    made(try_expired(sans), "an expired leaf")
}

/// A private CA (CA:TRUE, `CN=TokenKeeper test CA`) and a leaf for `sans` it signed. Returns the
/// CA's PEM (what a client puts in its CA file) and the leaf's identity (`cert_pem` holds only the
/// leaf; the server sends the leaf).
///
/// # Panics
/// When rcgen cannot encode one of `sans`.
pub fn ca_and_leaf(sans: &[&str]) -> (String, TlsIdentity) {
    made(try_ca_and_leaf(sans), "a CA and a leaf")
}

/// A self-signed leaf for `sans` whose subject's common name is `cn`, whatever it
/// holds (a UTF8String: escape sequences, bidi overrides; the SANs must be ASCII).
///
/// # Panics
/// When rcgen cannot encode one of `sans`.
pub fn named(cn: &str, sans: &[&str]) -> TlsIdentity {
    made(try_named(cn, sans), "a leaf with a common name of its own")
}

/// [`rcgen_leaf`] as a `Result` (the server's default certificate).
pub(crate) fn try_rcgen_leaf(sans: &[&str]) -> Result<TlsIdentity, rcgen::Error> {
    let key = KeyPair::generate()?;
    let cert = leaf_params(sans)?.self_signed(&key)?;
    Ok(identity(cert.pem(), &key))
}

fn try_named(cn: &str, sans: &[&str]) -> Result<TlsIdentity, rcgen::Error> {
    let mut params = leaf_params(sans)?;
    params.distinguished_name = common_name(cn);
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(identity(cert.pem(), &key))
}

fn try_expired(sans: &[&str]) -> Result<TlsIdentity, rcgen::Error> {
    let mut params = leaf_params(sans)?;
    let now = SystemTime::now();
    params.not_before = now.checked_sub(2 * YEAR).unwrap_or(now).into();
    params.not_after = now.checked_sub(YEAR).unwrap_or(now).into();
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(identity(cert.pem(), &key))
}

fn try_ca_and_leaf(sans: &[&str]) -> Result<(String, TlsIdentity), rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = common_name("TokenKeeper test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_pem = ca_params.self_signed(&ca_key)?.pem();
    let issuer = Issuer::new(ca_params, &ca_key);
    let mut params = leaf_params(sans)?;
    params.use_authority_key_identifier_extension = true;
    let leaf_key = KeyPair::generate()?;
    let leaf = params.signed_by(&leaf_key, &issuer)?;
    Ok((ca_pem, identity(leaf.pem(), &leaf_key)))
}

/// Leaf parameters: the SANs, and the first of them as the common name.
fn leaf_params(sans: &[&str]) -> Result<CertificateParams, rcgen::Error> {
    let mut params =
        CertificateParams::new(sans.iter().map(|&san| san.to_owned()).collect::<Vec<_>>())?;
    if let Some(first) = sans.first() {
        params.distinguished_name = common_name(first);
    }
    Ok(params)
}

fn common_name(name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    dn
}

fn identity(cert_pem: String, key: &KeyPair) -> TlsIdentity {
    TlsIdentity {
        cert_pem,
        key_pem: key.serialize_pem(),
    }
}

fn made<T>(result: Result<T, rcgen::Error>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("testcerts: cannot make {what}: {error}"),
    }
}
