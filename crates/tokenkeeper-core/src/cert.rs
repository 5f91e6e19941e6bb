//! Server certificates as a user sees them: SHA-256 fingerprints (what `--trust-cert` pins),
//! the facts of a presented certificate, and why one was not trusted.
//!
//! These are plain data, shown by the CLI and the desktop app's add form ("Trust this
//! certificate"). The TLS verifier that produces them lives in [`crate::providers::tls`].
//! Every name in them is the server's choice, so it is cleaned and shortened when read
//! ([`PresentedCertificate::from_der`]).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::text::clean_server_text;

/// The SHA-256 fingerprint of a DER certificate, shown as `AB:CD:…` (as
/// `openssl x509 -noout -fingerprint -sha256` prints it).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertFingerprint([u8; 32]);

impl CertFingerprint {
    /// The fingerprint of a DER-encoded certificate.
    pub fn of(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    /// The raw digest.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for CertFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CertFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertFingerprint({self})")
    }
}

/// Text that is not a SHA-256 fingerprint, with what to give instead (an
/// [`crate::Error::InvalidInput`] where it meets the rest of the program).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadFingerprint(pub String);

impl FromStr for CertFingerprint {
    type Err = BadFingerprint;

    /// Accepts `AB:CD:…`, plain hex in any case, and openssl's whole line
    /// (`sha256 Fingerprint=AB:CD:…`) or a `sha256:` prefix.
    fn from_str(text: &str) -> Result<Self, BadFingerprint> {
        let bad = |why: &str| {
            BadFingerprint(format!(
                "invalid certificate fingerprint: {why}; give the SHA-256 fingerprint as \
                 `openssl x509 -noout -fingerprint -sha256` prints it (AB:CD:…, 32 bytes) or as 64 hex digits"
            ))
        };
        let mut value = text.trim();
        if let Some((label, rest)) = value.split_once('=') {
            if !label.to_ascii_lowercase().contains("sha256") {
                return Err(bad("only SHA-256 fingerprints are accepted"));
            }
            value = rest;
        } else if let Some(rest) = value
            .strip_prefix("sha256:")
            .or_else(|| value.strip_prefix("SHA256:"))
        {
            value = rest;
        }
        let hex: String = value
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '-'))
            .collect();
        if hex.len() != 64 {
            return Err(bad(&format!("expected 64 hex digits, got {}", hex.len())));
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            let pair = hex.get(i * 2..i * 2 + 2).ok_or_else(|| bad("not hex"))?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad("not hex"))?;
        }
        Ok(Self(out))
    }
}

impl Serialize for CertFingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CertFingerprint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a server presented: one certificate of its chain.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentedCertificate {
    /// Subject distinguished name (`CN=…, O=…`). The server chose it, and every name here:
    /// control characters and escape sequences removed, cut to [`NAME_CAP`] characters
    /// ([`crate::text::clean_server_text`]).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Start of validity.
    pub not_before: Option<DateTime<Utc>>,
    /// End of validity.
    pub not_after: Option<DateTime<Utc>>,
    /// Issued by itself (subject = issuer).
    pub self_signed: bool,
    /// Marked as a certificate authority (basicConstraints CA:TRUE).
    pub is_ca: bool,
    /// Host names and IP addresses it is issued for (subjectAltName), the first
    /// [`NAMES_CAP`].
    #[serde(default)]
    pub names: Vec<String>,
    /// SHA-256 fingerprint of the DER certificate.
    pub sha256: CertFingerprint,
}

impl PresentedCertificate {
    /// Reads a DER certificate; what cannot be parsed is reported as such, and the
    /// fingerprint is always there.
    pub fn from_der(der: &[u8]) -> Self {
        let sha256 = CertFingerprint::of(der);
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
            return Self {
                subject: "(unreadable certificate)".to_owned(),
                issuer: "(unreadable certificate)".to_owned(),
                not_before: None,
                not_after: None,
                self_signed: false,
                is_ca: false,
                names: Vec::new(),
                sha256,
            };
        };
        let time = |t: &x509_parser::time::ASN1Time| DateTime::from_timestamp(t.timestamp(), 0);
        let names = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|san| {
                san.value
                    .general_names
                    .iter()
                    .filter_map(|name| match name {
                        x509_parser::extensions::GeneralName::DNSName(d) => {
                            Some(clean_server_text(d, NAME_CAP))
                        }
                        x509_parser::extensions::GeneralName::IPAddress(ip) => ip_text(ip),
                        _ => None,
                    })
                    .take(NAMES_CAP)
                    .collect()
            })
            .unwrap_or_default();
        Self {
            subject: name_text(cert.subject()),
            issuer: name_text(cert.issuer()),
            not_before: time(&cert.validity().not_before),
            not_after: time(&cert.validity().not_after),
            self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
            is_ca: cert
                .basic_constraints()
                .ok()
                .flatten()
                .is_some_and(|bc| bc.value.ca),
            names,
            sha256,
        }
    }

    /// True when `now` is outside the validity period.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.not_after.is_some_and(|t| t < now)
    }

    /// A few lines for a terminal: subject, issuer, validity, names, fingerprint.
    pub fn describe(&self, indent: &str) -> String {
        let date = |t: Option<DateTime<Utc>>| {
            t.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_else(|| "?".to_owned())
        };
        let mut kind = Vec::new();
        if self.self_signed {
            kind.push("self-signed");
        }
        if self.is_ca {
            kind.push("CA:TRUE");
        }
        let mut out = format!("{indent}subject:  {}", self.subject);
        if !kind.is_empty() {
            out.push_str(&format!(" ({})", kind.join(", ")));
        }
        out.push_str(&format!("\n{indent}issuer:   {}", self.issuer));
        out.push_str(&format!(
            "\n{indent}valid:    {} to {}",
            date(self.not_before),
            date(self.not_after)
        ));
        if !self.names.is_empty() {
            out.push_str(&format!("\n{indent}names:    {}", self.names.join(", ")));
        }
        out.push_str(&format!("\n{indent}SHA-256:  {}", self.sha256));
        out
    }
}

