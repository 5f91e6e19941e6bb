//! One row per API: what each does in the cases every provider test runs for every API
//! (`providers_every_api.rs`, `providers_bad_answers.rs`), and `for_every_api!`, which turns
//! each such case into one test per API. Adding an API is adding its row here, to [`ROWS`] and
//! to the macro; the compiler then asks for every expectation the cases need.

use tokenkeeper_core::ErrorKind;
use tokenkeeper_emulators::Api;

/// An API error code a case expects.
#[derive(Clone, Copy, Debug)]
pub enum Code {
    /// Exactly this code.
    Is(&'static str),
    /// A code, whichever the API chose.
    Any,
    /// None looked at (the API's answer for this status is not about a code).
    Unchecked,
}

impl Code {
    /// The code [`crate::helpers::assert_api_error`] checks.
    pub fn exact(self) -> Option<&'static str> {
        match self {
            Self::Is(code) => Some(code),
            Self::Any | Self::Unchecked => None,
        }
    }
}

/// How a test gets an account's first tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum First {
    /// A login with the password.
    Login,
    /// A refresh with a refresh token the emulator issued (what the user pastes where the
    /// documentation has no login).
    IssuedRefreshToken,
}

/// What a refresh does with the refresh token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshToken {
    /// There is none: the access token itself is renewed.
    None,
    /// A refresh answers no refresh token: the stored one is used again.
    Kept,
    /// Each refresh answers a new one; the old one is spent.
    Rotated,
}

/// An error the API answers, as the account sees it.
#[derive(Clone, Copy, Debug)]
pub struct Refusal {
    pub kind: ErrorKind,
    pub status: u16,
    pub code: Code,
    /// How the message starts (its HTML, if any, stripped).
    pub message: &'static str,
}

