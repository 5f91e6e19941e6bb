//! The emulator's accounts and the WordPress-style profile fields derived from them.

/// One account.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub id: u64,
    pub username: String,
    pub password: String,
}

impl User {
    /// The username when it is an address, else `<username>@example.com`.
    pub(crate) fn email(&self) -> String {
        if self.username.contains('@') {
            self.username.clone()
        } else {
            format!("{}@example.com", self.username)
        }
    }

    /// Local part of the name, lower-case, anything but `[a-z0-9]` turned into `-`.
    pub(crate) fn nicename(&self) -> String {
        self.display_name()
            .chars()
            .map(|c| {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_alphanumeric() { c } else { '-' }
            })
            .collect()
    }

    pub(crate) fn display_name(&self) -> String {
        self.username
            .split('@')
            .next()
            .unwrap_or(&self.username)
            .to_owned()
    }
}

/// How a username/password pair fared.
#[derive(Debug)]
pub(crate) enum Check {
    Ok(User),
    UnknownUser,
    WrongPassword(User),
}

/// The users list, looked up by username or (case-insensitively) by e-mail.
#[derive(Debug, Default)]
pub(crate) struct Users {
    list: Vec<User>,
}

impl Users {
    pub(crate) fn new(pairs: &[(String, String)]) -> Self {
        let mut users = Users::default();
        for (name, password) in pairs {
            users.set_password(name, password);
        }
        users
    }

    pub(crate) fn find(&self, name: &str) -> Option<&User> {
        self.list.iter().find(|u| u.username == name).or_else(|| {
            self.list
                .iter()
                .find(|u| u.email().eq_ignore_ascii_case(name))
        })
    }

    /// By login name, case-insensitively (as MySQL compares WordPress's `user_login`).
    pub(crate) fn by_login(&self, name: &str) -> Option<&User> {
        self.list
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(name))
    }

    /// By e-mail address, case-insensitively.
    pub(crate) fn by_email(&self, email: &str) -> Option<&User> {
        self.list
            .iter()
            .find(|u| u.email().eq_ignore_ascii_case(email))
    }

    /// By username, exactly.
    pub(crate) fn exact(&self, name: &str) -> Option<&User> {
        self.list.iter().find(|u| u.username == name)
    }

    pub(crate) fn by_id(&self, id: u64) -> Option<&User> {
        self.list.iter().find(|u| u.id == id)
    }

    pub(crate) fn check(&self, name: &str, password: &str) -> Check {
        match self.find(name) {
            None => Check::UnknownUser,
            Some(user) if user.password == password => Check::Ok(user.clone()),
            Some(user) => Check::WrongPassword(user.clone()),
        }
    }

    /// Change a password, adding the user if unknown.
    pub(crate) fn set_password(&mut self, name: &str, password: &str) {
        if let Some(user) = self.list.iter_mut().find(|u| u.username == name) {
            user.password = password.to_owned();
            return;
        }
        let id = self.list.len() as u64 + 1;
        self.list.push(User {
            id,
            username: name.to_owned(),
            password: password.to_owned(),
        });
    }

    pub(crate) fn first(&self) -> Option<&User> {
        self.list.first()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_name_or_email() {
        let users = Users::new(&[
            ("admin".into(), "pw".into()),
            ("Bob.Smith@x.org".into(), "b".into()),
        ]);
        assert!(matches!(users.check("admin", "pw"), Check::Ok(_)));
        assert!(matches!(
            users.check("admin@example.com", "pw"),
            Check::Ok(_)
        ));
        assert!(matches!(
            users.check("admin", "no"),
            Check::WrongPassword(_)
        ));
        assert!(matches!(users.check("carol", "pw"), Check::UnknownUser));
        let bob = users.find("bob.smith@x.org").map(User::nicename);
        assert_eq!(bob.as_deref(), Some("bob-smith"));
    }
}
