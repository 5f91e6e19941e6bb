//! The scenarios, each against the real server (see the crate's doc).

use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::kit::{Kit, Restore, TTL, wait_until_up};
use crate::proxy::Proxy;
use crate::{Account as _, Env, keychain_entries};

/// Two tokens for one user in one second are byte-identical JWTs (`iat`/`exp` in seconds,
/// nothing else that differs), and the server finds a token's row by the token's hash: a token
/// revoked in one family reads as valid while a twin in another family lives. Each test starts
/// in a second of its own, and waits past the second before each new token, so every token
/// handed out is one the server can judge alone.
fn next_second() {
    std::thread::sleep(Duration::from_millis(1100));
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn password_account_token_json_exec_and_every_rotation_the_server_accepted() {
    let kit = Kit::from_env();
    next_second();
    let env = Env::new();
    let added = env.add_password("blog", &kit.url(), &kit.password).ok();
    assert!(added.stdout.contains("added blog"), "{}", added.stdout);
    assert!(
        !added.stdout.contains("plain permalinks"),
        "{}",
        added.stdout
    );

    let first = env.token("blog");
    assert_eq!(
        kit.validate(&first),
        200,
        "the server accepts the token handed out"
    );
    let json = env.run(&["token", "blog", "--json"], None).ok().json();
    assert_eq!(json["token"].as_str(), Some(first.as_str()));
    let expires: chrono::DateTime<chrono::Utc> =
        json["expires_at"].as_str().unwrap().parse().unwrap();
    let left = (expires - chrono::Utc::now()).num_seconds();
    assert!(
        (60..=TTL as i64).contains(&left),
        "the login's JWT says {TTL} s: {left}"
    );
    let exec = env
        .run(
            &[
                "exec",
                "blog",
                "--",
                "sh",
                "-c",
                "printf %s \"$TOKENKEEPER_TOKEN\"",
            ],
            None,
        )
        .ok();
    assert_eq!(exec.stdout, first);

    // Forced refreshes: each one rotates on the server, and the server accepts each new pair.
    let mut family = None;
    let mut refresh = env.stored_refresh("blog");
    let mut previous_token = first.clone();
    for round in 0..3 {
        next_second();
        let out = env.run(&["refresh", "blog"], None).ok();
        assert!(out.stdout.contains("blog"), "{}", out.stdout);
        let new_refresh = env.stored_refresh("blog");
        assert_ne!(
            new_refresh, refresh,
            "round {round}: the refresh token rotated"
        );
        let (fam, revoked) = kit
            .refresh_row(&new_refresh)
            .expect("the server issued the stored refresh token");
        assert!(
            !revoked,
            "round {round}: the stored refresh token is live on the server"
        );
        assert_eq!(
            kit.refresh_row(&refresh).map(|r| r.1),
            Some(true),
            "round {round}: the old one is revoked"
        );
        if let Some(f) = &family {
            assert_eq!(&fam, f, "one family");
        }
        family = Some(fam);
        refresh = new_refresh;
        let token = env.token("blog");
        assert_ne!(token, previous_token, "round {round}: a new access token");
        assert_eq!(
            kit.validate(&token),
            200,
            "round {round}: the server accepts it"
        );
        previous_token = token;
    }
    assert_eq!(
        kit.live_in_family(&family.unwrap()),
        1,
        "exactly one live pair"
    );
    assert_eq!(
        kit.validate(&first),
        403,
        "rotation revoked the first access token on the server"
    );
    // show reads what the server said, never the documentation's shape.
    let show = env.run(&["show", "blog"], None).ok();
    assert!(show.stdout.contains("fresh"), "{}", show.stdout);
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn an_account_added_from_a_refresh_token_refreshes_on_the_real_server() {
    let kit = Kit::from_env();
    next_second();
    let env = Env::new();
    let login = kit.login();
    let given = login["refresh_token"].as_str().unwrap().to_owned();
    next_second();
    env.add_refresh_token("site", &kit.url(), &given).ok();
    let token = env.token("site");
    assert_eq!(kit.validate(&token), 200);
    assert_eq!(
        kit.refresh_row(&given).map(|r| r.1),
        Some(true),
        "the given refresh token was spent"
    );
    let stored = env.stored_refresh("site");
    assert_ne!(stored, given, "the rotated one is kept");
    assert_eq!(kit.refresh_row(&stored).map(|r| r.1), Some(false));
    assert_eq!(
        kit.validate(login["token"].as_str().unwrap()),
        403,
        "the rotation revoked the access token of the handed-over login"
    );
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn the_daemon_keeps_the_token_fresh_over_several_short_lifetimes() {
    let kit = Kit::from_env();
    next_second();
    const SHORT: u64 = 20;
    kit.start(SHORT);
    let restore_kit = kit.clone();
    let _restore = Restore(move || restore_kit.start(TTL));
    let env = Env::new();
    env.add_password("blog", &kit.url(), &kit.password).ok();
    let first_refresh = env.stored_refresh("blog");
    let family = kit.refresh_row(&first_refresh).unwrap().0;
    let mut daemon = env
        .command(&["daemon"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    // Three and a half lifetimes; every token a script is handed is valid on the server.
    while start.elapsed() < Duration::from_secs(SHORT * 7 / 2) {
        let out = env
            .run(&["token", "blog", "--min-valid", "3", "--json"], None)
            .ok()
            .json();
        let token = out["token"].as_str().unwrap().to_owned();
        if seen.last() != Some(&token) {
            assert_eq!(
                kit.validate(&token),
                200,
                "token #{} after {:?}",
                seen.len() + 1,
                start.elapsed()
            );
            seen.push(token);
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    let _ = daemon.kill();
    let output = daemon.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        seen.len() >= 4,
        "the daemon refreshed at least three times: {} tokens\n{log}",
        seen.len()
    );
    assert!(!log.contains("error"), "{log}");
    assert_eq!(
        kit.live_in_family(&family),
        1,
        "every rotation was accepted, one live pair"
    );
    let stored = env.stored_refresh("blog");
    assert_eq!(kit.refresh_row(&stored), Some((family, false)));
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn every_token_handed_out_works_on_the_server_for_its_whole_promise() {
    // The real plugin revokes the previous access token at every refresh: a token handed out
    // with --min-valid N must not be killed by the background's next rotation within N s.
    let kit = Kit::from_env();
    next_second();
    const SHORT: u64 = 30;
    const PROMISE: u64 = 10;
    kit.start(SHORT);
    let restore_kit = kit.clone();
    let _restore = Restore(move || restore_kit.start(TTL));
    let env = Env::new();
    env.add_password("blog", &kit.url(), &kit.password).ok();
    let mut daemon = env
        .command(&["daemon"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut checks = Vec::new();
    let mut tokens = std::collections::HashSet::new();
    // Three and a half lifetimes, a handout every 2 s; each token is checked at the server's
    // validate route just before its promise ends.
    while start.elapsed() < Duration::from_secs(SHORT * 7 / 2) {
        let out = env
            .run(
                &[
                    "token",
                    "blog",
                    "--min-valid",
                    &PROMISE.to_string(),
                    "--json",
                ],
                None,
            )
            .ok()
            .json();
        let handed_at = Instant::now();
        let token = out["token"].as_str().unwrap().to_owned();
        let valid_until = out["valid_until"].as_str().unwrap().to_owned();
        let expires_at = out["expires_at"].as_str().unwrap().to_owned();
        assert!(
            valid_until < expires_at,
            "{valid_until} before {expires_at}: the next refresh revokes it"
        );
        tokens.insert(token.clone());
        let kit = kit.clone();
        checks.push(std::thread::spawn(move || {
            std::thread::sleep(
                Duration::from_secs(PROMISE - 1).saturating_sub(handed_at.elapsed()),
            );
            (kit.validate(&token), handed_at.elapsed())
        }));
        std::thread::sleep(Duration::from_secs(2));
    }
    let results: Vec<(u16, Duration)> = checks.into_iter().map(|c| c.join().unwrap()).collect();
    let _ = daemon.kill();
    let output = daemon.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    for (i, (status, after)) in results.iter().enumerate() {
        assert_eq!(
            *status,
            200,
            "handout #{} was refused by the server {after:?} after it was handed out\n{log}",
            i + 1
        );
    }
    assert!(
        tokens.len() >= 4,
        "three lifetimes saw at least four tokens: {}\n{log}",
        tokens.len()
    );
    // A promise the API cannot keep is said, not hidden.
    env.run(&["token", "blog", "--min-valid", "3600"], None)
        .fails_with(8, "less than the 3600 s asked for");
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn a_password_changed_on_the_server_is_tried_once_then_the_new_one_is_taken() {
    let kit = Kit::from_env();
    next_second();
    let env = Env::new();
    env.add_password("blog", &kit.url(), &kit.password).ok();
    let new_password = "N3w-Horse-Battery-Staple?";
    kit.wpctl(&["set-password", "alice", new_password]);
    let restore_kit = kit.clone();
    let _restore =
        Restore(move || restore_kit.wpctl(&["set-password", "alice", &restore_kit.password]));
    // JWT Auth Pro 0.2.1 revokes nothing on a password change: the refresh token still works.
    next_second();
    env.run(&["refresh", "blog"], None).ok();
    // The admin revokes every token: the refresh is refused, the stored (old) password is sent
    // once and refused, and never again.
    kit.wpctl(&["revoke-all", "alice"]);
    let before = kit.failed_logins();
    env.run(&["refresh", "blog"], None)
        .fails_with(3, "needs login")
        .fails_with(3, "will not be sent again");
    assert_eq!(
        kit.failed_logins(),
        before + 1,
        "the old password was sent exactly once"
    );
    let again = env
        .run(&["refresh", "blog"], None)
        .fails_with(3, "refused earlier");
    assert!(
        again
            .stderr
            .contains("tokenkeeper login blog --password-stdin"),
        "{}",
        again.stderr
    );
    assert_eq!(kit.failed_logins(), before + 1, "and not again");
    // The user stores the new password: a working pair (in a second of its own: a token
    // issued within the second of the one the admin revoked would be its revoked twin).
    next_second();
    env.run(
        &["login", "blog", "--password-stdin"],
        Some(&format!("{new_password}\n")),
    )
    .ok();
    assert_eq!(kit.validate(&env.token("blog")), 200);
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn a_server_stopped_and_back() {
    let kit = Kit::from_env();
    next_second();
    let env = Env::new();
    env.add_password("blog", &kit.url(), &kit.password).ok();
    let token = env.token("blog");
    kit.stop();
    let restore_kit = kit.clone();
    let _restore = Restore(move || {
        restore_kit.start(TTL);
        wait_until_up(&restore_kit);
    });
    env.run(&["refresh", "blog"], None)
        .fails_with(5, "cannot connect");
    // Nothing was lost: the still-valid token is handed out while the server is away.
    assert_eq!(env.token("blog"), token);
    kit.start(TTL);
    wait_until_up(&kit);
    next_second();
    env.run(&["refresh", "blog"], None).ok();
    let fresh = env.token("blog");
    assert_ne!(fresh, token);
    assert_eq!(kit.validate(&fresh), 200);
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn a_wrong_password_is_sent_once_and_nothing_is_stored() {
    let kit = Kit::from_env();
    next_second();
    let env = Env::new();
    let before = kit.failed_logins();
    let entries = keychain_entries();
    let out = env
        .add_password("blog", &kit.url(), "not-her-password")
        .fails_with(6, "jwt_auth_failed");
    assert!(
        out.stderr
            .contains("The password you entered for the username alice is incorrect"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("<strong>"),
        "HTML stripped: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("not-her-password"), "{}", out.stderr);
    assert_eq!(kit.failed_logins(), before + 1, "one attempt");
    assert_eq!(keychain_entries(), entries, "nothing in the keychain");
    assert!(
        env.config_json()["accounts"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn an_unusable_answer_after_the_server_rotated_never_hands_out_the_revoked_token() {
    let kit = Kit::from_env();
    next_second();
    let proxy = Proxy::start(kit.port());
    let env = Env::new();
    env.add_password("blog", &proxy.url(), &kit.password).ok();
    let old = env.token("blog");
    assert_eq!(kit.validate(&old), 200);

    // With a password: the mangled answer is reported, the stored password logs in once, and
    // the new pair works.
    next_second();
    proxy
        .behaviour
        .mangle_next_refresh
        .store(true, Ordering::SeqCst);
    let logins = proxy.behaviour.logins.load(Ordering::SeqCst);
    env.run(&["refresh", "blog"], None).ok();
    assert_eq!(
        proxy.behaviour.logins.load(Ordering::SeqCst),
        logins + 1,
        "one login"
    );
    assert_eq!(
        kit.validate(&old),
        403,
        "the server did revoke the old token with the rotation"
    );
    let fresh = env.token("blog");
    assert_ne!(fresh, old);
    assert_eq!(kit.validate(&fresh), 200);

    // Without a password (an account added from a refresh token): an error that says why,
    // and the revoked token is not handed out; the rotated refresh token it carried is kept.
    let env = Env::new();
    let given = kit.login()["refresh_token"].as_str().unwrap().to_owned();
    next_second();
    env.add_refresh_token("site", &proxy.url(), &given).ok();
    let old = env.token("site");
    next_second();
    proxy
        .behaviour
        .mangle_next_refresh
        .store(true, Ordering::SeqCst);
    env.run(&["refresh", "site"], None)
        .fails_with(6, "no longer handed out")
        .fails_with(6, "access_token");
    assert_eq!(kit.validate(&old), 403);
    let kept = env.stored_refresh("site");
    assert_eq!(
        kit.refresh_row(&kept).map(|r| r.1),
        Some(false),
        "the rotated refresh token was kept"
    );
    let json = env.run(&["show", "site", "--json"], None).ok().json();
    assert!(
        json["token_fingerprint"].is_null(),
        "the revoked token is forgotten: {json}"
    );
    next_second();
    let fresh = env.token("site");
    assert_ne!(fresh, old, "never the revoked token");
    assert_eq!(kit.validate(&fresh), 200);
}

#[test]
#[ignore = "needs the real WordPress kit: run scripts/realwp.sh"]
fn a_site_with_plain_permalinks_is_found_and_said() {
    let kit = Kit::from_env();
    next_second();
    let proxy = Proxy::start(kit.port());
    proxy
        .behaviour
        .plain_permalinks
        .store(true, Ordering::SeqCst);
    let env = Env::new();
    let added = env.add_password("blog", &proxy.url(), &kit.password).ok();
    assert!(
        added.stdout.contains("plain permalinks"),
        "{}",
        added.stdout
    );
    assert!(
        added.stdout.contains("?rest_route=/jwt-auth/v1"),
        "{}",
        added.stdout
    );
    assert_eq!(env.config_json()["accounts"][0]["plain_permalinks"], true);
    let tried = proxy.behaviour.not_found.load(Ordering::SeqCst);
    assert_eq!(tried, 1, "one 404, then the other form");
    next_second();
    env.run(&["refresh", "blog"], None).ok();
    assert_eq!(
        proxy.behaviour.not_found.load(Ordering::SeqCst),
        tried,
        "the form is remembered"
    );
    assert_eq!(kit.validate(&env.token("blog")), 200);
    let show = env.run(&["show", "blog"], None).ok();
    assert!(show.stdout.contains("plain permalinks"), "{}", show.stdout);
}
