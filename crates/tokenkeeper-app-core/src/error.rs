//! Errors as the UI gets them: `{code, message, kind, api, certificate}`, with a small closed
//! set of codes, each one something a consumer acts on (a banner for the keychain, a Log in
//! action, the certificate prompt, the secret field focused, ...), plus the API's own words
//! when an API answered. Built from core errors; never holds a secret.

use serde::{Deserialize, Serialize};
use tokenkeeper_core::cert::CertificateProblem;
use tokenkeeper_core::{Error, ErrorKind};
use ts_rs::TS;

/// What the UI does about an error: the core's table ([`Error::class`]), so the CLI's exit
/// status, the stable code and the UI's action are decided in one place.
pub use tokenkeeper_core::error::ErrorCode;

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
        let code = e.ui_code();
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
        assert_eq!(e.code, ErrorCode::Api);
        assert_eq!(
            e.kind,
            Some(ErrorKind::Transient),
            "the kind says it is retried"
        );
        assert!(e.api.is_none(), "no answer arrived: {e:?}");
        let e = AppError::from(Error::NeedsLogin {
            name: "a".into(),
            reason: "refused".into(),
            api: None,
        });
        assert_eq!(e.code, ErrorCode::NeedsLogin);
    }

    /// A background of the previous version still speaks the old, finer codes: the window
    /// reads them as the codes they became.
    #[test]
    fn the_old_codes_still_read() {
        for (old, now) in [
            ("unreachable", ErrorCode::Api),
            ("settings", ErrorCode::Api),
            ("bad_answer", ErrorCode::Api),
            ("exists", ErrorCode::InvalidInput),
            ("files", ErrorCode::Local),
            ("busy", ErrorCode::Local),
            ("clipboard", ErrorCode::Local),
            ("needs_login", ErrorCode::NeedsLogin),
        ] {
            let read: ErrorCode = serde_json::from_value(serde_json::json!(old)).unwrap();
            assert_eq!(read, now, "{old}");
        }
        assert_eq!(serde_json::to_value(ErrorCode::Local).unwrap(), "local");
    }
}
