//! Smartling's SSO session cap (each authenticate starts one; no token outlives it; after it a
//! refresh is refused) and the error codes its SDKs know beyond the status defaults.

use crate::common::*;
use crate::smartling::{smartling_auth, smartling_error, smartling_refresh};

fn data(answer: &Answer) -> Result<Value> {
    ensure!(answer.status == 200, "{answer:?}");
    Ok(answer.json()?["response"]["data"].clone())
}

fn number(data: &Value, name: &str) -> Result<i64> {
    data[name]
        .as_i64()
        .with_context(|| format!("{name} in {data}"))
}

#[tokio::test]
async fn smartling_session_caps_lifetimes_then_refuses_the_refresh() -> Result<()> {
    let mut config = EmulatorConfig::for_api(Api::Smartling);
    config.smartling_session_secs = Some(5000);
    let env = Env::with(config, Api::Smartling).await?;
    let first = smartling_auth(&env).await?["response"]["data"].clone();
    ensure!(
        number(&first, "expiresIn")? == 480 && number(&first, "refreshExpiresIn")? == 3660,
        "{first}"
    );
    // 3000 s in, 2000 s of the session are left: the new refresh token lives no longer.
    env.emu.advance_clock(3000);
    let second = data(&smartling_refresh(&env, str_at(&first, "/refreshToken")?).await?)?;
    let left = number(&second, "refreshExpiresIn")?;
    ensure!((1998..=2000).contains(&left), "{second}");
    ensure!(number(&second, "expiresIn")? == 480, "{second}");
    let refresh = str_at(&second, "/refreshToken")?.to_owned();
    ensure!(near(int_claim(&refresh, "exp")?, now() + 3000 + left, 2));
    // 1800 s later 200 s are left: the access token is capped too.
    env.emu.advance_clock(1800);
    let third = data(&smartling_refresh(&env, &refresh).await?)?;
    let (expires, refresh_expires) = (
        number(&third, "expiresIn")?,
        number(&third, "refreshExpiresIn")?,
    );
    ensure!(
        (198..=200).contains(&expires) && expires == refresh_expires,
        "{third}"
    );
    let access = str_at(&third, "/accessToken")?;
    ensure!(int_claim(access, "exp")? - int_claim(access, "iat")? == expires);
    // The session is over: refused as an invalid token.
    env.emu.advance_clock(201);
    let over = smartling_refresh(&env, str_at(&third, "/refreshToken")?).await?;
    ensure!(over.status == 401, "{over:?}");
    ensure!(
        over.json()?
            == json!({"response": {"code": "AUTHENTICATION_ERROR", "errors": [
                {"key": "invalid_token", "message": "Invalid token", "details": null}
            ]}}),
        "{over:?}"
    );
    let stats = env.emu.stats();
    ensure!(
        (stats.refreshes_after_session_end, stats.refresh_token_reuse) == (1, 0),
        "{stats:?}"
    );
    // A new authenticate starts a new session.
    let again = smartling_auth(&env).await?;
    ensure!(again["response"]["data"]["refreshExpiresIn"] == 3660);
    Ok(())
}

#[tokio::test]
async fn smartling_default_session_is_a_day_and_can_be_switched_off() -> Result<()> {
    let env = Env::new(Api::Smartling).await?;
    let mut refresh =
        str_at(&smartling_auth(&env).await?, "/response/data/refreshToken")?.to_owned();
    let mut lifetimes = Vec::new();
    for _ in 0..28 {
        env.emu.advance_clock(3000);
        let data = data(&smartling_refresh(&env, &refresh).await?)?;
        lifetimes.push(number(&data, "refreshExpiresIn")?);
        refresh = str_at(&data, "/refreshToken")?.to_owned();
    }
    // The 28th refresh, 84000 s in, gets what is left of the day (86400 s).
    ensure!(lifetimes.first() == Some(&3660), "{lifetimes:?}");
    let last = lifetimes.last().copied().unwrap_or_default();
    ensure!((2398..=2400).contains(&last), "{lifetimes:?}");
    env.emu.advance_clock(3000);
    ensure!(smartling_refresh(&env, &refresh).await?.status == 401);
    ensure!(env.emu.stats().refreshes_after_session_end == 1);

    let mut config = EmulatorConfig::for_api(Api::Smartling);
    config.smartling_session_secs = None;
    let endless = Env::with(config, Api::Smartling).await?;
    let mut refresh = str_at(
        &smartling_auth(&endless).await?,
        "/response/data/refreshToken",
    )?
    .to_owned();
    for _ in 0..30 {
        endless.emu.advance_clock(3000);
        let data = data(&smartling_refresh(&endless, &refresh).await?)?;
        ensure!(number(&data, "refreshExpiresIn")? == 3660, "{data}");
        refresh = str_at(&data, "/refreshToken")?.to_owned();
    }
    Ok(())
}

#[tokio::test]
async fn smartling_injectable_errors_carry_their_documented_codes() -> Result<()> {
    let env = Env::new(Api::Smartling).await?;
    let cases = [
        (
            FaultAction::ApiError { status: 423 },
            423,
            "RESOURCE_LOCKED",
        ),
        (
            FaultAction::ApiError { status: 429 },
            429,
            "MAX_OPERATIONS_LIMIT_EXCEEDED",
        ),
        (
            FaultAction::ApiError { status: 503 },
            503,
            "MAINTENANCE_MODE_ERROR",
        ),
        (
            FaultAction::ApiError { status: 403 },
            403,
            "AUTHORIZATION_ERROR",
        ),
        (
            FaultAction::ApiErrorCode {
                status: 401,
                code: "ACCESS_DENIED_ERROR".into(),
            },
            401,
            "ACCESS_DENIED_ERROR",
        ),
    ];
    for (action, status, code) in cases {
        env.emu
            .push_fault(Fault::once(FaultTarget::Refresh, action));
        let answer = smartling_refresh(&env, "whatever").await?;
        let error = smartling_error(&answer, status, code)?;
        ensure!(error["details"].is_null(), "{error}");
        if code == "ACCESS_DENIED_ERROR" {
            ensure!(error["key"] == "access_denied", "{error}");
        }
    }
    Ok(())
}
