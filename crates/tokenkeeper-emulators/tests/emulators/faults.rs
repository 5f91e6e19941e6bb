//! Every fault action, against whichever API shows it best: `Respond` sent verbatim, `ApiError`
//! in each API's format, delays before and after answering, dropped connections (over TLS too),
//! garbage, HTML, truncated and huge bodies, missing and non-JWT tokens.

use crate::common::*;
use crate::jwt_auth_pro::{WP_REFRESH, WP_TOKEN, wp_error, wp_login};
use crate::redis_enterprise::redis_login;
use crate::smartling::{smartling_auth, smartling_refresh};

async fn smartling_login_answer(env: &Env) -> Result<Answer> {
    env.post_json(
        "/auth-api/v2/authenticate",
        json!({ "userIdentifier": USER, "userSecret": PASSWORD }),
    )
    .await
}

#[tokio::test]
async fn fault_respond_is_sent_verbatim_and_targets_only_matching_requests() -> Result<()> {
    let env = Env::new(Api::Smartling).await?;
    env.emu.push_fault(Fault {
        target: FaultTarget::Refresh,
        times: 2,
        action: FaultAction::Respond {
            status: 418,
            headers: vec![
                ("x-test".into(), "yes".into()),
                ("retry-after".into(), "7".into()),
            ],
            body: "teapot".into(),
        },
    });
    // A login is not a refresh: answered normally.
    let login = smartling_login_answer(&env).await?;
    ensure!(login.status == 200, "{login:?}");
    let refresh = str_at(&login.json()?, "/response/data/refreshToken")?.to_owned();
    for _ in 0..2 {
        let answer = smartling_refresh(&env, &refresh).await?;
        ensure!(
            answer.status == 418 && answer.text == "teapot",
            "{answer:?}"
        );
        ensure!(
            answer.header("x-test") == Some("yes") && answer.header("retry-after") == Some("7")
        );
        ensure!(answer.header("date").is_some());
    }
    // Used up: the (never consumed) refresh token still works.
    ensure!(smartling_refresh(&env, &refresh).await?.status == 200);
    ensure!(env.emu.stats().requests == 4);

    env.emu
        .push_fault(Fault::once(FaultTarget::Any, FaultAction::Garbage));
    env.emu.clear_faults();
    ensure!(smartling_login_answer(&env).await?.status == 200, "cleared");
    Ok(())
}

#[tokio::test]
async fn fault_api_error_uses_each_api_format() -> Result<()> {
    let redis = Env::new(Api::RedisEnterprise).await?;
    redis.emu.push_fault(Fault::once(
        FaultTarget::Login,
        FaultAction::ApiError { status: 401 },
    ));
    let answer = redis_login(&redis, None).await?;
    ensure!(
        answer.status == 401 && answer.json()?["error_code"] == "password_expired",
        "{answer:?}"
    );
    redis.emu.push_fault(Fault::once(
        FaultTarget::Any,
        FaultAction::ApiError { status: 503 },
    ));
    let answer = redis_login(&redis, None).await?;
    ensure!(
        answer.status == 503 && answer.json()?["message"] == "node not responding",
        "{answer:?}"
    );

    let wp = Env::new(Api::JwtAuthPro).await?;
    wp.emu.push_fault(Fault::once(
        FaultTarget::Login,
        FaultAction::ApiError { status: 429 },
    ));
    let answer = wp_login(&wp, USER, PASSWORD).await?;
    wp_error(&answer, 429, "jwt_auth_rate_limited")?;
    ensure!(answer.header("retry-after").is_some());
    wp.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::ApiError { status: 403 },
    ));
    wp_error(
        &wp.post_json(WP_REFRESH, json!({})).await?,
        403,
        "jwt_auth_invalid_refresh_token",
    )?;
    // A faulted request is not handled: no login happened.
    ensure!(wp.emu.stats().logins == 0);
    Ok(())
}

#[tokio::test]
async fn fault_delay_answers_normally_after_sleeping() -> Result<()> {
    let env = Env::new(Api::GenericJwt).await?;
    let refresh = env.emu.issue_refresh_token(USER);
    env.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::Delay(Duration::from_millis(400)),
    ));
    let started = Instant::now();
    let answer = env
        .post_json(
            "/api/v1/authenticate/refresh",
            json!({ "refreshToken": refresh }),
        )
        .await?;
    ensure!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    ensure!(
        answer.status == 200 && answer.json()?["jwtToken"].is_string(),
        "{answer:?}"
    );
    // A client with a shorter timeout gives up.
    env.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::Delay(Duration::from_secs(2)),
    ));
    let impatient = client_for(&env.emu, Duration::from_millis(200))?;
    let err = impatient
        .post(env.url("/api/v1/authenticate/refresh"))
        .json(&json!({ "refreshToken": refresh }))
        .send()
        .await
        .err()
        .context("expected a timeout")?;
    ensure!(err.is_timeout(), "{err:?}");
    Ok(())
}

async fn expect_dropped(env: &Env, request: reqwest::RequestBuilder) -> Result<()> {
    let started = Instant::now();
    match request.send().await {
        Ok(response) => bail!("expected a connection error, got {}", response.status()),
        Err(err) => {
            ensure!(err.status().is_none() && !err.is_timeout(), "{err:?}");
            ensure!(
                started.elapsed() < Duration::from_secs(5),
                "too slow: {:?}",
                started.elapsed()
            );
        }
    }
    ensure!(env.emu.stats().requests >= 1);
    Ok(())
}

