import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from discipline import services
from discipline.models import Letter, LetterReport, Register, Violation
from tests import factories
from tests.discipline.conftest import standing_violation
from units.models import Notification


def _edit(letter, by, **changes):
    values = {
        "kind": letter.kind,
        "subject": letter.subject,
        "recipients": letter.recipients,
        "body": letter.body,
        "copy_to": letter.copy_to,
        "response_due": letter.response_due,
        "signer": letter.signer,
        "addressees": list(letter.addressees.all()),
        "violations": list(letter.violations.all()),
    }
    values.update(changes)
    return services.update_letter(letter=letter, by=by, **values)


def _snapshot(letter):
    letter = Letter.objects.get(pk=letter.pk)
    fields = {f: getattr(letter, f) for f in ("status", *Letter.FROZEN_FIELDS)}
    return (
        fields,
        sorted(letter.addressees.values_list("pk", flat=True)),
        sorted(letter.violations.values_list("pk", flat=True)),
    )


# --- drafting -------------------------------------------------------------------------------


def test_draft_is_prefilled_from_the_kind_template(draft, offence_a, unit_a, chief):
    assert draft.status == Letter.Status.DRAFT
    assert draft.number is None and draft.register is None
    assert draft.subject.startswith("yêu cầu kiểm điểm")
    assert draft.recipients == "Chủ tịch UBND xã Khánh Hưng"
    assert "Hồ Thành Nghĩa" in draft.body
    assert f"{timezone.localtime(offence_a.occurred_at):%d/%m/%Y}" in draft.body
    assert "đi muộn, về sớm" in draft.body  # the breach, named
    assert "Công văn 455/UBND-NV" in draft.body  # the directive's requirement, cited
    assert f"trước ngày {draft.response_due:%d/%m/%Y}" in draft.body  # report deadline
    assert draft.body.endswith("./.")
    assert draft.copy_to.splitlines()[0] == "Như trên;"
    assert draft.copy_to.splitlines()[-1] == "Lưu: VT, VP."
    assert list(draft.addressees.all()) == [unit_a]
    assert list(draft.violations.all()) == [offence_a]
    assert draft.signer == chief.staff
    assert draft.signature_lines() == ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"]
    assert draft.response_due > timezone.localdate()
    record = draft.history.first()
    assert record.history_user == chief


def test_each_kind_has_its_own_subject_and_request(chief, offence_a):
    texts = {
        kind: services.draft_letter(kind=kind, violations=[offence_a], by=chief)
        for kind in Letter.Kind.values
    }
    assert texts["reminder"].subject.startswith("nhắc nhở")
    assert "nhắc nhở" in texts["reminder"].body
    assert texts["rectification"].subject.startswith("chấn chỉnh")
    assert "Chấn chỉnh ngay" in texts["rectification"].body
    assert "tổ chức kiểm điểm" in texts["self_review"].body


def test_draft_of_agency_is_addressed_to_its_head(chief, home_affairs, inspector):
    violation = standing_violation(factories.staff(home_affairs), by=inspector)
    letter = services.draft_letter(kind="reminder", violations=[violation], by=chief)
    assert letter.recipients == "Thủ trưởng Phòng Nội vụ"


def test_draft_without_violations_is_refused(chief):
    with pytest.raises(services.LetterError, match="ít nhất một vi phạm"):
        services.draft_letter(kind="reminder", violations=[], by=chief)
    assert not Letter.objects.exists()


@pytest.mark.parametrize("status", ["recorded", "notified", "disputed", "dismissed", "voided"])
def test_draft_cites_only_violations_that_stand(chief, unit_a, inspector, status):
    violation = standing_violation(factories.staff(unit_a), by=inspector, status=status)
    with pytest.raises(services.LetterError, match="chỉ được nêu vi phạm"):
        services.draft_letter(kind="reminder", violations=[violation], by=chief)
    assert not Letter.objects.exists()


def test_draft_outside_scope_is_refused(other_administrator, offence_a):
    with pytest.raises(PermissionDenied):
        services.draft_letter(kind="reminder", violations=[offence_a], by=other_administrator)
    assert not Letter.objects.exists()


# --- editing --------------------------------------------------------------------------------


