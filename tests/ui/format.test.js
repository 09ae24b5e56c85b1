import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addDays, appointmentStatusLabel, channelLabel, communicationStatusLabel, daysBetween, eligibilityText, errorText,
  formatCountdown, formatDate, formatDateTime, formatDayHeading, formatPhone, formatTime, holdRemaining, mondayOf,
  parseDateInput, romeDate, weekDates, formatOpeningHours, formatClosures, spokenId,
} from "../../ui/js/format.js";
import { ERROR_KINDS } from "../../ui/js/i18n.js";

function check(fn, rows) {
  for (const [input, expected] of rows) assert.deepEqual(fn(input), expected, JSON.stringify(input));
}

test("dates and times are shown Italian style in Europe/Rome, whatever the offset given", () => {
  check(formatDateTime, [
    ["2026-12-03T09:30:00+01:00", "03/12/2026 09:30"],
    ["2026-12-03T08:30:00Z", "03/12/2026 09:30"],
    ["2026-07-01T07:00:00Z", "01/07/2026 09:00"],
    ["2026-12-31T23:30:00Z", "01/01/2027 00:30"],
    [null, ""],
    ["non una data", ""],
  ]);
  check(formatDate, [["2026-12-12", "12/12/2026"], ["2026-12-12T23:30:00Z", "13/12/2026"], ["", ""]]);
  check(formatTime, [["2026-03-29T01:30:00Z", "03:30"], ["2026-10-25T00:30:00Z", "02:30"], ["2026-10-25T01:30:00Z", "02:30"]]);
});

test("the Rome calendar date of an instant follows daylight saving time", () => {
  check(romeDate, [
    ["2026-03-28T23:30:00Z", "2026-03-29"],
    ["2026-10-24T22:30:00Z", "2026-10-25"],
    ["2026-10-24T21:30:00Z", "2026-10-24"],
    [Date.parse("2026-11-26T23:30:00Z"), "2026-11-27"],
  ]);
});

test("calendar arithmetic works across months, years and DST days", () => {
  assert.equal(addDays("2026-12-30", 3), "2027-01-02");
  assert.equal(addDays("2026-03-28", 1), "2026-03-29");
  assert.equal(daysBetween("2026-11-12", "2026-12-12"), 30);
  assert.equal(daysBetween("2026-03-28", "2026-03-30"), 2);
  check(mondayOf, [["2026-11-26", "2026-11-23"], ["2026-11-23", "2026-11-23"], ["2026-11-29", "2026-11-23"], ["2027-01-01", "2026-12-28"]]);
  assert.deepEqual(weekDates("2026-10-19"), ["2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23", "2026-10-24", "2026-10-25"]);
});

test("day headings name the weekday in the chosen language", () => {
  assert.equal(formatDayHeading("2026-11-30", "it"), "lunedì 30/11/2026");
  assert.equal(formatDayHeading("2026-11-30", "en"), "Monday 30/11/2026");
});

test("typed dates are read in the Italian order, and impossible dates refused", () => {
  check(parseDateInput, [
    ["12/12/2026", "2026-12-12"],
    ["1/2/2027", "2027-02-01"],
    ["01.02.27", "2027-02-01"],
    ["12-12-2026", "2026-12-12"],
    ["2026-12-12", "2026-12-12"],
    [" 29/02/2028 ", "2028-02-29"],
    ["29/02/2027", null],
    ["31/04/2026", null],
    ["12/2026", null],
    ["domani", null],
    ["", ""],
    [null, ""],
  ]);
});

test("the hold countdown reads minutes and seconds and stops at zero", () => {
  check(formatCountdown, [[600000, "10:00"], [59001, "01:00"], [59000, "00:59"], [1, "00:01"], [0, "00:00"], [-5000, "00:00"]]);
  const now = Date.parse("2026-11-26T16:00:00+01:00");
  assert.equal(holdRemaining("2026-11-26T16:10:00+01:00", now), 600000);
  assert.equal(holdRemaining("2026-11-26T15:00:00+01:00", now), 0);
  assert.equal(holdRemaining(null, now), 0);
});

test("phone numbers are grouped for reading aloud", () => {
  check(formatPhone, [["+393331234567", "+39 333 123 4567"], ["+390612345678", "+39 06 12345678"], ["02 123", "02 123"], [null, ""]]);
});

test("vocabulary labels are the service's Italian words", () => {
  const rows = [
    ["prenotato", "Prenotato (da confermare)"],
    ["confermato", "Confermato"],
    ["prenotazione_cancellata", "Prenotazione cancellata"],
    ["scaduto", "Scaduto"],
    ["annullato", "Annullato"],
    ["svolto", "Svolto"],
  ];
  for (const [status, label] of rows) assert.equal(appointmentStatusLabel("it", status), label);
  assert.equal(channelLabel("it", "in_presenza"), "In presenza");
  assert.equal(channelLabel("it", "telefonica"), "Richiamata telefonica");
  assert.equal(channelLabel("it", "videochiamata"), "Videochiamata");
  assert.equal(communicationStatusLabel("it", "non_accolta"), "Non accolta");
  assert.equal(appointmentStatusLabel("it", "nuovo_stato"), "nuovo_stato");
  assert.equal(appointmentStatusLabel("en", "svolto"), "Held");
});

