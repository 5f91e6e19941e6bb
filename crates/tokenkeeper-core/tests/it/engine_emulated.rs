//! The engine's policy under tokio's paused clock, its attempts made by the real keeper over
//! real HTTP to the emulators (which revoke the old token at each refresh, as the real JWT Auth
//! Pro plugin does). Each attempt runs on a second, real-time runtime from `spawn_blocking`,
//! so the engine's time stands still while it runs (tokio does not auto-advance past a
//! blocking task); the keeper and the emulators read the engine's time, set before each call.
//! Handouts made meanwhile are checked at the server every virtual second of their promise.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokenkeeper_core::account::{Account, AccountId};
use tokenkeeper_core::clock::{Clock, TokioClock};
use tokenkeeper_core::engine::events::EventKind;
use tokenkeeper_core::engine::{Attempter, Engine, EngineConfig};
use tokenkeeper_core::keeper::{Attempt, TokenInfo};
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::store::state::AccountState;
use tokenkeeper_core::{Keeper, Secret};
use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig};

use crate::helpers::{first_secret, keeper, new_account, start_with};

/// A clock that says what it was last told: the engine's time at the start of a call.
#[derive(Debug)]
struct Told(Mutex<DateTime<Utc>>);

impl Clock for Told {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

#[derive(Debug)]
struct Bridge {
    keeper: Keeper,
    told: Arc<Told>,
    engine_clock: Arc<TokioClock>,
    real: tokio::runtime::Handle,
    emus: Vec<Arc<Emulator>>,
    /// The servers' offset for the engine's instant it was set at: set once per instant, as
    /// a second one could round the other way and a token issued a moment ago would be "not
    /// yet valid" (JWT Auth Pro checks `nbf`, as php-jwt does).
    offset: Mutex<Option<(DateTime<Utc>, i64)>>,
}

impl Bridge {
    /// The keeper and the servers take the engine's time now.
    fn sync(&self) {
        let now = self.engine_clock.now();
        *self.told.0.lock().unwrap() = now;
        let mut last = self.offset.lock().unwrap();
        if last.is_some_and(|(at, _)| at == now) {
            return;
        }
        let offset = ((now - Utc::now()).num_milliseconds() as f64 / 1000.0).round() as i64;
        for emu in &self.emus {
            emu.set_clock_offset(offset);
        }
        *last = Some((now, offset));
    }

    /// Runs `call` with the keeper on the real-time runtime while the engine's time stands.
    async fn run<T: Send + 'static>(
        &self,
        call: impl AsyncFnOnce(Keeper) -> T + Send + 'static,
    ) -> T {
        self.sync();
        let (keeper, real) = (self.keeper.clone(), self.real.clone());
        tokio::task::spawn_blocking(move || real.block_on(call(keeper)))
            .await
            .unwrap()
    }

    async fn handout(&self, name: &str, min_valid: Duration) -> TokenInfo {
        let name = name.to_owned();
        self.run(async move |keeper: Keeper| keeper.token_info(&name, min_valid).await)
            .await
            .unwrap()
    }
}

#[async_trait::async_trait]
impl Attempter for Bridge {
    async fn attempt(
        &self,
        account: &Account,
        state: &AccountState,
        min_valid: Duration,
        force: bool,
    ) -> Attempt {
        let (account, state) = (account.clone(), state.clone());
        self.run(async move |keeper: Keeper| {
            Attempter::attempt(&keeper, &account, &state, min_valid, force).await
        })
        .await
    }

    fn paths(&self) -> &Paths {
        self.keeper.paths()
    }

    fn clock(&self) -> Arc<dyn Clock> {
        self.engine_clock.clone()
    }
}

fn server(api: Api, ttl: u64) -> EmulatorConfig {
    let mut config = EmulatorConfig::for_api(api);
    config.token_ttl = Some(ttl);
    config.refresh_ttl = Some(86_400);
    config
}

/// One handout's promise: the token must work at the server until `until`.
struct Promise {
    emu: usize,
    token: Secret,
    until: DateTime<Utc>,
    info: String,
}

