//! The tray menu as a plain model, for whichever process draws it (the background, over
//! StatusNotifierItem). Linux tray icons get few click events, so everything is in the menu:
//!
//! ```text
//! All 3 accounts fresh                      (the worst state, at a glance)
//! ───
//! redis-prod · 12 min left              ▸   Copy token / Refresh now
//! …                                         (problems first, then by time left)
//! ───
//! Refresh all
//! Open TokenKeeper
//! ───
//! Quit
//! ```
//!
//! Up to [`MAX_ACCOUNTS`] accounts, all are listed (problems first). Past that the menu stays
//! usable: the accounts with a problem, then the ones the user pinned (`tokenkeeper pin NAME`),
//! at most [`MAX_ACCOUNTS`] in all, then "N more in the window".
//! Ids parse back into [`TrayAction`]s, so both are tested without a display.

use chrono::{DateTime, Utc};
use tokenkeeper_core::store::state::Status;

use crate::dto::AccountRow;

/// Accounts listed in the menu; the rest are one entry that opens the window.
pub const MAX_ACCOUNTS: usize = 15;

/// What a menu entry does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrayAction {
    /// Open (or focus) the window.
    Open,
    /// Copy this account's token (by id).
    Copy(String),
    /// Refresh this account now (by id).
    Refresh(String),
    /// Refresh every account now.
    RefreshAll,
    /// Quit: the background stops, and the window closes with it.
    Quit,
}

impl TrayAction {
    /// The menu id of this action.
    pub fn id(&self) -> String {
        match self {
            Self::Open => "open".to_owned(),
            Self::Copy(account) => format!("copy:{account}"),
            Self::Refresh(account) => format!("refresh:{account}"),
            Self::RefreshAll => "refresh-all".to_owned(),
            Self::Quit => "quit".to_owned(),
        }
    }

    /// The action of a menu id.
    pub fn parse(id: &str) -> Option<Self> {
        let account = |prefix: &str| {
            id.strip_prefix(prefix)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
        };
        match id {
            "open" => Some(Self::Open),
            "refresh-all" => Some(Self::RefreshAll),
            "quit" => Some(Self::Quit),
            _ => account("copy:")
                .map(Self::Copy)
                .or_else(|| account("refresh:").map(Self::Refresh)),
        }
    }
}

/// One entry of the menu model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A clickable item.
    Item {
        /// What it does.
        action: TrayAction,
        /// Its label.
        label: String,
    },
    /// Text that cannot be clicked.
    Label(String),
    /// An account: its submenu.
    Account {
        /// "name · 12 min left".
        label: String,
        /// Copy token, Refresh now.
        items: Vec<Entry>,
    },
    /// A line.
    Separator,
}

/// How bad a state is (higher is worse), for "problems first" and the summary.
fn severity(status: Status) -> u8 {
    match status {
        Status::NeedsLogin => 4,
        Status::Expired => 3,
        Status::Error => 2,
        Status::Expiring => 1,
        Status::Fresh => 0,
    }
}

/// Whether the user should look (shown as the tray's attention state).
pub fn needs_attention(rows: &[AccountRow]) -> bool {
    rows.iter().any(|r| severity(r.view.status) >= 2)
}

/// The summary line: the worst state at a glance.
pub fn summary(rows: &[AccountRow]) -> String {
    let count = |s: Status| rows.iter().filter(|r| r.view.status == s).count();
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let login = count(Status::NeedsLogin);
    let failing = count(Status::Error) + count(Status::Expired);
    match (rows.len(), login, failing) {
        (0, _, _) => "No accounts yet".to_owned(),
        (_, 0, 0) if rows.len() == 1 => "1 account, fresh".to_owned(),
        (n, 0, 0) => format!("All {n} accounts fresh"),
        (_, 0, f) => format!("{} failing", plural(f, "account", "accounts")),
        (_, l, 0) => format!("{} to log in", plural(l, "account", "accounts")),
        (_, l, f) => format!(
            "{} to log in, {} failing",
            plural(l, "account", "accounts"),
            f
        ),
    }
}

