#!/usr/bin/env python3
"""`make restart-test`: restart PostgreSQL in the middle of a load of submissions with résumés, then
check that nothing acknowledged was lost and nothing half-made was left.

It serves the portal as in production (gunicorn sync workers, PORTAL_ENV=production) on a private
database (RESTART_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/portal_restart,
dropped and re-created on each run), posts the supplier's real submit form (a new candidate, a PDF
résumé, rate, availability, right to represent) from several threads, restarts the cluster with
`pg_ctlcluster --skip-systemctl-redirect <version> main restart`, and checks:

1. every request answered 302 to its submission (the acknowledgement) has its submission, candidate
   and résumé rows and its file, byte for byte;
2. every other request failed with a clear answer (503 with a message, or a 4xx with one), never a
   500; a request whose commit happened but whose answer was lost is complete (rows and file);
3. no row without its file, and no file without its row once the orphan sweeper has run;
4. the portal serves a signed-in page within 2 s of PostgreSQL accepting connections again, with no
   restart of its own (`pool_pre_ping`).

It restarts the shared PostgreSQL server: it waits until no other database has a connection (and
gives up after --wait-busy seconds), and says when it restarts. Not part of CI.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, DATA, RESULTS, ROOT, fetch, libpq_url, session_cookie, sign_in  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_restart"
RECRUITER = "sam@talentco.example"
BACK_WITHIN_S = 2.0


@dataclass
class Attempt:
    thread: int
    n: int
    email: str
    create_key: str
    sha256: str
    started: float
    status: int | None = None
    location: str = ""
    message: str = ""
    error: str = ""
    submission_id: int | None = None


@dataclass
class Report:
    started_at: str
    database: str
    restarted_at: str = ""
    restart_seconds: float = 0
    db_ready_after_restart_s: float = 0
    portal_back_after_db_s: float | None = None
    attempts: int = 0
    acknowledged: int = 0
    failed_clean: dict = field(default_factory=dict)
    committed_unacknowledged: int = 0
    problems: list = field(default_factory=list)
    orphan_files_swept: int = 0
    rows_without_file: int = 0


def pdf_for(email: str) -> bytes:
    """A real one-page PDF résumé, different for each attempt (so each file is checked by its bytes)."""
    from portal.candidates.demo import make_pdf

    return make_pdf("Restart Test", [email, "Controls engineer; PLC, SCADA, Allen-Bradley.", secrets.token_hex(8)])


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----restart" + secrets.token_hex(12)
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    for name, (filename, data, ctype) in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def request(port: int, method: str, path: str, *, cookie: str = "", body: bytes | None = None,
            ctype: str | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Cookie": cookie} if cookie else {}
    if ctype:
        headers["Content-Type"] = ctype
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def visible_message(html: bytes) -> str:
    text = html.decode("utf-8", "replace")
    found = re.findall(r"<(?:h1|p|strong|div class=\"error-fragment\"[^>]*)>(.*?)</", text, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", f).strip() for f in found if f.strip())[:300]


# --- set-up ------------------------------------------------------------------------------------

def fresh_database(url: str) -> None:
    parts = urllib.parse.urlsplit(libpq_url(url))
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name) or name in ("test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to drop database {name!r}: use a private one")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def portal_env(url: str, port: int, uploads: Path) -> dict:
    env = dict(os.environ)
    env.update({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
                "PORTAL_DATABASE_URL": url, "PORTAL_UPLOAD_DIR": str(uploads), "PORTAL_BIND": f"127.0.0.1:{port}",
                "PORTAL_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"})
    return env


def open_jobs(url: str) -> list[tuple[int, str]]:
    """TalentCo's open released job orders, their limit lifted so that the load is not refused by it."""
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(
            "SELECT j.id, j.rate_max FROM job_order j JOIN job_order_release r ON r.job_order_id = j.id "
            "JOIN organisation o ON o.id = r.supplier_org_id WHERE o.name = 'TalentCo Search' "
            "AND r.released_at IS NOT NULL AND r.withdrawn_at IS NULL AND j.status = 'open' ORDER BY j.id").fetchall()
        conn.execute("UPDATE job_order SET submission_limit = 100000 WHERE id = ANY(%s)", ([r[0] for r in rows],))
    return [(job_id, str(int(rate_max) - 1 if rate_max else 50)) for job_id, rate_max in rows]


def pg_cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v) if v.replace(".", "").isdigit() else 0)
    return versions[-1], "main"


def others_busy(url: str) -> list[str]:
    name = urllib.parse.urlsplit(libpq_url(url)).path.lstrip("/")
    parts = urllib.parse.urlsplit(libpq_url(url))
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT DISTINCT datname FROM pg_stat_activity WHERE datname IS NOT NULL AND backend_type = 'client backend' "
            "AND datname NOT IN (%s, 'postgres') AND pid <> pg_backend_pid()", (name,)).fetchall()]


def db_accepts(url: str) -> bool:
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=1) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


# --- the load ----------------------------------------------------------------------------------

