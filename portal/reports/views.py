"""Report and scorecard pages, their CSV exports and drill-downs, for each portal (routes only).

Every portal gets the same pages under its own prefix (/staff/reports/…, /client/reports/…,
/supplier/reports/…), guarded by that portal's permission; which company's figures a person sees is
decided by `permissions.restrict` and the tenancy scope, never by the URL.
"""
from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import ClientAccountManager, OrgKind, Organisation, User
from portal.extensions import db
from portal.reports import drill, forms, permissions, queries
from portal.reports.export import csv_response
from portal.reports.metrics import METRICS, UNASSIGNED
from portal.reports.scorecards import reason_label
from portal.reports.permissions import Viewer, restrict
from portal.security.permissions import requires
from portal.web import nav
from portal.web.pagination import Page, page_arg
from portal.web.render import render

bp = Blueprint("reports", __name__)

PERMS = {"staff": permissions.STAFF, "client": permissions.CLIENT, "supplier": permissions.SUPPLIER}
for _portal, _perm in PERMS.items():
    nav.add(_portal, f"reports.{_portal}_index", "Reports", _perm)
nav.add("supplier", "reports.supplier_own_scorecard", "Scorecard", permissions.SUPPLIER)

#: Where a drill-down row links to, per portal: (endpoint of a submission, endpoint of a job order).
DETAIL = {
    "staff": (("submissions.staff_detail", "submission_id"), ("job_orders.staff_detail", "job_id")),
    "client": (("review.submission", "submission_id"), ("job_orders.client_detail", "job_id")),
    "supplier": (("submissions.supplier_detail", "submission_id"), ("job_orders.supplier_detail", "job_id")),
}


def _endpoint(portal: str, slug: str, csv: bool = False) -> str:
    return f"reports.{portal}_{slug.replace('-', '_')}" + ("_csv" if csv else "")


def _form(viewer: Viewer) -> tuple[forms.FilterForm, dict]:
    options = queries.choices(viewer)
    ids = {k: (None if v is None else {i for i, _ in v}) for k, v in options.items()}
    if viewer.portal == "supplier":
        ids["suppliers"] = {viewer.org_id}  # another supplier's id is refused, never shown
    form = forms.parse(request.args, clients=ids["clients"], suppliers=ids["suppliers"], managers=ids["managers"])
    return form, options


def _links(portal: str, form: forms.FilterForm, slug: str):
    """A cell's link: the page it opens, or the rows it counts (with `report=`: the way back)."""
    def drill_url(cell) -> str | None:
        if not isinstance(cell, queries.Cell):
            return None
        if cell.page is not None:
            endpoint, values = cell.page
            return url_for(endpoint, **values, **form.args)
        if cell.metric is None:
            return None
        return url_for(f"reports.{portal}_rows", metric=cell.metric, report=slug, **{**form.args, **cell.narrow})

    return drill_url


def _page_filters(f):
    """A report page's filters: the drill-down narrowings are for the rows page only."""
    return f.narrowed(reason=None, at=None, account_manager_id=None)


def _page(portal: str, slug: str, build, *, title: str, csv_endpoint: str, csv_args: dict | None = None):
    viewer = Viewer.of(current_user)
    form, options = _form(viewer)
    report = None
    if form.filters is not None:
        report = build(viewer, restrict(viewer, _page_filters(form.filters)))
    if slug != "responsiveness":
        options = {**options, "managers": None}  # only responsiveness groups by hiring manager
    if slug == "scorecard":
        options = {**options, "suppliers": None}  # the page is one supplier's
    return render("reports/report.html", fragment="report_body", status=422 if form.errors else 200,
                  report=report, form=form, options=options, portal=portal, slug=slug, title=title,
                  periods=list(forms.PERIODS.items()), drill_url=_links(portal, form, slug),
                  action=request.path, csv_url=url_for(csv_endpoint, **(csv_args or {}), **form.args))


def _csv(slug: str, build, filename: str):
    viewer = Viewer.of(current_user)
    form, _ = _form(viewer)
    if form.filters is None:
        abort(400, description=" ".join(form.errors.values()))
    report = build(viewer, restrict(viewer, _page_filters(form.filters)))
    header, rows = queries.csv_rows(report)
    return csv_response(f"{filename}-{form.filters.first_day}-{form.filters.last_day}.csv", header, rows)


