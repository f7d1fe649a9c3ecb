"""Dashboards and periodic reports: figures on fixed data against hand-computed expectations,
period boundaries in Vietnam's local time, scope, query counts, and the .xlsx and .docx read
back.

The fixed data (`q3`) is the third quarter of 2025 in two communes, A (Khánh Hưng) and B
(Vĩnh Trị), with a few rows just outside it. Local times; UTC is 7 hours behind.

  v1  A  p1  late_early  10/07 08:30  acknowledged  answer due 17/07, answered 16/07 (on time)
  v2  A  p1  no_badge    05/08 09:00  upheld        answer due 12/08, answered 13/08 (late)
  v3  A  p1  late_early  30/09 23:59  closed        (last minute of the quarter: counts)
  v4  A  p2  alcohol     15/09 10:00  notified      answer due 22/09, none (late, overdue now)
  v5  A  p2  late_early  20/08        voided        (never counts)
  v6  B  p3  attitude    01/07 00:00  acknowledged  (= 30/06 17:00 UTC: counts in July)
                                                    answer due 08/07, answered 09/07 00:30 (late)
  v7  B  p3  attitude    30/06 23:59  recorded      (previous quarter)
  v8  B  p3  late_early  01/10 00:00  recorded      (= 30/09 17:00 UTC: next quarter)
  v9  B  p3  attitude    01/08        dismissed     (never counts)
  v10 A  p2  private     10/05        acknowledged  (previous quarter)

Visits (planned date): A 15/07 finished, A 10/08 finished unannounced, A 20/09 cancelled,
B 05/09 planned; previous quarter B 02/05 finished.
Letters: L1 issued 01/08 to A (report due 15/08, A reported 16/08: late); L2 issued 10/09 to A
and B (due 24/09; A reported 20/09, B never: late and overdue now).
"""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from discipline import reports, services
from discipline.models import Letter, LetterReport, Violation
from inspections.models import Visit
from tests import factories
from tests.discipline.test_letter_document import (
    _has_bottom_border,
    _paragraph,
    _rule_width_mm,
    _runs,
    _style,
)
from tests.factories import local
from units.models import Unit

Q3 = reports.period_of("quarter", 2025, 3)
TODAY = datetime.date(2026, 1, 15)


def _violation(staff, code, when, status, **fields):
    violation = factories.violation(staff, by=factories_inspector(), code=code, occurred_at=when)
    Violation.objects.filter(pk=violation.pk).update(
        status=status, void_reason="nhầm" if status == "voided" else "", **fields
    )
    return Violation.objects.get(pk=violation.pk)


_INSPECTOR = {}


def factories_inspector():
    return _INSPECTOR["user"]


def _visit(unit, inspector, day, status, kind="regular"):
    visit = Visit.objects.create(
        unit=unit,
        kind=kind,
        planned_date=day,
        lead_inspector=inspector.staff,
        status=status,
        created_by=inspector,
        cancel_reason="Trùng lịch" if status == "cancelled" else "",
    )
    if status == "finished":
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))
        Visit.objects.filter(pk=visit.pk).update(
            started_at=start, finished_at=start + datetime.timedelta(hours=2)
        )
    return visit


def _issue(chief, violations, day, due):
    letter = services.draft_letter(kind="reminder", violations=violations, by=chief)
    Letter.objects.filter(pk=letter.pk).update(response_due=due)
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    return services.issue_letter(letter=Letter.objects.get(pk=letter.pk), by=chief, now=when)


