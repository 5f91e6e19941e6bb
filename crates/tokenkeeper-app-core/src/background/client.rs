//! The window's side: asks the background of its config directory to copy or refresh, and
//! watches it. Only a socket in a private directory of this user, served by a process of this
//! user, is asked anything.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokenkeeper_core::local::{Native, Transport};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::io::{ReadHalf, WriteHalf};

use super::protocol::{Answer, CopyForm, Event, Op, Request, Status, VERSION};
use crate::dto::Copied;
use crate::error::{AppError, ErrorCode};

/// A connection to the background.
type Stream = <Native as Transport>::Client;

/// How long connecting may take.
const CONNECT_WITHIN: Duration = Duration::from_millis(500);
/// How long a Copy or Refresh may take (a refresh under another process's lock, then the API).
const ANSWER_WITHIN: Duration = Duration::from_secs(120);

/// The background of one config directory, as the window reaches it.
#[derive(Clone, Debug)]
pub struct Remote {
    path: PathBuf,
}

fn unreachable(why: impl std::fmt::Display) -> AppError {
    AppError::new(
        ErrorCode::Background,
        format!("the TokenKeeper background is not running ({why}); it is being started again"),
    )
}

impl Remote {
    /// The background serving on `path`.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Its socket.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn connect(&self, op: Op) -> Result<Stream, AppError> {
        let mut stream = Native::connect(&self.path, CONNECT_WITHIN)
            .await
            .ok_or_else(|| unreachable("nothing of this user answers on its private socket"))?;
        let mut line = serde_json::to_string(&Request { v: VERSION, op })
            .map_err(|e| AppError::new(ErrorCode::InvalidInput, e.to_string()))?;
        line.push('\n');
        stream
            .write_all(line.as_bytes())
            .await
            .map_err(unreachable)?;
        Ok(stream)
    }

    async fn ask(&self, op: Op) -> Result<Answer, AppError> {
        let stream = self.connect(op).await?;
        let mut lines = BufReader::new(stream).lines();
        let line = tokio::time::timeout(ANSWER_WITHIN, lines.next_line())
            .await
            .map_err(|_| unreachable("no answer in time"))?
            .map_err(unreachable)?
            .ok_or_else(|| unreachable("it closed the connection"))?;
        let answer = parse(&line)?;
        match answer.error {
            Some(e) => Err(e),
            None => Ok(answer),
        }
    }

    /// Who serves.
    pub async fn status(&self) -> Result<Status, AppError> {
        self.ask(Op::Status)
            .await?
            .status
            .ok_or_else(|| unreachable("it sent no status"))
    }

    /// Copies an account's token (or its whole header) in the background (which clears it
    /// later).
    pub async fn copy(&self, id: &str, form: CopyForm) -> Result<Copied, AppError> {
        self.ask(Op::Copy {
            id: id.to_owned(),
            form,
        })
        .await?
        .copied
        .ok_or_else(|| unreachable("it did not say what it copied"))
    }

    /// Refreshes an account now in the background's engine.
    pub async fn refresh(&self, id: &str) -> Result<(), AppError> {
        self.ask(Op::Refresh { id: id.to_owned() })
            .await
            .map(|_| ())
    }

    /// Watches the background: its status, then its events.
    pub async fn watch(&self) -> Result<(Status, Watch), AppError> {
        let stream = self.connect(Op::Watch).await?;
        let (read, write) = tokio::io::split(stream);
        let mut lines = BufReader::new(read).lines();
        let line = tokio::time::timeout(CONNECT_WITHIN * 4, lines.next_line())
            .await
            .map_err(|_| unreachable("no answer in time"))?
            .map_err(unreachable)?
            .ok_or_else(|| unreachable("it closed the connection"))?;
        let status = parse(&line)?
            .status
            .ok_or_else(|| unreachable("it sent no status"))?;
        Ok((
            status,
            Watch {
                lines,
                _write: write,
            },
        ))
    }
}

fn parse(line: &str) -> Result<Answer, AppError> {
    let answer: Answer =
        serde_json::from_str(line).map_err(|_| unreachable("it answered something unreadable"))?;
    if answer.v != VERSION {
        return Err(unreachable(format_args!(
            "it speaks protocol version {}",
            answer.v
        )));
    }
    Ok(answer)
}

/// An open watch. Dropping it ends the watch.
#[derive(Debug)]
pub struct Watch {
    lines: Lines<BufReader<ReadHalf<Stream>>>,
    _write: WriteHalf<Stream>,
}

impl Watch {
    /// The next event; `None` when the background went away without saying it quits (it
    /// crashed or was killed).
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            let line = self.lines.next_line().await.ok()??;
            match parse(&line) {
                Ok(Answer {
                    event: Some(event), ..
                }) => return Some(event),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}
