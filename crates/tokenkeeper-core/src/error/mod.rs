//! Typed errors: every failure has a kind the engine acts on and keeps the API's own words.
//!
//! [`ApiError`] is what a provider returns: the HTTP status, the API's own error code and
//! message (plus fields/target), and an [`ErrorKind`]. [`Error`] is what the core's public
//! operations return: an API failure, or a local one (keychain, config file, bad input),
//! each with a stable machine [`Error::code`] for scripts and the UI.
//!
//! An API's words are never shown raw. Whatever an error is made with is cleaned of escape
//! sequences and control characters at once ([`crate::text::clean_server_text`]). An error
//! made from an answer keeps the API's words whole until [`ApiError::masked`], which masks the
//! secrets that were sent over the whole text and only then shortens it (message
//! [`MESSAGE_CAP`] characters, code and each field [`WORD_CAP`], at most [`FIELDS_CAP`]
//! fields): a cut made first could leave the beginning of a secret that straddles it. Where
//! our words and an API's are in one message, ours come first, so the cut shortens the API's.
//! A failure without an answer holds no API's words and is cut when made
//! ([`LOCAL_MESSAGE_CAP`]).

mod class;
mod wire;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::capabilities::Credential;
use crate::cert::CertificateProblem;
use crate::mask::mask_secrets;
use crate::provider_kind::ProviderKind;
use crate::text::{UNCAPPED, clean_server_text};

pub use class::{Class, ErrorCode, exit};

/// The most characters of a message made from an API's answer, once masked (then `…`).
pub const MESSAGE_CAP: usize = 300;
/// The most characters of a message about a failure without an answer (our words, a TLS or
/// network library's, a certificate's names already cut in [`crate::cert`]): long enough for
/// a refused certificate's subject, issuer and both fingerprints.
pub const LOCAL_MESSAGE_CAP: usize = 1_000;
/// The most characters of an API's error code, and of each field it names, once masked.
pub const WORD_CAP: usize = 100;
/// The most fields an error keeps once masked.
pub const FIELDS_CAP: usize = 16;

/// What the engine should do about a failure.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// Credentials or token refused: log in again if a password is stored, else needs login.
    Auth,
    /// Network failure, timeout, 5xx, 429: try again later with backoff.
    Transient,
    /// Bad URL, TLS failure, wrong path, unsupported setup: the user must change settings.
    Config,
    /// A success status with a body we cannot use: keep the old token and report.
    Protocol,
}

impl ErrorKind {
    /// Lower-case name, as used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Transient => "transient",
            Self::Config => "config",
            Self::Protocol => "protocol",
        }
    }
}

/// A failure reported by an API, or met on the way to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ApiError {
    /// What to do about it.
    pub kind: ErrorKind,
    /// HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// The API's own error code (e.g. `root.unauthorized`, `AUTHENTICATION_ERROR`),
    /// or one of ours for local failures (`network`, `timeout`, `tls`, `bad_response`, ...).
    pub code: Option<String>,
    /// The API's own message, HTML stripped.
    pub message: String,
    /// Fields or target the API names (ECE `fields`, generic `target`, Smartling `key`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Seconds the server asked us to wait (`Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// The server's certificate was refused: what it presented and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Box<CertificateProblem>>,
}

