"""Personal data (Luật Bảo vệ dữ liệu cá nhân 2025): the access log of people's violation
records, the export of one person's full record for a data-subject request, and the purge of
records past the retention period (settings.RETENTION_YEARS).

What is stored, why and for how long is the README's "Personal data" section."""

import datetime
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from discipline.models import Decision, Evidence, Letter, RecordAccess, Violation
from discipline.security import log_event
from inspections.models import Feedback, RollEntry
from units.models import DiaryEntry, Notification, Staff, Task

# Written over free text that the retention period has run out on.
ERASED = "[đã xóa khi hết thời hạn lưu trữ]"
# Statuses after which nothing more happens to a violation.
FINAL_STATUSES = (Violation.Status.CLOSED, Violation.Status.DISMISSED, Violation.Status.VOIDED)
# Free text of a violation; what stays (type, unit, dates, status) keeps the statistics true.
VIOLATION_TEXT_FIELDS = (
    "description",
    "explanation",
    "corrective_action",
    "ruling_reason",
    "void_reason",
)


# --- the access log ------------------------------------------------------------------------------


def record_access(
    *, user, staff: Staff | None, view: str, violation: Violation | None = None
) -> RecordAccess | None:
    """Note that `user` opened `staff`'s record through `view` (a short page name). One INSERT;
    nothing for anonymous users or pages that name nobody."""
    if staff is None or not getattr(user, "is_authenticated", False):
        return None
    return RecordAccess.objects.create(
        user=user, staff=staff, violation=violation, view=view, accessed_at=timezone.now()
    )


# --- the export ----------------------------------------------------------------------------------

# Never exported: storage paths and the feedback sender's hashed address (and, below, the
# citizen's contact details, which are another person's data).
SKIPPED_FIELDS = {"file", "sender_hash", "contact", "password"}


def _value(obj, model_field):
    if model_field.is_relation:
        related_id = getattr(obj, model_field.attname)
        return related_id
    value = getattr(obj, model_field.attname)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _row(obj, *, skip=()) -> dict:
    return {
        f.name: _value(obj, f)
        for f in obj._meta.concrete_fields
        if f.name not in SKIPPED_FIELDS and f.name not in skip
    }


def _history(obj) -> list[dict]:
    return [
        {
            "history_date": record.history_date.isoformat(),
            "history_type": record.history_type,
            "history_user_id": record.history_user_id,
            "history_change_reason": record.history_change_reason,
            **{
                f.name: _value(record, f)
                for f in obj._meta.concrete_fields
                if f.name not in SKIPPED_FIELDS and hasattr(record, f.attname)
            },
        }
        for record in obj.history.order_by("history_date", "history_id")
    ]


