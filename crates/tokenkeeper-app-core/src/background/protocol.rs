//! The window ↔ background protocol: one JSON request line, JSON answer lines, versioned. No
//! answer ever carries a token: Copy answers what the window shows (expiry, fingerprint, clear
//! delay), as the in-process Copy does.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::Copied;
use crate::error::AppError;

/// The protocol version; a peer speaking another is treated as absent.
pub const VERSION: u32 = 1;
/// The longest request line read.
pub const MAX_REQUEST: usize = 4096;

/// What the window asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// [`VERSION`].
    pub v: u32,
    /// The operation.
    #[serde(flatten)]
    pub op: Op,
}

/// What Copy puts on the clipboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyForm {
    /// The token alone.
    #[default]
    Token,
    /// `Authorization: <scheme> <token>`, the scheme the account's API wants.
    Header,
}

impl CopyForm {
    fn is_token(&self) -> bool {
        *self == Self::Token
    }
}

/// The operations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Who serves, and whether its tray shows.
    Status,
    /// Status, then one line per change until the background stops.
    Watch,
    /// Copy this account's token (by id), with the background's clipboard rules.
    Copy {
        /// The account's id.
        id: String,
        /// The token alone (the default, and what an older window asks) or the whole header.
        #[serde(default, skip_serializing_if = "CopyForm::is_token")]
        form: CopyForm,
    },
    /// Refresh this account now, in the background's engine.
    Refresh {
        /// The account's id.
        id: String,
    },
}

/// Whether the background's tray icon shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TrayState {
    /// Not known yet (the tray is being set up).
    Starting,
    /// In the desktop's tray.
    Shown,
    /// The desktop has no StatusNotifierItem host (GNOME without an extension, a bare X
    /// session): no tray; the window is the way in.
    Unavailable,
    /// Turned off (`tokenkeeper daemon --no-tray`), or no session bus.
    Off,
}

/// The background as it describes itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Its process id.
    pub pid: u32,
    /// Its version (a window of another version still works with it; shown in logs).
    pub version: String,
    /// Its tray.
    pub tray: TrayState,
}

/// A line of a watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Something the window shows changed (accounts, states, the tray).
    Changed,
    /// The background is stopping because the user quit it: the window closes too.
    Quitting,
}

/// An answer line.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Answer {
    /// [`VERSION`].
    pub v: u32,
    /// Status (to `status` and first to `watch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// What Copy did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied: Option<Copied>,
    /// A watch's event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
    /// The request failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AppError>,
    /// Done, nothing to say (Refresh).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub done: bool,
}

impl Answer {
    fn new() -> Self {
        Self {
            v: VERSION,
            ..Self::default()
        }
    }

    /// A status.
    pub fn status(status: Status) -> Self {
        Self {
            status: Some(status),
            ..Self::new()
        }
    }

    /// What Copy did.
    pub fn copied(copied: Copied) -> Self {
        Self {
            copied: Some(copied),
            ..Self::new()
        }
    }

    /// An event.
    pub fn event(event: Event) -> Self {
        Self {
            event: Some(event),
            ..Self::new()
        }
    }

    /// An error.
    pub fn error(error: AppError) -> Self {
        Self {
            error: Some(error),
            ..Self::new()
        }
    }

    /// Done.
    pub fn done() -> Self {
        Self {
            done: true,
            ..Self::new()
        }
    }

    /// The answer as a line.
    pub fn line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned());
        line.push('\n');
        line
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn requests_read_as_documented_and_strangers_do_not() {
        let copy: Request = serde_json::from_str(r#"{"v":1,"op":"copy","id":"abc"}"#).unwrap();
        assert_eq!(
            copy.op,
            Op::Copy {
                id: "abc".into(),
                form: CopyForm::Token
            }
        );
        let watch: Request = serde_json::from_str(r#"{"v":1,"op":"watch"}"#).unwrap();
        assert_eq!(watch.op, Op::Watch);
        for bad in [
            r#"{"v":1,"op":"token","name":"x"}"#,
            r#"{"v":1,"op":"copy"}"#,
            r#"{"op":"status"}"#,
            "null",
        ] {
            assert!(serde_json::from_str::<Request>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_answer_is_one_line_with_only_what_it_says() {
        let line = Answer::event(Event::Quitting).line();
        assert_eq!(line, "{\"v\":1,\"event\":\"quitting\"}\n");
        let back: Answer = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(back.event, Some(Event::Quitting));
        assert!(!back.done && back.error.is_none());
    }
}
