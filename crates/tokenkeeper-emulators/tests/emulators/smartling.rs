//! Smartling: the answers' shapes, rotation and reuse detection, and its error codes. The SSO
//! session is in `smartling_session.rs`.

use crate::common::*;

pub(crate) async fn smartling_auth(env: &Env) -> Result<Value> {
    let answer = env
        .post_json(
            "/auth-api/v2/authenticate",
            json!({ "userIdentifier": USER, "userSecret": PASSWORD }),
        )
        .await?;
    ensure!(answer.status == 200, "{answer:?}");
    answer.json()
}

pub(crate) async fn smartling_refresh(env: &Env, refresh: &str) -> Result<Answer> {
    env.post_json(
        "/auth-api/v2/authenticate/refresh",
        json!({ "refreshToken": refresh }),
    )
    .await
}

pub(crate) fn smartling_error(answer: &Answer, status: u16, code: &str) -> Result<Value> {
    ensure!(answer.status == status, "want {status}: {answer:?}");
    let body = answer.json()?;
    ensure!(body["response"]["code"] == code, "{body}");
    let error = &body["response"]["errors"][0];
    ensure!(
        error["key"].is_string() && error["message"].is_string(),
        "{body}"
    );
    ensure!(error.get("details").is_some(), "{body}");
    Ok(error.clone())
}

#[tokio::test]
async fn smartling_authenticate_and_refresh_shapes() -> Result<()> {
    let env = Env::new(Api::Smartling).await?;
    let body = smartling_auth(&env).await?;
    ensure!(body["response"]["code"] == "SUCCESS", "{body}");
    let data = &body["response"]["data"];
    ensure!(
        data["expiresIn"] == 480
            && data["refreshExpiresIn"] == 3660
            && data["tokenType"] == "Bearer",
        "{body}"
    );
    let access = str_at(data, "/accessToken")?;
    ensure!(int_claim(access, "exp")? - int_claim(access, "iat")? == 480);
    let refreshed = smartling_refresh(&env, str_at(data, "/refreshToken")?).await?;
    ensure!(refreshed.status == 200, "{refreshed:?}");
    let new = refreshed.json()?;
    ensure!(new["response"]["code"] == "SUCCESS");
    ensure!(
        new["response"]["data"]["refreshToken"] != data["refreshToken"],
        "refresh must rotate"
    );

    let mut config = EmulatorConfig::for_api(Api::Smartling);
    config.token_ttl = Some(60);
    config.refresh_ttl = Some(120);
    let custom = Env::with(config, Api::Smartling).await?;
    let data = smartling_auth(&custom).await?["response"]["data"].clone();
    ensure!(
        data["expiresIn"] == 60 && data["refreshExpiresIn"] == 120,
        "{data}"
    );
    Ok(())
}

#[tokio::test]
async fn smartling_rotation_and_reuse_detection() -> Result<()> {
    let env = Env::new(Api::Smartling).await?;
    let first = str_at(&smartling_auth(&env).await?, "/response/data/refreshToken")?.to_owned();
    let second_answer = smartling_refresh(&env, &first).await?;
    let second = str_at(&second_answer.json()?, "/response/data/refreshToken")?.to_owned();
    let third_answer = smartling_refresh(&env, &second).await?;
    let third = str_at(&third_answer.json()?, "/response/data/refreshToken")?.to_owned();

    // `second` was rotated out: presenting it is a reuse; the family (and `third`) dies.
    let reuse = smartling_refresh(&env, &second).await?;
    let error = smartling_error(&reuse, 401, "AUTHENTICATION_ERROR")?;
    ensure!(
        error["key"] == "invalid_token" && error["message"] == "Invalid token",
        "{error}"
    );
    smartling_error(
        &smartling_refresh(&env, &third).await?,
        401,
        "AUTHENTICATION_ERROR",
    )?;
    let stats = env.emu.stats();
    ensure!(
        (stats.refresh_token_reuse, stats.families_revoked) == (1, 1),
        "{stats:?}"
    );
    ensure!(
        (stats.refreshes, stats.failed_refreshes) == (2, 2),
        "{stats:?}"
    );

    // Another family is unaffected.
    let other = env.emu.issue_refresh_token(USER);
    ensure!(smartling_refresh(&env, &other).await?.status == 200);
    Ok(())
}

#[tokio::test]
async fn smartling_errors() -> Result<()> {
    let env = Env::new(Api::Smartling).await?;
    let wrong = env
        .post_json(
            "/auth-api/v2/authenticate",
            json!({ "userIdentifier": USER, "userSecret": "x" }),
        )
        .await?;
    smartling_error(&wrong, 401, "AUTHENTICATION_ERROR")?;
    let missing = env
        .post_json(
            "/auth-api/v2/authenticate",
            json!({ "userIdentifier": USER }),
        )
        .await?;
    smartling_error(&missing, 400, "VALIDATION_ERROR")?;
    smartling_error(
        &env.post_json("/auth-api/v2/authenticate/refresh", json!({}))
            .await?,
        400,
        "VALIDATION_ERROR",
    )?;
    smartling_error(
        &smartling_refresh(&env, "abc").await?,
        401,
        "AUTHENTICATION_ERROR",
    )?;

    // The refresh token expires after refreshExpiresIn (server clock).
    let refresh = env.emu.issue_refresh_token(USER);
    env.emu.advance_clock(3661);
    let expired = smartling_error(
        &smartling_refresh(&env, &refresh).await?,
        401,
        "AUTHENTICATION_ERROR",
    )?;
    ensure!(expired["key"] == "invalid_token");

    for (status, code) in [
        (403, "AUTHORIZATION_ERROR"),
        (404, "NOT_FOUND_ERROR"),
        (429, "MAX_OPERATIONS_LIMIT_EXCEEDED"),
        (500, "GENERAL_ERROR"),
        (503, "MAINTENANCE_MODE_ERROR"),
    ] {
        env.emu.push_fault(Fault::once(
            FaultTarget::Any,
            FaultAction::ApiError { status },
        ));
        smartling_error(
            &env.post_json("/auth-api/v2/authenticate", json!({}))
                .await?,
            status,
            code,
        )?;
    }
    smartling_error(
        &env.post_json("/auth-api/v2/nowhere", json!({})).await?,
        404,
        "NOT_FOUND_ERROR",
    )?;
    Ok(())
}
