"""Every state change of a Violation, Evidence or Letter. Views, admin actions and commands all
call these functions; each is atomic and validates before it saves."""

import datetime
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from discipline import letters, selectors
from discipline.files import check_upload
from discipline.models import (
    Decision,
    EscalationRule,
    Evidence,
    Letter,
    LetterReport,
    Register,
    ReportAttachment,
    Violation,
    ViolationType,
)
from discipline.security import log_event
from inspections.models import Feedback, Finding, RollEntry, Visit
from inspections.services import (
    VisitError,
    claim_feedback_for_triage,
    lock_visit,
    mark_feedback_turned_into_violation,
)
from units.calendar import add_working_days
from units.models import Staff, Task, Unit
from units.roles import Role
from units.selectors import role_users, staff_of, unit_head_users, units_visible_to
from units.services import notify, save_tracked


class ViolationError(Exception):
    """A state change the rules do not allow; the message is shown to the user."""


def _check_scope(by, unit: Unit) -> None:
    if not units_visible_to(by).filter(pk=unit.pk).exists():
        raise PermissionDenied


@transaction.atomic
def record_violation(
    *,
    staff: Staff,
    type: ViolationType,
    occurred_at: datetime.datetime,
    by,
    description: str = "",
    source: str = Violation.Source.OTHER,
    unit: Unit | None = None,
    visit: Visit | None = None,
    roll_entry: RollEntry | None = None,
    task: Task | None = None,
    feedback: Feedback | None = None,
) -> Violation:
    """Record a new violation against `staff` (status `recorded`).

    The unit defaults to the person's unit now; `by` must see that unit. Raises ValidationError
    for bad input (future time, staff of another unit, …) and saves nothing then.
    """
    unit = unit or staff.unit
    _check_scope(by, unit)
    violation = Violation(
        staff=staff,
        unit=unit,
        type=type,
        occurred_at=occurred_at,
        description=description,
        source=source,
        visit=visit,
        roll_entry=roll_entry,
        task=task,
        feedback=feedback,
        recorded_by=by,
    )
    return save_tracked(violation, by=by, reason="recorded")


@transaction.atomic
def void_violation(*, violation: Violation, by, reason: str) -> Violation:
    """Void a violation that is not closed, keeping it with the reason. Raise ViolationError
    when it is already closed or voided, or the reason is empty."""
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    _check_scope(by, violation.unit)
    if violation.status in (Violation.Status.CLOSED, Violation.Status.VOIDED):
        raise ViolationError(_("A closed or voided violation cannot be voided."))
    reason = (reason or "").strip()
    if not reason:
        raise ViolationError(_("Give a reason for voiding the violation."))
    violation.status = Violation.Status.VOIDED
    violation.void_reason = reason
    violation.voided_at = timezone.now()
    return save_tracked(
        violation, by=by, reason="voided", update_fields=["status", "void_reason", "voided_at"]
    )


@transaction.atomic
def notify_unit_heads(*, violations, by) -> list[Violation]:
    """Tell each unit's head about its `recorded` violations (status `notified`), starting the
    answer clock: due after the Authority's number of working days. One notification per unit.
    Violations not in `recorded` are left as they are. Returns the violations notified."""
    now = timezone.now()
    notified: dict[int, list[Violation]] = {}
    locked = (
        Violation.objects.select_for_update()
        .filter(pk__in=[v.pk for v in violations], status=Violation.Status.RECORDED)
        .select_related("unit__authority", "staff", "type")
        .order_by("pk")
    )
    for violation in locked:
        _check_scope(by, violation.unit)
        violation.status = Violation.Status.NOTIFIED
        violation.notified_at = now
        violation.response_due = add_working_days(
            timezone.localdate(now), violation.unit.authority.response_working_days
        )
        save_tracked(
            violation,
            by=by,
            reason="notified",
            update_fields=["status", "notified_at", "response_due"],
        )
        notified.setdefault(violation.unit_id, []).append(violation)
    for unit_violations in notified.values():
        unit = unit_violations[0].unit
        lines = [
            f"- {v.staff}: {v.type} ({timezone.localtime(v.occurred_at):%H:%M %d/%m/%Y})"
            for v in unit_violations
        ]
        notify(
            users=unit_head_users(unit),
            subject=_("%(count)d new violation(s) in %(unit)s")
            % {"count": len(unit_violations), "unit": unit},
            body=_("Please answer by %(due)s:")
            % {"due": f"{unit_violations[0].response_due:%d/%m/%Y}"}
            + "\n"
            + "\n".join(lines),
            url=unit_violations[0].get_absolute_url() if len(unit_violations) == 1 else "",
        )
    return [v for group in notified.values() for v in group]


