//! A small HTTP/1.1 proxy in front of the real site, to put the real server behind what real
//! sites have: a web server without rewrite rules (plain permalinks: `/wp-json/…` is a 404
//! page, only `/?rest_route=` reaches WordPress), or a broken answer (a cache, a plugin, a
//! proxy that mangles one refresh answer after the server has rotated). It counts what it
//! forwarded. One connection per request (the site answers `Connection: close`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What the proxy does and saw.
#[derive(Debug, Default)]
pub struct Behaviour {
    /// Answer `/wp-json/…` with a web server's 404 page (a site with plain permalinks).
    pub plain_permalinks: AtomicBool,
    /// Rename `access_token` in the next refresh answer (after the server rotated).
    pub mangle_next_refresh: AtomicBool,
    /// Requests that reached the site, by route.
    pub logins: AtomicU64,
    pub refreshes: AtomicU64,
    /// Requests refused with the 404 page.
    pub not_found: AtomicU64,
    /// The request lines seen, in order.
    pub seen: Mutex<Vec<String>>,
}

/// A running proxy; its thread lives as long as the test process.
#[derive(Debug)]
pub struct Proxy {
    pub port: u16,
    pub behaviour: Arc<Behaviour>,
}

impl Proxy {
    pub fn start(upstream_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let behaviour = Arc::new(Behaviour::default());
        let b = behaviour.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let b = b.clone();
                std::thread::spawn(move || {
                    let _ = serve(client, upstream_port, &b);
                });
            }
        });
        Proxy { port, behaviour }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

const NOT_FOUND: &str = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n";

fn serve(client: TcpStream, upstream_port: u16, b: &Behaviour) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        let end = line == "\r\n";
        // One request per connection, whatever the client asked for.
        if !line.to_ascii_lowercase().starts_with("connection:") {
            head.push(line);
        }
        if end {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let request_line = head.first().cloned().unwrap_or_default();
    b.seen.lock().unwrap().push(request_line.trim().to_owned());
    let path = request_line.split(' ').nth(1).unwrap_or("");
    let mut client = client;
    if path.starts_with("/wp-json/") && b.plain_permalinks.load(Ordering::SeqCst) {
        b.not_found.fetch_add(1, Ordering::SeqCst);
        let answer = format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{NOT_FOUND}",
            NOT_FOUND.len()
        );
        return client.write_all(answer.as_bytes());
    }
    let is_refresh = path.contains("/jwt-auth/v1/token/refresh");
    if is_refresh {
        b.refreshes.fetch_add(1, Ordering::SeqCst);
    } else if path.contains("/jwt-auth/v1/token") && !path.contains("/validate") {
        b.logins.fetch_add(1, Ordering::SeqCst);
    }
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port))?;
    let last = head.len() - 1;
    head.insert(last, "Connection: close\r\n".to_owned());
    upstream.write_all(head.concat().as_bytes())?;
    upstream.write_all(&body)?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer)?;
    if is_refresh && b.mangle_next_refresh.swap(false, Ordering::SeqCst) {
        // Same length, so Content-Length stays right: the answer is well-formed JSON without
        // the token field, after the server has rotated the pair.
        replace_all(&mut answer, b"\"access_token\"", b"\"access_tokeN\"");
    }
    client.write_all(&answer)
}

fn replace_all(data: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut i = 0;
    while i + from.len() <= data.len() {
        if &data[i..i + from.len()] == from {
            data[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
}
