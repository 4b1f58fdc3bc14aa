// Reads an iCalendar feed on stdin and prints its occurrences in a window as JSON, the way
// Mozilla's ical.js (Thunderbird's parser) sees them: `node expand.mjs 2027-03-01 2027-06-01`.
// Each occurrence: uid, start/end (UTC instant, or the date for all-day), local start, the
// RECURRENCE-ID it came from, and what the meeting carries (summary, status, location,
// description, the attendee's PARTSTAT, sequence).
import ICAL from "ical.js";

const [from, to] = process.argv.slice(2);
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const root = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const windowStart = ICAL.Time.fromDateString(from);
const windowEnd = ICAL.Time.fromDateString(to);
// Far enough past the window that a meeting moved into it from later in its series is found.
const ruleEnd = windowEnd.clone();
ruleEnd.adjust(120, 0, 0, 0);

const masters = new Map();
const exceptions = new Map();
for (const vevent of root.getAllSubcomponents("vevent")) {
  const uid = vevent.getFirstPropertyValue("uid");
  if (vevent.hasProperty("recurrence-id")) {
    if (!exceptions.has(uid)) exceptions.set(uid, []);
    exceptions.get(uid).push(vevent);
  } else {
    masters.set(uid, vevent);
  }
}

function instant(time) {
  return time.isDate ? time.toString() : time.toJSDate().toISOString();
}

function local(time) {
  if (time.isDate) return time.toString();
  const zone = ICAL.TimezoneService.get("Europe/Amsterdam");
  return time.convertToZone(zone).toString();
}

function describe(item, start, end, recurrenceId) {
  const component = item.component;
  const attendee = component.getFirstProperty("attendee");
  return {
    uid: item.uid,
    start: instant(start),
    end: instant(end),
    local_start: local(start),
    recurrence_id: recurrenceId ? local(recurrenceId) : null,
    summary: item.summary,
    status: component.getFirstPropertyValue("status"),
    sequence: component.getFirstPropertyValue("sequence"),
    location: item.location,
    description: item.description,
    partstat: attendee ? attendee.getParameter("partstat") : null,
  };
}

function overlaps(start, end) {
  return end.compare(windowStart) > 0 && start.compare(windowEnd) < 0;
}

const out = [];
for (const [uid, master] of masters) {
  const event = new ICAL.Event(master);
  for (const exception of exceptions.get(uid) || []) event.relateException(exception);
  if (!event.isRecurring()) {
    if (overlaps(event.startDate, event.endDate)) out.push(describe(event, event.startDate, event.endDate, null));
    continue;
  }
  const iterator = event.iterator();
  let next;
  let guard = 0;
  while ((next = iterator.next()) && next.compare(ruleEnd) < 0 && guard++ < 5000) {
    const details = event.getOccurrenceDetails(next);
    if (overlaps(details.startDate, details.endDate)) {
      out.push(describe(details.item, details.startDate, details.endDate, details.recurrenceId));
    }
  }
}
out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid < b.uid ? -1 : 1));
process.stdout.write(JSON.stringify(out));
