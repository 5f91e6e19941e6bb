//! An OAuth 2.0 / OpenID Connect account in the real app, against the certified OpenID
//! Provider of `tests/oidc/` (the same server and browser the CLI's suite uses: included from
//! `crates/tokenkeeper-cli/tests/oidc/`). The app opens "the browser" through `$BROWSER`
//! (`tests/e2e/browser.sh`, set by scripts/e2e.sh), which notes the page; the test then plays
//! the person at that page over HTTP. Every token the app hands out is checked at the server's
//! introspection endpoint.

#[path = "../../../crates/tokenkeeper-cli/tests/oidc/browser.rs"]
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
mod browser;
#[path = "../../../crates/tokenkeeper-cli/tests/oidc/server.rs"]
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
mod server;

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};
use tokenkeeper_e2e::app::*;
use tokenkeeper_e2e::webdriver::Session;
use tokenkeeper_e2e::{cli, cli_ok, clipboard, env, eventually, notifications, screenshot_dir};

use browser::Browser;
use server::{Oidc, PUBLIC};

/// The pages the app opened in the browser so far.
fn pages() -> Result<Vec<String>> {
    let log = std::fs::read_to_string(env("TOKENKEEPER_BROWSER_LOG")?)?;
    Ok(log.lines().map(str::to_owned).collect())
}

/// The next page the app opens after `seen` pages were opened.
async fn next_page(seen: usize) -> Result<String> {
    eventually(20, "the app to open the sign-in page", async || {
        Ok(pages()?.get(seen).cloned())
    })
    .await
}

async fn status(app: &Session, name: &str) -> Result<Value> {
    app.execute(
        "const c = document.querySelector(arguments[0]); return c ? c.dataset.status : null",
        json!([card(name)]),
    )
    .await
}

