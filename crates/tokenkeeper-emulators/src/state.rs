//! The state one emulator shares between its handlers and its `Emulator` handle: configuration,
//! clock, keys, and everything mutable behind one std `Mutex` (never held across an `.await`).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::clock::Clock;
use crate::config::{Api, EmulatorConfig};
use crate::families::{Families, Presented};
use crate::faults::{Endpoint, FaultQueue};
use crate::jwt::{AccessClaims, Keys, RefreshClaims};
use crate::jwt_auth_pro::table::Table;
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
    /// JWT Auth Pro's token table (the real mode).
    pub wp_tokens: Table,
    /// Every request received since `Emulator::record` was called (method, target, headers
    /// and body as text), for tests that check what a server never received.
    pub recording: Option<String>,
}

/// One emulator's shared state.
#[derive(Debug)]
pub(crate) struct Shared {
    pub api: Api,
    /// `http(s)://127.0.0.1:PORT`: WordPress's site URL (JWT `iss`, links in messages).
    pub site_url: String,
    pub token_ttl: u64,
    pub refresh_ttl: u64,
    pub rate_limits: bool,
    pub ece_legacy_3x: bool,
    pub documented: bool,
    pub unlicensed: bool,
    pub plain_permalinks: bool,
    pub ece_sso: bool,
    /// Smartling's SSO session length (`None`: no cap).
    pub session_secs: Option<u64>,
    /// Characters of filler in every access and refresh JWT (0: none).
    pub token_padding: usize,
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
    /// The family's session (Smartling's SSO session) is over.
    SessionOver,
}

/// An accepted refresh: who, (when rotating) the new refresh token and its lifetime, and how
/// much of the family's session is left.
#[derive(Debug)]
pub(crate) struct RefreshAccepted {
    pub user: String,
    pub new_refresh: Option<String>,
    /// Seconds the new refresh token lives (when rotating).
    pub refresh_expires_in: u64,
    /// Seconds left in the family's session (`None`: no session).
    pub session_left: Option<u64>,
}

/// A new refresh-token family's first token and the lifetimes it carries.
#[derive(Debug)]
pub(crate) struct NewFamily {
    pub token: String,
    pub refresh_expires_in: u64,
    pub session_left: Option<u64>,
}

pub(crate) fn ttl_i64(ttl: u64) -> i64 {
    i64::try_from(ttl).unwrap_or(i64::MAX / 4)
}

/// Seconds from `now` to `at` (0 when past).
pub(crate) fn secs_until(at: i64, now: i64) -> u64 {
    u64::try_from(at.saturating_sub(now)).unwrap_or(0)
}

