//! Refresh-token families: each login starts a family; a rotating refresh moves it to the next
//! generation. A token from an older generation is a *reuse* and revokes the whole family.
//! Only one small record per family is kept (not one per token), so memory stays flat however
//! often accounts refresh; families are dropped lazily once their newest token has expired.
//! A family may carry the end of the session it belongs to (Smartling's SSO session).

use std::collections::HashMap;

#[derive(Debug)]
struct Family {
    user: String,
    generation: u64,
    revoked: bool,
    /// `exp` of the newest token of the family.
    last_exp: i64,
    /// When the family's session ends (server clock); `None`: never.
    session_end: Option<i64>,
}

/// What a presented refresh token (family, generation) turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Presented {
    /// The family's newest token.
    Live {
        user: String,
        session_end: Option<i64>,
    },
    /// An older, rotated-out token. `newly_revoked` is true when this revoked the family.
    Reused { newly_revoked: bool },
    /// The newest token of a family that was revoked.
    Revoked,
    /// No such family or generation (forged, pruned, or revoked by `revoke_all`).
    Unknown,
}

#[derive(Debug, Default)]
pub(crate) struct Families {
    map: HashMap<u64, Family>,
    next_id: u64,
    created_since_prune: usize,
}

const PRUNE_EVERY: usize = 1024;

impl Families {
    /// Start a family (in a session ending at `session_end`); returns (family id, generation 0).
    pub(crate) fn create(
        &mut self,
        user: &str,
        exp: i64,
        now: i64,
        session_end: Option<i64>,
    ) -> (u64, u64) {
        self.created_since_prune += 1;
        if self.created_since_prune >= PRUNE_EVERY {
            self.prune(now);
        }
        self.next_id += 1;
        let id = self.next_id;
        self.map.insert(
            id,
            Family {
                user: user.to_owned(),
                generation: 0,
                revoked: false,
                last_exp: exp,
                session_end,
            },
        );
        (id, 0)
    }

    /// Judge a presented token; a reuse revokes the family here.
    pub(crate) fn present(&mut self, fam: u64, generation: u64) -> Presented {
        let Some(family) = self.map.get_mut(&fam) else {
            return Presented::Unknown;
        };
        if generation > family.generation {
            return Presented::Unknown;
        }
        if generation < family.generation {
            let newly_revoked = !family.revoked;
            family.revoked = true;
            return Presented::Reused { newly_revoked };
        }
        if family.revoked {
            return Presented::Revoked;
        }
        Presented::Live {
            user: family.user.clone(),
            session_end: family.session_end,
        }
    }

    /// When a family's session ends (`None`: unknown family, or no session).
    pub(crate) fn session_end(&self, fam: u64) -> Option<i64> {
        self.map.get(&fam).and_then(|f| f.session_end)
    }

    /// Move a live family to its next generation; returns the new generation.
    pub(crate) fn rotate(&mut self, fam: u64, exp: i64) -> Option<u64> {
        let family = self.map.get_mut(&fam)?;
        family.generation += 1;
        family.last_exp = exp;
        Some(family.generation)
    }

    /// Revoke one family (its live token dies too). Returns true if it was live.
    pub(crate) fn revoke(&mut self, fam: u64) -> bool {
        match self.map.get_mut(&fam) {
            Some(family) if !family.revoked => {
                family.revoked = true;
                true
            }
            _ => false,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }

    /// Forget families whose newest token has expired (their tokens are refused as expired anyway).
    pub(crate) fn prune(&mut self, now: i64) {
        self.created_since_prune = 0;
        self.map.retain(|_, f| f.last_exp > now);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_and_reuse() {
        let mut f = Families::default();
        let (id, g0) = f.create("u", 100, 0, Some(500));
        assert_eq!(
            f.present(id, g0),
            Presented::Live {
                user: "u".into(),
                session_end: Some(500)
            }
        );
        let g1 = f.rotate(id, 200);
        assert_eq!(g1, Some(1));
        assert_eq!(
            f.present(id, 0),
            Presented::Reused {
                newly_revoked: true
            }
        );
        assert_eq!(
            f.present(id, 0),
            Presented::Reused {
                newly_revoked: false
            }
        );
        assert_eq!(f.present(id, 1), Presented::Revoked);
        assert_eq!(f.present(id, 7), Presented::Unknown);
        assert_eq!(f.present(id + 1, 0), Presented::Unknown);
    }

    #[test]
    fn prune_drops_expired_families() {
        let mut f = Families::default();
        f.create("a", 10, 0, None);
        f.create("b", 1000, 0, None);
        f.prune(500);
        assert_eq!(f.len(), 1);
    }
}
