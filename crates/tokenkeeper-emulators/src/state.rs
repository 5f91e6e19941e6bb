//! The state one emulator shares between its handlers and its `Emulator` handle: configuration,
//! clock, keys, and everything mutable behind one std `Mutex` (never held across an `.await`).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::clock::Clock;
use crate::config::{Api, EmulatorConfig};
use crate::families::{Families, Presented};
use crate::faults::{Endpoint, FaultQueue};
use crate::jwt::{AccessClaims, Keys, RefreshClaims};
use crate::lockout::Lockouts;
use crate::ratelimit::RateLimits;
use crate::stats::Stats;
use crate::users::Users;

type JwtError = jsonwebtoken::errors::Error;

/// Everything mutable.
#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub users: Users,
    pub stats: Stats,
    pub faults: FaultQueue,
    /// Bumped by `revoke_all`; access tokens of older epochs are refused.
    pub epoch: u64,
    /// Individually revoked access tokens: jti → exp (dropped once expired).
    pub revoked: HashMap<String, i64>,
    /// Prune `revoked` when it reaches this size (twice what survived the last prune).
    pub revoked_prune_at: usize,
    pub families: Families,
    pub lockouts: Lockouts,
    pub limits: RateLimits,
}

/// One emulator's shared state.
#[derive(Debug)]
pub(crate) struct Shared {
    pub api: Api,
    pub token_ttl: u64,
    pub refresh_ttl: u64,
    pub rate_limits: bool,
    pub ece_legacy_3x: bool,
    pub clock: Clock,
    pub keys: Keys,
    inner: Mutex<Inner>,
}

/// A freshly signed access token.
#[derive(Debug)]
pub(crate) struct Issued {
    pub token: String,
    pub exp: i64,
}

/// Why a refresh token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RefreshRefused {
    /// Bad signature, unknown family, revoked family, or not a refresh token at all.
    Invalid,
    Expired,
    /// A rotated-out token: the family has been revoked.
    Reused,
}

/// An accepted refresh: who, and (when rotating) the new refresh token.
#[derive(Debug)]
pub(crate) struct RefreshAccepted {
    pub user: String,
    pub new_refresh: Option<String>,
}

fn ttl_i64(ttl: u64) -> i64 {
    i64::try_from(ttl).unwrap_or(i64::MAX / 4)
}

impl Shared {
    pub(crate) fn new(api: Api, config: &EmulatorConfig) -> Self {
        Shared {
            api,
            token_ttl: config.token_ttl.unwrap_or_else(|| api.default_token_ttl()),
            refresh_ttl: config
                .refresh_ttl
                .unwrap_or_else(|| api.default_refresh_ttl()),
            rate_limits: config.rate_limits,
            ece_legacy_3x: config.ece_legacy_3x,
            clock: Clock::with_speed(config.clock_offset_secs, config.clock_speed),
            keys: Keys::random(),
            inner: Mutex::new(Inner {
                users: Users::new(&config.users),
                ..Inner::default()
            }),
        }
    }

    /// Lock the mutable state (a poisoned lock is still usable: every update is a single step).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }

    pub(crate) fn count(&self, bump: impl FnOnce(&mut Stats)) {
        bump(&mut self.lock().stats);
    }

    /// Count a handler's outcome: a login or refresh that succeeded or failed.
    pub(crate) fn tally<T>(&self, endpoint: Endpoint, outcome: Result<T, T>) -> T {
        let ok = outcome.is_ok();
        self.count(|stats| match (endpoint, ok) {
            (Endpoint::Login, true) => stats.logins += 1,
            (Endpoint::Login, false) => stats.failed_logins += 1,
            (Endpoint::Refresh, true) => stats.refreshes += 1,
            (Endpoint::Refresh, false) => stats.failed_refreshes += 1,
            (Endpoint::Other, _) => {}
        });
        match outcome {
            Ok(v) | Err(v) => v,
        }
    }

    /// Sign an access token for `sub`, issued now (server clock), valid `ttl` seconds.
    pub(crate) fn issue_access(&self, sub: &str, ttl: u64) -> Result<Issued, JwtError> {
        let epoch = self.lock().epoch;
        let iat = self.now();
        let exp = iat.saturating_add(ttl_i64(ttl));
        let claims = AccessClaims {
            sub: sub.to_owned(),
            iat,
            exp,
            jti: format!("{epoch}-{}", uuid::Uuid::new_v4().simple()),
        };
        let token = self.keys.sign_access(&claims)?;
        Ok(Issued { token, exp })
    }

    /// The claims of a valid access token: good signature, not expired by the server clock, not revoked.
    pub(crate) fn check_access(&self, token: &str) -> Option<AccessClaims> {
        let claims = self.keys.decode_access(token)?;
        if claims.exp <= self.now() {
            return None;
        }
        let inner = self.lock();
        if claims.epoch() != Some(inner.epoch) || inner.revoked.contains_key(&claims.jti) {
            return None;
        }
        Some(claims)
    }