impl Shared {
    /// The state for `api` set up by `config`, serving at `site_url`.
    pub(crate) fn new(api: Api, config: &EmulatorConfig, site_url: String) -> Self {
        Shared {
            api,
            site_url,
            token_ttl: config.token_ttl.unwrap_or_else(|| api.default_token_ttl()),
            refresh_ttl: config
                .refresh_ttl
                .unwrap_or_else(|| api.default_refresh_ttl(config.documented)),
            rate_limits: config.rate_limits,
            ece_legacy_3x: config.ece_legacy_3x,
            documented: config.documented,
            unlicensed: config.unlicensed,
            plain_permalinks: config.plain_permalinks,
            ece_sso: config.ece_sso,
            session_secs: config.smartling_session_secs,
            token_padding: config.token_padding,
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

    /// The filler claim, when tokens are padded.
    fn padding(&self) -> Option<String> {
        (self.token_padding > 0).then(|| "x".repeat(self.token_padding))
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
            pad: self.padding(),
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
        self.start_family(sub).map(|family| family.token)
    }

    /// Start a refresh-token family for `sub` (for Smartling, in a new SSO session) and sign its
    /// first token, which lives `refresh_ttl` but never past the session's end.
    pub(crate) fn start_family(&self, sub: &str) -> Result<NewFamily, JwtError> {
        let now = self.now();
        let session_end = match (self.api, self.session_secs) {
            (Api::Smartling, Some(secs)) => Some(now.saturating_add(ttl_i64(secs))),
            _ => None,
        };
        let mut exp = now.saturating_add(ttl_i64(self.refresh_ttl));
        if let Some(end) = session_end {
            exp = exp.min(end);
        }
        let (fam, generation) = self.lock().families.create(sub, exp, now, session_end);
        let token = self.sign_refresh(sub, fam, generation, now, exp)?;
        Ok(NewFamily {
            token,
            refresh_expires_in: secs_until(exp, now),
            session_left: session_end.map(|end| secs_until(end, now)),
        })
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
            pad: self.padding(),
        };
        self.keys.sign_refresh(&claims)
    }

    /// The claims of a well-signed refresh token, whatever its state.
    pub(crate) fn decode_refresh(&self, token: &str) -> Option<RefreshClaims> {
        self.keys.decode_refresh(token)
    }

    /// Use a refresh token. With `rotate`, the presented token dies and a new one of the same family
    /// is returned; presenting a rotated-out token counts a reuse and revokes the family. The new
    /// token never outlives the family's session; once that is over, the token is refused.
    pub(crate) fn use_refresh(
        &self,
        token: &str,
        rotate: bool,
    ) -> Result<RefreshAccepted, RefreshRefused> {
        let claims = self.decode_refresh(token).ok_or(RefreshRefused::Invalid)?;
        let now = self.now();
        if claims.exp <= now {
            // A token capped to its session dies with it: say which.
            let mut inner = self.lock();
            if inner
                .families
                .session_end(claims.fam)
                .is_some_and(|end| end <= now)
            {
                inner.stats.refreshes_after_session_end += 1;
                return Err(RefreshRefused::SessionOver);
            }
            return Err(RefreshRefused::Expired);
        }
        let mut exp = now.saturating_add(ttl_i64(self.refresh_ttl));
        let (user, generation, session_end) = {
            let mut inner = self.lock();
            match inner.families.present(claims.fam, claims.generation) {
                Presented::Live { user, session_end } => {
                    if let Some(end) = session_end {
                        if end <= now {
                            inner.stats.refreshes_after_session_end += 1;
                            return Err(RefreshRefused::SessionOver);
                        }
                        exp = exp.min(end);
                    }
                    let generation = if rotate {
                        inner.families.rotate(claims.fam, exp)
                    } else {
                        None
                    };
                    (user, generation, session_end)
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
        Ok(RefreshAccepted {
            user,
            new_refresh,
            refresh_expires_in: secs_until(exp, now),
            session_left: session_end.map(|end| secs_until(end, now)),
        })
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
        inner.wp_tokens.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(api: Api) -> Shared {
        Shared::new(
            api,
            &EmulatorConfig::for_api(api),
            "http://127.0.0.1:1".into(),
        )
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

    #[test]
    fn smartling_session_caps_refresh_lifetimes_then_ends() -> Result<(), JwtError> {
        let mut config = EmulatorConfig::for_api(Api::Smartling);
        config.smartling_session_secs = Some(5000);
        let s = Shared::new(Api::Smartling, &config, String::new());
        let first = s.start_family("u")?;
        assert_eq!(
            (first.refresh_expires_in, first.session_left),
            (3660, Some(5000))
        );
        s.clock.advance(3000);
        let second = s.use_refresh(&first.token, true);
        let (lifetime, token) = match second {
            Ok(a) => (a.refresh_expires_in, a.new_refresh.unwrap_or_default()),
            Err(e) => panic!("refused: {e:?}"),
        };
        assert!((1999..=2000).contains(&lifetime), "{lifetime}");
        s.clock.advance(2000);
        assert_eq!(
            s.use_refresh(&token, true).err(),
            Some(RefreshRefused::SessionOver)
        );
        assert_eq!(s.lock().stats.refreshes_after_session_end, 1);
        Ok(())
    }
}
