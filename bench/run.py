#!/usr/bin/env python3
"""`make bench`: seed PostgreSQL at scale 1 and 100, serve the portal as in production (gunicorn sync
workers, PORTAL_ENV=production, Redis rate limits) and load its busiest pages with wrk from a second
process on 127.0.0.1, reporting each page against the ceiling page of the same run.

Every number is a ratio within one run: this 2-core machine is shared, and absolute figures vary by
±40 % between runs. Output: a table on the terminal and bench/results/<UTC timestamp>.json.

    python bench/run.py [--scales 1,100] [--duration 5] [--connections 4] [--pages staff_] [--port 8100]

Databases: BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench) plus
`_s<scale>`, one per scale, created, migrated and seeded when missing, re-used when already seeded at
that scale. Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).

Scale N holds N clients of the scale shape (~300 job orders each, a panel of suppliers submitting to
them), as the issue defines scale 100; the demo's own client (11 job orders) rides along but is not
one of the users loading the pages. So both scales load companies of the scale shape; what grows
for one of them from scale 1 to 100 is what the seed's panels make grow with the data (at scale 100
a client's panel has 7 suppliers instead of 3, a supplier works for up to 3 clients instead of 1:
docs/performance.md, "What scale 1 and scale 100 hold"), and the database around them. Every scale is served at once (one gunicorn per scale, on consecutive
ports) and each page is loaded at every scale back to back, twice, in the order scale 1, 100, 100, 1;
each scale keeps the better of its two runs (both are in the JSON). So the p95 growth compares runs
seconds apart, not minutes, and a burst of another process on this shared machine, which only ever
slows a run down, must hit both runs of a scale to count.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / ".data"
PASSWORD = "portal-demo"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"

# Targets of issue 8 (ratios within one run).
MIN_RATIO = 0.5          # every page at scale 100: >= 0.5 x the ceiling page's req/s
MAX_P95_GROWTH = 1.5     # p95 at scale 100 <= 1.5 x p95 at scale 1
MAX_QUERIES = 10         # SQL queries per request, whatever the data size
CEILING_EVERY = 4        # measure the ceiling page again after this many pages
SIGNED_IN_CEILING = "reference: signed-in ceiling"  # the ceiling's table in the staff layout


# --- databases ---------------------------------------------------------------------------------

def libpq_url(url: str) -> str:
    """psycopg wants postgresql://; the portal accepts either."""
    return re.sub(r"^postgresql\+psycopg2?://", "postgresql://", url)


def ensure_database(url: str) -> bool:
    """Create the database when missing; True when it was created."""
    parts = urllib.parse.urlsplit(libpq_url(url))
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def production_settings(url: str) -> None:
    """The planner setting docs/deploy.md recommends for a server whose data sits on SSD or in memory
    (as the bench databases do): random_page_cost 1.1 instead of PostgreSQL's spinning-disk default
    of 4, set on the bench database only. With 4 the planner scanned whole tables rather than follow
    an index for a few hundred rows (the coverage board's tier-2 list, a supplier's job filter)."""
    name = urllib.parse.urlsplit(libpq_url(url)).path.lstrip("/")
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')


def vacuum_analyze(url: str) -> float:
    """VACUUM (ANALYZE) the database, as autovacuum would have done on a production server after a
    bulk load (it is off on this machine's PostgreSQL): fresh statistics and visibility maps, so the
    planner picks index-only scans. Returns the seconds it took."""
    started = time.monotonic()
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return round(time.monotonic() - started, 1)


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(sql, params).fetchall()


def seed_scale(scale: int) -> int:
    """`seed-demo --scale` for a bench scale of N clients of the scale shape. seed-demo's scale counts
    the demo's small client as its first, so its scale 1 is the demo alone (11 job orders, 6
    submissions), not a hundredth of scale 100; the bench's scale 1 is the demo plus one scale client
    (seed-demo --scale 2). Scale 100 stays seed-demo --scale 100 (99 scale clients and the demo's),
    the databases earlier runs seeded."""
    return 2 if scale == 1 else scale


