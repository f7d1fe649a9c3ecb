"""Reads of discipline data that depend on who is asking, all built on units_visible_to()."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

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
