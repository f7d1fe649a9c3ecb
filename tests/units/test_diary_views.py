"""Diary pages: write today, edit today, correct afterwards; the unit's diaries for its head."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.helpers import count_queries
from units.calendar import working_days_back
from units.models import DiaryEntry


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def test_my_diary_page_writes_todays_entry(client, staff_member):
    client.force_login(staff_member)
    assert client.get(reverse("units:diary_mine")).status_code == 200
    response = client.post(reverse("units:diary_write"), {"text": "Trả 12 hồ sơ", "task": ""})
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.staff, entry.day) == (staff_member.staff, timezone.localdate())
    page = client.get(reverse("units:diary_mine"))
    assert "Trả 12 hồ sơ" in page.text
    assert reverse("units:diary_edit", args=[entry.pk]) in page.text


def test_empty_entry_is_shown_next_to_the_field(client, staff_member):
    client.force_login(staff_member)
    response = client.post(reverse("units:diary_write"), {"text": ""})
    assert response.status_code == 400
    assert 'class="error"' in response.text
    assert not DiaryEntry.objects.exists()


def test_only_own_tasks_are_offered(client, staff_member, unit_head_a, unit_a):
    mine = factories.task(staff_member.staff, by=unit_head_a, title="Việc của tôi")
    factories.task(factories.staff(unit_a), by=unit_head_a, title="Việc của người khác")
    client.force_login(staff_member)
    page = client.get(reverse("units:diary_mine"))
    assert "Việc của tôi" in page.text and "Việc của người khác" not in page.text
    client.post(reverse("units:diary_write"), {"text": "Làm việc", "task": mine.pk})
    assert DiaryEntry.objects.get().task == mine


def test_editing_today_and_correcting_yesterday(client, staff_member):
    client.force_login(staff_member)
    today_entry = factories.diary_entry(
        staff_member.staff, day=timezone.localdate(), created_at=timezone.now()
    )
    old = factories.diary_entry(staff_member.staff, day=yesterday(), text="12 hồ sơ")
    response = client.post(reverse("units:diary_edit", args=[today_entry.pk]), {"text": "Sửa"})
    assert response.status_code == 302
    today_entry.refresh_from_db()
    assert today_entry.text == "Sửa"
    # yesterday's entry: the edit page sends to the correction page; the text stays.
    response = client.post(reverse("units:diary_edit", args=[old.pk]), {"text": "Viết lại"})
    assert response.status_code == 302
    assert response.url == reverse("units:diary_correct", args=[old.pk])
    old.refresh_from_db()
    assert old.text == "12 hồ sơ"
    response = client.post(reverse("units:diary_correct", args=[old.pk]), {"text": "14 hồ sơ"})
    assert response.status_code == 302
    correction = old.corrections.get()
    assert correction.text == "14 hồ sơ"
    page = client.get(reverse("units:diary_mine")).text
    assert page.index("12 hồ sơ") < page.index("14 hồ sơ")


def test_correcting_todays_entry_comes_back_as_a_message(client, staff_member):
    client.force_login(staff_member)
    entry = factories.diary_entry(
        staff_member.staff, day=timezone.localdate(), created_at=timezone.now()
    )
    response = client.post(
        reverse("units:diary_correct", args=[entry.pk]), {"text": "x"}, follow=True
    )
    assert "vẫn còn sửa được" in response.text
    assert not entry.corrections.exists()


@pytest.mark.parametrize("name", ["diary_edit", "diary_correct"])
def test_nobody_opens_someone_elses_entry(client, staff_member, unit_head_a, name):
    entry = factories.diary_entry(staff_member.staff, day=yesterday())
    client.force_login(unit_head_a)  # may read it, may not change it
    assert client.get(reverse(f"units:{name}", args=[entry.pk])).status_code == 404
    assert client.post(reverse(f"units:{name}", args=[entry.pk]), {"text": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["diary_mine", "diary_write"])
def test_diary_needs_a_staff_record(client, db, name):
    client.force_login(User.objects.create_user("loose"))
    method = client.get if name == "diary_mine" else client.post
    assert method(reverse(f"units:{name}"), {"text": "x"}).status_code == 403


def test_diary_pages_refuse_the_wrong_method(client, staff_member):
    entry = factories.diary_entry(staff_member.staff, day=yesterday())
    client.force_login(staff_member)
    assert client.post(reverse("units:diary_mine")).status_code == 405
    assert client.get(reverse("units:diary_write")).status_code == 405
    assert client.put(reverse("units:diary_edit", args=[entry.pk])).status_code == 405
    assert client.put(reverse("units:diary_correct", args=[entry.pk])).status_code == 405
    assert client.post(reverse("units:diary_unit")).status_code == 405


# --- the unit's diaries -----------------------------------------------------------------------


def test_unit_head_reads_the_units_diaries_with_the_five_day_grid(
    client, unit_head_a, staff_member, unit_a
):
    days = working_days_back(timezone.localdate(), 5)
    factories.diary_entry(staff_member.staff, day=days[1], text="Tiếp công dân")
    client.force_login(unit_head_a)
    response = client.get(reverse("units:diary_unit"))
    assert response.status_code == 200
    assert response.context["unit"] == unit_a
    row = next(r for r in response.context["grid"] if r["staff"] == staff_member.staff)
    assert row["days"] == [False, True, False, False, False]
    assert "Tiếp công dân" in response.text


def test_unit_head_cannot_read_another_units_diaries(client, unit_head_a, unit_b):
    client.force_login(unit_head_a)
    assert client.get(reverse("units:diary_unit") + f"?unit={unit_b.pk}").status_code == 404


def test_a_person_outside_the_unit_is_404(client, unit_head_a, unit_a, unit_b):
    stranger = factories.staff(unit_b)
    client.force_login(unit_head_a)
    url = reverse("units:diary_unit") + f"?unit={unit_a.pk}&staff={stranger.pk}"
    assert client.get(url).status_code == 404


def test_inspector_reads_any_units_diaries(client, inspector, unit_b):
    person = factories.staff(unit_b)
    factories.diary_entry(person, day=yesterday(), text="Việc ở Vĩnh Trị")
    client.force_login(inspector)
    response = client.get(reverse("units:diary_unit") + f"?unit={unit_b.pk}&staff={person.pk}")
    assert "Việc ở Vĩnh Trị" in response.text


@pytest.mark.parametrize("persona", ["staff_member", "leader"])
def test_unit_diaries_need_the_permission(client, request, persona, db):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("units:diary_unit")).status_code == 403


def test_diary_query_counts_do_not_grow(client, unit_head_a, staff_member, unit_a):
    days = working_days_back(yesterday(), 20)
    client.force_login(unit_head_a)
    urls = [reverse("units:diary_unit")]
    factories.diary_entry(staff_member.staff, day=days[0])
    small = [count_queries(client, url) for url in urls]
    client.force_login(staff_member)
    mine_small = count_queries(client, reverse("units:diary_mine"))
    people = [factories.staff(unit_a) for _ in range(10)] + [staff_member.staff]
    for person in people:
        for day in days:
            original = factories.diary_entry(person, day=day)
        factories.diary_entry(person, day=day, corrects=original)
    mine_large = count_queries(client, reverse("units:diary_mine"))
    client.force_login(unit_head_a)
    large = [count_queries(client, url) for url in urls]
    # session, user with staff record, roles with permissions, the unit, the units to choose
    # from, the people, diary_days, the count and the page of entries, unread count.
    assert small == large == [10]
    # session, user with staff record, permissions (navigation; with the roles), own open tasks
    # (form), the count and page of entries, their corrections, unread count.
    assert mine_small == mine_large == 8
