//! `tokenkeeper exec NAME [--env VAR] -- COMMAND…`: the command gets a fresh token in its
//! environment and its exit code passes through.

use tokenkeeper_emulators::Api;

use crate::helpers::{Env, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_runs_the_command_with_the_token_and_passes_its_exit_code() {
    let emu = start(Api::GenericJwt).await;
    let e = Env::new();
    e.add("acc", &emu).0.ok();
    let token = e.run(&["token", "acc"], None).ok().stdout.trim().to_owned();

    let run = e.run(
        &[
            "exec",
            "acc",
            "--",
            "sh",
            "-c",
            r#"test "$TOKENKEEPER_TOKEN" = "$1" && exit 7"#,
            "sh",
            &token,
        ],
        None,
    );
    assert_eq!(
        run.code, 7,
        "the token is there and the exit code passes: {}",
        run.stderr
    );

    let run = e
        .run(
            &[
                "exec",
                "acc",
                "--env",
                "API_TOKEN",
                "--",
                "sh",
                "-c",
                "printf %s \"$API_TOKEN\"",
            ],
            None,
        )
        .ok();
    assert_eq!(run.stdout, token);
    assert!(
        !e.run(&["exec", "acc", "--", "sh", "-c", "exit 0"], None)
            .ok()
            .stderr
            .contains(&token)
    );

    e.run(&["exec", "acc", "--", "/nonexistent/program"], None)
        .fails_with(127, "cannot run /nonexistent/program");
    e.run(&["exec", "acc", "--env", "1BAD", "--", "true"], None)
        .fails_with(2, "--env");
    // No token, no command: an unknown account fails before anything runs.
    let marker = e.dir.path().join("ran");
    let touch = format!("touch {}", marker.display());
    e.run(&["exec", "nope", "--", "sh", "-c", &touch], None)
        .fails_with(2, "no account named");
    assert!(!marker.exists());
}