#: Users of the scale clients and suppliers ("hm7@client7.example", "rec7-0@supplier7-0.example"):
#: the ones that load the pages, so both scales load tenants of the same shape.
SCALE_TENANT = {"client": "hm%@client%.example", "supplier": "rec%@supplier%.example"}


def seeded_at(url: str, scale: int) -> bool:
    """The database holds the demo data of `scale` (the marker: the last scale client exists)."""
    try:
        code = "ACME" if scale == 1 else f"C{scale:04d}"
        return bool(query(url, "SELECT 1 FROM organisation o JOIN submission s ON s.client_org_id = o.id "
                               "WHERE o.code = %s LIMIT 1", (code,)))
    except psycopg.Error:
        return False


def preflight(base: str, redis_url: str) -> str | None:
    """A clear message when PostgreSQL or Redis is not there (rather than a failed sign-in later)."""
    parts = urllib.parse.urlsplit(libpq_url(base))
    try:
        psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({exc}); set BENCH_DATABASE_URL"
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis for the rate limits
        return f"Redis is not reachable at {redis_url} ({exc}); start it or set BENCH_REDIS_URL"
    return None


def portal_env(url: str, scale: int, port: int, redis: str) -> dict:
    env = dict(os.environ)
    env.update({
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        "PORTAL_DATABASE_URL": url,
        "PORTAL_REDIS_URL": redis,
        "PORTAL_UPLOAD_DIR": str(DATA / f"uploads_s{scale}"),
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_BENCH_CEILING": "1",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
    })
    return env


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "portal", *args], env=env, cwd=ROOT, check=True)


def prepare(url: str, scale: int, env: dict) -> dict:
    """Create, migrate and seed the scale's database (re-used when already seeded); returns what happened."""
    created = ensure_database(url)
    production_settings(url)
    flask(env, "db", "upgrade")
    seed = seed_scale(scale)
    info = {"database": url, "seed_demo_scale": seed}
    if not created and seeded_at(url, seed):
        print(f"  scale {scale}: re-using {url.rsplit('/', 1)[1]} (already seeded: seed-demo --scale {seed})")
        return {**info, "seeded": False, "seed_seconds": 0, "vacuum_seconds": vacuum_analyze(url)}
    print(f"  scale {scale}: seeding {url.rsplit('/', 1)[1]} (seed-demo --scale {seed}) ...", flush=True)
    started = time.monotonic()
    flask(env, "seed-demo", "--scale", str(seed))
    seconds = round(time.monotonic() - started, 1)
    vacuum = vacuum_analyze(url)
    print(f"  scale {scale}: seeded in {seconds} s, VACUUM (ANALYZE) in {vacuum} s")
    return {**info, "seeded": True, "seed_seconds": seconds, "vacuum_seconds": vacuum}


# --- HTTP --------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def text(self) -> str:
        data = self.body
        if self.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return data.decode("utf-8", "replace")


def fetch(port: int, method: str, path: str, *, cookie: str = "", body: dict | None = None,
          htmx: bool = False) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = cookie
    if htmx:
        headers["HX-Request"] = "true"
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    out = Response(resp.status, resp.headers, resp.read())
    conn.close()
    return out


def session_cookie(resp: Response, previous: str = "") -> str:
    for header in resp.headers.get_all("Set-Cookie") or []:
        name_value = header.split(";", 1)[0]
        if name_value.startswith("portal_session="):
            return name_value
    return previous


