//! Running the binary: a config dir per test, stdin, exit code, stdout and stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tokenkeeper_emulators::{Api, Emulator, EmulatorConfig};

pub const USER: &str = "admin@example.com";
pub const PASSWORD: &str = "s3cret";

/// One isolated config dir plus the files a test writes (CA certificates).
#[derive(Debug)]
pub struct Env {
    pub dir: tempfile::TempDir,
}

/// What a run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// A clean failure: the expected exit code, one or two plain lines, no panic text.
    #[track_caller]
    pub fn fails_with(self, code: i32, needle: &str) -> Self {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let lines = self.stderr.lines().count();
        assert!(
            (1..=2).contains(&lines),
            "one or two lines on stderr: {:?}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(!self.stderr.contains("backtrace"), "{}", self.stderr);
        assert!(
            self.stderr.contains(needle),
            "{needle:?} not in {:?}",
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

impl Env {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenkeeper"));
        cmd.arg("--config-dir").arg(self.config_dir()).args(args);
        cmd.env_remove("TOKENKEEPER_CONFIG_DIR")
            .env_remove("TOKENKEEPER_LOG");
        cmd
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        run_command(self.command(args), stdin)
    }

    /// Writes the emulator's CA certificate and returns its path (TLS emulators only).
    pub fn ca_file(&self, emu: &Emulator) -> Option<PathBuf> {
        let pem = emu.ca_cert_pem()?;
        let path = self.dir.path().join(format!("{}-ca.pem", emu.api().id()));
        std::fs::write(&path, pem).unwrap();
        Some(path)
    }

    /// `tokenkeeper add` for an emulator with its usual secret; returns the secret given.
    pub fn add(&self, name: &str, emu: &Emulator) -> (Run, String) {
        let (flag, secret) = if emu.api() == Api::GenericJwt {
            ("--refresh-token-stdin", emu.issue_refresh_token(USER))
        } else {
            ("--password-stdin", PASSWORD.to_owned())
        };
        let url = emu.base_url();
        let ca = self.ca_file(emu);
        let mut args = vec![
            "add",
            name,
            "--provider",
            emu.api().id(),
            "--url",
            &url,
            "--username",
            USER,
            flag,
        ];
        let ca_text;
        if let Some(ca) = &ca {
            ca_text = ca.display().to_string();
            args.extend(["--ca-cert", &ca_text]);
        }
        (self.run(&args, Some(&format!("{secret}\n"))), secret)
    }

    /// Every file under the config dir, as text.
    pub fn config_dir_text(&self) -> String {
        let mut out = String::new();
        collect_text(&self.config_dir(), &mut out);
        out
    }
}

fn collect_text(dir: &Path, out: &mut String) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_text(&path, out);
        } else {
            out.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
}

pub fn run_command(mut cmd: Command, stdin: Option<&str>) -> Run {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .env("RUST_BACKTRACE", "1");
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // The program may exit before reading (bad arguments): that is not a test failure.
        if let Err(e) = pipe.write_all(input.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

pub async fn start(api: Api) -> Emulator {
    Emulator::start(api, EmulatorConfig::for_api(api))
        .await
        .unwrap()
}

/// Runs a blocking process call without stalling the emulators on the runtime.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}
