//! The engine's timing under tokio's paused clock, with a scripted attempter instead of HTTP:
//! lead and jitter bounds, at most one refresh every 5 s, backoff, Retry-After, needs_login
//! parking, suspend/resume, bounded concurrency and the once-a-minute wake-up.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokenkeeper_core::account::{Account, AccountId};
use tokenkeeper_core::clock::{Clock, TokioClock};
use tokenkeeper_core::engine::events::EventKind;
use tokenkeeper_core::engine::{Attempter, Engine, EngineCommand, EngineConfig};
use tokenkeeper_core::keeper::Attempt;
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::store::state::AccountState;
use tokenkeeper_core::testing::TestAccount;
use tokenkeeper_core::token::TokenSet;
use tokenkeeper_core::{ApiError, Error, ErrorKind, ProviderKind, Secret};
use tokio::time::Instant;

#[derive(Clone, Debug)]
enum Step {
    Ok,
    Transient(Option<u64>),
    NeedsLogin,
    Panic,
}

#[derive(Debug)]
struct Scripted {
    paths: Paths,
    clock: Arc<TokioClock>,
    lifetime: TimeDelta,
    hold: Duration,
    script: Mutex<VecDeque<Step>>,
    calls: Mutex<Vec<(AccountId, Instant, bool)>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Scripted {
    fn new(dir: &std::path::Path, lifetime_secs: i64) -> Arc<Self> {
        Arc::new(Self {
            paths: Paths::new(dir),
            clock: Arc::new(TokioClock::new(Utc::now())),
            lifetime: TimeDelta::seconds(lifetime_secs),
            hold: Duration::from_millis(10),
            script: Mutex::new(VecDeque::new()),
            calls: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }

    fn script(&self, steps: &[Step]) {
        self.script.lock().unwrap().extend(steps.iter().cloned());
    }

    /// Seconds (tokio time) between one account's calls.
    fn gaps(&self, id: AccountId) -> Vec<f64> {
        let calls = self.calls.lock().unwrap();
        let times: Vec<Instant> = calls.iter().filter(|c| c.0 == id).map(|c| c.1).collect();
        times
            .windows(2)
            .map(|w| (w[1] - w[0]).as_secs_f64())
            .collect()
    }

    fn count(&self, id: AccountId) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.0 == id)
            .count()
    }
}

#[async_trait::async_trait]
impl Attempter for Scripted {
    async fn attempt(
        &self,
        account: &Account,
        state: &AccountState,
        min_valid: Duration,
        force: bool,
    ) -> Attempt {
        let now = self.clock.now();
        let mut state = state.clone();
        let remaining = state.expires_at.map(|e| e - now).unwrap_or_default();
        if !force && remaining >= TimeDelta::from_std(min_valid).unwrap() {
            return Attempt {
                result: Ok(Secret::new("t")),
                state,
                contacted_api: false,
                latency: Duration::ZERO,
            };
        }
        self.calls
            .lock()
            .unwrap()
            .push((account.id, Instant::now(), force));
        let current = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(current, Ordering::SeqCst);
        tokio::time::sleep(self.hold).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let step = self.script.lock().unwrap().pop_front().unwrap_or(Step::Ok);
        let now = self.clock.now();
        let result = match step {
            Step::Panic => panic!("a scripted bug"),
            Step::Ok => {
                let set = TokenSet {
                    access: Secret::new("t"),
                    refresh: None,
                    expires_at: now + self.lifetime,
                    refresh_expires_at: None,
                    obtained_at: now,
                    plain_permalinks: None,
                    id_claims: None,
                };
                state.apply_success(&set, now, false);
                Ok(set.access)
            }
            Step::Transient(retry_after) => {
                let mut api = ApiError::local(
                    ErrorKind::Transient,
                    "MAINTENANCE_MODE_ERROR",
                    "down for maintenance",
                );
                api.status = Some(503);
                api.retry_after_secs = retry_after;
                let err = Error::Api(api);
                state.apply_failure(&err, now, false);
                Err(err)
            }
            Step::NeedsLogin => {
                let err = Error::NeedsLogin {
                    name: account.name.clone(),
                    reason: "refused".into(),
                    api: None,
                };
                state.apply_failure(&err, now, true);
                Err(err)
            }
        };
        Attempt {
            result,
            state,
            contacted_api: true,
            latency: self.hold,
        }
    }

    fn paths(&self) -> &Paths {
        &self.paths
    }

    fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }
}

fn account(i: usize) -> Account {
    TestAccount::new(&format!("acc{i}"), ProviderKind::Smartling).build()
}