def sign_in(port: int, portal: str, email: str) -> str:
    """Sign in once (the login limiter counts failures only) and return the session cookie."""
    page = fetch(port, "GET", f"/{portal}/login")
    cookie = session_cookie(page)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text())
    if not token:
        raise SystemExit(f"no CSRF token on /{portal}/login (status {page.status})")
    resp = fetch(port, "POST", f"/{portal}/login", cookie=cookie,
                 body={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    if resp.status != 302:
        raise SystemExit(f"signing in {email} at /{portal}/login failed: {resp.status}")
    return session_cookie(resp, cookie)


def wait_healthy(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up: see the server log")
        try:
            if fetch(port, "GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the portal did not answer /healthz in time")


def worker_rss_mb(master_pid: int) -> dict:
    """RSS (now and peak) of gunicorn's worker processes, in MB."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", status, re.M):
            rss = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1)) / 1024
            peak = int(re.search(r"^VmHWM:\s+(\d+)", status, re.M).group(1)) / 1024
            workers.append({"pid": int(entry.name), "rss_mb": round(rss, 1), "peak_mb": round(peak, 1)})
    return {"workers": workers, "max_rss_mb": max((w["rss_mb"] for w in workers), default=0)}


# --- what is loaded ----------------------------------------------------------------------------

@dataclass
class Page:
    name: str
    portal: str                 # "client", "supplier", "staff" or "" (anonymous)
    requests: list = field(default_factory=list)   # (path, cookie, htmx)
    expect: tuple = (200,)


def spaced(items: list, n: int) -> list:
    if len(items) <= n:
        return items
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


def coverage_paths(env: dict) -> list[str]:
    """GET pages of the staff oversight (coverage board) blueprint, when that domain exists."""
    code = ("from portal import create_app\n"
            "app = create_app()\n"
            "for r in app.url_map.iter_rules():\n"
            "    if r.endpoint.startswith('oversight.') and 'GET' in r.methods and not r.arguments:\n"
            "        print(r.rule)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    return [line for line in out.stdout.split() if line.startswith("/staff")]


def build_pages(url: str, port: int, env: dict, users_per_portal: int) -> list[Page]:
    emails = {
        "client": [r[0] for r in query(url, "SELECT email FROM user_account WHERE role = 'hiring_manager' "
                                            "AND status = 'active' AND email LIKE %s ORDER BY id",
                                       (SCALE_TENANT["client"],))],
        "supplier": [r[0] for r in query(url, "SELECT email FROM user_account WHERE role = 'recruiter' "
                                              "AND status = 'active' AND email LIKE %s ORDER BY id",
                                         (SCALE_TENANT["supplier"],))],
        "staff": [r[0] for r in query(url, "SELECT email FROM user_account WHERE portal = 'staff' "
                                           "AND status = 'active' ORDER BY id")],
    }
    cookies = {portal: [(email, sign_in(port, portal, email)) for email in spaced(found, users_per_portal)]
               for portal, found in emails.items()}
    cursor = query(url, "SELECT coalesce(max(id), 0) FROM event")[0][0]
    boards = []
    for email, cookie in cookies["client"]:
        job = query(url, "SELECT s.job_order_id FROM submission s JOIN user_account u ON u.org_id = s.client_org_id "
                         "WHERE u.email = %s AND s.client_visible_at IS NOT NULL GROUP BY s.job_order_id "
                         "ORDER BY count(*) DESC, s.job_order_id LIMIT 1", (email,))
        if job:
            boards.append((f"/client/job-orders/{job[0][0]}/board", cookie, False))

    def each(portal: str, path: str, htmx: bool = False) -> list:
        return [(path, cookie, htmx) for _, cookie in cookies[portal]]

    pages = [
        # Not a page of the portal: the ceiling's query and table in the staff layout, signed in. What
        # a portal page costs before it shows anything of its own; reported, never held to the targets.
        Page(SIGNED_IN_CEILING, "staff", each("staff", "/staff/bench/ceiling")),
        Page("live: nothing new (client)", "client", each("client", f"/live?after={cursor}", True), expect=(204,)),
        Page("live: nothing new (staff)", "staff", each("staff", f"/live?after={cursor}", True), expect=(204,)),
        Page("client: dashboard", "client", each("client", "/client/")),
        Page("client: review queue", "client", each("client", "/client/review")),
        Page("client: review board", "client", boards),
        Page("client: job orders", "client", each("client", "/client/job-orders")),
        Page("supplier: dashboard", "supplier", each("supplier", "/supplier/")),
        Page("supplier: job orders", "supplier", each("supplier", "/supplier/job-orders")),
        Page("supplier: search as you type", "supplier",
             [r for q in ("eng", "engineer", "analyst") for r in each("supplier", f"/supplier/job-orders?q={q}", True)]),
        Page("supplier: submissions", "supplier", each("supplier", "/supplier/submissions")),
        Page("staff: dashboard", "staff", each("staff", "/staff/")),
        Page("staff: job orders", "staff", each("staff", "/staff/job-orders")),
        Page("staff: job search", "staff",
             [r for q in ("eng", "engineer") for r in each("staff", f"/staff/job-orders?q={q}", True)]),
        Page("staff: review queue", "staff", each("staff", "/staff/job-orders/review")),
        Page("staff: submissions", "staff", each("staff", "/staff/submissions")),
    ]
    for path in coverage_paths(env):
        pages.append(Page(f"staff: {path}", "staff", each("staff", path)))
    return [p for p in pages if p.requests]


def ceiling_page() -> Page:
    return Page("ceiling page", "", [("/bench/ceiling", "", False)])


def probe(port: int, page: Page) -> dict:
    """One request per listed URL: status and the SQL queries it ran (X-Query-Count)."""
    counts, statuses = [], set()
    for path, cookie, htmx in page.requests:
        resp = fetch(port, "GET", path, cookie=cookie, htmx=htmx)
        statuses.add(resp.status)
        counts.append(int(resp.headers.get("X-Query-Count", "-1")))
    bad = sorted(s for s in statuses if s not in page.expect)
    if bad:
        print(f"  ! {page.name}: status {bad} (expected {page.expect})")
    return {"queries": max(counts), "statuses": sorted(statuses)}


def settle(port: int, limit: float = 40) -> None:
    """Wait until both workers are free again: a slow page's requests outlive wrk's run (a sync worker
    finishes the request it holds), and would otherwise be billed to the next page."""
    deadline, quick = time.monotonic() + limit, 0
    while time.monotonic() < deadline and quick < 4:
        started = time.monotonic()
        try:
            fetch(port, "GET", "/healthz")
        except OSError:
            pass
        quick = quick + 1 if time.monotonic() - started < 0.1 else 0
        time.sleep(0.05)


def load(port: int, page: Page, duration: int, connections: int) -> dict:
    """Run wrk against the page for `duration` seconds; returns req/s, latencies (ms) and errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as fh:
        for path, cookie, htmx in page.requests:
            fh.write(f"{path}\t{cookie}\t{'htmx' if htmx else ''}\n")
        listing = fh.name
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s",
             str(ROOT / "bench" / "wrk.lua"), f"http://127.0.0.1:{port}"],
            env={**os.environ, "BENCH_REQUESTS": listing}, capture_output=True, text=True, check=True)
    finally:
        os.unlink(listing)
    line = next(l for l in out.stdout.splitlines() if l.startswith("BENCH_JSON "))
    raw = json.loads(line.split(" ", 1)[1])
    seconds = raw["duration_us"] / 1e6
    return {"rps": round(raw["requests"] / seconds, 1), "requests": raw["requests"],
            "p50_ms": raw["p50"] / 1000, "p95_ms": raw["p95"] / 1000, "p99_ms": raw["p99"] / 1000,
            "errors": raw["non_2xx"] + raw["socket_errors"] + raw["timeouts"]}


# --- the scales, served at once ----------------------------------------------------------------

@dataclass
class Served:
    """One scale's database and its gunicorn, with what has been measured on it so far."""

    scale: int
    port: int
    info: dict
    server: subprocess.Popen
    log_path: Path
    log: object
    pages: dict = field(default_factory=dict)        # name -> Page
    results: dict = field(default_factory=dict)      # name -> measurements
    ceiling_runs: list = field(default_factory=list)
    pending: list = field(default_factory=list)      # pages measured since the last ceiling run
    memory: dict = field(default_factory=dict)


def serve(scale: int, port: int, args, base: str, redis: str, stamp: str) -> Served:
    """Prepare the scale's database, start its gunicorn and sign its users in."""
    url = f"{base}_s{scale}"
    env = portal_env(url, scale, port, redis)
    info = prepare(url, scale, env)
    log_path = RESULTS / f"{stamp}-server-s{scale}.log"
    log = open(log_path, "wb")
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "python:portal.gunicorn_conf", "portal.wsgi:app"],
                              env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    served = Served(scale, port, info, server, log_path, log)
    try:
        wait_healthy(port, server)
        pages = build_pages(url, port, env, args.users)
        if args.pages:
            pages = [p for p in pages if any(s in p.name for s in args.pages.split(","))]
        served.pages = {p.name: p for p in pages}
        # Warm up each worker (imports, template compilation, connection pools) before measuring.
        for page in [ceiling_page(), *pages]:
            probe(port, page)
        load(port, ceiling_page(), 2, args.connections)
    except BaseException:  # a failed start, sign-in or Ctrl-C: never leave this gunicorn running
        stop(served)
        raise
    return served


