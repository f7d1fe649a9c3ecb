import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inspections import services
from inspections.models import ChecklistAnswer, ChecklistItem, RollEntry, Visit
from tests import factories

STARTED = factories.local(2026, 3, 5, 7, 20)


@pytest.fixture
def planned(unit_a, inspector):
    return factories.visit(unit_a, by=inspector)


@pytest.fixture
def running(unit_a, inspector):
    for _ in range(3):
        factories.staff(unit_a)
    return factories.started_visit(unit_a, by=inspector, started_at=STARTED)


def _mark(entry, by, **changes):
    values = {
        "presence": RollEntry.Presence.PRESENT,
        "arrived_at": None,
        "badge_worn": True,
        "dress_proper": True,
        "alcohol_suspected": False,
        "note": "",
    }
    values.update(changes)
    return services.mark_roll_entry(entry=entry, by=by, **values)


# --- plan ------------------------------------------------------------------------------------


def test_plan_visit_refuses_a_team_member_of_another_authority(unit_a, inspector, other_inspector):
    with pytest.raises(ValidationError) as error:
        factories.visit(unit_a, by=inspector, team=[other_inspector.staff])
    assert "team" in error.value.message_dict
    assert not Visit.objects.exists()


def test_plan_visit_of_another_authoritys_unit_is_refused(other_unit, inspector):
    with pytest.raises(PermissionDenied):
        factories.visit(other_unit, by=inspector)


# --- start -------------------------------------------------------------------------------------


def test_start_puts_every_active_staff_member_on_the_roll_as_present(
    unit_a, unit_b, inspector, planned
):
    present = [factories.staff(unit_a), factories.staff(unit_a)]
    factories.staff(unit_a, is_active=False)
    factories.staff(unit_b)
    visit = services.start_visit(visit=planned, by=inspector)
    assert visit.status == Visit.Status.IN_PROGRESS
    assert visit.started_at is not None
    roll = list(visit.roll.all())
    assert {entry.staff_id for entry in roll} == {person.pk for person in present}
    assert {entry.presence for entry in roll} == {RollEntry.Presence.PRESENT}
    assert all(e.badge_worn and e.dress_proper and not e.alcohol_suspected for e in roll)
    record = visit.history.first()
    assert (record.history_user, record.history_change_reason) == (inspector, "started")
    assert roll[0].history.get().history_user == inspector


def test_start_opens_an_unanswered_checklist_of_the_active_items(inspector, planned):
    ChecklistItem.objects.filter(code="citizen_reception").update(is_active=False)
    visit = services.start_visit(visit=planned, by=inspector)
    codes = list(visit.checklist.values_list("item__code", flat=True))
    assert codes == [
        "work_diaries",
        "working_regulations",
        "task_assignment",
        "periodic_reports",
        "badges_worn",
    ]
    assert set(visit.checklist.values_list("answer", flat=True)) == {"not_checked"}


def test_starting_twice_is_refused_and_changes_nothing(inspector, running):
    started_at, count = running.started_at, running.roll.count()
    with pytest.raises(services.VisitError) as error:
        services.start_visit(visit=running, by=inspector)
    assert "kế hoạch" in str(error.value)
    running.refresh_from_db()
    assert (running.started_at, running.roll.count()) == (started_at, count)


def test_start_in_the_future_is_refused(inspector, planned):
    with pytest.raises(ValidationError):
        services.start_visit(
            visit=planned, by=inspector, started_at=timezone.now() + datetime.timedelta(hours=1)
        )
    planned.refresh_from_db()
    assert planned.status == Visit.Status.PLANNED
    assert not planned.roll.exists()


def test_inspector_of_another_authority_cannot_start(other_inspector, planned):
    with pytest.raises(PermissionDenied):
        services.start_visit(visit=planned, by=other_inspector)
    planned.refresh_from_db()
    assert planned.status == Visit.Status.PLANNED


# --- mark --------------------------------------------------------------------------------------


