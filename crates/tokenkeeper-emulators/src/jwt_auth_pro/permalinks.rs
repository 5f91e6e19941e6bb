//! The two ways a WordPress site exposes its REST API, mapped onto the REST routes in front of
//! the router: `/?rest_route=/jwt-auth/v1/token` (or `/index.php?rest_route=...`) always works;
//! `/wp-json/jwt-auth/v1/token` works with pretty permalinks, and with `plain_permalinks` is
//! answered by the web server itself: an HTML 404 page (Apache's, as on a site without rewrite
//! rules). Anything else is no REST request: WordPress's `rest_no_route` (pretty permalinks) or
//! the web server's 404 (plain).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, Request};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tower_service::Service;

use crate::state::Shared;

/// Marks a request that reached no REST route, with what its answer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unrouted {
    /// The web server's own HTML 404.
    WebServer404,
    /// WordPress's `rest_no_route`.
    NotRest,
}

/// Where a request goes: a REST route (path and query), or nowhere.
fn target(uri: &Uri, plain: bool) -> Result<String, Unrouted> {
    let path = uri.path();
    let unrouted = if plain {
        Unrouted::WebServer404
    } else {
        Unrouted::NotRest
    };
    if path == "/" || path == "/index.php" {
        let pairs = Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|q| q.0)
            .unwrap_or_default();
        let Some((_, route)) = pairs.into_iter().find(|(k, _)| k == "rest_route") else {
            return Err(unrouted);
        };
        let rest: Vec<&str> = uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("rest_route="))
            .collect();
        let route = if route.starts_with('/') {
            route
        } else {
            format!("/{route}")
        };
        return Ok(if rest.is_empty() {
            route
        } else {
            format!("{route}?{}", rest.join("&"))
        });
    }
    match path.strip_prefix("/wp-json") {
        Some(route) if !plain && (route.is_empty() || route.starts_with('/')) => {
            let route = if route.is_empty() { "/" } else { route };
            Ok(match uri.query() {
                Some(q) => format!("{route}?{q}"),
                None => route.to_owned(),
            })
        }
        _ => Err(unrouted),
    }
}

/// `req` aimed at its REST route, or at no route with a mark saying how to answer.
fn rewrite(s: &Shared, mut req: Request) -> Request {
    let routed = target(req.uri(), s.plain_permalinks)
        .and_then(|pq| pq.parse::<Uri>().map_err(|_| Unrouted::NotRest));
    let uri = match routed {
        Ok(uri) => uri,
        Err(mark) => {
            req.extensions_mut().insert(mark);
            // No route is at "/": the fallback answers, reading the mark.
            Uri::from_static("/")
        }
    };
    *req.uri_mut() = uri;
    req
}

/// The app with the permalink forms mapped in front of it.
pub(crate) fn front(app: Router, s: Arc<Shared>) -> Router {
    Router::new().fallback(move |req: Request| {
        let mut app = app.clone();
        let req = rewrite(&s, req);
        async move {
            match app.call(req).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
    })
}

/// Did the web server (not WordPress) get this request?
pub(crate) fn is_web_server_404(req: &Request) -> bool {
    req.extensions().get::<Unrouted>() == Some(&Unrouted::WebServer404)
}

/// Apache's 404 page for the site at `site_url`.
pub(crate) fn web_server_404(site_url: &str) -> Response {
    let authority = site_url.split_once("://").map_or(site_url, |(_, a)| a);
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "80"));
    let page = format!(
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n\
         </head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n<hr>\n\
         <address>Apache/2.4.62 (Debian) Server at {host} Port {port}</address>\n</body></html>\n"
    );
    let mut response = (StatusCode::NOT_FOUND, page).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=iso-8859-1"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(uri: &str, plain: bool) -> Result<String, Unrouted> {
        target(&uri.parse::<Uri>().unwrap_or_default(), plain)
    }

    #[test]
    fn both_forms_map_to_the_route() {
        let token = Ok("/jwt-auth/v1/token".to_owned());
        assert_eq!(to("/wp-json/jwt-auth/v1/token", false), token);
        assert_eq!(to("/?rest_route=/jwt-auth/v1/token", false), token);
        assert_eq!(to("/?rest_route=%2Fjwt-auth%2Fv1%2Ftoken", true), token);
        assert_eq!(
            to("/index.php?a=1&rest_route=/wp/v2/users/me", true),
            Ok("/wp/v2/users/me?a=1".to_owned())
        );
        assert_eq!(
            to("/wp-json/jwt-auth/v1/token", true),
            Err(Unrouted::WebServer404)
        );
        assert_eq!(to("/jwt-auth/v1/token", false), Err(Unrouted::NotRest));
        assert_eq!(to("/wp-jsonx/a", false), Err(Unrouted::NotRest));
        assert_eq!(to("/", true), Err(Unrouted::WebServer404));
    }
}
