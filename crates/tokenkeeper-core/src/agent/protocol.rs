//! The agent's wire format: one request line, answer lines, JSON, versioned.
//!
//! Request: `{"v":1,"op":"token","name":"NAME","min_valid_secs":60}` (or `{"v":1,"op":"ping"}`).
//! Answers: `{"v":1,"wait":true}` at once when the answer may take a while (a refresh), then
//! `{"v":1,"token":{"token":"…","expires_at":"…","fingerprint":"…"}}` or
//! `{"v":1,"error":{…}}` (a [`WireError`], which rebuilds the core error exactly, so the CLI
//! prints the same words and exits with the same code either way), or `{"v":1,"pong":true}`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Error};

/// The version this agent speaks.
pub const VERSION: u32 = 1;
/// The longest request accepted, in bytes (a name is at most 64 bytes).
pub const MAX_REQUEST: usize = 4096;

/// What a client asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Protocol version.
    pub v: u32,
    /// The operation.
    #[serde(flatten)]
    pub op: Op,
}

/// The operations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// A token valid for at least `min_valid_secs`.
    Token {
        /// Account name.
        name: String,
        /// Seconds the token must stay valid.
        min_valid_secs: u64,
    },
    /// Is the agent there?
    Ping,
}

/// A token as the agent hands it over.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WireToken {
    /// The access token.
    pub token: String,
    /// Its expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Until when it really works (its expiry, or a revoking API's next rotation); absent
    /// from an older agent's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// Its fingerprint (first 8 hex of its SHA-256).
    pub fingerprint: String,
}

impl Drop for WireToken {
    /// Zeroed before its memory is given back, on both sides of the socket.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.token);
    }
}

impl std::fmt::Debug for WireToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireToken")
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// One answer line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// Protocol version.
    pub v: u32,
    /// The answer will take a while; another line follows.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wait: bool,
    /// The token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<WireToken>,
    /// Why there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<WireError>,
    /// The answer to a ping.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pong: bool,
}

impl Answer {
    fn empty() -> Self {
        Self {
            v: VERSION,
            wait: false,
            token: None,
            error: None,
            pong: false,
        }
    }

    /// "Wait: the answer follows."
    pub fn wait() -> Self {
        Self {
            wait: true,
            ..Self::empty()
        }
    }

    /// A token.
    pub fn token(token: WireToken) -> Self {
        Self {
            token: Some(token),
            ..Self::empty()
        }
    }

    /// An error.
    pub fn error(error: &Error) -> Self {
        Self {
            error: Some(WireError::from(error)),
            ..Self::empty()
        }
    }

    /// A pong.
    pub fn pong() -> Self {
        Self {
            pong: true,
            ..Self::empty()
        }
    }

    /// The line to send (with its newline).
    /// The answer's line (it may hold a token: callers keep it in [`zeroize::Zeroizing`]).
    pub fn line(&self) -> zeroize::Zeroizing<String> {
        let mut text = serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"v":1,"error":{"kind":"invalid_input","message":"the agent could not encode its answer"}}"#
                .to_owned()
        });
        text.push('\n');
        zeroize::Zeroizing::new(text)
    }
}