@pytest.fixture
def q3(unit_a, unit_b, inspector, chief):
    _INSPECTOR["user"] = inspector
    p1 = factories.staff(unit_a, full_name="Hồ Thành Nghĩa")
    p2 = factories.staff(unit_a, full_name="Trần Thị Bé")
    p3 = factories.staff(unit_b, full_name="Lê Văn Cường")
    data = {"p1": p1, "p2": p2, "p3": p3}
    data["v1"] = _violation(
        p1,
        "late_early",
        local(2025, 7, 10, 8, 30),
        "acknowledged",
        response_due=datetime.date(2025, 7, 17),
        answered_at=local(2025, 7, 16, 10),
    )
    data["v2"] = _violation(
        p1,
        "no_badge",
        local(2025, 8, 5, 9),
        "upheld",
        response_due=datetime.date(2025, 8, 12),
        answered_at=local(2025, 8, 13, 9),
    )
    data["v3"] = _violation(
        p1,
        "late_early",
        local(2025, 9, 30, 23, 59),
        "closed",
        response_due=datetime.date(2025, 10, 7),
        answered_at=local(2025, 10, 2, 9),
    )
    data["v4"] = _violation(
        p2, "alcohol", local(2025, 9, 15, 10), "notified", response_due=datetime.date(2025, 9, 22)
    )
    data["v5"] = _violation(p2, "late_early", local(2025, 8, 20, 8), "voided")
    data["v6"] = _violation(
        p3,
        "attitude",
        local(2025, 7, 1, 0, 0),
        "acknowledged",
        response_due=datetime.date(2025, 7, 8),
        answered_at=local(2025, 7, 9, 0, 30),
    )
    data["v7"] = _violation(p3, "attitude", local(2025, 6, 30, 23, 59), "recorded")
    data["v8"] = _violation(p3, "late_early", local(2025, 10, 1, 0, 0), "recorded")
    data["v9"] = _violation(p3, "attitude", local(2025, 8, 1, 9), "dismissed")
    data["v10"] = _violation(p2, "private_business", local(2025, 5, 10, 9), "acknowledged")

    _visit(unit_a, inspector, datetime.date(2025, 7, 15), "finished")
    _visit(unit_a, inspector, datetime.date(2025, 8, 10), "finished", kind="unannounced")
    _visit(unit_a, inspector, datetime.date(2025, 9, 20), "cancelled")
    _visit(unit_b, inspector, datetime.date(2025, 9, 5), "planned")
    _visit(unit_b, inspector, datetime.date(2025, 5, 2), "finished")

    l1 = _issue(chief, [data["v1"]], datetime.date(2025, 8, 1), datetime.date(2025, 8, 15))
    l2 = _issue(
        chief, [data["v2"], data["v6"]], datetime.date(2025, 9, 10), datetime.date(2025, 9, 24)
    )
    for letter, unit, when in (
        (l1, unit_a, local(2025, 8, 16, 8)),
        (l2, unit_a, local(2025, 9, 20, 15)),
    ):
        LetterReport.objects.create(
            letter=letter, unit=unit, text="Đã kiểm điểm.", submitted_by=chief, submitted_at=when
        )
    Letter.objects.filter(pk=l1.pk).update(status="answered", answered_at=local(2025, 8, 16, 8))
    data.update(l1=l1, l2=l2)
    return data


def _units(*units):
    return Unit.objects.filter(pk__in=[u.pk for u in units])


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "start", "end", "label"),
    [
        ("2025", (2025, 1, 1), (2025, 12, 31), "Năm 2025"),
        ("2025-h1", (2025, 1, 1), (2025, 6, 30), "6 tháng đầu năm 2025"),
        ("2025-h2", (2025, 7, 1), (2025, 12, 31), "6 tháng cuối năm 2025"),
        ("2025-q3", (2025, 7, 1), (2025, 9, 30), "Quý III/2025"),
        ("2024-02", (2024, 2, 1), (2024, 2, 29), "Tháng 2/2024"),
    ],
)
def test_period_tokens(token, start, end, label):
    period = reports.parse_period(token)
    assert (period.start, period.end) == (datetime.date(*start), datetime.date(*end))
    assert period.label == label


@pytest.mark.parametrize("token", ["", "2025-q5", "2025-13", "1999", "abc", "2025-h3"])
def test_bad_period_tokens_are_refused(token):
    assert reports.parse_period(token) is None


def test_previous_period_is_the_one_before_of_the_same_kind():
    assert reports.parse_period("2025-q1").previous().token == "2024-q4"
    assert reports.parse_period("2025-03").previous().token == "2025-02"
    assert reports.parse_period("2025-h1").previous().token == "2024-h2"
    assert reports.parse_period("2025").previous().token == "2024"
    custom = reports.custom_period(datetime.date(2025, 3, 10), datetime.date(2025, 3, 19))
    before = custom.previous()
    assert (before.start, before.end) == (datetime.date(2025, 2, 28), datetime.date(2025, 3, 9))


def test_period_boundaries_are_local_midnights():
    # 00:00 in Hồ Chí Minh City is 17:00 UTC the day before.
    assert Q3.start_at == datetime.datetime(2025, 6, 30, 17, 0, tzinfo=datetime.UTC)
    assert Q3.end_before == datetime.datetime(2025, 9, 30, 17, 0, tzinfo=datetime.UTC)
    assert Q3.contains(local(2025, 9, 30, 23, 59))
    assert not Q3.contains(local(2025, 10, 1, 0, 0))
    assert Q3.contains(local(2025, 7, 1, 0, 0))
    assert not Q3.contains(local(2025, 6, 30, 23, 59))


# --- figures ------------------------------------------------------------------------------


