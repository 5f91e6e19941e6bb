//! Running `tokenkeeper.exe` under Wine: a config folder per test (seen by the program as
//! `Z:\…`), stdin, exit code and output, and a background (`daemon`) that a test can stop or
//! kill.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokenkeeper_emulators::{Api, Emulator};

use crate::helpers::{PASSWORD, Run, USER, run_command};

/// One config folder.
#[derive(Debug)]
pub struct WinEnv {
    pub dir: tempfile::TempDir,
}

/// A Linux path as a Windows program under Wine sees it (`/` is the drive `Z:`).
pub fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display().to_string().replace('/', "\\"))
}

fn wine() -> (String, String) {
    let wine = std::env::var("TOKENKEEPER_WINE")
        .expect("TOKENKEEPER_WINE names wine64: run these tests with scripts/wine.sh");
    let exe = std::env::var("TOKENKEEPER_WINE_EXE")
        .expect("TOKENKEEPER_WINE_EXE names tokenkeeper.exe: run these tests with scripts/wine.sh");
    (wine, exe)
}

impl WinEnv {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// `tokenkeeper.exe --config-dir Z:\… ARGS` under Wine.
    pub fn command(&self, args: &[&str]) -> Command {
        let (wine, exe) = wine();
        let mut cmd = Command::new(wine);
        cmd.arg(exe)
            .arg("--config-dir")
            .arg(windows_path(&self.config_dir()))
            .args(args)
            .env("WINEDEBUG", "-all")
            .env_remove("TOKENKEEPER_CONFIG_DIR")
            .env_remove("TOKENKEEPER_LOG")
            .env_remove("TOKENKEEPER_NO_AGENT");
        cmd
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        run_command(self.command(args), stdin)
    }