/// A core [`Error`] as it crosses the socket: enough to rebuild it with the same words, code
/// and exit status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireError {
    /// [`Error::Api`].
    Api {
        /// The API error, whole.
        api: ApiError,
    },
    /// [`Error::NeedsLogin`].
    NeedsLogin {
        /// Account.
        name: String,
        /// Why.
        reason: String,
        /// The API error behind it.
        api: Option<ApiError>,
    },
    /// [`Error::OriginChanged`].
    OriginChanged {
        /// Account.
        name: String,
        /// Which secret.
        secret: String,
        /// What changed.
        change: String,
    },
    /// [`Error::LifetimeTooShort`].
    LifetimeTooShort {
        /// Account.
        name: String,
        /// The token's lifetime.
        lifetime_secs: u64,
        /// How long it works.
        works_secs: u64,
        /// Asked for.
        asked_secs: u64,
        /// Rotated before expiry.
        revokes: bool,
    },
    /// [`Error::KeychainUnavailable`].
    KeychainUnavailable {
        /// Detail.
        message: String,
    },
    /// [`Error::KeychainLocked`].
    KeychainLocked {
        /// Detail.
        message: String,
    },
    /// [`Error::Keychain`].
    Keychain {
        /// Detail.
        message: String,
    },
    /// [`Error::FileCorrupt`].
    FileCorrupt {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// [`Error::FileVersion`].
    FileVersion {
        /// The file.
        path: PathBuf,
        /// Found.
        found: u32,
        /// Understood.
        supported: u32,
    },
    /// [`Error::Io`].
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error's words.
        message: String,
    },
    /// [`Error::AccountNotFound`].
    AccountNotFound {
        /// The name asked for.
        name: String,
    },
    /// [`Error::AccountExists`].
    AccountExists {
        /// The name.
        name: String,
    },
    /// [`Error::InvalidInput`] (and anything the agent itself refuses).
    InvalidInput {
        /// The words.
        message: String,
    },
    /// [`Error::LockTimeout`].
    LockTimeout {
        /// Account.
        name: String,
        /// Seconds waited.
        secs: u64,
    },
    /// [`Error::Internal`].
    Internal {
        /// The words.
        message: String,
    },
}

impl From<&Error> for WireError {
    fn from(e: &Error) -> Self {
        match e {
            Error::Api(api) => Self::Api { api: api.clone() },
            Error::NeedsLogin { name, reason, api } => Self::NeedsLogin {
                name: name.clone(),
                reason: reason.clone(),
                api: api.as_deref().cloned(),
            },
            Error::OriginChanged {
                name,
                secret,
                change,
            } => Self::OriginChanged {
                name: name.clone(),
                secret: secret.clone(),
                change: change.clone(),
            },
            Error::LifetimeTooShort {
                name,
                lifetime_secs,
                works_secs,
                asked_secs,
                revokes,
            } => Self::LifetimeTooShort {
                name: name.clone(),
                lifetime_secs: *lifetime_secs,
                works_secs: *works_secs,
                asked_secs: *asked_secs,
                revokes: *revokes,
            },
            Error::KeychainUnavailable(m) => Self::KeychainUnavailable { message: m.clone() },
            Error::KeychainLocked(m) => Self::KeychainLocked { message: m.clone() },
            Error::Keychain(m) => Self::Keychain { message: m.clone() },
            Error::FileCorrupt { path, reason } => Self::FileCorrupt {
                path: path.clone(),
                reason: reason.clone(),
            },
            Error::FileVersion {
                path,
                found,
                supported,
            } => Self::FileVersion {
                path: path.clone(),
                found: *found,
                supported: *supported,
            },
            Error::Io { path, source } => Self::Io {
                path: path.clone(),
                message: source.to_string(),
            },
            Error::AccountNotFound(name) => Self::AccountNotFound { name: name.clone() },
            Error::AccountExists(name) => Self::AccountExists { name: name.clone() },
            Error::InvalidInput(m) => Self::InvalidInput { message: m.clone() },
            Error::Credentials(problem) => Self::InvalidInput {
                message: problem.to_string(),
            },
            Error::LockTimeout { name, secs } => Self::LockTimeout {
                name: name.clone(),
                secs: *secs,
            },
            Error::Internal(m) => Self::Internal { message: m.clone() },
        }
    }
}

impl From<WireError> for Error {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Api { api } => Error::Api(api),
            WireError::NeedsLogin { name, reason, api } => Error::NeedsLogin {
                name,
                reason,
                api: api.map(Box::new),
            },
            WireError::OriginChanged {
                name,
                secret,
                change,
            } => Error::OriginChanged {
                name,
                secret,
                change,
            },
            WireError::LifetimeTooShort {
                name,
                lifetime_secs,
                works_secs,
                asked_secs,
                revokes,
            } => Error::LifetimeTooShort {
                name,
                lifetime_secs,
                works_secs,
                asked_secs,
                revokes,
            },
            WireError::KeychainUnavailable { message } => Error::KeychainUnavailable(message),
            WireError::KeychainLocked { message } => Error::KeychainLocked(message),
            WireError::Keychain { message } => Error::Keychain(message),
            WireError::FileCorrupt { path, reason } => Error::FileCorrupt { path, reason },
            WireError::FileVersion {
                path,
                found,
                supported,
            } => Error::FileVersion {
                path,
                found,
                supported,
            },
            WireError::Io { path, message } => Error::io(path, std::io::Error::other(message)),
            WireError::AccountNotFound { name } => Error::AccountNotFound(name),
            WireError::AccountExists { name } => Error::AccountExists(name),
            WireError::InvalidInput { message } => Error::InvalidInput(message),
            WireError::LockTimeout { name, secs } => Error::LockTimeout { name, secs },
            WireError::Internal { message } => Error::Internal(message),
        }
    }
}

