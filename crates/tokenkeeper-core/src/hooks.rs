//! A command run after every new token (pizauth's `token_event_cmd`): to update a `.env` file,
//! a Kubernetes secret, another tool's store. An account names its own (`Account::hook`), or
//! the settings name one for every account (`Settings::hook`); program and arguments, no shell.
//!
//! Run by whoever runs the engine (the background, `tokenkeeper daemon`), after each refresh or
//! login that brought a new token, its own or another process's while it ran (seen in the state
//! file), never by the demo. The command gets the account's name, API,
//! expiry and fingerprint in its environment (`TOKENKEEPER_ACCOUNT`, `TOKENKEEPER_PROVIDER`,
//! `TOKENKEEPER_EXPIRES_AT`, `TOKENKEEPER_FINGERPRINT`) and **the token on its stdin only**:
//! never in its arguments or environment, where other users' `ps` could see it. It has
//! [`TIMEOUT`] to take the token and finish: writing the token counts, so a hook that never
//! reads its stdin cannot hold the background on a full pipe, and a hook still running then is
//! killed. A failure (exit code, signal, timeout, cannot start) is written to the account's
//! history as `hook_failed` with what it said on stderr, and logged.

use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::broadcast;

use crate::account::Account;
use crate::engine::events::{Event, EventKind};
use crate::keeper::Keeper;
use crate::store::history::{self, HistoryEntry, Outcome};
use crate::store::state::LastError;

/// How long a hook may run.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How much of a failed hook's stderr the history keeps.
const STDERR_KEPT: usize = 300;

/// The command to run for `account`: its own, else the settings' (none when neither names one
/// or the one named is empty).
pub fn command_for<'a>(
    account: &'a Account,
    settings_hook: Option<&'a [String]>,
) -> Option<&'a [String]> {
    account
        .hook
        .as_deref()
        .or(settings_hook)
        .filter(|c| c.first().is_some_and(|program| !program.is_empty()))
}

/// Follows the engine's events and runs the hook after each new token, one at a time per
/// event, until the channel closes: the engine's own (`Refreshed`) and one another process
/// brought (`tokenkeeper refresh`, `login`, a handout that refreshed), which the engine learns
/// from the state file (`Reloaded` with a token it had not seen, made since this began).
pub fn follow(
    keeper: Keeper,
    mut events: broadcast::Receiver<Event>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen = NewTokens::new(Utc::now());
        loop {
            match events.recv().await {
                Ok(event) if seen.is_new(&event) => {
                    let keeper = keeper.clone();
                    tokio::spawn(async move { on_new_token(&keeper, &event).await });
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(
                        missed = n,
                        "the hook runner fell behind the engine's events"
                    );
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    })
}

/// Which events bring a token the hook has not had: the last token seen of each account.
struct NewTokens {
    since: DateTime<Utc>,
    last: std::collections::HashMap<crate::account::AccountId, String>,
}

impl NewTokens {
    fn new(since: DateTime<Utc>) -> Self {
        Self {
            since,
            last: std::collections::HashMap::new(),
        }
    }

    fn is_new(&mut self, event: &Event) -> bool {
        let Some(fingerprint) = event.token_fingerprint.clone() else {
            return event.kind == EventKind::Refreshed;
        };
        let before = self.last.insert(event.account, fingerprint.clone());
        match event.kind {
            EventKind::Refreshed => true,
            EventKind::Reloaded => match before {
                Some(before) => before != fingerprint,
                // Not seen yet: new when it was made while this ran.
                None => event.last_refresh.is_some_and(|at| at >= self.since),
            },
            _ => false,
        }
    }
}

async fn on_new_token(keeper: &Keeper, event: &Event) {
    let Ok(config) = keeper.config() else {
        return;
    };
    let Some(account) = config.accounts.iter().find(|a| a.id == event.account) else {
        return;
    };
    let Some(command) = command_for(account, config.settings.hook.as_deref()) else {
        return;
    };
    let started = Utc::now();
    let result = match keeper.token_info(&account.name, Duration::ZERO).await {
        Ok(info) => {
            let run = Run {
                account: &account.name,
                provider: account.provider.id(),
                expires_at: info.expires_at,
                fingerprint: &info.fingerprint,
                token: info.token.expose(),
            };
            run_hook(command, &run).await
        }
        Err(e) => Err(format!("the new token could not be read for the hook: {e}")),
    };
    if let Err(message) = result {
        tracing::warn!(account = %account.name, error = %message, "hook failed");
        let entry = HistoryEntry {
            at: started,
            outcome: Outcome::HookFailed,
            latency_ms: u64::try_from((Utc::now() - started).num_milliseconds()).unwrap_or(0),
            error: Some(Box::new(LastError {
                status: None,
                code: Some("hook".to_owned()),
                message,
                kind: None,
                certificate: None,
                at: Utc::now(),
            })),
        };
        let (paths, id) = (keeper.paths().clone(), account.id);
        let _ = tokio::task::spawn_blocking(move || history::append_blocking(&paths, id, &[entry]))
            .await;
    } else {
        tracing::info!(account = %account.name, "hook ran");
    }
}

/// What one run of a hook is told.
pub struct Run<'a> {
    /// The account's name.
    pub account: &'a str,
    /// Its API's id.
    pub provider: &'a str,
    /// The token's expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// The token's fingerprint.
    pub fingerprint: &'a str,
    /// The token: written to stdin, nowhere else.
    pub token: &'a str,
}

