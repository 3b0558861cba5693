//! Config parsing and validation.

use super::*;

fn error_of(text: &str) -> String {
    format!("{:#}", Config::parse(text).unwrap_err())
}

#[test]
fn an_empty_object_gives_the_defaults() {
    let config = Config::parse("{}").unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.data_dir, PathBuf::from("data"));
    assert_eq!(config.on_restart, RestartPolicy::Grace);
}

#[test]
fn errors_name_the_key() {
    let cases = [
        (r#"{"listen": "nowhere"}"#, "`listen`"),
        (r#"{"colour": 1}"#, "colour"),
        (
            r#"{"mail": {"host": "h", "from": "x", "prot": 25}}"#,
            "prot",
        ),
        (
            r#"{"mail": {"host": "h", "from": "not an address"}}"#,
            "`mail.from`",
        ),
        (
            r#"{"mail": {"host": "h", "from": "a@b.c", "security": "ssl"}}"#,
            "`mail.security`",
        ),
        (
            r#"{"webhooks": {"ops": {"url": "ftp://x"}}}"#,
            "`webhooks.ops.url`",
        ),
        (
            r#"{"alerts": {"retryMin": 10, "retryMax": 1}}"#,
            "`alerts.retryMin`",
        ),
        (r#"{"onRestart": "maybe"}"#, "`onRestart`"),
        (r#"{"limits": {"heavyReads": 0}}"#, "`limits.heavyReads`"),
        (r#"{"limits": {"readTimeout": 0}}"#, "`limits.readTimeout`"),
        (
            r#"{"cors": {"origins": ["https://app.example.com/path"]}}"#,
            "`cors.origins`",
        ),
        (r#"{"password": ""}"#, "`password`"),
        (r#"{"storage": {"backend": "mysql"}}"#, "`storage.backend`"),
        (r#"{"storage": {"backend": "postgres"}}"#, "url"),
        (
            r#"{"storage": {"backend": "postgres", "url": "postgres://h/db", "pol": 3}}"#,
            "pol",
        ),
        (
            r#"{"storage": {"backend": "postgres", "url": "postgres://h/db", "pool": 1}}"#,
            "`storage.pool`",
        ),
        (
            r#"{"storage": {"backend": "postgres", "url": "postgres://h:port/db"}}"#,
            "`storage.url`",
        ),
    ];
    for (text, key) in cases {
        let message = error_of(text);
        assert!(message.contains(key), "{text}: {message}");
    }
}

#[test]
fn secrets_are_redacted_in_debug_output() {
    let config = Config::parse(r#"{"password": "hunter2-hunter2-hunter2", "storage": {"backend": "postgres", "url": "postgres://u:pgs3cret@h/db"}, "webhooks": {"ops": {"url": "http://x", "headers": {"Authorization": "Bearer s3cret"}}}}"#).unwrap();
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("hunter2-hunter2")
            && !shown.contains("s3cret")
            && !shown.contains("pgs3cret"),
        "{shown}"
    );
}

#[test]
fn the_sample_configs_parse() {
    // The single-node sample holds placeholders, refused until replaced
    // (`placeholders.rs`); with real values it is a working config.
    let real = |sample: &str| {
        sample
            .replace(
                "replace-with-a-long-random-key",
                "a-real-key-0123456789abcdef",
            )
            .replace("replace-with-the-same", "the-very-same")
            .replace("replace-me", "a-real-password")
            .replace("example.com", "ops.internal")
    };
    let sample = real(include_str!("../../../../config/sample.json"));
    assert!(matches!(
        Config::parse(&sample).unwrap().storage,
        StorageConfig::Sqlite(SqliteConfig {
            wal_limit_mib: DEFAULT_WAL_LIMIT_MIB
        })
    ));
    let cluster = real(include_str!("../../../../config/sample-postgres.json"));
    assert!(matches!(
        Config::parse(&cluster).unwrap().storage,
        StorageConfig::Postgres(PostgresConfig { pool: 16, .. })
    ));
}
