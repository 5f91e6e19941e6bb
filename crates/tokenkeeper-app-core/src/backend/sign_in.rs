//! A person's sign-in to an OAuth 2.0 server from the window: the add form's and Log in's
//! [`LoginPrompt`]. The page to open (authorization code) or the code to type (device
//! authorization) becomes the overview's `sign_in`, so the window shows it while the add or
//! the login waits, with the page opened in the system browser, a Copy button for the code and
//! Cancel. One sign-in waits at a time per window; it is gone from the overview as soon as the
//! add or login ends, however it ends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration as Span, Utc};
use serde::Serialize;
use tokenkeeper_core::providers::oauth2::LoginPrompt;
use tokenkeeper_core::providers::oauth2::device::UserCode;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;
use url::Url;

use super::owner::bump;
use crate::error::{AppError, ErrorCode};

/// Opens a page in the system browser ([`crate::browser`]); a test's stand-in plays the
/// person.
pub trait Browser: Send + Sync + std::fmt::Debug {
    /// Opens `url`; the error says why no browser opened.
    fn open(&self, url: &Url) -> Result<(), String>;
}

/// The system's browser.
#[derive(Debug)]
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        crate::browser::open(url)
    }
}

/// What the person is asked to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignInStep {
    /// Sign in on the server's page, opened in the browser; it comes back by itself.
    Browser {
        /// The authorization page (no secret: the PKCE verifier never leaves this process).
        url: String,
    },
    /// Type this code at the verification page, on any device.
    DeviceCode {
        /// The code and where to type it.
        code: UserCode,
        /// When the code expires.
        expires_at: DateTime<Utc>,
    },
}

/// A sign-in waiting for the person, as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SignInView {
    /// The account being added or logged in.
    pub account: String,
    /// What to do; none while the server is asked (discovery, the device code).
    pub step: Option<SignInStep>,
    /// Why the browser did not open, when it did not (the page is then opened by hand).
    pub browser_error: Option<String>,
}

#[derive(Debug)]
struct Pending {
    serial: u64,
    view: SignInView,
    cancel: CancellationToken,
}

/// The window's sign-in, at most one at a time.
#[derive(Debug)]
pub struct SignIns {
    pending: Mutex<Option<Pending>>,
    serial: AtomicU64,
    changed: tokio::sync::watch::Sender<u64>,
    browser: Mutex<Arc<dyn Browser>>,
}

impl SignIns {
    /// No sign-in yet; changes bump `changed`.
    pub fn new(changed: tokio::sync::watch::Sender<u64>) -> Self {
        Self {
            pending: Mutex::new(None),
            serial: AtomicU64::new(0),
            changed,
            browser: Mutex::new(Arc::new(SystemBrowser)),
        }
    }

    /// Opens pages with `browser` from now on (tests play the person).
    pub fn set_browser(&self, browser: Arc<dyn Browser>) {
        if let Ok(mut b) = self.browser.lock() {
            *b = browser;
        }
    }

    fn browser(&self) -> Arc<dyn Browser> {
        self.browser
            .lock()
            .map(|b| Arc::clone(&b))
            .unwrap_or_else(|_| Arc::new(SystemBrowser))
    }

    /// Starts `account`'s sign-in: the prompt to hand to the core, and the guard whose drop
    /// ends it. Refused while another waits (one browser tab or code at a time).
    pub fn begin(self: &Arc<Self>, account: &str) -> Result<(Arc<WindowPrompt>, Guard), AppError> {
        let mut pending = self
            .pending
            .lock()
            .map_err(|_| AppError::new(ErrorCode::Internal, "the sign-in state is unusable"))?;
        if let Some(other) = pending.as_ref() {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "the sign-in for {} is still waiting: finish or cancel it first",
                    other.view.account
                ),
            ));
        }
        let serial = self.serial.fetch_add(1, Ordering::Relaxed) + 1;
        let cancel = CancellationToken::new();
        *pending = Some(Pending {
            serial,
            view: SignInView {
                account: account.to_owned(),
                step: None,
                browser_error: None,
            },
            cancel: cancel.clone(),
        });
        drop(pending);
        bump(&self.changed);
        let prompt = Arc::new(WindowPrompt {
            sign_ins: Arc::clone(self),
            serial,
            cancel,
        });
        let guard = Guard {
            sign_ins: Arc::clone(self),
            serial,
        };
        Ok((prompt, guard))
    }

    /// The sign-in waiting now, if any.
    pub fn current(&self) -> Option<SignInView> {
        self.pending
            .lock()
            .ok()
            .and_then(|p| p.as_ref().map(|p| p.view.clone()))
    }

    /// Cancels the waiting sign-in: its add or login fails with `sign_in_cancelled` and
    /// stores nothing. False when none waits.
    pub fn cancel(&self) -> bool {
        let cancel = self
            .pending
            .lock()
            .ok()
            .and_then(|p| p.as_ref().map(|p| p.cancel.clone()));
        cancel.map(|c| c.cancel()).is_some()
    }

    /// Opens the waiting sign-in's page again (the person closed the tab).
    pub fn open_again(&self) -> Result<(), AppError> {
        let page = self.current().and_then(|v| match v.step {
            Some(SignInStep::Browser { url }) => Url::parse(&url).ok(),
            Some(SignInStep::DeviceCode { code, .. }) => code
                .verification_uri_complete
                .or(Some(code.verification_uri)),
            None => None,
        });
        let page =
            page.ok_or_else(|| AppError::new(ErrorCode::NotFound, "no sign-in is waiting"))?;
        self.browser()
            .open(&page)
            .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("no browser opened: {e}")))
    }

    /// The code the waiting device sign-in asks for.
    pub fn code(&self) -> Option<String> {
        match self.current()?.step? {
            SignInStep::DeviceCode { code, .. } => Some(code.user_code),
            SignInStep::Browser { .. } => None,
        }
    }

    fn show(&self, serial: u64, step: SignInStep, page: &Url) {
        let opened = self.browser().open(page);
        if let Err(e) = &opened {
            tracing::warn!(error = %e, "no browser opened for the sign-in");
        }
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if let Some(p) = pending.as_mut().filter(|p| p.serial == serial) {
            p.view.step = Some(step);
            p.view.browser_error = opened.err();
        }
        drop(pending);
        bump(&self.changed);
    }

    fn end(&self, serial: u64) {
        let ended = self.pending.lock().is_ok_and(|mut p| {
            let mine = p.as_ref().is_some_and(|p| p.serial == serial);
            if mine {
                *p = None;
            }
            mine
        });
        if ended {
            bump(&self.changed);
        }
    }
}