#[test]
fn the_background_refreshes_a_revoking_api_late_and_every_promise_holds_at_the_server() {
    let real = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let paused = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    // 300 s tokens on both servers: JWT Auth Pro revokes at each refresh, Smartling does not.
    let dir = tempfile::tempdir().unwrap();
    let told = Arc::new(Told(Mutex::new(Utc::now())));
    let (emus, keeper, accounts) = real.block_on(async {
        let wp = start_with(server(Api::JwtAuthPro, 300), Api::JwtAuthPro).await;
        let sm = start_with(server(Api::Smartling, 300), Api::Smartling).await;
        let keeper = keeper(dir.path()).with_clock(told.clone());
        let mut accounts = Vec::new();
        for (emu, name) in [(&wp, "wp"), (&sm, "sm")] {
            keeper
                .add(new_account(emu, dir.path(), name), first_secret(emu))
                .await
                .unwrap();
            accounts.push(keeper.find(name).unwrap());
        }
        (vec![Arc::new(wp), Arc::new(sm)], keeper, accounts)
    });
    let ids: Vec<AccountId> = accounts.iter().map(|a| a.id).collect();
    paused.block_on(async {
        let bridge = Arc::new(Bridge {
            keeper,
            told,
            engine_clock: Arc::new(TokioClock::new(Utc::now())),
            real: real.handle().clone(),
            emus,
            offset: Mutex::new(None),
        });
        let engine = Engine::start_with(bridge.clone(), accounts, EngineConfig::default())
            .await
            .unwrap();
        let mut events = engine.subscribe();
        let mut promises: Vec<Promise> = Vec::new();
        let mut checks = 0usize;
        let mut wp_tokens = std::collections::HashSet::new();
        // Ten lifetimes; a handout of each account every 37 s (so no promise is still running
        // when the next is asked for: a handout never waits here), each checked at the server
        // every second of its promise.
        for second in 1..=3000u64 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if second % 37 == 0 {
                for (emu, (name, min_valid)) in [("wp", 20), ("sm", 60)].into_iter().enumerate() {
                    let info = bridge.handout(name, Duration::from_secs(min_valid)).await;
                    let until = bridge.engine_clock.now() + TimeDelta::seconds(min_valid as i64);
                    assert!(
                        info.valid_until.is_some_and(|v| v >= until),
                        "{name}: promised {until}, works until {:?}",
                        info.valid_until
                    );
                    if emu == 0 {
                        wp_tokens.insert(info.fingerprint.clone());
                    }
                    promises.push(Promise {
                        emu,
                        info: format!(
                            "{name} {} at second {second}: expires {:?}, works until {:?}",
                            info.fingerprint, info.expires_at, info.valid_until
                        ),
                        token: info.token,
                        until,
                    });
                }
            }
            bridge.sync();
            let now = bridge.engine_clock.now();
            promises.retain(|p| p.until > now);
            for p in &promises {
                assert!(
                    bridge.emus[p.emu].access_token_valid(p.token.expose()),
                    "second {second} ({now}): a token promised until {} no longer works at the server: {}\n{:?}",
                    p.until,
                    p.info,
                    std::fs::read_to_string(bridge.keeper.paths().state_file()).unwrap_or_default()
                );
                checks += 1;
            }
        }
        assert!(checks > 2000, "{checks} checks");
        // The engine's own refreshes: the revoking API's come 15 s before expiry (jitter up to
        // 1.5 s), never before a token's `works_until`; the other API keeps its lead.
        let mut last_expiry: [Option<DateTime<Utc>>; 2] = [None, None];
        let mut refreshes = [0usize; 2];
        while let Ok(event) = events.try_recv() {
            let Some(i) = ids.iter().position(|id| *id == event.account) else {
                continue;
            };
            if event.kind == EventKind::Refreshed {
                if let (Some(started), Some(expiry)) = (event.started_at, last_expiry[i]) {
                    let early = (expiry - started).num_milliseconds();
                    if i == 0 {
                        assert!(
                            (15_000..=16_600).contains(&early),
                            "wp refreshed {early} ms before expiry"
                        );
                    } else {
                        assert!(early > 30_000, "sm refreshed {early} ms before expiry");
                    }
                }
                refreshes[i] += 1;
            }
            if event.expires_at.is_some() {
                last_expiry[i] = event.expires_at;
            }
        }
        // A handout that the token cannot serve rotates it itself (the last 20 s of its 283.5),
        // so the engine does some of the revoking API's rotations and the handouts the rest;
        // either way a token lived no longer than one lifetime.
        assert!(refreshes[0] >= 3, "{refreshes:?}");
        assert!(
            wp_tokens.len() >= 10,
            "{} tokens handed out in ten lifetimes",
            wp_tokens.len()
        );
        assert!(refreshes[1] >= 11, "{refreshes:?}");
        engine.shutdown().await;
    });
}
