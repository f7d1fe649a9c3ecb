import pytest

from tests import factories
from units.selectors import staff_visible_to, units_visible_to


@pytest.mark.django_db
def test_authority_wide_roles_see_every_unit_of_their_authority(
    inspector, office_chief, leader, administrator, unit_a, unit_b, other_unit
):
    for user in (inspector, office_chief, leader, administrator):
        visible = set(units_visible_to(user))
        assert {unit_a, unit_b} <= visible
        assert other_unit not in visible


def test_unit_head_sees_own_unit_and_its_children_only(unit_head_a, unit_a, unit_b, authority):
    child = factories.unit(authority, name="Tổ một cửa", code="TMC", parent=unit_a)
    assert set(units_visible_to(unit_head_a)) == {unit_a, child}
    assert unit_b not in units_visible_to(unit_head_a)


def test_plain_staff_member_sees_no_unit_but_their_own_record(staff_member, unit_a):
    colleague = factories.staff(unit_a)
    assert list(units_visible_to(staff_member)) == []
    assert list(staff_visible_to(staff_member)) == [staff_member.staff]
    assert colleague not in staff_visible_to(staff_member)


def test_inspector_of_another_authority_sees_nothing_of_ours(other_inspector, unit_a):
    assert unit_a not in units_visible_to(other_inspector)


def test_user_without_staff_record_sees_nothing(db, django_user_model):
    user = django_user_model.objects.create_user("loose", password="x")
    assert list(units_visible_to(user)) == []


def test_superuser_without_staff_is_the_keeper_and_sees_all(
    db, django_user_model, unit_a, other_unit
):
    keeper = django_user_model.objects.create_superuser("keeper", password="x")
    assert {unit_a, other_unit} <= set(units_visible_to(keeper))


def test_superuser_with_staff_record_is_scoped_to_their_authority(
    db, django_user_model, home_affairs, other_unit
):
    boss = factories.user_with_role("boss", home_affairs, "administrators")
    boss.is_superuser = True
    boss.save()
    assert other_unit not in units_visible_to(boss)


def test_deactivated_staff_record_loses_scope(inspector, unit_a):
    inspector.staff.is_active = False
    inspector.staff.save()
    inspector.refresh_from_db()
    assert unit_a not in units_visible_to(inspector)