impl ApiError {
    /// A failure with no HTTP answer behind it (network, TLS, bad URL). No API's words are in
    /// it, but a library's may quote what a server sent: cleaned and cut to
    /// [`LOCAL_MESSAGE_CAP`] at once.
    pub fn local(kind: ErrorKind, code: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            code: Some(code.to_owned()),
            message: clean_server_text(&message.into(), LOCAL_MESSAGE_CAP),
            fields: Vec::new(),
            retry_after_secs: None,
            certificate: None,
        }
    }

    /// A failure the API answered with: its status and kind, and its own code and message,
    /// cleaned of control characters and kept whole until [`ApiError::masked`] shortens them.
    pub fn answered(
        kind: ErrorKind,
        status: u16,
        code: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            status: Some(status),
            code: code.map(|c| clean_server_text(&c, UNCAPPED)),
            message: clean_server_text(&message.into(), UNCAPPED),
            fields: Vec::new(),
            retry_after_secs: None,
            certificate: None,
        }
    }

    /// Adds the fields or target the API named (cleaned; shortened by [`ApiError::masked`]).
    pub fn with_fields(mut self, fields: Vec<String>) -> Self {
        self.fields = fields
            .iter()
            .map(|f| clean_server_text(f, UNCAPPED))
            .collect();
        self
    }

    /// Adds the delay the server asked for.
    pub fn with_retry_after(mut self, secs: Option<u64>) -> Self {
        self.retry_after_secs = secs;
        self
    }

    /// Masks every secret we sent that the API echoes back in its words, and anything that
    /// looks like a JWT, before the error is shown, logged or stored; then cleans and shortens
    /// what is left (the message of an answer [`MESSAGE_CAP`] characters, of a failure without
    /// one [`LOCAL_MESSAGE_CAP`]; code and fields [`WORD_CAP`], at most [`FIELDS_CAP`]
    /// fields). Masking sees the whole text: only then is it cut, so no part of a secret is
    /// left at a cut.
    pub fn masked(mut self, sent: &[&str]) -> Self {
        let finish = |text: &str, cap: usize| clean_server_text(&mask_secrets(text, sent), cap);
        let cap = if self.status.is_some() {
            MESSAGE_CAP
        } else {
            LOCAL_MESSAGE_CAP
        };
        self.message = finish(&self.message, cap);
        self.code = self.code.map(|c| finish(&c, WORD_CAP));
        self.fields = self
            .fields
            .iter()
            .take(FIELDS_CAP)
            .map(|f| finish(f, WORD_CAP))
            .collect();
        self
    }

    /// An answer that cannot be used (the message may quote an error page: cleaned, and kept
    /// whole until [`ApiError::masked`] shortens it).
    pub fn protocol(status: u16, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Protocol,
            status: Some(status),
            code: Some("bad_response".to_owned()),
            message: clean_server_text(&message.into(), UNCAPPED),
            fields: Vec::new(),
            retry_after_secs: None,
            certificate: None,
        }
    }

    /// The delay the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after_secs.map(Duration::from_secs)
    }

    fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(status) = self.status {
            out.push_str(&format!("HTTP {status}"));
        }
        if let Some(code) = &self.code {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(code);
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&self.message);
        if !self.fields.is_empty() {
            out.push_str(&format!(" (fields: {})", self.fields.join(", ")));
        }
        out
    }
}

/// A secret that does not fit the account it was given for, in the core's terms (the CLI words
/// it with its flags, the app with its form).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum CredentialProblem {
    /// Nothing was given.
    #[error("no secret was given for {name:?} ({})", given.words())]
    Empty {
        /// Account name.
        name: String,
        /// What was expected.
        given: Credential,
    },
    /// The API does not take this kind of secret.
    #[error(
        "{} accounts cannot be set up with {}; they take {}",
        provider.label(),
        given.words(),
        crate::capabilities::of(*provider).credentials_in_words()
    )]
    Unsupported {
        /// Which API.
        provider: ProviderKind,
        /// What was given.
        given: Credential,
    },
    /// A password needs a user name to log in with.
    #[error("{} needs a user name to log in with a password", provider.label())]
    NoUsername {
        /// Which API.
        provider: ProviderKind,
    },
}