def test_report_figures_match_the_hand_count(q3, unit_a, unit_b):
    data = reports.report(_units(unit_a, unit_b), period=Q3, today=TODAY)
    by_unit = {row.unit.pk: row for row in data.units}
    a, b = by_unit[unit_a.pk], by_unit[unit_b.pk]
    assert a.by_category == {"working_hours": 2, "badge_dress": 1, "alcohol": 1}
    assert (a.total, a.standing) == (4, 3)
    assert b.by_category == {"attitude": 1}
    assert (b.total, b.standing) == (1, 1)
    assert a.visits == {"planned": 3, "done": 2, "unannounced": 1}
    assert b.visits == {"planned": 1, "done": 0, "unannounced": 0}
    assert (a.answers_due, a.answers_late) == (3, 2)  # v1 on time; v2 late; v4 missing
    assert (b.answers_due, b.answers_late) == (1, 1)  # v6 answered at 00:30 the next day
    assert (a.reports_due, a.reports_late) == (2, 1)
    assert (b.reports_due, b.reports_late) == (1, 1)
    assert data.offenders == [
        {"staff_id": q3["p1"].pk, "name": "Hồ Thành Nghĩa", "unit": unit_a.name, "count": 3}
    ]
    assert [letter.pk for letter in data.letters] == [q3["l1"].pk, q3["l2"].pk]
    categories = dict(zip([v for v, _l in data.categories], data.category_totals, strict=True))
    assert categories == {
        "working_hours": 2,
        "private_business": 0,
        "alcohol": 1,
        "badge_dress": 1,
        "attitude": 1,
        "task_performance": 0,
        "other": 0,
    }


def test_report_compares_with_the_quarter_before(q3, unit_a, unit_b):
    data = reports.report(_units(unit_a, unit_b), period=Q3, today=TODAY)
    assert data.previous.token == "2025-q2"
    rows = {row["name"]: row for row in data.comparison()}
    expected = {
        "visits_done": (2, 1),
        "visits_planned": (4, 1),
        "violations": (5, 2),  # v7 and v10
        "standing": (4, 1),
        "repeat_offenders": (1, 0),
        "letters": (2, 0),
        "answers_due": (4, 0),
        "answers_late": (3, 0),
        "reports_due": (3, 0),
        "reports_late": (2, 0),
    }
    assert {name: (r["current"], r["previous"]) for name, r in rows.items()} == expected
    assert rows["violations"]["change"] == 3
    assert rows["violations"]["percent"] == 150.0
    assert rows["letters"]["percent"] is None  # nothing to compare with


def test_current_summary_equals_the_summary_query(q3, unit_a, unit_b):
    """The page sums the per-unit rows; the comparison runs the summary queries: the same."""
    units = _units(unit_a, unit_b)
    data = reports.report(units, period=Q3, today=TODAY)
    assert reports.summary(units, period=Q3, today=TODAY) == data.current


def test_dashboard_figures_match_the_hand_count(q3, unit_a, unit_b):
    board = reports.dashboard(_units(unit_a, unit_b), period=Q3, today=TODAY)
    months = {
        m["label"]: dict(zip([v for v, _l in board.categories], m["cells"], strict=True))
        for m in board.months
    }
    assert list(months) == ["07/2025", "08/2025", "09/2025"]
    assert {k: v for k, v in months["07/2025"].items() if v} == {"working_hours": 1, "attitude": 1}
    assert {k: v for k, v in months["08/2025"].items() if v} == {"badge_dress": 1}
    assert {k: v for k, v in months["09/2025"].items() if v} == {"working_hours": 1, "alcohol": 1}
    assert [(row.unit.name, row.total) for row in board.units] == [
        ("UBND xã Khánh Hưng", 4),
        ("UBND xã Vĩnh Trị", 1),
    ]
    assert (board.total, board.standing, board.offender_count) == (5, 4, 1)
    assert [(v["label"], v["planned"], v["done"]) for v in board.visits] == [
        ("07/2025", 1, 1),
        ("08/2025", 1, 1),
        ("09/2025", 2, 0),
    ]
    assert board.answers == {"answers_due": 4, "answers_late": 3, "answers_overdue_now": 1}
    assert board.reports == {"reports_due": 3, "reports_late": 2, "reports_overdue_now": 1}
    chart = board.chart_data()
    assert chart["units"] == {"labels": ["UBND xã Khánh Hưng", "UBND xã Vĩnh Trị"], "data": [4, 1]}


def test_category_filter_narrows_violations_and_answers(q3, unit_a, unit_b):
    board = reports.dashboard(
        _units(unit_a, unit_b), period=Q3, category="working_hours", today=TODAY
    )
    assert [value for value, _label in board.categories] == ["working_hours"]
    assert board.total == 2
    assert board.offender_count == 1  # p1: v1 and v3
    assert board.answers["answers_due"] == 1  # v1 only (v3 is due in October)


