//! The plugin's token table (`wp_jwt_auth_tokens`) as the real server keeps it: one row per issued
//! pair (access token, opaque refresh token, their expiries, the token family), revoked by setting
//! `revoked_at`. A refresh looks the refresh token up among live rows only (not revoked, not
//! expired). An access token is judged by the *first* row holding its bytes, as the plugin's
//! `findByHash` reads it: a token re-issued byte for byte (same user, same second) after its first
//! row was revoked stays refused. Rows whose tokens have both expired are dropped now and then.

use std::collections::HashMap;

/// How a row was revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Revocation {
    /// By a refresh of its pair (rotation).
    Rotated,
    /// By the revoke endpoint.
    Revoked,
}

/// One issued pair.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub user_id: u64,
    pub access: String,
    pub access_exp: i64,
    pub refresh: String,
    pub refresh_exp: i64,
    pub family: u64,
    pub revoked: Option<Revocation>,
}

/// Why a refresh token found no live row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefreshMiss {
    Unknown,
    Expired,
    Revoked(Revocation),
}

/// What the table says of an access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccessRow {
    /// No row holds these bytes.
    Missing,
    /// The first row holding them is revoked.
    Revoked,
    /// The first row holding them, live.
    Live(u64),
}

const PRUNE_EVERY: usize = 1024;

#[derive(Debug, Default)]
pub(crate) struct Table {
    rows: HashMap<u64, Row>,
    /// Access token bytes → the first row that holds them.
    by_access: HashMap<String, u64>,
    by_refresh: HashMap<String, u64>,
    next_id: u64,
    next_family: u64,
    inserted_since_prune: usize,
}

impl Table {
    pub(crate) fn new_family(&mut self) -> u64 {
        self.next_family += 1;
        self.next_family
    }

    /// Add a row; returns its id.
    pub(crate) fn insert(&mut self, row: Row, now: i64) -> u64 {
        self.inserted_since_prune += 1;
        if self.inserted_since_prune >= PRUNE_EVERY {
            self.prune(now);
        }
        self.next_id += 1;
        let id = self.next_id;
        self.by_access.entry(row.access.clone()).or_insert(id);
        self.by_refresh.insert(row.refresh.clone(), id);
        self.rows.insert(id, row);
        id
    }

    pub(crate) fn row(&self, id: u64) -> Option<&Row> {
        self.rows.get(&id)
    }

    /// The live row of a refresh token at `now`.
    pub(crate) fn find_refresh(&self, refresh: &str, now: i64) -> Result<u64, RefreshMiss> {
        let id = *self.by_refresh.get(refresh).ok_or(RefreshMiss::Unknown)?;
        let row = self.rows.get(&id).ok_or(RefreshMiss::Unknown)?;
        if let Some(how) = row.revoked {
            return Err(RefreshMiss::Revoked(how));
        }
        if row.refresh_exp <= now {
            return Err(RefreshMiss::Expired);
        }
        Ok(id)
    }

    pub(crate) fn access(&self, token: &str) -> AccessRow {
        let row = self
            .by_access
            .get(token)
            .and_then(|id| self.rows.get(id).map(|row| (*id, row)));
        match row {
            None => AccessRow::Missing,
            Some((_, row)) if row.revoked.is_some() => AccessRow::Revoked,
            Some((id, _)) => AccessRow::Live(id),
        }
    }

    /// Revoke a row; true if it was live.
    pub(crate) fn revoke(&mut self, id: u64, how: Revocation) -> bool {
        match self.rows.get_mut(&id) {
            Some(row) if row.revoked.is_none() => {
                row.revoked = Some(how);
                true
            }
            _ => false,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rows.clear();
        self.by_access.clear();
        self.by_refresh.clear();
    }

    /// Drop rows whose access and refresh tokens have both expired (identical access tokens have
    /// identical expiries, so they go together).
    fn prune(&mut self, now: i64) {
        self.inserted_since_prune = 0;
        self.rows
            .retain(|_, row| row.access_exp > now || row.refresh_exp > now);
        let rows = &self.rows;
        self.by_access.retain(|_, id| rows.contains_key(id));
        self.by_refresh.retain(|_, id| rows.contains_key(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(access: &str, refresh: &str) -> Row {
        Row {
            user_id: 1,
            access: access.into(),
            access_exp: 100,
            refresh: refresh.into(),
            refresh_exp: 200,
            family: 1,
            revoked: None,
        }
    }

    #[test]
    fn the_first_row_with_the_bytes_decides() {
        let mut t = Table::default();
        let first = t.insert(row("A", "r1"), 0);
        assert!(t.revoke(first, Revocation::Rotated));
        let second = t.insert(row("A", "r2"), 0);
        assert_eq!(t.access("A"), AccessRow::Revoked);
        assert_eq!(t.find_refresh("r2", 10), Ok(second));
        assert_eq!(
            t.find_refresh("r1", 10),
            Err(RefreshMiss::Revoked(Revocation::Rotated))
        );
        assert_eq!(t.find_refresh("r2", 200), Err(RefreshMiss::Expired));
        assert_eq!(t.access("B"), AccessRow::Missing);
        t.prune(300);
        assert_eq!(t.find_refresh("r2", 10), Err(RefreshMiss::Unknown));
    }
}
