//! Server certificates on the terminal: `tokenkeeper cert`, and what a refused certificate
//! error prints (the presented chain, then the exact command that trusts it).

use std::path::PathBuf;

use tokenkeeper_core::account::parse_base_url;
use tokenkeeper_core::cert::{CertProblemKind, CertificateProblem, CertificateReport};
use tokenkeeper_core::providers::tls::TlsSettings;
use tokenkeeper_core::{Error, Keeper};

use crate::args::Command;

/// Which command failed, so the hint can name the command that fixes it.
#[derive(Debug)]
pub enum Context {
    /// `add NAME --url URL`: re-run it with `--trust-cert`.
    Add { name: String },
    /// A command on an existing account: `tokenkeeper trust NAME`.
    Account { name: String },
    /// Anything else.
    Other,
}

impl Context {
    /// The context of a parsed command line.
    pub fn of(command: &Command) -> Self {
        match command {
            Command::Add(args) => Self::Add {
                name: args.name.clone(),
            },
            Command::Login(args) => Self::Account {
                name: args.name.clone(),
            },
            Command::Edit(args) => Self::Account {
                name: args.name.clone(),
            },
            Command::Token { name, .. }
            | Command::Header { name, .. }
            | Command::Exec { name, .. }
            | Command::Show { name, .. }
            | Command::Tags { name, .. }
            | Command::Pin { name, .. }
            | Command::Trust { name, .. }
            | Command::Refresh {
                name: Some(name), ..
            } => Self::Account { name: name.clone() },
            _ => Self::Other,
        }
    }
}

/// The exact command that trusts the presented certificate, if the user recognises it.
pub fn hint(problem: &CertificateProblem, context: &Context) -> String {
    let Some(leaf) = problem.leaf() else {
        return "the server presented no certificate".to_owned();
    };
    let fp = leaf.sha256;
    match problem.kind {
        CertProblemKind::Expired | CertProblemKind::NotYetValid => {
            "the certificate is outside its validity period: ask the server's admin to renew it (trusting it by fingerprint does not waive its dates)".to_owned()
        }
        CertProblemKind::PinChanged => {
            let name = match context {
                Context::Account { name } | Context::Add { name } => name.as_str(),
                Context::Other => "NAME",
            };
            format!(
                "if the admin renewed the certificate (compare with what they give you), accept the new one with your secret on stdin, proven against it: tokenkeeper trust {name} {fp} --password-stdin (or the flag of the secret you have)"
            )
        }
        _ => {
            let how = match context {
                Context::Add { .. } => format!(
                    "run the same `tokenkeeper add` again with --trust-cert {fp}"
                ),
                Context::Account { name } => format!(
                    "tokenkeeper trust {name} {fp} --password-stdin (with your secret on stdin, or the flag of the secret you have)"
                ),
                Context::Other => format!("add --trust-cert {fp} to `tokenkeeper add`"),
            };
            format!(
                "if this is your server's certificate (compare its SHA-256 with what your admin gives you, e.g. `openssl x509 -noout -fingerprint -sha256 -in cert.pem`): {how}; or pass --ca-cert with the certificate or its CA (PEM)"
            )
        }
    }
}

/// `tokenkeeper cert TARGET`: prints the chain and the verdict. TARGET is a URL or an
/// account name (its URL and trust settings, plus any given here).
pub async fn show(
    keeper: &Keeper,
    target: &str,
    ca_cert: Option<PathBuf>,
    trust_cert: Option<String>,
    json: bool,
) -> Result<(), Error> {
    let (url, mut settings) = if target.contains("://") {
        (parse_base_url(target)?, TlsSettings::default())
    } else {
        let account = keeper.find(target)?;
        let settings = account.tls_settings();
        (account.url, settings)
    };
    settings.insecure = false;
    if ca_cert.is_some() {
        settings.ca_cert = ca_cert;
    }
    if let Some(fp) = trust_cert {
        settings.trust_cert = Some(fp.parse()?);
    }
    let report = keeper.inspect_certificate(&url, &settings).await?;
    if json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::InvalidInput(format!("cannot encode JSON: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", describe(&report));
    }
    Ok(())
}

fn describe(report: &CertificateReport) -> String {
    let mut out = format!(
        "{} presents {} certificate(s), its own first:\n",
        report.host,
        report.presented.len()
    );
    for (i, cert) in report.presented.iter().enumerate() {
        out.push_str(&format!("[{i}]\n{}\n", cert.describe("    ")));
    }
    match &report.problem {
        None => out.push_str("verdict: trusted with these settings\n"),
        Some(problem) => {
            out.push_str(&format!("verdict: NOT trusted: {}\n", problem.summary()));
            if let Some(leaf) = report.presented.first() {
                out.push_str(&format!(
                    "to trust this exact certificate: --trust-cert {} (on `tokenkeeper add`), or `tokenkeeper trust NAME {}`\n",
                    leaf.sha256, leaf.sha256
                ));
            }
        }
    }
    out
}
