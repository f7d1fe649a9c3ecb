"""Work diaries: written today, editable today, corrected (never rewritten) afterwards; and the
diary_days selector that the visit roll uses as evidence."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from units import selectors, services
from units.models import DiaryEntry
from units.services import DiaryError

MONDAY = datetime.date(2026, 11, 23)  # a Monday; the week before runs Mon 16 - Fri 20
FRIDAY_BEFORE = datetime.date(2026, 11, 20)


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def test_staff_member_writes_todays_entry(staff_member):
    entry = services.write_diary_entry(by=staff_member, text="  Trả kết quả 12 hồ sơ  ")
    assert entry.staff == staff_member.staff
    assert entry.day == timezone.localdate()
    assert entry.text == "Trả kết quả 12 hồ sơ"
    assert entry.created_by == staff_member


def test_entry_can_be_written_against_own_task(staff_member, unit_head_a):
    task = factories.task(staff_member.staff, by=unit_head_a)
    entry = services.write_diary_entry(by=staff_member, text="Làm việc được giao", task=task)
    assert entry.task == task


def test_entry_against_someone_elses_task_is_refused(staff_member, unit_head_a, unit_a):
    task = factories.task(factories.staff(unit_a), by=unit_head_a)
    with pytest.raises(ValidationError) as error:
        services.write_diary_entry(by=staff_member, text="x", task=task)
    assert "task" in error.value.message_dict
    assert not DiaryEntry.objects.exists()


def test_empty_entry_is_refused(staff_member):
    with pytest.raises(ValidationError) as error:
        services.write_diary_entry(by=staff_member, text="   ")
    assert "text" in error.value.message_dict


def test_user_without_staff_record_cannot_write(db, django_user_model):
    loose = django_user_model.objects.create_user("loose")
    with pytest.raises(PermissionDenied):
        services.write_diary_entry(by=loose, text="x")


def test_todays_entry_can_be_edited(staff_member):
    entry = services.write_diary_entry(by=staff_member, text="Bản đầu")
    services.edit_diary_entry(entry=entry, by=staff_member, text="Bản sửa")
    entry.refresh_from_db()
    assert entry.text == "Bản sửa"
    assert entry.edited_at is not None


def test_editing_yesterdays_entry_is_refused(staff_member):
    entry = factories.diary_entry(staff_member.staff, day=yesterday(), text="Hôm qua")
    with pytest.raises(DiaryError) as error:
        services.edit_diary_entry(entry=entry, by=staff_member, text="Sửa lại")
    assert "đính chính" in str(error.value)
    entry.refresh_from_db()
    assert entry.text == "Hôm qua"


def test_nobody_edits_someone_elses_entry(staff_member, unit_head_a):
    entry = services.write_diary_entry(by=staff_member, text="Của tôi")
    with pytest.raises(DiaryError):
        services.edit_diary_entry(entry=entry, by=unit_head_a, text="Sửa hộ")


def test_correction_is_a_new_entry_and_the_original_stays(staff_member):
    original = factories.diary_entry(staff_member.staff, day=yesterday(), text="12 hồ sơ")
    correction = services.correct_diary_entry(
        entry=original, by=staff_member, text="Đính chính: 14 hồ sơ"
    )
    original.refresh_from_db()
    assert original.text == "12 hồ sơ"
    assert correction.pk != original.pk
    assert correction.corrects == original
    assert correction.day == original.day
    assert list(original.corrections.all()) == [correction]


def test_correcting_a_correction_points_at_the_original(staff_member):
    original = factories.diary_entry(staff_member.staff, day=yesterday() - datetime.timedelta(1))
    first = factories.diary_entry(
        staff_member.staff,
        day=original.day,
        corrects=original,
        created_at=timezone.now() - datetime.timedelta(days=1),
    )
    second = services.correct_diary_entry(entry=first, by=staff_member, text="Lần hai")
    assert second.corrects == original


def test_correcting_todays_entry_is_refused(staff_member):
    entry = services.write_diary_entry(by=staff_member, text="Hôm nay")
    with pytest.raises(DiaryError):
        services.correct_diary_entry(entry=entry, by=staff_member, text="x")


def test_nobody_corrects_someone_elses_entry(staff_member, unit_head_a):
    entry = factories.diary_entry(staff_member.staff, day=yesterday())
    with pytest.raises(DiaryError):
        services.correct_diary_entry(entry=entry, by=unit_head_a, text="x")


# --- who reads diaries ----------------------------------------------------------------------------


def test_diary_visibility(
    staff_member, unit_head_a, unit_head_b, inspector, unit_a, other_inspector
):
    entry = factories.diary_entry(staff_member.staff, day=yesterday())
    colleague = factories.user_with_role("colleague", unit_a, None)
    assert entry in selectors.diary_entries_visible_to(staff_member)
    assert entry in selectors.diary_entries_visible_to(unit_head_a)
    assert entry in selectors.diary_entries_visible_to(inspector)
    assert entry not in selectors.diary_entries_visible_to(unit_head_b)
    assert entry not in selectors.diary_entries_visible_to(colleague)
    assert entry not in selectors.diary_entries_visible_to(other_inspector)


def test_leaders_do_not_read_diaries(leader, staff_member):
    entry = factories.diary_entry(staff_member.staff, day=yesterday())
    assert entry not in selectors.diary_entries_visible_to(leader)


# --- diary_days ---------------------------------------------------------------------------------


def test_diary_days_marks_the_last_five_working_days(unit_a):
    person = factories.staff(unit_a)
    for day in (MONDAY, datetime.date(2026, 11, 18)):
        factories.diary_entry(person, day=day)
    days = selectors.diary_days([person.pk], MONDAY)
    assert days == {
        person.pk: {
            MONDAY: True,
            datetime.date(2026, 11, 20): False,
            datetime.date(2026, 11, 19): False,
            datetime.date(2026, 11, 18): True,
            datetime.date(2026, 11, 17): False,
        }
    }
    assert list(days[person.pk]) == sorted(days[person.pk], reverse=True)


def test_diary_days_skips_weekends_and_ignores_weekend_entries(unit_a):
    person = factories.staff(unit_a)
    sunday = datetime.date(2026, 11, 22)
    factories.diary_entry(person, day=sunday)
    factories.diary_entry(person, day=datetime.date(2026, 11, 21))  # Saturday
    days = selectors.diary_days([person.pk], sunday)
    assert list(days[person.pk]) == [datetime.date(2026, 11, d) for d in (20, 19, 18, 17, 16)]
    assert not any(days[person.pk].values())


def test_diary_days_ignores_entries_outside_the_window(unit_a):
    person = factories.staff(unit_a)
    factories.diary_entry(person, day=datetime.date(2026, 11, 13))  # a week before the window
    factories.diary_entry(person, day=datetime.date(2026, 11, 24))  # after the end date
    assert not any(selectors.diary_days([person.pk], FRIDAY_BEFORE)[person.pk].values())


def test_diary_days_counts_a_day_once_with_corrections(unit_a):
    person = factories.staff(unit_a)
    original = factories.diary_entry(person, day=FRIDAY_BEFORE)
    factories.diary_entry(person, day=FRIDAY_BEFORE, corrects=original)
    factories.diary_entry(person, day=FRIDAY_BEFORE, text="thêm")
    days = selectors.diary_days([person.pk], FRIDAY_BEFORE, days=1)
    assert days == {person.pk: {FRIDAY_BEFORE: True}}


def test_diary_days_answers_for_everyone_asked_including_people_without_entries(unit_a, unit_b):
    writer, silent = factories.staff(unit_a), factories.staff(unit_b)
    factories.diary_entry(writer, day=MONDAY)
    days = selectors.diary_days([writer.pk, silent.pk, writer.pk], MONDAY, days=3)
    assert set(days) == {writer.pk, silent.pk}
    assert days[silent.pk] == dict.fromkeys(
        [MONDAY, datetime.date(2026, 11, 20), datetime.date(2026, 11, 19)], False
    )
    assert days[writer.pk][MONDAY] is True


def test_diary_days_is_one_query_for_one_or_thirty_people(unit_a, django_assert_num_queries):
    people = [factories.staff(unit_a) for _ in range(30)]
    for index, person in enumerate(people):
        for offset in range(index % 6):
            factories.diary_entry(person, day=MONDAY - datetime.timedelta(days=offset))
    with django_assert_num_queries(1):
        one = selectors.diary_days([people[0].pk], MONDAY)
    with django_assert_num_queries(1):
        many = selectors.diary_days([p.pk for p in people], MONDAY)
    assert one[people[0].pk] == many[people[0].pk]
    # person 5 wrote Mon 23, Sun 22, Sat 21, Fri 20, Thu 19: three working days count.
    assert sum(many[people[5].pk].values()) == 3


def test_diary_days_with_nobody_asks_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.diary_days([], MONDAY) == {}
