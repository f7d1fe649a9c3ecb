import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from discipline import selectors
from discipline.demo import DEMO_PASSWORD
from discipline.models import Letter, LetterReport, Register, Violation
from inspections.models import Feedback, Visit
from units.models import DiaryEntry, Staff, Task, Unit
from units.selectors import units_visible_to


@pytest.fixture
def demo(db):
    call_command("loaddemo", "--force", verbosity=0)


def _snapshot():
    return (
        Unit.objects.count(),
        Staff.objects.count(),
        Violation.objects.count(),
        Visit.objects.count(),
        User.objects.count(),
        sorted(Violation.objects.values_list("pk", "status")),
        Task.objects.count(),
        DiaryEntry.objects.count(),
        Feedback.objects.count(),
        sorted(Letter.objects.values_list("pk", "status", "number")),
        sorted(Register.objects.values_list("year", "last_number")),
        LetterReport.objects.count(),
    )


def test_loaddemo_twice_changes_nothing(demo):
    before = _snapshot()
    call_command("loaddemo", "--force", verbosity=0)
    assert _snapshot() == before


def test_loaddemo_refuses_without_debug_unless_forced(db):
    with pytest.raises(CommandError):
        call_command("loaddemo", verbosity=0)


def test_demo_district_has_the_directives_shape(demo):
    assert Unit.objects.get(code="VP").name.startswith("Văn phòng HĐND và UBND")
    assert Unit.objects.get(code="NV").name == "Phòng Nội vụ"
    assert Unit.objects.filter(kind="commune").count() == 10
    assert 250 <= Staff.objects.count() <= 350
    statuses = set(Violation.objects.values_list("status", flat=True))
    assert statuses == set(Violation.Status.values)


def test_every_demo_login_works(client, demo):
    for username in ["admin", "inspector", "unithead", "chief", "leader", "canbo"]:
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
        client.logout()


def test_demo_unithead_sees_only_khanh_hung(demo):
    unithead = User.objects.get(username="unithead")
    assert [u.code for u in units_visible_to(unithead)] == ["KH"]
    inspector = User.objects.get(username="inspector")
    assert units_visible_to(inspector).count() == Unit.objects.count()


def test_demo_has_finished_visits_with_checklist_and_minutes(client, demo):
    finished = Visit.objects.filter(status=Visit.Status.FINISHED)
    assert finished.count() >= 10
    for visit in finished:
        assert visit.checklist.count() == 6
        assert visit.roll.exists()
        assert visit.unit_representative
    answers = set(finished.values_list("checklist__answer", flat=True))
    assert answers == {"yes", "no", "not_checked"}
    from_visits = Violation.objects.filter(source="visit")
    assert from_visits.exists()
    assert not from_visits.filter(roll_entry__isnull=True).exists()
    client.force_login(User.objects.get(username="inspector"))
    visit = finished.filter(violations__isnull=False).first()
    response = client.get(f"/visits/{visit.pk}/minutes/")
    assert response.status_code == 200
    assert "BIÊN BẢN" in response.text


def test_demo_has_tasks_diaries_and_feedback_to_show(demo):
    from django.utils import timezone

    canbo = User.objects.get(username="canbo")
    assert canbo.staff.unit.code == "KH"
    assert not canbo.groups.exists() and not canbo.is_staff
    assert set(Task.objects.values_list("status", flat=True)) == set(Task.Status.values)
    assert Task.objects.overdue().filter(unit__code="KH").count() >= 2
    assert Task.objects.filter(assignee=canbo.staff).exists()
    assert Violation.objects.filter(source="task", task__isnull=False).count() == 1
    assert Violation.objects.filter(source="feedback", feedback__isnull=False).count() == 1
    assert Staff.objects.get(unit__code="KH", assigns_tasks=True).position == "Phó Chủ tịch UBND"
    # Several people keep diaries over the last weeks, one with a correction; none today yet.
    assert DiaryEntry.objects.values("staff").distinct().count() >= 6
    assert DiaryEntry.objects.filter(corrects__isnull=False, staff=canbo.staff).count() == 1
    assert not DiaryEntry.objects.filter(day__gte=timezone.localdate()).exists()
    assert set(Feedback.objects.values_list("status", flat=True)) == set(Feedback.Status.values)
    assert Feedback.objects.filter(category="praise", unit__code="KH").count() >= 3


def test_demo_has_last_years_letters_and_a_draft_so_this_year_starts_at_01(demo):
    year = timezone.localdate().year
    assert list(Register.objects.values_list("year", "last_number")) == [(year - 1, 3)]
    statuses = sorted(Letter.objects.values_list("status", flat=True))
    assert statuses == ["answered", "closed", "draft", "issued"]
    overdue = Letter.objects.overdue(timezone.localdate()).get()
    assert overdue.number_display == "03"
    assert LetterReport.objects.filter(submitted_by__username="unithead").count() == 2


def test_demo_chief_is_proposed_a_letter_for_the_khanh_hung_repeat_offender(demo):
    chief = User.objects.get(username="chief")
    repeat = [
        p
        for p in selectors.letter_proposals(chief)
        if p.staff is not None and p.unit.code == "KH" and p.rule.letter_kind == "self_review"
    ]
    assert len(repeat) == 1
    assert repeat[0].state == "new"
    assert len(repeat[0].violations) >= 3


def test_demo_has_decisions_one_capping_this_year(demo):
    from discipline.models import Decision

    decisions = list(Decision.objects.order_by("decided_on"))
    assert [d.form for d in decisions] == ["reprimand", "warning"]
    assert decisions[0].year == timezone.localdate().year - 1
    assert decisions[1].year == timezone.localdate().year
    assert all(d.violations.exists() for d in decisions)


def test_loaddemo_adds_decisions_to_an_older_demo_once(demo):
    from discipline.models import Decision

    Decision.violations.through.objects.all().delete()
    Decision.objects.all().delete()
    call_command("loaddemo", "--force", verbosity=0)
    assert Decision.objects.count() == 2
    call_command("loaddemo", "--force", verbosity=0)
    assert Decision.objects.count() == 2
