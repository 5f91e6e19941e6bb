//! When to refresh, and when to try again: pure functions of a token's times, the failure
//! history and a random number, unit-tested as data.
//!
//! - The next refresh is at expiry minus a lead (by default the larger of 60 s and 20 % of the
//!   lifetime, at most half the lifetime), minus a random jitter of up to 10 % of the lead
//!   (at most 30 s): earlier, never later. The refresh therefore always happens while the
//!   token is valid, which Redis Enterprise and ECE require.
//! - Whatever lifetime a server announces (even 0 or 1 s), a refresh is planned no sooner than
//!   [`Policy::min_interval`] (5 s) after the last one: a token living under twice that is
//!   refreshed every 5 s, after it expired when it lives under 5 s, rather than in a loop.
//! - Failures back off exponentially with full jitter (1 s, 2 s, 4 s ... capped at 5 min, never
//!   under 1 s), honour `Retry-After` (up to an hour), and are pulled in before the token
//!   expires when there is still time; a retry that must land after expiry is flagged.
//! - `needs_login` parks the account: nothing is tried until the user acts.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::ErrorKind;

/// The lead of an API whose refresh revokes the previous token: refreshed this long before
/// expiry (at most half the lifetime), so the tokens handed out live nearly as long as the
/// server made them.
pub const LATE_LEAD: Duration = Duration::from_secs(15);

/// Tunable numbers. `Default` gives the documented behaviour.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Smallest lead before expiry.
    pub min_lead: Duration,
    /// Lead as a fraction of the token's lifetime (0.2 = 20 %).
    pub lead_fraction: f64,
    /// Jitter window as a fraction of the lead.
    pub jitter_fraction: f64,
    /// Largest jitter window.
    pub max_jitter: Duration,
    /// First backoff step.
    pub backoff_base: Duration,
    /// Largest backoff.
    pub backoff_cap: Duration,
    /// Largest `Retry-After` honoured.
    pub retry_after_cap: Duration,
    /// Keep retries at least this far before expiry when possible.
    pub expiry_margin: Duration,
    /// A fixed lead for accounts that set none (the global setting).
    pub fixed_lead: Option<Duration>,
    /// Least time between two planned refreshes of one account, whatever the token's lifetime.
    pub min_interval: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            min_lead: Duration::from_secs(60),
            lead_fraction: 0.2,
            jitter_fraction: 0.1,
            max_jitter: Duration::from_secs(30),
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(300),
            retry_after_cap: Duration::from_secs(3600),
            expiry_margin: Duration::from_secs(5),
            fixed_lead: None,
            min_interval: Duration::from_secs(5),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Try again at this time.
    At {
        /// When.
        at: DateTime<Utc>,
        /// The token will have expired by then: the user must be told.
        after_expiry: bool,
    },
    /// Do not try again until the user acts (needs login).
    Park,
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

impl Policy {
    /// The lead before expiry for a token of this lifetime (`fixed` overrides the default).
    pub fn lead(&self, lifetime: TimeDelta, fixed: Option<Duration>) -> TimeDelta {
        let default = delta(self.min_lead).max(scale(lifetime, self.lead_fraction));
        let lead = fixed.or(self.fixed_lead).map(delta).unwrap_or(default);
        lead.min(lifetime / 2).max(TimeDelta::zero())
    }

    /// The jitter window for a lead.
    pub fn jitter_window(&self, lead: TimeDelta) -> TimeDelta {
        scale(lead, self.jitter_fraction).min(delta(self.max_jitter))
    }

    /// When to refresh a token obtained at `obtained_at` that expires at `expires_at`;
    /// `random` in `[0, 1)` picks the jitter. Never sooner than [`Self::min_interval`] after
    /// `obtained_at`, whatever the lifetime.
    pub fn next_refresh(
        &self,
        obtained_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        fixed_lead: Option<Duration>,
        random: f64,
    ) -> DateTime<Utc> {
        let lead = self.lead(expires_at - obtained_at, fixed_lead);
        let jitter = scale(self.jitter_window(lead), random.clamp(0.0, 1.0));
        self.spaced(expires_at - lead - jitter, obtained_at)
    }

    /// `planned`, or later when it comes sooner than [`Self::min_interval`] after `last`, the
    /// start of the account's last attempt or the moment its token was obtained.
    pub fn spaced(&self, planned: DateTime<Utc>, last: DateTime<Utc>) -> DateTime<Utc> {
        planned.max(last + delta(self.min_interval))
    }

    /// The earliest moment the engine may rotate a token obtained at `obtained_at` that expires
    /// at `expires_at`: its planned refresh with the whole jitter window taken. Where a refresh
    /// revokes the previous token, a token works until then, and no handout promises more.
    pub fn rotation_from(
        &self,
        obtained_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        fixed_lead: Option<Duration>,
    ) -> DateTime<Utc> {
        let lead = self.lead(expires_at - obtained_at, fixed_lead);
        self.spaced(expires_at - lead - self.jitter_window(lead), obtained_at)
            .min(expires_at)
    }