def test_a_violation_at_2359_on_the_last_day_belongs_to_the_month(q3, unit_a):
    september = reports.parse_period("2025-09")
    october = reports.parse_period("2025-10")
    units = _units(unit_a)
    assert reports.summary(units, period=september, today=TODAY).violations == 2  # v3, v4
    board = reports.dashboard(_units(q3["p3"].unit), period=october, today=TODAY)
    assert board.total == 1  # v8 at 00:00 on 1 October, 17:00 UTC on 30 September


# --- pages ----------------------------------------------------------------------------------


def _get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"discipline:{name}"), params)


@pytest.mark.parametrize("name", ["dashboard", "report"])
def test_pages_show_the_quarters_figures(client, leader, q3, name):
    response = _get(client, leader, name, period="2025-q3")
    assert response.status_code == 200
    html = response.text
    assert "Quý III/2025" in html
    assert "UBND xã Khánh Hưng" in html and "Hồ Thành Nghĩa" in html
    assert "style=" not in html


def test_dashboard_passes_chart_data_through_json_script_only(client, leader, q3):
    html = _get(client, leader, "dashboard", period="2025-q3").text
    assert '<script id="dashboard-data" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html
    import re

    inline = re.findall(r"<script(?![^>]*\ssrc=)(?![^>]*application/json)[^>]*>", html)
    assert inline == []


def test_unit_head_sees_only_own_unit(client, unit_head_a, q3, unit_b):
    response = _get(client, unit_head_a, "dashboard", period="2025-q3")
    assert response.status_code == 200
    board = response.context["board"]
    assert [row.unit.name for row in board.units] == ["UBND xã Khánh Hưng"]
    assert board.total == 4
    assert "Lê Văn Cường" not in response.text
    assert "UBND xã Khánh Hưng — Quý III/2025" in response.text  # not the whole Authority
    assert "Tất cả đơn vị của bạn" in response.text
    assert _get(client, unit_head_a, "report", unit=unit_b.pk).status_code == 404


