//! `tokenkeeper edit`, and what `edit` and `trust` tell the user: an account's settings changed
//! through the core's edit, the path the app's Edit form takes, with the same checks and the
//! same rule for secrets: a new address or trust setting comes with the secret on stdin,
//! proven against the new settings before anything is saved, or the stored secrets are deleted
//! and the account needs a login.

use chrono::Utc;
use tokenkeeper_core::account::{normalize_tags, parse_base_url};
use tokenkeeper_core::keeper::{AccountChanges, Edited};
use tokenkeeper_core::{Error, Keeper};

use crate::args::EditArgs;
use crate::{input, output, words};

/// Runs `tokenkeeper edit`.
pub async fn run(keeper: &Keeper, args: EditArgs) -> Result<(), Error> {
    let changes = changes(&args)?;
    let secret = input::read_optional(&args.secret)?;
    if secret.is_none() && changes.is_empty() {
        return Err(Error::InvalidInput(
            "nothing to change: name at least one setting (see `tokenkeeper edit --help`)"
                .to_owned(),
        ));
    }
    let proven = secret.is_some();
    let edited = match secret {
        Some(secret) => Edited {
            account: keeper.edit_with_login(&args.name, changes, secret).await?,
            secrets_deleted: false,
        },
        None => keeper.edit(&args.name, changes).await?,
    };
    println!("changed {}", edited.account.name);
    report(keeper, &edited, proven)
}

/// Says what became of the account's secrets after an edit or a `trust`.
pub fn report(keeper: &Keeper, edited: &Edited, proven: bool) -> Result<(), Error> {
    let name = &edited.account.name;
    if proven {
        let view = keeper
            .list()?
            .into_iter()
            .find(|v| v.id == edited.account.id)
            .ok_or_else(|| Error::AccountNotFound(name.clone()))?;
        println!(
            "logged in with the new settings: token valid {}",
            output::expires_in(view.expires_at, Utc::now())
        );
    } else if edited.secrets_deleted {
        println!(
            "its server or trust settings changed, so the secrets stored for the old ones were deleted (they are never sent anywhere else); to use {name} again, run {}",
            words::login_commands(name, edited.account.provider)
        );
    }
    Ok(())
}

/// A switch given as `--x` or `--no-x`.
fn switch(on: bool, off: bool) -> Option<bool> {
    match (on, off) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

/// Seconds, or `default` for none.
fn seconds(text: &str, option: &str) -> Result<Option<u64>, Error> {
    if text == "default" {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        Error::InvalidInput(format!(
            "{option}: expected a number of seconds or `default`, got {text:?}"
        ))
    })
}

fn changes(args: &EditArgs) -> Result<AccountChanges, Error> {
    Ok(AccountChanges {
        name: args.rename.clone(),
        url: args.url.as_deref().map(parse_base_url).transpose()?,
        username: args
            .username
            .as_ref()
            .map(|u| Some(u.trim().to_owned()).filter(|u| !u.is_empty())),
        ttl: args
            .ttl
            .as_deref()
            .map(|t| seconds(t, "--ttl"))
            .transpose()?,
        ca_cert: args
            .ca_cert
            .as_ref()
            .map(|p| (!p.as_os_str().is_empty()).then(|| p.clone())),
        trust_cert: args
            .trust_cert
            .as_deref()
            .map(|t| match t.trim() {
                "" => Ok(None),
                t => t.parse().map(Some),
            })
            .transpose()?,
        insecure: switch(args.insecure, args.no_insecure),
        refresh_lead_secs: args
            .lead
            .as_deref()
            .map(|l| seconds(l, "--lead"))
            .transpose()?,
        allow_plain_http: switch(args.allow_plain_http, args.no_allow_plain_http),
        hook: None,
        tags: args
            .tags
            .as_ref()
            .map(|tags| {
                let given: Vec<&String> = tags.iter().filter(|t| !t.trim().is_empty()).collect();
                normalize_tags(&given)
            })
            .transpose()?,
        pinned: None,
    })
}
