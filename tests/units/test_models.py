import datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from units.models import Authority, Staff
from units.services import save_staff


def test_second_active_staff_with_same_badge_in_authority_is_refused_next_to_badge(unit_a, unit_b):
    factories.staff(unit_a, badge_number="VH-0007")
    duplicate = Staff(unit=unit_b, full_name="Trần Thị B", badge_number="VH-0007")
    with pytest.raises(ValidationError) as error:
        save_staff(staff=duplicate, by=None)
    assert "badge_number" in error.value.message_dict
    assert "số thẻ" in error.value.message_dict["badge_number"][0].lower()
    assert not Staff.objects.filter(full_name="Trần Thị B").exists()


def test_same_badge_is_fine_for_inactive_staff_or_another_authority(unit_a, other_unit):
    factories.staff(unit_a, badge_number="VH-0008", is_active=False)
    factories.staff(unit_a, badge_number="VH-0008")
    factories.staff(other_unit, badge_number="VH-0008")
    assert Staff.objects.filter(badge_number="VH-0008").count() == 3


def test_staff_authority_follows_unit(unit_a, other_unit):
    person = factories.staff(unit_a)
    person.unit = other_unit
    save_staff(staff=person, by=None)
    person.refresh_from_db()
    assert person.authority == other_unit.authority


def test_unit_code_is_unique_per_authority(authority, unit_a):
    with pytest.raises(ValidationError):
        factories.unit(authority, name="Khác", code=unit_a.code)


def test_working_hours_must_be_ordered(db):
    authority = Authority(
        name="X",
        issuing_body="X",
        abbreviation="UBND",
        place_name="X",
        morning_start=datetime.time(11),
        morning_end=datetime.time(7),
    )
    with pytest.raises(ValidationError):
        authority.full_clean()


def test_staff_changes_are_in_history_with_actor(unit_a, administrator):
    person = factories.staff(unit_a)
    person.position = "Phó Chủ tịch"
    save_staff(staff=person, by=administrator)
    latest = person.history.first()
    assert latest.history_user == administrator
    assert latest.position == "Phó Chủ tịch"
