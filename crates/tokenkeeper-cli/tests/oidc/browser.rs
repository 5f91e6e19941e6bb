//! A person's browser, played over HTTP: it opens the authorization page, follows the server's
//! redirects with its cookies (oidc-provider binds the login to `_interaction`, `_session` and
//! their `.sig` companions, each with its own `Path`), submits the login and consent forms when
//! the server shows them, and finally goes to the redirect URI, TokenKeeper's loopback
//! listener, as a browser would.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use url::Url;

#[derive(Debug, Default)]
pub struct Browser {
    /// (name, value, path)
    cookies: Vec<(String, String, String)>,
}

/// Where the browser ended.
#[derive(Debug)]
pub struct Landed {
    /// TokenKeeper's page there.
    pub status: u16,
    pub page: String,
}

impl Browser {
    fn cookie_header(&self, url: &Url) -> String {
        let path = url.path();
        self.cookies
            .iter()
            .filter(|(_, _, p)| {
                path == p || path.starts_with(&format!("{}/", p.trim_end_matches('/')))
            })
            .map(|(n, v, _)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn take(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all(SET_COOKIE) {
            let text = header.to_str().unwrap_or_default();
            let mut parts = text.split(';').map(str::trim);
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let mut path = "/".to_owned();
            let mut gone = value.is_empty();
            for attr in parts {
                let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
                match k.to_ascii_lowercase().as_str() {
                    "path" => path = v.to_owned(),
                    "expires" if v.contains("1970") => gone = true,
                    "max-age" if v.parse::<i64>().is_ok_and(|s| s <= 0) => gone = true,
                    _ => {}
                }
            }
            self.cookies.retain(|(n, _, p)| !(n == name && *p == path));
            if !gone {
                self.cookies.push((name.to_owned(), value.to_owned(), path));
            }
        }
    }

    async fn send(
        &mut self,
        client: &reqwest::Client,
        request: reqwest::RequestBuilder,
        url: &Url,
    ) -> reqwest::Response {
        let cookies = self.cookie_header(url);
        let request = request.header(reqwest::header::ACCEPT, "text/html");
        let request = if cookies.is_empty() {
            request
        } else {
            request.header(COOKIE, cookies)
        };
        let response = request.send().await.unwrap();
        self.take(&response);
        let _ = client;
        response
    }

    /// Signs in at `start` (the authorization URL TokenKeeper printed) as `user`, submitting
    /// forms if the server shows them, until the server sends the browser away from `issuer`;
    /// then opens that redirect as a browser does.
    pub async fn sign_in(
        &mut self,
        client: &reqwest::Client,
        start: &str,
        issuer: &str,
        user: (&str, &str),
    ) -> Landed {
        let mut url = Url::parse(start).unwrap();
        for _ in 0..16 {
            let response = self.send(client, client.get(url.clone()), &url).await;
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
                let next = url.join(&location).unwrap();
                if !next.as_str().starts_with(issuer) {
                    let landed = client.get(next.clone()).send().await.unwrap();
                    return Landed {
                        status: landed.status().as_u16(),
                        page: landed.text().await.unwrap_or_default(),
                    };
                }
                url = next;
                continue;
            }
            // A page: the login form, or the consent form.
            let page = response.text().await.unwrap();
            let form = if page.contains("name=\"password\"") {
                vec![("login", user.0), ("password", user.1)]
            } else {
                vec![]
            };
            let action = page
                .split("action=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("a page with no form at {url}: {page}"));
            let target = url.join(action).unwrap();
            let response = self
                .send(client, client.post(target.clone()).form(&form), &target)
                .await;
            let status = response.status().as_u16();
            assert!((300..400).contains(&status), "{target}: {status}");
            let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
            url = target.join(&location).unwrap();
            if !url.as_str().starts_with(issuer) {
                let landed = client.get(url.clone()).send().await.unwrap();
                return Landed {
                    status: landed.status().as_u16(),
                    page: landed.text().await.unwrap_or_default(),
                };
            }
        }
        panic!("too many redirects from {start}");
    }
}
