//! One local-socket server for the two protocols served by the process that runs a config
//! directory's engine: the token agent ([`crate::agent`]) and the desktop app's control socket
//! (`tokenkeeper-app-core`'s `background::server`). Both are one request line per connection,
//! so the accept loop, the peer check, the framing (one line, at most
//! [`Protocol::MAX_REQUEST`] bytes, within [`READ_WITHIN`]) and the socket's life (removed
//! when the [`Server`] drops) live here once; a [`Protocol`] only answers.
//!
//! The socket itself is a [`Transport`]: [`Native`] is the platform's, a Unix socket in a
//! private directory checked with `SO_PEERCRED` (`unix`), or a named pipe whose DACL grants
//! this user alone and whose peers are checked by their token's user (`windows`).

#[cfg(unix)]
pub mod unix;
#[cfg(windows)]
pub mod windows;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::Result;

/// How long a client may take to send its request.
pub const READ_WITHIN: Duration = Duration::from_secs(3);

/// A connected local socket, either end.
pub trait Duplex: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Duplex for T {}

/// A kind of local socket: how a server listens and accepts, how a client connects, and how
/// either tells that the other end runs as this user.
pub trait Transport {
    /// A connection, on the server's side.
    type Stream: Duplex;
    /// A connection, on the client's side.
    type Client: Duplex;
    /// A listening socket.
    type Listener: Send + 'static;

    /// Listens on `path`, privately (only this user may connect), replacing a stale socket.
    /// Call it only while holding the config directory's engine lock.
    fn listen(path: &Path) -> Result<Self::Listener>;
    /// The next connection.
    fn accept(
        listener: &mut Self::Listener,
    ) -> impl Future<Output = std::io::Result<Self::Stream>> + Send;
    /// Connects to `path` within `within`; `None` when nothing private of this user answers
    /// there (no socket, a directory others may write, a socket of another user, no answer).
    fn connect(path: &Path, within: Duration) -> impl Future<Output = Option<Self::Client>> + Send;
    /// Whether the other end runs as this user.
    fn same_user(stream: &Self::Stream) -> bool;
}

/// This platform's local socket.
#[cfg(unix)]
pub type Native = unix::UnixSocket;
/// This platform's local socket.
#[cfg(windows)]
pub type Native = windows::NamedPipe;

/// Why a connection was answered with an error before its request was read.
#[derive(Debug)]
pub enum Refusal {
    /// The client runs as another user.
    OtherUser,
    /// It sent no whole line in time.
    Silent(Duration),
    /// Its line is longer than the protocol allows.
    TooLong(usize),
    /// Reading failed.
    Unreadable(std::io::Error),
}

impl Refusal {
    /// Why, in words, for a server called `name` (a [`Protocol::NAME`]).
    pub fn words(&self, name: &str) -> String {
        match self {
            Self::OtherUser => format!("refused: this {name} serves only the user who runs it"),
            Self::Silent(within) => format!("no request within {} seconds", within.as_secs()),
            Self::TooLong(max) => format!("the request is longer than {max} bytes"),
            Self::Unreadable(e) => format!("cannot read the request: {e}"),
        }
    }
}

/// What one kind of socket says.
pub trait Protocol: Send + Sync + 'static {
    /// What the server is called in the log ("token agent", "background").
    const NAME: &'static str;
    /// The longest request line, in bytes.
    const MAX_REQUEST: usize;

    /// The whole answer (a line, with its newline) to a client refused before its request,
    /// `why` in words ([`Refusal::words`]).
    fn refusal(&self, why: &str) -> String;

    /// Answers a request (its line, without the newline) on `stream`: one line or many.
    /// `closing` is cancelled when the server stops; an answer that lasts (a watch) ends then,
    /// a one-off answer is left to finish.
    fn answer<S: Duplex>(
        &self,
        request: Vec<u8>,
        stream: S,
        closing: CancellationToken,
    ) -> impl Future<Output = std::io::Result<()>> + Send;
}

/// A serving socket; dropping it stops accepting, ends the lasting answers and removes the
/// socket.
#[derive(Debug)]
pub struct Server {
    path: PathBuf,
    task: JoinHandle<()>,
    closing: CancellationToken,
}

