//! "Rotate, then a broken answer" at the rotating APIs (Smartling, JWT Auth Pro in both variants):
//! the server really rotates, each API's token field is edited, errors pass through.

use crate::common::*;
use crate::jwt_auth_pro::{WP_REFRESH, wp_documented, wp_error, wp_login};
use crate::redis_enterprise::redis_login;
use crate::smartling::{smartling_auth, smartling_error, smartling_refresh};

/// Log in to Smartling or JWT Auth Pro: the refresh token.
async fn rotating_login(env: &Env) -> Result<String> {
    Ok(match env.emu.api() {
        Api::Smartling => {
            str_at(&smartling_auth(env).await?, "/response/data/refreshToken")?.to_owned()
        }
        _ => {
            let answer = wp_login(env, USER, PASSWORD).await?;
            ensure!(answer.status == 200, "{answer:?}");
            str_at(&answer.json()?, "/refresh_token")?.to_owned()
        }
    })
}

/// Refresh with `refresh` at Smartling or JWT Auth Pro.
async fn rotating_refresh(env: &Env, refresh: &str) -> Result<Answer> {
    match env.emu.api() {
        Api::Smartling => smartling_refresh(env, refresh).await,
        _ => {
            env.post_json(WP_REFRESH, json!({ "refresh_token": refresh }))
                .await
        }
    }
}

/// Where Smartling and JWT Auth Pro put (access token, refresh token) in a refresh's answer.
fn rotating_pointers(api: Api, documented: bool) -> (&'static str, &'static str) {
    match api {
        Api::Smartling => ("/response/data/accessToken", "/response/data/refreshToken"),
        _ if documented => ("/token", "/refresh_token"),
        _ => ("/access_token", "/refresh_token"),
    }
}

/// The rotating APIs and variants: Smartling, JWT Auth Pro (real), JWT Auth Pro (documented).
fn rotating_cases() -> [(Api, bool); 3] {
    [
        (Api::Smartling, false),
        (Api::JwtAuthPro, false),
        (Api::JwtAuthPro, true),
    ]
}

fn config_for(api: Api, documented: bool) -> EmulatorConfig {
    let mut config = EmulatorConfig::for_api(api);
    config.documented = documented;
    config
}

#[tokio::test]
async fn rotate_then_broken_token_really_rotates() -> Result<()> {
    for (api, documented) in rotating_cases() {
        for action in [
            FaultAction::RotateThenNotJwt,
            FaultAction::RotateThenMissingToken,
        ] {
            let case = format!("{api} documented={documented} {action:?}");
            let env = Env::with(config_for(api, documented), api).await?;
            let (access_at, refresh_at) = rotating_pointers(api, documented);
            let old = rotating_login(&env).await?;
            // The real JWT Auth Pro issues byte-identical tokens within one second (and judges
            // them by their first row): each step a second later keeps them apart.
            env.emu.advance_clock(2);
            env.emu
                .push_fault(Fault::once(FaultTarget::Refresh, action.clone()));
            let broken = rotating_refresh(&env, &old).await?;
            ensure!(broken.status == 200, "{case}: {broken:?}");
            ensure!(
                broken.header("content-type") == Some("application/json; charset=UTF-8"),
                "{case}: {broken:?}"
            );
            let body = broken.json()?;
            match action {
                FaultAction::RotateThenNotJwt => {
                    ensure!(str_at(&body, access_at)? == "abc", "{case}: {body}")
                }
                _ => ensure!(body.pointer(access_at).is_none(), "{case}: {body}"),
            }
            let new = str_at(&body, refresh_at)?.to_owned();
            ensure!(new != old, "{case}: not rotated");
            match (api, documented) {
                (Api::Smartling, _) => {
                    ensure!(body["response"]["code"] == "SUCCESS", "{case}: {body}")
                }
                (_, true) => ensure!(body["user_email"] == USER, "{case}: {body}"),
                (_, false) => ensure!(body["token_type"] == "Bearer", "{case}: {body}"),
            }

            // The new refresh token is the current one: it works, and is no reuse.
            env.emu.advance_clock(2);
            let next = rotating_refresh(&env, &new).await?;
            ensure!(next.status == 200, "{case}: {next:?}");
            ensure!(
                env.emu
                    .access_token_valid(str_at(&next.json()?, access_at)?),
                "{case}: the fault was used once"
            );
            ensure!(env.emu.stats().refresh_token_reuse == 0, "{case}");
            // The old one was really consumed: presenting it is a reuse.
            let reuse = rotating_refresh(&env, &old).await?;
            ensure!(matches!(reuse.status, 401 | 403), "{case}: {reuse:?}");
            let stats = env.emu.stats();
            ensure!(
                (stats.refresh_token_reuse, stats.refreshes) == (1, 2),
                "{case}: {stats:?}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn rotate_then_faults_edit_each_apis_token_field_and_pass_errors_through() -> Result<()> {
    for api in Api::ALL {
        for action in [
            FaultAction::RotateThenNotJwt,
            FaultAction::RotateThenMissingToken,
        ] {
            let case = format!("{api} {action:?}");
            let env = Env::new(api).await?;
            edit_one_token_field(&env, &case, action.clone(), false).await?;
        }
    }
    // And the documented JWT Auth Pro, whose refresh answers the login's shape.
    for action in [
        FaultAction::RotateThenNotJwt,
        FaultAction::RotateThenMissingToken,
    ] {
        let env = Env::with(wp_documented(), Api::JwtAuthPro).await?;
        edit_one_token_field(&env, &format!("documented {action:?}"), action, true).await?;
    }

    // A refused request passes through unchanged, and uses the fault up.
    let env = Env::new(Api::Smartling).await?;
    env.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::RotateThenNotJwt,
    ));
    let refused = smartling_refresh(&env, "not-a-token").await?;
    let error = smartling_error(&refused, 401, "AUTHENTICATION_ERROR")?;
    ensure!(error["key"] == "invalid_token", "{error}");
    let wp = Env::new(Api::JwtAuthPro).await?;
    wp.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::RotateThenMissingToken,
    ));
    wp_error(
        &rotating_refresh(&wp, "not-a-token").await?,
        403,
        "jwt_auth_invalid_refresh_token",
    )?;
    let refresh = rotating_login(&env).await?;
    let fine = smartling_refresh(&env, &refresh).await?.json()?;
    ensure!(
        env.emu
            .access_token_valid(str_at(&fine, "/response/data/accessToken")?)
    );
    Ok(())
}

