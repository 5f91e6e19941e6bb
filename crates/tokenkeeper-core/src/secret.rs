//! `Secret`: a string that cannot be printed, logged or serialised by accident.
//!
//! Passwords, refresh tokens and access tokens travel through the code as `Secret`.
//! `Debug` and `Display` print `***`, there is no `Serialize` impl, and the memory
//! is zeroed when the value is dropped. The only way to the text is [`Secret::expose`],
//! which makes every place that handles the real value easy to find.

use std::fmt;

use zeroize::Zeroizing;

/// A secret string (password, user secret, refresh or access token).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value. The caller should drop its own copy as soon as possible.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret's text. Call only where the value must leave the process
    /// (an HTTP request, the keychain, the user's explicit `token` request).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret holds no characters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of bytes, used to keep keychain entries within platform limits.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(secret.expose(), "hunter2-very-secret");
        assert_eq!(secret.len(), 19);
    }
}
