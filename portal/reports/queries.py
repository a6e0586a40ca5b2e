"""The reports (pipeline funnel, time to fill, placements, rejection reasons, SLA compliance) and the
scorecard tables; the rows behind each figure are listed by `drill.py`.

Each report is built once as `Table`s of `Cell`s: the page and the CSV export render the very same
cells, so the CSV holds the figures of the page. A cell that counts rows names its metric (and any
narrowing filter) so the page links it to the drill-down, which lists the rows with the same base
and condition (`metrics.metric_where`). Reads only, in the request's tenancy scope, with the viewer's
limits in the filters; a fixed number of queries per page whatever the data.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable

from markupsafe import Markup
from sqlalchemy import func, select

from portal.accounts.models import ClientAccountManager, OrgKind, Organisation, User
from portal.extensions import db
from portal.job_orders.models import JobOrder, JobOrderRelease
from portal.offers.models import Placement
from portal.reports import metrics as m
from portal.reports import scorecards as sc
from portal.reports.charts import bar_chart
from portal.reports.permissions import Viewer
from portal.submissions.models import Submission

_orgs = Organisation.__table__
_users = User.__table__


# --- cells, tables, reports ------------------------------------------------------------------------

@dataclass
class Cell:
    """One figure or label: `value` is exactly what the page shows and the CSV holds; `metric` (with
    `narrow`: filters such as supplier=…) makes it a link to the rows it counts."""

    value: Any
    metric: str | None = None
    narrow: dict = field(default_factory=dict)
    #: A page this label opens instead: (endpoint, its arguments), e.g. a supplier's own scorecard.
    page: tuple[str, dict] | None = None
    #: Right-aligned as a figure (None: decided from the value: a number, "2.6 d", "50%", "1 (25%)", "—").
    num: bool | None = None

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)

    @property
    def numeric(self) -> bool:
        if self.num is not None:
            return self.num
        if isinstance(self.value, (int, float)):
            return True
        return bool(_FIGURE.match(str(self)))


#: What a figure looks like as text: "4", "3.5 h", "2.6 d", "67%", "100% (2 of 2)", "1 (25%)", "—".
_FIGURE = re.compile(r"^(—|\d[\d.,]*( ?[%hd])?)( \(.*\))?$")


@dataclass
class Table:
    title: str
    #: Column headings: text, or a Cell when the heading opens a page (a supplier's scorecard).
    headers: list[str | Cell]
    rows: list[list[Cell]]
    note: str = ""
    #: Also in the CSV export (False for tables that repeat another table's figures).
    export: bool = True

    @property
    def numeric(self) -> list[bool]:
        """Per column: right-aligned as figures (every cell of the column is one; never the first)."""
        return [i > 0 and bool(self.rows) and all(len(r) <= i or r[i].numeric for r in self.rows)
                for i in range(len(self.headers))]


@dataclass
class Report:
    slug: str
    title: str
    intro: str
    tables: list[Table]
    chart: Markup | None = None
    chart_caption: str = ""
    note: str = ""


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def hours_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def days_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} d"


def _names(ids) -> dict[int, str]:
    """Organisation names by id, from the table past the ORM's organisation scope: the ids come from
    rows the viewer already sees (a supplier sees its clients' names, a client its suppliers')."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(_orgs.c.id, _orgs.c.name).where(_orgs.c.id.in_(ids))).all())


# --- scorecards ------------------------------------------------------------------------------------

SCORE_HEADERS = ["Jobs received", "Response rate", "Median time to first submission", "Submissions",
                 "Duplicates refused", "Forwarded by screening", "Reached client review", "Shortlisted",
                 "Interviewed", "Offered", "Placed", "Withdrawn", "Rejected"]


