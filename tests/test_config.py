"""Configuration: production refuses to start without a real secret; defaults are safe."""
from __future__ import annotations

import pytest

from portal import create_app
from portal.config import ConfigError, load_config, normalise_database_url


def test_production_needs_a_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    cfg = load_config(str(tmp_path))
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["PORTAL_ENV"] == "production"


def test_production_sends_hsts(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "y" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    resp = app.test_client().get("/client/login")
    assert "max-age=63072000" in resp.headers["Strict-Transport-Security"]


def test_development_secret_is_generated_once(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("PORTAL_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PORTAL_SMTP_HOST", "smtp.example")
    monkeypatch.setenv("PORTAL_INVITE_TTL_HOURS", "24")
    cfg = load_config(str(tmp_path))
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert cfg["MAIL_BACKEND"] == "smtp" and cfg["MAIL_SERVER"] == "smtp.example"
    assert cfg["INVITE_TTL_HOURS"] == 24


@pytest.mark.parametrize("url,expected", [
    ("postgres://a@b/c", "postgresql+psycopg://a@b/c"),
    ("postgresql+psycopg2://a@b/c", "postgresql+psycopg://a@b/c"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_normalisation(url, expected):
    assert normalise_database_url(url) == expected


def test_prepared_statements_can_be_turned_off_for_pgbouncer(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.delenv("PORTAL_DB_PREPARE_THRESHOLD", raising=False)
    assert load_config(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": 5}
    monkeypatch.setenv("PORTAL_DB_PREPARE_THRESHOLD", "off")
    assert load_config(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": None}
    monkeypatch.setenv("PORTAL_DB_PREPARE_THRESHOLD", "sometimes")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite:///x.db")
    assert "connect_args" not in load_config(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]
