//! The agent's wire format: one request line, answer lines, JSON, versioned.
//!
//! Request: `{"v":1,"op":"token","name":"NAME","min_valid_secs":60}` (or `{"v":1,"op":"ping"}`).
//! Answers: `{"v":1,"wait":true}` at once when the answer may take a while (a refresh), then
//! `{"v":1,"token":{"token":"…","expires_at":"…","fingerprint":"…"}}` or
//! `{"v":1,"error":{"kind":…}}` (the core [`Error`] in its own serde form, rebuilt exactly, so
//! the CLI prints the same words and exits with the same code either way), or `{"v":1,"pong":true}`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;

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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Answer {
    /// Protocol version.
    pub v: u32,
    /// The answer will take a while; another line follows.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wait: bool,
    /// The token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<WireToken>,
    /// Why there is none: the core's error, whole (its own serde).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
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
            error: Some(error.clone()),
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
            Error::Credentials(crate::error::CredentialProblem::NoUsername {
                provider: crate::ProviderKind::Ece,
            }),
            Error::FileVersion {
                path: "/c.json".into(),
                found: 9,
                supported: 2,
            },
        ];
        for e in errors {
            // Kept and shown again without rewording (the app's keychain banner).
            assert_eq!(e.clone().to_string(), e.to_string());
            let answer = Answer::error(&e);
            let back: Answer = serde_json::from_str(answer.line().trim_end()).unwrap();
            let rebuilt = back.error.unwrap();
            assert_eq!(rebuilt.to_string(), e.to_string());
            assert_eq!(rebuilt.code(), e.code());
            assert_eq!(rebuilt.exit_code(), e.exit_code());
        }
    }

    /// What agents of the previous version send (its own `WireError` form) still reads as the
    /// same error: an upgraded CLI asking a background started before the upgrade.
    #[test]
    fn errors_from_an_agent_of_the_previous_version_still_read() {
        for (line, code, words) in [
            (
                r#"{"v":1,"error":{"kind":"keychain_locked","message":"locked"}}"#,
                "keychain_locked",
                "keychain locked (locked): unlock it and retry",
            ),
            (
                r#"{"v":1,"error":{"kind":"account_not_found","name":"x"}}"#,
                "account_not_found",
                "no account named \"x\" (see `tokenkeeper list`)",
            ),
            (
                r#"{"v":1,"error":{"kind":"io","path":"/x","message":"disk full"}}"#,
                "io",
                "/x: disk full",
            ),
            (
                r#"{"v":1,"error":{"kind":"needs_login","name":"a","reason":"refused","api":null}}"#,
                "needs_login",
                "account \"a\" needs login: refused",
            ),
            (
                r#"{"v":1,"error":{"kind":"api","api":{"kind":"auth","status":401,"code":"AUTHENTICATION_ERROR","message":"Invalid token"}}}"#,
                "api_auth",
                "HTTP 401 AUTHENTICATION_ERROR: Invalid token",
            ),
            (
                r#"{"v":1,"error":{"kind":"invalid_input","message":"agent: the request is not JSON"}}"#,
                "invalid_input",
                "agent: the request is not JSON",
            ),
            (
                r#"{"v":1,"error":{"kind":"lock_timeout","name":"a","secs":90}}"#,
                "lock_timeout",
                "timed out after 90 s waiting for another TokenKeeper process to finish refreshing \"a\"",
            ),
        ] {
            let answer: Answer = serde_json::from_str(line).unwrap();
            let e = answer.error.unwrap();
            assert_eq!(e.code(), code, "{line}");
            assert_eq!(e.to_string(), words, "{line}");
            // And this version writes the same line.
            assert_eq!(Answer::error(&e).line().trim_end(), line);
        }
    }
}