def _register(portal: str, slug: str, label: str, build) -> None:
    perm = PERMS[portal]

    def page():
        """Show one report with its chart, tables and filters."""
        return _page(portal, slug, build, title=label, csv_endpoint=_endpoint(portal, slug, csv=True))

    def export():
        """Download the report's figures as CSV (the same cells as the page)."""
        return _csv(slug, build, slug)

    page.__name__ = _endpoint(portal, slug).split(".")[1]
    export.__name__ = page.__name__ + "_csv"
    bp.add_url_rule(f"/{portal}/reports/{slug}", view_func=requires(perm)(page))
    bp.add_url_rule(f"/{portal}/reports/{slug}.csv", view_func=requires(perm)(export))


for _slug, (_label, _build, _who) in queries.REPORTS.items():
    for _portal in _who:
        _register(_portal, _slug, _label, _build)


def _index(portal: str):
    items = [(label, url_for(_endpoint(portal, slug))) for slug, (label, _, who) in queries.REPORTS.items()
             if portal in who]
    if portal == "supplier":
        items.insert(0, ("Your scorecard", url_for("reports.supplier_own_scorecard")))
    sales = url_for("sales.board") if portal == "staff" else None
    return render("reports/index.html", items=items, sales_url=sales, portal=portal)


@bp.route("/staff/reports")
@requires(permissions.STAFF)
def staff_index():
    """List the reports and scorecards."""
    return _index("staff")


@bp.route("/client/reports")
@requires(permissions.CLIENT)
def client_index():
    """List the company's reports."""
    return _index("client")


@bp.route("/supplier/reports")
@requires(permissions.SUPPLIER)
def supplier_index():
    """List the company's reports and its scorecard."""
    return _index("supplier")


def _supplier_or_404(supplier_id: int) -> str:
    """The supplier's name: staff may open any supplier, a supplier only itself (another's id: 404)."""
    if current_user.portal == "supplier" and supplier_id != current_user.org_id:
        abort(404)
    orgs = Organisation.__table__
    name = db.session.scalar(select(orgs.c.name).where(orgs.c.id == supplier_id,
                                                       orgs.c.kind == OrgKind.SUPPLIER.value))
    if name is None:
        abort(404)
    return name


def _scorecard(portal: str, supplier_id: int, csv: bool):
    name = _supplier_or_404(supplier_id)

    def build(viewer, f):
        return queries.supplier_scorecard(viewer, f, supplier_id, name)

    if csv:
        return _csv("scorecard", build, f"scorecard-{name}")
    return _page(portal, "scorecard", build, title=f"Scorecard: {name}",
                 csv_endpoint=f"reports.{portal}_scorecard_csv", csv_args={"supplier_id": supplier_id})


@bp.route("/staff/reports/scorecards/<int:supplier_id>")
@requires(permissions.STAFF)
def staff_scorecard(supplier_id: int):
    """Show one supplier's scorecard, overall and per client."""
    return _scorecard("staff", supplier_id, csv=False)


@bp.route("/staff/reports/scorecards/<int:supplier_id>.csv")
@requires(permissions.STAFF)
def staff_scorecard_csv(supplier_id: int):
    """Download one supplier's scorecard as CSV."""
    return _scorecard("staff", supplier_id, csv=True)


@bp.route("/supplier/reports/scorecards/<int:supplier_id>")
@requires(permissions.SUPPLIER)
def supplier_scorecard(supplier_id: int):
    """Show the company's own scorecard (another supplier's id is a 404)."""
    return _scorecard("supplier", supplier_id, csv=False)


@bp.route("/supplier/scorecard")
@requires(permissions.SUPPLIER)
def supplier_own_scorecard():
    """Show the company's own scorecard (the menu's "Scorecard")."""
    return _scorecard("supplier", current_user.org_id, csv=False)


@bp.route("/supplier/reports/scorecards/<int:supplier_id>.csv")
@requires(permissions.SUPPLIER)
def supplier_scorecard_csv(supplier_id: int):
    """Download the company's own scorecard as CSV."""
    return _scorecard("supplier", supplier_id, csv=True)


