//! `curl-windows URL BODY`: POSTs the JSON `BODY` to `URL` with libcurl, as
//! `curl -s -o /dev/null -X POST -H 'content-type: application/json' -d BODY URL` does, and
//! prints the status. Built for `x86_64-pc-windows-gnu` and run under Wine by
//! scripts/bench-wine.sh, so that `tokenkeeper.exe token` is timed against curl's own library
//! making the same call in a Windows process of the same Wine.

use curl::easy::{Easy, List};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(body)) = (args.next(), args.next()) else {
        return Err("usage: curl-windows URL BODY".into());
    };
    let mut easy = Easy::new();
    easy.url(&url)?;
    easy.post(true)?;
    easy.post_fields_copy(body.as_bytes())?;
    let mut headers = List::new();
    headers.append("content-type: application/json")?;
    easy.http_headers(headers)?;
    easy.write_function(|data| Ok(data.len()))?;
    easy.perform()?;
    println!("{}", easy.response_code()?);
    Ok(())
}
