//! Copy on a Wayland session without XWayland: a headless sway (wlroots, which serves the
//! data-control protocol arboard uses) on a private socket, no `DISPLAY`, and `wl-paste` as the
//! other program that reads what we copied.
//!
//! The environment (`WAYLAND_DISPLAY`, no `DISPLAY`) is the process's own, so the checks run
//! in a child process of this test binary ([`copy_in_this_environment`], ignored when run
//! alone) that the outer test starts with that environment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokenkeeper_clipboard::{SecretClipboard, SystemClipboard};

const SECRET: &str = "tk-wayland-eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig";

/// A headless sway, killed when dropped. sway refuses to run as root, so under root it runs as
/// `nobody` (root may still connect to its socket).
struct Compositor {
    child: Child,
    runtime: PathBuf,
    socket: String,
    dir: tempfile::TempDir,
}

impl Compositor {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("runtime");
        std::fs::create_dir(&runtime).unwrap();
        let root = is_root();
        let mut cmd = if root {
            // The runtime directory must be the compositor's own and private.
            let status = Command::new("chown")
                .args(["65534:65534"])
                .arg(&runtime)
                .status()
                .unwrap();
            assert!(status.success());
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
                "sway",
            ]);
            c
        } else {
            Command::new("sway")
        };
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let child = cmd
            .args(["-c", "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("WLR_BACKENDS", "headless")
            .env("WLR_RENDERER", "pixman")
            .env("WLR_LIBINPUT_NO_DEVICES", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("sway.log")).unwrap())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start sway ({e}): scripts/setup.sh installs it (sway, wl-clipboard)")
            });
        let mut compositor = Self {
            child,
            runtime,
            socket: String::new(),
            dir,
        };
        compositor.socket = compositor.wait_for_socket();
        compositor
    }

    fn wait_for_socket(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("sway exited at start ({status}): {}", self.log());
            }
            if let Some(name) = socket_in(&self.runtime) {
                return name;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("sway made no socket in 20 s: {}", self.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sway.log")).unwrap_or_default()
    }
}

impl Drop for Compositor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn socket_in(dir: &Path) -> Option<String> {
    std::fs::read_dir(dir).ok()?.flatten().find_map(|entry| {
        let name = entry.file_name().into_string().ok()?;
        let is_socket = std::os::unix::fs::FileTypeExt::is_socket(&entry.file_type().ok()?);
        (is_socket && name.starts_with("wayland-")).then_some(name)
    })
}

/// Whether we run as root (from `/proc/self/status`, so the test needs no libc crate).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn copy_works_on_wayland_without_x11_and_is_marked_secret() {
    let compositor = Compositor::start();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "copy_in_this_environment",
            "--ignored",
            "--nocapture",
        ])
        .env_remove("DISPLAY")
        .env("XDG_RUNTIME_DIR", &compositor.runtime)
        .env("WAYLAND_DISPLAY", &compositor.socket)
        .env("TOKENKEEPER_WAYLAND_CHILD", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}\nsway: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        compositor.log()
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("1 passed"),
        "the child ran the checks: {text}"
    );
}

fn wl_paste(args: &[&str]) -> (bool, String) {
    let out = Command::new("wl-paste")
        .args(args)
        .output()
        .expect("wl-paste (scripts/setup.sh installs wl-clipboard)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
#[ignore = "run by copy_works_on_wayland_without_x11_and_is_marked_secret in its environment"]
fn copy_in_this_environment() {
    assert!(
        std::env::var_os("TOKENKEEPER_WAYLAND_CHILD").is_some()
            && std::env::var_os("DISPLAY").is_none(),
        "only meaningful on Wayland with no X11 to fall back to"
    );
    let clipboard = SystemClipboard::default();
    clipboard.set_secret(SECRET).unwrap();
    // Another program reads it, and is told it is a password.
    assert_eq!(wl_paste(&["--no-newline"]), (true, SECRET.to_owned()));
    let (_, types) = wl_paste(&["--list-types"]);
    assert!(types.contains("x-kde-passwordManagerHint"), "{types}");
    assert_eq!(
        wl_paste(&["--no-newline", "--type", "x-kde-passwordManagerHint"]).1,
        "secret"
    );
    assert_eq!(clipboard.text().as_deref(), Some(SECRET));
    // Cleared: nothing left for anyone.
    clipboard.clear().unwrap();
    let (ok, left) = wl_paste(&["--no-newline"]);
    assert!(!ok || left.is_empty(), "still there: {left}");
    assert_eq!(clipboard.text(), None);
}
