//! The keeper checks every account it is given, for every caller (the CLI, the app, a library
//! user who builds the request by hand): add and edit refuse what the forms refuse, say why,
//! change nothing and send nothing.

use tokenkeeper_core::Error;
use tokenkeeper_core::keeper::AccountChanges;
use tokenkeeper_emulators::Api;

use crate::helpers::{first_secret, keeper, new_account, start, with_account};

/// A URL built by hand, with what `parse_base_url` refuses (the `url` crate accepts it).
fn raw(text: &str) -> url::Url {
    url::Url::parse(text).unwrap()
}

#[tokio::test]
async fn add_refuses_a_hand_built_url_the_forms_would_refuse_and_stores_nothing() {
    let emu = start(Api::RedisEnterprise).await;
    let dir = tempfile::tempdir().unwrap();
    let keeper = keeper(dir.path());
    let port = emu
        .base_url()
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    for (url, word) in [
        (
            format!("https://admin:hunter2@127.0.0.1:{port}/"),
            "no credentials",
        ),
        (format!("https://127.0.0.1:{port}/?debug=1"), "no query"),
        ("ftp://127.0.0.1/".to_owned(), "http or https"),
    ] {
        let mut new = new_account(&emu, dir.path(), "acc");
        new.url = raw(&url);
        let err = keeper.add(new, first_secret(&emu)).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{url}: {err}");
        assert!(err.to_string().contains(word), "{url}: {err}");
        assert!(
            !err.to_string().contains("hunter2"),
            "the password is not repeated: {err}"
        );
        assert!(
            keeper.list().unwrap_or_default().is_empty(),
            "{url}: nothing stored"
        );
    }
    assert_eq!(emu.stats().requests, 0, "nothing was sent");
}

#[tokio::test]
async fn edit_refuses_what_add_refuses_and_changes_nothing() {
    let (emu, dir, keeper) = with_account(Api::Smartling, "s").await;
    let before = keeper.find("s").unwrap();
    let requests = emu.stats().requests;
    let missing_ca = dir.path().join("no-such-ca.pem");
    let cases: Vec<(AccountChanges, &str)> = vec![
        (
            AccountChanges {
                url: Some(raw("https://user:pw@example.com/")),
                ..AccountChanges::default()
            },
            "no credentials",
        ),
        (
            AccountChanges {
                ttl: Some(Some(600)),
                ..AccountChanges::default()
            },
            "Smartling",
        ),
        (
            AccountChanges {
                refresh_lead_secs: Some(Some(86_401)),
                ..AccountChanges::default()
            },
            "86400",
        ),
        (
            AccountChanges {
                ca_cert: Some(Some(missing_ca)),
                ..AccountChanges::default()
            },
            "no-such-ca.pem",
        ),
        (
            AccountChanges {
                tags: Some(vec!["has space".to_owned()]),
                ..AccountChanges::default()
            },
            "tag",
        ),
        (
            AccountChanges {
                name: Some("-starts-with-a-dash".to_owned()),
                ..AccountChanges::default()
            },
            "name",
        ),
    ];
    for (changes, word) in cases {
        let err = keeper.edit("s", changes).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{word}: {err}");
        assert!(err.to_string().contains(word), "{word}: {err}");
        let after = keeper.find("s").unwrap();
        assert_eq!(
            serde_json::to_value(&after).unwrap(),
            serde_json::to_value(&before).unwrap(),
            "{word}: nothing changed"
        );
    }
    assert_eq!(emu.stats().requests, requests, "nothing was sent");
    // Tags are saved tidied, as add saves them.
    let edited = keeper
        .edit(
            "s",
            AccountChanges {
                tags: Some(vec![" Prod".to_owned(), "prod".to_owned(), "eu".to_owned()]),
                ..AccountChanges::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.account.tags, ["prod", "eu"]);
}
