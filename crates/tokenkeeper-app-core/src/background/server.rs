//! The background's side: a Unix socket beside the token agent's (same private directory, same
//! peer check), served while the background runs the engine. Each connection sends one request;
//! a watch stays open and gets a line per change, and "quitting" when the user quits.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::protocol::{Answer, Event, MAX_REQUEST, Op, Request, Status, TrayState, VERSION};
use crate::backend::Backend;
use crate::error::{AppError, ErrorCode};

/// How long a client may take to send its request.
const READ_WITHIN: Duration = Duration::from_secs(3);

/// The serving socket; dropping it stops serving, closes every open connection and removes
/// the socket.
#[derive(Debug)]
pub struct Server {
    path: PathBuf,
    task: JoinHandle<()>,
    quitting: broadcast::Sender<()>,
    closing: CancellationToken,
}

impl Server {
    /// The socket it serves.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Tells every watching window that the user quit (they close), before the background
    /// stops.
    pub fn announce_quit(&self) {
        let _ = self.quitting.send(());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.closing.cancel();
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Serves `backend` on `path`. Call it only while holding the engine lock (the socket left by
/// a process that died is then replaced). `tray` says what the tray is doing, as it changes.
pub fn serve(
    path: &Path,
    backend: Arc<Backend>,
    tray: watch::Receiver<TrayState>,
) -> Result<Server, AppError> {
    let listener = tokenkeeper_core::agent::server::listen_privately(path)?;
    let (quitting, _) = broadcast::channel(1);
    let announce = quitting.clone();
    let closing = CancellationToken::new();
    let closed = closing.clone();
    let task = tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let (backend, tray, quitting) =
                        (backend.clone(), tray.clone(), announce.subscribe());
                    let closed = closed.clone();
                    tokio::spawn(async move {
                        let served =
                            closed.run_until_cancelled(handle(stream, &backend, tray, quitting));
                        if let Some(Err(e)) = served.await {
                            tracing::debug!(error = %e, "window connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the background cannot accept a window");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    tracing::debug!(socket = %path.display(), "serving the window");
    Ok(Server {
        path: path.to_owned(),
        task,
        quitting,
        closing,
    })
}

fn status(tray: &watch::Receiver<TrayState>) -> Status {
    Status {
        pid: std::process::id(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        tray: *tray.borrow(),
    }
}

async fn send(stream: &mut UnixStream, answer: &Answer) -> std::io::Result<()> {
    stream.write_all(answer.line().as_bytes()).await?;
    stream.flush().await
}

async fn read_request(stream: &mut UnixStream) -> Result<Request, AppError> {
    let bad = |m: String| AppError::new(ErrorCode::InvalidInput, m);
    let mut line = Vec::new();
    let mut limited = BufReader::new(stream).take(MAX_REQUEST as u64 + 1);
    match tokio::time::timeout(READ_WITHIN, limited.read_until(b'\n', &mut line)).await {
        Err(_) => return Err(bad("no request within 3 seconds".to_owned())),
        Ok(Err(e)) => return Err(bad(format!("cannot read the request: {e}"))),
        Ok(Ok(_)) if line.len() > MAX_REQUEST => {
            return Err(bad(format!("a request is at most {MAX_REQUEST} bytes")));
        }
        Ok(Ok(_)) => {}
    }
    let request: Request = serde_json::from_slice(line.trim_ascii_end())
        .map_err(|e| bad(format!("not a request: {e}")))?;
    if request.v != VERSION {
        return Err(bad(format!(
            "protocol version {} (this background speaks {VERSION})",
            request.v
        )));
    }
    Ok(request)
}

async fn handle(
    mut stream: UnixStream,
    backend: &Backend,
    mut tray: watch::Receiver<TrayState>,
    mut quitting: broadcast::Receiver<()>,
) -> std::io::Result<()> {
    if !tokenkeeper_core::agent::same_user(&stream) {
        tracing::warn!("the background refused a client of another user");
        let refused = AppError::new(
            ErrorCode::InvalidInput,
            "refused: this background serves only the user who runs it",
        );
        return send(&mut stream, &Answer::error(refused)).await;
    }
    let request = match read_request(&mut stream).await {
        Ok(request) => request,
        Err(e) => return send(&mut stream, &Answer::error(e)).await,
    };
    match request.op {
        Op::Status => send(&mut stream, &Answer::status(status(&tray))).await,
        Op::Copy { id, form } => {
            let answer = match backend.copy_as(&id, form).await {
                Ok(copied) => Answer::copied(copied),
                Err(e) => Answer::error(e),
            };
            send(&mut stream, &answer).await
        }
        Op::Refresh { id } => {
            let answer = match backend.refresh(&id).await {
                Ok(()) => Answer::done(),
                Err(e) => Answer::error(e),
            };
            send(&mut stream, &answer).await
        }
        Op::Watch => {
            send(&mut stream, &Answer::status(status(&tray))).await?;
            let mut changes = backend.changes();
            let (mut read, mut write) = stream.into_split();
            let mut ignored = [0_u8; 64];
            loop {
                let event = tokio::select! {
                    changed = changes.changed() => match changed {
                        Ok(()) => Event::Changed,
                        Err(_) => return Ok(()),
                    },
                    changed = tray.changed() => match changed {
                        Ok(()) => Event::Changed,
                        Err(_) => return Ok(()),
                    },
                    _ = quitting.recv() => Event::Quitting,
                    // The window went away (EOF) or wrote something: either way, done.
                    _ = read.read(&mut ignored) => return Ok(()),
                };
                write
                    .write_all(Answer::event(event).line().as_bytes())
                    .await?;
                if event == Event::Quitting {
                    return write.flush().await;
                }
            }
        }
    }
}
