"""Command-line entry points: `seed-demo`, `tick`, `deliver-mail` (each under a system scope)."""
from __future__ import annotations

import click
from flask import Flask

from portal.db.tenancy import system_scope


def init_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000),
                  help="Make N times more organisations and people (for benchmarks).")
    def seed_demo_command(scale: int) -> None:
        """Create the demo organisations and accounts (idempotent)."""
        import time

        from portal.demo import seed_demo, table_counts

        started = time.monotonic()
        with system_scope("seed-demo"):
            made = seed_demo(scale=scale)
        click.echo("Demo data ready: " + ", ".join(f"{n} {what}" for what, n in made.items()))
        if scale > 1:
            with system_scope("seed-demo counts"):
                counts = table_counts()
            click.echo(f"Scale {scale} in {time.monotonic() - started:.0f} s; the database now holds: "
                       + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
        click.echo("Sign in with any demo account and the password 'portal-demo'.")

    @app.cli.command("tick")
    def tick_command() -> None:
        """Run the time-driven rules once (idempotent; run it every minute from cron)."""
        from portal.tick import tick

        with system_scope("tick"):
            report = tick()
        click.echo("tick: " + ", ".join(f"{k}={v}" for k, v in report.items()))

    @app.cli.command("is-seeded")
    def is_seeded_command() -> None:
        """Exit 0 when the demo agency exists (used by `make run` to seed a new database once)."""
        from sqlalchemy import inspect, select

        from portal.accounts.models import Organisation
        from portal.extensions import db

        if not inspect(db.engine).has_table("organisation"):
            raise SystemExit(1)
        with system_scope("is-seeded"):
            found = db.session.scalar(select(Organisation.id).where(Organisation.kind == "agency").limit(1))
        raise SystemExit(0 if found else 1)