def test_editing_a_draft_keeps_history_and_adds_the_closing(draft, chief, deputy):
    _edit(
        draft,
        chief,
        subject="V/v  nhắc nhở   cán bộ",
        body="Đoạn một.\n\n  Đoạn hai sửa lại.  ",
        recipients="- Chủ tịch UBND xã Khánh Hưng;\n- Chủ tịch UBND xã Vĩnh Trị.",
        signer=deputy,
    )
    draft.refresh_from_db()
    assert draft.subject == "nhắc nhở cán bộ"
    assert draft.body == "Đoạn một.\nĐoạn hai sửa lại./."
    assert draft.recipients == "Chủ tịch UBND xã Khánh Hưng\nChủ tịch UBND xã Vĩnh Trị"
    assert draft.signature_lines() == [
        "TL. CHỦ TỊCH",
        "KT. CHÁNH VĂN PHÒNG",
        "PHÓ CHÁNH VĂN PHÒNG",
    ]
    assert draft.signer_name == "Lê Thị Phó"
    assert draft.history.first().history_change_reason == "edited"


def test_deadline_in_the_past_is_refused_next_to_the_field(draft, chief):
    before = _snapshot(draft)
    with pytest.raises(ValidationError) as error:
        _edit(draft, chief, response_due=timezone.localdate() - datetime.timedelta(days=1))
    assert error.value.message_dict["response_due"] == ["Hạn báo cáo không được là ngày đã qua."]
    assert _snapshot(draft) == before


def test_signer_must_be_the_office_head_or_a_deputy(draft, chief, office):
    clerk = factories.staff(office, position="Chuyên viên")
    before = _snapshot(draft)
    with pytest.raises(ValidationError) as error:
        _edit(draft, chief, signer=clerk)
    assert "signer" in error.value.message_dict
    assert _snapshot(draft) == before


def test_editing_an_issued_letter_is_refused(issued, chief):
    before = _snapshot(issued)
    with pytest.raises(services.LetterError, match="không được sửa"):
        _edit(issued, chief, body="Sửa sau khi ban hành./.")
    assert _snapshot(issued) == before


def test_model_validation_refuses_changes_to_an_issued_letter(issued):
    letter = Letter.objects.get(pk=issued.pk)
    letter.body = "Sửa thẳng vào bản ghi./."
    with pytest.raises(ValidationError, match="không được sửa"):
        letter.full_clean()
    letter.body = issued.body
    letter.status = Letter.Status.CLOSED  # status changes remain allowed
    letter.full_clean()


# --- issuing --------------------------------------------------------------------------------


def test_issue_numbers_dates_freezes_and_tells_the_unit_head(draft, chief, unit_head_a):
    letter = services.issue_letter(letter=draft, by=chief)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.ISSUED
    assert (letter.number, letter.number_display, letter.symbol) == (1, "01", "UBND-VP")
    assert letter.reference == "01/UBND-VP"
    assert letter.issued_on == timezone.localdate()
    assert letter.issued_by == chief
    assert letter.register.year == timezone.localdate().year
    assert letter.register.last_number == 1
    notice = Notification.objects.get(user=unit_head_a)
    assert "01/UBND-VP" in notice.subject
    assert notice.url == letter.get_absolute_url()
    assert letter.history.first().history_change_reason == "issued"


def test_issuing_twice_is_refused_and_takes_no_number(issued, chief):
    with pytest.raises(services.LetterError, match="đã được ban hành"):
        services.issue_letter(letter=issued, by=chief)
    assert Register.objects.get().last_number == 1


def test_issue_without_violations_is_refused(draft, chief):
    draft.violations.clear()
    with pytest.raises(services.LetterError, match="ít nhất một vi phạm"):
        services.issue_letter(letter=draft, by=chief)
    assert Letter.objects.get(pk=draft.pk).status == Letter.Status.DRAFT
    assert not Register.objects.exists()


def test_issue_without_addressee_is_refused(draft, chief):
    draft.addressees.clear()
    with pytest.raises(services.LetterError, match="ít nhất một đơn vị"):
        services.issue_letter(letter=draft, by=chief)
    assert Letter.objects.get(pk=draft.pk).status == Letter.Status.DRAFT
    assert not Register.objects.exists()