def personal_record(staff: Staff) -> dict:
    """Everything the application holds about one person, as plain JSON-ready data: the staff
    record and its history, the login, violations with their history, explanations, rulings and
    evidence (described, not the files), letters citing them, disciplinary decisions, roll
    entries, tasks, diary entries,
    citizen feedback naming them (without the citizen's contact) and the access log."""
    user = staff.user
    violations = list(
        Violation.objects.filter(staff=staff).select_related("type", "unit").order_by("pk")
    )
    letters = (
        Letter.objects.filter(violations__staff=staff)
        .distinct()
        .prefetch_related("violations", "addressees")
        .order_by("pk")
    )
    return {
        "format": "ky-cuong-personal-record/1",
        "exported_at": timezone.now().isoformat(),
        "staff": {**_row(staff), "unit_name": staff.unit.name, "history": _history(staff)},
        "login": (
            {
                "id": user.pk,
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": user.is_active,
                "date_joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
                "groups": sorted(user.groups.values_list("name", flat=True)),
            }
            if user
            else None
        ),
        "violations": [
            {
                **_row(violation),
                "type_name": violation.type.name,
                "unit_name": violation.unit.name,
                "evidence": [
                    _row(evidence)
                    for evidence in Evidence.objects.filter(violation=violation).order_by("pk")
                ],
                "history": _history(violation),
            }
            for violation in violations
        ],
        "letters": [
            {
                **_row(letter),
                "reference": letter.reference if letter.number else None,
                "violation_ids": sorted(
                    v.pk for v in letter.violations.all() if v.staff_id == staff.pk
                ),
                "addressee_ids": sorted(unit.pk for unit in letter.addressees.all()),
            }
            for letter in letters
        ],
        "decisions": [
            {
                **_row(decision),
                "violation_ids": sorted(v.pk for v in decision.violations.all()),
                "history": _history(decision),
            }
            for decision in Decision.objects.filter(staff=staff)
            .prefetch_related("violations")
            .order_by("pk")
        ],
        "roll_entries": [
            _row(entry) for entry in RollEntry.objects.filter(staff=staff).order_by("pk")
        ],
        "tasks": [
            {**_row(task), "history": _history(task)}
            for task in Task.objects.filter(assignee=staff).order_by("pk")
        ],
        "diary_entries": [
            _row(entry) for entry in DiaryEntry.objects.filter(staff=staff).order_by("day", "pk")
        ],
        "feedback_naming_them": [
            _row(item) for item in Feedback.objects.filter(staff=staff).order_by("pk")
        ],
        "notifications": [
            _row(notice) for notice in Notification.objects.filter(user=user).order_by("pk")
        ]
        if user
        else [],
        "access_log": [
            _row(access) for access in RecordAccess.objects.filter(staff=staff).order_by("pk")
        ],
    }


def export_file_name(staff: Staff) -> str:
    return f"ho-so-ca-nhan-{staff.pk}-{timezone.localdate():%Y%m%d}.json"


def export_personal_record(*, staff: Staff, by, view: str) -> bytes:
    """The person's record as UTF-8 JSON; the export itself goes into the access log and the
    security log."""
    data = json.dumps(personal_record(staff), ensure_ascii=False, indent=2, default=str)
    record_access(user=by, staff=staff, view=view)
    log_event("personal_record_exported", user=by, staff_id=staff.pk)
    return data.encode()


# --- the purge -----------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    cutoff: datetime.datetime
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


def retention_cutoff(now: datetime.datetime | None = None, years: int | None = None):
    now = now or timezone.now()
    years = settings.RETENTION_YEARS if years is None else years
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _finished_before(cutoff) -> models.Q:
    """Violations whose case ended before the cutoff: closed, dismissed or voided."""
    return (
        models.Q(status=Violation.Status.CLOSED, closed_at__lt=cutoff)
        | models.Q(status__in=[Violation.Status.DISMISSED], ruled_at__lt=cutoff)
        | models.Q(status=Violation.Status.VOIDED, voided_at__lt=cutoff)
    )


