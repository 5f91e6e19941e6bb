//! `tokenkeeper exec NAME [--env VAR] -- COMMAND…`: runs a command with a fresh token in its
//! environment, like `aws-vault exec`. On Unix the command replaces this process, so its exit
//! code and signals pass through untouched; the token exists only in the command's environment.
//! With `--token-file` the command gets a file kept fresh instead ([`crate::token_file`]).

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use tokenkeeper_core::{Error, Keeper};

/// How the command gets its token.
pub enum Hand {
    /// In this environment variable.
    Variable(String),
    /// In a file kept fresh, its path in this variable.
    File(String),
}

impl Hand {
    /// From `--token-file` and `--env`.
    pub fn from_flags(token_file: bool, env: Option<String>) -> Self {
        match (token_file, env) {
            (false, var) => Self::Variable(var.unwrap_or_else(|| "TOKENKEEPER_TOKEN".to_owned())),
            (true, var) => Self::File(var.unwrap_or_else(|| FILE_VAR.to_owned())),
        }
    }

    fn var(&self) -> &str {
        match self {
            Self::Variable(v) | Self::File(v) => v,
        }
    }
}

/// The variable naming the token file by default (the WLCG bearer-token discovery convention).
const FILE_VAR: &str = "BEARER_TOKEN_FILE";

fn valid_name(var: &str) -> bool {
    let mut chars = var.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Gets the token, then runs the command; returns only if the command cannot be started (or,
/// off Unix, with its exit code).
pub async fn run(
    keeper: &Keeper,
    name: &str,
    how: &Hand,
    min_valid: u64,
    command: &[OsString],
) -> Result<ExitCode, Error> {
    let var = how.var();
    if !valid_name(var) {
        return Err(Error::InvalidInput(format!(
            "--env {var:?}: use letters, digits and '_', not starting with a digit"
        )));
    }
    let Some((program, args)) = command.split_first() else {
        return Err(Error::InvalidInput(
            "no command given: tokenkeeper exec NAME -- COMMAND [ARGS…]".to_owned(),
        ));
    };
    if let Hand::File(var) = how {
        return crate::token_file::run(keeper, name, var, min_valid, program, args).await;
    }
    let info = crate::token_info(keeper, name, Duration::from_secs(min_valid)).await?;
    let mut cmd = std::process::Command::new(program);
    cmd.args(args).env(var, info.token.expose());
    let shown = program.to_string_lossy().into_owned();
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // The user's command gets the core size limit the user had, not TokenKeeper's 0.
        tokenkeeper_core::hardening::restore_for_command();
        let e = cmd.exec();
        Ok(crate::child::cannot_run(&shown, &e))
    }
    #[cfg(windows)]
    {
        // No exec(2): the command runs as a child, which shares this console and so gets a
        // Ctrl+C or Ctrl+Break itself; this process lives on (its listeners hold the events)
        // until the child ends, and ends with its exit code.
        let _ctrl_c = tokio::signal::windows::ctrl_c();
        let _ctrl_break = tokio::signal::windows::ctrl_break();
        match tokio::process::Command::from(cmd).status().await {
            Ok(status) => Ok(crate::child::exit_code(status)),
            Err(e) => Ok(crate::child::cannot_run(&shown, &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn variable_names_are_checked() {
        for ok in ["TOKENKEEPER_TOKEN", "_x", "A1"] {
            assert!(super::valid_name(ok), "{ok}");
        }
        for bad in ["", "1A", "A-B", "A=B", "A B", "É"] {
            assert!(!super::valid_name(bad), "{bad}");
        }
    }
}
