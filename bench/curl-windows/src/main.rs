//! `curl-windows URL BODY [--header HEADER] [--cacert FILE]`: POSTs the JSON `BODY` to `URL`
//! with libcurl, as `curl -s -o /dev/null -X POST -H 'content-type: application/json' -d BODY
//! URL` does (with `-H HEADER` and `--cacert FILE` when given), and
//! prints the status. Built for `x86_64-pc-windows-gnu` with Schannel, the system's TLS, and run
//! under Wine by scripts/bench-wine.sh, so that `tokenkeeper.exe token` is timed against curl's
//! own library making the same call in a Windows process of the same Wine.

use curl::easy::{Easy, List};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(body)) = (args.next(), args.next()) else {
        return Err("usage: curl-windows URL BODY [--header HEADER] [--cacert FILE]".into());
    };
    let mut easy = Easy::new();
    easy.url(&url)?;
    easy.post(true)?;
    easy.post_fields_copy(body.as_bytes())?;
    let mut headers = List::new();
    headers.append("content-type: application/json")?;
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--header" => headers.append(&value)?,
            "--cacert" => easy.cainfo(&value)?,
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    easy.http_headers(headers)?;
    easy.write_function(|data| Ok(data.len()))?;
    easy.perform()?;
    println!("{}", easy.response_code()?);
    Ok(())
}
