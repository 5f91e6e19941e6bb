//! JWT Auth Pro's rate limits as fixed one-minute windows on the server clock, started by the
//! first request: the real plugin's (60 requests a minute per IP over all its routes) and the
//! documented ones (authentication 5/min per IP, refresh 10/min per refresh token).

use std::collections::HashMap;

pub(crate) const REAL_PER_MINUTE: u32 = 60;
pub(crate) const AUTH_PER_MINUTE: u32 = 5;
pub(crate) const REFRESH_PER_MINUTE: u32 = 10;
const WINDOW_SECS: i64 = 60;
const MIN_PRUNE_AT: usize = 4096;

#[derive(Debug)]
struct Window {
    start: i64,
    count: u32,
}

/// The answer for one request: allowed or not, and what the `X-RateLimit-*` headers say.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Unix time (server clock) when the window resets.
    pub reset: i64,
    /// Seconds until then (at least 1).
    pub retry_after: i64,
}

#[derive(Debug, Default)]
pub(crate) struct RateLimits {
    map: HashMap<String, Window>,
    /// Prune when the map reaches this size (twice what survived the last prune): amortised O(1).
    prune_at: usize,
}

impl RateLimits {
    pub(crate) fn hit(&mut self, key: &str, limit: u32, now: i64) -> Verdict {
        if self.map.len() >= self.prune_at.max(MIN_PRUNE_AT) {
            self.map.retain(|_, w| w.start + WINDOW_SECS > now);
            self.prune_at = self.map.len() * 2;
        }
        let window = self.map.entry(key.to_owned()).or_insert(Window {
            start: now,
            count: 0,
        });
        if window.start + WINDOW_SECS <= now || window.start > now {
            window.start = now;
            window.count = 0;
        }
        let allowed = window.count < limit;
        if allowed {
            window.count += 1;
        }
        let reset = window.start + WINDOW_SECS;
        Verdict {
            allowed,
            limit,
            remaining: limit.saturating_sub(window.count),
            reset,
            retry_after: (reset - now).max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_then_reset() {
        let mut r = RateLimits::default();
        for i in 0..5 {
            let v = r.hit("k", 5, 100);
            assert!(v.allowed);
            assert_eq!(v.remaining, 4 - i);
        }
        let v = r.hit("k", 5, 130);
        assert!(!v.allowed);
        assert_eq!(v.retry_after, 30);
        assert!(r.hit("other", 5, 130).allowed);
        assert!(r.hit("k", 5, 160).allowed);
    }
}