def test_unit_heads_workbook_holds_only_their_unit(client, unit_head_a, q3):
    response = _get(client, unit_head_a, "report_xlsx", period="2025-q3")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    units = [row[0] for row in book["Vi phạm theo đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert units == ["UBND xã Khánh Hưng", "Tổng cộng"]
    listing = list(book["Danh sách vi phạm"].iter_rows(min_row=2, values_only=True))
    assert {row[2] for row in listing} == {"UBND xã Khánh Hưng"}
    assert len(listing) == 4


@pytest.mark.parametrize("name", ["dashboard", "report", "report_xlsx", "report_docx"])
def test_another_authoritys_unit_is_404(client, leader, other_unit, name):
    assert _get(client, leader, name, unit=other_unit.pk).status_code == 404
    assert _get(client, leader, name, unit="x").status_code == 404


@pytest.mark.parametrize("name", ["dashboard", "report", "report_xlsx", "report_docx"])
def test_staff_without_a_role_is_refused(client, staff_member, name):
    assert _get(client, staff_member, name).status_code == 403


@pytest.mark.parametrize("name", ["dashboard", "report", "report_xlsx", "report_docx"])
def test_only_get(client, leader, name):
    client.force_login(leader)
    assert client.post(reverse(f"discipline:{name}")).status_code == 405


def test_filter_to_one_unit(client, leader, q3, unit_b):
    response = _get(client, leader, "report", period="2025-q3", unit=unit_b.pk)
    data = response.context["report"]
    assert [row.unit.pk for row in data.units] == [unit_b.pk]
    assert data.current.violations == 1


def test_custom_range_needs_both_days_in_order(client, leader, authority):
    response = _get(client, leader, "report", period="custom", start="2025-09-10", end="2025-09-01")
    assert response.status_code == 200
    assert (
        "The last day cannot be before the first." in str(response.context["form"].errors)
        or (response.context["form"].errors["end"])
    )
    response = _get(client, leader, "report", period="custom", start="2025-09-01", end="2025-09-30")
    assert response.context["report"].period.label == "01/09/2025 đến 30/09/2025"


def test_home_and_navigation_lead_to_the_dashboard(client, leader, unit_head_a):
    for user in (leader, unit_head_a):
        client.force_login(user)
        html = client.get("/").text
        assert html.count(reverse("discipline:dashboard")) >= 2  # menu and tile
        assert reverse("discipline:report") in html


@pytest.mark.parametrize("period", [Q3, reports.period_of("year", 2025, 1)])
def test_top_repeat_offenders_ranks_in_the_database_and_counts_them_all(
    unit_a, unit_b, inspector, period
):
    """Seven people with 2..8 standing violations and one with a single one: the top three
    by count (ties by id), and all seven counted; the quarter reads the violations, the year
    the per-person tally."""
    people = [factories.staff(unit) for unit in (unit_a, unit_b) for _ in range(4)]
    rows = []
    for rank, person in enumerate(people):
        for i in range(rank + 1):
            rows.append(
                Violation(
                    staff=person,
                    unit=person.unit,
                    type=factories.violation_type("late_early"),
                    occurred_at=local(2025, 8, 1 + i, 9),
                    status="upheld",
                    recorded_by=inspector,
                )
            )
    Violation.objects.bulk_create(rows)
    offenders, count = reports.top_repeat_offenders(_units(unit_a, unit_b), period, 3)
    assert count == 7
    assert [(o["staff_id"], o["count"]) for o in offenders] == [
        (people[7].pk, 8),
        (people[6].pk, 7),
        (people[5].pk, 6),
    ]
    assert reports.top_repeat_offenders(_units(unit_a), period, 3)[1] == 3  # 2, 3 and 4
    assert reports.top_repeat_offenders(_units(unit_a, unit_b), period, 0) == ([], 7)
    # Told the units are the whole Authority, a year reads the per-person totals: the same.
    everywhere = Unit.objects.filter(authority_id=unit_a.authority_id)
    whole = unit_a.authority_id
    assert reports.top_repeat_offenders(everywhere, period, 3, authority=whole) == (
        offenders,
        count,
    )
    assert reports.top_repeat_offenders(everywhere, period, 0, authority=whole) == ([], 7)


def test_the_authoritys_year_counts_a_person_across_its_units(
    client, leader, unit_head_a, unit_a, unit_b, inspector
):
    """One standing violation in each of two units: a repeat offender of the Authority's year
    (the per-person totals) and of its quarter (the violations), of neither unit alone."""
    person = factories.staff(unit_a)
    Violation.objects.bulk_create(
        Violation(
            staff=person,
            unit=unit,
            type=factories.violation_type("late_early"),
            occurred_at=local(2025, 8, 1, 9),
            status="upheld",
            recorded_by=inspector,
        )
        for unit in (unit_a, unit_b)
    )
    client.force_login(leader)
    for period in ("2025", "2025-q3"):
        board = client.get(reverse("discipline:dashboard"), {"period": period}).context["board"]
        assert board.offender_count == 1
        assert [(o["staff_id"], o["count"]) for o in board.offenders] == [(person.pk, 2)]
        report = client.get(reverse("discipline:report"), {"period": period}).context["report"]
        assert report.current.repeat_offenders == 1
        assert report.before.repeat_offenders == 0
        one_unit = {"period": period, "unit": unit_a.pk}
        assert (
            client.get(reverse("discipline:dashboard"), one_unit).context["board"].offenders == []
        )
    client.force_login(unit_head_a)
    board = client.get(reverse("discipline:dashboard"), {"period": "2025"}).context["board"]
    assert board.offender_count == 0


def test_dashboard_counts_a_thousand_offenders_grouped(client, leader, unit_a, inspector):
    """The sentence above the offenders writes the count as the tiles do (vi "1.001")."""
    from units.models import Staff

    people = Staff.objects.bulk_create(
        Staff(authority_id=unit_a.authority_id, unit=unit_a, full_name=f"Người {i}")
        for i in range(1001)
    )
    late = factories.violation_type("late_early")
    Violation.objects.bulk_create(
        Violation(
            staff=person,
            unit=unit_a,
            type=late,
            occurred_at=local(2025, 8, day, 9),
            status="upheld",
            recorded_by=inspector,
        )
        for person in people
        for day in (1, 2)
    )
    client.force_login(leader)
    html = client.get(reverse("discipline:dashboard"), {"period": "2025"}).text
    assert "1.001 người có từ hai vi phạm đã xác định trở lên trong kỳ." in html


# --- query counts ---------------------------------------------------------------------------


def _many(unit_a, unit_b, inspector, n):
    people = [factories.staff(unit) for unit in (unit_a, unit_b) for _ in range(3)]
    rows = []
    for i in range(n):
        # Two by two per person, the first two standing: there is always a repeat offender.
        person = people[(i // 2) % len(people)]
        rows.append(
            Violation(
                staff=person,
                unit=person.unit,
                type=factories.violation_type(["late_early", "alcohol", "attitude"][i % 3]),
                occurred_at=local(2025, 7 + i % 3, 1 + i % 28, 9),
                status=["acknowledged", "acknowledged", "notified"][i % 3],
                response_due=datetime.date(2025, 8, 1) if i % 3 == 2 else None,
                recorded_by=inspector,
            )
        )
    Violation.objects.bulk_create(rows)


@pytest.mark.parametrize("period", ["2025-q3", "2025"])  # the year: per-person totals
@pytest.mark.parametrize("rows", [3, 60])
def test_dashboard_query_count_does_not_grow_with_rows(
    client, leader, unit_a, unit_b, inspector, rows, period, django_assert_num_queries
):
    _many(unit_a, unit_b, inspector, rows)
    client.force_login(leader)
    client.get("/")  # session and the like, warmed
    # Session, user with staff record, roles with permissions, the bell's count, the units of
    # the filter; then 9 for reports.dashboard: the units covered, violations by month and
    # category and by unit and category (from the monthly tally), visits by month, repeat
    # offenders and their names, answers due (due tally), answers missing past the due date and
    # overdue now, letter reports.
    with django_assert_num_queries(14):
        response = client.get(reverse("discipline:dashboard"), {"period": period})
    assert response.context["board"].total == rows


@pytest.mark.parametrize("period", ["2025-q3", "2025"])  # the year: per-person totals
@pytest.mark.parametrize("rows", [3, 60])
def test_report_query_count_does_not_grow_with_rows(
    client, leader, unit_a, unit_b, inspector, rows, period, django_assert_num_queries
):
    _many(unit_a, unit_b, inspector, rows)
    client.force_login(leader)
    client.get("/")
    # The same 5 as the dashboard, then 16 for reports.report: the unit-by-category counts
    # (monthly tally), visits, answers per unit (due tally, and those missing past the due
    # date), letter reports per unit, the letters issued (their addressees are one more query
    # when there are any), repeat offenders and the names of the 50 the page lists, and 7 for
    # the previous period.
    with django_assert_num_queries(21):
        response = client.get(reverse("discipline:report"), {"period": period})
    assert response.context["report"].current.violations == rows


def _table_rows(html: str, table_id: str) -> list[str]:
    """The <tr> rows of the table's body, as written."""
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def test_report_page_writes_each_unit_letter_and_figure_escaped(client, leader, q3, unit_a):
    """The long tables (written in Python, discipline/templatetags/figures.py): a row a
    unit with its counts, a row a letter with its link, dates, labels and addressees; names
    escaped."""
    unit_a.name = "Xã A & <Bến Đò>"
    unit_a.save()
    client.force_login(leader)
    response = client.get(reverse("discipline:report"), {"period": "2025-q3"})
    html = response.content.decode()
    report = response.context["report"]
    assert "<Bến Đò>" not in html

    matrix = _table_rows(html, "table-matrix")
    assert len(matrix) == len(report.units)
    row_a = next(row for row in matrix if "Xã A &amp; &lt;Bến Đò&gt;" in row)
    # unit A's Q3: four counted violations (the voided one is not), three of them standing.
    assert row_a.endswith('<td class="num"><strong>4</strong></td><td class="num">3</td></tr>')
    assert row_a.count('<td class="num">') == len(report.categories) + 2

    visits = _table_rows(html, "table-visits")
    row_a = next(row for row in visits if "Xã A &amp; &lt;Bến Đò&gt;" in row)
    a = next(r for r in report.units if r.unit.pk == unit_a.pk)
    cells = re.findall(r'<td class="num">(\d+)</td>', row_a)
    assert cells == [
        str(v)
        for v in (
            a.visits["planned"], a.visits["done"], a.visits["unannounced"],
            a.answers_due, a.answers_late, a.reports_due, a.reports_late,
        )
    ]  # fmt: skip
    assert cells[:3] == ["3", "2", "1"]  # planned (one cancelled), made, of which unannounced

    letters = _table_rows(html, "table-letters")
    l1 = q3["l1"]
    assert len(letters) == 2
    first = next(row for row in letters if l1.get_absolute_url() in row)
    assert f'<a href="{l1.get_absolute_url()}">{l1.reference}</a>' in first
    assert "<td>01/08/2025</td>" in first and "<td>15/08/2025</td>" in first
    assert "<td>Nhắc nhở</td>" in first
    assert f"<td>V/v {l1.subject}</td>" in first
    assert "Xã A &amp; &lt;Bến Đò&gt;" in first
    assert "<td>Đã nhận báo cáo</td>" in first


def test_figures_are_grouped_by_thousands_as_the_language_writes_them():
    from types import SimpleNamespace

    from django.utils import translation

    from discipline.templatetags.figures import figure, unit_category_rows, unit_visit_rows

    row = SimpleNamespace(
        unit=SimpleNamespace(name="Xã A"),
        by_category_cells=[278470, 7],
        total=278477,
        standing=1000,
        visits={"planned": 1200, "done": 999, "unannounced": 0},
        answers_due=12345,
        answers_late=-1500,
        reports_due=0,
        reports_late=0,
    )
    report = SimpleNamespace(units=[row])
    with translation.override("vi"):
        assert [figure(n) for n in (278470, 999, 0, -1500)] == ["278.470", "999", "0", "-1.500"]
        assert unit_category_rows(report) == (
            '<tr><th scope="row">Xã A</th><td class="num">278.470</td><td class="num">7</td>'
            '<td class="num"><strong>278.477</strong></td><td class="num">1.000</td></tr>'
        )
        assert '<td class="num">1.200</td><td class="num">999</td>' in unit_visit_rows(report)
        assert '<td class="num">12.345</td><td class="num">-1.500</td>' in unit_visit_rows(report)
    with translation.override("en"):
        assert figure(278470) == "278,470"
    # Anything but a whole number is left as it is.
    assert [figure(v) for v in ("12/30", None, True, 2.5)] == ["12/30", None, True, 2.5]


def test_report_page_says_when_no_letter_was_issued(client, leader, q3):
    client.force_login(leader)
    html = client.get(reverse("discipline:report"), {"period": "2024-q1"}).content.decode()
    assert _table_rows(html, "table-letters") == [
        '<tr><td colspan="7" class="muted empty">Không có công văn ban hành trong kỳ.</td></tr>'
    ]


# --- files ----------------------------------------------------------------------------------


def test_report_with_letters_adds_one_query_for_their_addressees(
    client, leader, q3, django_assert_num_queries
):
    client.force_login(leader)
    client.get("/")
    with django_assert_num_queries(22):
        client.get(reverse("discipline:report"), {"period": "2025-q3"})


def test_xlsx_reads_back_with_numbers_dates_and_vietnamese(client, leader, q3, unit_a):
    response = _get(client, leader, "report_xlsx", period="2025-q3")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bao-cao-20250701-20250930.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "Tổng hợp",
        "Vi phạm theo đơn vị",
        "Kiểm tra và thời hạn",
        "Công văn đã ban hành",
        "Người vi phạm nhiều lần",
        "Danh sách vi phạm",
    ]
    summary = book["Tổng hợp"]
    assert summary["A1"].value == "Chỉ tiêu"
    figures = {
        row[0]: row[1:4] for row in summary.iter_rows(min_row=2, max_row=11, values_only=True)
    }
    assert figures["Vi phạm đã ghi nhận"] == (5, 2, 3)
    assert all(isinstance(v, int) for v in figures["Vi phạm đã ghi nhận"])
    dates = [row for row in summary.iter_rows(values_only=True) if row and row[0] == "Từ ngày"]
    assert dates[0][1] == datetime.datetime(2025, 7, 1)
    assert summary.column_dimensions["A"].width == 48

    matrix = book["Vi phạm theo đơn vị"]
    header = [c.value for c in matrix[1]]
    assert header[0] == "Đơn vị" and header[-2:] == ["Tổng", "Đã xác định"]
    rows = {r[0]: r for r in matrix.iter_rows(min_row=2, values_only=True)}
    khanh_hung = rows["UBND xã Khánh Hưng"]
    assert khanh_hung[header.index("Thời gian làm việc")] == 2
    assert khanh_hung[-2:] == (4, 3)
    assert rows["Tổng cộng"][-2] == 5

    letters = list(book["Công văn đã ban hành"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in letters] == [
        (1, datetime.datetime(2025, 8, 1)),
        (2, datetime.datetime(2025, 9, 10)),
    ]
    assert book["Công văn đã ban hành"]["B2"].number_format == "dd/mm/yyyy"

    listing = list(book["Danh sách vi phạm"].iter_rows(min_row=2, values_only=True))
    assert len(listing) == 5
    assert listing[0][:3] == (
        datetime.datetime(2025, 7, 1, 0, 0),
        "Lê Văn Cường",
        "UBND xã Vĩnh Trị",
    )
    assert listing[-1][0] == datetime.datetime(2025, 9, 30, 23, 59)  # local wall-clock time
    for cell in ("A2", "A3", "A6"):
        assert book["Danh sách vi phạm"][cell].number_format == "dd/mm/yyyy hh:mm"
    assert [row[5] for row in listing] == [
        "Đã thừa nhận",
        "Đã thừa nhận",
        "Giữ nguyên",
        "Đã thông báo thủ trưởng",
        "Đã kết thúc",
    ]


def test_xlsx_list_keeps_every_row_and_escapes_text(client, leader, unit_a, inspector):
    odd = factories.staff(unit_a, full_name="Ngô <Văn> & “Tí”")
    for day in range(1, 31):
        factories.violation(odd, by=inspector, occurred_at=local(2025, 9, day, 7, 59))
    response = _get(client, leader, "report_xlsx", period="2025-09")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    listing = list(book["Danh sách vi phạm"].iter_rows(min_row=2, values_only=True))
    assert len(listing) == 30
    assert [row[0] for row in listing] == [
        datetime.datetime(2025, 9, d, 7, 59) for d in range(1, 31)
    ]
    assert {row[1] for row in listing} == {"Ngô <Văn> & “Tí”"}
    assert {row[4] for row in listing} == {"Thời gian làm việc"}


def _report_docx(client, user, **params) -> Document:
    response = _get(client, user, "report_docx", **params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    return Document(io.BytesIO(response.content))


def test_docx_report_passes_the_letters_header_checks(client, leader, q3):
    doc = _report_docx(client, leader, period="2025-q3")
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    header = doc.tables[0]
    assert [round(column.width.mm) for column in header.columns] == [65, 100]
    left, right = header.cell(0, 0), header.cell(0, 1)
    assert [p.text for p in left.paragraphs if p.text] == [
        "UBND TỈNH LONG AN",
        "ỦY BAN NHÂN DÂN",
        "HUYỆN VĨNH HƯNG",
    ]
    assert _style(_paragraph(left, "UBND TỈNH LONG AN")) == (13, False, False)
    assert _style(_paragraph(left, "HUYỆN VĨNH HƯNG")) == (13, True, False)
    from discipline import letters

    rule = left.paragraphs[-1]
    assert rule.text == "" and _has_bottom_border(rule)
    text = letters.text_width_mm("HUYỆN VĨNH HƯNG", size=13, bold=True)
    assert text / 3 <= _rule_width_mm(rule, 65) <= text / 2
    number = header.cell(1, 0).paragraphs[0]
    assert number.text.startswith("Số:") and number.text.endswith("/BC-UBND")
    assert _style(number) == (13, False, False)
    assert _style(_paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")) == (12, True, False)
    assert _style(_paragraph(right, "Độc lập - Tự do - Hạnh phúc")) == (13, True, False)
    motto_rule = right.paragraphs[-1]
    assert motto_rule.text == "" and _has_bottom_border(motto_rule)
    date = header.cell(1, 1).paragraphs[0]
    assert date.text == letters.date_line("Vĩnh Hưng", timezone.localdate())
    assert _style(date) == (13, False, True)
    assert len(header.rows) == 2  # no “V/v” line: the title follows


def test_docx_report_title_body_and_signature(client, leader, q3):
    doc = _report_docx(client, leader, period="2025-q3")
    title = _paragraph(doc, "BÁO CÁO")
    assert _style(title) == (14, True, False)
    texts = [p.text for p in doc.paragraphs]
    summary = texts[texts.index("BÁO CÁO") + 1]
    assert "quý iii/2025" in summary.lower() and "01/07/2025" in summary
    assert "Kính gửi: Sở Nội vụ tỉnh Long An." in texts
    assert any("ghi nhận 5 trường hợp vi phạm (tăng 3 so với kỳ trước (2))" in t for t in texts)
    assert texts[[i for i, t in enumerate(texts) if t][-1]].endswith("./.")
    runs = [run for p in doc.paragraphs for run in _runs(p)]
    for table in doc.tables:
        for cell in table._cells:
            runs += [run for p in cell.paragraphs for run in _runs(p)]
    assert all(run.font.name == "Times New Roman" for run in runs)
    matrix = doc.tables[2]
    assert matrix.cell(0, 0).text == "Đơn vị"
    assert [matrix.cell(i, matrix_cols(matrix) - 1).text for i in (1, 2, 3)] == ["4", "1", "5"]
    footer = doc.tables[-1]
    assert _style(_paragraph(footer.cell(0, 0), "Nơi nhận:")) == (12, True, True)
    signature = [p for p in footer.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in signature] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert {_style(p) for p in signature} == {(14, True, False)}
    assert len([p for p in footer.cell(0, 1).paragraphs if not p.text]) >= 3  # room to sign
    copies = [p for p in footer.cell(0, 0).paragraphs if p.text and p.text != "Nơi nhận:"]
    assert [p.text for p in copies] == [
        "- Như trên;",
        "- Chủ tịch, các Phó chủ tịch;",
        "- Lưu: VT, NV.",
    ]
    assert {_style(p) for p in copies} == {(11, False, False)}
    section = doc.sections[0]
    assert section.different_first_page_header_footer


def matrix_cols(table) -> int:
    return len(table.columns)


def test_docx_report_of_one_unit_names_it(client, leader, q3, unit_a):
    doc = _report_docx(client, leader, period="2025-q3", unit=unit_a.pk)
    assert any("tại UBND xã Khánh Hưng" in p.text for p in doc.paragraphs)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) missing")
def test_docx_report_opens_in_libreoffice(client, leader, q3, tmp_path):
    client.force_login(leader)
    response = client.get(reverse("discipline:report_docx"), {"period": "2025-q3"})
    (tmp_path / "report.docx").write_bytes(response.content)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "report.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils missing")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("BÁO CÁO", "/BC-UBND", "Bảng 2. Vi phạm theo đơn vị", "TM. ỦY BAN NHÂN DÂN"):
        assert expected in text, expected