@transaction.atomic
def attach_evidence(
    *,
    upload,
    by,
    violation: Violation | None = None,
    visit: Visit | None = None,
    roll_entry: RollEntry | None = None,
) -> Evidence:
    """Store an uploaded photo or PDF under a random name and record it with its SHA-256.
    Raise ValidationError for a file that is not JPEG, PNG or PDF by content, or too large."""
    checked = getattr(upload, "checked", None) or check_upload(upload)
    unit = violation.unit if violation else (roll_entry.visit.unit if roll_entry else visit.unit)
    _check_scope(by, unit)
    if roll_entry is not None and visit is None:
        visit = roll_entry.visit
    if visit is not None and violation is None:
        # Evidence of a visit is part of its minutes: it is taken while the visit runs.
        if roll_entry is not None and roll_entry.visit_id != visit.pk:
            raise ValidationError(
                {"roll_entry": _("This person is not on the roll of this visit.")}
            )
        if lock_visit(visit).status != Visit.Status.IN_PROGRESS:
            raise VisitError(_("Evidence can be attached only while the visit is in progress."))
    evidence = Evidence(
        violation=violation,
        visit=visit,
        roll_entry=roll_entry,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    evidence.file.save("upload", upload, save=False)
    try:
        evidence.full_clean()
        evidence.save()
    except Exception:
        # Nothing half-saved: a row that is not written leaves no file behind.
        evidence.file.delete(save=False)
        raise
    return evidence


# What each finding on a roll becomes: codes of the seeded ViolationType catalogue.
FINDING_TYPE_CODES = {
    Finding.LATE: "late_early",
    Finding.ABSENT: "absent",
    Finding.NO_BADGE: "no_badge",
    Finding.IMPROPER_DRESS: "improper_dress",
    Finding.ALCOHOL: "alcohol",
}


def _finding_description(entry: RollEntry, finding: str, visit: Visit) -> str:
    # Stored on the violation, an official record: in the site's language, not the user's.
    with translation.override(settings.LANGUAGE_CODE):
        return _finding_text(entry, finding, visit)


def _finding_text(entry: RollEntry, finding: str, visit: Visit) -> str:
    if finding == Finding.LATE:
        authority = visit.unit.authority
        text = _(
            "Arrived at %(arrived)s; the working session starts at %(start)s "
            "(%(grace)d minutes allowed)."
        ) % {
            "arrived": f"{timezone.localtime(entry.arrived_at):%H:%M}",
            "start": f"{timezone.localtime(visit.session_start()):%H:%M}",
            "grace": authority.grace_minutes,
        }
    else:
        text = _("Found at the inspection visit of %(date)s.") % {
            "date": f"{timezone.localtime(visit.started_at):%d/%m/%Y}"
        }
    return f"{text}\n{entry.note}" if entry.note else text


@transaction.atomic
def record_visit_findings(*, visit: Visit, by) -> list[Violation]:
    """Turn every finding on the roll of a visit in progress into one violation (status
    `recorded`) of the matching type, linked to the visit and the roll entry. A finding that
    already has its violation is skipped, so this never records one twice. Returns the
    violations recorded now."""
    locked = lock_visit(visit)
    _check_scope(by, locked.unit)
    if locked.status != Visit.Status.IN_PROGRESS:
        raise VisitError(_("Only a visit in progress has findings to record."))
    types = {t.code: t for t in ViolationType.objects.filter(code__in=FINDING_TYPE_CODES.values())}
    threshold = locked.lateness_threshold()
    done = set(
        Violation.objects.filter(visit=locked, roll_entry__isnull=False).values_list(
            "roll_entry_id", "type__code"
        )
    )
    recorded = []
    for entry in locked.roll.select_related("staff").order_by("staff__full_name", "pk"):
        for finding in entry.findings(threshold):
            code = FINDING_TYPE_CODES[finding]
            if (entry.pk, code) in done:
                continue
            recorded.append(
                record_violation(
                    staff=entry.staff,
                    type=types[code],
                    occurred_at=entry.arrived_at if finding == Finding.LATE else locked.started_at,
                    by=by,
                    description=_finding_description(entry, finding, locked),
                    source=Violation.Source.VISIT,
                    unit=locked.unit,
                    visit=locked,
                    roll_entry=entry,
                )
            )
    return recorded


@transaction.atomic
def finish_visit(
    *, visit: Visit, by, summary: str = "", unit_representative: str = ""
) -> list[Violation]:
    """Finish a visit in progress, all or nothing: every finding on the roll becomes a
    violation of the right type, the unit head is told (in-app and by email, with the answer
    deadline), and the visit, its roll and its checklist are frozen. Raise VisitError when the
    visit never started, is already finished or was cancelled; nothing changes then.
    Returns the violations recorded."""
    locked = lock_visit(visit)
    _check_scope(by, locked.unit)
    if locked.status == Visit.Status.PLANNED:
        raise VisitError(_("This visit has not started: start it before finishing it."))
    if locked.status == Visit.Status.FINISHED:
        raise VisitError(_("This visit is already finished."))
    if locked.status == Visit.Status.CANCELLED:
        raise VisitError(_("A cancelled visit cannot be finished."))
    recorded = record_visit_findings(visit=locked, by=by)
    notified = notify_unit_heads(violations=recorded, by=by)
    locked.status = Visit.Status.FINISHED
    locked.finished_at = max(timezone.now(), locked.started_at)
    locked.summary = (summary or "").strip() or locked.summary
    locked.unit_representative = (unit_representative or "").strip()
    save_tracked(
        locked,
        by=by,
        reason="finished",
        update_fields=["status", "finished_at", "summary", "unit_representative"],
    )
    visit.status, visit.finished_at = locked.status, locked.finished_at
    visit.summary, visit.unit_representative = locked.summary, locked.unit_representative
    return notified


SLOW_TASK_TYPE = "slow_task"


@transaction.atomic
def propose_slow_task_violation(*, task: Task, by, description: str = "") -> Violation:
    """Turn an overdue task into a proposed "slow task resolution" violation (status
    `recorded`) against its assignee, with the task as source. Never automatic: an inspector
    (permission discipline.add_violation) decides. Raise ViolationError when the task is not
    overdue or already has a violation that is not voided."""
    if not by.has_perm("discipline.add_violation"):
        raise PermissionDenied
    task = (
        Task.objects.select_for_update()
        .select_related("unit__authority", "assignee")
        .get(pk=task.pk)
    )
    _check_scope(by, task.unit)
    if not task.is_overdue:
        raise ViolationError(_("Only an overdue task can be turned into a violation."))
    if task.violations.exclude(status=Violation.Status.VOIDED).exists():
        raise ViolationError(_("This task has already been turned into a violation."))
    # The breach happened when the due day's working hours ended.
    occurred_at = datetime.datetime.combine(
        task.due_date, task.unit.authority.afternoon_end, tzinfo=timezone.get_current_timezone()
    )
    return record_violation(
        staff=task.assignee,
        unit=task.unit,
        type=ViolationType.objects.get(code=SLOW_TASK_TYPE),
        occurred_at=occurred_at,
        by=by,
        description=description.strip(),
        source=Violation.Source.TASK,
        task=task,
    )


# The violation type an inspector is offered first for each feedback category.
FEEDBACK_TYPE_SUGGESTIONS = {
    Feedback.Category.ATTITUDE: "attitude",
    Feedback.Category.DELAY: "slow_task",
    Feedback.Category.IMPROPER_REQUEST: "attitude",
}


def suggested_violation_type(feedback: Feedback) -> ViolationType | None:
    code = FEEDBACK_TYPE_SUGGESTIONS.get(feedback.category)
    return ViolationType.objects.filter(code=code, is_active=True).first() if code else None


@transaction.atomic
def record_violation_from_feedback(
    *,
    feedback: Feedback,
    staff: Staff,
    type: ViolationType,
    occurred_at: datetime.datetime,
    by,
    description: str = "",
) -> Violation:
    """Triage a feedback item into a violation (source `feedback`, status `recorded`). Raise
    FeedbackError if the item was triaged already, ValidationError for a person outside the
    item's unit or a time in the future; nothing is saved then."""
    feedback = claim_feedback_for_triage(feedback=feedback, by=by)
    # record_violation validates that `staff` works at the item's unit.
    violation = record_violation(
        staff=staff,
        unit=feedback.unit,
        type=type,
        occurred_at=occurred_at,
        by=by,
        description=description.strip(),
        source=Violation.Source.FEEDBACK,
        feedback=feedback,
    )
    mark_feedback_turned_into_violation(feedback=feedback, by=by)
    return violation


# --- the unit's answer, the ruling and the end of a case (DESIGN.md §3) --------------------------


def _locked(violation: Violation) -> Violation:
    """The violation's row, locked for the rest of the transaction and read afresh, so that two
    people acting at once cannot both move it."""
    return (
        Violation.objects.select_for_update(of=("self",))
        .select_related("unit__authority", "staff", "type")
        .get(pk=violation.pk)
    )


def _require(by, permission: str) -> None:
    if not by.has_perm(f"discipline.{permission}"):
        raise PermissionDenied


def _text(value: str, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def acknowledge_violation(*, violation: Violation, by, corrective_action: str) -> Violation:
    """The unit head accepts the violation and reports the corrective action taken.

    From `notified` the violation becomes `acknowledged`. On a violation `upheld` on dispute the
    unit head accepts the ruling the same way: the status stays `upheld` (it already stands)
    and the corrective action is recorded, after which an inspector can close it. Raise
    ViolationError in any other state, ValidationError without a corrective action."""
    violation = _locked(violation)
    _check_scope(by, violation.unit)
    _require(by, "answer_violation")
    if not violation.can_be_acknowledged:
        raise ViolationError(
            _(
                "Only a violation awaiting the unit's answer, or one upheld on dispute without "
                "a corrective action yet, can be acknowledged."
            )
        )
    violation.corrective_action = _text(
        corrective_action,
        field="corrective_action",
        message=_("Describe the corrective action taken."),
    )
    fields = ["corrective_action"]
    if violation.status == Violation.Status.NOTIFIED:
        violation.status = Violation.Status.ACKNOWLEDGED
        violation.answered_at = timezone.now()
        fields += ["status", "answered_at"]
    return save_tracked(violation, by=by, reason="acknowledged", update_fields=fields)


@transaction.atomic
def dispute_violation(
    *, violation: Violation, by, explanation: str, evidence: Iterable = ()
) -> Violation:
    """The unit head disputes a notified violation with an explanation (bản tường trình) and
    optional photos or PDFs; the Authority's inspectors are told. Raise ViolationError unless
    the violation is `notified`, ValidationError without an explanation or for a bad file."""
    violation = _locked(violation)
    _check_scope(by, violation.unit)
    _require(by, "answer_violation")
    if not violation.can_be_disputed:
        raise ViolationError(_("Only a violation awaiting the unit's answer can be disputed."))
    violation.explanation = _text(
        explanation, field="explanation", message=_("Write the explanation for the dispute.")
    )
    violation.status = Violation.Status.DISPUTED
    violation.answered_at = timezone.now()
    save_tracked(
        violation,
        by=by,
        reason="disputed",
        update_fields=["status", "explanation", "answered_at"],
    )
    for upload in evidence:
        if upload:
            attach_evidence(upload=upload, by=by, violation=violation)
    notify(
        users=role_users(violation.unit.authority, Role.INSPECTORS),
        subject=_("Dispute to rule on: %(violation)s") % {"violation": violation},
        body=_("%(unit)s disputes the violation:") % {"unit": violation.unit}
        + "\n"
        + violation.explanation,
        url=violation.get_absolute_url(),
        key=f"disputed:{violation.pk}",
    )
    return violation


@transaction.atomic
def rule_on_violation(*, violation: Violation, by, outcome: str, reason: str) -> Violation:
    """An inspector rules on a dispute: `upheld` (the violation stands) or `dismissed` (it does
    not, for good), with a reason; the unit head is told. Raise ViolationError unless the
    violation is disputed, ValidationError for another outcome or an empty reason."""
    violation = _locked(violation)
    _check_scope(by, violation.unit)
    _require(by, "rule_violation")
    if not violation.can_be_ruled:
        raise ViolationError(_("Only a disputed violation can be ruled on."))
    if outcome not in (Violation.Status.UPHELD, Violation.Status.DISMISSED):
        raise ValidationError(
            {"outcome": _("Choose whether the violation is upheld or dismissed.")}
        )
    violation.ruling_reason = _text(
        reason, field="reason", message=_("Give the reason for the ruling.")
    )
    violation.status = outcome
    violation.ruled_at = timezone.now()
    save_tracked(
        violation, by=by, reason=outcome, update_fields=["status", "ruling_reason", "ruled_at"]
    )
    if outcome == Violation.Status.UPHELD:
        subject = _("Dispute upheld: %(violation)s")
    else:
        subject = _("Dispute accepted, violation dismissed: %(violation)s")
    notify(
        users=unit_head_users(violation.unit),
        subject=subject % {"violation": violation},
        body=violation.ruling_reason,
        url=violation.get_absolute_url(),
        key=f"ruled:{violation.pk}",
    )
    return violation


@transaction.atomic
def close_violation(*, violation: Violation, by) -> Violation:
    """Close an acknowledged or upheld violation: the case is over and it stays on the record.
    Raise ViolationError in any other state."""
    violation = _locked(violation)
    _check_scope(by, violation.unit)
    _require(by, "close_violation")
    if not violation.can_be_closed:
        raise ViolationError(_("Only an acknowledged or upheld violation can be closed."))
    violation.status = Violation.Status.CLOSED
    violation.closed_at = timezone.now()
    return save_tracked(violation, by=by, reason="closed", update_fields=["status", "closed_at"])


# At most this many violations are listed in one overdue notice; the link shows them all.
OVERDUE_LINES = 30


@transaction.atomic
def notify_overdue(*, today: datetime.date | None = None) -> dict[str, int]:
    """Tell each unit head about their unit's answers that became overdue, and the Authority's
    inspectors about all of them: one notice per unit head and one per inspector per run.
    Each violation is announced once (its `overdue_notice_sent_at` is set, in its history), so
    running this twice, or every day from cron, sends each notice once. Returns counts."""
    from django.urls import reverse

    today = today or timezone.localdate()
    now = timezone.now()
    due = (
        Violation.objects.overdue(today)
        .filter(overdue_notice_sent_at__isnull=True)
        .select_for_update(of=("self",))
        .select_related("unit__authority", "staff", "type")
        .order_by("unit__authority_id", "unit__name", "response_due", "pk")
    )
    by_authority: dict[int, list[Violation]] = {}
    for violation in due:
        violation.overdue_notice_sent_at = now
        save_tracked(violation, by=None, reason="overdue", update_fields=["overdue_notice_sent_at"])
        by_authority.setdefault(violation.unit.authority_id, []).append(violation)

    def line(v: Violation) -> str:
        return _("- %(unit)s: %(staff)s, %(type)s (due %(due)s)") % {
            "unit": v.unit,
            "staff": v.staff,
            "type": v.type,
            "due": f"{v.response_due:%d/%m/%Y}",
        }

    def body(violations: list[Violation]) -> str:
        lines = [line(v) for v in violations[:OVERDUE_LINES]]
        if len(violations) > OVERDUE_LINES:
            lines.append(_("… and %(count)d more.") % {"count": len(violations) - OVERDUE_LINES})
        return "\n".join(lines)

    def key(violations: list[Violation]) -> str:
        digest = hashlib.sha256(",".join(str(v.pk) for v in violations).encode()).hexdigest()
        return f"overdue:{digest[:40]}"

    notices = 0
    for violations in by_authority.values():
        by_unit: dict[int, list[Violation]] = {}
        for violation in violations:
            by_unit.setdefault(violation.unit_id, []).append(violation)
        for unit_violations in by_unit.values():
            unit = unit_violations[0].unit
            notices += len(
                notify(
                    users=unit_head_users(unit),
                    subject=_("%(count)d answer(s) overdue in %(unit)s")
                    % {"count": len(unit_violations), "unit": unit},
                    body=body(unit_violations),
                    url=reverse("discipline:inbox") + "?status=overdue",
                    key=key(unit_violations),
                )
            )
        notices += len(
            notify(
                users=role_users(violations[0].unit.authority, Role.INSPECTORS),
                subject=_("%(count)d unit answer(s) became overdue") % {"count": len(violations)},
                body=body(violations),
                url=reverse("discipline:violation_list") + "?status=overdue",
                key=key(violations),
            )
        )
    return {"violations": sum(len(v) for v in by_authority.values()), "notices": notices}


# --- letters ---------------------------------------------------------------------------------

# Working days an addressed unit has to report on its handling of a letter (editable per draft).
LETTER_REPORT_WORKING_DAYS = 10


class LetterError(Exception):
    """A letter transition the rules do not allow; the message is shown to the user."""


def _check_letter_violations(violations: list[Violation]) -> None:
    if not violations:
        raise LetterError(_("A letter must cover at least one violation."))
    fallen = [v for v in violations if not v.stands]
    if fallen:
        raise LetterError(
            _(
                "Only violations that stand (acknowledged, upheld or closed) can be cited in a "
                "letter; not: %(list)s."
            )
            % {"list": "; ".join(str(v) for v in fallen)}
        )


@transaction.atomic
def draft_letter(
    *,
    kind: str,
    violations: Iterable[Violation],
    by,
    addressees: Iterable[Unit] | None = None,
    rule: EscalationRule | None = None,
    now: datetime.datetime | None = None,
) -> Letter:
    """Create a draft letter about `violations`, pre-filled from the templates of its kind:
    subject, Kính gửi (the heads of the violations' units unless `addressees` is given), body,
    Nơi nhận, signer (the head of the drafter's unit) and a report deadline. Raise LetterError
    when there is no violation or one that does not stand; PermissionDenied outside the scope.
    `now` is for loading historical records (demo data); pages never pass it."""
    now = now or timezone.now()
    violations = sorted(
        Violation.objects.filter(pk__in=[v.pk for v in violations])
        .select_related("type", "staff")
        .select_related("staff", "unit", "type"),
        key=lambda v: (v.occurred_at, v.pk),
    )
    _check_letter_violations(violations)
    drafter = staff_of(by)
    if drafter is None:
        raise LetterError(_("Only a staff member of the issuing authority can draft a letter."))
    visible = set(units_visible_to(by).values_list("pk", flat=True))
    if any(v.unit_id not in visible for v in violations):
        raise PermissionDenied
    if addressees is None:
        addressees = list({v.unit_id: v.unit for v in violations}.values())
    addressees = list(addressees)
    if any(unit.pk not in visible for unit in addressees):
        raise PermissionDenied
    drafting_unit = drafter.unit
    authority = drafter.authority
    head = drafting_unit.head
    signer = head if head is not None and head.is_active else drafter
    response_due = add_working_days(timezone.localdate(now), LETTER_REPORT_WORKING_DAYS)
    texts = letters.prefill(
        kind=kind,
        authority=authority,
        drafting_unit=drafting_unit,
        addressees=addressees,
        violations=violations,
        response_due=response_due,
    )
    titles, name = letters.signature_for(
        signer=signer, drafting_unit=drafting_unit, authority=authority
    )
    letter = Letter(
        authority=authority,
        drafting_unit=drafting_unit,
        kind=kind,
        response_due=response_due,
        signer=signer,
        signature_titles=titles,
        signer_name=name,
        rule=rule,
        created_by=by,
        created_at=now,
        **texts,
    )
    save_tracked(letter, by=by, reason="drafted")
    letter.addressees.set(addressees)
    letter.violations.set(violations)
    return letter


@transaction.atomic
def update_letter(
    *,
    letter: Letter,
    by,
    kind: str,
    subject: str,
    recipients: str,
    body: str,
    copy_to: str,
    response_due: datetime.date,
    signer: Staff,
    addressees: Iterable[Unit],
    violations: Iterable[Violation],
) -> Letter:
    """Change a draft. Raise LetterError for an issued letter (corrections are a new letter),
    ValidationError for a deadline in the past or a signer from outside the drafting unit."""
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("drafting_unit")
        .get(pk=letter.pk)
    )
    _check_scope(by, letter.drafting_unit)
    if not letter.is_draft:
        raise LetterError(_("An issued letter cannot be changed; correct it with a new letter."))
    if response_due < timezone.localdate():
        raise ValidationError({"response_due": _("The report deadline cannot be in the past.")})
    visible = set(units_visible_to(by).values_list("pk", flat=True))
    addressees, violations = list(addressees), list(violations)
    if any(u.pk not in visible for u in addressees) or any(
        v.unit_id not in visible for v in violations
    ):
        raise PermissionDenied
    if not selectors.signer_candidates(letter.drafting_unit).filter(pk=signer.pk).exists():
        raise ValidationError({"signer": _("Choose the head of the office or a deputy.")})
    letter.kind = kind
    letter.subject = " ".join(subject.split()).removeprefix("V/v ").strip()
    letter.recipients = "\n".join(
        letters.clean_recipient(line) for line in letters.lines_of(recipients)
    )
    letter.body = letters.normalise_body(body)
    letter.copy_to = "\n".join(letters.clean_copy_to(line) for line in letters.lines_of(copy_to))
    letter.response_due = response_due
    letter.signer = signer
    letter.signature_titles, letter.signer_name = letters.signature_for(
        signer=signer, drafting_unit=letter.drafting_unit, authority=letter.authority
    )
    save_tracked(
        letter,
        by=by,
        reason="edited",
        update_fields=[
            "kind",
            "subject",
            "recipients",
            "body",
            "copy_to",
            "response_due",
            "signer",
            "signature_titles",
            "signer_name",
        ],
    )
    if {u.pk for u in addressees} != set(letter.addressees.values_list("pk", flat=True)):
        letter.addressees.set(addressees)
    if {v.pk for v in violations} != set(letter.violations.values_list("pk", flat=True)):
        letter.violations.set(violations)
    return letter


def _locked_register(authority, year: int) -> Register:
    """The Authority's register for `year`, created on first use, locked until commit."""
    mine = Register.objects.select_for_update(of=("self",)).filter(authority=authority, year=year)
    register = mine.order_by().first()
    if register is None:
        # Two first letters of a year may race to create it: the loser's insert is ignored.
        Register.objects.bulk_create(
            [Register(authority=authority, year=year)], ignore_conflicts=True
        )
        register = mine.get()
    return register


@transaction.atomic
def issue_letter(*, letter: Letter, by, now: datetime.datetime | None = None) -> Letter:
    """Number, date and freeze a draft letter, and tell the addressed units' heads.

    The number is the next one of the Authority's register for the current (local) year, taken
    under a row lock in this same transaction: letters are numbered 1, 2, 3… per year with no
    gap, and an issue that fails consumes no number. Raise LetterError when the letter is not a
    draft, covers no violation or one that no longer stands, has no addressee, or its report
    deadline has passed. `now` is for loading historical records (demo data): nobody is
    notified of those."""
    historical = now is not None
    now = now or timezone.now()
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("authority", "drafting_unit__head", "signer")
        .get(pk=letter.pk)
    )
    _check_scope(by, letter.drafting_unit)
    if not letter.is_draft:
        raise LetterError(
            _("This letter has already been issued (no. %(ref)s).") % {"ref": letter.reference}
        )
    violations = list(letter.violations.select_related("staff", "type"))
    _check_letter_violations(violations)
    addressees = list(letter.addressees.all())
    if not addressees or not letter.recipient_lines():
        raise LetterError(_("A letter must be addressed to at least one unit (Kính gửi)."))
    today = timezone.localdate(now)
    if letter.response_due < today:
        raise LetterError(_("The report deadline has passed; set a new one before issuing."))
    if not selectors.signer_candidates(letter.drafting_unit).filter(pk=letter.signer_id).exists():
        raise LetterError(_("The signer is no longer the head of the office or a deputy."))
    letter.symbol = letters.symbol_for(letter.authority, letter.drafting_unit)
    letter.issued_on = today
    letter.issued_at = now
    letter.issued_by = by
    letter.status = Letter.Status.ISSUED
    # The signature is frozen as the titles stand today.
    letter.signature_titles, letter.signer_name = letters.signature_for(
        signer=letter.signer, drafting_unit=letter.drafting_unit, authority=letter.authority
    )
    # Everything is checked before the register is locked: that lock serialises every issue
    # of the Authority, so it is held only to number and save. The number itself is guarded by
    # the database (unique per register, present once issued).
    letter.full_clean(exclude=["register", "number"])
    heads = set()
    if not historical:
        for unit in addressees:
            heads.update(unit_head_users(unit))
    register = _locked_register(letter.authority, today.year)
    register.last_number += 1
    register.save(update_fields=["last_number"])
    letter.register = register
    letter.number = register.last_number
    save_tracked(
        letter,
        by=by,
        reason="issued",
        update_fields=[
            "register",
            "number",
            "symbol",
            "issued_on",
            "issued_at",
            "issued_by",
            "status",
            "signature_titles",
            "signer_name",
        ],
        validate=False,
    )
    if historical:
        return letter
    issued = {"letter_id": letter.pk, "number": letter.number, "year": register.year}
    transaction.on_commit(lambda: log_event("letter_issued", user=by, **issued))
    notify(
        users=heads,
        subject=_("Letter no. %(ref)s: V/v %(subject)s")
        % {"ref": letter.reference, "subject": letter.subject},
        body=_("Please report on its handling by %(due)s.")
        % {"due": f"{letter.response_due:%d/%m/%Y}"},
        url=letter.get_absolute_url(),
        key=f"letter-issued-{letter.pk}",
    )
    return letter


