//! Runs the `tokenkeeper-emulators` binary beside this one, so its CPU and memory are not
//! counted as the engine's.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

/// The running emulators: base URL (and CA file) per API id, the generic refresh token.
pub struct Emulators {
    child: Child,
    pub urls: HashMap<String, (String, Option<PathBuf>)>,
    pub generic_refresh_token: String,
}

impl Drop for Emulators {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the emulators with this token lifetime.
pub fn start(lifetime: u64, ca_dir: &std::path::Path) -> anyhow::Result<Emulators> {
    let exe = std::env::current_exe()?.with_file_name("tokenkeeper-emulators");
    let mut child = Command::new(&exe)
        .args(["--token-ttl", &lifetime.to_string(), "--ca-dir"])
        .arg(ca_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {} (build it with --release too)", exe.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let stderr = child.stderr.take().context("no stderr")?;
    let mut urls = HashMap::new();
    for line in BufReader::new(stdout).lines().take(5) {
        let line = line?;
        let mut parts = line.split_whitespace();
        let (Some(id), Some(url)) = (parts.next(), parts.next()) else {
            bail!("bad line {line:?}")
        };
        urls.insert(
            id.to_owned(),
            (url.to_owned(), parts.next().map(PathBuf::from)),
        );
    }
    let mut generic_refresh_token = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        if let Some((_, token)) = line.split_once(": ") {
            generic_refresh_token = token.trim().to_owned();
            break;
        }
    }
    if urls.len() != 5 || generic_refresh_token.is_empty() {
        bail!("the emulators did not start");
    }
    Ok(Emulators {
        child,
        urls,
        generic_refresh_token,
    })
}
