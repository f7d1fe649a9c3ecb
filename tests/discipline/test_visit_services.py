"""Finishing a visit (findings → violations, unit head told, roll frozen) and its evidence."""

from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from discipline import services
from discipline.models import Evidence, Violation
from inspections.models import RollEntry, Visit
from inspections.services import VisitError, cancel_visit, mark_roll_entry
from tests import factories
from units.models import Notification

STARTED = factories.local(2026, 3, 5, 6, 55)  # before work starts at 07:00 (5 minutes' grace)


@pytest.fixture
def people(unit_a):
    names = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải"]
    return {name: factories.staff(unit_a, full_name=f"Nguyễn Văn {name}") for name in names}


@pytest.fixture
def running(unit_a, inspector, people):
    return factories.started_visit(unit_a, by=inspector, started_at=STARTED)


def _entry(visit, person):
    return RollEntry.objects.get(visit=visit, staff=person)


def _mark(visit, person, by, **changes):
    values = {
        "presence": "present",
        "arrived_at": None,
        "badge_worn": True,
        "dress_proper": True,
        "alcohol_suspected": False,
        "note": "",
    }
    values.update(changes)
    return mark_roll_entry(entry=_entry(visit, person), by=by, **values)


@pytest.fixture
def findings(running, people, inspector):
    """One of each finding, plus marks that are not violations."""
    late = factories.local(2026, 3, 5, 7, 40)
    within_grace = factories.local(2026, 3, 5, 7, 4)
    _mark(running, people["An"], inspector, presence="late", arrived_at=late)
    _mark(running, people["Bình"], inspector, presence="late", arrived_at=within_grace)
    _mark(running, people["Cường"], inspector, presence="absent_without_reason")
    _mark(running, people["Dũng"], inspector, presence="absent_on_duty")
    _mark(running, people["Giang"], inspector, presence="on_leave")
    _mark(running, people["Hà"], inspector, badge_worn=False, dress_proper=False, note="Áo thun")
    _mark(running, people["Hải"], inspector, alcohol_suspected=True)
    return running


def _violations(visit):
    return sorted(
        Violation.objects.filter(visit=visit).values_list("staff__full_name", "type__code")
    )


EXPECTED = [
    ("Nguyễn Văn An", "late_early"),
    ("Nguyễn Văn Cường", "absent"),
    ("Nguyễn Văn Hà", "improper_dress"),
    ("Nguyễn Văn Hà", "no_badge"),
    ("Nguyễn Văn Hải", "alcohol"),
]


def test_finish_turns_each_finding_into_one_violation_of_the_right_type(
    inspector, unit_a, findings
):
    recorded = services.finish_visit(
        visit=findings, by=inspector, summary="Đề nghị chấn chỉnh", unit_representative="Ông A"
    )
    assert len(recorded) == 5
    assert _violations(findings) == EXPECTED
    for violation in Violation.objects.filter(visit=findings).select_related("roll_entry"):
        assert violation.unit_id == unit_a.pk
        assert violation.source == Violation.Source.VISIT
        assert violation.roll_entry.staff_id == violation.staff_id
        assert violation.recorded_by_id == inspector.pk


def test_late_violation_happened_at_arrival_and_says_so(inspector, findings):
    services.finish_visit(visit=findings, by=inspector)
    late = Violation.objects.get(visit=findings, type__code="late_early")
    assert late.occurred_at == factories.local(2026, 3, 5, 7, 40)
    assert "07:40" in late.description and "07:00" in late.description
    badge = Violation.objects.get(visit=findings, type__code="no_badge")
    assert badge.occurred_at == STARTED
    assert "Áo thun" in badge.description


def test_finish_notifies_the_unit_head_in_app_and_by_email(
    inspector, unit_head_a, findings, django_capture_on_commit_callbacks
):
    unit_head_a.email = "head_a@example.test"
    unit_head_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.finish_visit(visit=findings, by=inspector)
    statuses = set(Violation.objects.filter(visit=findings).values_list("status", flat=True))
    assert statuses == {Violation.Status.NOTIFIED}
    assert all(v.response_due for v in Violation.objects.filter(visit=findings))
    notice = Notification.objects.get(user=unit_head_a)
    assert "5" in notice.subject
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["head_a@example.test"]