@transaction.atomic
def record_letter_report(
    *,
    letter: Letter,
    unit: Unit,
    text: str,
    uploads: Iterable = (),
    by,
    now: datetime.datetime | None = None,
) -> LetterReport:
    """Record an addressed unit's report on how it handled an issued letter, with attached
    photos or PDFs. When every addressed unit has reported, the letter is `answered`. Raise
    LetterError for a draft or closed letter, ValidationError for an empty text or a bad file,
    PermissionDenied for a unit the letter is not addressed to or the user does not see.
    `now` is for loading historical records (demo data): nobody is notified of those."""
    historical = now is not None
    now = now or timezone.now()
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status not in (Letter.Status.ISSUED, Letter.Status.ANSWERED):
        raise LetterError(_("Only an issued letter that is not closed takes reports."))
    addressed = set(letter.addressees.values_list("pk", flat=True))
    if unit.pk not in addressed:
        raise PermissionDenied
    _check_scope(by, unit)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what the unit did about the letter.")})
    uploads = list(uploads)
    checked = [getattr(upload, "checked", None) or check_upload(upload) for upload in uploads]
    report = LetterReport(letter=letter, unit=unit, text=text, submitted_by=by, submitted_at=now)
    report.full_clean()
    report.save()
    for upload, facts in zip(uploads, checked, strict=True):
        attachment = ReportAttachment(
            report=report,
            original_name=facts.original_name,
            content_type=facts.content_type,
            size=facts.size,
            sha256=facts.sha256,
            uploaded_by=by,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.full_clean()
        attachment.save()
    reported = set(letter.reports.values_list("unit_id", flat=True))
    if letter.status == Letter.Status.ISSUED and addressed <= reported:
        letter.status = Letter.Status.ANSWERED
        letter.answered_at = now
        save_tracked(letter, by=by, reason="answered", update_fields=["status", "answered_at"])
    if historical:
        return report
    notify(
        users=[u for u in (letter.created_by, letter.issued_by) if u is not None],
        subject=_("Report from %(unit)s on letter no. %(ref)s")
        % {"unit": unit, "ref": letter.reference},
        body=text[:500],
        url=letter.get_absolute_url(),
        key=f"letter-report-{report.pk}",
    )
    return report


@transaction.atomic
def close_letter(*, letter: Letter, by, now: datetime.datetime | None = None) -> Letter:
    """Mark an issued (or answered) letter closed: the office chief has seen it through."""
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("drafting_unit")
        .get(pk=letter.pk)
    )
    _check_scope(by, letter.drafting_unit)
    if letter.status not in (Letter.Status.ISSUED, Letter.Status.ANSWERED):
        raise LetterError(_("Only an issued letter that is not yet closed can be closed."))
    letter.status = Letter.Status.CLOSED
    letter.closed_at = now or timezone.now()
    letter.closed_by = by
    return save_tracked(
        letter, by=by, reason="closed", update_fields=["status", "closed_at", "closed_by"]
    )


