//! The real WordPress with the real JWT Auth Pro plugin (`../shared/realwp`): where it answers,
//! its admin actions (`wpctl.php`), its database (what the server saw), and starting and
//! stopping it. Everything goes through the kit's own scripts and the `mariadb` client.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The kit's default password for `alice` (and `admin`), as `setup.sh` sets it.
const DEFAULT_PASSWORD: &str = "Corr3ct-Horse-Battery-Staple!";
/// The access-token lifetime the suite runs with (setup.sh's own default).
pub const TTL: u64 = 120;

/// A running kit.
#[derive(Debug, Clone)]
pub struct Kit {
    dir: PathBuf,
    state: PathBuf,
    port: u16,
    pub password: String,
}

impl Kit {
    /// The kit named by `REALWP_KIT` (scripts/realwp.sh sets it after starting the kit).
    pub fn from_env() -> Kit {
        let dir = std::env::var_os("REALWP_KIT")
            .map(PathBuf::from)
            .filter(|d| d.join("setup.sh").is_file())
            .unwrap_or_else(|| {
                panic!("REALWP_KIT does not name the realwp kit: run these tests with scripts/realwp.sh")
            });
        Kit {
            dir,
            state: std::env::var_os("REALWP_STATE")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/var/tmp/realwp")),
            port: std::env::var("REALWP_PORT")
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(8881),
            password: std::env::var("REALWP_PASSWORD")
                .unwrap_or_else(|_| DEFAULT_PASSWORD.to_owned()),
        }
    }

    /// The site root, as a user types it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// One SQL query against the site's database; tab-separated rows.
    pub fn sql(&self, query: &str) -> String {
        let out = Command::new("mariadb")
            .arg(format!(
                "--socket={}",
                self.state.join("mysqld.sock").display()
            ))
            .args(["-uroot", "-N", "-B", "realwp", "-e", query])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// A number the database counts.
    pub fn count(&self, query: &str) -> u64 {
        self.sql(query)
            .parse()
            .unwrap_or_else(|e| panic!("{query}: {e}"))
    }

    /// Failed logins the plugin recorded (its analytics table): how many passwords it was sent
    /// and refused.
    pub fn failed_logins(&self) -> u64 {
        self.count(
            "SELECT COUNT(*) FROM wp_jwt_auth_analytics WHERE event_type = 'token_generation' AND failure_reason = 'jwt_auth_failed'",
        )
    }

    /// The server's row for a refresh token (its value is what the table calls
    /// `refresh_token_hash`): `(family, revoked)`, or `None` when the server never issued it.
    pub fn refresh_row(&self, refresh: &str) -> Option<(String, bool)> {
        assert!(
            refresh.chars().all(|c| c.is_ascii_alphanumeric()),
            "an opaque token"
        );
        let row = self.sql(&format!(
            "SELECT token_family, revoked_at IS NOT NULL FROM wp_jwt_auth_tokens WHERE refresh_token_hash = '{refresh}'"
        ));
        let mut cols = row.split('\t');
        let family = cols.next().filter(|f| !f.is_empty())?.to_owned();
        Some((family, cols.next() == Some("1")))
    }

    /// Rows of a token family that are not revoked.
    pub fn live_in_family(&self, family: &str) -> u64 {
        assert!(
            family
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        );
        self.count(&format!(
            "SELECT COUNT(*) FROM wp_jwt_auth_tokens WHERE token_family = '{family}' AND revoked_at IS NULL"
        ))
    }

    /// `php wpctl.php PORT …` (the kit's stand-in for wp-cli).
    pub fn wpctl(&self, args: &[&str]) {
        let out = Command::new("php")
            .arg(self.dir.join("wpctl.php"))
            .arg(self.port.to_string())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("ok"),
            "wpctl {args:?}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops php -S and MariaDB (the kit's stop.sh).
    pub fn stop(&self) {
        let status = Command::new(self.dir.join("stop.sh")).status().unwrap();
        assert!(status.success());
    }

    /// (Re)starts the kit with an access-token lifetime (setup.sh is idempotent).
    pub fn start(&self, jwt_ttl: u64) {
        let out = Command::new(self.dir.join("setup.sh"))
            .env("REALWP_JWT_TTL", jwt_ttl.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "setup.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `POST /wp-json/jwt-auth/v1/token/validate` with the token: the server's own verdict
    /// (200 valid, 403 revoked, expired or unknown).
    pub fn validate(&self, token: &str) -> u16 {
        let code = curl(&[
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "-H",
            &format!("Authorization: Bearer {token}"),
            &format!("{}/wp-json/jwt-auth/v1/token/validate", self.url()),
        ]);
        code.trim().parse().unwrap_or(0)
    }

    /// A login outside TokenKeeper (what a user does to get a refresh token to hand over).
    pub fn login(&self) -> serde_json::Value {
        let body = serde_json::json!({ "username": "alice", "password": self.password });
        let out = curl(&[
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "--data-binary",
            &body.to_string(),
            &format!("{}/wp-json/jwt-auth/v1/token", self.url()),
        ]);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Puts the server back as the suite expects it, even when a test fails half-way.
#[derive(Debug)]
pub struct Restore<F: FnMut()>(pub F);

impl<F: FnMut()> Drop for Restore<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// Waits for the site to answer again after a start.
pub fn wait_until_up(kit: &Kit) {
    for _ in 0..80 {
        if kit.validate("x") != 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("the site did not come back");
}