test("Richiedi appuntamento explains why it is not available and from when", () => {
  const comm = (request, sent = "2026-11-12T10:00:00+01:00") => ({ sent_at: sent, appointment_request: request });
  const rows = [
    [comm({ allowed: false, reason: "days_elapsed", allowed_from: "2026-12-12" }), "Disponibile dal 12/12/2026 (dopo 30 giorni dall'invio)"],
    [comm({ allowed: false, reason: "already_booked", allowed_from: "2026-11-12" }), "Esiste già un appuntamento prenotato"],
    [comm({ allowed: true, reason: "days_elapsed", allowed_from: "2026-11-12" }), ""],
    [comm({ allowed: true, reason: "not_accepted", allowed_from: "2026-11-12" }), "Richiedibile: comunicazione non accolta"],
    [comm({ allowed: false, reason: null, allowed_from: "2026-11-12" }), "Disponibile dal 12/11/2026"],
    [comm({ allowed: false, reason: null, allowed_from: null }), "Non ancora disponibile"],
    [{ sent_at: "x" }, ""],
  ];
  for (const [c, text] of rows) assert.equal(eligibilityText("it", c), text, JSON.stringify(c));
  assert.equal(eligibilityText("en", rows[0][0]), "Available from 12/12/2026 (30 days after sending)");
});

test("every error kind reads as a human sentence in both languages, never raw", () => {
  for (const lang of ["it", "en"]) {
    for (const kind of [...ERROR_KINDS, "something_new"]) {
      for (const message of [undefined, "", "   "]) {
        const text = errorText(lang, { kind, message });
        assert.ok(text.length > 5, `${lang} ${kind}`);
        assert.ok(!/undefined|null|\{|\}|error_/.test(text), `${lang} ${kind}: ${text}`);
      }
    }
  }
  assert.equal(errorText("it", { kind: "slot_taken", message: "Orario appena preso." }), "Orario appena preso.");
  assert.equal(errorText("en", { kind: "slot_taken", message: "Orario appena preso." }), "The chosen time is no longer available.");
  assert.equal(errorText("it", { kind: "locked_out", message: "", details: { retry_after_secs: 600 } }),
    "Troppi tentativi di accesso non riusciti. Riprova tra 10 minuti.");
  assert.equal(errorText("it", { kind: "not_eligible_yet", message: "Non ancora.", details: { allowed_from: "2026-12-12" } }),
    "Non ancora. Disponibile dal 12/12/2026");
  assert.equal(errorText("it", null), "");
});

test("a struttura's hours read in one line: the shared hours, then each extra with its days", () => {
  const morning = ["08:30-12:30"];
  const both = ["08:30-12:30", "14:30-16:30"];
  const rome = { monday: morning, tuesday: both, wednesday: morning, thursday: both, friday: morning, saturday: [], sunday: [] };
  assert.equal(formatOpeningHours(rome, "it"), "lun–ven 08:30–12:30; mar, gio anche 14:30–16:30");
  assert.equal(formatOpeningHours(rome, "en"), "Mon–Fri 08:30–12:30; Tue, Thu also 14:30–16:30");
  assert.equal(formatOpeningHours({ monday: morning, tuesday: morning }, "it"), "lun, mar 08:30–12:30");
  assert.equal(formatOpeningHours({ tuesday: ["09:00-12:00"], thursday: ["14:00-16:00"] }, "it"), "mar 09:00–12:00; gio 14:00–16:00");
  assert.equal(formatOpeningHours({}, "it"), "");
  assert.equal(formatOpeningHours(null, "it"), "");
});

test("a struttura's coming closures are listed with the patron saint's day", () => {
  const office = {
    closures: [
      { date: "2026-11-30", reason: "passata" },
      { date: "2026-12-09", reason: "Assemblea del personale" },
      { date: "2026-12-07" },
    ],
    patron_saint: { month: 12, day: 7, name: "Sant'Ambrogio" },
  };
  assert.equal(
    formatClosures(office, "2026-12-04", "it"),
    "Chiusure: 07/12/2026; 09/12/2026 (Assemblea del personale); ogni anno il 07/12 (festa del patrono, Sant'Ambrogio)",
  );
  assert.equal(formatClosures({ closures: [], patron_saint: { month: 6, day: 29 } }, "2026-12-04", "it"), "Chiusure: ogni anno il 29/06 (festa del patrono)");
  assert.equal(formatClosures({ closures: [] }, "2026-12-04", "it"), "");
});

test("an identificativo is spelt as read over the phone, group by group", () => {
  assert.equal(spokenId("AP-7K3M-Q9TX", "it"), "Ancona Palermo – sette Kappa tre Milano – Quarto nove Torino Xeres");
  assert.equal(spokenId("AP-7K3M-Q9TX", "en"), "Alfa Papa – seven Kilo three Mike – Quebec nine Tango X-ray");
  assert.equal(spokenId("ap-2z", "it"), "Ancona Palermo – due Zara");
  assert.equal(spokenId("", "it"), "");
});