/// Everything a core operation can fail with. `Clone`, so a failure can be kept and shown
/// again (the app's keychain banner) without rewording it; serde, so it crosses the agent's
/// socket whole ([`wire`]). What each variant is to scripts, the CLI and the UI is one table,
/// [`Error::class`].
#[derive(Clone, Debug, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Error {
    /// The API refused or failed; its own words are inside.
    #[error("{0}")]
    Api(
        #[from]
        #[serde(with = "wire::api")]
        ApiError,
    ),
    /// The account cannot get a token without the user: a login was refused, or no
    /// stored credential can obtain one.
    #[error("account {name:?} needs login: {reason}")]
    NeedsLogin {
        /// Account name.
        name: String,
        /// Why, in words (includes the API's error when there was one).
        reason: String,
        /// The API's error behind it, if any.
        api: Option<Box<ApiError>>,
    },
    /// The account's server or trust settings changed since its secrets were stored: they
    /// were deleted without being sent anywhere, and the account needs a login
    /// ([`crate::store::binding`]).
    #[error(
        "account {name:?} needs login: {}",
        origin_changed_reason(.secret, .change)
    )]
    OriginChanged {
        /// Account name.
        name: String,
        /// Which secret was found bound elsewhere ("password", "refresh token", "token").
        secret: String,
        /// What changed, in words.
        change: String,
    },
    /// A token cannot be promised for as long as asked: the API's tokens do not live that long
    /// (or, where a refresh revokes the previous token, are rotated sooner). The new token is
    /// stored; nothing is lost.
    #[error(
        "account {name:?}: its tokens work for {works_secs} s (the API made this one for {lifetime_secs} s{}), less than the {asked_secs} s asked for: ask for less (--min-valid), or ask the API's admin for longer tokens",
        rotation_note(*.revokes)
    )]
    LifetimeTooShort {
        /// Account name.
        name: String,
        /// How long the newest token lives, as the API made it.
        lifetime_secs: u64,
        /// How long it can be promised to work.
        works_secs: u64,
        /// How long was asked for.
        asked_secs: u64,
        /// The API revokes a token at the next refresh, which comes before its expiry.
        revokes: bool,
    },
    /// No Secret Service / keychain could be reached.
    #[error(
        "keychain unavailable ({0}): start your keyring (e.g. gnome-keyring) in this session and retry; secrets are never stored elsewhere"
    )]
    KeychainUnavailable(#[serde(with = "wire::message")] String),
    /// The keychain is there but locked or refused access.
    #[error("keychain locked ({0}): unlock it and retry")]
    KeychainLocked(#[serde(with = "wire::message")] String),
    /// The keychain answered with an error of its own.
    #[error("keychain error: {0}")]
    Keychain(#[serde(with = "wire::message")] String),
    /// The config or state file cannot be read; it is left untouched.
    #[error("{path} is corrupt: {reason}; fix or move it away (it was not changed)")]
    FileCorrupt {
        /// The file.
        path: PathBuf,
        /// Parser's words.
        reason: String,
    },
    /// A file written by a newer TokenKeeper.
    #[error("{path} has format version {found}; this TokenKeeper understands up to {supported}")]
    FileVersion {
        /// The file.
        path: PathBuf,
        /// Version found.
        found: u32,
        /// Highest version understood.
        supported: u32,
    },
    /// File system failure.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The OS error (shared, so the error can be cloned; its words on the wire).
        #[serde(rename = "message", with = "wire::io_words")]
        source: std::sync::Arc<std::io::Error>,
    },
    /// No account has that name.
    #[error("no account named {0:?} (see `tokenkeeper list`)")]
    AccountNotFound(#[serde(with = "wire::name")] String),
    /// An account with that name exists already.
    #[error("an account named {0:?} already exists")]
    AccountExists(#[serde(with = "wire::name")] String),
    /// The user's input cannot be used.
    #[error("{0}")]
    InvalidInput(#[serde(with = "wire::message")] String),
    /// The secret given to set up or log in an account does not fit it.
    #[error("{0}")]
    Credentials(CredentialProblem),
    /// Another process held the account's lock for too long.
    #[error(
        "timed out after {secs} s waiting for another TokenKeeper process to finish refreshing {name:?}"
    )]
    LockTimeout {
        /// Account name.
        name: String,
        /// How long we waited.
        secs: u64,
    },
    /// A bug of ours (a task that panicked): not the user's input, the keychain or an API.
    #[error("internal error: {0} (please report it)")]
    Internal(#[serde(with = "wire::message")] String),
}

impl From<crate::cert::BadFingerprint> for Error {
    fn from(e: crate::cert::BadFingerprint) -> Self {
        Self::InvalidInput(e.0)
    }
}

impl From<crate::provider_kind::UnknownProvider> for Error {
    fn from(e: crate::provider_kind::UnknownProvider) -> Self {
        Self::InvalidInput(e.to_string())
    }
}

impl Error {
    /// True when only the user can make the account work again (a login).
    pub fn needs_login(&self) -> bool {
        matches!(self, Self::NeedsLogin { .. } | Self::OriginChanged { .. })
    }

    /// The API error behind this failure, if any.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            Self::NeedsLogin { api, .. } => api.as_deref(),
            _ => None,
        }
    }

    /// Helper for I/O errors on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source: std::sync::Arc::new(source),
        }
    }
}

/// Why an account whose settings changed needs a login, in words: `secret` is what was found
/// bound to other settings ("password", or "secrets" for all of them), `change` what changed.
pub fn origin_changed_reason(secret: &str, change: &str) -> String {
    let verb = if secret.ends_with('s') { "were" } else { "was" };
    format!(
        "since its {secret} {verb} stored, {change}; the stored secrets were deleted and never sent to the new settings: log in again"
    )
}

