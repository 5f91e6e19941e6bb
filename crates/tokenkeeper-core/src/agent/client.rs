//! What `tokenkeeper token` asks first: the agent of its config directory. No socket, no
//! connection within [`CONNECT_WITHIN`], or no first answer within [`FIRST_ANSWER_WITHIN`]
//! means no agent, and the caller takes the direct path; an agent that says "wait" (it is
//! refreshing) is waited for as long as the direct path would wait for the account's lock.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::protocol::{Answer, Op, Request, VERSION};
use crate::error::Result;
use crate::keeper::{LOCK_TIMEOUT, TokenInfo};
use crate::local::{Native, Transport};
use crate::secret::Secret;
use crate::store::paths::Paths;

/// How long connecting may take.
pub const CONNECT_WITHIN: Duration = Duration::from_millis(200);
/// How long the agent may take to say anything.
pub const FIRST_ANSWER_WITHIN: Duration = Duration::from_millis(1000);
/// How long a refreshing agent is waited for (the lock, then the API calls).
const REFRESH_WITHIN: Duration = Duration::from_secs(LOCK_TIMEOUT.as_secs() + 60);

/// Asks the agent for a token valid for at least `min_valid`. `None`: no agent answered, use
/// the direct path. `Some(Err)`: the agent answered with an error (the same the direct path
/// would give).
pub async fn token(paths: &Paths, name: &str, min_valid: Duration) -> Option<Result<TokenInfo>> {
    let path = super::socket_path(paths)?;
    ask(&path, name, min_valid).await
}

async fn read_answer(
    reader: &mut BufReader<<Native as Transport>::Client>,
    within: Duration,
) -> Option<Answer> {
    // The answer may hold a token: zeroed when dropped.
    let mut line = zeroize::Zeroizing::new(String::new());
    match tokio::time::timeout(within, reader.read_line(&mut line)).await {
        Ok(Ok(n)) if n > 0 => serde_json::from_str(line.trim_end()).ok(),
        _ => None,
    }
}

async fn ask(path: &Path, name: &str, min_valid: Duration) -> Option<Result<TokenInfo>> {
    // Only an agent of this user, in a private directory, is asked anything.
    let mut stream = Native::connect(path, CONNECT_WITHIN).await?;
    let request = Request {
        v: VERSION,
        op: Op::Token {
            name: name.to_owned(),
            min_valid_secs: min_valid.as_secs(),
        },
    };
    let mut line = serde_json::to_string(&request).ok()?;
    line.push('\n');
    stream.write_all(line.as_bytes()).await.ok()?;
    let mut reader = BufReader::new(stream);
    let mut answer = read_answer(&mut reader, FIRST_ANSWER_WITHIN).await?;
    if answer.wait {
        answer = read_answer(&mut reader, REFRESH_WITHIN).await?;
    }
    if answer.v != VERSION {
        return None;
    }
    match (answer.token, answer.error) {
        (Some(mut t), _) => Some(Ok(TokenInfo {
            // Taken, not copied: the wire copy is zeroed when `t` drops.
            token: Secret::new(std::mem::take(&mut t.token)),
            expires_at: t.expires_at,
            valid_until: t.valid_until.or(t.expires_at),
            fingerprint: std::mem::take(&mut t.fingerprint),
        })),
        (None, Some(e)) => Some(Err(e)),
        (None, None) => None,
    }
}
