//! WordPress 6.8's `wp_authenticate` as the plugin calls it: the username filter, then the e-mail
//! filter (whose answer wins when the name is an address), and core's messages, HTML and all. The
//! password is trimmed first; PHP's `empty()` counts `"0"` as empty.

use crate::state::Shared;
use crate::users::User;

const EMPTY_USERNAME: &str = "<strong>Error:</strong> The username field is empty.";
const EMPTY_PASSWORD: &str = "<strong>Error:</strong> The password field is empty.";
const UNKNOWN_EMAIL: &str = "Unknown email address. Check again or try your username.";

fn php_empty(text: &str) -> bool {
    text.is_empty() || text == "0"
}

/// Roughly WordPress's `is_email`: `local@domain.tld`.
fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            text.len() >= 6
                && !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
        }
        None => false,
    }
}

fn incorrect(s: &Shared, what: &str, name: &str) -> String {
    format!(
        "<strong>Error:</strong> The password you entered for the {what} <strong>{name}</strong> is incorrect. \
         <a href=\"{}/wp-login.php?action=lostpassword\">Lost your password?</a>",
        s.site_url
    )
}

/// The user `username` (a login name or an e-mail address) and `password` name, or the message
/// of the first error WordPress reports.
pub(super) fn authenticate(s: &Shared, username: &str, password: &str) -> Result<User, String> {
    let password = password.trim();
    if php_empty(username) {
        return Err(EMPTY_USERNAME.to_owned());
    }
    if php_empty(password) {
        return Err(EMPTY_PASSWORD.to_owned());
    }
    let inner = s.lock();
    let by_login = match inner.users.by_login(username) {
        Some(user) if user.password == password => return Ok(user.clone()),
        Some(_) => Err(incorrect(s, "username", username)),
        None => Err(format!(
            "<strong>Error:</strong> The username <strong>{username}</strong> is not registered on this site. \
             If you are unsure of your username, try your email address instead."
        )),
    };
    if !is_email(username) {
        return by_login;
    }
    match inner.users.by_email(username) {
        None => Err(UNKNOWN_EMAIL.to_owned()),
        Some(user) if user.password == password => Ok(user.clone()),
        Some(_) => Err(incorrect(s, "email address", username)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Api, EmulatorConfig};

    #[test]
    fn wordpress_messages() {
        let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
        config.users = vec![("alice".into(), "pw".into())];
        let s = Shared::new(Api::JwtAuthPro, &config, "http://h:1".into());
        assert!(authenticate(&s, "Alice", " pw ").is_ok());
        assert!(authenticate(&s, "alice@example.com", "pw").is_ok());
        let wrong = authenticate(&s, "alice", "x").err().unwrap_or_default();
        assert_eq!(
            wrong,
            "<strong>Error:</strong> The password you entered for the username <strong>alice</strong> \
             is incorrect. <a href=\"http://h:1/wp-login.php?action=lostpassword\">Lost your password?</a>"
        );
        let by_mail = authenticate(&s, "alice@example.com", "x").err();
        assert!(
            by_mail.is_some_and(|m| m.contains("for the email address <strong>alice@example.com"))
        );
        assert_eq!(
            authenticate(&s, "bob@example.com", "x").err().as_deref(),
            Some(UNKNOWN_EMAIL)
        );
        assert_eq!(
            authenticate(&s, "0", "x").err().as_deref(),
            Some(EMPTY_USERNAME)
        );
        assert_eq!(
            authenticate(&s, "bob", " ").err().as_deref(),
            Some(EMPTY_PASSWORD)
        );
        let unknown = authenticate(&s, "bob", "x").err().unwrap_or_default();
        assert!(
            unknown.ends_with("try your email address instead."),
            "{unknown}"
        );
    }
}