/// Reads a request line: a version this agent does not speak, or anything else that is not a
/// request, is an [`Error::InvalidInput`] naming what is wrong (never quoting the line).
pub fn parse_request(line: &[u8]) -> Result<Request, Error> {
    if line.len() > MAX_REQUEST {
        return Err(Error::InvalidInput(format!(
            "agent: the request is longer than {MAX_REQUEST} bytes"
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(line)
        .map_err(|e| Error::InvalidInput(format!("agent: the request is not JSON ({e})")))?;
    match value.get("v").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(Error::InvalidInput(format!(
                "agent: request version {v} is not supported (this agent speaks {VERSION})"
            )));
        }
        None => {
            return Err(Error::InvalidInput(
                "agent: the request has no version (\"v\")".to_owned(),
            ));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| Error::InvalidInput(format!("agent: not a request this agent knows ({e})")))
}

#[cfg(test)]
mod tests {
    use super::{Answer, Op, Request, VERSION, parse_request};
    use crate::error::{ApiError, Error, ErrorKind};

    #[test]
    fn requests_round_trip_and_bad_ones_are_named() {
        let r = Request {
            v: VERSION,
            op: Op::Token {
                name: "acc".into(),
                min_valid_secs: 60,
            },
        };
        let line = serde_json::to_vec(&r).unwrap();
        assert_eq!(parse_request(&line).unwrap(), r);
        for (bad, word) in [
            (&b"not json"[..], "not JSON"),
            (br#"{"op":"ping"}"#, "no version"),
            (br#"{"v":2,"op":"ping"}"#, "version 2"),
            (br#"{"v":1,"op":"shutdown"}"#, "not a request"),
            (br#"{"v":1,"op":"token"}"#, "not a request"),
        ] {
            let e = parse_request(bad).unwrap_err();
            assert!(e.to_string().contains(word), "{word}: {e}");
        }
        assert!(parse_request(&vec![b' '; 5000]).is_err());
    }

    #[test]
    fn errors_cross_the_socket_unchanged() {
        let errors = [
            Error::Api(ApiError::answered(
                ErrorKind::Auth,
                401,
                Some("AUTHENTICATION_ERROR".into()),
                "Invalid token",
            )),
            Error::NeedsLogin {
                name: "a".into(),
                reason: "refused".into(),
                api: None,
            },
            Error::OriginChanged {
                name: "a".into(),
                secret: "password".into(),
                change: "the address changed (https://a:443 → https://b:443)".into(),
            },
            Error::LifetimeTooShort {
                name: "a".into(),
                lifetime_secs: 120,
                works_secs: 103,
                asked_secs: 3600,
                revokes: true,
            },
            Error::KeychainLocked("locked".into()),
            Error::AccountNotFound("x".into()),
            Error::LockTimeout {
                name: "a".into(),
                secs: 90,
            },
            Error::io("/x", std::io::Error::other("disk full")),
            Error::Internal("a keychain task failed: panicked".into()),
        ];
        for e in errors {
            // Kept and shown again without rewording (the app's keychain banner).
            assert_eq!(e.clone().to_string(), e.to_string());
            let answer = Answer::error(&e);
            let back: Answer = serde_json::from_str(answer.line().trim_end()).unwrap();
            let rebuilt = Error::from(back.error.unwrap());
            assert_eq!(rebuilt.to_string(), e.to_string());
            assert_eq!(rebuilt.code(), e.code());
        }
    }
}
