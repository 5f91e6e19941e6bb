//! The agent itself: the token protocol on [`crate::local`]'s server, served while this
//! process runs the engine. The server checks each connection's user and reads one request
//! line (at most [`MAX_REQUEST`](super::protocol::MAX_REQUEST) bytes, within a few seconds);
//! here it is answered. Whatever a client sends, the agent goes on serving the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;
use tokio_util::sync::CancellationToken;

use super::protocol::{Answer, MAX_REQUEST, Op, WireToken, parse_request};
use crate::local::{self, Duplex, Native, Protocol, Server};

use crate::account::AccountId;
use crate::error::{Error, Result};
use crate::keeper::{Keeper, TokenInfo};
use crate::secret::Secret;
use crate::store::binding::Binding;
use crate::store::state;

/// A token that needs no refresh is answered at once; otherwise "wait" goes first.
const ANSWER_AT_ONCE: Duration = Duration::from_millis(150);

/// A serving agent; dropping it stops serving and removes the socket.
pub type Agent = Server;

/// Starts serving tokens for the keeper's config directory. `Ok(None)` when the session has no
/// runtime directory (clients then use the direct path). Call it only while holding the
/// directory's engine lock, so one agent serves each directory.
pub fn serve(keeper: Keeper) -> Result<Option<Agent>> {
    let Some(path) = super::socket_path(keeper.paths()) else {
        return Ok(None);
    };
    let protocol = Arc::new(Tokens {
        keeper,
        cache: Cache::default(),
    });
    local::serve::<Native, _>(&path, protocol).map(Some)
}

/// The agent's protocol over [`local`]'s server.
struct Tokens {
    keeper: Keeper,
    cache: Cache,
}

impl Protocol for Tokens {
    const NAME: &'static str = "token agent";
    const MAX_REQUEST: usize = MAX_REQUEST;

    fn refusal(&self, why: &str) -> String {
        Answer::error(&Error::InvalidInput(format!("agent: {why}")))
            .line()
            .to_string()
    }

    async fn answer<S: Duplex>(
        &self,
        request: Vec<u8>,
        mut stream: S,
        _closing: CancellationToken,
    ) -> std::io::Result<()> {
        let (keeper, cache) = (&self.keeper, &self.cache);
        let request = match parse_request(&request) {
            Ok(request) => request,
            Err(e) => return reply(&mut stream, &Answer::error(&e)).await,
        };
        match request.op {
            Op::Ping => reply(&mut stream, &Answer::pong()).await,
            Op::Token {
                name,
                min_valid_secs,
            } => {
                let min_valid = Duration::from_secs(min_valid_secs);
                if let Some(info) = cache.answer(keeper, &name, min_valid) {
                    return reply(&mut stream, &Answer::token(wire(info))).await;
                }
                let before = Cache::binding(keeper, &name);
                let work = keeper.token_info(&name, min_valid);
                tokio::pin!(work);
                let result = match tokio::time::timeout(ANSWER_AT_ONCE, &mut work).await {
                    Ok(result) => result,
                    Err(_) => {
                        reply(&mut stream, &Answer::wait()).await?;
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
                reply(&mut stream, &answer).await
            }
        }
    }
}

async fn reply<S: Duplex>(stream: &mut S, answer: &Answer) -> std::io::Result<()> {
    local::send(stream, &answer.line()).await
}

fn wire(info: TokenInfo) -> WireToken {
    WireToken {
        token: info.token.expose().to_owned(),
        expires_at: info.expires_at,
        valid_until: info.valid_until,
        fingerprint: info.fingerprint,
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
        if account.revokes_on_refresh() {
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
