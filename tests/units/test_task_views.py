"""Task pages: the three lists, assigning, and the four actions; scope, permissions, queries."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.helpers import count_queries
from units.models import Task

PAST = timezone.localdate() - datetime.timedelta(days=2)


def tomorrow_iso() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def task_a(unit_head_a, staff_member):
    return factories.task(staff_member.staff, by=unit_head_a, title="Rà soát hồ sơ chứng thực")


@pytest.fixture
def task_b(unit_head_b, unit_b):
    return factories.task(factories.staff(unit_b), by=unit_head_b, title="Việc của xã khác")


# --- lists ---------------------------------------------------------------------------------------


def test_my_tasks_lists_only_mine(client, staff_member, task_a, unit_head_a, unit_a):
    other = factories.task(factories.staff(unit_a), by=unit_head_a, title="Việc của người khác")
    client.force_login(staff_member)
    response = client.get(reverse("units:task_list"))
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [task_a]
    assert other.title not in response.text


def test_unit_head_lists_own_units_tasks(client, unit_head_a, task_a, task_b):
    client.force_login(unit_head_a)
    response = client.get(reverse("units:task_list_unit"))
    assert list(response.context["page_obj"]) == [task_a]
    assert reverse("units:task_assign") in response.text


def test_overdue_list_shows_only_overdue_tasks(
    client, inspector, unit_head_a, unit_a, task_a, task_b
):
    late = factories.task(factories.staff(unit_a), by=unit_head_a, due_date=PAST)
    client.force_login(inspector)
    response = client.get(reverse("units:task_list_overdue"))
    assert list(response.context["page_obj"]) == [late]
    assert "quá hạn" in response.text
    assert reverse("units:task_assign") not in response.text  # inspectors do not assign


def test_status_filter(client, unit_head_a, unit_a, task_a):
    done = factories.task(factories.staff(unit_a), by=unit_head_a, status="accepted")
    client.force_login(unit_head_a)
    url = reverse("units:task_list_unit")
    assert list(client.get(url + "?status=accepted").context["page_obj"]) == [done]
    assert list(client.get(url + "?status=open").context["page_obj"]) == [task_a]
    assert set(client.get(url + "?status=bogus").context["page_obj"]) == {task_a, done}


@pytest.mark.parametrize("name", ["task_list_unit", "task_list_overdue"])
def test_unit_lists_need_oversight(client, staff_member, name):
    client.force_login(staff_member)
    assert client.get(reverse(f"units:{name}")).status_code == 403


def test_my_tasks_needs_a_staff_record(client, db):
    loose = User.objects.create_user("loose")
    client.force_login(loose)
    assert client.get(reverse("units:task_list")).status_code == 403


@pytest.mark.parametrize(
    "name", ["task_list", "task_list_unit", "task_list_overdue", "task_assign"]
)
def test_lists_refuse_the_wrong_method(client, unit_head_a, name):
    client.force_login(unit_head_a)
    method = client.put if name == "task_assign" else client.post
    assert method(reverse(f"units:{name}")).status_code == 405


# session, user with staff record, roles with permissions, unread count, then: may-assign
# check, the count and the page of tasks.
LIST_QUERIES = {"task_list": 7, "task_list_unit": 7, "task_list_overdue": 7}


@pytest.mark.parametrize("name", list(LIST_QUERIES))
def test_list_query_counts_do_not_grow(client, unit_head_a, unit_a, name):
    client.force_login(unit_head_a)
    head = unit_head_a.staff
    factories.task(factories.staff(unit_a), by=unit_head_a, due_date=PAST)
    factories.task(head, by=unit_head_a, due_date=PAST)
    small = count_queries(client, reverse(f"units:{name}"))
    for _ in range(15):
        factories.task(factories.staff(unit_a), by=unit_head_a, due_date=PAST)
        factories.task(head, by=unit_head_a, due_date=PAST)
    large = count_queries(client, reverse(f"units:{name}"))
    assert small == large == LIST_QUERIES[name]


# --- assigning --------------------------------------------------------------------------------


def test_unit_head_assigns_from_the_form(client, unit_head_a, staff_member, unit_b):
    stranger = factories.staff(unit_b)
    client.force_login(unit_head_a)
    page = client.get(reverse("units:task_assign"))
    assert page.status_code == 200
    assert staff_member.staff.full_name in page.text
    assert stranger.full_name not in page.text
    response = client.post(
        reverse("units:task_assign"),
        {
            "assignee": staff_member.staff.pk,
            "title": "Niêm yết thủ tục hành chính",
            "expected_result": "Bảng niêm yết",
            "due_date": tomorrow_iso(),
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response.url == task.get_absolute_url()
    assert task.assignee == staff_member.staff


def test_assign_form_shows_bad_input_next_to_the_field(client, unit_head_a, staff_member, unit_b):
    client.force_login(unit_head_a)
    response = client.post(
        reverse("units:task_assign"),
        {
            "assignee": staff_member.staff.pk,
            "title": "x",
            "expected_result": "y",
            "due_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Hạn hoàn thành không được là ngày trong quá khứ." in response.text
    stranger = client.post(
        reverse("units:task_assign"),
        {
            "assignee": factories.staff(unit_b).pk,
            "title": "x",
            "expected_result": "y",
            "due_date": tomorrow_iso(),
        },
    )
    assert stranger.status_code == 400  # not among the choices
    assert not Task.objects.exists()


def test_assign_needs_the_right(client, staff_member, inspector):
    for user in (staff_member, inspector):
        client.force_login(user)
        assert client.get(reverse("units:task_assign")).status_code == 403


def test_deputy_gets_the_assign_form(client, unit_a, staff_member):
    deputy = factories.user_with_role("deputy", unit_a, None)
    deputy.staff.assigns_tasks = True
    deputy.staff.save()
    client.force_login(deputy)
    assert client.get(reverse("units:task_assign")).status_code == 200
    assert client.get(reverse("units:task_list_unit")).status_code == 200


# --- detail and actions -----------------------------------------------------------------------


def test_task_detail_in_scope_and_out(client, unit_head_a, unit_head_b, staff_member, task_a):
    client.force_login(staff_member)
    page = client.get(task_a.get_absolute_url())
    assert page.status_code == 200
    assert reverse("units:task_complete", args=[task_a.pk]) in page.text
    assert reverse("units:task_accept", args=[task_a.pk]) not in page.text
    client.force_login(unit_head_b)
    assert client.get(task_a.get_absolute_url()).status_code == 404


def test_task_detail_refuses_post(client, staff_member, task_a):
    client.force_login(staff_member)
    assert client.post(task_a.get_absolute_url()).status_code == 405


def test_assignee_completes_and_head_accepts_through_the_pages(
    client, staff_member, unit_head_a, task_a
):
    client.force_login(staff_member)
    response = client.post(
        reverse("units:task_progress", args=[task_a.pk]), {"progress-note": "Đang làm"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("units:task_complete", args=[task_a.pk]), {"complete-note": "Xong"}
    )
    assert response.status_code == 302
    client.force_login(unit_head_a)
    page = client.get(task_a.get_absolute_url())
    assert "Đã hoàn thành, chờ duyệt" in page.text
    assert reverse("units:task_accept", args=[task_a.pk]) in page.text
    client.post(reverse("units:task_accept", args=[task_a.pk]), {"accept-note": "Tốt"})
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.ACCEPTED
    timeline = [e["event"] for e in client.get(task_a.get_absolute_url()).context["timeline"]]
    assert [str(e) for e in timeline] == [
        "Đã giao",
        "Báo cáo tiến độ",
        "Đã hoàn thành",
        "Đã chấp nhận",
    ]


@pytest.mark.parametrize("persona", ["staff_member", "unit_head_a"])
def test_task_page_forms_have_distinct_ids(client, request, persona, task_a):
    """Two or more note forms share the page: each label must point at its own field."""
    import re

    if persona == "unit_head_a":
        Task.objects.filter(pk=task_a.pk).update(status="submitted", completion_note="Xong")
    client.force_login(request.getfixturevalue(persona))
    ids = re.findall(r' id="([^"]+)"', client.get(task_a.get_absolute_url()).text)
    assert len(ids) == len(set(ids))
    assert len([i for i in ids if i.endswith("-note")]) == 2


def test_completing_without_a_note_is_shown_next_to_the_field(client, staff_member, task_a):
    client.force_login(staff_member)
    response = client.post(reverse("units:task_complete", args=[task_a.pk]), {"complete-note": ""})
    assert response.status_code == 400
    assert 'class="error"' in response.text
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.ASSIGNED


def test_refused_transition_comes_back_as_a_message(client, staff_member, task_a, unit_head_a):
    client.force_login(unit_head_a)
    response = client.post(
        reverse("units:task_accept", args=[task_a.pk]), {"accept-note": ""}, follow=True
    )
    assert "Chỉ công việc đã hoàn thành, đang chờ duyệt" in response.text


@pytest.mark.parametrize("action", ["task_progress", "task_complete"])
def test_only_the_assignee_reports(client, unit_head_a, inspector, task_a, action):
    for user in (unit_head_a, inspector):
        client.force_login(user)
        response = client.post(
            reverse(f"units:{action}", args=[task_a.pk]),
            {f"{action.removeprefix('task_')}-note": "x"},
        )
        assert response.status_code == 403


@pytest.mark.parametrize("action", ["task_accept", "task_return"])
def test_only_the_head_reviews(client, staff_member, inspector, task_a, action):
    for user in (staff_member, inspector):
        client.force_login(user)
        response = client.post(
            reverse(f"units:{action}", args=[task_a.pk]),
            {f"{action.removeprefix('task_')}-note": "x"},
        )
        assert response.status_code == 403


@pytest.mark.parametrize("action", ["task_progress", "task_complete", "task_accept", "task_return"])
def test_actions_out_of_scope_are_404_and_need_post(
    client, unit_head_b, staff_member, task_a, action
):
    url = reverse(f"units:{action}", args=[task_a.pk])
    client.force_login(unit_head_b)
    assert client.post(url, {f"{action.removeprefix('task_')}-note": "x"}).status_code == 404
    client.force_login(staff_member)
    assert client.get(url).status_code == 405


# session, user with staff record, roles with permissions, the task, its history, unread count;
# and a unit head checks that they manage the unit.
DETAIL_QUERIES = {"staff_member": 6, "unit_head_a": 7, "inspector": 6}


@pytest.mark.parametrize("persona", list(DETAIL_QUERIES))
def test_task_detail_query_count_does_not_grow_with_history(
    client, request, persona, staff_member, task_a
):
    from units import services

    client.force_login(request.getfixturevalue(persona))
    small = count_queries(client, task_a.get_absolute_url())
    for n in range(10):
        services.report_task_progress(
            task=task_a, by=User.objects.get(pk=staff_member.pk), note=f"Bước {n}"
        )
    large = count_queries(client, task_a.get_absolute_url())
    assert small == large == DETAIL_QUERIES[persona]


def test_home_shows_task_and_diary_tiles(client, staff_member, unit_head_a, task_a):
    client.force_login(staff_member)
    response = client.get(reverse("home"))
    assert response.context["work"]["mine_open"] == 1
    assert response.context["work"]["diary_today"] is False
    assert "Ghi nhật ký công việc hôm nay" in response.text
    assert reverse("units:task_list") in response.text
    client.force_login(unit_head_a)
    factories.task(unit_head_a.staff, by=unit_head_a)  # the head's own task is not "to review"
    task_a.status = "submitted"
    task_a.completion_note = "Xong"
    task_a.save()
    response = client.get(reverse("home"))
    assert response.context["work"]["to_review"] == 1
    assert "Công việc đã hoàn thành chờ đồng chí duyệt" in response.text


@pytest.mark.parametrize("persona", ["inspector", "unit_head_a", "staff_member"])
def test_home_query_count_does_not_grow_with_tasks_diaries_and_feedback(
    client, request, persona, unit_head_a, staff_member, unit_a
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    small = count_queries(client, reverse("home"))
    for n in range(10):
        factories.task(staff_member.staff, by=unit_head_a, due_date=PAST if n % 2 else None)
        factories.task(factories.staff(unit_a), by=unit_head_a, status="submitted")
        factories.diary_entry(staff_member.staff, day=timezone.localdate())
        factories.feedback(unit_a)
    large = count_queries(client, reverse("home"))
    assert small == large == {"inspector": 12, "unit_head_a": 11, "staff_member": 7}[persona]