def test_finish_freezes_the_visit_its_roll_and_checklist(inspector, findings, people):
    services.finish_visit(visit=findings, by=inspector, unit_representative="Bà B, Phó Chủ tịch")
    findings.refresh_from_db()
    assert findings.status == Visit.Status.FINISHED
    assert findings.finished_at >= findings.started_at
    assert findings.unit_representative == "Bà B, Phó Chủ tịch"
    assert findings.history.first().history_change_reason == "finished"
    with pytest.raises(VisitError):
        _mark(findings, people["An"], inspector)
    with pytest.raises(VisitError):
        from inspections.services import answer_checklist

        answer_checklist(answer=findings.checklist.first(), by=inspector, value="yes")


def test_finishing_twice_is_refused_and_records_nothing_more(inspector, findings):
    services.finish_visit(visit=findings, by=inspector)
    with pytest.raises(VisitError) as error:
        services.finish_visit(visit=findings, by=inspector)
    assert "đã kết thúc" in str(error.value)
    assert Violation.objects.filter(visit=findings).count() == 5


def test_finishing_a_visit_that_never_started_is_refused(inspector, unit_a):
    planned = factories.visit(unit_a, by=inspector)
    with pytest.raises(VisitError) as error:
        services.finish_visit(visit=planned, by=inspector)
    assert "chưa bắt đầu" in str(error.value)
    planned.refresh_from_db()
    assert planned.status == Visit.Status.PLANNED


def test_finishing_a_cancelled_visit_is_refused(inspector, findings):
    cancel_visit(visit=findings, by=inspector, reason="Trùng lịch")
    with pytest.raises(VisitError):
        services.finish_visit(visit=findings, by=inspector)
    assert not Violation.objects.exists()


def test_finish_is_all_or_nothing(inspector, findings):
    with (
        mock.patch.object(services, "notify_unit_heads", side_effect=RuntimeError("mail down")),
        pytest.raises(RuntimeError),
    ):
        services.finish_visit(visit=findings, by=inspector)
    findings.refresh_from_db()
    assert findings.status == Visit.Status.IN_PROGRESS
    assert not Violation.objects.exists()


def test_finish_without_findings_records_nothing_and_tells_nobody(inspector, unit_head_a, running):
    assert services.finish_visit(visit=running, by=inspector) == []
    assert not Violation.objects.exists()
    assert not Notification.objects.exists()


def test_recording_findings_twice_never_duplicates_a_violation(inspector, findings):
    first = services.record_visit_findings(visit=findings, by=inspector)
    again = services.record_visit_findings(visit=findings, by=inspector)
    assert (len(first), again) == (5, [])
    services.finish_visit(visit=findings, by=inspector)
    assert _violations(findings) == EXPECTED


def test_inspector_of_another_authority_cannot_finish(other_inspector, findings):
    with pytest.raises(PermissionDenied):
        services.finish_visit(visit=findings, by=other_inspector)
    assert not Violation.objects.exists()


# --- evidence ----------------------------------------------------------------------------------


def test_photo_attached_to_one_person_on_the_roll(inspector, findings, people):
    entry = _entry(findings, people["Hà"])
    png = factories.tiny_png()
    evidence = services.attach_evidence(
        upload=SimpleUploadedFile("IMG_0001.png", png), by=inspector, roll_entry=entry
    )
    assert (evidence.visit, evidence.roll_entry) == (findings, entry)
    assert evidence.content_type == "image/png"
    assert evidence.size == len(png)
    import hashlib

    assert evidence.sha256 == hashlib.sha256(png).hexdigest()
    assert "IMG_0001" not in evidence.file.name  # stored under a random name


def test_evidence_for_a_person_on_another_visits_roll_is_refused(
    inspector, findings, unit_a, people
):
    other = factories.started_visit(unit_a, by=inspector)
    with pytest.raises(ValidationError):
        services.attach_evidence(
            upload=SimpleUploadedFile("a.png", factories.tiny_png()),
            by=inspector,
            visit=other,
            roll_entry=_entry(findings, people["An"]),
        )
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("status", ["planned", "finished"])
def test_evidence_is_taken_only_while_the_visit_runs(inspector, unit_a, findings, status):
    if status == "planned":
        visit = factories.visit(unit_a, by=inspector, kind="thematic")
    else:
        services.finish_visit(visit=findings, by=inspector)
        visit = findings
    with pytest.raises(VisitError):
        services.attach_evidence(
            upload=SimpleUploadedFile("a.png", factories.tiny_png()), by=inspector, visit=visit
        )
    assert not Evidence.objects.exists()


def test_violation_descriptions_are_in_vietnamese_whatever_the_users_language(inspector, findings):
    from django.utils import translation

    with translation.override("en"):
        services.finish_visit(visit=findings, by=inspector)
    late = Violation.objects.get(visit=findings, type__code="late_early")
    assert late.description.startswith("Đến lúc 07:40")
