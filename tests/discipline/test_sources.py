"""Violations that come from an overdue task or from citizen feedback: never automatic, once,
with the source linked."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from discipline import services
from discipline.models import Violation
from inspections.models import Feedback
from inspections.services import FeedbackError
from tests import factories

PAST = timezone.localdate() - datetime.timedelta(days=3)


@pytest.fixture
def overdue_task(unit_head_a, staff_member):
    return factories.task(staff_member.staff, by=unit_head_a, due_date=PAST, status="in_progress")


@pytest.fixture
def named_feedback(unit_a):
    official = factories.staff(unit_a, full_name="Lê Văn Chậm")
    return factories.feedback(unit_a, category="delay", staff=official, text="Hẹn ba lần")


# --- overdue task → proposed violation -------------------------------------------------------------


def test_inspector_turns_overdue_task_into_proposed_slow_task_violation(overdue_task, inspector):
    violation = services.propose_slow_task_violation(
        task=overdue_task, by=inspector, description="Quá hạn 3 ngày"
    )
    assert violation.status == Violation.Status.RECORDED
    assert violation.source == Violation.Source.TASK
    assert violation.task == overdue_task
    assert violation.type.code == "slow_task"
    assert violation.staff == overdue_task.assignee
    assert violation.unit == overdue_task.unit
    assert timezone.localtime(violation.occurred_at).date() == PAST
    assert list(overdue_task.violations.all()) == [violation]


def test_nothing_becomes_a_violation_by_itself(overdue_task):
    assert not Violation.objects.exists()


def test_task_not_overdue_cannot_become_a_violation(unit_head_a, staff_member, inspector):
    on_time = factories.task(staff_member.staff, by=unit_head_a)
    handed_in_late = factories.task(
        staff_member.staff, by=unit_head_a, due_date=PAST, status="submitted"
    )
    for task in (on_time, handed_in_late):
        with pytest.raises(services.ViolationError) as error:
            services.propose_slow_task_violation(task=task, by=inspector)
        assert "quá hạn" in str(error.value)
    assert not Violation.objects.exists()


def test_a_task_becomes_a_violation_once_unless_voided(overdue_task, inspector):
    first = services.propose_slow_task_violation(task=overdue_task, by=inspector)
    with pytest.raises(services.ViolationError):
        services.propose_slow_task_violation(task=overdue_task, by=inspector)
    services.void_violation(violation=first, by=inspector, reason="Nhầm người")
    again = services.propose_slow_task_violation(task=overdue_task, by=inspector)
    assert again.pk != first.pk


def test_unit_head_cannot_propose_task_violations(overdue_task, unit_head_a):
    with pytest.raises(PermissionDenied):
        services.propose_slow_task_violation(task=overdue_task, by=unit_head_a)


def test_inspector_of_another_authority_cannot_propose(overdue_task, other_inspector):
    with pytest.raises(PermissionDenied):
        services.propose_slow_task_violation(task=overdue_task, by=other_inspector)


def test_database_refuses_a_task_source_without_its_task(staff_member, inspector):
    violation = factories.violation(staff_member.staff, by=inspector)
    with pytest.raises(IntegrityError), transaction.atomic():
        Violation.objects.filter(pk=violation.pk).update(source="task")
    with pytest.raises(IntegrityError), transaction.atomic():
        Violation.objects.filter(pk=violation.pk).update(source="feedback")


def test_service_refuses_a_feedback_source_without_its_feedback(staff_member, inspector):
    with pytest.raises(ValidationError):
        factories.violation(staff_member.staff, by=inspector, source="feedback")


# --- feedback → violation ---------------------------------------------------------------------


def test_feedback_becomes_a_violation_and_is_triaged(named_feedback, inspector):
    violation = services.record_violation_from_feedback(
        feedback=named_feedback,
        staff=named_feedback.staff,
        type=factories.violation_type("slow_task"),
        occurred_at=named_feedback.submitted_at,
        by=inspector,
        description="Công dân phản ánh",
    )
    named_feedback.refresh_from_db()
    assert named_feedback.status == Feedback.Status.VIOLATION
    assert named_feedback.triaged_by == inspector
    assert (violation.source, violation.feedback) == (Violation.Source.FEEDBACK, named_feedback)


def test_feedback_cannot_become_a_violation_twice(named_feedback, inspector):
    kwargs = {
        "feedback": named_feedback,
        "staff": named_feedback.staff,
        "type": factories.violation_type("attitude"),
        "occurred_at": named_feedback.submitted_at,
        "by": inspector,
    }
    services.record_violation_from_feedback(**kwargs)
    with pytest.raises(FeedbackError):
        services.record_violation_from_feedback(**kwargs)
    assert Violation.objects.count() == 1


def test_forwarded_feedback_cannot_become_a_violation(named_feedback, inspector):
    from inspections.services import forward_feedback

    forward_feedback(feedback=named_feedback, by=inspector)
    with pytest.raises(FeedbackError):
        services.record_violation_from_feedback(
            feedback=named_feedback,
            staff=named_feedback.staff,
            type=factories.violation_type("attitude"),
            occurred_at=named_feedback.submitted_at,
            by=inspector,
        )


def test_person_from_another_unit_is_refused_and_nothing_is_saved(
    named_feedback, inspector, unit_b
):
    with pytest.raises(ValidationError) as error:
        services.record_violation_from_feedback(
            feedback=named_feedback,
            staff=factories.staff(unit_b),
            type=factories.violation_type("attitude"),
            occurred_at=named_feedback.submitted_at,
            by=inspector,
        )
    assert "staff" in error.value.message_dict
    named_feedback.refresh_from_db()
    assert named_feedback.status == Feedback.Status.NEW
    assert not Violation.objects.exists()


# --- pages ----------------------------------------------------------------------------------


def test_feedback_violation_form_is_prefilled_from_the_item(client, inspector, named_feedback):
    client.force_login(inspector)
    response = client.get(reverse("discipline:feedback_violation", args=[named_feedback.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["staff"] == named_feedback.staff_id
    assert form.initial["type"] == factories.violation_type("slow_task").pk  # from "delay"
    assert "Hẹn ba lần" in form.initial["description"]
    assert f'value="{named_feedback.staff_id}" selected' in response.text


def test_feedback_violation_form_records_and_redirects(client, inspector, named_feedback):
    client.force_login(inspector)
    response = client.post(
        reverse("discipline:feedback_violation", args=[named_feedback.pk]),
        {
            "staff": named_feedback.staff_id,
            "type": factories.violation_type("attitude").pk,
            "occurred_at": "2026-11-20T09:30",
            "description": "Thái độ",
        },
    )
    violation = Violation.objects.get()
    assert response.status_code == 302 and response.url == violation.get_absolute_url()
    page = client.get(violation.get_absolute_url())
    assert "Phản ánh của người dân" in page.text
    assert named_feedback.get_absolute_url() in page.text


def test_feedback_violation_form_shows_bad_input_next_to_the_field(
    client, inspector, named_feedback
):
    client.force_login(inspector)
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("discipline:feedback_violation", args=[named_feedback.pk]),
        {
            "staff": named_feedback.staff_id,
            "type": factories.violation_type().pk,
            "occurred_at": future,
            "description": "x",
        },
    )
    assert response.status_code == 400
    assert "tương lai" in response.text
    assert not Violation.objects.exists()


def test_triaged_feedback_sends_the_inspector_back(client, inspector, named_feedback):
    from inspections.services import dismiss_feedback

    dismiss_feedback(feedback=named_feedback, by=inspector, reason="Trùng lặp")
    client.force_login(inspector)
    response = client.get(reverse("discipline:feedback_violation", args=[named_feedback.pk]))
    assert response.status_code == 302 and response.url == named_feedback.get_absolute_url()


def test_feedback_violation_page_scope_permission_and_method(
    client, named_feedback, unit_head_a, other_inspector, inspector
):
    url = reverse("discipline:feedback_violation", args=[named_feedback.pk])
    client.force_login(unit_head_a)
    assert client.get(url).status_code == 403
    client.force_login(other_inspector)
    assert client.get(url).status_code == 404
    client.force_login(inspector)
    assert client.put(url).status_code == 405


def test_task_violation_page_proposes_and_links_back(client, inspector, overdue_task):
    client.force_login(inspector)
    url = reverse("discipline:task_violation", args=[overdue_task.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert overdue_task.title in page.context["form"].initial["description"]
    response = client.post(url, {"description": "Quá hạn, chưa báo cáo lý do"})
    violation = Violation.objects.get()
    assert response.status_code == 302 and response.url == violation.get_absolute_url()
    detail = client.get(violation.get_absolute_url())
    assert reverse("units:task_detail", args=[overdue_task.pk]) in detail.text
    again = client.get(url)
    assert violation.get_absolute_url() in again.text  # already done: shown, no second form
    refused = client.post(url, {"description": "lần hai"})
    assert refused.status_code == 302 and Violation.objects.count() == 1


def test_task_page_offers_the_violation_only_to_inspectors_of_overdue_tasks(
    client, inspector, unit_head_a, overdue_task, staff_member
):
    on_time = factories.task(staff_member.staff, by=unit_head_a)
    link = reverse("discipline:task_violation", args=[overdue_task.pk])
    client.force_login(inspector)
    assert link in client.get(overdue_task.get_absolute_url()).text
    on_time_link = reverse("discipline:task_violation", args=[on_time.pk])
    assert on_time_link not in client.get(on_time.get_absolute_url()).text
    client.force_login(unit_head_a)
    assert link not in client.get(overdue_task.get_absolute_url()).text


def test_task_violation_page_scope_permission_and_method(
    client, overdue_task, unit_head_a, other_inspector, inspector
):
    url = reverse("discipline:task_violation", args=[overdue_task.pk])
    client.force_login(unit_head_a)
    assert client.get(url).status_code == 403
    client.force_login(other_inspector)
    assert client.get(url).status_code == 404
    client.force_login(inspector)
    assert client.delete(url).status_code == 405


def test_admin_add_form_does_not_offer_task_or_feedback_sources(client, inspector):
    client.force_login(inspector)
    response = client.get(reverse("admin:discipline_violation_add"))
    choices = [value for value, _ in response.context["adminform"].form.fields["source"].choices]
    assert "visit" in choices
    assert "task" not in choices and "feedback" not in choices
