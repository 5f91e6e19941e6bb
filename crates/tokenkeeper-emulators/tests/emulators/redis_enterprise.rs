//! Redis Enterprise Software: login by Basic header or body then a refresh with the `JWT` scheme,
//! the scheme, expiry and `ttl` checks, wrong passwords and the lockout, TLS with the emulator's
//! certificate.

use crate::common::*;

pub(crate) async fn redis_login(env: &Env, ttl: Option<u64>) -> Result<Answer> {
    let mut request = env
        .post("/v1/users/authorize")
        .basic_auth(USER, Some(PASSWORD));
    if let Some(ttl) = ttl {
        request = request.json(&json!({ "ttl": ttl }));
    }
    send(request).await
}

#[tokio::test]
async fn redis_login_basic_and_body_then_refresh_with_jwt_scheme() -> Result<()> {
    let env = Env::new(Api::RedisEnterprise).await?;
    ensure!(env.emu.base_url().starts_with("https://127.0.0.1:"));
    let answer = redis_login(&env, Some(120)).await?;
    ensure!(answer.status == 200, "{answer:?}");
    let token = str_at(&answer.json()?, "/access_token")?.to_owned();
    let c = claims(&token)?;
    ensure!(c["sub"] == USER && c["jti"].is_string(), "{c}");
    ensure!(int_claim(&token, "exp")? - int_claim(&token, "iat")? == 120);

    // Old docs: credentials in the body; default ttl 300.
    let answer = env
        .post_json(
            "/v1/users/authorize",
            json!({ "username": USER, "password": PASSWORD }),
        )
        .await?;
    let body_token = str_at(&answer.json()?, "/access_token")?.to_owned();
    ensure!(int_claim(&body_token, "exp")? - int_claim(&body_token, "iat")? == 300);
    ensure!(
        claims(&body_token)?["jti"] != c["jti"],
        "jti must be unique"
    );

    let refreshed = send(
        env.post("/v1/users/refresh_jwt")
            .header("Authorization", format!("JWT {token}"))
            .json(&json!({ "ttl": 60 })),
    )
    .await?;
    ensure!(refreshed.status == 200, "{refreshed:?}");
    let refreshed_body = refreshed.json()?;
    let new_token = str_at(&refreshed_body, "/access_token")?;
    ensure!(int_claim(new_token, "exp")? - int_claim(new_token, "iat")? == 60);
    ensure!(near(int_claim(new_token, "iat")?, now(), 5));
    let stats = env.emu.stats();
    ensure!(
        (stats.logins, stats.refreshes, stats.requests) == (2, 1, 3),
        "{stats:?}"
    );
    Ok(())
}

#[tokio::test]
async fn redis_refuses_bearer_scheme_expired_token_and_bad_ttl() -> Result<()> {
    let env = Env::new(Api::RedisEnterprise).await?;
    let token = env.emu.issue_access_token(USER, 300);
    let bearer = send(env.post("/v1/users/refresh_jwt").bearer_auth(&token)).await?;
    ensure!(bearer.status == 401, "{bearer:?}");
    ensure!(bearer.json()?["error_code"] == "unauthorized");
    let lower = send(
        env.post("/v1/users/refresh_jwt")
            .header("Authorization", format!("jwt {token}")),
    )
    .await?;
    ensure!(lower.status == 401, "scheme word must be exactly JWT");

    for ttl in [0, 86_401] {
        let answer = send(
            env.post("/v1/users/refresh_jwt")
                .header("Authorization", format!("JWT {token}"))
                .json(&json!({ "ttl": ttl })),
        )
        .await?;
        ensure!(answer.status == 400, "ttl {ttl}: {answer:?}");
        ensure!(answer.json()?["error_code"].is_string());
        ensure!(redis_login(&env, Some(ttl)).await?.status == 400);
    }
    ensure!(redis_login(&env, Some(86_400)).await?.status == 200);

    env.emu.advance_clock(301);
    let expired = send(
        env.post("/v1/users/refresh_jwt")
            .header("Authorization", format!("JWT {token}")),
    )
    .await?;
    ensure!(expired.status == 401, "{expired:?}");
    let body = expired.json()?;
    ensure!(body["error_code"] == "unauthorized", "{body}");
    ensure!(
        body["message"] == "The token is invalid or password has expired",
        "{body}"
    );
    Ok(())
}