/// The add form, for an OAuth 2.0 account at `issuer`, discovered.
async fn fill_form(app: &Session, name: &str, issuer: &str, grant: &str) -> Result<()> {
    app.click_css("button[data-action=add]").await?;
    app.select("form.account-form select[name=provider]", "oauth2")
        .await?;
    app.type_into("input[name=url]", issuer).await?;
    app.click_css("button[data-action=discover]").await?;
    app.wait_for("[data-field=discovered]:not([hidden])", 20)
        .await?;
    let offered = app.text("[data-field=offered-grants]").await?;
    ensure!(
        offered.contains("The browser on this computer") && offered.contains("device"),
        "what the server offers: {offered}"
    );
    app.type_into("input[name=name]", name).await?;
    app.type_into("input[name=clientId]", PUBLIC).await?;
    app.select("form.account-form select[name=grant]", grant)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs Xvfb, tauri-driver and a notification daemon: run by scripts/e2e.sh"]
async fn an_account_added_with_the_browser_sign_in_stays_fresh_and_a_revoked_grant_needs_login()
-> Result<()> {
    // Short access tokens: the background refreshes every few seconds, rotating the refresh
    // token each time (oidc-provider's reuse detection would revoke the grant on a slip).
    let oidc = Oidc::start(&[("OIDC_ACCESS_TTL", "8")]);
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config");
    let app = start_app(LIGHT, &config).await?;
    let result = browser_sign_in(&app, &config, &oidc).await;
    finish(app).await?;
    result.with_context(|| format!("the server said:\n{}", oidc.log()))
}

async fn browser_sign_in(app: &Session, config: &Path, oidc: &Oidc) -> Result<()> {
    fill_form(app, "work", &oidc.issuer, "authorization-code").await?;
    app.screenshot(&screenshot_dir().join("oauth-form-light.png"))
        .await?;
    let seen = pages()?.len();
    app.click_css("button[data-action=save]").await?;
    let page = next_page(seen).await?;
    ensure!(
        page.starts_with(&oidc.url("/auth?")) && page.contains("code_challenge_method=S256"),
        "the authorization page, with PKCE: {page}"
    );
    // The window says what to do while it waits, with the page it opened.
    app.wait_for("[data-field=sign-in]:not([hidden])", 10)
        .await?;
    ensure!(app.text("[data-field=sign-in-page]").await? == page);
    app.screenshot(&screenshot_dir().join("oauth-sign-in-light.png"))
        .await?;
    let landed = Browser::default()
        .sign_in(oidc.client(), &page, &oidc.issuer, ("alice", "alice"))
        .await;
    ensure!(landed.status == 200, "the browser came back: {landed:?}");
    app.wait_for(&card("work"), 20).await?;
    eventually(10, "the new account fresh", async || {
        Ok((status(app, "work").await? == json!("fresh")).then_some(()))
    })
    .await?;

    // Several token lifetimes: every token handed out (the CLI's `token`, the window's Copy)
    // is active at the server, and the background keeps rotating without a reuse.
    let mut handed = HashSet::new();
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        let token = cli_ok(config, &["token", "work", "--min-valid", "3"], None)?;
        let token = token.trim().to_owned();
        oidc.assert_active(&token, PUBLIC).await;
        handed.insert(token);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    app.click_css(&format!("{} [data-action=copy]", card("work")))
        .await?;
    feedback_says(app, &card("work"), "Copied, valid for", 15).await?;
    let copied = clipboard(None)?;
    oidc.assert_active(copied.trim(), PUBLIC).await;
    handed.insert(copied.trim().to_owned());
    ensure!(
        handed.len() >= 3,
        "the background refreshed over several lifetimes: {} tokens",
        handed.len()
    );
    oidc.assert_never("already used");
    // Fresh (between two refreshes: one may be running now).
    eventually(10, "still fresh", async || {
        Ok((status(app, "work").await? == json!("fresh")).then_some(()))
    })
    .await
    .with_context(|| format!("{:?}", listed(config)))?;
    app.screenshot(&screenshot_dir().join("oauth-list-light.png"))
        .await?;

    // The grant is revoked at the server: within one refresh the account needs login, says so
    // in a notification, and no token is handed out any more.
    oidc.control("/test/revoke", json!({"client_id": PUBLIC}))
        .await;
    eventually(30, "needs login after the revocation", async || {
        Ok((status(app, "work").await? == json!("needs login")).then_some(()))
    })
    .await?;
    eventually(10, "a needs-login notification", async || {
        Ok(notifications()?.contains("work needs login").then_some(()))
    })
    .await
    .with_context(|| format!("the notification daemon saw: {:?}", notifications()))?;
    let refused = cli(config, &["token", "work"], None)?;
    ensure!(
        !refused.status.success() && refused.stdout.is_empty(),
        "no stale token handed out: {refused:?}"
    );

    // Log in from the window: the browser again, and the account is fresh.
    app.click_css(&format!("{} [data-action=login]", card("work")))
        .await?;
    let seen = pages()?.len();
    app.click_css("button[data-action=submit-login]").await?;
    let page = next_page(seen).await?;
    let landed = Browser::default()
        .sign_in(oidc.client(), &page, &oidc.issuer, ("alice", "alice"))
        .await;
    ensure!(landed.status == 200, "{landed:?}");
    eventually(20, "fresh after signing in again", async || {
        Ok((status(app, "work").await? == json!("fresh")).then_some(()))
    })
    .await?;
    let token = cli_ok(config, &["token", "work", "--min-valid", "3"], None)?;
    oidc.assert_active(token.trim(), PUBLIC).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs Xvfb, tauri-driver and a notification daemon: run by scripts/e2e.sh"]
async fn a_device_sign_in_shows_its_code_with_copy_and_cancel_stores_nothing() -> Result<()> {
    let oidc = Oidc::start(&[]);
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config");
    let app = start_app(DARK, &config).await?;
    let result = device_sign_in(&app, &config, &oidc).await;
    finish(app).await?;
    result.with_context(|| format!("the server said:\n{}", oidc.log()))
}

async fn device_sign_in(app: &Session, config: &Path, oidc: &Oidc) -> Result<()> {
    fill_form(app, "tv", &oidc.issuer, "device-code").await?;
    // Cancelled while the code shows: the add fails, nothing is stored.
    app.click_css("button[data-action=save]").await?;
    app.wait_for("[data-field=user-code]", 20).await?;
    app.click_css("button[data-action=cancel-sign-in]").await?;
    let said = eventually(20, "the cancelled sign-in's error", async || {
        let text = app.text("[data-field=form-error]").await?;
        Ok((!text.is_empty()).then_some(text))
    })
    .await?;
    ensure!(said.contains("cancelled"), "{said}");
    ensure!(
        listed(config)?.as_array().is_some_and(Vec::is_empty),
        "nothing was added"
    );

    // Again, to the end: the code is shown, copied, and entered at the server.
    let seen = pages()?.len();
    app.click_css("button[data-action=save]").await?;
    let page = next_page(seen).await?;
    app.wait_for("[data-field=user-code]", 20).await?;
    let user_code = app.text("[data-field=user-code]").await?;
    ensure!(
        page.contains(&format!("user_code={user_code}")),
        "the page opened has the code shown filled in: {page}, {user_code}"
    );
    ensure!(
        page.starts_with(&oidc.url("/device")),
        "the verification page opened: {page}"
    );
    app.screenshot(&screenshot_dir().join("oauth-device-code-dark.png"))
        .await?;
    app.click_css("button[data-action=copy-code]").await?;
    let copied = eventually(10, "the code on the clipboard", async || {
        Ok((clipboard(None)?.trim() == user_code).then_some(()))
    })
    .await;
    if let Err(e) = copied {
        let said = app.text("[data-field=sign-in-said]").await?;
        anyhow::bail!(
            "{e}: the clipboard holds {:?}; the window said {said:?}",
            clipboard(None)?
        );
    }
    oidc.control(
        "/test/device",
        json!({"user_code": user_code, "account": "bob"}),
    )
    .await;
    app.wait_for(&card("tv"), 30).await?;
    let token = cli_ok(config, &["token", "tv", "--min-valid", "10"], None)?;
    oidc.assert_active(token.trim(), PUBLIC).await;
    app.screenshot(&screenshot_dir().join("oauth-list-dark.png"))
        .await?;
    Ok(())
}