/// A login answer whose token is not a JWT.
#[derive(Clone, Copy, Debug)]
pub enum NotJwt {
    /// Fine: the expiry does not come from the token.
    Accepted,
    /// Refused as a bad answer whose message names this.
    Refused(&'static str),
}

/// What one API does.
#[derive(Debug)]
pub struct ApiRow {
    pub api: Api,
    pub first: First,
    /// The access token's lifetime by default, in seconds.
    pub lifetime: i64,
    pub refresh_token: RefreshToken,
    /// The documented errors of a refresh (status, kind, code) are the emulator's documented
    /// variant's (`documented: true`), not the default's (what the real server does).
    pub errors_documented: bool,
    pub errors: &'static [(u16, ErrorKind, Code)],
    /// A login with a wrong password.
    pub wrong_password: Refusal,
    /// A refresh after the server revoked every token.
    pub revoked: Refusal,
    pub not_jwt: NotJwt,
}

pub const REDIS_ENTERPRISE: ApiRow = ApiRow {
    api: Api::RedisEnterprise,
    first: First::Login,
    lifetime: 300,
    refresh_token: RefreshToken::None,
    errors_documented: false,
    errors: &[
        (400, ErrorKind::Config, Code::Any),
        (401, ErrorKind::Auth, Code::Any),
        (403, ErrorKind::Auth, Code::Any),
        (404, ErrorKind::Config, Code::Any),
        (503, ErrorKind::Transient, Code::Any),
    ],
    wrong_password: Refusal {
        kind: ErrorKind::Auth,
        status: 401,
        code: Code::Is("unauthorized"),
        message: "Invalid username or password",
    },
    revoked: Refusal {
        kind: ErrorKind::Auth,
        status: 401,
        code: Code::Is("unauthorized"),
        message: "The token is invalid",
    },
    not_jwt: NotJwt::Refused("JWT"),
};

pub const ECE: ApiRow = ApiRow {
    api: Api::Ece,
    first: First::Login,
    lifetime: 300,
    refresh_token: RefreshToken::None,
    errors_documented: false,
    errors: &[
        (401, ErrorKind::Auth, Code::Is("root.unauthorized")),
        (
            501,
            ErrorKind::Config,
            Code::Is("authc.no_authentication_cluster"),
        ),
        (
            502,
            ErrorKind::Transient,
            Code::Is("authc.authentication_cluster_error"),
        ),
        (
            503,
            ErrorKind::Transient,
            Code::Is("authc.authentication_cluster_error"),
        ),
        (449, ErrorKind::Config, Code::Unchecked),
    ],
    wrong_password: Refusal {
        kind: ErrorKind::Auth,
        status: 401,
        code: Code::Is("root.unauthenticated"),
        message: "The supplied authentication is invalid",
    },
    revoked: Refusal {
        kind: ErrorKind::Auth,
        status: 401,
        code: Code::Is("root.unauthorized"),
        message: "The authentication token is invalid or expired",
    },
    // Expiry comes from session_expiration_time: the token's format does not matter.
    not_jwt: NotJwt::Accepted,
};

pub const SMARTLING: ApiRow = ApiRow {
    api: Api::Smartling,
    first: First::Login,
    lifetime: 480,
    refresh_token: RefreshToken::Rotated,
    errors_documented: false,
    errors: &[
        (400, ErrorKind::Config, Code::Is("VALIDATION_ERROR")),
        (401, ErrorKind::Auth, Code::Is("AUTHENTICATION_ERROR")),
        (403, ErrorKind::Auth, Code::Is("AUTHORIZATION_ERROR")),
        (404, ErrorKind::Config, Code::Is("NOT_FOUND_ERROR")),
        (
            429,
            ErrorKind::Transient,
            Code::Is("MAX_OPERATIONS_LIMIT_EXCEEDED"),
        ),
        (500, ErrorKind::Transient, Code::Is("GENERAL_ERROR")),
        (
            503,
            ErrorKind::Transient,
            Code::Is("MAINTENANCE_MODE_ERROR"),
        ),
    ],
    wrong_password: Refusal {
        kind: ErrorKind::Auth,
        status: 401,
        code: Code::Is("AUTHENTICATION_ERROR"),
        message: "Invalid user identifier or user secret",
    },
    revoked: Refusal {
        kind: ErrorKind::Auth,
        status: 401,
        code: Code::Is("AUTHENTICATION_ERROR"),
        message: "Invalid token",
    },
    // The emulator's Smartling fault also leaves out the refresh token.
    not_jwt: NotJwt::Refused("refreshToken"),
};

pub const GENERIC_JWT: ApiRow = ApiRow {
    api: Api::GenericJwt,
    first: First::IssuedRefreshToken,
    lifetime: 300,
    refresh_token: RefreshToken::Kept,
    errors_documented: true,
    errors: &[
        (400, ErrorKind::Config, Code::Any),
        (401, ErrorKind::Auth, Code::Any),
        (404, ErrorKind::Config, Code::Any),
        (500, ErrorKind::Transient, Code::Any),
    ],
    wrong_password: Refusal {
        kind: ErrorKind::Auth,
        status: 401,
        code: Code::Is("invalidCredentials"),
        message: "Please provide valid credentials.",
    },
    // The real service cannot read a token signed before its secret changed: Spring's
    // default 500, retried as temporary (keeper_real_rules).
    revoked: Refusal {
        kind: ErrorKind::Transient,
        status: 500,
        code: Code::Unchecked,
        message: "Internal Server Error",
    },
    not_jwt: NotJwt::Refused("JWT"),
};

pub const JWT_AUTH_PRO: ApiRow = ApiRow {
    api: Api::JwtAuthPro,
    first: First::Login,
    lifetime: 7 * 86_400,
    refresh_token: RefreshToken::Rotated,
    errors_documented: true,
    errors: &[(403, ErrorKind::Auth, Code::Unchecked)],
    wrong_password: Refusal {
        kind: ErrorKind::Auth,
        status: 403,
        code: Code::Is("jwt_auth_failed"),
        message: "Error: The password you entered",
    },
    revoked: Refusal {
        kind: ErrorKind::Auth,
        status: 403,
        code: Code::Is("jwt_auth_invalid_refresh_token"),
        message: "Invalid refresh token.",
    },
    not_jwt: NotJwt::Refused("JWT"),
};

/// Every row, in `Api::ALL`'s order.
pub const ROWS: [&ApiRow; 5] = [
    &REDIS_ENTERPRISE,
    &ECE,
    &SMARTLING,
    &GENERIC_JWT,
    &JWT_AUTH_PRO,
];

/// Makes each case (`async fn case(row: &ApiRow)` in the calling module) one test per API:
/// `for_every_api!(case);` gives `case::redis_enterprise`, `case::ece`, … so a failure names
/// the API and the APIs run in parallel.
macro_rules! for_every_api {
    ($($case:ident),+ $(,)?) => {$(
        mod $case {
            use crate::api_table::{ECE, GENERIC_JWT, JWT_AUTH_PRO, REDIS_ENTERPRISE, SMARTLING};

            #[tokio::test]
            async fn redis_enterprise() {
                super::$case(&REDIS_ENTERPRISE).await;
            }

            #[tokio::test]
            async fn ece() {
                super::$case(&ECE).await;
            }

            #[tokio::test]
            async fn smartling() {
                super::$case(&SMARTLING).await;
            }

            #[tokio::test]
            async fn generic_jwt() {
                super::$case(&GENERIC_JWT).await;
            }

            #[tokio::test]
            async fn jwt_auth_pro() {
                super::$case(&JWT_AUTH_PRO).await;
            }
        }
    )+};
}
pub(crate) use for_every_api;

#[test]
fn every_api_has_one_row() {
    let apis: Vec<Api> = ROWS.iter().map(|row| row.api).collect();
    assert_eq!(apis, Api::ALL, "one row per API, in Api::ALL's order");
}