def _rows(portal: str):
    viewer = Viewer.of(current_user)
    form, options = _form(viewer)
    key = request.args.get("metric", "")
    if key and key not in METRICS:
        form.errors["metric"] = "Choose a figure to see its rows: this one is not known."
    result = pager = None
    clock = request.args.get("clock")
    clock = clock if clock in drill.CLOCK_FILTERS else None
    back_label, back = _back(portal, form)
    if key and not form.errors:
        page = page_arg()
        result = drill.drill(viewer, key, restrict(viewer, form.filters), page, clock)
        pager = Page(page, drill.DRILL_SIZE, result.total, f"reports.{portal}_rows", metric=key,
                     clock=clock, report=request.args.get("report") if back_label else None,
                     **form.narrowing, **form.args)
    (sub_ep, sub_arg), (job_ep, job_arg) = DETAIL[portal]

    def link(target):
        if target is None:
            return None
        kind, oid = target
        return url_for(sub_ep, **{sub_arg: oid}) if kind == "submission" else url_for(job_ep, **{job_arg: oid})

    index = not key and "metric" not in form.errors
    return render("reports/rows.html", fragment="rows_body", status=422 if form.errors else 200, result=result,
                  pager=pager, form=form, link=link, portal=portal, index_url=url_for(f"reports.{portal}_index"),
                  back=back, back_label=back_label, clock=clock, shown=_shown_filters(viewer, form, options),
                  index=index, options={**options, "managers": None}, periods=list(forms.PERIODS.items()),
                  action=request.path,
                  figures=[(label, url_for(f"reports.{portal}_rows", metric=k, **form.args))
                           for k, label in _figures(portal)] if index and not form.errors else [])


def _back(portal: str, form: forms.FilterForm) -> tuple[str | None, str | None]:
    """The report a drill-down came from (`report=<slug>`), with the same filters: (its title, its URL)."""
    slug = request.args.get("report", "")
    args = dict(form.args)
    if slug == "scorecard" and form.supplier is not None:
        args.pop("supplier")
        name = _names_of([form.supplier]).get(form.supplier)
        if name is None:
            return None, None
        return f"Scorecard: {name}", url_for(f"reports.{portal}_scorecard", supplier_id=form.supplier, **args)
    entry = queries.REPORTS.get(slug)
    if entry is None or portal not in entry[2]:
        return None, None
    return entry[0], url_for(_endpoint(portal, slug), **args)


def _names_of(ids) -> dict[int, str]:
    return queries._names(ids)


def _shown_filters(viewer: Viewer, form: forms.FilterForm, options: dict) -> list[tuple[str, str]]:
    """The filters a rows page is narrowed by, as (label, value) for its subtitle."""
    def name(key: str, oid: int | None) -> str | None:
        if oid is None:
            return None
        found = dict(options.get(key) or [])
        if oid not in found and key in ("clients", "suppliers"):
            found = _names_of([oid])  # a supplier's own company (it has no supplier choice)
        return found.get(oid)

    shown = [("Client", name("clients", form.client)), ("Supplier", name("suppliers", form.supplier)),
             ("Hiring manager", name("managers", form.manager))]
    if form.reason is not None:
        shown.append(("Rejection reason", reason_label(form.reason) if form.reason else "none given"))
    if form.at is not None:
        shown.append(("Rejected", "at the agency's screening" if form.at == "screening" else "by the client"))
    if form.account_manager is not None:
        person = "Unassigned" if form.account_manager == UNASSIGNED else _user_name(form.account_manager)
        shown.append(("Account manager", person or "—"))
    return [(label, value) for label, value in shown if value]


def _user_name(user_id: int) -> str | None:
    """An account manager's name, only if they manage a client the viewer sees (scoped read)."""
    managed = select(ClientAccountManager.id).where(ClientAccountManager.user_id == user_id).limit(1)
    if db.session.scalar(managed) is None:
        return None
    users = User.__table__
    return db.session.scalar(select(users.c.name).where(users.c.id == user_id))


def _figures(portal: str) -> list[tuple[str, str]]:
    """The figures a portal can drill into (the index of the rows page)."""
    hidden = {"client": {"duplicates", "releases", "responded", "screened", "forwarded"},
              "supplier": {"review", "feedback"}}.get(portal, set())
    return [(k, metric.label) for k, metric in METRICS.items() if k not in hidden]


@bp.route("/staff/reports/rows")
@requires(permissions.STAFF)
def staff_rows():
    """List the rows behind one figure, filtered the same way."""
    return _rows("staff")


@bp.route("/client/reports/rows")
@requires(permissions.CLIENT)
def client_rows():
    """List the rows behind one figure, filtered the same way."""
    return _rows("client")


@bp.route("/supplier/reports/rows")
@requires(permissions.SUPPLIER)
def supplier_rows():
    """List the rows behind one figure, filtered the same way."""
    return _rows("supplier")
