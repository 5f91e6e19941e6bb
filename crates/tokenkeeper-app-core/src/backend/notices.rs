//! Which changes deserve a desktop notification: an account that starts failing, one that
//! needs login, and one whose refresh token or session reaches its hard limit within ten
//! minutes (when no stored password can log in again: the caller checks that, it needs the
//! keychain). Pure: fed each new list of accounts, it says what to tell, once per occurrence.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use tokenkeeper_core::account::AccountId;
use tokenkeeper_core::store::state::Status;

use crate::dto::AccountRow;

/// Warn this long before a hard limit.
pub const HARD_LIMIT_WARNING: TimeDelta = TimeDelta::minutes(10);

/// What to tell the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The account's refresh failed (it is retried).
    Failed {
        /// Account.
        id: AccountId,
        /// Its name.
        name: String,
        /// The error in the API's words.
        error: String,
    },
    /// The account needs a new password or token.
    NeedsLogin {
        /// Account.
        id: AccountId,
        /// Its name.
        name: String,
        /// Why.
        error: String,
    },
    /// The refresh token or session ends soon; tell only if no password is stored.
    HardLimitSoon {
        /// Account.
        id: AccountId,
        /// Its name.
        name: String,
        /// When it ends.
        at: DateTime<Utc>,
    },
}

impl Notice {
    /// Title and body of the notification.
    pub fn text(&self, now: DateTime<Utc>) -> (String, String) {
        match self {
            Self::Failed { name, error, .. } => (
                format!("{name}: refresh failed"),
                format!("{error}. TokenKeeper retries by itself."),
            ),
            Self::NeedsLogin { name, error, .. } => (
                format!("{name} needs login"),
                format!("{error}. Open TokenKeeper and choose Log in."),
            ),
            Self::HardLimitSoon { name, at, .. } => {
                let minutes = (*at - now).num_minutes().max(0);
                (
                    format!("{name}: session ends in {minutes} min"),
                    "Its refresh token reaches its hard limit and no password is stored to log in again. Open TokenKeeper and choose Log in.".to_owned(),
                )
            }
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Seen {
    status: Option<Status>,
    warned_for: Option<DateTime<Utc>>,
}

/// Remembers what was told.
#[derive(Debug, Default)]
pub struct Notifier {
    seen: HashMap<AccountId, Seen>,
}

fn error_text(row: &AccountRow) -> String {
    match &row.view.last_error {
        Some(e) => {
            let mut text = String::new();
            if let Some(status) = e.status {
                text.push_str(&format!("{status} "));
            }
            if let Some(code) = &e.code {
                text.push_str(&format!("{code}: "));
            }
            text.push_str(e.message.trim_end_matches('.'));
            text
        }
        None => "no details".to_owned(),
    }
}

impl Notifier {
    /// What to tell about this list of accounts, given what was seen before.
    pub fn observe(&mut self, rows: &[AccountRow], now: DateTime<Utc>) -> Vec<Notice> {
        let mut out = Vec::new();
        self.seen
            .retain(|id, _| rows.iter().any(|r| r.view.id == *id));
        for row in rows {
            let (id, name) = (row.view.id, row.view.name.clone());
            let seen = self.seen.entry(id).or_default();
            let status = row.view.status;
            let became = seen.status != Some(status);
            match status {
                Status::NeedsLogin if became => out.push(Notice::NeedsLogin {
                    id,
                    name: name.clone(),
                    error: error_text(row),
                }),
                Status::Error if became && seen.status.is_some() => out.push(Notice::Failed {
                    id,
                    name: name.clone(),
                    error: error_text(row),
                }),
                _ => {}
            }
            seen.status = Some(status);
            if let Some(at) = row.view.refresh_expires_at
                && at > now
                && at - now <= HARD_LIMIT_WARNING
                && seen.warned_for != Some(at)
                && status != Status::NeedsLogin
            {
                seen.warned_for = Some(at);
                out.push(Notice::HardLimitSoon { id, name, at });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, Utc};
    use tokenkeeper_core::ProviderKind;
    use tokenkeeper_core::account::AccountId;
    use tokenkeeper_core::keeper::AccountView;
    use tokenkeeper_core::store::state::{AccountState, LastError, Status};
    use tokenkeeper_core::testing::TestAccount;

    use super::{Notice, Notifier};
    use crate::dto::AccountRow;

    fn row(id: AccountId, status: Status) -> AccountRow {
        let account = TestAccount::new("acc", ProviderKind::Smartling)
            .id(id)
            .build();
        let mut view = AccountView::new(&account, &AccountState::default(), Utc::now(), None);
        view.status = status;
        view.last_error = Some(LastError {
            status: Some(401),
            code: Some("AUTHENTICATION_ERROR".into()),
            message: "Invalid token".into(),
            kind: None,
            certificate: None,
            at: Utc::now(),
        });
        AccountRow {
            view,
            refreshing: false,
        }
    }

    #[test]
    fn tells_each_failure_and_needs_login_once_when_it_starts() {
        let id = AccountId::generate();
        let mut n = Notifier::default();
        let now = Utc::now();
        assert!(n.observe(&[row(id, Status::Fresh)], now).is_empty());
        let told = n.observe(&[row(id, Status::Error)], now);
        assert!(
            matches!(&told[..], [Notice::Failed { error, .. }] if error == "401 AUTHENTICATION_ERROR: Invalid token"),
            "{told:?}"
        );
        assert!(n.observe(&[row(id, Status::Error)], now).is_empty(), "once");
        let told = n.observe(&[row(id, Status::NeedsLogin)], now);
        assert!(matches!(&told[..], [Notice::NeedsLogin { .. }]), "{told:?}");
        assert!(n.observe(&[row(id, Status::NeedsLogin)], now).is_empty());
        // An account already failing when the app starts is not news; needing login is.
        let mut fresh = Notifier::default();
        assert!(fresh.observe(&[row(id, Status::Error)], now).is_empty());
        let mut fresh = Notifier::default();
        assert_eq!(fresh.observe(&[row(id, Status::NeedsLogin)], now).len(), 1);
    }

    #[test]
    fn warns_once_per_hard_limit_within_ten_minutes() {
        let id = AccountId::generate();
        let mut n = Notifier::default();
        let now = Utc::now();
        let mut r = row(id, Status::Fresh);
        r.view.refresh_expires_at = Some(now + TimeDelta::minutes(11));
        assert!(n.observe(std::slice::from_ref(&r), now).is_empty());
        r.view.refresh_expires_at = Some(now + TimeDelta::minutes(9));
        let told = n.observe(std::slice::from_ref(&r), now);
        assert!(
            matches!(&told[..], [Notice::HardLimitSoon { .. }]),
            "{told:?}"
        );
        assert!(n.observe(std::slice::from_ref(&r), now).is_empty());
        let (title, _) = told[0].text(now);
        assert!(title.contains("9 min"), "{title}");
    }
}