def measure(served: Served, page: Page, args) -> dict:
    """Load one page on one scale once."""
    print(f"  scale {served.scale}: {page.name} ...", end="", flush=True)
    settle(served.port)
    measured = {**probe(served.port, page), **load(served.port, page, args.duration, args.connections)}
    print(f" {measured['rps']} req/s")
    return measured


def record(served: Served, page: Page, runs: list[dict]) -> None:
    """Keep the better of a page's runs at one scale (the one that served more: the machine is shared,
    and another process's burst only ever slows a run down), with every run's figures alongside; a
    ceiling run also prices the pages measured since the last one."""
    measured = {**max(runs, key=lambda r: r["rps"]),
                "runs": [{k: r[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "errors")} for r in runs]}
    measured["errors"] = sum(r["errors"] for r in runs)
    if page.name != "ceiling page":
        served.results[page.name] = measured
        served.pending.append(measured)
        return
    for m in served.pending:  # the pages measured since the previous ceiling run
        around = (served.ceiling_runs[-1]["rps"] + measured["rps"]) / 2
        m["ceiling_rps_around"] = round(around, 1)
        m["ratio"] = round(m["rps"] / around, 2) if around else 0
    served.ceiling_runs.append(measured)
    served.pending = []


def stop(served: Served) -> None:
    served.server.send_signal(signal.SIGTERM)
    try:
        served.server.wait(30)
    except subprocess.TimeoutExpired:
        served.server.kill()
    served.log.close()


