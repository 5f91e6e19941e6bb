//! WordPress JWT Auth Pro, the documented variant (`documented: true`): login, refresh, rotation and
//! reuse, errors, revoke and validate, rate limits. The real plugin's answers (the default) are in
//! `jwt_auth_pro_real.rs`.

use crate::common::*;

pub(crate) const WP_TOKEN: &str = "/wp-json/jwt-auth/v1/token";
pub(crate) const WP_REFRESH: &str = "/wp-json/jwt-auth/v1/token/refresh";

pub(crate) async fn wp_login(env: &Env, username: &str, password: &str) -> Result<Answer> {
    env.post_json(
        WP_TOKEN,
        json!({ "username": username, "password": password }),
    )
    .await
}

pub(crate) fn wp_error(answer: &Answer, status: u16, code: &str) -> Result<Value> {
    ensure!(answer.status == status, "want {status}: {answer:?}");
    let body = answer.json()?;
    ensure!(
        body["code"] == code && body["message"].is_string() && body["data"]["status"] == status,
        "{body}"
    );
    Ok(body)
}

/// The documented variant (`documented: true`) of JWT Auth Pro.
pub(crate) fn wp_documented() -> EmulatorConfig {
    let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
    config.documented = true;
    config
}

#[tokio::test]
async fn jwt_auth_pro_documented_login_refresh_rotation_and_reuse() -> Result<()> {
    let mut config = wp_documented();
    config.users.push(("bob".into(), "pw".into()));
    let env = Env::with(config, Api::JwtAuthPro).await?;
    ensure!(!env.emu.base_url().contains("wp-json"));
    let login = wp_login(&env, USER, PASSWORD).await?;
    ensure!(login.status == 200, "{login:?}");
    let body = login.json()?;
    ensure!(
        body["user_id"] == 1 && body["user_email"] == USER && body["user_nicename"] == "admin",
        "{body}"
    );
    ensure!(body["user_display_name"] == "admin", "{body}");
    let token = str_at(&body, "/token")?;
    ensure!(int_claim(token, "exp")? - int_claim(token, "iat")? == 7 * 86_400);
    // By e-mail address too.
    let bob = wp_login(&env, "bob@example.com", "pw").await?.json()?;
    ensure!(
        bob["user_id"] == 2 && bob["user_email"] == "bob@example.com",
        "{bob}"
    );

    let first = str_at(&body, "/refresh_token")?.to_owned();
    let refreshed = env
        .post_json(WP_REFRESH, json!({ "refresh_token": first }))
        .await?;
    ensure!(refreshed.status == 200, "{refreshed:?}");
    let refreshed = refreshed.json()?;
    for field in [
        "token",
        "user_id",
        "user_email",
        "user_nicename",
        "user_display_name",
        "refresh_token",
    ] {
        ensure!(
            refreshed.get(field).is_some(),
            "{field} missing: {refreshed}"
        );
    }
    let second = str_at(&refreshed, "/refresh_token")?.to_owned();
    ensure!(second != first, "refresh must rotate");

    let reuse = env
        .post_json(WP_REFRESH, json!({ "refresh_token": first }))
        .await?;
    wp_error(&reuse, 403, "jwt_auth_invalid_refresh_token")?;
    wp_error(
        &env.post_json(WP_REFRESH, json!({ "refresh_token": second }))
            .await?,
        403,
        "jwt_auth_invalid_refresh_token",
    )?;
    let stats = env.emu.stats();
    ensure!(
        (
            stats.refresh_token_reuse,
            stats.families_revoked,
            stats.refreshes
        ) == (1, 1, 1),
        "{stats:?}"
    );
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_documented_errors() -> Result<()> {
    let env = Env::with(wp_documented(), Api::JwtAuthPro).await?;
    let wrong = wp_error(
        &wp_login(&env, USER, "x").await?,
        403,
        "[jwt_auth] incorrect_password",
    )?;
    let message = str_at(&wrong, "/message")?;
    ensure!(
        message.starts_with("<strong>ERROR</strong>: The password you entered")
            && message.contains("is incorrect."),
        "{message}"
    );
    let invalid = send(
        env.post(WP_TOKEN)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await?;
    wp_error(&invalid, 400, "rest_invalid_json")?;
    wp_error(
        &env.post_json(WP_REFRESH, json!({ "refresh_token": "abc" }))
            .await?,
        403,
        "jwt_auth_invalid_refresh_token",
    )?;
    wp_error(
        &env.post_json("/wp-json/nowhere", json!({})).await?,
        404,
        "rest_no_route",
    )?;
    // Refresh tokens expire after 30 days by default.
    let refresh = env.emu.issue_refresh_token(USER);
    env.emu.advance_clock(30 * 86_400 + 1);
    wp_error(
        &env.post_json(WP_REFRESH, json!({ "refresh_token": refresh }))
            .await?,
        403,
        "jwt_auth_invalid_refresh_token",
    )?;
    let stats = env.emu.stats();
    ensure!(
        (stats.failed_logins, stats.failed_refreshes) == (2, 2),
        "{stats:?}"
    );
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_documented_revoke_and_validate() -> Result<()> {
    let env = Env::with(wp_documented(), Api::JwtAuthPro).await?;
    let body = wp_login(&env, USER, PASSWORD).await?.json()?;
    let token = str_at(&body, "/token")?;
    let refresh = str_at(&body, "/refresh_token")?;
    let valid = send(
        env.post("/wp-json/jwt-auth/v1/token/validate")
            .bearer_auth(token),
    )
    .await?;
    ensure!(
        valid.status == 200 && valid.json()?["code"] == "jwt_auth_valid_token",
        "{valid:?}"
    );
    let me = || {
        send(
            env.client
                .get(env.url("/wp-json/wp/v2/users/me"))
                .bearer_auth(token),
        )
    };
    let mine = me().await?;
    ensure!(mine.status == 200 && mine.json()?["id"] == 1, "{mine:?}");
    let revoked = send(
        env.post("/wp-json/jwt-auth/v1/token/revoke")
            .bearer_auth(token)
            .json(&json!({ "refresh_token": refresh })),
    )
    .await?;
    ensure!(revoked.status == 200, "{revoked:?}");
    let again = send(
        env.post("/wp-json/jwt-auth/v1/token/validate")
            .bearer_auth(token),
    )
    .await?;
    wp_error(&again, 403, "jwt_auth_invalid_token")?;
    wp_error(&me().await?, 401, "rest_not_logged_in")?;
    ensure!(env.emu.stats().access_tokens_revoked == 1);
    wp_error(
        &env.post_json(WP_REFRESH, json!({ "refresh_token": refresh }))
            .await?,
        403,
        "jwt_auth_invalid_refresh_token",
    )?;
    ensure!(
        env.emu.stats().refresh_token_reuse == 0,
        "a revoked live token is not a reuse"
    );
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_documented_rate_limits() -> Result<()> {
    let mut config = wp_documented();
    config.rate_limits = true;
    let env = Env::with(config, Api::JwtAuthPro).await?;
    let mut refresh = String::new();
    for i in 0..5 {
        let answer = wp_login(&env, USER, PASSWORD).await?;
        ensure!(answer.status == 200, "{answer:?}");
        ensure!(
            answer.header("x-ratelimit-remaining") == Some(&(4 - i).to_string()),
            "{answer:?}"
        );
        refresh = str_at(&answer.json()?, "/refresh_token")?.to_owned();
    }
    let limited = wp_login(&env, USER, PASSWORD).await?;
    wp_error(&limited, 429, "jwt_auth_rate_limited")?;
    let retry: i64 = limited
        .header("retry-after")
        .context("Retry-After")?
        .parse()?;
    ensure!((1..=60).contains(&retry));
    ensure!(
        limited.header("x-ratelimit-limit") == Some("5")
            && limited.header("x-ratelimit-remaining") == Some("0")
    );
    ensure!(limited.header("x-ratelimit-reset").is_some());

    // Refresh: 10 per minute per refresh token (an invalid one is counted too).
    for _ in 0..10 {
        let answer = env
            .post_json(WP_REFRESH, json!({ "refresh_token": "same-bad-token" }))
            .await?;
        ensure!(answer.status == 403, "{answer:?}");
    }
    let limited = env
        .post_json(WP_REFRESH, json!({ "refresh_token": "same-bad-token" }))
        .await?;
    wp_error(&limited, 429, "jwt_auth_rate_limited")?;
    ensure!(limited.header("x-ratelimit-limit") == Some("10"));
    ensure!(
        env.post_json(WP_REFRESH, json!({ "refresh_token": refresh }))
            .await?
            .status
            == 200
    );

    env.emu.advance_clock(61);
    ensure!(
        wp_login(&env, USER, PASSWORD).await?.status == 200,
        "a new window"
    );
    Ok(())
}
