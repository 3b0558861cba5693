//! The ping signals, by example and by property.

use super::*;

#[test]
fn signals_are_start_fail_log_or_an_exit_status() {
    assert_eq!(signal("start").unwrap(), Signal::Start);
    assert_eq!(signal("0").unwrap(), Signal::Success);
    assert_eq!(signal("3").unwrap(), Signal::Fail(Some(3)));
    for bad in ["256", "other", "00", "+3", "-1", ""] {
        assert!(signal(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_body_becomes_at_most_ten_kilobytes_of_text() {
    assert_eq!(body_text(b"  \n ").unwrap(), None);
    assert_eq!(body_text(b"done\n").unwrap().as_deref(), Some("done"));
    assert!(body_text(&vec![b'x'; 50_000]).unwrap().unwrap().len() <= BODY_KEPT);
    let mut long = vec![b'x'; BODY_KEPT - 1];
    long.extend_from_slice("é".as_bytes());
    assert_eq!(
        body_text(&long).unwrap().unwrap().len(),
        BODY_KEPT - 1,
        "cut at a character"
    );
}

#[test]
fn a_body_must_be_utf8_without_nul_but_for_characters_cut_at_its_ends() {
    for bad in [&b"done\0"[..], b"caf\xe9!", b"\xff", b"ok \xc3\x28 ok"] {
        let error = body_text(bad).unwrap_err().to_string();
        assert!(error.starts_with("body: "), "{bad:?}: {error}");
    }
    let euro = "€".as_bytes();
    let mut cut = euro[1..].to_vec();
    cut.extend_from_slice(b"tail of the output ");
    cut.extend_from_slice(&euro[..2]);
    assert_eq!(
        body_text(&cut).unwrap().as_deref(),
        Some("tail of the output")
    );
}

/// `signal` over every number below a thousand and over any text.
mod properties {
    use proptest::prelude::*;

    use super::super::{ApiError, Signal, signal};

    /// What a ping path's last part must say: a word, or an exit status as a
    /// shell prints `$?` (digits only, no sign, no leading zero; 0 is success).
    fn expected(text: &str) -> Option<Signal> {
        match text {
            "start" => Some(Signal::Start),
            "fail" => Some(Signal::Fail(None)),
            "log" => Some(Signal::Log),
            "0" => Some(Signal::Success),
            _ => (1..=u8::MAX)
                .find(|status| status.to_string() == text)
                .map(|status| Signal::Fail(Some(status))),
        }
    }

    fn refused(text: &str) -> bool {
        matches!(signal(text), Err(ApiError::NotFound(_)))
    }

    #[test]
    fn numbers_below_a_thousand_are_exit_statuses_only_as_a_shell_prints_them() {
        for number in 0..=999u32 {
            let plain = number.to_string();
            match (number, signal(&plain)) {
                (0, Ok(Signal::Success)) => {}
                (1..=255, Ok(Signal::Fail(Some(status)))) => {
                    assert_eq!(u32::from(status), number);
                }
                (256.., Err(ApiError::NotFound(_))) => {}
                (_, other) => panic!("{plain}: {other:?}"),
            }
            let written_otherwise = [
                format!("0{plain}"),
                format!("00{plain}"),
                format!("+{plain}"),
                format!("-{plain}"),
                format!(" {plain}"),
                format!("{plain} "),
                format!("{plain}\n"),
                format!("{plain}.0"),
                format!("{plain}/"),
            ];
            for text in written_otherwise {
                assert!(refused(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn the_words_are_lower_case_and_bare() {
        for text in [
            "START", "Start", "FAIL", "Log", " start", "fail ", "log/", "success",
        ] {
            assert!(refused(text), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Both directions at once, and no panic on anything.
        #[test]
        fn a_signal_is_taken_exactly_when_it_is_a_word_or_an_exit_status(
            text in prop_oneof![
                any::<String>(),
                "[0-9+ -]{0,4}",
                "(start|fail|log|START|Fail|0|1|255)[ /\n0]?",
            ],
        ) {
            match (signal(&text), expected(&text)) {
                (Ok(got), Some(want)) => prop_assert_eq!(got, want),
                (Err(ApiError::NotFound(_)), None) => {}
                (got, want) => {
                    return Err(TestCaseError::fail(format!("{text:?}: {got:?}, not {want:?}")));
                }
            }
        }
    }
}
