//! What every file of the emulators' tests shares: a running emulator with a client that trusts
//! it (`Env`), complete answers (`Answer`), JWT and `Date` readers, the test user, and the
//! imports most files need. Each file starts with `use crate::common::*;`.

pub(crate) use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub(crate) use anyhow::{Context, Result, bail, ensure};
pub(crate) use base64::Engine;
pub(crate) use reqwest::header::HeaderMap;
pub(crate) use serde_json::{Value, json};
pub(crate) use tokenkeeper_emulators::{
    Api, Emulator, EmulatorConfig, Fault, FaultAction, FaultTarget, TlsIdentity, testcerts,
};

pub(crate) const USER: &str = "admin@example.com";
pub(crate) const PASSWORD: &str = "s3cret";

/// A running emulator and a client that trusts it.
pub(crate) struct Env {
    pub(crate) emu: Emulator,
    pub(crate) client: reqwest::Client,
}

/// A complete answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.text).with_context(|| format!("not JSON: {}", self.text))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A reqwest client builder. reqwest comes without a crypto provider of its own (ours is
/// rustls's ring, chosen once for the whole workspace), so the process default is set first.
pub(crate) fn http() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

pub(crate) fn client_for(emu: &Emulator, timeout: Duration) -> Result<reqwest::Client> {
    let mut builder = http().timeout(timeout);
    if let Some(pem) = emu.ca_cert_pem() {
        builder = builder.tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes())?]);
    }
    Ok(builder.build()?)
}

impl Env {
    pub(crate) async fn new(api: Api) -> Result<Env> {
        Env::with(EmulatorConfig::for_api(api), api).await
    }

    pub(crate) async fn with(config: EmulatorConfig, api: Api) -> Result<Env> {
        let emu = Emulator::start(api, config).await?;
        let client = client_for(&emu, Duration::from_secs(20))?;
        Ok(Env { emu, client })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    pub(crate) fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path))
    }

    pub(crate) async fn post_json(&self, path: &str, body: Value) -> Result<Answer> {
        send(self.post(path).json(&body)).await
    }
}

pub(crate) async fn send(request: reqwest::RequestBuilder) -> Result<Answer> {
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

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The payload of a JWT (not verified).
pub(crate) fn claims(token: &str) -> Result<Value> {
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

pub(crate) fn str_at<'a>(value: &'a Value, pointer: &str) -> Result<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .with_context(|| format!("no string at {pointer} in {value}"))
}

pub(crate) fn int_claim(token: &str, name: &str) -> Result<i64> {
    claims(token)?[name]
        .as_i64()
        .with_context(|| format!("no {name} claim"))
}

pub(crate) fn date_header(answer: &Answer) -> Result<i64> {
    let date = answer.header("date").context("no Date header")?;
    let time = httpdate::parse_http_date(date)?;
    Ok(time.duration_since(UNIX_EPOCH)?.as_secs() as i64)
}

pub(crate) fn near(actual: i64, expected: i64, slack: i64) -> bool {
    (actual - expected).abs() <= slack
}
