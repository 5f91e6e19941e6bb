//! The core's errors in the command line's words. The core speaks of credentials ("a refresh
//! token"); here they become this CLI's flags (`--refresh-token-stdin`) and whole commands to
//! copy (`tokenkeeper login NAME --password-stdin`).

use std::path::PathBuf;

use tokenkeeper_core::capabilities::{self, Credential};
use tokenkeeper_core::error::CredentialProblem;
use tokenkeeper_core::store::paths::Paths;
use tokenkeeper_core::{Error, Keeper, ProviderKind};

/// The flag that reads this kind of secret from stdin.
pub fn flag(credential: Credential) -> &'static str {
    match credential {
        Credential::Password => "--password-stdin",
        Credential::RefreshToken => "--refresh-token-stdin",
        Credential::AccessToken => "--token-stdin",
        // A sign-in reads nothing: `tokenkeeper login NAME` opens the browser.
        Credential::SignIn => "",
    }
}

/// The stdin flags an API accepts, the usual one first (an OAuth 2.0 account's "password" is
/// its client secret).
fn flags(provider: ProviderKind) -> Vec<&'static str> {
    capabilities::of(provider)
        .credentials
        .iter()
        .map(|c| match (provider, c) {
            (ProviderKind::OAuth2, Credential::Password) => "--client-secret-stdin",
            _ => flag(*c),
        })
        .collect()
}

/// One whole command per secret kind the API takes, each copy-pastable.
pub fn login_commands(name: &str, provider: ProviderKind) -> String {
    flags(provider)
        .iter()
        .map(|flag| match *flag {
            "" => format!("`tokenkeeper login {name}`"),
            flag => format!("`tokenkeeper login {name} {flag}`"),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The error as this CLI says it: credential problems name its flags.
pub fn message(err: &Error) -> String {
    match err {
        Error::Credentials(CredentialProblem::Empty { name, given }) => {
            format!("no secret given on stdin for {name:?} ({})", flag(*given))
        }
        Error::Credentials(CredentialProblem::Unsupported { provider, given }) => format!(
            "{} accounts cannot be set up with {}; use {}",
            provider.id(),
            flag(*given),
            flags(*provider).join(" or ")
        ),
        Error::Credentials(CredentialProblem::NoUsername { provider }) => format!(
            "{} needs --username to log in with a password",
            provider.id()
        ),
        other => other.to_string(),
    }
}

/// For an account that needs login: the commands that store new credentials (its API read
/// from the config; without it, the command with a placeholder).
pub fn needs_login_hint(err: &Error, config_dir: Option<PathBuf>) -> Option<String> {
    let (Error::NeedsLogin { name, .. } | Error::OriginChanged { name, .. }) = err else {
        return None;
    };
    let provider = Paths::resolve(config_dir)
        .ok()
        .and_then(|paths| Keeper::open(paths).find(name).ok())
        .map(|account| account.provider);
    Some(match provider {
        Some(provider) => format!("run {}", login_commands(name, provider)),
        None => format!("run `tokenkeeper login {name}` with the secret on stdin"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_credential_has_its_own_flag_and_every_api_a_command_per_flag() {
        let all = [
            Credential::Password,
            Credential::RefreshToken,
            Credential::AccessToken,
        ];
        let mut seen: Vec<&str> = all.iter().map(|c| flag(*c)).collect();
        seen.dedup();
        assert_eq!(seen.len(), 3);
        assert_eq!(
            login_commands("svc", ProviderKind::GenericJwt),
            "`tokenkeeper login svc --password-stdin` or `tokenkeeper login svc --refresh-token-stdin`"
        );
        assert_eq!(
            login_commands("c", ProviderKind::RedisEnterprise),
            "`tokenkeeper login c --password-stdin` or `tokenkeeper login c --token-stdin`"
        );
    }

    #[test]
    fn credential_problems_name_the_flags() {
        let unsupported = Error::Credentials(CredentialProblem::Unsupported {
            provider: ProviderKind::Smartling,
            given: Credential::AccessToken,
        });
        assert_eq!(
            message(&unsupported),
            "smartling accounts cannot be set up with --token-stdin; use --password-stdin or --refresh-token-stdin"
        );
        // The core says it in its own terms.
        assert!(!unsupported.to_string().contains("--"), "{unsupported}");
        let no_user = Error::Credentials(CredentialProblem::NoUsername {
            provider: ProviderKind::Ece,
        });
        assert_eq!(
            message(&no_user),
            "ece needs --username to log in with a password"
        );
    }
}
