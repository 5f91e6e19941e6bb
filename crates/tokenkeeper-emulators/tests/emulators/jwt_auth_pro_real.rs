//! JWT Auth Pro as the real plugin (0.2.1) answers (the default): shapes and bytes, rotation that
//! revokes the old pair, reuse that spares the family, same-second tokens, WordPress's errors.

use crate::common::*;
use crate::jwt_auth_pro::{WP_REFRESH, WP_TOKEN, wp_documented, wp_error, wp_login};

const WP_VALIDATE: &str = "/wp-json/jwt-auth/v1/token/validate";
const WP_REVOKE: &str = "/wp-json/jwt-auth/v1/token/revoke";
const WP_ME: &str = "/wp-json/wp/v2/users/me";

async fn validate(env: &Env, token: &str) -> Result<Answer> {
    send(env.post(WP_VALIDATE).bearer_auth(token)).await
}

async fn me(env: &Env, token: &str) -> Result<Answer> {
    send(env.client.get(env.url(WP_ME)).bearer_auth(token)).await
}

fn is_hex32(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The keys of a JSON object in the order the server wrote them.
fn keys_in_order(text: &str, keys: &[&str]) -> bool {
    let mut at = 0;
    for key in keys {
        match text[at..].find(&format!("\"{key}\":")) {
            Some(i) => at += i + key.len(),
            None => return false,
        }
    }
    true
}

#[tokio::test]
async fn jwt_auth_pro_real_login_and_refresh_shapes() -> Result<()> {
    let env = Env::new(Api::JwtAuthPro).await?;
    let login = wp_login(&env, USER, PASSWORD).await?;
    ensure!(login.status == 200, "{login:?}");
    let body = login.json()?;
    let fields = [
        "token",
        "user_id",
        "user_email",
        "user_nicename",
        "user_display_name",
        "refresh_token",
    ];
    ensure!(
        body.as_object().map(|o| o.len()) == Some(6) && keys_in_order(&login.text, &fields),
        "{}",
        login.text
    );
    ensure!(body["user_id"] == 1 && body["user_email"] == USER, "{body}");
    let first_refresh = str_at(&body, "/refresh_token")?.to_owned();
    ensure!(is_hex32(&first_refresh), "not 32 hex: {first_refresh}");
    let token = str_at(&body, "/token")?;
    // The plugin's JWT: its header, iss/iat/nbf/exp/data.user.id (a string), no sub, no jti.
    ensure!(token.starts_with("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."));
    let c = claims(token)?;
    ensure!(c["iss"] == env.emu.base_url().as_str(), "{c}");
    ensure!(
        c["data"]["user"]["id"] == "1" && c["nbf"] == c["iat"],
        "{c}"
    );
    ensure!(c.get("jti").is_none() && c.get("sub").is_none(), "{c}");
    ensure!(int_claim(token, "exp")? - int_claim(token, "iat")? == 7 * 86_400);

    let refreshed = env
        .post_json(WP_REFRESH, json!({ "refresh_token": first_refresh }))
        .await?;
    ensure!(refreshed.status == 200, "{refreshed:?}");
    let body = refreshed.json()?;
    let fields = ["access_token", "expires_in", "token_type", "refresh_token"];
    ensure!(
        body.as_object().map(|o| o.len()) == Some(4) && keys_in_order(&refreshed.text, &fields),
        "{}",
        refreshed.text
    );
    ensure!(body["token_type"] == "Bearer", "{body}");
    let expires_in = body["expires_in"].as_i64().context("expires_in")?;
    ensure!((7 * 86_400 - 1..=7 * 86_400).contains(&expires_in));
    let second = str_at(&body, "/refresh_token")?;
    ensure!(is_hex32(second) && second != first_refresh, "{body}");
    claims(str_at(&body, "/access_token")?)?;
    let stats = env.emu.stats();
    ensure!((stats.logins, stats.refreshes) == (1, 1), "{stats:?}");
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_real_rotation_revokes_the_old_pair_and_reuse_spares_the_family() -> Result<()>
{
    let env = Env::new(Api::JwtAuthPro).await?;
    let login = wp_login(&env, USER, PASSWORD).await?.json()?;
    let (old_access, old_refresh) = (
        str_at(&login, "/token")?.to_owned(),
        str_at(&login, "/refresh_token")?.to_owned(),
    );
    ensure!(validate(&env, &old_access).await?.status == 200);
    ensure!(me(&env, &old_access).await?.status == 200);
    env.emu.advance_clock(5);
    let refreshed = env
        .post_json(WP_REFRESH, json!({ "refresh_token": old_refresh }))
        .await?
        .json()?;
    let new_access = str_at(&refreshed, "/access_token")?.to_owned();
    let new_refresh = str_at(&refreshed, "/refresh_token")?.to_owned();

    // The access token issued with the old pair is refused now, by validate and by routes.
    let refused = validate(&env, &old_access).await?;
    let body = wp_error(&refused, 403, "jwt_auth_revoked_token")?;
    ensure!(body["message"] == "This token has been revoked", "{body}");
    let anonymous = me(&env, &old_access).await?;
    wp_error(&anonymous, 401, "rest_not_logged_in")?;
    ensure!(!env.emu.access_token_valid(&old_access));
    ensure!(validate(&env, &new_access).await?.status == 200);
    let mine = me(&env, &new_access).await?;
    ensure!(mine.status == 200 && mine.json()?["id"] == 1, "{mine:?}");

    // The old refresh token again: refused, nothing else happens.
    let reuse = env
        .post_json(WP_REFRESH, json!({ "refresh_token": old_refresh }))
        .await?;
    ensure!(
        reuse.status == 403
            && reuse.text
                == r#"{"code":"jwt_auth_invalid_refresh_token","message":"Invalid refresh token.","data":{"status":403}}"#,
        "{reuse:?}"
    );
    let stats = env.emu.stats();
    ensure!(
        (
            stats.refresh_token_reuse,
            stats.families_revoked,
            stats.access_tokens_revoked
        ) == (1, 0, 1),
        "{stats:?}"
    );
    // The family lives on: the newest refresh token still works.
    env.emu.advance_clock(5);
    let still = env
        .post_json(WP_REFRESH, json!({ "refresh_token": new_refresh }))
        .await?;
    ensure!(still.status == 200, "{still:?}");
    ensure!(
        validate(&env, &new_access).await?.status == 403,
        "rotated out"
    );
    Ok(())
}

/// Two logins of one user in one second (retried until they are).
async fn two_logins_in_one_second(env: &Env) -> Result<(Value, Value)> {
    for _ in 0..5 {
        let a = wp_login(env, USER, PASSWORD).await?.json()?;
        let b = wp_login(env, USER, PASSWORD).await?.json()?;
        let (ta, tb) = (str_at(&a, "/token")?, str_at(&b, "/token")?);
        if int_claim(ta, "iat")? == int_claim(tb, "iat")? {
            return Ok((a, b));
        }
    }
    bail!("no two logins within one second")
}

#[tokio::test]
async fn jwt_auth_pro_real_tokens_of_one_second_are_one_token() -> Result<()> {
    let env = Env::new(Api::JwtAuthPro).await?;
    let (a, b) = two_logins_in_one_second(&env).await?;
    let token = str_at(&a, "/token")?;
    ensure!(token == str_at(&b, "/token")?, "byte-identical JWTs");
    ensure!(a["refresh_token"] != b["refresh_token"], "two rows");
    // Refreshing the first session revokes its row, the first holding these bytes: the second
    // session's token, the same bytes, is refused with it though its own row is live.
    env.emu.advance_clock(5);
    let refreshed = env
        .post_json(WP_REFRESH, json!({ "refresh_token": a["refresh_token"] }))
        .await?;
    ensure!(refreshed.status == 200, "{refreshed:?}");
    wp_error(&validate(&env, token).await?, 403, "jwt_auth_revoked_token")?;
    // The second session's refresh token is untouched.
    let other = env
        .post_json(WP_REFRESH, json!({ "refresh_token": b["refresh_token"] }))
        .await?;
    ensure!(other.status == 200, "{other:?}");
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_real_wordpress_errors() -> Result<()> {
    let env = Env::new(Api::JwtAuthPro).await?;
    let base = env.emu.base_url().replace('/', "\\/");
    let wrong = wp_login(&env, "admin", "x").await?;
    let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
    config.users = vec![("alice".into(), "pw".into())];
    let alice = Env::with(config, Api::JwtAuthPro).await?;
    let wrong_alice = wp_login(&alice, "alice", "nope").await?;
    let alice_base = alice.emu.base_url().replace('/', "\\/");
    ensure!(
        wrong_alice.status == 403
            && wrong_alice.text
                == format!(
                    "{{\"code\":\"jwt_auth_failed\",\"message\":\"<strong>Error:<\\/strong> The password you entered for the username \
                     <strong>alice<\\/strong> is incorrect. <a href=\\\"{alice_base}\\/wp-login.php?action=lostpassword\\\">Lost your \
                     password?<\\/a>\",\"data\":{{\"status\":403}}}}"
                ),
        "{wrong_alice:?}"
    );
    ensure!(
        wrong_alice.header("x-ratelimit-limit").is_none(),
        "no rate-limit headers while rate_limits is off"
    );
    // "admin" is no login name here ("admin@example.com" is).
    let body = wp_error(&wrong, 403, "jwt_auth_failed")?;
    ensure!(
        body["message"]
            == "<strong>Error:</strong> The username <strong>admin</strong> is not registered on this site. \
                If you are unsure of your username, try your email address instead.",
        "{body} ({base})"
    );
    let by_mail = wp_error(&wp_login(&env, USER, "x").await?, 403, "jwt_auth_failed")?;
    let message = str_at(&by_mail, "/message")?;
    ensure!(
        message.contains("for the email address <strong>admin@example.com</strong> is incorrect."),
        "{message}"
    );
    let unknown = wp_error(
        &wp_login(&env, "bob@x.org", "x").await?,
        403,
        "jwt_auth_failed",
    )?;
    ensure!(unknown["message"] == "Unknown email address. Check again or try your username.");
    let empty = wp_error(&wp_login(&env, "", "x").await?, 403, "jwt_auth_failed")?;
    ensure!(empty["message"] == "<strong>Error:</strong> The username field is empty.");

    // WordPress's own checks come first.
    let missing = env.post_json(WP_TOKEN, json!({ "username": USER })).await?;
    ensure!(
        missing.text
            == r#"{"code":"rest_missing_callback_param","message":"Missing parameter(s): password","data":{"status":400,"params":["password"]}}"#,
        "{missing:?}"
    );
    let typed = env
        .post_json(WP_TOKEN, json!({ "username": 5, "password": "x" }))
        .await?;
    let body = wp_error(&typed, 400, "rest_invalid_param")?;
    ensure!(body["data"]["params"]["username"] == "username is not of type string.");
    let broken = send(env.post(WP_TOKEN).body("{nope")).await?;
    let body = wp_error(&broken, 400, "rest_invalid_json")?;
    ensure!(body["data"]["json_error_code"] == 4, "{body}");
    wp_error(
        &env.post_json(WP_REFRESH, json!({})).await?,
        400,
        "rest_missing_callback_param",
    )?;
    let wrong_method = send(env.client.get(env.url(WP_TOKEN))).await?;
    wp_error(&wrong_method, 404, "rest_no_route")?;

    // An expired refresh token is simply not found.
    let refresh = env.emu.issue_refresh_token(USER);
    ensure!(is_hex32(&refresh), "{refresh}");
    env.emu.advance_clock(30 * 86_400 + 1);
    let expired = env
        .post_json(WP_REFRESH, json!({ "refresh_token": refresh }))
        .await?;
    let body = wp_error(&expired, 403, "jwt_auth_invalid_refresh_token")?;
    ensure!(body["message"] == "Invalid refresh token.", "{body}");

    // Validate: php-jwt's messages.
    wp_error(
        &send(env.post(WP_VALIDATE)).await?,
        403,
        "jwt_auth_no_auth_header",
    )?;
    let garbage = wp_error(&validate(&env, "abc").await?, 403, "jwt_auth_invalid_token")?;
    ensure!(
        garbage["message"] == "Wrong number of segments",
        "{garbage}"
    );
    let short = env.emu.issue_access_token(USER, 10);
    ensure!(validate(&env, &short).await?.status == 200);
    env.emu.advance_clock(11);
    let old = wp_error(
        &validate(&env, &short).await?,
        403,
        "jwt_auth_invalid_token",
    )?;
    ensure!(old["message"] == "Expired token", "{old}");
    let foreign = wp_error(
        &validate(&alice, &env.emu.issue_access_token(USER, 60)).await?,
        403,
        "jwt_auth_invalid_token",
    )?;
    ensure!(foreign["message"] == "Signature verification failed");
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_real_revoke_kills_the_row() -> Result<()> {
    let env = Env::new(Api::JwtAuthPro).await?;
    let login = wp_login(&env, USER, PASSWORD).await?.json()?;
    let token = str_at(&login, "/token")?;
    let revoked = send(env.post(WP_REVOKE).bearer_auth(token)).await?;
    ensure!(revoked.status == 200, "{revoked:?}");
    let body = revoked.json()?;
    ensure!(body["code"] == "jwt_auth_token_revoked" && body["data"]["status"] == 200);
    let at = str_at(&body, "/data/revoked_at")?;
    ensure!(
        chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{at}"
    );
    wp_error(&validate(&env, token).await?, 403, "jwt_auth_revoked_token")?;
    // Its refresh token went with it; that is no reuse.
    let refresh = env
        .post_json(
            WP_REFRESH,
            json!({ "refresh_token": login["refresh_token"] }),
        )
        .await?;
    wp_error(&refresh, 403, "jwt_auth_invalid_refresh_token")?;
    let stats = env.emu.stats();
    ensure!(
        (stats.refresh_token_reuse, stats.access_tokens_revoked) == (0, 1),
        "{stats:?}"
    );
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_real_rate_limit_is_60_a_minute_per_ip_over_all_routes() -> Result<()> {
    let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
    config.rate_limits = true;
    let env = Env::with(config, Api::JwtAuthPro).await?;
    let ok = wp_login(&env, USER, PASSWORD).await?;
    ensure!(ok.status == 200, "{ok:?}");
    ensure!(
        ok.header("x-ratelimit-limit") == Some("60")
            && ok.header("x-ratelimit-remaining") == Some("59"),
        "{ok:?}"
    );
    let reset: i64 = ok.header("x-ratelimit-reset").context("reset")?.parse()?;
    ensure!(near(reset, now() + 60, 5), "absolute time: {reset}");
    ensure!(ok.header("retry-after").is_some(), "on success too");
    // A refused request counts, and carries the headers without Retry-After.
    let bad = env
        .post_json(WP_REFRESH, json!({ "refresh_token": "x" }))
        .await?;
    ensure!(
        bad.status == 403
            && bad.header("x-ratelimit-remaining") == Some("58")
            && bad.header("retry-after").is_none(),
        "{bad:?}"
    );
    // Requests WordPress refuses before the plugin runs do not count.
    ensure!(send(env.post(WP_VALIDATE)).await?.status == 403);
    ensure!(env.post_json(WP_REFRESH, json!({})).await?.status == 400);
    for i in 0..58 {
        let answer = validate(&env, "abc").await?;
        ensure!(answer.status == 403, "{i}: {answer:?}");
    }
    let limited = wp_login(&env, USER, PASSWORD).await?;
    let body = wp_error(&limited, 429, "jwt_auth_rate_limited")?;
    ensure!(body["message"] == "Rate limit exceeded", "{body}");
    let retry = body["data"]["retry_after"]
        .as_i64()
        .context("retry_after")?;
    ensure!((1..=60).contains(&retry), "{body}");
    ensure!(limited.header("retry-after") == Some(retry.to_string().as_str()));
    ensure!(
        limited.header("x-ratelimit-limit") == Some("60")
            && limited.header("x-ratelimit-remaining") == Some("0")
    );
    ensure!(me(&env, "abc").await?.status == 429, "protected routes too");
    let stats = env.emu.stats();
    ensure!(
        stats.rate_limited == 2 && stats.failed_logins == 1,
        "{stats:?}"
    );
    // Another address has its own window.
    let elsewhere = env
        .post(WP_TOKEN)
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({ "username": USER, "password": PASSWORD }));
    ensure!(send(elsewhere).await?.status == 200);
    env.emu.advance_clock(61);
    ensure!(
        wp_login(&env, USER, PASSWORD).await?.status == 200,
        "a new window"
    );
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_unlicensed_refuses_every_route() -> Result<()> {
    let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
    config.unlicensed = true;
    let env = Env::with(config, Api::JwtAuthPro).await?;
    let forbidden = r#"{"code":"rest_forbidden","message":"Please activate your JWT Auth Pro license.","data":{"status":401}}"#;
    let refresh = env.emu.issue_refresh_token(USER);
    let token = env.emu.issue_access_token(USER, 60);
    let answers = [
        wp_login(&env, USER, PASSWORD).await?,
        env.post_json(WP_REFRESH, json!({ "refresh_token": refresh }))
            .await?,
        validate(&env, &token).await?,
        send(env.post(WP_REVOKE).bearer_auth(&token)).await?,
    ];
    for answer in answers {
        ensure!(
            answer.status == 401 && answer.text == forbidden,
            "{answer:?}"
        );
    }
    // WordPress checks the parameters before the licence.
    let missing = env.post_json(WP_REFRESH, json!({})).await?;
    wp_error(&missing, 400, "rest_missing_callback_param")?;
    // The documented variant is the same plugin.
    let mut config = wp_documented();
    config.unlicensed = true;
    let documented = Env::with(config, Api::JwtAuthPro).await?;
    wp_error(
        &wp_login(&documented, USER, PASSWORD).await?,
        401,
        "rest_forbidden",
    )?;
    let stats = env.emu.stats();
    ensure!(
        (stats.logins, stats.failed_logins, stats.failed_refreshes) == (0, 1, 2),
        "{stats:?}"
    );
    Ok(())
}

#[tokio::test]
async fn jwt_auth_pro_answers_at_rest_route_and_plain_permalinks_only_there() -> Result<()> {
    let login = json!({ "username": USER, "password": PASSWORD });
    // Pretty permalinks (default): both forms.
    let env = Env::new(Api::JwtAuthPro).await?;
    let plain_form = env
        .post_json("/?rest_route=/jwt-auth/v1/token", login.clone())
        .await?;
    ensure!(plain_form.status == 200, "{plain_form:?}");
    let refresh = str_at(&plain_form.json()?, "/refresh_token")?.to_owned();
    env.emu.advance_clock(2);
    let encoded = env
        .post_json(
            "/index.php?rest_route=%2Fjwt-auth%2Fv1%2Ftoken%2Frefresh",
            json!({ "refresh_token": refresh }),
        )
        .await?;
    ensure!(encoded.status == 200, "{encoded:?}");
    ensure!(wp_login(&env, USER, PASSWORD).await?.status == 200);
    wp_error(
        &env.post_json("/?rest_route=/jwt-auth/v1/nowhere", json!({}))
            .await?,
        404,
        "rest_no_route",
    )?;

    // Plain permalinks: /wp-json is the web server's 404 page; ?rest_route= works.
    let mut config = EmulatorConfig::for_api(Api::JwtAuthPro);
    config.plain_permalinks = true;
    let plain = Env::with(config, Api::JwtAuthPro).await?;
    let pretty = wp_login(&plain, USER, PASSWORD).await?;
    ensure!(pretty.status == 404 && pretty.json().is_err(), "{pretty:?}");
    ensure!(
        pretty
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
            && pretty.text.contains("<title>404 Not Found</title>"),
        "{pretty:?}"
    );
    let routed = plain
        .post_json("/?rest_route=/jwt-auth/v1/token", login.clone())
        .await?;
    ensure!(routed.status == 200, "{routed:?}");
    // Faults know the endpoint in either form.
    plain.emu.push_fault(Fault::once(
        FaultTarget::Login,
        FaultAction::ApiError { status: 503 },
    ));
    let faulted = plain
        .post_json("/?rest_route=/jwt-auth/v1/token", login)
        .await?;
    ensure!(faulted.status == 503, "{faulted:?}");
    let stats = plain.emu.stats();
    ensure!(
        (stats.logins, stats.requests, stats.last_login_had_body) == (1, 3, Some(true)),
        "{stats:?}"
    );
    Ok(())
}
