//! The agent itself: a Unix socket served while this process runs the engine. Each connection
//! is checked for its peer's user id, reads one request line (at most
//! [`MAX_REQUEST`](super::protocol::MAX_REQUEST) bytes, within a few seconds) and gets its
//! answer; whatever a client sends, the agent goes on serving the others.

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinHandle;

use super::protocol::{Answer, MAX_REQUEST, Op, WireToken, parse_request};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::TimeDelta;

use crate::account::AccountId;
use crate::error::{Error, Result};
use crate::keeper::{Keeper, TokenInfo};
use crate::secret::Secret;
use crate::store::binding::Binding;
use crate::store::state;

/// How long a client may take to send its request.
const READ_WITHIN: Duration = Duration::from_secs(3);
/// A token that needs no refresh is answered at once; otherwise "wait" goes first.
const ANSWER_AT_ONCE: Duration = Duration::from_millis(150);

/// A serving agent; dropping it stops serving and removes the socket.
#[derive(Debug)]
pub struct Agent {
    path: PathBuf,
    task: JoinHandle<()>,
}

impl Agent {
    /// The socket it serves.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::io(path, e)
}

/// Makes the socket directory (0700), or checks that the existing one is a real directory of
/// ours and private (a symlink, another owner or open permissions: no agent). Also where
/// `tokenkeeper exec --token-file` keeps its token files.
pub fn prepare_dir(dir: &Path) -> Result<u32> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(dir, e)),
    }
    if !super::check_dir(dir).map_err(|e| io(dir, e))? {
        return Err(Error::InvalidInput(format!(
            "{} is not a private directory of this user (mode 0700, not a symlink): no token agent",
            dir.display()
        )));
    }
    Ok(super::own_uid())
}

/// Binds a socket (0600) in its private directory (made 0700, or checked to be a real
/// directory of ours closed to others), replacing a stale one. Call it only while holding the
/// directory's engine lock: a socket left there by a process that died is then stale.
pub fn listen_privately(path: &Path) -> Result<UnixListener> {
    let dir = path.parent().unwrap_or(Path::new("/")).to_owned();
    prepare_dir(&dir)?;
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(path, e)),
    }
    let listener = UnixListener::bind(path).map_err(|e| io(path, e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| io(path, e))?;
    Ok(listener)
}