#[tokio::test]
async fn fault_drop_closes_the_connection_without_an_answer() -> Result<()> {
    let env = Env::new(Api::JwtAuthPro).await?;
    // Warm a keep-alive connection first, so the drop hits a reused one too.
    ensure!(wp_login(&env, USER, PASSWORD).await?.status == 200);
    env.emu.push_fault(Fault {
        target: FaultTarget::Login,
        times: 2,
        action: FaultAction::Drop,
    });
    for _ in 0..2 {
        let request = env
            .post(WP_TOKEN)
            .json(&json!({ "username": USER, "password": PASSWORD }));
        expect_dropped(&env, request).await?;
    }
    ensure!(
        wp_login(&env, USER, PASSWORD).await?.status == 200,
        "server still serving"
    );
    ensure!(env.emu.stats().logins == 2);
    Ok(())
}

#[tokio::test]
async fn fault_drop_over_tls() -> Result<()> {
    let env = Env::new(Api::RedisEnterprise).await?;
    env.emu
        .push_fault(Fault::once(FaultTarget::Refresh, FaultAction::Drop));
    let token = env.emu.issue_access_token(USER, 300);
    let request = env
        .post("/v1/users/refresh_jwt")
        .header("Authorization", format!("JWT {token}"));
    expect_dropped(&env, request).await?;
    let again = send(
        env.post("/v1/users/refresh_jwt")
            .header("Authorization", format!("JWT {token}")),
    )
    .await?;
    ensure!(again.status == 200, "{again:?}");
    Ok(())
}

#[tokio::test]
async fn fault_garbage_html_and_truncated() -> Result<()> {
    let env = Env::new(Api::Smartling).await?;
    env.emu
        .push_fault(Fault::once(FaultTarget::Login, FaultAction::Garbage));
    let garbage = smartling_login_answer(&env).await?;
    ensure!(
        garbage.status == 200 && garbage.json().is_err(),
        "{garbage:?}"
    );

    env.emu.push_fault(Fault::once(
        FaultTarget::Login,
        FaultAction::Html { status: 502 },
    ));
    let html = smartling_login_answer(&env).await?;
    ensure!(html.status == 502, "{html:?}");
    ensure!(
        html.header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
    );
    ensure!(html.text.contains("<html>") && html.json().is_err());

    env.emu
        .push_fault(Fault::once(FaultTarget::Login, FaultAction::Truncated));
    let truncated = smartling_login_answer(&env).await?;
    ensure!(
        truncated.status == 200 && truncated.json().is_err(),
        "{truncated:?}"
    );
    ensure!(
        truncated.text.starts_with("{\"response\":"),
        "{}",
        truncated.text
    );
    let whole = smartling_login_answer(&env).await?;
    ensure!(
        truncated.text.len() * 2 <= whole.text.len() + 2,
        "cut in half"
    );
    Ok(())
}

#[tokio::test]
async fn fault_missing_token_and_not_jwt() -> Result<()> {
    let cases = [
        (Api::RedisEnterprise, "/access_token"),
        (Api::Ece, "/token"),
        (Api::Smartling, "/response/data/accessToken"),
        (Api::GenericJwt, "/jwtToken"),
        (Api::JwtAuthPro, "/token"),
    ];
    for (api, pointer) in cases {
        let env = Env::new(api).await?;
        env.emu
            .push_fault(Fault::once(FaultTarget::Any, FaultAction::MissingToken));
        let missing = env.post_json("/anything", json!({})).await?;
        ensure!(missing.status == 200, "{api}: {missing:?}");
        let body = missing.json()?;
        ensure!(
            body.is_object() && body.pointer(pointer).is_none(),
            "{api}: {body}"
        );

        env.emu
            .push_fault(Fault::once(FaultTarget::Any, FaultAction::NotJwt));
        let not_jwt = env.post_json("/anything", json!({})).await?;
        ensure!(not_jwt.status == 200, "{api}: {not_jwt:?}");
        ensure!(
            str_at(&not_jwt.json()?, pointer)? == "abc",
            "{api}: {}",
            not_jwt.text
        );
    }
    Ok(())
}

#[tokio::test]
async fn fault_huge_streams_two_mebibytes() -> Result<()> {
    let env = Env::new(Api::RedisEnterprise).await?;
    env.emu
        .push_fault(Fault::once(FaultTarget::Login, FaultAction::Huge));
    let answer = redis_login(&env, None).await?;
    ensure!(answer.status == 200);
    ensure!(answer.header("content-length").is_none(), "streamed");
    ensure!(
        answer.text.len() >= 2 * 1024 * 1024,
        "{} bytes",
        answer.text.len()
    );
    ensure!(answer.json()?.is_object(), "valid JSON");
    ensure!(redis_login(&env, None).await?.status == 200);
    Ok(())
}

#[tokio::test]
async fn delay_after_consumes_the_refresh_token_before_answering() -> Result<()> {
    let env = Env::new(Api::Smartling).await?;
    let first = smartling_auth(&env).await?;
    let refresh = str_at(&first, "/response/data/refreshToken")?.to_owned();
    env.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::DelayAfter(Duration::from_secs(5)),
    ));
    // The client gives up while the server has already rotated the token.
    let impatient = client_for(&env.emu, Duration::from_millis(500))?;
    let cut = impatient
        .post(env.url("/auth-api/v2/authenticate/refresh"))
        .json(&json!({ "refreshToken": refresh }))
        .send()
        .await;
    ensure!(cut.is_err(), "the answer came in time: {cut:?}");
    // Presenting the same token again is now a reuse.
    let again = smartling_refresh(&env, &refresh).await?;
    ensure!(again.status == 401, "{again:?}");
    ensure!(env.emu.stats().refresh_token_reuse == 1);
    Ok(())
}