async fn start(fake: &Arc<Scripted>, accounts: Vec<Account>, concurrency: usize) -> Engine {
    let config = EngineConfig {
        concurrency,
        ..EngineConfig::default()
    };
    Engine::start_with(fake.clone(), accounts, config)
        .await
        .unwrap()
}

async fn wait(secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs)).await;
}

#[tokio::test(start_paused = true)]
async fn refreshes_come_at_expiry_minus_lead_never_later_and_jitter_stays_in_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 300);
    let accounts: Vec<Account> = (0..200).map(account).collect();
    let ids: Vec<AccountId> = accounts.iter().map(|a| a.id).collect();
    let engine = start(&fake, accounts, 8).await;
    wait(1000).await;
    let mut all_gaps = Vec::new();
    for id in ids {
        let gaps = fake.gaps(id);
        assert!(gaps.len() >= 4, "{gaps:?}");
        for gap in &gaps {
            // Lifetime 300 s, lead 60 s, jitter up to 6 s earlier; plus the 10 ms hold.
            assert!((233.9..=240.1).contains(gap), "gap {gap}");
        }
        all_gaps.extend(gaps);
    }
    let spread = all_gaps.iter().cloned().fold(f64::MIN, f64::max)
        - all_gaps.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread > 1.0, "jitter spreads the refreshes: {spread}");
    engine.shutdown().await;
}

/// A server that announces a lifetime of 0 or 1 s does not get a refresh a second: one account
/// is refreshed at most every 5 s, and still every 5 s.
#[tokio::test(start_paused = true)]
async fn a_token_living_a_second_or_none_is_refreshed_at_most_every_5_seconds() {
    for lifetime in [1, 0] {
        let dir = tempfile::tempdir().unwrap();
        let fake = Scripted::new(dir.path(), lifetime);
        let acc = account(0);
        let id = acc.id;
        let engine = start(&fake, vec![acc], 8).await;
        wait(60).await;
        let count = fake.count(id);
        assert!(
            (12..=13).contains(&count),
            "lifetime {lifetime} s: {count} attempts in 60 s"
        );
        for gap in fake.gaps(id) {
            assert!(
                gap >= 5.0,
                "lifetime {lifetime} s: {gap} s between refreshes"
            );
        }
        engine.shutdown().await;
    }
}

