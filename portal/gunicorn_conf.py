"""gunicorn settings for production (every value overridable by a PORTAL_* variable).

Pages run on sync workers: measured on this 2-core machine they keep p99 low under full
CPU, where gevent workers reached 0.4-1.5 s (RELIABILITY.md). Two workers per core is the
ceiling we measured; more were never faster.
"""
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WORKERS", "2"))
worker_class = os.environ.get("PORTAL_WORKER_CLASS", "sync")
threads = int(os.environ.get("PORTAL_THREADS", "1"))
timeout = int(os.environ.get("PORTAL_WORKER_TIMEOUT", "30"))
# Graceful shutdown: on SIGTERM workers finish the requests they hold (up to this long).
graceful_timeout = int(os.environ.get("PORTAL_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("PORTAL_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The app is imported once, in the master, and each worker is a fork of it: a recycled worker
# serves again in milliseconds instead of the ~1.3 s an import of the app takes (which stalled
# its requests: p99 1.3-1.7 s on the fastest pages in the benchmark), and the workers start
# with the imported code's pages shared copy-on-write. Nothing connects to the database or Redis
# while the app is built; the pools are reset in each worker all the same (post_fork).
# Sync workers only by default: a gevent worker must patch the standard library before the app's
# imports (ssl, threading, psycopg), which preloading in the master would already have done.
preload_app = os.environ.get("PORTAL_PRELOAD", "1" if worker_class == "sync" else "0") not in ("0", "false", "no")
# The portal logs one JSON line per request itself; gunicorn's own access log stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips


def post_fork(server, worker):
    """A worker forked from the preloaded app must not share the master's connections: its pools
    start empty (without preload each worker builds its own app and has nothing to reset)."""
    if not server.cfg.preload_app:
        return
    from portal.extensions import db

    app = worker.app.wsgi()  # the master's loaded app, whatever the entry point's name
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
