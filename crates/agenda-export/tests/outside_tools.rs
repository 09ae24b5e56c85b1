//! The receipt and the calendar file as others read them: poppler's `pdftotext`, `pdfinfo`
//! and `pdftoppm`, `qpdf --check`, `zbarimg` (the QR code), and Python's `icalendar`.
//! scripts/test-all.sh installs them (poppler-utils, qpdf, zbar-tools, and a venv with
//! icalendar named by `AGENDA_TEST_PYTHON`); a missing tool fails the test, it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

use agenda_core::{AppointmentId, Channel};
use agenda_export::calendar::calendar;
use agenda_export::receipt::render;
use agenda_export::{CalendarEntry, CalendarMethod, EntryStatus, Lang};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;

fn work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("agenda-export-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `program` and returns its standard output; a missing tool or a failure fails.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed ({e}): run scripts/test-all.sh, which installs it")
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

mod common;
use common::{bologna, receipt};

const NOTE: &str = "Nota riservata: il contribuente chiede la rateizzazione";

#[test]
fn the_receipt_reads_back_is_valid_tagged_and_its_qr_code_decodes_to_the_id() {
    let dir = work_dir("receipt");
    let file = dir.join("ricevuta.pdf");
    std::fs::write(
        &file,
        render(&receipt(Lang::It, Channel::InPresenza)).unwrap(),
    )
    .unwrap();

    let text = run("pdftotext", &["-layout", path(&file), "-"]);
    for expected in [
        "AP-7K3M-Q9TX",
        "giovedì 3 dicembre 2026, ore 08:00",
        "Via Gramsci 6, 40121 Bologna (BO)",
        "Direzione provinciale di Bologna",
        "Mario Rossi",
        "RSSMRA85T10A562S",
        "Contributi e versamenti",
        "Consulenza gestione artigiani",
        "In presenza",
        "documento di",
        "Per annullare o spostare",
        "Patronato EPASA-ITACO Bologna",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(
        !text.contains("rateizzazione"),
        "the notes are never printed"
    );
    assert!(!text.contains(NOTE));

    let check = run("qpdf", &["--check", path(&file)]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );

    let info = run("pdfinfo", &[path(&file)]);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("A4"), "{info}");
    assert!(
        info.contains("Title:           Ricevuta di appuntamento INPS AP-7K3M-Q9TX"),
        "{info}"
    );
    // The document's language is in the catalog (qpdf shows the objects, uncompressed).
    let json = run("qpdf", &["--json=2", "--json-key=qpdf", path(&file)]);
    assert!(json.contains("\"/Lang\": \"u:it-IT\""), "no /Lang it-IT");
    assert!(json.contains("\"/StructTreeRoot\""), "no structure tree");
    assert!(json.contains("\"/Figure\""), "the QR code is not a figure");
    assert!(
        json.contains("\"/Alt\""),
        "the figure has no alternative text"
    );
    assert!(json.contains("/FontFile2"), "fonts are not embedded");

    let png = dir.join("page");
    run(
        "pdftoppm",
        &["-r", "150", "-png", "-singlefile", path(&file), path(&png)],
    );
    let decoded = run(
        "zbarimg",
        &["--quiet", "--raw", path(&dir.join("page.png"))],
    );
    assert_eq!(decoded.trim(), "AP-7K3M-Q9TX");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_receipt_in_english_tells_a_call_back_by_channel() {
    let dir = work_dir("receipt-en");
    let file = dir.join("receipt.pdf");
    std::fs::write(
        &file,
        render(&receipt(Lang::En, Channel::Telefonica)).unwrap(),
    )
    .unwrap();
    let text = run("pdftotext", &[path(&file), "-"]);
    assert!(text.contains("Thursday 3 December 2026, 08:00"), "{text}");
    assert!(text.contains("will call you"), "{text}");
    assert!(text.contains("AP-7K3M-Q9TX"));
    let json = run("qpdf", &["--json=2", "--json-key=qpdf", path(&file)]);
    assert!(json.contains("\"/Lang\": \"u:en-GB\""));
    std::fs::remove_dir_all(&dir).ok();
}

fn entry(id: &str, uid: &str, sequence: u32, start: DateTime<Utc>) -> CalendarEntry {
    CalendarEntry {
        uid: AppointmentId::parse(uid).unwrap(),
        id: AppointmentId::parse(id).unwrap(),
        sequence,
        status: EntryStatus::Confirmed,
        topic: "Contributi e versamenti".into(),
        point: "Consulenza gestione artigiani".into(),
        channel: Channel::InPresenza,
        office_name: "Direzione provinciale di Bologna".into(),
        office: Some(bologna()),
        start,
        end: start + Duration::minutes(30),
        updated_at: start - Duration::days(3),
    }
}

/// Parses `text` with Python's icalendar (tests/check_ics.py) and returns what it read.
fn parse_with_python(name: &str, text: &str) -> Value {
    let dir = work_dir(name);
    let file = dir.join("appuntamenti.ics");
    std::fs::write(&file, text).unwrap();
    let python = std::env::var("AGENDA_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_ics.py");
    let out = run(&python, &[path(&script), path(&file)]);
    std::fs::remove_dir_all(&dir).ok();
    serde_json::from_str(&out).unwrap()
}

#[test]
fn the_calendar_file_reads_back_in_rome_across_the_dst_changes() {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    // Winter, the day after the spring change, the day of the autumn change, and the day of
    // the 2027 spring change: 08:00, 08:00, 09:00 and 10:00 in Rome.
    let entries = [
        entry(
            "AP-7K3M-Q9TX",
            "AP-7K3M-Q9TX",
            0,
            Utc.with_ymd_and_hms(2026, 3, 27, 7, 0, 0).unwrap(),
        ),
        entry(
            "AP-8MNP-2RST",
            "AP-8MNP-2RST",
            0,
            Utc.with_ymd_and_hms(2026, 3, 30, 6, 0, 0).unwrap(),
        ),
        entry(
            "AP-9VWX-3YZA",
            "AP-9VWX-3YZA",
            0,
            Utc.with_ymd_and_hms(2026, 10, 25, 8, 0, 0).unwrap(),
        ),
        entry(
            "AP-4BCD-5EFG",
            "AP-4BCD-5EFG",
            0,
            Utc.with_ymd_and_hms(2027, 3, 28, 8, 0, 0).unwrap(),
        ),
    ];
    let text = calendar(&entries, CalendarMethod::Publish, Lang::It, now).unwrap();
    let read = parse_with_python("dst", &text);
    assert_eq!(read["method"], "PUBLISH");
    assert_eq!(read["zones"], serde_json::json!(["Europe/Rome"]));
    let events = read["events"].as_array().unwrap();
    assert_eq!(events.len(), 4);
    let expected = [
        (
            "AP-7K3M-Q9TX",
            "2026-03-27T08:00:00+01:00",
            "2026-03-27T07:00:00+00:00",
        ),
        (
            "AP-8MNP-2RST",
            "2026-03-30T08:00:00+02:00",
            "2026-03-30T06:00:00+00:00",
        ),
        (
            "AP-9VWX-3YZA",
            "2026-10-25T09:00:00+01:00",
            "2026-10-25T08:00:00+00:00",
        ),
        (
            "AP-4BCD-5EFG",
            "2027-03-28T10:00:00+02:00",
            "2027-03-28T08:00:00+00:00",
        ),
    ];
    for (event, (uid, local, utc)) in events.iter().zip(expected) {
        assert_eq!(event["uid"], uid);
        assert_eq!(event["tzid"], "Europe/Rome");
        assert_eq!(event["start_local"], local, "{event}");
        assert_eq!(event["start_utc"], utc, "{event}");
        // The file's own VTIMEZONE gives the same instant as the tz database.
        assert_eq!(event["start_utc_by_own_zone"], utc, "{event}");
        assert_eq!(event["sequence"], 0);
        assert_eq!(event["status"], "CONFIRMED");
        assert_eq!(
            event["location"],
            "Direzione provinciale di Bologna, Via Gramsci 6, 40121 Bologna (BO)"
        );
        assert!(event["description"].as_str().unwrap().contains(uid));
    }
}

#[test]
fn a_rescheduled_appointment_keeps_the_uid_and_raises_the_sequence_and_an_annulled_one_cancels() {
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 12, 3, 7, 0, 0).unwrap();
    // AP-7K3M-Q9TX was moved twice; the current one is AP-4BCD-5EFG.
    let moved = entry("AP-4BCD-5EFG", "AP-7K3M-Q9TX", 2, start);
    let read = parse_with_python(
        "resched",
        &calendar(
            std::slice::from_ref(&moved),
            CalendarMethod::Publish,
            Lang::It,
            now,
        )
        .unwrap(),
    );
    let event = &read["events"][0];
    assert_eq!(event["uid"], "AP-7K3M-Q9TX");
    assert_eq!(event["sequence"], 2);
    assert!(event["description"]
        .as_str()
        .unwrap()
        .contains("AP-4BCD-5EFG"));

    let mut annulled = moved;
    annulled.status = EntryStatus::Cancelled;
    annulled.sequence = 3;
    let read = parse_with_python(
        "cancel",
        &calendar(&[annulled], CalendarMethod::Cancel, Lang::En, now).unwrap(),
    );
    assert_eq!(read["method"], "CANCEL");
    assert_eq!(read["events"][0]["status"], "CANCELLED");
    assert_eq!(read["events"][0]["sequence"], 3);
    assert!(read["events"][0]["summary"]
        .as_str()
        .unwrap()
        .starts_with("INPS appointment"));
}