def score_cells(card: sc.SupplierScore, narrow: dict) -> list[Cell]:
    """A supplier's figures in SCORE_HEADERS order (counts link to their rows)."""
    c = card.counts

    def stage(key):
        return Cell(f"{c[key]} ({pct(card.share(key))})", key, narrow)

    return [
        Cell(card.releases, "releases", narrow),
        Cell(f"{pct(card.response_rate)} ({card.responded} of {card.releases})", "responded", narrow),
        Cell(hours_text(card.median_first_hours), "releases", narrow),
        Cell(c["submitted"], "submitted", narrow),
        Cell(card.duplicates, "duplicates", narrow),
        Cell(f"{pct(card.forward_share)} ({c['forwarded']} of {c['screened']})", "forwarded", narrow),
        stage("reached_review"), stage("shortlisted"), stage("interviewed"), stage("offered"), stage("placed"),
        Cell(c["withdrawn"], "withdrawn", narrow), Cell(c["rejected"], "rejected", narrow),
    ]


def scorecards_report(viewer: Viewer, f: m.Filters) -> Report:
    """Suppliers side by side (staff), or the supplier's own card."""
    cards = sc.supplier_scorecards(viewer, f)
    # One row per figure, one column per supplier: thirteen figures read down, suppliers across.
    columns = [score_cells(card, {"supplier": card.supplier_id}) for card in cards]
    rows = [[Cell(label)] + [column[i] for column in columns] for i, label in enumerate(SCORE_HEADERS)] if cards else []
    headers: list[str | Cell] = ["Figure"] + [
        Cell(card.name, page=(f"reports.{viewer.portal}_scorecard", {"supplier_id": card.supplier_id}))
        for card in cards]
    compare = Table("Suppliers side by side" if viewer.is_staff else "Your figures", headers, rows,
                    note="One column per supplier (its name opens its scorecard). Shares in brackets are of the "
                         "supplier's submissions in the period.")
    reasons = Table("Rejection reasons", ["Supplier", "Reason", "Rejections"],
                    [[Cell(card.name), Cell(label), Cell(n, "rejected", {"supplier": card.supplier_id, "reason": code})]
                     for card in cards for code, label, n in card.reasons])
    chart = bar_chart([(card.name, card.counts["submitted"]) for card in cards], title="Submissions per supplier",
                      chart_id="scorecard-submissions") if viewer.is_staff else None
    return Report("scorecards", "Supplier scorecards", "How each supplier answers the jobs released to it and how "
                  "far its candidates get.", [compare, reasons], chart, "Submissions per supplier")


def supplier_scorecard(viewer: Viewer, f: m.Filters, supplier_id: int, name: str) -> Report:
    """One supplier's card, overall and per client (the filters already hold the supplier)."""
    f = f.narrowed(supplier_id=supplier_id)
    [card] = sc.supplier_scorecards(viewer, f) or [sc.SupplierScore(supplier_id, name)]
    own = {"supplier": supplier_id}  # the card's figures drill down to this supplier's rows only
    figures = Table("Scorecard", ["Figure", "Value"],
                    [[Cell(h), cell] for h, cell in zip(SCORE_HEADERS, score_cells(card, own))])
    # per client: the submission figures grouped by client, and the releases per client
    by_client = sc.submission_counts(f, Submission.client_org_id)
    releases = Counter(r.client_org_id for r in sc.release_rows(f))
    names = _names(set(by_client) | set(releases))
    client_rows = []
    for cid in sorted(names, key=lambda i: names[i]):
        counts = by_client.get(cid, dict.fromkeys(sc.SUBMISSION_FIGURES, 0))
        narrow = {**own, "client": cid}
        client_rows.append([Cell(names[cid]), Cell(releases.get(cid, 0), "releases", narrow)] + [
            Cell(counts[k], k, narrow) for k in ("submitted", "reached_review", "shortlisted", "interviewed",
                                                  "offered", "placed", "withdrawn", "rejected")])
    per_client = Table("Per client", ["Client", "Jobs received", "Submissions", "Reached client review",
                                      "Shortlisted", "Interviewed", "Offered", "Placed", "Withdrawn", "Rejected"],
                       client_rows)
    reasons = Table("Rejection reasons", ["Reason", "Rejections", "Share of rejections"],
                    [[Cell(label), Cell(n, "rejected", {**own, "reason": code}),
                      Cell(pct(m.ratio(n, card.counts["rejected"])))]
                     for code, label, n in card.reasons])
    stages = [("Submitted", card.counts["submitted"]), ("Client review", card.counts["reached_review"]),
              ("Shortlisted", card.counts["shortlisted"]), ("Interview", card.counts["interviewed"]),
              ("Offer", card.counts["offered"]), ("Placed", card.counts["placed"])]
    chart = bar_chart(stages, title=f"{name}: how far submissions got", chart_id="supplier-funnel")
    return Report("scorecard", f"Scorecard: {name}", "Jobs received, answers, and how far the candidates got.",
                  [figures, per_client, reasons], chart, "How far submissions got")


