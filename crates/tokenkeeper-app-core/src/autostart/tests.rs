#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn xdg(dir: &Path, config_dir: Option<&str>) -> Autostart {
    let command = login_command(
        Path::new("/usr/bin/tokenkeeper"),
        config_dir.map(Path::new),
        None,
    );
    Autostart::new(Place::Xdg(dir.to_owned()), command, None)
}

#[test]
fn the_entry_starts_the_background_only_and_survives_odd_paths() {
    let dir = tempfile::tempdir().unwrap();
    let auto = dir.path().join("autostart");
    let a = xdg(&auto, Some("/home/a b/100% \"tk\""));
    assert!(!a.is_enabled());
    a.set(true).unwrap();
    assert!(a.is_enabled());
    let text = std::fs::read_to_string(auto.join(xdg::FILE)).unwrap();
    assert!(
        text.contains(
            "Exec=/usr/bin/tokenkeeper daemon --config-dir \"/home/a b/100%% \\\"tk\\\"\"\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains("tokenkeeper-app"),
        "the window does not start at login"
    );
    a.set(false).unwrap();
    assert!(!a.is_enabled());
    assert!(!auto.join(xdg::FILE).exists());
}

// The two names differ in case only, which Windows's file names do not tell apart (the XDG
// place is Linux's alone).
#[cfg(not(windows))]
#[test]
fn an_older_versions_entry_is_replaced_by_ours_and_only_ours_counts() {
    let dir = tempfile::tempdir().unwrap();
    let auto = dir.path().join("autostart");
    std::fs::create_dir_all(&auto).unwrap();
    std::fs::write(
        auto.join(xdg::OLD_FILE),
        "Exec=/usr/bin/tokenkeeper-app --hidden\n",
    )
    .unwrap();
    let a = xdg(&auto, None);
    assert!(!a.is_enabled(), "the old entry is not ours");
    a.migrate().unwrap();
    assert!(a.is_enabled(), "the user's choice is kept");
    assert!(!auto.join(xdg::OLD_FILE).exists(), "the old entry is gone");
    assert!(
        std::fs::read_to_string(auto.join(xdg::FILE))
            .unwrap()
            .contains("Exec=/usr/bin/tokenkeeper daemon\n")
    );
    // Without an old entry, nothing is written.
    a.set(false).unwrap();
    a.migrate().unwrap();
    assert!(!a.is_enabled());
}

#[test]
fn the_launch_agent_runs_the_background_at_load_with_its_arguments_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("Library/LaunchAgents");
    let command = login_command(
        Path::new("/Applications/TokenKeeper.app/Contents/MacOS/tokenkeeper"),
        Some(Path::new("/Users/a/<odd> & 'dir'")),
        None,
    );
    let log = PathBuf::from("/Users/a/Library/Logs/TokenKeeper/background.log");
    let a = Autostart::new(Place::LaunchAgent(agents.clone()), command, Some(log));
    assert!(!a.is_enabled());
    a.set(true).unwrap();
    assert!(a.is_enabled());
    let path = agents.join("dev.tokenkeeper.background.plist");
    assert_eq!(a.place(), path.display().to_string());
    let text = std::fs::read_to_string(&path).unwrap();
    for part in [
        "<key>Label</key>\n  <string>dev.tokenkeeper.background</string>",
        "<string>/Applications/TokenKeeper.app/Contents/MacOS/tokenkeeper</string>\n    <string>daemon</string>\n    <string>--config-dir</string>\n    <string>/Users/a/&lt;odd&gt; &amp; &apos;dir&apos;</string>\n  </array>",
        "<key>RunAtLoad</key>\n  <true/>",
        "<key>StandardErrorPath</key>\n  <string>/Users/a/Library/Logs/TokenKeeper/background.log</string>",
    ] {
        assert!(text.contains(part), "{part} in\n{text}");
    }
    assert!(!text.contains("KeepAlive"), "Quit in the tray stays quit");
    a.set(false).unwrap();
    assert!(!path.exists() && !a.is_enabled());
}

/// What `CommandLineToArgvW` gives back for each argument is what went in (its rules, from
/// Microsoft's "Parsing C command-line arguments").
#[test]
fn the_run_value_is_a_command_line_windows_splits_back_into_the_arguments() {
    let command = login_command(
        Path::new(r"C:\Users\A B\AppData\Local\Programs\TokenKeeper\tokenkeeper-background.exe"),
        Some(Path::new(r"C:\Users\A B\tk dir\")),
        Some(Path::new(r#"C:\odd"quote\background.log"#)),
    );
    let a = Autostart::new(Place::RunKey, command, None);
    assert_eq!(
        a.text(),
        r#""C:\Users\A B\AppData\Local\Programs\TokenKeeper\tokenkeeper-background.exe" daemon --config-dir "C:\Users\A B\tk dir\\" --log-file "C:\odd\"quote\background.log""#
    );
    assert_eq!(
        a.place(),
        r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run\TokenKeeper"
    );
    assert_eq!(run_key::command_line(&[String::new()]), "\"\"");
    assert_eq!(run_key::command_line(&[r"a\\b".to_owned()]), r"a\\b");
}

#[cfg(not(windows))]
#[test]
fn the_run_key_is_refused_off_windows_with_a_clear_error() {
    let a = Autostart::new(Place::RunKey, vec!["x".to_owned()], None);
    let e = a.set(true).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::Unsupported);
    assert!(!a.is_enabled());
}
