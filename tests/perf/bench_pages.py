"""Page benchmark at province scale (`make bench`; not part of `make test`).

    DATABASE_URL=postgres://…/kc_scale python manage.py seed_scale     # once
    DATABASE_URL=postgres://…/kc_scale make bench

Part 1 requests every key page in-process through Django's test Client (no network, DEBUG off)
and prints, per page, its query count, p50 and p95 server time over REPEAT requests, and the
floor: the same rows fetched by one hand-written SQL query through psycopg and minimally
rendered as an HTML table; ratio = p50 / floor p50.

Part 2 serves the app with gunicorn (2 workers) and loads the violation list with wrk, next to
a bare WSGI app (psycopg + an f-string) doing the same query under the same gunicorn, in the
same run.

A page is one entry of PAGES: a name, a login (seeded usernames without the "scale-"
prefix), a URL built from the seeded data, a floor query and the kind of target it meets.
BENCH_ONLY=word,word times only the pages whose names contain one; BENCH_REPEAT=n sets the repeats.
"""

import datetime
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.perf.bench_settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, connections, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from discipline.scale import BENCH_UNIT_ID, USERNAME_PREFIX  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
WARMUP = 3
PORT_APP, PORT_BARE, PORT_EMPTY, PORT_LAYOUT = 8091, 8092, 8093, 8094
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))

# Targets (issue 9): p95 by kind, ratio to the floor for lists.
TARGET_P95 = {
    "list": 100,
    "page": 100,
    "dashboard": 300,
    "admin": 300,
    "document": None,
    "framework": None,
}
TARGET_RATIO = {"list": 5}


@dataclass
class Page:
    name: str
    login: str
    kind: str
    url: Callable[[dict], str]
    floor_sql: str
    floor_params: Callable[[dict], list]