/// One `RotateThen*` fault on the token-issuing call each API has (Redis and ECE: the login;
/// the others: a refresh): the token field is edited, the rest of the real answer kept.
async fn edit_one_token_field(
    env: &Env,
    case: &str,
    action: FaultAction,
    documented: bool,
) -> Result<()> {
    let api = env.emu.api();
    let target = match api {
        Api::RedisEnterprise | Api::Ece => FaultTarget::Login,
        _ => FaultTarget::Refresh,
    };
    env.emu.push_fault(Fault::once(target, action.clone()));
    let answer = match api {
        Api::RedisEnterprise => redis_login(env, None).await?,
        Api::Ece => {
            env.post_json(
                "/api/v1/users/auth/_login",
                json!({ "username": USER, "password": PASSWORD }),
            )
            .await?
        }
        Api::GenericJwt => {
            let refresh = env.emu.issue_refresh_token(USER);
            env.post_json(
                "/api/v1/authenticate/refresh",
                json!({ "refreshToken": refresh }),
            )
            .await?
        }
        Api::Smartling | Api::JwtAuthPro => {
            let refresh = rotating_login(env).await?;
            rotating_refresh(env, &refresh).await?
        }
        // Not one of the five this suite runs (the core's providers_oauth2 drives it).
        Api::OAuth2 => anyhow::bail!("{case}: the OAuth 2.0 token endpoint is not in Api::ALL"),
    };
    ensure!(answer.status == 200, "{case}: {answer:?}");
    let body = answer.json()?;
    let pointer = match api {
        Api::RedisEnterprise => "/access_token",
        Api::Ece => "/token",
        Api::JwtAuthPro => rotating_pointers(api, documented).0,
        Api::Smartling => "/response/data/accessToken",
        Api::GenericJwt => "/jwtToken",
        Api::OAuth2 => "/access_token",
    };
    match action {
        FaultAction::RotateThenNotJwt => {
            ensure!(str_at(&body, pointer)? == "abc", "{case}: {body}")
        }
        _ => ensure!(body.pointer(pointer).is_none(), "{case}: {body}"),
    }
    // The rest of the real answer is kept.
    match api {
        Api::Ece => ensure!(body["session_expiration_time"].is_string(), "{case}"),
        Api::Smartling => ensure!(body["response"]["data"]["expiresIn"] == 480, "{case}"),
        Api::JwtAuthPro if documented => ensure!(body["user_id"] == 1, "{case}"),
        Api::JwtAuthPro => ensure!(
            body["expires_in"]
                .as_i64()
                .is_some_and(|e| (7 * 86_400 - 1..=7 * 86_400).contains(&e))
                && body["refresh_token"].is_string(),
            "{case}: {body}"
        ),
        Api::RedisEnterprise | Api::GenericJwt | Api::OAuth2 => {
            ensure!(body.is_object(), "{case}: {body}")
        }
    }
    Ok(())
}