def run_scales(scales: list[int], args, base: str, redis: str, stamp: str) -> dict:
    """Serve every scale at once and load each page at every scale back to back (the ceiling page
    before the first page, after every CEILING_EVERY pages and after the last), so that a page's
    figures at two scales, and each page and the ceiling runs around it, are seconds apart."""
    served: list[Served] = []
    try:
        for i, scale in enumerate(scales):
            served.append(serve(scale, args.port + i, args, base, redis, stamp))
        names = list(served[-1].pages)
        names += [n for sv in served[:-1] for n in sv.pages if n not in names]
        ceiling = ceiling_page()
        order = [ceiling]
        for i, name in enumerate(names, start=1):
            order.append(name)
            if i % CEILING_EVERY == 0 or i == len(names):
                order.append(ceiling)
        for item in order:
            # Each scale twice, in the order A B B A (scale 1, 100, 100, 1): a drift of the machine's
            # speed during the four runs falls on both scales alike.
            runs: dict[int, list] = {sv.scale: [] for sv in served}
            for sv in [*served, *reversed(served)]:
                page = item if item is ceiling else sv.pages.get(item)
                if page is not None:
                    runs[sv.scale].append(measure(sv, page, args))
            for sv in served:
                if runs[sv.scale]:
                    record(sv, item if item is ceiling else sv.pages[item], runs[sv.scale])
        for sv in served:
            sv.memory = worker_rss_mb(sv.server.pid)
    finally:
        for sv in served:
            stop(sv)
    out = {}
    for sv in served:
        runs = sv.ceiling_runs
        best = max(runs, key=lambda r: r["rps"])
        pages = {"ceiling page": {**best, "rps": round(sum(r["rps"] for r in runs) / len(runs), 1), "ratio": 1.0,
                                  "rps_runs": [r["rps"] for r in runs]}, **sv.results}
        out[str(sv.scale)] = {**sv.info, "scale": sv.scale, "pages": pages, "memory": sv.memory,
                              "server_log": str(sv.log_path)}
    return out