#[tokio::test]
async fn redis_wrong_password_and_lockout() -> Result<()> {
    let env = Env::new(Api::RedisEnterprise).await?;
    let wrong = send(
        env.post("/v1/users/authorize")
            .basic_auth(USER, Some("nope")),
    )
    .await?;
    ensure!(wrong.status == 401, "{wrong:?}");
    let body = wrong.json()?;
    ensure!(
        body["error_code"] == "unauthorized" && body["message"].is_string(),
        "{body}"
    );
    for _ in 0..4 {
        let answer = send(
            env.post("/v1/users/authorize")
                .basic_auth(USER, Some("nope")),
        )
        .await?;
        ensure!(answer.json()?["error_code"] == "unauthorized");
    }
    // Five failures within 15 minutes: even the right password is refused for 30 minutes.
    let locked = redis_login(&env, None).await?;
    ensure!(locked.status == 401, "{locked:?}");
    ensure!(
        locked.json()?["error_code"] == "user_locked",
        "{}",
        locked.text
    );
    env.emu.advance_clock(29 * 60);
    ensure!(redis_login(&env, None).await?.json()?["error_code"] == "user_locked");
    env.emu.advance_clock(2 * 60);
    let again = redis_login(&env, None).await?;
    ensure!(again.status == 200, "{again:?}");
    let stats = env.emu.stats();
    ensure!((stats.failed_logins, stats.logins) == (7, 1), "{stats:?}");
    Ok(())
}

#[tokio::test]
async fn redis_failures_spread_over_more_than_15_minutes_do_not_lock() -> Result<()> {
    let env = Env::new(Api::RedisEnterprise).await?;
    for _ in 0..4 {
        send(
            env.post("/v1/users/authorize")
                .basic_auth(USER, Some("nope")),
        )
        .await?;
    }
    env.emu.advance_clock(16 * 60);
    send(
        env.post("/v1/users/authorize")
            .basic_auth(USER, Some("nope")),
    )
    .await?;
    ensure!(redis_login(&env, None).await?.status == 200);
    Ok(())
}

#[tokio::test]
async fn redis_tls_needs_the_emulator_certificate() -> Result<()> {
    let env = Env::new(Api::RedisEnterprise).await?;
    let pem = env.emu.ca_cert_pem().context("no certificate")?;
    ensure!(pem.contains("BEGIN CERTIFICATE"));
    // Without the certificate as a root, the handshake fails.
    let plain = http().timeout(Duration::from_secs(10)).build()?;
    let refused = plain.post(env.url("/v1/users/authorize")).send().await;
    ensure!(refused.is_err(), "TLS must not verify without the CA");
    // The SAN `localhost` is valid too.
    let port = env
        .emu
        .base_url()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let answer = send(
        env.client
            .post(format!("https://localhost:{port}/v1/users/authorize"))
            .basic_auth(USER, Some(PASSWORD)),
    )
    .await?;
    ensure!(answer.status == 200, "{answer:?}");
    // Plain HTTP when asked.
    let mut config = EmulatorConfig::for_api(Api::RedisEnterprise);
    config.tls = false;
    let plain_env = Env::with(config, Api::RedisEnterprise).await?;
    ensure!(
        plain_env.emu.base_url().starts_with("http://") && plain_env.emu.ca_cert_pem().is_none()
    );
    ensure!(redis_login(&plain_env, None).await?.status == 200);
    Ok(())
}
