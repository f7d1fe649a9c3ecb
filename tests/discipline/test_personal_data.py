"""Personal data: the access log of people's records, the export of one person's record for a
data-subject request, and the purge of what the retention period has run out on."""

import datetime
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from discipline import services
from discipline.models import Evidence, RecordAccess, Violation
from discipline.personal_data import ERASED, personal_record, purge_expired
from inspections.models import Feedback
from tests import factories
from units.models import DiaryEntry, Notification, Staff

MINE = reverse("discipline:my_record")
EXPORT = reverse("discipline:my_record_export")


def login(client, user):
    client.force_login(user)
    return client


def accesses():
    return list(
        RecordAccess.objects.order_by("pk").values_list("user__username", "staff_id", "view")
    )


# --- the access log ------------------------------------------------------------------------------


def test_opening_a_violation_page_is_logged_with_who_whose_and_which_page(
    client, inspector, violation_a
):
    assert login(client, inspector).get(violation_a.get_absolute_url()).status_code == 200
    access = RecordAccess.objects.get()
    assert (access.user, access.staff, access.violation) == (
        inspector,
        violation_a.staff,
        violation_a,
    )
    assert access.view == "violation_detail"
    assert timezone.now() - access.accessed_at < datetime.timedelta(minutes=1)


def test_an_out_of_scope_violation_page_logs_nothing(client, unit_head_b, violation_a):
    assert login(client, unit_head_b).get(violation_a.get_absolute_url()).status_code == 404
    assert not RecordAccess.objects.exists()


def test_my_record_is_logged_as_the_person_opening_their_own_record(client, staff_member):
    login(client, staff_member).get(MINE)
    assert accesses() == [("staff_a", staff_member.staff.pk, "my_record")]


def test_the_list_filtered_to_one_person_is_logged(client, inspector, violation_a):
    login(client, inspector).get(reverse("discipline:violation_list"))
    assert not RecordAccess.objects.exists()
    client.get(reverse("discipline:violation_list"), {"staff": violation_a.staff_id})
    assert accesses() == [("inspector", violation_a.staff_id, "violation_list")]


def test_evidence_download_is_logged(client, inspector, violation_a):
    evidence = services.attach_evidence(
        upload=SimpleUploadedFile("a.png", factories.tiny_png()),
        by=inspector,
        violation=violation_a,
    )
    login(client, inspector).get(evidence.get_absolute_url())
    assert accesses() == [("inspector", violation_a.staff_id, "evidence_download")]


def test_admin_violation_and_staff_pages_are_logged(client, administrator, violation_a):
    login(client, administrator)
    client.get(reverse("admin:discipline_violation_change", args=[violation_a.pk]))
    client.get(reverse("admin:units_staff_change", args=[violation_a.staff_id]))
    assert accesses() == [
        ("admin_a", violation_a.staff_id, "admin_violation"),
        ("admin_a", violation_a.staff_id, "admin_staff"),
    ]


