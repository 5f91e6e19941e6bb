//! The `tokenkeeper-emulators` binary: one line per API (id, URL, CA file), each serving, and the
//! variant switches.

use crate::common::*;

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