/// "12 min left", "2 h 5 min left", "expired", "needs login".
pub fn time_left(row: &AccountRow, now: DateTime<Utc>) -> String {
    // Until the token stops working: for an API whose refresh revokes it, the next refresh.
    match (
        row.view.status,
        row.view.valid_until.or(row.view.expires_at),
    ) {
        (Status::NeedsLogin, _) => "needs login".to_owned(),
        (_, Some(at)) if at > now => {
            let secs = (at - now).num_seconds();
            match secs {
                s if s < 60 => format!("{s} s left"),
                s if s < 3600 => format!("{} min left", s / 60),
                s => format!("{} h {} min left", s / 3600, (s % 3600) / 60),
            }
        }
        (Status::Error, _) => "failing".to_owned(),
        _ => "expired".to_owned(),
    }
}

/// The menu for these accounts at `now`.
pub fn model(rows: &[AccountRow], now: DateTime<Utc>) -> Vec<Entry> {
    let mut sorted: Vec<&AccountRow> = rows.iter().collect();
    sorted.sort_by_key(|r| {
        (
            std::cmp::Reverse(severity(r.view.status)),
            r.view
                .valid_until
                .or(r.view.expires_at)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        )
    });
    if rows.len() > MAX_ACCOUNTS {
        // Among many, only what asks for attention or was pinned; pinned ones after problems.
        sorted.retain(|r| severity(r.view.status) >= 2 || r.view.pinned);
        sorted.sort_by_key(|r| (severity(r.view.status) < 2, !r.view.pinned));
    }
    let listed = sorted.len().min(MAX_ACCOUNTS);
    let mut menu = vec![Entry::Label(summary(rows)), Entry::Separator];
    for row in sorted.iter().take(MAX_ACCOUNTS) {
        let id = row.view.id.to_string();
        menu.push(Entry::Account {
            label: format!("{} · {}", row.view.name, time_left(row, now)),
            items: vec![
                Entry::Item {
                    action: TrayAction::Copy(id.clone()),
                    label: "Copy token".to_owned(),
                },
                Entry::Item {
                    action: TrayAction::Refresh(id),
                    label: "Refresh now".to_owned(),
                },
            ],
        });
    }
    if rows.len() > listed {
        menu.push(Entry::Item {
            action: TrayAction::Open,
            label: format!("{} more in the window…", rows.len() - listed),
        });
    }
    if !rows.is_empty() {
        menu.push(Entry::Separator);
        menu.push(Entry::Item {
            action: TrayAction::RefreshAll,
            label: "Refresh all".to_owned(),
        });
    }
    menu.push(Entry::Item {
        action: TrayAction::Open,
        label: "Open TokenKeeper".to_owned(),
    });
    menu.push(Entry::Separator);
    menu.push(Entry::Item {
        action: TrayAction::Quit,
        label: "Quit".to_owned(),
    });
    menu
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use chrono::TimeDelta;
    use tokenkeeper_core::ProviderKind;
    use tokenkeeper_core::keeper::AccountView;
    use tokenkeeper_core::store::state::AccountState;
    use tokenkeeper_core::testing::TestAccount;

    use super::*;

    fn row(name: &str, status: Status, left: Option<i64>, now: DateTime<Utc>) -> AccountRow {
        let account = TestAccount::new(name, ProviderKind::RedisEnterprise)
            .created_at(now)
            .build();
        let mut view = AccountView::new(&account, &AccountState::default(), now, None);
        view.status = status;
        view.expires_at = left.map(|s| now + TimeDelta::seconds(s));
        view.valid_until = view.expires_at;
        AccountRow {
            view,
            refreshing: false,
        }
    }

    fn labels(menu: &[Entry]) -> Vec<String> {
        menu.iter()
            .map(|e| match e {
                Entry::Item { label, .. } | Entry::Label(label) | Entry::Account { label, .. } => {
                    label.clone()
                }
                Entry::Separator => "---".to_owned(),
            })
            .collect()
    }

    #[test]
    fn every_action_id_parses_back_and_strangers_do_not() {
        for action in [
            TrayAction::Open,
            TrayAction::Copy("4d6f".into()),
            TrayAction::Refresh("4d6f".into()),
            TrayAction::RefreshAll,
            TrayAction::Quit,
        ] {
            assert_eq!(TrayAction::parse(&action.id()), Some(action));
        }
        for id in ["", "copy:", "refresh:", "copy-token", "QUIT", "open "] {
            assert_eq!(TrayAction::parse(id), None, "{id:?}");
        }
    }

    #[test]
    fn an_empty_list_still_opens_and_quits() {
        let m = model(&[], Utc::now());
        assert_eq!(
            labels(&m),
            ["No accounts yet", "---", "Open TokenKeeper", "---", "Quit"]
        );
    }

    #[test]
    fn problems_come_first_then_the_soonest_to_expire_with_time_left() {
        let now = Utc::now();
        let rows = [
            row("late", Status::Fresh, Some(7500), now),
            row("soon", Status::Expiring, Some(90), now),
            row("locked", Status::NeedsLogin, None, now),
            row("broken", Status::Error, Some(30), now),
        ];
        let m = model(&rows, now);
        assert_eq!(
            labels(&m),
            [
                "1 account to log in, 1 failing",
                "---",
                "locked · needs login",
                "broken · 30 s left",
                "soon · 1 min left",
                "late · 2 h 5 min left",
                "---",
                "Refresh all",
                "Open TokenKeeper",
                "---",
                "Quit"
            ]
        );
        assert!(needs_attention(&rows));
        assert!(!needs_attention(&rows[..2]));
        let Entry::Account { items, .. } = &m[2] else {
            panic!("an account entry");
        };
        assert_eq!(
            items
                .iter()
                .filter_map(|e| match e {
                    Entry::Item { action, .. } => Some(action.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            [
                TrayAction::Copy(rows[2].view.id.to_string()),
                TrayAction::Refresh(rows[2].view.id.to_string())
            ]
        );
    }

    #[test]
    fn two_hundred_accounts_list_the_problems_then_the_pinned_and_send_the_rest_to_the_window() {
        let now = Utc::now();
        let mut rows: Vec<AccountRow> = (0..200)
            .map(|i| row(&format!("a{i:03}"), Status::Fresh, Some(3600 + i), now))
            .collect();
        rows[150].view.status = Status::NeedsLogin;
        rows[7].view.pinned = true;
        rows[199].view.pinned = true;
        rows[42].view.status = Status::Error;
        let m = model(&rows, now);
        let l = labels(&m);
        assert_eq!(l[0], "1 account to log in, 1 failing");
        let accounts: Vec<&String> = l.iter().filter(|s| s.contains(" · ")).collect();
        assert_eq!(
            accounts,
            [
                "a150 · needs login",
                "a042 · 1 h 0 min left",
                "a007 · 1 h 0 min left",
                "a199 · 1 h 3 min left"
            ],
            "problems, then the pinned: not 200 entries"
        );
        assert!(l.contains(&"196 more in the window…".to_owned()), "{l:?}");
        assert!(l.contains(&"Open TokenKeeper".to_owned()), "{l:?}");
        // Many problems still stop at MAX_ACCOUNTS.
        let mut failing = rows.clone();
        for r in &mut failing {
            r.view.status = Status::Error;
        }
        let many = model(&failing, now);
        assert_eq!(
            many.iter()
                .filter(|e| matches!(e, Entry::Account { .. }))
                .count(),
            MAX_ACCOUNTS
        );
        assert_eq!(summary(&rows[..1]), "1 account, fresh");
        assert_eq!(summary(&rows[..3]), "All 3 accounts fresh");
    }
}