def test_issue_with_a_deadline_passed_is_refused(draft, chief):
    Letter.objects.filter(pk=draft.pk).update(
        response_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(services.LetterError, match="Hạn báo cáo đã qua"):
        services.issue_letter(letter=draft, by=chief)
    assert Letter.objects.get(pk=draft.pk).status == Letter.Status.DRAFT


def test_issue_refused_when_a_cited_violation_was_voided_meanwhile(draft, chief, offence_a):
    Violation.objects.filter(pk=offence_a.pk).update(status="voided", void_reason="nhầm")
    with pytest.raises(services.LetterError, match="chỉ được nêu vi phạm"):
        services.issue_letter(letter=draft, by=chief)
    assert not Register.objects.exists()


def test_issue_outside_scope_is_refused(draft, other_administrator):
    with pytest.raises(PermissionDenied):
        services.issue_letter(letter=draft, by=other_administrator)
    assert Letter.objects.get(pk=draft.pk).status == Letter.Status.DRAFT


def _drafts(chief, violation, count):
    return [
        services.draft_letter(kind="reminder", violations=[violation], by=chief)
        for _ in range(count)
    ]


def test_numbers_run_consecutively_with_two_digits(chief, offence_a):
    letters = [services.issue_letter(letter=d, by=chief) for d in _drafts(chief, offence_a, 11)]
    assert [letter.number_display for letter in letters] == [
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"
    ]  # fmt: skip


def test_a_failed_issue_consumes_no_number(chief, offence_a):
    first, second, third = _drafts(chief, offence_a, 3)
    services.issue_letter(letter=first, by=chief)
    with (
        mock.patch.object(services, "notify", side_effect=RuntimeError("mail server down")),
        pytest.raises(RuntimeError),
    ):
        services.issue_letter(letter=second, by=chief)  # fails after taking number 2
    second.refresh_from_db()
    assert (second.status, second.number) == (Letter.Status.DRAFT, None)
    assert Register.objects.get().last_number == 1
    assert services.issue_letter(letter=third, by=chief).number == 2
    assert services.issue_letter(letter=second, by=chief).number == 3


def test_numbers_restart_at_01_in_a_new_year(chief, offence_a):
    old, new = _drafts(chief, offence_a, 2)
    Letter.objects.filter(pk__in=[old.pk, new.pk]).update(
        response_due=datetime.date(timezone.localdate().year + 1, 3, 1)
    )
    december = timezone.make_aware(datetime.datetime(timezone.localdate().year, 12, 31, 16, 0))
    assert services.issue_letter(letter=old, by=chief, now=december).number == 1
    january = december + datetime.timedelta(hours=9)  # 01:00 on 1 January, local time
    letter = services.issue_letter(letter=new, by=chief, now=january)
    assert (letter.number_display, letter.issued_on) == ("01", january.date())
    assert sorted(Register.objects.values_list("year", "last_number")) == [
        (december.year, 1),
        (december.year + 1, 1),
    ]


def test_registers_are_per_authority(chief, offence_a, other_administrator, other_authority):
    other_office = other_administrator.staff.unit
    other_office.head = other_administrator.staff
    other_office.save(update_fields=["head"])
    foreign = standing_violation(factories.staff(other_office), by=other_administrator)
    mine = services.issue_letter(letter=_drafts(chief, offence_a, 1)[0], by=chief)
    theirs = services.draft_letter(kind="reminder", violations=[foreign], by=other_administrator)
    theirs = services.issue_letter(letter=theirs, by=other_administrator)
    assert (mine.number, theirs.number) == (1, 1)
    assert mine.register != theirs.register


# --- after issue ----------------------------------------------------------------------------


def _pdf(name="bien-ban.pdf"):
    return SimpleUploadedFile(name, factories.tiny_pdf("report"), content_type="application/pdf")


def test_unit_head_reports_with_attachment_and_the_letter_is_answered(
    issued, unit_head_a, unit_a, chief
):
    report = services.record_letter_report(
        letter=issued,
        unit=unit_a,
        text="Đã tổ chức kiểm điểm.",
        uploads=[_pdf()],
        by=unit_head_a,
    )
    issued.refresh_from_db()
    assert issued.status == Letter.Status.ANSWERED
    assert issued.answered_at is not None
    attachment = report.attachments.get()
    assert (attachment.content_type, attachment.original_name) == (
        "application/pdf",
        "bien-ban.pdf",
    )
    assert len(attachment.sha256) == 64
    assert Notification.objects.filter(user=chief, key=f"letter-report-{report.pk}").exists()


def test_report_from_a_unit_not_addressed_is_refused(issued, unit_head_b, unit_b):
    with pytest.raises(PermissionDenied):
        services.record_letter_report(letter=issued, unit=unit_b, text="x", by=unit_head_b)
    assert not LetterReport.objects.exists()


def test_empty_report_or_bad_file_saves_nothing(issued, unit_head_a, unit_a):
    with pytest.raises(ValidationError):
        services.record_letter_report(letter=issued, unit=unit_a, text="  ", by=unit_head_a)
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.record_letter_report(
            letter=issued, unit=unit_a, text="Đã xử lý.", uploads=[fake], by=unit_head_a
        )
    assert not LetterReport.objects.exists()
    assert Letter.objects.get(pk=issued.pk).status == Letter.Status.ISSUED


def test_a_draft_takes_no_report(draft, unit_head_a, unit_a):
    with pytest.raises(services.LetterError):
        services.record_letter_report(letter=draft, unit=unit_a, text="x", by=unit_head_a)


def test_letter_to_two_units_is_answered_when_both_reported(
    chief, offence_a, offence_b, unit_a, unit_b, unit_head_a, unit_head_b
):
    letter = services.draft_letter(
        kind="rectification", violations=[offence_a, offence_b], by=chief
    )
    assert sorted(letter.recipient_lines()) == [
        "Chủ tịch UBND xã Khánh Hưng",
        "Chủ tịch UBND xã Vĩnh Trị",
    ]
    services.issue_letter(letter=letter, by=chief)
    services.record_letter_report(letter=letter, unit=unit_a, text="A xong.", by=unit_head_a)
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.ISSUED
    services.record_letter_report(letter=letter, unit=unit_b, text="B xong.", by=unit_head_b)
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.ANSWERED


def test_chief_closes_an_issued_letter_once(issued, chief):
    services.close_letter(letter=issued, by=chief)
    issued.refresh_from_db()
    assert (issued.status, issued.closed_by) == (Letter.Status.CLOSED, chief)
    with pytest.raises(services.LetterError):
        services.close_letter(letter=issued, by=chief)


def test_a_draft_cannot_be_closed(draft, chief):
    with pytest.raises(services.LetterError):
        services.close_letter(letter=draft, by=chief)


def test_overdue_letters_notify_missing_units_and_drafter_once(issued, unit_head_a, chief):
    later = issued.response_due + datetime.timedelta(days=1)
    assert services.notify_overdue_letters(today=issued.response_due) == 0
    assert services.notify_overdue_letters(today=later) == 2
    assert services.notify_overdue_letters(today=later) == 0  # keyed: sent once
    assert Notification.objects.filter(user=unit_head_a, key__startswith="letter-overdue").exists()
    assert Notification.objects.filter(user=chief, key=f"letter-overdue-{issued.pk}").exists()


def test_reported_or_closed_letters_are_not_overdue(issued, unit_head_a, unit_a):
    services.record_letter_report(letter=issued, unit=unit_a, text="Đã xử lý.", by=unit_head_a)
    later = issued.response_due + datetime.timedelta(days=3)
    assert services.notify_overdue_letters(today=later) == 0


def test_notify_overdue_letters_command_is_idempotent(issued, unit_head_a):
    from io import StringIO

    from django.core.management import call_command

    later = (issued.response_due + datetime.timedelta(days=1)).isoformat()
    out = StringIO()
    call_command("notify_overdue_letters", "--date", later, stdout=out)
    call_command("notify_overdue_letters", "--date", later, stdout=out)
    assert out.getvalue().splitlines() == [
        "Overdue letter reports: 2 notice(s) sent.",
        "Overdue letter reports: 0 notice(s) sent.",
    ]
    assert (
        Notification.objects.filter(user=unit_head_a, key__startswith="letter-overdue").count() == 1
    )
