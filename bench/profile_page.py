#!/usr/bin/env python3
"""Profile one page in-process: CPU milliseconds per request, SQL statements, and where the time goes.

    python bench/profile_page.py /supplier/job-orders --portal supplier [--db URL] [-n 200]
                                 [--email someone@...] [--htmx] [--profile cprofile|none] [--top 30]

It builds the app as `make bench` serves it (PORTAL_ENV=production, the bench database of a scale),
signs a user of the portal in through the real sign-in form, warms the page up, then requests it
`-n` times, measuring CPU time (time.process_time: what the worker spends, not what it waits for, so
other processes on the machine barely move it) and wall time. With `--profile cprofile` the requests
run under cProfile (timed by CPU) and the top functions by cumulative and own time are printed,
then the own time of each package (SQLAlchemy, Jinja, markupsafe, the portal's code, ...).

The database defaults to the scale-100 bench database (`make bench` seeds it).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_s100"
PASSWORD = "portal-demo"


def _package(filename: str) -> str:
    """Who a function belongs to: a library (its top-level package), a template, or the portal's code."""
    if filename.startswith(str(ROOT / "templates")):
        return "templates (Jinja-compiled)"
    if filename.startswith(str(ROOT / "portal")):
        return "portal"
    match = re.search(r"site-packages/([A-Za-z0-9_]+)", filename)
    if match:
        return match.group(1)
    return "python (stdlib, builtins)"


def _by_package(stats: pstats.Stats, n: int) -> None:
    """Own CPU time per package (each function's time outside the functions it calls), per request."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        key = _package(filename)
        totals[key] = totals.get(key, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    print("own CPU time by package (ms per request, profiled):")
    for key, value in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {value / n * 1000:7.2f} ms  {value / whole:5.1%}  {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--portal", choices=("client", "supplier", "staff"), required=True)
    parser.add_argument("--db", default=os.environ.get("BENCH_PROFILE_DB", DEFAULT_DB))
    parser.add_argument("--email", help="who signs in (default: the first active user of the portal)")
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--htmx", action="store_true", help="send HX-Request: true")
    parser.add_argument("--profile", choices=("cprofile", "none"), default="none")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--callers", help="with --profile cprofile: also print the callers of functions matching this")
    parser.add_argument("--sql", action="store_true",
                        help="print each SQL statement of one request with its time (and EXPLAIN ANALYZE of the slowest)")
    parser.add_argument("--explain", type=int, help="with --sql: explain the N-th statement (1-based) instead")
    args = parser.parse_args()

    os.environ.update({
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_DATABASE_URL": args.db,
        "PORTAL_SECURE_COOKIES": "0",
        "PORTAL_BENCH_CEILING": "1",
        "PORTAL_RATELIMIT_ENABLED": "0",
    })
    os.environ.setdefault("PORTAL_UPLOAD_DIR", str(ROOT / "bench" / ".data" / "uploads_profile"))
    sys.path.insert(0, str(ROOT))
    import logging

    from sqlalchemy import text

    from portal import create_app
    from portal.extensions import db

    # One pooled connection: the --sql report reads that connection's prepared statements.
    app = create_app({"ACCESS_LOG": False, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}})
    logging.getLogger("portal").setLevel(logging.WARNING)
    with app.app_context():
        email = args.email
        if not email:
            roles = {"client": "hiring_manager", "supplier": "recruiter"}
            where = f"role = '{roles[args.portal]}'" if args.portal in roles else "portal = 'staff'"
            email = db.session.execute(text(
                f"SELECT email FROM user_account WHERE {where} AND status = 'active' ORDER BY id LIMIT 1")).scalar()
        db.session.remove()

    client = app.test_client()
    page = client.get(f"/{args.portal}/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    resp = client.post(f"/{args.portal}/login",
                       data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    if resp.status_code != 302:
        raise SystemExit(f"signing in {email} failed: {resp.status_code}")
    headers = {"HX-Request": "true"} if args.htmx else {}

    first = client.get(args.path, headers=headers)
    print(f"{args.path} as {email}: status {first.status_code}, {len(first.data):,} bytes, "
          f"{first.headers.get('X-Query-Count', '?')} SQL statements")
    for _ in range(15):  # past psycopg's prepare threshold and PostgreSQL's first custom plans
        client.get(args.path, headers=headers)
    if args.sql:
        _statements(app, client, args.path, headers, args.explain)

    profiler = cProfile.Profile(time.process_time) if args.profile == "cprofile" else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(args.n):
        client.get(args.path, headers=headers)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"{args.n} requests: {cpu / args.n * 1000:.2f} ms CPU, {wall / args.n * 1000:.2f} ms wall per request"
          + (" (under cProfile: slower than served)" if profiler else ""))
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        _by_package(stats, args.n)
        if args.callers:
            stats.print_callers(args.callers)


def _statements(app, client, path: str, headers: dict, explain: int | None = None) -> None:
    """Each statement one request runs, with its time; then the plan of the slowest."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from portal.extensions import db

    seen: list = []

    def before(conn, cursor, statement, parameters, context, executemany):
        context._started = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        # SQLAlchemy's compiled cache: "cached since …" (hit) or "generated in …" (compiled afresh).
        seen.append(((time.perf_counter() - context._started) * 1000, statement, parameters,
                     context._get_cache_stats() if context is not None else ""))

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        client.get(path, headers=headers)
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)
    for ms, statement, _, cache in seen:
        print(f"{ms:8.1f} ms  [{cache}]  {' '.join(statement.split())[:140]}")
    ms, statement, parameters, _ = seen[explain - 1] if explain else max(seen, key=lambda s: s[0])
    with app.app_context():
        conn = db.engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute("SELECT left(regexp_replace(statement, '\\s+', ' ', 'g'), 90), generic_plans, custom_plans "
                        "FROM pg_prepared_statements ORDER BY generic_plans + custom_plans DESC LIMIT 12")
            rows = cur.fetchall()
            if rows:
                print("\nprepared statements on this connection (generic plans / custom plans):")
                for text, generic, custom in rows:
                    print(f"  {generic:5} {custom:5}  {text}")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            print(f"\nplan of {'statement %d' % explain if explain else 'the slowest'} ({ms:.1f} ms):")
            for (line,) in cur.fetchall():
                print("  " + line)
            conn.rollback()
        finally:
            conn.close()


if __name__ == "__main__":
    main()