def notify_overdue_letters(*, today: datetime.date | None = None) -> int:
    """Remind the heads of addressed units that have not reported by the deadline, and the
    letter's drafter. Each notice is sent once (keyed), so a daily cron run is safe. Returns the
    number of notices created."""
    today = today or timezone.localdate()
    sent = 0
    overdue = (
        Letter.objects.overdue(today)
        .select_related("created_by", "issued_by")
        .prefetch_related("addressees", "reports")
    )
    for letter in overdue:
        reported = {report.unit_id for report in letter.reports.all()}
        missing = [unit for unit in letter.addressees.all() if unit.pk not in reported]
        due = f"{letter.response_due:%d/%m/%Y}"
        with transaction.atomic():
            for unit in missing:
                sent += len(
                    notify(
                        users=unit_head_users(unit),
                        subject=_("Report overdue: letter no. %(ref)s") % {"ref": letter.reference},
                        body=_("The report on the handling was due on %(due)s.") % {"due": due},
                        url=letter.get_absolute_url(),
                        key=f"letter-overdue-{letter.pk}-{unit.pk}",
                    )
                )
            sent += len(
                notify(
                    users=[u for u in (letter.created_by, letter.issued_by) if u is not None],
                    subject=_("Report overdue: letter no. %(ref)s") % {"ref": letter.reference},
                    body=_("Not reported by %(due)s: %(units)s")
                    % {"due": due, "units": ", ".join(str(u) for u in missing)},
                    url=letter.get_absolute_url(),
                    key=f"letter-overdue-{letter.pk}",
                )
            )
    return sent


