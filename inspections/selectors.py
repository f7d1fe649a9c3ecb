"""Reads of inspection data that depend on who is asking."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from inspections.models import Feedback, Visit
from units.models import Unit
from units.roles import Role
from units.selectors import has_role, sees_whole_authority, units_visible_to


def visits_visible_to(user) -> QuerySet[Visit]:
    """Visits are inspectors' working papers: authority-wide roles other than unit heads see
    them; a unit head sees the findings as violations, not the visit itself."""
    if not (
        user.is_superuser
        or has_role(user, Role.INSPECTORS, Role.OFFICE_CHIEF, Role.LEADERS, Role.ADMINISTRATORS)
    ):
        return Visit.objects.none()
    return Visit.objects.filter(unit__in=units_visible_to(user))


def get_visit(user, pk) -> Visit:
    return get_object_or_404(
        visits_visible_to(user).select_related("unit", "lead_inspector"), pk=pk
    )


# --- citizen feedback --------------------------------------------------------------------------


def unit_for_feedback(token: str) -> Unit:
    """The active unit whose public feedback address carries `token`, or 404. Public: no user."""
    return get_object_or_404(Unit.objects.active(), feedback_token=token)


def feedback_visible_to(user) -> QuerySet[Feedback]:
    """Feedback the user may read (permission inspections.view_feedback). Authority-wide roles
    see all of their units'; a unit head sees what an inspector forwarded, and praise."""
    if not user.has_perm("inspections.view_feedback"):
        return Feedback.objects.none()
    in_scope = Feedback.objects.filter(unit__in=units_visible_to(user))
    if sees_whole_authority(user):
        return in_scope
    return in_scope.filter(
        Q(status=Feedback.Status.FORWARDED)
        | (Q(category=Feedback.Category.PRAISE) & ~Q(status=Feedback.Status.DISMISSED))
    )


def get_feedback(user, pk) -> Feedback:
    return get_object_or_404(
        feedback_visible_to(user).select_related("unit", "staff", "triaged_by"), pk=pk
    )


def _day_bounds(start: datetime.date, end: datetime.date) -> tuple:
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    finish = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return begin, finish


def praise_counts(units, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Praise received by each of `units` (a queryset or iterable of units, already scoped by
    the caller) between `start` and `end` inclusive, local dates; dismissed items do not
    count. One query. Units without praise are absent from the answer (read with .get(pk, 0))."""
    begin, finish = _day_bounds(start, end)
    rows = (
        Feedback.objects.counted()
        .filter(
            unit__in=units,
            category=Feedback.Category.PRAISE,
            submitted_at__gte=begin,
            submitted_at__lt=finish,
        )
        .values_list("unit_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)


def feedback_counts_by_unit(user, units, start: datetime.date, end: datetime.date) -> dict:
    """Per unit, the feedback the user may see between two local dates, by category, with the
    number not yet triaged. One query: {unit_id: {"attitude": n, ..., "new": n, "total": n}}."""
    begin, finish = _day_bounds(start, end)
    aggregates = {
        category: Count("pk", filter=Q(category=category) & ~Q(status=Feedback.Status.DISMISSED))
        for category in Feedback.Category.values
    }
    rows = (
        feedback_visible_to(user)
        .filter(unit__in=units, submitted_at__gte=begin, submitted_at__lt=finish)
        .values("unit_id")
        .annotate(
            **aggregates,
            new=Count("pk", filter=Q(status=Feedback.Status.NEW)),
            total=Count("pk"),
        )
        .order_by()
    )
    return {row.pop("unit_id"): row for row in rows}


def feedback_attention(user) -> int:
    """Feedback waiting for triage that this user could triage (0 without the permission)."""
    if not user.has_perm("inspections.triage_feedback"):
        return 0
    return feedback_visible_to(user).untriaged().count()
