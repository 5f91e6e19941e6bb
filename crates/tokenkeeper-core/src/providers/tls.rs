//! Which server certificates an account trusts, done the way SSH trusts host keys rather
//! than by turning verification off.
//!
//! A server certificate is accepted when
//! 1. the account pins one (`--trust-cert`): it is that certificate, and nothing else is. A pin
//!    restricts, like ssh's known_hosts: another certificate for the host, whoever signed it
//!    (a TLS-inspecting proxy, a mis-issued certificate), is "certificate changed";
//! 2. else it is byte-identical to a certificate in the account's CA file (`--ca-cert` holding
//!    the server's own self-signed certificate, whatever its extensions: CA:TRUE, no SAN, an IP),
//!    or chains to a root in that file, with full checks (name, dates): the file *replaces* the
//!    system's roots for the account, as curl's `--cacert` does;
//! 3. else it chains to a root in the system's store, with full checks.
//!
//! Pinned and identical certificates skip the name and issuer checks, not the dates. The TLS
//! handshake signature is always checked against the presented certificate's key. Every refusal
//! is recorded with the presented chain in [`Refusals`], so the error can say what the server
//! showed (subject, issuer, validity, fingerprint) and how to trust it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use crate::cert::{
    CertFingerprint, CertProblemKind, CertificateProblem, CertificateReport, PresentedCertificate,
};
use crate::error::{ApiError, ErrorKind};

/// What an account says about TLS trust (the cache key of HTTP clients).
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
pub struct TlsSettings {
    /// A PEM file of CA certificates, or of the server's own certificate.
    pub ca_cert: Option<std::path::PathBuf>,
    /// A pinned server certificate.
    pub trust_cert: Option<CertFingerprint>,
    /// Accept any certificate (flagged wherever the account is shown).
    pub insecure: bool,
}

/// Chains the verifier refused (or inspected), by host, until the failed request's error picks
/// them up.
#[derive(Debug, Default)]
pub struct Refusals {
    refused: Mutex<HashMap<String, CertificateProblem>>,
    inspected: Mutex<HashMap<String, CertificateReport>>,
}

impl Refusals {
    fn record(&self, problem: CertificateProblem) {
        if let Ok(mut map) = self.refused.lock() {
            map.insert(problem.host.clone(), problem);
        }
    }

    fn record_inspection(&self, report: CertificateReport) {
        if let Ok(mut map) = self.inspected.lock() {
            map.insert(report.host.clone(), report);
        }
    }

    /// The refusal recorded for `host` (an IPv6 host may come with brackets), if any.
    pub fn take(&self, host: &str) -> Option<CertificateProblem> {
        self.refused.lock().ok()?.remove(bare(host))
    }

    /// The inspection recorded for `host`, if any.
    pub fn take_inspection(&self, host: &str) -> Option<CertificateReport> {
        self.inspected.lock().ok()?.remove(bare(host))
    }
}

fn bare(host: &str) -> &str {
    host.trim_start_matches('[').trim_end_matches(']')
}

/// What the verifier does with a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Accept or refuse it.
    Verify,
    /// Record it (with the verdict) and refuse, so no request is ever sent: `tokenkeeper cert`.
    Inspect,
}

/// A rustls client configuration trusting what `settings` say, recording refusals.
pub fn client_config(
    settings: &TlsSettings,
    refusals: Arc<Refusals>,
) -> Result<rustls::ClientConfig, ApiError> {
    config_with_mode(settings, refusals, Mode::Verify)
}

/// A client configuration that never completes a handshake: it records the presented chain and
/// whether `settings` would trust it, then refuses.
pub fn inspect_config(
    settings: &TlsSettings,
    refusals: Arc<Refusals>,
) -> Result<rustls::ClientConfig, ApiError> {
    config_with_mode(settings, refusals, Mode::Inspect)
}

fn config_with_mode(
    settings: &TlsSettings,
    refusals: Arc<Refusals>,
    mode: Mode,
) -> Result<rustls::ClientConfig, ApiError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let identical = match &settings.ca_cert {
        Some(path) => read_ca_file(path)?,
        None => Vec::new(),
    };
    let chain = if settings.ca_cert.is_some() {
        // The CA file replaces the system's roots for this account. An entry webpki cannot use
        // as a root (say, an old v1 certificate) still counts for the byte-identical rule.
        let mut store = rustls::RootCertStore::empty();
        store.add_parsable_certificates(identical.iter().cloned());
        if store.is_empty() {
            None
        } else {
            rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(store),
                provider.clone(),
            )
            .build()
            .ok()
            .map(|v| v as Arc<dyn ServerCertVerifier>)
        }
    } else {
        rustls_platform_verifier::Verifier::new(provider.clone())
            .ok()
            .map(|v| Arc::new(v) as Arc<dyn ServerCertVerifier>)
    };
    let verifier = TrustVerifier {
        chain,
        identical,
        pinned: settings.trust_cert,
        insecure: settings.insecure,
        provider: provider.clone(),
        refusals,
        mode,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ApiError::local(ErrorKind::Config, "tls", format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The certificates of a PEM file, or an error naming the file.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, ApiError> {
    let config = |message: String| ApiError::local(ErrorKind::Config, "ca_cert", message);
    let pem = std::fs::read(path).map_err(|e| {
        config(format!(
            "cannot read CA certificate {}: {e}",
            path.display()
        ))
    })?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| config(format!("{} is not a PEM certificate: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(config(format!(
            "{} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)",
            path.display()
        )));
    }
    Ok(certs)
}