# --- formal disciplinary decisions -----------------------------------------------------------


def _check_decision_violations(staff: Staff, violations) -> None:
    """A decision concerns at least one violation, all of them this person's and standing."""
    if not violations:
        raise ValidationError({"violations": _("A decision must concern at least one violation.")})
    errors = []
    for violation in violations:
        if violation.staff_id != staff.pk:
            errors.append(
                _("“%(violation)s” is not a violation of %(name)s.")
                % {"violation": violation, "name": staff.full_name}
            )
        elif not violation.stands:
            errors.append(
                _(
                    "“%(violation)s” does not stand (only acknowledged, upheld or closed "
                    "violations can be decided on)."
                )
                % {"violation": violation}
            )
    if errors:
        raise ValidationError({"violations": errors})


DECISION_FIELDS = [
    "form",
    "number",
    "decided_on",
    "decided_by",
    "signer_name",
    "signer_position",
    "notes",
]


@transaction.atomic
def record_decision(
    *,
    staff: Staff,
    form: str,
    number: str,
    decided_on: datetime.date,
    decided_by: str,
    signer_name: str,
    signer_position: str,
    violations: Iterable[Violation],
    by,
    notes: str = "",
) -> Decision:
    """Record a formal disciplinary decision about `staff` for some of their standing
    violations. Needs the record_decision permission and the person's unit in scope. Raises
    ValidationError (future date, number already used by the authority that year, violations
    of someone else or not standing) and saves nothing then."""
    if not by.has_perm("discipline.record_decision"):
        raise PermissionDenied
    _check_scope(by, staff.unit)
    violations = list(
        Violation.objects.select_for_update(of=("self",))
        .filter(pk__in=[v.pk for v in violations])
        .select_related("type", "staff")
    )
    _check_decision_violations(staff, violations)
    decision = Decision(
        authority_id=staff.authority_id,
        staff=staff,
        unit_id=staff.unit_id,
        form=form,
        number=number,
        decided_on=decided_on,
        decided_by=decided_by,
        signer_name=signer_name,
        signer_position=signer_position,
        notes=notes,
        recorded_by=by,
    )
    save_tracked(decision, by=by, reason="recorded")
    decision.violations.set(violations)
    return decision