def worker(index: int, port: int, cookie: str, token: str, jobs: list, stop: threading.Event, out: list,
           lock: threading.Lock) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        job_id, rate = jobs[(index + n) % len(jobs)]
        email = f"restart-{index}-{n}-{secrets.token_hex(3)}@example.org"
        pdf = pdf_for(email)
        attempt = Attempt(index, n, email, secrets.token_urlsafe(24), hashlib.sha256(pdf).hexdigest(), time.time())
        body, ctype = multipart({
            "csrf_token": token, "candidate": "new", "candidate-first_name": "Restart",
            "candidate-last_name": f"Test {index}-{n}", "candidate-email": email, "resume_choice": "upload",
            "rate": rate, "available_from": (date.today() + timedelta(days=7)).isoformat(),
            "note": "Posted by the restart test.", "right_to_represent": "y", "create_key": attempt.create_key,
        }, {"resume_file": (f"Restart Test {index}-{n}.pdf", pdf, "application/pdf")})
        try:
            status, headers, data = request(port, "POST", f"/supplier/job-orders/{job_id}/submit", cookie=cookie,
                                            body=body, ctype=ctype)
            attempt.status = status
            attempt.location = headers.get("Location", "")
            if status != 302:
                attempt.message = visible_message(data)
            found = re.search(r"/supplier/submissions/(\d+)", attempt.location)
            attempt.submission_id = int(found.group(1)) if found else None
        except OSError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
        with lock:
            out.append(attempt)


def wait_idle(url: str, wait_busy_s: float) -> None:
    """Wait until no other database of the shared server has a client connected (others' tests)."""
    deadline = time.monotonic() + wait_busy_s
    while busy := others_busy(url):
        if time.monotonic() > deadline:
            raise SystemExit(f"not restarting: other databases are still in use ({', '.join(busy)}); try later")
        print(f"  waiting: other databases are in use ({', '.join(busy)})", flush=True)
        time.sleep(2)


def restart_postgres(url: str, report: Report, wait_busy_s: float) -> float:
    """Restart the cluster; returns the monotonic time at which it accepted connections again."""
    wait_idle(url, wait_busy_s)
    version, cluster = pg_cluster()
    report.restarted_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    print(f"  {report.restarted_at}: pg_ctlcluster --skip-systemctl-redirect {version} {cluster} restart", flush=True)
    started = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"], check=True)
    report.restart_seconds = round(time.monotonic() - started, 2)
    while not db_accepts(url):
        time.sleep(0.02)
    ready = time.monotonic()
    report.db_ready_after_restart_s = round(ready - started, 2)
    return ready


def portal_back(port: int, cookie: str, since: float, limit: float = 10) -> float | None:
    """Seconds from `since` until a signed-in page answers 200 again (None if not within `limit`)."""
    while time.monotonic() - since < limit:
        try:
            status, _, _ = request(port, "GET", "/supplier/submissions", cookie=cookie, timeout=5)
            if status == 200:
                return round(time.monotonic() - since, 3)
        except OSError:
            pass
        time.sleep(0.05)
    return None


# --- the checks --------------------------------------------------------------------------------

