"""Task services and selectors: who may assign, report, complete, accept and return."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from units import selectors, services
from units.models import Notification, Task
from units.services import TaskError


def fresh(user: User) -> User:
    """The same login without per-request caches (roles, staff, permissions)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def deputy(unit_a):
    user = factories.user_with_role("deputy_a", unit_a, None, position="Phó Chủ tịch UBND")
    user.staff.assigns_tasks = True
    user.staff.save()
    return fresh(user)


@pytest.fixture
def task_a(unit_head_a, staff_member):
    return factories.task(staff_member.staff, by=unit_head_a)


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


# --- assigning -------------------------------------------------------------------------------------


def test_unit_head_assigns_task_and_assignee_is_told(
    unit_head_a, staff_member, django_capture_on_commit_callbacks
):
    staff_member.email = "staff_a@example.test"
    staff_member.save()
    with django_capture_on_commit_callbacks(execute=True):
        task = services.assign_task(
            assignee=staff_member.staff,
            title="Rà soát hồ sơ chứng thực",
            expected_result="Danh sách hồ sơ tồn đọng",
            due_date=tomorrow(),
            by=unit_head_a,
        )
    assert task.status == Task.Status.ASSIGNED
    assert task.unit == staff_member.staff.unit
    assert task.assigned_by == unit_head_a
    assert Notification.objects.get(user=staff_member).url == task.get_absolute_url()
    assert mail.outbox[0].to == ["staff_a@example.test"]
    assert task.history.get().history_change_reason == "assigned"


def test_delegated_deputy_assigns_in_own_unit(deputy, staff_member):
    task = services.assign_task(
        assignee=staff_member.staff,
        title="Niêm yết thủ tục",
        expected_result="Bảng niêm yết",
        due_date=tomorrow(),
        by=deputy,
    )
    assert task.assigned_by == deputy


def test_deputy_cannot_assign_in_another_unit(deputy, unit_b):
    with pytest.raises(PermissionDenied):
        services.assign_task(
            assignee=factories.staff(unit_b),
            title="x",
            expected_result="y",
            due_date=tomorrow(),
            by=deputy,
        )


def test_staff_without_delegation_cannot_assign(staff_member, unit_a):
    with pytest.raises(PermissionDenied):
        services.assign_task(
            assignee=factories.staff(unit_a),
            title="x",
            expected_result="y",
            due_date=tomorrow(),
            by=staff_member,
        )


def test_unit_head_cannot_assign_to_another_units_staff(unit_head_a, unit_b):
    with pytest.raises(PermissionDenied):
        services.assign_task(
            assignee=factories.staff(unit_b),
            title="x",
            expected_result="y",
            due_date=tomorrow(),
            by=unit_head_a,
        )


def test_inspector_cannot_assign_tasks(inspector, unit_a):
    with pytest.raises(PermissionDenied):
        services.assign_task(
            assignee=factories.staff(unit_a),
            title="x",
            expected_result="y",
            due_date=tomorrow(),
            by=inspector,
        )


def test_due_date_in_the_past_is_refused_next_to_the_field(unit_head_a, staff_member):
    with pytest.raises(ValidationError) as error:
        services.assign_task(
            assignee=staff_member.staff,
            title="x",
            expected_result="y",
            due_date=timezone.localdate() - datetime.timedelta(days=1),
            by=unit_head_a,
        )
    assert "quá khứ" in error.value.message_dict["due_date"][0]
    assert not Task.objects.exists()


def test_task_for_inactive_person_is_refused(unit_head_a, unit_a):
    gone = factories.staff(unit_a, is_active=False)
    with pytest.raises(ValidationError) as error:
        services.assign_task(
            assignee=gone, title="x", expected_result="y", due_date=tomorrow(), by=unit_head_a
        )
    assert "assignee" in error.value.message_dict


# --- the assignee's side ------------------------------------------------------------------------