impl std::fmt::Debug for Run<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("account", &self.account)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Runs `command` with the token on its stdin; `Err` says how it failed, in words that never
/// hold the token.
pub async fn run_hook(command: &[String], run: &Run<'_>) -> Result<(), String> {
    run_hook_within(command, run, TIMEOUT).await
}

/// [`run_hook`] with a time limit of `limit` (tests shorten it).
async fn run_hook_within(command: &[String], run: &Run<'_>, limit: Duration) -> Result<(), String> {
    let Some((program, args)) = command.split_first() else {
        return Err("the hook names no program".to_owned());
    };
    let mut cmd = tokio::process::Command::new(program);
    // The background on Windows has no console: without this, each hook of a console program
    // would get a console window of its own, flashing up at every new token.
    #[cfg(windows)]
    cmd.creation_flags(windows_sys::Win32::System::Threading::CREATE_NO_WINDOW);
    let mut child = cmd
        .args(args)
        .env("TOKENKEEPER_ACCOUNT", run.account)
        .env("TOKENKEEPER_PROVIDER", run.provider)
        .env(
            "TOKENKEEPER_EXPIRES_AT",
            run.expires_at.map(|at| at.to_rfc3339()).unwrap_or_default(),
        )
        .env("TOKENKEEPER_FINGERPRINT", run.fingerprint)
        // No token of ours leaks through the inherited environment either.
        .env_remove("TOKENKEEPER_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let stdin = child.stdin.take();
    let mut stderr = child.stderr.take();
    // The token is written within the time limit too: a hook that never reads its stdin blocks
    // the write once the pipe is full (64 KiB), and must not hold this task past the limit.
    let waited = tokio::time::timeout(limit, async {
        if let Some(mut stdin) = stdin {
            let line = zeroize::Zeroizing::new(format!("{}\n", run.token));
            // A hook that does not read its stdin is not a failure.
            let _ = stdin.write_all(line.as_bytes()).await;
            // Dropped here: the hook sees the end of its input before it is waited for.
        }
        child.wait().await
    })
    .await;
    let said = match stderr.as_mut() {
        Some(err) => {
            let mut text = Vec::new();
            let _ = tokio::time::timeout(
                Duration::from_millis(200),
                err.take(64 * 1024).read_to_end(&mut text),
            )
            .await;
            said(&text, run.token)
        }
        None => String::new(),
    };
    match waited {
        Err(_) => {
            let _ = child.kill().await;
            let within = match limit.as_secs() {
                0 => format!("{} ms", limit.as_millis()),
                secs => format!("{secs} s"),
            };
            Err(format!("{program} did not finish within {within}{said}"))
        }
        Ok(Err(e)) => Err(format!("{program}: {e}")),
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("{program} failed ({status}){said}")),
    }
}