/// The verifier behind every account's TLS connections.
#[derive(Debug)]
struct TrustVerifier {
    /// Full chain verification against the CA file, or without one the system store (`None`
    /// when it could not be loaded: then only pinned or identical certificates pass).
    chain: Option<Arc<dyn ServerCertVerifier>>,
    /// The CA file's certificates, for the byte-identical rule.
    identical: Vec<CertificateDer<'static>>,
    pinned: Option<CertFingerprint>,
    insecure: bool,
    provider: Arc<CryptoProvider>,
    refusals: Arc<Refusals>,
    mode: Mode,
}

impl TrustVerifier {
    fn verdict(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        if self.insecure {
            return Ok(());
        }
        // A pin restricts: the pinned certificate or nothing.
        if let Some(pin) = self.pinned {
            return if pin == CertFingerprint::of(end_entity) {
                within_validity(end_entity, now)
            } else {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::ApplicationVerificationFailure,
                ))
            };
        }
        let identical = self
            .identical
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref());
        if identical {
            return within_validity(end_entity, now);
        }
        match &self.chain {
            Some(chain) => chain
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
                .map(|_| ()),
            None => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        }
    }

    fn problem(
        &self,
        error: &rustls::Error,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
    ) -> CertificateProblem {
        let leaf_changed = self
            .pinned
            .is_some_and(|p| p != CertFingerprint::of(end_entity));
        let kind = if leaf_changed {
            CertProblemKind::PinChanged
        } else {
            problem_kind(error)
        };
        CertificateProblem {
            kind,
            host: server_name.to_str().into_owned(),
            presented: presented(end_entity, intermediates),
            pinned: self.pinned.filter(|_| leaf_changed),
            detail: error.to_string(),
        }
    }
}

fn presented(
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
) -> Vec<PresentedCertificate> {
    std::iter::once(end_entity)
        .chain(intermediates)
        .map(|c| PresentedCertificate::from_der(c.as_ref()))
        .collect()
}

fn problem_kind(error: &rustls::Error) -> CertProblemKind {
    match error {
        rustls::Error::InvalidCertificate(e) => match e {
            CertificateError::UnknownIssuer => CertProblemKind::Untrusted,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CertProblemKind::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CertProblemKind::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CertProblemKind::WrongHost
            }
            // webpki's CaUsedAsEndEntity: an openssl-made self-signed certificate (CA:TRUE)
            // presented as the server's own, and not in the CA file.
            CertificateError::Other(other) if other.to_string().contains("CaUsedAsEndEntity") => {
                CertProblemKind::Untrusted
            }
            _ => CertProblemKind::Invalid,
        },
        _ => CertProblemKind::Invalid,
    }
}

/// Dates still count for a pinned or identical certificate.
fn within_validity(cert: &CertificateDer<'_>, now: UnixTime) -> Result<(), rustls::Error> {
    let facts = PresentedCertificate::from_der(cert.as_ref());
    let now_at = i64::try_from(now.as_secs())
        .ok()
        .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
        .unwrap_or_default();
    let unix = |t: DateTime<Utc>| {
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(t.timestamp()).unwrap_or(0),
        ))
    };
    match (facts.not_before, facts.not_after) {
        (Some(before), _) if now_at < before => Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidYetContext {
                time: now,
                not_before: unix(before),
            },
        )),
        (_, Some(after)) if now_at > after => Err(rustls::Error::InvalidCertificate(
            CertificateError::ExpiredContext {
                time: now,
                not_after: unix(after),
            },
        )),
        (Some(_), Some(_)) => Ok(()),
        _ => Err(rustls::Error::InvalidCertificate(
            CertificateError::BadEncoding,
        )),
    }
}

impl ServerCertVerifier for TrustVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.verdict(end_entity, intermediates, server_name, ocsp_response, now);
        match (self.mode, verdict) {
            (Mode::Verify, Ok(())) => Ok(ServerCertVerified::assertion()),
            (Mode::Verify, Err(error)) => {
                self.refusals
                    .record(self.problem(&error, end_entity, intermediates, server_name));
                Err(error)
            }
            (Mode::Inspect, verdict) => {
                let problem = verdict
                    .err()
                    .map(|e| self.problem(&e, end_entity, intermediates, server_name));
                self.refusals.record_inspection(CertificateReport {
                    host: server_name.to_str().into_owned(),
                    presented: presented(end_entity, intermediates),
                    problem,
                });
                Err(rustls::Error::General(INSPECTED.to_owned()))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The handshake error an inspection ends with.
pub const INSPECTED: &str = "certificate inspected; connection not used";
