//! The middleware in front of every handler: counts the request (and whether a login or refresh
//! carried a body), applies the next matching fault (before normal handling; the `RotateThen*`
//! ones edit the handler's answer after it), and stamps the `Date` header from the server clock
//! on every answer.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::conn::ConnCtx;
use crate::faults::{Endpoint, FaultAction};
use crate::state::Shared;
use crate::stats::Stats;
use crate::{apis, http, patch};

/// Size of the `Huge` body (plus a few bytes of JSON around it).
pub(crate) const HUGE_BYTES: usize = 2 * 1024 * 1024;
const HUGE_CHUNK: usize = 64 * 1024;
/// The largest request body read (the handlers' own limit is 2 MB).
const REQUEST_LIMIT: usize = 4 * 1024 * 1024;

pub(crate) async fn middleware(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let endpoint = apis::endpoint(&s, req.uri().path());
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, REQUEST_LIMIT).await;
    let action = {
        let mut inner = s.lock();
        let had_body = body.as_ref().map_or(true, |b| !b.is_empty());
        count_request(&mut inner.stats, endpoint, had_body);
        if let Some(log) = inner.recording.as_mut() {
            record(log, &parts, body.as_ref().ok());
        }
        inner.faults.take(endpoint)
    };
    let req = match body {
        Ok(bytes) => Request::from_parts(parts, Body::from(bytes)),
        Err(_) => return apis::api_error(&s, 400, endpoint),
    };
    let mut response = match action {
        None => next.run(req).await,
        Some(action) => apply(&s, action, endpoint, req, next).await,
    };
    // hyper only adds its own Date when the response has none.
    if !response.headers().contains_key(header::DATE)
        && let Ok(date) = HeaderValue::from_str(&s.clock.http_date())
    {
        response.headers_mut().insert(header::DATE, date);
    }
    response
}

/// Appends a request as text: `METHOD target`, its headers, its body (lossy UTF-8), a blank line.
fn record(log: &mut String, parts: &axum::http::request::Parts, body: Option<&Bytes>) {
    use std::fmt::Write;
    let _ = writeln!(log, "{} {}", parts.method, parts.uri);
    for (name, value) in &parts.headers {
        let text = String::from_utf8_lossy(value.as_bytes());
        let _ = writeln!(log, "{name}: {text}");
        // Basic credentials as the server reads them, so a password sent there is seen.
        if let Some(encoded) = text.strip_prefix("Basic ")
            && let Ok(decoded) =
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded.trim())
        {
            let _ = writeln!(
                log,
                "{name} (decoded): {}",
                String::from_utf8_lossy(&decoded)
            );
        }
    }
    if let Some(body) = body {
        log.push_str(&String::from_utf8_lossy(body));
    }
    log.push_str("\n\n");
}

fn count_request(stats: &mut Stats, endpoint: Endpoint, had_body: bool) {
    stats.requests += 1;
    match endpoint {
        Endpoint::Login => stats.last_login_had_body = Some(had_body),
        Endpoint::Refresh => {
            stats.refresh_requests += 1;
            stats.refresh_requests_with_body += u64::from(had_body);
            stats.last_refresh_had_body = Some(had_body);
        }
        Endpoint::Other => {}
    }
}

async fn apply(
    s: &Shared,
    action: FaultAction,
    endpoint: Endpoint,
    req: Request,
    next: Next,
) -> Response {
    match action {
        FaultAction::Respond {
            status,
            headers,
            body,
        } => raw(status, &headers, body),
        FaultAction::ApiError { status } => apis::api_error(s, status, endpoint),
        FaultAction::ApiErrorCode { status, code } => {
            patch::error_code(s, apis::api_error(s, status, endpoint), &code).await
        }
        FaultAction::ApiErrorMessage { status, message } => {
            patch::error_message(s, apis::api_error(s, status, endpoint), &message).await
        }
        FaultAction::Delay(duration) => {
            tokio::time::sleep(duration).await;
            next.run(req).await
        }
        FaultAction::DelayAfter(duration) => {
            let response = next.run(req).await;
            tokio::time::sleep(duration).await;
            response
        }
        FaultAction::Drop => drop_connection(s, req).await,
        FaultAction::Garbage => with_type(
            200,
            "application/json",
            "<<<this is not JSON>>> \u{1}\u{2}".into(),
        ),
        FaultAction::Html { status } => {
            with_type(status, "text/html; charset=utf-8", html_page(status))
        }
        FaultAction::Truncated => {
            let name = s
                .lock()
                .users
                .first()
                .map(|u| u.username.clone())
                .unwrap_or_default();
            let token = s
                .issue_access(&name, s.token_ttl)
                .map(|i| i.token)
                .unwrap_or_default();
            let full = apis::success_body(s, endpoint, Some(&token)).to_string();
            let half = full.len() / 2;
            with_type(
                200,
                "application/json",
                full.get(..half).unwrap_or_default().to_owned(),
            )
        }
        FaultAction::MissingToken => http::json(200, &apis::success_body(s, endpoint, None)),
        FaultAction::NotJwt => http::json(200, &apis::success_body(s, endpoint, Some("abc"))),
        FaultAction::Huge => huge(),
        FaultAction::RotateThenNotJwt => {
            patch::token(s, endpoint, next.run(req).await, Some("abc")).await
        }
        FaultAction::RotateThenToken(token) => {
            patch::token(s, endpoint, next.run(req).await, Some(&token)).await
        }
        FaultAction::RotateThenMissingToken => {
            patch::token(s, endpoint, next.run(req).await, None).await
        }
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn with_type(status: u16, content_type: &'static str, body: String) -> Response {
    (
        status_code(status),
        [(header::CONTENT_TYPE, content_type)],
        body,
    )
        .into_response()
}

fn raw(status: u16, headers: &[(String, String)], body: String) -> Response {
    let mut response = (status_code(status), body).into_response();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn html_page(status: u16) -> String {
    let code = status_code(status);
    let reason = code.canonical_reason().unwrap_or("Error");
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// Ask the connection task to close the connection, then never answer.
async fn drop_connection(s: &Shared, req: Request) -> Response {
    let Some(ctx) = req.extensions().get::<ConnCtx>().cloned() else {
        // Not served by our accept loop (cannot happen): answer rather than hang.
        return apis::api_error(s, 503, Endpoint::Other);
    };
    drop(req);
    ctx.kill();
    std::future::pending().await
}

/// 200 with a streamed JSON body of a little over 2 MiB (chunked, no Content-Length).
fn huge() -> Response {
    let filler = Bytes::from(vec![b'x'; HUGE_CHUNK]);
    let chunks = std::iter::once(Bytes::from_static(b"{\"padding\":\""))
        .chain(std::iter::repeat_n(filler, HUGE_BYTES / HUGE_CHUNK))
        .chain(std::iter::once(Bytes::from_static(b"\"}")))
        .map(Ok::<Bytes, Infallible>);
    let body = Body::from_stream(futures_util::stream::iter(chunks));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