/// The prompt the core calls while the person signs in.
#[derive(Debug)]
pub struct WindowPrompt {
    sign_ins: Arc<SignIns>,
    serial: u64,
    cancel: CancellationToken,
}

impl LoginPrompt for WindowPrompt {
    fn open_browser(&self, url: &Url) {
        let step = SignInStep::Browser {
            url: url.to_string(),
        };
        self.sign_ins.show(self.serial, step, url);
    }

    fn show_device_code(&self, code: &UserCode) {
        // The core caps `expires_in` (`device::MAX_EXPIRY`); checked again, not trusted.
        let expires_at = i64::try_from(code.expires_in)
            .ok()
            .and_then(Span::try_seconds)
            .and_then(|span| Utc::now().checked_add_signed(span))
            .unwrap_or_else(Utc::now);
        let page = code
            .verification_uri_complete
            .clone()
            .unwrap_or_else(|| code.verification_uri.clone());
        let step = SignInStep::DeviceCode {
            code: code.clone(),
            expires_at,
        };
        self.sign_ins.show(self.serial, step, &page);
    }

    fn cancellation(&self) -> Option<CancellationToken> {
        Some(self.cancel.clone())
    }
}

/// Ends its sign-in when dropped (the add or login is over).
#[derive(Debug)]
pub struct Guard {
    sign_ins: Arc<SignIns>,
    serial: u64,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.sign_ins.end(self.serial);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default)]
    struct Opened(Mutex<Vec<String>>);

    impl Browser for Opened {
        fn open(&self, url: &Url) -> Result<(), String> {
            self.0.lock().unwrap().push(url.to_string());
            Err("no display".to_owned())
        }
    }

    #[test]
    fn one_sign_in_at_a_time_shown_until_its_guard_drops_and_cancel_reaches_the_core() {
        let (changed, rx) = tokio::sync::watch::channel(0);
        let sign_ins = Arc::new(SignIns::new(changed));
        let opened = Arc::new(Opened::default());
        sign_ins.set_browser(opened.clone());
        let (prompt, guard) = sign_ins.begin("work").unwrap();
        let e = sign_ins.begin("other").unwrap_err();
        assert!(e.message.contains("work is still waiting"), "{}", e.message);
        let page = Url::parse("https://id.example.com/auth?state=s").unwrap();
        prompt.open_browser(&page);
        let view = sign_ins.current().unwrap();
        assert_eq!(view.account, "work");
        assert_eq!(
            view.step,
            Some(SignInStep::Browser {
                url: page.to_string()
            })
        );
        assert_eq!(view.browser_error.as_deref(), Some("no display"));
        assert_eq!(sign_ins.code(), None);
        sign_ins.open_again().unwrap_err();
        assert_eq!(opened.0.lock().unwrap().len(), 2, "opened, then again");
        let token = prompt.cancellation().unwrap();
        assert!(sign_ins.cancel());
        assert!(token.is_cancelled());
        drop(guard);
        assert_eq!(sign_ins.current(), None);
        assert!(!sign_ins.cancel(), "nothing left to cancel");
        assert!(
            *rx.borrow() >= 3,
            "begin, show and end each told the window"
        );
        // A late call of an ended prompt shows nothing.
        prompt.show_device_code(&UserCode {
            user_code: "WDJB-MJHT".into(),
            verification_uri: Url::parse("https://id.example.com/device").unwrap(),
            verification_uri_complete: None,
            expires_in: 600,
        });
        assert_eq!(sign_ins.current(), None);
        let (prompt, _guard) = sign_ins.begin("next").unwrap();
        prompt.show_device_code(&UserCode {
            user_code: "WDJB-MJHT".into(),
            verification_uri: Url::parse("https://id.example.com/device").unwrap(),
            verification_uri_complete: None,
            expires_in: 600,
        });
        assert_eq!(sign_ins.code().as_deref(), Some("WDJB-MJHT"));
        let Some(SignInStep::DeviceCode { expires_at, .. }) = sign_ins.current().unwrap().step
        else {
            panic!("a device code");
        };
        let left = expires_at - Utc::now();
        assert!(
            left > Span::seconds(590) && left <= Span::seconds(600),
            "{left}"
        );
        // A lifetime no clock can add is shown as expiring now, not a panic in the window.
        prompt.show_device_code(&UserCode {
            user_code: "WDJB-MJHT".into(),
            verification_uri: Url::parse("https://id.example.com/device").unwrap(),
            verification_uri_complete: None,
            expires_in: u64::MAX,
        });
        let Some(SignInStep::DeviceCode { expires_at, .. }) = sign_ins.current().unwrap().step
        else {
            panic!("a device code");
        };
        assert!(expires_at <= Utc::now(), "{expires_at}");
        assert_eq!(
            opened.0.lock().unwrap().last().map(String::as_str),
            Some("https://id.example.com/device")
        );
    }
}
