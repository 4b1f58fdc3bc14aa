"""Benchmark 4: calendar feeds.

A council with 500 events (440 single events and 60 series: weekly and monthly, with counts,
end dates and exceptions), created through the calendar API, spread over the coming 13 months (the API refuses events in
the past). Its council feed (``/feeds/<token>.ics``, the secret link from ``POST .../feeds``) is
fetched through the calendar service under gunicorn (2 workers, the services' config, SQLite):

* **200** — the full feed, as a calendar app without a cached copy gets it (each worker keeps the
  feed it rendered for the council's current version);
* **304** — the answer to ``If-None-Match`` with the current ETag (what a subscribed calendar app
  gets on most polls), and to ``If-Modified-Since`` with the current Last-Modified; both come
  from the council's version and change time, one small query, no body read;
* **after a change** — the first request after a change: one event's title is changed through
  the API before each request (outside the timing), one client. The change wakes the changing
  worker's background work (reminders, CalDAV sync, handoff, and rendering the council's fetched
  feeds ahead into the workers' shared cache); it gets 0.3 s before the request, and a second
  figure times the request right after the change, while that work still runs. The same with
  ``feeds_render_ahead`` off (a second calendar on the same database): the request renders the
  feed itself. Also, in this process, a *cold* render (nothing remembered: what a fresh worker
  does once), and the feed bodies by origin from the calendar's metrics.

Baseline, in the same run: ``bench/baseline_app.py`` ``GET /static`` under the same gunicorn
config, answering a file with the same bytes as the feed (200) or 304 on its ETag. Reported as
requests/s with 8 client threads (200 and 304) and as median latency with one client (render vs
the static 200), each as a ratio to the baseline.

    .venv/bin/python bench/feeds.py [--requests 1000]
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Gunicorn, hammer, service_config  # noqa: E402

SLUG = "klantenraad"
TYPES = ["vergadering", "overleg_bestuur", "heidag", "training", "bewonersavond", "inspiratiebijeenkomst",
         "bewonersconsultatie"]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]


def events(n_single: int = 440, n_series: int = 60, seed: int = 6) -> list[dict]:
    rnd = random.Random(seed)
    today = date.today()
    out = []
    for i in range(n_single):
        day = today + timedelta(days=rnd.randint(1, 400))
        etype = TYPES[i % len(TYPES)]
        if etype == "heidag":
            out.append({"type": etype, "title": f"Heidag {i}", "start": day.isoformat(),
                        "end": (day + timedelta(days=1)).isoformat(), "location": "Landgoed De Horst"})
        else:
            hour = rnd.choice([10, 14, 19])
            out.append({"type": etype, "title": f"{etype.replace('_', ' ').capitalize()} {i}",
                        "start": f"{day.isoformat()}T{hour:02d}:30", "end": f"{day.isoformat()}T{hour + 2:02d}:00",
                        "location": "Kantoor Woonstad, Rotterdam", "description": f"Agenda en stukken volgen. ({i})"})
    for i in range(n_series):
        first = today + timedelta(days=rnd.randint(1, 120))
        while first.weekday() > 4:
            first += timedelta(days=1)
        weekly = i % 2 == 0
        rec: dict = {"freq": "weekly" if weekly else "monthly", "interval": rnd.choice([1, 2]) if weekly else 1}
        rec["weekdays"] = [WEEKDAYS[first.weekday()]]
        if not weekly:  # e.g. "the second Tuesday of the month", or "the last Friday"
            position = (first.day - 1) // 7 + 1
            rec["position"] = position if position <= 4 else -1
        if i % 3 == 0:
            rec["count"] = rnd.randint(6, 40)
        elif i % 3 == 1:
            rec["until"] = (first + timedelta(days=rnd.randint(60, 360))).isoformat()
        # i % 3 == 2: open-ended series (the feed shows them as RRULEs)
        body = {"type": TYPES[i % 2], "title": f"Vaste vergadering {i}", "start": f"{first.isoformat()}T19:30",
                "end": f"{first.isoformat()}T21:30", "recurrence": rec, "location": "Kantoor Woonstad"}
        if weekly and i % 4 == 0:
            body["exdates"] = [(first + timedelta(weeks=2 * rec["interval"])).isoformat()]
        out.append(body)
    return out


def latency(client: httpx.Client, url: str, n: int, before=None) -> list[float]:
    times = []
    for _ in range(n):
        if before:
            before()
        started = time.perf_counter()
        resp = client.get(url)
        times.append(time.perf_counter() - started)
        if resp.status_code != 200:
            raise RuntimeError(f"{url} answered {resp.status_code}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--renders", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="overleg-feeds-") as tmp:
        folder = Path(tmp)
        config, tokens = service_config(folder)
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        with Gunicorn("services.calendar.wsgi:app", folder, workers=2, service="calendar", name="calendar",
                      env={"OVERLEG_CONFIG": str(config)}) as cal:
            api = f"{cal.url}/api/v1/councils/{SLUG}"
            made = 0
            with httpx.Client(timeout=30, headers=admin, trust_env=False) as http:
                for body in events():
                    resp = http.post(f"{api}/events", json=body)
                    if resp.status_code != 201:
                        raise RuntimeError(f"creating an event: {resp.status_code} {resp.text[:300]}\n{body}")
                    made += 1
                feed_url = http.post(f"{api}/feeds", json={"kind": "council"}).json()["url"]
                feed_url = cal.url + feed_url[feed_url.index("/feeds/"):]
                first = http.get(feed_url)
                assert first.status_code == 200, first.status_code
                body, etag = first.content, first.headers["ETag"]
            n_vevents = body.count(b"BEGIN:VEVENT")
            n_rrules = sum(1 for part in body.split(b"BEGIN:VEVENT")[1:] if b"\nRRULE:" in part.split(b"END:VEVENT")[0])
            static = folder / "feed.ics"
            static.write_bytes(body)
            from shared.db import Database

            cal_db = Database(f"sqlite:///{folder / 'data' / 'calendar.db'}")

            changes = iter(range(1_000_000))
            change_client = httpx.Client(timeout=30, headers=admin, trust_env=False)

            def change_one_event(settle: float = 0.3, through: str = "") -> None:
                """Change one event; then (``settle``) let the background work the change woke in its
                worker (reminders, CalDAV sync, handoff, rendering its feeds ahead) finish."""
                i = next(changes)
                resp = change_client.patch(f"{through or api}/events/{1 + i % made}",
                                           json={"title": f"Gewijzigd {i}"})
                if resp.status_code != 200:
                    raise RuntimeError(f"changing an event: {resp.status_code} {resp.text[:300]}")
                time.sleep(settle)

            with Gunicorn("bench.baseline_app:create_app()", folder, workers=2, name="baseline",
                          env={"OVERLEG_BASELINE_FILE": str(static),
                               "OVERLEG_BASELINE_DB": f"sqlite:///{folder / 'baseline.db'}"}) as base:
                static_url = base.url + "/static"
                with httpx.Client(timeout=30, trust_env=False) as one:
                    static_etag = one.get(static_url).headers["ETag"]
                    # warm up
                    latency(one, static_url, 20)
                    latency(one, feed_url, 20)
                    latency(one, feed_url, 3, before=change_one_event)
                    current = one.get(feed_url)
                    etag, last_modified = current.headers["ETag"], current.headers["Last-Modified"]
                    results = {}
                    for name, url, headers in (("static 200", static_url, None), ("feed 200", feed_url, None),
                                               ("static 304", static_url, {"If-None-Match": static_etag}),
                                               ("feed 304", feed_url, {"If-None-Match": etag}),
                                               ("feed 304 ims", feed_url, {"If-Modified-Since": last_modified})):
                        rates = []
                        for _ in range(2):
                            took, statuses = hammer(url, [{}] * args.requests, headers=headers, method="GET")
                            want = 304 if headers else 200
                            if statuses != {want: args.requests}:
                                raise RuntimeError(f"{name}: {statuses}")
                            rates.append(args.requests / took)
                        results[name] = max(rates)
                    static_lat = statistics.median(latency(one, static_url, args.renders))
                    # The same static file, each request after the same pause as a render after a change
                    # (an idle machine answers its first request after a pause more slowly: the baseline
                    # must pay that too, or the ratio measures the pause instead of the render).
                    static_paused_lat = statistics.median(latency(one, static_url, args.renders,
                                                                  before=lambda: time.sleep(0.3)))
                    render_lat = statistics.median(latency(one, feed_url, args.renders, before=change_one_event))
                    busy_lat = statistics.median(latency(one, feed_url, args.renders,
                                                         before=lambda: change_one_event(0.0)))
                    cached_lat = statistics.median(latency(one, feed_url, args.renders))
                    cached_paused_lat = statistics.median(latency(one, feed_url, args.renders,
                                                                  before=lambda: time.sleep(0.3)))
                    # The same database served by a calendar with ``feeds_render_ahead`` off: each
                    # poll after a change renders in the request (what a worker does when the change
                    # came from elsewhere, or on a read-only data folder).
                    with Gunicorn("services.calendar.wsgi:app", folder, workers=2, service="calendar",
                                  name="calendar-no-ahead",
                                  env={"OVERLEG_CONFIG": str(config), "OVERLEG_FEEDS_RENDER_AHEAD": "false"}) as plain:
                        plain_api = f"{plain.url}/api/v1/councils/{SLUG}"
                        plain_feed = plain.url + feed_url[feed_url.index("/feeds/"):]
                        latency(one, plain_feed, 3, before=lambda: change_one_event(through=plain_api))
                        inline_lat = statistics.median(latency(
                            one, plain_feed, args.renders, before=lambda: change_one_event(through=plain_api)))
                    origins = feed_bodies(cal.url)
            change_client.close()
            cold_lat = statistics.median(cold_renders(cal_db, config, args.renders))
            cal_db.dispose()
    print(f"benchmark 4: calendar feed of a council with {made} events ({n_vevents} VEVENTs in the feed,"
          f" {n_rrules} series as RRULE), {len(body) / 1024:.0f} KiB")
    print(f"  gunicorn 2 workers x 4 threads, 8 client threads, {args.requests} requests per measurement (best of 2)")
    print(f"  200 full feed   feed {results['feed 200']:7.1f}/s   static file {results['static 200']:7.1f}/s"
          f"   ratio {results['feed 200'] / results['static 200']:5.2f}")
    print(f"  304 not changed feed {results['feed 304']:7.1f}/s   static file {results['static 304']:7.1f}/s"
          f"   ratio {results['feed 304'] / results['static 304']:5.2f}")
    print(f"  304 If-Modified-Since {results['feed 304 ims']:7.1f}/s   static file {results['static 304']:7.1f}/s"
          f"   ratio {results['feed 304 ims'] / results['static 304']:5.2f}")
    print(f"  one client, median latency: static 200 {static_lat * 1000:6.1f} ms, feed 200 {cached_lat * 1000:6.1f} ms"
          f" (ratio {cached_lat / static_lat:5.2f}), first request after a change {render_lat * 1000:6.1f} ms"
          f" (ratio {render_lat / static_lat:5.2f})")
    print(f"  same pause before each request (0.3 s): static 200 {static_paused_lat * 1000:6.1f} ms,"
          f" first request after a change {render_lat * 1000:6.1f} ms (ratio {render_lat / static_paused_lat:5.2f})")
    print(f"  same pause, nothing changed: feed 200 {cached_paused_lat * 1000:6.1f} ms"
          f" (ratio {cached_paused_lat / static_paused_lat:5.2f} to the paused static file)")
    print(f"  feed rendered right after the change, its jobs still running: {busy_lat * 1000:6.1f} ms"
          f" (ratio {busy_lat / static_lat:5.2f})")
    print("  feed bodies served by the calendar with render-ahead on, by origin: "
          + ", ".join(f"{how} {n:.0f}" for how, n in sorted(origins.items())))
    print(f"  rendered in the request (feeds_render_ahead off): {inline_lat * 1000:6.1f} ms"
          f" (ratio {inline_lat / static_lat:5.2f}; after the same pause {inline_lat / static_paused_lat:5.2f})")
    print(f"  cold render in this process (nothing remembered, as a fresh worker once): {cold_lat * 1000:6.1f} ms"
          f" (ratio {cold_lat / static_lat:5.2f})")


def feed_bodies(url: str) -> dict[str, float]:
    """The calendar's count of feed bodies by origin (``overleg_calendar_feed_bodies_total``):
    rendered in a request, ahead after a change, or read from the shared cache."""
    text = httpx.get(url + "/metrics", timeout=10, trust_env=False).text
    return {m[1]: float(m[2]) for m in re.finditer(r'^overleg_calendar_feed_bodies_total\{how="(\w+)"\} (\S+)$',
                                                   text, re.M)}


def cold_renders(db, config: Path, n: int) -> list[float]:
    """The council feed rendered with nothing remembered: events parsed anew, every VEVENT rendered."""
    import yaml

    from services.calendar import feeds, store
    from services.calendar.domain.ical import RenderMemo
    from shared.outbox import utcnow
    from shared.settings import load_settings

    council = load_settings(**yaml.safe_load(config.read_text())).council(SLUG)
    with db.read() as s:
        token = store.feed_token(s, SLUG, "council", "")
    assert council is not None and token is not None
    times = []
    for _ in range(n):
        store.event_from_data.cache_clear()
        feeds.MEMO = RenderMemo()
        started = time.perf_counter()
        with db.read() as s:
            feeds.render(s, council, token, utcnow())
        times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    main()
