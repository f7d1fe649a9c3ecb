"""Every state change of a Violation, Evidence or Letter. Views, admin actions and commands all
call these functions; each is atomic and validates before it saves."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discipline import letters, selectors
from discipline.files import check_upload
from discipline.models import (
    EscalationRule,
    Evidence,
    Letter,
    LetterReport,
    Register,
    ReportAttachment,
    Violation,
    ViolationType,
)
from inspections.models import RollEntry, Visit
from units.calendar import add_working_days
from units.models import Staff, Unit
from units.selectors import staff_of, unit_head_users, units_visible_to
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
    evidence.full_clean()
    evidence.save()
    return evidence


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
        Violation.objects.filter(pk__in=[v.pk for v in violations]).select_related(
            "staff", "unit", "type"
        ),
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