# The rows behind each page, as one query. Lists: the same filter, order and page size.
LIST_SQL = """
    SELECT v.id, v.occurred_at, v.status, s.full_name, u.name, t.name
    FROM discipline_violation v
    JOIN units_staff s ON s.id = v.staff_id JOIN units_unit u ON u.id = v.unit_id
    JOIN discipline_violationtype t ON t.id = v.type_id
    WHERE v.unit_id = %s AND v.type_id = %s AND v.occurred_at >= %s AND v.occurred_at < %s
    ORDER BY v.occurred_at DESC, v.id DESC LIMIT 25
"""
INBOX_SQL = """
    SELECT v.id, v.occurred_at, v.status, s.full_name, t.name, v.response_due
    FROM discipline_violation v
    JOIN units_staff s ON s.id = v.staff_id
    JOIN discipline_violationtype t ON t.id = v.type_id
    WHERE v.unit_id = %s AND v.status IN ('notified', 'disputed', 'upheld', 'acknowledged')
    ORDER BY (v.status = 'notified' AND v.response_due < current_date) DESC,
        v.occurred_at DESC, v.id DESC LIMIT 25
"""
ROLL_SQL = """
    SELECT r.id, s.full_name, s.position, r.presence, r.badge_worn, r.dress_proper
    FROM inspections_rollentry r JOIN units_staff s ON s.id = r.staff_id
    WHERE r.visit_id = %s ORDER BY s.full_name, r.id
"""
DETAIL_SQL = """
    SELECT v.id, v.status, s.full_name, u.name, t.name, h.history_date, h.status,
        h.history_change_reason
    FROM discipline_violation v
    JOIN units_staff s ON s.id = v.staff_id JOIN units_unit u ON u.id = v.unit_id
    JOIN discipline_violationtype t ON t.id = v.type_id
    LEFT JOIN discipline_historicalviolation h ON h.id = v.id
    WHERE v.id = %s ORDER BY h.history_date, h.history_id
"""
COUNTS_SQL = """
    SELECT count(*) FILTER (WHERE status = 'recorded'), count(*) FILTER (WHERE status = 'notified'),
        count(*) FILTER (WHERE status = 'disputed'),
        count(*) FILTER (WHERE status IN ('acknowledged', 'upheld')),
        count(*) FILTER (WHERE status = 'notified' AND response_due < current_date),
        count(*) FILTER (WHERE status = 'upheld' AND corrective_action = ''), count(*)
    FROM discipline_violation WHERE unit_id = ANY(%s)
"""
ADMIN_SQL = """
    SELECT v.id, v.occurred_at, s.full_name, u.name, t.name, v.status, v.source
    FROM discipline_violation v
    JOIN units_staff s ON s.id = v.staff_id JOIN units_unit u ON u.id = v.unit_id
    JOIN discipline_violationtype t ON t.id = v.type_id
    ORDER BY v.occurred_at DESC, v.id DESC LIMIT 50 OFFSET %s
"""
# Dashboards and reports: the period's counted violations by unit, local month and category.
FIGURES_SQL = """
    SELECT v.unit_id, date_trunc('month', v.occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh'),
        t.category, count(*), count(*) FILTER (WHERE v.status IN ('acknowledged', 'upheld',
        'closed'))
    FROM discipline_violation v JOIN discipline_violationtype t ON t.id = v.type_id
    WHERE v.unit_id = ANY(%s) AND v.status NOT IN ('voided', 'dismissed')
        AND v.occurred_at >= %s AND v.occurred_at < %s
    GROUP BY 1, 2, 3
"""
# The .xlsx list: every counted violation of the unit's year, oldest first.
ROWS_SQL = """
    SELECT v.occurred_at, s.full_name, u.name, t.name, t.category, v.status
    FROM discipline_violation v
    JOIN units_staff s ON s.id = v.staff_id JOIN units_unit u ON u.id = v.unit_id
    JOIN discipline_violationtype t ON t.id = v.type_id
    WHERE v.unit_id = %s AND v.status NOT IN ('voided', 'dismissed')
        AND v.occurred_at >= %s AND v.occurred_at < %s
    ORDER BY v.occurred_at, v.id
"""
# The evaluation sheet: standing violations of the year per person and category.
EVALUATION_SQL = """
    SELECT v.staff_id, t.category, count(*)
    FROM discipline_violation v JOIN discipline_violationtype t ON t.id = v.type_id
    WHERE v.unit_id = ANY(%s) AND v.status IN ('acknowledged', 'upheld', 'closed')
        AND v.occurred_at >= %s AND v.occurred_at < %s
    GROUP BY 1, 2
"""
LETTER_SQL = """
    SELECT l.id, l.number, l.symbol, l.subject, l.recipients, l.body, l.copy_to, l.signer_name
    FROM discipline_letter l WHERE l.id = %s
"""


def _home(role: str, login: str) -> Page:
    return Page(
        f"home (dashboard), {role}",
        login,
        "dashboard",
        lambda d: "/",
        COUNTS_SQL,
        lambda d: [d["all_units"] if login != "head" else [BENCH_UNIT_ID]],
    )


def _figures(name: str, login: str, kind: str, url: str, whole: bool, sql=FIGURES_SQL):
    """A dashboard, report or evaluation page: `url` is formatted with the seeded data
    (year, quarter, unit); the floor reads the year's (or quarter's) rows in one query."""

    def params(d):
        units = d["all_units"] if whole else [BENCH_UNIT_ID]
        span = "quarter" if "{quarter}" in url else "year"
        start, end = d[f"{span}_start"], d[f"{span}_end"]
        return [units if sql is not ROWS_SQL else BENCH_UNIT_ID, start, end]

    return Page(name, login, kind, lambda d: url.format(**d, unit=BENCH_UNIT_ID), sql, params)


def _framework(name: str, url: str) -> Page:
    """Django's own cost (tests/perf/bench_urls.py), beside the list's floor query: no page
    can be cheaper than this with the same login, session and middleware."""
    return Page(
        name,
        "inspector1",
        "framework",
        lambda d: url,
        LIST_SQL,
        lambda d: [BENCH_UNIT_ID, d["type"], d["date_from"], d["date_to"]],
    )