impl Server {
    /// The socket it serves.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.closing.cancel();
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Serves `protocol` on `path` over the transport `T`. Call it only while holding the config
/// directory's engine lock (a socket left by a process that died is then replaced).
pub fn serve<T: Transport, P: Protocol>(path: &Path, protocol: Arc<P>) -> Result<Server> {
    let mut listener = T::listen(path)?;
    let closing = CancellationToken::new();
    let closed = closing.clone();
    let task = tokio::spawn(async move {
        loop {
            match T::accept(&mut listener).await {
                Ok(stream) => {
                    let (protocol, closed) = (protocol.clone(), closed.clone());
                    tokio::spawn(async move {
                        if let Err(e) = connection::<T, P>(stream, &protocol, closed).await {
                            tracing::debug!(error = %e, server = P::NAME, "connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, server = P::NAME, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    tracing::debug!(socket = %path.display(), server = P::NAME, "serving");
    Ok(Server {
        path: path.to_owned(),
        task,
        closing,
    })
}

async fn connection<T: Transport, P: Protocol>(
    mut stream: T::Stream,
    protocol: &P,
    closing: CancellationToken,
) -> std::io::Result<()> {
    if !T::same_user(&stream) {
        tracing::warn!("{} refused a client of another user", P::NAME);
        return send(
            &mut stream,
            &protocol.refusal(&Refusal::OtherUser.words(P::NAME)),
        )
        .await;
    }
    match read_request(&mut stream, P::MAX_REQUEST, READ_WITHIN).await {
        Ok(line) => protocol.answer(line, stream, closing).await,
        Err(why) => send(&mut stream, &protocol.refusal(&why.words(P::NAME))).await,
    }
}

/// Writes a whole answer line and flushes it.
pub async fn send<S: AsyncWrite + Unpin>(stream: &mut S, line: &str) -> std::io::Result<()> {
    stream.write_all(line.as_bytes()).await?;
    stream.flush().await
}

/// One request line, without its newline: at most `max` bytes, within `within`.
async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    max: usize,
    within: Duration,
) -> std::result::Result<Vec<u8>, Refusal> {
    let mut line = Vec::new();
    let mut limited = BufReader::new(stream).take(max as u64 + 1);
    match tokio::time::timeout(within, limited.read_until(b'\n', &mut line)).await {
        Err(_) => Err(Refusal::Silent(within)),
        Ok(Err(e)) => Err(Refusal::Unreadable(e)),
        Ok(Ok(_)) if line.len() > max => Err(Refusal::TooLong(max)),
        Ok(Ok(_)) => {
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            Ok(line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_line_is_read_whole_without_its_newline_and_an_overlong_or_late_one_is_refused() {
        let (mut client, mut server) = tokio::io::duplex(64);
        client.write_all(b"hello\nrest").await.unwrap();
        let line = read_request(&mut server, 16, READ_WITHIN).await.unwrap();
        assert_eq!(line, b"hello");

        let (mut client, mut server) = tokio::io::duplex(64);
        client.write_all(&[b'x'; 20]).await.unwrap();
        let err = read_request(&mut server, 16, READ_WITHIN)
            .await
            .unwrap_err();
        assert!(matches!(err, Refusal::TooLong(16)), "{err:?}");
        assert_eq!(err.words("x"), "the request is longer than 16 bytes");

        // Exactly the limit, with no newline before EOF, is a request.
        let (mut client, mut server) = tokio::io::duplex(64);
        client.write_all(&[b'y'; 16]).await.unwrap();
        drop(client);
        assert_eq!(
            read_request(&mut server, 16, READ_WITHIN)
                .await
                .unwrap()
                .len(),
            16
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_client_is_given_up_on_after_the_read_deadline() {
        let (_client, mut server) = tokio::io::duplex(64);
        let err = read_request(&mut server, 16, READ_WITHIN)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Refusal::Silent(d) if d == READ_WITHIN),
            "{err:?}"
        );
        assert_eq!(err.words("x"), "no request within 3 seconds");
    }
}
