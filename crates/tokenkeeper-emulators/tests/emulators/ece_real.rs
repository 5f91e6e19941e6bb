//! ECE beyond the basics: what real clients send (a refresh without a body, counted in the
//! stats), the SSO redirect a login may answer, and the spec's errors on both endpoints.

use crate::common::*;
use crate::ece::ece_error;

const LOGIN: &str = "/api/v1/users/auth/_login";
const REFRESH: &str = "/api/v1/users/auth/_refresh";

#[tokio::test]
async fn ece_stats_say_whether_logins_and_refreshes_carried_a_body() -> Result<()> {
    let env = Env::new(Api::Ece).await?;
    let stats = env.emu.stats();
    ensure!(
        (stats.last_login_had_body, stats.last_refresh_had_body) == (None, None),
        "{stats:?}"
    );
    let login = env
        .post_json(LOGIN, json!({ "username": USER, "password": PASSWORD }))
        .await?;
    let token = str_at(&login.json()?, "/token")?.to_owned();
    // As the official SDK does: no body, a Bearer token.
    let bare = send(env.post(REFRESH).bearer_auth(&token)).await?;
    ensure!(bare.status == 200, "{bare:?}");
    let stats = env.emu.stats();
    ensure!(
        (
            stats.refresh_requests,
            stats.refresh_requests_with_body,
            stats.last_refresh_had_body,
            stats.last_login_had_body
        ) == (1, 0, Some(false), Some(true)),
        "{stats:?}"
    );
    // A client that sends `{}` is seen, even when the request is faulted.
    env.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::ApiError { status: 502 },
    ));
    let with_body = send(env.post(REFRESH).bearer_auth(&token).json(&json!({}))).await?;
    ece_error(&with_body, 502, "authc.authentication_cluster_error")?;
    let stats = env.emu.stats();
    ensure!(
        (
            stats.refresh_requests,
            stats.refresh_requests_with_body,
            stats.last_refresh_had_body
        ) == (2, 1, Some(true)),
        "{stats:?}"
    );
    Ok(())
}

/// A client that shows a 302 instead of following it.
fn no_redirects() -> Result<reqwest::Client> {
    Ok(http()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()?)
}

/// The bearer token in a 302's `Location: /sso/token#<token>?state=<state>`, and the state.
fn redirected(answer: &Answer) -> Result<(String, String)> {
    ensure!(answer.status == 302 && answer.text.is_empty(), "{answer:?}");
    let location = answer.header("location").context("no Location")?;
    let fragment = location
        .strip_prefix("/sso/token#")
        .with_context(|| format!("Location {location}"))?;
    let (token, state) = fragment.split_once("?state=").context("no state")?;
    Ok((token.to_owned(), state.to_owned()))
}

#[tokio::test]
async fn ece_sso_login_redirects_with_the_token_in_the_fragment() -> Result<()> {
    let mut config = EmulatorConfig::for_api(Api::Ece);
    config.ece_sso = true;
    let env = Env::with(config, Api::Ece).await?;
    let client = no_redirects()?;
    let login = send(
        client
            .post(env.url(LOGIN))
            .json(&json!({ "username": USER, "password": PASSWORD })),
    )
    .await?;
    let (token, state) = redirected(&login)?;
    ensure!(state.is_empty(), "{state}");
    ensure!(int_claim(&token, "exp")? - int_claim(&token, "iat")? == 300);
    ensure!(env.emu.access_token_valid(&token));
    ensure!(login.header("content-type").is_none(), "no JSON: {login:?}");
    // The token works for a refresh, which answers JSON as ever.
    let refreshed = send(client.post(env.url(REFRESH)).bearer_auth(&token)).await?;
    ensure!(refreshed.status == 200 && refreshed.json()?["token"].is_string());
    // A wrong password is still the JSON error.
    let wrong = send(
        client
            .post(env.url(LOGIN))
            .json(&json!({ "username": USER, "password": "x" })),
    )
    .await?;
    ece_error(&wrong, 401, "root.unauthenticated")?;
    ensure!(env.emu.stats().logins == 1);

    // Without the switch, a login asking for `login_state.path` is redirected too (the spec).
    let plain = Env::new(Api::Ece).await?;
    let asked = send(no_redirects()?.post(plain.url(LOGIN)).json(&json!({
        "username": USER, "password": PASSWORD, "login_state": { "path": "/deployments?x=1" }
    })))
    .await?;
    let (token, state) = redirected(&asked)?;
    ensure!(state == "/deployments%3Fx%3D1", "{state}");
    claims(&token)?;
    Ok(())
}

#[tokio::test]
async fn ece_spec_errors_on_login_and_refresh() -> Result<()> {
    let env = Env::new(Api::Ece).await?;
    let cases = [
        (449, "root.needs_elevated_permissions"),
        (501, "authc.no_authentication_cluster"),
        (502, "authc.authentication_cluster_error"),
    ];
    for (status, code) in cases {
        for target in [FaultTarget::Login, FaultTarget::Refresh] {
            env.emu
                .push_fault(Fault::once(target, FaultAction::ApiError { status }));
            let path = if target == FaultTarget::Login {
                LOGIN
            } else {
                REFRESH
            };
            ece_error(&env.post_json(path, json!({})).await?, status, code)?;
        }
    }
    // Any code, in the body and the header alike.
    env.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::ApiErrorCode {
            status: 401,
            code: "root.invalid_authentication".into(),
        },
    ));
    ece_error(
        &send(env.post(REFRESH)).await?,
        401,
        "root.invalid_authentication",
    )?;
    Ok(())
}