def responsiveness_report(viewer: Viewer, f: m.Filters) -> Report:
    cards, source = sc.manager_scorecards(viewer, f)
    rows = []
    for c in cards:
        narrow = {"manager": c.manager_id} if c.manager_id else {}
        rows.append([
            Cell(c.name), Cell(c.client_name),
            Cell(c.visible, "review", narrow), Cell(hours_text(c.review.median_hours), "review", narrow),
            Cell(f"{pct(c.review.share)} ({c.review.met} of {c.review.due})", "review", {**narrow, "clock": "due"}),
            Cell(c.interviews, "feedback", narrow), Cell(hours_text(c.feedback.median_hours), "feedback", narrow),
            Cell(f"{pct(c.feedback.share)} ({c.feedback.met} of {c.feedback.due})", "feedback",
                 {**narrow, "clock": "due"}),
        ])
    table = Table("Hiring managers", ["Hiring manager", "Client", "Submissions to review", "Median review time",
                                      "Decided within target", "Interviews held", "Median feedback time",
                                      "Feedback within target"], rows)
    chart = bar_chart([(c.name, c.review.median_hours) for c in cards],
                      title="Median review time (hours) per hiring manager", chart_id="review-time",
                      value_text=hours_text)
    return Report("responsiveness", "Hiring-manager responsiveness",
                  "How fast hiring managers decide on the submissions they see and give feedback after interviews.",
                  [table], chart, "Median review time per hiring manager", note=_target_note(source))


def _target_note(source: str) -> str:
    if source == "defaults":
        return ("Targets: PRODUCT.md's defaults (client review 48 h, interview feedback 24 h, first submission "
                "24 h); no per-client SLA policy is set.")
    return ("Targets: each client's SLA policy (PRODUCT.md's defaults where a client set none: first submission "
            "24 h, client review 48 h, interview feedback 24 h); time a job order spent on hold does not count.")


# --- reports ---------------------------------------------------------------------------------------

FUNNEL = (("submitted", "Submitted"), ("reached_review", "Client review"), ("shortlisted", "Shortlisted"),
          ("interviewed", "Interview"), ("offered", "Offer"), ("placed", "Placed"))


def funnel_report(viewer: Viewer, f: m.Filters) -> Report:
    counts = sc.submission_counts(f, Submission.client_org_id)  # one query, summed over clients
    total = Counter()
    for c in counts.values():
        total.update(c)
    first = total["submitted"]
    rows = [[Cell(label), Cell(total[key], key), Cell(pct(m.ratio(total[key], first)))] for key, label in FUNNEL]
    chart = bar_chart([(label, total[key]) for key, label in FUNNEL], title="Pipeline funnel",
                      description="Submissions of the period that reached each stage: " +
                      "; ".join(f"{label} {total[key]}" for key, label in FUNNEL) + ".", chart_id="funnel")
    return Report("funnel", "Pipeline funnel", "Of the submissions made in the period, how many reached each stage "
                  "(at any time up to now).", [Table("Funnel", ["Stage", "Submissions", "Share of submitted"], rows)],
                  chart, "Submissions reaching each stage")


