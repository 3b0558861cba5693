//! What the config may not hold: a password shorter than 16 characters, and the
//! sample's placeholders, each refused at start with a message naming it.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::{run_expecting_failure, stderr, write_config, write_file};

#[test]
fn a_short_password_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), json!({"password": "fifteen-chars-x"}));
    let output = run_expecting_failure(dir.path(), &["check-config", path.to_str().unwrap()], &[]);
    let said = stderr(&output);
    assert!(
        said.contains("password") && said.contains("has 15 characters; at least 16 are required"),
        "{said}"
    );
    // A short password in the password file is refused too, when serving.
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    write_file(&data.join("password"), "short");
    let config = write_config(dir.path(), json!({"dataDir": data, "password": null}));
    let output = run_expecting_failure(
        dir.path(),
        &["serve", "--config", config.to_str().unwrap()],
        &[],
    );
    let said = stderr(&output);
    assert!(
        said.contains("password file") && said.contains("has 5 characters"),
        "{said}"
    );
}

#[test]
fn the_sample_copied_unchanged_is_refused_naming_its_placeholders() {
    let dir = tempfile::tempdir().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/sample.json");
    let output = run_expecting_failure(dir.path(), &["check-config", sample], &[]);
    let said = stderr(&output);
    for placeholder in [
        "pingKeys.cron.key",
        "mail.host (smtp.example.com)",
        "webhooks.ops.url",
    ] {
        assert!(said.contains(placeholder), "{placeholder}: {said}");
    }
}