def test_mark_late_with_arrival_time_is_saved_with_history(inspector, running):
    entry = running.roll.first()
    arrival = factories.local(2026, 3, 5, 7, 45)
    _mark(entry, inspector, presence="late", arrived_at=arrival, note="  kẹt xe  ")
    entry.refresh_from_db()
    assert (entry.presence, entry.arrived_at, entry.note) == ("late", arrival, "kẹt xe")
    record = entry.history.order_by("-history_id").first()
    assert (record.history_user, record.history_change_reason) == (inspector, "marked")


def test_mark_late_without_arrival_time_is_refused(inspector, running):
    entry = running.roll.first()
    with pytest.raises(ValidationError) as error:
        _mark(entry, inspector, presence="late")
    assert "giờ đến" in error.value.message_dict["arrived_at"][0]
    entry.refresh_from_db()
    assert entry.presence == "present"


def test_arrival_before_the_visit_started_is_refused_and_nothing_saved(inspector, running):
    entry = running.roll.first()
    with pytest.raises(ValidationError) as error:
        _mark(
            entry,
            inspector,
            presence="late",
            arrived_at=factories.local(2026, 3, 5, 7, 19),
            badge_worn=False,
        )
    assert "07:20" in error.value.message_dict["arrived_at"][0]
    entry.refresh_from_db()
    assert (entry.presence, entry.badge_worn) == ("present", True)


def test_arrival_in_the_same_minute_as_the_start_is_accepted(inspector, unit_a):
    factories.staff(unit_a)
    visit = factories.started_visit(
        unit_a,
        by=inspector,
        started_at=factories.local(2026, 3, 5, 7, 20) + datetime.timedelta(seconds=40),
    )
    entry = visit.roll.first()
    _mark(entry, inspector, presence="late", arrived_at=factories.local(2026, 3, 5, 7, 20))
    entry.refresh_from_db()
    assert entry.presence == "late"


def test_arrival_in_the_future_is_refused(inspector, running):
    entry = running.roll.first()
    with pytest.raises(ValidationError) as error:
        _mark(
            entry,
            inspector,
            presence="late",
            arrived_at=timezone.now() + datetime.timedelta(minutes=5),
        )
    assert "tương lai" in error.value.message_dict["arrived_at"][0]
    entry.refresh_from_db()
    assert entry.presence == "present"


def test_marking_someone_away_clears_what_only_someone_present_can_show(inspector, running):
    entry = running.roll.first()
    _mark(
        entry,
        inspector,
        presence="on_leave",
        arrived_at=factories.local(2026, 3, 5, 7, 40),
        badge_worn=False,
        dress_proper=False,
        alcohol_suspected=True,
    )
    entry.refresh_from_db()
    assert entry.presence == "on_leave"
    assert entry.arrived_at is None
    assert (entry.badge_worn, entry.dress_proper, entry.alcohol_suspected) == (True, True, False)


def test_sending_the_same_mark_twice_gives_the_same_result(inspector, running):
    entry = running.roll.first()
    for _ in range(2):
        _mark(entry, inspector, badge_worn=False, note="Không đeo thẻ")
    entry.refresh_from_db()
    assert (entry.badge_worn, entry.note) == (False, "Không đeo thẻ")
    assert RollEntry.objects.filter(visit=running).count() == 3


@pytest.mark.parametrize("status", ["planned", "finished", "cancelled"])
def test_marks_are_refused_unless_the_visit_is_in_progress(inspector, running, status):
    entry = running.roll.first()
    Visit.objects.filter(pk=running.pk).update(status=status, cancel_reason="x")
    with pytest.raises(services.VisitError):
        _mark(entry, inspector, badge_worn=False)
    entry.refresh_from_db()
    assert entry.badge_worn is True


def test_a_unit_head_cannot_mark(unit_head_b, running):
    with pytest.raises(PermissionDenied):
        _mark(running.roll.first(), unit_head_b, badge_worn=False)


# --- add to roll -------------------------------------------------------------------------------


def test_someone_who_joined_after_the_start_can_be_added(inspector, unit_a, running):
    joiner = factories.staff(unit_a)
    entry = services.add_roll_entry(visit=running, staff=joiner, by=inspector)
    assert (entry.visit, entry.presence) == (running, "present")


