//! The one table of what each failure is to its consumers: the stable machine code (scripts'
//! `--json`, the UI), the CLI's exit status, and what the app's UI does about it. Adding an
//! [`Error`] variant is one arm here (the compiler asks for it); its words are in its
//! `#[error]` and its wire form in its serde attributes, both beside the variant.

use serde::{Deserialize, Serialize};

use super::{Error, ErrorKind};

/// What the app's UI does about an error (its `AppError.code`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The API refused the credentials or token: the form focuses the secret.
    Auth,
    /// The account needs a new password or token: offer Log in.
    NeedsLogin,
    /// The server's certificate was refused: show what it presented, offer to trust it.
    Certificate,
    /// The API could not be reached, or failed otherwise: its words are shown, and `kind` says
    /// whether it is retried (transient), the settings are wrong (config) or the answer was
    /// unusable (protocol). (Older backgrounds said `unreachable`, `settings`, `bad_answer`.)
    #[serde(alias = "unreachable", alias = "settings", alias = "bad_answer")]
    Api,
    /// The keychain is missing or locked: a banner names the fix.
    Keychain,
    /// The form or request is not usable as it is (a taken name too): fix it and save again.
    #[serde(alias = "exists")]
    InvalidInput,
    /// No such account (it was removed meanwhile): the next overview drops it.
    NotFound,
    /// This machine failed: a file, a lock another process held too long, the clipboard. The
    /// message says which; trying again may help. (Older: `files`, `busy`, `clipboard`.)
    #[serde(alias = "files", alias = "busy", alias = "clipboard")]
    Local,
    /// The background process (which refreshes, copies and draws the tray) is not reachable.
    Background,
    /// A bug of ours: said as such, with the words to report it.
    Internal,
}

/// The CLI's exit statuses, one per class of failure (the README's table).
pub mod exit {
    /// Anything else (a file, a lock held too long, a bug).
    pub const OTHER: u8 = 1;
    /// Bad input: a flag, a name, a secret that does not fit.
    pub const INVALID_INPUT: u8 = 2;
    /// The account needs a login.
    pub const NEEDS_LOGIN: u8 = 3;
    /// The keychain is missing or locked.
    pub const KEYCHAIN: u8 = 4;
    /// A temporary failure (network, 5xx, 429): try again later.
    pub const TRANSIENT: u8 = 5;
    /// The API refused (settings, credentials, an unusable answer).
    pub const API: u8 = 6;
    /// The account's server or trust changed: its secrets were deleted, log in again.
    pub const ORIGIN_CHANGED: u8 = 7;
    /// The API's tokens do not live as long as asked.
    pub const LIFETIME_TOO_SHORT: u8 = 8;
}

/// What a failure is to each consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Class {
    /// The stable machine code.
    pub code: &'static str,
    /// The CLI's exit status.
    pub exit: u8,
    /// What the UI does (a refused certificate is [`ErrorCode::Certificate`] whatever the
    /// variant: see [`Error::ui_code`]).
    pub ui: ErrorCode,
}

const fn class(code: &'static str, exit: u8, ui: ErrorCode) -> Class {
    Class { code, exit, ui }
}

impl Error {
    /// The table.
    pub fn class(&self) -> Class {
        use ErrorCode as Ui;
        match self {
            Self::Api(e) => match e.kind {
                ErrorKind::Auth => class("api_auth", exit::API, Ui::Auth),
                ErrorKind::Transient => class("api_transient", exit::TRANSIENT, Ui::Api),
                ErrorKind::Config => class("api_config", exit::API, Ui::Api),
                ErrorKind::Protocol => class("api_protocol", exit::API, Ui::Api),
            },
            Self::NeedsLogin { .. } => class("needs_login", exit::NEEDS_LOGIN, Ui::NeedsLogin),
            Self::OriginChanged { .. } => {
                class("origin_changed", exit::ORIGIN_CHANGED, Ui::NeedsLogin)
            }
            Self::LifetimeTooShort { .. } => class(
                "lifetime_too_short",
                exit::LIFETIME_TOO_SHORT,
                Ui::InvalidInput,
            ),
            Self::KeychainUnavailable(_) => {
                class("keychain_unavailable", exit::KEYCHAIN, Ui::Keychain)
            }
            Self::KeychainLocked(_) => class("keychain_locked", exit::KEYCHAIN, Ui::Keychain),
            Self::Keychain(_) => class("keychain_error", exit::KEYCHAIN, Ui::Keychain),
            Self::FileCorrupt { .. } => class("file_corrupt", exit::OTHER, Ui::Local),
            Self::FileVersion { .. } => class("file_version", exit::OTHER, Ui::Local),
            Self::Io { .. } => class("io", exit::OTHER, Ui::Local),
            Self::AccountNotFound(_) => {
                class("account_not_found", exit::INVALID_INPUT, Ui::NotFound)
            }
            Self::AccountExists(_) => {
                class("account_exists", exit::INVALID_INPUT, Ui::InvalidInput)
            }
            Self::InvalidInput(_) | Self::Credentials(_) => {
                class("invalid_input", exit::INVALID_INPUT, Ui::InvalidInput)
            }
            Self::LockTimeout { .. } => class("lock_timeout", exit::OTHER, Ui::Local),
            Self::Internal(_) => class("internal", exit::OTHER, Ui::Internal),
        }
    }

    /// Stable machine code, for scripts (`--json`) and the UI.
    pub fn code(&self) -> &'static str {
        self.class().code
    }

    /// The CLI's exit status for this failure.
    pub fn exit_code(&self) -> u8 {
        self.class().exit
    }

    /// What the app's UI does about it: the certificate prompt when a certificate was refused,
    /// else the table's.
    pub fn ui_code(&self) -> ErrorCode {
        if self.api().is_some_and(|a| a.certificate.is_some()) {
            ErrorCode::Certificate
        } else {
            self.class().ui
        }
    }
}