/// Starts serving tokens for the keeper's config directory. `Ok(None)` when the session has no
/// runtime directory (clients then use the direct path). Call it only while holding the
/// directory's engine lock, so one agent serves each directory.
pub fn serve(keeper: Keeper) -> Result<Option<Agent>> {
    let Some(path) = super::socket_path(keeper.paths()) else {
        return Ok(None);
    };
    let listener = listen_privately(&path)?;
    let uid = super::own_uid();
    tracing::debug!(socket = %path.display(), "token agent serving");
    let cache = Arc::new(Cache::default());
    let task = tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let (keeper, cache) = (keeper.clone(), cache.clone());
                    tokio::spawn(async move {
                        if let Err(e) = handle(stream, &keeper, &cache, uid).await {
                            tracing::debug!(error = %e, "agent connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "token agent cannot accept");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(Some(Agent { path, task }))
}

fn wire(info: TokenInfo) -> WireToken {
    WireToken {
        token: info.token.expose().to_owned(),
        expires_at: info.expires_at,
        valid_until: info.valid_until,
        fingerprint: info.fingerprint,
    }
}

async fn send(stream: &mut UnixStream, answer: &Answer) -> std::io::Result<()> {
    stream.write_all(answer.line().as_bytes()).await?;
    stream.flush().await
}

async fn read_request(stream: &mut UnixStream) -> std::result::Result<Vec<u8>, Error> {
    let mut line = Vec::new();
    let mut limited = BufReader::new(stream).take(MAX_REQUEST as u64 + 1);
    let read = tokio::time::timeout(READ_WITHIN, limited.read_until(b'\n', &mut line)).await;
    match read {
        Err(_) => Err(Error::InvalidInput(
            "agent: no request within 3 seconds".to_owned(),
        )),
        Ok(Err(e)) => Err(Error::InvalidInput(format!(
            "agent: cannot read the request: {e}"
        ))),
        Ok(Ok(_)) if line.len() > MAX_REQUEST => Err(Error::InvalidInput(format!(
            "agent: the request is longer than {MAX_REQUEST} bytes"
        ))),
        Ok(Ok(_)) => {
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            Ok(line)
        }
    }
}

/// The tokens this agent handed out, in memory only: a request is answered from here when
/// the account's server and trust settings are still those the token was had with (its
/// [`Binding`]), the state file still names this token (its fingerprint) and its expiry leaves
/// `min_valid`, which saves the keychain read; anything else takes [`Keeper::token_info`],
/// under the lock.
#[derive(Debug, Default)]
struct Cache {
    tokens: Mutex<HashMap<AccountId, (String, Secret, Binding)>>,
}

impl Cache {
    fn answer(&self, keeper: &Keeper, name: &str, min_valid: Duration) -> Option<TokenInfo> {
        let account = keeper.find(name).ok()?;
        if crate::capabilities::of(account.provider).revokes_on_refresh {
            // Each handout is a promise the background must see, and one made while a refresh
            // is in flight must wait for it (the old token is already dead): the keeper's path,
            // under the account lock.
            return None;
        }
        let (fingerprint, token, bound) = self.tokens.lock().ok()?.get(&account.id)?.clone();
        if Binding::of(&account).ok()? != bound {
            self.tokens.lock().ok()?.remove(&account.id);
            return None;
        }
        let state = state::read(keeper.paths(), account.id).ok()?;
        let expires_at = state.expires_at?;
        let min_valid = TimeDelta::from_std(min_valid).ok()?;
        let fresh = state.token_fingerprint.as_deref() == Some(fingerprint.as_str())
            && expires_at - keeper.clock().now() >= min_valid;
        fresh.then(|| TokenInfo {
            token,
            expires_at: Some(expires_at),
            valid_until: Some(expires_at),
            fingerprint,
        })
    }

    /// The binding of `name`'s settings now, to compare before and after a token is had.
    fn binding(keeper: &Keeper, name: &str) -> Option<Binding> {
        Binding::of(&keeper.find(name).ok()?).ok()
    }

    /// Keeps `info` when the settings did not change while it was had (`before`).
    fn keep(&self, keeper: &Keeper, name: &str, info: &TokenInfo, before: Option<Binding>) {
        let (Some(before), Ok(account)) = (before, keeper.find(name)) else {
            return;
        };
        if Binding::of(&account).ok().as_ref() != Some(&before) {
            return;
        }
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(
                account.id,
                (info.fingerprint.clone(), info.token.clone(), before),
            );
        }
    }
}

async fn handle(
    mut stream: UnixStream,
    keeper: &Keeper,
    cache: &Cache,
    uid: u32,
) -> std::io::Result<()> {
    let peer = stream.peer_cred()?;
    if peer.uid() != uid {
        tracing::warn!(
            peer_uid = peer.uid(),
            "token agent refused a client of another user"
        );
        let refused = Error::InvalidInput(
            "agent: refused: this agent serves only the user who runs it".to_owned(),
        );
        return send(&mut stream, &Answer::error(&refused)).await;
    }
    let request = match read_request(&mut stream)
        .await
        .and_then(|l| parse_request(&l))
    {
        Ok(request) => request,
        Err(e) => return send(&mut stream, &Answer::error(&e)).await,
    };
    match request.op {
        Op::Ping => send(&mut stream, &Answer::pong()).await,
        Op::Token {
            name,
            min_valid_secs,
        } => {
            let min_valid = Duration::from_secs(min_valid_secs);
            if let Some(info) = cache.answer(keeper, &name, min_valid) {
                return send(&mut stream, &Answer::token(wire(info))).await;
            }
            let before = Cache::binding(keeper, &name);
            let work = keeper.token_info(&name, min_valid);
            tokio::pin!(work);
            let result = match tokio::time::timeout(ANSWER_AT_ONCE, &mut work).await {
                Ok(result) => result,
                Err(_) => {
                    send(&mut stream, &Answer::wait()).await?;
                    work.await
                }
            };
            let answer = match result {
                Ok(info) => {
                    cache.keep(keeper, &name, &info, before);
                    Answer::token(wire(info))
                }
                Err(e) => Answer::error(&e),
            };
            send(&mut stream, &answer).await
        }
    }
}