/// The most characters of a subject, an issuer or a name shown (then `…`).
pub const NAME_CAP: usize = 256;
/// The most subjectAltNames kept of one certificate.
pub const NAMES_CAP: usize = 64;

/// A distinguished name as text: the server chose it, so it is cleaned and shortened.
fn name_text(name: &x509_parser::x509::X509Name<'_>) -> String {
    let text = clean_server_text(&name.to_string(), NAME_CAP);
    if text.trim().is_empty() {
        "(empty)".to_owned()
    } else {
        text
    }
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv4Addr::from(b).to_string()),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv6Addr::from(b).to_string()),
        _ => None,
    }
}

/// Why a server's certificate was not accepted.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertProblemKind {
    /// Not issued by anyone we trust (self-signed, or a private CA we were not given).
    Untrusted,
    /// Past its validity period.
    Expired,
    /// Not yet in its validity period.
    NotYetValid,
    /// Issued for other host names.
    WrongHost,
    /// The pinned certificate was replaced by another one (renewal, or someone in between).
    PinChanged,
    /// Malformed, revoked, or otherwise refused.
    Invalid,
}

impl CertProblemKind {
    /// The stable error code used in [`crate::ApiError::code`].
    pub fn code(self) -> &'static str {
        match self {
            Self::Untrusted => "certificate_untrusted",
            Self::Expired => "certificate_expired",
            Self::NotYetValid => "certificate_not_yet_valid",
            Self::WrongHost => "certificate_wrong_host",
            Self::PinChanged => "certificate_changed",
            Self::Invalid => "certificate_invalid",
        }
    }
}

/// A refused server certificate: why, and what the server presented (leaf first).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateProblem {
    /// Why it was refused.
    pub kind: CertProblemKind,
    /// The host that presented it.
    pub host: String,
    /// The chain, the server's own certificate first.
    pub presented: Vec<PresentedCertificate>,
    /// The fingerprint pinned for the account, when one is (and no longer matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<CertFingerprint>,
    /// The verifier's own words.
    pub detail: String,
}

impl CertificateProblem {
    /// The server's own certificate, if it presented any.
    pub fn leaf(&self) -> Option<&PresentedCertificate> {
        self.presented.first()
    }

    /// One sentence saying what is wrong, for the error message.
    pub fn summary(&self) -> String {
        let leaf = self.leaf();
        let what = match self.kind {
            CertProblemKind::Untrusted if leaf.is_some_and(|l| l.self_signed) => {
                "presented a self-signed certificate that is not trusted".to_owned()
            }
            CertProblemKind::Untrusted => {
                "presented a certificate from an issuer that is not trusted".to_owned()
            }
            CertProblemKind::Expired => match leaf.and_then(|l| l.not_after) {
                Some(at) => format!(
                    "presented a certificate that expired on {}",
                    at.format("%Y-%m-%d")
                ),
                None => "presented an expired certificate".to_owned(),
            },
            CertProblemKind::NotYetValid => {
                "presented a certificate that is not valid yet (check this machine's clock)"
                    .to_owned()
            }
            CertProblemKind::WrongHost => match leaf.filter(|l| !l.names.is_empty()) {
                Some(l) => format!(
                    "presented a certificate for {}, not for this host",
                    l.names.join(", ")
                ),
                None => "presented a certificate issued for another host name".to_owned(),
            },
            CertProblemKind::PinChanged => {
                "presented a different certificate from the one trusted for this account".to_owned()
            }
            CertProblemKind::Invalid => {
                format!("presented a certificate that was refused ({})", self.detail)
            }
        };
        format!("{} {what}", self.host)
    }
}

/// What `tokenkeeper cert URL` reports: the chain a server presented and whether it would be
/// trusted with the given settings.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateReport {
    /// The host asked.
    pub host: String,
    /// The chain, the server's own certificate first.
    pub presented: Vec<PresentedCertificate>,
    /// Why it would be refused; `None` when it would be trusted.
    pub problem: Option<CertificateProblem>,
}

#[cfg(test)]
mod tests {
    use super::CertFingerprint;

    #[test]
    fn fingerprints_parse_in_every_usual_form_and_print_like_openssl() {
        let fp = CertFingerprint::of(b"certificate");
        let shown = fp.to_string();
        assert_eq!(shown.len(), 32 * 3 - 1);
        let plain = shown.replace(':', "");
        for form in [
            shown.clone(),
            shown.to_ascii_lowercase(),
            plain.clone(),
            plain.to_ascii_lowercase(),
            format!("sha256 Fingerprint={shown}"),
            format!("SHA256 Fingerprint={shown}\n"),
            format!("sha256:{plain}"),
        ] {
            assert_eq!(form.parse::<CertFingerprint>().ok(), Some(fp), "{form}");
        }
        for bad in [
            "",
            "AB:CD",
            &format!("SHA1 Fingerprint={shown}"),
            &format!("{plain}00"),
            &plain.replace('A', "G"),
        ] {
            assert!(bad.parse::<CertFingerprint>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&fp).unwrap_or_default();
        assert_eq!(json, format!("\"{shown}\""));
        assert_eq!(
            serde_json::from_str::<CertFingerprint>(&json).ok(),
            Some(fp)
        );
    }
}
