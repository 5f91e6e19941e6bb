//! Errors as the UI gets them: `{code, message, kind}` with a small closed set of codes the UI
//! acts on (a banner for the keychain, a Log in action, the certificate prompt, ...), plus the
//! API's own words when an API answered. Built from core errors; never holds a secret.

use serde::{Deserialize, Serialize};
use tokenkeeper_core::cert::CertificateProblem;
use tokenkeeper_core::{Error, ErrorKind};
use ts_rs::TS;

/// What the UI does about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The API refused the credentials or token.
    Auth,
    /// The account needs a new password or token: offer Log in.
    NeedsLogin,
    /// The server's certificate was refused: show what it presented, offer to trust it.
    Certificate,
    /// The API could not be reached or failed for now: it is retried.
    Unreachable,
    /// The settings are wrong (URL, path, TLS): edit the account.
    Settings,
    /// The API answered something unusable.
    BadAnswer,
    /// The keychain is missing or locked: a banner names the fix.
    Keychain,
    /// The form or request is not usable as it is.
    InvalidInput,
    /// No such account (it was removed meanwhile).
    NotFound,
    /// An account with that name exists.
    Exists,
    /// Another TokenKeeper process held the account too long.
    Busy,
    /// A file could not be read or written.
    Files,
    /// The clipboard could not be used.
    Clipboard,
    /// The background process (which refreshes, copies and draws the tray) is not reachable.
    Background,
    /// A bug of ours: said as such, with the words to report it.
    Internal,
}

/// The API's own words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiWords {
    /// HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// The API's code.
    pub code: Option<String>,
    /// The API's message.
    pub message: String,
    /// Fields the API named.
    pub fields: Vec<String>,
}

/// An error as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// What the UI does about it.
    pub code: ErrorCode,
    /// One or two sentences, naming the next step.
    pub message: String,
    /// The core's classification (auth, transient, config, protocol), when an API was involved.
    pub kind: Option<ErrorKind>,
    /// The API's own words, when it answered.
    pub api: Option<ApiWords>,
    /// A refused certificate: what the server presented.
    pub certificate: Option<Box<CertificateProblem>>,
}

impl AppError {
    /// An error of ours with these words.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            kind: None,
            api: None,
            certificate: None,
        }
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        let api = e.api();
        let certificate = api.and_then(|a| a.certificate.clone());
        let code = match &e {
            _ if certificate.is_some() => ErrorCode::Certificate,
            Error::NeedsLogin { .. } => ErrorCode::NeedsLogin,
            Error::Api(a) => match a.kind {
                ErrorKind::Auth => ErrorCode::Auth,
                ErrorKind::Transient => ErrorCode::Unreachable,
                ErrorKind::Config => ErrorCode::Settings,
                ErrorKind::Protocol => ErrorCode::BadAnswer,
            },
            Error::KeychainUnavailable(_) | Error::KeychainLocked(_) | Error::Keychain(_) => {
                ErrorCode::Keychain
            }
            Error::FileCorrupt { .. } | Error::FileVersion { .. } | Error::Io { .. } => {
                ErrorCode::Files
            }
            Error::AccountNotFound(_) => ErrorCode::NotFound,
            Error::AccountExists(_) => ErrorCode::Exists,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::LockTimeout { .. } => ErrorCode::Busy,
            Error::Internal(_) => ErrorCode::Internal,
        };
        Self {
            code,
            message: e.to_string(),
            kind: api.map(|a| a.kind),
            api: api.filter(|a| a.status.is_some()).map(|a| ApiWords {
                status: a.status,
                code: a.code.clone(),
                message: a.message.clone(),
                fields: a.fields.clone(),
            }),
            certificate,
        }
    }
}

#[cfg(test)]
mod tests {
    use tokenkeeper_core::{ApiError, Error, ErrorKind};

    use super::{AppError, ErrorCode};

    #[test]
    fn api_errors_keep_the_apis_words_and_map_to_what_the_ui_does() {
        let api = ApiError::answered(
            ErrorKind::Auth,
            401,
            Some("root.unauthorized".to_owned()),
            "The supplied authentication is invalid",
        );
        let e = AppError::from(Error::Api(api));
        assert_eq!(e.code, ErrorCode::Auth);
        assert_eq!(e.kind, Some(ErrorKind::Auth));
        let words = e.api.unwrap();
        assert_eq!(words.status, Some(401));
        assert_eq!(words.code.as_deref(), Some("root.unauthorized"));
        assert_eq!(words.message, "The supplied authentication is invalid");
    }

    #[test]
    fn local_failures_have_no_api_words() {
        let e = AppError::from(Error::KeychainLocked("org.freedesktop.Secret.Error".into()));
        assert_eq!(e.code, ErrorCode::Keychain);
        assert!(e.message.contains("unlock it"), "{}", e.message);
        assert!(e.api.is_none());
        let transient = ApiError::local(ErrorKind::Transient, "network", "connection refused");
        let e = AppError::from(Error::Api(transient));
        assert_eq!(e.code, ErrorCode::Unreachable);
        assert!(e.api.is_none(), "no answer arrived: {e:?}");
        let e = AppError::from(Error::NeedsLogin {
            name: "a".into(),
            reason: "refused".into(),
            api: None,
        });
        assert_eq!(e.code, ErrorCode::NeedsLogin);
    }
}
