//! Integration tests of the five emulators over real HTTP(S) with reqwest: shapes, error formats,
//! rotation and reuse detection, Redis lockout, JWT scheme enforcement, the server clock, every
//! fault action, the binary, and serving given certificates (`testcerts`, checked with the real
//! `openssl`). Where the real server and the documentation differ (JWT Auth Pro, the generic JWT
//! service), the default (real) behaviour is tested in the modules under `emulators/` and the
//! documented variant (`documented: true`) here.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use base64::Engine;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokenkeeper_emulators::{
    Api, Emulator, EmulatorConfig, Fault, FaultAction, FaultTarget, TlsIdentity, testcerts,
};

// What the real servers do beyond the basics (the default), one module per API.
#[path = "emulators/ece_real.rs"]
mod ece_real;
#[path = "emulators/generic_jwt_real.rs"]
mod generic_jwt_real;
#[path = "emulators/jwt_auth_pro_real.rs"]
mod jwt_auth_pro_real;
#[path = "emulators/smartling_session.rs"]
mod smartling_session;

const USER: &str = "admin@example.com";
const PASSWORD: &str = "s3cret";

/// A running emulator and a client that trusts it.
struct Env {
    emu: Emulator,
    client: reqwest::Client,
}

/// A complete answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.text).with_context(|| format!("not JSON: {}", self.text))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A reqwest client builder. reqwest comes without a crypto provider of its own (ours is
/// rustls's ring, chosen once for the whole workspace), so the process default is set first.
fn http() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

fn client_for(emu: &Emulator, timeout: Duration) -> Result<reqwest::Client> {
    let mut builder = http().timeout(timeout);
    if let Some(pem) = emu.ca_cert_pem() {
        builder = builder.tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes())?]);
    }
    Ok(builder.build()?)
}

impl Env {
    async fn new(api: Api) -> Result<Env> {
        Env::with(EmulatorConfig::for_api(api), api).await
    }

    async fn with(config: EmulatorConfig, api: Api) -> Result<Env> {
        let emu = Emulator::start(api, config).await?;
        let client = client_for(&emu, Duration::from_secs(20))?;
        Ok(Env { emu, client })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path))
    }

    async fn post_json(&self, path: &str, body: Value) -> Result<Answer> {
        send(self.post(path).json(&body)).await
    }
}

async fn send(request: reqwest::RequestBuilder) -> Result<Answer> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await?;
    Ok(Answer {
        status,
        headers,
        text,
    })
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The payload of a JWT (not verified).
fn claims(token: &str) -> Result<Value> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        bail!("not a JWT: {token}");
    };
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: Value = serde_json::from_slice(&engine.decode(header)?)?;
    ensure!(header["alg"] == "HS256", "alg is {}", header["alg"]);
    Ok(serde_json::from_slice(&engine.decode(payload)?)?)
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Result<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .with_context(|| format!("no string at {pointer} in {value}"))
}

fn int_claim(token: &str, name: &str) -> Result<i64> {
    claims(token)?[name]
        .as_i64()
        .with_context(|| format!("no {name} claim"))
}

fn date_header(answer: &Answer) -> Result<i64> {
    let date = answer.header("date").context("no Date header")?;
    let time = httpdate::parse_http_date(date)?;
    Ok(time.duration_since(UNIX_EPOCH)?.as_secs() as i64)
}

fn near(actual: i64, expected: i64, slack: i64) -> bool {
    (actual - expected).abs() <= slack
}

// ---------------------------------------------------------------- redis-enterprise

