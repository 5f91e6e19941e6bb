//! `tokenkeeper`: the command line over `tokenkeeper-core`, for scripts and terminals.
//!
//! Each subcommand is a few lines calling [`tokenkeeper_core::Keeper`]. Failures print one or
//! two plain lines on stderr and exit non-zero with a code that says what kind of failure it
//! was (see [`exit_code`]); never a panic or a backtrace.

mod args;
mod certs;
mod child;
mod daemon;
mod demo;
mod edit;
mod exec;
mod input;
mod oauth;
mod output;
mod token_file;
mod words;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use clap::Parser;
use tokenkeeper_core::account::ProviderKind;
use tokenkeeper_core::account::parse_base_url;
use tokenkeeper_core::keeper::NewAccount;
use tokenkeeper_core::providers::tls::TlsSettings;
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::{Error, Keeper};

use args::{AddArgs, Cli, Command};
use certs::Context;

fn main() -> ExitCode {
    // Before any secret is read: no core dump of this process, ever.
    let hardened = tokenkeeper_core::hardening::harden();
    let cli = Cli::parse();
    let daemon = matches!(cli.command, Command::Daemon { .. });
    let long_running = daemon || matches!(cli.command, Command::Demo { .. });
    init_logging(cli.verbose, daemon);
    tokenkeeper_core::hardening::report(&hardened);
    // The background (here, or the program it becomes) never runs the user's commands in
    // its place: no debugger either. Not for the CLI's commands (`exec` becomes the user's).
    if daemon {
        tokenkeeper_core::hardening::deny_debuggers();
    }
    #[cfg(unix)]
    if let Command::Daemon { no_tray } = cli.command
        && let Ok(paths) = Paths::resolve(cli.config_dir.clone())
    {
        daemon::exec_background(&daemon::background_dir(paths.dir()), !no_tray, cli.verbose);
    }
    let runtime = if long_running {
        tokenkeeper_core::engine::runtime()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokenkeeper: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let context = Context::of(&cli.command);
    let config_dir = cli.config_dir.clone();
    let ran = if daemon {
        // On macOS the main thread is kept for the tray (AppKit's rule) and this runs beside it.
        tokenkeeper_background::host::main(move || runtime.block_on(run(cli)))
    } else {
        runtime.block_on(run(cli))
    };
    match ran {
        Ok(code) => code,
        Err(err) => {
            eprintln!("tokenkeeper: {}", words::message(&err));
            if let Some(hint) =
                hint(&err, &context).or_else(|| words::needs_login_hint(&err, config_dir))
            {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// A token for a script: from the token agent of the background when one runs (set
/// `TOKENKEEPER_NO_AGENT` to skip it), else directly; the same answers and errors either way.
pub(crate) async fn token_info(
    keeper: &Keeper,
    name: &str,
    min_valid: Duration,
) -> Result<tokenkeeper_core::keeper::TokenInfo, Error> {
    if std::env::var_os("TOKENKEEPER_NO_AGENT").is_none()
        && let Some(answer) =
            tokenkeeper_core::agent::client::token(keeper.paths(), name, min_valid).await
    {
        tracing::info!("answered by the token agent");
        return answer;
    }
    if std::env::var_os("TOKENKEEPER_NO_AGENT").is_none() {
        tracing::info!("no token agent answered: asking the keychain and the API directly");
    }
    keeper.token_info(name, min_valid).await
}

/// `remove --all`: every account, each with its keychain entries; goes on past one that fails
/// and reports it.
async fn remove_all(keeper: &Keeper) -> Result<(), Error> {
    let names: Vec<String> = keeper.list()?.into_iter().map(|v| v.name).collect();
    if names.is_empty() {
        println!("no accounts to remove");
        return Ok(());
    }
    let mut failed = None;
    for name in names {
        match keeper.remove(&name).await {
            Ok(()) => println!("removed {name} and its keychain entries"),
            Err(e) => {
                eprintln!("tokenkeeper: {name}: {}", words::message(&e));
                failed = Some(e);
            }
        }
    }
    failed.map_or(Ok(()), Err)
}

/// `autostart`: turns Start at login on or off, or prints whether it is on.
fn autostart(
    paths: &Paths,
    config_dir: Option<&std::path::Path>,
    switch: Option<args::Switch>,
) -> Result<(), Error> {
    use tokenkeeper_app_core::autostart::Autostart;
    let Some(autostart) = Autostart::for_this_system(paths, config_dir) else {
        return Err(Error::InvalidInput(
            "no home folder to keep Start at login in".to_owned(),
        ));
    };
    let Some(switch) = switch else {
        println!("{}", if autostart.is_enabled() { "on" } else { "off" });
        return Ok(());
    };
    let on = switch == args::Switch::On;
    autostart
        .set(on)
        .map_err(|e| Error::io(autostart.place(), e))?;
    if on {
        println!("the background starts at login: {}", autostart.place());
    } else {
        println!("the background no longer starts at login");
    }
    Ok(())
}

/// `hook`: sets, clears or prints an account's hook (`name`) or the settings' (`None`).
async fn hook(
    keeper: &Keeper,
    name: Option<&str>,
    clear: bool,
    command: Vec<String>,
) -> Result<(), Error> {
    let new = if clear {
        Some(None)
    } else if command.is_empty() {
        None
    } else {
        Some(Some(command))
    };
    let what = name.map_or_else(|| "every account".to_owned(), str::to_owned);
    let now = match (name, new) {
        (Some(name), Some(hook)) => {
            let changes = tokenkeeper_core::keeper::AccountChanges {
                hook: Some(hook),
                ..Default::default()
            };
            keeper.edit(name, changes).await?.account.hook
        }
        (None, Some(hook)) => keeper.update_settings(|s| s.hook = hook).await?.hook,
        (Some(name), None) => keeper.find(name)?.hook,
        (None, None) => keeper.settings()?.hook,
    };
    match now {
        Some(command) => println!("hook of {what}: {}", shell_words(&command)),
        None => println!("no hook for {what}"),
    }
    Ok(())
}

/// A command as a shell would read it back (arguments with spaces or quotes quoted).
fn shell_words(command: &[String]) -> String {
    command
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `Authorization` scheme of the account's API (read from the config; the token may come
/// from the agent, which does not say).
fn scheme_of(keeper: &Keeper, name: &str) -> Result<&'static str, Error> {
    Ok(tokenkeeper_core::capabilities::of(keeper.find(name)?.provider).auth_scheme)
}

fn init_logging(verbose: u8, background: bool) {
    // Other crates' logs (TLS, HTTP) stay quiet unless asked for: our errors already say it.
    // The background's events are its output, so it logs at info by default.
    let default = match verbose {
        0 if background => {
            "warn,tokenkeeper=info,tokenkeeper_background=info,tokenkeeper_core=warn"
        }
        0 => "off,tokenkeeper=error,tokenkeeper_core=error",
        1 => "warn,tokenkeeper=info,tokenkeeper_background=info,tokenkeeper_core=info",
        _ => "info,tokenkeeper=debug,tokenkeeper_background=debug,tokenkeeper_core=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOKENKEEPER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

/// Exit codes: 2 bad input, 3 needs login, 4 keychain, 5 temporary API/network failure,
/// 6 API refused or answered badly (auth/config/protocol), 7 the settings changed since the
/// secrets were stored (they were deleted: needs login), 8 the API's tokens do not live as
/// long as --min-valid asks, 1 anything else.
/// The exit code of the failure that most needs the user, of several (`refresh --all`): the
/// keychain (4), a changed address (7), a login (3), an API's refusal (6), a lifetime too short
/// (8), bad input (2), anything else (1), and last a temporary failure (5), which passes alone.
fn worst(codes: &[u8]) -> Option<u8> {
    use tokenkeeper_core::error::exit;
    const ORDER: [u8; 8] = [
        exit::KEYCHAIN,
        exit::ORIGIN_CHANGED,
        exit::NEEDS_LOGIN,
        exit::API,
        exit::LIFETIME_TOO_SHORT,
        exit::INVALID_INPUT,
        exit::OTHER,
        exit::TRANSIENT,
    ];
    codes
        .iter()
        .copied()
        .min_by_key(|c| ORDER.iter().position(|o| o == c).unwrap_or(ORDER.len()))
}

/// What to do next, when the error alone does not say it.
fn hint(err: &Error, context: &Context) -> Option<String> {
    if let Some(problem) = err.api().and_then(|e| e.certificate.as_deref()) {
        return Some(certs::hint(problem, context));
    }
    match err {
        Error::Api(e) if e.code.as_deref() == Some("tls") => Some(
            "pass --ca-cert with the server's CA certificate (PEM); `tokenkeeper cert URL` shows what the server presents".to_owned(),
        ),
        Error::Api(e) if e.status == Some(404) => {
            Some("check --url: the API path was not found there".to_owned())
        }
        _ => None,
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Error> {
    if let Command::Demo {
        duration,
        no_faults,
    } = cli.command
    {
        let options = demo::Options {
            duration: duration.map(Duration::from_secs),
            no_faults,
        };
        demo::run(options).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let config_dir = cli.config_dir.clone();
    let keeper = Keeper::open(Paths::resolve(cli.config_dir)?);
    let now = Utc::now();
    match cli.command {
        Command::Demo { .. } => {}
        #[cfg(not(windows))]
        Command::Daemon { no_tray } => daemon::run(keeper, !no_tray).await?,
        #[cfg(windows)]
        Command::Daemon { no_tray } => {
            let dir = daemon::background_dir(keeper.paths().dir());
            return daemon::run_installed(&dir, !no_tray, cli.verbose).await;
        }
        Command::Add(args) => add(&keeper, *args).await?,
        Command::Login(args) => {
            let secret = match keeper.find(&args.name)?.oauth {
                Some(o) => {
                    let typed = oauth::Typed::read(args.client_secret_stdin, &args.secret)?;
                    oauth::credential(o.grant, typed, !args.no_browser)?
                }
                None => input::read_secret(&args.secret)?,
            };
            let view = keeper.login(&args.name, secret).await?;
            println!(
                "stored new credentials for {}: token valid {}",
                view.name,
                output::expires_in(view.expires_at, now)
            );
        }
        Command::List { json } => {
            let views = keeper.list()?;
            if json {
                print_json(&views)?;
            } else if views.is_empty() {
                println!("no accounts yet: add one with `tokenkeeper add`");
            } else {
                print!("{}", output::table(&views, now));
            }
        }
        Command::Show { name, json } => {
            let detail = keeper.show(&name).await?;
            if json {
                print_json(&detail)?;
            } else {
                print!("{}", output::detail(&detail, now));
            }
        }
        Command::Trust {
            name,
            fingerprint,
            secret,
        } => {
            let fingerprint = fingerprint.parse()?;
            let secret = input::read_optional(&secret)?;
            let proven = secret.is_some();
            let edited = keeper.trust(&name, fingerprint, secret).await?;
            println!("{name} now trusts the server certificate {fingerprint}");
            edit::report(&keeper, &edited, proven)?;
        }
        Command::Edit(args) => edit::run(&keeper, args).await?,
        Command::Cert {
            target,
            ca_cert,
            trust_cert,
            json,
        } => certs::show(&keeper, &target, ca_cert, trust_cert, json).await?,
        Command::Remove {
            name: Some(name), ..
        } => {
            keeper.remove(&name).await?;
            println!("removed {name} and its keychain entries");
        }
        Command::Remove { name: None, .. } => remove_all(&keeper).await?,
        Command::Autostart { switch } => autostart(keeper.paths(), config_dir.as_deref(), switch)?,
        Command::Token {
            name,
            min_valid,
            json,
        } => {
            let info = token_info(&keeper, &name, Duration::from_secs(min_valid)).await?;
            let mut stdout = std::io::stdout().lock();
            let text = if json {
                let value = serde_json::json!({
                    "token": info.token.expose(),
                    "scheme": scheme_of(&keeper, &name)?,
                    "expires_at": info.expires_at,
                    "valid_until": info.valid_until,
                    "fingerprint": info.fingerprint,
                });
                serde_json::to_string_pretty(&value)
                    .map_err(|e| Error::InvalidInput(format!("cannot print JSON: {e}")))?
            } else {
                info.token.expose().to_owned()
            };
            writeln!(stdout, "{text}")
                .and_then(|()| stdout.flush())
                .map_err(|e| Error::io("stdout", e))?;
        }
        Command::Header { name, min_valid } => {
            let scheme = scheme_of(&keeper, &name)?;
            let info = token_info(&keeper, &name, Duration::from_secs(min_valid)).await?;
            // The line holds the token: zeroed when dropped.
            let line = zeroize::Zeroizing::new(format!(
                "Authorization: {scheme} {}\n",
                info.token.expose()
            ));
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(line.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Error::io("stdout", e))?;
        }
        Command::Exec {
            name,
            env,
            token_file,
            min_valid,
            command,
        } => {
            let how = exec::Hand::from_flags(token_file, env);
            return exec::run(&keeper, &name, &how, min_valid, &command).await;
        }
        Command::Refresh {
            name: Some(name), ..
        } => {
            let view = keeper.refresh(&name).await?;
            println!(
                "refreshed {}: token valid {}",
                view.name,
                output::expires_in(view.expires_at, now)
            );
            if view.revokes_on_refresh {
                println!(
                    "note: {}'s server revokes the previous token at each refresh: tokens handed out before this one stopped working now",
                    view.name
                );
            }
        }
        Command::Pin { name, off } => {
            let changes = tokenkeeper_core::keeper::AccountChanges {
                pinned: Some(!off),
                ..Default::default()
            };
            let edited = keeper.edit(&name, changes).await?;
            if edited.account.pinned {
                println!("{name} is pinned to the tray");
            } else {
                println!("{name} is not pinned");
            }
        }
        Command::Tags {
            name,
            add,
            remove,
            clear,
        } => {
            let account = keeper.find(&name)?;
            let mut tags = if clear {
                Vec::new()
            } else {
                account.tags.clone()
            };
            tags.extend(add);
            let remove = tokenkeeper_core::account::normalize_tags(&remove)?;
            tags.retain(|t| !remove.contains(t));
            let tags = tokenkeeper_core::account::normalize_tags(&tags)?;
            let tags = if tags == account.tags {
                tags
            } else {
                let changes = tokenkeeper_core::keeper::AccountChanges {
                    tags: Some(tags),
                    ..Default::default()
                };
                keeper.edit(&name, changes).await?.account.tags
            };
            if tags.is_empty() {
                println!("{name}: no tags");
            } else {
                println!("{name}: {}", tags.join(" "));
            }
        }
        Command::Hook {
            name,
            all: _,
            clear,
            command,
        } => hook(&keeper, name.as_deref(), clear, command).await?,
        Command::Refresh { name: None, .. } => {
            let mut failures = Vec::new();
            for (name, result) in keeper.refresh_all().await? {
                match result {
                    Ok(view) => println!(
                        "refreshed {name}: token valid {}",
                        output::expires_in(view.expires_at, Utc::now())
                    ),
                    Err(e) => {
                        eprintln!("tokenkeeper: {name}: {}", words::message(&e));
                        failures.push(e.exit_code());
                    }
                }
            }
            if let Some(code) = worst(&failures) {
                return Ok(ExitCode::from(code));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn add(keeper: &Keeper, args: AddArgs) -> Result<(), Error> {
    let provider: ProviderKind = args.provider.parse()?;
    let trust_cert = args.trust_cert.as_deref().map(str::parse).transpose()?;
    let (url, oauth, secret) = if provider == ProviderKind::OAuth2 {
        let tls = TlsSettings {
            ca_cert: args.ca_cert.clone(),
            trust_cert,
            insecure: args.insecure,
        };
        // Read before anything is asked of the server (a script's stdin, a prompt).
        let typed = oauth::Typed::read(args.oauth.client_secret_stdin, &args.secret)?;
        let (url, settings) = oauth::settings(keeper, &args, &tls).await?;
        let secret = oauth::credential(settings.grant, typed, !args.oauth.no_browser)?;
        (url, Some(settings), secret)
    } else {
        let url = args
            .url
            .as_deref()
            .ok_or_else(|| Error::InvalidInput(format!("{} needs --url", provider.label())))?;
        (
            parse_base_url(url)?,
            None,
            input::read_secret(&args.secret)?,
        )
    };
    if args.insecure {
        eprintln!("warning: TLS verification is disabled for {}", args.name);
    }
    let new = NewAccount {
        name: args.name,
        provider,
        url,
        username: args.username,
        ttl: args.ttl,
        ca_cert: args.ca_cert,
        trust_cert,
        insecure: args.insecure,
        refresh_lead_secs: args.refresh_lead,
        allow_plain_http: args.allow_plain_http,
        tags: args.tags,
        oauth,
    };
    let view = keeper.add(new, secret).await?;
    if view.plain_http {
        eprintln!("warning: {} uses plain HTTP beyond this machine", view.name);
    }
    println!(
        "added {} ({}): token valid {}",
        view.name,
        view.provider,
        output::expires_in(view.expires_at, Utc::now())
    );
    if let Some(root) = &view.api_root {
        println!(
            "note: this WordPress site has plain permalinks (no /wp-json/ routing): its API answers at {root}, and TokenKeeper uses that"
        );
    }
    Ok(())
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::InvalidInput(format!("cannot encode JSON: {e}")))?;
    println!("{text}");
    Ok(())
}