/// What a revoking API's rotation takes from a token's life, in words.
fn rotation_note(revokes: bool) -> &'static str {
    if revokes {
        ", and it is revoked at the next refresh, shortly before it expires"
    } else {
        ""
    }
}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::{ApiError, ErrorKind, MESSAGE_CAP};
    use crate::mask::mask_secrets;

    #[test]
    fn api_error_display_keeps_status_code_message_and_fields() {
        let e = ApiError {
            kind: ErrorKind::Config,
            status: Some(400),
            code: Some("VALIDATION_ERROR".into()),
            message: "refreshToken is required".into(),
            fields: vec!["refreshToken".into()],
            retry_after_secs: None,
            certificate: None,
        };
        assert_eq!(
            e.to_string(),
            "HTTP 400 VALIDATION_ERROR: refreshToken is required (fields: refreshToken)"
        );
        let local = ApiError::local(ErrorKind::Transient, "timeout", "no answer within 30 s");
        assert_eq!(local.to_string(), "timeout: no answer within 30 s");
    }

    #[test]
    fn echoed_secrets_and_jwts_are_masked() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2ln";
        let text = format!(
            "refresh token 'rt-123456' is invalid; password \"p\\\"w0rd\" refused; token {jwt}."
        );
        let masked = mask_secrets(&text, &["rt-123456", "p\"w0rd", "ab"]);
        assert_eq!(
            masked,
            "refresh token '***' is invalid; password \"***\" refused; token ***."
        );
        // Words that merely contain "eyJ" and lone base64 are left alone.
        assert_eq!(mask_secrets("keyJar eyJonly", &[]), "keyJar eyJonly");
        let e = ApiError::answered(
            ErrorKind::Auth,
            401,
            Some("bad rt-123456".into()),
            "rt-123456",
        )
        .with_fields(vec!["rt-123456".into()])
        .masked(&["rt-123456"]);
        assert_eq!(
            (e.code.as_deref(), e.message.as_str(), e.fields.as_slice()),
            (Some("bad ***"), "***", ["***".to_owned()].as_slice())
        );
    }

    #[test]
    fn an_apis_escape_sequences_never_reach_the_message_and_it_is_cut_once_masked() {
        let words = format!(
            "\u{1b}]0;pwned\u{7}\u{1b}[2JInvalid credentials\rall is well {}",
            "A".repeat(5_000)
        );
        let error = ApiError::answered(
            ErrorKind::Auth,
            401,
            Some("\u{1b}[31mcode\u{1b}[0m".into()),
            words,
        )
        .with_fields(vec!["user\nname".into(); 40]);
        // Cleaned when made; whole until masked (so masking sees every secret whole).
        assert!(
            error
                .message
                .starts_with("Invalid credentials all is well AAA")
        );
        assert_eq!(error.message.chars().count(), 32 + 5_000);
        let error = error.masked(&["s3cret"]);
        let shown = error.to_string();
        for raw in ['\u{1b}', '\u{7}', '\r', '\n'] {
            assert!(!shown.contains(raw), "{shown:?}");
        }
        assert!(!shown.contains("pwned"), "{shown}");
        assert!(
            shown.starts_with("HTTP 401 code: Invalid credentials all is well AAA"),
            "{shown}"
        );
        assert_eq!(error.message.chars().count(), MESSAGE_CAP + 1);
        assert!(error.message.ends_with("A…"), "{}", error.message);
        assert_eq!(error.fields.len(), super::FIELDS_CAP);
        assert_eq!(error.fields[0], "user name");
        // Our own words about a failure without an answer are cut when made.
        let local = ApiError::local(ErrorKind::Transient, "network", "x".repeat(5_000));
        assert_eq!(local.message.chars().count(), super::LOCAL_MESSAGE_CAP + 1);
    }

    #[test]
    fn a_secret_across_the_cut_is_masked_whole_before_the_cut() {
        let password = "hunter2-correct-horse";
        for pad in 270..=MESSAGE_CAP {
            let error = ApiError::answered(
                ErrorKind::Auth,
                401,
                None,
                format!("{} {password} is not the password", "x".repeat(pad)),
            )
            .masked(&[password]);
            for end in 3..=password.len() {
                assert!(
                    !error.message.contains(&password[..end]),
                    "{pad}: {}",
                    error.message
                );
            }
        }
    }
}
