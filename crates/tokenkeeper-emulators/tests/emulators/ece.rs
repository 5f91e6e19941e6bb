//! Elastic Cloud Enterprise: login and a refresh with Bearer or Basic, errors in the `errors` array
//! and the `x-cloud-error-codes` header, 3.x answers with only the token. More in `ece_real.rs`.

use crate::common::*;

#[tokio::test]
async fn ece_login_and_refresh_with_bearer_or_basic() -> Result<()> {
    let env = Env::new(Api::Ece).await?;
    ensure!(env.emu.base_url().starts_with("http://"));
    let login = env
        .post_json(
            "/api/v1/users/auth/_login",
            json!({ "username": USER, "password": PASSWORD }),
        )
        .await?;
    ensure!(login.status == 200, "{login:?}");
    let body = login.json()?;
    let token = str_at(&body, "/token")?.to_owned();
    let expires = chrono::DateTime::parse_from_rfc3339(str_at(&body, "/session_expiration_time")?)?;
    ensure!(expires.timestamp() == int_claim(&token, "exp")?);
    ensure!(int_claim(&token, "exp")? - int_claim(&token, "iat")? == 300);

    let bearer = send(env.post("/api/v1/users/auth/_refresh").bearer_auth(&token)).await?;
    ensure!(bearer.status == 200, "{bearer:?}");
    ensure!(bearer.json()?["session_expiration_time"].is_string());
    let basic = send(
        env.post("/api/v1/users/auth/_refresh")
            .basic_auth(USER, Some(PASSWORD)),
    )
    .await?;
    ensure!(basic.status == 200, "{basic:?}");
    claims(str_at(&basic.json()?, "/token")?)?;
    let stats = env.emu.stats();
    ensure!((stats.logins, stats.refreshes) == (1, 2), "{stats:?}");
    Ok(())
}

pub(crate) fn ece_error(answer: &Answer, status: u16, code: &str) -> Result<()> {
    ensure!(answer.status == status, "want {status}: {answer:?}");
    ensure!(
        answer.header("x-cloud-error-codes") == Some(code),
        "{answer:?}"
    );
    let body = answer.json()?;
    ensure!(body["errors"][0]["code"] == code, "{body}");
    ensure!(
        body["errors"][0]["message"].is_string() && body["errors"][0]["fields"].is_array(),
        "{body}"
    );
    Ok(())
}

#[tokio::test]
async fn ece_errors_use_errors_array_and_header() -> Result<()> {
    let env = Env::new(Api::Ece).await?;
    let bad_login = env
        .post_json(
            "/api/v1/users/auth/_login",
            json!({ "username": USER, "password": "x" }),
        )
        .await?;
    ece_error(&bad_login, 401, "root.unauthenticated")?;
    let bad_token = send(env.post("/api/v1/users/auth/_refresh").bearer_auth("abc")).await?;
    ece_error(&bad_token, 401, "root.unauthorized")?;
    let bad_basic = send(
        env.post("/api/v1/users/auth/_refresh")
            .basic_auth(USER, Some("x")),
    )
    .await?;
    ece_error(&bad_basic, 401, "root.unauthorized")?;
    let token = env.emu.issue_access_token(USER, 10);
    env.emu.advance_clock(11);
    ece_error(
        &send(env.post("/api/v1/users/auth/_refresh").bearer_auth(&token)).await?,
        401,
        "root.unauthorized",
    )?;

    for (status, code) in [
        (449, "root.needs_elevated_permissions"),
        (501, "authc.no_authentication_cluster"),
        (502, "authc.authentication_cluster_error"),
        (503, "authc.authentication_cluster_error"),
    ] {
        env.emu.push_fault(Fault::once(
            FaultTarget::Refresh,
            FaultAction::ApiError { status },
        ));
        ece_error(
            &send(env.post("/api/v1/users/auth/_refresh")).await?,
            status,
            code,
        )?;
    }
    env.emu.push_fault(Fault::once(
        FaultTarget::Login,
        FaultAction::ApiError { status: 401 },
    ));
    ece_error(
        &env.post_json("/api/v1/users/auth/_login", json!({}))
            .await?,
        401,
        "root.unauthenticated",
    )?;
    Ok(())
}

#[tokio::test]
async fn ece_legacy_3x_answers_only_the_token() -> Result<()> {
    let mut config = EmulatorConfig::for_api(Api::Ece);
    config.ece_legacy_3x = true;
    let env = Env::with(config, Api::Ece).await?;
    let login = env
        .post_json(
            "/api/v1/users/auth/_login",
            json!({ "username": USER, "password": PASSWORD }),
        )
        .await?;
    let body = login.json()?;
    ensure!(body.as_object().map(|o| o.len()) == Some(1), "{body}");
    let token = str_at(&body, "/token")?;
    let refreshed = send(env.post("/api/v1/users/auth/_refresh").bearer_auth(token))
        .await?
        .json()?;
    ensure!(refreshed.get("session_expiration_time").is_none() && refreshed["token"].is_string());
    Ok(())
}
