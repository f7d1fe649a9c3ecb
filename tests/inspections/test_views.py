"""Pages for planning and running a visit: success, wrong method, scope (404), permission (403)
for every view, and the roll page's query count pinned."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import RollEntry, Visit
from inspections.services import cancel_visit
from tests import factories
from tests.helpers import count_queries

STARTED = factories.local(2026, 3, 5, 7, 20)


@pytest.fixture
def running(unit_a, inspector):
    for name in ["An", "Bình", "Cường"]:
        factories.staff(unit_a, full_name=f"Lê Văn {name}")
    return factories.started_visit(unit_a, by=inspector, started_at=STARTED)


@pytest.fixture
def planned(unit_a, inspector):
    return factories.visit(unit_a, by=inspector)


def _entry(visit):
    return visit.roll.order_by("staff__full_name").first()


def _mark_url(visit, entry=None):
    entry = entry or _entry(visit)
    return reverse("inspections:roll_mark", args=[visit.pk, entry.pk])


def _post_json(client, url, data):
    return client.post(
        url, json.dumps(data), content_type="application/json", HTTP_ACCEPT="application/json"
    )


MARK = {
    "presence": "present",
    "arrived_at": "",
    "no_badge": False,
    "improper_dress": False,
    "alcohol_suspected": False,
    "note": "",
}


# --- the permission and scope matrix -----------------------------------------------------------


def _urls(planned, running):
    entry = _entry(running)
    answer = running.checklist.first()
    return {
        "list": ("get", reverse("inspections:visit_list")),
        "plan": ("get", reverse("inspections:visit_plan")),
        "planner": ("get", reverse("inspections:planner")),
        "planner_plan": ("post", reverse("inspections:planner_plan")),
        "start": ("post", reverse("inspections:visit_start", args=[planned.pk])),
        "cancel": ("get", reverse("inspections:visit_cancel", args=[planned.pk])),
        "roll": ("get", reverse("inspections:roll", args=[running.pk])),
        "mark": ("post", reverse("inspections:roll_mark", args=[running.pk, entry.pk])),
        "answer": (
            "post",
            reverse("inspections:checklist_answer", args=[running.pk, answer.pk]),
        ),
        "add": ("post", reverse("inspections:roll_add", args=[running.pk])),
    }


@pytest.mark.parametrize(
    "name",
    ["list", "plan", "planner", "planner_plan", "start", "cancel", "roll", "mark", "answer", "add"],
)
def test_unit_heads_are_refused_every_visit_page(client, unit_head_a, planned, running, name):
    method, url = _urls(planned, running)[name]
    client.force_login(unit_head_a)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(
    "name", ["plan", "planner", "planner_plan", "start", "cancel", "mark", "answer", "add"]
)
def test_leaders_may_read_visits_but_not_plan_or_run_them(client, leader, planned, running, name):
    method, url = _urls(planned, running)[name]
    client.force_login(leader)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("name", ["start", "cancel", "roll", "mark", "answer", "add"])
def test_inspector_of_another_authority_gets_404(client, other_inspector, planned, running, name):
    method, url = _urls(planned, running)[name]
    client.force_login(other_inspector)
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("list", "post"),
        ("plan", "put"),
        ("planner", "post"),
        ("planner_plan", "get"),
        ("start", "get"),
        ("cancel", "put"),
        ("roll", "post"),
        ("mark", "get"),
        ("answer", "get"),
        ("add", "get"),
    ],
)
def test_wrong_method_is_405(client, inspector, planned, running, name, wrong):
    _, url = _urls(planned, running)[name]
    client.force_login(inspector)
    assert getattr(client, wrong)(url).status_code == 405


# --- list, plan, planner -----------------------------------------------------------------------


def test_visit_list_filters_by_unit_kind_status_and_month(
    client, inspector, unit_a, unit_b, planned, running
):
    march = factories.visit(unit_b, by=inspector, kind="thematic")
    Visit.objects.filter(pk=march.pk).update(planned_date=datetime.date(2026, 3, 2))
    client.force_login(inspector)
    url = reverse("inspections:visit_list")

    def listed(**query):
        return {v.pk for v in client.get(url, query).context["page_obj"]}

    assert listed() == {planned.pk, running.pk, march.pk}
    assert listed(unit=unit_b.pk) == {march.pk}
    assert listed(kind="thematic") == {march.pk}
    assert listed(status="in_progress") == {running.pk}
    assert listed(month="2026-03") == {running.pk, march.pk}
    assert listed(month="not-a-month") == {planned.pk, running.pk, march.pk}


def test_visit_list_leaves_out_other_authorities(client, inspector, other_inspector, other_unit):
    theirs = factories.visit(other_unit, by=other_inspector)
    client.force_login(inspector)
    response = client.get(reverse("inspections:visit_list"))
    assert theirs not in response.context["page_obj"]
    assert other_unit.name not in response.text


def test_visit_list_query_count_does_not_grow(client, inspector, unit_a):
    client.force_login(inspector)
    factories.visit(unit_a, by=inspector)
    small = count_queries(client, reverse("inspections:visit_list"))
    for _ in range(30):
        factories.visit(unit_a, by=inspector)
    large = count_queries(client, reverse("inspections:visit_list"))
    assert (small, large) == (7, 7)


def test_plan_a_visit_with_a_team(client, inspector, unit_a, home_affairs):
    colleague = factories.user_with_role("inspector2", home_affairs, "inspectors")
    client.force_login(inspector)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("inspections:visit_plan"),
        {
            "unit": unit_a.pk,
            "kind": "regular",
            "planned_date": tomorrow.isoformat(),
            "lead_inspector": inspector.staff.pk,
            "team": [colleague.staff.pk],
            "summary": "Kiểm tra giờ giấc",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("discipline:visit_detail", args=[visit.pk])
    assert (visit.unit, visit.planned_date, visit.created_by) == (unit_a, tomorrow, inspector)
    assert list(visit.team.all()) == [colleague.staff]


def test_plan_in_the_past_or_for_another_authority_is_refused_next_to_the_field(
    client, inspector, unit_a, other_unit
):
    client.force_login(inspector)
    response = client.post(
        reverse("inspections:visit_plan"),
        {
            "unit": other_unit.pk,
            "kind": "regular",
            "planned_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "lead_inspector": inspector.staff.pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "hôm nay" in errors["planned_date"][0]
    assert "unit" in errors
    assert not Visit.objects.exists()


def test_planner_lists_never_visited_units_and_plans_one_in_one_tap(
    client, inspector, unit_a, unit_b
):
    factories.visit(unit_b, by=inspector)
    client.force_login(inspector)
    response = client.get(reverse("inspections:planner"))
    units = [p.unit for p in response.context["proposals"]]
    assert unit_a in units and unit_b not in units
    response = client.post(reverse("inspections:planner_plan"), {"unit": unit_a.pk})
    visit = Visit.objects.get(unit=unit_a)
    assert response.url == reverse("discipline:visit_detail", args=[visit.pk])
    assert (visit.kind, visit.planned_date) == ("unannounced", timezone.localdate())
    assert visit.lead_inspector == inspector.staff


def test_planner_cannot_plan_another_authoritys_unit(client, inspector, other_unit):
    client.force_login(inspector)
    response = client.post(reverse("inspections:planner_plan"), {"unit": other_unit.pk})
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_planner_query_count_does_not_grow_with_units(client, inspector, authority):
    client.force_login(inspector)
    small = count_queries(client, reverse("inspections:planner"))
    for _ in range(20):
        factories.unit(authority)
    large = count_queries(client, reverse("inspections:planner"))
    assert (small, large) == (5, 5)


# --- start and cancel --------------------------------------------------------------------------


def test_start_opens_the_roll(client, inspector, unit_a, planned):
    factories.staff(unit_a)
    client.force_login(inspector)
    response = client.post(reverse("inspections:visit_start", args=[planned.pk]))
    assert response.url == reverse("inspections:roll", args=[planned.pk])
    planned.refresh_from_db()
    assert planned.status == Visit.Status.IN_PROGRESS
    assert planned.roll.count() == 1


def test_starting_a_started_visit_shows_the_reason(client, inspector, running):
    client.force_login(inspector)
    response = client.post(reverse("inspections:visit_start", args=[running.pk]), follow=True)
    assert "Chỉ có thể bắt đầu đợt kiểm tra đã lên kế hoạch" in response.text


def test_cancel_needs_a_reason_then_cancels(client, inspector, planned):
    client.force_login(inspector)
    url = reverse("inspections:visit_cancel", args=[planned.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(url, {"reason": "Đoàn đi họp đột xuất"})
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.cancel_reason) == ("cancelled", "Đoàn đi họp đột xuất")


# --- the roll ----------------------------------------------------------------------------------


def test_roll_shows_every_person_with_one_tap_marks(client, inspector, running):
    client.force_login(inspector)
    response = client.get(reverse("inspections:roll", args=[running.pk]))
    assert response.status_code == 200
    assert response.text.count('name="presence"') == 3 * 5
    assert "Lê Văn Bình" in response.text
    assert "js/roll.js" in response.text
    assert "capture" not in response.text  # the camera lives on the evidence page
    assert "Sổ nhật ký công việc" in response.text


def test_roll_of_a_planned_visit_sends_back_to_the_visit(client, inspector, planned):
    client.force_login(inspector)
    response = client.get(reverse("inspections:roll", args=[planned.pk]))
    assert response.url == reverse("discipline:visit_detail", args=[planned.pk])


def test_roll_of_a_cancelled_visit_is_read_only(client, inspector, running):
    cancel_visit(visit=running, by=inspector, reason="Mất điện")
    client.force_login(inspector)
    response = client.get(reverse("inspections:roll", args=[running.pk]))
    assert response.status_code == 200
    assert 'name="presence"' not in response.text
    assert "js/roll.js" not in response.text


def test_leader_reads_the_roll_without_forms(client, leader, running):
    client.force_login(leader)
    response = client.get(reverse("inspections:roll", args=[running.pk]))
    assert response.status_code == 200
    assert '<form class="mark"' not in response.text


@pytest.mark.parametrize("staff_count", [5, 200])
def test_roll_page_query_count_is_the_same_for_5_and_200_staff(
    client, inspector, authority, staff_count
):
    unit = factories.unit(authority, kind="agency")
    for _ in range(staff_count):
        factories.staff(unit)
    visit = factories.started_visit(unit, by=inspector)
    for entry in list(visit.roll.all())[:3]:
        RollEntry.objects.filter(pk=entry.pk).update(
            presence="late", arrived_at=visit.started_at, badge_worn=False
        )
    client.force_login(inspector)
    # 9: the diary evidence for everyone on the roll is one more query.
    assert count_queries(client, reverse("inspections:roll", args=[visit.pk])) == 9


def test_mark_by_script_saves_and_answers_the_findings(client, inspector, running):
    client.force_login(inspector)
    entry = _entry(running)
    response = _post_json(
        client,
        _mark_url(running, entry),
        {**MARK, "presence": "late", "arrived_at": "07:50", "no_badge": True, "note": "Kẹt xe"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "findings": ["Đi muộn", "Không đeo thẻ"],
        "within_grace": False,
    }
    entry.refresh_from_db()
    assert entry.arrived_at == factories.local(2026, 3, 5, 7, 50)
    assert (entry.badge_worn, entry.note) == (False, "Kẹt xe")


def test_mark_by_script_says_when_a_late_arrival_is_within_grace(client, inspector, unit_a):
    factories.staff(unit_a)
    visit = factories.started_visit(
        unit_a, by=inspector, started_at=factories.local(2026, 3, 5, 6, 58)
    )
    client.force_login(inspector)
    response = _post_json(
        client, _mark_url(visit), {**MARK, "presence": "late", "arrived_at": "07:04"}
    )
    assert response.json() == {"ok": True, "findings": [], "within_grace": True}


def test_mark_by_script_with_bad_input_answers_400_with_vietnamese_reasons(
    client, inspector, running
):
    client.force_login(inspector)
    entry = _entry(running)
    response = _post_json(
        client, _mark_url(running, entry), {**MARK, "presence": "late", "arrived_at": "07:00"}
    )
    assert response.status_code == 400
    assert "sớm hơn lúc bắt đầu" in response.json()["errors"]["arrived_at"][0]
    response = _post_json(client, _mark_url(running, entry), {**MARK, "presence": "sleeping"})
    assert response.status_code == 400
    assert "presence" in response.json()["errors"]
    entry.refresh_from_db()
    assert entry.presence == "present"


def test_mark_on_a_finished_visit_answers_409(client, inspector, running):
    Visit.objects.filter(pk=running.pk).update(status="finished", finished_at=STARTED)
    client.force_login(inspector)
    response = _post_json(client, _mark_url(running), {**MARK, "no_badge": True})
    assert response.status_code == 409
    assert "không còn diễn ra" in response.json()["errors"]["__all__"][0]


def test_mark_of_an_entry_of_another_visit_is_404(client, inspector, unit_b, running):
    factories.staff(unit_b)
    other = factories.started_visit(unit_b, by=inspector)
    client.force_login(inspector)
    url = reverse("inspections:roll_mark", args=[running.pk, other.roll.get().pk])
    assert _post_json(client, url, MARK).status_code == 404


def test_mark_with_a_broken_body_is_400(client, inspector, running):
    client.force_login(inspector)
    response = client.post(_mark_url(running), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_plain_form_mark_saves_and_returns_to_the_person(client, inspector, running):
    client.force_login(inspector)
    entry = _entry(running)
    response = client.post(
        _mark_url(running, entry),
        {"presence": "absent_without_reason", "note": "Không báo"},
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#entry-{entry.pk}")
    entry.refresh_from_db()
    assert (entry.presence, entry.note) == ("absent_without_reason", "Không báo")


def test_plain_form_mark_with_bad_input_shows_the_message_on_the_card(client, inspector, running):
    client.force_login(inspector)
    entry = _entry(running)
    response = client.post(
        _mark_url(running, entry), {"presence": "late", "arrived_at": "", "no_badge": "on"}
    )
    assert response.status_code == 400
    assert "Nhập giờ đến của người đi muộn" in response.text
    row = next(r for r in response.context["rows"] if r["entry"].pk == entry.pk)
    assert row["values"]["presence"] == "late" and row["values"]["no_badge"] is True
    entry.refresh_from_db()
    assert (entry.presence, entry.badge_worn) == ("present", True)


def test_checklist_answer_by_script_and_by_form(client, inspector, running):
    client.force_login(inspector)
    answer = running.checklist.get(item__code="work_diaries")
    url = reverse("inspections:checklist_answer", args=[running.pk, answer.pk])
    response = _post_json(client, url, {"answer": "no", "note": "Sổ bỏ trống"})
    assert response.json() == {"ok": True}
    answer.refresh_from_db()
    assert (answer.answer, answer.note) == ("no", "Sổ bỏ trống")
    assert _post_json(client, url, {"answer": "perhaps"}).status_code == 400
    response = client.post(url, {"answer": "yes", "note": ""})
    assert response.url.endswith(f"#answer-{answer.pk}")
    answer.refresh_from_db()
    assert answer.answer == "yes"


def test_checklist_answer_of_another_visit_is_404(client, inspector, unit_b, running):
    other = factories.started_visit(unit_b, by=inspector)
    client.force_login(inspector)
    url = reverse("inspections:checklist_answer", args=[running.pk, other.checklist.first().pk])
    assert client.post(url, {"answer": "yes"}).status_code == 404


def test_add_someone_who_joined_after_the_start(client, inspector, unit_a, running):
    joiner = factories.staff(unit_a, full_name="Trần Mới Đến")
    client.force_login(inspector)
    response = client.get(reverse("inspections:roll", args=[running.pk]))
    assert "Trần Mới Đến" in response.text  # offered in the add form
    response = client.post(reverse("inspections:roll_add", args=[running.pk]), {"staff": joiner.pk})
    assert response.status_code == 302
    assert running.roll.filter(staff=joiner).exists()


def test_adding_staff_of_another_unit_to_the_roll_is_refused(client, inspector, unit_b, running):
    stranger = factories.staff(unit_b)
    client.force_login(inspector)
    response = client.post(
        reverse("inspections:roll_add", args=[running.pk]), {"staff": stranger.pk}, follow=True
    )
    assert "Hãy chọn một lựa chọn hợp lệ" in response.text
    assert not running.roll.filter(staff=stranger).exists()
