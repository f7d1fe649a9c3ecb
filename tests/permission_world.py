"""One world for the permission matrix (tests/test_permission_matrix.py): an Authority with its
personas and one object of every kind in unit A, and a second Authority holding the same kinds
of objects, whose administrator is the stranger.

Everything is built through the services, as users would build it."""

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from discipline import services as discipline_services
from discipline.models import EscalationRule, RecordAccess, Register, ViolationType
from inspections.models import ChecklistItem
from inspections.services import start_visit
from tests import factories
from units.models import Notification

# The columns of the matrix, in order.
ROLES = ("anonymous", "inspector", "head_a", "head_b", "chief", "leader", "staff", "stranger")


def _pdf(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, factories.tiny_pdf("evidence"), content_type="application/pdf")


def _standing(staff, *, by):
    """A violation the unit acknowledged: letters may cite it."""
    violation = factories.violation(staff, by=by)
    discipline_services.notify_unit_heads(violations=[violation], by=by)
    violation.refresh_from_db()
    head = violation.unit.head.user
    return discipline_services.acknowledge_violation(
        violation=violation, by=head, corrective_action="Đã nhắc nhở, cam kết không tái phạm."
    )


def build_authority(prefix: str, authority=None) -> dict:
    """Personas and one object of every kind in unit A of one Authority. `prefix` keeps
    usernames and codes apart between the two Authorities."""
    authority = authority or factories.authority(
        name=f"Ủy ban nhân dân huyện {prefix}",
        place_name=prefix,
        issuing_body=f"ỦY BAN NHÂN DÂN\nHUYỆN {prefix.upper()}",
    )
    unit_a = factories.unit(authority, name=f"UBND xã A {prefix}", code="XA", kind="commune")
    unit_b = factories.unit(authority, name=f"UBND xã B {prefix}", code="XB", kind="commune")
    home_affairs = factories.unit(authority, name=f"Phòng Nội vụ {prefix}", code="NV")
    office = factories.unit(authority, name=f"Văn phòng {prefix}", code="VP")

    inspector = factories.user_with_role(f"{prefix}_inspector", home_affairs, "inspectors")
    head_a = factories.user_with_role(
        f"{prefix}_head_a", unit_a, "unit_heads", position="Chủ tịch UBND"
    )
    head_b = factories.user_with_role(
        f"{prefix}_head_b", unit_b, "unit_heads", position="Chủ tịch UBND"
    )
    chief = factories.user_with_role(
        f"{prefix}_chief", office, "office_chief", position="Chánh Văn phòng"
    )
    leader = factories.user_with_role(
        f"{prefix}_leader", office, "leaders", position="Chủ tịch UBND huyện"
    )
    administrator = factories.user_with_role(f"{prefix}_admin", office, "administrators")
    # A plain official: no role, and (as in the demo) no access to the admin.
    staff = factories.user_with_role(
        f"{prefix}_staff", unit_a, None, position="Công chức Tư pháp", is_staff=False
    )
    for unit, head in ((unit_a, head_a), (unit_b, head_b), (office, chief)):
        unit.head = head.staff
        unit.save(update_fields=["head"])

    offender = factories.staff(unit_a, full_name=f"Hồ Thành Nghĩa {prefix}")
    # A violation waiting for the unit's answer (its head is notified: a notification).
    violation = factories.violation(offender, by=inspector)
    discipline_services.notify_unit_heads(violations=[violation], by=inspector)
    violation.refresh_from_db()
    evidence = discipline_services.attach_evidence(upload=_pdf(), by=inspector, violation=violation)
    notification = Notification.objects.filter(user=head_a).latest("pk")
    record_access = RecordAccess.objects.create(
        user=inspector, staff=offender, violation=violation, view="violation_detail"
    )

    # A finished visit (its minutes) and one in progress (its roll and checklist).
    finished_visit = factories.started_visit(unit_a, by=inspector)
    discipline_services.finish_visit(visit=finished_visit, by=inspector)
    finished_visit.refresh_from_db()
    visit = start_visit(visit=factories.visit(unit_a, by=inspector), by=inspector)
    roll_entry = visit.roll.order_by("pk").first()
    checklist_answer = visit.checklist.order_by("pk").first()

    # Letters: a draft, and an issued one the unit reported on with an attachment.
    standing = _standing(offender, by=inspector)
    draft_letter = discipline_services.draft_letter(
        kind="reminder", violations=[standing], by=chief
    )
    letter = discipline_services.issue_letter(
        letter=discipline_services.draft_letter(
            kind="self_review", violations=[standing], by=chief
        ),
        by=chief,
    )
    report = discipline_services.record_letter_report(
        letter=letter,
        unit=unit_a,
        text="Đã tổ chức kiểm điểm.",
        uploads=[_pdf("bao-cao.pdf")],
        by=head_a,
    )
    report_attachment = report.attachments.get()
    register = Register.objects.get(authority=authority)
    # The formal outcome for the standing violation, recorded by the administrator.
    decision = discipline_services.record_decision(
        staff=offender,
        form="reprimand",
        number=f"{prefix}-QĐ-1",
        decided_on=timezone.localdate(),
        decided_by="Chủ tịch UBND huyện",
        signer_name="Nguyễn Văn A",
        signer_position="Chủ tịch",
        violations=[standing],
        by=administrator,
    )

    # Work: an overdue task of the plain official, and their diary entry of today.
    task = factories.task(
        staff.staff, by=head_a, due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    diary = factories.diary_entry(staff.staff, day=timezone.localdate())
    feedback = factories.feedback(unit_a)

    return {
        "authority": authority,
        "unit_a": unit_a,
        "unit_b": unit_b,
        "inspector": inspector,
        "head_a": head_a,
        "head_b": head_b,
        "chief": chief,
        "leader": leader,
        "administrator": administrator,
        "staff": staff,
        "staff_record": staff.staff,
        "violation": violation,
        "evidence": evidence,
        "record_access": record_access,
        "notification": notification,
        "finished_visit": finished_visit,
        "visit": visit,
        "roll_entry": roll_entry,
        "checklist_answer": checklist_answer,
        "draft_letter": draft_letter,
        "letter": letter,
        "decision": decision,
        "report": report,
        "report_attachment": report_attachment,
        "register": register,
        "task": task,
        "diary": diary,
        "feedback": feedback,
    }


def build_world() -> tuple[dict, dict]:
    """(home, foreign): the Authority the columns work in, and another one. Objects that
    belong to no Authority (catalogues, roles, login records) are in `home` only."""
    home = build_authority("Vĩnh Hưng")
    foreign = build_authority("Tân Hưng")
    home["stranger"] = foreign["administrator"]
    home.update(
        {
            "violation_type": ViolationType.objects.order_by("pk").first(),
            "checklist_item": ChecklistItem.objects.order_by("pk").first(),
            "escalation_rule": EscalationRule.objects.order_by("pk").first(),
            "group": Group.objects.get(name="inspectors"),
            "access_attempt": AccessAttempt.objects.create(
                username="ai-do", ip_address="10.0.0.1", user_agent="x", failures_since_start=1
            ),
            "access_log": AccessLog.objects.create(
                username="ai-do", ip_address="10.0.0.1", user_agent="x"
            ),
            "access_failure_log": AccessFailureLog.objects.create(
                username="ai-do", ip_address="10.0.0.1", user_agent="x"
            ),
            "totp_device": TOTPDevice.objects.create(
                user=home["chief"], name="Điện thoại", confirmed=True
            ),
        }
    )
    foreign["totp_device"] = TOTPDevice.objects.create(
        user=foreign["chief"], name="Điện thoại", confirmed=True
    )
    return home, foreign
