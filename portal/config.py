"""Configuration: safe defaults, every setting overridable by a PORTAL_* environment variable."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when the portal is started with a configuration it must refuse."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"PORTAL_{name}")
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names (or omits)."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _development_secret(instance_path: Path) -> str:
    """Generate a development secret key once and keep it in instance/."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _engine_options(url: str) -> dict:
    """Pool settings; on PostgreSQL, when psycopg prepares a statement on the server (after it ran
    PORTAL_DB_PREPARE_THRESHOLD times on a connection, default 5; "off" never does: needed behind
    PgBouncer in transaction mode older than 1.21, where a connection's next transaction may run on
    another server connection). See portal/db/statements.py."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        value = (_env("DB_PREPARE_THRESHOLD", "5") or "5").strip().lower()
        if value == "off":
            threshold = None
        elif value.isdigit():
            threshold = int(value)
        else:
            raise ConfigError(f"PORTAL_DB_PREPARE_THRESHOLD must be a number of runs or off, not {value!r}.")
        options["connect_args"] = {"prepare_threshold": threshold}
    return options


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config from defaults, PORTAL_* variables and test overrides."""
    overrides = overrides or {}
    instance = Path(instance_path)
    env = overrides.get("PORTAL_ENV") or _env("ENV", "development")
    production = env == "production"

    secret = overrides.get("SECRET_KEY") or _env("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError(
                "PORTAL_SECRET_KEY must be set in production (at least 32 random characters)."
            )
        secret = _development_secret(instance)
    elif production and len(secret) < 32:
        raise ConfigError("PORTAL_SECRET_KEY is too short for production (32 characters at least).")

    db_url = _env("DATABASE_URL", f"sqlite:///{instance / 'portal.db'}")
    redis_url = _env("REDIS_URL")
    smtp_host = _env("SMTP_HOST")

    cfg: dict = {
        "PORTAL_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {},  # set below, for the database finally chosen
        "SQLALCHEMY_RECORD_QUERIES": False,
        # Sessions: signed cookies, HttpOnly, SameSite=Lax, Secure in production.
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "REMEMBER_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("SESSION_HOURS", 12)),
        # The cookie is re-sent when the session changes: the idle clock moves at most once a minute
        # (security/session.py), which also slides the cookie's expiry while the person is active.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # Signed out after this long without a (non-polling) request.
        "IDLE_MINUTES": _env_int("IDLE_MINUTES", 120),
        # CSRF token bound to the session, not to a clock: a tab left open all day still works.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        # Uploaded files (résumés) up to MAX_UPLOAD_MB; the body may carry a little form data besides.
        "MAX_UPLOAD_MB": _env_int("MAX_UPLOAD_MB", 10),
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024 + 64 * 1024,
        "MAX_FORM_PARTS": 200,
        # Rate limits: memory per process by default, Redis when configured.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT_PER_ACCOUNT": _env("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": _env("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"),
        "REDIS_URL": redis_url,
        # Public "request talent" form: requests allowed per address.
        "TALENT_REQUEST_LIMIT": _env("TALENT_REQUEST_LIMIT", "5 per 10 minutes; 20 per day"),
        # Invitations and password resets.
        "INVITE_TTL_HOURS": _env_int("INVITE_TTL_HOURS", 72),
        "RESET_TTL_HOURS": _env_int("RESET_TTL_HOURS", 2),
        # Mail: printed to the log in development, SMTP when PORTAL_SMTP_HOST is set.
        "MAIL_BACKEND": "smtp" if smtp_host else "console",
        "MAIL_SERVER": smtp_host or "localhost",
        "MAIL_PORT": _env_int("SMTP_PORT", 587),
        "MAIL_USERNAME": _env("SMTP_USERNAME"),
        "MAIL_PASSWORD": _env("SMTP_PASSWORD"),
        "MAIL_USE_TLS": _env_bool("SMTP_STARTTLS", bool(smtp_host)),
        "MAIL_USE_SSL": _env_bool("SMTP_SSL", False),
        "MAIL_TIMEOUT": _env_int("SMTP_TIMEOUT", 10),
        "MAIL_DEFAULT_SENDER": _env("MAIL_FROM", "Northwind Staffing Portal <portal@northwind.example>"),
        # Absolute links in e-mail.
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "UPLOAD_DIR": _env("UPLOAD_DIR", str(instance / "uploads")),
        # Live updates: how often an open page asks what changed (seconds).
        "LIVE_POLL_SECONDS": _env_int("LIVE_POLL_SECONDS", 2),
        # Daily digests of notifications go out with the first `tick` after this hour (UTC).
        "DIGEST_HOUR": _env_int("DIGEST_HOUR", 7),
        # Logs: "json" (default in production) or "text"; one access line per request.
        "LOG_FORMAT": _env("LOG_FORMAT"),
        "LOG_LEVEL": (_env("LOG_LEVEL", "INFO") or "INFO").upper(),  # "info" works, as for gunicorn
        "ACCESS_LOG": _env_bool("ACCESS_LOG", True),
        # Compressed responses (not streams: live updates must not be buffered).
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_STREAMS": False,
        "COMPRESS_MIN_SIZE": 500,
        # Region assumed for phone numbers written without a country code (+1 …).
        "PHONE_REGION": (_env("PHONE_REGION", "US") or "US").upper(),
    }
    cfg.update(overrides)
    if "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:  # for the database actually used
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(cfg["SQLALCHEMY_DATABASE_URI"])
    return cfg
