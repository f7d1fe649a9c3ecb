"""The work-diary evidence on a visit's roll (issue 7): per person, the last working days
before the visit and whether they wrote their diary; and the summary under the checklist item
"work diaries kept"."""

import datetime

import pytest
from django.urls import reverse

from inspections.selectors import diary_evidence
from tests import factories
from units.models import DiaryEntry

MONDAY = datetime.date(2026, 11, 23)
BEFORE = [datetime.date(2026, 11, d) for d in (16, 17, 18, 19, 20)]  # Mon..Fri of last week


@pytest.fixture
def visit_with_diaries(inspector, authority):
    unit = factories.unit(authority, kind="commune")
    diligent = factories.staff(unit, full_name="Lê Thị Chăm")
    sometimes = factories.staff(unit, full_name="Trần Văn Thỉnh")
    never = factories.staff(unit, full_name="Phạm Văn Quên")
    entries = [
        DiaryEntry(staff=diligent, day=day, text="Tiếp nhận hồ sơ", created_by=inspector)
        for day in BEFORE
    ]
    entries += [
        DiaryEntry(staff=sometimes, day=day, text="Họp", created_by=inspector) for day in BEFORE[3:]
    ]
    # Written on the weekend and on the visit's own morning: neither counts.
    entries += [
        DiaryEntry(staff=never, day=datetime.date(2026, 11, 22), text="CN", created_by=inspector),
        DiaryEntry(staff=never, day=MONDAY, text="Sáng nay", created_by=inspector),
    ]
    DiaryEntry.objects.bulk_create(entries)
    visit = factories.started_visit(
        unit, by=inspector, started_at=factories.local(2026, 11, 23, 7, 30)
    )
    return visit, diligent, sometimes, never


def test_diary_evidence_counts_the_five_working_days_before_the_visit(visit_with_diaries):
    visit, diligent, sometimes, never = visit_with_diaries
    evidence = diary_evidence(visit, [diligent.pk, sometimes.pk, never.pk])
    assert [day for day, _ in evidence[diligent.pk]] == BEFORE
    assert [written for _, written in evidence[diligent.pk]] == [True] * 5
    assert [written for _, written in evidence[sometimes.pk]] == [False, False, False, True, True]
    assert not any(written for _, written in evidence[never.pk])


def test_roll_shows_each_persons_diary_and_the_checklist_summary(
    client, inspector, visit_with_diaries
):
    visit, *_people = visit_with_diaries
    client.force_login(inspector)
    page = client.get(reverse("inspections:roll", args=[visit.pk])).text
    assert page.count('class="diary-days"') == 3
    assert page.count('class="diary-day written"') == 5 + 2
    for count in ("5/5", "2/5", "0/5"):
        assert f'<span class="diary-count">{count}</span>' in page
    # The checklist item "work diaries kept" shows the evidence.
    assert "1 trên 3 người ghi đủ" in page
    assert "Phạm Văn Quên" in page.split('class="diary-summary"')[1]


def test_finished_roll_still_shows_the_diary_evidence(client, inspector, visit_with_diaries):
    from discipline.services import finish_visit

    visit, *_ = visit_with_diaries
    finish_visit(visit=visit, by=inspector)
    client.force_login(inspector)
    page = client.get(reverse("inspections:roll", args=[visit.pk])).text
    assert '<form class="mark"' not in page
    assert page.count('class="diary-days"') == 3