#[tokio::test(start_paused = true)]
async fn transient_failures_back_off_exponentially_and_honour_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 3600);
    fake.script(&[
        Step::Transient(None),
        Step::Transient(None),
        Step::Transient(None),
        Step::Transient(None),
        Step::Transient(Some(40)),
        Step::Ok,
    ]);
    let acc = account(0);
    let id = acc.id;
    let engine = start(&fake, vec![acc], 8).await;
    let mut events = engine.subscribe();
    wait(120).await;
    let gaps = fake.gaps(id);
    assert_eq!(gaps.len(), 5, "{gaps:?}");
    let ceilings = [1.0, 2.0, 4.0, 8.0];
    for (gap, ceiling) in gaps.iter().zip(ceilings) {
        assert!(
            *gap >= 0.99 && *gap <= ceiling + 0.02,
            "gap {gap} over ceiling {ceiling}"
        );
    }
    assert!(gaps[4] >= 40.0, "Retry-After 40 s honoured: {}", gaps[4]);
    let mut saw_failed_with_code = false;
    while let Ok(event) = events.try_recv() {
        if event.kind == EventKind::Failed {
            let err = event.last_error.unwrap();
            assert_eq!(
                (err.status, err.code.as_deref()),
                (Some(503), Some("MAINTENANCE_MODE_ERROR"))
            );
            saw_failed_with_code = true;
        }
    }
    assert!(saw_failed_with_code);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn needs_login_parks_the_account_until_the_user_acts() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 300);
    fake.script(&[Step::NeedsLogin]);
    let mut acc = account(0);
    let id = acc.id;
    let engine = start(&fake, vec![acc.clone()], 8).await;
    let mut events = engine.subscribe();
    wait(86_400).await;
    assert_eq!(fake.count(id), 1, "never retried on its own");
    let parked = std::iter::from_fn(|| events.try_recv().ok())
        .any(|e| e.kind == EventKind::NeedsLogin && e.next_refresh_at.is_none());
    assert!(parked);
    // New settings are the user acting.
    acc.username = Some("someone-else".into());
    engine.send(EngineCommand::Update(acc)).await.unwrap();
    wait(1).await;
    assert_eq!(fake.count(id), 2);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn new_settings_retry_a_failing_account_at_once_not_after_its_backoff() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 3600);
    // Fails (say, an untrusted certificate) with a long Retry-After, then would succeed.
    fake.script(&[Step::Transient(Some(600)), Step::Ok]);
    let mut acc = account(0);
    let id = acc.id;
    let engine = start(&fake, vec![acc.clone()], 8).await;
    wait(5).await;
    assert_eq!(fake.count(id), 1);
    // The user trusts the certificate: the account is tried again within a second.
    acc.trust_cert = Some(tokenkeeper_core::cert::CertFingerprint::of(
        b"server certificate",
    ));
    engine.send(EngineCommand::Update(acc)).await.unwrap();
    wait(1).await;
    assert_eq!(fake.count(id), 2, "retried at once");
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_suspend_is_caught_by_the_minute_check() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 3600);
    let acc = account(0);
    let id = acc.id;
    let engine = start(&fake, vec![acc], 8).await;
    wait(100).await;
    assert_eq!(fake.count(id), 1);
    // The laptop sleeps two hours: the wall clock jumps, tokio's timer does not move.
    let before = Instant::now();
    fake.clock.jump(TimeDelta::hours(2));
    wait(61).await;
    let calls = fake.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "the overdue refresh ran");
    assert!(
        calls[1].1 - before <= Duration::from_secs(61),
        "within a minute of resume"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn concurrency_is_bounded_when_everything_is_due_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut fake = Scripted::new(dir.path(), 3600);
    Arc::get_mut(&mut fake).unwrap().hold = Duration::from_secs(1);
    let accounts: Vec<Account> = (0..100).map(account).collect();
    let engine = start(&fake, accounts, 8).await;
    wait(20).await;
    assert_eq!(fake.calls.lock().unwrap().len(), 100);
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 8);
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_idle_engine_wakes_about_once_a_minute() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 3600);
    let engine = start(&fake, (0..100).map(account).collect(), 8).await;
    wait(5).await;
    let before = engine.metrics().wakeups;
    wait(600).await;
    let wakeups = engine.metrics().wakeups - before;
    assert!(
        (9..=12).contains(&wakeups),
        "{wakeups} wake-ups in 10 idle minutes"
    );
    assert_eq!(
        fake.calls.lock().unwrap().len(),
        100,
        "one refresh each, nothing since"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn refresh_now_forces_and_state_reaches_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 3600);
    let acc = account(0);
    let id = acc.id;
    let engine = start(&fake, vec![acc], 8).await;
    wait(10).await;
    engine.send(EngineCommand::RefreshNow(id)).await.unwrap();
    wait(1).await;
    let calls = fake.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert!(calls[1].2, "forced");
    let snapshot = engine.snapshot().await.unwrap();
    assert!(snapshot[0].next_refresh_at.is_some());
    engine.shutdown().await;
    let text = std::fs::read_to_string(dir.path().join("state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entry = &state["accounts"][id.to_string()];
    assert!(entry["next_refresh_at"].is_string(), "{entry}");
    assert!(entry["expires_at"].is_string(), "{entry}");
    let history =
        std::fs::read_to_string(dir.path().join("history").join(format!("{id}.jsonl"))).unwrap();
    assert_eq!(history.lines().count(), 2);
    assert!(!history.contains("\"t\""), "no token in the history");
}

#[tokio::test(start_paused = true)]
async fn refresh_now_during_an_attempt_runs_right_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut fake = Scripted::new(dir.path(), 3600);
    Arc::get_mut(&mut fake).unwrap().hold = Duration::from_secs(5);
    let acc = account(0);
    let id = acc.id;
    let engine = start(&fake, vec![acc], 8).await;
    wait(1).await;
    assert_eq!(fake.count(id), 1, "the first attempt is running");
    engine.send(EngineCommand::RefreshNow(id)).await.unwrap();
    wait(12).await;
    let calls = fake.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "the forced refresh was kept, not dropped");
    assert!(calls[1].2, "and it was forced");
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_api_whose_refresh_revokes_the_old_token_is_refreshed_late() {
    // JWT Auth Pro revokes the previous token at each refresh: a token handed out works until
    // the next refresh, so it comes 15 s before expiry (jitter up to 1.5 s), not at 20 % of the
    // lifetime; and never before what a handout could have been promised (`works_until`).
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 300);
    let revoking = TestAccount::new("wp", ProviderKind::JwtAuthPro).build();
    let other = account(1);
    let (wp, smartling) = (revoking.id, other.id);
    let engine = start(&fake, vec![revoking.clone(), other], 8).await;
    wait(1000).await;
    let gaps = fake.gaps(wp);
    assert!(gaps.len() >= 3, "{gaps:?}");
    for gap in &gaps {
        // Lifetime 300 s, lead 15 s, jitter up to 1.5 s earlier; plus the 10 ms hold.
        assert!((283.4..=285.1).contains(gap), "gap {gap}");
    }
    for gap in fake.gaps(smartling) {
        assert!(
            (233.9..=240.1).contains(&gap),
            "the others keep their lead: {gap}"
        );
    }
    // What a handout may promise ends where the engine may rotate at the earliest.
    let snapshot = engine.snapshot().await.unwrap();
    let entry = snapshot.iter().find(|a| a.account.id == wp).unwrap();
    let works = tokenkeeper_core::keeper::works_until(&revoking, &entry.state).unwrap();
    let next = entry.next_refresh_at.unwrap();
    assert!(
        works <= next,
        "promises end ({works}) before the next rotation ({next})"
    );
    assert!(
        next - works <= TimeDelta::milliseconds(1600),
        "{works} {next}"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_state_file_is_read_again_only_after_another_process_wrote_it() {
    // The engine writes state.json about once a second while tokens change and never re-reads
    // its own writes (a whole parse at 10,000 accounts); another process's write (here a
    // handout's promise) is taken. The race this once lost (a check while a flush was being
    // written, which re-read the file each second at scale) needs real time: the scale
    // benchmark counts `state_reloads`.
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 30);
    let mut accounts: Vec<Account> = (1..200).map(account).collect();
    // A revoking API's token: the engine keeps it while the promise runs.
    accounts.push(TestAccount::new("wp", ProviderKind::JwtAuthPro).build());
    let id = accounts[199].id;
    let engine = start(&fake, accounts, 8).await;
    for _ in 0..600 {
        wait(1).await;
        // As the file watcher does after every write it sees, ours included.
        engine.send(EngineCommand::Reload).await.unwrap();
    }
    let calls = fake.calls.lock().unwrap().len();
    assert!(
        calls >= 200 * 20,
        "the tokens kept changing: {calls} refreshes"
    );
    assert!(dir.path().join("state.json").exists());
    assert_eq!(
        engine.metrics().state_reloads,
        0,
        "the engine never re-read its own writes"
    );
    // A promise as a handout makes it: within what the token can keep (`works_until`), under
    // the account's lock (no attempt of the engine's in flight).
    let mut room = false;
    for _ in 0..20 {
        let wp = engine.snapshot().await.unwrap();
        let wp = wp.iter().find(|a| a.account.id == id).unwrap();
        let works = tokenkeeper_core::keeper::works_until(&wp.account, &wp.state).unwrap();
        if works - fake.clock.now() >= TimeDelta::seconds(8) && !wp.in_flight {
            room = true;
            break;
        }
        wait(3).await;
    }
    assert!(room, "the token could keep a 5 s promise at some point");
    let until = fake.clock.now() + TimeDelta::seconds(5);
    let paths = fake.paths.clone();
    let fingerprint = tokenkeeper_core::token::fingerprint("t");
    let written = tokio::task::spawn_blocking(move || {
        tokenkeeper_core::store::state::promise_blocking(&paths, id, &fingerprint, until, None)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(written.promised_until, Some(until));
    engine.send(EngineCommand::Reload).await.unwrap();
    wait(2).await;
    assert_eq!(engine.metrics().state_reloads, 1);
    assert!(fake.clock.now() < until);
    let snapshot = engine.snapshot().await.unwrap();
    let entry = snapshot.iter().find(|a| a.account.id == id).unwrap();
    assert_eq!(
        entry.state.promised_until,
        Some(until),
        "the promise was taken"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_panicking_attempt_is_an_internal_error_and_is_tried_again() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Scripted::new(dir.path(), 3600);
    fake.script(&[Step::Panic]);
    let acc = account(0);
    let id = acc.id;
    let engine = start(&fake, vec![acc], 8).await;
    wait(1).await;
    let snapshot = engine.snapshot().await.unwrap();
    let entry = &snapshot[0];
    assert!(!entry.in_flight, "the account is not left in flight");
    let error = entry
        .state
        .last_error
        .clone()
        .expect("the failure is recorded");
    assert_eq!(error.code.as_deref(), Some("internal"), "{error:?}");
    assert!(error.message.contains("a bug"), "{error:?}");
    assert!(entry.next_refresh_at.is_some(), "and tried again later");
    wait(120).await;
    assert_eq!(fake.count(id), 2, "tried again after its backoff");
    let snapshot = engine.snapshot().await.unwrap();
    assert!(snapshot[0].state.last_error.is_none(), "and it worked");
    engine.shutdown().await;
}