    /// `add NAME` for an emulator with its usual secret (and its CA file, for a TLS one).
    pub fn add(&self, name: &str, emu: &Emulator) -> Run {
        let (flag, secret) = if emu.api() == Api::GenericJwt {
            ("--refresh-token-stdin", emu.issue_refresh_token(USER))
        } else {
            ("--password-stdin", PASSWORD.to_owned())
        };
        let url = emu.base_url();
        let mut args = vec![
            "add".to_owned(),
            name.to_owned(),
            "--provider".to_owned(),
            emu.api().id().to_owned(),
            "--url".to_owned(),
            url,
            "--username".to_owned(),
            USER.to_owned(),
            flag.to_owned(),
        ];
        if let Some(pem) = emu.ca_cert_pem() {
            let path = self.dir.path().join(format!("{}-ca.pem", emu.api().id()));
            std::fs::write(&path, pem).unwrap();
            args.extend(["--ca-cert".to_owned(), windows_path(&path)]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args, Some(&format!("{secret}\n")))
    }

    /// The token `token NAME` prints (a run that fails fails the test).
    pub fn token(&self, name: &str) -> String {
        self.run(&["token", name], None)
            .ok()
            .stdout
            .trim()
            .to_owned()
    }

    /// Starts `daemon --no-tray` and waits until it says it started.
    pub fn daemon(&self) -> Background {
        self.daemon_with(&["daemon", "--no-tray"])
    }

    /// Starts the background with these arguments and waits until it says it started.
    pub fn daemon_with(&self, args: &[&str]) -> Background {
        let log = self.dir.path().join(format!(
            "daemon-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let file = std::fs::File::create(&log).unwrap();
        let child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap();
        let background = Background { child, log };
        background.wait_for("background started", Duration::from_secs(30));
        background
    }
}

/// A running `tokenkeeper.exe daemon`; killed when dropped.
#[derive(Debug)]
pub struct Background {
    child: Child,
    log: PathBuf,
}

impl Background {
    /// What it logged so far.
    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    /// Waits until its log holds `needle`.
    #[track_caller]
    pub fn wait_for(&self, needle: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.log().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{needle:?} not logged within {within:?}:\n{}", self.log());
    }

    /// Waits until it has ended, and how.
    #[track_caller]
    pub fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("still running after {within:?}:\n{}", self.log());
    }

    /// Kills it as a crash would (SIGKILL to the Wine process: no clean-up runs).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Background {
    /// Its process id (the Wine process's).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// Deletes a generic credential from the prefix's Credential Manager, as `cmdkey /delete`
/// would (Wine keeps each under `HKCU\Software\Wine\Credential Manager\Generic: <target>`).
/// Whether one was there.
pub fn delete_credential(target: &str) -> bool {
    let (wine, _) = wine();
    Command::new(wine)
        .args(["reg", "delete"])
        .arg(format!(
            r"HKCU\Software\Wine\Credential Manager\Generic: {target}"
        ))
        .arg("/f")
        .env("WINEDEBUG", "-all")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// The targets of the prefix's Credential Manager (`reg query`, as a user would look).
pub fn credential_targets() -> Vec<String> {
    let (wine, _) = wine();
    let out = Command::new(wine)
        .args(["reg", "query", r"HKCU\Software\Wine\Credential Manager"])
        .env("WINEDEBUG", "-all")
        .stderr(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.trim().split_once(r"Credential Manager\Generic: "))
        .map(|(_, target)| target.trim().to_owned())
        .collect()
}

/// The probe (`tests/wine/probe/probe.c`) as the Windows program sees its path.
pub fn probe() -> String {
    let path = std::env::var("TOKENKEEPER_WINE_PROBE")
        .expect("TOKENKEEPER_WINE_PROBE names probe.exe: run these tests with scripts/wine.sh");
    windows_path(Path::new(&path))
}

/// The probe's `key=value` lines.
pub fn probed(stdout: &str) -> std::collections::HashMap<String, String> {
    stdout
        .lines()
        .filter_map(|l| l.trim_end_matches('\r').split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Where a Windows path of the prefix (`C:\…`, or `Z:\…` for `/`) is on Linux.
pub fn linux_path(windows: &str) -> PathBuf {
    let rest = windows[2..].replace('\\', "/");
    match windows.get(..2).map(str::to_ascii_uppercase).as_deref() {
        Some("Z:") => PathBuf::from(rest),
        Some("C:") => {
            let prefix = std::env::var("WINEPREFIX").expect("WINEPREFIX: run with scripts/wine.sh");
            PathBuf::from(format!("{prefix}/drive_c{rest}"))
        }
        _ => panic!("not a path of the prefix: {windows}"),
    }
}

/// Kills, as a crash would (SIGKILL to its Wine process), every Windows process whose command
/// line holds both `program` and `arg` (a test's own config folder): only that test's, where
/// `taskkill /im` would end the backgrounds of the tests running beside it. How many.
pub fn kill_windows_processes(program: &str, arg: &str) -> usize {
    let mut killed = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(program)
            && cmdline.contains(arg)
            && Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .is_ok_and(|s| s.success())
        {
            killed += 1;
        }
    }
    killed
}

/// `wine ARGS` (a program of Wine's own, such as `reg` or `taskkill`): its output.
pub fn wine_tool(args: &[&str]) -> std::process::Output {
    let (wine, _) = wine();
    Command::new(wine)
        .args(args)
        .env("WINEDEBUG", "-all")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The text of a registry value of `HKEY_CURRENT_USER` (`reg query`), when there is one.
pub fn registry_value(key: &str, value: &str) -> Option<String> {
    let out = wine_tool(&["reg", "query", &format!(r"HKCU\{key}"), "/v", value]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find_map(|line| {
        let line = line.trim();
        let rest = line.strip_prefix(value)?.trim_start();
        let rest = rest.strip_prefix("REG_SZ")?;
        Some(rest.trim().to_owned())
    })
}

/// Runs `test` off the async runtime (it waits on Wine) with `emu` and a config folder of its
/// own in which the account `name` of it was added.
pub async fn with_account(
    emu: Emulator,
    name: &'static str,
    test: impl FnOnce(&WinEnv, &Emulator) + Send + 'static,
) {
    // Dropped here, on the runtime its server runs on.
    let emu = std::sync::Arc::new(emu);
    let em = emu.clone();
    crate::helpers::blocking(move || {
        let env = WinEnv::new();
        env.add(name, &em).ok();
        test(&env, &em);
    })
    .await;
}

/// An emulator of `api` whose access tokens live `secs` seconds (its refresh tokens an hour).
pub async fn short_lived(api: tokenkeeper_emulators::Api, secs: u64) -> Emulator {
    let mut config = tokenkeeper_emulators::EmulatorConfig::for_api(api);
    config.token_ttl = Some(secs);
    config.refresh_ttl = Some(3600);
    Emulator::start(api, config).await.unwrap()
}