def time_to_fill_report(viewer: Viewer, f: m.Filters) -> Report:
    jobs = db.session.execute(
        select(JobOrder.id, JobOrder.reference, JobOrder.title, JobOrder.client_org_id, JobOrder.approved_at,
               JobOrder.closed_at).where(*m.base_where("filled", f)).order_by(JobOrder.closed_at)).all()
    names = _names(j.client_org_id for j in jobs)
    rows, by_month, all_days = [], defaultdict(list), []
    for j in jobs:
        days = m.hours(j.approved_at, j.closed_at)
        days = None if days is None else days / 24
        all_days.append(days)
        by_month[j.closed_at.strftime("%Y-%m")].append(days)
        rows.append([Cell(j.reference), Cell(j.title), Cell(names.get(j.client_org_id, "")),
                     Cell(j.approved_at.strftime("%Y-%m-%d") if j.approved_at else "—"),
                     Cell(j.closed_at.strftime("%Y-%m-%d")), Cell(days_text(days))])
    known = [d for d in all_days if d is not None]
    summary = Table("Summary", ["Figure", "Value"], [
        [Cell("Job orders filled"), Cell(len(jobs), "filled")],
        [Cell("Median time to fill"), Cell(days_text(m.median(all_days)), "filled")],
        [Cell("Average time to fill"), Cell(days_text(statistics.fmean(known) if known else None), "filled")],
    ])
    detail = Table("Job orders filled", ["Job order", "Title", "Client", "Approved", "Filled", "Time to fill"], rows)
    chart = bar_chart([(month, m.median(v)) for month, v in sorted(by_month.items())],
                      title="Median days to fill, by month filled", chart_id="time-to-fill", value_text=days_text)
    return Report("time-to-fill", "Time to fill", "From the approval of a job order to its last placement, for the "
                  "job orders filled in the period.", [summary, detail], chart, "Median days to fill, by month")


