"""Reads a calendar file with Python's `icalendar` (an outside parser) and prints what it
understood as JSON, for tests/outside_tools.rs to check: the method, and per event its UID,
SEQUENCE, STATUS, LOCATION, and DTSTART/DTEND as aware times in their zone and in UTC."""
import datetime
import json
import sys

import icalendar

with open(sys.argv[1], "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())

# The file's own VTIMEZONE as a tzinfo: the events' wall-clock times read through it must
# give the same instants as through the tz database.
own_zone = cal.walk("VTIMEZONE")[0].to_tz()

events = []
for ev in cal.walk("VEVENT"):
    start = ev.decoded("DTSTART")
    end = ev.decoded("DTEND")
    events.append({
        "uid": str(ev.get("UID")),
        "sequence": int(ev.get("SEQUENCE")),
        "status": str(ev.get("STATUS")),
        "location": str(ev.get("LOCATION")),
        "summary": str(ev.get("SUMMARY")),
        "description": str(ev.get("DESCRIPTION")),
        "tzid": ev["DTSTART"].params.get("TZID"),
        "start_local": start.isoformat(),
        "start_utc": start.astimezone(datetime.timezone.utc).isoformat(),
        "end_utc": end.astimezone(datetime.timezone.utc).isoformat(),
        "start_utc_by_own_zone": start.replace(tzinfo=None)
        .replace(tzinfo=own_zone)
        .astimezone(datetime.timezone.utc)
        .isoformat(),
    })
zones = [str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")]
print(json.dumps({"method": str(cal.get("METHOD")), "zones": zones, "events": events}))