PAGES = [
    _framework("Django alone: empty view, logged in", "/bench/empty/"),
    _framework("Django alone: the bare layout (menu, bell)", "/bench/layout/"),
    Page(
        "violation list: unit, type, dates",
        "inspector1",
        "list",
        lambda d: (
            f"/violations/?unit={BENCH_UNIT_ID}&type={d['type']}"
            f"&date_from={d['date_from']}&date_to={d['date_to']}"
        ),
        LIST_SQL,
        lambda d: [BENCH_UNIT_ID, d["type"], d["date_from"], d["date_to"]],
    ),
    Page(
        "violation list, unfiltered",
        "inspector1",
        "list",
        lambda d: "/violations/",
        LIST_SQL.replace(
            "WHERE v.unit_id = %s AND v.type_id = %s AND v.occurred_at >= %s AND "
            "v.occurred_at < %s",
            "",
        ),
        lambda d: [],
    ),
    Page(
        "unit-head inbox",
        f"head{BENCH_UNIT_ID}",
        "list",
        lambda d: "/inbox/",
        INBOX_SQL,
        lambda d: [BENCH_UNIT_ID],
    ),
    Page(
        "roll page, 200-staff unit",
        "inspector1",
        "list",
        lambda d: f"/visits/{d['visit']}/roll/",
        ROLL_SQL,
        lambda d: [d["visit"]],
    ),
    Page(
        "violation page with timeline",
        "inspector1",
        "page",
        lambda d: f"/violations/{d['violation']}/",
        DETAIL_SQL,
        lambda d: [d["violation"]],
    ),
    _home("administrator", "admin"),
    _home("inspector", "inspector1"),
    _home("unit head", "head"),
    _home("office chief", "chief"),
    _home("leader", "leader"),
    Page(
        "admin violations, page 1",
        "admin",
        "admin",
        lambda d: "/admin/discipline/violation/",
        ADMIN_SQL,
        lambda d: [0],
    ),
    Page(
        "admin violations, page 1,000",
        "admin",
        "admin",
        lambda d: "/admin/discipline/violation/?p=1000",
        ADMIN_SQL,
        lambda d: [49_950],
    ),
    _figures("dashboard, leader (Authority, year)", "leader", "dashboard", "/dashboard/", True),
    _figures("dashboard, unit head (own unit, year)", "head", "dashboard", "/dashboard/", False),
    _figures(
        "dashboard, one unit and a quarter",
        "leader",
        "dashboard",
        "/dashboard/?unit={unit}&period={quarter}",
        False,
    ),
    _figures(
        "report page, Authority, year", "leader", "dashboard", "/reports/?period={year}", True
    ),
    _figures(
        "report page, one unit, year",
        "leader",
        "dashboard",
        "/reports/?unit={unit}&period={year}",
        False,
    ),
    _figures(
        "report .xlsx, one unit, year",
        "leader",
        "document",
        "/reports/xlsx/?unit={unit}&period={year}",
        False,
        ROWS_SQL,
    ),
    _figures(
        "report .docx, one unit, year",
        "leader",
        "document",
        "/reports/docx/?unit={unit}&period={year}",
        False,
    ),
    _figures(
        "evaluation sheet, Authority",
        "leader",
        "dashboard",
        "/evaluation/?year={year}",
        True,
        EVALUATION_SQL,
    ),
    _figures(
        "evaluation sheet, one unit",
        "leader",
        "dashboard",
        "/evaluation/?year={year}&unit={unit}",
        False,
        EVALUATION_SQL,
    ),
    _figures(
        "evaluation .xlsx, one unit",
        "leader",
        "document",
        "/evaluation/export/?year={year}&unit={unit}",
        False,
        EVALUATION_SQL,
    ),
    Page(
        "letter .docx",
        "chief",
        "document",
        lambda d: f"/letters/{d['letter']}/docx/",
        LETTER_SQL,
        lambda d: [d["letter"]],
    ),
    Page(
        "letter PDF",
        "chief",
        "document",
        lambda d: f"/letters/{d['letter']}/pdf/",
        LETTER_SQL,
        lambda d: [d["letter"]],
    ),
]


