//! Opens a web page (an OAuth 2.0 sign-in) in the person's browser, for the window and the
//! command line alike: only `http` and `https` pages (a server's discovery names the page, and
//! a `file:` or other URL could start a program). On Linux and macOS through `webbrowser`,
//! which honours `$BROWSER`; on Windows through `rundll32 url.dll,FileProtocolHandler`, the
//! shell's own handler for a URL, in a process of its own: so `tokenkeeper.exe` never loads
//! shell32 and the GUI libraries it brings, and every `token` a script runs starts faster for
//! it (BENCHMARKS.md).

use url::Url;

/// Opens `url`; the error says why no browser opened.
pub fn open(url: &Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "not a web page ({}:): TokenKeeper opens only http and https pages",
            url.scheme()
        ));
    }
    #[cfg(windows)]
    {
        // `rundll32` hands the rest of its command line to the handler as is: a URL has no
        // space or quote (`Url` encodes them), so it arrives whole. Not waited for (the handler
        // returns once the browser is asked), so a slow browser never holds the caller.
        std::process::Command::new("rundll32.exe")
            .arg("url.dll,FileProtocolHandler")
            .arg(url.as_str())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| format!("cannot run rundll32.exe: {e}"))
    }
    #[cfg(not(windows))]
    {
        webbrowser::open(url.as_str()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_web_pages_are_opened() {
        for url in [
            "file:///C:/Windows/System32/calc.exe",
            "javascript:alert(1)",
            "ms-settings:privacy",
        ] {
            let url = url::Url::parse(url).unwrap();
            let refused = super::open(&url).unwrap_err();
            assert!(refused.contains("only http and https"), "{url}: {refused}");
        }
    }
}
