// Dates, times and labels as the desk reads them: Italian style (dd/mm/yyyy, HH:MM) in
// Europe/Rome whatever the machine's zone, vocabulary from SERVICE.md. Pure functions.

import { t } from "./i18n.js";

export const ZONE = "Europe/Rome";

const dateFmt = new Intl.DateTimeFormat("it-IT", {
  timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric",
});
const timeFmt = new Intl.DateTimeFormat("it-IT", {
  timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
const isoDateFmt = new Intl.DateTimeFormat("en-CA", {
  timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
});

function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function parts(fmt, d) {
  const out = {};
  for (const p of fmt.formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** "12/12/2026" for a timestamp, or for a plain "YYYY-MM-DD" date; "" when unknown. */
export function formatDate(value) {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split("-");
    return `${d}/${m}/${y}`;
  }
  const d = toDate(value);
  if (!d) return "";
  const p = parts(dateFmt, d);
  return `${p.day}/${p.month}/${p.year}`;
}

/** "09:30" in Europe/Rome; "" when unknown. */
export function formatTime(value) {
  const d = toDate(value);
  if (!d) return "";
  const p = parts(timeFmt, d);
  return `${p.hour === "24" ? "00" : p.hour}:${p.minute}`;
}

/** "12/12/2026 09:30" in Europe/Rome; "" when unknown. */
export function formatDateTime(value) {
  const d = toDate(value);
  return d ? `${formatDate(d)} ${formatTime(d)}` : "";
}

/** The Europe/Rome calendar date of an instant, as "YYYY-MM-DD". */
export function romeDate(value) {
  const d = toDate(value);
  if (!d) return "";
  const p = parts(isoDateFmt, d);
  return `${p.year}-${p.month}-${p.day}`;
}

function utcNoon(dateStr) {
  const [y, m, d] = dateStr.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12));
}

function isoOf(d) {
  return d.toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" plus `n` calendar days. */
export function addDays(dateStr, n) {
  const d = utcNoon(dateStr);
  d.setUTCDate(d.getUTCDate() + n);
  return isoOf(d);
}

/**
 * A date as the operator types it ("12/12/2026", "1/2/26", "12-12-2026", "12.12.2026" or
 * "2026-12-12") as "YYYY-MM-DD"; "" for an empty text; null when it is not a real date.
 */
export function parseDateInput(text) {
  const s = String(text ?? "").trim();
  if (!s) return "";
  let y;
  let m;
  let d;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (match) [, y, m, d] = match.map(Number);
  else {
    match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s);
    if (!match) return null;
    [, d, m, y] = match.map(Number);
    if (y < 100) y += 2000;
  }
  const date = new Date(Date.UTC(y, m - 1, d, 12));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return isoOf(date);
}

/** "+39 333 123 4567" for an E.164 Italian number; anything else as given. */
export function formatPhone(value) {
  const s = String(value ?? "");
  const m = /^\+39(\d+)$/.exec(s);
  if (!m) return s;
  const n = m[1];
  if (n.startsWith("3") && n.length === 10) return `+39 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
  if (n.startsWith("0")) {
    const prefix = n.startsWith("02") || n.startsWith("06") ? 2 : 3;
    return `+39 ${n.slice(0, prefix)} ${n.slice(prefix)}`;
  }
  return `+39 ${n}`;
}

/** Whole calendar days from `a` to `b` (both "YYYY-MM-DD"). */
export function daysBetween(a, b) {
  return Math.round((utcNoon(b) - utcNoon(a)) / 86400000);
}

/** The Monday of the week holding `dateStr`. */
export function mondayOf(dateStr) {
  const day = utcNoon(dateStr).getUTCDay(); // 0 = Sunday
  return addDays(dateStr, -((day + 6) % 7));
}

/** The seven dates of the week starting at `monday`. */
export function weekDates(monday) {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** "lunedì 07/12/2026" (weekday in the UI language, date Italian style). */
export function formatDayHeading(dateStr, lang) {
  const weekday = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "it-IT", {
    timeZone: "UTC", weekday: "long",
  }).format(utcNoon(dateStr));
  return `${weekday} ${formatDate(dateStr)}`;
}

/** "09:41" (minutes:seconds) for a remaining time in ms; "00:00" once elapsed. */
export function formatCountdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** Milliseconds left on a hold at `nowMs`; 0 when unknown or elapsed. */
export function holdRemaining(holdExpiresAt, nowMs) {
  const d = toDate(holdExpiresAt);
  return d ? Math.max(0, d.getTime() - nowMs) : 0;
}

export const APPOINTMENT_STATUSES = [
  "prenotato", "confermato", "prenotazione_cancellata", "scaduto", "annullato", "svolto",
];
export const COMMUNICATION_STATUSES = ["inviata", "in_lavorazione", "accolta", "non_accolta", "chiusa"];
export const CHANNELS = ["in_presenza", "telefonica", "videochiamata"];

/** Label of an appointment status ("Prenotato (da confermare)"…); unknown ones as given. */
export function appointmentStatusLabel(lang, status) {
  return APPOINTMENT_STATUSES.includes(status) ? t(lang, `status_${status}`) : String(status ?? "");
}

/** Label of a communication status ("Inviata"…). */
export function communicationStatusLabel(lang, status) {
  return COMMUNICATION_STATUSES.includes(status) ? t(lang, `comm_status_${status}`) : String(status ?? "");
}

/** Label of a channel ("In presenza", "Richiamata telefonica", "Videochiamata"). */
export function channelLabel(lang, channel) {
  return CHANNELS.includes(channel) ? t(lang, `channel_${channel}`) : String(channel ?? "");
}

/** Label of an office kind ("Direzione provinciale"…). */
export function officeKindLabel(lang, kind) {
  return ["direzione_provinciale", "filiale", "agenzia"].includes(kind)
    ? t(lang, `office_kind_${kind}`)
    : String(kind ?? "").replace(/_/g, " ");
}

/**
 * Why "Richiedi appuntamento" is (not) available for a communication, as a sentence, or ""
 * when it is allowed with nothing to say. E.g. "Disponibile dal 12/12/2026 (dopo 30
 * giorni dall'invio)" or "Esiste già un appuntamento prenotato".
 */
export function eligibilityText(lang, communication) {
  const req = communication && communication.appointment_request;
  if (!req) return "";
  if (req.allowed) {
    return req.reason === "not_accepted" ? t(lang, "eligible_not_accepted") : "";
  }
  if (req.reason === "already_booked") return t(lang, "eligible_already_booked");
  if (req.allowed_from) {
    const sent = romeDate(communication.sent_at);
    const days = sent ? daysBetween(sent, req.allowed_from) : null;
    return days !== null && days > 0
      ? t(lang, "eligible_from_days", { date: formatDate(req.allowed_from), days })
      : t(lang, "eligible_from", { date: formatDate(req.allowed_from) });
  }
  return t(lang, "eligible_not_now");
}

/** A human message for an error {kind, message, details}: never raw JSON or "undefined". */
export function errorText(lang, error) {
  if (!error) return "";
  const kind = typeof error.kind === "string" ? error.kind : "internal";
  const details = error.details || {};
  const known = t(lang, `error_${kind}`) !== `error_${kind}`;
  let text;
  if (lang === "it" && typeof error.message === "string" && error.message.trim()) {
    text = error.message.trim();
  } else {
    text = known ? t(lang, `error_${kind}`) : t(lang, "error_internal");
  }
  if (kind === "locked_out" && Number.isFinite(details.retry_after_secs) && !/\d/.test(text)) {
    text += " " + t(lang, "retry_after", { minutes: Math.max(1, Math.ceil(details.retry_after_secs / 60)) });
  }
  if (kind === "not_eligible_yet" && details.allowed_from && !text.includes(formatDate(details.allowed_from))) {
    text += " " + t(lang, "eligible_from", { date: formatDate(details.allowed_from) });
  }
  return text;
}

/** A fiscal code as printed on documents: upper case. */
export function formatFiscalCode(code) {
  return String(code ?? "").toUpperCase();
}

const WEEK = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const DAY_SHORT = {
  it: ["lun", "mar", "mer", "gio", "ven", "sab", "dom"],
  en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
};

/** Day indexes (0 = Monday) as "lun–ven" for a run of three or more, else "mar, gio". */
function dayList(indexes, lang) {
  const names = DAY_SHORT[lang] || DAY_SHORT.it;
  const out = [];
  for (let i = 0; i < indexes.length;) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) j += 1;
    if (j - i >= 2) out.push(`${names[indexes[i]]}–${names[indexes[j]]}`);
    else for (let k = i; k <= j; k += 1) out.push(names[indexes[k]]);
    i = j + 1;
  }
  return out.join(", ");
}

/**
 * A struttura's weekly hours in one line: the hours every open day shares, then each extra
 * once with its days ("lun–ven 08:30–12:30; mar, gio anche 14:30–16:30"); "" when unknown.
 */
export function formatOpeningHours(hours, lang = "it") {
  if (!hours || typeof hours !== "object") return "";
  const days = WEEK.map((d) => (Array.isArray(hours[d]) ? hours[d].map(String) : []));
  const open = days.map((list, i) => (list.length ? i : -1)).filter((i) => i >= 0);
  if (open.length === 0) return "";
  const dash = (interval) => interval.replace("-", "–");
  const common = days[open[0]].filter((iv) => open.every((i) => days[i].includes(iv)));
  const parts = [];
  if (common.length) parts.push(`${dayList(open, lang)} ${common.map(dash).join(", ")}`);
  // The rest of each day, grouped by identical extras.
  const extras = new Map();
  for (const i of open) {
    const rest = days[i].filter((iv) => !common.includes(iv));
    if (!rest.length) continue;
    const key = rest.join(", ");
    if (!extras.has(key)) extras.set(key, []);
    extras.get(key).push(i);
  }
  for (const [key, list] of extras) {
    const text = key.split(", ").map(dash).join(", ");
    parts.push(common.length ? t(lang, "hours_also", { days: dayList(list, lang), hours: text }) : `${dayList(list, lang)} ${text}`);
  }
  return parts.join("; ");
}

/**
 * A struttura's coming closures (listed ones from `today`, then its patron saint's day) in
 * one line, at most `max` dates; "" when none.
 */
export function formatClosures(office, today, lang = "it", max = 3) {
  if (!office) return "";
  const listed = (Array.isArray(office.closures) ? office.closures : [])
    .filter((c) => c && typeof c.date === "string" && c.date >= today)
    .sort((a, b) => (a.date < b.date ? -1 : 1))
    .slice(0, max)
    .map((c) => (c.reason ? `${formatDate(c.date)} (${c.reason})` : formatDate(c.date)));
  const p = office.patron_saint;
  const day = p && p.month && p.day ? `${String(p.day).padStart(2, "0")}/${String(p.month).padStart(2, "0")}` : "";
  const patron = !day ? "" : p.name ? t(lang, "closure_patron", { day, name: p.name }) : t(lang, "closure_patron_unnamed", { day });
  if (!listed.length && !patron) return "";
  return t(lang, "closures_line", { dates: [...listed, patron].filter(Boolean).join("; ") });
}

/** The Italian telephone alphabet and NATO's, for spelling an identificativo. */
const SPELLING = {
  it: {
    A: "Ancona", B: "Bologna", C: "Como", D: "Domodossola", E: "Empoli", F: "Firenze", G: "Genova", H: "Hotel",
    I: "Imola", J: "Jolly", K: "Kappa", L: "Livorno", M: "Milano", N: "Napoli", O: "Otranto", P: "Palermo",
    Q: "Quarto", R: "Roma", S: "Savona", T: "Torino", U: "Udine", V: "Venezia", W: "Washington", X: "Xeres",
    Y: "York", Z: "Zara",
    0: "zero", 1: "uno", 2: "due", 3: "tre", 4: "quattro", 5: "cinque", 6: "sei", 7: "sette", 8: "otto", 9: "nove",
  },
  en: {
    A: "Alfa", B: "Bravo", C: "Charlie", D: "Delta", E: "Echo", F: "Foxtrot", G: "Golf", H: "Hotel", I: "India",
    J: "Juliett", K: "Kilo", L: "Lima", M: "Mike", N: "November", O: "Oscar", P: "Papa", Q: "Quebec", R: "Romeo",
    S: "Sierra", T: "Tango", U: "Uniform", V: "Victor", W: "Whiskey", X: "X-ray", Y: "Yankee", Z: "Zulu",
    0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
  },
};

/**
 * An identificativo as read over the phone, group by group: "AP-7K3M-Q9TX" is "Ancona
 * Palermo – sette Kappa tre Milano – Quarto nove Torino Xeres" in Italian (the telephone
 * alphabet) and NATO's words in English; "" for an empty one.
 */
export function spokenId(id, lang = "it") {
  const words = SPELLING[lang] || SPELLING.it;
  return String(id || "")
    .toUpperCase()
    .split("-")
    .filter(Boolean)
    .map((group) => [...group].map((c) => words[c] || c).join(" "))
    .join(" – ");
}