    /// A token must stay valid this long past "now" for the engine to leave it alone: the
    /// lead plus the whole jitter window. A token refreshed by another process passes; the
    /// one the engine scheduled does not.
    pub fn min_valid(&self, lifetime: TimeDelta, fixed_lead: Option<Duration>) -> Duration {
        let lead = self.lead(lifetime, fixed_lead);
        (lead + self.jitter_window(lead) + TimeDelta::seconds(1))
            .to_std()
            .unwrap_or(Duration::ZERO)
    }

    /// When to try again after the `failures`-th consecutive failure (1 for the first).
    ///
    /// `kind` is `None` for local failures (keychain, lock), which back off like transient ones.
    #[allow(clippy::too_many_arguments)]
    pub fn retry(
        &self,
        now: DateTime<Utc>,
        kind: Option<ErrorKind>,
        needs_login: bool,
        failures: u32,
        retry_after: Option<Duration>,
        expires_at: Option<DateTime<Utc>>,
        random: f64,
    ) -> Retry {
        if needs_login {
            return Retry::Park;
        }
        let exponent = failures.saturating_sub(1).min(30);
        let ceiling = self
            .backoff_base
            .saturating_mul(1u32 << exponent)
            .min(self.backoff_cap);
        // Config and protocol failures need a change somewhere: no point in hurrying.
        let ceiling = match kind {
            Some(ErrorKind::Config | ErrorKind::Protocol) => {
                ceiling.max(Duration::from_secs(30)).min(self.backoff_cap)
            }
            _ => ceiling,
        };
        let jittered = ceiling
            .mul_f64(random.clamp(0.0, 1.0))
            .max(self.backoff_base);
        let floor = retry_after.map(|r| r.min(self.retry_after_cap));
        let delay = floor.map_or(jittered, |f| jittered.max(f));
        let mut at = now + delta(delay);
        if let Some(expires) = expires_at {
            let latest = expires - delta(self.expiry_margin);
            let earliest = now + delta(floor.unwrap_or(self.backoff_base));
            if at > latest && latest >= earliest {
                at = latest;
            }
            return Retry::At {
                at,
                after_expiry: at >= expires,
            };
        }
        Retry::At {
            at,
            after_expiry: false,
        }
    }
}