def test_administrators_read_the_access_log_in_the_admin_read_only(
    client, administrator, inspector, violation_a, other_inspector, other_unit
):
    login(client, inspector).get(violation_a.get_absolute_url())
    other = factories.violation(factories.staff(other_unit), by=other_inspector)
    login(client, other_inspector).get(other.get_absolute_url())
    changelist = reverse("admin:discipline_recordaccess_changelist")
    response = login(client, administrator).get(changelist)
    assert response.status_code == 200
    # Their own Authority's rows only.
    assert list(response.context["cl"].queryset) == list(
        RecordAccess.objects.filter(staff=violation_a.staff)
    )
    row = RecordAccess.objects.get(staff=violation_a.staff)
    change = client.get(reverse("admin:discipline_recordaccess_change", args=[row.pk]))
    assert change.status_code == 200
    assert b'name="view"' not in change.content  # shown, not editable
    assert client.post(reverse("admin:discipline_recordaccess_add")).status_code == 403
    delete = reverse("admin:discipline_recordaccess_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RecordAccess.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("persona", ["inspector", "unit_head_a", "office_chief", "leader"])
def test_other_roles_do_not_read_the_access_log(db, client, request, persona):
    user = request.getfixturevalue(persona)
    response = login(client, user).get(reverse("admin:discipline_recordaccess_changelist"))
    assert response.status_code in (302, 403)


# --- the export ----------------------------------------------------------------------------------


@pytest.fixture
def rich_record(staff_member, inspector, unit_head_a, unit_a, chief, office_chief, administrator):
    """A person with a disputed-then-upheld violation with evidence, a letter citing it, a
    task, a diary entry and feedback naming them; and a colleague with a violation."""
    person = staff_member.staff
    violation = factories.violation(person, by=inspector, description="Đến muộn 40 phút.")
    services.notify_unit_heads(violations=[violation], by=inspector)
    services.dispute_violation(
        violation=violation,
        by=unit_head_a,
        explanation="Đi họp ở huyện.",
        evidence=[SimpleUploadedFile("giay-moi.png", factories.tiny_png())],
    )
    services.rule_on_violation(
        violation=violation, by=inspector, outcome="upheld", reason="Không có giấy mời."
    )
    services.acknowledge_violation(
        violation=violation, by=unit_head_a, corrective_action="Kiểm điểm."
    )
    letter = services.draft_letter(kind="reminder", violations=[violation], by=chief)
    services.record_decision(
        staff=person,
        form="reprimand",
        number="12/QĐ-UBND",
        decided_on=timezone.localdate(),
        decided_by="Chủ tịch UBND huyện",
        signer_name="Nguyễn Văn Thành",
        signer_position="Chủ tịch",
        violations=[violation],
        by=administrator,
    )
    factories.task(person, by=unit_head_a, title="Rà soát hồ sơ")
    factories.diary_entry(person, day=timezone.localdate(), text="Tiếp dân buổi sáng.")
    factories.feedback(unit_a, staff=person, text="Thái độ chưa tốt.", contact="0912 345 678")
    colleague = factories.violation(factories.staff(unit_a), by=inspector)
    return {"person": person, "violation": violation, "letter": letter, "colleague": colleague}


def test_a_person_downloads_everything_held_about_them(client, staff_member, rich_record):
    login(client, staff_member).get(rich_record["violation"].get_absolute_url())
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["staff"]["full_name"] == staff_member.staff.full_name
    assert data["login"]["username"] == "staff_a"
    (violation,) = data["violations"]
    assert violation["id"] == rich_record["violation"].pk
    assert violation["explanation"] == "Đi họp ở huyện."
    assert violation["ruling_reason"] == "Không có giấy mời."
    assert violation["corrective_action"] == "Kiểm điểm."
    assert [step["history_change_reason"] for step in violation["history"]][:3] == [
        "recorded",
        "notified",
        "disputed",
    ]
    assert violation["evidence"][0]["original_name"] == "giay-moi.png"
    assert "file" not in violation["evidence"][0]
    assert [letter["id"] for letter in data["letters"]] == [rich_record["letter"].pk]
    (decision,) = data["decisions"]
    assert decision["number"] == "12/QĐ-UBND"
    assert decision["violation_ids"] == [rich_record["violation"].pk]
    assert [task["title"] for task in data["tasks"]] == ["Rà soát hồ sơ"]
    assert [entry["text"] for entry in data["diary_entries"]] == ["Tiếp dân buổi sáng."]
    (feedback,) = data["feedback_naming_them"]
    assert feedback["text"] == "Thái độ chưa tốt."
    # The citizen's contact details are someone else's personal data.
    # (The whole number: "0912" alone turns up in a timestamp's microseconds now and then.)
    assert "contact" not in feedback and "0912 345 678" not in response.content.decode()
    assert [row["view"] for row in data["access_log"]] == ["violation_detail"]
    # The colleague's violation is not in it.
    assert rich_record["colleague"].pk not in [v["id"] for v in data["violations"]]


def test_the_export_is_logged_in_the_access_log_and_the_security_log(client, staff_member, caplog):
    caplog.set_level("INFO", logger="kycuong.security")
    login(client, staff_member).get(EXPORT)
    assert accesses() == [("staff_a", staff_member.staff.pk, "my_record_export")]
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kycuong.security"]
    assert {
        "event": "personal_record_exported",
        "user_id": staff_member.pk,
        "staff_id": staff_member.staff.pk,
    }.items() <= events[-1].items()


def test_a_login_without_a_staff_record_has_nothing_to_export(client, db):
    from django.contrib.auth.models import User

    keeper = User.objects.create_user("keeper")
    assert login(client, keeper).get(EXPORT).status_code == 404


def test_export_only_answers_get(client, staff_member):
    assert login(client, staff_member).post(EXPORT).status_code == 405


def test_my_record_links_to_the_export(client, staff_member):
    assert EXPORT in login(client, staff_member).get(MINE).content.decode()


def test_administrator_exports_one_person_from_the_admin(client, administrator, rich_record):
    person = rich_record["person"]
    response = login(client, administrator).post(
        reverse("admin:units_staff_changelist"),
        {"action": "export_personal_record", "_selected_action": [person.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["staff"]["id"] == person.pk
    assert accesses()[-1] == ("admin_a", person.pk, "admin_export")


def test_admin_export_of_two_people_is_refused_with_a_message(client, administrator, unit_a):
    people = [factories.staff(unit_a), factories.staff(unit_a)]
    response = login(client, administrator).post(
        reverse("admin:units_staff_changelist"),
        {"action": "export_personal_record", "_selected_action": [p.pk for p in people]},
        follow=True,
    )
    assert "đúng một người" in response.content.decode()
    assert not RecordAccess.objects.exists()


def test_unit_heads_cannot_export_from_the_admin(client, unit_head_a, unit_a):
    person = factories.staff(unit_a)
    response = login(client, unit_head_a).post(
        reverse("admin:units_staff_changelist"),
        {"action": "export_personal_record", "_selected_action": [person.pk]},
    )
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert not RecordAccess.objects.exists()


def test_admin_cannot_export_another_authoritys_person(
    client, administrator, other_unit, other_inspector
):
    person = factories.staff(other_unit)
    response = login(client, administrator).post(
        reverse("admin:units_staff_changelist"),
        {"action": "export_personal_record", "_selected_action": [person.pk]},
    )
    assert not response.get("Content-Disposition", "").startswith("attachment")


def test_personal_record_is_json_serialisable_for_a_person_without_login(unit_a):
    person = factories.staff(unit_a)
    data = personal_record(person)
    assert data["login"] is None and data["notifications"] == []
    json.dumps(data)


# --- the purge -----------------------------------------------------------------------------------

LONG_AGO = datetime.timedelta(days=365 * 11)


def _age(violation, **fields):
    Violation.objects.filter(pk=violation.pk).update(**fields)
    violation.refresh_from_db()
    return violation


@pytest.fixture
def old_and_new(inspector, unit_head_a, unit_a, staff_member):
    """Cases finished eleven years ago (closed, voided), one finished last year, one still open
    from eleven years ago, and old notices, diary entries and feedback."""
    old = timezone.now() - LONG_AGO
    person = factories.staff(unit_a)
    closed = factories.violation(person, by=inspector, description="Say rượu.")
    services.attach_evidence(
        upload=SimpleUploadedFile("a.png", factories.tiny_png()), by=inspector, violation=closed
    )
    services.notify_unit_heads(violations=[closed], by=inspector)
    services.acknowledge_violation(violation=closed, by=unit_head_a, corrective_action="Kiểm điểm.")
    services.close_violation(violation=closed, by=inspector)
    _age(closed, closed_at=old, occurred_at=old)
    voided = factories.violation(person, by=inspector, description="Nhầm người.")
    services.void_violation(violation=voided, by=inspector, reason="Ghi nhầm.")
    _age(voided, voided_at=old)
    recent = factories.violation(person, by=inspector, description="Gần đây.")
    services.void_violation(violation=recent, by=inspector, reason="Ghi nhầm.")
    still_open = _age(
        factories.violation(person, by=inspector, description="Chưa xong."), occurred_at=old
    )
    Notification.objects.create(user=staff_member, subject="Cũ")
    Notification.objects.filter(subject="Cũ").update(created_at=old)
    Notification.objects.create(user=staff_member, subject="Mới")
    factories.diary_entry(staff_member.staff, day=old.date(), text="Nhật ký cũ.")
    factories.diary_entry(staff_member.staff, day=timezone.localdate(), text="Nhật ký mới.")
    triaged = factories.feedback(
        unit_a,
        staff=person,
        contact="0912",
        status="dismissed",
        triage_note="Không đủ căn cứ.",
        triaged_at=old,
        submitted_at=old,
    )
    untriaged = factories.feedback(unit_a, staff=person, contact="0913", submitted_at=old)
    leaver = factories.staff(unit_a, full_name="Nguyễn Văn Đã Nghỉ", is_active=False)
    Staff.history.filter(id=leaver.pk).update(history_date=old)
    return locals()


def test_dry_run_counts_and_changes_nothing(old_and_new):
    before = list(Violation.objects.values_list("description", "void_reason"))
    report = purge_expired(dry_run=True)
    assert report.counts["violations"] == 2
    assert report.counts["evidence"] == 1
    assert report.counts["notifications"] == 1
    assert report.counts["diary entries"] == 1
    assert report.counts["citizen feedback"] == 1
    assert report.counts["staff anonymised"] == 1
    assert list(Violation.objects.values_list("description", "void_reason")) == before
    assert Evidence.objects.count() == 1 and Notification.objects.filter(subject="Cũ").exists()


def test_purge_erases_expired_cases_and_keeps_everything_inside_the_period(
    old_and_new, settings, django_capture_on_commit_callbacks
):
    evidence_path = Evidence.objects.get().file.path
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired()
    closed = Violation.objects.get(pk=old_and_new["closed"].pk)
    assert closed.description == ERASED and closed.corrective_action == ERASED
    assert closed.status == "closed" and closed.type_id  # the statistics stay
    assert not closed.history.exists()
    voided = Violation.objects.get(pk=old_and_new["voided"].pk)
    assert voided.void_reason == ERASED  # still non-empty: the constraint holds
    assert not Evidence.objects.exists()
    import os

    assert not os.path.exists(evidence_path)
    # Inside the period, or not finished: untouched.
    assert Violation.objects.get(pk=old_and_new["recent"].pk).description == "Gần đây."
    assert Violation.objects.get(pk=old_and_new["still_open"].pk).description == "Chưa xong."
    assert not Notification.objects.filter(subject="Cũ").exists()
    assert Notification.objects.filter(subject="Mới").exists()
    assert list(DiaryEntry.objects.values_list("text", flat=True)) == ["Nhật ký mới."]
    triaged = Feedback.objects.get(pk=old_and_new["triaged"].pk)
    assert (triaged.text, triaged.contact, triaged.staff) == (ERASED, "", None)
    assert Feedback.objects.get(pk=old_and_new["untriaged"].pk).contact == "0913"
    leaver = Staff.objects.get(pk=old_and_new["leaver"].pk)
    assert leaver.full_name == f"Cán bộ đã ẩn danh #{leaver.pk}"
    assert not Staff.history.filter(id=leaver.pk, full_name="Nguyễn Văn Đã Nghỉ").exists()
    # The person with an open case keeps their name.
    assert Staff.objects.get(pk=old_and_new["person"].pk).full_name != leaver.full_name


def test_purge_is_idempotent(old_and_new):
    purge_expired()
    assert sum(purge_expired().counts.values()) == 0


def test_retention_comes_from_the_setting(old_and_new, settings):
    settings.RETENTION_YEARS = 20
    assert sum(purge_expired(dry_run=True).counts.values()) == 0
    settings.RETENTION_YEARS = 10
    assert purge_expired(dry_run=True).counts["violations"] == 2


def test_purge_command_dry_run_and_real_run(old_and_new):
    out = StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    assert "would be erased" in out.getvalue()
    assert "violations: 2" in out.getvalue()
    assert Violation.objects.filter(description="Say rượu.").exists()
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "erased" in out.getvalue()
    assert not Violation.objects.filter(description="Say rượu.").exists()


def test_purge_command_refuses_zero_years(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("purge_expired", "--years", "0")


def test_zero_retention_years_fails_loudly_at_start(monkeypatch):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "discipline.settings",
            "DJANGO_DEBUG": "true",
            "DJANGO_RETENTION_YEARS": "0",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_RETENTION_YEARS" in result.stderr
