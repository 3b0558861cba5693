use std::io::Write as _;

use serde_json::json;

use super::*;

fn stored(value: serde_json::Value) -> Service {
    let mut base = json!({
        "service": "backup", "alertType": "mail", "alertTarget": "ops@example.com",
        "nextIn": 3600, "lastPulse": "2026-12-01T00:00:00Z",
        "deadline": "2026-12-01T01:00:00Z", "status": "up"
    });
    base.as_object_mut()
        .unwrap()
        .extend(value.as_object().unwrap().clone());
    serde_json::from_value(base).unwrap()
}

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

fn declared(text: &str) -> anyhow::Result<Vec<Pulse>> {
    read(file(text).path())
}

#[test]
fn a_file_is_a_list_or_an_object_with_services_and_takes_durations_as_text() {
    let list = r#"[{"service": "backup", "alertType": "mail", "alertTarget": "ops@example.com",
                   "schedule": "0 3 * * *", "grace": "15m", "remindEvery": 0}]"#;
    let pulses = declared(list).unwrap();
    assert_eq!(
        (pulses[0].grace, pulses[0].remind_every),
        (Some(900.0), Some(0.0))
    );
    let wrapped = format!(r#"{{"services": {list}}}"#);
    assert_eq!(declared(&wrapped).unwrap(), pulses);
}

#[test]
fn a_file_that_repeats_a_name_or_mixes_timings_is_refused_whole() {
    let twice = r#"[{"service": "a", "alertType": "mail", "alertTarget": "x@example.com", "nextIn": 60},
                    {"service": "a", "alertType": "mail", "alertTarget": "x@example.com", "nextIn": 90}]"#;
    assert!(
        declared(twice)
            .unwrap_err()
            .to_string()
            .contains("`a` is declared twice")
    );
    let both = r#"[{"service": "a", "alertType": "mail", "alertTarget": "x@example.com", "nextIn": 60, "schedule": "@daily"}]"#;
    assert!(
        declared(both)
            .unwrap_err()
            .to_string()
            .contains("nextIn or schedule")
    );
    let unknown = r#"[{"service": "a", "alertType": "mail", "alertTarget": "x@example.com", "nextIn": 60, "every": 1}]"#;
    assert!(declared(unknown).is_err());
    let bad_duration = r#"[{"service": "a", "alertType": "mail", "alertTarget": "x@example.com", "nextIn": "soon"}]"#;
    assert!(declared(bad_duration).is_err());
}

#[test]
fn the_plan_creates_changes_and_with_prune_cancels() {
    let pulses = declared(
        r#"[{"service": "backup", "alertType": "mail", "alertTarget": "ops@example.com", "nextIn": "1h"},
            {"service": "web", "alertType": "mail", "alertTarget": "ops@example.com", "nextIn": 60, "grace": 30},
            {"service": "new", "alertType": "webhook", "alertTarget": "ops", "schedule": "@daily"}]"#,
    )
    .unwrap();
    let current = [
        stored(json!({})),
        stored(json!({"service": "web", "nextIn": 120})),
        stored(json!({"service": "old"})),
    ];
    let (steps, unchanged) = plan(&pulses, &current, false);
    assert_eq!(unchanged, 1);
    assert_eq!(steps.len(), 2);
    assert_eq!(
        steps[0],
        Step::Change(
            pulses[1].clone(),
            vec!["nextIn: 2m → 1m".to_owned(), "grace: none → 30s".to_owned()]
        )
    );
    assert_eq!(steps[1], Step::Create(pulses[2].clone()));
    let (pruned, _) = plan(&pulses, &current, true);
    assert_eq!(pruned.last(), Some(&Step::Cancel("old".into())));
}

#[test]
fn a_schedule_without_a_zone_matches_the_utc_the_server_keeps() {
    let pulses = declared(
        r#"[{"service": "backup", "alertType": "mail", "alertTarget": "ops@example.com", "schedule": "@daily", "grace": 0}]"#,
    )
    .unwrap();
    let current = [stored(
        json!({"schedule": "@daily", "tz": "UTC", "nextIn": 4000.5}),
    )];
    assert_eq!(plan(&pulses, &current, true), (vec![], 1));
    let berlin = [stored(json!({"schedule": "@daily", "tz": "Europe/Berlin"}))];
    let (steps, _) = plan(&pulses, &berlin, false);
    assert_eq!(
        steps,
        [Step::Change(
            pulses[0].clone(),
            vec!["tz: Europe/Berlin → UTC".to_owned()]
        )]
    );
}
