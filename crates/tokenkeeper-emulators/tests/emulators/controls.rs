//! The server clock and the test controls, the same for every API: a clock offset moves the `Date`
//! header and the tokens' `iat` (over TLS too), a faster clock, `set_password` and `revoke_all`,
//! the APIs' ids.

use crate::common::*;
use crate::redis_enterprise::redis_login;

#[tokio::test]
async fn clock_offset_moves_date_header_and_iat() -> Result<()> {
    let mut config = EmulatorConfig::for_api(Api::Ece);
    config.clock_offset_secs = 3600;
    let env = Env::with(config, Api::Ece).await?;
    let login = env
        .post_json(
            "/api/v1/users/auth/_login",
            json!({ "username": USER, "password": PASSWORD }),
        )
        .await?;
    ensure!(
        login.headers.get_all("date").iter().count() == 1,
        "one Date header"
    );
    ensure!(
        near(date_header(&login)?, now() + 3600, 5),
        "Date {:?}",
        login.header("date")
    );
    let body = login.json()?;
    let token = str_at(&body, "/token")?;
    ensure!(near(int_claim(token, "iat")?, now() + 3600, 5));
    let expires = chrono::DateTime::parse_from_rfc3339(str_at(&body, "/session_expiration_time")?)?;
    ensure!(near(expires.timestamp(), now() + 3900, 5));

    env.emu.advance_clock(-7200);
    let answer = env.post_json("/nowhere", json!({})).await?;
    ensure!(
        answer.status == 404 && near(date_header(&answer)?, now() - 3600, 5),
        "{answer:?}"
    );
    env.emu.set_clock_offset(0);
    let token = env.emu.issue_access_token(USER, 60);
    ensure!(
        near(int_claim(&token, "iat")?, now(), 5)
            && int_claim(&token, "exp")? - int_claim(&token, "iat")? == 60
    );
    Ok(())
}

#[tokio::test]
async fn redis_date_header_follows_server_clock_over_tls() -> Result<()> {
    let mut config = EmulatorConfig::for_api(Api::RedisEnterprise);
    config.clock_offset_secs = 3600;
    let env = Env::with(config, Api::RedisEnterprise).await?;
    let answer = redis_login(&env, None).await?;
    ensure!(near(date_header(&answer)?, now() + 3600, 5), "{answer:?}");
    env.emu
        .push_fault(Fault::once(FaultTarget::Login, FaultAction::Garbage));
    ensure!(
        near(
            date_header(&redis_login(&env, None).await?)?,
            now() + 3600,
            5
        ),
        "faults carry Date too"
    );
    Ok(())
}

#[tokio::test]
async fn set_password_and_revoke_all() -> Result<()> {
    let env = Env::new(Api::Ece).await?;
    let login = env
        .post_json(
            "/api/v1/users/auth/_login",
            json!({ "username": USER, "password": PASSWORD }),
        )
        .await?;
    let token = str_at(&login.json()?, "/token")?.to_owned();
    env.emu.set_password(USER, "n3w");
    let old = env
        .post_json(
            "/api/v1/users/auth/_login",
            json!({ "username": USER, "password": PASSWORD }),
        )
        .await?;
    ensure!(old.status == 401);
    let new = env
        .post_json(
            "/api/v1/users/auth/_login",
            json!({ "username": USER, "password": "n3w" }),
        )
        .await?;
    ensure!(new.status == 200);
    ensure!(
        send(env.post("/api/v1/users/auth/_refresh").bearer_auth(&token))
            .await?
            .status
            == 200
    );
    env.emu.revoke_all();
    ensure!(
        send(env.post("/api/v1/users/auth/_refresh").bearer_auth(&token))
            .await?
            .status
            == 401
    );
    let fresh = env.emu.issue_access_token(USER, 60);
    ensure!(
        send(env.post("/api/v1/users/auth/_refresh").bearer_auth(&fresh))
            .await?
            .status
            == 200
    );
    Ok(())
}

#[test]
fn api_ids_round_trip() {
    for api in Api::ALL {
        assert_eq!(Api::from_id(api.id()), Some(api));
        assert_eq!(
            EmulatorConfig::for_api(api).tls,
            api == Api::RedisEnterprise
        );
    }
    assert_eq!(Api::from_id("nope"), None);
    let ids: Vec<_> = Api::ALL.iter().map(|a| a.id()).collect();
    assert_eq!(
        ids,
        [
            "redis-enterprise",
            "ece",
            "smartling",
            "generic-jwt",
            "jwt-auth-pro"
        ]
    );
}

#[tokio::test]
async fn clock_speed_runs_server_time_faster_and_tokens_can_be_checked() -> Result<()> {
    let mut config = EmulatorConfig::for_api(Api::GenericJwt);
    config.clock_speed = 60.0;
    config.token_ttl = Some(120);
    let env = Env::with(config, Api::GenericJwt).await?;
    let rt = env.emu.issue_refresh_token(USER);
    let answer = env
        .post_json(
            "/api/v1/authenticate/refresh",
            json!({ "refreshToken": rt }),
        )
        .await?;
    let token = str_at(&answer.json()?, "/jwtToken")?.to_owned();
    ensure!(env.emu.access_token_valid(&token));
    ensure!(!env.emu.access_token_valid("abc"));
    // Two real seconds are two minutes of server time: the 120 s token has expired.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    ensure!(
        !env.emu.access_token_valid(&token),
        "expired by the fast clock"
    );
    let date = date_header(&answer)?;
    ensure!(near(date, now(), 2), "server time starts at real time");
    Ok(())
}
