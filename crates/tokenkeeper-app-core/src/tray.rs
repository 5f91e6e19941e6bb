//! The tray menu as a plain model: Show window, Copy token ▸ one entry per account, Refresh
//! all, Quit. Linux tray icons get no click events, so everything is in the menu. Its ids parse
//! back into [`TrayAction`]s, so both are tested without a display; whichever process draws
//! the tray runs the actions through the same backend functions as the window's buttons.

use crate::dto::AccountRow;

/// What a menu entry does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrayAction {
    /// Open (or focus) the main window.
    Show,
    /// Copy this account's token (by id).
    Copy(String),
    /// Refresh every account now.
    RefreshAll,
    /// Quit the app (clearing the clipboard if it holds our token).
    Quit,
}

impl TrayAction {
    /// The menu id of this action.
    pub fn id(&self) -> String {
        match self {
            Self::Show => "show".to_owned(),
            Self::Copy(account) => format!("copy:{account}"),
            Self::RefreshAll => "refresh-all".to_owned(),
            Self::Quit => "quit".to_owned(),
        }
    }

    /// The action of a menu id.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "show" => Some(Self::Show),
            "refresh-all" => Some(Self::RefreshAll),
            "quit" => Some(Self::Quit),
            _ => id
                .strip_prefix("copy:")
                .filter(|a| !a.is_empty())
                .map(|a| Self::Copy(a.to_owned())),
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
        /// Clickable.
        enabled: bool,
    },
    /// The "Copy token" submenu.
    Accounts(Vec<Entry>),
    /// A line.
    Separator,
}

/// The menu for these accounts.
pub fn model(rows: &[AccountRow]) -> Vec<Entry> {
    let item = |action, label: &str| Entry::Item {
        action,
        label: label.to_owned(),
        enabled: true,
    };
    let accounts = if rows.is_empty() {
        vec![Entry::Item {
            action: TrayAction::Show,
            label: "No accounts yet: add one in the window".to_owned(),
            enabled: false,
        }]
    } else {
        rows.iter()
            .map(|r| Entry::Item {
                action: TrayAction::Copy(r.view.id.to_string()),
                label: format!("{} ({})", r.view.name, r.view.provider.id()),
                enabled: true,
            })
            .collect()
    };
    vec![
        item(TrayAction::Show, "Show window"),
        Entry::Accounts(accounts),
        item(TrayAction::RefreshAll, "Refresh all"),
        Entry::Separator,
        item(TrayAction::Quit, "Quit"),
    ]
}

#[cfg(test)]
mod tests {
    use super::{Entry, TrayAction, model};

    #[test]
    fn every_action_id_parses_back_and_strangers_do_not() {
        for action in [
            TrayAction::Show,
            TrayAction::Copy("4d6f…".into()),
            TrayAction::RefreshAll,
            TrayAction::Quit,
        ] {
            assert_eq!(TrayAction::parse(&action.id()), Some(action));
        }
        for id in ["", "copy:", "copy-token", "QUIT", "show "] {
            assert_eq!(TrayAction::parse(id), None, "{id:?}");
        }
    }

    #[test]
    fn an_empty_list_still_has_show_refresh_all_and_quit() {
        let m = model(&[]);
        let labels: Vec<String> = m
            .iter()
            .filter_map(|e| match e {
                Entry::Item { label, .. } => Some(label.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(labels, ["Show window", "Refresh all", "Quit"]);
        assert!(
            matches!(&m[1], Entry::Accounts(items) if matches!(&items[..], [Entry::Item { enabled: false, .. }]))
        );
    }
}
