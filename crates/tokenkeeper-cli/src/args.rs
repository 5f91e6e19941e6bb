//! Command-line syntax (clap). Scripts and tests depend on these names: keep them.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

/// Keeps bearer tokens of five REST APIs fresh and hands them over.
#[derive(Debug, Parser)]
#[command(name = "tokenkeeper", version, about, long_about = None)]
pub struct Cli {
    /// Config directory (default: $TOKENKEEPER_CONFIG_DIR, else the platform config dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub config_dir: Option<PathBuf>,

    /// More log output on stderr (-v: info, -vv: debug). Never includes secrets.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add an account: reads its one secret from stdin and proves it works first.
    Add(Box<AddArgs>),
    /// Replace an account's stored credentials (e.g. after a password change).
    Login(LoginArgs),
    /// List accounts with status and expiry.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one account: settings, status, expiry, JWT claims (never a secret).
    Show {
        /// Account name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an account and its keychain entries (`--all`: every account, as the Windows
    /// uninstaller does when asked to).
    #[command(group(ArgGroup::new("which").required(true).args(["name", "all"])))]
    Remove {
        /// Account name.
        name: Option<String>,
        /// Remove every account.
        #[arg(long)]
        all: bool,
    },
    /// Print a token valid for at least --min-valid seconds (refreshing first if needed).
    /// Asks the token agent of the background first, when one runs.
    Token {
        /// Account name.
        name: String,
        /// Seconds the printed token must stay valid.
        #[arg(long, value_name = "SECS", default_value_t = 60)]
        min_valid: u64,
        /// Print JSON: token, scheme (`JWT` or `Bearer`, for the Authorization header),
        /// expires_at (RFC 3339 UTC), valid_until (until when it really works: its expiry, or
        /// for an API whose refresh revokes the previous token, the next refresh) and
        /// fingerprint.
        #[arg(long)]
        json: bool,
    },
    /// Print the whole Authorization header the account's API wants, with a token valid for
    /// at least --min-valid seconds: `Authorization: JWT …` for Redis Enterprise,
    /// `Authorization: Bearer …` for the others. For curl: `curl -H @<(tokenkeeper header NAME) URL`.
    Header {
        /// Account name.
        name: String,
        /// Seconds the token must stay valid.
        #[arg(long, value_name = "SECS", default_value_t = 60)]
        min_valid: u64,
    },
    /// Run a command with a token valid for at least --min-valid seconds in its environment
    /// (default variable TOKENKEEPER_TOKEN); exits with the command's exit code. With
    /// --token-file the command gets a private file instead, kept fresh while it runs, its path
    /// in BEARER_TOKEN_FILE (or --env).
    Exec {
        /// Account name.
        name: String,
        /// The environment variable that gets the token (with --token-file: the file's path).
        /// Default TOKENKEEPER_TOKEN, or BEARER_TOKEN_FILE with --token-file.
        #[arg(long, value_name = "VAR")]
        env: Option<String>,
        /// Put the token in a private file (only you can read it) kept fresh while the command
        /// runs and removed when it ends, for programs that outlive a token.
        #[arg(long)]
        token_file: bool,
        /// Seconds the token must stay valid.
        #[arg(long, value_name = "SECS", default_value_t = 60)]
        min_valid: u64,
        /// The command and its arguments (after `--`).
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<std::ffi::OsString>,
    },
    /// Keep every account fresh in the background (foreground process; Ctrl-C, SIGTERM or
    /// SIGHUP stops): the engine, the token agent, the tray, notifications and Copy for the desktop
    /// app's window, which starts it when none runs.
    Daemon {
        /// No tray icon (a server, or a desktop without a tray).
        #[arg(long)]
        no_tray: bool,
    },
    /// Try everything with no real account: five local API emulators, live refreshes.
    Demo {
        /// Stop by itself after this many seconds.
        #[arg(long, value_name = "SECS")]
        duration: Option<u64>,
        /// Inject no faults.
        #[arg(long)]
        no_faults: bool,
    },
    /// Trust an account's server certificate by its SHA-256 fingerprint (after checking it
    /// with `tokenkeeper cert`), e.g. when the server's self-signed certificate was renewed.
    /// Secrets stay with what they were proven against: give the secret again on stdin
    /// (`--password-stdin` or another) and it is proven against the new certificate; without
    /// one the stored secrets are deleted and the account needs `tokenkeeper login`.
    Trust {
        /// Account name.
        name: String,
        /// SHA-256 fingerprint, as `openssl x509 -noout -fingerprint -sha256` prints it
        /// (AB:CD:…) or as 64 hex digits.
        fingerprint: String,
        /// The secret to prove against the new certificate (optional).
        #[command(flatten)]
        secret: SecretSource,
    },
    /// Change an account's settings. A new address or trust setting (`--url`, `--insecure`,
    /// `--ca-cert`, `--trust-cert`) comes with the secret on stdin, proven against the new
    /// settings before anything is saved; without one the stored secrets are deleted and the
    /// account needs `tokenkeeper login`. Other changes keep them.
    Edit(EditArgs),
    /// Show the certificate chain a server presents (subject, issuer, validity, SHA-256) and
    /// whether it would be trusted; trusts nothing and sends no request.
    Cert {
        /// An https URL, or the name of an account (its URL and trust settings are used).
        target: String,
        /// Also trust the certificates in this PEM file.
        #[arg(long, value_name = "PEM_FILE")]
        ca_cert: Option<PathBuf>,
        /// Also trust the certificate with this SHA-256 fingerprint.
        #[arg(long, value_name = "FINGERPRINT")]
        trust_cert: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Refresh now.
    #[command(group(ArgGroup::new("which").required(true).args(["name", "all"])))]
    Refresh {
        /// Account name.
        name: Option<String>,
        /// Refresh every account.
        #[arg(long)]
        all: bool,
    },
    /// Keep an account in the tray's menu when there are too many to list them all
    /// (`--off` to stop).
    Pin {
        /// Account name.
        name: String,
        /// Unpin it.
        #[arg(long)]
        off: bool,
    },
    /// Show or change an account's tags: `tags NAME` prints them, `--add T` and `--remove T`
    /// (repeatable) change them, `--clear` removes them all.
    Tags {
        /// Account name.
        name: String,
        /// A tag to add.
        #[arg(long, value_name = "TAG")]
        add: Vec<String>,
        /// A tag to remove.
        #[arg(long, value_name = "TAG")]
        remove: Vec<String>,
        /// Remove every tag.
        #[arg(long)]
        clear: bool,
    },
    /// Start the background at login (`on`), stop doing so (`off`), or print whether it does:
    /// an XDG autostart entry on Linux, a LaunchAgent on macOS, the Run key on Windows (the
    /// same as the window's Settings).
    Autostart {
        /// `on` or `off`; without it, prints `on` or `off`.
        #[arg(value_enum)]
        switch: Option<Switch>,
    },
    /// Name the command run after each new token (refresh or login) by the background or
    /// `tokenkeeper daemon`: `hook NAME -- CMD [ARGS…]` for one account, `hook --all -- CMD` for
    /// every account without its own; `--clear` removes it; without a command, prints it. The
    /// command gets TOKENKEEPER_ACCOUNT, TOKENKEEPER_PROVIDER, TOKENKEEPER_EXPIRES_AT and
    /// TOKENKEEPER_FINGERPRINT in its environment and the token on its stdin only.
    #[command(group(ArgGroup::new("which").required(true).args(["name", "all"])))]
    Hook {
        /// Account name.
        name: Option<String>,
        /// The hook for every account that names none of its own.
        #[arg(long)]
        all: bool,
        /// Remove the hook.
        #[arg(long, conflicts_with = "command")]
        clear: bool,
        /// The command and its arguments (after `--`); no shell.
        #[arg(last = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
}

/// On or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

/// Where the secret comes from: one of these, always on stdin (`add` and `login` need one,
/// `edit` and `trust` take one when the account's server or trust settings change).
#[derive(Debug, Args)]
#[group(required = false, multiple = false)]
pub struct SecretSource {
    /// Read the password (Smartling: user secret) from stdin.
    #[arg(long)]
    pub password_stdin: bool,
    /// Read a refresh token from stdin.
    #[arg(long)]
    pub refresh_token_stdin: bool,
    /// Read a current access token from stdin (Redis Enterprise, ECE).
    #[arg(long)]
    pub token_stdin: bool,
}

/// `tokenkeeper add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Unique account name.
    pub name: String,
    /// redis-enterprise, ece, smartling, generic-jwt, jwt-auth-pro or oauth2.
    #[arg(long, value_name = "P")]
    pub provider: String,
    /// Base URL of the API (jwt-auth-pro: the WordPress site root; oauth2: the issuer, or
    /// give --issuer, or --token-endpoint for a server without discovery).
    #[arg(long, value_name = "URL", required_unless_present_any = ["issuer", "token_endpoint"])]
    pub url: Option<String>,
    /// User name (Smartling: user identifier) for login.
    #[arg(long, value_name = "U")]
    pub username: Option<String>,
    /// Requested token lifetime in seconds (Redis Enterprise: 1 to 86400).
    #[arg(long, value_name = "SECS")]
    pub ttl: Option<u64>,
    /// Trust the certificates in this PEM file: a CA's, or the server's own self-signed one
    /// (trusted as it is, whatever its extensions).
    #[arg(long, value_name = "PEM_FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Trust the server certificate with this SHA-256 fingerprint (see `tokenkeeper cert URL`),
    /// as `openssl x509 -noout -fingerprint -sha256` prints it or as 64 hex digits.
    #[arg(long, value_name = "FINGERPRINT")]
    pub trust_cert: Option<String>,
    /// Skip TLS certificate verification (not recommended; flagged in every listing).
    #[arg(long)]
    pub insecure: bool,
    /// Allow plain HTTP to a host that is not this machine: the secrets then travel
    /// unencrypted (without it such an account is refused before anything is sent).
    #[arg(long)]
    pub allow_plain_http: bool,
    /// Refresh this many seconds before expiry (default: the larger of 60 s and 20 % of the
    /// token's lifetime).
    #[arg(long, value_name = "SECS")]
    pub refresh_lead: Option<u64>,
    /// A tag to find and group the account by (`prod`, `client-a`); repeat for more.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The secret's kind.
    #[command(flatten)]
    pub secret: SecretSource,
    /// OAuth 2.0 / OpenID Connect (`--provider oauth2`).
    #[command(flatten)]
    pub oauth: OAuthArgs,
}

/// `tokenkeeper add --provider oauth2`: the client, the grant and the server's endpoints.
#[derive(Debug, Args)]
#[command(next_help_heading = "OAuth 2.0 / OpenID Connect (--provider oauth2)")]
pub struct OAuthArgs {
    /// The issuer: its discovery document (/.well-known/openid-configuration, or RFC 8414's)
    /// gives the endpoints.
    #[arg(long, value_name = "URL", conflicts_with = "url")]
    pub issuer: Option<String>,
    /// The client id the server registered for TokenKeeper.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// authorization-code (sign in in the browser; the default), device-code (a code typed on
    /// another device) or client-credentials (a service account).
    #[arg(long, value_name = "GRANT")]
    pub grant: Option<String>,
    /// none (a public client), client_secret_basic or client_secret_post (default: none, or
    /// the first of the two the server lists when a client secret is given).
    #[arg(long, value_name = "METHOD")]
    pub client_auth: Option<String>,
    /// Read the client secret from stdin.
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// A scope to ask for; repeat, or separate with spaces (default for a sign-in: openid and
    /// offline_access where the server lists them).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// The resource the token is for (RFC 8707), sent with every token request.
    #[arg(long, value_name = "URI")]
    pub resource: Option<String>,
    /// The audience parameter some servers take instead (Auth0, Okta).
    #[arg(long, value_name = "AUDIENCE")]
    pub audience: Option<String>,
    /// The token endpoint, for a server without discovery (then --url is not needed).
    #[arg(long, value_name = "URL")]
    pub token_endpoint: Option<String>,
    /// The authorization endpoint, for a server without discovery.
    #[arg(long, value_name = "URL")]
    pub authorization_endpoint: Option<String>,
    /// The device authorization endpoint, for a server without discovery.
    #[arg(long, value_name = "URL")]
    pub device_endpoint: Option<String>,
    /// The revocation endpoint, for a server without discovery.
    #[arg(long, value_name = "URL")]
    pub revocation_endpoint: Option<String>,
    /// Seconds a token is taken to live when the server says nothing (default 3600).
    #[arg(long, value_name = "SECS")]
    pub default_lifetime: Option<u64>,
    /// The server revokes the previous access token at each refresh (GitHub's apps do): tokens
    /// handed out are then promised only until the next refresh, which comes late.
    #[arg(long)]
    pub revokes_on_refresh: bool,
    /// Print the sign-in page's address instead of opening the browser.
    #[arg(long)]
    pub no_browser: bool,
}

/// `tokenkeeper edit`: every option left out keeps its value.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// Account name.
    pub name: String,
    /// A new name.
    #[arg(long, value_name = "NEW_NAME")]
    pub rename: Option<String>,
    /// A new base URL.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// A new user name (empty: none).
    #[arg(long, value_name = "U")]
    pub username: Option<String>,
    /// Skip TLS certificate verification (not recommended).
    #[arg(long, overrides_with = "no_insecure")]
    pub insecure: bool,
    /// Verify TLS certificates again.
    #[arg(long)]
    pub no_insecure: bool,
    /// Trust the certificates in this PEM file (empty: none).
    #[arg(long, value_name = "PEM_FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Pin the server certificate with this SHA-256 fingerprint (empty: none).
    #[arg(long, value_name = "FINGERPRINT")]
    pub trust_cert: Option<String>,
    /// Allow plain HTTP to a host that is not this machine.
    #[arg(long, overrides_with = "no_allow_plain_http")]
    pub allow_plain_http: bool,
    /// Refuse plain HTTP to another machine again.
    #[arg(long)]
    pub no_allow_plain_http: bool,
    /// The account's tags, replacing the ones it has (comma-separated; empty: none).
    #[arg(long, value_name = "TAGS", value_delimiter = ',', num_args = 0..)]
    pub tags: Option<Vec<String>>,
    /// Refresh this many seconds before expiry (`default`: the global rule).
    #[arg(long, value_name = "SECS")]
    pub lead: Option<String>,
    /// Requested token lifetime in seconds (Redis Enterprise: 1 to 86400; `default`: the
    /// server's).
    #[arg(long, value_name = "SECS")]
    pub ttl: Option<String>,
    /// The secret, proven against the new settings (needed to keep the account working
    /// across a change of address or trust).
    #[command(flatten)]
    pub secret: SecretSource,
}

/// `tokenkeeper login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Account name.
    pub name: String,
    /// The secret's kind (an OAuth 2.0 account signs in again instead).
    #[command(flatten)]
    pub secret: SecretSource,
    /// OAuth 2.0: read a new client secret from stdin (else the stored one is used).
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// OAuth 2.0: print the sign-in page's address instead of opening the browser.
    #[arg(long)]
    pub no_browser: bool,
}