def test_assignee_reports_progress_then_completes(task_a, staff_member, unit_head_a):
    services.report_task_progress(task=task_a, by=staff_member, note="Đã thu thập 10/12 hồ sơ")
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.IN_PROGRESS
    assert task_a.started_at is not None
    services.complete_task(task=task_a, by=staff_member, note="Đã trả kết quả 12 hồ sơ")
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.SUBMITTED
    assert task_a.completion_note == "Đã trả kết quả 12 hồ sơ"
    assert Notification.objects.filter(user=unit_head_a, subject__contains=task_a.title).exists()
    reasons = list(
        task_a.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["assigned", "progress", "submitted"]


def test_completing_someone_elses_task_is_refused(task_a, unit_a):
    colleague = factories.user_with_role("colleague", unit_a, None)
    with pytest.raises(TaskError) as error:
        services.complete_task(task=task_a, by=colleague, note="Tôi làm hộ")
    assert "người được giao" in str(error.value)
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.ASSIGNED


def test_unit_head_cannot_complete_the_task_for_the_assignee(task_a, unit_head_a):
    with pytest.raises(TaskError):
        services.complete_task(task=task_a, by=unit_head_a, note="x")


def test_completing_needs_a_note(task_a, staff_member):
    with pytest.raises(ValidationError) as error:
        services.complete_task(task=task_a, by=staff_member, note="   ")
    assert "note" in error.value.message_dict


def test_completing_twice_is_refused(task_a, staff_member):
    services.complete_task(task=task_a, by=staff_member, note="Xong")
    with pytest.raises(TaskError):
        services.complete_task(task=task_a, by=staff_member, note="Xong lần nữa")
    with pytest.raises(TaskError):
        services.report_task_progress(task=task_a, by=staff_member, note="Thêm")


# --- the head's side ------------------------------------------------------------------------------


def test_head_accepts_completed_task(task_a, staff_member, unit_head_a):
    services.complete_task(task=task_a, by=staff_member, note="Xong")
    services.accept_task(task=task_a, by=unit_head_a, note="Tốt")
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.ACCEPTED
    assert task_a.reviewed_at is not None
    assert Notification.objects.filter(user=staff_member, subject__contains="chấp nhận").exists()


def test_head_returns_task_with_reason_and_assignee_resumes(task_a, staff_member, unit_head_a):
    services.complete_task(task=task_a, by=staff_member, note="Xong")
    services.return_task(task=task_a, by=unit_head_a, note="Thiếu chữ ký trưởng ấp")
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.RETURNED
    assert task_a.review_note == "Thiếu chữ ký trưởng ấp"
    services.complete_task(task=task_a, by=staff_member, note="Đã bổ sung chữ ký")
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.SUBMITTED


def test_returning_needs_a_reason(task_a, staff_member, unit_head_a):
    services.complete_task(task=task_a, by=staff_member, note="Xong")
    with pytest.raises(ValidationError):
        services.return_task(task=task_a, by=unit_head_a, note="")
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.SUBMITTED


def test_accepting_a_task_not_yet_completed_is_refused(task_a, unit_head_a):
    with pytest.raises(TaskError) as error:
        services.accept_task(task=task_a, by=unit_head_a)
    assert "chờ duyệt" in str(error.value)


def test_other_units_head_cannot_review(task_a, staff_member, unit_head_b):
    services.complete_task(task=task_a, by=staff_member, note="Xong")
    with pytest.raises(TaskError):
        services.accept_task(task=task_a, by=unit_head_b)


def test_deputy_reviews_but_not_own_task(deputy, unit_head_a, staff_member):
    others = factories.task(staff_member.staff, by=deputy, status="submitted")
    services.accept_task(task=others, by=deputy)
    own = factories.task(deputy.staff, by=unit_head_a, status="submitted")
    with pytest.raises(TaskError) as error:
        services.accept_task(task=own, by=fresh(deputy))
    assert "chính mình" in str(error.value)


def test_returned_task_past_due_is_overdue_again(unit_head_a, staff_member):
    task = factories.task(
        staff_member.staff,
        by=unit_head_a,
        due_date=timezone.localdate() - datetime.timedelta(days=2),
        status="submitted",
    )
    assert not task.is_overdue
    services.return_task(task=task, by=unit_head_a, note="Chưa đạt")
    task.refresh_from_db()
    assert task.is_overdue
    assert Task.objects.overdue().get() == task


# --- reading -------------------------------------------------------------------------------------


def test_task_visibility_by_role(
    task_a, unit_head_a, unit_head_b, inspector, staff_member, unit_a, other_inspector
):
    colleague = factories.user_with_role("colleague", unit_a, None)
    assert task_a in selectors.tasks_visible_to(unit_head_a)
    assert task_a in selectors.tasks_visible_to(inspector)
    assert task_a in selectors.tasks_visible_to(staff_member)
    assert task_a not in selectors.tasks_visible_to(unit_head_b)
    assert task_a not in selectors.tasks_visible_to(colleague)
    assert task_a not in selectors.tasks_visible_to(other_inspector)


def test_deputy_sees_own_units_tasks_only(deputy, task_a, unit_head_b, unit_b):
    theirs = factories.task(factories.staff(unit_b), by=unit_head_b)
    visible = set(selectors.tasks_visible_to(deputy))
    assert task_a in visible
    assert theirs not in visible


def test_overdue_excludes_handed_in_and_accepted_tasks(unit_head_a, unit_a):
    past = timezone.localdate() - datetime.timedelta(days=1)
    late = factories.task(factories.staff(unit_a), by=unit_head_a, due_date=past)
    factories.task(factories.staff(unit_a), by=unit_head_a, due_date=past, status="submitted")
    factories.task(factories.staff(unit_a), by=unit_head_a, due_date=past, status="accepted")
    factories.task(factories.staff(unit_a), by=unit_head_a)  # due today: not yet overdue
    assert list(Task.objects.overdue()) == [late]


def test_task_counts_for_home(unit_head_a, staff_member, unit_a, django_assert_num_queries):
    past = timezone.localdate() - datetime.timedelta(days=1)
    factories.task(staff_member.staff, by=unit_head_a, due_date=past)
    factories.task(staff_member.staff, by=unit_head_a)
    factories.task(factories.staff(unit_a), by=unit_head_a, status="submitted")
    head = fresh(unit_head_a)
    selectors.staff_of(head), selectors.roles_of(head), head.has_perm("units.view_task")  # warm
    with django_assert_num_queries(1):
        counts = selectors.task_counts(head)
    assert counts == {"mine_open": 0, "mine_overdue": 0, "to_review": 1, "overdue": 1}
    assert selectors.task_counts(fresh(staff_member)) == {
        "mine_open": 2,
        "mine_overdue": 1,
        "to_review": 0,
        "overdue": 0,
    }
