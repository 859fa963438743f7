//! The general rate limit: a token bucket per user id or client IP, in memory, per instance, bounded.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often buckets that have filled up again are dropped.
const PRUNE_EVERY: Duration = Duration::from_secs(10);
/// The most keys kept by default (about 100 bytes each).
pub const DEFAULT_MAX_KEYS: usize = 100_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

struct State {
    buckets: HashMap<String, Bucket>,
    last_prune: Instant,
}

/// Token buckets per key (`u:<user id>` or `ip:<address>`). Memory stays bounded: every [`PRUNE_EVERY`] the
/// buckets that have refilled to the cap are dropped (a full bucket and a missing one behave the same, so this
/// forgets nothing), and the map never holds more than `max_keys` keys (when it is full of active keys, the least
/// recently seen tenth is evicted).
pub struct RateLimiter {
    per_minute: u32,
    max_keys: usize,
    state: Mutex<State>,
}

impl RateLimiter {
    /// A limiter of `per_minute` requests per key; 0 disables it.
    pub fn new(per_minute: u32) -> Self {
        Self::with_max_keys(per_minute, DEFAULT_MAX_KEYS)
    }

    /// A limiter that keeps at most `max_keys` keys.
    pub fn with_max_keys(per_minute: u32, max_keys: usize) -> Self {
        RateLimiter {
            per_minute,
            max_keys: max_keys.max(10),
            state: Mutex::new(State { buckets: HashMap::new(), last_prune: Instant::now() }),
        }
    }

    /// `Err(seconds to wait)` when `key` is over the limit.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    /// [`RateLimiter::check`] at a given instant.
    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let cap = f64::from(self.per_minute);
        let rate = cap / 60.0;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let full = state.buckets.len() >= self.max_keys;
        if now.saturating_duration_since(state.last_prune) >= PRUNE_EVERY || (full && !state.buckets.contains_key(key))
        {
            self.prune(&mut state, now, cap, rate, key);
        }
        let bucket = match state.buckets.get_mut(key) {
            Some(b) => b,
            None => state.buckets.entry(key.to_string()).or_insert(Bucket { tokens: cap, at: now }),
        };
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(cap);
        bucket.at = bucket.at.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64)
        }
    }

    /// Drops refilled buckets; if the map is still full and `incoming` is new, evicts the least recently seen tenth.
    fn prune(&self, state: &mut State, now: Instant, cap: f64, rate: f64, incoming: &str) {
        state.last_prune = now;
        state.buckets.retain(|_, b| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < cap);
        if state.buckets.len() >= self.max_keys && !state.buckets.contains_key(incoming) {
            let evict = (self.max_keys / 10).max(1);
            let mut seen: Vec<Instant> = state.buckets.values().map(|b| b.at).collect();
            let (_, cutoff, _) = seen.select_nth_unstable(evict - 1);
            let cutoff = *cutoff;
            let mut left = evict;
            state.buckets.retain(|_, b| {
                if left > 0 && b.at <= cutoff {
                    left -= 1;
                    false
                } else {
                    true
                }
            });
        }
        if state.buckets.capacity() > 1024 && state.buckets.capacity() > 4 * state.buckets.len() {
            state.buckets.shrink_to(2 * state.buckets.len());
        }
        metrics::gauge!("rate_limit_keys").set(state.buckets.len() as f64);
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).buckets.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_refills() {
        let l = RateLimiter::new(60);
        let t0 = Instant::now();
        for _ in 0..60 {
            assert!(l.check_at("ip:1", t0).is_ok());
        }
        assert_eq!(l.check_at("ip:1", t0), Err(1));
        assert!(l.check_at("ip:2", t0).is_ok(), "keys are independent");
        assert!(l.check_at("ip:1", t0 + Duration::from_secs(1)).is_ok(), "one token per second");
        assert!(RateLimiter::new(0).check_at("ip:1", t0).is_ok(), "0 disables the limit");
    }

    #[test]
    fn refilled_buckets_are_dropped_periodically() {
        let l = RateLimiter::new(60);
        let t0 = Instant::now();
        for i in 0..1000 {
            l.check_at(&format!("ip:{i}"), t0).unwrap();
        }
        assert_eq!(l.len(), 1000);
        // After the prune interval those buckets are full again (1 token back in 1 s): forgotten.
        l.check_at("ip:new", t0 + PRUNE_EVERY + Duration::from_secs(1)).unwrap();
        assert_eq!(l.len(), 1);
        // An exhausted bucket is kept until it has refilled, so pruning never resets a limited client.
        for _ in 0..60 {
            l.check_at("ip:busy", t0 + PRUNE_EVERY * 2).unwrap();
        }
        assert!(l.check_at("ip:busy", t0 + PRUNE_EVERY * 3).is_ok(), "refilled 10 tokens");
        l.check_at("ip:other", t0 + PRUNE_EVERY * 4).unwrap();
        assert!(l.len() >= 2, "ip:busy is still below its cap, so it is kept");
    }

    #[test]
    fn the_number_of_keys_is_bounded() {
        let l = RateLimiter::with_max_keys(60, 1000);
        let t0 = Instant::now();
        for i in 0..20_000 {
            // All within one second: nothing refills, so only eviction keeps the map bounded.
            let _ = l.check_at(&format!("ip:{i}"), t0 + Duration::from_micros(i));
            assert!(l.len() <= 1000, "{} keys after {i}", l.len());
        }
        // The most recent keys survive; their buckets are still limited.
        for _ in 0..59 {
            l.check_at("ip:19999", t0 + Duration::from_millis(30)).unwrap();
        }
        assert!(l.check_at("ip:19999", t0 + Duration::from_millis(30)).is_err());
    }
}