@transaction.atomic
def correct_decision(
    *, decision: Decision, by, violations: Iterable[Violation], **changes
) -> Decision:
    """Correct a recorded decision (a mistyped number, a missing violation): the same checks
    as recording; the history keeps the previous version."""
    if not by.has_perm("discipline.record_decision"):
        raise PermissionDenied
    decision = Decision.objects.select_for_update().select_related("staff").get(pk=decision.pk)
    _check_scope(by, decision.unit)
    violations = list(
        Violation.objects.select_for_update(of=("self",))
        .filter(pk__in=[v.pk for v in violations])
        .select_related("type", "staff")
    )
    _check_decision_violations(decision.staff, violations)
    for name, value in changes.items():
        if name not in DECISION_FIELDS:
            raise TypeError(name)
        setattr(decision, name, value)
    save_tracked(decision, by=by, reason="corrected")
    decision.violations.set(violations)
    return decision


@transaction.atomic
def extend_handling_limit(*, violation: Violation, by) -> Violation:
    """Extend a complex case's handling limit from 90 to 150 days (discipline/legal.py)."""
    if not by.has_perm("discipline.record_decision"):
        raise PermissionDenied
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    _check_scope(by, violation.unit)
    if violation.handling_extended:
        raise ViolationError(_("The handling limit of this violation is already extended."))
    if violation.status in (Violation.Status.DISMISSED, Violation.Status.VOIDED):
        raise ViolationError(_("A dismissed or voided violation is not handled further."))
    violation.handling_extended = True
    return save_tracked(violation, by=by, reason="extended", update_fields=["handling_extended"])
