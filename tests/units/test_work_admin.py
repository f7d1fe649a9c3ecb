"""Admin pages of tasks, diaries and feedback: scoped like everything else, and read-only
(their changes go through services and pages). Plus the roles' permissions."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests import factories


@pytest.fixture
def rows(unit_head_a, unit_head_b, staff_member, unit_a, unit_b):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    other = factories.staff(unit_b)
    return {
        "task_a": factories.task(staff_member.staff, by=unit_head_a),
        "task_b": factories.task(other, by=unit_head_b),
        "entry_a": factories.diary_entry(staff_member.staff, day=yesterday),
        "entry_b": factories.diary_entry(other, day=yesterday),
        "feedback_a": factories.feedback(unit_a),
        "feedback_b": factories.feedback(unit_b),
    }


@pytest.mark.parametrize(
    "model,mine,theirs",
    [
        ("units_task", "task_a", "task_b"),
        ("units_diaryentry", "entry_a", "entry_b"),
    ],
)
def test_unit_head_sees_own_units_rows_in_admin_only(
    client, unit_head_a, rows, model, mine, theirs
):
    client.force_login(unit_head_a)
    listed = client.get(reverse(f"admin:{model}_changelist")).context["cl"].result_list
    assert rows[mine] in listed and rows[theirs] not in listed
    assert client.get(reverse(f"admin:{model}_change", args=[rows[mine].pk])).status_code == 200
    assert client.get(reverse(f"admin:{model}_change", args=[rows[theirs].pk])).status_code == 404


def test_inspector_sees_feedback_in_admin_read_only(client, inspector, rows, other_inspector):
    client.force_login(inspector)
    url = reverse("admin:inspections_feedback_change", args=[rows["feedback_a"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert client.post(url, {"text": "sửa"}).status_code == 403
    assert client.get(reverse("admin:inspections_feedback_add")).status_code == 403
    client.force_login(other_inspector)
    assert client.get(url).status_code == 404


def test_tasks_cannot_be_added_or_changed_in_admin(client, unit_head_a, rows):
    client.force_login(unit_head_a)
    assert client.get(reverse("admin:units_task_add")).status_code == 403
    url = reverse("admin:units_task_change", args=[rows["task_a"].pk])
    assert client.post(url, {"title": "x"}).status_code == 403


def test_administrator_sets_the_task_delegation_on_staff(client, administrator, unit_a):
    person = factories.staff(unit_a)
    client.force_login(administrator)
    page = client.get(reverse("admin:units_staff_change", args=[person.pk]))
    assert 'name="assigns_tasks"' in page.text


ROLE_PERMISSIONS = {
    "inspectors": {"view_task", "view_diaryentry", "view_feedback", "triage_feedback"},
    "unit_heads": {"view_task", "add_task", "review_task", "view_diaryentry", "view_feedback"},
    "office_chief": {"view_task", "view_feedback"},
    "leaders": {"view_task", "view_feedback"},
    "administrators": {"view_task"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_roles_hold_exactly_their_task_diary_and_feedback_permissions(role):
    held = set(
        Group.objects.get(name=role)
        .permissions.filter(content_type__model__in=["task", "diaryentry", "feedback"])
        .values_list("codename", flat=True)
    )
    assert held == ROLE_PERMISSIONS[role]