/// The start of what a hook wrote on stderr, on one line, with the token masked.
fn said(bytes: &[u8], token: &str) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.replace(token, "***");
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return String::new();
    }
    let cut: String = line.chars().take(STDERR_KEPT).collect();
    let more = if cut.len() < line.len() { "…" } else { "" };
    format!(": {cut}{more}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProviderKind;
    use crate::testing::TestAccount;

    #[cfg(unix)]
    fn run() -> Run<'static> {
        Run {
            account: "acc",
            provider: "ece",
            expires_at: None,
            fingerprint: "ab12cd34",
            token: "tok.en.value",
        }
    }

    #[test]
    fn the_accounts_hook_wins_over_the_settings_and_empty_means_none() {
        let mut account = TestAccount::new("a", ProviderKind::Ece).build();
        let all = vec!["all".to_owned()];
        assert_eq!(command_for(&account, Some(&all)), Some(&all[..]));
        account.hook = Some(vec!["mine".to_owned(), "x".to_owned()]);
        assert_eq!(command_for(&account, Some(&all)).unwrap()[0], "mine");
        account.hook = Some(vec![String::new()]);
        assert_eq!(command_for(&account, Some(&all)), None);
        account.hook = None;
        assert_eq!(command_for(&account, None), None);
    }

    #[cfg(unix)] // `sh` and /proc; the Wine suite runs a hook on Windows.
    #[tokio::test]
    async fn a_failing_hook_says_why_without_the_token() {
        let command = ["sh", "-c", "read t; echo \"bad $t\" >&2; exit 3"].map(String::from);
        let err = run_hook(&command, &run()).await.unwrap_err();
        assert!(err.contains("exit status: 3"), "{err}");
        assert!(err.contains("bad ***"), "{err}");
        assert!(!err.contains("tok.en.value"), "{err}");
        let missing = ["/nonexistent/hook".to_owned()];
        let err = run_hook(&missing, &run()).await.unwrap_err();
        assert!(err.starts_with("cannot run /nonexistent/hook"), "{err}");
    }

    /// A hook that never reads its stdin, given a token larger than a pipe holds, blocks the
    /// write of the token: the time limit covers it and the hook is killed. (A real clock: a
    /// paused one would jump past the guard while the killed hook is being reaped.)
    #[cfg(unix)] // `sh` and /proc; the Wine suite runs a hook on Windows.
    #[tokio::test]
    async fn a_hook_that_never_reads_its_stdin_is_stopped_at_the_time_limit() {
        let big = "t".repeat(4 << 20);
        let mut run = run();
        run.token = &big;
        // A command line no other process has, to find the hook among the processes.
        let marker = format!("3600.{}", std::process::id());
        let command = ["sleep".to_owned(), marker.clone()];
        let limit = Duration::from_millis(300);
        // Only a guard against hanging: without the fix the write never ends.
        let outcome = tokio::time::timeout(TIMEOUT, run_hook_within(&command, &run, limit)).await;
        let err = outcome
            .expect("the hook's time limit covers the write of the token")
            .unwrap_err();
        assert!(err.contains("did not finish within 300 ms"), "{err}");
        let still_running = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|p| std::fs::read(p.path().join("cmdline")).ok())
            .any(|line| line.split(|b| *b == 0).any(|arg| arg == marker.as_bytes()));
        assert!(!still_running, "the hook was killed");
    }

    #[cfg(unix)] // `sh` and /proc; the Wine suite runs a hook on Windows.
    #[tokio::test]
    async fn the_token_arrives_on_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got");
        let script = format!("cat > {}", out.display());
        let command = ["sh".to_owned(), "-c".to_owned(), script];
        run_hook(&command, &run()).await.unwrap();
        assert_eq!(std::fs::read_to_string(out).unwrap(), "tok.en.value\n");
    }
}
