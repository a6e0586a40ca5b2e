"""The staffing portal: create_app() wires configuration, extensions, blueprints, errors and CLI."""
from __future__ import annotations

import os

from flask import Flask

from portal.config import load_config


def create_app(overrides: dict | None = None) -> Flask:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    instance_path = os.environ.get("PORTAL_INSTANCE_PATH") or os.path.join(root, "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    app.config.update(load_config(app.instance_path, overrides))
    from portal.web.pagination import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route: ids are bounded everywhere

    from portal.extensions import compress, csrf, db, htmx, limiter, login_manager, mail, migrate

    from portal import models  # noqa: F401 - registers every mapped class
    from portal.security.session import init_session
    from portal.web.assets import init_assets
    from portal.web.errors import init_errors
    from portal.web.headers import init_headers
    from portal.web.observability import init_observability
    from portal.web.templating import init_templating

    db.init_app(app)
    from portal.db.statements import init_statements

    init_statements(app)  # PostgreSQL: read-only requests commit, so prepared statements survive them
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"))
    login_manager.init_app(app)
    htmx.init_app(app)
    # Request id, session and tenancy scope come first: the CSRF and rate-limit checks that
    # follow may answer with an error page, which is rendered in the scope of the user.
    init_observability(app)
    init_session(app)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    compress.init_app(app)
    init_assets(app)
    from portal.mail.services import init_delivery

    init_delivery(app)
    init_templating(app)
    init_headers(app)
    init_errors(app)

    from portal.accounts.views import bp as accounts_bp
    from portal.admin.views import bp as admin_bp
    from portal.candidates.views import bp as candidates_bp
    from portal.core.views import bp as core_bp
    from portal.dashboard.views import bp as dashboard_bp
    from portal.job_orders.views import bp as job_orders_bp
    from portal.leads import public as talent_views, views as leads_views
    from portal.leads import sales as sales_views  # after views: "Leads" comes before "Sales" in the menu
    from portal.live.views import bp as live_bp
    from portal.submissions.views import bp as submissions_bp

    for bp in (core_bp, accounts_bp, dashboard_bp, admin_bp, candidates_bp, job_orders_bp, submissions_bp, live_bp):
        app.register_blueprint(bp)
    for bp in (talent_views.bp, leads_views.bp, sales_views.bp):
        app.register_blueprint(bp)
    from portal.comments.views import bp as comments_bp
    from portal.interviews.views import bp as interviews_bp
    from portal.offers.views import bp as offers_bp
    from portal.review.views import bp as review_bp

    for bp in (review_bp, interviews_bp, offers_bp, comments_bp):
        app.register_blueprint(bp)
    from portal.notifications.fanout import init_fanout
    from portal.notifications.views import bp as notifications_bp

    app.register_blueprint(notifications_bp)
    init_fanout()  # recorded events fan out to notifications
    from portal.clients.views import bp as clients_bp

    app.register_blueprint(clients_bp)
    from portal.reports.views import bp as reports_bp

    app.register_blueprint(reports_bp)
    from portal.oversight.views import bp as oversight_bp
    from portal.sla.views import bp as sla_bp

    app.register_blueprint(sla_bp)
    app.register_blueprint(oversight_bp)

    from portal.bench import init_bench
    from portal.cli import init_cli

    init_bench(app)  # only with PORTAL_BENCH_CEILING=1: the benchmark's ceiling page and query counter
    init_cli(app)
    # Once per process that builds the app: under gunicorn with preload, once in the master.
    app.logger.info("Portal app created (pid %d, %s, %s)", os.getpid(), app.config["PORTAL_ENV"],
                    app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0])
    return app