def verdicts(report: dict) -> list[str]:
    """The issue's targets, checked on this run; returns the misses."""
    misses = []
    scales = report["scales"]
    top = scales.get("100") or scales[max(scales, key=int)]
    low = scales.get("1")
    for name, m in top["pages"].items():
        if name in ("ceiling page", SIGNED_IN_CEILING):
            continue
        if m["requests"] < 10:
            misses.append(f"{name}: only {m['requests']} requests completed at scale {top['scale']} "
                          f"(statuses {m['statuses']}; see the server log)")
        if m["ratio"] < MIN_RATIO:
            misses.append(f"{name}: {m['ratio']} x ceiling at scale {top['scale']} (target >= {MIN_RATIO})")
        if m["queries"] > MAX_QUERIES:
            misses.append(f"{name}: {m['queries']} SQL queries (target <= {MAX_QUERIES})")
        if low and name in low["pages"] and m["p95_ms"] > MAX_P95_GROWTH * low["pages"][name]["p95_ms"]:
            misses.append(f"{name}: p95 {m['p95_ms']:.1f} ms at scale {top['scale']} vs "
                          f"{low['pages'][name]['p95_ms']:.1f} ms at scale 1 (target <= {MAX_P95_GROWTH} x)")
        if name.startswith("live:") and m["ratio"] < 1:
            misses.append(f"{name}: costs more than the ceiling page ({m['ratio']} x its req/s)")
    return misses


def print_table(report: dict) -> None:
    scales = sorted(report["scales"], key=int)
    names = list(report["scales"][scales[-1]]["pages"])
    head = f"{'page':34} " + " ".join(
        f"{'s' + s + ' req/s':>10} {'ratio':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} {'SQL':>3}" for s in scales)
    print()
    print(head)
    print("-" * len(head))
    for name in names:
        cells = []
        for s in scales:
            m = report["scales"][s]["pages"].get(name)
            if m is None:
                cells.append(" " * 49)
                continue
            cells.append(f"{m['rps']:>10.1f} {m['ratio']:>5.2f} {m['p50_ms']:>6.1f} {m['p95_ms']:>6.1f} "
                         f"{m['p99_ms']:>6.1f} {m['errors']:>4} {m['queries']:>3}")
        print(f"{name[:34]:34} " + " ".join(cells))
    print("(latencies in ms; ratio = req/s / the ceiling page runs just before and after the page, same run; "
          "SQL = queries per request)")
    for s in scales:
        mem = report["scales"][s]["memory"]
        print(f"scale {s}: gunicorn worker RSS " + ", ".join(f"{w['rss_mb']} MB (peak {w['peak_mb']})"
                                                             for w in mem["workers"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,100", help="comma-separated seed scales (default 1,100)")
    parser.add_argument("--duration", type=int, default=5,
                        help="seconds of each run of a page (default 5; each page runs twice per scale)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--users", type=int, default=4, help="signed-in users per portal (default 4)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8100)),
                        help="the first scale's port; each further scale the next one")
    parser.add_argument("--pages", default="", help="only pages whose name contains one of these (comma-separated)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    problem = preflight(base, redis)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    started = time.monotonic()
    report = {"started_at": stamp, "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
              "duration_per_page_s": args.duration, "connections": args.connections,
              "workers": int(os.environ.get("PORTAL_WORKERS", 2)), "cpus": os.cpu_count(), "scales": {}}
    report["scales"] = run_scales([int(s) for s in args.scales.split(",")], args, base, redis, stamp)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    report["misses"] = verdicts(report)
    out = RESULTS / f"{stamp}.json"
    out.write_text(json.dumps(report, indent=2))
    print_table(report)
    print()
    if report["misses"]:
        print("Targets missed:")
        for miss in report["misses"]:
            print(f"  - {miss}")
    else:
        print("Every target met.")
    print(f"Total {report['total_seconds']} s. Results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
