"""Reads of discipline data that depend on who is asking, all built on units_visible_to()."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discipline.models import Evidence, Violation
from inspections.selectors import feedback_attention, visits_visible_to
from units.models import DiaryEntry
from units.selectors import staff_of, task_counts, units_visible_to


def violations_visible_to(user) -> QuerySet[Violation]:
    """Violations of the units the user sees, plus the user's own (read-only) record."""
    condition = Q(unit__in=units_visible_to(user))
    own = staff_of(user)
    if own is not None:
        condition |= Q(staff_id=own.pk)
    return Violation.objects.filter(condition)


def get_violation(user, pk) -> Violation:
    """One violation the user may see, with its person, unit and type, or 404."""
    return get_object_or_404(violations_visible_to(user).with_related(), pk=pk)


def get_violation_page(user, pk) -> Violation:
    """One violation with everything its page shows in the same query, or 404."""
    return get_object_or_404(
        violations_visible_to(user).select_related(
            "staff", "unit", "type", "visit", "task", "recorded_by__staff"
        ),
        pk=pk,
    )


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence on violations the user sees, or on visits the user sees."""
    return Evidence.objects.filter(
        Q(violation__in=violations_visible_to(user)) | Q(visit__in=visits_visible_to(user))
    )


def get_evidence(user, pk) -> Evidence:
    return get_object_or_404(evidence_visible_to(user), pk=pk)


def attention_counts(user) -> dict[str, int]:
    """What needs the user's attention on the home page, in one query per table."""
    from django.db.models import Count

    status = Violation.Status
    in_scope = Violation.objects.filter(unit__in=units_visible_to(user))
    counts = in_scope.aggregate(
        recorded=Count("pk", filter=Q(status=status.RECORDED)),
        awaiting_answer=Count("pk", filter=Q(status=status.NOTIFIED)),
        disputed=Count("pk", filter=Q(status=status.DISPUTED)),
        standing_open=Count("pk", filter=Q(status__in=[status.ACKNOWLEDGED, status.UPHELD])),
        overdue=Count(
            "pk", filter=Q(status=status.NOTIFIED, response_due__lt=timezone.localdate())
        ),
        upheld_to_act=Count("pk", filter=Q(status=status.UPHELD, corrective_action="")),
        total=Count("pk"),
    )
    own = staff_of(user)
    counts["own"] = own.violations.count() if own is not None else 0
    visit_counts = visits_visible_to(user).aggregate(
        planned=Count("pk", filter=Q(status="planned")),
        in_progress=Count("pk", filter=Q(status="in_progress")),
    )
    counts.update(visit_counts)
    return counts


def work_counts(user) -> dict:
    """For the home page's tiles: the user's tasks and those of the units they oversee (one
    query), whether they wrote today's diary (one), and feedback awaiting their triage (one,
    for those who triage)."""
    own = staff_of(user)
    counts = task_counts(user) if own is not None or user.has_perm("units.view_task") else {}
    if own is not None:
        counts["diary_today"] = DiaryEntry.objects.filter(
            staff_id=own.pk, day=timezone.localdate()
        ).exists()
    counts["feedback_new"] = feedback_attention(user)
    return counts


def violations_in_scope(user) -> QuerySet[Violation]:
    """The violations of the units the user sees (not their own record: see own_violations),
    newest first: the violation list. Its filters are matched by indexes on Violation."""
    return (
        Violation.objects.filter(unit__in=units_visible_to(user))
        .with_related()
        .order_by("-occurred_at", "-id")
    )


def inbox_of(user) -> QuerySet[Violation]:
    """A unit head's inbox: their units' violations the unit has been told about and that are
    not over yet; overdue answers first, then newest."""
    today = timezone.localdate()
    return (
        Violation.objects.filter(
            unit__in=units_visible_to(user), status__in=Violation.INBOX_STATUSES
        )
        .with_related()
        .annotate(
            late=Case(
                When(status=Violation.Status.NOTIFIED, response_due__lt=today, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("late", "-occurred_at", "-id")
    )


def own_violations(user) -> QuerySet[Violation]:
    """The user's own record (read-only), newest first; 404 for a login with no staff record."""
    own = staff_of(user)
    if own is None:
        raise Http404
    return Violation.objects.filter(staff_id=own.pk).with_related().order_by("-occurred_at", "-id")


# --- the timeline of one violation, from its history ------------------------------------------

# What each change reason means, as the timeline says it.
STEP_LABELS = {
    "recorded": _("Recorded"),
    "notified": _("Unit head notified"),
    "acknowledged": _("Acknowledged by the unit, corrective action reported"),
    "disputed": _("Disputed by the unit"),
    "upheld": _("Ruling: violation upheld"),
    "dismissed": _("Ruling: violation dismissed"),
    "closed": _("Closed"),
    "voided": _("Voided"),
    "overdue": _("Answer overdue: unit head and inspectors reminded"),
}
# Fields whose new value the timeline shows (times are the entry's own time).
TIMELINE_FIELDS = [
    "occurred_at",
    "description",
    "response_due",
    "explanation",
    "corrective_action",
    "ruling_reason",
    "void_reason",
]


@dataclass
class TimelineEntry:
    when: datetime.datetime
    actor: str
    step: str
    label: str
    status: str = ""
    status_label: str = ""
    previous_status_label: str = ""
    changes: list[tuple[str, object]] = field(default_factory=list)


def _actor(record) -> str:
    user = record.history_user
    if user is None:
        return str(_("System"))
    try:
        return user.staff.full_name
    except ObjectDoesNotExist:
        return user.get_full_name() or user.get_username()


def violation_timeline(violation: Violation) -> list[TimelineEntry]:
    """Every change of the violation, oldest first: who, when, which step and what changed.
    One query, however long the history."""
    records = list(
        violation.history.select_related("history_user__staff").order_by(
            "history_date", "history_id"
        )
    )
    labels = {f: Violation._meta.get_field(f).verbose_name for f in TIMELINE_FIELDS}
    statuses = dict(Violation.Status.choices)
    entries = []
    previous = None
    for record in records:
        reason = record.history_change_reason or ""
        entry = TimelineEntry(
            when=record.history_date,
            actor=_actor(record),
            step=reason,
            label=str(STEP_LABELS.get(reason, reason or _("Changed"))),
            status=record.status,
            status_label=str(statuses.get(record.status, record.status)),
        )
        if previous is not None and previous.status != record.status:
            entry.previous_status_label = str(statuses.get(previous.status, previous.status))
        for name in TIMELINE_FIELDS:
            value = getattr(record, name)
            if value in ("", None):
                continue
            if previous is None and name in ("occurred_at", "description"):
                continue  # shown with the violation itself
            if previous is None or getattr(previous, name) != value:
                entry.changes.append((labels[name], value))
        entries.append(entry)
        previous = record
    return entries