    /// Revoke one access token until it expires.
    pub(crate) fn revoke_access(&self, claims: &AccessClaims) {
        let now = self.now();
        let mut inner = self.lock();
        if inner.revoked.len() >= inner.revoked_prune_at.max(1024) {
            inner.revoked.retain(|_, exp| *exp > now);
            inner.revoked_prune_at = inner.revoked.len() * 2;
        }
        inner.revoked.insert(claims.jti.clone(), claims.exp);
    }

    /// Start a refresh-token family for `sub` and sign its first token.
    pub(crate) fn issue_refresh(&self, sub: &str) -> Result<String, JwtError> {
        let now = self.now();
        let exp = now.saturating_add(ttl_i64(self.refresh_ttl));
        let (fam, generation) = self.lock().families.create(sub, exp, now);
        self.sign_refresh(sub, fam, generation, now, exp)
    }

    fn sign_refresh(
        &self,
        sub: &str,
        fam: u64,
        generation: u64,
        iat: i64,
        exp: i64,
    ) -> Result<String, JwtError> {
        let claims = RefreshClaims {
            sub: sub.to_owned(),
            iat,
            exp,
            jti: uuid::Uuid::new_v4().to_string(),
            fam,
            generation,
        };
        self.keys.sign_refresh(&claims)
    }

    /// The claims of a well-signed refresh token, whatever its state.
    pub(crate) fn decode_refresh(&self, token: &str) -> Option<RefreshClaims> {
        self.keys.decode_refresh(token)
    }

    /// Use a refresh token. With `rotate`, the presented token dies and a new one of the same family
    /// is returned; presenting a rotated-out token counts a reuse and revokes the family.
    pub(crate) fn use_refresh(
        &self,
        token: &str,
        rotate: bool,
    ) -> Result<RefreshAccepted, RefreshRefused> {
        let claims = self.decode_refresh(token).ok_or(RefreshRefused::Invalid)?;
        let now = self.now();
        if claims.exp <= now {
            return Err(RefreshRefused::Expired);
        }
        let exp = now.saturating_add(ttl_i64(self.refresh_ttl));
        let (user, generation) = {
            let mut inner = self.lock();
            match inner.families.present(claims.fam, claims.generation) {
                Presented::Live { user } => {
                    let generation = if rotate {
                        inner.families.rotate(claims.fam, exp)
                    } else {
                        None
                    };
                    (user, generation)
                }
                Presented::Reused { newly_revoked } => {
                    inner.stats.refresh_token_reuse += 1;
                    if newly_revoked {
                        inner.stats.families_revoked += 1;
                    }
                    return Err(RefreshRefused::Reused);
                }
                Presented::Revoked | Presented::Unknown => return Err(RefreshRefused::Invalid),
            }
        };
        let new_refresh = match generation {
            Some(generation) => Some(
                self.sign_refresh(&user, claims.fam, generation, now, exp)
                    .map_err(|_| RefreshRefused::Invalid)?,
            ),
            None => None,
        };
        Ok(RefreshAccepted { user, new_refresh })
    }

    /// Revoke the family of a refresh token (JWT Auth Pro's revoke endpoint). True if it was live.
    pub(crate) fn revoke_refresh(&self, token: &str) -> bool {
        match self.decode_refresh(token) {
            Some(claims) => self.lock().families.revoke(claims.fam),
            None => false,
        }
    }

    /// Every issued access and refresh token becomes invalid.
    pub(crate) fn revoke_all(&self) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.revoked.clear();
        inner.families.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(api: Api) -> Shared {
        Shared::new(api, &EmulatorConfig::for_api(api))
    }

    #[test]
    fn access_tokens_expire_by_server_clock_and_revoke() -> Result<(), JwtError> {
        let s = shared(Api::Ece);
        let issued = s.issue_access("u", 300)?;
        assert!(s.check_access(&issued.token).is_some());
        s.clock.advance(301);
        assert!(s.check_access(&issued.token).is_none());
        s.clock.set_offset(0);
        let claims = s.check_access(&issued.token);
        assert!(claims.is_some());
        if let Some(c) = claims {
            s.revoke_access(&c);
        }
        assert!(s.check_access(&issued.token).is_none());
        let other = s.issue_access("u", 300)?;
        s.revoke_all();
        assert!(s.check_access(&other.token).is_none());
        Ok(())
    }

    #[test]
    fn rotation_reuse_revokes_family() -> Result<(), JwtError> {
        let s = shared(Api::Smartling);
        let first = s.issue_refresh("u")?;
        let second = s.use_refresh(&first, true).ok().and_then(|a| a.new_refresh);
        let second = second.unwrap_or_default();
        assert!(!second.is_empty());
        assert_eq!(
            s.use_refresh(&first, true).err(),
            Some(RefreshRefused::Reused)
        );
        assert_eq!(
            s.use_refresh(&second, true).err(),
            Some(RefreshRefused::Invalid)
        );
        let stats = s.lock().stats.clone();
        assert_eq!((stats.refresh_token_reuse, stats.families_revoked), (1, 1));
        Ok(())
    }
}