async fn redis_login(env: &Env, ttl: Option<u64>) -> Result<Answer> {
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

// ---------------------------------------------------------------- ece

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

fn ece_error(answer: &Answer, status: u16, code: &str) -> Result<()> {
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

// ---------------------------------------------------------------- smartling

async fn smartling_auth(env: &Env) -> Result<Value> {
    let answer = env
        .post_json(
            "/auth-api/v2/authenticate",
            json!({ "userIdentifier": USER, "userSecret": PASSWORD }),
        )
        .await?;
    ensure!(answer.status == 200, "{answer:?}");
    answer.json()
}

async fn smartling_refresh(env: &Env, refresh: &str) -> Result<Answer> {
    env.post_json(
        "/auth-api/v2/authenticate/refresh",
        json!({ "refreshToken": refresh }),
    )
    .await
}

fn smartling_error(answer: &Answer, status: u16, code: &str) -> Result<Value> {
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

// ---------------------------------------------------------------- generic-jwt

fn generic_error(answer: &Answer, status: u16) -> Result<()> {
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
fn generic_documented() -> EmulatorConfig {
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

// ---------------------------------------------------------------- jwt-auth-pro

const WP_TOKEN: &str = "/wp-json/jwt-auth/v1/token";
const WP_REFRESH: &str = "/wp-json/jwt-auth/v1/token/refresh";

async fn wp_login(env: &Env, username: &str, password: &str) -> Result<Answer> {
    env.post_json(
        WP_TOKEN,
        json!({ "username": username, "password": password }),
    )
    .await
}

fn wp_error(answer: &Answer, status: u16, code: &str) -> Result<Value> {
    ensure!(answer.status == status, "want {status}: {answer:?}");
    let body = answer.json()?;
    ensure!(
        body["code"] == code && body["message"].is_string() && body["data"]["status"] == status,
        "{body}"
    );
    Ok(body)
}

/// The documented variant (`documented: true`) of JWT Auth Pro.
fn wp_documented() -> EmulatorConfig {
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

// ---------------------------------------------------------------- clock, Date, controls

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

// ---------------------------------------------------------------- faults

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

// ---------------------------------------------------------------- the binary

#[test]
fn binary_prints_one_line_per_api() -> Result<()> {
    binary_with(&[], "plain")
}

#[test]
fn binary_takes_the_variant_switches() -> Result<()> {
    let switches = [
        "--documented",
        "--unlicensed",
        "--plain-permalinks",
        "--ece-sso",
        "--smartling-session",
        "0",
        "--rate-limits",
    ];
    binary_with(&switches, "switches")
}

/// The status line of a login at `/wp-json/jwt-auth/v1/token` over `stream`.
fn wp_token_status(mut stream: std::net::TcpStream) -> Result<String> {
    use std::io::{Read, Write};

    let body = json!({ "username": USER, "password": PASSWORD }).to_string();
    write!(
        stream,
        "POST /wp-json/jwt-auth/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer.lines().next().unwrap_or_default().to_owned())
}

/// Run the binary with `args`: one line per API, each serving (JWT Auth Pro's login tried).
fn binary_with(args: &[&str], tag: &str) -> Result<()> {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = std::env::temp_dir().join(format!("tk-emu-test-{}-{tag}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenkeeper-emulators"))
        .arg("--ca-dir")
        .arg(&dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let result = (|| -> Result<()> {
        let stdout = child.stdout.take().context("stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        for api in Api::ALL {
            let line = lines.next().context("missing line")??;
            let fields: Vec<&str> = line.split(' ').collect();
            ensure!(fields.first() == Some(&api.id()), "{line}");
            let url = fields.get(1).context("no url")?;
            let scheme = if api == Api::RedisEnterprise {
                "https://127.0.0.1:"
            } else {
                "http://127.0.0.1:"
            };
            ensure!(url.starts_with(scheme), "{line}");
            let port: u16 = url.rsplit(':').next().unwrap_or_default().parse()?;
            let stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
            if api == Api::JwtAuthPro {
                let head = wp_token_status(stream)?;
                let want = if args.contains(&"--plain-permalinks") {
                    "HTTP/1.1 404"
                } else {
                    "HTTP/1.1 200"
                };
                ensure!(head.starts_with(want), "{head}");
            }
            if api == Api::RedisEnterprise {
                let ca = std::fs::read_to_string(fields.get(2).context("no CA path")?)?;
                ensure!(ca.contains("BEGIN CERTIFICATE"));
            } else {
                ensure!(fields.len() == 2, "{line}");
            }
        }
        Ok(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

// ---------------------------------------------------------------- scale (run by hand)

/// 10,000 accounts each logging in and refreshing once against Smartling (rotation state for all of
/// them), 64 at a time, on loopback. `cargo test -p tokenkeeper-emulators -- --ignored scale`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load check, run by hand"]
async fn scale_ten_thousand_accounts() -> Result<()> {
    use futures_util::StreamExt;

    const ACCOUNTS: usize = 10_000;
    let mut config = EmulatorConfig::for_api(Api::Smartling);
    config.users = (0..ACCOUNTS)
        .map(|i| (format!("user{i}"), format!("pw{i}")))
        .collect();
    let env = Env::with(config, Api::Smartling).await?;
    let started = Instant::now();
    let results: Vec<Result<()>> = futures_util::stream::iter(0..ACCOUNTS)
        .map(|i| {
            let env = &env;
            async move {
                let login = env
                    .post_json(
                        "/auth-api/v2/authenticate",
                        json!({ "userIdentifier": format!("user{i}"), "userSecret": format!("pw{i}") }),
                    )
                    .await?;
                let refresh = str_at(&login.json()?, "/response/data/refreshToken")?.to_owned();
                ensure!(smartling_refresh(env, &refresh).await?.status == 200);
                Ok(())
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let failures = results.iter().filter(|r| r.is_err()).count();
    let elapsed = started.elapsed();
    eprintln!("{} requests in {elapsed:?}", ACCOUNTS * 2);
    ensure!(failures == 0, "{failures} failures");
    let stats = env.emu.stats();
    ensure!(
        (stats.logins, stats.refreshes) == (ACCOUNTS as u64, ACCOUNTS as u64),
        "{stats:?}"
    );
    ensure!(elapsed < Duration::from_secs(60), "too slow: {elapsed:?}");
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

// ---------------------------------------------------------------- served certificates (testcerts)

/// Run the real `openssl` with `args` and `input` on stdin: (exit status success, stdout).
fn openssl_status(args: &[&str], input: &str) -> Result<(bool, String)> {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running openssl")?;
    let mut stdin = child.stdin.take().context("openssl stdin")?;
    stdin.write_all(input.as_bytes())?;
    drop(stdin);
    let output = child.wait_with_output()?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

/// `openssl_status` that must succeed.
fn openssl(args: &[&str], input: &str) -> Result<String> {
    let (ok, stdout) = openssl_status(args, input)?;
    ensure!(ok, "openssl {args:?} failed: {stdout}");
    Ok(stdout)
}

/// Does `openssl x509 -text` output name `field: key = value`? (OpenSSL 3.5 prints `key=value`,
/// older ones `key = value`.)
fn has_name(text: &str, field: &str, key: &str, value: &str) -> bool {
    text.contains(&format!("{field}: {key} = {value}"))
        || text.contains(&format!("{field}: {key}={value}"))
}

/// The certificates' text as `openssl x509 -noout -text` prints it.
fn cert_text(pem: &str) -> Result<String> {
    openssl(&["x509", "-noout", "-text"], pem)
}

/// What the server on `port` presents, seen by `openssl s_client` offering h2 and http/1.1:
/// (the first certificate's PEM, the ALPN line).
async fn served(port: u16) -> Result<(String, String)> {
    let connect = format!("127.0.0.1:{port}");
    let text = tokio::task::spawn_blocking(move || {
        openssl(
            &[
                "s_client",
                "-connect",
                &connect,
                "-alpn",
                "h2,http/1.1",
                "-showcerts",
            ],
            "",
        )
    })
    .await??;
    let begin = text
        .find("-----BEGIN CERTIFICATE-----")
        .with_context(|| format!("no certificate: {text}"))?;
    let end_marker = "-----END CERTIFICATE-----";
    let end = text[begin..]
        .find(end_marker)
        .context("unterminated certificate")?;
    let pem = text[begin..begin + end + end_marker.len()].to_owned();
    let alpn = text
        .lines()
        .find(|line| line.contains("ALPN"))
        .unwrap_or_default()
        .to_owned();
    Ok((pem, alpn))
}

fn port_of(emu: &Emulator) -> Result<u16> {
    Ok(emu
        .base_url()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .parse()?)
}

/// The first PEM certificate in `pem`, whitespace-trimmed (for comparing what was served).
fn first_cert(pem: &str) -> String {
    let end_marker = "-----END CERTIFICATE-----";
    pem.find(end_marker)
        .map(|end| pem[..end + end_marker.len()].trim().to_owned())
        .unwrap_or_default()
}

/// A Redis Enterprise emulator serving `identity`.
async fn serving(identity: &TlsIdentity) -> Result<Emulator> {
    let mut config = EmulatorConfig::for_api(Api::RedisEnterprise);
    config.tls_identity = Some(identity.clone());
    Emulator::start(Api::RedisEnterprise, config).await
}

/// A client trusting only `ca_pems`.
fn trusting(ca_pems: &[&str]) -> Result<reqwest::Client> {
    let roots = ca_pems
        .iter()
        .map(|pem| reqwest::Certificate::from_pem(pem.as_bytes()))
        .collect::<reqwest::Result<Vec<_>>>()?;
    Ok(http()
        .timeout(Duration::from_secs(10))
        .tls_certs_only(roots)
        .build()?)
}

/// A client that checks no certificate at all (only the TLS handshake itself).
fn trusting_anything() -> Result<reqwest::Client> {
    Ok(http()
        .timeout(Duration::from_secs(10))
        .tls_danger_accept_invalid_certs(true)
        .build()?)
}

/// A Redis login through `client` to `host` (the emulator's port): the status, or the error chain.
async fn login_via(
    client: &reqwest::Client,
    host: &str,
    emu: &Emulator,
) -> Result<std::result::Result<u16, String>> {
    let url = format!("https://{host}:{}/v1/users/authorize", port_of(emu)?);
    match client
        .post(url)
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
    {
        Ok(response) => Ok(Ok(response.status().as_u16())),
        Err(error) => {
            let mut chain = format!("{error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                chain.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            Ok(Err(chain))
        }
    }
}

#[tokio::test]
async fn openssl_self_signed_is_what_appliances_ship_and_is_served_as_given() -> Result<()> {
    let identity =
        tokio::task::spawn_blocking(|| testcerts::openssl_self_signed("appliance.example"))
            .await??;
    let text = cert_text(&identity.cert_pem)?;
    ensure!(text.contains("CA:TRUE"), "{text}");
    ensure!(!text.contains("Subject Alternative Name"), "{text}");
    ensure!(
        has_name(&text, "Subject", "CN", "appliance.example"),
        "{text}"
    );
    ensure!(
        text.contains("rsaEncryption") && text.contains("2048 bit"),
        "{text}"
    );
    ensure!(identity.key_pem.contains("BEGIN PRIVATE KEY"));
    // Debug never shows the key.
    let debug = format!("{identity:?}");
    let key_line = identity.key_pem.lines().nth(1).unwrap_or("missing");
    ensure!(
        debug.contains("***") && !debug.contains(key_line),
        "{debug}"
    );
    ensure!(testcerts::openssl_self_signed("a/b").is_err());

    let emu = serving(&identity).await?;
    ensure!(emu.base_url().starts_with("https://127.0.0.1:"));
    ensure!(emu.ca_cert_pem().as_deref() == Some(identity.cert_pem.as_str()));
    let (pem, alpn) = served(port_of(&emu)?).await?;
    ensure!(pem == first_cert(&identity.cert_pem), "served {pem}");
    ensure!(alpn.contains("http/1.1") && !alpn.contains("h2"), "{alpn}");
    // The RSA key really serves: a client checking nothing logs in.
    ensure!(login_via(&trusting_anything()?, "127.0.0.1", &emu).await? == Ok(200));
    // A strict client (webpki) refuses it even when trusting exactly this certificate.
    let strict = login_via(&trusting(&[&identity.cert_pem])?, "127.0.0.1", &emu).await?;
    ensure!(strict.is_err(), "{strict:?}");
    Ok(())
}

#[tokio::test]
async fn tls_identity_keys_in_traditional_pem_forms_are_served() -> Result<()> {
    // RSA in the traditional PKCS#1 form ("BEGIN RSA PRIVATE KEY").
    let mut rsa =
        tokio::task::spawn_blocking(|| testcerts::openssl_self_signed("pkcs1.example")).await??;
    rsa.key_pem = openssl(&["rsa", "-traditional"], &rsa.key_pem)?;
    ensure!(
        rsa.key_pem.contains("BEGIN RSA PRIVATE KEY"),
        "{}",
        rsa.key_pem
    );
    let emu = serving(&rsa).await?;
    ensure!(served(port_of(&emu)?).await?.0 == first_cert(&rsa.cert_pem));
    ensure!(login_via(&trusting_anything()?, "127.0.0.1", &emu).await? == Ok(200));

    // EC in the SEC1 form ("BEGIN EC PRIVATE KEY"); the certificate verifies fully.
    let mut ec = testcerts::rcgen_leaf(&["127.0.0.1", "localhost"]);
    ensure!(
        ec.key_pem.contains("BEGIN PRIVATE KEY"),
        "rcgen writes PKCS#8"
    );
    ec.key_pem = openssl(&["ec"], &ec.key_pem)?;
    ensure!(
        ec.key_pem.contains("BEGIN EC PRIVATE KEY"),
        "{}",
        ec.key_pem
    );
    let emu = serving(&ec).await?;
    ensure!(login_via(&trusting(&[&ec.cert_pem])?, "localhost", &emu).await? == Ok(200));

    // A key that is not one, or one not matching the certificate: start fails.
    let mut broken = ec.clone();
    broken.key_pem = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n".into();
    ensure!(serving(&broken).await.is_err());
    let mut mismatched = ec.clone();
    mismatched.key_pem = testcerts::rcgen_leaf(&["localhost"]).key_pem;
    ensure!(serving(&mismatched).await.is_err());
    Ok(())
}

#[tokio::test]
async fn rcgen_leaf_verifies_wrong_host_and_expired_do_not() -> Result<()> {
    let leaf = testcerts::rcgen_leaf(&["127.0.0.1", "localhost"]);
    ensure!(!cert_text(&leaf.cert_pem)?.contains("CA:TRUE"));
    let emu = serving(&leaf).await?;
    ensure!(emu.ca_cert_pem().as_deref() == Some(leaf.cert_pem.as_str()));
    let client = trusting(&[&leaf.cert_pem])?;
    for host in ["127.0.0.1", "localhost"] {
        ensure!(login_via(&client, host, &emu).await? == Ok(200), "{host}");
    }
    let for_host = cert_text(&testcerts::for_host(&["host.example"]).cert_pem)?;
    ensure!(for_host.contains("DNS:host.example"), "{for_host}");

    let wrong = testcerts::wrong_host();
    let text = cert_text(&wrong.cert_pem)?;
    ensure!(
        text.contains("DNS:other.example") && !text.contains("127.0.0.1"),
        "{text}"
    );
    let emu = serving(&wrong).await?;
    ensure!(served(port_of(&emu)?).await?.0 == first_cert(&wrong.cert_pem));
    let refused = login_via(&trusting(&[&wrong.cert_pem])?, "localhost", &emu).await?;
    ensure!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("not valid for name")),
        "{refused:?}"
    );

    let expired = testcerts::expired(&["127.0.0.1", "localhost"]);
    // Not valid now, and ended about a year ago (not a moment ago).
    ensure!(!openssl_status(&["x509", "-noout", "-checkend", "0"], &expired.cert_pem)?.0);
    let dates = openssl(&["x509", "-noout", "-dates"], &expired.cert_pem)?;
    let field = |name: &str| -> Result<i64> {
        let value = dates
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .with_context(|| format!("no {name}: {dates}"))?;
        let time = chrono::NaiveDateTime::parse_from_str(value.trim(), "%b %e %H:%M:%S %Y GMT")?;
        Ok(time.and_utc().timestamp())
    };
    let year = 365 * 86_400;
    ensure!(near(field("notAfter=")?, now() - year, 86_400), "{dates}");
    ensure!(
        near(field("notBefore=")?, now() - 2 * year, 86_400),
        "{dates}"
    );
    let emu = serving(&expired).await?;
    let refused = login_via(&trusting(&[&expired.cert_pem])?, "127.0.0.1", &emu).await?;
    ensure!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("certificate expired")),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn ca_and_leaf_verify_through_the_ca_file_only() -> Result<()> {
    let (ca, leaf) = testcerts::ca_and_leaf(&["127.0.0.1", "localhost"]);
    let ca_text = cert_text(&ca)?;
    ensure!(
        ca_text.contains("CA:TRUE") && ca_text.contains("Certificate Sign"),
        "{ca_text}"
    );
    let leaf_text = cert_text(&leaf.cert_pem)?;
    ensure!(
        !leaf_text.contains("CA:TRUE")
            && has_name(&leaf_text, "Issuer", "CN", "TokenKeeper test CA"),
        "{leaf_text}"
    );
    // openssl agrees the chain is complete.
    let dir = tempfile::tempdir()?;
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca)?;
    let ca_path = ca_file.to_string_lossy().into_owned();
    let verified = openssl(&["verify", "-CAfile", &ca_path], &leaf.cert_pem)?;
    ensure!(verified.contains("OK"), "{verified}");

    let emu = serving(&leaf).await?;
    ensure!(emu.ca_cert_pem().as_deref() == Some(leaf.cert_pem.as_str()));
    let client = trusting(&[&ca])?;
    for host in ["127.0.0.1", "localhost"] {
        ensure!(login_via(&client, host, &emu).await? == Ok(200), "{host}");
    }
    // Another CA (even one with the same name) does not do.
    let (other_ca, _) = testcerts::ca_and_leaf(&["localhost"]);
    let refused = login_via(&trusting(&[&other_ca])?, "localhost", &emu).await?;
    ensure!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("invalid peer certificate: BadSignature")),
        "{refused:?}"
    );
    Ok(())
}

// ---------------------------------------------------------------- rotation, then a broken answer

/// Log in to Smartling or JWT Auth Pro: the refresh token.
async fn rotating_login(env: &Env) -> Result<String> {
    Ok(match env.emu.api() {
        Api::Smartling => {
            str_at(&smartling_auth(env).await?, "/response/data/refreshToken")?.to_owned()
        }
        _ => {
            let answer = wp_login(env, USER, PASSWORD).await?;
            ensure!(answer.status == 200, "{answer:?}");
            str_at(&answer.json()?, "/refresh_token")?.to_owned()
        }
    })
}

/// Refresh with `refresh` at Smartling or JWT Auth Pro.
async fn rotating_refresh(env: &Env, refresh: &str) -> Result<Answer> {
    match env.emu.api() {
        Api::Smartling => smartling_refresh(env, refresh).await,
        _ => {
            env.post_json(WP_REFRESH, json!({ "refresh_token": refresh }))
                .await
        }
    }
}

/// Where Smartling and JWT Auth Pro put (access token, refresh token) in a refresh's answer.
fn rotating_pointers(api: Api, documented: bool) -> (&'static str, &'static str) {
    match api {
        Api::Smartling => ("/response/data/accessToken", "/response/data/refreshToken"),
        _ if documented => ("/token", "/refresh_token"),
        _ => ("/access_token", "/refresh_token"),
    }
}

/// The rotating APIs and variants: Smartling, JWT Auth Pro (real), JWT Auth Pro (documented).
fn rotating_cases() -> [(Api, bool); 3] {
    [
        (Api::Smartling, false),
        (Api::JwtAuthPro, false),
        (Api::JwtAuthPro, true),
    ]
}

fn config_for(api: Api, documented: bool) -> EmulatorConfig {
    let mut config = EmulatorConfig::for_api(api);
    config.documented = documented;
    config
}

#[tokio::test]
async fn rotate_then_broken_token_really_rotates() -> Result<()> {
    for (api, documented) in rotating_cases() {
        for action in [
            FaultAction::RotateThenNotJwt,
            FaultAction::RotateThenMissingToken,
        ] {
            let case = format!("{api} documented={documented} {action:?}");
            let env = Env::with(config_for(api, documented), api).await?;
            let (access_at, refresh_at) = rotating_pointers(api, documented);
            let old = rotating_login(&env).await?;
            // The real JWT Auth Pro issues byte-identical tokens within one second (and judges
            // them by their first row): each step a second later keeps them apart.
            env.emu.advance_clock(2);
            env.emu
                .push_fault(Fault::once(FaultTarget::Refresh, action.clone()));
            let broken = rotating_refresh(&env, &old).await?;
            ensure!(broken.status == 200, "{case}: {broken:?}");
            ensure!(
                broken.header("content-type") == Some("application/json; charset=UTF-8"),
                "{case}: {broken:?}"
            );
            let body = broken.json()?;
            match action {
                FaultAction::RotateThenNotJwt => {
                    ensure!(str_at(&body, access_at)? == "abc", "{case}: {body}")
                }
                _ => ensure!(body.pointer(access_at).is_none(), "{case}: {body}"),
            }
            let new = str_at(&body, refresh_at)?.to_owned();
            ensure!(new != old, "{case}: not rotated");
            match (api, documented) {
                (Api::Smartling, _) => {
                    ensure!(body["response"]["code"] == "SUCCESS", "{case}: {body}")
                }
                (_, true) => ensure!(body["user_email"] == USER, "{case}: {body}"),
                (_, false) => ensure!(body["token_type"] == "Bearer", "{case}: {body}"),
            }

            // The new refresh token is the current one: it works, and is no reuse.
            env.emu.advance_clock(2);
            let next = rotating_refresh(&env, &new).await?;
            ensure!(next.status == 200, "{case}: {next:?}");
            ensure!(
                env.emu
                    .access_token_valid(str_at(&next.json()?, access_at)?),
                "{case}: the fault was used once"
            );
            ensure!(env.emu.stats().refresh_token_reuse == 0, "{case}");
            // The old one was really consumed: presenting it is a reuse.
            let reuse = rotating_refresh(&env, &old).await?;
            ensure!(matches!(reuse.status, 401 | 403), "{case}: {reuse:?}");
            let stats = env.emu.stats();
            ensure!(
                (stats.refresh_token_reuse, stats.refreshes) == (1, 2),
                "{case}: {stats:?}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn rotate_then_faults_edit_each_apis_token_field_and_pass_errors_through() -> Result<()> {
    for api in Api::ALL {
        for action in [
            FaultAction::RotateThenNotJwt,
            FaultAction::RotateThenMissingToken,
        ] {
            let case = format!("{api} {action:?}");
            let env = Env::new(api).await?;
            edit_one_token_field(&env, &case, action.clone(), false).await?;
        }
    }
    // And the documented JWT Auth Pro, whose refresh answers the login's shape.
    for action in [
        FaultAction::RotateThenNotJwt,
        FaultAction::RotateThenMissingToken,
    ] {
        let env = Env::with(wp_documented(), Api::JwtAuthPro).await?;
        edit_one_token_field(&env, &format!("documented {action:?}"), action, true).await?;
    }

    // A refused request passes through unchanged, and uses the fault up.
    let env = Env::new(Api::Smartling).await?;
    env.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::RotateThenNotJwt,
    ));
    let refused = smartling_refresh(&env, "not-a-token").await?;
    let error = smartling_error(&refused, 401, "AUTHENTICATION_ERROR")?;
    ensure!(error["key"] == "invalid_token", "{error}");
    let wp = Env::new(Api::JwtAuthPro).await?;
    wp.emu.push_fault(Fault::once(
        FaultTarget::Refresh,
        FaultAction::RotateThenMissingToken,
    ));
    wp_error(
        &rotating_refresh(&wp, "not-a-token").await?,
        403,
        "jwt_auth_invalid_refresh_token",
    )?;
    let refresh = rotating_login(&env).await?;
    let fine = smartling_refresh(&env, &refresh).await?.json()?;
    ensure!(
        env.emu
            .access_token_valid(str_at(&fine, "/response/data/accessToken")?)
    );
    Ok(())
}

/// One `RotateThen*` fault on the token-issuing call each API has (Redis and ECE: the login;
/// the others: a refresh): the token field is edited, the rest of the real answer kept.
async fn edit_one_token_field(
    env: &Env,
    case: &str,
    action: FaultAction,
    documented: bool,
) -> Result<()> {
    let api = env.emu.api();
    let target = match api {
        Api::RedisEnterprise | Api::Ece => FaultTarget::Login,
        _ => FaultTarget::Refresh,
    };
    env.emu.push_fault(Fault::once(target, action.clone()));
    let answer = match api {
        Api::RedisEnterprise => redis_login(env, None).await?,
        Api::Ece => {
            env.post_json(
                "/api/v1/users/auth/_login",
                json!({ "username": USER, "password": PASSWORD }),
            )
            .await?
        }
        Api::GenericJwt => {
            let refresh = env.emu.issue_refresh_token(USER);
            env.post_json(
                "/api/v1/authenticate/refresh",
                json!({ "refreshToken": refresh }),
            )
            .await?
        }
        Api::Smartling | Api::JwtAuthPro => {
            let refresh = rotating_login(env).await?;
            rotating_refresh(env, &refresh).await?
        }
    };
    ensure!(answer.status == 200, "{case}: {answer:?}");
    let body = answer.json()?;
    let pointer = match api {
        Api::RedisEnterprise => "/access_token",
        Api::Ece => "/token",
        Api::JwtAuthPro => rotating_pointers(api, documented).0,
        Api::Smartling => "/response/data/accessToken",
        Api::GenericJwt => "/jwtToken",
    };
    match action {
        FaultAction::RotateThenNotJwt => {
            ensure!(str_at(&body, pointer)? == "abc", "{case}: {body}")
        }
        _ => ensure!(body.pointer(pointer).is_none(), "{case}: {body}"),
    }
    // The rest of the real answer is kept.
    match api {
        Api::Ece => ensure!(body["session_expiration_time"].is_string(), "{case}"),
        Api::Smartling => ensure!(body["response"]["data"]["expiresIn"] == 480, "{case}"),
        Api::JwtAuthPro if documented => ensure!(body["user_id"] == 1, "{case}"),
        Api::JwtAuthPro => ensure!(
            body["expires_in"]
                .as_i64()
                .is_some_and(|e| (7 * 86_400 - 1..=7 * 86_400).contains(&e))
                && body["refresh_token"].is_string(),
            "{case}: {body}"
        ),
        Api::RedisEnterprise | Api::GenericJwt => {
            ensure!(body.is_object(), "{case}: {body}")
        }
    }
    Ok(())
}