fn scale(d: TimeDelta, factor: f64) -> TimeDelta {
    TimeDelta::milliseconds((d.num_milliseconds() as f64 * factor) as i64)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{DateTime, TimeDelta, TimeZone, Utc};

    use super::{Policy, Retry};
    use crate::error::ErrorKind;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap()
    }

    fn secs(s: i64) -> TimeDelta {
        TimeDelta::seconds(s)
    }

    #[test]
    fn lead_is_the_larger_of_60s_and_20_percent_at_most_half_the_lifetime() {
        let p = Policy::default();
        let cases = [
            // (lifetime, fixed lead, expected lead)
            (3600, None, 720),
            (300, None, 60),
            (480, None, 96),
            (86_400 * 7, None, 120_960),
            (90, None, 45),
            (30, None, 15),
            (3600, Some(600), 600),
            (3600, Some(3000), 1800),
        ];
        let global = Policy {
            fixed_lead: Some(Duration::from_secs(300)),
            ..Policy::default()
        };
        assert_eq!(global.lead(secs(3600), None), secs(300));
        assert_eq!(
            global.lead(secs(3600), Some(Duration::from_secs(100))),
            secs(100),
            "the account wins"
        );
        for (lifetime, fixed, expected) in cases {
            assert_eq!(
                p.lead(secs(lifetime), fixed.map(Duration::from_secs)),
                secs(expected),
                "lifetime {lifetime}, fixed {fixed:?}"
            );
        }
    }

    #[test]
    fn jitter_only_ever_moves_the_refresh_earlier() {
        let p = Policy::default();
        let obtained = t0();
        let expires = obtained + secs(3600);
        let latest = p.next_refresh(obtained, expires, None, 0.0);
        assert_eq!(latest, expires - secs(720));
        let earliest = p.next_refresh(obtained, expires, None, 0.999_999);
        // Jitter window: 10 % of 720 s = 72 s, capped at 30 s.
        assert!(
            earliest < latest && earliest >= latest - secs(30),
            "{earliest}"
        );
        for r in [0.1, 0.5, 0.9] {
            let at = p.next_refresh(obtained, expires, None, r);
            assert!(at <= latest && at >= latest - secs(30) && at < expires);
        }
        // A 300 s token: lead 60 s, jitter up to 6 s.
        let at = p.next_refresh(obtained, obtained + secs(300), None, 0.999_999);
        assert!(
            at >= obtained + secs(234) && at <= obtained + secs(240),
            "{at}"
        );
    }

    #[test]
    fn a_token_of_any_lifetime_is_refreshed_at_most_every_5_seconds() {
        let p = Policy::default();
        let obtained = t0();
        for lifetime in [-10, 0, 1, 4, 9] {
            for r in [0.0, 0.5, 0.999_999] {
                let at = p.next_refresh(obtained, obtained + secs(lifetime), None, r);
                assert_eq!(at, obtained + secs(5), "lifetime {lifetime} s, random {r}");
            }
        }
        // A fixed lead longer than the lifetime changes nothing.
        let at = p.next_refresh(
            obtained,
            obtained + secs(2),
            Some(Duration::from_secs(600)),
            0.5,
        );
        assert_eq!(at, obtained + secs(5));
        // From 10 s up, the lead rule alone decides (half the lifetime at most).
        assert_eq!(
            p.next_refresh(obtained, obtained + secs(10), None, 0.0),
            obtained + secs(5)
        );
        assert_eq!(
            p.next_refresh(obtained, obtained + secs(30), None, 0.0),
            obtained + secs(15)
        );
        // After an attempt started at `last`, the next one waits 5 s whatever was planned.
        let last = t0();
        assert_eq!(p.spaced(last + secs(1), last), last + secs(5));
        assert_eq!(p.spaced(last - secs(1), last), last + secs(5));
        assert_eq!(p.spaced(last + secs(60), last), last + secs(60));
    }

    #[test]
    fn min_valid_separates_a_scheduled_token_from_a_fresh_one() {
        let p = Policy::default();
        let lifetime = secs(300);
        let min_valid = p.min_valid(lifetime, None);
        assert_eq!(min_valid, Duration::from_secs(67));
        // At the scheduled time at most lead + jitter remain: below min_valid.
        assert!(Duration::from_secs(66) < min_valid);
        // A token just refreshed elsewhere has the whole lifetime: above.
        assert!(Duration::from_secs(300) > min_valid);
    }

    #[test]
    fn backoff_doubles_with_full_jitter_up_to_five_minutes() {
        let p = Policy::default();
        let now = t0();
        let far = Some(now + secs(86_400));
        let at = |failures: u32, random: f64| match p.retry(
            now,
            Some(ErrorKind::Transient),
            false,
            failures,
            None,
            far,
            random,
        ) {
            Retry::At { at, .. } => (at - now).num_milliseconds(),
            Retry::Park => -1,
        };
        // Upper bounds double: 1, 2, 4, 8 ... 300 s.
        assert_eq!(at(1, 0.999), 1_000);
        assert_eq!(at(2, 0.999), 1_998);
        assert_eq!(at(3, 0.999), 3_996);
        assert_eq!(at(9, 0.999), 255_744);
        assert_eq!(at(10, 0.999), 299_700);
        assert_eq!(at(40, 0.999), 299_700);
        // Full jitter goes down to the 1 s floor.
        assert_eq!(at(10, 0.0), 1_000);
        assert_eq!(at(10, 0.5), 150_000);
    }

    #[test]
    fn retry_after_is_honoured_and_capped_at_an_hour() {
        let p = Policy::default();
        let now = t0();
        let retry = |after: u64| {
            p.retry(
                now,
                Some(ErrorKind::Transient),
                false,
                1,
                Some(Duration::from_secs(after)),
                None,
                0.5,
            )
        };
        assert_eq!(
            retry(17),
            Retry::At {
                at: now + secs(17),
                after_expiry: false
            }
        );
        assert_eq!(
            retry(7200),
            Retry::At {
                at: now + secs(3600),
                after_expiry: false
            }
        );
    }

    #[test]
    fn retries_are_pulled_in_before_expiry_or_flagged() {
        let p = Policy::default();
        let now = t0();
        // 5 min backoff, token expires in 60 s: retry 5 s before expiry.
        let r = p.retry(
            now,
            Some(ErrorKind::Transient),
            false,
            12,
            None,
            Some(now + secs(60)),
            0.999,
        );
        assert_eq!(
            r,
            Retry::At {
                at: now + secs(55),
                after_expiry: false
            }
        );
        // Retry-After beyond expiry is honoured, and flagged.
        let r = p.retry(
            now,
            Some(ErrorKind::Transient),
            false,
            1,
            Some(Duration::from_secs(120)),
            Some(now + secs(60)),
            0.5,
        );
        assert_eq!(
            r,
            Retry::At {
                at: now + secs(120),
                after_expiry: true
            }
        );
        // Already expired: back off normally, flagged.
        let r = p.retry(now, None, false, 1, None, Some(now - secs(1)), 0.999);
        assert_eq!(
            r,
            Retry::At {
                at: now + secs(1),
                after_expiry: true
            }
        );
    }

    #[test]
    fn config_and_protocol_failures_wait_at_least_30_seconds_needs_login_parks() {
        let p = Policy::default();
        let now = t0();
        for kind in [ErrorKind::Config, ErrorKind::Protocol] {
            let r = p.retry(now, Some(kind), false, 1, None, None, 0.999);
            assert_eq!(
                r,
                Retry::At {
                    at: now + TimeDelta::milliseconds(29_970),
                    after_expiry: false
                }
            );
        }
        assert_eq!(
            p.retry(now, Some(ErrorKind::Auth), true, 1, None, None, 0.5),
            Retry::Park
        );
    }
}