def check(env: dict, attempts: list[Attempt], report: Report) -> None:
    os.environ.update(env)
    from sqlalchemy import select

    from portal import clock, create_app
    from portal.candidates.models import Candidate, Resume
    from portal.db.tenancy import system_scope
    from portal.extensions import db
    from portal.files import sweep
    from portal.files.storage import MissingFile, get_storage
    from portal.submissions.models import Submission

    app = create_app()
    with app.app_context(), system_scope("restart test"):
        store = get_storage()
        by_key = {s.create_key: s for s in db.session.scalars(
            select(Submission).where(Submission.create_key.in_([a.create_key for a in attempts])))}

        def complete(sub: Submission, attempt: Attempt) -> str | None:
            resume = db.session.get(Resume, sub.resume_id)
            candidate = db.session.get(Candidate, sub.candidate_id)
            if candidate is None or candidate.email_normalised != attempt.email:
                return "candidate row missing or not the one sent"
            if resume is None:
                return "résumé row missing"
            try:
                with store.open(resume.storage_key) as fh:
                    data = fh.read()
            except MissingFile:
                return "résumé file missing"
            if hashlib.sha256(data).hexdigest() != attempt.sha256:
                return "résumé file differs from the one sent"
            return None

        for a in attempts:
            sub = by_key.get(a.create_key)
            if a.status == 302 and a.submission_id:
                report.acknowledged += 1
                if sub is None or sub.id != a.submission_id:
                    report.problems.append(f"acknowledged {a.email} (submission {a.submission_id}) has no row")
                elif (why := complete(sub, a)) is not None:
                    report.problems.append(f"acknowledged submission {sub.id}: {why}")
                continue
            kind = str(a.status) if a.status is not None else "no answer"
            report.failed_clean[kind] = report.failed_clean.get(kind, 0) + 1
            if a.status is not None and (a.status >= 500 and a.status != 503 or not a.message):
                report.problems.append(f"{a.email}: answered {a.status} with {a.message or 'no message'!r}")
            if sub is not None:
                # The commit happened but the answer was lost: it must be whole (sending it again is safe).
                report.committed_unacknowledged += 1
                if (why := complete(sub, a)) is not None:
                    report.problems.append(f"unacknowledged but committed submission {sub.id}: {why}")
            elif db.session.scalar(select(Candidate.id).where(Candidate.email_normalised == a.email)):
                report.problems.append(f"{a.email}: candidate row left by a request that made no submission")

        # Rows without their file.
        for key in db.session.scalars(select(Resume.storage_key)):
            try:
                store.open(key).close()
            except MissingFile:
                report.rows_without_file += 1
        # Files without their row: the sweeper removes those older than its grace period; run it as if
        # that time had passed, then no unreferenced file may remain.
        clock.freeze(clock.now() + sweep.GRACE + timedelta(minutes=5))
        try:
            report.orphan_files_swept = sweep.sweep_orphans()
            db.session.commit()
            left = sweep.sweep_orphans()
        finally:
            clock.freeze(None)
        if left:
            report.problems.append(f"{left} unreferenced files remained after the sweep")
    if report.rows_without_file:
        report.problems.append(f"{report.rows_without_file} résumé rows without their file")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=16, help="length of the load (default 16)")
    parser.add_argument("--restart-at", type=float, default=6, help="seconds into the load (default 6)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("RESTART_PORT", 8200)))
    parser.add_argument("--no-restart", action="store_true",
                        help="run the load and the checks without restarting PostgreSQL (a dry run)")
    parser.add_argument("--wait-busy", type=float, default=120,
                        help="wait up to this long for other databases to be left alone before restarting")
    args = parser.parse_args()
    url = os.environ.get("RESTART_DATABASE_URL", DEFAULT_DB)
    uploads = DATA / "uploads_restart"
    shutil.rmtree(uploads, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    report = Report(started_at=stamp, database=url)
    env = portal_env(url, args.port, uploads)
    print(f"Restart test on {url.rsplit('/', 1)[1]} (dropped and re-created)")
    fresh_database(url)
    for cmd in (("db", "upgrade"), ("seed-demo",)):
        subprocess.run([str(BIN / "flask"), "--app", "portal", *cmd], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    jobs = open_jobs(url)
    log = open(RESULTS / f"restart-{stamp}-server.log", "wb")
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "python:portal.gunicorn_conf", "portal.wsgi:app"],
                              env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    attempts: list[Attempt] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(args.port, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the portal did not start: see the server log")
            time.sleep(0.3)
        sessions = []
        for _ in range(args.threads + 1):
            cookie = sign_in(args.port, "supplier", RECRUITER)
            page = fetch(args.port, "GET", f"/supplier/job-orders/{jobs[0][0]}/submit?candidate=new", cookie=cookie)
            # The form's CSRF token is bound to the session, which the page may have just updated.
            cookie = session_cookie(page, cookie)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text())
            sessions.append((cookie, token.group(1)))
        stop, lock = threading.Event(), threading.Lock()
        threads = [threading.Thread(target=worker, args=(i, args.port, *sessions[i], jobs, stop, attempts, lock))
                   for i in range(args.threads)]
        if not args.no_restart:
            wait_idle(url, args.wait_busy)
        load_started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.restart_at)
        if not args.no_restart:
            ready = restart_postgres(url, report, 15)
            report.portal_back_after_db_s = portal_back(args.port, sessions[-1][0], ready)
        time.sleep(max(0.0, args.seconds - (time.monotonic() - load_started)))
        stop.set()
        for t in threads:
            t.join(60)
        if server.poll() is not None:
            report.problems.append("gunicorn exited during the test")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    report.attempts = len(attempts)
    check(env, attempts, report)
    if not args.no_restart and (report.portal_back_after_db_s is None
                                or report.portal_back_after_db_s > BACK_WITHIN_S):
        report.problems.append(f"the portal was not serving within {BACK_WITHIN_S} s of the database "
                               f"(took {report.portal_back_after_db_s})")
    out = RESULTS / f"restart-{stamp}.json"
    out.write_text(json.dumps({**asdict(report), "attempt_log": [asdict(a) for a in attempts]}, indent=2))
    print(f"  attempts {report.attempts}: acknowledged {report.acknowledged}, failed {report.failed_clean}, "
          f"committed but unacknowledged {report.committed_unacknowledged}")
    print(f"  PostgreSQL restart took {report.restart_seconds} s; the portal served a signed-in page "
          f"{report.portal_back_after_db_s} s after the database accepted connections")
    print(f"  orphan files swept: {report.orphan_files_swept}; résumé rows without file: {report.rows_without_file}")
    messages = sorted({a.message for a in attempts if a.status not in (302, None)})
    for message in messages[:5]:
        print(f"  failure message seen: {message[:160]}")
    if report.problems:
        print("FAILED:")
        for problem in report.problems[:30]:
            print(f"  - {problem}")
        print(f"Details: {out.relative_to(ROOT)}")
        return 1
    print(f"PASSED. Details: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
