//! Reading the one secret from stdin: never from argv, where other users and shell history
//! could see it. A terminal gets a prompt without echo; a pipe is read to the end.

use std::io::{IsTerminal, Read};

use tokenkeeper_core::keeper::InitialSecret;
use tokenkeeper_core::{Error, Secret};

use crate::args::SecretSource;

const MAX_STDIN: u64 = 64 * 1024;

/// Reads the secret named by the flags; one of them must be given.
pub fn read_secret(source: &SecretSource) -> Result<InitialSecret, Error> {
    read_optional(source)?.ok_or_else(|| {
        Error::InvalidInput(
            "say what the secret on stdin is: --password-stdin, --refresh-token-stdin or --token-stdin"
                .to_owned(),
        )
    })
}

/// Reads the secret named by the flags, if one is named (stdin is not touched otherwise).
pub fn read_optional(source: &SecretSource) -> Result<Option<InitialSecret>, Error> {
    if !(source.password_stdin || source.refresh_token_stdin || source.token_stdin) {
        return Ok(None);
    }
    let value = read_stdin()?;
    Ok(Some(if source.password_stdin {
        InitialSecret::Password(value)
    } else if source.refresh_token_stdin {
        InitialSecret::RefreshToken(value)
    } else {
        InitialSecret::AccessToken(value)
    }))
}

/// Reads one secret from stdin (a prompt without echo on a terminal).
pub fn read_stdin() -> Result<Secret, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let line = rpassword::prompt_password("Secret (input hidden): ")
            .map_err(|e| Error::InvalidInput(format!("cannot read the secret: {e}")))?;
        return Ok(Secret::new(line));
    }
    // Room for all of it at once (no reallocation leaves a copy behind), zeroed when dropped.
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(MAX_STDIN as usize + 1));
    stdin
        .lock()
        .take(MAX_STDIN + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::InvalidInput(format!("cannot read stdin: {e}")))?;
    if bytes.len() as u64 > MAX_STDIN {
        return Err(Error::InvalidInput(
            "stdin holds more than 64 KiB; expected one secret".to_owned(),
        ));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::InvalidInput("the secret on stdin is not UTF-8 text".to_owned()))?;
    let trimmed = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    Ok(Secret::new(trimmed))
}
