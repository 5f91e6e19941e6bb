//! Start at login on Windows: a value named `TokenKeeper` under the user's `Run` key
//! (`HKCU\Software\Microsoft\Windows\CurrentVersion\Run`), which Explorer runs at logon. It runs
//! `tokenkeeper-background.exe` (a program without a console window) when installed, its log
//! in a file; the value's text is a command line quoted as `CommandLineToArgvW` reads it.

/// The key, under `HKEY_CURRENT_USER`.
pub(super) const KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
/// The value's name.
pub(super) const VALUE: &str = "TokenKeeper";

/// The value's text: `command` (the program, then its arguments) as one command line.
pub(super) fn command_line(command: &[String]) -> String {
    command
        .iter()
        .map(|a| quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One argument as `CommandLineToArgvW` (and the C runtime) splits a command line: plain when
/// it has no space, tab or quote; else in quotes, with each quote escaped and the backslashes
/// before a quote (or the closing one) doubled.
fn quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_owned();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            c => {
                out.extend(std::iter::repeat_n('\\', backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.extend(std::iter::repeat_n('\\', backslashes * 2));
    out.push('"');
    out
}

/// The value's text, when there is one.
#[cfg(windows)]
pub(super) fn read() -> std::io::Result<Option<String>> {
    let key = match windows_registry::CURRENT_USER.open(KEY) {
        Ok(key) => key,
        Err(_) => return Ok(None),
    };
    Ok(key.get_string(VALUE).ok())
}

/// Writes the value.
#[cfg(windows)]
pub(super) fn write(text: &str) -> std::io::Result<()> {
    windows_registry::CURRENT_USER
        .create(KEY)
        .and_then(|key| key.set_string(VALUE, text))
        .map_err(std::io::Error::other)
}

/// Removes the value (nothing when there is none).
#[cfg(windows)]
pub(super) fn remove() -> std::io::Result<()> {
    if read()?.is_none() {
        return Ok(());
    }
    windows_registry::CURRENT_USER
        .create(KEY)
        .and_then(|key| key.remove_value(VALUE))
        .map_err(std::io::Error::other)
}

#[cfg(not(windows))]
fn elsewhere() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Unsupported, "the Run key is Windows's")
}

#[cfg(not(windows))]
pub(super) fn read() -> std::io::Result<Option<String>> {
    Err(elsewhere())
}

#[cfg(not(windows))]
pub(super) fn write(_text: &str) -> std::io::Result<()> {
    Err(elsewhere())
}

#[cfg(not(windows))]
pub(super) fn remove() -> std::io::Result<()> {
    Err(elsewhere())
}