def test_a_roll_entry_for_staff_of_another_unit_is_refused_and_nothing_saved(
    inspector, unit_b, running
):
    stranger = factories.staff(unit_b)
    with pytest.raises(ValidationError) as error:
        services.add_roll_entry(visit=running, staff=stranger, by=inspector)
    assert "không làm việc tại đơn vị" in error.value.message_dict["staff"][0]
    assert not running.roll.filter(staff=stranger).exists()


def test_the_same_person_cannot_be_on_the_roll_twice(inspector, running):
    with pytest.raises(ValidationError):
        services.add_roll_entry(visit=running, staff=running.roll.first().staff, by=inspector)
    assert running.roll.count() == 3


# --- checklist ---------------------------------------------------------------------------------


def test_answer_checklist_item(inspector, running):
    answer = running.checklist.get(item__code="work_diaries")
    services.answer_checklist(answer=answer, by=inspector, value="no", note="2 sổ chưa ghi")
    answer.refresh_from_db()
    assert (answer.answer, answer.note) == ("no", "2 sổ chưa ghi")
    assert answer.history.order_by("-history_id").first().history_user == inspector


def test_a_bad_checklist_answer_is_refused(inspector, running):
    answer = running.checklist.first()
    with pytest.raises(ValidationError):
        services.answer_checklist(answer=answer, by=inspector, value="maybe")
    answer.refresh_from_db()
    assert answer.answer == ChecklistAnswer.Answer.NOT_CHECKED


def test_checklist_of_a_cancelled_visit_is_frozen(inspector, running):
    services.cancel_visit(visit=running, by=inspector, reason="Đoàn được triệu tập họp")
    with pytest.raises(services.VisitError):
        services.answer_checklist(answer=running.checklist.first(), by=inspector, value="yes")


# --- cancel and change -------------------------------------------------------------------------


def test_cancel_a_planned_visit_keeps_it_with_the_reason(inspector, planned):
    services.cancel_visit(visit=planned, by=inspector, reason="  Trùng lịch họp  ")
    planned.refresh_from_db()
    assert (planned.status, planned.cancel_reason) == ("cancelled", "Trùng lịch họp")
    assert planned.history.first().history_change_reason == "cancelled"


def test_cancel_a_visit_in_progress_freezes_its_roll(inspector, running):
    services.cancel_visit(visit=running, by=inspector, reason="Mất điện toàn xã")
    with pytest.raises(services.VisitError):
        _mark(running.roll.first(), inspector, badge_worn=False)


def test_cancel_needs_a_reason(inspector, planned):
    with pytest.raises(services.VisitError):
        services.cancel_visit(visit=planned, by=inspector, reason=" ")
    planned.refresh_from_db()
    assert planned.status == "planned"


@pytest.mark.parametrize("status", ["finished", "cancelled"])
def test_a_closed_visit_cannot_be_cancelled_or_changed(inspector, planned, status):
    Visit.objects.filter(pk=planned.pk).update(
        status=status, cancel_reason="x", started_at=STARTED, finished_at=STARTED
    )
    with pytest.raises(services.VisitError):
        services.cancel_visit(visit=planned, by=inspector, reason="lần nữa")
    with pytest.raises(services.VisitError):
        services.change_visit_plan(
            visit=planned,
            by=inspector,
            kind="thematic",
            planned_date=planned.planned_date,
            lead_inspector=inspector.staff,
            team=[],
        )
    planned.refresh_from_db()
    assert (planned.status, planned.kind) == (status, "regular")


def test_change_visit_plan_records_who_changed_it(inspector, planned, home_affairs):
    colleague = factories.staff(home_affairs)
    services.change_visit_plan(
        visit=planned,
        by=inspector,
        kind="unannounced",
        planned_date=planned.planned_date + datetime.timedelta(days=1),
        lead_inspector=inspector.staff,
        team=[colleague],
        summary="Kiểm tra đột xuất",
    )
    planned.refresh_from_db()
    assert planned.kind == "unannounced"
    assert list(planned.team.all()) == [colleague]
    assert planned.history.first().history_change_reason == "edited"