@transaction.atomic
def purge_expired(*, now=None, years: int | None = None, dry_run: bool = False) -> PurgeReport:
    """Erase what the retention period has run out on. Idempotent; with dry_run, only count.

    - violations closed, dismissed or voided before the cutoff: their free text is erased, their
      evidence (rows and files) deleted, their change history deleted; type, unit, dates and
      status stay, for the statistics. Letters are archives (Luật Lưu trữ) and are not touched;
    - citizen feedback submitted before the cutoff and triaged: text, contact and the sender's
      hash erased, the named official unlinked;
    - diary entries, and tasks finished (accepted) before the cutoff that no violation cites;
    - notifications, record-access rows and login-attempt rows older than the cutoff;
    - staff who left (inactive, no active login) with nothing left inside the period: name,
      position and badge replaced, history deleted.
    """
    cutoff = retention_cutoff(now, years)
    report = PurgeReport(cutoff=cutoff)
    files = []

    expired = Violation.objects.filter(_finished_before(cutoff))
    erased_text = models.Q()
    for name in VIOLATION_TEXT_FIELDS:
        erased_text &= models.Q(**{name: ""}) | models.Q(**{name: ERASED})
    pending = expired.exclude(erased_text)
    evidence = Evidence.objects.filter(violation__in=expired)
    history = Violation.history.model.objects.filter(id__in=expired.values("pk"))
    report.add("violations", pending.count())
    report.add("evidence", evidence.count())
    report.add("violation history rows", history.count())
    if not dry_run:
        files = [item.file for item in evidence]
        for violation in pending:
            for name in VIOLATION_TEXT_FIELDS:
                if getattr(violation, name):
                    setattr(violation, name, ERASED)
            violation.save(update_fields=list(VIOLATION_TEXT_FIELDS))
        evidence.delete()
        history.delete()
        # save() above wrote one more history row per violation: none may keep the text.
        Violation.history.model.objects.filter(id__in=expired.values("pk")).delete()

    feedback = Feedback.objects.filter(submitted_at__lt=cutoff).exclude(status=Feedback.Status.NEW)
    pending_feedback = feedback.exclude(text=ERASED, contact="", sender_hash="", staff=None)
    report.add("citizen feedback", pending_feedback.count())
    if not dry_run:
        pending_feedback.update(text=ERASED, contact="", sender_hash="", staff=None)

    # An old entry corrected inside the period stays with its correction.
    diary = DiaryEntry.objects.filter(created_at__lt=cutoff).exclude(
        corrections__created_at__gte=cutoff
    )
    report.add("diary entries", diary.count())
    tasks = (
        Task.objects.filter(status=Task.Status.ACCEPTED, reviewed_at__lt=cutoff)
        .exclude(violations__isnull=False)
        .exclude(diary_entries__created_at__gte=cutoff)
    )
    report.add("tasks", tasks.count())
    if not dry_run:
        # Corrections point at the entry they correct: newest first.
        for entry in diary.order_by("-created_at", "-pk"):
            entry.delete()
        Task.history.model.objects.filter(id__in=tasks.values("pk")).delete()
        tasks.delete()

    for name, queryset in _old_log_rows(cutoff):
        report.add(name, queryset.count())
        if not dry_run:
            queryset.delete()

    leavers = _leavers(cutoff)
    report.add("staff anonymised", leavers.count())
    if not dry_run:
        for staff in leavers:
            staff.full_name = f"Cán bộ đã ẩn danh #{staff.pk}"
            staff.position = ""
            staff.badge_number = ""
            staff.save(update_fields=["full_name", "position", "badge_number"])
            Staff.history.model.objects.filter(id=staff.pk).delete()
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])
        log_event("records_purged", cutoff=cutoff.isoformat(), **_keyed(report.counts))
    return report


def _keyed(counts: dict[str, int]) -> dict[str, int]:
    return {name.replace(" ", "_"): count for name, count in counts.items()}


def _old_log_rows(cutoff):
    from axes.models import AccessAttempt, AccessLog

    yield "notifications", Notification.objects.filter(created_at__lt=cutoff)
    yield "record access rows", RecordAccess.objects.filter(accessed_at__lt=cutoff)
    yield "login attempt rows", AccessAttempt.objects.filter(attempt_time__lt=cutoff)
    yield "login log rows", AccessLog.objects.filter(attempt_time__lt=cutoff)


def _leavers(cutoff):
    """Staff who left and have nothing inside the retention period: no violation that is not
    finished before the cutoff, no task or diary entry left, no feedback still to triage."""
    live_violations = Violation.objects.exclude(_finished_before(cutoff))
    return (
        Staff.objects.filter(is_active=False)
        .filter(models.Q(user__isnull=True) | models.Q(user__is_active=False))
        .exclude(full_name__startswith="Cán bộ đã ẩn danh")
        .exclude(pk__in=live_violations.values("staff_id"))
        .exclude(pk__in=Task.objects.values("assignee_id"))
        .exclude(pk__in=DiaryEntry.objects.values("staff_id"))
        .exclude(pk__in=Feedback.objects.filter(status=Feedback.Status.NEW).values("staff_id"))
        .exclude(pk__in=RecordAccess.objects.filter(accessed_at__gte=cutoff).values("staff_id"))
        .exclude(pk__in=Staff.history.model.objects.filter(history_date__gte=cutoff).values("id"))
    )
