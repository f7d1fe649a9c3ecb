"""The annual evaluation sheet: each rule of discipline/evaluation.py, the sheet's figures, the
page's scope and query count, and the .xlsx read back."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from discipline import evaluation, selectors, services
from discipline.evaluation import Rating
from discipline.models import Violation
from tests import factories
from tests.discipline.conftest import standing_violation
from tests.discipline.test_decisions import decide

THIS_YEAR = timezone.localdate().year

# --- the rules, one by one --------------------------------------------------------------------


@pytest.mark.parametrize("form", ["reprimand", "warning", "removal", "dismissal", "recall"])
def test_every_form_of_discipline_caps_the_rating_at_not_done(form):
    assert evaluation.rating_cap([form]) == Rating.NOT_DONE


def test_no_decision_no_cap():
    assert evaluation.rating_cap([]) is None


def test_capped_person_is_not_eligible_for_lao_dong_tien_tien():
    assert evaluation.advanced_worker_eligible(Rating.NOT_DONE) is False


def test_uncapped_person_stays_eligible():
    assert evaluation.advanced_worker_eligible(None) is True


def test_eligibility_needs_at_least_good_performance():
    assert evaluation.advanced_worker_eligible(Rating.GOOD) is True
    assert evaluation.advanced_worker_eligible(Rating.DONE) is False


# --- the sheet --------------------------------------------------------------------------------


@pytest.fixture
def people(unit_a, inspector, administrator):
    """Three people of unit A: one with a decision this year, one with a decision last year
    only, one with a standing violation and no decision."""
    decided = factories.staff(unit_a, full_name="An Thị Quyết")
    last_year = factories.staff(unit_a, full_name="Bùi Văn Cũ")
    clean = factories.staff(unit_a, full_name="Cao Thị Sạch")
    offence = standing_violation(decided, by=inspector, days_ago=1)
    standing_violation(decided, by=inspector, code="alcohol", days_ago=1)
    decide(decided, [offence], by=administrator, form="warning", number="3/QĐ-UBND")
    old = factories.violation(
        last_year, by=inspector, occurred_at=factories.local(THIS_YEAR - 1, 11, 3, 8)
    )
    Violation.objects.filter(pk=old.pk).update(status="acknowledged")
    old.refresh_from_db()
    decide(
        last_year,
        [old],
        by=administrator,
        number="40/QĐ-UBND",
        decided_on=datetime.date(THIS_YEAR - 1, 12, 20),
    )
    standing_violation(clean, by=inspector, days_ago=1)
    # Disputed, so it does not stand and is not counted.
    standing_violation(clean, by=inspector, days_ago=1, status="disputed")
    return {"decided": decided, "last_year": last_year, "clean": clean, "offence": offence}


def _lines(user, year=THIS_YEAR, unit=None):
    violations, decisions = selectors.evaluation_sources(user)
    staff = list(selectors.evaluation_people(user, year=year, unit=unit))
    return {
        line.full_name: line
        for line in evaluation.person_years(
            staff, year=year, violations=violations, decisions=decisions
        )
    }


def test_person_with_a_decision_this_year_is_capped_and_ineligible(leader, people):
    line = _lines(leader)["An Thị Quyết"]
    assert line.cap == Rating.NOT_DONE
    assert line.cap_label == "Không hoàn thành nhiệm vụ"
    assert not line.advanced_worker_eligible
    assert [d.number for d in line.decisions] == ["3/QĐ-UBND"]
    assert line.by_category == {"working_hours": 1, "alcohol": 1}
    assert line.standing_total == 2


def test_person_without_a_decision_is_not_capped(leader, people):
    line = _lines(leader)["Cao Thị Sạch"]
    assert line.cap is None
    assert line.advanced_worker_eligible
    assert line.standing_total == 1  # the disputed one does not count


def test_decision_of_the_previous_year_does_not_cap_this_year(leader, people):
    this_year = _lines(leader)["Bùi Văn Cũ"]
    assert this_year.cap is None and this_year.advanced_worker_eligible
    assert this_year.standing_total == 0
    last_year = _lines(leader, year=THIS_YEAR - 1)["Bùi Văn Cũ"]
    assert last_year.cap == Rating.NOT_DONE
    assert last_year.standing_total == 1


def test_a_violation_at_2359_on_31_december_belongs_to_that_year(leader, unit_a, inspector):
    person = factories.staff(unit_a, full_name="Đỗ Văn Khuya")
    late = factories.violation(
        person, by=inspector, occurred_at=factories.local(THIS_YEAR - 1, 12, 31, 23, 59)
    )
    Violation.objects.filter(pk=late.pk).update(status="acknowledged")
    assert _lines(leader, year=THIS_YEAR - 1)["Đỗ Văn Khuya"].standing_total == 1
    assert _lines(leader)["Đỗ Văn Khuya"].standing_total == 0


def test_letters_naming_the_persons_violations_are_listed(leader, people, chief):
    letter = services.draft_letter(kind="reminder", violations=[people["offence"]], by=chief)
    services.issue_letter(letter=letter, by=chief)
    letter.refresh_from_db()
    assert _lines(leader)["An Thị Quyết"].letters == [letter.reference]


def test_draft_letters_are_not_listed(leader, people, chief):
    services.draft_letter(kind="reminder", violations=[people["offence"]], by=chief)
    assert _lines(leader)["An Thị Quyết"].letters == []


def test_inactive_staff_without_a_record_are_left_out(leader, unit_a):
    factories.staff(unit_a, full_name="Hà Văn Nghỉ", is_active=False)
    assert "Hà Văn Nghỉ" not in _lines(leader)


# --- the page ---------------------------------------------------------------------------------


def test_leader_sees_the_sheet_with_the_cap(client, leader, people):
    client.force_login(leader)
    response = client.get(reverse("discipline:evaluation_sheet"), {"year": THIS_YEAR})
    assert response.status_code == 200
    page = response.content.decode()
    assert "An Thị Quyết" in page and "Không hoàn thành nhiệm vụ" in page
    assert "Nghị định 90/2020/NĐ-CP" in page


def test_unit_head_sees_only_their_unit(client, unit_head_b, people, unit_b):
    factories.staff(unit_b, full_name="Đinh Văn Bê")
    client.force_login(unit_head_b)
    page = client.get(reverse("discipline:evaluation_sheet")).content.decode()
    assert "Đinh Văn Bê" in page
    assert "An Thị Quyết" not in page


def test_unit_out_of_scope_is_404(client, unit_head_b, unit_a, other_unit, leader):
    client.force_login(unit_head_b)
    url = reverse("discipline:evaluation_sheet")
    assert client.get(url, {"unit": unit_a.pk}).status_code == 404
    assert (
        client.get(reverse("discipline:evaluation_export"), {"unit": unit_a.pk}).status_code == 404
    )
    client.force_login(leader)
    assert client.get(url, {"unit": other_unit.pk}).status_code == 404


def test_staff_without_role_is_forbidden(client, staff_member):
    client.force_login(staff_member)
    assert client.get(reverse("discipline:evaluation_sheet")).status_code == 403
    assert client.get(reverse("discipline:evaluation_export")).status_code == 403


def test_sheet_refuses_post(client, leader):
    client.force_login(leader)
    assert client.post(reverse("discipline:evaluation_sheet")).status_code == 405
    assert client.post(reverse("discipline:evaluation_export")).status_code == 405


def test_sheet_is_reachable_from_home_and_navigation(client, leader, unit_head_a):
    for user in (leader, unit_head_a):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert reverse("discipline:evaluation_sheet") in page
        assert reverse("discipline:decision_list") in page


PINNED_EVALUATION_PAGE = 10


def test_sheet_query_count_does_not_grow_with_rows(
    client, leader, unit_a, inspector, administrator, people, django_assert_num_queries
):
    client.force_login(leader)
    url = reverse("discipline:evaluation_sheet")
    client.get(url)
    with django_assert_num_queries(PINNED_EVALUATION_PAGE):
        client.get(url)
    for n in range(5):
        person = factories.staff(unit_a)
        offence = standing_violation(person, by=inspector)
        decide(person, [offence], by=administrator, number=f"{100 + n}/QĐ-UBND")
    with django_assert_num_queries(PINNED_EVALUATION_PAGE):
        response = client.get(url)
    assert len(response.context["lines"]) >= 8


# --- the workbook -----------------------------------------------------------------------------


def _workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_xlsx_holds_numbers_as_numbers_and_vietnamese_intact(client, leader, people, unit_a):
    client.force_login(leader)
    response = client.get(
        reverse("discipline:evaluation_export"), {"year": THIS_YEAR, "unit": unit_a.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f"danh-gia-{THIS_YEAR}-KH.xlsx" in response["Content-Disposition"]
    sheet = _workbook(response).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("STT", "Họ và tên", "Chức vụ", "Đơn vị")
    assert "Mức xếp loại tối đa" in header
    assert "Đủ điều kiện xét “Lao động tiên tiến”" in header
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    decided = by_name["An Thị Quyết"]
    assert decided["STT"] == 1 and isinstance(decided["STT"], int)
    assert decided["Số vi phạm được xác định"] == 2
    assert isinstance(decided["Số vi phạm được xác định"], int)
    assert decided["Mức xếp loại tối đa"] == "Không hoàn thành nhiệm vụ"
    assert decided["Đủ điều kiện xét “Lao động tiên tiến”"] == "Không"
    assert "3/QĐ-UBND" in decided["Quyết định kỷ luật trong năm"]
    assert "Cảnh cáo" in decided["Quyết định kỷ luật trong năm"]
    clean = by_name["Cao Thị Sạch"]
    assert clean["Đủ điều kiện xét “Lao động tiên tiến”"] == "Có"
    assert clean["Mức xếp loại tối đa"] is None
    assert sheet.column_dimensions["B"].width == 28


def test_sheet_can_list_only_people_with_a_record(client, leader, people):
    client.force_login(leader)
    response = client.get(reverse("discipline:evaluation_sheet"), {"record": "1"})
    names = {line.full_name for line in response.context["lines"]}
    # Bùi Văn Cũ's record is last year's; the leader's own office has no record this year.
    assert names == {"An Thị Quyết", "Cao Thị Sạch"}
    export = client.get(reverse("discipline:evaluation_export"), {"record": "1"})
    rows = list(_workbook(export).active.iter_rows(values_only=True))
    assert {row[1] for row in rows[1:]} == names


def test_xlsx_lists_the_years_decisions_with_real_dates(client, leader, people):
    client.force_login(leader)
    response = client.get(reverse("discipline:evaluation_export"), {"year": THIS_YEAR})
    workbook = _workbook(response)
    assert workbook.sheetnames == [f"Đánh giá {THIS_YEAR}", f"Quyết định {THIS_YEAR}"]
    rows = list(workbook[f"Quyết định {THIS_YEAR}"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Số quyết định", "Ngày quyết định", "Hình thức kỷ luật")
    # Last year's decision (40/QĐ-UBND) is not in this year's list.
    assert [row[0] for row in rows[1:]] == ["3/QĐ-UBND"]
    _number, day, form, name = rows[1][:4]
    assert isinstance(day, datetime.datetime)
    assert day.date() == timezone.localdate()
    assert (form, name) == ("Cảnh cáo", "An Thị Quyết")