def _month(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.substr(column, 1, 7)


def placements_report(viewer: Viewer, f: m.Filters) -> Report:
    where = m.base_where("placement", f)
    month = _month(Placement.placed_at)
    by_month = dict(db.session.execute(select(month, func.count()).where(*where).group_by(month)).all())
    by_client = dict(db.session.execute(select(Placement.client_org_id, func.count()).where(*where)
                                        .group_by(Placement.client_org_id)).all())
    months, d = [], f.first_day.replace(day=1)
    while d <= f.last_day:
        months.append(d.strftime("%Y-%m"))
        d = d.replace(year=d.year + (d.month == 12), month=d.month % 12 + 1)
    names = _names(by_client)
    tables = [
        Table("By month", ["Month", "Placements"],
              [[Cell(mo), Cell(int(by_month.get(mo, 0)), "placements", _month_narrow(mo, f))] for mo in months]),
        Table("By client", ["Client", "Placements"],
              [[Cell(names.get(cid, "")), Cell(int(n), "placements", {"client": cid})]
               for cid, n in sorted(by_client.items(), key=lambda kv: names.get(kv[0], ""))]),
    ]
    if viewer.portal != "supplier":
        # A placement counts for every account manager of its client ("Unassigned" when none).
        am = (select(ClientAccountManager.user_id, func.count())
              .select_from(Placement)
              .outerjoin(ClientAccountManager, ClientAccountManager.client_org_id == Placement.client_org_id)
              .where(*where).group_by(ClientAccountManager.user_id))
        by_am = dict(db.session.execute(am).all())
        am_ids = [u for u in by_am if u is not None]
        people = dict(db.session.execute(select(_users.c.id, _users.c.name).where(
            _users.c.id.in_(am_ids))).all()) if am_ids else {}
        tables.append(Table("By account manager", ["Account manager", "Placements"],
                            [[Cell(people.get(uid, "Unassigned") if uid else "Unassigned"),
                              Cell(int(n), "placements", {"account_manager": uid or m.UNASSIGNED})]
                             for uid, n in sorted(by_am.items(), key=lambda kv: people.get(kv[0], "~"))],
                            note="A placement counts for each account manager of its client."))
    total = sum(by_client.values())
    tables.insert(0, Table("Total", ["Figure", "Value"], [[Cell("Placements"), Cell(int(total), "placements")]]))
    chart = bar_chart([(mo, int(by_month.get(mo, 0))) for mo in months], title="Placements by month",
                      chart_id="placements-by-month")
    intro = "Hires recorded in the period, by month, by client" + (
        " and by account manager." if viewer.portal != "supplier" else ".")
    if viewer.is_staff:  # the sales board is the agency's own
        intro += " Opportunities and value won are on the sales board."
    return Report("placements", "Placements", intro, tables, chart, "Placements by month")


def _month_narrow(month: str, f: m.Filters) -> dict:
    """A month's part of the period, as the custom period of its drill-down."""
    year, mo = map(int, month.split("-"))
    first = max(f.first_day, f.first_day.replace(year=year, month=mo, day=1))
    after = first.replace(day=1, year=year + (mo == 12), month=mo % 12 + 1)
    last = min(f.last_day, after - timedelta(days=1))
    return {"period": "custom", "from": first.isoformat(), "to": last.isoformat()}


def rejections_report(viewer: Viewer, f: m.Filters) -> Report:
    where = m.base_where("rejection", f)
    screening = Submission.client_visible_at.is_(None)
    rows = db.session.execute(select(Submission.reject_reason, sc._sum(screening), func.count())
                              .where(*where).group_by(Submission.reject_reason)).all()
    total = sum(int(r[2]) for r in rows)
    items = sorted(((code or "", sc.reason_label(code), int(at_screen or 0), int(n)) for code, at_screen, n in rows),
                   key=lambda r: (-r[3], r[1]))
    if viewer.portal == "client":
        # A client only sees submissions that reached it: none was rejected at the agency's screening.
        table = Table("By reason", ["Reason", "Rejections", "Share"], [
            [Cell(label), Cell(n, "rejections", {"reason": code}), Cell(pct(m.ratio(n, total)))]
            for code, label, _, n in items])
        intro = f"Submissions you rejected in the period ({total}), by the reason given."
    else:
        table = Table("By reason", ["Reason", "At screening", "By the client", "Rejections", "Share"], [
            [Cell(label), Cell(at_screen, "rejections", {"reason": code, "at": "screening"}),
             Cell(n - at_screen, "rejections", {"reason": code, "at": "client"}),
             Cell(n, "rejections", {"reason": code}), Cell(pct(m.ratio(n, total)))]
            for code, label, at_screen, n in items])
        intro = (f"Submissions rejected in the period ({total}), by the reason given, at the agency's screening or "
                 "by the client.")
    chart = bar_chart([(label, n) for _, label, _, n in items], title="Rejections by reason", chart_id="rejections")
    return Report("rejections", "Rejection reasons", intro, [table], chart, "Rejections by reason")


def sla_report(viewer: Viewer, f: m.Filters) -> Report:
    clocks = sc.Clocks.read(f)
    source = clocks.source
    first, review, feedback = m.Compliance(), m.Compliance(), m.Compliance()
    first_by_supplier: dict[int, m.Compliance] = defaultdict(m.Compliance)
    review_by_client: dict[int, m.Compliance] = defaultdict(m.Compliance)
    for r in clocks.releases:
        clock_ = clocks.first_submission(r)
        first.clocks.append(clock_)
        first_by_supplier[r.supplier_org_id].clocks.append(clock_)
    for r in clocks.reviews:
        clock_ = clocks.review(r)
        review.clocks.append(clock_)
        review_by_client[r.client_org_id].clocks.append(clock_)
    for r in clocks.feedbacks:
        feedback.clocks.append(clocks.feedback(r))

    def line(label, comp: m.Compliance, metric, narrow=None):
        narrow = narrow or {}
        return [Cell(label), Cell(len(comp.clocks), metric, narrow), Cell(comp.due, metric, {**narrow, "clock": "due"}),
                Cell(comp.met, metric, {**narrow, "clock": "met"}), Cell(pct(comp.share)),
                Cell(hours_text(comp.median_hours))]

    headers = ["Measure", "Clocks started", "Due", "Within target", "Compliance", "Median time"]
    overall = Table("By measure", headers, [
        line("Time to first submission (release → first submission)", first, "releases"),
        line("Client review time (visible → first decision)", review, "review"),
        line("Interview feedback time (interview end → feedback)", feedback, "feedback"),
    ])
    names = _names(set(first_by_supplier) | set(review_by_client))
    tables = [overall]
    if viewer.portal != "client":
        tables.append(Table("Time to first submission, by supplier", ["Supplier"] + headers[1:], [
            line(names.get(sid, ""), comp, "releases", {"supplier": sid})
            for sid, comp in sorted(first_by_supplier.items(), key=lambda kv: names.get(kv[0], ""))]))
    if viewer.portal != "supplier":
        tables.append(Table("Client review time, by client", ["Client"] + headers[1:], [
            line(names.get(cid, ""), comp, "review", {"client": cid})
            for cid, comp in sorted(review_by_client.items(), key=lambda kv: names.get(kv[0], ""))]))
    measures = [("First submission", first), ("Client review", review), ("Interview feedback", feedback)]
    chart = bar_chart([(label, None if comp.share is None else comp.share * 100) for label, comp in measures],
                      title="Share within target (%)", chart_id="sla-compliance", counts=False,
                      value_text=lambda v: pct(v / 100))
    return Report("sla", "SLA compliance", "For the clocks started in the period: how many ran past their target "
                  "(are due) and how many of those were met in time. A clock still within its target is not yet "
                  "due.", tables, chart, "Share within target", note=_target_note(source))


#: slug -> (menu label, builder, who: portals that get it)
REPORTS: dict[str, tuple[str, Callable[[Viewer, m.Filters], Report], tuple[str, ...]]] = {
    "scorecards": ("Supplier scorecards", scorecards_report, ("staff",)),
    "responsiveness": ("Hiring-manager responsiveness", responsiveness_report, ("staff", "client")),
    "funnel": ("Pipeline funnel", funnel_report, ("staff", "client", "supplier")),
    "time-to-fill": ("Time to fill", time_to_fill_report, ("staff", "client", "supplier")),
    "placements": ("Placements", placements_report, ("staff", "client", "supplier")),
    "rejections": ("Rejection reasons", rejections_report, ("staff", "client", "supplier")),
    "sla": ("SLA compliance", sla_report, ("staff", "client", "supplier")),
}


def csv_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    """The report's exported tables as one sheet: a "Table" column, then the cells as the page shows them."""
    width = max((len(t.headers) for t in report.tables if t.export), default=1)
    header = ["Table"] + [f"Column {i + 1}" for i in range(width)]
    rows: list[list[Any]] = []
    for t in report.tables:
        if not t.export:
            continue
        rows.append([t.title] + [str(h) for h in t.headers])
        rows.extend([t.title] + [c.value for c in r] for r in t.rows)
    return header, rows


# --- filter choices --------------------------------------------------------------------------------

def choices(viewer: Viewer) -> dict[str, list[tuple[int, str]] | None]:
    """The clients, suppliers and hiring managers the viewer may filter by (None: no such filter)."""
    if viewer.is_staff:
        orgs = db.session.execute(select(_orgs.c.id, _orgs.c.name, _orgs.c.kind).where(
            _orgs.c.kind.in_([OrgKind.CLIENT.value, OrgKind.SUPPLIER.value])).order_by(_orgs.c.name)).all()
        managers = db.session.execute(select(User.id, User.name).where(
            User.role.in_(["hiring_manager", "client_admin"])).order_by(User.name)).all()
        return {"clients": [(o.id, o.name) for o in orgs if o.kind == OrgKind.CLIENT.value],
                "suppliers": [(o.id, o.name) for o in orgs if o.kind == OrgKind.SUPPLIER.value],
                "managers": [tuple(r) for r in managers]}
    if viewer.portal == "client":
        # Its suppliers: those released to its job orders; its hiring managers (a manager sees only
        # their own figures, so has no manager choice).
        sup = select(JobOrderRelease.supplier_org_id).distinct()
        ids = [r[0] for r in db.session.execute(sup).all()]
        names = _names(ids)
        managers = None
        if not viewer.own_managers_only:
            managers = [tuple(r) for r in db.session.execute(select(User.id, User.name).where(
                User.org_id == viewer.org_id, User.role.in_(["hiring_manager", "client_admin"])).order_by(User.name))]
        return {"clients": None, "suppliers": sorted(names.items(), key=lambda kv: kv[1]), "managers": managers}
    # a supplier: the clients whose job orders were released to it
    ids = [r[0] for r in db.session.execute(select(JobOrderRelease.client_org_id).distinct()).all()]
    names = _names(ids)
    return {"clients": sorted(names.items(), key=lambda kv: kv[1]), "suppliers": None, "managers": None}
