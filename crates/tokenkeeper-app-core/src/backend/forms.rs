//! The add, edit and log-in forms, turned into core requests. The UI validates as the user
//! types; these checks run again here because the backend trusts no caller.

use std::path::PathBuf;

use tokenkeeper_core::ProviderKind;
use tokenkeeper_core::Secret;
use tokenkeeper_core::account::{
    Account, check_refresh_lead, normalize_tags, parse_base_url, validate_name,
};
use tokenkeeper_core::cert::CertFingerprint;
use tokenkeeper_core::keeper::{AccountChanges, InitialSecret, NewAccount};
use tokenkeeper_core::providers::oauth2::{OAuthRequest, OAuthSettings};
use tokenkeeper_core::providers::tls::TlsSettings;

use crate::dto::{AccountForm, Credential, LoginForm};
use crate::error::{AppError, ErrorCode};

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, message)
}

fn optional(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn fingerprint(form: &AccountForm) -> Result<Option<CertFingerprint>, AppError> {
    optional(&form.trust_cert)
        .map(|text| {
            text.parse::<CertFingerprint>()
                .map_err(|e| invalid(format!("certificate fingerprint: {e}")))
        })
        .transpose()
}

/// The CA file named, checked by the core's rule (`account::check_ca_file`).
fn ca_file(form: &AccountForm) -> Result<Option<PathBuf>, AppError> {
    let path = optional(&form.ca_cert).map(PathBuf::from);
    if let Some(path) = &path {
        tokenkeeper_core::account::check_ca_file(path).map_err(AppError::from)?;
    }
    Ok(path)
}

/// The form keeps a lifetime typed for another API in a hidden field: only an API that takes
/// one gets it, checked by the core's rule.
fn ttl(form: &AccountForm) -> Result<Option<u64>, AppError> {
    let caps = tokenkeeper_core::capabilities::of(form.provider);
    let ttl = form.ttl.filter(|_| caps.requested_ttl);
    caps.check_ttl(ttl).map_err(AppError::from)?;
    Ok(ttl)
}

/// The secret the form carries, if any: exactly as typed (spaces may belong to a password;
/// the CLI, too, strips only the line end of what it reads).
pub fn secret(kind: Credential, text: &str) -> Option<InitialSecret> {
    if text.is_empty() {
        return None;
    }
    let secret = Secret::new(text);
    Some(match kind {
        Credential::Password => InitialSecret::Password(secret),
        Credential::RefreshToken => InitialSecret::RefreshToken(secret),
        Credential::AccessToken => InitialSecret::AccessToken(secret),
        // A sign-in is no text typed in the form: `Accounts` starts it (`sign_in.rs`).
        Credential::SignIn => return None,
    })
}

/// An add form as a core request.
pub fn new_account(form: &AccountForm) -> Result<(NewAccount, InitialSecret), AppError> {
    let name = form.name.trim().to_owned();
    validate_name(&name).map_err(AppError::from)?;
    let url = parse_base_url(&form.url).map_err(AppError::from)?;
    let secret = secret(form.secret_kind, &form.secret)
        .ok_or_else(|| invalid("enter the password, secret or token to log in with"))?;
    check_refresh_lead(form.refresh_lead_secs).map_err(AppError::from)?;
    let new = NewAccount {
        name,
        provider: form.provider,
        url,
        username: optional(&form.username),
        ttl: ttl(form)?,
        ca_cert: ca_file(form)?,
        trust_cert: fingerprint(form)?,
        insecure: form.insecure,
        refresh_lead_secs: form.refresh_lead_secs,
        allow_plain_http: form.allow_plain_http,
        tags: normalize_tags(&form.tags).map_err(AppError::from)?,
        oauth: None,
    };
    Ok((new, secret))
}

/// The trust settings a form names, for discovery before the account exists.
pub fn tls(form: &AccountForm) -> Result<TlsSettings, AppError> {
    Ok(TlsSettings {
        ca_cert: ca_file(form)?,
        trust_cert: fingerprint(form)?,
        insecure: form.insecure,
    })
}

/// An OAuth 2.0 add form, checked: the core settles its URL and settings from `request` and
/// the discovery document (`Keeper::oauth_settings`), then it becomes a [`NewAccount`].
#[derive(Debug)]
pub struct OAuthAdd {
    /// The account's name.
    pub name: String,
    /// The issuer as typed (empty with typed endpoints).
    pub issuer: String,
    /// What was chosen of the client, grant and endpoints.
    pub request: OAuthRequest,
    /// The client secret typed, if any.
    pub client_secret: Option<Secret>,
    /// The trust settings, for discovery too.
    pub tls: TlsSettings,
    refresh_lead_secs: Option<u64>,
    allow_plain_http: bool,
    tags: Vec<String>,
}

impl OAuthAdd {
    /// Plain HTTP is allowed to the server.
    pub fn allow_plain_http(&self) -> bool {
        self.allow_plain_http
    }

    /// The account to add, with the settled URL and settings.
    pub fn account(&self, url: url::Url, settings: OAuthSettings) -> NewAccount {
        NewAccount {
            name: self.name.clone(),
            provider: ProviderKind::OAuth2,
            url,
            username: None,
            ttl: None,
            ca_cert: self.tls.ca_cert.clone(),
            trust_cert: self.tls.trust_cert,
            insecure: self.tls.insecure,
            refresh_lead_secs: self.refresh_lead_secs,
            allow_plain_http: self.allow_plain_http,
            tags: self.tags.clone(),
            oauth: Some(settings),
        }
    }
}

/// An OAuth 2.0 add form, checked.
pub fn new_oauth_account(form: &AccountForm) -> Result<OAuthAdd, AppError> {
    let name = form.name.trim().to_owned();
    validate_name(&name).map_err(AppError::from)?;
    check_refresh_lead(form.refresh_lead_secs).map_err(AppError::from)?;
    let client_secret = (!form.secret.is_empty()).then(|| Secret::new(&form.secret));
    let mut request = form
        .oauth
        .clone()
        .ok_or_else(|| invalid("an OAuth 2.0 account needs its client id and grant"))?;
    request.with_client_secret = client_secret.is_some();
    Ok(OAuthAdd {
        name,
        issuer: form.url.trim().to_owned(),
        request,
        client_secret,
        tls: tls(form)?,
        refresh_lead_secs: form.refresh_lead_secs,
        allow_plain_http: form.allow_plain_http,
        tags: normalize_tags(&form.tags).map_err(AppError::from)?,
    })
}

/// An edit form as changes to `current`, plus the new secret when one was typed.
pub fn changes(
    form: &AccountForm,
    current: &Account,
) -> Result<(AccountChanges, Option<InitialSecret>), AppError> {
    if form.provider != current.provider {
        return Err(invalid(
            "the API of an account cannot change: add a new account instead",
        ));
    }
    let name = form.name.trim().to_owned();
    validate_name(&name).map_err(AppError::from)?;
    check_refresh_lead(form.refresh_lead_secs).map_err(AppError::from)?;
    let url = parse_base_url(&form.url).map_err(AppError::from)?;
    // An OAuth 2.0 account's endpoints came with its issuer: a new issuer with the old
    // endpoints would be neither server.
    if current.oauth.is_some() && url != current.url {
        return Err(invalid(
            "the issuer of an OAuth 2.0 account cannot change: add the account again for the other server",
        ));
    }
    let changes = AccountChanges {
        name: (name != current.name).then_some(name),
        url: Some(url),
        username: Some(optional(&form.username)),
        ttl: Some(ttl(form)?),
        ca_cert: Some(ca_file(form)?),
        trust_cert: Some(fingerprint(form)?),
        insecure: Some(form.insecure),
        refresh_lead_secs: Some(form.refresh_lead_secs),
        allow_plain_http: Some(form.allow_plain_http),
        // The window's form does not edit hooks (yet): the CLI's `hook` does, and an edit here
        // keeps the one set.
        hook: None,
        tags: Some(normalize_tags(&form.tags).map_err(AppError::from)?),
        // Pinning is its own switch (the CLI's `pin`): an edit keeps it.
        pinned: None,
    };
    Ok((changes, secret(form.secret_kind, &form.secret)))
}

/// A log-in form's secret.
pub fn login(form: &LoginForm) -> Result<InitialSecret, AppError> {
    secret(form.secret_kind, &form.secret)
        .ok_or_else(|| invalid("enter the new password, secret or token"))
}

#[cfg(test)]
mod tests {
    use tokenkeeper_core::ProviderKind;

    use super::{AccountForm, new_account};
    use crate::dto::Credential;
    use crate::error::ErrorCode;

    fn form() -> AccountForm {
        AccountForm {
            name: "prod".into(),
            provider: ProviderKind::RedisEnterprise,
            url: "https://cluster.example.com:9443".into(),
            username: Some("admin@example.com".into()),
            secret_kind: Credential::Password,
            secret: "pw".into(),
            ttl: Some(600),
            refresh_lead_secs: None,
            ca_cert: None,
            trust_cert: Some(" ".into()),
            insecure: false,
            allow_plain_http: false,
            tags: vec![
                " Prod ".to_owned(),
                "prod".to_owned(),
                "client-a".to_owned(),
            ],
            oauth: None,
        }
    }

    #[test]
    fn a_good_form_becomes_a_request_and_bad_fields_are_named() {
        let (new, _) = new_account(&form()).unwrap();
        assert_eq!(new.ttl, Some(600));
        assert_eq!(new.trust_cert, None, "a blank fingerprint is none");
        assert_eq!(
            new.tags,
            ["prod", "client-a"],
            "tags tidied: lower-case, once each"
        );
        type Change = fn(&mut AccountForm);
        let cases: [(Change, &str); 8] = [
            (|f| f.name = "has space".into(), "name"),
            (|f| f.url = "cluster:9443/x y".into(), "URL"),
            (|f| f.secret = "".into(), "password"),
            (|f| f.ttl = Some(0), "86400"),
            (|f| f.trust_cert = Some("AB:CD".into()), "fingerprint"),
            (|f| f.tags = vec!["has space".into()], "tag"),
            // The core's rules, as the CLI meets them (`tests/cli/errors.rs`).
            (|f| f.refresh_lead_secs = Some(86_401), "at most 86400"),
            (
                |f| f.ca_cert = Some("/nonexistent.pem".into()),
                "no such file",
            ),
        ];
        for (change, word) in cases {
            let mut f = form();
            change(&mut f);
            let e = new_account(&f).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.contains(word), "{word}: {}", e.message);
        }
    }

    #[test]
    fn ttl_is_only_for_redis_enterprise() {
        let mut f = form();
        f.provider = ProviderKind::Smartling;
        assert_eq!(new_account(&f).unwrap().0.ttl, None);
    }

    /// The backend trusts no caller: the window's form greys the issuer out, and a form that
    /// sends another one anyway is refused.
    #[test]
    fn an_oauth_accounts_issuer_cannot_be_edited() {
        use tokenkeeper_core::providers::oauth2::{ClientAuth, Endpoints, Grant, OAuthSettings};
        let settings = OAuthSettings {
            grant: Grant::AuthorizationCode,
            client_id: "tk".into(),
            client_auth: ClientAuth::None,
            scopes: vec![],
            resource: None,
            audience: None,
            endpoints: Endpoints {
                token: "https://id.example.com/token".parse().unwrap(),
                authorization: Some("https://id.example.com/auth".parse().unwrap()),
                device_authorization: None,
                revocation: None,
            },
            discovered: true,
            iss_parameter: false,
            default_lifetime_secs: None,
            revokes_on_refresh: false,
        };
        let current = tokenkeeper_core::testing::TestAccount::new("prod", ProviderKind::OAuth2)
            .url("https://id.example.com")
            .oauth(settings)
            .build();
        let mut f = form();
        f.provider = ProviderKind::OAuth2;
        f.url = "https://id.example.com".into();
        f.secret = String::new();
        let (changes, _) = super::changes(&f, &current).unwrap();
        assert_eq!(changes.url, Some(current.url.clone()), "the same issuer");
        f.url = "https://other.example.com".into();
        let e = super::changes(&f, &current).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("cannot change"), "{}", e.message);
    }
}
