//! The generic JWT service as the real one (the KirjaSwappi Spring backend) answers (the
//! default): a login, a refresh that never rotates, its error envelope without `innererror`, and
//! Spring's default 500 for refresh tokens it cannot parse.

use crate::common::*;
use crate::generic_jwt::{generic_documented, generic_error};

const LOGIN: &str = "/api/v1/authenticate";
const REFRESH: &str = "/api/v1/authenticate/refresh";

async fn generic_login(env: &Env, username: &str, password: &str) -> Result<Answer> {
    env.post_json(LOGIN, json!({ "username": username, "password": password }))
        .await
}

async fn generic_refresh(env: &Env, refresh: &str) -> Result<Answer> {
    env.post_json(REFRESH, json!({ "refreshToken": refresh }))
        .await
}

/// Spring Boot's default error body: `{timestamp, status, error, path}`, nothing else.
fn spring_default(answer: &Answer, status: u16, reason: &str, path: &str) -> Result<()> {
    ensure!(answer.status == status, "want {status}: {answer:?}");
    let body = answer.json()?;
    ensure!(
        body.as_object().map(|o| o.len()) == Some(4)
            && body["status"] == status
            && body["error"] == reason
            && body["path"] == path,
        "{body}"
    );
    let timestamp = str_at(&body, "/timestamp")?;
    let at = chrono::DateTime::parse_from_rfc3339(timestamp)?;
    ensure!(
        timestamp.ends_with("+00:00") && near(at.timestamp(), date_header(answer)?, 2),
        "{timestamp}"
    );
    ensure!(
        answer.text.starts_with("{\"timestamp\":"),
        "{}",
        answer.text
    );
    Ok(())
}

#[tokio::test]
async fn generic_jwt_real_login_then_refresh_without_rotation() -> Result<()> {
    let env = Env::new(Api::GenericJwt).await?;
    let login = generic_login(&env, USER, PASSWORD).await?;
    ensure!(login.status == 200, "{login:?}");
    ensure!(
        login.text.starts_with("{\"jwtToken\":")
            && login.header("content-type") == Some("application/json"),
        "{login:?}"
    );
    let body = login.json()?;
    ensure!(body.as_object().map(|o| o.len()) == Some(2), "{body}");
    let access = str_at(&body, "/jwtToken")?;
    let refresh = str_at(&body, "/refreshToken")?.to_owned();
    ensure!(int_claim(access, "exp")? - int_claim(access, "iat")? == 300);
    // The refresh token is a JWT with its own exp: 7 days.
    ensure!(int_claim(&refresh, "exp")? - int_claim(&refresh, "iat")? == 7 * 86_400);
    for _ in 0..3 {
        let answer = generic_refresh(&env, &refresh).await?;
        ensure!(answer.status == 200, "{answer:?}");
        let body = answer.json()?;
        ensure!(
            body.as_object().map(|o| o.len()) == Some(1),
            "only jwtToken: {body}"
        );
        ensure!(env.emu.access_token_valid(str_at(&body, "/jwtToken")?));
    }
    // Usernames are lower-cased before the lookup.
    ensure!(
        generic_login(&env, "ADMIN@Example.com", PASSWORD)
            .await?
            .status
            == 200
    );
    let stats = env.emu.stats();
    ensure!(
        (stats.logins, stats.refreshes, stats.refresh_token_reuse) == (2, 3, 0),
        "{stats:?}"
    );
    // It lasts 7 days, not longer.
    env.emu.advance_clock(7 * 86_400);
    spring_default(
        &generic_refresh(&env, &refresh).await?,
        500,
        "Internal Server Error",
        REFRESH,
    )?;
    Ok(())
}

