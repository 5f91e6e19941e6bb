//! The W3C WebDriver calls the suites need, against tauri-driver (which hands them to
//! WebKitWebDriver): sessions for the app binary, finding elements by CSS, clicking, typing,
//! reading text, running scripts, screenshots and closing the window.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use serde_json::{Value, json};

/// The key W3C uses for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A session: one running app.
#[derive(Debug)]
pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

/// An element of the page.
#[derive(Clone, Debug)]
pub struct Element(String);

async fn answer(response: reqwest::Response) -> Result<Value> {
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .context("WebDriver answered no JSON")?;
    if !status.is_success() {
        bail!("WebDriver {status}: {}", body["value"]);
    }
    Ok(body["value"].clone())
}

impl Session {
    /// Waits for the driver on `port`, then starts `app` with `args`.
    pub async fn start(port: u16, app: &Path, args: &[String]) -> Result<Self> {
        // reqwest comes without a crypto provider of its own (the workspace's is rustls's ring).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let base = format!("http://127.0.0.1:{port}");
        // tauri-driver answers before WebKitWebDriver is ready: poll its status first.
        let mut ready = false;
        for _ in 0..100 {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if !ready {
            bail!("tauri-driver does not answer on port {port}");
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": { "tauri:options": {
                "application": app, "args": args,
            }}}
        });
        let value = answer(
            http.post(format!("{base}/session"))
                .json(&caps)
                .send()
                .await?,
        )
        .await?;
        let id = value["sessionId"]
            .as_str()
            .context("no session id")?
            .to_owned();
        Ok(Self { http, base, id })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.id)
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        answer(self.http.post(self.url(path)).json(&body).send().await?).await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        answer(self.http.get(self.url(path)).send().await?).await
    }

    /// The first element matching `css`.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let v = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await
            .with_context(|| format!("no element {css}"))?;
        Ok(Element(
            v[ELEMENT].as_str().context("no element id")?.to_owned(),
        ))
    }

    /// Waits (at most `secs`) for an element matching `css`.
    pub async fn wait_for(&self, css: &str, secs: u64) -> Result<Element> {
        crate::eventually(secs, css, async || Ok(self.find(css).await.ok())).await
    }

    /// Clicks.
    pub async fn click(&self, e: &Element) -> Result<()> {
        self.post(&format!("/element/{}/click", e.0), json!({}))
            .await?;
        Ok(())
    }

    /// Clicks the first element matching `css`.
    pub async fn click_css(&self, css: &str) -> Result<()> {
        let e = self.wait_for(css, 10).await?;
        self.click(&e).await
    }

    /// Types into an element (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let e = self.wait_for(css, 10).await?;
        self.post(&format!("/element/{}/clear", e.0), json!({}))
            .await?;
        self.keys_to(&e, text).await
    }

    /// Focuses the element and sends it keys (WebDriver's: Enter is U+E007, Tab U+E004), as a
    /// user typing would; unlike `type_into`, clears nothing, so it suits buttons too.
    pub async fn send_keys(&self, css: &str, text: &str) -> Result<()> {
        let e = self.wait_for(css, 10).await?;
        self.keys_to(&e, text).await
    }

    async fn keys_to(&self, e: &Element, text: &str) -> Result<()> {
        let chars: Vec<String> = text.chars().map(String::from).collect();
        self.post(
            &format!("/element/{}/value", e.0),
            json!({"text": text, "value": chars}),
        )
        .await?;
        Ok(())
    }

    /// The element's rendered text.
    pub async fn text(&self, css: &str) -> Result<String> {
        let e = self.find(css).await?;
        let v = self.get(&format!("/element/{}/text", e.0)).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Runs a script in the page and returns its value.
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    /// Selects an option of a `<select>` by value (and tells the page it changed).
    pub async fn select(&self, css: &str, value: &str) -> Result<()> {
        self.wait_for(css, 10).await?;
        self.execute(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        )
        .await?;
        Ok(())
    }

    /// Saves a PNG screenshot of the window.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let v = self.get("/screenshot").await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().context("no screenshot")?)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Closes the window (the app itself keeps running in the tray).
    pub async fn close_window(&self) -> Result<()> {
        answer(self.http.delete(self.url("/window")).send().await?).await?;
        Ok(())
    }

    /// Ends the session (the driver stops the app).
    pub async fn quit(self) -> Result<()> {
        answer(self.http.delete(self.url("")).send().await?).await?;
        Ok(())
    }
}
