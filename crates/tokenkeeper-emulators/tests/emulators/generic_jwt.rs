//! The generic JWT service: a refresh that does not rotate (both variants) and the documented
//! variant's (`documented: true`) errors. What the real service does is in `generic_jwt_real.rs`.

use crate::common::*;

pub(crate) fn generic_error(answer: &Answer, status: u16) -> Result<()> {
    ensure!(answer.status == status, "want {status}: {answer:?}");
    let body = answer.json()?;
    let error = &body["error"];
    for field in ["code", "message", "target"] {
        ensure!(error[field].is_string(), "{field}: {body}");
    }
    let detail = &error["details"][0];
    ensure!(
        detail["code"].is_string() && detail["message"].is_string() && detail["target"].is_string(),
        "{body}"
    );
    Ok(())
}

#[tokio::test]
async fn generic_jwt_refresh_does_not_rotate() -> Result<()> {
    for config in [
        EmulatorConfig::for_api(Api::GenericJwt),
        generic_documented(),
    ] {
        generic_refresh_does_not_rotate(config).await?;
    }
    Ok(())
}

async fn generic_refresh_does_not_rotate(config: EmulatorConfig) -> Result<()> {
    let env = Env::with(config, Api::GenericJwt).await?;
    let refresh = env.emu.issue_refresh_token(USER);
    for _ in 0..3 {
        let answer = env
            .post_json(
                "/api/v1/authenticate/refresh",
                json!({ "refreshToken": refresh }),
            )
            .await?;
        ensure!(answer.status == 200, "{answer:?}");
        let body = answer.json()?;
        ensure!(
            body.as_object().map(|o| o.len()) == Some(1),
            "only jwtToken: {body}"
        );
        let token = str_at(&body, "/jwtToken")?;
        ensure!(claims(token)?["sub"] == USER);
        ensure!(int_claim(token, "exp")? - int_claim(token, "iat")? == 300);
    }
    let stats = env.emu.stats();
    ensure!(
        (stats.refreshes, stats.refresh_token_reuse) == (3, 0),
        "{stats:?}"
    );
    Ok(())
}

/// The documented variant (`documented: true`) of the generic JWT service.
pub(crate) fn generic_documented() -> EmulatorConfig {
    let mut config = EmulatorConfig::for_api(Api::GenericJwt);
    config.documented = true;
    config
}

#[tokio::test]
async fn generic_jwt_documented_errors() -> Result<()> {
    let env = Env::with(generic_documented(), Api::GenericJwt).await?;
    generic_error(
        &env.post_json(
            "/api/v1/authenticate/refresh",
            json!({ "refreshToken": "abc" }),
        )
        .await?,
        401,
    )?;
    generic_error(
        &env.post_json("/api/v1/authenticate/refresh", json!({}))
            .await?,
        400,
    )?;
    generic_error(
        &send(env.post("/api/v1/authenticate/refresh").body("{nope")).await?,
        400,
    )?;
    generic_error(&env.post_json("/api/v1/elsewhere", json!({})).await?, 404)?;
    let refresh = env.emu.issue_refresh_token(USER);
    env.emu.revoke_all();
    generic_error(
        &env.post_json(
            "/api/v1/authenticate/refresh",
            json!({ "refreshToken": refresh }),
        )
        .await?,
        401,
    )?;
    env.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::ApiError { status: 500 },
    ));
    generic_error(
        &env.post_json("/api/v1/authenticate/refresh", json!({}))
            .await?,
        500,
    )?;
    ensure!(env.emu.stats().failed_refreshes == 4);
    Ok(())
}