#[tokio::test]
async fn generic_jwt_real_errors() -> Result<()> {
    let env = Env::new(Api::GenericJwt).await?;
    let wrong = generic_login(&env, USER, "x").await?;
    ensure!(
        wrong.status == 401
            && wrong.text
                == r#"{"error":{"code":"invalidCredentials","message":"Please provide valid credentials.","target":"/api/v1/authenticate"}}"#,
        "{wrong:?}"
    );
    let unknown = generic_login(&env, "bob", "x").await?;
    ensure!(
        unknown.status == 404
            && unknown.text
                == r#"{"error":{"code":"userNotFound","message":"User bob does not exist.","target":"/api/v1/authenticate"}}"#,
        "{unknown:?}"
    );
    let blank = env.post_json(LOGIN, json!({ "password": "x" })).await?;
    ensure!(
        blank.status == 400 && blank.json()?["error"]["code"] == "usernameCannotBeBlank",
        "{blank:?}"
    );
    let no_password = env.post_json(LOGIN, json!({ "username": USER })).await?;
    ensure!(
        no_password.json()?["error"]["message"] == "Please provide password.",
        "{no_password:?}"
    );
    let broken = send(env.post(REFRESH).body("{nope")).await?;
    ensure!(
        broken.status == 400
            && broken.text
                == r#"{"error":{"code":"invalidJsonPayload","message":"Request body contains invalid JSON"}}"#,
        "{broken:?}"
    );
    let missing = env.post_json(REFRESH, json!({})).await?;
    ensure!(
        missing.status == 400 && missing.json()?["error"]["code"] == "invalidArgument",
        "{missing:?}"
    );
    // An access token is a JWT of the right server, but the wrong type.
    let access = env.emu.issue_access_token(USER, 300);
    let wrong_type = generic_refresh(&env, &access).await?;
    ensure!(
        wrong_type.status == 400
            && wrong_type.text
                == r#"{"error":{"code":"invalidRefreshToken","message":"Please provide a valid refresh token.","target":"/api/v1/authenticate/refresh"}}"#,
        "{wrong_type:?}"
    );
    // No handler for a malformed token, nor for one after `revoke_all` (another secret).
    spring_default(
        &generic_refresh(&env, "abc").await?,
        500,
        "Internal Server Error",
        REFRESH,
    )?;
    let refresh = env.emu.issue_refresh_token(USER);
    env.emu.revoke_all();
    spring_default(
        &generic_refresh(&env, &refresh).await?,
        500,
        "Internal Server Error",
        REFRESH,
    )?;
    spring_default(
        &env.post_json("/api/v1/elsewhere", json!({})).await?,
        404,
        "Not Found",
        "/api/v1/elsewhere",
    )?;
    spring_default(
        &send(env.client.get(env.url(REFRESH))).await?,
        405,
        "Method Not Allowed",
        REFRESH,
    )?;
    // The request filter refuses an expired Bearer token before any handler: a bare error.
    let refresh = env.emu.issue_refresh_token(USER);
    let stale = env.emu.issue_access_token(USER, 1);
    env.emu.advance_clock(2);
    let filtered = send(
        env.post(REFRESH)
            .bearer_auth(&stale)
            .json(&json!({ "refreshToken": refresh })),
    )
    .await?;
    ensure!(filtered.status == 401, "{filtered:?}");
    let body = filtered.json()?;
    ensure!(
        body.get("error").is_none()
            && body["code"] == "invalidJwtToken"
            && body["target"] == REFRESH
            && str_at(&body, "/details/0/message")?.starts_with("JWT expired "),
        "{body}"
    );
    ensure!(
        generic_refresh(&env, &refresh).await?.status == 200,
        "without it"
    );
    let stats = env.emu.stats();
    ensure!(
        (stats.failed_logins, stats.failed_refreshes) == (4, 6),
        "{stats:?}"
    );
    Ok(())
}

#[tokio::test]
async fn generic_jwt_documented_has_no_login() -> Result<()> {
    let env = Env::with(generic_documented(), Api::GenericJwt).await?;
    let login = generic_login(&env, USER, PASSWORD).await?;
    generic_error(&login, 404)?;
    let refresh = env.emu.issue_refresh_token(USER);
    ensure!(int_claim(&refresh, "exp")? - int_claim(&refresh, "iat")? == 365 * 86_400);
    Ok(())
}