def seeded_data() -> dict:
    """Ids the pages need, looked up in the seeded database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM discipline_violationtype WHERE code = 'late_early'")
        late = cursor.fetchone()[0]
        cursor.execute(
            "SELECT max(id) FROM inspections_visit WHERE unit_id = %s AND status = 'in_progress'",
            [BENCH_UNIT_ID],
        )
        visit = cursor.fetchone()[0]
        cursor.execute(
            "SELECT h.id FROM discipline_historicalviolation h GROUP BY h.id "
            "HAVING count(*) >= 3 ORDER BY h.id DESC LIMIT 1"
        )
        violation = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM discipline_letter")
        letter = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id) FROM units_unit")
        all_units = cursor.fetchone()[0]
    today = django.utils.timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    year_start = django.utils.timezone.make_aware(datetime.datetime(today.year, 1, 1))
    q_year, q_number = last_quarter
    q_start = django.utils.timezone.make_aware(datetime.datetime(q_year, 3 * q_number - 2, 1))
    q_end = (
        django.utils.timezone.make_aware(datetime.datetime(q_year + 1, 1, 1))
        if q_number == 4
        else django.utils.timezone.make_aware(datetime.datetime(q_year, 3 * q_number + 1, 1))
    )
    return {
        "year": today.year,
        "quarter": f"{q_year}-q{q_number}",
        "year_start": year_start,
        "year_end": year_start.replace(year=today.year + 1),
        "quarter_start": q_start,
        "quarter_end": q_end,
        "type": late,
        "visit": visit,
        "violation": violation,
        "letter": letter,
        "all_units": all_units,
        "date_from": today.replace(year=today.year - 1).isoformat(),
        "date_to": today.isoformat(),
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(function, repeat: int) -> list[float]:
    for _ in range(WARMUP):
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def floor_render(rows) -> bytes:
    cells = "".join(
        "<tr>" + "".join(f"<td>{value}</td>" for value in row) + "</tr>" for row in rows
    )
    return f"<!doctype html><table>{cells}</table>".encode()


def dsn() -> str:
    db = settings.DATABASES["default"]
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']}" + (f" password={db['PASSWORD']}" if db["PASSWORD"] else "")
    )


def login(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME_PREFIX + username))
    return client


def bench_pages(data: dict) -> list[dict]:
    results = []
    only = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]
    with psycopg.connect(dsn()) as floor_db:
        for page in PAGES:
            if only and not any(word in page.name for word in only):
                continue
            client = login(page.login if page.login != "head" else f"head{BENCH_UNIT_ID}")
            url = page.url(data)
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{page.name}: {url} answered {response.status_code}")
            reset_queries()  # each request starts by clearing the log
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            query_count = len(queries)  # now: the log is cleared by the next request
            times = timed(lambda c=client, u=url: c.get(u), REPEAT)
            params = page.floor_params(data)

            def floor(sql=page.floor_sql, params=params):
                with floor_db.cursor() as cursor:
                    cursor.execute(sql, params)
                    return floor_render(cursor.fetchall())

            floor_times = timed(floor, REPEAT)
            p50, floor_p50 = statistics.median(times), statistics.median(floor_times)
            results.append(
                {
                    "page": page,
                    "queries": query_count,
                    "p50": p50,
                    "p95": percentile(times, 0.95),
                    "floor": floor_p50,
                    "ratio": p50 / floor_p50,
                }
            )
            print(f"  measured {page.name}", file=sys.stderr)
    return results


def print_table(results: list[dict]) -> None:
    print(f"\nPages at scale on {settings.DATABASES['default']['NAME']}, {REPEAT} requests each")
    print(f"(load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)\n")
    header = "| page | queries | p50 ms | p95 ms | floor p50 ms | ratio | target |"
    print(header)
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        page = r["page"]
        target = TARGET_P95[page.kind]
        goals = []
        if target:
            goals.append(f"p95 ≤ {target} {'ok' if r['p95'] <= target else 'MISSED'}")
        if page.kind in TARGET_RATIO:
            limit = TARGET_RATIO[page.kind]
            goals.append(f"ratio ≤ {limit} {'ok' if r['ratio'] <= limit else 'MISSED'}")
        print(
            f"| {page.name} | {r['queries']} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['floor']:.2f} | {r['ratio']:.1f} | {', '.join(goals) or '—'} |"
        )


# --- part 2: gunicorn and wrk -----------------------------------------------------------------


def wait_for(port: int, path: str, headers: dict) -> None:
    import urllib.request

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not answer 200 on {path}")


def wrk(port: int, path: str, cookie: str) -> dict:
    command = [
        "wrk", "-t2", "-c8", f"-d{WRK_SECONDS}s", "--latency",
        *(["-H", f"Cookie: {cookie}"] if cookie else []),
        f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {"rps": 0.0, "p99": "?", "non2xx": 0}
    for line in output.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(words[1])
        elif words[:1] == ["99%"]:
            result["p99"] = words[1]
        elif line.strip().startswith("Non-2xx"):
            result["non2xx"] = int(words[-1])
    return result


def bench_gunicorn(data: dict) -> None:
    import shutil

    if not shutil.which("wrk"):
        print("\nwrk is not installed (apt-get install -y --no-install-recommends wrk): skipped")
        return
    client = login("inspector1")
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    listing = next(page for page in PAGES if page.kind == "list")
    list_path = listing.url(data)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.perf.bench_settings",
        "BENCH_FLOOR_SQL": LIST_SQL,
        "BENCH_FLOOR_PARAMS": "|".join(str(p) for p in listing.floor_params(data)),
        "BENCH_DSN": dsn(),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    results = {}
    for label, port, app, path in (
        ("Kỷ cương (Django), violation list", PORT_APP, "discipline.wsgi", list_path),
        ("Django alone: empty view, logged in", PORT_EMPTY, "discipline.wsgi", "/bench/empty/"),
        ("Django alone: the bare layout", PORT_LAYOUT, "discipline.wsgi", "/bench/layout/"),
        (
            "bare WSGI + psycopg, the list's query",
            PORT_BARE,
            "tests.perf.bare_wsgi:application",
            list_path,
        ),
    ):
        server = subprocess.Popen(
            [gunicorn, app, "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning"],
            cwd=BASE_DIR, env=env,
        )  # fmt: skip
        try:
            wait_for(port, path, {"Cookie": cookie})
            wrk(port, path, cookie)  # warm both workers' connections and caches
            results[label] = wrk(port, path, cookie)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\nViolation list under gunicorn (2 workers), wrk 2 threads, 8 connections, "
          f"{WRK_SECONDS} s (load average {os.getloadavg()[0]:.2f})\n")  # fmt: skip
    print("| server | requests/s | p99 | non-2xx |")
    print("|---|---:|---:|---:|")
    for label, result in results.items():
        print(f"| {label} | {result['rps']:.0f} | {result['p99']} | {result['non2xx']} |")
    app, bare = (
        results["Kỷ cương (Django), violation list"],
        results["bare WSGI + psycopg, the list's query"],
    )
    empty = results["Django alone: empty view, logged in"]
    layout = results["Django alone: the bare layout"]
    print(f"Django alone (no page): {100 * empty['rps'] / bare['rps']:.0f} % of bare; with the "
          f"bare layout {100 * layout['rps'] / bare['rps']:.0f} %; the list "
          f"reaches {100 * app['rps'] / empty['rps']:.0f} % of Django alone")  # fmt: skip
    print(f"\nDjango / bare: {100 * app['rps'] / bare['rps']:.0f} % (target ≥ 10 %, "
          f"≥ 250 requests/s, p99 ≤ 60 ms)")  # fmt: skip


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("make bench needs DATABASE_URL=postgres://… (seeded by seed_scale)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM units_staff WHERE unit_id = %s", [BENCH_UNIT_ID])
        if cursor.fetchone()[0] == 0:
            raise SystemExit("Seed the database first: python manage.py seed_scale")
    data = seeded_data()
    print_table(bench_pages(data))
    connections.close_all()
    if "--no-wrk" not in sys.argv:
        bench_gunicorn(data)


if __name__ == "__main__":
    main()
