"""Supplier scorecards and hiring-manager responsiveness: the figures of one supplier match a hand count
of an explicit scenario, every figure drills down to the rows it counts, and no supplier ever sees
another supplier's scorecard."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from html import unescape

import pytest

from portal import clock
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.interviews import services as interviews
from portal.offers import services as offers
from portal.reports import metrics, scorecards
from portal.reports.permissions import Viewer
from portal.review import services as review
from portal.submissions import services as submissions
from portal.submissions.services import SubmissionError, SubmitData
from tests.test_job_orders_support import as_actor, released
from tests.test_review_support import new_candidate, request, slot_id

UTC = timezone.utc
#: The scenario happens years after the world's own data, so its period holds nothing else.
T0 = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
PERIOD = {"period": "custom", "from": "2031-03-03", "to": "2031-03-06"}


def at(hours: float) -> None:
    clock.freeze(T0 + timedelta(hours=hours))


def _run(user, fn, *args, **kw):
    with as_actor(user):
        result = fn(user, *args, **kw)
        db.session.commit()
    return result


def _submit(user, job, candidate):
    sub, _ = _run(user, submissions.submit, job, SubmitData(
        rate=Decimal("60"), available_from=clock.now().date() + timedelta(days=7), right_to_represent=True),
        candidate=candidate)
    return sub


def _candidate(user, first, last):
    with as_actor(user):
        c = new_candidate(user, first, last, f"{first}.{last}@scenario.example".lower())
        db.session.commit()
    return c


@pytest.fixture
def scenario(world):
    """TalentCo and BluePeak on two new Acme jobs (Acme's submissions are screened by staff).

    Hand count, TalentCo: jobs received 2 (A, B), both answered: first submissions 2 h (A) and 5 h (B)
    after release → median 3.5 h; submissions 4 (c1, c2, c3 on A; c4 on B); screening decided 3
    (c1, c2 forwarded; c3 rejected "skills") → 2 of 3 forwarded; reached client review 2; shortlisted
    1 (c1); interviewed 1; offered 1; placed 1; withdrawn 1 (c4); rejected 2 (c2 "rate", c3
    "skills"); duplicates refused 0.
    BluePeak: jobs received 1 (A), answered 0, duplicates refused 1 (its copy of c1's person).
    Hana's responsiveness: c1 visible at 4 h, shortlisted at 10 h (6 h, within 48 h); c2 visible at
    4 h, rejected at 60 h (56 h, late) → median 31 h, 1 of 2 within target; the interview ended at
    25 h, feedback at 26 h (1 h, within 24 h).
    """
    hana, morgan, sam, priya = (world.user(n) for n in ("hana", "morgan", "sam", "priya"))
    at(0)
    job_a = released(world, {"talentco": 1, "bluepeak": 1}, title="Scenario job A", submission_limit=10,
                     rate_max=90, rate_unit="hour")
    job_b = released(world, {"talentco": 1}, title="Scenario job B", submission_limit=10, rate_max=90,
                     rate_unit="hour")
    c1, c2, c3, c4 = (_candidate(sam, "Cand", n) for n in ("One", "Two", "Three", "Four"))
    at(2)
    s1 = _submit(sam, job_a, c1)
    at(3)
    s2 = _submit(sam, job_a, c2)
    at(3.5)
    twin = _candidate(priya, "Cand", "One")  # the same e-mail: c1's person
    with as_actor(priya):
        with pytest.raises(SubmissionError) as refused:
            submissions.submit(priya, job_a, SubmitData(rate=Decimal("60"), available_from=clock.now().date(),
                                                        right_to_represent=True), candidate=twin)
        db.session.rollback()
        submissions.note_duplicate_refused(priya, job_a, refused.value.duplicate)
        db.session.commit()
    at(4)
    _run(morgan, submissions.forward, s1)
    _run(morgan, submissions.forward, s2)
    at(5)
    s4 = _submit(sam, job_b, c4)
    at(6)
    _run(sam, submissions.withdraw, s4, "Took another job")
    at(10)
    _run(hana, review.shortlist, s1)
    at(12)
    with as_actor(hana):
        interview = request(hana, s1, T0 + timedelta(hours=24))
        db.session.commit()
    at(13)
    with as_actor(sam):
        slot = slot_id(interview)
    _run(sam, interviews.supplier_confirm, interview, slot)
    at(26)
    _run(hana, interviews.record_feedback, interview, 4, "Good.")
    at(30)
    s3 = _submit(sam, job_a, c3)
    at(31)
    _run(morgan, submissions.screen_reject, s3, "skills", "Not the PLC skills we need.")
    at(60)
    _run(hana, review.reject, s2, "rate", "Above budget.")
    at(61)
    offer = _run(hana, offers.extend_offer, s1, offers.OfferTerms(
        rate=Decimal("62"), start_date=clock.now().date() + timedelta(days=14),
        end_date=clock.now().date() + timedelta(days=200)))
    at(62)
    _run(sam, offers.accept_offer, offer)
    at(63)
    _run(hana, offers.place, s1)
    at(72)
    yield {"a": job_a, "b": job_b, "subs": (s1, s2, s3, s4)}
    clock.freeze(None)


def _filters(**kw) -> metrics.Filters:
    return metrics.Filters(start=T0.replace(hour=0), end=T0.replace(hour=0) + timedelta(days=4), **kw)


def test_a_suppliers_scorecard_matches_the_hand_count(world, scenario):
    with system_scope("test"):
        staff = Viewer.of(world.user("morgan"))
        cards = {c.name: c for c in scorecards.supplier_scorecards(staff, _filters())}
    tc, bp = cards["TalentCo Search"], cards["BluePeak Partners"]
    assert (tc.releases, tc.responded, tc.median_first_hours, tc.duplicates) == (2, 2, 3.5, 0)
    assert tc.counts == {"submitted": 4, "screened": 3, "forwarded": 2, "reached_review": 2, "shortlisted": 1,
                         "interviewed": 1, "offered": 1, "placed": 1, "withdrawn": 1, "rejected": 2}
    assert tc.forward_share == pytest.approx(2 / 3) and tc.response_rate == 1.0
    assert sorted((code, n) for code, _, n in tc.reasons) == [("rate", 1), ("skills", 1)]
    assert (bp.releases, bp.responded, bp.duplicates, bp.counts["submitted"]) == (1, 0, 1, 0)
    assert bp.response_rate == 0.0 and bp.median_first_hours is None


def test_hiring_manager_responsiveness_matches_the_hand_count(world, scenario):
    with system_scope("test"):
        [hana] = [c for c in scorecards.manager_scorecards(Viewer.of(world.user("morgan")), _filters())[0]
                  if c.name == "Hana Kobayashi"]
    assert (hana.visible, hana.review.median_hours, hana.review.met, hana.review.due) == (2, 31.0, 1, 2)
    assert (hana.interviews, hana.feedback.median_hours, hana.feedback.met, hana.feedback.due) == (1, 1.0, 1, 1)


def _cells(page: str, title: str) -> list[list[str]]:
    """The cells of the report table titled `title`, as text."""
    section = page.split(f'data-table="{title}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows]


def _csv(resp) -> list[list[str]]:
    body = resp.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_supplier_sees_its_own_scorecard_and_its_csv_holds_the_page(world, scenario, as_user):
    sam = as_user("sam")
    url = f"/supplier/reports/scorecards/{world.oid('talentco')}"
    page = sam.get(url, query_string=PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    figures = dict(_cells(html, "Scorecard")[1:])
    assert figures["Jobs received"] == "2" and figures["Submissions"] == "4"
    assert figures["Response rate"] == "100% (2 of 2)" and figures["Median time to first submission"] == "3.5 h"
    assert figures["Forwarded by screening"] == "67% (2 of 3)" and figures["Placed"] == "1 (25%)"
    assert figures["Duplicates refused"] == "0"
    assert "BluePeak" not in html
    rows = _csv(sam.get(url + ".csv", query_string=PERIOD))
    exported = {r[1]: r[2] for r in rows if r[0] == "Scorecard"}
    assert exported == {**figures, "Figure": "Value"}
    # per client, and the table of the page equals its CSV lines
    assert [r[1:] for r in rows if r[0] == "Per client"] == _cells(html, "Per client")


def test_no_supplier_sees_another_suppliers_scorecard(world, scenario, as_user):
    priya = as_user("priya")
    other = world.oid("talentco")
    assert priya.get(f"/supplier/reports/scorecards/{other}").status_code == 404
    assert priya.get(f"/supplier/reports/scorecards/{other}.csv").status_code == 404
    assert priya.get(f"/staff/reports/scorecards/{other}").status_code == 404
    assert priya.get("/staff/reports/scorecards").status_code == 404
    # another supplier named in the filters is refused, not shown
    own = f"/supplier/reports/scorecards/{world.oid('bluepeak')}"
    resp = priya.get(own, query_string={**PERIOD, "supplier": other})
    assert resp.status_code == 422 and "TalentCo" not in resp.get_data(as_text=True)
    resp = priya.get("/supplier/reports/rows", query_string={**PERIOD, "metric": "submitted", "supplier": other})
    assert resp.status_code == 422 and "Cand One" not in resp.get_data(as_text=True)
    # its own card: the refused duplicate counts, without naming who owns the person
    page = priya.get(own, query_string=PERIOD).get_data(as_text=True)
    assert dict(_cells(page, "Scorecard")[1:])["Duplicates refused"] == "1"
    rows = priya.get("/supplier/reports/rows", query_string={**PERIOD, "metric": "duplicates"}).get_data(as_text=True)
    assert "TalentCo" not in rows and rows.count('class="drill-row"') == 1


def test_staff_compare_suppliers_side_by_side(world, scenario, as_user):
    page = as_user("morgan").get("/staff/reports/scorecards", query_string=PERIOD).get_data(as_text=True)
    # one row per figure, one column per supplier (thirteen figures would not fit across at 1280 px)
    cells = _cells(page, "Suppliers side by side")
    suppliers = cells[0][1:]
    assert cells[0][0] == "Figure" and set(suppliers) >= {"TalentCo Search", "BluePeak Partners"}
    table = {name: {row[0]: row[1 + i] for row in cells[1:]} for i, name in enumerate(suppliers)}
    assert [table["TalentCo Search"][f] for f in ("Jobs received", "Response rate", "Median time to first submission",
                                                  "Submissions")] == ["2", "100% (2 of 2)", "3.5 h", "4"]
    assert [table["BluePeak Partners"][f] for f in ("Jobs received", "Response rate", "Median time to first submission",
                                                    "Submissions", "Duplicates refused")] == ["1", "0% (0 of 1)", "—",
                                                                                              "0", "1"]
    assert len(cells) == 14  # the header and thirteen figures
    assert f'href="/staff/reports/scorecards/{world.oid("talentco")}?' in page  # each name opens its card
    card = as_user("morgan").get(f"/staff/reports/scorecards/{world.oid('talentco')}", query_string=PERIOD)
    assert dict(_cells(card.get_data(as_text=True), "Scorecard")[1:])["Submissions"] == "4"


@pytest.mark.parametrize("metric, expected", [
    ("submitted", 4), ("reached_review", 2), ("shortlisted", 1), ("interviewed", 1), ("placed", 1),
    ("withdrawn", 1), ("rejected", 2), ("releases", 2), ("responded", 2), ("forwarded", 2), ("screened", 3),
])
def test_every_figure_drills_down_to_the_rows_it_counts(world, scenario, as_user, metric, expected):
    page = as_user("morgan").get("/staff/reports/rows", query_string={
        **PERIOD, "metric": metric, "supplier": world.oid("talentco")}).get_data(as_text=True)
    assert page.count('class="drill-row"') == expected
    assert f'<strong class="rows-total">{expected}</strong>' in page


def test_a_rejection_reason_drills_down_to_its_submissions(world, scenario, as_user):
    page = as_user("morgan").get("/staff/reports/rows", query_string={
        **PERIOD, "metric": "rejected", "supplier": world.oid("talentco"), "reason": "skills"}).get_data(as_text=True)
    assert page.count('class="drill-row"') == 1 and "Cand Three" in page


def test_a_hiring_manager_sees_only_their_own_responsiveness(world, scenario, as_user):
    page = as_user("hana").get("/client/reports/responsiveness", query_string=PERIOD).get_data(as_text=True)
    names = [row[0] for row in _cells(page, "Hiring managers")[1:]]
    assert names == ["Hana Kobayashi"]
    row = _cells(page, "Hiring managers")[1]
    assert row[2:5] == ["2", "31.0 h", "50% (1 of 2)"]
    # a client administrator sees the company's managers; never another company's
    admin = as_user("olivia").get("/client/reports/responsiveness", query_string={"period": "year"}).get_data(as_text=True)
    assert "Leo Marchetti" not in admin and "Globex" not in admin
    leo = as_user("leo").get("/client/reports/responsiveness", query_string=PERIOD).get_data(as_text=True)
    assert "Hana" not in leo


def test_a_clients_own_sla_policy_sets_its_targets(world, scenario, as_user):
    from portal.sla.models import SlaPolicy

    with system_scope("test"):
        db.session.add(SlaPolicy(client_org_id=world.oid("acme"), review_hours=72, feedback_hours=12,
                                 updated_at=clock.now()))
        db.session.commit()
    page = as_user("hana").get("/client/reports/responsiveness", query_string=PERIOD).get_data(as_text=True)
    row = _cells(page, "Hiring managers")[1]
    assert row[4] == "100% (2 of 2)"  # c2's 56 h is within Acme's 72 h
    assert "SLA policy" in page


def test_time_on_hold_does_not_count(world, as_user):
    from portal.job_orders import services as jobs

    hana, morgan, sam = world.user("hana"), world.user("morgan"), world.user("sam")
    start = T0 + timedelta(days=30)

    def at_(h):
        clock.freeze(start + timedelta(hours=h))

    try:
        at_(0)
        job = released(world, {"talentco": 1}, title="Held job", submission_limit=5, rate_max=90, rate_unit="hour")
        sub = _submit(sam, job, _candidate(sam, "Held", "Person"))
        at_(1)
        _run(morgan, submissions.forward, sub)
        at_(10)
        _run(hana, jobs.hold, job)
        at_(20)
        _run(hana, jobs.reopen, job)
        at_(55)  # 54 h after it became visible, 10 of them on hold: 44 h counted, within 48 h
        _run(hana, review.reject, sub, "skills", "No.")
        with system_scope("test"):
            f = metrics.Filters(start=metrics.day_start(start.date()),
                                end=metrics.day_start(start.date()) + timedelta(days=5))
            [card] = [c for c in scorecards.manager_scorecards(Viewer.of(world.user("morgan")), f)[0]
                      if c.name == "Hana Kobayashi"]
        assert (card.review.median_hours, card.review.met, card.review.due) == (44.0, 1, 1)
    finally:
        clock.freeze(None)
